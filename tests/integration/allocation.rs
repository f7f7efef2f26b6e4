//! Reserving and releasing units (SPEC R6.1–R6.3, R1.9, R8.1; issue 14
//! items 2 and 3): one winner however many race, a lock held elsewhere or
//! a stale version is the typed stock conflict (never an error), an
//! idempotency key acts once, and who may reserve or release what.
//!
//! Three organisations: Acme Homes owns Marina Heights; Northstar Realty
//! is its agency partner (Omar the Owner, Priya a Sales Manager, Rami and
//! Sara Sales Agents; in the closed pool Northstar holds A-101 … A-204);
//! Lumen Studio its studio partner (Luis the Owner). Vega Estates, made
//! here, has no part in the project.

use crate::common::*;
use offplan::{
    db::{
        idempotency::IdempotencyKey,
        testing::{seeded_db, TestDb},
        units::{reserve, UnitStatus},
        RepoError,
    },
    domain::{BuyerFields, BuyerId, OrgId, OverrideReason, ProjectId, UserId},
    error::Conflict,
};
use std::time::{Duration, Instant};

struct World {
    db: TestDb,
    northstar: OrgId,
    priya: UserId,
    rami: UserId,
    sara: UserId,
    project: ProjectId,
}

async fn world() -> World {
    let db = seeded_db().await.unwrap();
    let northstar = org(&db, "northstar").await;
    accept_terms(&db, northstar, user(&db, "omar@northstar.example").await).await;
    World {
        northstar,
        priya: user(&db, "priya@northstar.example").await,
        rami: user(&db, "rami@northstar.example").await,
        sara: user(&db, "sara@northstar.example").await,
        project: marina(&db).await,
        db,
    }
}

/// A buyer recorded by `who`.
async fn buyer(db: &TestDb, org: OrgId, who: UserId, name: &str) -> BuyerId {
    record_buyer(
        db,
        org,
        who,
        &BuyerFields::parse(name, "", "", "", false).unwrap(),
    )
    .await
}

fn key(n: usize) -> IdempotencyKey {
    IdempotencyKey::parse(&format!("test-key-{n:06}-{}", uuid::Uuid::new_v4())).unwrap()
}

async fn reserve_once(
    w: &World,
    who: UserId,
    buyer: BuyerId,
    unit: offplan::domain::UnitId,
    version: i64,
    key: &IdempotencyKey,
) -> Result<offplan::db::units::Unit, RepoError> {
    let mut s = scope(&w.db, w.northstar, who).await;
    let r = reserve::reserve(&mut s, w.project, unit, buyer, version, key).await;
    if r.is_ok() {
        s.commit().await?;
    }
    r
}

