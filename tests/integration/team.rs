//! Settings → Team, personal invitations and the audit chain against a real
//! database (SPEC R2.3, R4.3–R4.6, R5.4, R8.1–R8.3). Two organisations in
//! each tenancy test.

use crate::common::*;
use offplan::{
    db::{
        audit::{self, verify},
        invitations::{self, InvitationState, InviteOutcome, Letter},
        team,
        testing::{seeded_db, TestDb},
        unscoped::AcceptOutcome,
        RepoError, RequestMeta,
    },
    domain::{EmailAddress, OrgId, UserId},
    policy::Role,
    token::{Token, TokenHash},
};
use std::sync::{Arc, Mutex};

async fn audit_count(db: &TestDb, org: OrgId) -> i64 {
    sqlx::query_scalar("select count(*) from audit_events where org_id = $1")
        .bind(org.as_uuid())
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

/// Invites `email` to `org` as `actor` and returns the emailed token.
async fn invite(db: &TestDb, org: OrgId, actor: UserId, email: &str, role: Role) -> TokenHash {
    let sent: Arc<Mutex<Option<TokenHash>>> = Arc::default();
    let keep = sent.clone();
    let link = move |t: &Token| {
        *keep.lock().unwrap() = Some(t.hash());
        format!("https://x/invite/{}", t.expose())
    };
    let letter = Letter {
        org_name: "Acme",
        inviter: "Ava",
        link: &link,
    };
    let mut scope = db.app.scope(org, actor).await.unwrap();
    let out = invitations::invite(
        &mut scope,
        &[EmailAddress::parse(email).unwrap()],
        role,
        &letter,
        &RequestMeta::default(),
    )
    .await
    .unwrap();
    scope.commit().await.unwrap();
    assert!(matches!(
        out[0],
        InviteOutcome::Sent(_) | InviteOutcome::Refreshed(_)
    ));
    let hash = *sent.lock().unwrap();
    hash.unwrap()
}

/// Moves the last mailing of `email`'s pending invitation into the past,
/// as if `minutes` had gone by (the re-send cooldown, R5.5).
async fn sent_minutes_ago(db: &TestDb, org: OrgId, email: &str, minutes: i32) {
    sqlx::query(
        "update invitations set last_sent_at = now() - make_interval(mins => $3)
         where org_id = $1 and email = $2 and status = 'pending'",
    )
    .bind(org.as_uuid())
    .bind(email)
    .bind(minutes)
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
}

async fn new_user(db: &TestDb, email: &str) -> UserId {
    let id: uuid::Uuid = sqlx::query_scalar(
        "insert into users (email, display_name) values ($1, 'New Person') returning id",
    )
    .bind(email)
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    UserId::parse(&id.to_string()).unwrap()
}

#[tokio::test]
async fn fifty_parallel_accepts_make_one_membership_and_forty_nine_already_accepted() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let ava = user(&db, "ava@acme.example").await;
    let hash = invite(&db, acme, ava, "ivan@new.example", Role::SalesAgent).await;
    let ivan = new_user(&db, "Ivan@New.example").await; // case differs (R5.6)
    let before = audit_count(&db, acme).await;

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let app = db.app.clone();
            tokio::spawn(async move {
                app.accept_invitation(&hash, ivan, &RequestMeta::default())
                    .await
                    .unwrap()
                    .unwrap()
            })
        })
        .collect();
    let mut joined = 0;
    let mut already = 0;
    for t in tasks {
        match t.await.unwrap() {
            AcceptOutcome::Joined { role, .. } => {
                assert_eq!(role, Role::SalesAgent);
                joined += 1
            }
            AcceptOutcome::NotPending(InvitationState::Accepted) => already += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((joined, already), (1, 49));
    let memberships: i64 =
        sqlx::query_scalar("select count(*) from memberships where org_id = $1 and user_id = $2")
            .bind(acme.as_uuid())
            .bind(ivan.as_uuid())
            .fetch_one(db.admin.pool_for_tests())
            .await
            .unwrap();
    assert_eq!(memberships, 1);
    assert_eq!(audit_count(&db, acme).await, before + 1);
}

#[tokio::test]
async fn a_declined_token_cannot_be_accepted_and_a_new_invitation_is_not_blocked() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let ava = user(&db, "ava@acme.example").await;
    let hash = invite(&db, acme, ava, "ivan@new.example", Role::SalesAgent).await;
    let ivan = new_user(&db, "ivan@new.example").await;

    let declined = db
        .app
        .decline_invitation(&hash, None, &RequestMeta::default())
        .await
        .unwrap();
    assert_eq!(declined, Some(InvitationState::Declined));
    let accept = db
        .app
        .accept_invitation(&hash, ivan, &RequestMeta::default())
        .await
        .unwrap();
    assert_eq!(
        accept,
        Some(AcceptOutcome::NotPending(InvitationState::Declined))
    );

    // R5.4: a declined invitation never blocks a fresh one.
    let fresh = invite(&db, acme, ava, "ivan@new.example", Role::ContentEditor).await;
    assert!(matches!(
        db.app
            .accept_invitation(&fresh, ivan, &RequestMeta::default())
            .await
            .unwrap(),
        Some(AcceptOutcome::Joined {
            role: Role::ContentEditor,
            ..
        })
    ));
}

#[tokio::test]
async fn reinviting_a_pending_email_refreshes_it_and_the_old_link_stops_working() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let ava = user(&db, "ava@acme.example").await;
    let old = invite(&db, acme, ava, "ivan@new.example", Role::SalesAgent).await;
    sent_minutes_ago(&db, acme, "ivan@new.example", 11).await;
    let new = invite(&db, acme, ava, "IVAN@new.example", Role::SalesManager).await;
    let pending: i64 = sqlx::query_scalar(
        "select count(*) from invitations where org_id = $1 and status = 'pending'",
    )
    .bind(acme.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(pending, 1);
    assert_eq!(db.app.invitation(&old).await.unwrap(), None);
    let view = db.app.invitation(&new).await.unwrap().unwrap();
    assert_eq!(view.role, Role::SalesManager);
    assert_eq!(view.state, InvitationState::Valid);
}

