//! Project Settings → Activity log (SPEC R8.4, R2.2, R2.5; issue 12 item
//! 6) and where an event on a project is written (docs/decisions.md,
//! "Whose chain a partner's event goes into (issue 12)"). Acme (developer)
//! owns Marina Heights, partnered with Lumen (studio) and Northstar
//! (agency), and Riverside Gardens (its own only); Zenith is unrelated.

use crate::common::*;
use offplan::{
    db::{
        audit::{self, log::Filter, verify, Action, NewEvent},
        projects::{self, ProjectSettings, ProjectStatus, StockMode},
        seed,
        testing::{seeded_db, TestDb},
        RepoError, Scope,
    },
    domain::{OrgId, ProjectId},
};
use serde_json::json;

async fn scope(db: &TestDb, subdomain: &str, email: &str) -> Scope {
    db.app
        .scope(org(db, subdomain).await, user(db, email).await)
        .await
        .unwrap()
}

async fn project(db: &TestDb, slug: &str) -> ProjectId {
    let id: uuid::Uuid = sqlx::query_scalar("select id from projects where slug = $1")
        .bind(slug)
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    ProjectId::parse(&id.to_string()).unwrap()
}

/// Every event of `org`'s chain: (action, project, target, metadata), newest first.
async fn chain(
    db: &TestDb,
    org: OrgId,
) -> Vec<(
    String,
    Option<uuid::Uuid>,
    Option<String>,
    serde_json::Value,
)> {
    sqlx::query_as(
        "select action, project_id, target_id, metadata from audit_events
         where org_id = $1 order by seq desc",
    )
    .bind(org.as_uuid())
    .fetch_all(db.admin.pool_for_tests())
    .await
    .unwrap()
}

async fn all_events(db: &TestDb) -> i64 {
    sqlx::query_scalar("select count(*) from audit_events")
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

/// Acme's people change both projects: Chloe (Sales Manager) toggles
/// Marina Heights' stock mode three times, Ben (Admin) changes Riverside
/// Gardens' status and then Marina Heights' name. Marina ends with four
/// events, Riverside with one.
async fn history(db: &TestDb) -> (ProjectId, ProjectId) {
    let (marina, riverside) = (
        project(db, "marina-heights").await,
        project(db, "riverside-gardens").await,
    );
    let mut s = scope(db, "acme", "chloe@acme.example").await;
    for mode in [StockMode::Open, StockMode::Closed, StockMode::Open] {
        projects::set_stock_mode(&mut s, marina, mode)
            .await
            .unwrap();
    }
    s.commit().await.unwrap();
    let mut s = scope(db, "acme", "ben@acme.example").await;
    projects::update_settings(
        &mut s,
        riverside,
        &ProjectSettings {
            name: "Riverside Gardens".into(),
            slug: "riverside-gardens".into(),
            status: ProjectStatus::Active,
        },
    )
    .await
    .unwrap();
    projects::update_settings(
        &mut s,
        marina,
        &ProjectSettings {
            name: "Marina Heights II".into(),
            slug: "marina-heights".into(),
            status: ProjectStatus::Active,
        },
    )
    .await
    .unwrap();
    s.commit().await.unwrap();
    (marina, riverside)
}

/// R8.4, R2.2: the owner's Admin, Sales Manager and Content Editor see
/// the project's events, newest first, and only that project's: not the
/// other project's of the same organisation.
#[tokio::test]
async fn the_owners_roles_see_the_projects_events_and_no_other_projects() {
    let db = seeded_db().await.unwrap();
    let (marina, riverside) = history(&db).await;
    for email in [
        "ava@acme.example",
        "ben@acme.example",
        "chloe@acme.example",
        "dan@acme.example",
    ] {
        let mut s = scope(&db, "acme", email).await;
        let page = projects::activity(&mut s, marina, &Filter::default(), 50)
            .await
            .unwrap();
        let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "project.updated",
                "project.stock_mode_changed",
                "project.stock_mode_changed",
                "project.stock_mode_changed"
            ],
            "{email}"
        );
        assert_eq!(page.next_before, None);
        assert_eq!(
            page.entries[0].sentence(),
            "Ben Carter changed the settings of Marina Heights II: renamed it"
        );
        assert_eq!(
            page.entries[3].sentence(),
            "Chloe Evans switched Marina Heights II from Closed pool to Open"
        );
        let other = projects::activity(&mut s, riverside, &Filter::default(), 50)
            .await
            .unwrap();
        assert_eq!(other.entries.len(), 1, "{email}");
        assert_eq!(
            other.entries[0].metadata,
            json!({"status_from": "draft", "status_to": "active"})
        );
    }
    // What the filters offer: who acted on the project, what its events hold.
    let mut s = scope(&db, "acme", "dan@acme.example").await;
    let (people, actions) = projects::activity_choices(&mut s, marina).await.unwrap();
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Ben Carter", "Chloe Evans"]);
    assert_eq!(
        actions,
        [Action::ProjectUpdated, Action::ProjectStockModeChanged]
    );
}