async fn count(db: &TestDb, sql: &str, unit: offplan::domain::UnitId) -> i64 {
    sqlx::query_scalar(sql)
        .bind(unit.as_uuid())
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

const RESERVED_EVENTS: &str = "select count(*) from audit_events
     where action = 'unit.reserved' and target_id = $1::uuid::text";
const ACTIVE: &str = "select count(*) from reservations where unit_id = $1 and status = 'active'";

/// R6.3, the test: 200 concurrent reservations of one unit by three
/// people → exactly one reservation, one audit event, and 199 typed
/// conflicts that name the winner; nothing else.
#[tokio::test]
async fn two_hundred_racing_reservations_make_one_winner_and_199_conflicts_naming_it() {
    let w = world().await;
    let a101 = unit(&w.db, "A-101").await;
    let v = version(&w.db, a101).await;
    let people = [
        (
            w.priya,
            buyer(&w.db, w.northstar, w.priya, "Pia Buyer").await,
            "Priya Nair",
        ),
        (
            w.rami,
            buyer(&w.db, w.northstar, w.rami, "Ravi Buyer").await,
            "Rami Aziz",
        ),
        (
            w.sara,
            buyer(&w.db, w.northstar, w.sara, "Sami Buyer").await,
            "Sara Khan",
        ),
    ];
    let w = std::sync::Arc::new(w);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let w = w.clone();
        let (who, b, _) = people[i % 3];
        tasks.push(tokio::spawn(async move {
            (who, reserve_once(&w, who, b, a101, v, &key(i)).await)
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = Vec::new();
    let mut other = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (who, Ok(u)) => winners.push((who, u)),
            (
                _,
                Err(RepoError::Conflict(Conflict::UnitHeld {
                    holder, version, ..
                })),
            ) => conflicts.push((holder, version)),
            (_, Err(e)) => other.push(e.to_string()),
        }
    }
    assert_eq!(winners.len(), 1, "winners; other errors: {other:?}");
    assert_eq!(conflicts.len(), 199);
    assert!(other.is_empty(), "{other:?}");
    let (winner, u) = &winners[0];
    assert_eq!(u.status, UnitStatus::Reserved);
    assert_eq!(u.version, v + 1);
    let name = people.iter().find(|p| p.0 == *winner).unwrap().2;
    assert!(
        conflicts
            .iter()
            .all(|(holder, version)| holder == name && *version == v + 1),
        "every conflict names {name} at version {}: {:?}",
        v + 1,
        &conflicts[..3]
    );
    assert_eq!(count(&w.db, ACTIVE, a101).await, 1);
    assert_eq!(count(&w.db, RESERVED_EVENTS, a101).await, 1);
}

/// R6.3: a row lock held elsewhere for 2 s is a conflict after the 500 ms
/// lock timeout — not an error, and not a 2 s wait.
#[tokio::test]
async fn a_lock_held_elsewhere_is_a_conflict_within_about_500_ms() {
    let w = world().await;
    let a102 = unit(&w.db, "A-102").await;
    let v = version(&w.db, a102).await;
    let b = buyer(&w.db, w.northstar, w.rami, "Ravi Buyer").await;
    let mut holder = w.db.admin.pool_for_tests().begin().await.unwrap();
    sqlx::query("select 1 from units where id = $1 for update")
        .bind(a102.as_uuid())
        .execute(&mut *holder)
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(2)).await;
        holder.rollback().await.unwrap();
    });
    let started = Instant::now();
    let r = reserve_once(&w, w.rami, b, a102, v, &key(1)).await;
    let took = started.elapsed();
    assert!(
        matches!(r, Err(RepoError::Conflict(Conflict::UnitHeld { .. }))),
        "{r:?}"
    );
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    release.await.unwrap();
    // Once the lock is gone the same version reserves.
    let u = reserve_once(&w, w.rami, b, a102, v, &key(2)).await.unwrap();
    assert_eq!(u.status, UnitStatus::Reserved);
}

/// R6.3: a version that is no longer the one the person saw is the
/// conflict, with the version to refresh to; nothing is written.
#[tokio::test]
async fn a_stale_version_is_a_conflict_that_says_the_current_version() {
    let w = world().await;
    let a103 = unit(&w.db, "A-103").await;
    let v = version(&w.db, a103).await;
    let b = buyer(&w.db, w.northstar, w.sara, "Sami Buyer").await;
    let r = reserve_once(&w, w.sara, b, a103, v - 1, &key(1)).await;
    assert!(
        matches!(&r, Err(RepoError::Conflict(Conflict::UnitHeld { version, .. })) if *version == v),
        "{r:?}"
    );
    assert_eq!(count(&w.db, ACTIVE, a103).await, 0);
}