#[tokio::test]
async fn a_token_of_one_organisation_is_accepted_into_that_organisation_only() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let luis = user(&db, "luis@lumen.example").await;
    let hash = invite(&db, lumen, luis, "ivan@new.example", Role::ContentEditor).await;
    let ivan = new_user(&db, "ivan@new.example").await;
    let out = db
        .app
        .accept_invitation(&hash, ivan, &RequestMeta::default())
        .await
        .unwrap();
    assert!(
        matches!(out, Some(AcceptOutcome::Joined { ref subdomain, .. }) if subdomain == "lumen")
    );
    assert!(matches!(
        db.app.scope(acme, ivan).await,
        Err(RepoError::NotFound)
    ));
    // Acme's admins cannot see or revoke Lumen's invitations.
    let ava = user(&db, "ava@acme.example").await;
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert!(invitations::pending(&mut scope).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_wrong_account_cannot_accept() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let ava = user(&db, "ava@acme.example").await;
    let hash = invite(&db, acme, ava, "ivan@new.example", Role::SalesAgent).await;
    let luis = user(&db, "luis@lumen.example").await;
    let out = db
        .app
        .accept_invitation(&hash, luis, &RequestMeta::default())
        .await
        .unwrap();
    assert_eq!(
        out,
        Some(AcceptOutcome::WrongAccount {
            invited: "ivan@new.example".into()
        })
    );
}

#[tokio::test]
async fn an_admin_cannot_change_or_remove_the_owner() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let (ava, ben) = (
        user(&db, "ava@acme.example").await,
        user(&db, "ben@acme.example").await,
    );
    let mut scope = db.app.scope(acme, ben).await.unwrap();
    assert!(matches!(
        team::change_role(&mut scope, ava, Role::SalesAgent).await,
        Err(RepoError::Forbidden(_))
    ));
    assert!(matches!(
        team::remove(&mut scope, ava).await,
        Err(RepoError::Forbidden(_))
    ));
}

#[tokio::test]
async fn nobody_changes_their_own_role() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    for email in ["ava@acme.example", "ben@acme.example"] {
        let me = user(&db, email).await;
        let mut scope = db.app.scope(acme, me).await.unwrap();
        assert!(
            matches!(
                team::change_role(&mut scope, me, Role::SalesAgent).await,
                Err(RepoError::Forbidden(_))
            ),
            "{email}"
        );
    }
}

#[tokio::test]
async fn a_sales_manager_may_not_manage_members_and_another_tenant_is_not_found() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let chloe = user(&db, "chloe@acme.example").await;
    let ella = user(&db, "ella@acme.example").await;
    let mut scope = db.app.scope(acme, chloe).await.unwrap();
    assert!(matches!(
        team::change_role(&mut scope, ella, Role::SalesManager).await,
        Err(RepoError::Forbidden(_))
    ));
    drop(scope);
    // Ava manages Acme, but Lumen's Marta is nobody there: 404.
    let ava = user(&db, "ava@acme.example").await;
    let marta = user(&db, "marta@lumen.example").await;
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert!(matches!(
        team::change_role(&mut scope, marta, Role::SalesAgent).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        team::remove(&mut scope, marta).await,
        Err(RepoError::NotFound)
    ));
    drop(scope);
    let mut scope = db
        .app
        .scope(lumen, user(&db, "luis@lumen.example").await)
        .await
        .unwrap();
    assert_eq!(team::members(&mut scope).await.unwrap().len(), 2);
}

#[tokio::test]
async fn transfer_is_atomic_and_the_old_owner_becomes_admin() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let (ava, ben, chloe) = (
        user(&db, "ava@acme.example").await,
        user(&db, "ben@acme.example").await,
        user(&db, "chloe@acme.example").await,
    );
    let before = audit_count(&db, acme).await;

    // The gate: not an Admin.
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    assert!(matches!(
        team::transfer_ownership(&mut scope, chloe).await,
        Err(RepoError::Conflict(_))
    ));
    drop(scope);
    // An Admin cannot transfer at all.
    let mut scope = db.app.scope(acme, ben).await.unwrap();
    assert!(matches!(
        team::transfer_ownership(&mut scope, ava).await,
        Err(RepoError::Forbidden(_))
    ));
    drop(scope);

    let mut scope = db.app.scope(acme, ava).await.unwrap();
    team::transfer_ownership(&mut scope, ben).await.unwrap();
    scope.commit().await.unwrap();

    let (owner, roles): (uuid::Uuid, Vec<String>) = sqlx::query_as(
        "select o.owner_user_id, array(select role::text from memberships
                 where org_id = o.id and user_id in ($2, $3) order by user_id = $2 desc)
         from organisations o where o.id = $1",
    )
    .bind(acme.as_uuid())
    .bind(ava.as_uuid())
    .bind(ben.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(owner, ben.as_uuid());
    assert_eq!(roles, vec!["admin".to_owned(), "owner".to_owned()]);
    assert_eq!(audit_count(&db, acme).await, before + 1);
}

#[tokio::test]
async fn transfer_requires_a_second_factor_when_the_organisation_does() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    sqlx::query("update organisations set require_second_factor = true where subdomain = 'acme'")
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    let (ava, ben) = (
        user(&db, "ava@acme.example").await,
        user(&db, "ben@acme.example").await,
    );
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    let err = team::transfer_ownership(&mut scope, ben).await.unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict(ref m) if m.to_string().contains("second factor")),
        "{err:?}"
    );
}

