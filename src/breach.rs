//! Breached and common passwords (SPEC R3.2).
//!
//! Two checks, both on the NFKC-normalised password:
//! - the HaveIBeenPwned range API with k-anonymity: only the first five hex
//!   characters of the SHA-1 leave the server, with `Add-Padding: true` so
//!   the response size says nothing either; the base URL is configuration
//!   and the timeout is short;
//! - a bundled blocklist (`data/common-passwords.txt`: the UK NCSC's top
//!   100,000 Pwned Passwords via SecLists, MIT; see `data/README.md`), used
//!   always, so the check works offline and when the remote one is down.

use crate::domain::{NewPassword, PasswordError};
use sha1::{Digest, Sha1};
use std::{collections::HashSet, sync::OnceLock, time::Duration};

static LIST: &str = include_str!("../data/common-passwords.txt");

fn blocklist() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| LIST.lines().map(str::to_lowercase).collect())
}

/// Whether the password is on the bundled list (compared case-insensitively:
/// "Password123!" is no better than "password123!").
pub fn is_common(password: &NewPassword) -> bool {
    blocklist().contains(&password.expose().to_lowercase())
}

/// The five-character prefix sent to the range API and the suffix looked
/// for in its answer: the upper-case hex SHA-1, split.
pub fn range_key(password: &NewPassword) -> (String, String) {
    let hex = data_encoding::HEXUPPER.encode(&Sha1::digest(password.expose().as_bytes()));
    let (prefix, suffix) = hex.split_at(5);
    (prefix.to_owned(), suffix.to_owned())
}

/// Whether a range response lists `suffix` with a non-zero count (padding
/// entries have count 0).
pub fn range_contains(body: &str, suffix: &str) -> bool {
    body.lines().any(|line| {
        let mut parts = line.trim().splitn(2, ':');
        let (Some(s), Some(count)) = (parts.next(), parts.next()) else {
            return false;
        };
        s.eq_ignore_ascii_case(suffix)
            && count.trim().parse::<u64>().map(|c| c > 0).unwrap_or(false)
    })
}

#[derive(Clone, Debug)]
pub struct BreachChecker {
    client: reqwest::Client,
    /// `None`: the remote check is switched off (`HIBP_URL=off`).
    base_url: Option<String>,
}

impl BreachChecker {
    pub fn new(base_url: Option<String>, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent("offplan-password-check")
            .build()
            .unwrap_or_default();
        Self {
            client,
            base_url: base_url.map(|u| u.trim_end_matches('/').to_owned()),
        }
    }

    /// The whole policy for a password someone chose (R3.2): length on the
    /// NFKC text, then the blocklist and the range API.
    pub async fn accept(
        &self,
        typed: &str,
        has_second_factor: bool,
    ) -> Result<NewPassword, PasswordError> {
        let password = NewPassword::parse(typed, has_second_factor)?;
        self.check(&password).await?;
        Ok(password)
    }

    /// `Err(Common)` or `Err(Breached)` when the password must be refused.
    /// A remote failure falls back to the blocklist alone, and is logged.
    pub async fn check(&self, password: &NewPassword) -> Result<(), PasswordError> {
        if is_common(password) {
            return Err(PasswordError::Common);
        }
        let Some(base) = &self.base_url else {
            return Ok(());
        };
        let (prefix, suffix) = range_key(password);
        let answer = async {
            self.client
                .get(format!("{base}/range/{prefix}"))
                .header("Add-Padding", "true")
                .send()
                .await?
                .error_for_status()?
                .text()
                .await
        }
        .await;
        match answer {
            Ok(body) if range_contains(&body, &suffix) => Err(PasswordError::Breached),
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::warn!(error = %err, "breach check unreachable; used the bundled blocklist only");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> NewPassword {
        NewPassword::parse(s, true).unwrap()
    }

    #[test]
    fn the_range_key_is_the_upper_case_sha1_split_after_five() {
        // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
        let (prefix, suffix) = range_key(&pw("password"));
        assert_eq!(prefix, "5BAA6");
        assert_eq!(suffix, "1E4C9B93F3F0682250B6CF8331B7EE68FD8");
    }

    #[test]
    fn padding_lines_with_count_zero_do_not_count() {
        let body =
            "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:0\r\n";
        assert!(!range_contains(body, "1E4C9B93F3F0682250B6CF8331B7EE68FD8"));
        let body = "1e4c9b93f3f0682250b6cf8331b7ee68fd8:3730471\r\n";
        assert!(range_contains(body, "1E4C9B93F3F0682250B6CF8331B7EE68FD8"));
        assert!(!range_contains("garbage", "1E4C"));
    }

    #[test]
    fn the_blocklist_catches_common_passwords_in_any_case() {
        assert!(is_common(&pw("password123")));
        assert!(is_common(&pw("PASSWORD123")));
        assert!(is_common(&pw("qwertyuiop")));
        assert!(!is_common(&pw("marble kettle on the quiet harbour")));
    }

    #[tokio::test]
    async fn an_unreachable_service_falls_back_to_the_blocklist() {
        // Port 9 (discard) on loopback: refused at once.
        let checker = BreachChecker::new(
            Some("http://127.0.0.1:9".into()),
            Duration::from_millis(500),
        );
        assert_eq!(
            checker.check(&pw("cristianoronaldo")).await,
            Err(PasswordError::Common)
        );
        assert_eq!(
            checker
                .check(&pw("marble kettle on the quiet harbour"))
                .await,
            Ok(())
        );
    }
}
