//! Forward invitations and project partners against a real database (SPEC
//! R1.3, R1.7, R5.2, R5.4, R8.1; issue 12 item 3). Three organisations
//! where partners are involved: Acme (developer) owns Marina Heights,
//! partnered with Lumen (studio) and Northstar (agency); Harbour (agency)
//! is invited; Zenith (developer) is unrelated.

use crate::common::*;
use offplan::{
    db::{
        invitations::forward::{self, ForwardError, ForwardLetter, ForwardOutcome, Invitee},
        projects::{self, partners},
        testing::{seeded_db, TestDb},
        unscoped::{AcceptAs, PartnerAcceptError, PartnerAcceptOutcome, PartnerSignup},
        RepoError, RequestMeta,
    },
    domain::{EmailAddress, InvitationState, OrgId, PartnerKind, ProjectId, Subdomain, UserId},
    error::Conflict,
    token::{Token, TokenHash},
};
use std::sync::{Arc, Mutex};

/// Harbour Estates, an agency not yet on any project, with its Owner Hana.
async fn harbour(db: &TestDb) -> (OrgId, UserId) {
    let (org, owner): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "with u as (insert into users (email, display_name, email_verified)
                    values ('hana@harbour.example', 'Hana Harbour', true) returning id),
              o as (insert into organisations (name, subdomain, country, client_types, owner_user_id)
                    select 'Harbour Estates', 'harbour', 'GB', '{agency}', u.id from u
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

/// Sends a forward invitation as `actor` of `org`; answers the emailed token.
async fn invite(
    db: &TestDb,
    org: OrgId,
    actor: UserId,
    project: ProjectId,
    invitee: Invitee,
    kind: PartnerKind,
) -> Result<TokenHash, ForwardError> {
    let sent: Arc<Mutex<Option<TokenHash>>> = Arc::default();
    let keep = sent.clone();
    let link = move |t: &Token| {
        *keep.lock().unwrap() = Some(t.hash());
        format!("https://acme.x/partner-invite/{}", t.expose())
    };
    let letter = ForwardLetter {
        org_name: "Acme Homes",
        inviter: "Ava",
        link: &link,
    };
    let mut scope = db.app.scope(org, actor).await.unwrap();
    let out = forward::invite(
        &mut scope,
        project,
        &invitee,
        kind,
        &letter,
        &RequestMeta::default(),
    )
    .await?;
    scope.commit().await.unwrap();
    assert!(matches!(
        out,
        ForwardOutcome::Sent | ForwardOutcome::Refreshed
    ));
    let hash = *sent.lock().unwrap();
    Ok(hash.unwrap())
}

fn by_org(subdomain: &str) -> Invitee {
    Invitee::Organisation(Subdomain::parse(subdomain).unwrap())
}

fn by_email(email: &str) -> Invitee {
    Invitee::Email(EmailAddress::parse(email).unwrap())
}

async fn partner_rows(db: &TestDb, project: ProjectId, partner: OrgId) -> Vec<(String,)> {
    sqlx::query_as(
        "select status::text from project_partners where project_id = $1 and partner_org_id = $2",
    )
    .bind(project.as_uuid())
    .bind(partner.as_uuid())
    .fetch_all(db.admin.pool_for_tests())
    .await
    .unwrap()
}

async fn actions(db: &TestDb, org: OrgId) -> Vec<(String, Option<uuid::Uuid>, serde_json::Value)> {
    sqlx::query_as(
        "select action, project_id, metadata from audit_events where org_id = $1 order by seq",
    )
    .bind(org.as_uuid())
    .fetch_all(db.admin.pool_for_tests())
    .await
    .unwrap()
}

#[tokio::test]
async fn an_existing_agency_invited_by_subdomain_is_admitted_by_its_owner() {
    let db = seeded_db().await.unwrap();
    let (acme, ava) = (org(&db, "acme").await, user(&db, "ava@acme.example").await);
    let (harbour, hana) = harbour(&db).await;
    let project = marina(&db).await;
    let hash = invite(
        &db,
        acme,
        ava,
        project,
        by_org("harbour"),
        PartnerKind::Agency,
    )
    .await
    .unwrap();
    // Its Owner was mailed; the address never left the database.
    let mailed: i64 = sqlx::query_scalar(
        "select count(*) from outbox where to_email = 'hana@harbour.example' and body_text like '%partner-invite%'",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(mailed, 1);
    // The landing page offers Harbour, and nothing that may not accept.
    let view = db
        .app
        .partner_invitation(&hash, Some(hana))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.state, InvitationState::Valid);
    assert_eq!(view.partner_org_name.as_deref(), Some("Harbour Estates"));
    assert_eq!(
        view.choices.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![harbour]
    );
    // The invited organisation accepts as itself, never as a new one.
    let new = AcceptAs::New {
        name: "Other".into(),
        subdomain: Subdomain::parse("other-agency").unwrap(),
    };
    let refused = db
        .app
        .accept_partner_invitation(&hash, hana, &new, &RequestMeta::default())
        .await
        .unwrap();
    assert_eq!(refused, Some(PartnerAcceptOutcome::NotEligible));
    let out = db
        .app
        .accept_partner_invitation(
            &hash,
            hana,
            &AcceptAs::Existing(harbour),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    let Some(PartnerAcceptOutcome::Joined(joined)) = out else {
        panic!("not joined: {out:?}")
    };
    assert_eq!(
        (
            joined.partner_subdomain.as_str(),
            joined.owner_subdomain.as_str(),
            joined.project_slug.as_str()
        ),
        ("harbour", "acme", "marina-heights")
    );
    assert_eq!(
        partner_rows(&db, project, harbour).await,
        vec![("active".to_owned(),)]
    );
    // Harbour's members now see the project in their own workspace.
    let mut scope = db.app.scope(harbour, hana).await.unwrap();
    let seen = projects::get(&mut scope, project).await.unwrap();
    assert_eq!(seen.relation, projects::Relation::AgencyPartner);
    drop(scope);
    // One event in each chain: the owner's carries the project, the
    // partner's twin names the owner (docs/decisions.md).
    let owner_events = actions(&db, acme).await;
    let joined_event = owner_events
        .iter()
        .find(|e| e.0 == "partner.joined")
        .unwrap();
    assert_eq!(joined_event.1, Some(project.as_uuid()));
    assert_eq!(joined_event.2["partner_name"], "Harbour Estates");
    // The project's activity log reads as sentences naming the project.
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    let log = projects::activity(&mut scope, project, &Default::default(), 10)
        .await
        .unwrap();
    drop(scope);
    let sentences: Vec<String> = log.entries.iter().map(|e| e.sentence()).collect();
    assert!(
        sentences
            .iter()
            .any(|s| s == "Ava Thompson invited Harbour Estates to Marina Heights as an agency"),
        "{sentences:?}"
    );
    assert!(
        sentences
            .iter()
            .any(|s| s == "Hana Harbour brought Harbour Estates into Marina Heights as an agency"),
        "{sentences:?}"
    );
    let twin = actions(&db, harbour).await;
    let twin = twin.iter().find(|e| e.0 == "partner.joined").unwrap();
    assert_eq!(twin.1, None);
    assert_eq!(twin.2["owner_org"], acme.to_string());
    // Used once.
    let again = db
        .app
        .accept_partner_invitation(
            &hash,
            hana,
            &AcceptAs::Existing(harbour),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        Some(PartnerAcceptOutcome::NotPending(InvitationState::Accepted))
    );
}

#[tokio::test]
async fn an_invitation_by_email_is_accepted_by_that_person_for_a_new_organisation() {
    let db = seeded_db().await.unwrap();
    let (acme, ben) = (org(&db, "acme").await, user(&db, "ben@acme.example").await);
    let (_, hana) = harbour(&db).await;
    let project = marina(&db).await;
    let hash = invite(
        &db,
        acme,
        ben,
        project,
        by_email("hana@harbour.example"),
        PartnerKind::Studio,
    )
    .await
    .unwrap();
    // Someone else signed in cannot accept it (R5.6).
    let omar = user(&db, "omar@northstar.example").await;
    let wrong = db
        .app
        .accept_partner_invitation(
            &hash,
            omar,
            &AcceptAs::Existing(org(&db, "northstar").await),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    assert!(matches!(
        wrong,
        Some(PartnerAcceptOutcome::WrongAccount { .. })
    ));
    // Hana's Harbour is an agency only: it may not join as a studio, so
    // the choice is a new studio.
    let view = db
        .app
        .partner_invitation(&hash, Some(hana))
        .await
        .unwrap()
        .unwrap();
    assert!(view.choices.is_empty(), "{:?}", view.choices);
    let new = AcceptAs::New {
        name: "Harbour Visuals".into(),
        subdomain: Subdomain::parse("harbour-visuals").unwrap(),
    };
    let out = db
        .app
        .accept_partner_invitation(&hash, hana, &new, &RequestMeta::default())
        .await
        .unwrap();
    let Some(PartnerAcceptOutcome::Joined(joined)) = out else {
        panic!("not joined: {out:?}")
    };
    assert_eq!(joined.partner_subdomain, "harbour-visuals");
    let created = org(&db, "harbour-visuals").await;
    let (types, owner): (Vec<String>, uuid::Uuid) = sqlx::query_as(
        "select client_types::text[], owner_user_id from organisations where id = $1",
    )
    .bind(created.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!((types, owner), (vec!["studio".to_owned()], hana.as_uuid()));
    assert_eq!(
        partner_rows(&db, project, created).await,
        vec![("active".to_owned(),)]
    );
}

#[tokio::test]
async fn a_new_person_signs_up_and_creates_the_partner_organisation() {
    let db = seeded_db().await.unwrap();
    let (acme, ava) = (org(&db, "acme").await, user(&db, "ava@acme.example").await);
    let project = marina(&db).await;
    let hash = invite(
        &db,
        acme,
        ava,
        project,
        by_email("nina@new-agency.example"),
        PartnerKind::Agency,
    )
    .await
    .unwrap();
    let signup = PartnerSignup {
        display_name: "Nina New".into(),
        password_hash: Some(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        ),
        google_subject: None,
        org_name: "New Agency".into(),
        subdomain: Subdomain::parse("new-agency").unwrap(),
    };
    let (nina, joined) = db
        .app
        .sign_up_from_partner_invitation(&hash, &signup, &RequestMeta::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(joined.partner_subdomain, "new-agency");
    let created = org(&db, "new-agency").await;
    assert_eq!(
        partner_rows(&db, project, created).await,
        vec![("active".to_owned(),)]
    );
    let verified: bool = sqlx::query_scalar("select email_verified from users where id = $1")
        .bind(nina.as_uuid())
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    assert!(verified, "the mailed link verifies the address");
    // A second sign-up from the used link creates nothing.
    let again = db
        .app
        .sign_up_from_partner_invitation(
            &hash,
            &PartnerSignup {
                subdomain: Subdomain::parse("second").unwrap(),
                ..signup
            },
            &RequestMeta::default(),
        )
        .await;
    assert!(
        matches!(
            again,
            Err(PartnerAcceptError::NotPending(InvitationState::Accepted))
        ),
        "{again:?}"
    );
    assert!(
        sqlx::query_scalar::<_, i64>(
            "select count(*) from organisations where subdomain = 'second'"
        )
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
            == 0
    );
}

#[tokio::test]
async fn fifty_concurrent_accepts_make_one_partnership() {
    let db = seeded_db().await.unwrap();
    let (acme, ava) = (org(&db, "acme").await, user(&db, "ava@acme.example").await);
    let (harbour, hana) = harbour(&db).await;
    let project = marina(&db).await;
    let hash = invite(
        &db,
        acme,
        ava,
        project,
        by_org("harbour"),
        PartnerKind::Agency,
    )
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let app = db.app.clone();
        tasks.push(tokio::spawn(async move {
            app.accept_partner_invitation(
                &hash,
                hana,
                &AcceptAs::Existing(harbour),
                &RequestMeta::default(),
            )
            .await
            .unwrap()
        }));
    }
    let mut joined = 0;
    let mut already = 0;
    for t in tasks {
        match t.await.unwrap() {
            Some(PartnerAcceptOutcome::Joined(_)) => joined += 1,
            Some(PartnerAcceptOutcome::NotPending(InvitationState::Accepted)) => already += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((joined, already), (1, 49));
    assert_eq!(partner_rows(&db, project, harbour).await.len(), 1);
    let joins = actions(&db, acme)
        .await
        .into_iter()
        .filter(|e| e.0 == "partner.joined")
        .count();
    assert_eq!(joins, 1);
}

#[tokio::test]
async fn an_expired_invitation_never_blocks_a_fresh_one_and_a_refresh_kills_the_old_link() {
    let db = seeded_db().await.unwrap();
    let (acme, ava) = (org(&db, "acme").await, user(&db, "ava@acme.example").await);
    let (harbour, hana) = harbour(&db).await;
    let project = marina(&db).await;
    let old = invite(
        &db,
        acme,
        ava,
        project,
        by_org("harbour"),
        PartnerKind::Agency,
    )
    .await
    .unwrap();
    sqlx::query(
        "update invitations set expires_at = now() - interval '1 minute', created_at = now() - interval '8 days',
                last_sent_at = now() - interval '8 days' where kind = 'forward'",
    )
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    let view = db
        .app
        .partner_invitation(&old, Some(hana))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.state, InvitationState::Expired);
    let expired = db
        .app
        .accept_partner_invitation(
            &old,
            hana,
            &AcceptAs::Existing(harbour),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        expired,
        Some(PartnerAcceptOutcome::NotPending(InvitationState::Expired))
    );
    let fresh = invite(
        &db,
        acme,
        ava,
        project,
        by_org("harbour"),
        PartnerKind::Agency,
    )
    .await
    .unwrap();
    assert!(
        db.app
            .partner_invitation(&old, None)
            .await
            .unwrap()
            .is_none(),
        "the old link names nothing now"
    );
    let out = db
        .app
        .accept_partner_invitation(
            &fresh,
            hana,
            &AcceptAs::Existing(harbour),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    assert!(
        matches!(out, Some(PartnerAcceptOutcome::Joined(_))),
        "{out:?}"
    );
}

#[tokio::test]
async fn who_may_invite_and_whom() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let project = marina(&db).await;
    harbour(&db).await;
    // A Sales Manager may toggle stock but not manage partners (R2.2).
    let chloe = user(&db, "chloe@acme.example").await;
    let r = invite(
        &db,
        acme,
        chloe,
        project,
        by_org("harbour"),
        PartnerKind::Agency,
    )
    .await;
    assert!(
        matches!(
            r,
            Err(ForwardError::Invite(
                offplan::db::invitations::InviteError::Repo(RepoError::Forbidden(_))
            ))
        ),
        "{r:?}"
    );
    let ava = user(&db, "ava@acme.example").await;
    // Harbour is an agency: not a studio (R1.3).
    let r = invite(
        &db,
        acme,
        ava,
        project,
        by_org("harbour"),
        PartnerKind::Studio,
    )
    .await;
    assert!(
        matches!(
            r,
            Err(ForwardError::Invite(
                offplan::db::invitations::InviteError::Repo(RepoError::Conflict(
                    Conflict::PartnerTypeMissing(PartnerKind::Studio)
                ))
            ))
        ),
        "{r:?}"
    );
    // Northstar already works on it; Acme is its owner; nobody is "nowhere".
    let r = invite(
        &db,
        acme,
        ava,
        project,
        by_org("northstar"),
        PartnerKind::Agency,
    )
    .await;
    assert!(
        matches!(
            r,
            Err(ForwardError::Invite(
                offplan::db::invitations::InviteError::Repo(RepoError::Conflict(
                    Conflict::AlreadyPartner
                ))
            ))
        ),
        "{r:?}"
    );
    let r = invite(&db, acme, ava, project, by_org("acme"), PartnerKind::Agency).await;
    assert!(
        matches!(
            r,
            Err(ForwardError::Invite(
                offplan::db::invitations::InviteError::Repo(RepoError::Conflict(
                    Conflict::OwnOrganisation
                ))
            ))
        ),
        "{r:?}"
    );
    let r = invite(
        &db,
        acme,
        ava,
        project,
        by_org("nowhere"),
        PartnerKind::Agency,
    )
    .await;
    assert!(matches!(r, Err(ForwardError::NoSuchOrganisation)), "{r:?}");
    // A partner (Lumen, studio and agency) cannot invite onto Acme's project.
    let (lumen, luis) = (
        org(&db, "lumen").await,
        user(&db, "luis@lumen.example").await,
    );
    let r = invite(
        &db,
        lumen,
        luis,
        project,
        by_org("harbour"),
        PartnerKind::Agency,
    )
    .await;
    assert!(r.is_err(), "{r:?}");
}

#[tokio::test]
async fn another_organisation_gets_not_found_at_every_call() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let (zenith, zoe) = unrelated_org(&db).await;
    let northstar = org(&db, "northstar").await;
    let mut scope = db.app.scope(zenith, zoe).await.unwrap();
    assert!(matches!(
        partners::partners(&mut scope, project).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        forward::pending(&mut scope, project).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        forward::revoke(
            &mut scope,
            project,
            uuid::Uuid::new_v4(),
            &RequestMeta::default()
        )
        .await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        partners::remove(&mut scope, project, northstar).await,
        Err(RepoError::NotFound)
    ));
    drop(scope);
    let r = invite(
        &db,
        zenith,
        zoe,
        project,
        by_email("x@y.example"),
        PartnerKind::Agency,
    )
    .await;
    assert!(
        matches!(
            r,
            Err(ForwardError::Invite(
                offplan::db::invitations::InviteError::Repo(RepoError::NotFound)
            ))
        ),
        "{r:?}"
    );
    // A partner's Owner neither sees the other partners nor removes one.
    let omar = user(&db, "omar@northstar.example").await;
    let mut scope = db.app.scope(northstar, omar).await.unwrap();
    assert!(matches!(
        partners::partners(&mut scope, project).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        partners::remove(&mut scope, project, org(&db, "lumen").await).await,
        Err(RepoError::NotFound)
    ));
}

#[tokio::test]
async fn removing_a_partner_sets_its_units_aside_and_its_members_lose_the_project() {
    let db = seeded_db().await.unwrap();
    let (acme, ava) = (org(&db, "acme").await, user(&db, "ava@acme.example").await);
    let (northstar, rami) = (
        org(&db, "northstar").await,
        user(&db, "rami@northstar.example").await,
    );
    let project = marina(&db).await;
    // The seed: units 1-8 held by Northstar, 9-11 by its agent Rami.
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    let listed = partners::partners(&mut scope, project).await.unwrap();
    let ns = listed.iter().find(|p| p.org_id == northstar).unwrap();
    assert_eq!(ns.units_held, 11);
    let n = partners::remove(&mut scope, project, northstar)
        .await
        .unwrap();
    scope.commit().await.unwrap();
    assert_eq!(n, 11);
    let (aside, still_held): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where set_aside_from_org_id = $1),
                count(*) filter (where assigned_org_id = $1 or assigned_user_org_id = $1)
         from units where project_id = $2",
    )
    .bind(northstar.as_uuid())
    .bind(project.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!((aside, still_held), (11, 0));
    let by_rami: i64 = sqlx::query_scalar(
        "select count(*) from units where project_id = $1 and set_aside_from_user_id = $2",
    )
    .bind(project.as_uuid())
    .bind(rami.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(by_rami, 3, "who held them is kept");
    // Northstar's agent: the project is gone on the next call.
    let mut scope = db.app.scope(northstar, rami).await.unwrap();
    assert!(matches!(
        projects::get(&mut scope, project).await,
        Err(RepoError::NotFound)
    ));
    assert!(projects::list(&mut scope)
        .await
        .unwrap()
        .iter()
        .all(|p| p.id != project));
    drop(scope);
    let removed = actions(&db, acme)
        .await
        .into_iter()
        .find(|e| e.0 == "partner.removed")
        .unwrap();
    assert_eq!(removed.2["units_set_aside"], 11);
    assert!(actions(&db, northstar)
        .await
        .iter()
        .any(|e| e.0 == "partner.removed"));
    // Removing twice: nothing left to remove. The workspace counts the
    // set-aside units for the roles that allocate them (R2.2).
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert_eq!(
        partners::set_aside_counts(&mut scope).await.unwrap(),
        vec![(project, 11)]
    );
    assert!(matches!(
        partners::remove(&mut scope, project, northstar).await,
        Err(RepoError::NotFound)
    ));
    drop(scope);
    let ella = user(&db, "ella@acme.example").await;
    let mut scope = db.app.scope(acme, ella).await.unwrap();
    assert!(matches!(
        partners::set_aside_counts(&mut scope).await,
        Err(RepoError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_withdrawn_or_declined_invitation_cannot_be_accepted() {
    let db = seeded_db().await.unwrap();
    let (acme, ava) = (org(&db, "acme").await, user(&db, "ava@acme.example").await);
    let (harbour, hana) = harbour(&db).await;
    let project = marina(&db).await;
    let hash = invite(
        &db,
        acme,
        ava,
        project,
        by_org("harbour"),
        PartnerKind::Agency,
    )
    .await
    .unwrap();
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    let pending = forward::pending(&mut scope, project).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].to, "Harbour Estates");
    forward::revoke(&mut scope, project, pending[0].id, &RequestMeta::default())
        .await
        .unwrap();
    scope.commit().await.unwrap();
    let out = db
        .app
        .accept_partner_invitation(
            &hash,
            hana,
            &AcceptAs::Existing(harbour),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        Some(PartnerAcceptOutcome::NotPending(InvitationState::Revoked))
    );
    let fresh = invite(
        &db,
        acme,
        ava,
        project,
        by_org("harbour"),
        PartnerKind::Agency,
    )
    .await
    .unwrap();
    let declined = db
        .app
        .decline_partner_invitation(&fresh, None, &RequestMeta::default())
        .await
        .unwrap();
    assert_eq!(declined, Some(InvitationState::Declined));
    let out = db
        .app
        .accept_partner_invitation(
            &fresh,
            hana,
            &AcceptAs::Existing(harbour),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        out,
        Some(PartnerAcceptOutcome::NotPending(InvitationState::Declined))
    );
    assert!(partner_rows(&db, project, harbour).await.is_empty());
}
