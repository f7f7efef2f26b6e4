//! A property test over every public form and server function (issue 10,
//! "Tests that must exist"; SPEC R3.7, R5.4): arbitrary strings — NUL,
//! control characters with CR and LF, 100 KB, mixed scripts, right-to-left
//! and emoji, lone surrogates as escapes, invalid percent-encoding — with
//! missing, extra and duplicated arguments, signed in and signed out, on the
//! central host, an organisation's host and an unknown host. Nothing may
//! answer 5xx or drop the connection.
//!
//! The server functions are enumerated from the app's own registry, so one
//! added later is thrown at without editing this file. The generator is a
//! seeded xorshift: every run sends the same cases (`FUZZ_SEED` picks
//! another sequence), and a failure names the request that caused it.

use crate::support::{session_cookie, TestApp};
use std::{collections::BTreeMap, fmt::Write as _, sync::Arc};

const APP: &str = "app.offplan.localhost";
const ACME: &str = "acme.offplan.localhost";
const UNKNOWN: &str = "nobody.offplan.localhost";
const HOSTS: [&str; 3] = [APP, ACME, UNKNOWN];

/// Cases per server function, host and signed-in state.
const CASES: usize = 3;
/// The longest value put into a URL.
const URL_VALUE_MAX: usize = 2_000;
/// Requests in flight at once.
const PARALLEL: usize = 8;

/// The arguments each server function takes (its form's field names). A
/// function not listed here gets [`COMMON_FIELDS`].
const FIELDS: &[(&str, &[&str])] = &[
    ("auth/login", &["email", "password", "next"]),
    ("auth/verify", &["code"]),
    ("auth/revoke-session", &["id"]),
    ("auth/check-subdomain", &["subdomain"]),
    (
        "auth/signup",
        &[
            "name",
            "email",
            "password",
            "org_name",
            "subdomain",
            "country",
            "studio",
            "agency",
            "developer",
        ],
    ),
    ("auth/verify-email", &["token"]),
    ("auth/forgot", &["email"]),
    ("auth/reset-status", &["token"]),
    ("auth/reset", &["token", "password"]),
    ("auth/totp-confirm", &["code", "current"]),
    ("auth/change-password", &["current", "password"]),
    ("invite/load", &["token"]),
    ("invite/accept", &["token"]),
    ("invite/decline", &["token"]),
    ("invite/switch", &["token", "landing"]),
    ("invite/signup", &["token", "name", "password", "google"]),
    ("team/invite", &["emails", "role"]),
    ("team/role", &["user", "role"]),
    ("team/remove", &["user"]),
    ("team/transfer", &["user"]),
    ("team/revoke", &["id"]),
    ("team/resend", &["id"]),
    ("clients/get", &["id"]),
    (
        "clients/create",
        &["name", "contact_name", "contact_email", "notes"],
    ),
    (
        "clients/update",
        &["id", "name", "contact_name", "contact_email", "notes"],
    ),
    (
        "projects/activity",
        &[
            "slug",
            "query[actor]",
            "query[action]",
            "query[from]",
            "query[to]",
            "query[before]",
        ],
    ),
    ("clients/invitations/revoke", &["id"]),
    ("projects/partners", &["slug"]),
    ("projects/partners/invite", &["id", "to", "kind"]),
    ("projects/partners/revoke", &["id", "invitation"]),
    ("projects/partners/remove", &["id", "partner"]),
    ("partner-invite/load", &["token"]),
    (
        "partner-invite/accept",
        &["token", "org", "org_name", "subdomain"],
    ),
    ("partner-invite/decline", &["token"]),
    (
        "partner-invite/signup",
        &[
            "token",
            "name",
            "org_name",
            "subdomain",
            "password",
            "google",
        ],
    ),
    ("clients/archive", &["id"]),
    ("clients/restore", &["id"]),
    (
        "audit/page",
        &[
            "query[actor]",
            "query[action]",
            "query[target]",
            "query[from]",
            "query[to]",
            "query[before]",
        ],
    ),
];

const COMMON_FIELDS: &[&str] = &["token", "email", "name", "password", "code", "id", "user"];

/// Functions that end the caller's session (or membership): thrown at last,
/// each signed-in case with a fresh sign-in of its own.
const ENDS_SESSION: &[&str] = &[
    "auth/logout",
    "auth/sign-out-everywhere",
    "invite/switch",
    "team/leave",
    "auth/change-password",
    "auth/reset",
];