/// R2.2, R2.5: a Sales Agent of the owner is refused (403); another
/// organisation — unrelated, or a partner of the project, whose members
/// see the project but not its owner's chain — finds no such log (404).
#[tokio::test]
async fn a_sales_agent_is_forbidden_and_other_organisations_find_nothing() {
    let db = seeded_db().await.unwrap();
    let (marina, _) = history(&db).await;
    let mut s = scope(&db, "acme", "ella@acme.example").await;
    assert!(matches!(
        projects::activity(&mut s, marina, &Filter::default(), 50).await,
        Err(RepoError::Forbidden(_))
    ));
    assert!(matches!(
        projects::activity_choices(&mut s, marina).await,
        Err(RepoError::Forbidden(_))
    ));
    drop(s);

    let (zenith, zoe) = unrelated_org(&db).await;
    let mut s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(matches!(
        projects::activity(&mut s, marina, &Filter::default(), 50).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        projects::activity_choices(&mut s, marina).await,
        Err(RepoError::NotFound)
    ));
    drop(s);
    for (sub, email) in [
        ("lumen", "luis@lumen.example"),
        ("northstar", "omar@northstar.example"),
        ("northstar", "rami@northstar.example"),
    ] {
        let mut s = scope(&db, sub, email).await;
        assert!(
            matches!(
                projects::activity(&mut s, marina, &Filter::default(), 50).await,
                Err(RepoError::NotFound)
            ),
            "{email}"
        );
    }
}

/// R8.4: the organisation log's filters (actor, action, date range) and
/// keyset paging, newest first, without gaps or repeats.
#[tokio::test]
async fn filters_and_keyset_paging_work_on_the_project_log() {
    let db = seeded_db().await.unwrap();
    let (marina, _) = history(&db).await;
    let ben = user(&db, "ben@acme.example").await;
    let chloe = user(&db, "chloe@acme.example").await;
    let mut s = scope(&db, "acme", "ava@acme.example").await;
    let all = projects::activity(&mut s, marina, &Filter::default(), 50)
        .await
        .unwrap()
        .entries;
    assert_eq!(all.len(), 4);

    let by = |actor| Filter {
        actor: Some(actor),
        ..Filter::default()
    };
    let bens = projects::activity(&mut s, marina, &by(ben), 50)
        .await
        .unwrap();
    assert_eq!(bens.entries.len(), 1);
    assert_eq!(bens.entries[0].actor.as_deref(), Some("Ben Carter"));
    let chloes = projects::activity(&mut s, marina, &by(chloe), 50)
        .await
        .unwrap();
    assert_eq!(chloes.entries.len(), 3);

    let toggles = Filter {
        action: Some(Action::ProjectStockModeChanged),
        ..Filter::default()
    };
    let page = projects::activity(&mut s, marina, &toggles, 50)
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 3);
    assert!(page
        .entries
        .iter()
        .all(|e| e.action == "project.stock_mode_changed"));

    let today = time::OffsetDateTime::now_utc().date();
    let range = |from, to| Filter {
        from,
        to,
        ..Filter::default()
    };
    for (filter, n) in [
        (range(Some(today), Some(today)), 4),
        (range(today.previous_day(), None), 4),
        (range(today.next_day(), None), 0),
        (range(None, today.previous_day()), 0),
    ] {
        let page = projects::activity(&mut s, marina, &filter, 50)
            .await
            .unwrap();
        assert_eq!(page.entries.len(), n, "{filter:?}");
    }

    // Pages of one: the same four, in the same order, then no cursor.
    let mut cursor = Filter::default();
    let mut paged = Vec::new();
    loop {
        let page = projects::activity(&mut s, marina, &cursor, 1)
            .await
            .unwrap();
        assert!(page.entries.len() <= 1);
        paged.extend(page.entries);
        match page.next_before {
            Some(b) => cursor.before = Some(b),
            None => break,
        }
    }
    assert_eq!(paged, all);
    // A cursor with a filter: the second of Chloe's toggles onwards.
    let first = projects::activity(&mut s, marina, &by(chloe), 1)
        .await
        .unwrap();
    let rest = projects::activity(
        &mut s,
        marina,
        &Filter {
            before: first.next_before,
            ..by(chloe)
        },
        50,
    )
    .await
    .unwrap();
    assert_eq!(rest.entries.len(), 2);
    assert!(rest.entries.iter().all(|e| e.seq < first.entries[0].seq));
}

