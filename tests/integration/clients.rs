//! Clients a Studio keeps (SPEC R1.3, R1.5, R2.2, R2.5, R8.1, R8.5; issue
//! 12): Lumen Studio (a studio) and Acme Homes (a developer), with a second
//! studio for the walls between studios. Every change writes exactly one
//! audit event, and no personal data in its metadata.

use crate::common::*;
use offplan::{
    db::{
        audit::verify,
        clients::{self, Client},
        testing::{seeded_db, TestDb},
        RepoError, Scope,
    },
    domain::{ClientFields, ClientId, OrgId, UserId},
    policy::Role,
};
use uuid::Uuid;

fn is_not_found<T: std::fmt::Debug>(r: Result<T, RepoError>) -> bool {
    matches!(r, Err(RepoError::NotFound))
}

fn is_forbidden<T: std::fmt::Debug>(r: Result<T, RepoError>) -> bool {
    matches!(r, Err(RepoError::Forbidden(_)))
}

fn fields(name: &str, contact: &str, email: &str, notes: &str) -> ClientFields {
    ClientFields::parse(name, contact, email, notes).unwrap()
}

async fn audit_count(db: &TestDb, org: OrgId) -> i64 {
    sqlx::query_scalar("select count(*) from audit_events where org_id = $1")
        .bind(org.as_uuid())
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

/// The newest event of `org`: action, target, metadata (as text) and its
/// personal-data part (as text), if any.
async fn last_event(db: &TestDb, org: OrgId) -> (String, Option<String>, String, Option<String>) {
    sqlx::query_as(
        "select e.action, e.target_id, e.metadata::text, p.data::text
         from audit_events e
         left join audit_event_pii p on p.org_id = e.org_id and p.seq = e.seq
         where e.org_id = $1 order by e.seq desc limit 1",
    )
    .bind(org.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap()
}

/// A new person who is `role` in `org`.
async fn member(db: &TestDb, org: OrgId, email: &str, role: Role) -> UserId {
    let id: Uuid = sqlx::query_scalar(
        "with u as (insert into users (email, display_name) values ($1, 'Test Person') returning id)
         insert into memberships (org_id, user_id, role)
         select $2, id, $3::text::member_role from u returning user_id",
    )
    .bind(email)
    .bind(org.as_uuid())
    .bind(role.as_str())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    UserId::parse(&id.to_string()).unwrap()
}

/// A second studio, unrelated to the demo organisations, with its Owner.
async fn other_studio(db: &TestDb) -> (OrgId, UserId) {
    let (org, owner): (Uuid, Uuid) = sqlx::query_as(
        "with u as (insert into users (email, display_name)
                    values ('pia@prism.example', 'Pia Prism') returning id),
              o as (insert into organisations (name, subdomain, country, client_types, owner_user_id)
                    select 'Prism Visuals', 'prism', 'ES', '{studio}', u.id from u
                    returning id, owner_user_id),
              m as (insert into memberships (org_id, user_id, role)
                    select id, owner_user_id, 'owner' from o returning org_id, user_id)
         select org_id, user_id from m",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    (
        OrgId::parse(&org.to_string()).unwrap(),
        UserId::parse(&owner.to_string()).unwrap(),
    )
}

async fn harbourside(db: &TestDb) -> ClientId {
    let id: Uuid =
        sqlx::query_scalar("select id from clients where name = 'Harbourside Developments'")
            .fetch_one(db.admin.pool_for_tests())
            .await
            .unwrap();
    ClientId::parse(&id.to_string()).unwrap()
}

async fn committed<T>(scope: Scope, value: T) -> T {
    scope.commit().await.unwrap();
    value
}

#[tokio::test]
async fn a_studio_admin_adds_edits_archives_and_restores_a_client_with_one_event_each() {
    let db = seeded_db().await.unwrap();
    let lumen = org(&db, "lumen").await;
    let admin = member(&db, lumen, "ana@lumen.example", Role::Admin).await;
    let personal = ["Nina Brandt", "nina@quayside.example", "Met at MIPIM"];

    // Added: one event, the record's name and contact apart from the hash,
    // the notes nowhere in the log.
    let before = audit_count(&db, lumen).await;
    let mut scope = db.app.scope(lumen, admin).await.unwrap();
    let created = clients::create(
        &mut scope,
        &fields(
            " Quayside Living ",
            "Nina Brandt",
            "nina@quayside.example",
            "Met at MIPIM.\nPrefers email.",
        ),
    )
    .await
    .unwrap();
    let created = committed(scope, created).await;
    assert_eq!(created.name, "Quayside Living");
    assert_eq!(created.contact_name.as_deref(), Some("Nina Brandt"));
    assert_eq!(
        created.notes.as_deref(),
        Some("Met at MIPIM.\nPrefers email.")
    );
    assert_eq!(
        (created.linked_org.clone(), created.project_count),
        (None, 0)
    );
    assert_eq!(audit_count(&db, lumen).await, before + 1);
    let (action, target, metadata, pii) = last_event(&db, lumen).await;
    assert_eq!(action, "client.created");
    assert_eq!(target, Some(created.id.to_string()));
    assert_eq!(metadata, "{}");
    let pii = pii.unwrap();
    assert!(
        pii.contains("Nina Brandt") && pii.contains("nina@quayside.example"),
        "{pii}"
    );
    assert!(
        !pii.contains("MIPIM"),
        "notes are not copied into the log: {pii}"
    );

    // Edited: the event says which fields changed, never what they hold.
    let mut scope = db.app.scope(lumen, admin).await.unwrap();
    let changed = clients::update(
        &mut scope,
        created.id,
        &fields(
            "Quayside Living",
            "Nina Brandt",
            "nina.brandt@quayside.example",
            "Met at MIPIM.",
        ),
    )
    .await
    .unwrap();
    committed(scope, ()).await;
    assert!(changed);
    assert_eq!(audit_count(&db, lumen).await, before + 2);
    let (action, _, metadata, _) = last_event(&db, lumen).await;
    assert_eq!(action, "client.updated");
    assert_eq!(metadata, r#"{"fields": ["contact_email", "notes"]}"#);
    // The same form again changes nothing and records nothing.
    let mut scope = db.app.scope(lumen, admin).await.unwrap();
    let again = clients::update(
        &mut scope,
        created.id,
        &fields(
            "Quayside Living",
            "Nina Brandt",
            "nina.brandt@quayside.example",
            "Met at MIPIM.",
        ),
    )
    .await
    .unwrap();
    committed(scope, ()).await;
    assert!(!again);
    assert_eq!(audit_count(&db, lumen).await, before + 2);

    // Archived: out of the list, still found by id, once.
    let mut scope = db.app.scope(lumen, admin).await.unwrap();
    assert!(clients::archive(&mut scope, created.id).await.unwrap());
    committed(scope, ()).await;
    let mut scope = db.app.scope(lumen, admin).await.unwrap();
    assert!(!clients::archive(&mut scope, created.id).await.unwrap());
    let active = clients::list(&mut scope).await.unwrap();
    assert!(active.iter().all(|c| c.id != created.id));
    let all = clients::list_all(&mut scope).await.unwrap();
    assert_eq!(
        all.last().map(|c| c.id),
        Some(created.id),
        "archived ones last"
    );
    let archived: Client = clients::get(&mut scope, created.id).await.unwrap();
    assert!(archived.is_archived());
    committed(scope, ()).await;
    assert_eq!(audit_count(&db, lumen).await, before + 3);
    assert_eq!(last_event(&db, lumen).await.0, "client.archived");

    // Restored: back in the list, once.
    let mut scope = db.app.scope(lumen, admin).await.unwrap();
    assert!(clients::restore(&mut scope, created.id).await.unwrap());
    assert!(!clients::restore(&mut scope, created.id).await.unwrap());
    let active = clients::list(&mut scope).await.unwrap();
    assert!(active.iter().any(|c| c.id == created.id));
    committed(scope, ()).await;
    assert_eq!(audit_count(&db, lumen).await, before + 4);
    assert_eq!(last_event(&db, lumen).await.0, "client.restored");

    // No personal data in any client event's metadata, and the chain holds.
    let metadata: Vec<String> = sqlx::query_scalar(
        "select metadata::text from audit_events where org_id = $1 and action like 'client.%'",
    )
    .bind(lumen.as_uuid())
    .fetch_all(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(metadata.len(), 4);
    for m in &metadata {
        for p in personal {
            assert!(!m.contains(p), "{m} carries {p}");
        }
        assert!(!m.contains("Quayside"), "{m}");
    }
    let reports = verify::verify_database(&db.admin, Some("lumen"))
        .await
        .unwrap();
    assert_eq!(reports[0].broken, None);
}

#[tokio::test]
async fn an_organisation_that_is_no_studio_is_refused_every_client_call() {
    let db = seeded_db().await.unwrap();
    let (acme, ava) = (org(&db, "acme").await, user(&db, "ava@acme.example").await);
    let theirs = harbourside(&db).await;
    let before = audit_count(&db, acme).await;
    let form = fields("Own Client", "", "", "");

    // R1.3: even its Owner, whatever the id (its own space has no clients,
    // another's answers the same, so nothing leaks).
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert!(is_forbidden(clients::list(&mut scope).await));
    assert!(is_forbidden(clients::list_all(&mut scope).await));
    assert!(is_forbidden(clients::get(&mut scope, theirs).await));
    assert!(is_forbidden(clients::projects(&mut scope, theirs).await));
    assert!(is_forbidden(clients::create(&mut scope, &form).await));
    assert!(is_forbidden(
        clients::update(&mut scope, theirs, &form).await
    ));
    assert!(is_forbidden(clients::archive(&mut scope, theirs).await));
    assert!(is_forbidden(clients::restore(&mut scope, theirs).await));
    scope.commit().await.unwrap();
    assert_eq!(audit_count(&db, acme).await, before);
}

#[tokio::test]
async fn members_of_the_studio_see_clients_and_only_owner_and_admin_change_them() {
    let db = seeded_db().await.unwrap();
    let lumen = org(&db, "lumen").await;
    let agent = member(&db, lumen, "sam@lumen.example", Role::SalesAgent).await;
    let marta = user(&db, "marta@lumen.example").await;
    let id = harbourside(&db).await;
    let before = audit_count(&db, lumen).await;
    let form = fields(
        "Harbourside Developments",
        "",
        "new@harbourside.example",
        "",
    );

    for (who, role) in [(agent, "Sales Agent"), (marta, "Content Editor")] {
        let mut scope = db.app.scope(lumen, who).await.unwrap();
        assert_eq!(clients::list(&mut scope).await.unwrap().len(), 2, "{role}");
        assert_eq!(clients::get(&mut scope, id).await.unwrap().id, id, "{role}");
        assert!(clients::projects(&mut scope, id).await.unwrap().is_empty());
        // R2.5: a 403 in its own organisation.
        assert!(
            is_forbidden(clients::create(&mut scope, &form).await),
            "{role}"
        );
        assert!(
            is_forbidden(clients::update(&mut scope, id, &form).await),
            "{role}"
        );
        assert!(
            is_forbidden(clients::archive(&mut scope, id).await),
            "{role}"
        );
        assert!(
            is_forbidden(clients::restore(&mut scope, id).await),
            "{role}"
        );
        scope.commit().await.unwrap();
    }
    assert_eq!(audit_count(&db, lumen).await, before);
    let mut scope = db.app.scope(lumen, marta).await.unwrap();
    let unchanged = clients::get(&mut scope, id).await.unwrap();
    assert_eq!(
        unchanged.contact_email.as_deref(),
        Some("info@harbourside.example")
    );
    assert!(!unchanged.is_archived());
}

#[tokio::test]
async fn another_studios_client_is_not_found_and_its_list_is_its_own() {
    let db = seeded_db().await.unwrap();
    let (lumen, luis) = (
        org(&db, "lumen").await,
        user(&db, "luis@lumen.example").await,
    );
    let (prism, pia) = other_studio(&db).await;
    let lumens = harbourside(&db).await;
    let form = fields("Taken Over", "", "", "");

    let mut scope = db.app.scope(prism, pia).await.unwrap();
    assert!(is_not_found(clients::get(&mut scope, lumens).await));
    assert!(is_not_found(clients::projects(&mut scope, lumens).await));
    assert!(is_not_found(
        clients::update(&mut scope, lumens, &form).await
    ));
    assert!(is_not_found(clients::archive(&mut scope, lumens).await));
    assert!(is_not_found(clients::restore(&mut scope, lumens).await));
    assert!(clients::list_all(&mut scope).await.unwrap().is_empty());
    let own = clients::create(&mut scope, &fields("Prism's Own", "", "", ""))
        .await
        .unwrap();
    scope.commit().await.unwrap();

    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    assert!(is_not_found(clients::get(&mut scope, own.id).await));
    assert!(is_not_found(clients::archive(&mut scope, own.id).await));
    let names: Vec<String> = clients::list_all(&mut scope)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Acme Homes", "Harbourside Developments"]);
    // Nothing of Lumen's changed: still its seeded value.
    assert_eq!(
        clients::get(&mut scope, lumens).await.unwrap().name,
        "Harbourside Developments"
    );
}

#[tokio::test]
async fn a_client_shows_the_organisation_it_joined_as_and_the_projects_run_for_it() {
    let db = seeded_db().await.unwrap();
    let (lumen, luis) = (
        org(&db, "lumen").await,
        user(&db, "luis@lumen.example").await,
    );
    let (acme, harbour) = (org(&db, "acme").await, harbourside(&db).await);
    sqlx::query(
        "insert into projects (org_id, slug, name, client_id)
         values ($1, 'harbour-lofts', 'Harbour Lofts', $2)",
    )
    .bind(lumen.as_uuid())
    .bind(harbour.as_uuid())
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();

    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    let list = clients::list(&mut scope).await.unwrap();
    let joined = list.iter().find(|c| c.name == "Acme Homes").unwrap();
    let linked = joined.linked_org.clone().unwrap();
    assert_eq!(
        (linked.id, linked.name.as_deref()),
        (acme, Some("Acme Homes"))
    );
    let h = list.iter().find(|c| c.id == harbour).unwrap();
    assert_eq!((h.linked_org.clone(), h.project_count), (None, 1));
    let projects = clients::projects(&mut scope, harbour).await.unwrap();
    assert_eq!(
        projects
            .iter()
            .map(|p| (p.slug.as_str(), p.name.as_str()))
            .collect::<Vec<_>>(),
        [("harbour-lofts", "Harbour Lofts")]
    );
    scope.commit().await.unwrap();

    // A closed organisation is no longer public: "Joined", without a name.
    sqlx::query("update organisations set status = 'closed' where id = $1")
        .bind(acme.as_uuid())
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    let joined = clients::get(&mut scope, joined.id).await.unwrap();
    assert_eq!(joined.linked_org.map(|o| o.name), Some(None));
}

#[tokio::test]
async fn over_long_fields_are_refused_by_the_form_and_by_the_database() {
    let db = seeded_db().await.unwrap();
    let (lumen, luis) = (
        org_uuid(&db, "lumen").await,
        user_uuid(&db, "luis@lumen.example").await,
    );

    let errors = ClientFields::parse(
        &"n".repeat(201),
        &"c".repeat(201),
        &format!("{}@example.com", "e".repeat(250)),
        &"x".repeat(2001),
    )
    .unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "contact_name", "contact_email", "notes"]);
    assert!(ClientFields::parse(&"n".repeat(200), &"c".repeat(200), "", &"x".repeat(2000)).is_ok());

    // The constraints hold behind the form, for the runtime role too.
    for (column, value) in [
        ("name", "n".repeat(201)),
        ("contact_name", "c".repeat(201)),
        ("contact_email", format!("{}@example.com", "e".repeat(250))),
        ("contact_email", "no-at-sign".to_owned()),
        ("notes", "x".repeat(2001)),
    ] {
        let mut tx = app_tx(&db, lumen, luis).await;
        // Test-only: column names from this list.
        let sql = if column == "name" {
            "insert into clients (org_id, name) values ($1, $2)".to_owned()
        } else {
            format!("insert into clients (org_id, name, {column}) values ($1, 'Fine', $2)")
        };
        let err = sqlx::query(&sql)
            .bind(lumen)
            .bind(&value)
            .execute(&mut *tx)
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), "23514", "{column}: {err}");
        tx.rollback().await.unwrap();
    }
}
