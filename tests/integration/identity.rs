//! Identity against the real database (issue 10): Google may take over an
//! address only when we verified it, or else without what the unverified
//! registrant left behind (R3.3); emailed verification links (R5.4 token
//! rules); and the one-shot links that prove an address.

use offplan::{
    db::{
        seed,
        testing::seeded_db,
        unscoped::{GoogleIdentity, GoogleMatch, NewSignup, SignupOutcome},
        RequestMeta,
    },
    domain::{ClientTypes, EmailAddress, Subdomain},
    password_hash::PasswordHasher,
    token::Token,
};
use std::sync::Mutex;

fn signup(email: &str, hash: &str) -> NewSignup {
    NewSignup {
        display_name: "Vic Tim".into(),
        email: EmailAddress::parse(email).unwrap(),
        password_hash: Some(hash.to_owned()),
        google_subject: None,
        email_verified: false,
        org_name: "Squatters Ltd".into(),
        subdomain: Subdomain::parse("squatters").unwrap(),
        country: "GB".into(),
        client_types: ClientTypes::parse(["developer"]).unwrap(),
    }
}

fn google(email: &str, subject: &str) -> GoogleIdentity {
    GoogleIdentity {
        subject: subject.into(),
        email: email.into(),
        email_verified: true,
        name: Some("Vic Tim".into()),
    }
}

/// Issue 10 item 2: someone registers `v@x` with a password before its
/// owner arrives; when the owner continues with Google (which verified the
/// address), the old password no longer opens the account and the
/// registrant's session is over.
#[tokio::test]
async fn a_verified_google_sign_in_strips_an_unverified_accounts_password_and_sessions() {
    let db = seeded_db().await.unwrap();
    let hasher = PasswordHasher::new(1).unwrap();
    let phc = hasher
        .hash(
            &offplan::domain::NewPassword::parse("attacker chose this passphrase", false).unwrap(),
        )
        .await
        .unwrap();
    let meta = RequestMeta::default();
    let outcome = db
        .app
        .sign_up_with_password(
            &signup("v@victim.example", &phc),
            &|t: &Token| format!("http://app.test/verify-email?token={}", t.expose()),
            "http://app.test/login",
            &meta,
        )
        .await
        .unwrap();
    let SignupOutcome::Created { user, .. } = outcome else {
        panic!("{outcome:?}")
    };
    let attackers_login = db.app.start_session(user, &meta).await.unwrap();
    assert!(db
        .app
        .session_user(attackers_login)
        .await
        .unwrap()
        .is_some());

    let found = db
        .app
        .match_google(&google("V@victim.example", "google-victim"), &meta)
        .await
        .unwrap();
    assert_eq!(found, GoogleMatch::Claimed { id: user });

    let candidate = db
        .app
        .login_candidate("v@victim.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(candidate.password_hash, None, "the old password is gone");
    assert!(
        !hasher
            .verify(
                "attacker chose this passphrase",
                candidate.password_hash.as_deref()
            )
            .await
    );
    assert!(
        db.app
            .session_user(attackers_login)
            .await
            .unwrap()
            .is_none(),
        "the registrant's session ended"
    );
    // The same Google account signs in again by its subject, as a user now.
    assert!(matches!(
        db.app
            .match_google(&google("v@victim.example", "google-victim"), &meta)
            .await
            .unwrap(),
        GoogleMatch::User { id, .. } if id == user
    ));
}

/// R3.3: an account whose address *we* verified is linked, and keeps its
/// password.
#[tokio::test]
async fn a_verified_account_is_linked_and_keeps_its_password() {
    let db = seeded_db().await.unwrap();
    seed::demo_passwords(&db.admin, &seed::demo_password_hash().await.unwrap())
        .await
        .unwrap();
    let ava = crate::common::user(&db, "ava@acme.example").await;
    let found = db
        .app
        .match_google(
            &google("ava@acme.example", "google-ava"),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        found,
        GoogleMatch::User {
            id: ava,
            has_totp: false
        }
    );
    let candidate = db
        .app
        .login_candidate("ava@acme.example")
        .await
        .unwrap()
        .unwrap();
    assert!(candidate.password_hash.is_some());
}

/// Verification links are single use, and prove the address they were sent
/// to only while the account still has it.
#[tokio::test]
async fn a_verification_link_works_once() {
    let db = seeded_db().await.unwrap();
    let meta = RequestMeta::default();
    let sent = Mutex::new(None::<Token>);
    let outcome = db
        .app
        .sign_up_with_password(
            &signup("w@victim.example", "not-a-real-phc"),
            &|t: &Token| {
                let url = format!("http://app.test/verify-email?token={}", t.expose());
                *sent.lock().unwrap() = Token::parse(t.expose());
                url
            },
            "http://app.test/login",
            &meta,
        )
        .await
        .unwrap();
    let SignupOutcome::Created { user, .. } = outcome else {
        panic!("{outcome:?}")
    };
    let token = sent.lock().unwrap().take().unwrap();
    let first = db.app.verify_email(&token.hash(), &meta).await.unwrap();
    assert_eq!(first.map(|v| v.user), Some(user));
    assert_eq!(
        db.app.verify_email(&token.hash(), &meta).await.unwrap(),
        None
    );
    let verified: bool = sqlx::query_scalar("select email_verified from users where id = $1")
        .bind(user.as_uuid())
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap();
    assert!(verified);
}