/// The decision on a partner's event: it goes into the owner's chain with
/// the project and `actor_org`, and a twin into the partner's own chain
/// (no project, target the project, `owner_org`); both chains stay valid;
/// the owner's activity log shows it and the partner's own log does too.
/// A non-partner writes nothing and finds nothing.
#[tokio::test]
async fn a_partners_event_goes_into_the_owners_chain_and_a_twin_into_its_own() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let marina = project(&db, "marina-heights").await;
    let luis = user(&db, "luis@lumen.example").await;

    let mut s = scope(&db, "lumen", "luis@lumen.example").await;
    audit::append_project_event(
        &mut s,
        acme,
        marina,
        NewEvent::new(Some(luis), Action::ProjectUpdated).metadata(json!({"name_changed": true})),
    )
    .await
    .unwrap();
    // The scope is Lumen's again: it still sees its own projects' list.
    assert!(projects::list(&mut s)
        .await
        .unwrap()
        .iter()
        .any(|p| p.id == marina));
    s.commit().await.unwrap();

    let owners = chain(&db, acme).await;
    assert_eq!(
        owners[0],
        (
            "project.updated".to_owned(),
            Some(marina.as_uuid()),
            None,
            json!({"name_changed": true, "actor_org": lumen.to_string()})
        )
    );
    let partners = chain(&db, lumen).await;
    assert_eq!(
        partners[0],
        (
            "project.updated".to_owned(),
            None,
            Some(marina.to_string()),
            json!({"name_changed": true, "owner_org": acme.to_string()})
        )
    );
    for report in verify::verify_database(&db.admin, None).await.unwrap() {
        assert!(report.broken.is_none(), "{report:?}");
    }

    // The owner's activity log shows it, by the partner's member.
    let mut s = scope(&db, "acme", "ben@acme.example").await;
    let page = projects::activity(&mut s, marina, &Filter::default(), 50)
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].actor.as_deref(), Some("Luís Costa"));
    drop(s);
    // The partner's own organisation log accounts for its member.
    let mut s = scope(&db, "lumen", "luis@lumen.example").await;
    let page = audit::log::page(&mut s, &Filter::default(), 50)
        .await
        .unwrap();
    assert_eq!(page.entries[0].action, "project.updated");
    assert_eq!(page.entries[0].target_type.as_deref(), Some("project"));
    assert_eq!(
        page.entries[0].sentence(),
        "Luís Costa changed the settings of Marina Heights: renamed it"
    );
    drop(s);

    // The owner's own member: one event, in its own chain.
    let ben = user(&db, "ben@acme.example").await;
    let before = all_events(&db).await;
    let mut s = scope(&db, "acme", "ben@acme.example").await;
    audit::append_project_event(
        &mut s,
        acme,
        marina,
        NewEvent::new(Some(ben), Action::ProjectStockModeChanged)
            .metadata(json!({"from": "closed", "to": "open"})),
    )
    .await
    .unwrap();
    s.commit().await.unwrap();
    assert_eq!(all_events(&db).await, before + 1);
    assert_eq!(
        chain(&db, acme).await[0].3,
        json!({"from": "closed", "to": "open"})
    );

    // Not a partner (Zenith; Lumen on Riverside Gardens): nothing written.
    let before = all_events(&db).await;
    let (zenith, zoe) = unrelated_org(&db).await;
    let mut s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(matches!(
        audit::append_project_event(
            &mut s,
            acme,
            marina,
            NewEvent::new(Some(zoe), Action::ProjectUpdated)
        )
        .await,
        Err(RepoError::NotFound)
    ));
    drop(s);
    let riverside = project(&db, "riverside-gardens").await;
    let mut s = scope(&db, "lumen", "luis@lumen.example").await;
    assert!(matches!(
        audit::append_project_event(
            &mut s,
            acme,
            riverside,
            NewEvent::new(Some(luis), Action::ProjectUpdated)
        )
        .await,
        Err(RepoError::NotFound)
    ));
    s.commit().await.unwrap();
    assert_eq!(all_events(&db).await, before);
}

/// The demo's history: the seed gives both demo projects events (once),
/// and the activity log shows them.
#[tokio::test]
async fn the_demo_projects_have_a_history() {
    let db = seeded_db().await.unwrap();
    seed::demo_activity(&db.admin).await.unwrap();
    seed::demo_activity(&db.admin).await.unwrap();
    let mut s = scope(&db, "acme", "ben@acme.example").await;
    let riverside = project(&db, "riverside-gardens").await;
    let page = projects::activity(&mut s, riverside, &Filter::default(), 50)
        .await
        .unwrap();
    let sentences: Vec<String> = page.entries.iter().map(|e| e.sentence()).collect();
    assert_eq!(
        sentences,
        [
            "Ben Carter changed the settings of Riverside Gardens: status from Active to Draft",
            "Chloe Evans switched Riverside Gardens from Open to Closed pool",
            "Chloe Evans switched Riverside Gardens from Closed pool to Open",
            "Ava Thompson created the project Riverside Gardens",
        ]
    );
    let marina = project(&db, "marina-heights").await;
    assert_eq!(
        projects::activity(&mut s, marina, &Filter::default(), 50)
            .await
            .unwrap()
            .entries
            .len(),
        1
    );
    for report in verify::verify_database(&db.admin, None).await.unwrap() {
        assert!(report.broken.is_none(), "{report:?}");
    }
}
