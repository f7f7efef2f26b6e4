//! Projects: creating them, their settings and stock mode, and how a
//! project URL resolves (SPEC R1.3, R1.6, R1.7, R2.2, R2.5, R6.1, R7.1,
//! R8.1). Two organisations in each tenancy test, three where partners are
//! involved: Acme (developer) owns Marina Heights, partnered with Lumen
//! (studio and agency) as studio and Northstar (agency) as agency; Zenith
//! is unrelated.

use crate::common::*;
use offplan::{
    db::{
        audit::log::{self, Filter},
        projects::{
            self, NewProject, Project, ProjectSettings, ProjectStatus, Relation, SlugLookup,
            StockMode,
        },
        testing::{seeded_db, TestDb},
        unscoped::PublicProject,
        RepoError, Scope,
    },
    domain::{ClientId, OrgId, UserId},
    error::Conflict,
};
use serde_json::json;

fn is_not_found<T: std::fmt::Debug>(r: Result<T, RepoError>) -> bool {
    matches!(r, Err(RepoError::NotFound))
}

fn is_forbidden<T: std::fmt::Debug>(r: Result<T, RepoError>) -> bool {
    matches!(r, Err(RepoError::Forbidden(_)))
}

async fn scope(db: &TestDb, subdomain: &str, email: &str) -> Scope {
    db.app
        .scope(org(db, subdomain).await, user(db, email).await)
        .await
        .unwrap()
}

async fn client_of(db: &TestDb, subdomain: &str, name: &str) -> ClientId {
    let id: uuid::Uuid = sqlx::query_scalar(
        "insert into clients (org_id, name)
         select id, $2 from organisations where subdomain = $1
         on conflict do nothing returning id",
    )
    .bind(subdomain)
    .bind(name)
    .fetch_optional(db.admin.pool_for_tests())
    .await
    .unwrap()
    .unwrap();
    ClientId::parse(&id.to_string()).unwrap()
}

async fn harbourside(db: &TestDb) -> ClientId {
    let id: uuid::Uuid =
        sqlx::query_scalar("select id from clients where name = 'Harbourside Developments'")
            .fetch_one(db.admin.pool_for_tests())
            .await
            .unwrap();
    ClientId::parse(&id.to_string()).unwrap()
}

/// A new member of `subdomain` with `role`, arranged as the owner.
async fn member(db: &TestDb, subdomain: &str, email: &str, role: &str) -> UserId {
    let id: uuid::Uuid = sqlx::query_scalar(
        "with u as (insert into users (email, display_name) values ($2, 'Extra Person')
                    returning id)
         insert into memberships (org_id, user_id, role)
         select o.id, u.id, $3::member_role from organisations o, u where o.subdomain = $1
         returning user_id",
    )
    .bind(subdomain)
    .bind(email)
    .bind(role)
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    UserId::parse(&id.to_string()).unwrap()
}

/// Every event of `org`'s chain: (action, project, metadata), oldest first.
async fn events(db: &TestDb, org: OrgId) -> Vec<(String, Option<uuid::Uuid>, serde_json::Value)> {
    sqlx::query_as(
        "select action, project_id, metadata from audit_events where org_id = $1 order by seq",
    )
    .bind(org.as_uuid())
    .fetch_all(db.admin.pool_for_tests())
    .await
    .unwrap()
}

