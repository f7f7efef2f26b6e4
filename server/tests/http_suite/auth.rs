//! Identity over real HTTP (SPEC §3): one cookie across subdomains,
//! server-side revocation, abuse limits, CSRF, the breach check and the
//! Google state.

use crate::support::{session_cookie, session_cookie_attributes, TestApp};

const APP: &str = "app.offplan.localhost";
const ACME: &str = "acme.offplan.localhost";

/// R3.4: one cookie for every subdomain, HttpOnly, SameSite=Lax, rotated at
/// sign-in.
#[tokio::test]
async fn the_session_cookie_covers_every_subdomain_and_rotates_at_sign_in() {
    let app = TestApp::spawn().await;
    // A session that existed before sign-in (e.g. a Google flow) …
    let before = app.get(APP, "/auth/google/start").await;
    assert_eq!(
        before.status(),
        404,
        "Google is not configured in this test"
    );
    let res = app
        .post_form(
            ACME,
            "/api/auth/login",
            &[
                ("email", "ava@acme.example"),
                ("password", offplan::db::seed::DEMO_PASSWORD),
            ],
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    let attrs = session_cookie_attributes(&res).expect("cookie set");
    assert!(attrs.contains("domain=offplan.localhost"), "{attrs}");
    assert!(attrs.contains("httponly"), "{attrs}");
    assert!(attrs.contains("samesite=lax"), "{attrs}");
    assert!(attrs.contains("path=/"), "{attrs}");
    // Plain http in this test: not Secure (R3.4: Secure whenever on TLS).
    assert!(!attrs.contains("secure"), "{attrs}");
    let cookie = session_cookie(&res).unwrap();
    // Landed on Acme, where Ava is the Owner (R3.5).
    let url: String = res.json().await.unwrap();
    assert!(url.starts_with("http://acme.offplan.localhost:"), "{url}");
    // The same cookie is a session on the central app and on Acme.
    for host in [APP, ACME] {
        let page = app
            .get_with_cookie(host, "/account/security", &cookie)
            .await;
        assert_eq!(page.status(), 200, "{host}");
        let html = page.text().await.unwrap();
        assert!(html.contains("ava@acme.example"), "{host}");
    }
    // A second sign-in gets a different session id (rotation).
    let again = app.sign_in(APP, "ava@acme.example").await;
    assert_ne!(again, cookie);
}

/// R3.8: after "sign out everywhere", every other cookie of the person fails
/// on the next request, on the central app and on an organisation's
/// subdomain alike; another person's session is untouched.
#[tokio::test]
async fn sign_out_everywhere_ends_every_session_on_every_subdomain() {
    let app = TestApp::spawn().await;
    let laptop = app.sign_in(APP, "ava@acme.example").await;
    let phone = app.sign_in(ACME, "ava@acme.example").await;
    let ben = app.sign_in(ACME, "ben@acme.example").await;
    for (host, cookie) in [
        (APP, &laptop),
        (ACME, &phone),
        (ACME, &laptop),
        (APP, &phone),
    ] {
        assert_eq!(
            app.get_with_cookie(host, "/account/security", cookie)
                .await
                .status(),
            200
        );
    }

    let res = app
        .post_form(
            APP,
            "/api/auth/sign-out-everywhere",
            &[],
            Some(&laptop),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);

    for (host, cookie) in [
        (APP, &phone),
        (ACME, &phone),
        (APP, &laptop),
        (ACME, &laptop),
    ] {
        let page = app.get_with_cookie(host, "/account/security", cookie).await;
        assert_eq!(page.status(), 401, "{host} still signed in");
        let html = page.text().await.unwrap();
        assert!(!html.contains("ava@acme.example"), "{host}");
    }
    // Ben was not signed out.
    assert_eq!(
        app.get_with_cookie(ACME, "/account/security", &ben)
            .await
            .status(),
        200
    );
}

/// R3.8: revoking one sign-in from "where you're signed in" ends only that
/// one.
#[tokio::test]
async fn revoking_one_session_leaves_the_others() {
    let app = TestApp::spawn().await;
    let keep = app.sign_in(APP, "ben@acme.example").await;
    let lose = app.sign_in(APP, "ben@acme.example").await;
    let overview = app
        .post_form(APP, "/api/auth/account", &[], Some(&keep), &[])
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let sessions = overview["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    let id = other["id"].as_str().unwrap();
    let res = app
        .post_form(
            APP,
            "/api/auth/revoke-session",
            &[("id", id)],
            Some(&keep),
            &[],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.get_with_cookie(APP, "/account/security", &lose)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.get_with_cookie(APP, "/account/security", &keep)
            .await
            .status(),
        200
    );
}

/// R3.7: unknown account and wrong password answer the same.
#[tokio::test]
async fn failed_sign_ins_answer_the_same_whether_or_not_the_account_exists() {
    let app = TestApp::spawn().await;
    let mut bodies = Vec::new();
    for email in ["ava@acme.example", "nobody@acme.example"] {
        let res = app
            .post_form(
                APP,
                "/api/auth/login",
                &[("email", email), ("password", "not the password at all")],
                None,
                &[],
            )
            .await;
        let status = res.status();
        assert!(session_cookie(&res).is_none());
        bodies.push((status, res.text().await.unwrap()));
    }
    assert_eq!(bodies[0], bodies[1]);
    assert!(bodies[0].1.contains("don't match"), "{:?}", bodies[0]);
}

/// R3.7: behind a trusted proxy, the client is the rightmost untrusted
/// X-Forwarded-For hop, so varying the spoofable leftmost entry does not
/// buy a fresh bucket; a genuinely different client still gets through.
#[tokio::test]
async fn the_sign_in_limit_holds_when_x_forwarded_for_is_spoofed() {
    let app = TestApp::spawn_with(&[
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("LOGIN_LIMIT_PER_IP", "5"),
    ])
    .await;
    let app = &app;
    let attempt = |spoof: String, client: &'static str| {
        let xff = format!("{spoof}, {client}");
        async move {
            app.post_form(
                APP,
                "/api/auth/login",
                &[
                    ("email", "ava@acme.example"),
                    ("password", "wrong password, quite long"),
                ],
                None,
                &[("x-forwarded-for", &xff)],
            )
            .await
            .text()
            .await
            .unwrap()
        }
    };
    for i in 0..5 {
        let body = attempt(format!("198.51.100.{i}"), "203.0.113.7").await;
        assert!(
            !body.contains("RateLimited"),
            "attempt {i} limited too early: {body}"
        );
    }
    let body = attempt("198.51.100.99".into(), "203.0.113.7").await;
    assert!(
        body.contains("RateLimited"),
        "sixth attempt not limited: {body}"
    );
    // Another client behind the same proxy has its own bucket.
    let body = attempt("198.51.100.99".into(), "203.0.113.8").await;
    assert!(!body.contains("RateLimited"), "{body}");
}

/// R3.7a: a cross-site POST to a sign-in endpoint never reaches it.
#[tokio::test]
async fn a_cross_site_sign_in_post_is_refused() {
    let app = TestApp::spawn().await;
    let res = app
        .post_form(
            APP,
            "/api/auth/login",
            &[
                ("email", "ava@acme.example"),
                ("password", offplan::db::seed::DEMO_PASSWORD),
            ],
            None,
            &[
                ("origin", "http://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(session_cookie(&res).is_none());
}

/// R3.1: sign-up creates the user, the organisation and the Owner
/// membership; the emailed link (issue 10: the address is proven first)
/// answers the new subdomain, and the person is signed in there.
#[tokio::test]
async fn sign_up_lands_signed_in_on_the_new_subdomain() {
    let app = TestApp::spawn().await;
    let form = [
        ("name", "Nadia Rahman"),
        ("email", "nadia@harbour.example"),
        ("password", "lantern orchard across the bay"),
        ("org_name", "Harbour Homes"),
        ("subdomain", "harbour"),
        ("country", "GB"),
        ("developer", "on"),
    ];
    let res = app
        .post_form(APP, "/api/auth/signup", &form, None, &[])
        .await;
    assert_eq!(res.status(), 200);
    let sent: String = res.json().await.unwrap();
    assert!(sent.ends_with("/signup/sent"), "{sent}");
    let res = crate::auth_review::finish_sign_up(&app, "nadia@harbour.example").await;
    let cookie = session_cookie(&res).unwrap();
    let url: String = res.json().await.unwrap();
    assert!(
        url.starts_with("http://harbour.offplan.localhost:"),
        "{url}"
    );
    let home = app
        .get_with_cookie("harbour.offplan.localhost", "/", &cookie)
        .await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Harbour Homes"));
    let orgs: serde_json::Value = app
        .post_form(APP, "/api/auth/orgs", &[], Some(&cookie), &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(orgs[0]["name"], "Harbour Homes");
    assert_eq!(orgs[0]["role"], "Owner");
    // The same subdomain again: a field error, nothing created.
    let mut other = form.to_vec();
    other[1] = ("email", "other@harbour.example");
    let again = app
        .post_form(APP, "/api/auth/signup", &other, None, &[])
        .await;
    let body = again.text().await.unwrap();
    assert!(body.contains("subdomain"), "{body}");
}

/// R3.2: a password the range API reports as breached is refused; only the
/// five-character prefix is sent, with padding requested.
#[tokio::test]
async fn a_breached_password_is_refused_through_the_range_api() {
    use axum::{extract::Path, http::HeaderMap, routing::get, Router};
    let password = "lantern orchard across the bay";
    let (prefix, suffix) = {
        let p = offplan::domain::NewPassword::parse(password, false).unwrap();
        offplan::breach::range_key(&p)
    };
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, bool)>::new()));
    let log = seen.clone();
    let fake = Router::new().route(
        "/range/{prefix}",
        get(move |Path(p): Path<String>, headers: HeaderMap| {
            let log = log.clone();
            let suffix = suffix.clone();
            async move {
                log.lock()
                    .unwrap()
                    .push((p, headers.get("add-padding").is_some_and(|v| v == "true")));
                format!("0000000000000000000000000000000000A:0\r\n{suffix}:42\r\n")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hibp = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, fake).await.unwrap() });

    let app = TestApp::spawn_with(&[("HIBP_URL", &hibp)]).await;
    let res = app
        .post_form(
            APP,
            "/api/auth/signup",
            &[
                ("name", "Nadia Rahman"),
                ("email", "nadia@harbour.example"),
                ("password", password),
                ("org_name", "Harbour Homes"),
                ("subdomain", "harbour"),
                ("country", "GB"),
                ("agency", "on"),
            ],
            None,
            &[],
        )
        .await;
    assert!(session_cookie(&res).is_none());
    let body = res.text().await.unwrap();
    assert!(body.contains("data breach"), "{body}");
    assert_eq!(seen.lock().unwrap().as_slice(), &[(prefix, true)]);
}

/// R3.3: the `state` is signed and bound to the browser's session: a
/// tampered state, or a genuine one from another browser, is refused before
/// any code exchange.
#[tokio::test]
async fn a_tampered_or_foreign_google_state_is_refused() {
    let app = TestApp::spawn_with(&[
        ("GOOGLE_CLIENT_ID", "test-client"),
        ("GOOGLE_CLIENT_SECRET", "test-secret"),
        ("GOOGLE_AUTH_URL", "http://127.0.0.1:9/authorize"),
        ("GOOGLE_TOKEN_URL", "http://127.0.0.1:9/token"),
        ("GOOGLE_USERINFO_URL", "http://127.0.0.1:9/me"),
    ])
    .await;
    let start = app.get(APP, "/auth/google/start").await;
    assert_eq!(start.status(), 303);
    let cookie = session_cookie(&start).expect("the flow lives in a session");
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("http://127.0.0.1:9/authorize?"),
        "{location}"
    );
    assert!(
        location.contains("code_challenge_method=S256"),
        "{location}"
    );
    assert!(location.contains("code_challenge="), "{location}");
    let state = location
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("state="))
        .unwrap()
        .to_owned();

    // Tampered: one character of the nonce changed.
    let mut tampered = state.clone().into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let res = app
        .get_with_cookie(
            APP,
            &format!("/auth/google/callback?code=abc&state={tampered}"),
            &cookie,
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("invalid or has expired"));
    assert_eq!(
        app.get_with_cookie(APP, "/account/security", &cookie)
            .await
            .status(),
        401
    );

    // Genuine state, but from a browser without that session.
    let res = app
        .get(
            APP,
            &format!("/auth/google/callback?code=abc&state={state}"),
        )
        .await;
    assert_eq!(res.status(), 400);
}
