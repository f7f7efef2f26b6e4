//! Checking a chain (SPEC R8.3): every `seq` follows the last without a gap,
//! every `prev_hash` is the previous event's `hash`, and every `hash` is
//! what the event's fields hash to. The first broken link is reported.
//!
//! The same check runs on the database (`offplan-server audit verify`) and
//! on an exported file (`audit export` then `audit verify --file`), so a
//! customer can check an export without trusting the server.
//!
//! On the database, every event's personal-data part (`audit_event_pii`) is
//! checked against the `pii_digest` the chain covers, so an edited email or
//! IP is named too; a part erased by pseudonymisation (R8.5) is counted as
//! erased, not as a break. An export carries no personal data (it may
//! leave the organisation), so its digests are reported as not checked.

use super::{event_hash, pii_digest, Hashed, GENESIS};
use crate::db::{admin::AdminDb, DbError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// One event as stored: the hashed fields and the two hashes. This is also
/// the line format of an export.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredEvent {
    pub org_id: Uuid,
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub actor_user_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub metadata: serde_json::Value,
    /// Hex.
    pub pii_digest: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Where a chain first goes wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub org_id: Uuid,
    pub seq: i64,
    pub reason: &'static str,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "organisation {} event {}: {}",
            self.org_id, self.seq, self.reason
        )
    }
}

/// Walks one organisation's events in `seq` order.
pub struct ChainCheck {
    org_id: Uuid,
    last_seq: i64,
    last_hash: Vec<u8>,
    pub checked: u64,
}

impl ChainCheck {
    pub fn new(org_id: Uuid) -> Self {
        ChainCheck {
            org_id,
            last_seq: 0,
            last_hash: GENESIS.to_vec(),
            checked: 0,
        }
    }

    pub fn push(&mut self, e: &StoredEvent) -> Result<(), Break> {
        let fail = |reason| Break {
            org_id: self.org_id,
            seq: e.seq,
            reason,
        };
        if e.org_id != self.org_id {
            return Err(fail("belongs to another organisation's chain"));
        }
        if e.seq != self.last_seq + 1 {
            return Err(fail("sequence gap: an event before it is missing"));
        }
        let hex = data_encoding::HEXLOWER;
        let prev = hex
            .decode(e.prev_hash.as_bytes())
            .map_err(|_| fail("prev_hash is not hex"))?;
        if prev != self.last_hash {
            return Err(fail("prev_hash does not match the previous event's hash"));
        }
        let digest = match &e.pii_digest {
            Some(d) => Some(
                hex.decode(d.as_bytes())
                    .map_err(|_| fail("pii_digest is not hex"))?,
            ),
            None => None,
        };
        let expected = event_hash(
            &prev,
            &Hashed {
                org: e.org_id,
                seq: e.seq,
                occurred_at: e.occurred_at,
                actor: e.actor_user_id,
                project: e.project_id,
                action: &e.action,
                target_type: e.target_type.as_deref(),
                target_id: e.target_id.as_deref(),
                metadata: &e.metadata,
                pii_digest: digest.as_deref(),
            },
        );
        let stored = hex
            .decode(e.hash.as_bytes())
            .map_err(|_| fail("hash is not hex"))?;
        if stored != expected {
            return Err(fail(
                "hash does not match the event's contents (edited after it was written)",
            ));
        }
        self.last_seq = e.seq;
        self.last_hash = stored;
        self.checked += 1;
        Ok(())
    }
}

/// What verifying one organisation found.
#[derive(Clone, Debug)]
pub struct OrgReport {
    pub org_id: Uuid,
    pub subdomain: String,
    pub checked: u64,
    pub broken: Option<Break>,
    /// Personal-data parts recomputed and found to match their digest.
    pub pii_checked: u64,
    /// Personal-data parts erased by pseudonymisation: nothing to recompute.
    pub pii_erased: u64,
    /// Digests with no personal data at hand (an export carries none).
    pub pii_unchecked: u64,
}

/// One event's personal-data part as stored.
struct StoredPii {
    seq: i64,
    ip: Option<String>,
    data: serde_json::Value,
    salt: Vec<u8>,
    erased: bool,
}

/// Counts of the personal-data check, per organisation.
#[derive(Default)]
struct PiiCounts {
    checked: u64,
    erased: u64,
}