#[tokio::test]
async fn every_team_mutation_leaves_exactly_one_audit_event() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let lumen = org(&db, "lumen").await;
    let (ava, dan, ella) = (
        user(&db, "ava@acme.example").await,
        user(&db, "dan@acme.example").await,
        user(&db, "ella@acme.example").await,
    );
    let lumen_before = audit_count(&db, lumen).await;
    let mut n = audit_count(&db, acme).await;

    let mut s = db.app.scope(acme, ava).await.unwrap();
    team::change_role(&mut s, ella, Role::SalesManager)
        .await
        .unwrap();
    s.commit().await.unwrap();
    n += 1;
    assert_eq!(audit_count(&db, acme).await, n);

    invite(&db, acme, ava, "new@new.example", Role::SalesAgent).await;
    n += 1;
    assert_eq!(audit_count(&db, acme).await, n);

    sent_minutes_ago(&db, acme, "new@new.example", 11).await;
    invite(&db, acme, ava, "new@new.example", Role::Admin).await;
    n += 1;
    assert_eq!(audit_count(&db, acme).await, n);

    let id: uuid::Uuid =
        sqlx::query_scalar("select id from invitations where org_id = $1 and status = 'pending'")
            .bind(acme.as_uuid())
            .fetch_one(db.admin.pool_for_tests())
            .await
            .unwrap();
    let mut s = db.app.scope(acme, ava).await.unwrap();
    invitations::revoke(&mut s, id, &RequestMeta::default())
        .await
        .unwrap();
    s.commit().await.unwrap();
    n += 1;
    assert_eq!(audit_count(&db, acme).await, n);

    let mut s = db.app.scope(acme, ava).await.unwrap();
    team::remove(&mut s, dan).await.unwrap();
    s.commit().await.unwrap();
    n += 1;
    assert_eq!(audit_count(&db, acme).await, n);

    let mut s = db.app.scope(acme, ella).await.unwrap();
    team::leave(&mut s).await.unwrap();
    s.commit().await.unwrap();
    n += 1;
    assert_eq!(audit_count(&db, acme).await, n);

    // A refused change writes nothing.
    let mut s = db.app.scope(acme, ava).await.unwrap();
    assert!(team::leave(&mut s).await.is_err());
    drop(s);
    assert_eq!(audit_count(&db, acme).await, n);

    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_events where org_id = $1 order by seq desc limit 6",
    )
    .bind(acme.as_uuid())
    .fetch_all(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "member.left",
            "member.removed",
            "invitation.revoked",
            "invitation.refreshed",
            "invitation.sent",
            "member.role_changed"
        ]
    );
    // The other organisation's chain is untouched.
    assert_eq!(audit_count(&db, lumen).await, lumen_before);
}

#[tokio::test]
async fn a_removed_member_is_signed_out_and_loses_the_organisation() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let (ava, ella) = (
        user(&db, "ava@acme.example").await,
        user(&db, "ella@acme.example").await,
    );
    let epoch = |db: &TestDb| {
        let pool = db.admin.pool_for_tests().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select auth_epoch from users where email = 'ella@acme.example'",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let before = epoch(&db).await;
    let mut s = db.app.scope(acme, ava).await.unwrap();
    team::remove(&mut s, ella).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(epoch(&db).await, before + 1);
    assert!(matches!(
        db.app.scope(acme, ella).await,
        Err(RepoError::NotFound)
    ));
}

#[tokio::test]
async fn audit_verify_passes_on_a_clean_chain_and_names_the_row_a_superuser_edited() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;
    for i in 0..5 {
        invite(
            &db,
            acme,
            ava,
            &format!("p{i}@new.example"),
            Role::SalesAgent,
        )
        .await;
    }
    let reports = verify::verify_database(&db.admin, None).await.unwrap();
    assert!(reports.iter().all(|r| r.broken.is_none()), "{reports:?}");
    let acme_report = reports.iter().find(|r| r.subdomain == "acme").unwrap();
    assert_eq!(acme_report.checked, 5);

    // A superuser rewrites one event's metadata.
    sqlx::query(
        "update audit_events set metadata = '{\"role\": \"admin\"}' where org_id = $1 and seq = 3",
    )
    .bind(acme.as_uuid())
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    let reports = verify::verify_database(&db.admin, None).await.unwrap();
    let broken = reports
        .iter()
        .find(|r| r.subdomain == "acme")
        .unwrap()
        .broken
        .clone()
        .unwrap();
    assert_eq!(broken.seq, 3);
    // Lumen's chain is another chain: still intact.
    assert!(reports
        .iter()
        .find(|r| r.org_id == lumen.as_uuid())
        .unwrap()
        .broken
        .is_none());

    // Erasing personal data (R8.5) leaves the chain intact.
    let db2 = seeded_db().await.unwrap();
    let acme2 = org(&db2, "acme").await;
    let ava2 = user(&db2, "ava@acme.example").await;
    invite(&db2, acme2, ava2, "gone@new.example", Role::SalesAgent).await;
    sqlx::query("update audit_event_pii set data = '{}', ip = null, pseudonymised_at = now()")
        .execute(db2.admin.pool_for_tests())
        .await
        .unwrap();
    let reports = verify::verify_database(&db2.admin, Some("acme"))
        .await
        .unwrap();
    assert!(reports[0].broken.is_none());
}

