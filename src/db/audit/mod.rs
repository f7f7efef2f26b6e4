//! The audit log (SPEC R8.1–R8.5).
//!
//! - **Written in the change's transaction**: [`append`] takes the
//!   caller's [`Scope`] and writes to the chain of the scope's organisation,
//!   so an event exists exactly when the change it records does, and only in
//!   the organisation the change was made in. The unscoped flows inside
//!   `offplan::db` that write an event before any scope exists (sign-up, an
//!   invitation accepted or declined by link, a sign-in seen by each
//!   organisation of the person, operator commands) use the crate-private
//!   [`append_to`], after [`super::tenant::set_tenant`].
//! - **Events on a project** go into the project owner's chain with the
//!   project set, whoever wrote them; a partner's member's also into the
//!   partner's chain as a twin ([`append_project_event`]).
//! - **Closed registry**: the action and its metadata keys come from
//!   [`Action`]; an unregistered key is refused before anything is written.
//! - **Hash chain per organisation**: a writer locks the organisation's
//!   `audit_chain_heads` row (creating it on the first event), so concurrent
//!   transactions queue instead of forking; `hash` is SHA-256 over the
//!   previous hash and a canonical encoding of the event.
//! - **Personal data apart**: an email or an IP goes to `audit_event_pii`
//!   with a random salt; the chain covers only `SHA-256(salt ‖ data)`, so
//!   erasing the data later (R8.5) leaves every hash valid.
//! - **Insert-only**: `offplan_app` may insert and read, nothing else (R8.2).

pub mod log;
mod project;
mod registry;
pub mod verify;

pub use project::append_project_event;
pub(crate) use project::append_to_both;
pub use registry::{Action, ACTOR_ORG, OWNER_ORG};

use super::{tenant, Scope};
use crate::domain::{OrgId, ProjectId, UserId};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

/// Personal data that belongs with an event but outside its hash (R8.5).
#[derive(Clone, Debug, Default)]
pub struct Pii {
    pub ip: Option<String>,
    /// e.g. `{"email": "…"}`.
    pub data: serde_json::Value,
}

/// An event to append; its organisation is the chain it is appended to
/// (the scope's, for [`append`]).
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub actor: Option<UserId>,
    pub project: Option<ProjectId>,
    pub action: Action,
    pub target_type: Option<&'static str>,
    pub target_id: Option<String>,
    /// Non-personal details only, keys from the action's registry entry.
    pub metadata: serde_json::Value,
    pub pii: Option<Pii>,
}

impl NewEvent {
    /// An event with no target, metadata or personal data yet.
    pub fn new(actor: Option<UserId>, action: Action) -> Self {
        NewEvent {
            actor,
            project: None,
            action,
            target_type: None,
            target_id: None,
            metadata: serde_json::json!({}),
            pii: None,
        }
    }

    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target_type = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    /// The project the event is about (the project activity log, R8.1).
    pub fn project(mut self, project: ProjectId) -> Self {
        self.project = Some(project);
        self
    }

    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = metadata;
        self
    }

    pub fn pii(mut self, pii: Pii) -> Self {
        self.pii = Some(pii);
        self
    }

    /// The first metadata key neither the action's registry entry lists nor
    /// the cross-organisation keys allow here: [`ACTOR_ORG`] on an event
    /// carrying a project, [`OWNER_ORG`] on one about a project (target
    /// type `project`) carrying none (its twin in the partner's chain).
    pub fn unregistered_key(&self) -> Option<&str> {
        let allowed = self.action.metadata_keys();
        let Some(map) = self.metadata.as_object() else {
            return Some("(not an object)");
        };
        let cross_org = |k: &str| match k {
            ACTOR_ORG => self.project.is_some(),
            OWNER_ORG => self.project.is_none() && self.target_type == Some("project"),
            _ => false,
        };
        map.keys()
            .map(String::as_str)
            .find(|k| !allowed.contains(k) && !cross_org(k))
    }
}

/// The metadata carried a key its action's registry entry does not list.
#[derive(Debug, thiserror::Error)]
#[error("audit action {action} may not carry metadata key {key:?}")]
pub struct UnregisteredKey {
    pub action: &'static str,
    pub key: String,
}

pub(crate) const GENESIS: [u8; 32] = [0; 32];

