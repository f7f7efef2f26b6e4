//! What a Studio types about a client (SPEC R1.5; issue 12): the company
//! name, the contact's name and email, and notes. Each field is parsed at
//! the boundary into a bounded type, and [`ClientFields::parse`] reports
//! every bad field at once, by the form's field name, so the form can show
//! each message next to its field.

use super::{
    email::EmailAddress,
    text::{bounded_text, unprintable, TextError},
    unicode::nfc,
};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! client_text {
    ($(#[$doc:meta])* $name:ident, $max:expr, $what:expr, $parse:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The most characters it may have (as `char_length` counts).
            pub const MAX: usize = $max;

            /// The only constructor.
            pub fn parse(input: &str) -> Result<Self, TextError> {
                let parse: fn(&str, usize, &'static str) -> Result<String, TextError> = $parse;
                parse(input, Self::MAX, $what).map(Self)
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

client_text!(
    /// The client's company name, as `clients.name` accepts it (1–200).
    ClientName,
    200,
    "the company name",
    bounded_text
);

client_text!(
    /// The name of the person at the client (1–200): personal data (R8.5).
    ContactName,
    200,
    "the contact's name",
    bounded_text
);

client_text!(
    /// Notes about the client (1–2000 characters, several lines allowed).
    ClientNotes,
    2000,
    "the notes",
    bounded_lines
);

/// [`bounded_text`] for text of several lines: line breaks (CR LF, CR or
/// LF, stored as LF) and tabs are allowed; every other control or
/// invisible formatting character is refused, as in a name. Trailing
/// spaces of each line and surrounding blank lines are dropped.
pub fn bounded_lines(input: &str, max: usize, what: &'static str) -> Result<String, TextError> {
    // As in `bounded_text`: input far too long costs a count, no more.
    if input.len() > max.saturating_mul(4 * 3).saturating_add(64) {
        return Err(TextError::TooLong { what, max });
    }
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    if unified
        .chars()
        .any(|c| c != '\n' && c != '\t' && unprintable(c))
    {
        return Err(TextError::Unprintable { what });
    }
    let lines: Vec<&str> = unified.split('\n').map(str::trim_end).collect();
    let text = nfc(lines.join("\n").trim());
    if text.is_empty() {
        return Err(TextError::Empty { what });
    }
    if text.chars().count() > max {
        return Err(TextError::TooLong { what, max });
    }
    Ok(text)
}

/// A client record's fields, parsed. The optional ones are `None` when the
/// field was left empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientFields {
    pub name: ClientName,
    pub contact_name: Option<ContactName>,
    pub contact_email: Option<EmailAddress>,
    pub notes: Option<ClientNotes>,
}

/// The form's field names, as the messages name them.
pub mod field {
    pub const NAME: &str = "name";
    pub const CONTACT_NAME: &str = "contact_name";
    pub const CONTACT_EMAIL: &str = "contact_email";
    pub const NOTES: &str = "notes";
}

impl ClientFields {
    /// Parses the form; every field that is wrong is reported, each with
    /// the message shown beside it.
    pub fn parse(
        name: &str,
        contact_name: &str,
        contact_email: &str,
        notes: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut problem = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        let name = ClientName::parse(name)
            .map_err(|e| problem(field::NAME, e.to_string()))
            .ok();
        let contact_name = optional(contact_name, |s| {
            ContactName::parse(s).map_err(|e| e.to_string())
        })
        .map_err(|m| problem(field::CONTACT_NAME, m))
        .ok();
        let contact_email = optional(contact_email, |s| {
            // Long input is refused by its length before any parsing.
            if s.trim().len() > 254 {
                return Err("Keep the email address to 254 characters.".to_owned());
            }
            EmailAddress::parse(s)
                .map_err(|_| "Enter an email address like name@example.com.".to_owned())
        })
        .map_err(|m| problem(field::CONTACT_EMAIL, m))
        .ok();
        let notes = optional(notes, |s| ClientNotes::parse(s).map_err(|e| e.to_string()))
            .map_err(|m| problem(field::NOTES, m))
            .ok();
        match (name, contact_name, contact_email, notes) {
            (Some(name), Some(contact_name), Some(contact_email), Some(notes)) => {
                Ok(ClientFields {
                    name,
                    contact_name,
                    contact_email,
                    notes,
                })
            }
            _ => Err(errors),
        }
    }
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

    fn messages(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect()
    }

    #[test]
    fn a_full_record_parses_and_empty_optional_fields_are_none() {
        let f = ClientFields::parse(
            "  Harbourside Developments ",
            "Nina Brandt",
            "Nina@Harbourside.Example",
            "Met at MIPIM.\r\nPrefers email.",
        )
        .unwrap();
        assert_eq!(f.name.as_str(), "Harbourside Developments");
        assert_eq!(f.contact_name.unwrap().as_str(), "Nina Brandt");
        assert_eq!(
            f.contact_email.unwrap().as_str(),
            "Nina@harbourside.example"
        );
        assert_eq!(f.notes.unwrap().as_str(), "Met at MIPIM.\nPrefers email.");

        let f = ClientFields::parse("Acme", " ", "", "\n\n").unwrap();
        assert_eq!(
            (f.contact_name, f.contact_email, f.notes),
            (None, None, None)
        );
    }

    #[test]
    fn every_bad_field_is_reported_next_to_itself() {
        let errors =
            ClientFields::parse(" ", &"n".repeat(201), "someone@example", &"x".repeat(2001))
                .unwrap_err();
        assert_eq!(
            messages(&errors),
            vec![
                ("name", "Enter the company name."),
                ("contact_name", "Keep the contact's name to 200 characters."),
                (
                    "contact_email",
                    "Enter an email address like name@example.com."
                ),
                ("notes", "Keep the notes to 2000 characters."),
            ]
        );
        let errors =
            ClientFields::parse("Acme", "", &format!("{}@x.io", "a".repeat(300)), "").unwrap_err();
        assert_eq!(
            messages(&errors),
            vec![("contact_email", "Keep the email address to 254 characters.")]
        );
    }

    #[test]
    fn names_are_one_line_and_notes_keep_their_lines() {
        assert_eq!(
            ClientName::parse("Acme\nBcc: x").unwrap_err(),
            TextError::Unprintable {
                what: "the company name"
            }
        );
        assert_eq!(
            ClientNotes::parse("one\n\n\ttwo  \r\nthree")
                .unwrap()
                .as_str(),
            "one\n\n\ttwo\nthree"
        );
        assert!(ClientNotes::parse("evil\u{202E}txt").is_err());
        assert!(ClientNotes::parse("nul\0").is_err());
        assert_eq!(
            ClientNotes::parse(" \n ").unwrap_err(),
            TextError::Empty { what: "the notes" }
        );
        assert!(ClientNotes::parse(&"é".repeat(2000)).is_ok());
        // 100 KB is refused by its byte length, before any work.
        assert!(ClientNotes::parse(&"a\n".repeat(50_000)).is_err());
    }

    proptest! {
        #[test]
        fn parsed_notes_fit_the_database(input in "\\PC{0,300}|[\\x00-\\x1f\\u{80}-\\u{9f}a \\n\\r]{0,40}") {
            if let Ok(notes) = ClientNotes::parse(&input) {
                let s = notes.as_str();
                prop_assert!(!s.is_empty() && s.chars().count() <= ClientNotes::MAX);
                prop_assert!(!s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
                prop_assert_eq!(s.trim(), s);
            }
        }
    }
}
