//! The edges of every request (issue 10): the client address behind proxies
//! (R3.7, item 9), bounded bodies (item 3), and bad input answered with a
//! 4xx beside the field, never a 5xx, a panic or a dropped connection.

use crate::support::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const APP: &str = "app.offplan.localhost";

/// A sign-in attempt from behind the test's trusted proxy (127.0.0.1) with
/// these `X-Forwarded-For` lines; whether the address limit refused it.
/// Unknown addresses and a wrong password: only the address bucket counts.
async fn limited(app: &TestApp, attempt: usize, xff_lines: &[&str]) -> bool {
    let email = format!("nobody{attempt}@example.com");
    let headers: Vec<(&str, &str)> = xff_lines.iter().map(|l| ("x-forwarded-for", *l)).collect();
    let res = app
        .post_form(
            APP,
            "/api/auth/login",
            &[
                ("email", &email),
                ("password", "wrong password, quite long"),
            ],
            None,
            &headers,
        )
        .await;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert!(status < 500, "attempt {attempt}: {status} {body}");
    status == 429 || body.contains("RateLimited")
}

async fn app_limiting_sign_ins_to(max: &str) -> TestApp {
    TestApp::spawn_with(&[
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("LOGIN_LIMIT_PER_IP", max),
    ])
    .await
}

/// R3.7, issue 10 item 9: a proxy that appends its own `X-Forwarded-For`
/// line leaves the client's forged line first. Every line counts, in
/// order, so the rightmost untrusted hop — the address the proxy saw — is
/// what the limit counts, however the first line varies.
#[tokio::test]
async fn with_two_forwarded_for_lines_the_rightmost_untrusted_hop_is_counted() {
    let app = app_limiting_sign_ins_to("3").await;
    for i in 0..3 {
        let forged = format!("198.51.100.{i}");
        assert!(
            !limited(&app, i, &[&forged, "203.0.113.7"]).await,
            "attempt {i} limited too early"
        );
    }
    assert!(
        limited(&app, 3, &["198.51.100.99", "203.0.113.7"]).await,
        "the fourth attempt of 203.0.113.7 was not limited: the forged line was counted"
    );
    // Another client behind the same proxy still has its own bucket.
    assert!(!limited(&app, 4, &["198.51.100.99", "203.0.113.8"]).await);
}

/// R3.7, item 9: IPv6 clients are counted by /64, so walking the addresses
/// of one /64 buys no fresh bucket; another /64 is another client.
#[tokio::test]
async fn ipv6_clients_of_one_slash_64_share_a_bucket() {
    let app = app_limiting_sign_ins_to("3").await;
    for i in 0..3 {
        let ip = format!("2001:db8:1:2::{:x}", i + 1);
        assert!(
            !limited(&app, i, &[&ip]).await,
            "attempt {i} limited too early"
        );
    }
    assert!(
        limited(&app, 3, &["2001:db8:1:2:ffff:ffff:ffff:ffff"]).await,
        "a fourth address of the same /64 got a fresh bucket"
    );
    assert!(!limited(&app, 4, &["2001:db8:1:3::1"]).await);
}

/// R3.7, item 9: `::ffff:a.b.c.d` is the IPv4 address it carries, one
/// client with one bucket whichever way its address is written.
#[tokio::test]
async fn an_ipv4_mapped_address_is_the_same_client_as_its_ipv4_address() {
    let app = app_limiting_sign_ins_to("3").await;
    assert!(!limited(&app, 0, &["203.0.113.9"]).await);
    assert!(!limited(&app, 1, &["::ffff:203.0.113.9"]).await);
    assert!(!limited(&app, 2, &["::ffff:cb00:7109"]).await);
    assert!(
        limited(&app, 3, &["203.0.113.9"]).await,
        "the mapped spellings were counted as other clients"
    );
}