#[tokio::test]
async fn twenty_concurrent_writers_leave_a_gap_free_unforked_chain() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let ava = user(&db, "ava@acme.example").await;
    let before = audit_count(&db, acme).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let app = db.app.clone();
            tokio::spawn(async move {
                let link = |t: &Token| t.expose().to_owned();
                let letter = Letter {
                    org_name: "Acme",
                    inviter: "Ava",
                    link: &link,
                };
                let mut scope = app.scope(acme, ava).await.unwrap();
                invitations::invite(
                    &mut scope,
                    &[EmailAddress::parse(&format!("c{i}@new.example")).unwrap()],
                    Role::SalesAgent,
                    &letter,
                    &RequestMeta::default(),
                )
                .await
                .unwrap();
                scope.commit().await.unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let seqs: Vec<i64> =
        sqlx::query_scalar("select seq from audit_events where org_id = $1 order by seq")
            .bind(acme.as_uuid())
            .fetch_all(db.admin.pool_for_tests())
            .await
            .unwrap();
    assert_eq!(seqs.len() as i64, before + 20);
    assert_eq!(seqs, (1..=before + 20).collect::<Vec<_>>());
    let reports = verify::verify_database(&db.admin, Some("acme"))
        .await
        .unwrap();
    assert_eq!(reports[0].broken, None);
    assert_eq!(reports[0].checked as i64, before + 20);
}

#[tokio::test]
async fn unregistered_metadata_keys_are_refused_before_anything_is_written() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let before = audit_count(&db, acme).await;
    let ava = user(&db, "ava@acme.example").await;
    let mut tx = db.app.scope(acme, ava).await.unwrap();
    let err = audit::append(
        &mut tx,
        &audit::NewEvent::new(None, audit::Action::MemberRoleChanged)
            .metadata(serde_json::json!({ "email": "someone@example.com" })),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("email"), "{err}");
    tx.commit().await.unwrap();
    assert_eq!(audit_count(&db, acme).await, before);
}

#[tokio::test]
async fn a_sign_in_is_recorded_in_each_organisation_of_the_person_and_no_other() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;
    let (acme_before, lumen_before) = (audit_count(&db, acme).await, audit_count(&db, lumen).await);
    db.app
        .start_session(ava, &RequestMeta::default())
        .await
        .unwrap();
    assert_eq!(audit_count(&db, acme).await, acme_before + 1);
    assert_eq!(audit_count(&db, lumen).await, lumen_before);
    let action: String = sqlx::query_scalar(
        "select action from audit_events where org_id = $1 order by seq desc limit 1",
    )
    .bind(acme.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(action, "auth.signed_in");
}

#[tokio::test]
async fn the_token_burst_alert_fires_once_when_one_address_crosses_the_threshold() {
    let db = seeded_db().await.unwrap();
    let meta = RequestMeta {
        ip: Some("203.0.113.9".into()),
        user_agent: None,
    };
    let mut fired = Vec::new();
    for _ in 0..6 {
        fired.push(
            db.app
                .note_token_miss("token-miss:ip:203.0.113.9", 3, 600, &meta, None)
                .await
                .unwrap(),
        );
    }
    // The fourth failure crosses a threshold of three; later ones stay quiet.
    assert_eq!(fired, [false, false, false, true, false, false]);
    // Another address has its own count.
    assert!(!db
        .app
        .note_token_miss("token-miss:ip:198.51.100.7", 3, 600, &meta, None)
        .await
        .unwrap());
    let alerts: i64 = sqlx::query_scalar(
        "select count(*) from security_events where kind = 'security.token_lookup_burst'",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(alerts, 1);
}

#[tokio::test]
async fn the_audit_log_filters_and_pages_by_keyset_without_gaps_or_overlap() {
    use offplan::db::audit::log::{self, Filter};
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let (ava, ella) = (
        user(&db, "ava@acme.example").await,
        user(&db, "ella@acme.example").await,
    );
    for i in 0..7 {
        invite(
            &db,
            acme,
            ava,
            &format!("k{i}@new.example"),
            Role::SalesAgent,
        )
        .await;
    }
    let mut s = db.app.scope(acme, ava).await.unwrap();
    team::change_role(&mut s, ella, Role::SalesManager)
        .await
        .unwrap();
    s.commit().await.unwrap();
    let luis = user(&db, "luis@lumen.example").await;
    invite(&db, lumen, luis, "other@new.example", Role::SalesAgent).await;

    let mut scope = db.app.scope(acme, ava).await.unwrap();
    // Keyset pages of 3 cover everything once, newest first.
    let mut seen = Vec::new();
    let mut filter = Filter::default();
    loop {
        let page = log::page(&mut scope, &filter, 3).await.unwrap();
        seen.extend(page.entries.iter().map(|e| e.seq));
        match page.next_before {
            Some(b) => filter.before = Some(b),
            None => break,
        }
    }
    let total = audit_count(&db, acme).await;
    assert_eq!(seen, (1..=total).rev().collect::<Vec<_>>());

    // By action, by actor, by the person it was about, by date.
    let only = |f: Filter| {
        let db = db.app.clone();
        async move {
            let mut s = db.scope(acme, ava).await.unwrap();
            log::page(&mut s, &f, 100).await.unwrap().entries
        }
    };
    let invites = only(Filter {
        action: Some(audit::Action::InvitationSent),
        ..Filter::default()
    })
    .await;
    assert_eq!(invites.len(), 7);
    assert!(invites
        .iter()
        .all(|e| e.email.as_deref().is_some_and(|m| m.starts_with('k'))));
    let about_ella = only(Filter {
        target: Some(ella),
        ..Filter::default()
    })
    .await;
    assert_eq!(about_ella.len(), 1);
    assert_eq!(
        about_ella[0].sentence(),
        "Ava Thompson changed Ella Price's role from Sales Agent to Sales Manager"
    );
    let by_ella = only(Filter {
        actor: Some(ella),
        ..Filter::default()
    })
    .await;
    assert!(by_ella.is_empty());
    let today = time::OffsetDateTime::now_utc().date();
    let yesterday = today.previous_day().unwrap();
    assert_eq!(
        only(Filter {
            from: Some(today),
            to: Some(today),
            ..Filter::default()
        })
        .await
        .len() as i64,
        total
    );
    assert!(only(Filter {
        to: Some(yesterday),
        ..Filter::default()
    })
    .await
    .is_empty());

    // Lumen's events never appear in Acme's log.
    assert!(seen.len() as i64 == total);
    let lumen_scope_entries = {
        let mut s = db.app.scope(lumen, luis).await.unwrap();
        log::page(&mut s, &Filter::default(), 100)
            .await
            .unwrap()
            .entries
    };
    assert!(lumen_scope_entries
        .iter()
        .all(|e| e.email.as_deref() != Some("k0@new.example")));

    // Only Owner and Admin may read it.
    let mut s = db.app.scope(acme, ella).await.unwrap();
    assert!(matches!(
        log::page(&mut s, &Filter::default(), 10).await,
        Err(RepoError::Forbidden(_))
    ));
}

#[tokio::test]
async fn an_operator_hands_a_departed_owners_organisation_to_an_admin() {
    use offplan::db::unscoped::operator::{transfer_ownership, AssistedTransfer};
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let checklist = vec!["email-control".to_owned()];
    let lumen_before = audit_count(&db, lumen).await;
    // Chloe is a Sales Manager: the gate refuses. Marta is not in Acme.
    assert!(matches!(
        transfer_ownership(&db.admin, "acme", "chloe@acme.example", "op", &checklist)
            .await
            .unwrap(),
        AssistedTransfer::Refused(_)
    ));
    assert_eq!(
        transfer_ownership(&db.admin, "acme", "marta@lumen.example", "op", &checklist)
            .await
            .unwrap(),
        AssistedTransfer::NotAMember
    );
    let before = audit_count(&db, acme).await;
    assert_eq!(
        transfer_ownership(&db.admin, "acme", "BEN@acme.example", "op", &checklist)
            .await
            .unwrap(),
        AssistedTransfer::Done {
            previous_owner: "ava@acme.example".into()
        }
    );
    let ben = user(&db, "ben@acme.example").await;
    let mut scope = db.app.scope(acme, ben).await.unwrap();
    assert_eq!(scope.membership().role(), Role::Owner);
    let ava = team::members(&mut scope)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.email == "ava@acme.example")
        .unwrap();
    assert_eq!(ava.role, Role::Admin);
    assert_eq!(audit_count(&db, acme).await, before + 1);
    assert_eq!(audit_count(&db, lumen).await, lumen_before);
}

