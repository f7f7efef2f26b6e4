//! What an agent types about a buyer (SPEC R1.9): name, email, phone,
//! notes, and whether the buyer agreed to be contacted. All of it is
//! personal data (R8.5). Each field is parsed at the boundary into a
//! bounded value, and [`BuyerFields::parse`] reports every bad field at
//! once, by the form's field name, so the form shows each message beside
//! its field. The limits are the database's (`buyers` checks).

use super::{client::bounded_lines, email::EmailAddress, text::bounded_text};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The form's field names, as the messages name them.
pub mod field {
    pub const NAME: &str = "name";
    pub const EMAIL: &str = "email";
    pub const PHONE: &str = "phone";
    pub const NOTES: &str = "notes";
    pub const CONSENT: &str = "consent";
}

/// Most characters of each field (as `char_length` counts them).
pub const NAME_MAX: usize = 200;
pub const EMAIL_MAX: usize = 254;
pub const PHONE_MAX: usize = 40;
pub const NOTES_MAX: usize = 4000;

/// A buyer record's fields, parsed. Optional ones are `None` when empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerFields {
    name: String,
    email: Option<EmailAddress>,
    phone: Option<String>,
    notes: Option<String>,
    /// The buyer agreed to be contacted (its time is recorded on change).
    consent: bool,
}

impl BuyerFields {
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn email(&self) -> Option<&str> {
        self.email.as_ref().map(EmailAddress::as_str)
    }
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }
    pub fn consent(&self) -> bool {
        self.consent
    }

    /// Parses the form; every field that is wrong is reported with the
    /// message shown beside it.
    pub fn parse(
        name: &str,
        email: &str,
        phone: &str,
        notes: &str,
        consent: bool,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut problem = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        let name = bounded_text(name, NAME_MAX, "the buyer's name")
            .map_err(|e| problem(field::NAME, e.to_string()))
            .ok();
        let email = optional(email, |s| {
            if s.trim().len() > EMAIL_MAX {
                return Err(format!("Keep the email address to {EMAIL_MAX} characters."));
            }
            EmailAddress::parse(s)
                .map_err(|_| "Enter an email address like name@example.com.".to_owned())
        })
        .map_err(|m| problem(field::EMAIL, m))
        .ok();
        let phone = optional(phone, parse_phone)
            .map_err(|m| problem(field::PHONE, m))
            .ok();
        let notes = optional(notes, |s| {
            bounded_lines(s, NOTES_MAX, "the notes").map_err(|e| e.to_string())
        })
        .map_err(|m| problem(field::NOTES, m))
        .ok();
        match (name, email, phone, notes) {
            (Some(name), Some(email), Some(phone), Some(notes)) => Ok(BuyerFields {
                name,
                email,
                phone,
                notes,
                consent,
            }),
            _ => Err(errors),
        }
    }
}

/// How long a buyer link lives (R7.3): 1 to 30 days, 30 by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct ExpiryDays(u8);

impl ExpiryDays {
    pub const MAX: u8 = 30;
    pub const DEFAULT: ExpiryDays = ExpiryDays(30);

    /// The only constructor: 1..=30.
    pub fn new(days: u8) -> Option<Self> {
        (1..=Self::MAX).contains(&days).then_some(Self(days))
    }

    /// From the form's text; the message is shown beside the field.
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(Self::DEFAULT);
        }
        input
            .parse::<u8>()
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| format!("Choose between 1 and {} days.", Self::MAX))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for ExpiryDays {
    type Error = String;
    fn try_from(days: u8) -> Result<Self, Self::Error> {
        Self::new(days).ok_or_else(|| format!("Choose between 1 and {} days.", Self::MAX))
    }
}

impl From<ExpiryDays> for u8 {
    fn from(days: ExpiryDays) -> Self {
        days.0
    }
}

/// A phone number as people write it: digits with spaces, dots, dashes,
/// brackets and one leading `+`; 3 to 40 characters with at least 3 digits.
fn parse_phone(input: &str) -> Result<String, String> {
    let s = input.trim();
    let message = || "Enter a phone number like +44 20 7946 0000.".to_owned();
    if s.chars().count() > PHONE_MAX {
        return Err(format!("Keep the phone number to {PHONE_MAX} characters."));
    }
    let allowed = s.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')' | '/') || (c == '+' && i == 0)
    });
    if !allowed || s.chars().filter(char::is_ascii_digit).count() < 3 {
        return Err(message());
    }
    Ok(s.to_owned())
}

/// An optional field: empty (or only whitespace) is `None`.
fn optional<T>(
    input: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_full_record_parses_and_empty_optional_fields_are_none() {
        let f = BuyerFields::parse(
            " Ivan Petrov ",
            "Ivan@Mail.Example",
            "+44 (20) 7946-0000",
            "Wants a sea view.\r\nCall after 6.",
            true,
        )
        .unwrap();
        assert_eq!(f.name(), "Ivan Petrov");
        assert_eq!(f.email(), Some("Ivan@mail.example"));
        assert_eq!(f.phone(), Some("+44 (20) 7946-0000"));
        assert_eq!(f.notes(), Some("Wants a sea view.\nCall after 6."));
        assert!(f.consent());
        let f = BuyerFields::parse("Ivan", " ", "", "\n", false).unwrap();
        assert_eq!((f.email(), f.phone(), f.notes()), (None, None, None));
    }

    #[test]
    fn every_bad_field_is_reported_beside_itself() {
        let errors = BuyerFields::parse(
            " ",
            "ivan@nowhere",
            "call me",
            &"x".repeat(NOTES_MAX + 1),
            false,
        )
        .unwrap_err();
        assert_eq!(fields_of(&errors), vec!["name", "email", "phone", "notes"]);
        let errors = BuyerFields::parse("Ivan", "", "+44 1+2", "", false).unwrap_err();
        assert_eq!(fields_of(&errors), vec!["phone"]);
        let errors = BuyerFields::parse("Ivan", "", &"1".repeat(41), "", false).unwrap_err();
        assert_eq!(errors[0].message, "Keep the phone number to 40 characters.");
        assert!(BuyerFields::parse("Ivan\r\nBcc: x", "", "", "", false).is_err());
    }

    #[test]
    fn links_live_one_to_thirty_days_thirty_by_default() {
        assert_eq!(ExpiryDays::parse(""), Ok(ExpiryDays::DEFAULT));
        assert_eq!(ExpiryDays::parse(" 7 ").map(ExpiryDays::get), Ok(7));
        for bad in ["0", "31", "-1", "seven", "300"] {
            assert!(ExpiryDays::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn whatever_parses_fits_the_database(
            name in "\\PC{0,250}",
            phone in "[0-9 +()./-]{0,50}",
        ) {
            if let Ok(f) = BuyerFields::parse(&name, "", &phone, "", false) {
                prop_assert!((1..=NAME_MAX).contains(&f.name().chars().count()));
                prop_assert!(f.phone().is_none_or(|p| p.chars().count() <= PHONE_MAX));
            }
        }
    }
}
