//! The second factor (SPEC R3.6): TOTP secrets sealed at rest
//! (`crate::secret_box`), replay protection by time step, and single-use
//! recovery codes.

use super::sessions::bump_epoch;
use crate::{
    db::{security_events, DbError, Gate, RequestMeta, SecurityEvent},
    domain::UserId,
    token::TokenHash,
};

impl Gate {
    /// The TOTP secret as stored — sealed (`crate::secret_box`) — and the
    /// last accepted time step.
    pub async fn totp_state(
        &self,
        user: UserId,
    ) -> Result<Option<(Vec<u8>, Option<i64>)>, DbError> {
        let row = sqlx::query!(
            "select totp_secret, totp_last_step from users where id = $1",
            user.as_uuid()
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| Some((r.totp_secret?, r.totp_last_step))))
    }

    /// Accepts a code's time step at most once: succeeds only when `step` is
    /// later than every step accepted before (replay protection).
    pub async fn accept_totp_step(&self, user: UserId, step: i64) -> Result<bool, DbError> {
        let done = sqlx::query!(
            "update users set totp_last_step = $2
             where id = $1 and totp_secret is not null
               and (totp_last_step is null or totp_last_step < $2)",
            user.as_uuid(),
            step
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Re-seals a secret under the current key (key rotation), only if it
    /// is still the one that was read.
    pub async fn reseal_totp(&self, user: UserId, old: &[u8], new: &[u8]) -> Result<(), DbError> {
        sqlx::query!(
            "update users set totp_secret = $3 where id = $1 and totp_secret = $2",
            user.as_uuid(),
            old,
            new
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Turns TOTP on with a confirmed secret (sealed by the caller) and ten
    /// hashed recovery codes; earlier codes are dropped, and every session
    /// of the person ends (issue 10: a new second factor is a credential
    /// change) — the caller starts a fresh one for this browser.
    pub async fn enable_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        confirmed_step: i64,
        recovery_hashes: &[TokenHash],
        meta: &RequestMeta,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query!(
            "update users set totp_secret = $2, totp_last_step = $3, totp_reenrol_required = false
             where id = $1",
            user.as_uuid(),
            sealed_secret,
            confirmed_step
        )
        .execute(&mut *tx)
        .await?;
        bump_epoch(&mut tx, user).await?;
        sqlx::query!(
            "delete from user_recovery_codes where user_id = $1",
            user.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        let hashes: Vec<Vec<u8>> = recovery_hashes
            .iter()
            .map(|h| h.as_bytes().to_vec())
            .collect();
        sqlx::query!(
            "insert into user_recovery_codes (user_id, code_hash) select $1, unnest($2::bytea[])",
            user.as_uuid(),
            &hashes
        )
        .execute(&mut *tx)
        .await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::TotpEnabled,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs in with a recovery code: consumes it atomically, turns TOTP
    /// off and requires a new enrolment (R3.6). `false`: not a live code.
    pub async fn use_recovery_code(
        &self,
        user: UserId,
        hash: &TokenHash,
        meta: &RequestMeta,
    ) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let used = sqlx::query!(
            "update user_recovery_codes set used_at = now()
             where user_id = $1 and code_hash = $2 and used_at is null",
            user.as_uuid(),
            hash.as_bytes().as_slice()
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !used {
            return Ok(false);
        }
        sqlx::query!(
            "update users set totp_secret = null, totp_last_step = null, totp_reenrol_required = true
             where id = $1",
            user.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::RecoveryCodeUsed,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