/// How many events every organisation's chain holds, in one number.
async fn all_events(db: &TestDb) -> i64 {
    sqlx::query_scalar("select count(*) from audit_events")
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

fn new_project(name: &str, slug: &str, status: ProjectStatus) -> NewProject {
    NewProject {
        name: name.into(),
        slug: slug.into(),
        status,
        client_id: None,
    }
}

fn settings_of(p: &Project) -> ProjectSettings {
    ProjectSettings {
        name: p.name.clone(),
        slug: p.slug.clone(),
        status: p.status,
    }
}

/// R1.6, R1.3, R8.1: a developer's Admin creates a project on its own
/// account; one `project.created` event carries the project. The slug is
/// unique per organisation only: another organisation may use it too, and
/// does not see the first one.
#[tokio::test]
async fn a_developers_admin_creates_a_project_with_one_event() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let before = events(&db, acme).await.len();

    let mut s = scope(&db, "acme", "ben@acme.example").await;
    let names: Vec<String> = projects::list(&mut s)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Marina Heights", "Riverside Gardens"], "the demo's");
    let p = projects::create(
        &mut s,
        &new_project("Harbour View", "harbour-view", ProjectStatus::Draft),
    )
    .await
    .unwrap();
    s.commit().await.unwrap();
    assert_eq!(
        (
            p.name.as_str(),
            p.slug.as_str(),
            p.status,
            p.stock_mode,
            p.relation
        ),
        (
            "Harbour View",
            "harbour-view",
            ProjectStatus::Draft,
            StockMode::Closed,
            Relation::Owner
        )
    );
    assert_eq!((p.owner_org_id, p.client_id), (acme, None));
    assert_eq!(
        (p.owner_subdomain.as_str(), p.owner_name.as_str()),
        ("acme", "Acme Homes")
    );

    let log = events(&db, acme).await;
    assert_eq!(log.len(), before + 1);
    assert_eq!(
        log.last().unwrap(),
        &(
            "project.created".to_owned(),
            Some(p.id.as_uuid()),
            json!({"slug": "harbour-view", "status": "draft", "client": null})
        )
    );

    // Another organisation: not found, and free to use the same slug.
    let (zenith, zoe) = unrelated_org(&db).await;
    let mut s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(is_not_found(projects::get(&mut s, p.id).await));
    let theirs = projects::create(
        &mut s,
        &new_project("Harbour View", "harbour-view", ProjectStatus::Active),
    )
    .await
    .unwrap();
    s.commit().await.unwrap();
    assert_ne!(theirs.id, p.id);
    assert_eq!(theirs.owner_subdomain, "zenith");
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    assert_eq!(
        projects::by_slug(&mut s, "harbour-view").await.unwrap().id,
        p.id
    );
}

/// R2.2: creating a project needs "create project" (Owner, Admin): a
/// Sales Manager, a Content Editor and a Sales Agent are refused (403), and
/// nothing is written.
#[tokio::test]
async fn roles_without_create_project_are_refused() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let before = events(&db, acme).await.len();
    for email in [
        "chloe@acme.example",
        "dan@acme.example",
        "ella@acme.example",
    ] {
        let mut s = scope(&db, "acme", email).await;
        let r = projects::create(&mut s, &new_project("X", "x", ProjectStatus::Draft)).await;
        assert!(is_forbidden(r), "{email}");
    }
    assert_eq!(events(&db, acme).await.len(), before);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    assert!(is_not_found(projects::by_slug(&mut s, "x").await));
}

/// R1.3: the organisation's client types decide. An agency-only
/// organisation creates nothing; a developer that is no studio may not name
/// a client; a studio that is no developer must.
#[tokio::test]
async fn client_types_decide_who_may_create_and_for_whom() {
    let db = seeded_db().await.unwrap();
    let client = harbourside(&db).await;
    let total = all_events(&db).await;

    // Northstar is an agency only: refused, with or without a client.
    let mut s = scope(&db, "northstar", "omar@northstar.example").await;
    assert!(is_forbidden(
        projects::create(&mut s, &new_project("N", "n", ProjectStatus::Draft)).await
    ));
    let mut with_client = new_project("N", "n", ProjectStatus::Draft);
    with_client.client_id = Some(client);
    drop(s);
    let mut s = scope(&db, "northstar", "omar@northstar.example").await;
    assert!(is_forbidden(projects::create(&mut s, &with_client).await));

    // Acme is a developer only: its own projects, never a client's.
    drop(s);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    assert!(is_forbidden(projects::create(&mut s, &with_client).await));

    // Lumen is a studio (and an agency), not a developer: a client is needed.
    drop(s);
    let mut s = scope(&db, "lumen", "luis@lumen.example").await;
    assert!(is_forbidden(
        projects::create(&mut s, &new_project("L", "l", ProjectStatus::Draft)).await
    ));
    assert_eq!(all_events(&db).await, total);
}

