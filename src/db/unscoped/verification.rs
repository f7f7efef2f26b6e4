//! Email verification (issue 10 item 2, SPEC R3.3): the emailed link that
//! proves a password account's address. Only a verified account may have a
//! Google identity linked to it by email.
//!
//! Users are global (no tenant), so this runs unscoped, like the rest of
//! identity; tokens follow R5.4 (256 bits, SHA-256 at rest, single
//! use, consumed by one conditional UPDATE).

use crate::db::{outbox, security_events, DbError, Gate, RequestMeta, SecurityEvent};
use crate::{
    domain::UserId,
    token::{Token, TokenHash},
};
use sqlx::PgConnection;

/// Why a verification link was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The link that finishes a sign-up; opening it also signs in.
    Signup,
    /// Asked for later from the Security page; opening it only verifies.
    Verify,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::Verify => "verify",
        }
    }
}

/// A link that was opened and worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    pub user: UserId,
    pub purpose: Purpose,
}

/// A verification mail: the link is built by the caller from configuration.
pub struct VerificationMail<'a> {
    pub subject: &'a str,
    pub intro: &'a str,
}

/// Issues a 24-hour verification token for `user`'s current address and
/// queues the email with the link, in the caller's transaction.
pub(crate) async fn issue(
    conn: &mut PgConnection,
    user: UserId,
    purpose: Purpose,
    link: &(dyn Fn(&Token) -> String + Sync),
    mail: &VerificationMail<'_>,
) -> Result<(), sqlx::Error> {
    let row = sqlx::query!(
        r#"select email::text as "email!", display_name from users where id = $1"#,
        user.as_uuid()
    )
    .fetch_one(&mut *conn)
    .await?;
    let (token, hash) = Token::generate();
    sqlx::query!(
        "insert into email_verifications (token_hash, user_id, email, purpose, expires_at)
         values ($1, $2, $3, $4, now() + interval '24 hours')",
        hash.as_bytes().as_slice(),
        user.as_uuid(),
        row.email,
        purpose.as_str(),
    )
    .execute(&mut *conn)
    .await?;
    let body = format!(
        "Hello {name},\n\n{intro}\n\n{url}\n\n\
         The link works once, for 24 hours. If this wasn't you, ignore this email.\n",
        name = row.display_name,
        intro = mail.intro,
        url = link(&token),
    );
    outbox::queue_email_valid_for(
        &mut *conn,
        &row.email,
        mail.subject,
        &body,
        time::Duration::hours(24),
    )
    .await
}

impl Gate {
    /// Sends a fresh verification link to a signed-in person's address (the
    /// Security page). Already verified: nothing is sent.
    pub async fn send_email_verification(
        &self,
        user: UserId,
        link: &(dyn Fn(&Token) -> String + Sync),
        meta: &RequestMeta,
    ) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let verified = sqlx::query_scalar!(
            "select email_verified from users where id = $1 for update",
            user.as_uuid()
        )
        .fetch_one(&mut *tx)
        .await?;
        if verified {
            return Ok(false);
        }
        issue(
            &mut tx,
            user,
            Purpose::Verify,
            link,
            &VerificationMail {
                subject: "Confirm your email address for offplan",
                intro: "Please confirm that this is your email address by opening this link:",
            },
        )
        .await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::EmailVerificationSent,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Consumes a verification token and marks the address verified, if the
    /// account still has the address the link was sent to. `None`: unknown,
    /// used, expired, or for an address the account no longer has.
    pub async fn verify_email(
        &self,
        hash: &TokenHash,
        meta: &RequestMeta,
    ) -> Result<Option<Verified>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(row) = sqlx::query!(
            r#"
            with used as (
                update email_verifications set consumed_at = now()
                where token_hash = $1 and consumed_at is null and expires_at > now()
                returning user_id, email, purpose
            )
            update users u set email_verified = true
            from used
            where u.id = used.user_id and u.email = used.email
              and u.disabled_at is null and u.deleted_at is null
            returning u.id, used.purpose
            "#,
            hash.as_bytes().as_slice()
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            // A consumed token stays consumed even when the address changed.
            tx.commit().await?;
            return Ok(None);
        };
        let user = UserId::from_db(row.id);
        // The other links of this person are now pointless.
        sqlx::query!(
            "update email_verifications set consumed_at = now()
             where user_id = $1 and consumed_at is null",
            user.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::EmailVerified,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Verified {
            user,
            purpose: if row.purpose == "signup" {
                Purpose::Signup
            } else {
                Purpose::Verify
            },
        }))
    }
}
