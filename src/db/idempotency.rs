//! Idempotency keys (issue 14 item 2): a retried action — a double click, a
//! dropped connection answered again — returns the first outcome instead of
//! acting twice, and a person is never shown a conflict with themselves.
//!
//! [`begin`] runs first in the action's transaction: it takes a
//! transaction-level advisory lock on (organisation, person, key), so a
//! second request with the same key waits for the first to finish, and then
//! answers what the first stored ([`Begun::Replay`]). [`remember`] stores the
//! outcome in the same transaction as the change; an action that fails
//! (a conflict, a refusal) stores nothing and rolls back, and its retry
//! runs again. A key reused for a different request is refused.

use super::{RepoError, Scope};
use crate::error::Conflict;
use serde::{de::DeserializeOwned, Serialize};
use sha2::{Digest, Sha256};

/// A client-chosen key: 8 to 100 characters of `[A-Za-z0-9_-]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (8..=100).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What [`begin`] found.
pub enum Begun<T> {
    /// Nothing stored under this key: act, then [`remember`].
    Fresh,
    /// The first request's outcome.
    Replay(T),
}

/// The request's fingerprint: the action and its arguments.
pub fn fingerprint(action: &str, args: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(action.as_bytes());
    for a in args {
        h.update([0]);
        h.update(a.as_bytes());
    }
    h.finalize().into()
}

/// Waits for any other request with this key to end, then answers what it
/// stored, if anything.
pub async fn begin<T: DeserializeOwned>(
    scope: &mut Scope,
    key: &IdempotencyKey,
    request: &[u8; 32],
) -> Result<Begun<T>, RepoError> {
    let m = scope.membership().clone();
    sqlx::query_scalar!(
        r#"select pg_advisory_xact_lock(hashtextextended($1 || '/' || $2 || '/' || $3, 14))::text as "x""#,
        m.org_id().as_uuid().to_string(),
        m.user_id().as_uuid().to_string(),
        key.as_str(),
    )
    .fetch_one(scope.conn())
    .await?;
    let stored = sqlx::query!(
        r#"
        select request_hash, response_body from idempotency_keys
        where org_id = $1 and user_id = $2 and key = $3
        "#,
        m.org_id().as_uuid(),
        m.user_id().as_uuid(),
        key.as_str(),
    )
    .fetch_optional(scope.conn())
    .await?;
    match stored {
        None => Ok(Begun::Fresh),
        Some(s) if s.request_hash.as_slice() == request.as_slice() => {
            let value = serde_json::from_value(s.response_body)
                .map_err(|e| sqlx::Error::Decode(e.into()))?;
            Ok(Begun::Replay(value))
        }
        Some(_) => Err(Conflict::IdempotencyKeyReused.into()),
    }
}

/// Stores the outcome under the key, in the action's transaction.
pub async fn remember<T: Serialize>(
    scope: &mut Scope,
    key: &IdempotencyKey,
    request: &[u8; 32],
    outcome: &T,
) -> Result<(), RepoError> {
    let m = scope.membership().clone();
    let body = serde_json::to_value(outcome).map_err(|e| sqlx::Error::Encode(e.into()))?;
    sqlx::query!(
        r#"
        insert into idempotency_keys (org_id, user_id, key, request_hash, response_status, response_body)
        values ($1, $2, $3, $4, 200, $5)
        "#,
        m.org_id().as_uuid(),
        m.user_id().as_uuid(),
        key.as_str(),
        request.as_slice(),
        body,
    )
    .execute(scope.conn())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_and_plain() {
        assert!(IdempotencyKey::parse("0123456789abcdef").is_some());
        assert!(IdempotencyKey::parse("a-b_c-d-e").is_some());
        assert!(IdempotencyKey::parse("short").is_none());
        assert!(IdempotencyKey::parse(&"x".repeat(101)).is_none());
        assert!(IdempotencyKey::parse("has space in it").is_none());
        assert!(IdempotencyKey::parse("semi;colon;key").is_none());
    }

    #[test]
    fn a_fingerprint_tells_arguments_apart() {
        assert_eq!(
            fingerprint("reserve", &["a", "b"]),
            fingerprint("reserve", &["a", "b"])
        );
        assert_ne!(
            fingerprint("reserve", &["a", "b"]),
            fingerprint("reserve", &["ab"])
        );
        assert_ne!(
            fingerprint("reserve", &["a"]),
            fingerprint("release", &["a"])
        );
    }
}