// ---- Issue 10 ----

/// Pending invitations of `org` to `email`, and mails queued to it.
async fn pending_and_mailed(db: &TestDb, org: OrgId, email: &str) -> (i64, i64) {
    let pending: i64 = sqlx::query_scalar(
        "select count(*) from invitations where org_id = $1 and email = $2 and status = 'pending'",
    )
    .bind(org.as_uuid())
    .bind(email)
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    let mailed: i64 = sqlx::query_scalar("select count(*) from outbox where to_email = $1")
        .bind(email)
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    (pending, mailed)
}

/// Tries to invite `emails` as `actor`; the repository's answer.
async fn try_invite(
    db: &TestDb,
    org: OrgId,
    actor: UserId,
    emails: &[String],
) -> Result<Vec<InviteOutcome>, invitations::InviteError> {
    let link = |t: &Token| format!("https://x/invite/{}", t.expose());
    let letter = Letter {
        org_name: "Acme",
        inviter: "Ava",
        link: &link,
    };
    let parsed: Vec<EmailAddress> = emails
        .iter()
        .map(|e| EmailAddress::parse(e).unwrap())
        .collect();
    let mut scope = db.app.scope(org, actor).await.unwrap();
    let out = invitations::invite(
        &mut scope,
        &parsed,
        Role::SalesAgent,
        &letter,
        &RequestMeta::default(),
    )
    .await?;
    scope.commit().await.unwrap();
    Ok(out)
}