/// R1.3, R1.5, R2.5: a studio creates a project for one of its own
/// clients; another organisation's client is not found.
#[tokio::test]
async fn a_studio_creates_projects_for_its_own_clients_only() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let client = harbourside(&db).await;
    let (_zenith, _) = unrelated_org(&db).await;
    let strangers = client_of(&db, "zenith", "Zed Holdings").await;
    let acme_before = events(&db, acme).await.len();

    let mut s = scope(&db, "lumen", "luis@lumen.example").await;
    let mut new = new_project(
        "Harbourside Quay",
        "harbourside-quay",
        ProjectStatus::Active,
    );
    new.client_id = Some(strangers);
    assert!(is_not_found(projects::create(&mut s, &new).await));

    drop(s);
    // An archived client gets no new project (R1.5) until it is restored.
    sqlx::query(
        "update clients set archived_at = now(), archived_by_user_id = owner_user_id
         from organisations o where o.id = clients.org_id and clients.id = $1",
    )
    .bind(client.as_uuid())
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    let mut s = scope(&db, "lumen", "luis@lumen.example").await;
    new.client_id = Some(client);
    assert!(matches!(
        projects::create(&mut s, &new).await,
        Err(RepoError::Conflict(Conflict::ClientArchived))
    ));
    drop(s);
    sqlx::query("update clients set archived_at = null, archived_by_user_id = null where id = $1")
        .bind(client.as_uuid())
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    let mut s = scope(&db, "lumen", "luis@lumen.example").await;
    let p = projects::create(&mut s, &new).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(
        (p.client_id, p.relation, p.owner_subdomain.as_str()),
        (Some(client), Relation::Owner, "lumen")
    );
    let (action, project, metadata) = events(&db, lumen).await.pop().unwrap();
    assert_eq!(
        (action.as_str(), project, metadata),
        (
            "project.created",
            Some(p.id.as_uuid()),
            json!({"slug": "harbourside-quay", "status": "active", "client": client.to_string()})
        )
    );

    // Acme, its partner on another project, does not see it; nothing was
    // written to Acme's chain.
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    assert!(is_not_found(projects::get(&mut s, p.id).await));
    assert_eq!(events(&db, acme).await.len(), acme_before);
}

/// R1.6: a slug is unique within the organisation; taking one in use, by
/// creating or renaming, is the `SlugTaken` conflict, and writes nothing.
#[tokio::test]
async fn a_slug_in_use_is_a_conflict() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let other = projects::create(&mut s, &new_project("Other", "other", ProjectStatus::Draft))
        .await
        .unwrap();
    s.commit().await.unwrap();
    let before = events(&db, acme).await.len();

    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let r = projects::create(
        &mut s,
        &new_project("Again", "marina-heights", ProjectStatus::Draft),
    )
    .await;
    assert!(
        matches!(r, Err(RepoError::Conflict(Conflict::SlugTaken))),
        "{r:?}"
    );
    drop(s);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let mut to = settings_of(&other);
    to.slug = "marina-heights".into();
    let r = projects::update_settings(&mut s, other.id, &to).await;
    assert!(
        matches!(r, Err(RepoError::Conflict(Conflict::SlugTaken))),
        "{r:?}"
    );
    assert_eq!(
        Conflict::SlugTaken.to_string(),
        "That address is already used by another project in your organisation."
    );
    assert_eq!(events(&db, acme).await.len(), before);
}

