//! The holes the identity review found (issue 10), each proven closed over
//! real HTTP: the reset that skipped the second factor (R3.6, R3.9), the
//! per-account limits that a fresh address or a look-alike spelling
//! escaped (R3.7), the reset mailed to the address as typed, the sign-up
//! that told whether an address has an account (R3.7), the second factor
//! that a bare session could replace, and server functions reachable while
//! a re-enrolment is owed.

use crate::support::{session_cookie, TestApp};
use serde_json::Value;

const APP: &str = "app.offplan.localhost";
const ACME: &str = "acme.offplan.localhost";
const NEW_PASSWORD: &str = "copper kettle singing at dawn";

/// The newest development-outbox message to `to` (polling: some mail is
/// queued after the answer, in a task of its own).
async fn newest_mail_to(app: &TestApp, to: &str) -> Option<Value> {
    mail_to(app, to, 50).await
}

async fn mail_to(app: &TestApp, to: &str, tries: usize) -> Option<Value> {
    for _ in 0..tries {
        let list: Value = app
            .post_form(APP, "/api/dev/outbox", &[], None, &[])
            .await
            .json()
            .await
            .unwrap();
        if let Some(m) = list
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["to"].as_str() == Some(to))
        {
            return Some(m.clone());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

/// The first link in a mail's body that contains `marker`.
fn link_in(mail: &Value, marker: &str) -> String {
    mail["body"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.contains(marker))
        .unwrap_or_else(|| panic!("no {marker} link in {mail}"))
        .to_owned()
}

fn query_value(url: &str, key: &str) -> String {
    url.split_once(&format!("{key}="))
        .map(|(_, v)| v.split('&').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no {key} in {url}"))
}

fn code_at(secret_base32: &str, unix: u64) -> String {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret, None, "x".into())
        .unwrap()
        .generate(unix)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Turns TOTP on for the signed-in person; answers the base32 secret and
/// the session cookie to carry on with (enrolling ends other sessions and
/// renews this one).
async fn enrol_totp(app: &TestApp, cookie: &str) -> (String, String) {
    let begin = app
        .post_form(APP, "/api/auth/totp-begin", &[], Some(cookie), &[])
        .await;
    assert_eq!(begin.status(), 200);
    let cookie = session_cookie(&begin).unwrap_or_else(|| cookie.to_owned());
    let secret = begin.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let confirm = app
        .post_form(
            APP,
            "/api/auth/totp-confirm",
            &[("code", &code_at(&secret, now()))],
            Some(&cookie),
            &[],
        )
        .await;
    assert_eq!(confirm.status(), 200, "{:?}", confirm.text().await);
    let cookie = session_cookie(&confirm).unwrap_or(cookie);
    (secret, cookie)
}

/// Opens the sign-up link mailed to `to`; the response of the button press.
pub async fn finish_sign_up(app: &TestApp, to: &str) -> reqwest::Response {
    let mail = newest_mail_to(app, to).await.expect("a sign-up mail");
    let token = query_value(&link_in(&mail, "/verify-email?token="), "token");
    let res = app
        .post_form(
            APP,
            "/api/auth/verify-email",
            &[("token", &token)],
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    res
}

/// Issue 10 item 1 (R3.6, R3.9): whoever reads the mailbox of an account
/// with a second factor can choose a new password, but the reset ends at
/// the code step, exactly like a sign-in — no session until the code.
#[tokio::test]
async fn a_password_reset_of_an_account_with_totp_still_asks_for_the_code() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in(APP, "chloe@acme.example").await;
    let (secret, _) = enrol_totp(&app, &cookie).await;

    let asked = app
        .post_form(
            APP,
            "/api/auth/forgot",
            &[("email", "chloe@acme.example")],
            None,
            &[],
        )
        .await;
    assert_eq!(asked.status(), 200);
    let mail = newest_mail_to(&app, "chloe@acme.example")
        .await
        .expect("a reset mail");
    let token = query_value(&link_in(&mail, "/reset?token="), "token");

    let reset = app
        .post_form(
            APP,
            "/api/auth/reset",
            &[("token", &token), ("password", NEW_PASSWORD)],
            None,
            &[],
        )
        .await;
    assert_eq!(reset.status(), 200, "{:?}", reset.text().await);
    let pending = session_cookie(&reset).expect("a pending sign-in");
    let url: String = reset.json().await.unwrap();
    assert!(url.ends_with("/login/verify"), "{url}");
    // Not signed in: the code is still owed.
    assert_eq!(
        app.get_with_cookie(APP, "/account/security", &pending)
            .await
            .status(),
        401
    );
    // The code (a later step than the enrolment's) finishes the sign-in.
    let verified = app
        .post_form(
            APP,
            "/api/auth/verify",
            &[("code", &code_at(&secret, now() + 30))],
            Some(&pending),
            &[],
        )
        .await;
    assert_eq!(verified.status(), 200, "{:?}", verified.text().await);
    let signed_in = session_cookie(&verified).unwrap_or(pending);
    assert_eq!(
        app.get_with_cookie(APP, "/account/security", &signed_in)
            .await
            .status(),
        200
    );
}

/// A password sign-in on `host`, from `client` (behind the trusted proxy).
async fn login(
    app: &TestApp,
    host: &str,
    email: &str,
    password: &str,
    client: &str,
) -> reqwest::Response {
    let xff = [("x-forwarded-for", client)];
    let headers: &[(&str, &str)] = if client.is_empty() { &[] } else { &xff };
    app.post_form(
        host,
        "/api/auth/login",
        &[("email", email), ("password", password)],
        None,
        headers,
    )
    .await
}

async fn wrong_password(app: &TestApp, email: &str, client: &str) -> (u16, String) {
    let res = login(app, APP, email, "not the password at all", client).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Issue 10 item 4 (R3.7): the account's limit is charged before the
/// password is checked, so after ten failures from ten addresses the right
/// password from an eleventh is still refused.
#[tokio::test]
async fn eleven_failures_from_eleven_addresses_then_the_right_password_is_429() {
    let app = TestApp::spawn_with(&[
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("LOGIN_LIMIT_PER_IP", "1000"),
    ])
    .await;
    for i in 0..11 {
        let (status, body) =
            wrong_password(&app, "ben@acme.example", &format!("203.0.113.{i}")).await;
        if i < 10 {
            assert_eq!(status, 422, "failure {i}: {body}");
        } else {
            assert_eq!(status, 429, "failure {i}: {body}");
        }
    }
    let res = login(
        &app,
        APP,
        "ben@acme.example",
        offplan::db::seed::DEMO_PASSWORD,
        "198.51.100.200",
    )
    .await;
    assert_eq!(res.status(), 429);
    assert!(session_cookie(&res).is_none());
    // Another account is untouched.
    let res = login(
        &app,
        APP,
        "ava@acme.example",
        offplan::db::seed::DEMO_PASSWORD,
        "198.51.100.201",
    )
    .await;
    assert_eq!(res.status(), 200);
}

/// Issue 10 item 4: the database matches addresses through a collation that
/// ignores soft hyphens and case, so the limit keys on the account, not on
/// the text: look-alike spellings share one bucket.
#[tokio::test]
async fn look_alike_spellings_of_an_address_share_the_accounts_bucket() {
    let app = TestApp::spawn_with(&[
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("LOGIN_LIMIT_PER_IP", "1000"),
    ])
    .await;
    let spellings = [
        "dan\u{00AD}@acme.example",
        "DAN@acme.example",
        "d\u{00AD}an@acme.example",
        "Dan@ACME.example",
        "da\u{00AD}n@acme.example",
    ];
    for (i, spelling) in spellings.iter().cycle().take(10).enumerate() {
        let (status, body) = wrong_password(&app, spelling, &format!("203.0.113.{i}")).await;
        assert_eq!(status, 422, "{spelling}: {body}");
    }
    let res = login(
        &app,
        APP,
        "dan@acme.example",
        offplan::db::seed::DEMO_PASSWORD,
        "198.51.100.7",
    )
    .await;
    assert_eq!(res.status(), 429, "{:?}", res.text().await);
}

/// Issue 10 item 5: the reset link goes to the address on record, never to
/// the spelling typed, and carries the configured port, not the Host
/// header's.
#[tokio::test]
async fn the_reset_link_goes_to_the_stored_address_with_the_configured_port() {
    let app = TestApp::spawn_with(&[("PUBLIC_PORT", "4443")]).await;
    let res = app
        .client
        .post(format!("http://{}/api/auth/forgot", app.addr))
        .header("host", "app.offplan.localhost:9999")
        .header("origin", "http://app.offplan.localhost:9999")
        .header("accept", "application/json")
        .form(&[("email", "ELLA\u{00AD}@acme.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let mail = newest_mail_to(&app, "ella@acme.example")
        .await
        .expect("mailed to the stored address");
    let link = link_in(&mail, "/reset?token=");
    assert!(
        link.starts_with("http://app.offplan.localhost:4443/reset?token="),
        "{link}"
    );
    assert!(mail_to(&app, "ELLA\u{00AD}@acme.example", 1)
        .await
        .is_none());
}

/// R3.7: sign-up answers the same whether or not the address has an
/// account; the account's owner is told by email instead of the form.
#[tokio::test]
async fn sign_up_answers_the_same_for_an_address_that_has_an_account() {
    let app = TestApp::spawn().await;
    let form = |email: &'static str, sub: &'static str| {
        vec![
            ("name", "Nadia Rahman"),
            ("email", email),
            ("password", "lantern orchard across the bay"),
            ("org_name", "Harbour Homes"),
            ("subdomain", sub),
            ("country", "GB"),
            ("developer", "on"),
        ]
    };
    let mut answers = Vec::new();
    for (email, sub) in [
        ("nadia@harbour.example", "harbour"),
        ("ava@acme.example", "harbour2"),
    ] {
        let res = app
            .post_form(APP, "/api/auth/signup", &form(email, sub), None, &[])
            .await;
        assert!(session_cookie(&res).is_none(), "nobody is signed in yet");
        answers.push((res.status(), res.text().await.unwrap()));
    }
    assert_eq!(answers[0], answers[1]);
    assert!(answers[0].1.contains("/signup/sent"), "{:?}", answers[0]);
    let existing = newest_mail_to(&app, "ava@acme.example").await.unwrap();
    assert!(existing["subject"]
        .as_str()
        .unwrap()
        .contains("already have"));
    // The new person finishes through the emailed link and lands signed in
    // on their organisation.
    let mail = newest_mail_to(&app, "nadia@harbour.example").await.unwrap();
    let token = query_value(&link_in(&mail, "/verify-email?token="), "token");
    let done = app
        .post_form(
            APP,
            "/api/auth/verify-email",
            &[("token", &token)],
            None,
            &[],
        )
        .await;
    assert_eq!(done.status(), 200);
    let cookie = session_cookie(&done).unwrap();
    let url: String = done.json().await.unwrap();
    assert!(
        url.starts_with("http://harbour.offplan.localhost:"),
        "{url}"
    );
    let home = app
        .get_with_cookie("harbour.offplan.localhost", "/", &cookie)
        .await;
    assert!(home.text().await.unwrap().contains("Harbour Homes"));
    // The link worked once.
    let again = app
        .post_form(
            APP,
            "/api/auth/verify-email",
            &[("token", &token)],
            None,
            &[],
        )
        .await;
    assert_eq!(again.status(), 422);
    // The harbour2 organisation was never created.
    assert_eq!(
        app.get("harbour2.offplan.localhost", "/").await.status(),
        404
    );
}

/// Issue 10 (low): replacing a second factor that is on needs the password
/// or a current code, not just a session.
#[tokio::test]
async fn replacing_totp_needs_the_password_or_a_current_code() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in(APP, "priya@northstar.example").await;
    let (_, cookie) = enrol_totp(&app, &cookie).await;
    let begin = app
        .post_form(APP, "/api/auth/totp-begin", &[], Some(&cookie), &[])
        .await;
    let cookie = session_cookie(&begin).unwrap_or(cookie);
    let secret = begin.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = code_at(&secret, now());
    let bare = app
        .post_form(
            APP,
            "/api/auth/totp-confirm",
            &[("code", &code)],
            Some(&cookie),
            &[],
        )
        .await;
    assert_eq!(bare.status(), 422);
    assert!(bare.text().await.unwrap().contains("current"));
    let with_password = app
        .post_form(
            APP,
            "/api/auth/totp-confirm",
            &[
                ("code", &code),
                ("current", offplan::db::seed::DEMO_PASSWORD),
            ],
            Some(&cookie),
            &[],
        )
        .await;
    assert_eq!(
        with_password.status(),
        200,
        "{:?}",
        with_password.text().await
    );
    let codes: Vec<String> = with_password.json().await.unwrap();
    assert_eq!(codes.len(), 10, "recovery codes rotated");
}

/// Issue 10 (low): after a recovery-code sign-in, server functions refuse
/// until a new second factor is enrolled — not only the pages.
#[tokio::test]
async fn server_functions_refuse_until_re_enrolment_after_a_recovery_code() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in(ACME, "ben@acme.example").await;
    let (_, cookie) = enrol_totp(&app, &cookie).await;
    // Enrolment answered recovery codes; ask for fresh ones by enrolling
    // again would need proof, so use a sign-in: password, then a recovery
    // code. First learn one from a fresh enrolment response.
    let begin = app
        .post_form(APP, "/api/auth/totp-begin", &[], Some(&cookie), &[])
        .await;
    let cookie = session_cookie(&begin).unwrap_or(cookie);
    let secret = begin.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let confirm = app
        .post_form(
            APP,
            "/api/auth/totp-confirm",
            &[
                ("code", &code_at(&secret, now())),
                ("current", offplan::db::seed::DEMO_PASSWORD),
            ],
            Some(&cookie),
            &[],
        )
        .await;
    let recovery: Vec<String> = confirm.json().await.unwrap();

    let first = login(
        &app,
        ACME,
        "ben@acme.example",
        offplan::db::seed::DEMO_PASSWORD,
        "",
    )
    .await;
    let pending = session_cookie(&first).unwrap();
    let url: String = first.json().await.unwrap();
    assert!(url.ends_with("/login/verify"), "{url}");
    let second = app
        .post_form(
            APP,
            "/api/auth/verify",
            &[("code", &recovery[0])],
            Some(&pending),
            &[],
        )
        .await;
    assert_eq!(second.status(), 200, "{:?}", second.text().await);
    let cookie = session_cookie(&second).unwrap_or(pending);

    let refused = app
        .post_form(APP, "/api/auth/orgs", &[], Some(&cookie), &[])
        .await;
    assert_eq!(refused.status(), 409);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("two-step verification again"));
    // The Security page and enrolment stay open.
    assert_eq!(
        app.get_with_cookie(APP, "/account/security", &cookie)
            .await
            .status(),
        200
    );
    let (_, cookie) = enrol_totp(&app, &cookie).await;
    let orgs = app
        .post_form(APP, "/api/auth/orgs", &[], Some(&cookie), &[])
        .await;
    assert_eq!(orgs.status(), 200);
}
