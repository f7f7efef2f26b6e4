//! Integration tests for the organisation lookups and the organisations
//! table's constraints, each against its own fresh database.

use offplan::{
    db::{
        seed,
        testing::{fresh_db, seeded_db, TestDb},
    },
    domain::{ClientType, Subdomain},
};

async fn seeded() -> TestDb {
    seeded_db().await.expect("seeded database")
}

fn sub(s: &str) -> Subdomain {
    Subdomain::parse(s).expect("valid subdomain")
}

#[tokio::test]
async fn each_subdomain_resolves_to_its_own_organisation() {
    let db = seeded().await;
    let acme = db
        .app
        .org_brand_by_subdomain(&sub("acme"))
        .await
        .unwrap()
        .unwrap();
    let north = db
        .app
        .org_brand_by_subdomain(&sub("northstar"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(acme.name, "Acme Homes");
    assert_eq!(acme.colour.as_str(), "#1f5f8b");
    assert_eq!(north.name, "Northstar Realty");
    assert_ne!(acme.id, north.id);
}

#[tokio::test]
async fn an_unknown_subdomain_resolves_to_nothing() {
    let db = seeded().await;
    assert!(db
        .app
        .org_brand_by_subdomain(&sub("nobody"))
        .await
        .unwrap()
        .is_none());
    assert!(db
        .app
        .org_public_profile(&sub("nobody"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_closed_organisation_is_not_served() {
    let db = seeded().await;
    sqlx::query("update organisations set status = 'closed' where subdomain = 'acme'")
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    assert!(db
        .app
        .org_brand_by_subdomain(&sub("acme"))
        .await
        .unwrap()
        .is_none());
    assert!(db
        .app
        .org_public_profile(&sub("acme"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn the_public_profile_carries_every_client_type() {
    let db = seeded().await;
    let lumen = db
        .app
        .org_public_profile(&sub("lumen"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        lumen.client_types,
        vec![ClientType::Studio, ClientType::Agency]
    );
    assert_eq!(lumen.country, "PT");
}

#[tokio::test]
async fn seeding_twice_leaves_the_same_rows() {
    let db = seeded().await;
    seed::demo(&db.admin).await.unwrap();
    let n: i64 = sqlx::query_scalar("select count(*) from organisations")
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    assert_eq!(n, seed::DEMO_ORGS.len() as i64);
}

/// Inserts an organisation with its Owner in one statement (the owner key
/// is checked at commit, R2.3).
async fn insert_org(
    pool: &sqlx::PgPool,
    subdomain: &str,
    types: &str,
    colour: &str,
    customer: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "with u as (insert into users (email, display_name)
                    values (gen_random_uuid() || '@t.example', 'T') returning id),
              o as (insert into organisations (name, subdomain, country, client_types, brand_colour,
                                               payment_provider, external_customer_id, owner_user_id)
                    select 'X', $1, 'GB', $2::client_type[], $3,
                           case when $4::text is not null then 'stripe' end, $4, u.id from u
                    returning id, owner_user_id)
         insert into memberships (org_id, user_id, role) select id, owner_user_id, 'owner' from o",
    )
    .bind(subdomain)
    .bind(types)
    .bind(colour)
    .bind(customer)
    .execute(pool)
    .await
    .map(|_| ())
}

/// The database keeps its own copy of the R1.2/R1.3 rules, so no code path
/// can store what the parser would refuse.
#[tokio::test]
async fn the_database_refuses_bad_subdomains_client_types_and_colours() {
    let db = fresh_db().await.unwrap();
    let pool = db.admin.pool_for_tests();
    insert_org(pool, "fine-name", "{developer}", "#123456", None)
        .await
        .unwrap();
    for (subdomain, types, colour) in [
        ("app", "{developer}", "#123456"),
        ("xn--abc", "{developer}", "#123456"),
        ("-bad", "{developer}", "#123456"),
        ("ab", "{developer}", "#123456"),
        ("Upper", "{developer}", "#123456"),
        ("empty-types", "{}", "#123456"),
        ("dup-types", "{studio,studio}", "#123456"),
        ("bad-colour", "{agency}", "red;}"),
        ("fine-name", "{agency}", "#123456"),
    ] {
        assert!(
            insert_org(pool, subdomain, types, colour, None)
                .await
                .is_err(),
            "accepted {subdomain} {types} {colour}"
        );
    }
}

#[tokio::test]
async fn one_external_customer_id_never_names_two_organisations() {
    let db = fresh_db().await.unwrap();
    let pool = db.admin.pool_for_tests();
    insert_org(pool, "first", "{developer}", "#123456", Some("cus_1"))
        .await
        .unwrap();
    assert!(
        insert_org(pool, "second", "{developer}", "#123456", Some("cus_1"))
            .await
            .is_err()
    );
}
