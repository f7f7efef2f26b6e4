//! Matching a Google identity to an account (SPEC R3.3): by subject, then
//! by an address both Google and we verified.

use super::sessions::bump_epoch;
use crate::{
    db::{security_events, DbError, Gate, RequestMeta, SecurityEvent},
    domain::UserId,
};

/// A Google account as the provider vouched for it (R3.3).
#[derive(Clone, Debug)]
pub struct GoogleIdentity {
    pub subject: String,
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// What the Google callback found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoogleMatch {
    /// Signed in before with this Google account, or linked now by a
    /// verified email.
    User { id: UserId, has_totp: bool },
    /// An account had this address but we had never verified it: whoever
    /// registered it may not have owned the address. The Google person, who
    /// proved the address, takes the account over; its password, second
    /// factor and sessions are gone (issue 10 item 2).
    Claimed { id: UserId },
    /// No account yet: the person may sign up with it.
    NoAccount,
    /// An account has this email but the provider did not verify it: never
    /// link (R3.3).
    UnverifiedEmail,
}

impl Gate {
    /// Finds the account for a Google identity: by subject first, then by
    /// email — linking only when the provider verified that email.
    pub async fn match_google(
        &self,
        identity: &GoogleIdentity,
        meta: &RequestMeta,
    ) -> Result<GoogleMatch, DbError> {
        let by_subject = sqlx::query!(
            r#"select id, totp_secret is not null as "has_totp!" from users
               where google_subject = $1 and disabled_at is null and deleted_at is null"#,
            identity.subject
        )
        .fetch_optional(&self.pool)
        .await?;
        if let Some(r) = by_subject {
            return Ok(GoogleMatch::User {
                id: UserId::from_db(r.id),
                has_totp: r.has_totp,
            });
        }
        let by_email = sqlx::query!(
            r#"select id, totp_secret is not null as "has_totp!", google_subject, email_verified
               from users
               where email = $1 and disabled_at is null and deleted_at is null"#,
            identity.email
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = by_email else {
            return Ok(GoogleMatch::NoAccount);
        };
        if !identity.email_verified || r.google_subject.is_some() {
            return Ok(GoogleMatch::UnverifiedEmail);
        }
        let mut tx = self.pool.begin().await?;
        if !r.email_verified {
            // R3.3: link only to an address *we* verified. Whoever
            // registered this one never proved it; the Google person just
            // did. They get the account without what the registrant set:
            // no password, no second factor, no live session.
            let user = UserId::from_db(r.id);
            sqlx::query!(
                "update users set google_subject = $2, email_verified = true, password_hash = null,
                     totp_secret = null, totp_last_step = null, totp_reenrol_required = false
                 where id = $1 and email_verified = false",
                r.id,
                identity.subject
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!("delete from user_recovery_codes where user_id = $1", r.id)
                .execute(&mut *tx)
                .await?;
            bump_epoch(&mut tx, user).await?;
            security_events::record(
                &mut tx,
                Some(user),
                SecurityEvent::UnverifiedAccountClaimed,
                meta,
                serde_json::json!({ "method": "google" }),
            )
            .await?;
            tx.commit().await?;
            return Ok(GoogleMatch::Claimed { id: user });
        }
        sqlx::query!(
            "update users set google_subject = $2, email_verified = true where id = $1",
            r.id,
            identity.subject
        )
        .execute(&mut *tx)
        .await?;
        let user = UserId::from_db(r.id);
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::GoogleLinked,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(GoogleMatch::User {
            id: user,
            has_totp: r.has_totp,
        })
    }
}
