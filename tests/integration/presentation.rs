//! The project's presentation, its images and its units' facts (SPEC R2.2
//! "edit project content" and "allocate units", R2.5, R8.1; issue 13).
//! Acme (developer) owns Marina Heights, partnered with Lumen (studio) and
//! Northstar (agency); Zenith is unrelated.

use crate::common::*;
use offplan::{
    db::{
        media::{self, Encoded, Move},
        projects::{self, presentation},
        testing::{seeded_db, TestDb},
        units::{self, facts},
        RepoError, Scope,
    },
    domain::{
        presentation::{PresentationFields, UnitFacts, YearMonth},
        MediaRole, OrgId, ProjectId, UnitId,
    },
    error::Conflict,
};

async fn scope(db: &TestDb, subdomain: &str, email: &str) -> Scope {
    db.app
        .scope(org(db, subdomain).await, user(db, email).await)
        .await
        .unwrap()
}

/// Ends a scope: a dropped transaction is rolled back only when its
/// connection is next used, so its row locks (the membership's "last
/// active") would outlive it and block the next scope of the same person.
async fn done(s: Scope) {
    let _ = s.commit().await;
}

/// The events of `org`'s chain with `action`: (project, metadata), newest first.
async fn events(
    db: &TestDb,
    org: OrgId,
    action: &str,
) -> Vec<(Option<uuid::Uuid>, serde_json::Value)> {
    sqlx::query_as(
        "select project_id, metadata from audit_events
         where org_id = $1 and action = $2 order by seq desc",
    )
    .bind(org.as_uuid())
    .bind(action)
    .fetch_all(db.admin.pool_for_tests())
    .await
    .unwrap()
}

fn text(headline: &str, location: &str) -> PresentationFields {
    PresentationFields::parse(headline, "Sea views from every floor.", location, "2028-06").unwrap()
}

fn encoded(seed: u8) -> Encoded {
    Encoded {
        web_key: format!("{:02x}", seed).repeat(32),
        thumb_key: format!("{:02x}", seed.wrapping_add(100)).repeat(32),
        content_type: "image/jpeg",
        width: 800,
        height: 600,
        bytes: 12_345,
    }
}

async fn add(
    s: &mut Scope,
    project: ProjectId,
    role: MediaRole,
    unit: Option<UnitId>,
    seed: u8,
) -> Result<media::Media, RepoError> {
    let target = media::authorize_upload(s, project, role, unit).await?;
    media::add(s, &target, &encoded(seed)).await
}

/// R2.2: the owner's Content Editor and the studio partner's Content
/// Editor edit the presentation; each edit names the changed fields (not
/// their text) in the project's activity log, and the row says who
/// changed it last.
#[tokio::test]
async fn owner_and_studio_content_editors_edit_and_the_log_names_the_fields() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let acme = org(&db, "acme").await;
    let lumen = org(&db, "lumen").await;

    let mut s = scope(&db, "acme", "dan@acme.example").await;
    let p = presentation::update_presentation(&mut s, project, &text("Live by the sea", "Porto"))
        .await
        .unwrap();
    assert!(p.may_edit);
    assert_eq!(p.fields.headline.as_deref(), Some("Live by the sea"));
    assert_eq!(p.fields.expected_completion, YearMonth::parse("2028-06"));
    assert_eq!(p.last_changed.as_ref().unwrap().name, "Dan Hughes");
    s.commit().await.unwrap();

    let mut s = scope(&db, "lumen", "marta@lumen.example").await;
    let p = presentation::update_presentation(
        &mut s,
        project,
        &text("Live by the ocean", "Porto, Foz"),
    )
    .await
    .unwrap();
    let last = p.last_changed.unwrap();
    assert_eq!((last.name.as_str(), last.org_id), ("Marta Silva", lumen));
    // The same text again changes nothing and writes nothing.
    presentation::update_presentation(&mut s, project, &text("Live by the ocean", "Porto, Foz"))
        .await
        .unwrap();
    s.commit().await.unwrap();

    let owner_events = events(&db, acme, "presentation.updated").await;
    assert_eq!(owner_events.len(), 2);
    assert_eq!(owner_events[0].0, Some(project.as_uuid()));
    assert_eq!(
        owner_events[0].1["fields"],
        serde_json::json!(["headline", "location"])
    );
    assert_eq!(
        owner_events[0].1["actor_org"],
        serde_json::json!(lumen.to_string())
    );
    assert_eq!(
        owner_events[1].1["fields"],
        serde_json::json!(["headline", "description", "location", "expected_completion"])
    );
    // The text itself is nowhere in the event.
    assert!(!owner_events[0].1.to_string().contains("ocean"));
    // The studio's twin in its own chain (R8.1).
    assert_eq!(events(&db, lumen, "presentation.updated").await.len(), 1);

    // The unit's description, by the studio.
    let a101 = unit(&db, "A-101").await;
    let mut s = scope(&db, "lumen", "marta@lumen.example").await;
    let up = presentation::update_unit_presentation(&mut s, project, a101, Some("Corner flat."))
        .await
        .unwrap();
    assert_eq!(up.description.as_deref(), Some("Corner flat."));
    s.commit().await.unwrap();
    let e = events(&db, acme, "unit_presentation.updated").await;
    assert_eq!(e[0].1["fields"], serde_json::json!(["description"]));
    assert_eq!(e[0].1["unit_code"], serde_json::json!("A-101"));
}

