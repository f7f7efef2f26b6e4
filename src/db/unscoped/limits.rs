//! Rate limits (SPEC R3.7, R5.5): fixed-window counters shared by every app
//! server, and the burst alert for failed token lookups.

use crate::{
    db::{
        audit::{self, Action, NewEvent, Pii},
        tenant, DbError, Gate, RequestMeta, SecurityEvent,
    },
    domain::OrgId,
};

impl Gate {
    /// Counts one hit in a fixed-window bucket and returns the hits so far
    /// in this window (R3.7). Shared by every app server.
    pub async fn rate_limit_hit(&self, bucket: &str, window_secs: i64) -> Result<i64, DbError> {
        let hits = sqlx::query_scalar!(
            r#"select app_rate_limit_hit($1, $2) as "hits!""#,
            bucket,
            window_secs as f64,
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(i64::from(hits))
    }

    /// Takes back one hit of this window (a sign-in that turned out to be
    /// right: per-account limits count failures, but are charged before the
    /// password is checked so that racing guesses cannot overtake them).
    pub async fn rate_limit_forgive(&self, bucket: &str, window_secs: i64) -> Result<(), DbError> {
        sqlx::query!(
            r#"
            update rate_limit_hits set hits = hits - 1
            where bucket = $1 and hits > 1
              and window_start = to_timestamp(floor(extract(epoch from now()) / $2) * $2)
            "#,
            bucket,
            window_secs as f64,
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Drops rate-limit windows older than an hour.
    pub async fn rate_limit_prune(&self) -> Result<u64, DbError> {
        Ok(sqlx::query!(
            "delete from rate_limit_hits where window_start < now() - interval '1 hour'"
        )
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// R5.5: counts a failed token lookup in `bucket` (one per client
    /// address, from the caller); crossing `threshold` within the window
    /// raises the burst alert once: a warning log line, a security event,
    /// and — when the lookup was made on an organisation's address (an
    /// invitation link names its organisation's host) — an audit event in
    /// that organisation's chain, with the address in its personal-data
    /// part. Token paths with no organisation (password reset) pass `None`.
    /// Answers whether the alert fired.
    pub async fn note_token_miss(
        &self,
        bucket: &str,
        threshold: i64,
        window_secs: i64,
        meta: &RequestMeta,
        org: Option<OrgId>,
    ) -> Result<bool, DbError> {
        let hits = self.rate_limit_hit(bucket, window_secs).await?;
        if hits != threshold + 1 {
            return Ok(false);
        }
        // No address in the log line (personal data): the security event
        // and the audit event hold it for whoever follows up.
        tracing::warn!(
            org.id = org.map(|o| o.to_string()),
            failures = hits,
            window_secs,
            "burst of failed token lookups from one address"
        );
        let metadata = serde_json::json!({ "failures": hits, "window_secs": window_secs });
        self.record_security_event(
            None,
            SecurityEvent::TokenLookupBurst,
            meta,
            metadata.clone(),
        )
        .await?;
        if let Some(org) = org {
            let mut tx = self.pool.begin().await?;
            tenant::set_tenant(&mut tx, Some(org), None).await?;
            audit::append_to(
                &mut tx,
                org,
                &NewEvent::new(None, Action::TokenLookupBurst)
                    .metadata(metadata)
                    .pii(Pii {
                        ip: meta.ip.clone(),
                        data: serde_json::json!({}),
                    }),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(true)
    }
}
