//! Walls 1 and 3 (DESIGN.md): what the database itself refuses, with two
//! organisations in every test. SPEC R2.3, R5.4, R8.2, R10.1, R10.3, R10.5.

use crate::common::*;
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
    // The seed's two clients of the studio (one has joined as Acme).
    assert_eq!(count(&mut tx, "clients").await, 2);
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

// ---- Issue 10: the runtime login role and narrower row-level security ----

/// The unit owner (Acme), its agency partner (Northstar) and its studio
/// partner (Lumen), with an Owner of each.
struct Three {
    acme: Uuid,
    northstar: Uuid,
    lumen: Uuid,
    ava: Uuid,
    omar: Uuid,
    luis: Uuid,
}

async fn three(db: &offplan::db::testing::TestDb) -> Three {
    Three {
        acme: org_uuid(db, "acme").await,
        northstar: org_uuid(db, "northstar").await,
        lumen: org_uuid(db, "lumen").await,
        ava: user_uuid(db, "ava@acme.example").await,
        omar: user_uuid(db, "omar@northstar.example").await,
        luis: user_uuid(db, "luis@lumen.example").await,
    }
}

async fn price_of(db: &offplan::db::testing::TestDb, code: &str) -> Option<i64> {
    sqlx::query_scalar("select price_minor from units where code = $1")
        .bind(code)
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

/// R10.3, R2.2, R6.1: a partner cannot reprice the owner's units even if
/// the code asks; a studio partner changes nothing at all.
#[tokio::test]
async fn as_offplan_app_a_partner_scope_cannot_change_the_price_of_the_owners_units() {
    let db = seeded_db().await.unwrap();
    let t = three(&db).await;
    let before = price_of(&db, "A-101").await;

    // The studio presents the units: its update matches nothing.
    let mut tx = app_tx(&db, t.lumen, t.luis).await;
    let changed = sqlx::query("update units set price_minor = 1")
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 0, "a studio partner repriced units");
    tx.commit().await.unwrap();

    // The agency holds A-101 (it may reserve it), but not its price: the
    // database refuses the statement.
    for statement in [
        "update units set price_minor = 1",
        "update units set price_minor = 1 where code = 'A-101'",
        "update units set code = 'Z-1', currency = 'USD' where code = 'A-101'",
    ] {
        let mut tx = app_tx(&db, t.northstar, t.omar).await;
        let err = sqlx::query(statement).execute(&mut *tx).await.unwrap_err();
        assert_eq!(sqlstate(&err), "42501", "{statement}: {err}");
    }
    assert_eq!(price_of(&db, "A-101").await, before);

    // The owner keeps full update.
    let mut tx = app_tx(&db, t.acme, t.ava).await;
    let changed = sqlx::query("update units set price_minor = 1 where code = 'A-101'")
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 1);
    tx.commit().await.unwrap();
    assert_eq!(price_of(&db, "A-101").await, Some(1));
}

/// R6.1-R6.3: what the allocation path needs still works for an agency
/// partner — reserve, release, hand a unit to one of its agents — and
/// nothing beyond it: no selling, no handing a unit outside the agency, no
/// touching units outside its pool.
#[tokio::test]
async fn an_agency_partner_may_reserve_release_and_allocate_inside_its_pool_only() {
    let db = seeded_db().await.unwrap();
    let t = three(&db).await;
    let rami = user_uuid(&db, "rami@northstar.example").await;
    let ella = user_uuid(&db, "ella@acme.example").await;

    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    for statement in [
        "update units set status = 'reserved', version = version + 1 where code = 'A-101'",
        "update units set status = 'available', version = version + 1 where code = 'A-101'",
    ] {
        let n = sqlx::query(statement)
            .execute(&mut *tx)
            .await
            .unwrap()
            .rows_affected();
        assert_eq!(n, 1, "{statement}");
    }
    // From the agency to its own agent.
    let n = sqlx::query(
        "update units set assigned_org_id = null, assigned_user_org_id = $1,
                          assigned_user_id = $2, version = version + 1
         where code = 'A-102'",
    )
    .bind(t.northstar)
    .bind(rami)
    .execute(&mut *tx)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(n, 1);
    // Acme's agent Ella holds A-304: outside Northstar's pool, untouched.
    let n = sqlx::query("update units set status = 'reserved' where code = 'A-304'")
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 0);
    tx.commit().await.unwrap();

    let refused = [
        (
            "update units set status = 'sold' where code = 'A-103'",
            None,
        ),
        (
            "update units set version = version - 1 where code = 'A-103'",
            None,
        ),
        // Handing a unit to the owner's agent leaves the agency's pool.
        (
            "update units set assigned_org_id = null, assigned_user_org_id = $1,
                              assigned_user_id = $2
             where code = 'A-103'",
            Some((t.acme, ella)),
        ),
    ];
    for (statement, binds) in refused {
        let mut tx = app_tx(&db, t.northstar, t.omar).await;
        let mut q = sqlx::query(statement);
        if let Some((a, b)) = binds {
            q = q.bind(a).bind(b);
        }
        let err = q.execute(&mut *tx).await.unwrap_err();
        assert_eq!(sqlstate(&err), "42501", "{statement}: {err}");
    }

    let (status, holder): (String, Option<Uuid>) =
        sqlx::query_as("select status::text, assigned_user_id from units where code = 'A-102'")
            .fetch_one(db.admin.pool_for_tests())
            .await
            .unwrap();
    assert_eq!((status.as_str(), holder), ("available", Some(rami)));
}

