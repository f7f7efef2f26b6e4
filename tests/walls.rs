//! Walls 1 and 3 (DESIGN.md): what the database itself refuses, with two
//! organisations in every test. SPEC R2.3, R5.4, R8.2, R10.1, R10.3, R10.5.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failed assertion"
)]

mod common;

use common::*;
use offplan::db::testing::seeded_db;
use uuid::Uuid;

async fn count(tx: &mut sqlx::PgConnection, table: &str) -> i64 {
    // Test-only: table names from this file.
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(tx)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_unfiltered_query_as_the_runtime_role_sees_only_the_current_tenant() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org_uuid(&db, "acme").await, org_uuid(&db, "lumen").await);
    let (ava, luis) = (
        user_uuid(&db, "ava@acme.example").await,
        user_uuid(&db, "luis@lumen.example").await,
    );

    let mut tx = app_tx(&db, acme, ava).await;
    assert_eq!(
        count(&mut tx, "clients").await,
        0,
        "Acme sees Lumen's client"
    );
    assert_eq!(count(&mut tx, "memberships").await, 5);
    assert_eq!(count(&mut tx, "units").await, 40);
    tx.rollback().await.unwrap();

    let mut tx = app_tx(&db, lumen, luis).await;
    assert_eq!(count(&mut tx, "clients").await, 1);
    assert_eq!(count(&mut tx, "memberships").await, 2);
    // R1.7: the studio partner sees the partnered project and its units...
    assert_eq!(count(&mut tx, "projects").await, 1);
    assert_eq!(count(&mut tx, "units").await, 40);
    // ...but cannot change them: the update matches nothing it may write.
    let changed = sqlx::query("update projects set name = 'Mine now'")
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 0);
    tx.rollback().await.unwrap();

    // An organisation with no relation sees nothing at all.
    let (zenith, zoe) = unrelated_org(&db).await;
    let mut tx = app_tx(&db, zenith.as_uuid(), zoe.as_uuid()).await;
    for table in [
        "clients",
        "projects",
        "units",
        "project_partners",
        "buyers",
        "invitations",
    ] {
        assert_eq!(count(&mut tx, table).await, 0, "{table}");
    }
    tx.rollback().await.unwrap();

    // No tenant set: nothing.
    let mut conn = db.app.pool_for_tests().acquire().await.unwrap();
    assert_eq!(count(&mut conn, "units").await, 0);
    assert_eq!(count(&mut conn, "memberships").await, 0);
}

