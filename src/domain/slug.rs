//! A project's address within its organisation (SPEC R1.6, R7.1):
//! `<org>.<base>/projects/<slug>`. Lower-case letters, digits and hyphens,
//! 1–63 characters, not starting or ending with a hyphen — the same rule as
//! the `projects.slug` check, so the database never has to refuse what this
//! accepted. Unique per organisation only (the database's
//! `projects_org_slug_key`).

use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_SLUG: usize = 63;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProjectSlug(String);

/// Why a slug was refused; `Display` is the message shown beside the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("Enter the project's web address.")]
    Empty,
    #[error("Keep the web address to {MAX_SLUG} characters.")]
    TooLong,
    #[error("Use only lower-case letters, digits and hyphens (for example marina-heights).")]
    BadCharacter,
    #[error("The web address can't start or end with a hyphen.")]
    EdgeHyphen,
    #[error("“{0}” is taken by offplan's own pages; choose another web address.")]
    Reserved(&'static str),
}

/// Slugs a page of ours answers at (`/projects/new`).
const RESERVED: &[&str] = &["new"];

impl ProjectSlug {
    pub fn parse(input: &str) -> Result<Self, SlugError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.len() > MAX_SLUG {
            return Err(SlugError::TooLong);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(SlugError::BadCharacter);
        }
        if s.starts_with('-') || s.ends_with('-') {
            return Err(SlugError::EdgeHyphen);
        }
        if let Some(r) = RESERVED.iter().find(|r| **r == s) {
            return Err(SlugError::Reserved(r));
        }
        Ok(Self(s.to_owned()))
    }

    /// A slug made from a project's name, for the form to suggest:
    /// "Marina Heights — Tower B" → `marina-heights-tower-b`. Letters with
    /// accents lose them where ASCII has the base letter; anything else
    /// separates words. `None` when nothing usable is left.
    pub fn suggest(name: &str) -> Option<Self> {
        let mut out = String::new();
        let mut gap = false;
        for c in name.chars().flat_map(fold) {
            if c.is_ascii_alphanumeric() {
                if gap && !out.is_empty() {
                    out.push('-');
                }
                gap = false;
                out.push(c.to_ascii_lowercase());
            } else {
                gap = true;
            }
            if out.len() >= MAX_SLUG {
                break;
            }
        }
        out.truncate(MAX_SLUG);
        let trimmed = out.trim_matches('-');
        Self::parse(trimmed).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The ASCII letters a Latin letter with a diacritic stands for, so a
/// suggestion keeps "Zürich" readable as `zurich`; anything else is itself.
fn fold(c: char) -> impl Iterator<Item = char> {
    let s: &'static str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'œ' | 'Œ' => "oe",
        _ => "",
    };
    let own = s.is_empty().then_some(c);
    s.chars().chain(own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_database_check_accepts() {
        for ok in ["a", "marina-heights", "tower-2", "x1-y2", &"a".repeat(63)] {
            assert_eq!(ProjectSlug::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_with_the_reason() {
        assert_eq!(ProjectSlug::parse("  "), Err(SlugError::Empty));
        assert_eq!(ProjectSlug::parse(&"a".repeat(64)), Err(SlugError::TooLong));
        assert_eq!(ProjectSlug::parse("Marina"), Err(SlugError::BadCharacter));
        assert_eq!(ProjectSlug::parse("a_b"), Err(SlugError::BadCharacter));
        assert_eq!(ProjectSlug::parse("a/b"), Err(SlugError::BadCharacter));
        assert_eq!(ProjectSlug::parse("-a"), Err(SlugError::EdgeHyphen));
        assert_eq!(ProjectSlug::parse("a-"), Err(SlugError::EdgeHyphen));
        assert_eq!(ProjectSlug::parse("new"), Err(SlugError::Reserved("new")));
    }

    #[test]
    fn suggests_a_readable_slug_from_a_name() {
        let s = |n: &str| ProjectSlug::suggest(n).map(|s| s.as_str().to_owned());
        assert_eq!(s("Marina Heights"), Some("marina-heights".into()));
        assert_eq!(
            s("  Marina Heights — Tower B "),
            Some("marina-heights-tower-b".into())
        );
        assert_eq!(s("Zürich Süd"), Some("zurich-sud".into()));
        assert_eq!(s("Straße 12"), Some("strasse-12".into()));
        assert_eq!(s("東京"), None);
        assert_eq!(s("---"), None);
        assert_eq!(s("New"), None);
        let long = s(&"word ".repeat(40)).unwrap();
        assert!(long.len() <= MAX_SLUG && !long.ends_with('-'), "{long}");
    }
}