/// R10.3: the organisations table is per tenant; the public brand of every
/// organisation is a view with only public columns (R7.1, R7.2).
#[tokio::test]
async fn no_tenant_reads_another_tenants_external_customer_id_but_every_brand_resolves() {
    let db = seeded_db().await.unwrap();
    let t = three(&db).await;
    sqlx::query(
        "update organisations set payment_provider = 'stripe',
                external_customer_id = 'cus_' || subdomain",
    )
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();

    for (me, user, mine) in [
        (t.acme, t.ava, "cus_acme"),
        (t.northstar, t.omar, "cus_northstar"),
    ] {
        let mut tx = app_tx(&db, me, user).await;
        let visible: Vec<(Uuid, Option<String>)> =
            sqlx::query_as("select id, external_customer_id from organisations")
                .fetch_all(&mut *tx)
                .await
                .unwrap();
        assert_eq!(
            visible,
            vec![(me, Some(mine.to_owned()))],
            "sees only itself"
        );
        // The partner's row by id is simply not there.
        let other = if me == t.acme { t.northstar } else { t.acme };
        let leaked: Option<Option<String>> =
            sqlx::query_scalar("select external_customer_id from organisations where id = $1")
                .bind(other)
                .fetch_optional(&mut *tx)
                .await
                .unwrap();
        assert_eq!(leaked, None);
        // Every organisation's public brand, and nothing private.
        let brands: Vec<String> =
            sqlx::query_scalar("select subdomain from public_org_brands order by subdomain")
                .fetch_all(&mut *tx)
                .await
                .unwrap();
        assert_eq!(brands, ["acme", "lumen", "northstar"]);
        for private in [
            "external_customer_id",
            "plan",
            "owner_user_id",
            "referred_by_user_id",
        ] {
            let mut sp = sqlx::Connection::begin(&mut *tx).await.unwrap();
            let err = sqlx::query(&format!("select {private} from public_org_brands"))
                .execute(&mut *sp)
                .await
                .unwrap_err();
            assert_eq!(sqlstate(&err), "42703", "{private} is in the public view");
            sp.rollback().await.unwrap();
        }
        tx.rollback().await.unwrap();
    }

    // Before any tenant is known (host → brand), the repository resolves
    // every organisation through the view, and the table shows nothing.
    for sub in ["acme", "lumen", "northstar"] {
        let brand = db
            .app
            .org_brand_by_subdomain(&offplan::domain::Subdomain::parse(sub).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(brand.subdomain.as_str(), sub);
    }
    let mut conn = db.app.pool_for_tests().acquire().await.unwrap();
    assert_eq!(count(&mut conn, "organisations").await, 0);
}

/// R10.3, R8.2: the runtime connection logs in as offplan_app, so there is
/// no role to go back to: `reset role` changes nothing, `set role postgres`
/// is refused, RLS still confines and the audit log stays insert-only.
#[tokio::test]
async fn the_runtime_connection_cannot_reset_its_role_to_escape_the_walls() {
    let db = seeded_db().await.unwrap();
    let t = three(&db).await;
    let mut tx = db.app.pool_for_tests().begin().await.unwrap();
    sqlx::query("reset role").execute(&mut *tx).await.unwrap();
    let (current, session): (String, String) =
        sqlx::query_as("select current_user::text, session_user::text")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(
        (current.as_str(), session.as_str()),
        ("offplan_app", "offplan_app")
    );
    for escape in ["set role postgres", "set session authorization postgres"] {
        let mut sp = sqlx::Connection::begin(&mut *tx).await.unwrap();
        let err = sqlx::query(escape).execute(&mut *sp).await.unwrap_err();
        assert_eq!(sqlstate(&err), "42501", "{escape}: {err}");
        sp.rollback().await.unwrap();
    }
    set_tenant(&mut tx, t.lumen, t.luis).await;
    assert_eq!(count(&mut tx, "memberships").await, 2, "RLS still confines");
    assert_eq!(count(&mut tx, "clients").await, 2);
    let err = sqlx::query("update audit_events set action = 'member.removed'")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "42501");
}

