//! Wall 2 (DESIGN.md): the scoped repository. For every function over
//! tenant data, another tenant's id is `NotFound` and a role without the
//! permission is `Forbidden` (SPEC R2.4, R2.5); two organisations in each
//! test. Where every role holds a function's permission (view team, view
//! units, list projects) there is no `Forbidden` case to test.

use crate::common::*;
use offplan::{
    db::{clients, projects, team, testing::seeded_db, units, RepoError},
    domain::{ClientId, UnitId},
    policy::{Permission, Role},
};

fn is_not_found<T: std::fmt::Debug>(r: Result<T, RepoError>) -> bool {
    matches!(r, Err(RepoError::NotFound))
}

fn is_forbidden<T: std::fmt::Debug>(r: Result<T, RepoError>) -> bool {
    matches!(r, Err(RepoError::Forbidden(_)))
}

async fn unit_id(db: &offplan::db::testing::TestDb, code: &str) -> UnitId {
    let id: uuid::Uuid = sqlx::query_scalar("select id from units where code = $1")
        .bind(code)
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    UnitId::parse(&id.to_string()).unwrap()
}

#[tokio::test]
async fn a_scope_loads_the_role_from_the_database_and_refuses_non_members() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;

    let scope = db.app.scope(acme, ava).await.unwrap();
    assert_eq!(scope.membership().role(), Role::Owner);
    assert!(is_not_found(db.app.scope(lumen, ava).await.map(|_| ())));

    // R2.4: the role is read at the time of the action, not cached.
    let dan = user(&db, "dan@acme.example").await;
    sqlx::query("update memberships set role = 'admin' where user_id = $1")
        .bind(dan.as_uuid())
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    let scope = db.app.scope(acme, dan).await.unwrap();
    assert_eq!(scope.membership().role(), Role::Admin);
    assert!(scope.authorize(Permission::ManageMembers).is_ok());

    // A removed member or a disabled account is nobody.
    sqlx::query("update users set disabled_at = now() where id = $1")
        .bind(dan.as_uuid())
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    assert!(is_not_found(db.app.scope(acme, dan).await.map(|_| ())));
}

#[tokio::test]
async fn the_team_lists_only_the_scopes_organisation() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let (ava, luis) = (
        user(&db, "ava@acme.example").await,
        user(&db, "luis@lumen.example").await,
    );

    let mut scope = db.app.scope(acme, ava).await.unwrap();
    let members = team::members(&mut scope).await.unwrap();
    assert_eq!(members.len(), 5);
    assert_eq!(members[0].role, Role::Owner);
    assert!(members.iter().all(|m| m.email.ends_with("@acme.example")));
    // Another tenant's member is not found.
    assert!(is_not_found(team::member(&mut scope, luis).await));
    assert_eq!(
        team::member(&mut scope, ava).await.unwrap().display_name,
        "Ava Thompson"
    );

    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    assert_eq!(team::members(&mut scope).await.unwrap().len(), 2);
    assert!(is_not_found(team::member(&mut scope, ava).await));
}

/// R1.3, R1.5: a Studio's clients are its own; its members see them (the
/// changes are in `clients.rs`); an organisation that is no Studio keeps
/// none and is refused.
#[tokio::test]
async fn clients_are_the_studios_and_seen_by_its_members() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let (ava, luis, marta) = (
        user(&db, "ava@acme.example").await,
        user(&db, "luis@lumen.example").await,
        user(&db, "marta@lumen.example").await,
    );

    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    let list = clients::list(&mut scope).await.unwrap();
    assert_eq!(list.len(), 2);
    let harbourside: ClientId = list
        .iter()
        .find(|c| c.name == "Harbourside Developments")
        .unwrap()
        .id;
    assert_eq!(
        clients::get(&mut scope, harbourside).await.unwrap().name,
        "Harbourside Developments"
    );

    // Acme is a developer, not a studio: 403 for every call, whatever the id.
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert!(is_forbidden(clients::get(&mut scope, harbourside).await));
    assert!(is_forbidden(clients::list(&mut scope).await));

    // A Content Editor of the studio sees the records.
    let mut scope = db.app.scope(lumen, marta).await.unwrap();
    assert_eq!(clients::list(&mut scope).await.unwrap().len(), 2);
    assert_eq!(
        clients::get(&mut scope, harbourside).await.unwrap().id,
        harbourside
    );
}

