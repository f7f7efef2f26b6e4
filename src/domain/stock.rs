//! What a manager types when overriding someone else's hold on a unit
//! (SPEC R6.3; issue 14 item 3): a reason, bounded and printable like every
//! free text ([`super::text::bounded_text`]), kept with the audit event.

use super::text::{bounded_text, TextError};
use std::fmt;

/// Why a manager ended another person's reservation: 1–500 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideReason(String);

impl OverrideReason {
    /// The most characters it may have.
    pub const MAX: usize = 500;

    /// The only constructor.
    pub fn parse(input: &str) -> Result<Self, TextError> {
        bounded_text(input, Self::MAX, "a reason").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OverrideReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_trimmed_bounded_and_printable() {
        assert_eq!(
            OverrideReason::parse("  Buyer withdrew by phone ")
                .unwrap()
                .as_str(),
            "Buyer withdrew by phone"
        );
        assert_eq!(
            OverrideReason::parse("   ").unwrap_err().to_string(),
            "Enter a reason."
        );
        assert_eq!(
            OverrideReason::parse(&"x".repeat(501))
                .unwrap_err()
                .to_string(),
            "Keep a reason to 500 characters."
        );
        assert!(OverrideReason::parse(&"x".repeat(500)).is_ok());
        assert!(OverrideReason::parse("a\u{202E}b").is_err());
    }
}