/// R2.2, R2.5: an agency partner's Owner and the owner's Sales Agent and
/// Sales Manager are refused (403); another organisation does not find the
/// project (404). Nothing is written.
#[tokio::test]
async fn agency_partners_sales_roles_and_strangers_may_not_edit() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let a101 = unit(&db, "A-101").await;
    for (sub, email) in [
        ("northstar", "omar@northstar.example"),
        ("acme", "ella@acme.example"),
        ("acme", "chloe@acme.example"),
    ] {
        let mut s = scope(&db, sub, email).await;
        let r = presentation::update_presentation(&mut s, project, &text("x", "y")).await;
        assert!(matches!(r, Err(RepoError::Forbidden(_))), "{email}: {r:?}");
        done(s).await;
        s = scope(&db, sub, email).await;
        let r = media::authorize_upload(&mut s, project, MediaRole::Hero, None).await;
        assert!(matches!(r, Err(RepoError::Forbidden(_))), "{email}: {r:?}");
        // Reading is fine for anyone who sees the project.
        done(s).await;
        s = scope(&db, sub, email).await;
        let p = presentation::presentation(&mut s, project).await.unwrap();
        assert!(!p.may_edit);
        done(s).await;
    }
    let mut s = scope(&db, "northstar", "omar@northstar.example").await;
    let r = presentation::update_unit_presentation(&mut s, project, a101, Some("x")).await;
    assert!(matches!(r, Err(RepoError::Forbidden(_))), "{r:?}");
    done(s).await;

    let (zenith, zoe) = unrelated_org(&db).await;
    let mut s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(matches!(
        presentation::update_presentation(&mut s, project, &text("x", "y")).await,
        Err(RepoError::NotFound)
    ));
    done(s).await;
    s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(matches!(
        presentation::presentation(&mut s, project).await,
        Err(RepoError::NotFound)
    ));
    done(s).await;
    s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(matches!(
        media::authorize_upload(&mut s, project, MediaRole::Hero, None).await,
        Err(RepoError::NotFound)
    ));
    done(s).await;
    assert!(events(&db, org(&db, "acme").await, "presentation.updated")
        .await
        .is_empty());
}