/// Writes `request` to a fresh connection and reads the whole answer. `None`
/// when the server dropped the connection without answering (a panic in a
/// handler does that).
pub async fn raw_http(app: &TestApp, request: &[u8]) -> Option<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.ok()?;
    // The server may answer (and stop reading) before the request is all
    // written, as it should for a body over the limit: read the answer
    // whether or not the write completed.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut answer),
    )
    .await;
    if !matches!(read, Ok(Ok(_))) && answer.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

/// A same-origin POST of `body`, as raw HTTP/1.1 (so nothing in between
/// tidies it up), closing the connection after the answer.
pub fn raw_post(app: &TestApp, host: &str, path: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let port = app.addr.port();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}:{port}\r\norigin: http://{host}:{port}\r\n\
         connection: close\r\n{headers}content-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

/// Issue 10 item 3: a 2 MiB body is refused with 413 before any server
/// function reads it — with no session, and whatever the endpoint.
#[tokio::test]
async fn a_two_mebibyte_body_is_refused_before_any_server_function_reads_it() {
    let app = TestApp::spawn().await;
    let emails = format!(
        "emails={}&role=sales_agent",
        "a%40b.co%2C".repeat(2 * 1024 * 1024 / 11)
    );
    for path in [
        "/api/team/invite",
        "/api/auth/login",
        "/api/no/such/function",
    ] {
        let res = app
            .client
            .post(format!("http://{}{path}", app.addr))
            .header(
                "host",
                format!("acme.offplan.localhost:{}", app.addr.port()),
            )
            .header(
                "origin",
                format!("http://acme.offplan.localhost:{}", app.addr.port()),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(emails.clone())
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(res.status(), 413, "{path}");
        let body = res.text().await.unwrap();
        if path != "/api/no/such/function" {
            assert!(body.contains("too large"), "{path}: {body}");
        }
    }
}

/// Item 3: a body without a declared length is cut at the limit too.
#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_too() {
    let app = TestApp::spawn().await;
    let port = app.addr.port();
    // Read by the door (a form) and by the server function itself (JSON).
    for content_type in ["application/x-www-form-urlencoded", "application/json"] {
        let chunk = "a%40b.co%2C".repeat(3000);
        let mut req = format!(
            "POST /api/team/invite HTTP/1.1\r\nhost: acme.offplan.localhost:{port}\r\n\
             origin: http://acme.offplan.localhost:{port}\r\naccept: application/json\r\n\
             content-type: {content_type}\r\n\
             transfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}\r\nemails={chunk}\r\n",
            chunk.len() + 7
        );
        // About 100 KB in all: over the limit, small enough to be written
        // whole before the answer.
        for _ in 0..2 {
            req.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
        }
        req.push_str("0\r\n\r\n");
        let (status, answer) = raw_http(&app, req.as_bytes()).await.expect("an answer");
        assert_eq!(status, 413, "{content_type}: {answer}");
    }
}

/// Bad input, item "Low": an invitation token with a carriage return, sent
/// by a plain (script-less) form, made `leptos_axum`'s redirect panic and
/// the connection drop. It is now an ordinary redirect, and nothing from the
/// token reaches the response's headers raw.
#[tokio::test]
async fn a_plain_form_switch_with_a_carriage_return_in_the_token_redirects_calmly() {
    let app = TestApp::spawn().await;
    let host = "acme.offplan.localhost";
    let req = raw_post(
        &app,
        host,
        "/api/invite/switch",
        "accept: text/html\r\ncontent-type: application/x-www-form-urlencoded\r\n",
        b"token=abc%0D%0Aset-cookie%3A%20x%3Dy",
    );
    let (status, answer) = raw_http(&app, &req)
        .await
        .expect("an answer, not a dropped connection");
    assert!((300..400).contains(&status), "{answer}");
    let head = answer.split("\r\n\r\n").next().unwrap_or_default();
    assert!(head.lines().any(|l| l.starts_with("location: ")), "{head}");
    assert!(
        !head.lines().any(|l| l.starts_with("set-cookie: x=")),
        "{head}"
    );
}

