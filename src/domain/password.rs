//! A new password, by NIST SP 800-63B-4 (SPEC R3.2): at least 15 characters
//! when it is the only factor, at least 8 once the account has a second
//! factor, up to 128 accepted; every Unicode character and space allowed,
//! NFKC-normalised, counted in code points; no composition rules, no hints,
//! no expiry. (The breach and common-password checks run on the server.)
//!
//! Pure, so the browser can give the same length feedback as the server
//! while the person types.

use std::fmt;

pub const MIN_SINGLE_FACTOR: usize = 15;
pub const MIN_WITH_SECOND_FACTOR: usize = 8;
pub const MAX: usize = 128;

/// The form a password is hashed and verified in: NFKC. Login uses this
/// too, so "ﬁ" typed on one keyboard matches "fi" typed on another.
pub fn normalize(input: &str) -> String {
    super::unicode::nfkc(input)
}

/// A password that meets the policy. Its `Debug` never shows it and it has
/// no `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("use at least {min} characters — a short sentence you will remember works well")]
    TooShort { min: usize },
    #[error("use at most {max} characters")]
    TooLong { max: usize },
    #[error("this password is too common; choose something only you would say")]
    Common,
    #[error("this password has appeared in a data breach; choose another")]
    Breached,
}

impl NewPassword {
    pub fn parse(input: &str, has_second_factor: bool) -> Result<Self, PasswordError> {
        let normalized = normalize(input);
        let len = normalized.chars().count();
        let min = if has_second_factor {
            MIN_WITH_SECOND_FACTOR
        } else {
            MIN_SINGLE_FACTOR
        };
        if len < min {
            return Err(PasswordError::TooShort { min });
        }
        if len > MAX {
            return Err(PasswordError::TooLong { max: MAX });
        }
        Ok(Self(normalized))
    }

    /// The normalised text, for hashing and the breach check only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Advice shown while the person types (R3.2: a strength estimate is
/// advice, not policy). Rewards length and words over symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    TooShort,
    Weak,
    Fair,
    Strong,
}

impl Strength {
    pub fn estimate(input: &str, min: usize) -> Self {
        let text = normalize(input);
        let len = text.chars().count();
        if len < min {
            return Strength::TooShort;
        }
        let mut distinct: Vec<char> = text.to_lowercase().chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let words = text
            .split_whitespace()
            .filter(|w| w.chars().count() >= 2)
            .count();
        if distinct.len() < 6 {
            Strength::Weak
        } else if (len >= 20 && words >= 3) || (len >= 24 && distinct.len() >= 12) {
            Strength::Strong
        } else {
            Strength::Fair
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Strength::TooShort => "Too short",
            Strength::Weak => "Weak: too many repeated characters",
            Strength::Fair => "Fair: a few more words would make it strong",
            Strength::Strong => "Strong",
        }
    }

    /// 0–3, for the meter.
    pub fn level(self) -> u8 {
        self as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strength_rewards_length_and_words() {
        assert_eq!(Strength::estimate("short", 15), Strength::TooShort);
        assert_eq!(
            Strength::estimate("aaaaaaaaaaaaaaaaaaaa", 15),
            Strength::Weak
        );
        assert_eq!(Strength::estimate("Tr0ub4dor&3xyzab", 15), Strength::Fair);
        assert_eq!(
            Strength::estimate("marble kettle on the quiet harbour", 15),
            Strength::Strong
        );
    }

    #[test]
    fn fifteen_characters_for_a_password_alone_eight_with_a_second_factor() {
        assert_eq!(
            NewPassword::parse("fourteen chars", false),
            Err(PasswordError::TooShort { min: 15 })
        );
        assert!(NewPassword::parse("fifteen  chars!", false).is_ok());
        assert!(NewPassword::parse("8 chars!", true).is_ok());
        assert_eq!(
            NewPassword::parse("7 chars", true),
            Err(PasswordError::TooShort { min: 8 })
        );
    }

    #[test]
    fn up_to_128_accepted() {
        assert!(NewPassword::parse(&"a".repeat(128), false).is_ok());
        assert_eq!(
            NewPassword::parse(&"a".repeat(129), false),
            Err(PasswordError::TooLong { max: 128 })
        );
    }

    #[test]
    fn no_composition_rules_spaces_and_any_script_allowed() {
        for ok in [
            "correct horse battery staple",
            "всё будет хорошо завтра",
            "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
            "               ",
        ] {
            assert!(NewPassword::parse(ok, false).is_ok(), "{ok}");
        }
    }

    #[test]
    fn length_counts_code_points_after_nfkc() {
        // "ﬁ" (U+FB01) is one code point and becomes "fi" (two) under NFKC.
        let p = NewPassword::parse("ﬁﬁﬁﬁﬁﬁﬁﬁ", false).unwrap();
        assert_eq!(p.expose(), "fifififififififi");
        // Composed and decomposed forms normalise to the same password.
        assert_eq!(
            normalize("cafe\u{301} au lait, s'il vous plaît"),
            normalize("café au lait, s'il vous plaît")
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = NewPassword::parse("a very secret passphrase", false).unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }

    proptest! {
        #[test]
        fn anything_accepted_is_15_to_128_code_points_and_normalised(input in "\\PC{0,140}") {
            if let Ok(p) = NewPassword::parse(&input, false) {
                let n = p.expose().chars().count();
                prop_assert!((15..=128).contains(&n));
                prop_assert_eq!(normalize(p.expose()), p.expose().to_owned());
            }
        }
    }
}
