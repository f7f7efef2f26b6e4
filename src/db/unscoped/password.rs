//! Password reset (SPEC R3.9) and password change: by the account's stored
//! address, with single-use, one-hour tokens (R5.4); either ends every
//! session of the person (R3.8).

use super::sessions::bump_epoch;
use crate::{
    db::{outbox, security_events, DbError, Gate, RequestMeta, SecurityEvent},
    domain::{EmailAddress, UserId},
    token::{Token, TokenHash},
};
use sqlx::PgConnection;

/// The account a password reset is for.
#[derive(Clone, Debug)]
pub struct ResetTarget {
    pub id: UserId,
    /// The address on record (not as typed).
    pub email: String,
    pub display_name: String,
}

impl Gate {
    /// The account a reset request names, if any: its id (per-account limits
    /// key on it, issue 10 item 4) and its stored address (the mail goes
    /// there, never to the address as typed, item 5).
    pub async fn reset_target(&self, email: &EmailAddress) -> Result<Option<ResetTarget>, DbError> {
        Ok(sqlx::query!(
            r#"select id, email::text as "email!", display_name from users
               where email = $1 and disabled_at is null and deleted_at is null"#,
            email.as_str()
        )
        .fetch_optional(&self.pool)
        .await?
        .map(|r| ResetTarget {
            id: UserId::from_db(r.id),
            email: r.email,
            display_name: r.display_name,
        }))
    }

    /// Issues a one-hour reset token for the account and queues the email
    /// to its stored address, in one transaction.
    pub async fn request_password_reset(
        &self,
        user: &ResetTarget,
        link: impl FnOnce(&Token) -> String,
        meta: &RequestMeta,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        let (token, hash) = Token::generate();
        sqlx::query!(
            "insert into password_resets (token_hash, user_id, expires_at)
             values ($1, $2, now() + interval '1 hour')",
            hash.as_bytes().as_slice(),
            user.id.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        let url = link(&token);
        let body = format!(
            "Hello {name},\n\nSomeone (hopefully you) asked to reset the password of your offplan account.\n\
             Choose a new password here within the next hour:\n\n{url}\n\n\
             The link works once. If you did not ask for this, ignore this email: your password stays as it is.\n",
            name = user.display_name
        );
        // The link dies in an hour; so does the mail's body (issue 10 item 6).
        outbox::queue_email_valid_for(
            &mut tx,
            &user.email,
            "Reset your offplan password",
            &body,
            time::Duration::hours(1),
        )
        .await?;
        security_events::record(
            &mut tx,
            Some(user.id),
            SecurityEvent::PasswordResetRequested,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a reset token is usable (the reset page's first look).
    pub async fn password_reset_valid(&self, hash: &TokenHash) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar!(
            r#"select exists(select 1 from password_resets
                 where token_hash = $1 and consumed_at is null and expires_at > now()) as "ok!""#,
            hash.as_bytes().as_slice()
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Consumes a reset token atomically and sets the new password; every
    /// session of the user ends (R3.8). `None`: unknown, used or expired.
    pub async fn reset_password(
        &self,
        hash: &TokenHash,
        new_hash: &str,
        meta: &RequestMeta,
    ) -> Result<Option<UserId>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(user) = sqlx::query_scalar!(
            "update password_resets set consumed_at = now()
             where token_hash = $1 and consumed_at is null and expires_at > now()
             returning user_id",
            hash.as_bytes().as_slice()
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let user = UserId::from_db(user);
        set_password(&mut tx, user, new_hash).await?;
        // Other outstanding reset links die with this one.
        sqlx::query!(
            "update password_resets set consumed_at = now() where user_id = $1 and consumed_at is null",
            user.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::PasswordReset,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// The stored hash, for "change password" (re-verify the current one).
    pub async fn password_hash_of(&self, user: UserId) -> Result<Option<String>, DbError> {
        Ok(sqlx::query_scalar!(
            "select password_hash from users where id = $1",
            user.as_uuid()
        )
        .fetch_optional(&self.pool)
        .await?
        .flatten())
    }

    /// Sets a new password and ends every session (R3.8); the caller starts
    /// a fresh one for the browser that made the change.
    pub async fn change_password(
        &self,
        user: UserId,
        new_hash: &str,
        meta: &RequestMeta,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        set_password(&mut tx, user, new_hash).await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::PasswordChanged,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn set_password(
    conn: &mut PgConnection,
    user: UserId,
    new_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update users set password_hash = $2 where id = $1",
        user.as_uuid(),
        new_hash
    )
    .execute(&mut *conn)
    .await?;
    bump_epoch(conn, user).await
}