/// Checks each event of `batch` that has a digest against its stored
/// personal data; the first mismatch (or a missing part) is the break.
fn check_pii(
    org_id: Uuid,
    batch: &[StoredEvent],
    pii: &[StoredPii],
    counts: &mut PiiCounts,
) -> Result<(), Break> {
    let hex = data_encoding::HEXLOWER;
    for e in batch {
        let Some(digest) = &e.pii_digest else {
            continue;
        };
        let fail = |reason| Break {
            org_id,
            seq: e.seq,
            reason,
        };
        // The parts are in seq order; not every event has one.
        let Ok(i) = pii.binary_search_by_key(&e.seq, |p| p.seq) else {
            return Err(fail(
                "its personal data is missing (the chain names a digest of it)",
            ));
        };
        let p = &pii[i];
        if p.erased {
            counts.erased += 1;
            continue;
        }
        let expected = pii_digest(&p.salt, p.ip.as_deref(), &p.data);
        let stored = hex
            .decode(digest.as_bytes())
            .map_err(|_| fail("pii_digest is not hex"))?;
        if stored != expected {
            return Err(fail(
                "personal data does not match its digest (edited after it was written)",
            ));
        }
        counts.checked += 1;
    }
    Ok(())
}

/// The personal-data parts of one organisation's events in `(after, upto]`.
async fn pii_between(
    db: &AdminDb,
    org: Uuid,
    after: i64,
    upto: i64,
) -> Result<Vec<StoredPii>, DbError> {
    Ok(sqlx::query!(
        r#"
        select seq, host(ip) as ip, data, salt, pseudonymised_at is not null as "erased!"
        from audit_event_pii
        where org_id = $1 and seq > $2 and seq <= $3
        order by seq
        "#,
        org,
        after,
        upto
    )
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| StoredPii {
        seq: r.seq,
        ip: r.ip,
        data: r.data,
        salt: r.salt,
        erased: r.erased,
    })
    .collect())
}

const BATCH: i64 = 20_000;

/// Reads one organisation's events after `after`, oldest first.
pub async fn events_after(
    db: &AdminDb,
    org: Uuid,
    after: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, DbError> {
    let rows = sqlx::query!(
        r#"
        select org_id, seq, occurred_at, actor_user_id, project_id, action, target_type,
               target_id, metadata, pii_digest, prev_hash, hash
        from audit_events
        where org_id = $1 and seq > $2
        order by seq
        limit $3
        "#,
        org,
        after,
        limit
    )
    .fetch_all(&db.pool)
    .await?;
    let hex = data_encoding::HEXLOWER;
    Ok(rows
        .into_iter()
        .map(|r| StoredEvent {
            org_id: r.org_id,
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor_user_id: r.actor_user_id,
            project_id: r.project_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            metadata: r.metadata,
            pii_digest: r.pii_digest.map(|d| hex.encode(&d)),
            prev_hash: hex.encode(&r.prev_hash),
            hash: hex.encode(&r.hash),
        })
        .collect())
}

/// The organisations to check: all, or the one with `subdomain`.
pub async fn orgs(db: &AdminDb, subdomain: Option<&str>) -> Result<Vec<(Uuid, String)>, DbError> {
    Ok(sqlx::query!(
        "select id, subdomain from organisations where $1::text is null or subdomain = $1 order by subdomain",
        subdomain
    )
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.subdomain))
    .collect())
}

/// Verifies each organisation's chain in the database, and that the chain's
/// head row agrees with its last event (so a deleted tail is noticed).
pub async fn verify_database(
    db: &AdminDb,
    subdomain: Option<&str>,
) -> Result<Vec<OrgReport>, DbError> {
    let mut reports = Vec::new();
    for (org_id, subdomain) in orgs(db, subdomain).await? {
        let mut check = ChainCheck::new(org_id);
        let mut broken = None;
        let mut after = 0;
        let mut pii = PiiCounts::default();
        'org: loop {
            let batch = events_after(db, org_id, after, BATCH).await?;
            let Some(last) = batch.last() else { break };
            let parts = pii_between(db, org_id, after, last.seq).await?;
            after = last.seq;
            for e in &batch {
                // Event by event, so the first problem of either kind is
                // the one named.
                let ok = check
                    .push(e)
                    .and_then(|()| check_pii(org_id, std::slice::from_ref(e), &parts, &mut pii));
                if let Err(b) = ok {
                    broken = Some(b);
                    break 'org;
                }
            }
        }
        if broken.is_none() {
            let head = sqlx::query!(
                "select seq, hash from audit_chain_heads where org_id = $1",
                org_id
            )
            .fetch_optional(&db.pool)
            .await?;
            let (head_seq, head_hash) = head
                .map(|h| (h.seq, h.hash))
                .unwrap_or((0, GENESIS.to_vec()));
            if head_seq != check.last_seq || head_hash != check.last_hash {
                broken = Some(Break {
                    org_id,
                    seq: check.last_seq + 1,
                    reason: "the chain's head names events that are missing",
                });
            }
        }
        reports.push(OrgReport {
            org_id,
            subdomain,
            checked: check.checked,
            broken,
            pii_checked: pii.checked,
            pii_erased: pii.erased,
            pii_unchecked: 0,
        });
    }
    Ok(reports)
}