/// R10.3, fail closed: the server refuses a runtime connection that could
/// step outside row-level security (here: the owner, a superuser).
#[tokio::test]
async fn the_server_refuses_to_run_on_a_connection_that_bypasses_the_walls() {
    let db = seeded_db().await.unwrap();
    let owner = offplan::db::DbSettings {
        url: db.settings.admin_url.clone().unwrap(),
        ..db.settings.clone()
    };
    match offplan::db::Db::connect(&owner).await {
        Err(offplan::db::DbError::Privileged { role, reasons }) => {
            assert_ne!(role, "offplan_app");
            assert!(
                reasons.contains("superuser") || reasons.contains("BYPASSRLS"),
                "{reasons}"
            );
        }
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("the owner was accepted as the runtime connection"),
    }
    // offplan_app itself passes.
    offplan::db::Db::connect(&db.settings).await.unwrap();
}

/// A Northstar buyer with a live link to Acme's A-101 and an active
/// reservation of A-102 (made by Northstar's agent Rami); the ids.
async fn northstar_buyer_link_and_reservation(
    db: &offplan::db::testing::TestDb,
) -> (Uuid, Uuid, Uuid) {
    let row: (Uuid, Uuid, Uuid) = sqlx::query_as(
        "with ns as (select id from organisations where subdomain = 'northstar'),
              rami as (select id from users where email = 'rami@northstar.example'),
              b as (insert into buyers (org_id, created_by_user_id, name)
                    select ns.id, rami.id, 'Bea Buyer' from ns, rami returning org_id, id),
              u1 as (select org_id, project_id, id from units where code = 'A-101'),
              u2 as (select org_id, project_id, id from units where code = 'A-102'),
              l as (insert into buyer_links (org_id, buyer_id, unit_org_id, project_id, unit_id,
                                             token_hash, created_by_user_id, expires_at)
                    select b.org_id, b.id, u1.org_id, u1.project_id, u1.id,
                           sha256('link-one'), rami.id, now() + interval '30 days'
                    from b, u1, rami returning id),
              r as (insert into reservations (org_id, project_id, unit_id, buyer_org_id, buyer_id,
                                              reserved_by_user_id)
                    select u2.org_id, u2.project_id, u2.id, b.org_id, b.id, rami.id
                    from b, u2, rami returning id)
         select b.id, l.id, r.id from b, l, r",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    row
}

/// R7.3: the unit's owner may revoke a partner's buyer link on its unit
/// (sold, reassigned) but never change its token or buyer; the issuer
/// cannot rewrite what a link is or un-revoke it.
#[tokio::test]
async fn buyer_links_change_only_in_the_directions_the_spec_gives() {
    let db = seeded_db().await.unwrap();
    let t = three(&db).await;
    let (_, link, _) = northstar_buyer_link_and_reservation(&db).await;

    for statement in [
        "update buyer_links set token_hash = sha256('mine now') where id = $1",
        "update buyer_links set expires_at = expires_at + interval '1 year' where id = $1",
        // Even together with a revocation.
        "update buyer_links set revoked_at = now(), revoke_reason = 'sold',
                                token_hash = sha256('mine now') where id = $1",
        "update buyer_links set revoked_at = now(), revoke_reason = 'manual' where id = $1",
    ] {
        let mut tx = app_tx(&db, t.acme, t.ava).await;
        let err = sqlx::query(statement)
            .bind(link)
            .execute(&mut *tx)
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), "42501", "owner: {statement}: {err}");
    }
    // The issuer cannot rewrite what a link is either.
    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    let err = sqlx::query("update buyer_links set token_hash = sha256('other') where id = $1")
        .bind(link)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "42501");
    tx.rollback().await.unwrap();

    // The owner revokes because it sold the unit.
    let mut tx = app_tx(&db, t.acme, t.ava).await;
    let n = sqlx::query(
        "update buyer_links set revoked_at = now(), revoke_reason = 'sold' where id = $1",
    )
    .bind(link)
    .execute(&mut *tx)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(n, 1);
    tx.commit().await.unwrap();
    // ...and the issuer cannot bring it back.
    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    let err =
        sqlx::query("update buyer_links set revoked_at = null, revoke_reason = null where id = $1")
            .bind(link)
            .execute(&mut *tx)
            .await
            .unwrap_err();
    assert_eq!(sqlstate(&err), "42501");
    // A studio partner sees no link at all.
    let mut tx = app_tx(&db, t.lumen, t.luis).await;
    assert_eq!(count(&mut tx, "buyer_links").await, 0);
}