/// The hashed part of an event, as stored. Verification rebuilds it from a
/// row (or an exported line) and must get the same bytes.
pub struct Hashed<'a> {
    pub org: Uuid,
    pub seq: i64,
    pub occurred_at: OffsetDateTime,
    pub actor: Option<Uuid>,
    pub project: Option<Uuid>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub metadata: &'a serde_json::Value,
    pub pii_digest: Option<&'a [u8]>,
}

/// SHA-256 over the previous hash and a canonical JSON array of the event's
/// fields in a fixed order. `serde_json` maps are sorted, so metadata
/// encodes the same way after a round trip through `jsonb`.
pub fn event_hash(prev: &[u8], event: &Hashed<'_>) -> [u8; 32] {
    let canonical = serde_json::json!([
        event.org.to_string(),
        event.seq,
        event.occurred_at.format(&Rfc3339).unwrap_or_default(),
        event.actor.map(|a| a.to_string()),
        event.project.map(|p| p.to_string()),
        event.action,
        event.target_type,
        event.target_id,
        event.metadata,
        event.pii_digest.map(|d| data_encoding::HEXLOWER.encode(d)),
    ])
    .to_string();
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(canonical.as_bytes());
    hasher.finalize().into()
}

/// `SHA-256(salt ‖ [ip, data])`: what the chain knows of the personal data.
pub fn pii_digest(salt: &[u8], ip: Option<&str>, data: &serde_json::Value) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(serde_json::json!([ip, data]).to_string().as_bytes());
    hasher.finalize().into()
}

/// The head of an organisation's chain, as locked by [`lock_head`].
struct Head {
    pub seq: i64,
    pub hash: Vec<u8>,
}

/// Locks `org`'s chain head (creating it on the first event) for the rest
/// of the caller's transaction: the lock every writer of this organisation
/// queues on, so the chain cannot fork. A transaction that touches several
/// chains must take them in `org_id` order ([`append_in_each_org_of`] does),
/// or two of them can each hold the head the other waits for (40P01).
async fn lock_head(conn: &mut PgConnection, org: OrgId) -> Result<Head, sqlx::Error> {
    let org = org.as_uuid();
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
    Ok(Head {
        seq: head.seq,
        hash: head.hash,
    })
}

/// Appends `event` to the chain of the scope's organisation, in the scope's
/// transaction. Returns the event's `seq`.
pub async fn append(scope: &mut Scope, event: &NewEvent) -> Result<i64, sqlx::Error> {
    let org = scope.membership().org_id();
    append_to(scope.conn(), org, event).await
}

/// Appends `event` to `org`'s chain inside the caller's transaction, which
/// must have set the tenant to `org` ([`tenant::set_tenant`]). For the
/// unscoped flows of this crate only; everything else goes through
/// [`append`]. Returns the event's `seq`.
pub(crate) async fn append_to(
    conn: &mut PgConnection,
    org: OrgId,
    event: &NewEvent,
) -> Result<i64, sqlx::Error> {
    if let Some(key) = event.unregistered_key() {
        return Err(sqlx::Error::Encode(Box::new(UnregisteredKey {
            action: event.action.as_str(),
            key: key.to_owned(),
        })));
    }
    let head = lock_head(conn, org).await?;
    let org = org.as_uuid();
    let seq = head.seq + 1;
    // Microseconds: what timestamptz keeps, so the hash can be recomputed.
    let now = OffsetDateTime::now_utc();
    let occurred_at = now
        .replace_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now);
    let salt: [u8; 16] = rand::random();
    let digest = event
        .pii
        .as_ref()
        .map(|p| pii_digest(&salt, p.ip.as_deref(), &p.data));
    let hash = event_hash(
        &head.hash,
        &Hashed {
            org,
            seq,
            occurred_at,
            actor: event.actor.map(|a| a.as_uuid()),
            project: event.project.map(|p| p.as_uuid()),
            action: event.action.as_str(),
            target_type: event.target_type,
            target_id: event.target_id.as_deref(),
            metadata: &event.metadata,
            pii_digest: digest.as_ref().map(|d| d.as_slice()),
        },
    );
    sqlx::query!(
        r#"
        insert into audit_events
            (org_id, seq, occurred_at, actor_user_id, project_id, action, target_type,
             target_id, metadata, pii_class, pii_digest, prev_hash, hash)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9,
                (case when $10::bytea is null then 'none' else 'personal' end)::pii_class,
                $10, $11, $12)
        "#,
        org,
        seq,
        occurred_at,
        event.actor.map(|a| a.as_uuid()),
        event.project.map(|p| p.as_uuid()),
        event.action.as_str(),
        event.target_type,
        event.target_id,
        event.metadata,
        digest.as_ref().map(|d| d.as_slice()),
        head.hash.as_slice(),
        hash.as_slice(),
    )
    .execute(&mut *conn)
    .await?;
    if let Some(pii) = &event.pii {
        sqlx::query!(
            "insert into audit_event_pii (org_id, seq, ip, data, salt)
             values ($1, $2, $3::text::inet, $4, $5)",
            org,
            seq,
            pii.ip.as_deref(),
            pii.data,
            salt.as_slice(),
        )
        .execute(&mut *conn)
        .await?;
    }
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

