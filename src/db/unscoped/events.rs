//! Security events the web layer records itself (a failed sign-in, a bad
//! Google callback): the rest are written by the operation they describe,
//! in its transaction.

use crate::{
    db::{security_events, DbError, Gate, RequestMeta, SecurityEvent},
    domain::UserId,
};

impl Gate {
    /// Records a security event of a person (or of an unknown account, with
    /// `user` = `None`).
    pub async fn record_security_event(
        &self,
        user: Option<UserId>,
        kind: SecurityEvent,
        meta: &RequestMeta,
        metadata: serde_json::Value,
    ) -> Result<(), DbError> {
        let mut conn = self.pool.acquire().await?;
        security_events::record(&mut conn, user, kind, meta, metadata).await?;
        Ok(())
    }
}