/// R6.2, R2.2: the agency that made a reservation manages it; the owner
/// reads, cancels and converts it, but cannot make one for a partner's
/// buyer or rewrite its buyer or unit; the agency cannot convert it.
#[tokio::test]
async fn reservations_are_made_by_the_buyers_agency_and_cancelled_or_converted_by_the_owner() {
    let db = seeded_db().await.unwrap();
    let t = three(&db).await;
    let (buyer, _, reservation) = northstar_buyer_link_and_reservation(&db).await;
    let omar = t.omar;

    // The owner cannot reserve in the agency's name...
    let mut tx = app_tx(&db, t.acme, t.ava).await;
    let err = sqlx::query(
        "insert into reservations (org_id, project_id, unit_id, buyer_org_id, buyer_id,
                                   reserved_by_user_id)
         select org_id, project_id, id, $1, $2, $3 from units where code = 'A-103'",
    )
    .bind(t.northstar)
    .bind(buyer)
    .bind(omar)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert_eq!(sqlstate(&err), "42501", "{err}");
    tx.rollback().await.unwrap();
    // ...nor rewrite who the reservation is for.
    let mut tx = app_tx(&db, t.acme, t.ava).await;
    let err = sqlx::query("update reservations set reserved_by_user_id = $2 where id = $1")
        .bind(reservation)
        .bind(omar)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "42501", "{err}");
    tx.rollback().await.unwrap();

    // The agency reads it and cannot convert it (the sale is the owner's).
    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    assert_eq!(count(&mut tx, "reservations").await, 1);
    let err =
        sqlx::query("update reservations set status = 'converted', ended_at = now() where id = $1")
            .bind(reservation)
            .execute(&mut *tx)
            .await
            .unwrap_err();
    assert_eq!(sqlstate(&err), "42501", "{err}");
    tx.rollback().await.unwrap();
    // A studio partner neither sees nor makes reservations.
    let mut tx = app_tx(&db, t.lumen, t.luis).await;
    assert_eq!(count(&mut tx, "reservations").await, 0);
    tx.rollback().await.unwrap();

    // The owner cancels it; an ended reservation is history.
    let mut tx = app_tx(&db, t.acme, t.ava).await;
    let n =
        sqlx::query("update reservations set status = 'released', ended_at = now() where id = $1")
            .bind(reservation)
            .execute(&mut *tx)
            .await
            .unwrap()
            .rows_affected();
    assert_eq!(n, 1);
    tx.commit().await.unwrap();
    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    let err =
        sqlx::query("update reservations set status = 'active', ended_at = null where id = $1")
            .bind(reservation)
            .execute(&mut *tx)
            .await
            .unwrap_err();
    assert_eq!(sqlstate(&err), "42501", "{err}");
}