/// Bad input: missing or malformed server-function arguments were a 502
/// ("couldn't reach the server"); they are a 422 with a message on the form.
#[tokio::test]
async fn missing_or_malformed_arguments_are_a_422_with_a_message() {
    let app = TestApp::spawn().await;
    // Nothing, a missing field, an id that is no id.
    for (path, body) in [
        ("/api/auth/login", ""),
        ("/api/auth/login", "password=x"),
        ("/api/team/revoke", "id=not-a-uuid"),
        ("/api/team/revoke", "id=1&id=2"),
    ] {
        let res = app
            .client
            .post(format!("http://{}{path}", app.addr))
            .header("host", format!("{APP}:{}", app.addr.port()))
            .header("origin", format!("http://{APP}:{}", app.addr.port()))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let err: offplan::AppError = res.json().await.unwrap();
        assert_eq!(status, 422, "{path} {body:?}: {err:?}");
        assert_eq!(
            err.field_message("form"),
            Some(offplan_server::fn_status::UNREADABLE),
            "{path} {body:?}"
        );
    }
    // serde names the missing field: the message goes beside it as well.
    let res = app
        .post_form(APP, "/api/auth/login", &[("password", "x")], None, &[])
        .await;
    let err: offplan::AppError = res.json().await.unwrap();
    assert_eq!(err.field_message("email"), Some("This field is missing."));
}

/// A path, a form, and the field expected to carry the message.
type NulCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// Bad input: a NUL in the sign-in email reached PostgreSQL (error 22021,
/// a 500); names and organisation names too. It is refused at the door,
/// beside the field that held it, for every form.
#[tokio::test]
async fn a_nul_in_any_field_is_a_4xx_beside_that_field() {
    let app = TestApp::spawn().await;
    let cases: &[NulCase] = &[
        (
            "/api/auth/login",
            &[("email", "ava\0@acme.example"), ("password", "x")],
            "email",
        ),
        (
            "/api/auth/forgot",
            &[("email", "ava@acme.example\0")],
            "email",
        ),
        (
            "/api/auth/signup",
            &[
                ("name", "Ava\0"),
                ("email", "new@example.com"),
                ("password", "a long enough passphrase"),
                ("org_name", "Org"),
                ("subdomain", "neworg"),
                ("country", "GB"),
                ("developer", "on"),
            ],
            "name",
        ),
        (
            "/api/auth/signup",
            &[
                ("name", "Ava"),
                ("email", "new@example.com"),
                ("password", "a long enough passphrase"),
                ("org_name", "Org\0"),
                ("subdomain", "neworg"),
                ("country", "GB"),
                ("developer", "on"),
            ],
            "org_name",
        ),
    ];
    for (path, form, field) in cases {
        let res = app.post_form(APP, path, form, None, &[]).await;
        let status = res.status();
        let err: offplan::AppError = res.json().await.unwrap();
        assert_eq!(status, 422, "{path} {field}: {err:?}");
        assert!(
            err.field_message(field).is_some(),
            "{path} {field}: {err:?}"
        );
    }
    // In a page's address too (a 400 page, not a 500).
    let res = app.get(APP, "/reset?token=%00").await;
    assert_eq!(res.status(), 400);
    let res = app.get("acme.offplan.localhost", "/invite/abc%00").await;
    assert_eq!(res.status(), 400);
}

/// Bad input: a 300-character sign-in email was a 500 (its rate-limit bucket
/// name broke a CHECK). Any length is a 4xx.
#[tokio::test]
async fn a_300_character_sign_in_email_is_a_4xx() {
    let app = TestApp::spawn().await;
    for email in [format!("{}@acme.example", "a".repeat(300)), "b".repeat(300)] {
        let res = app
            .post_form(
                APP,
                "/api/auth/login",
                &[("email", &email), ("password", "x")],
                None,
                &[],
            )
            .await;
        let status = res.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{status}: {:?}",
            res.text().await
        );
    }
}