/// Issue 14 item 2: the same request sent twice with one key — one after
/// the other, and two at once — acts once and answers the same each time.
#[tokio::test]
async fn one_idempotency_key_acts_once_and_answers_the_same_each_time() {
    let w = world().await;
    let a104 = unit(&w.db, "A-104").await;
    let v = version(&w.db, a104).await;
    let b = buyer(&w.db, w.northstar, w.rami, "Ravi Buyer").await;
    let k = key(7);
    let w = std::sync::Arc::new(w);
    let (first, second) = {
        let (w1, w2, k1, k2) = (w.clone(), w.clone(), k.clone(), k.clone());
        tokio::join!(
            tokio::spawn(async move { reserve_once(&w1, w1.rami, b, a104, v, &k1).await }),
            tokio::spawn(async move { reserve_once(&w2, w2.rami, b, a104, v, &k2).await }),
        )
    };
    let (first, second) = (first.unwrap().unwrap(), second.unwrap().unwrap());
    assert_eq!(first, second);
    let third = reserve_once(&w, w.rami, b, a104, v, &k).await.unwrap();
    assert_eq!(third, first);
    assert_eq!(count(&w.db, ACTIVE, a104).await, 1);
    assert_eq!(count(&w.db, RESERVED_EVENTS, a104).await, 1);
    // The key with another request is refused, not replayed.
    let other = buyer(&w.db, w.northstar, w.rami, "Other Buyer").await;
    let r = reserve_once(&w, w.rami, other, a104, v, &k).await;
    assert!(
        matches!(r, Err(RepoError::Conflict(Conflict::IdempotencyKeyReused))),
        "{r:?}"
    );
}

/// R6.1, R2.2: a studio partner sees the units and reserves none (403); an
/// agency with no part in the project finds nothing (404); an agent
/// reserves only in their pool (a unit held by Acme's own agent is 404),
/// and only for their own buyers.
#[tokio::test]
async fn a_studio_may_not_reserve_a_stranger_finds_nothing_and_agents_keep_to_their_pool() {
    let w = world().await;
    let a101 = unit(&w.db, "A-101").await;
    let v = version(&w.db, a101).await;
    let b = buyer(&w.db, w.northstar, w.rami, "Ravi Buyer").await;

    let lumen = org(&w.db, "lumen").await;
    let luis = user(&w.db, "luis@lumen.example").await;
    let mut s = scope(&w.db, lumen, luis).await;
    let r = reserve::reserve(&mut s, w.project, a101, b, v, &key(1)).await;
    assert!(matches!(r, Err(RepoError::Forbidden(_))), "{r:?}");
    drop(s);

    let (vega, vik) = unrelated_org(&w.db).await;
    let mut s = scope(&w.db, vega, vik).await;
    let r = reserve::reserve(&mut s, w.project, a101, b, v, &key(2)).await;
    assert!(matches!(r, Err(RepoError::NotFound)), "{r:?}");
    drop(s);

    // A-401 is Ella's (Acme's own agent): outside Northstar's pool.
    let a401 = unit(&w.db, "A-401").await;
    let r = reserve_once(&w, w.rami, b, a401, version(&w.db, a401).await, &key(3)).await;
    assert!(matches!(r, Err(RepoError::NotFound)), "{r:?}");
    // A colleague's buyer is not Rami's to reserve for: his own
    // organisation's, so a 403 (R2.5), as buyers::get answers it.
    let saras = buyer(&w.db, w.northstar, w.sara, "Sami Buyer").await;
    let r = reserve_once(&w, w.rami, saras, a101, v, &key(4)).await;
    assert!(matches!(r, Err(RepoError::Forbidden(_))), "{r:?}");
    assert_eq!(count(&w.db, ACTIVE, a101).await, 0);
}

