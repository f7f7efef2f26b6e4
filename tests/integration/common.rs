//! Helpers shared by the integration tests.

use offplan::{
    db::testing::TestDb,
    domain::{OrgId, ProjectId, UnitId, UserId},
};
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

pub async fn org_uuid(db: &TestDb, subdomain: &str) -> Uuid {
    sqlx::query_scalar("select id from organisations where subdomain = $1")
        .bind(subdomain)
        .fetch_one(db.admin.pool_for_tests())
        .await
        .expect("organisation exists")
}

pub async fn user_uuid(db: &TestDb, email: &str) -> Uuid {
    sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(db.admin.pool_for_tests())
        .await
        .expect("user exists")
}

pub async fn org(db: &TestDb, subdomain: &str) -> OrgId {
    OrgId::parse(&org_uuid(db, subdomain).await.to_string()).expect("uuid")
}

pub async fn user(db: &TestDb, email: &str) -> UserId {
    UserId::parse(&user_uuid(db, email).await.to_string()).expect("uuid")
}

/// An organisation unrelated to the demo ones, with its Owner.
pub async fn unrelated_org(db: &TestDb) -> (OrgId, UserId) {
    let (org, owner): (Uuid, Uuid) = sqlx::query_as(
        "with u as (insert into users (email, display_name)
                    values ('zoe@zenith.example', 'Zoe Zenith') returning id),
              o as (insert into organisations (name, subdomain, country, client_types, owner_user_id)
                    select 'Zenith Homes', 'zenith', 'FR', '{developer}', u.id from u
                    returning id, owner_user_id),
              m as (insert into memberships (org_id, user_id, role)
                    select id, owner_user_id, 'owner' from o returning org_id, user_id)
         select org_id, user_id from m",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .expect("unrelated organisation");
    (
        OrgId::parse(&org.to_string()).expect("uuid"),
        UserId::parse(&owner.to_string()).expect("uuid"),
    )
}

/// A transaction on the runtime pool (`offplan_app`) with the tenant set,
/// for checking what row-level security lets through without the
/// repository's own filters.
pub async fn app_tx(db: &TestDb, org: Uuid, user: Uuid) -> Transaction<'static, Postgres> {
    let mut tx = db.app.pool_for_tests().begin().await.expect("begin");
    set_tenant(&mut tx, org, user).await;
    tx
}

pub async fn set_tenant(conn: &mut PgConnection, org: Uuid, user: Uuid) {
    sqlx::query("select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)")
        .bind(org.to_string())
        .bind(user.to_string())
        .execute(conn)
        .await
        .expect("set tenant");
}

pub fn sqlstate(e: &sqlx::Error) -> String {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

/// The demo's Marina Heights (Acme's; Northstar its agency, Lumen its studio).
pub async fn marina(db: &TestDb) -> ProjectId {
    let id: Uuid = sqlx::query_scalar("select id from projects where slug = 'marina-heights'")
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    ProjectId::parse(&id.to_string()).unwrap()
}

/// A unit of Marina Heights by its code.
pub async fn unit(db: &TestDb, code: &str) -> UnitId {
    let id: Uuid = sqlx::query_scalar(
        "select u.id from units u join projects p on p.org_id = u.org_id and p.id = u.project_id
         where p.slug = 'marina-heights' and u.code = $1",
    )
    .bind(code)
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    UnitId::parse(&id.to_string()).unwrap()
}

/// A unit's version as stored (R6.3).
pub async fn version(db: &TestDb, unit: UnitId) -> i64 {
    sqlx::query_scalar("select version from units where id = $1")
        .bind(unit.as_uuid())
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

/// A scope of `org` for `user` (an active member).
pub async fn scope(db: &TestDb, org: OrgId, user: UserId) -> offplan::db::Scope {
    db.app.scope(org, user).await.unwrap()
}

/// `owner` accepts the current data-processing terms for `org` (R1.9).
pub async fn accept_terms(db: &TestDb, org: OrgId, owner: UserId) {
    use offplan::db::buyers::terms;
    let mut s = scope(db, org, owner).await;
    terms::accept(&mut s, terms::CURRENT_VERSION).await.unwrap();
    s.commit().await.unwrap();
}

/// A buyer `user` records, with `fields`.
pub async fn record_buyer(
    db: &TestDb,
    org: OrgId,
    user: UserId,
    fields: &offplan::domain::BuyerFields,
) -> offplan::domain::BuyerId {
    let mut s = scope(db, org, user).await;
    let b = offplan::db::buyers::record(&mut s, fields).await.unwrap();
    s.commit().await.unwrap();
    b.id
}
