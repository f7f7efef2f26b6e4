//! Buyers, the joint-controller gate and buyer links (SPEC R1.9, R2.2,
//! R2.5, R5.4, R6.1, R7.3, R8.1, R8.5; issue 13 items 3 and 4).
//!
//! The demo's organisations: Acme Homes (the developer that owns Marina
//! Heights), Northstar Realty (its agency partner: Omar the Owner, Priya a
//! Sales Manager, Rami and Sara Sales Agents) and, made here, Vega Estates
//! (an agency with no part in the project) and Zenith (an unrelated
//! developer). In the closed pool Northstar holds units 1–8 (A-101 …
//! A-204), Rami 9–11 (A-301 …); Acme's own agent Ella 12–13.

use crate::common::*;
use offplan::{
    db::{
        buyers::{
            self,
            links::{self, LinkLetter, LinkState, RevokeReason},
            terms,
        },
        testing::{seeded_db, TestDb},
        units::{self, change, Assignee},
        RepoError, Scope,
    },
    domain::{BuyerFields, BuyerId, ExpiryDays, OrgId, ProjectId, UnitId, UserId},
    error::{Conflict, Refusal},
    token::Token,
};
use uuid::Uuid;

fn url(slug: &str, unit: UnitId, token: &Token) -> String {
    format!(
        "http://northstar.offplan.localhost/projects/{slug}/units/{unit}?b={}",
        token.expose()
    )
}

const LETTER: LinkLetter<'static> = LinkLetter {
    org_name: "Northstar Realty",
    agent_name: "Rami Aziz",
    url: &url,
};

fn fields(name: &str, email: &str) -> BuyerFields {
    BuyerFields::parse(name, email, "+971 50 123 4567", "Wants a sea view.", true).unwrap()
}

fn is_forbidden<T: std::fmt::Debug>(r: &Result<T, RepoError>) -> bool {
    matches!(r, Err(RepoError::Forbidden(_)))
}

fn is_not_found<T: std::fmt::Debug>(r: &Result<T, RepoError>) -> bool {
    matches!(r, Err(RepoError::NotFound))
}

fn is_gate_closed<T: std::fmt::Debug>(r: &Result<T, RepoError>) -> bool {
    matches!(
        r,
        Err(RepoError::Refused(Refusal::TermsNotAccepted { version })) if version == terms::CURRENT_VERSION
    )
}

async fn record(db: &TestDb, org: OrgId, user: UserId, name: &str) -> BuyerId {
    record_buyer(db, org, user, &fields(name, "ivan@mail.example")).await
}