/// Pieces values are made of. `Raw` goes into the URL-encoded body as it
/// is (invalid or surrogate escapes); `Text` is percent-encoded first.
#[derive(Clone, Copy)]
enum Piece {
    Text(&'static str),
    Raw(&'static str),
}

const PIECES: &[Piece] = &[
    Piece::Text("\0"),
    Piece::Text("\r"),
    Piece::Text("\n"),
    Piece::Text("\r\nset-cookie: x=y"),
    Piece::Text("\t"),
    Piece::Text("\u{1}\u{1b}[31m\u{7f}"),
    Piece::Text("\u{85}\u{2028}\u{2029}"),
    Piece::Text("\u{202e}gnp.exe"),
    Piece::Text("\u{200f}\u{feff}\u{200b}"),
    Piece::Text("مرحبا بالعالم"),
    Piece::Text("שלום"),
    Piece::Text("日本語のテキスト"),
    Piece::Text("Zoë e\u{301} Ω"),
    Piece::Text("🏠👩‍👩‍👧‍👦🇬🇧"),
    Piece::Text("\\ud800\\udfff"),
    Piece::Text("\"\\ud83d\""),
    Piece::Raw("%ED%A0%80"),
    Piece::Raw("%ED%BF%BF"),
    Piece::Raw("%FF%FE"),
    Piece::Raw("%C0%80"),
    Piece::Raw("%"),
    Piece::Raw("%zz"),
    Piece::Raw("+"),
    Piece::Raw("&"),
    Piece::Raw("="),
    Piece::Raw("%00"),
    Piece::Raw("%0D%0A"),
    Piece::Text("%00"),
    Piece::Text("a@b.co"),
    Piece::Text("ava@acme.example"),
    Piece::Text("ＡＶＡ@acme.example"),
    Piece::Text("av\u{ad}a@acme.example"),
    Piece::Text("<script>alert(1)</script>"),
    Piece::Text("' or 1=1 --"),
    Piece::Text("../../etc/passwd"),
    Piece::Text("//evil.example"),
    Piece::Text("http://evil.example/"),
    Piece::Text("null"),
    Piece::Text("-1"),
    Piece::Text("99999999999999999999999"),
    Piece::Text("00000000-0000-0000-0000-000000000000"),
    Piece::Text("q8Jm0y3W4aVbT1oQ9zXcK2pLrN6sD5eF7gH8iJ0kL1m"),
    Piece::Text("owner"),
    Piece::Text("sales_agent"),
    Piece::Text("GB"),
    Piece::Text("on"),
    Piece::Text(" "),
    Piece::Text(""),
];

/// xorshift64*: small, seeded, the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Percent-encodes everything but the unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// One URL-encoded value: a few pieces, sometimes repeated to 300
/// characters, 10 KB or 100 KB (bodies only).
fn value(rng: &mut Rng) -> String {
    value_up_to(rng, usize::MAX)
}

/// A value of at most about `max` bytes: URLs stay under the few kilobytes
/// every browser, proxy and HTTP library allows.
fn value_up_to(rng: &mut Rng, max: usize) -> String {
    let mut out = String::new();
    for _ in 0..=rng.below(4) {
        match PIECES[rng.below(PIECES.len())] {
            Piece::Text(t) => out.push_str(&encode(t)),
            Piece::Raw(r) => out.push_str(r),
        }
    }
    let target = match rng.below(20) {
        0 => 300,
        1 => 10_000,
        2 if rng.chance(3) => 100_000,
        _ => 0,
    };
    let target = target.min(max);
    if target > 0 {
        let unit = if out.is_empty() {
            "a".to_owned()
        } else {
            out.clone()
        };
        while out.len() < target {
            out.push_str(&unit);
        }
    }
    out
}

/// A request body for a server function taking `fields`: every field, or
/// one missing, an extra one, one duplicated, none, or not a form at all.
/// Returns the body, its content type (if any) and what was done.
fn body(rng: &mut Rng, fields: &[&str]) -> (String, Option<&'static str>, &'static str) {
    let form = "application/x-www-form-urlencoded";
    let mut pairs: Vec<(String, String)> = fields.iter().map(|f| (encode(f), value(rng))).collect();
    let how = match rng.below(8) {
        0 if !pairs.is_empty() => {
            let i = rng.below(pairs.len());
            pairs.remove(i);
            "one missing"
        }
        1 => {
            pairs.push(("zz_extra".into(), value(rng)));
            "one extra"
        }
        2 if !pairs.is_empty() => {
            let i = rng.below(pairs.len());
            let dup = (pairs[i].0.clone(), value(rng));
            pairs.push(dup);
            "one duplicated"
        }
        3 => return (String::new(), Some(form), "empty"),
        4 => {
            let json = format!(
                "{{\"{}\": \"\\ud800\\u0000\"}}",
                fields.first().unwrap_or(&"x")
            );
            return (json, Some("application/json"), "json");
        }
        5 => {
            let raw: String = pairs.iter().map(|(k, v)| format!("{k}={v}&")).collect();
            return (raw, None, "no content type");
        }
        _ => "all fields",
    };
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    (body, Some(form), how)
}

/// One request and its outcome; `Err` describes a failure.
struct Case {
    method: &'static str,
    host: &'static str,
    path: String,
    body: String,
    content_type: Option<&'static str>,
    accept: &'static str,
    cookie: Option<String>,
    how: &'static str,
}

impl Case {
    async fn run(&self, app: &TestApp) -> Result<(), String> {
        let port = app.addr.port();
        let mut req = match self.method {
            "GET" => app.client.get(format!("http://{}{}", app.addr, self.path)),
            _ => app
                .client
                .post(format!("http://{}{}", app.addr, self.path))
                .body(self.body.clone()),
        }
        .header("host", format!("{}:{port}", self.host))
        .header("origin", format!("http://{}:{port}", self.host))
        .header("accept", self.accept);
        if let Some(ct) = self.content_type {
            req = req.header("content-type", ct);
        }
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        match req.send().await {
            Err(e) => {
                // reqwest's message repeats the whole URL.
                let e: String = e.to_string().chars().take(300).collect();
                Err(format!("{}: no answer ({e})", self.describe()))
            }
            Ok(res) if res.status().is_server_error() => {
                let status = res.status();
                let text = res.text().await.unwrap_or_default();
                let text: String = text.chars().take(200).collect();
                Err(format!("{}: {status} {text}", self.describe()))
            }
            Ok(res) => {
                // Read the whole answer: a panic mid-body drops it too.
                res.bytes()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{}: body cut ({e})", self.describe()))
            }
        }
    }

    fn describe(&self) -> String {
        let body: String = self.body.chars().take(160).collect();
        let more = if self.body.len() > 160 {
            format!("… ({} bytes)", self.body.len())
        } else {
            String::new()
        };
        format!(
            "{} {}{} [{}; {}; accept {}; {}] body {body:?}{more}",
            self.method,
            self.host,
            self.path.chars().take(200).collect::<String>(),
            if self.cookie.is_some() {
                "signed in"
            } else {
                "signed out"
            },
            self.how,
            self.accept,
            self.content_type.unwrap_or("no content type"),
        )
    }
}

/// A fresh sign-in of `email` from its own address bucket (the test's
/// trusted proxy forwards it), so the fuzzing's own sign-in attempts never
/// use up the limit the signed-in cases need.
async fn sign_in(app: &TestApp, email: &str, n: usize) -> String {
    let xff = format!("192.0.2.{}", 100 + n);
    let res = app
        .post_form(
            APP,
            "/api/auth/login",
            &[
                ("email", email),
                ("password", offplan::db::seed::DEMO_PASSWORD),
            ],
            None,
            &[("x-forwarded-for", &xff)],
        )
        .await;
    assert_eq!(res.status(), 200, "sign-in of {email}");
    session_cookie(&res).expect("a session cookie")
}

/// Every public page, with odd path parameters and query strings.
fn page_cases(rng: &mut Rng, cookie: &Option<String>, out: &mut Vec<Case>) {
    let pages = [
        "/",
        "/login",
        "/login/verify",
        "/signup",
        "/orgs",
        "/forgot",
        "/reset",
        "/account/security",
        "/dev/outbox",
        "/settings/team",
        "/settings/audit",
        "/settings/audit/export.csv",
        "/clients",
        "/clients/00000000-0000-4000-8000-000000000000",
        "/auth/google/start",
        "/auth/google/callback",
        "/healthz",
        "/no/such/page",
    ];
    let keys = [
        "next", "token", "b", "error", "google", "reenrol", "welcome", "actor", "action", "target",
        "from", "to", "before", "code", "state",
    ];
    for host in HOSTS {
        for page in pages {
            for _ in 0..2 {
                let mut path = page.to_owned();
                let n = rng.below(4);
                for i in 0..n {
                    let key = keys[rng.below(keys.len())];
                    let _ = write!(
                        path,
                        "{}{key}={}",
                        if i == 0 { '?' } else { '&' },
                        value_up_to(rng, URL_VALUE_MAX)
                    );
                }
                push_get(out, host, path, cookie);
            }
        }
        for _ in 0..4 {
            let path = format!("/invite/{}", value_up_to(rng, URL_VALUE_MAX));
            push_get(out, host, path.clone(), cookie);
            push_get(out, host, format!("{path}/switch"), cookie);
        }
    }
}

fn push_get(out: &mut Vec<Case>, host: &'static str, path: String, cookie: &Option<String>) {
    // A `%` not followed by two hex digits makes no valid URL: reqwest
    // refuses to send it, which tests nothing of ours. Such a `%` is sent as
    // the text "%" instead.
    let bytes = path.as_bytes();
    let mut fixed = String::with_capacity(path.len());
    for (i, c) in path.char_indices() {
        let escape = c == '%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit));
        if escape {
            fixed.push_str("%25");
        } else {
            fixed.push(c);
        }
    }
    let path = fixed;
    out.push(Case {
        method: "GET",
        host,
        path,
        body: String::new(),
        content_type: None,
        accept: "text/html",
        cookie: cookie.clone(),
        how: "page",
    });
}

fn fn_cases(
    rng: &mut Rng,
    endpoint: &'static str,
    fields: &[&str],
    host: &'static str,
    cookie: &Option<String>,
    out: &mut Vec<Case>,
) {
    for _ in 0..CASES {
        let (body, content_type, how) = body(rng, fields);
        out.push(Case {
            method: "POST",
            host,
            path: endpoint.to_owned(),
            body,
            content_type,
            accept: if rng.chance(3) {
                "text/html"
            } else {
                "application/json"
            },
            cookie: cookie.clone(),
            how,
        });
    }
}

async fn run_all(app: &Arc<TestApp>, cases: Vec<Case>, failures: &mut Vec<String>) {
    let mut set = tokio::task::JoinSet::new();
    let mut pending = cases.into_iter();
    loop {
        while set.len() < PARALLEL {
            let Some(case) = pending.next() else { break };
            let app = app.clone();
            set.spawn(async move { case.run(&app).await });
        }
        match set.join_next().await {
            Some(Ok(Err(failure))) => failures.push(failure),
            Some(Ok(Ok(()))) => {}
            Some(Err(join)) => failures.push(format!("the test task panicked: {join}")),
            None => break,
        }
    }
}

/// Issue 10: arbitrary strings at every public form and server function,
/// on every kind of host, signed in and out, never answer 5xx or drop the
/// connection.
#[tokio::test]
async fn arbitrary_input_at_every_form_and_server_function_never_answers_5xx() {
    let app = Arc::new(TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await);
    let seed = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x0ff_91a7_2026_u64);
    let mut rng = Rng(seed | 1);
    let fields: BTreeMap<&str, &[&str]> = FIELDS.iter().copied().collect();

    // Every server function the app registered, by its path.
    let mut endpoints: Vec<&'static str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    endpoints.sort_unstable();
    endpoints.dedup();
    assert!(
        endpoints.len() >= 30 && endpoints.contains(&"/api/team/invite"),
        "the registry should list every server function: {endpoints:?}"
    );
    let name = |e: &str| e.trim_start_matches("/api/").to_owned();
    let fields_of = |e: &str| {
        fields
            .get(name(e).as_str())
            .copied()
            .unwrap_or(COMMON_FIELDS)
    };

    let owner = Some(sign_in(&app, "ava@acme.example", 0).await);
    let mut cases = Vec::new();
    for &endpoint in &endpoints {
        if ENDS_SESSION.contains(&name(endpoint).as_str()) {
            continue;
        }
        for host in HOSTS {
            for cookie in [&None, &owner] {
                fn_cases(
                    &mut rng,
                    endpoint,
                    fields_of(endpoint),
                    host,
                    cookie,
                    &mut cases,
                );
            }
        }
    }
    for cookie in [None, owner.clone()] {
        page_cases(&mut rng, &cookie, &mut cases);
    }
    let count = cases.len();
    let mut failures = Vec::new();
    run_all(&app, cases, &mut failures).await;

    // Last, what ends a session: signed out, then each host with a fresh
    // sign-in of another demo person (so none runs out of sign-ins).
    let people = [
        "ben@acme.example",
        "chloe@acme.example",
        "dan@acme.example",
        "ella@acme.example",
        "luis@lumen.example",
        "marta@lumen.example",
        "omar@northstar.example",
        "priya@northstar.example",
        "rami@northstar.example",
        "sara@northstar.example",
    ];
    let mut signed_in = 0;
    let mut late = Vec::new();
    for &endpoint in &endpoints {
        if !ENDS_SESSION.contains(&name(endpoint).as_str()) {
            continue;
        }
        for host in HOSTS {
            fn_cases(
                &mut rng,
                endpoint,
                fields_of(endpoint),
                host,
                &None,
                &mut late,
            );
            let person = people[signed_in % people.len()];
            signed_in += 1;
            let cookie = Some(sign_in(&app, person, signed_in).await);
            let mut mine = Vec::new();
            fn_cases(
                &mut rng,
                endpoint,
                fields_of(endpoint),
                host,
                &cookie,
                &mut mine,
            );
            for case in mine {
                if let Err(failure) = case.run(&app).await {
                    failures.push(failure);
                }
            }
        }
    }
    let count = count + late.len() + signed_in * CASES;
    run_all(&app, late, &mut failures).await;

    assert!(
        failures.is_empty(),
        "{} of {count} requests failed (seed {seed:#x}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