/// Writes `n` `invitation.sent` events by `actor` into `org`'s chain, as if
/// they had mailed that many invitations just now.
async fn mailed_already(db: &TestDb, org: OrgId, actor: UserId, n: usize) {
    let mut tx = db.app.scope(org, actor).await.unwrap();
    for _ in 0..n {
        audit::append(
            &mut tx,
            &audit::NewEvent::new(Some(actor), audit::Action::InvitationSent)
                .metadata(serde_json::json!({ "role": "sales_agent" })),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn re_inviting_an_address_mailed_minutes_ago_mails_nothing_and_says_when() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;
    let luis = user(&db, "luis@lumen.example").await;
    invite(&db, acme, ava, "ivan@new.example", Role::SalesAgent).await;
    let before = pending_and_mailed(&db, acme, "ivan@new.example").await;

    // R5.5: the same address again at once, among others: nothing is sent.
    let err = try_invite(
        &db,
        acme,
        ava,
        &["olga@new.example".into(), "IVAN@new.example".into()],
    )
    .await
    .unwrap_err();
    let invitations::InviteError::Throttled(t) = err else {
        panic!("expected a throttle, got {err:?}")
    };
    assert!(matches!(
        &t,
        invitations::Throttled::RecentlySent { emails, retry_after_secs }
            if emails == &["ivan@new.example".to_owned()] && *retry_after_secs > 0
    ));
    assert!(t.to_string().contains("ivan@new.example"), "{t}");
    assert!(t.to_string().contains("Nothing was sent"), "{t}");
    assert_eq!(
        pending_and_mailed(&db, acme, "ivan@new.example").await,
        before
    );
    assert_eq!(
        pending_and_mailed(&db, acme, "olga@new.example").await,
        (0, 0)
    );

    // The resend button is throttled the same way.
    let id: uuid::Uuid = sqlx::query_scalar(
        "select id from invitations where org_id = $1 and email = 'ivan@new.example'",
    )
    .bind(acme.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    let link = |t: &Token| format!("https://x/invite/{}", t.expose());
    let letter = Letter {
        org_name: "Acme",
        inviter: "Ava",
        link: &link,
    };
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    let err = invitations::resend(&mut scope, id, &letter, &RequestMeta::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, invitations::InviteError::Throttled(_)),
        "{err:?}"
    );
    drop(scope);
    assert_eq!(
        pending_and_mailed(&db, acme, "ivan@new.example").await,
        before
    );

    // Another organisation has its own invitations: Lumen may invite Ivan.
    let out = try_invite(&db, lumen, luis, &["ivan@new.example".into()])
        .await
        .unwrap();
    assert!(matches!(out[0], InviteOutcome::Sent(_)));

    // Once the cooldown has passed, both the re-invite and a resend work.
    sent_minutes_ago(&db, acme, "ivan@new.example", 11).await;
    let out = try_invite(&db, acme, ava, &["ivan@new.example".into()])
        .await
        .unwrap();
    assert!(matches!(out[0], InviteOutcome::Refreshed(_)));
    sent_minutes_ago(&db, acme, "ivan@new.example", 11).await;
    let mut scope = db.app.scope(acme, ava).await.unwrap();
    invitations::resend(&mut scope, id, &letter, &RequestMeta::default())
        .await
        .unwrap();
    scope.commit().await.unwrap();
}

#[tokio::test]
async fn one_person_may_mail_at_most_the_hourly_allowance_of_invitations() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;
    let ben = user(&db, "ben@acme.example").await;
    let luis = user(&db, "luis@lumen.example").await;
    mailed_already(
        &db,
        acme,
        ava,
        invitations::ACTOR_MAILS_PER_HOUR as usize - 1,
    )
    .await;

    // Two more would be one too many: refused whole, with what is left.
    let two = vec!["a1@new.example".to_owned(), "a2@new.example".to_owned()];
    let err = try_invite(&db, acme, ava, &two).await.unwrap_err();
    let invitations::InviteError::Throttled(t) = err else {
        panic!("expected a throttle, got {err:?}")
    };
    assert!(
        matches!(
            t,
            invitations::Throttled::Hourly {
                who: invitations::Quota::Actor,
                remaining: 1,
                retry_after_secs: 1..=3600,
                ..
            }
        ),
        "{t:?}"
    );
    assert!(t.to_string().contains("You can send 1 more now"), "{t}");
    assert_eq!(
        pending_and_mailed(&db, acme, "a1@new.example").await,
        (0, 0)
    );
    // One fits; another Admin of the organisation has their own allowance;
    // so has the same kind of person in another organisation.
    try_invite(&db, acme, ava, &two[..1]).await.unwrap();
    try_invite(&db, acme, ben, &two[1..]).await.unwrap();
    try_invite(&db, lumen, luis, &["l1@new.example".into()])
        .await
        .unwrap();
    assert!(try_invite(&db, acme, ava, &["a3@new.example".into()])
        .await
        .is_err());
}

#[tokio::test]
async fn an_organisation_may_mail_at_most_its_hourly_allowance_of_invitations() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;
    let ben = user(&db, "ben@acme.example").await;
    let luis = user(&db, "luis@lumen.example").await;
    // Ben mailed most of the organisation's allowance (not his own: the
    // per-person limit is lower, so the history is written directly).
    mailed_already(&db, acme, ben, invitations::ORG_MAILS_PER_HOUR as usize - 1).await;

    let err = try_invite(
        &db,
        acme,
        ava,
        &["o1@new.example".into(), "o2@new.example".into()],
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            invitations::InviteError::Throttled(invitations::Throttled::Hourly {
                who: invitations::Quota::Organisation,
                ..
            })
        ),
        "{err:?}"
    );
    try_invite(&db, acme, ava, &["o1@new.example".into()])
        .await
        .unwrap();
    assert!(try_invite(&db, acme, ava, &["o2@new.example".into()])
        .await
        .is_err());
    // Lumen's allowance is Lumen's.
    try_invite(&db, lumen, luis, &["o2@new.example".into()])
        .await
        .unwrap();
}

#[tokio::test]
async fn removing_an_admin_revokes_the_invitations_they_sent_there_and_only_there() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;
    let ben = user(&db, "ben@acme.example").await;
    let luis = user(&db, "luis@lumen.example").await;
    // Ben, an Admin of Acme, invites someone as Admin; Ava invites someone
    // too; Lumen's Owner invites someone in Lumen.
    let bens = invite(&db, acme, ben, "bens-friend@new.example", Role::Admin).await;
    let avas = invite(&db, acme, ava, "avas-pick@new.example", Role::SalesAgent).await;
    let lumens = invite(&db, lumen, luis, "lumen-pick@new.example", Role::Admin).await;

    let before = audit_count(&db, acme).await;
    let mut s = db.app.scope(acme, ava).await.unwrap();
    team::remove(&mut s, ben).await.unwrap();
    s.commit().await.unwrap();

    // R4.4: Ben's invitation no longer admits anyone; the others stand.
    let friend = new_user(&db, "bens-friend@new.example").await;
    assert_eq!(
        db.app
            .accept_invitation(&bens, friend, &RequestMeta::default())
            .await
            .unwrap(),
        Some(AcceptOutcome::NotPending(InvitationState::Revoked))
    );
    assert_eq!(
        db.app.invitation(&avas).await.unwrap().unwrap().state,
        InvitationState::Valid
    );
    assert_eq!(
        db.app.invitation(&lumens).await.unwrap().unwrap().state,
        InvitationState::Valid
    );
    // Audited: the removal and one revocation, naming why.
    assert_eq!(audit_count(&db, acme).await, before + 2);
    let events: Vec<(String, serde_json::Value)> = sqlx::query_as(
        "select action, metadata from audit_events where org_id = $1 order by seq desc limit 2",
    )
    .bind(acme.as_uuid())
    .fetch_all(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            (
                "member.removed".to_owned(),
                serde_json::json!({ "role": "admin" })
            ),
            (
                "invitation.revoked".to_owned(),
                serde_json::json!({ "role": "admin", "reason": "inviter_removed" })
            ),
        ]
    );
}