/// R5.4: the runtime role queues mail but cannot read it back; delivery
/// sees only due mail; the purge removes delivered bodies after the window
/// and undelivered ones once their links have expired.
#[tokio::test]
async fn the_runtime_role_queues_mail_but_cannot_read_it_and_the_purge_redacts_delivered_mail() {
    let db = seeded_db().await.unwrap();
    let pool = db.app.pool_for_tests();
    for (to, body) in [
        ("sent@x.example", "https://app/invite/live-token-1"),
        ("dead@x.example", "https://app/reset/expired-token-2"),
        ("fresh@x.example", "https://app/invite/live-token-3"),
    ] {
        sqlx::query("insert into outbox (to_email, subject, body_text) values ($1, 's', $2)")
            .bind(to)
            .bind(body)
            .execute(pool)
            .await
            .unwrap();
    }
    for statement in [
        "select body_text from outbox",
        "update outbox set sent_at = now()",
        "delete from outbox",
    ] {
        let err = sqlx::query(statement).execute(pool).await.unwrap_err();
        assert_eq!(sqlstate(&err), "42501", "{statement}: {err}");
    }
    // Development's page reads through the owner's connection only.
    assert!(matches!(
        db.app.outbox_recent(10).await,
        Err(offplan::db::DbError::NotInDevelopment)
    ));
    let dev = offplan::db::Db::connect(&db.settings)
        .await
        .unwrap()
        .with_dev_outbox(&db.settings)
        .await
        .unwrap();
    assert_eq!(dev.gate().outbox_recent(10).await.unwrap().len(), 3);

    // The reset link's lifetime is over and "fresh" is not due yet: only
    // "sent" is delivered.
    sqlx::query(
        "update outbox set links_expire_at = now() - interval '1 minute',
                           send_after = now() + interval '1 hour'
         where to_email = 'dead@x.example'",
    )
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    sqlx::query("update outbox set send_after = now() + interval '1 hour' where to_email = 'fresh@x.example'")
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    let mut seen = Vec::new();
    let sent = db
        .app
        .deliver_outbox(10, |m| {
            seen.push((m.to_email.clone(), m.body_text.clone()));
            async { Ok(()) }
        })
        .await
        .unwrap();
    assert_eq!(sent, 1);
    assert_eq!(
        seen,
        [(
            "sent@x.example".to_owned(),
            "https://app/invite/live-token-1".to_owned()
        )]
    );

    // Inside the window the delivered body stays; after it, it goes, and
    // so does the expired undelivered one; the fresh one stays.
    assert_eq!(
        db.app
            .purge_outbox(std::time::Duration::from_secs(600))
            .await
            .unwrap(),
        1,
        "only the expired undelivered mail"
    );
    assert_eq!(
        db.app
            .purge_outbox(std::time::Duration::ZERO)
            .await
            .unwrap(),
        1,
        "the delivered mail"
    );
    let bodies: Vec<(String, String)> =
        sqlx::query_as("select to_email::text, body_text from outbox order by to_email")
            .fetch_all(db.admin.pool_for_tests())
            .await
            .unwrap();
    assert_eq!(
        bodies,
        [
            (
                "dead@x.example".to_owned(),
                "[removed: never delivered, and its links have expired]".to_owned()
            ),
            (
                "fresh@x.example".to_owned(),
                "https://app/invite/live-token-3".to_owned()
            ),
            (
                "sent@x.example".to_owned(),
                "[removed after delivery]".to_owned()
            ),
        ]
    );
    // A redacted message is never delivered, even once due.
    sqlx::query("update outbox set send_after = now() - interval '1 minute'")
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    let mut seen = Vec::new();
    db.app
        .deliver_outbox(10, |m| {
            seen.push(m.to_email.clone());
            async { Ok(()) }
        })
        .await
        .unwrap();
    assert_eq!(seen, ["fresh@x.example"]);
}

/// R6.1: in open mode an agency partner may reserve an unassigned,
/// available unit — once its own reservation of it exists — and release
/// it again; in a closed pool the same unit is out of its reach.
#[tokio::test]
async fn in_open_mode_an_agency_reserves_an_unassigned_unit_through_its_reservation() {
    let db = seeded_db().await.unwrap();
    let t = three(&db).await;
    let (buyer, _, _) = northstar_buyer_link_and_reservation(&db).await;
    let rami = user_uuid(&db, "rami@northstar.example").await;
    let reserve =
        "update units set status = 'reserved', version = version + 1 where code = 'A-402'";

    // Closed pool (the default): A-402 is nobody's, so not the agency's.
    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    let n = sqlx::query(reserve)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 0);
    tx.rollback().await.unwrap();

    sqlx::query("update projects set stock_mode = 'open' where slug = 'marina-heights'")
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    // Open mode, but no reservation: marking it reserved is refused.
    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    let err = sqlx::query(reserve).execute(&mut *tx).await.unwrap_err();
    assert_eq!(sqlstate(&err), "42501", "{err}");
    tx.rollback().await.unwrap();

    // With the agency's reservation first, it goes through; so does the
    // release, and the unit is back in the open pool.
    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    sqlx::query(
        "insert into reservations (org_id, project_id, unit_id, buyer_org_id, buyer_id,
                                   reserved_by_user_id)
         select org_id, project_id, id, $1, $2, $3 from units where code = 'A-402'",
    )
    .bind(t.northstar)
    .bind(buyer)
    .bind(rami)
    .execute(&mut *tx)
    .await
    .unwrap();
    let n = sqlx::query(reserve)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 1);
    tx.commit().await.unwrap();

    let mut tx = app_tx(&db, t.northstar, t.omar).await;
    let n = sqlx::query(
        "update units set status = 'available', version = version + 1 where code = 'A-402'",
    )
    .execute(&mut *tx)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(n, 1);
    tx.commit().await.unwrap();

    // The studio still changes nothing, open mode or not.
    let mut tx = app_tx(&db, t.lumen, t.luis).await;
    let n = sqlx::query(reserve)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 0);
}