#[tokio::test]
async fn the_runtime_role_has_no_privileged_attribute() {
    let db = seeded_db().await.unwrap();
    let (who, sup, bypass): (String, bool, bool) = sqlx::query_as(
        "select current_user::text, rolsuper, rolbypassrls from pg_roles where rolname = current_user",
    )
    .fetch_one(db.app.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(who, "offplan_app");
    assert!(!sup && !bypass);
    let owns: i64 = sqlx::query_scalar(
        "select count(*) from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = 'offplan_app'",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(owns, 0, "offplan_app owns nothing");
}

#[tokio::test]
async fn the_runtime_role_may_append_audit_events_but_never_change_them() {
    let db = seeded_db().await.unwrap();
    let (acme, ava) = (
        org_uuid(&db, "acme").await,
        user_uuid(&db, "ava@acme.example").await,
    );
    let mut tx = app_tx(&db, acme, ava).await;
    sqlx::query(
        "insert into audit_events (org_id, seq, actor_user_id, action, prev_hash, hash)
         values ($1, 1, $2, 'member.role_changed', $3, $3)",
    )
    .bind(acme)
    .bind(ava)
    .bind(vec![0u8; 32])
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    for statement in [
        "update audit_events set action = 'member.removed'",
        "delete from audit_events",
        "truncate audit_events",
    ] {
        let mut tx = app_tx(&db, acme, ava).await;
        let err = sqlx::query(statement).execute(&mut *tx).await.unwrap_err();
        assert_eq!(
            sqlstate(&err),
            "42501",
            "{statement} was not refused: {err}"
        );
    }
    // And another tenant cannot even read it.
    let (lumen, luis) = (
        org_uuid(&db, "lumen").await,
        user_uuid(&db, "luis@lumen.example").await,
    );
    let mut tx = app_tx(&db, lumen, luis).await;
    assert_eq!(count(&mut tx, "audit_events").await, 0);
}

#[tokio::test]
async fn a_unit_cannot_point_at_another_tenants_project_or_a_non_partner_agency() {
    let db = seeded_db().await.unwrap();
    let pool = db.admin.pool_for_tests();
    let lumen = org_uuid(&db, "lumen").await;
    let (zenith, _) = unrelated_org(&db).await;
    let project: Uuid = sqlx::query_scalar("select id from projects where slug = 'marina-heights'")
        .fetch_one(pool)
        .await
        .unwrap();
    // Even as the owner (no RLS), the composite keys refuse it (R10.1).
    let err = sqlx::query("insert into units (org_id, project_id, code) values ($1, $2, 'X-1')")
        .bind(lumen)
        .bind(project)
        .execute(pool)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "23503");
    let err = sqlx::query(
        "update units set assigned_org_id = $1, assigned_at = now() where code = 'A-402'",
    )
    .bind(zenith.as_uuid())
    .execute(pool)
    .await
    .unwrap_err();
    assert_eq!(
        sqlstate(&err),
        "23503",
        "assigned to an agency that is not a partner"
    );
    let err = sqlx::query(
        "update units set assigned_org_id = $1, assigned_user_org_id = $1,
                          assigned_user_id = (select id from users where email = 'rami@northstar.example'),
                          assigned_at = now()
         where code = 'A-402'",
    )
    .bind(org_uuid(&db, "northstar").await)
    .execute(pool)
    .await
    .unwrap_err();
    assert_eq!(sqlstate(&err), "23514", "two assignees at once");
}

/// R2.3: whatever mix of demote, remove and leave races, the organisation
/// always has exactly one Owner. Every racer that fails must fail on the
/// owner key (23503), the one-owner index (23505) or a deadlock (40P01) —
/// never for an unrelated reason that would make this test pass vacuously.
#[tokio::test]
async fn twenty_parallel_attempts_to_demote_remove_or_leave_the_owner_never_leave_zero_owners() {
    let db = seeded_db().await.unwrap();
    let acme = org_uuid(&db, "acme").await;
    let (ava, ben) = (
        user_uuid(&db, "ava@acme.example").await,
        user_uuid(&db, "ben@acme.example").await,
    );
    let mut tasks = Vec::new();
    for i in 0..20 {
        // The "leave / account deleted" racers run as the owner role: the
        // runtime role cannot delete memberships at all, and even a
        // superuser must not be able to leave zero Owners.
        let pool = if i % 5 == 3 {
            db.admin.pool_for_tests().clone()
        } else {
            db.app.pool_for_tests().clone()
        };
        tasks.push(tokio::spawn(async move {
            let mut tx = pool.begin().await.unwrap();
            set_tenant(&mut tx, acme, ava).await;
            let statements: Vec<(&str, Vec<Uuid>)> = match i % 5 {
                // A proper transfer to Ben: both memberships and the pointer.
                0 => vec![
                    ("update memberships set role = 'admin' where org_id = $1 and role = 'owner'", vec![acme]),
                    ("update memberships set role = 'owner' where org_id = $1 and user_id = $2", vec![acme, ben]),
                    ("update organisations set owner_user_id = $2 where id = $1", vec![acme, ben]),
                ],
                // Demote whoever is Owner.
                1 => vec![("update memberships set role = 'admin' where org_id = $1 and role = 'owner'", vec![acme])],
                // Remove whoever is Owner.
                2 => vec![(
                    "update memberships set status = 'removed', removed_at = now(), removed_by_user_id = $2
                     where org_id = $1 and role = 'owner'",
                    vec![acme, ben],
                )],
                // The Owner leaves (or the account goes).
                3 => vec![("delete from memberships where org_id = $1 and role = 'owner'", vec![acme])],
                // Promote someone else without moving the pointer.
                _ => vec![
                    ("update memberships set role = 'admin' where org_id = $1 and role = 'owner'", vec![acme]),
                    (
                        "update memberships set role = 'owner' where org_id = $1 and user_id = $2 and role <> 'owner'",
                        vec![acme, if i % 2 == 0 { ben } else { ava }],
                    ),
                ],
            };
            for (sql, params) in statements {
                let mut q = sqlx::query(sql);
                for p in params {
                    q = q.bind(p);
                }
                if let Err(e) = q.execute(&mut *tx).await {
                    return Err(sqlstate(&e));
                }
            }
            tx.commit().await.map_err(|e| sqlstate(&e))
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        if let Err(code) = t.await.unwrap() {
            failures.push(code);
        }
    }
    assert!(
        failures
            .iter()
            .all(|c| ["23503", "23505", "40P01"].contains(&c.as_str())),
        "unexpected failures: {failures:?}"
    );
    // Racers that waited on the Owner's row re-check `role = 'owner'` after
    // a transfer and update nothing (a harmless commit); the ones that did
    // try to leave zero Owners were stopped by the owner key.
    assert!(
        failures.iter().any(|c| c == "23503"),
        "the owner key refused nobody: {failures:?}"
    );

    let pool = db.admin.pool_for_tests();
    let owners: Vec<Uuid> = sqlx::query_scalar(
        "select user_id from memberships where org_id = $1 and role = 'owner' and status = 'active'",
    )
    .bind(acme)
    .fetch_all(pool)
    .await
    .unwrap();
    let pointer: Uuid = sqlx::query_scalar("select owner_user_id from organisations where id = $1")
        .bind(acme)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(owners.len(), 1, "exactly one Owner");
    assert_eq!(owners[0], pointer, "the organisation names its Owner");
}

/// R5.4: at most one pending invitation per (organisation, email), by a
/// partial unique index, not check-then-insert.
#[tokio::test]
async fn fifty_parallel_pending_invitations_for_one_email_leave_one() {
    let db = seeded_db().await.unwrap();
    let acme = org_uuid(&db, "acme").await;
    let ben = user_uuid(&db, "ben@acme.example").await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let pool = db.app.pool_for_tests().clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = pool.begin().await.unwrap();
            set_tenant(&mut tx, acme, ben).await;
            let token: Vec<u8> = Uuid::new_v4().as_bytes().repeat(2);
            let result = sqlx::query(
                "insert into invitations (org_id, kind, email, role, token_hash, invited_by_user_id, expires_at)
                 values ($1, 'personal', 'New.Person@Example.com', 'sales_agent', $2, $3, now() + interval '7 days')",
            )
            .bind(acme)
            .bind(token)
            .bind(ben)
            .execute(&mut *tx)
            .await;
            match result {
                Ok(_) => tx.commit().await.map(|_| true).map_err(|e| sqlstate(&e)),
                Err(e) => Err(sqlstate(&e)),
            }
        }));
    }
    let (mut ok, mut dup) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(code) if code == "23505" => dup += 1,
            Err(code) => panic!("unexpected SQLSTATE {code}"),
        }
    }
    assert_eq!((ok, dup), (1, 49));
    // Case-insensitively one (R5.6).
    let pending: i64 = sqlx::query_scalar(
        "select count(*) from invitations where org_id = $1 and email = 'new.person@example.com' and status = 'pending'",
    )
    .bind(acme)
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(pending, 1);
}

#[tokio::test]
async fn the_integrity_scan_is_clean_on_the_demo_data_and_finds_a_missing_wall() {
    let db = seeded_db().await.unwrap();
    assert_eq!(db.admin.integrity_scan().await.unwrap(), vec![]);

    sqlx::query("alter table clients no force row level security")
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    let findings = db.admin.integrity_scan().await.unwrap();
    assert_eq!(findings.len(), 1);
    assert!(findings[0].detail.contains("clients"), "{findings:?}");
}
