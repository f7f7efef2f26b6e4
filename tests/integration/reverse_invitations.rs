//! Reverse invitations (SPEC R5.3, R5.4, R5.6; issue 12 item 4): Lumen
//! Studio invites the developer of its client Harbourside Developments.
//! Acme Homes (a developer) may not send one; another studio (Prism) gets
//! `NotFound` for Lumen's client. Accepting makes one Free Guest developer
//! organisation, linked to the client, that reads Lumen's projects for it.
//! The seed already holds one pending reverse invitation of Lumen's.

use crate::common::*;
use offplan::{
    db::{
        invitations::{
            reverse::{self, ReverseInviteError, ReverseOutcome, Stage},
            Letter,
        },
        projects::{self, Relation},
        testing::{seeded_db, TestDb},
        unscoped::{AcceptOutcome, InviteeSignup},
        RepoError, RequestMeta,
    },
    domain::{ClientId, EmailAddress, InvitationState, OrgId, UserId},
    policy::Role,
    token::{Token, TokenHash},
};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

async fn harbourside(db: &TestDb) -> ClientId {
    let id: Uuid =
        sqlx::query_scalar("select id from clients where name = 'Harbourside Developments'")
            .fetch_one(db.admin.pool_for_tests())
            .await
            .unwrap();
    ClientId::parse(&id.to_string()).unwrap()
}

