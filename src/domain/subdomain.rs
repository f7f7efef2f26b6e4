//! An organisation's subdomain (SPEC R1.2): a DNS label of 3–63 characters of
//! `a-z0-9-`, not starting or ending with `-`, never a reserved name and
//! never an IDNA (`xn--`) label.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Names that belong to the platform itself and can never be an
/// organisation's subdomain (SPEC R1.2).
pub const RESERVED: &[&str] = &[
    "app", "www", "api", "admin", "static", "assets", "mail", "help", "status", "docs", "billing",
    "auth", "login", "signup",
];

/// A validated organisation subdomain, always lowercase.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subdomain(String);

/// Why a proposed subdomain was refused; the message is shown next to the
/// field, so it says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubdomainError {
    #[error("use between 3 and 63 characters")]
    Length,
    #[error("use only lowercase letters, digits and hyphens")]
    Characters,
    #[error("start and end with a letter or a digit")]
    Hyphen,
    #[error("this name is reserved; choose another")]
    Reserved,
}

impl Subdomain {
    /// Parses user input: surrounding whitespace is ignored and ASCII
    /// letters are lowercased; everything else must already be valid.
    pub fn parse(input: &str) -> Result<Self, SubdomainError> {
        let label = input.trim().to_ascii_lowercase();
        if !(3..=63).contains(&label.len()) {
            return Err(SubdomainError::Length);
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(SubdomainError::Characters);
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(SubdomainError::Hyphen);
        }
        if label.starts_with("xn--") || RESERVED.contains(&label.as_str()) {
            return Err(SubdomainError::Reserved);
        }
        Ok(Self(label))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Subdomain {
    type Error = SubdomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Subdomain> for String {
    fn from(value: Subdomain) -> Self {
        value.0
    }
}

impl fmt::Display for Subdomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_a_plain_label_and_lowercases_it() {
        assert_eq!(
            Subdomain::parse(" Acme-Homes ").unwrap().as_str(),
            "acme-homes"
        );
    }

    #[test]
    fn refuses_each_kind_of_bad_label_with_its_reason() {
        assert_eq!(Subdomain::parse("ab"), Err(SubdomainError::Length));
        assert_eq!(
            Subdomain::parse(&"a".repeat(64)),
            Err(SubdomainError::Length)
        );
        assert_eq!(
            Subdomain::parse("acme_homes"),
            Err(SubdomainError::Characters)
        );
        assert_eq!(Subdomain::parse("acmé"), Err(SubdomainError::Characters));
        assert_eq!(Subdomain::parse("-acme"), Err(SubdomainError::Hyphen));
        assert_eq!(Subdomain::parse("acme-"), Err(SubdomainError::Hyphen));
        assert_eq!(
            Subdomain::parse("xn--80ak6aa92e"),
            Err(SubdomainError::Reserved)
        );
    }

    #[test]
    fn every_reserved_name_is_refused() {
        for name in RESERVED {
            assert_eq!(
                Subdomain::parse(name),
                Err(SubdomainError::Reserved),
                "{name}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_valid_label_round_trips(label in "[a-z0-9][a-z0-9-]{1,61}[a-z0-9]") {
            prop_assume!(!label.starts_with("xn--") && !RESERVED.contains(&label.as_str()));
            let parsed = Subdomain::parse(&label).unwrap();
            prop_assert_eq!(parsed.as_str(), label.as_str());
        }

        #[test]
        fn whatever_parses_is_a_valid_dns_label(input in "\\PC{0,70}") {
            if let Ok(sub) = Subdomain::parse(&input) {
                let s = sub.as_str();
                prop_assert!((3..=63).contains(&s.len()));
                prop_assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
                prop_assert!(!s.starts_with('-') && !s.ends_with('-'));
                prop_assert!(!RESERVED.contains(&s));
            }
        }
    }
}