/// R3.4: one live hero (a new one replaces it), an ordered gallery that
/// can be reordered and pruned, a floor plan per unit; removed images
/// leave `media_objects` (so the media origin stops serving them).
#[tokio::test]
async fn hero_gallery_and_floor_plans() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let acme = org(&db, "acme").await;
    let a101 = unit(&db, "A-101").await;

    let mut s = scope(&db, "lumen", "marta@lumen.example").await;
    let first = add(&mut s, project, MediaRole::Hero, None, 1)
        .await
        .unwrap();
    let second = add(&mut s, project, MediaRole::Hero, None, 2)
        .await
        .unwrap();
    let g1 = add(&mut s, project, MediaRole::Gallery, None, 3)
        .await
        .unwrap();
    let g2 = add(&mut s, project, MediaRole::Gallery, None, 4)
        .await
        .unwrap();
    let g3 = add(&mut s, project, MediaRole::Gallery, None, 5)
        .await
        .unwrap();
    let plan = add(&mut s, project, MediaRole::FloorPlan, Some(a101), 6)
        .await
        .unwrap();
    // A floor plan needs a unit; a hero takes none.
    assert!(matches!(
        media::authorize_upload(&mut s, project, MediaRole::FloorPlan, None).await,
        Err(RepoError::NotFound)
    ));
    let all = media::project_media(&mut s, project).await.unwrap();
    assert_eq!(all.hero.as_ref().map(|m| m.id), Some(second.id));
    let order: Vec<_> = all.gallery.iter().map(|m| m.id).collect();
    assert_eq!(order, [g1.id, g2.id, g3.id]);
    let moved = media::move_image(&mut s, project, g3.id, Move::Up)
        .await
        .unwrap();
    let order: Vec<_> = moved.gallery.iter().map(|m| m.id).collect();
    assert_eq!(order, [g1.id, g3.id, g2.id]);
    // At the top, up changes nothing.
    media::move_image(&mut s, project, g1.id, Move::Up)
        .await
        .unwrap();
    media::remove(&mut s, project, g2.id).await.unwrap();
    assert!(matches!(
        media::remove(&mut s, project, g2.id).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(
        media::floor_plan(&mut s, project, a101)
            .await
            .unwrap()
            .map(|m| m.id),
        Some(plan.id)
    );
    s.commit().await.unwrap();

    // Served names: the live ones only.
    assert_eq!(
        db.app
            .media_object_type(&second.web_key)
            .await
            .unwrap()
            .as_deref(),
        Some("image/jpeg")
    );
    assert_eq!(
        db.app.media_object_type(&first.web_key).await.unwrap(),
        None
    );
    assert_eq!(db.app.media_object_type(&g2.thumb_key).await.unwrap(), None);
    assert_eq!(
        db.app.media_object_type("../etc/passwd").await.unwrap(),
        None
    );

    let added = events(&db, acme, "media.added").await;
    assert_eq!(added.len(), 6);
    assert_eq!(added[0].1["role"], serde_json::json!("floor_plan"));
    assert_eq!(added[0].1["unit_code"], serde_json::json!("A-101"));
    assert_eq!(added[4].1["replaced"], serde_json::json!(true));
    assert_eq!(events(&db, acme, "media.reordered").await.len(), 1);
    assert_eq!(events(&db, acme, "media.removed").await.len(), 1);

    // The agency sees the images but may not change them.
    let mut s = scope(&db, "northstar", "omar@northstar.example").await;
    assert_eq!(
        media::project_media(&mut s, project)
            .await
            .unwrap()
            .gallery
            .len(),
        2
    );
    assert!(matches!(
        media::remove(&mut s, project, g1.id).await,
        Err(RepoError::Forbidden(_))
    ));
}

/// R2.2 "allocate units": only the owner's Owner, Admin and Sales Manager
/// add units and change their facts; the code is unique in the project;
/// the event names the changed facts.
#[tokio::test]
async fn unit_facts_only_by_the_owners_managers() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let acme = org(&db, "acme").await;
    let a101 = unit(&db, "A-101").await;
    let new = UnitFacts::parse("B-001", "0", "2", "84.5", "450000").unwrap();

    let mut s = scope(&db, "acme", "chloe@acme.example").await;
    let created = facts::create(&mut s, project, &new).await.unwrap();
    assert_eq!(created.code, "B-001");
    assert_eq!(
        facts::facts(&mut s, &created).await.unwrap().area_centi_m2,
        Some(8450)
    );
    s.commit().await.unwrap();
    // A taken code is a conflict (and leaves this transaction unusable).
    let mut s = scope(&db, "acme", "chloe@acme.example").await;
    assert!(matches!(
        facts::create(&mut s, project, &new).await,
        Err(RepoError::Conflict(Conflict::UnitCodeTaken))
    ));
    done(s).await;

    let mut s = scope(&db, "acme", "ben@acme.example").await;
    let before = units::get(&mut s, project, a101).await.unwrap();
    let changed = UnitFacts {
        price_minor: Some(99_000_000),
        floor: Some(2),
        ..facts::facts(&mut s, &before).await.unwrap()
    };
    let u = facts::update(&mut s, project, a101, &changed)
        .await
        .unwrap();
    assert_eq!((u.price_minor, u.floor), (Some(99_000_000), Some(2)));
    s.commit().await.unwrap();
    let mut s = scope(&db, "acme", "ben@acme.example").await;
    let taken = UnitFacts {
        code: "B-001".into(),
        ..changed.clone()
    };
    assert!(matches!(
        facts::update(&mut s, project, a101, &taken).await,
        Err(RepoError::Conflict(Conflict::UnitCodeTaken))
    ));
    done(s).await;

    let e = events(&db, acme, "unit.facts_changed").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].1["fields"], serde_json::json!(["floor", "price"]));
    assert_eq!(events(&db, acme, "unit.created").await.len(), 1);

    // Who changed the facts last: Ben changed A-101; Chloe added B-001.
    let mut s = scope(&db, "acme", "chloe@acme.example").await;
    let p = projects::get(&mut s, project).await.unwrap();
    let u = units::get(&mut s, project, a101).await.unwrap();
    let last = facts::facts_last_changed(&mut s, &p, &u).await.unwrap();
    assert_eq!(last.map(|l| l.name), Some("Ben Carter".to_owned()));
    let u = units::get(&mut s, project, created.id).await.unwrap();
    let last = facts::facts_last_changed(&mut s, &p, &u).await.unwrap();
    assert_eq!(last.map(|l| l.name), Some("Chloe Evans".to_owned()));
    done(s).await;

    // The owner's Content Editor and Sales Agent, the studio and the
    // agency: 403. Zenith: 404.
    for (sub, email) in [
        ("acme", "dan@acme.example"),
        ("acme", "ella@acme.example"),
        ("lumen", "luis@lumen.example"),
        ("northstar", "omar@northstar.example"),
    ] {
        let mut s = scope(&db, sub, email).await;
        let r = facts::create(
            &mut s,
            project,
            &UnitFacts::parse("C-1", "", "", "", "").unwrap(),
        )
        .await;
        assert!(matches!(r, Err(RepoError::Forbidden(_))), "{email}: {r:?}");
        done(s).await;
    }
    let (zenith, zoe) = unrelated_org(&db).await;
    let mut s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(matches!(
        facts::update(&mut s, project, a101, &changed).await,
        Err(RepoError::NotFound)
    ));
    done(s).await;
    s = db.app.scope(zenith, zoe).await.unwrap();
    assert!(matches!(
        units::get(&mut s, project, a101).await,
        Err(RepoError::NotFound)
    ));
}
