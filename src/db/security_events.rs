//! The closed list of security events (of a person, not of an organisation:
//! `security_events`, migration 20261122000021_identity.sql). Like the audit
//! actions ([`super::audit::Action`]) the names are stored, so a variant's
//! string never changes once written; the database checks only their shape.
//! [`record`] writes one, in the caller's transaction.

use super::RequestMeta;
use crate::domain::UserId;
use sqlx::PgConnection;

macro_rules! security_events {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal; )*) => {
        /// What happened to an account, in `area.event` form.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum SecurityEvent {
            $( $(#[$doc])* $variant, )*
        }

        impl SecurityEvent {
            pub const ALL: &'static [SecurityEvent] = &[$(SecurityEvent::$variant),*];

            /// The stored `kind`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( SecurityEvent::$variant => $name, )*
                }
            }
        }
    };
}

security_events! {
    /// A session was established (R3.4), after any second factor.
    SignedIn => "auth.signed_in";
    /// A wrong email or password (R3.7); `user` is unknown.
    SignInFailed => "auth.sign_in_failed";
    /// A wrong TOTP or recovery code at sign-in (R3.6).
    SecondFactorFailed => "auth.second_factor_failed";
    /// Every session of the account was ended (R3.8).
    SignedOutEverywhere => "auth.signed_out_everywhere";
    /// An account was created: by sign-up, Google or an invitation (R3.1,
    /// R5.4; `via` in the metadata for an invitation).
    SignedUp => "auth.signed_up";
    /// Someone tried to sign up with an address that has an account; its
    /// owner is mailed, the form does not tell (R3.7).
    SignUpExistingEmail => "auth.sign_up_existing_email";
    /// R3.9.
    PasswordResetRequested => "auth.password_reset_requested";
    PasswordReset => "auth.password_reset";
    PasswordChanged => "auth.password_changed";
    /// R3.6.
    TotpEnabled => "auth.totp_enabled";
    RecoveryCodeUsed => "auth.recovery_code_used";
    /// Google took over an address its unverified registrant never proved
    /// (R3.3); the registrant's password and factors are gone.
    UnverifiedAccountClaimed => "auth.unverified_account_claimed";
    /// A Google identity was linked to an existing, verified account (R3.3).
    GoogleLinked => "auth.google_linked";
    /// The Google callback came back with a bad or expired `state` (R3.3).
    OauthStateRejected => "auth.oauth_state_rejected";
    /// Google refused the code exchange or its identity (R3.3).
    OauthExchangeFailed => "auth.oauth_exchange_failed";
    EmailVerificationSent => "auth.email_verification_sent";
    EmailVerified => "auth.email_verified";
    /// A platform operator looked the person up (R8.6).
    OperatorLookup => "operator.lookup";
    /// A platform operator reset the person's second factor (R3.6).
    OperatorTotpReset => "operator.totp_reset";
    /// One address failed too many invitation-link lookups (R5.5); `user` is
    /// unknown.
    TokenLookupBurst => "security.token_lookup_burst";
}

/// Records a security event of `user` (or of an unknown account, with
/// `None`) in the caller's transaction.
pub(crate) async fn record(
    conn: &mut PgConnection,
    user: Option<UserId>,
    kind: SecurityEvent,
    meta: &RequestMeta,
    metadata: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into security_events (user_id, kind, ip, user_agent, metadata)
         values ($1, $2, $3::text::inet, $4, $5)",
        user.map(|u| u.as_uuid()),
        kind.as_str(),
        meta.ip.as_deref(),
        meta.user_agent(),
        metadata,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The database's check on `security_events.kind`:
    /// `^[a-z][a-z_]*(\.[a-z][a-z_]*)+$`.
    fn matches_the_database_check(kind: &str) -> bool {
        let word = |w: &str| {
            w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        };
        let mut words = kind.split('.');
        words.next().is_some_and(word) && {
            let rest: Vec<&str> = words.collect();
            !rest.is_empty() && rest.into_iter().all(word)
        }
    }

    #[test]
    fn the_shape_check_refuses_what_the_database_refuses() {
        for bad in [
            "auth",
            "auth.",
            ".auth",
            "Auth.signed_in",
            "auth.signed-in",
            "auth._x",
            "auth..x",
            "1.x",
            "",
        ] {
            assert!(!matches_the_database_check(bad), "{bad:?}");
        }
        assert!(matches_the_database_check("a.b.c_d"));
    }

    #[test]
    fn every_name_passes_the_database_check() {
        for e in SecurityEvent::ALL {
            assert!(matches_the_database_check(e.as_str()), "{e:?}");
        }
    }

    #[test]
    fn names_are_unique() {
        for e in SecurityEvent::ALL {
            let same = SecurityEvent::ALL
                .iter()
                .filter(|f| f.as_str() == e.as_str())
                .count();
            assert_eq!(same, 1, "{e:?}");
        }
    }

    /// The names are stored: the ones written before this enum existed stay
    /// byte-identical.
    #[test]
    fn stored_names_do_not_change() {
        let names: Vec<&str> = SecurityEvent::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(
            names,
            [
                "auth.signed_in",
                "auth.sign_in_failed",
                "auth.second_factor_failed",
                "auth.signed_out_everywhere",
                "auth.signed_up",
                "auth.sign_up_existing_email",
                "auth.password_reset_requested",
                "auth.password_reset",
                "auth.password_changed",
                "auth.totp_enabled",
                "auth.recovery_code_used",
                "auth.unverified_account_claimed",
                "auth.google_linked",
                "auth.oauth_state_rejected",
                "auth.oauth_exchange_failed",
                "auth.email_verification_sent",
                "auth.email_verified",
                "operator.lookup",
                "operator.totp_reset",
                "security.token_lookup_burst",
            ]
        );
    }
}