/// Appends one event to the chain of every organisation `user` is an
/// active member of (a sign-in, an operator's reset of their second
/// factor or lookup), in the caller's transaction. Sets the transaction's
/// tenant as it goes, so row-level security lets each step through.
/// Answers the organisations written to.
///
/// The chains are locked in `org_id` order: two sign-ins of people who
/// share organisations A and B would otherwise each hold one head and wait
/// for the other's (a deadlock, 40P01, one sign-in lost).
pub(crate) async fn append_in_each_org_of(
    conn: &mut PgConnection,
    user: UserId,
    event: &NewEvent,
) -> Result<Vec<OrgId>, sqlx::Error> {
    tenant::set_tenant(conn, None, Some(user)).await?;
    let orgs = sqlx::query_scalar!(
        "select org_id from memberships where user_id = $1 and status = 'active'",
        user.as_uuid()
    )
    .fetch_all(&mut *conn)
    .await?;
    let orgs: Vec<OrgId> = orgs.into_iter().map(OrgId::from_db).collect();
    append_in_order(conn, &orgs, Some(user), event).await?;
    Ok(orgs)
}

/// Appends `event` to each of `orgs`' chains, locking them in `org_id`
/// order whatever order they came in (see [`append_in_each_org_of`]); sets
/// the tenant (with `user`, if any) before each.
async fn append_in_order(
    conn: &mut PgConnection,
    orgs: &[OrgId],
    user: Option<UserId>,
    event: &NewEvent,
) -> Result<(), sqlx::Error> {
    for org in lock_order(orgs) {
        tenant::set_tenant(conn, Some(org), user).await?;
        append_to(conn, org, event).await?;
    }
    Ok(())
}

/// The order in which several chains are locked: by `org_id` (as Postgres
/// orders uuids: bytewise), each once.
pub fn lock_order(orgs: &[OrgId]) -> Vec<OrgId> {
    let mut sorted = orgs.to_vec();
    sorted.sort_by_key(|o| o.as_uuid());
    sorted.dedup();
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashed(metadata: &serde_json::Value, digest: Option<&[u8]>) -> [u8; 32] {
        event_hash(
            &GENESIS,
            &Hashed {
                org: Uuid::nil(),
                seq: 1,
                occurred_at: OffsetDateTime::UNIX_EPOCH,
                actor: None,
                project: None,
                action: "org.created",
                target_type: Some("organisation"),
                target_id: None,
                metadata,
                pii_digest: digest,
            },
        )
    }

    #[test]
    fn the_hash_covers_the_metadata_and_the_personal_data_digest() {
        let a = hashed(&serde_json::json!({"a": "1"}), None);
        let b = hashed(&serde_json::json!({"a": "2"}), None);
        let c = hashed(&serde_json::json!({"a": "1"}), Some(&[7; 32]));
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn metadata_key_order_does_not_change_the_hash() {
        let one: serde_json::Value = serde_json::from_str(r#"{"x":"1","y":"2"}"#).unwrap();
        let two: serde_json::Value = serde_json::from_str(r#"{"y":"2","x":"1"}"#).unwrap();
        assert_eq!(hashed(&one, None), hashed(&two, None));
    }

    #[test]
    fn the_personal_data_digest_depends_on_the_salt() {
        let data = serde_json::json!({"email": "ivan@example.com"});
        assert_ne!(
            pii_digest(&[1; 16], None, &data),
            pii_digest(&[2; 16], None, &data)
        );
        assert_ne!(
            pii_digest(&[1; 16], Some("192.0.2.1"), &data),
            pii_digest(&[1; 16], None, &data)
        );
    }
}