/// Releasing: an agent their own reservation, not a colleague's (the
/// conflict says there is none of theirs); the agency's manager any of the
/// agency's. Each release is audited and moves the version on.
#[tokio::test]
async fn an_agent_releases_their_own_reservation_and_a_manager_any_of_the_agencys() {
    let w = world().await;
    let a201 = unit(&w.db, "A-201").await;
    let v = version(&w.db, a201).await;
    let b = buyer(&w.db, w.northstar, w.rami, "Ravi Buyer").await;
    let u = reserve_once(&w, w.rami, b, a201, v, &key(1)).await.unwrap();

    let mut s = scope(&w.db, w.northstar, w.sara).await;
    let r = reserve::release(&mut s, w.project, a201, u.version, &key(2)).await;
    assert!(
        matches!(r, Err(RepoError::Conflict(Conflict::NotReserved))),
        "{r:?}"
    );
    drop(s);

    let mut s = scope(&w.db, w.northstar, w.priya).await;
    let released = reserve::release(&mut s, w.project, a201, u.version, &key(3))
        .await
        .unwrap();
    s.commit().await.unwrap();
    assert_eq!(released.status, UnitStatus::Available);
    assert_eq!(released.version, u.version + 1);
    assert_eq!(count(&w.db, ACTIVE, a201).await, 0);
    assert_eq!(
        count(
            &w.db,
            "select count(*) from audit_events where action = 'unit.released' and target_id = $1::uuid::text",
            a201
        )
        .await,
        1
    );
}

/// R6.3, the test: a manager's override from the conflict modal is
/// audited with its reason (kept in the event's personal-data part, so the
/// chain holds only its digest); an agent may not override, and a partner
/// agency's manager may override only its own agency's reservations.
#[tokio::test]
async fn an_override_is_a_managers_audited_with_its_reason() {
    let w = world().await;
    let a202 = unit(&w.db, "A-202").await;
    let v = version(&w.db, a202).await;
    let b = buyer(&w.db, w.northstar, w.rami, "Olga Buyer").await;
    let u = reserve_once(&w, w.rami, b, a202, v, &key(1)).await.unwrap();
    let reason = OverrideReason::parse("Buyer withdrew by phone").unwrap();

    // Sara is an agent: the role may not override.
    let mut s = scope(&w.db, w.northstar, w.sara).await;
    let r =
        reserve::override_reservation(&mut s, w.project, a202, u.version, &reason, &key(2)).await;
    assert!(matches!(r, Err(RepoError::Forbidden(_))), "{r:?}");
    drop(s);

    // Priya manages Northstar: she ends Rami's reservation, saying why.
    let mut s = scope(&w.db, w.northstar, w.priya).await;
    let done = reserve::override_reservation(&mut s, w.project, a202, u.version, &reason, &key(3))
        .await
        .unwrap();
    s.commit().await.unwrap();
    assert_eq!(done.status, UnitStatus::Available);
    assert_eq!(done.version, u.version + 1);
    assert_eq!(count(&w.db, ACTIVE, a202).await, 0);
    let (by, reserved_by, said): (uuid::Uuid, String, String) = sqlx::query_as(
        "select e.actor_user_id, e.metadata->>'reserved_by', p.data->>'reason'
         from audit_events e
         join audit_event_pii p on p.org_id = e.org_id and p.seq = e.seq
         where e.action = 'unit.reservation_overridden' and e.target_id = $1::uuid::text",
    )
    .bind(a202.as_uuid())
    .fetch_one(w.db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(by, w.priya.as_uuid());
    assert_eq!(reserved_by, w.rami.to_string());
    assert_eq!(said, "Buyer withdrew by phone");

    // Acme's Sales Manager (the owner's) overrides any agency's reservation;
    // a stale version is the stock conflict, not an override.
    let acme = org(&w.db, "acme").await;
    let chloe = user(&w.db, "chloe@acme.example").await;
    let again = reserve_once(&w, w.rami, b, a202, done.version, &key(4))
        .await
        .unwrap();
    let mut s = scope(&w.db, acme, chloe).await;
    let r = reserve::override_reservation(&mut s, w.project, a202, done.version, &reason, &key(5))
        .await;
    assert!(
        matches!(r, Err(RepoError::Conflict(Conflict::UnitHeld { .. }))),
        "{r:?}"
    );
    drop(s);
    let mut s = scope(&w.db, acme, chloe).await;
    reserve::override_reservation(&mut s, w.project, a202, again.version, &reason, &key(6))
        .await
        .unwrap();
    s.commit().await.unwrap();
    assert_eq!(count(&w.db, ACTIVE, a202).await, 0);
}
