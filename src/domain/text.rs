//! Free text people type: a person's name, an organisation's name (SPEC
//! R1.1, R3.1). Bounded and printable, so that every caller inherits the
//! same limits (issue 10): no NUL (PostgreSQL `text` cannot hold it and
//! answers error 22021), no other control character (a CR or LF in a name
//! would break an email header or a log line), no invisible bidirectional
//! override (a name that renders differently from what it is), and a
//! length the database constraints accept. Surrounding whitespace is
//! trimmed and the text is NFC-normalised, so "é" typed two ways is one
//! name.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text field was refused; `Display` is the message shown beside the
/// field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("Enter {what}.")]
    Empty { what: &'static str },
    #[error("Keep {what} to {max} characters.")]
    TooLong { what: &'static str, max: usize },
    #[error("Remove the control or invisible formatting characters from {what}.")]
    Unprintable { what: &'static str },
}

/// Trims, normalises and checks `input`: 1 to `max` characters (Unicode
/// scalar values, as PostgreSQL's `char_length` counts them), none of them
/// a control or bidirectional-formatting character. `what` names the field
/// in the messages ("your name").
///
/// The length is checked on the raw input before any work, so 100 KB of
/// text costs a count, not a normalisation.
pub fn bounded_text(input: &str, max: usize, what: &'static str) -> Result<String, TextError> {
    // `max` characters are at most 4·max bytes of UTF-8; the slack allows
    // for decomposed input (a letter and its accents typed apart), which
    // NFC composes. Anything longer cannot fit, whatever it holds.
    if input.len() > max.saturating_mul(4 * 3).saturating_add(64) {
        return Err(TextError::TooLong { what, max });
    }
    if input.chars().any(unprintable) {
        return Err(TextError::Unprintable { what });
    }
    let text: String = super::unicode::nfc(input.trim());
    if text.is_empty() {
        return Err(TextError::Empty { what });
    }
    if text.chars().count() > max {
        return Err(TextError::TooLong { what, max });
    }
    Ok(text)
}

/// Control characters (NUL, CR, LF, tab, DEL, C1), the line and paragraph
/// separators, and the bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) that can make text display as something
/// else. Ordinary right-to-left text needs none of them.
pub(crate) fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

macro_rules! bounded_text_type {
    ($(#[$doc:meta])* $name:ident, $max:expr, $what:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The most characters it may have.
            pub const MAX: usize = $max;

            /// The only constructor: see [`bounded_text`].
            pub fn parse(input: &str) -> Result<Self, TextError> {
                bounded_text(input, Self::MAX, $what).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text_type!(
    /// A person's display name, as `users.display_name` accepts it (1–120).
    PersonName,
    120,
    "your name"
);

bounded_text_type!(
    /// An organisation's name (1–120, as sign-up has always allowed).
    OrgName,
    120,
    "your organisation's name"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_people_have_are_accepted_and_trimmed() {
        for ok in [
            "Maria Åkesson",
            "Ivan Petrov-Vodkin",
            "O'Neil",
            "محمد عبد الله",
            "山田 太郎",
            "Zoë 🏠",
        ] {
            assert_eq!(PersonName::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(PersonName::parse("  Ava  ").unwrap().as_str(), "Ava");
        assert_eq!(OrgName::parse("Acme Homes").unwrap().as_str(), "Acme Homes");
    }

    #[test]
    fn nul_and_control_characters_are_refused_with_a_message() {
        for bad in [
            "Ava\0",
            "\0",
            "Ava\r\nBcc: x@y.z",
            "A\tB",
            "A\u{7f}",
            "A\u{85}",
            "A\u{2028}B",
            "evil\u{202E}gnp.exe",
            "A\u{2066}B",
        ] {
            let err = PersonName::parse(bad).unwrap_err();
            assert_eq!(err, TextError::Unprintable { what: "your name" }, "{bad:?}");
            assert!(OrgName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            PersonName::parse("Ava\0").unwrap_err().to_string(),
            "Remove the control or invisible formatting characters from your name."
        );
    }

    #[test]
    fn empty_and_overlong_names_are_refused() {
        assert_eq!(
            PersonName::parse("   ").unwrap_err(),
            TextError::Empty { what: "your name" }
        );
        assert!(PersonName::parse(&"é".repeat(120)).is_ok());
        assert_eq!(
            PersonName::parse(&"é".repeat(121)).unwrap_err(),
            TextError::TooLong {
                what: "your name",
                max: 120
            }
        );
        // 100 KB is refused by its byte length, before any normalisation.
        assert!(OrgName::parse(&"a".repeat(100_000)).is_err());
    }

    #[test]
    fn a_name_typed_decomposed_is_the_same_name() {
        assert_eq!(
            PersonName::parse("Zoe\u{0308}").unwrap(),
            PersonName::parse("Zo\u{00EB}").unwrap()
        );
    }

    proptest! {
        #[test]
        fn whatever_parses_fits_the_database(input in "\\PC{0,200}|[\\x00-\\x1f\\u{80}-\\u{9f}a ]{0,20}") {
            if let Ok(name) = PersonName::parse(&input) {
                let s = name.as_str();
                prop_assert!(!s.is_empty() && s.chars().count() <= PersonName::MAX);
                prop_assert!(!s.chars().any(|c| c.is_control()));
                prop_assert_eq!(s.trim(), s);
            }
        }
    }
}
