//! Delivering the outbox (SPEC R5.4) and, in development only, reading it.
//! Queueing is in [`crate::db::outbox`], in the transaction of the change
//! that causes the mail; the runtime role may only insert there, so these
//! go through the outbox's SECURITY DEFINER functions (or, for the
//! development page, the owner's pool).

use crate::db::{outbox::OutboxMessage, DbError, Gate};

impl Gate {
    /// The newest outbox messages, for the development-only page. Reads
    /// through the owner's pool; without one (anything but development) it
    /// is [`DbError::NotInDevelopment`].
    pub async fn outbox_recent(&self, limit: i64) -> Result<Vec<OutboxMessage>, DbError> {
        let pool = self.dev_outbox.as_ref().ok_or(DbError::NotInDevelopment)?;
        Ok(sqlx::query_as!(
            OutboxMessage,
            r#"select id, to_email::text as "to_email!", subject, body_text, created_at, sent_at
               from outbox order by created_at desc limit $1"#,
            limit
        )
        .fetch_all(pool)
        .await?)
    }

    /// Claims up to `limit` due messages for delivery (`SKIP LOCKED` inside
    /// `outbox_claim_due`, so two servers never send one twice) and hands
    /// each to `send`; marks each sent, or failed with a back-off.
    pub async fn deliver_outbox<F, Fut>(&self, limit: i64, mut send: F) -> Result<usize, DbError>
    where
        F: FnMut(OutboxMessage) -> Fut,
        Fut: std::future::Future<Output = Result<(), String>>,
    {
        let limit = i32::try_from(limit.clamp(0, 100)).unwrap_or(100);
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query!(
            r#"select id as "id!", to_email as "to_email!", subject as "subject!",
                      body_text as "body_text!", created_at as "created_at!"
               from outbox_claim_due($1)"#,
            limit
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut sent = 0;
        for r in rows {
            let id = r.id;
            let message = OutboxMessage {
                id,
                to_email: r.to_email,
                subject: r.subject,
                body_text: r.body_text,
                created_at: r.created_at,
                sent_at: None,
            };
            match send(message).await {
                Ok(()) => {
                    sent += 1;
                    sqlx::query!("select outbox_mark_sent($1)", id)
                        .execute(&mut *tx)
                        .await?;
                }
                Err(error) => {
                    sqlx::query!("select outbox_mark_failed($1, $2)", id, error)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(sent)
    }

    /// R5.4: replaces the body of mail delivered more than `sent_window`
    /// ago and of undelivered mail whose links have expired (and deletes
    /// such rows after 30 days). How many bodies it replaced.
    pub async fn purge_outbox(&self, sent_window: std::time::Duration) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar!(
            r#"select outbox_purge(make_interval(secs => $1)) as "redacted!""#,
            sent_window.as_secs_f64()
        )
        .fetch_one(&self.pool)
        .await?)
    }
}