#[tokio::test]
async fn an_admin_made_sales_manager_keeps_no_invitations_they_may_no_longer_grant() {
    let db = seeded_db().await.unwrap();
    let acme = org(&db, "acme").await;
    let ava = user(&db, "ava@acme.example").await;
    let ben = user(&db, "ben@acme.example").await;
    let bens = invite(&db, acme, ben, "bens-agent@new.example", Role::SalesAgent).await;
    let mut s = db.app.scope(acme, ava).await.unwrap();
    team::change_role(&mut s, ben, Role::SalesManager)
        .await
        .unwrap();
    s.commit().await.unwrap();
    assert_eq!(
        db.app.invitation(&bens).await.unwrap().unwrap().state,
        InvitationState::Revoked
    );
}

#[tokio::test]
async fn verify_names_a_personal_data_row_a_superuser_edited_and_counts_the_erased() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;
    let luis = user(&db, "luis@lumen.example").await;
    for i in 0..3 {
        invite(
            &db,
            acme,
            ava,
            &format!("p{i}@new.example"),
            Role::SalesAgent,
        )
        .await;
    }
    invite(&db, lumen, luis, "l@new.example", Role::SalesAgent).await;
    let acme_report = |reports: &[verify::OrgReport]| {
        reports
            .iter()
            .find(|r| r.org_id == acme.as_uuid())
            .unwrap()
            .clone()
    };
    let clean = verify::verify_database(&db.admin, None).await.unwrap();
    assert!(clean.iter().all(|r| r.broken.is_none()), "{clean:?}");
    assert_eq!(acme_report(&clean).pii_checked, 3);

    // A superuser rewrites the address of Acme's second event.
    sqlx::query(
        "update audit_event_pii set data = '{\"email\": \"someone-else@new.example\"}'
         where org_id = $1 and seq = 2",
    )
    .bind(acme.as_uuid())
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    let reports = verify::verify_database(&db.admin, None).await.unwrap();
    let broken = acme_report(&reports).broken.unwrap();
    assert_eq!(broken.seq, 2);
    assert!(
        broken
            .reason
            .contains("personal data does not match its digest"),
        "{}",
        broken.reason
    );
    // Lumen's chain is another chain: intact, its digest checked.
    let lumen_report = reports
        .iter()
        .find(|r| r.org_id == lumen.as_uuid())
        .unwrap();
    assert!(lumen_report.broken.is_none());
    assert_eq!(lumen_report.pii_checked, 1);

    // Erasing (pseudonymising, R8.5) is not editing: the chain verifies and
    // the erased parts are counted as such.
    sqlx::query(
        "update audit_event_pii set data = '{}', ip = null, pseudonymised_at = now()
         where org_id = $1",
    )
    .bind(acme.as_uuid())
    .execute(db.admin.pool_for_tests())
    .await
    .unwrap();
    let reports = verify::verify_database(&db.admin, Some("acme"))
        .await
        .unwrap();
    assert!(reports[0].broken.is_none(), "{reports:?}");
    assert_eq!((reports[0].pii_checked, reports[0].pii_erased), (0, 3));
}

#[tokio::test]
async fn twenty_concurrent_sign_ins_of_people_sharing_two_organisations_all_succeed() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    // Twenty people in both organisations; half joined Acme first, half
    // Lumen first, so their memberships come back in different orders.
    let mut people = Vec::new();
    for i in 0..20 {
        let person = new_user(&db, &format!("both{i}@new.example")).await;
        let order = if i % 2 == 0 {
            [acme, lumen]
        } else {
            [lumen, acme]
        };
        for o in order {
            sqlx::query(
                "insert into memberships (org_id, user_id, role) values ($1, $2, 'sales_agent')",
            )
            .bind(o.as_uuid())
            .bind(person.as_uuid())
            .execute(db.admin.pool_for_tests())
            .await
            .unwrap();
        }
        people.push(person);
    }
    let (acme_before, lumen_before) = (audit_count(&db, acme).await, audit_count(&db, lumen).await);
    let barrier = Arc::new(tokio::sync::Barrier::new(people.len()));
    let tasks: Vec<_> = people
        .into_iter()
        .map(|person| {
            let (app, barrier) = (db.app.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                app.start_session(person, &RequestMeta::default()).await
            })
        })
        .collect();
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            panic!("a sign-in failed (40P01 is a deadlock on the chain heads): {e:?}");
        }
    }
    assert_eq!(audit_count(&db, acme).await, acme_before + 20);
    assert_eq!(audit_count(&db, lumen).await, lumen_before + 20);
    let reports = verify::verify_database(&db.admin, None).await.unwrap();
    assert!(reports.iter().all(|r| r.broken.is_none()), "{reports:?}");
}

#[test]
fn several_chains_are_locked_in_org_id_order() {
    let ids: Vec<OrgId> = [
        "ffffffff-0000-4000-8000-000000000000",
        "00000000-0000-4000-8000-000000000001",
    ]
    .iter()
    .map(|s| OrgId::parse(s).unwrap())
    .collect();
    let ordered = audit::lock_order(&[ids[0], ids[1], ids[0]]);
    assert_eq!(ordered, vec![ids[1], ids[0]]);
}