/// A new agency with its Owner, unrelated to the project.
async fn vega(db: &TestDb) -> (OrgId, UserId) {
    let (org, owner): (Uuid, Uuid) = sqlx::query_as(
        "with u as (insert into users (email, display_name)
                    values ('vik@vega.example', 'Vik Vega') returning id),
              o as (insert into organisations (name, subdomain, country, client_types, owner_user_id)
                    select 'Vega Estates', 'vega', 'AE', '{agency}', u.id from u
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

struct World {
    db: TestDb,
    acme: OrgId,
    ava: UserId,
    northstar: OrgId,
    omar: UserId,
    priya: UserId,
    rami: UserId,
    sara: UserId,
    project: ProjectId,
}

async fn world() -> World {
    let db = seeded_db().await.unwrap();
    World {
        acme: org(&db, "acme").await,
        ava: user(&db, "ava@acme.example").await,
        northstar: org(&db, "northstar").await,
        omar: user(&db, "omar@northstar.example").await,
        priya: user(&db, "priya@northstar.example").await,
        rami: user(&db, "rami@northstar.example").await,
        sara: user(&db, "sara@northstar.example").await,
        project: marina(&db).await,
        db,
    }
}

#[tokio::test]
async fn before_the_terms_are_accepted_every_buyer_action_is_refused_with_the_reason() {
    let w = world().await;
    let a101 = unit(&w.db, "A-101").await;
    // A buyer row made behind the repository's back, to aim the actions at.
    let stray: Uuid = sqlx::query_scalar(
        "insert into buyers (org_id, created_by_user_id, name) values ($1, $2, 'Ivan') returning id",
    )
    .bind(w.northstar.as_uuid())
    .bind(w.rami.as_uuid())
    .fetch_one(w.db.admin.pool_for_tests())
    .await
    .unwrap();
    let stray = BuyerId::parse(&stray.to_string()).unwrap();
    let stray_link = offplan::domain::BuyerLinkId::parse(&Uuid::new_v4().to_string()).unwrap();

    for who in [w.omar, w.priya, w.rami] {
        let mut s = scope(&w.db, w.northstar, who).await;
        assert!(is_gate_closed(&buyers::list(&mut s).await));
        assert!(is_gate_closed(&buyers::get(&mut s, stray).await));
        assert!(is_gate_closed(
            &buyers::record(&mut s, &fields("Ivan", "")).await
        ));
        assert!(is_gate_closed(
            &buyers::update(&mut s, stray, &fields("Ivan", "")).await
        ));
        assert!(is_gate_closed(&links::list(&mut s, stray).await));
        assert!(is_gate_closed(
            &links::issue(
                &mut s,
                stray,
                w.project,
                a101,
                ExpiryDays::DEFAULT,
                &LETTER,
                false
            )
            .await
        ));
        assert!(is_gate_closed(&links::revoke(&mut s, stray_link).await));
        assert!(!links::may_issue(&mut s).await.unwrap());
    }
    // The reason reaches the person as a 403 that says it.
    let mut s = scope(&w.db, w.northstar, w.rami).await;
    let err: offplan::AppError = buyers::list(&mut s).await.unwrap_err().into();
    assert_eq!(err.status(), 403);
    assert!(err.to_string().contains("data-processing terms"), "{err}");
}

#[tokio::test]
async fn only_an_owner_or_admin_accepts_the_terms_and_acceptance_is_audited_with_the_version() {
    let w = world().await;
    // R1.9: Sales Manager and Agent may read where things stand, not accept.
    for who in [w.priya, w.rami] {
        let mut s = scope(&w.db, w.northstar, who).await;
        let status = terms::status(&mut s, terms::CURRENT_VERSION).await.unwrap();
        assert!(!status.is_open() && !status.may_accept);
        assert!(is_forbidden(
            &terms::accept(&mut s, terms::CURRENT_VERSION).await
        ));
    }
    let mut s = scope(&w.db, w.northstar, w.omar).await;
    assert!(terms::accept(&mut s, terms::CURRENT_VERSION).await.unwrap());
    // Idempotent: a second acceptance changes nothing and writes no event.
    assert!(!terms::accept(&mut s, terms::CURRENT_VERSION).await.unwrap());
    s.commit().await.unwrap();

    let events: Vec<(String, String, Option<Uuid>)> = sqlx::query_as(
        "select action, metadata::text, actor_user_id from audit_events
         where org_id = $1 and action = 'data_processing.accepted'",
    )
    .bind(w.northstar.as_uuid())
    .fetch_all(w.db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        events[0].1.contains(terms::CURRENT_VERSION),
        "{}",
        events[0].1
    );
    assert_eq!(events[0].2, Some(w.omar.as_uuid()));

    let mut s = scope(&w.db, w.northstar, w.rami).await;
    let status = terms::status(&mut s, terms::CURRENT_VERSION).await.unwrap();
    let accepted = status.accepted.unwrap();
    assert_eq!(
        (accepted.by, accepted.by_name.as_str()),
        (w.omar, "Omar Haddad")
    );
    assert!(buyers::list(&mut s).await.unwrap().is_empty());
    // Another organisation's acceptance opens nothing here (two orgs).
    let mut s = scope(&w.db, w.acme, w.ava).await;
    assert!(is_gate_closed(&buyers::list(&mut s).await));
}

#[tokio::test]
async fn a_new_version_of_the_terms_asks_again() {
    let w = world().await;
    accept_terms(&w.db, w.northstar, w.omar).await;
    let mut s = scope(&w.db, w.northstar, w.priya).await;
    terms::require(&mut s, terms::CURRENT_VERSION)
        .await
        .unwrap();
    // Version 2 ships: the gate is closed again, the earlier acceptance shown.
    let v2 = terms::status(&mut s, "data-processing-v2").await.unwrap();
    assert!(!v2.is_open());
    assert_eq!(
        v2.earlier.map(|a| a.version),
        Some(terms::CURRENT_VERSION.to_owned())
    );
    assert!(matches!(
        terms::require(&mut s, "data-processing-v2").await,
        Err(RepoError::Refused(Refusal::TermsNotAccepted { version })) if version == "data-processing-v2"
    ));
    drop(s);
    let mut s = scope(&w.db, w.northstar, w.omar).await;
    assert!(terms::accept(&mut s, "data-processing-v2").await.unwrap());
    terms::require(&mut s, "data-processing-v2").await.unwrap();
}

#[tokio::test]
async fn a_sales_agent_sees_and_links_only_their_own_buyers_and_another_orgs_buyer_is_404() {
    let w = world().await;
    accept_terms(&w.db, w.northstar, w.omar).await;
    let (zenith, zoe) = unrelated_org(&w.db).await;
    accept_terms(&w.db, zenith, zoe).await;
    let ramis = record(&w.db, w.northstar, w.rami, "Ivan Petrov").await;
    let saras = record(&w.db, w.northstar, w.sara, "Lena Ortiz").await;
    let zenith_buyer = record(&w.db, zenith, zoe, "Zed Buyer").await;
    let a101 = unit(&w.db, "A-101").await;

    // R2.2 own buyers: Sara's list holds only Lena; Rami's buyer is 403.
    let mut s = scope(&w.db, w.northstar, w.sara).await;
    let names: Vec<String> = buyers::list(&mut s)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, vec!["Lena Ortiz"]);
    assert!(is_forbidden(&buyers::get(&mut s, ramis).await));
    assert!(is_forbidden(&links::list(&mut s, ramis).await));
    assert!(is_forbidden(
        &buyers::update(&mut s, ramis, &fields("Ivan", "")).await
    ));
    assert!(is_forbidden(
        &links::issue(
            &mut s,
            ramis,
            w.project,
            a101,
            ExpiryDays::DEFAULT,
            &LETTER,
            false
        )
        .await
    ));
    // R2.5: another organisation's buyer is not found, for anyone.
    assert!(is_not_found(&buyers::get(&mut s, zenith_buyer).await));
    drop(s);
    let mut s = scope(&w.db, w.northstar, w.omar).await;
    assert!(is_not_found(&buyers::get(&mut s, zenith_buyer).await));
    assert!(is_not_found(&links::list(&mut s, zenith_buyer).await));
    // The Sales Manager and the Owner see every buyer of the organisation.
    assert_eq!(buyers::list(&mut s).await.unwrap().len(), 2);
    assert_eq!(buyers::get(&mut s, saras).await.unwrap().name, "Lena Ortiz");
    drop(s);
    let mut s = scope(&w.db, w.northstar, w.priya).await;
    assert_eq!(buyers::list(&mut s).await.unwrap().len(), 2);
    // A Content Editor manages no buyers (R2.2): 403.
    let (lumen, marta) = (
        org(&w.db, "lumen").await,
        user(&w.db, "marta@lumen.example").await,
    );
    let mut s = scope(&w.db, lumen, marta).await;
    assert!(is_forbidden(&buyers::list(&mut s).await));
}

#[tokio::test]
async fn editing_a_buyer_records_and_clears_the_consent_time_and_keeps_pii_out_of_the_hash() {
    let w = world().await;
    accept_terms(&w.db, w.northstar, w.omar).await;
    let ivan = record(&w.db, w.northstar, w.rami, "Ivan Petrov").await;
    let mut s = scope(&w.db, w.northstar, w.rami).await;
    let before = buyers::get(&mut s, ivan).await.unwrap();
    assert!(before.consent_to_contact && before.consent_recorded_at.is_some());
    let withdrawn =
        BuyerFields::parse("Ivan Petrov", "ivan.p@mail.example", "", "", false).unwrap();
    assert!(buyers::update(&mut s, ivan, &withdrawn).await.unwrap());
    assert!(!buyers::update(&mut s, ivan, &withdrawn).await.unwrap());
    let after = buyers::get(&mut s, ivan).await.unwrap();
    assert_eq!(after.email.as_deref(), Some("ivan.p@mail.example"));
    assert_eq!(
        (after.consent_to_contact, after.consent_recorded_at),
        (false, None)
    );
    s.commit().await.unwrap();

    // R8.5: no buyer personal data in any hashed metadata, anywhere.
    let metadata: Vec<String> = sqlx::query_scalar("select metadata::text from audit_events")
        .fetch_all(w.db.admin.pool_for_tests())
        .await
        .unwrap();
    for m in &metadata {
        for personal in ["Ivan", "ivan@mail", "ivan.p@mail", "971 50", "sea view"] {
            assert!(!m.contains(personal), "{personal} in {m}");
        }
    }
    let (fields_changed, pii): (String, String) = sqlx::query_as(
        "select e.metadata::text, p.data::text from audit_events e
         join audit_event_pii p on p.org_id = e.org_id and p.seq = e.seq
         where e.org_id = $1 and e.action = 'buyer.updated'",
    )
    .bind(w.northstar.as_uuid())
    .fetch_one(w.db.admin.pool_for_tests())
    .await
    .unwrap();
    assert!(fields_changed.contains("consent") && fields_changed.contains("email"));
    assert!(pii.contains("ivan.p@mail.example") && !pii.contains("sea view"));
    let class: String = sqlx::query_scalar(
        "select pii_class::text from audit_events where org_id = $1 and action = 'buyer.recorded'",
    )
    .bind(w.northstar.as_uuid())
    .fetch_one(w.db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(class, "personal");
}

#[tokio::test]
async fn a_link_is_issued_only_for_a_unit_in_the_agents_pool() {
    let w = world().await;
    accept_terms(&w.db, w.northstar, w.omar).await;
    let (vega, vik) = vega(&w.db).await;
    accept_terms(&w.db, vega, vik).await;
    let saras = record(&w.db, w.northstar, w.sara, "Lena Ortiz").await;
    let viks = record(&w.db, vega, vik, "Val Buyer").await;
    let (a101, a301, a401) = (
        unit(&w.db, "A-101").await,
        unit(&w.db, "A-301").await,
        unit(&w.db, "A-401").await,
    );
    let mut s = scope(&w.db, w.northstar, w.sara).await;
    // Closed pool: the agency's unit is Sara's to send; Rami's and an
    // unassigned one are not there at all for her (404).
    let issued = links::issue(
        &mut s,
        saras,
        w.project,
        a101,
        ExpiryDays::DEFAULT,
        &LETTER,
        true,
    )
    .await
    .unwrap();
    assert!(issued
        .url
        .contains(&format!("/projects/marina-heights/units/{a101}?b=")));
    assert!(issued.url.ends_with(issued.token.expose()));
    assert_eq!(issued.link.state, LinkState::Active);
    assert!(issued.emailed);
    let days = (issued.link.expires_at - issued.link.created_at).whole_days();
    assert_eq!(days, 30);
    for outside in [a301, a401] {
        assert!(is_not_found(
            &links::issue(
                &mut s,
                saras,
                w.project,
                outside,
                ExpiryDays::DEFAULT,
                &LETTER,
                false
            )
            .await
        ));
    }
    s.commit().await.unwrap();
    // Only the hash is stored (R5.4).
    let stored: Vec<u8> = sqlx::query_scalar("select token_hash from buyer_links where id = $1")
        .bind(issued.link.id.as_uuid())
        .fetch_one(w.db.admin.pool_for_tests())
        .await
        .unwrap();
    assert_eq!(stored, issued.token.hash().as_bytes().to_vec());
    // The mail went through the outbox with the link in it.
    let bodies: Vec<String> =
        sqlx::query_scalar("select body_text from outbox where to_email = 'ivan@mail.example'")
            .fetch_all(w.db.admin.pool_for_tests())
            .await
            .unwrap();
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains(&issued.url));
    // The issue is in the project's activity (the owner's chain) and the
    // agency's twin — with neither the token nor the buyer.
    let owner_events: Vec<String> = sqlx::query_scalar(
        "select metadata::text from audit_events
         where org_id = $1 and project_id = $2 and action = 'buyer_link.issued'",
    )
    .bind(w.acme.as_uuid())
    .bind(w.project.as_uuid())
    .fetch_all(w.db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(owner_events.len(), 1);
    assert!(!owner_events[0].contains(issued.token.expose()));
    assert!(!owner_events[0].contains("Lena"));

    // An agency unrelated to the project sees none of its units (404).
    let mut s = scope(&w.db, vega, vik).await;
    assert!(is_not_found(
        &links::issue(
            &mut s,
            viks,
            w.project,
            a101,
            ExpiryDays::DEFAULT,
            &LETTER,
            false
        )
        .await
    ));
    // The developer's own Owner sends its own units to its own buyers.
    accept_terms(&w.db, w.acme, w.ava).await;
    let acmes = record(&w.db, w.acme, w.ava, "Ada Buyer").await;
    let mut s = scope(&w.db, w.acme, w.ava).await;
    links::issue(
        &mut s,
        acmes,
        w.project,
        a401,
        ExpiryDays::new(7).unwrap(),
        &LETTER,
        false,
    )
    .await
    .unwrap();
    // A sold unit is no longer sent.
    let sold = unit(&w.db, "A-1003").await;
    assert!(matches!(
        links::issue(
            &mut s,
            acmes,
            w.project,
            sold,
            ExpiryDays::DEFAULT,
            &LETTER,
            false
        )
        .await,
        Err(RepoError::Conflict(Conflict::UnitNotOffered))
    ));
}

#[tokio::test]
async fn issuing_again_for_the_pair_revokes_the_old_link_at_once() {
    let w = world().await;
    accept_terms(&w.db, w.northstar, w.omar).await;
    let ivan = record(&w.db, w.northstar, w.rami, "Ivan Petrov").await;
    let a301 = unit(&w.db, "A-301").await;
    let mut s = scope(&w.db, w.northstar, w.rami).await;
    let first = links::issue(
        &mut s,
        ivan,
        w.project,
        a301,
        ExpiryDays::DEFAULT,
        &LETTER,
        false,
    )
    .await
    .unwrap();
    let second = links::issue(
        &mut s,
        ivan,
        w.project,
        a301,
        ExpiryDays::new(3).unwrap(),
        &LETTER,
        false,
    )
    .await
    .unwrap();
    assert_eq!(second.replaced, Some(first.link.id));
    let all = links::list(&mut s, ivan).await.unwrap();
    assert_eq!(all.len(), 2);
    let old = all.iter().find(|l| l.id == first.link.id).unwrap();
    assert_eq!(old.state, LinkState::Revoked(RevokeReason::Reissued));
    let new = all.iter().find(|l| l.id == second.link.id).unwrap();
    assert_eq!(new.state, LinkState::Active);
    assert_eq!(new.unit_code.as_deref(), Some("A-301"));
    // By hand: revoked once, then left alone.
    assert!(links::revoke(&mut s, second.link.id).await.unwrap());
    assert!(!links::revoke(&mut s, second.link.id).await.unwrap());
    let all = links::list(&mut s, ivan).await.unwrap();
    assert!(all.iter().all(|l| matches!(l.state, LinkState::Revoked(_))));
    s.commit().await.unwrap();
    let live: i64 = sqlx::query_scalar(
        "select count(*) from buyer_links where buyer_id = $1 and revoked_at is null",
    )
    .bind(ivan.as_uuid())
    .fetch_one(w.db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(live, 0);
}

#[tokio::test]
async fn reassigning_or_selling_a_unit_revokes_every_live_link_of_it_the_partners_and_the_owners() {
    let w = world().await;
    accept_terms(&w.db, w.northstar, w.omar).await;
    accept_terms(&w.db, w.acme, w.ava).await;
    let ivan = record(&w.db, w.northstar, w.rami, "Ivan Petrov").await;
    let ada = record(&w.db, w.acme, w.ava, "Ada Buyer").await;
    let (a101, a102) = (unit(&w.db, "A-101").await, unit(&w.db, "A-102").await);
    let issue = |org, who, buyer, unit| {
        let db = &w.db;
        let project = w.project;
        async move {
            let mut s = scope(db, org, who).await;
            let i = links::issue(
                &mut s,
                buyer,
                project,
                unit,
                ExpiryDays::DEFAULT,
                &LETTER,
                false,
            )
            .await
            .unwrap();
            s.commit().await.unwrap();
            i.link.id
        }
    };
    let partner_link = issue(w.northstar, w.rami, ivan, a101).await;
    let owner_link = issue(w.acme, w.ava, ada, a101).await;
    let sold_link = issue(w.northstar, w.rami, ivan, a102).await;

    // A stale version is the stock conflict, and nothing changes (R6.3).
    let v = version(&w.db, a101).await;
    let mut s = scope(&w.db, w.acme, w.ava).await;
    let stale = change::reassign(&mut s, w.project, a101, Assignee::Nobody, v + 5).await;
    assert!(matches!(
        stale,
        Err(RepoError::Conflict(Conflict::UnitHeld { version, .. })) if version == v
    ));
    drop(s);
    // A partner may see the unit but not reassign it; a Sales Agent of
    // the owner may not either (403).
    let mut s = scope(&w.db, w.northstar, w.omar).await;
    assert!(is_forbidden(
        &change::reassign(&mut s, w.project, a101, Assignee::Nobody, v).await
    ));
    drop(s);
    let ella = user(&w.db, "ella@acme.example").await;
    let mut s = scope(&w.db, w.acme, ella).await;
    assert!(is_forbidden(
        &change::mark_sold(&mut s, w.project, a101, v).await
    ));
    drop(s);

    let mut s = scope(&w.db, w.acme, w.ava).await;
    let changed = change::reassign(
        &mut s,
        w.project,
        a101,
        Assignee::Agent {
            org: w.northstar,
            user: w.sara,
        },
        v,
    )
    .await
    .unwrap();
    assert_eq!(changed.links_revoked, 2);
    assert_eq!(changed.unit.version, v + 1);
    let v2 = version_in(&mut s, w.project, a102).await;
    let sold = change::mark_sold(&mut s, w.project, a102, v2)
        .await
        .unwrap();
    assert_eq!(
        (sold.links_revoked, sold.unit.status),
        (1, units::UnitStatus::Sold)
    );
    s.commit().await.unwrap();

    let reasons: Vec<(Uuid, Option<String>)> =
        sqlx::query_as("select id, revoke_reason from buyer_links order by created_at")
            .fetch_all(w.db.admin.pool_for_tests())
            .await
            .unwrap();
    let reason = |id: offplan::domain::BuyerLinkId| {
        reasons
            .iter()
            .find(|(l, _)| *l == id.as_uuid())
            .and_then(|(_, r)| r.clone())
    };
    assert_eq!(reason(partner_link).as_deref(), Some("reassigned"));
    assert_eq!(reason(owner_link).as_deref(), Some("reassigned"));
    assert_eq!(reason(sold_link).as_deref(), Some("sold"));
    // One event each, with before/after and the count.
    let events: Vec<(String, String)> = sqlx::query_as(
        "select action, metadata::text from audit_events
         where org_id = $1 and action in ('unit.reassigned', 'unit.sold') order by seq",
    )
    .bind(w.acme.as_uuid())
    .fetch_all(w.db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        events[0].1.contains("\"links_revoked\": 2"),
        "{}",
        events[0].1
    );
    assert!(events[0].1.contains(&format!("agency:{}", w.northstar)));
    assert!(events[0]
        .1
        .contains(&format!("agent:{}:{}", w.northstar, w.sara)));
    assert!(
        events[1].1.contains("\"links_revoked\": 1"),
        "{}",
        events[1].1
    );

    // The agency sees why its links stopped.
    let mut s = scope(&w.db, w.northstar, w.rami).await;
    let states: Vec<LinkState> = links::list(&mut s, ivan)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.state)
        .collect();
    assert!(states.contains(&LinkState::Revoked(RevokeReason::Reassigned)));
    assert!(states.contains(&LinkState::Revoked(RevokeReason::Sold)));
}

async fn version_in(s: &mut Scope, project: ProjectId, unit: UnitId) -> i64 {
    units::get(s, project, unit).await.unwrap().version
}

#[tokio::test]
async fn a_unit_whose_row_lock_is_taken_answers_the_stock_conflict_within_the_timeout() {
    let w = world().await;
    let a101 = unit(&w.db, "A-101").await;
    let v = version(&w.db, a101).await;
    // Someone else holds the row lock.
    let mut holder = w.db.admin.pool_for_tests().begin().await.unwrap();
    sqlx::query("select 1 from units where id = $1 for update")
        .bind(a101.as_uuid())
        .execute(&mut *holder)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut s = scope(&w.db, w.acme, w.ava).await;
    let r = change::mark_sold(&mut s, w.project, a101, v).await;
    assert!(
        matches!(r, Err(RepoError::Conflict(Conflict::UnitHeld { ref holder, .. })) if holder == "Northstar Realty"),
        "{r:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    holder.rollback().await.unwrap();
}