async fn count(db: &TestDb, sql: &str, org: OrgId) -> i64 {
    sqlx::query_scalar(sql)
        .bind(org.as_uuid())
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

/// Sends (as `actor` of `org`) a reverse invitation; the emailed token's hash.
async fn send(
    db: &TestDb,
    org: OrgId,
    actor: UserId,
    client: ClientId,
    email: &str,
    tick: bool,
) -> Result<(ReverseOutcome, TokenHash), ReverseInviteError> {
    let sent: Arc<Mutex<Option<TokenHash>>> = Arc::default();
    let keep = sent.clone();
    let link = move |t: &Token| {
        *keep.lock().unwrap() = Some(t.hash());
        format!("https://lumen.x/client-invite/{}", t.expose())
    };
    let letter = Letter {
        org_name: "Lumen Studio",
        inviter: "Luís",
        link: &link,
    };
    let mut scope = db.app.scope(org, actor).await.unwrap();
    let out = reverse::invite(
        &mut scope,
        client,
        &EmailAddress::parse(email).unwrap(),
        tick,
        &letter,
        &RequestMeta::default(),
    )
    .await?;
    scope.commit().await.unwrap();
    let hash = sent.lock().unwrap().unwrap();
    Ok((out, hash))
}

async fn new_user(db: &TestDb, email: &str) -> UserId {
    let id: Uuid = sqlx::query_scalar(
        "insert into users (email, display_name) values ($1, 'Hugo Harbour') returning id",
    )
    .bind(email)
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    UserId::parse(&id.to_string()).unwrap()
}

/// A Lumen project made for Harbourside (R1.3).
async fn harbourside_project(db: &TestDb, lumen: OrgId, client: ClientId) {
    sqlx::query(
        "insert into projects (org_id, slug, name, client_id) values ($1, 'quay-one', 'Quay One', $2)",
    )
    .bind(lumen.as_uuid())
    .bind(client.as_uuid())
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
}

const REVERSE_ROWS: &str =
    "select count(*) from invitations where org_id = $1 and kind = 'reverse'";

#[tokio::test]
async fn without_the_legal_basis_tick_nothing_is_sent_or_written() {
    let db = seeded_db().await.unwrap();
    let lumen = org(&db, "lumen").await;
    let luis = user(&db, "luis@lumen.example").await;
    let client = harbourside(&db).await;
    let rows = count(&db, REVERSE_ROWS, lumen).await;
    let events = count(
        &db,
        "select count(*) from audit_events where org_id = $1",
        lumen,
    )
    .await;
    let mails: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();

    let err = send(&db, lumen, luis, client, "hugo@harbourside.example", false)
        .await
        .unwrap_err();
    assert!(matches!(err, ReverseInviteError::NoLegalBasis), "{err:?}");

    assert_eq!(count(&db, REVERSE_ROWS, lumen).await, rows);
    assert_eq!(
        count(
            &db,
            "select count(*) from audit_events where org_id = $1",
            lumen
        )
        .await,
        events
    );
    let after: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    assert_eq!(after, mails);

    // With the tick: who, when and which wording are recorded; the audit
    // event carries the wording, the address only in its personal part.
    let (out, _) = send(&db, lumen, luis, client, "hugo@harbourside.example", true)
        .await
        .unwrap();
    assert_eq!(out, ReverseOutcome::Sent);
    let (by, wording, confirmed, days): (Uuid, String, bool, i32) = sqlx::query_as(
        "select invited_by_user_id, legal_basis_wording, legal_basis_confirmed_at is not null,
                extract(day from expires_at - created_at)::int
         from invitations where org_id = $1 and kind = 'reverse' and email = 'hugo@harbourside.example'",
    )
    .bind(lumen.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(by, luis.as_uuid());
    assert_eq!(wording, reverse::LEGAL_BASIS_VERSION);
    assert!(confirmed);
    assert_eq!(days, 30);
    let (action, metadata, pii): (String, String, Option<String>) = sqlx::query_as(
        "select e.action, e.metadata::text, p.data::text from audit_events e
         left join audit_event_pii p on p.org_id = e.org_id and p.seq = e.seq
         where e.org_id = $1 order by e.seq desc limit 1",
    )
    .bind(lumen.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(action, "reverse_invitation.sent");
    assert!(!metadata.contains("hugo"), "{metadata}");
    assert!(metadata.contains(reverse::LEGAL_BASIS_VERSION));
    assert!(pii.unwrap().contains("hugo@harbourside.example"));
    let mail: String = sqlx::query_scalar(
        "select body_text from outbox where to_email = 'hugo@harbourside.example' order by created_at desc limit 1",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert!(mail.contains("/client-invite/"), "{mail}");
    assert!(mail.contains("30 days"), "{mail}");
}

#[tokio::test]
async fn only_a_studios_owner_or_admin_sends_and_another_studio_finds_no_client() {
    let db = seeded_db().await.unwrap();
    let lumen = org(&db, "lumen").await;
    let client = harbourside(&db).await;
    // Acme Homes is a developer, not a studio: refused (403) whatever the id.
    let acme = org(&db, "acme").await;
    let ava = user(&db, "ava@acme.example").await;
    let err = send(&db, acme, ava, client, "x@y.example", true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReverseInviteError::Repo(RepoError::Forbidden(_))),
        "{err:?}"
    );
    // Lumen's Content Editor may not either.
    let marta = user(&db, "marta@lumen.example").await;
    let err = send(&db, lumen, marta, client, "x@y.example", true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReverseInviteError::Repo(RepoError::Forbidden(_))),
        "{err:?}"
    );
    // Another studio: Lumen's client is not found; nor is its funnel.
    let (prism, pia): (Uuid, Uuid) = sqlx::query_as(
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
    let prism = OrgId::parse(&prism.to_string()).unwrap();
    let pia = UserId::parse(&pia.to_string()).unwrap();
    let err = send(&db, prism, pia, client, "x@y.example", true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReverseInviteError::Repo(RepoError::NotFound)),
        "{err:?}"
    );
    let mut scope = db.app.scope(prism, pia).await.unwrap();
    let funnel = reverse::funnel(&mut scope).await.unwrap();
    assert_eq!((funnel.sent, funnel.invitations.len()), (0, 0));
    // And Acme has no funnel at all.
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert!(matches!(
        reverse::funnel(&mut scope).await,
        Err(RepoError::Forbidden(_))
    ));
}

#[tokio::test]
async fn accepting_creates_one_free_guest_developer_org_linked_to_the_client_seeing_its_projects() {
    let db = seeded_db().await.unwrap();
    let lumen = org(&db, "lumen").await;
    let luis = user(&db, "luis@lumen.example").await;
    let client = harbourside(&db).await;
    harbourside_project(&db, lumen, client).await;
    let (_, hash) = send(&db, lumen, luis, client, "hugo@harbourside.example", true)
        .await
        .unwrap();

    // The landing page's view; loading it records "opened".
    let view = db.app.client_invitation(&hash).await.unwrap().unwrap();
    assert_eq!(view.state, InvitationState::Valid);
    assert_eq!(view.studio_subdomain, "lumen");
    assert_eq!(view.client_name, "Harbourside Developments");

    // Someone else signed in: told so, nothing consumed.
    let luis_outcome = db
        .app
        .accept_client_invitation(&hash, luis, &RequestMeta::default())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(luis_outcome, AcceptOutcome::WrongAccount { .. }));

    let hugo = new_user(&db, "Hugo@Harbourside.example").await;
    let outcome = db
        .app
        .accept_client_invitation(&hash, hugo, &RequestMeta::default())
        .await
        .unwrap()
        .unwrap();
    let AcceptOutcome::Joined { subdomain, role } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(role, Role::Owner);
    assert_eq!(subdomain, "harbourside-developments");
    let (guest, plan, types, owner, name): (Uuid, String, String, Uuid, String) = sqlx::query_as(
        "select id, plan::text, client_types::text, owner_user_id, name from organisations where subdomain = $1",
    )
    .bind(&subdomain)
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(plan, "free_guest");
    assert_eq!(types, "{developer}");
    assert_eq!(owner, hugo.as_uuid());
    assert_eq!(name, "Harbourside Developments");
    let linked: Option<Uuid> =
        sqlx::query_scalar("select linked_org_id from clients where id = $1")
            .bind(client.as_uuid())
            .fetch_one(db.admin.pool_for_tests())
            .await
            .unwrap();
    assert_eq!(linked, Some(guest));

    // The guest organisation sees Lumen's project for it, labelled with
    // Lumen, read-only; and only that one.
    let guest = OrgId::parse(&guest.to_string()).unwrap();
    let mut scope = db.app.scope(guest, hugo).await.unwrap();
    let list = projects::list(&mut scope).await.unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].name, "Quay One");
    assert_eq!(list[0].owner_name, "Lumen Studio");
    assert_eq!(list[0].relation, Relation::Client);
    let found = projects::resolve_partnered(&mut scope, "lumen", "quay-one")
        .await
        .unwrap();
    assert!(matches!(found, projects::SlugLookup::Found(_)));
    drop(scope);
    // Row-level security itself: the guest may read, never change it.
    let mut tx = app_tx(&db, guest.as_uuid(), hugo.as_uuid()).await;
    let updated = sqlx::query("update projects set name = 'Mine' where slug = 'quay-one'")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 0);
    drop(tx);
    // Acme, not the client, does not see it.
    let acme = org(&db, "acme").await;
    let ava = user(&db, "ava@acme.example").await;
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert!(!projects::list(&mut scope)
        .await
        .unwrap()
        .iter()
        .any(|p| p.name == "Quay One"));

    // Used once; the studio's chain says who accepted, no address in metadata.
    let again = db
        .app
        .accept_client_invitation(&hash, hugo, &RequestMeta::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, AcceptOutcome::NotPending(InvitationState::Accepted));
    let (action, metadata): (String, String) = sqlx::query_as(
        "select action, metadata::text from audit_events where org_id = $1 order by seq desc limit 1",
    )
    .bind(lumen.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(action, "reverse_invitation.accepted");
    assert!(!metadata.contains("hugo"), "{metadata}");
    // The client has joined: no further invitation for it.
    let err = send(&db, lumen, luis, client, "other@harbourside.example", true)
        .await
        .unwrap_err();
    assert!(matches!(err, ReverseInviteError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn fifty_concurrent_accepts_make_one_organisation() {
    let db = seeded_db().await.unwrap();
    let lumen = org(&db, "lumen").await;
    let luis = user(&db, "luis@lumen.example").await;
    let client = harbourside(&db).await;
    let (_, hash) = send(&db, lumen, luis, client, "hugo@harbourside.example", true)
        .await
        .unwrap();
    let hugo = new_user(&db, "hugo@harbourside.example").await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let app = db.app.clone();
            tokio::spawn(async move {
                app.accept_client_invitation(&hash, hugo, &RequestMeta::default())
                    .await
                    .unwrap()
                    .unwrap()
            })
        })
        .collect();
    let (mut joined, mut already) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            AcceptOutcome::Joined { .. } => joined += 1,
            AcceptOutcome::NotPending(InvitationState::Accepted) => already += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((joined, already), (1, 49));
    let orgs: i64 = sqlx::query_scalar(
        "select count(*) from organisations where owner_user_id = $1 and plan = 'free_guest'",
    )
    .bind(hugo.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(orgs, 1);
}

#[tokio::test]
async fn the_funnel_counts_sent_opened_accepted_declined_and_expired() {
    let db = seeded_db().await.unwrap();
    let lumen = org(&db, "lumen").await;
    let luis = user(&db, "luis@lumen.example").await;
    let client = harbourside(&db).await;
    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    let seeded = reverse::funnel(&mut scope).await.unwrap();
    drop(scope);
    // The seed's pending one, neither opened nor answered.
    assert_eq!(
        (
            seeded.sent,
            seeded.opened,
            seeded.accepted,
            seeded.declined,
            seeded.expired
        ),
        (1, 0, 0, 0, 0)
    );

    let (_, _sent) = send(&db, lumen, luis, client, "a@harbourside.example", true)
        .await
        .unwrap();
    let (_, opened) = send(&db, lumen, luis, client, "b@harbourside.example", true)
        .await
        .unwrap();
    db.app.client_invitation(&opened).await.unwrap().unwrap();
    db.app.client_invitation(&opened).await.unwrap().unwrap(); // twice: one opening
    let (_, declined) = send(&db, lumen, luis, client, "c@harbourside.example", true)
        .await
        .unwrap();
    db.app.client_invitation(&declined).await.unwrap().unwrap();
    assert_eq!(
        db.app
            .decline_client_invitation(&declined, None, &RequestMeta::default())
            .await
            .unwrap(),
        Some(InvitationState::Declined)
    );
    let (_, expired) = send(&db, lumen, luis, client, "d@harbourside.example", true)
        .await
        .unwrap();
    sqlx::query(
        "update invitations set created_at = now() - interval '31 days', expires_at = now() - interval '1 day'
         where kind = 'reverse' and email = 'd@harbourside.example'",
    )
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    // An expired link is a calm page and does not count as opened.
    let view = db.app.client_invitation(&expired).await.unwrap().unwrap();
    assert_eq!(view.state, InvitationState::Expired);

    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    let f = reverse::funnel(&mut scope).await.unwrap();
    drop(scope);
    assert_eq!(
        (f.sent, f.opened, f.accepted, f.declined, f.expired),
        (5, 2, 0, 1, 1)
    );
    let stage = |email: &str| {
        f.invitations
            .iter()
            .find(|i| i.email == email)
            .map(|i| i.stage)
            .unwrap()
    };
    assert_eq!(stage("a@harbourside.example"), Stage::Sent);
    assert_eq!(stage("b@harbourside.example"), Stage::Opened);
    assert_eq!(stage("c@harbourside.example"), Stage::Declined);
    assert_eq!(stage("d@harbourside.example"), Stage::Expired);

    // An expired invitation never blocks a fresh one: re-inviting renews it
    // in place with a working link. (Past the resend cool-down: it was
    // "sent" 31 days ago.)
    sqlx::query(
        "update invitations set last_sent_at = now() - interval '31 days'
         where kind = 'reverse' and email = 'd@harbourside.example'",
    )
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    let (out, fresh) = send(&db, lumen, luis, client, "d@harbourside.example", true)
        .await
        .unwrap();
    assert_eq!(out, ReverseOutcome::Refreshed);
    let view = db.app.client_invitation(&fresh).await.unwrap().unwrap();
    assert_eq!(view.state, InvitationState::Valid);
    assert!(db.app.client_invitation(&expired).await.unwrap().is_none());

    // A new person accepts by signing up: counted as accepted.
    let signup = InviteeSignup {
        display_name: "Bea Harbour".to_owned(),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA".to_owned()),
        google_subject: None,
    };
    let (bea, subdomain) = db
        .app
        .sign_up_from_client_invitation(&opened, &signup, &RequestMeta::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(subdomain, "harbourside-developments");
    let verified: bool = sqlx::query_scalar("select email_verified from users where id = $1")
        .bind(bea.as_uuid())
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    assert!(verified);
    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    let f = reverse::funnel(&mut scope).await.unwrap();
    assert_eq!(
        (f.sent, f.opened, f.accepted, f.declined, f.expired),
        (5, 3, 1, 1, 0)
    );
}

#[tokio::test]
async fn a_personal_token_is_no_client_invitation_and_the_reverse() {
    let db = seeded_db().await.unwrap();
    let lumen = org(&db, "lumen").await;
    let luis = user(&db, "luis@lumen.example").await;
    let client = harbourside(&db).await;
    let (_, hash) = send(&db, lumen, luis, client, "hugo@harbourside.example", true)
        .await
        .unwrap();
    assert!(db.app.invitation(&hash).await.unwrap().is_none());
    let (_, unknown) = Token::generate();
    assert!(db.app.client_invitation(&unknown).await.unwrap().is_none());
}

#[tokio::test]
async fn a_withdrawn_reverse_invitation_says_so_and_another_org_cannot_withdraw_it() {
    let db = seeded_db().await.unwrap();
    let (lumen, luis) = (
        org(&db, "lumen").await,
        user(&db, "luis@lumen.example").await,
    );
    let client = harbourside(&db).await;
    let (_, hash) = send(&db, lumen, luis, client, "dev@harbourside.example", true)
        .await
        .unwrap();
    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    let funnel = reverse::funnel(&mut scope).await.unwrap();
    let id = funnel
        .invitations
        .iter()
        .find(|i| i.email == "dev@harbourside.example")
        .unwrap()
        .id;
    drop(scope);
    // Another organisation's Owner: the invitation is not theirs to find.
    let (acme, ava) = (org(&db, "acme").await, user(&db, "ava@acme.example").await);
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert!(reverse::revoke(&mut scope, id, &RequestMeta::default())
        .await
        .is_err());
    drop(scope);
    // A Content Editor of the studio may not (R2.2).
    let marta = user(&db, "marta@lumen.example").await;
    let mut scope = db.app.scope(lumen, marta).await.unwrap();
    assert!(matches!(
        reverse::revoke(&mut scope, id, &RequestMeta::default()).await,
        Err(RepoError::Forbidden(_))
    ));
    drop(scope);
    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    reverse::revoke(&mut scope, id, &RequestMeta::default())
        .await
        .unwrap();
    scope.commit().await.unwrap();
    let view = db.app.client_invitation(&hash).await.unwrap().unwrap();
    assert_eq!(view.state, InvitationState::Revoked);
    let mut scope = db.app.scope(lumen, luis).await.unwrap();
    let funnel = reverse::funnel(&mut scope).await.unwrap();
    let row = funnel.invitations.iter().find(|i| i.id == id).unwrap();
    assert_eq!(row.stage, Stage::Revoked);
    // Twice: nothing pending to withdraw.
    assert!(matches!(
        reverse::revoke(&mut scope, id, &RequestMeta::default()).await,
        Err(RepoError::NotFound)
    ));
    drop(scope);
    let revoked = count(
        &db,
        "select count(*) from audit_events where org_id = $1 and action = 'reverse_invitation.revoked'",
        lumen,
    )
    .await;
    assert_eq!(revoked, 1);
}