/// R7.1, R1.6: a new slug keeps the old address as a redirect, for the
/// owner and the partners; a new project may take the old slug, which then
/// names it (the redirect goes).
#[tokio::test]
async fn a_renamed_slug_redirects_until_a_new_project_takes_it() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let project = marina(&db).await;
    let before = events(&db, acme).await.len();

    let mut s = scope(&db, "acme", "ben@acme.example").await;
    let p = projects::get(&mut s, project).await.unwrap();
    let mut to = settings_of(&p);
    to.slug = "marina-towers".into();
    let p = projects::update_settings(&mut s, project, &to)
        .await
        .unwrap();
    s.commit().await.unwrap();
    assert_eq!(p.slug, "marina-towers");
    let log = events(&db, acme).await;
    assert_eq!(log.len(), before + 1);
    assert_eq!(
        log.last().unwrap(),
        &(
            "project.updated".to_owned(),
            Some(project.as_uuid()),
            json!({"slug_from": "marina-heights", "slug_to": "marina-towers"})
        )
    );

    let mut s = scope(&db, "acme", "dan@acme.example").await;
    assert_eq!(
        projects::resolve_own(&mut s, "marina-heights")
            .await
            .unwrap(),
        SlugLookup::Moved {
            slug: "marina-towers".into()
        }
    );
    assert!(matches!(
        projects::resolve_own(&mut s, "marina-towers").await.unwrap(),
        SlugLookup::Found(p) if p.id == project
    ));
    assert!(is_not_found(
        projects::by_slug(&mut s, "marina-heights").await
    ));
    assert!(is_not_found(projects::resolve_own(&mut s, "nowhere").await));
    // The partner's old link follows too.
    drop(s);
    let mut s = scope(&db, "lumen", "marta@lumen.example").await;
    assert_eq!(
        projects::resolve_partnered(&mut s, "acme", "marina-heights")
            .await
            .unwrap(),
        SlugLookup::Moved {
            slug: "marina-towers".into()
        }
    );

    // A new project takes the old slug: it is found there now.
    drop(s);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let new = projects::create(
        &mut s,
        &new_project("Marina Heights II", "marina-heights", ProjectStatus::Active),
    )
    .await
    .unwrap();
    s.commit().await.unwrap();
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    assert!(matches!(
        projects::resolve_own(&mut s, "marina-heights").await.unwrap(),
        SlugLookup::Found(p) if p.id == new.id
    ));
    let redirects: i64 = sqlx::query_scalar(
        "select count(*) from project_slug_redirects where old_slug = 'marina-heights'",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(redirects, 0);
    // The partner is not a partner of the new project: not found.
    drop(s);
    let mut s = scope(&db, "lumen", "marta@lumen.example").await;
    assert!(is_not_found(
        projects::resolve_partnered(&mut s, "acme", "marina-heights").await
    ));

    // Renaming the first one back is refused: the new project holds it.
    drop(s);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let mut back = settings_of(&p);
    back.slug = "marina-heights".into();
    assert!(matches!(
        projects::update_settings(&mut s, project, &back).await,
        Err(RepoError::Conflict(Conflict::SlugTaken))
    ));
}

/// R1.6: renaming back to an old slug makes it current again; the slug it
/// leaves becomes the redirect.
#[tokio::test]
async fn renaming_back_to_an_old_slug_swaps_the_redirect() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let p = projects::get(&mut s, project).await.unwrap();
    let mut to = settings_of(&p);
    to.slug = "marina-towers".into();
    projects::update_settings(&mut s, project, &to)
        .await
        .unwrap();
    to.slug = "marina-heights".into();
    projects::update_settings(&mut s, project, &to)
        .await
        .unwrap();
    s.commit().await.unwrap();

    let mut s = scope(&db, "acme", "ava@acme.example").await;
    assert!(matches!(
        projects::resolve_own(&mut s, "marina-heights").await.unwrap(),
        SlugLookup::Found(p) if p.id == project
    ));
    assert_eq!(
        projects::resolve_own(&mut s, "marina-towers")
            .await
            .unwrap(),
        SlugLookup::Moved {
            slug: "marina-heights".into()
        }
    );
    let old: Vec<String> =
        sqlx::query_scalar("select old_slug from project_slug_redirects order by old_slug")
            .fetch_all(db.admin.pool_for_tests())
            .await
            .unwrap();
    assert_eq!(old, ["marina-towers"]);
}

