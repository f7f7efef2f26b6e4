//! An email address as people type it (SPEC R1.1). Deliberately permissive
//! in the local part (RFC 5321 allows much; the confirmation email is the
//! real test) and strict about shape: one `@`, a dotted domain, no spaces
//! or control characters, RFC lengths. The domain is lowercased; comparison
//! is case-insensitive in the database (collation `case_insensitive`).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("enter an email address like name@example.com")]
pub struct EmailError;

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(EmailError);
        }
        let domain = domain.to_lowercase();
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !domain.contains('.') || !labels_ok {
            return Err(EmailError);
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_and_unusual_addresses() {
        for ok in [
            "maria@acme.com",
            "Ivan.Petrov+offplan@Mail.Example.CO.UK",
            "o'neil@x.ie",
            "δοκιμή@παράδειγμα.δοκιμή",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            EmailAddress::parse(" A@B.COM ").unwrap().as_str(),
            "A@b.com"
        );
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for bad in [
            "",
            "maria",
            "maria@",
            "@acme.com",
            "maria@acme",
            "ma ria@acme.com",
            "maria@acme..com",
            "maria@-acme.com",
            "a@b@c.com",
            // NUL and other controls never reach the database (PostgreSQL
            // refuses NUL in text with error 22021).
            "ma\0ria@acme.com",
            "maria@acme.com\0",
            "maria@ac\rme.com",
            "maria@acme.com\r\nBcc: x@y.z",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert!(EmailAddress::parse(&format!("{}@acme.com", "a".repeat(65))).is_err());
        // Longer than RFC 5321 allows (254), each part within its own limit.
        let long = format!("a@{}.com", vec!["b".repeat(60); 5].join("."));
        assert!(long.len() > 254);
        assert!(EmailAddress::parse(&long).is_err());
        assert!(EmailAddress::parse(&"a".repeat(300)).is_err());
    }

    proptest! {
        #[test]
        fn simple_addresses_round_trip(local in "[a-z0-9._+-]{1,30}", domain in "[a-z0-9]{1,20}\\.[a-z]{2,6}") {
            let email = format!("{local}@{domain}");
            let parsed = EmailAddress::parse(&email).unwrap();
            prop_assert_eq!(parsed.as_str(), email.as_str());
        }

        #[test]
        fn whatever_parses_has_one_at_and_no_spaces(input in "\\PC{0,80}") {
            if let Ok(e) = EmailAddress::parse(&input) {
                let s = e.as_str();
                prop_assert!(s.len() <= 254);
                prop_assert!(!s.chars().any(char::is_whitespace));
                prop_assert!(s.rsplit_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.')));
            }
        }
    }
}