/// Verifies an export: JSON lines of [`StoredEvent`], any organisations,
/// each in `seq` order. Needs nothing but the file. An export carries no
/// personal data, so its digests are counted as not checked.
pub fn verify_lines(lines: impl Iterator<Item = String>) -> Result<Vec<OrgReport>, String> {
    let mut reports: Vec<(ChainCheck, Option<Break>, u64)> = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let e: StoredEvent =
            serde_json::from_str(&line).map_err(|err| format!("line {}: {err}", n + 1))?;
        let i = match reports.iter().position(|(c, _, _)| c.org_id == e.org_id) {
            Some(i) => i,
            None => {
                reports.push((ChainCheck::new(e.org_id), None, 0));
                reports.len() - 1
            }
        };
        let (check, broken, unchecked) = &mut reports[i];
        if broken.is_none() {
            match check.push(&e) {
                Ok(()) => *unchecked += u64::from(e.pii_digest.is_some()),
                Err(b) => *broken = Some(b),
            }
        }
    }
    Ok(reports
        .into_iter()
        .map(|(c, broken, unchecked)| OrgReport {
            org_id: c.org_id,
            subdomain: String::new(),
            checked: c.checked,
            broken,
            pii_checked: 0,
            pii_erased: 0,
            pii_unchecked: unchecked,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEvent> {
        let org = Uuid::from_u128(7);
        let hex = data_encoding::HEXLOWER;
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|seq| {
                let metadata = serde_json::json!({"role": "admin"});
                let at = OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(seq);
                let hash = event_hash(
                    &prev,
                    &Hashed {
                        org,
                        seq,
                        occurred_at: at,
                        actor: None,
                        project: None,
                        action: "invitation.sent",
                        target_type: None,
                        target_id: None,
                        metadata: &metadata,
                        pii_digest: None,
                    },
                );
                let e = StoredEvent {
                    org_id: org,
                    seq,
                    occurred_at: at,
                    actor_user_id: None,
                    project_id: None,
                    action: "invitation.sent".into(),
                    target_type: None,
                    target_id: None,
                    metadata,
                    pii_digest: None,
                    prev_hash: hex.encode(&prev),
                    hash: hex.encode(&hash),
                };
                prev = hash.to_vec();
                e
            })
            .collect()
    }

    fn lines(events: &[StoredEvent]) -> impl Iterator<Item = String> + '_ {
        events.iter().map(|e| serde_json::to_string(e).unwrap())
    }

    #[test]
    fn a_clean_chain_verifies() {
        let events = chain(5);
        let report = verify_lines(lines(&events)).unwrap();
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].checked, 5);
        assert_eq!(report[0].broken, None);
    }

    #[test]
    fn an_edited_event_is_named() {
        let mut events = chain(5);
        events[2].metadata = serde_json::json!({"role": "owner"});
        let report = verify_lines(lines(&events)).unwrap();
        let broken = report[0].broken.clone().unwrap();
        assert_eq!(broken.seq, 3);
        assert!(broken.reason.contains("edited"));
    }

    #[test]
    fn a_removed_event_is_a_gap() {
        let mut events = chain(5);
        events.remove(1);
        let broken = verify_lines(lines(&events)).unwrap()[0]
            .broken
            .clone()
            .unwrap();
        assert_eq!(broken.seq, 3);
        assert!(broken.reason.contains("gap"));
    }

    #[test]
    fn a_replaced_hash_breaks_its_own_link() {
        let mut events = chain(4);
        events[1].hash = data_encoding::HEXLOWER.encode(&[9; 32]);
        let broken = verify_lines(lines(&events)).unwrap()[0]
            .broken
            .clone()
            .unwrap();
        assert_eq!(broken.seq, 2);
    }
}