#[tokio::test]
async fn an_operator_lookup_appears_in_the_audit_log_of_each_organisation_of_the_person() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let northstar = org(&db, "northstar").await;
    let ella = user(&db, "ella@acme.example").await;
    // Ella also works for Lumen.
    sqlx::query("insert into memberships (org_id, user_id, role) values ($1, $2, 'sales_agent')")
        .bind(lumen.as_uuid())
        .bind(ella.as_uuid())
        .execute(db.admin.pool_for_tests())
        .await
        .unwrap();
    let counts = |db: &TestDb| {
        let db = db.admin.pool_for_tests().clone();
        async move {
            let mut out = Vec::new();
            for o in [acme, lumen, northstar] {
                let n: i64 = sqlx::query_scalar(
                    "select count(*) from audit_events where org_id = $1 and action = 'member.looked_up'",
                )
                .bind(o.as_uuid())
                .fetch_one(&db)
                .await
                .unwrap();
                out.push(n);
            }
            out
        }
    };
    assert_eq!(counts(&db).await, [0, 0, 0]);
    let report = offplan::db::unscoped::operator::lookup(
        &db.admin,
        "ella@acme.example",
        "olga",
        "ticket 123",
    )
    .await
    .unwrap();
    assert!(report.is_some());
    // R8.6: Acme and Lumen see it; Northstar, where Ella is nobody, does not.
    assert_eq!(counts(&db).await, [1, 1, 0]);
    let (target, metadata): (String, serde_json::Value) = sqlx::query_as(
        "select target_id, metadata from audit_events
         where org_id = $1 and action = 'member.looked_up'",
    )
    .bind(lumen.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(target, ella.to_string());
    assert_eq!(
        metadata,
        serde_json::json!({ "operator": "olga", "reason": "ticket 123" })
    );
    let reports = verify::verify_database(&db.admin, None).await.unwrap();
    assert!(reports.iter().all(|r| r.broken.is_none()), "{reports:?}");
}

#[tokio::test]
async fn a_burst_on_an_organisations_address_is_written_to_that_organisations_audit_log() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let meta = RequestMeta {
        ip: Some("203.0.113.9".into()),
        user_agent: None,
    };
    let burst = |db: &TestDb, o: OrgId| {
        let pool = db.admin.pool_for_tests().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from audit_events
                 where org_id = $1 and action = 'security.token_lookup_burst'",
            )
            .bind(o.as_uuid())
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    for _ in 0..5 {
        db.app
            .note_token_miss("token-miss:ip:203.0.113.9", 3, 600, &meta, Some(acme))
            .await
            .unwrap();
    }
    // R5.5: one audit event, in Acme's chain (the host the lookups came to),
    // with the address in its personal-data part; none in Lumen's.
    assert_eq!(burst(&db, acme).await, 1);
    assert_eq!(burst(&db, lumen).await, 0);
    let ip: Option<String> = sqlx::query_scalar(
        "select host(p.ip) from audit_events e
         join audit_event_pii p on p.org_id = e.org_id and p.seq = e.seq
         where e.org_id = $1 and e.action = 'security.token_lookup_burst'",
    )
    .bind(acme.as_uuid())
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(ip.as_deref(), Some("203.0.113.9"));
    let security: i64 = sqlx::query_scalar(
        "select count(*) from security_events where kind = 'security.token_lookup_burst'",
    )
    .fetch_one(db.admin.pool_for_tests())
    .await
    .unwrap();
    assert_eq!(security, 1);
    let reports = verify::verify_database(&db.admin, None).await.unwrap();
    assert!(reports.iter().all(|r| r.broken.is_none()), "{reports:?}");
}

#[tokio::test]
async fn concurrent_invitations_cannot_slip_past_the_hourly_allowance_together() {
    let db = seeded_db().await.unwrap();
    let (acme, lumen) = (org(&db, "acme").await, org(&db, "lumen").await);
    let ava = user(&db, "ava@acme.example").await;
    let luis = user(&db, "luis@lumen.example").await;
    mailed_already(
        &db,
        acme,
        ava,
        invitations::ACTOR_MAILS_PER_HOUR as usize - 5,
    )
    .await;
    mailed_already(
        &db,
        lumen,
        luis,
        invitations::ACTOR_MAILS_PER_HOUR as usize - 5,
    )
    .await;
    // Twelve at once in each organisation, five slots left in each.
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let db = db.app.clone();
            let (o, actor) = if i % 2 == 0 {
                (acme, ava)
            } else {
                (lumen, luis)
            };
            tokio::spawn(async move {
                let link = |t: &Token| format!("https://x/invite/{}", t.expose());
                let letter = Letter {
                    org_name: "Org",
                    inviter: "Someone",
                    link: &link,
                };
                let mut scope = db.scope(o, actor).await.unwrap();
                let out = invitations::invite(
                    &mut scope,
                    &[EmailAddress::parse(&format!("race{i}@new.example")).unwrap()],
                    Role::SalesAgent,
                    &letter,
                    &RequestMeta::default(),
                )
                .await;
                match out {
                    Ok(_) => {
                        scope.commit().await.unwrap();
                        Some(o)
                    }
                    Err(invitations::InviteError::Throttled(_)) => None,
                    Err(e) => panic!("{e:?}"),
                }
            })
        })
        .collect();
    let mut sent = Vec::new();
    for t in tasks {
        sent.extend(t.await.unwrap());
    }
    assert_eq!(sent.iter().filter(|o| **o == acme).count(), 5);
    assert_eq!(sent.iter().filter(|o| **o == lumen).count(), 5);
}