#[tokio::test]
async fn projects_are_seen_by_their_owner_and_partners_only() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let (ava, marta) = (
        user(&db, "ava@acme.example").await,
        user(&db, "marta@lumen.example").await,
    );
    let (zenith, zoe) = unrelated_org(&db).await;
    let project = marina(&db).await;

    let mut scope = db.app.scope(acme, ava).await.unwrap();
    let p = projects::by_slug(&mut scope, "marina-heights")
        .await
        .unwrap();
    assert_eq!((p.id, p.relation), (project, projects::Relation::Owner));

    let mut scope = db.app.scope(lumen, marta).await.unwrap();
    let p = projects::get(&mut scope, project).await.unwrap();
    assert_eq!(p.relation, projects::Relation::StudioPartner);
    assert_eq!(projects::list(&mut scope).await.unwrap().len(), 1);
    // A partner reaches it by id, not as if it were its own slug.
    assert!(is_not_found(
        projects::by_slug(&mut scope, "marina-heights").await
    ));

    let mut scope = db.app.scope(zenith, zoe).await.unwrap();
    assert!(is_not_found(projects::get(&mut scope, project).await));
    assert!(is_not_found(
        projects::by_slug(&mut scope, "marina-heights").await
    ));
    assert!(projects::list(&mut scope).await.unwrap().is_empty());
}

/// R6.1: closed pool by default. Units 1-8 are held by Northstar, 9-11 by
/// its agent Rami, 12-13 by Acme's own agent Ella.
#[tokio::test]
async fn units_follow_the_pool_rules_of_each_role_and_organisation() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let count = |subdomain: &'static str, email: &'static str| {
        let db = &db;
        async move {
            let mut scope = db
                .app
                .scope(org(db, subdomain).await, user(db, email).await)
                .await
                .unwrap();
            units::list(&mut scope, project).await.map(|u| u.len())
        }
    };
    assert_eq!(count("acme", "ava@acme.example").await.unwrap(), 40);
    assert_eq!(count("acme", "chloe@acme.example").await.unwrap(), 40);
    assert_eq!(
        count("acme", "dan@acme.example").await.unwrap(),
        40,
        "content editor: read only"
    );
    assert_eq!(
        count("acme", "ella@acme.example").await.unwrap(),
        2,
        "own agent: own units"
    );
    assert_eq!(
        count("lumen", "marta@lumen.example").await.unwrap(),
        40,
        "studio partner"
    );
    assert_eq!(
        count("northstar", "priya@northstar.example").await.unwrap(),
        11,
        "agency's and its agents'"
    );
    assert_eq!(
        count("northstar", "rami@northstar.example").await.unwrap(),
        11,
        "agency's and own"
    );
    assert_eq!(
        count("northstar", "sara@northstar.example").await.unwrap(),
        8,
        "agency's only"
    );

    // Open mode: every available unit (37 of 40) for the agency's agents.
    sqlx::query("update projects set stock_mode = 'open'")
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    assert_eq!(
        count("northstar", "sara@northstar.example").await.unwrap(),
        37
    );
    assert_eq!(count("acme", "ella@acme.example").await.unwrap(), 37);
}

#[tokio::test]
async fn a_unit_outside_the_pool_or_tenant_is_not_found() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let (agency_unit, ellas_unit) = (unit_id(&db, "A-101").await, unit_id(&db, "A-304").await);
    let (northstar, rami) = (
        org(&db, "northstar").await,
        user(&db, "rami@northstar.example").await,
    );

    let mut scope = db.app.scope(northstar, rami).await.unwrap();
    let unit = units::get(&mut scope, project, agency_unit).await.unwrap();
    assert_eq!(unit.code, "A-101");
    assert!(matches!(unit.assignee, units::Assignee::Agency(o) if o == northstar));
    assert!(is_not_found(
        units::get(&mut scope, project, ellas_unit).await
    ));

    let (zenith, zoe) = unrelated_org(&db).await;
    let mut scope = db.app.scope(zenith, zoe).await.unwrap();
    assert!(is_not_found(
        units::get(&mut scope, project, agency_unit).await
    ));
    assert!(is_not_found(units::list(&mut scope, project).await));
}

/// Issue 11: enum columns decode through typed mappings. A value the code
/// does not know (a later migration added it) is an error, never a default
/// (a unit read as "available") or a row left out (a member missing from
/// the team).
#[tokio::test]
async fn an_enum_value_the_code_does_not_know_is_an_error_not_a_default_or_a_dropped_row() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let admin = db.admin.pool_for_tests();
    for sql in [
        "alter type unit_status add value 'demolished'",
        "update units set status = 'demolished' where code = 'A-101'",
        "alter type member_role add value 'auditor'",
        "update memberships set role = 'auditor'
         where user_id = (select id from users where email = 'dan@acme.example')",
    ] {
        sqlx::query(sql).execute(admin).await.unwrap();
    }
    let is_decode_error = |e: &RepoError| {
        matches!(
            e,
            RepoError::Database(sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_))
        )
    };

    let mut scope = db
        .app
        .scope(org(&db, "acme").await, user(&db, "ava@acme.example").await)
        .await
        .unwrap();
    let units = units::list(&mut scope, project).await;
    assert!(units.as_ref().is_err_and(is_decode_error), "{units:?}");
    // The same scope: decoding failed in the client, the transaction is
    // intact (a second scope of Ava's would wait on this one's row lock).
    let members = team::members(&mut scope).await;
    assert!(members.as_ref().is_err_and(is_decode_error), "{members:?}");
}