/// R2.5: another organisation's project is not found, by id or by slug,
/// for reading and for every change, even for its Owner; nothing is
/// written anywhere.
#[tokio::test]
async fn another_organisation_finds_nothing_to_change() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let (zenith, zoe) = unrelated_org(&db).await;
    let total = all_events(&db).await;

    let mut s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(is_not_found(projects::get(&mut s, project).await));
    let settings = ProjectSettings {
        name: "Mine now".into(),
        slug: "mine-now".into(),
        status: ProjectStatus::Active,
    };
    assert!(is_not_found(
        projects::update_settings(&mut s, project, &settings).await
    ));
    assert!(is_not_found(
        projects::set_stock_mode(&mut s, project, StockMode::Open).await
    ));
    assert!(is_not_found(
        projects::resolve_own(&mut s, "marina-heights").await
    ));
    assert!(is_not_found(
        projects::resolve_partnered(&mut s, "acme", "marina-heights").await
    ));
    drop(s);

    assert_eq!(all_events(&db).await, total);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let p = projects::get(&mut s, project).await.unwrap();
    assert_eq!(
        (p.name.as_str(), p.slug.as_str(), p.stock_mode),
        ("Marina Heights", "marina-heights", StockMode::Closed)
    );
}

/// R1.7, R2.5, R6.1: a partner sees the project but may not change it: its
/// Owner and Admin are refused (403) settings and stock mode, its Content
/// Editor and Sales Agent the stock mode; the project is unchanged and no
/// chain grows.
#[tokio::test]
async fn partners_see_the_project_but_may_not_change_it() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let northstar = org(&db, "northstar").await;
    let nadia = member(&db, "northstar", "nadia@northstar.example", "admin").await;
    let total = all_events(&db).await;

    let settings = ProjectSettings {
        name: "Ours now".into(),
        slug: "ours-now".into(),
        status: ProjectStatus::Archived,
    };
    let mut partners = vec![
        scope(&db, "lumen", "luis@lumen.example").await,
        db.app.scope(northstar, nadia).await.unwrap(),
    ];
    for s in &mut partners {
        assert!(projects::get(s, project).await.is_ok());
        assert!(is_forbidden(
            projects::update_settings(s, project, &settings).await
        ));
        assert!(is_forbidden(
            projects::set_stock_mode(s, project, StockMode::Open).await
        ));
    }
    drop(partners);
    for (sub, email) in [
        ("lumen", "marta@lumen.example"),
        ("northstar", "rami@northstar.example"),
        ("northstar", "priya@northstar.example"),
    ] {
        let mut s = scope(&db, sub, email).await;
        assert!(
            is_forbidden(projects::set_stock_mode(&mut s, project, StockMode::Open).await),
            "{email}"
        );
    }

    assert_eq!(all_events(&db).await, total);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let p = projects::get(&mut s, project).await.unwrap();
    assert_eq!(
        (p.name.as_str(), p.status, p.stock_mode),
        ("Marina Heights", ProjectStatus::Active, StockMode::Closed)
    );
}

