//! Appending to an organisation's audit chain (SPEC R8.1–R8.3).
//!
//! A writer locks the organisation's `audit_chain_heads` row (creating it on
//! the first event), so concurrent transactions queue instead of forking
//! the chain; the new event's `hash` is SHA-256 over the previous hash and a
//! canonical encoding of the event. The event is written in the caller's
//! transaction, so it exists exactly when the change it records does.

use crate::domain::{OrgId, UserId};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// The closed registry of actions (R8.1). Each names what changed, in
/// `noun.verb` form; the database checks the shape too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    OrgCreated,
    /// An operator reset a member's lost second factor (R3.6).
    MemberSecondFactorReset,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::OrgCreated => "org.created",
            Action::MemberSecondFactorReset => "member.second_factor_reset",
        }
    }
}

pub struct NewEvent {
    pub org: OrgId,
    pub actor: Option<UserId>,
    pub action: Action,
    pub target_type: Option<&'static str>,
    pub target_id: Option<String>,
    /// Non-personal details only; personal data goes to `audit_event_pii`.
    pub metadata: serde_json::Value,
}

const GENESIS: [u8; 32] = [0; 32];

/// The hashed part of an event, in a fixed order. `serde_json`'s maps are
/// sorted, so metadata encodes the same way after a round trip through
/// `jsonb`.
pub fn event_hash(
    prev: &[u8; 32],
    seq: i64,
    occurred_at: OffsetDateTime,
    event: &NewEvent,
) -> [u8; 32] {
    let canonical = serde_json::json!([
        event.org.to_string(),
        seq,
        occurred_at.format(&Rfc3339).unwrap_or_default(),
        event.actor.map(|a| a.to_string()),
        event.action.as_str(),
        event.target_type,
        event.target_id,
        event.metadata,
    ]);
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(canonical.to_string().as_bytes());
    hasher.finalize().into()
}

/// Appends `event` to its organisation's chain inside the caller's
/// transaction (which must have set `app.org_id` to the same organisation).
pub async fn append(conn: &mut PgConnection, event: &NewEvent) -> Result<i64, sqlx::Error> {
    let org = event.org.as_uuid();
    sqlx::query!(
        "insert into audit_chain_heads (org_id, seq, hash) values ($1, 0, $2) on conflict do nothing",
        org,
        GENESIS.as_slice()
    )
    .execute(&mut *conn)
    .await?;
    let head = sqlx::query!(
        "select seq, hash from audit_chain_heads where org_id = $1 for update",
        org
    )
    .fetch_one(&mut *conn)
    .await?;
    let prev: [u8; 32] = head.hash.as_slice().try_into().unwrap_or(GENESIS);
    let seq = head.seq + 1;
    // Microseconds: what timestamptz keeps, so the hash can be recomputed.
    let now = OffsetDateTime::now_utc();
    let occurred_at = now
        .replace_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now);
    let hash = event_hash(&prev, seq, occurred_at, event);
    sqlx::query!(
        r#"
        insert into audit_events
            (org_id, seq, occurred_at, actor_user_id, action, target_type, target_id,
             metadata, prev_hash, hash)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        "#,
        org,
        seq,
        occurred_at,
        event.actor.map(|a| a.as_uuid()),
        event.action.as_str(),
        event.target_type,
        event.target_id,
        event.metadata,
        prev.as_slice(),
        hash.as_slice(),
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update audit_chain_heads set seq = $2, hash = $3 where org_id = $1",
        org,
        seq,
        hash.as_slice()
    )
    .execute(&mut *conn)
    .await?;
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(metadata: serde_json::Value) -> NewEvent {
        NewEvent {
            org: OrgId::parse("6f1c2a52-1111-4a4a-9a9a-000000000001").unwrap(),
            actor: None,
            action: Action::OrgCreated,
            target_type: Some("organisation"),
            target_id: None,
            metadata,
        }
    }

    #[test]
    fn the_hash_covers_the_previous_hash_and_the_metadata() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let a = event_hash(&GENESIS, 1, at, &event(serde_json::json!({"a": "1"})));
        let b = event_hash(&GENESIS, 1, at, &event(serde_json::json!({"a": "2"})));
        let c = event_hash(&[1; 32], 1, at, &event(serde_json::json!({"a": "1"})));
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn metadata_key_order_does_not_change_the_hash() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let one: serde_json::Value = serde_json::from_str(r#"{"x":"1","y":"2"}"#).unwrap();
        let two: serde_json::Value = serde_json::from_str(r#"{"y":"2","x":"1"}"#).unwrap();
        assert_eq!(
            event_hash(&GENESIS, 3, at, &event(one)),
            event_hash(&GENESIS, 3, at, &event(two))
        );
    }
}