/// R6.1, R2.2, R8.1: the owner's Sales Manager toggles the stock mode
/// (one event with before and after, carrying the project); the same mode
/// again writes nothing; its Content Editor is refused. The agents' next
/// read follows the new mode.
#[tokio::test]
async fn a_sales_manager_toggles_the_stock_mode_with_before_and_after() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let project = marina(&db).await;
    let before = events(&db, acme).await.len();

    let mut s = scope(&db, "acme", "dan@acme.example").await;
    assert!(is_forbidden(
        projects::set_stock_mode(&mut s, project, StockMode::Open).await
    ));

    drop(s);
    let mut s = scope(&db, "acme", "chloe@acme.example").await;
    let p = projects::set_stock_mode(&mut s, project, StockMode::Open)
        .await
        .unwrap();
    assert_eq!(p.stock_mode, StockMode::Open);
    let again = projects::set_stock_mode(&mut s, project, StockMode::Open)
        .await
        .unwrap();
    assert_eq!(again.stock_mode, StockMode::Open);
    s.commit().await.unwrap();

    let log = events(&db, acme).await;
    assert_eq!(log.len(), before + 1, "the same mode again is no change");
    assert_eq!(
        log.last().unwrap(),
        &(
            "project.stock_mode_changed".to_owned(),
            Some(project.as_uuid()),
            json!({"from": "closed", "to": "open"})
        )
    );
    // Open mode: Northstar's agent without assigned units sees every
    // available unit (37 of 40).
    let mut s = scope(&db, "northstar", "sara@northstar.example").await;
    assert_eq!(
        offplan::db::units::list(&mut s, project)
            .await
            .unwrap()
            .len(),
        37
    );

    // The log reads it as a sentence about the project.
    drop(s);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let page = log::page(&mut s, &Filter::default(), 10).await.unwrap();
    assert_eq!(
        page.entries[0].sentence(),
        "Chloe Evans switched Marina Heights from Closed pool to Open"
    );
}

/// R1.6, R8.1: settings write one event with only what changed, and none
/// when nothing did. An archived project leaves the list but is found by
/// id and slug.
#[tokio::test]
async fn settings_changes_carry_only_what_changed() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let project = marina(&db).await;
    let before = events(&db, acme).await.len();

    let mut s = scope(&db, "acme", "ben@acme.example").await;
    let p = projects::get(&mut s, project).await.unwrap();
    let same = projects::update_settings(&mut s, project, &settings_of(&p))
        .await
        .unwrap();
    assert_eq!(same, p);
    let mut to = settings_of(&p);
    to.name = "Marina Heights Residences".into();
    let renamed = projects::update_settings(&mut s, project, &to)
        .await
        .unwrap();
    assert_eq!(renamed.name, "Marina Heights Residences");
    to.status = ProjectStatus::Archived;
    projects::update_settings(&mut s, project, &to)
        .await
        .unwrap();
    s.commit().await.unwrap();

    let log = events(&db, acme).await;
    assert_eq!(log.len(), before + 2);
    assert_eq!(log[before].2, json!({"name_changed": true}));
    assert_eq!(
        log[before + 1].2,
        json!({"status_from": "active", "status_to": "archived"})
    );
    assert!(log[before..]
        .iter()
        .all(|(a, p, _)| a == "project.updated" && *p == Some(project.as_uuid())));

    let mut s = scope(&db, "acme", "ava@acme.example").await;
    assert!(projects::list(&mut s)
        .await
        .unwrap()
        .iter()
        .all(|p| p.id != project));
    assert_eq!(
        projects::get(&mut s, project).await.unwrap().status,
        ProjectStatus::Archived
    );
    assert!(projects::by_slug(&mut s, "marina-heights").await.is_ok());
    let page = log::page(&mut s, &Filter::default(), 10).await.unwrap();
    assert_eq!(
        page.entries[0].sentence(),
        "Ben Carter changed the settings of Marina Heights Residences: \
         status from Active to Archived"
    );
}

/// R1.7, R7.1: a partner reaches the project through its owner's
/// subdomain and slug, with the owner's name and its own relation; the
/// owner itself, an unrelated organisation, a wrong owner and a removed
/// partner do not.
#[tokio::test]
async fn partners_resolve_the_project_by_its_owner_and_slug() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let (zenith, zoe) = unrelated_org(&db).await;

    let mut s = scope(&db, "lumen", "marta@lumen.example").await;
    let SlugLookup::Found(p) = projects::resolve_partnered(&mut s, "acme", "marina-heights")
        .await
        .unwrap()
    else {
        panic!("not found by the studio partner")
    };
    assert_eq!(
        (
            p.id,
            p.relation,
            p.owner_subdomain.as_str(),
            p.owner_name.as_str()
        ),
        (project, Relation::StudioPartner, "acme", "Acme Homes")
    );
    assert!(is_not_found(
        projects::resolve_partnered(&mut s, "lumen", "marina-heights").await
    ));
    assert!(is_not_found(
        projects::resolve_partnered(&mut s, "northstar", "marina-heights").await
    ));
    let listed = projects::list(&mut s).await.unwrap();
    assert_eq!(listed, vec![p]);

    drop(s);
    let mut s = scope(&db, "northstar", "rami@northstar.example").await;
    assert!(matches!(
        projects::resolve_partnered(&mut s, "acme", "marina-heights").await.unwrap(),
        SlugLookup::Found(p) if p.relation == Relation::AgencyPartner
    ));

    drop(s);
    let mut s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(is_not_found(
        projects::resolve_partnered(&mut s, "acme", "marina-heights").await
    ));
    // The owner uses its own URL.
    drop(s);
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    assert!(is_not_found(
        projects::resolve_partnered(&mut s, "acme", "marina-heights").await
    ));

    // A removed partner reaches nothing.
    sqlx::query(
        "update project_partners set status = 'removed', removed_at = now()
         where partner_org_id = (select id from organisations where subdomain = 'lumen')",
    )
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    drop(s);
    let mut s = scope(&db, "lumen", "marta@lumen.example").await;
    assert!(is_not_found(
        projects::resolve_partnered(&mut s, "acme", "marina-heights").await
    ));
    assert!(is_not_found(projects::get(&mut s, project).await));
}

/// R7.1: the branded project home before sign-in shows active projects
/// only, of the organisation the host names, by the current or an old
/// slug (answering the current one, to redirect to).
#[tokio::test]
async fn the_public_project_home_shows_active_projects_only() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let project = marina(&db).await;
    let marina_public = Some(PublicProject {
        name: "Marina Heights".into(),
        slug: "marina-heights".into(),
    });
    assert_eq!(
        db.app.public_project(acme, "marina-heights").await.unwrap(),
        marina_public
    );
    // Another organisation's host: nothing, though it partners the project.
    assert_eq!(
        db.app
            .public_project(lumen, "marina-heights")
            .await
            .unwrap(),
        None
    );

    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let draft = projects::create(
        &mut s,
        &new_project("Quayside", "quayside", ProjectStatus::Draft),
    )
    .await
    .unwrap();
    s.commit().await.unwrap();
    assert_eq!(db.app.public_project(acme, "quayside").await.unwrap(), None);
    assert_eq!(
        db.app
            .public_project(acme, "riverside-gardens")
            .await
            .unwrap(),
        None,
        "the demo's draft"
    );

    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let mut to = settings_of(&draft);
    to.status = ProjectStatus::Active;
    to.slug = "quayside-lofts".into();
    projects::update_settings(&mut s, draft.id, &to)
        .await
        .unwrap();
    let p = projects::get(&mut s, project).await.unwrap();
    let mut archived = settings_of(&p);
    archived.status = ProjectStatus::Archived;
    projects::update_settings(&mut s, project, &archived)
        .await
        .unwrap();
    s.commit().await.unwrap();

    let lofts = Some(PublicProject {
        name: "Quayside".into(),
        slug: "quayside-lofts".into(),
    });
    assert_eq!(
        db.app.public_project(acme, "quayside-lofts").await.unwrap(),
        lofts
    );
    assert_eq!(
        db.app.public_project(acme, "quayside").await.unwrap(),
        lofts,
        "an old slug answers the current one"
    );
    assert_eq!(
        db.app.public_project(acme, "marina-heights").await.unwrap(),
        None,
        "archived"
    );
    assert_eq!(db.app.public_project(acme, "nowhere").await.unwrap(), None);

    // The runtime role reads the views, and nothing private through them.
    for private in ["id", "client_id", "stock_mode"] {
        let err = sqlx::query(&format!("select {private} from public_projects"))
            .execute(db.app.pool_for_tests())
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), "42703", "{private} is in the public view");
    }
}
