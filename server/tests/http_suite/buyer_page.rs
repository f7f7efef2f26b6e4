//! The buyer's page over real HTTP (SPEC R7.3, R7.4, R5.5; issue 13 item
//! 5). Three organisations: Acme (developer) owns Marina Heights; Northstar
//! (agency partner) records the buyer and issues the link; Lumen (studio
//! partner) is a third tenant whose address must show nothing of it.

#![expect(
    clippy::disallowed_methods,
    reason = "the test arranges what the app never writes (an expired link, an old visit) and reads the audit rows as the owner; runtime SQL is its tool (clippy.toml)"
)]

use crate::support::TestApp;
use offplan::{
    db::{
        buyers::{self, links, terms},
        testing::{seeded_db, TestDb},
        units::{change, Assignee},
    },
    domain::{
        terms::CURRENT_VERSION, BuyerFields, BuyerId, ExpiryDays, OrgId, ProjectId, UnitId, UserId,
    },
    token::Token,
};

const NORTHSTAR: &str = "northstar.offplan.localhost";
const ACME: &str = "acme.offplan.localhost";
const LUMEN: &str = "lumen.offplan.localhost";
const SLUG: &str = offplan::db::seed::DEMO_PROJECT_SLUG;

struct Demo {
    db: TestDb,
    app: TestApp,
    northstar: OrgId,
    rami: UserId,
    acme: OrgId,
    chloe: UserId,
    project: ProjectId,
    buyer: BuyerId,
}

/// A typed id from its uuid (the public way in: `parse`).
macro_rules! id {
    ($t:ident, $uuid:expr $(,)?) => {
        $t::parse(&$uuid.to_string()).unwrap()
    };
}

async fn id_of(db: &TestDb, sql: &str) -> uuid::Uuid {
    sqlx::query_scalar(sql)
        .fetch_one(db.admin.pool_for_tests())
        .await
        .unwrap()
}

/// The seeded demo, Northstar's terms accepted by its Owner, and a buyer
/// recorded by its agent Rami; a server on the same database.
async fn demo() -> Demo {
    let db = seeded_db().await.unwrap();
    let admin_url = db.settings.admin_url.clone().unwrap();
    let app = TestApp::spawn_with_database(&admin_url).await;
    let org = |sub: &'static str| format!("select id from organisations where subdomain = '{sub}'");
    let user = |email: &'static str| format!("select id from users where email = '{email}'");
    let northstar = id!(OrgId, id_of(&db, &org("northstar")).await);
    let acme = id!(OrgId, id_of(&db, &org("acme")).await);
    let omar = id!(UserId, id_of(&db, &user("omar@northstar.example")).await);
    let rami = id!(UserId, id_of(&db, &user("rami@northstar.example")).await);
    let chloe = id!(UserId, id_of(&db, &user("chloe@acme.example")).await);
    let project = id!(
        ProjectId,
        id_of(
            &db,
            &format!("select id from projects where slug = '{SLUG}'")
        )
        .await,
    );

    let mut scope = db.app.scope(northstar, omar).await.unwrap();
    terms::accept(&mut scope, CURRENT_VERSION).await.unwrap();
    scope.commit().await.unwrap();
    let mut scope = db.app.scope(northstar, rami).await.unwrap();
    let fields = BuyerFields::parse("Nadia Farouk", "nadia@buyer.example", "", "", true).unwrap();
    let buyer = buyers::record(&mut scope, &fields).await.unwrap().id;
    scope.commit().await.unwrap();
    Demo {
        db,
        app,
        northstar,
        rami,
        acme,
        chloe,
        project,
        buyer,
    }
}

impl Demo {
    async fn unit(&self, code: &str) -> UnitId {
        id!(
            UnitId,
            id_of(
                &self.db,
                &format!("select id from units where code = '{code}'")
            )
            .await
        )
    }

    /// Rami issues a link for `unit`; answers its path and query.
    async fn issue(&self, unit: UnitId) -> String {
        let url = |slug: &str, unit: UnitId, token: &Token| {
            format!("/projects/{slug}/units/{unit}?b={}", token.expose())
        };
        let letter = links::LinkLetter {
            org_name: "Northstar Realty",
            agent_name: "Rami Aziz",
            url: &url,
        };
        let mut scope = self.db.app.scope(self.northstar, self.rami).await.unwrap();
        let issued = links::issue(
            &mut scope,
            self.buyer,
            self.project,
            unit,
            ExpiryDays::DEFAULT,
            &letter,
            false,
        )
        .await
        .unwrap();
        scope.commit().await.unwrap();
        issued.url
    }

    async fn version(&self, unit: UnitId) -> i64 {
        sqlx::query_scalar("select version from units where id = $1")
            .bind(unit.as_uuid())
            .fetch_one(self.db.admin.pool_for_tests())
            .await
            .unwrap()
    }
}

/// The body without its per-response nonce, to compare two answers.
fn without_nonce(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("nonce=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 7..];
        rest = after.find('"').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out
}

/// R7.4 on every answer of the buyer's page.
fn assert_buyer_headers(res: &reqwest::Response) {
    let h = res.headers();
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert_eq!(get("x-robots-tag"), "noindex, nofollow");
    assert_eq!(get("referrer-policy"), "no-referrer");
    assert_eq!(get("cache-control"), "no-store");
    assert_eq!(get("x-content-type-options"), "nosniff");
    let csp = get("content-security-policy");
    for part in [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "script-src 'none'",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Images only from the media origin, which is not under the base domain.
    let img = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("img-src"))
        .unwrap_or("");
    assert!(
        !img.contains("offplan.localhost") && !img.contains("'self'"),
        "{img}"
    );
    assert!(
        get("set-cookie").is_empty(),
        "a buyer page never sets a cookie"
    );
}

#[tokio::test]
async fn a_link_opens_its_unit_and_nothing_else() {
    let demo = demo().await;
    let (u1, u2) = (demo.unit("A-101").await, demo.unit("A-102").await);
    let link = demo.issue(u1).await;

    let res = demo.app.get(NORTHSTAR, &link).await;
    assert_eq!(res.status(), 200);
    assert_buyer_headers(&res);
    let html = res.text().await.unwrap();
    for seen in [
        "Unit A-101",
        "Marina Heights",
        "Northstar Realty",
        "Rami Aziz",
        "noindex, nofollow",
    ] {
        assert!(html.contains(seen), "{seen}: {html}");
    }
    // Nothing of the buyer, no other unit, no script.
    for unseen in ["Nadia", "nadia@buyer.example", "A-102", "<script"] {
        assert!(!html.contains(unseen), "{unseen} shown: {html}");
    }

    // The same token on another unit, another project, another tenant's
    // address: 404, the same page as a token that names nothing.
    let token = link.split("?b=").nth(1).unwrap();
    // Per host: the page carries the host's brand.
    let mut unknown = std::collections::HashMap::new();
    for host in [NORTHSTAR, ACME, LUMEN] {
        let res = demo
            .app
            .get(
                host,
                &format!(
                    "/projects/{SLUG}/units/{u1}?b={}",
                    Token::generate().0.expose()
                ),
            )
            .await;
        assert_eq!(res.status(), 404);
        assert_buyer_headers(&res);
        unknown.insert(host, without_nonce(&res.text().await.unwrap()));
    }
    for (host, path) in [
        (NORTHSTAR, format!("/projects/{SLUG}/units/{u2}?b={token}")),
        (
            NORTHSTAR,
            format!("/projects/another-project/units/{u1}?b={token}"),
        ),
        (ACME, format!("/projects/{SLUG}/units/{u1}?b={token}")),
        (LUMEN, format!("/projects/{SLUG}/units/{u1}?b={token}")),
        (
            NORTHSTAR,
            format!("/projects/{SLUG}/units/not-a-uuid?b={token}"),
        ),
        (NORTHSTAR, format!("/projects/{SLUG}/units/{u1}?b=short")),
    ] {
        let res = demo.app.get(host, &path).await;
        assert_eq!(res.status(), 404, "{host}{path}");
        assert_buyer_headers(&res);
        assert_eq!(
            without_nonce(&res.text().await.unwrap()),
            unknown[host],
            "{host}{path}"
        );
    }
}

#[tokio::test]
async fn each_open_is_in_the_projects_activity_log_without_the_buyer() {
    let demo = demo().await;
    let u1 = demo.unit("A-101").await;
    let link = demo.issue(u1).await;
    // A reload is the same visit: one open.
    assert_eq!(demo.app.get(NORTHSTAR, &link).await.status(), 200);
    assert_eq!(demo.app.get(NORTHSTAR, &link).await.status(), 200);
    // A visit later (as if the last one were 11 minutes ago) is another.
    sqlx::query("update buyer_links set last_opened_at = now() - interval '11 minutes'")
        .execute(demo.db.admin.pool_for_tests())
        .await
        .unwrap();
    assert_eq!(demo.app.get(NORTHSTAR, &link).await.status(), 200);

    let rows: Vec<(uuid::Uuid, Option<uuid::Uuid>, serde_json::Value)> = sqlx::query_as(
        "select org_id, project_id, metadata from audit_events
         where action = 'buyer_link.opened' order by org_id, seq",
    )
    .fetch_all(demo.db.admin.pool_for_tests())
    .await
    .unwrap();
    // Two visits: each in the owner's chain (with the project, for its
    // activity log) and its twin in the issuing agency's.
    let owners: Vec<_> = rows.iter().filter(|r| r.0 == demo.acme.as_uuid()).collect();
    let twins: Vec<_> = rows
        .iter()
        .filter(|r| r.0 == demo.northstar.as_uuid())
        .collect();
    assert_eq!((owners.len(), twins.len()), (2, 2), "{rows:?}");
    assert!(owners.iter().all(|r| r.1 == Some(demo.project.as_uuid())));
    for (_, _, metadata) in &rows {
        let text = metadata.to_string();
        assert!(
            !text.contains("Nadia") && !text.contains("nadia@"),
            "{text}"
        );
        assert!(
            !text.contains(link.split("?b=").nth(1).unwrap()),
            "token in {text}"
        );
    }
    let opened: Option<time::OffsetDateTime> =
        sqlx::query_scalar("select last_opened_at from buyer_links where unit_id = $1")
            .bind(u1.as_uuid())
            .fetch_one(demo.db.admin.pool_for_tests())
            .await
            .unwrap();
    assert!(opened.is_some());
}

#[tokio::test]
async fn the_old_link_stops_when_a_new_one_is_issued_the_unit_reassigned_or_sold() {
    let demo = demo().await;
    let u1 = demo.unit("A-101").await;
    let ask_again = |html: &str| html.contains("Ask Rami Aziz for a new link");

    // Reissued: the first link ends the moment the second exists.
    let first = demo.issue(u1).await;
    let second = demo.issue(u1).await;
    let res = demo.app.get(NORTHSTAR, &first).await;
    assert_eq!(res.status(), 410);
    assert_buyer_headers(&res);
    let html = res.text().await.unwrap();
    assert!(ask_again(&html), "{html}");
    assert!(
        !html.contains("A-101"),
        "an ended link shows no unit: {html}"
    );
    assert_eq!(demo.app.get(NORTHSTAR, &second).await.status(), 200);

    // Reassigned (within Northstar: from the agency to its agent Rami).
    let mut scope = demo.db.app.scope(demo.acme, demo.chloe).await.unwrap();
    let to = Assignee::Agent {
        org: demo.northstar,
        user: demo.rami,
    };
    let changed = change::reassign(&mut scope, demo.project, u1, to, demo.version(u1).await)
        .await
        .unwrap();
    scope.commit().await.unwrap();
    assert_eq!(changed.links_revoked, 1);
    let html = demo.app.get(NORTHSTAR, &second).await.text().await.unwrap();
    assert!(ask_again(&html), "{html}");

    // Sold.
    let third = demo.issue(u1).await;
    assert_eq!(demo.app.get(NORTHSTAR, &third).await.status(), 200);
    let mut scope = demo.db.app.scope(demo.acme, demo.chloe).await.unwrap();
    change::mark_sold(&mut scope, demo.project, u1, demo.version(u1).await)
        .await
        .unwrap();
    scope.commit().await.unwrap();
    let res = demo.app.get(NORTHSTAR, &third).await;
    assert_eq!(res.status(), 410);
    assert!(ask_again(&res.text().await.unwrap()));
}

#[tokio::test]
async fn an_expired_link_shows_its_page_with_no_unit_data() {
    let demo = demo().await;
    let u1 = demo.unit("A-101").await;
    let link = demo.issue(u1).await;
    // As the owner (no row-level security, no guard): the link was issued
    // 20 days ago for 19 days.
    sqlx::query(
        "update buyer_links set created_at = now() - interval '20 days',
                                expires_at = now() - interval '1 day'
         where unit_id = $1",
    )
    .bind(u1.as_uuid())
    .execute(demo.db.admin.pool_for_tests())
    .await
    .unwrap();
    let res = demo.app.get(NORTHSTAR, &link).await;
    assert_eq!(res.status(), 410);
    assert_buyer_headers(&res);
    let html = res.text().await.unwrap();
    assert!(html.contains("This link has expired"), "{html}");
    assert!(html.contains("Ask Rami Aziz for a new link"), "{html}");
    for unseen in ["A-101", "Bedrooms", "£", "Marina Heights"] {
        assert!(
            !html.contains(unseen),
            "{unseen} on an expired link: {html}"
        );
    }
}

#[tokio::test]
async fn token_lookups_are_limited_per_address() {
    let db = seeded_db().await.unwrap();
    let admin_url = db.settings.admin_url.clone().unwrap();
    let app = TestApp::spawn_with_database_and(&admin_url, &[("TOKEN_LIMIT_PER_IP", "3")]).await;
    let path = format!(
        "/projects/{SLUG}/units/{}?b={}",
        uuid::Uuid::new_v4(),
        Token::generate().0.expose()
    );
    for _ in 0..3 {
        assert_eq!(app.get(NORTHSTAR, &path).await.status(), 404);
    }
    let res = app.get(NORTHSTAR, &path).await;
    assert_eq!(res.status(), 429);
    assert_buyer_headers(&res);
    assert!(res.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn without_a_token_the_path_is_the_signed_in_app() {
    let demo = demo().await;
    let u1 = demo.unit("A-101").await;
    let res = demo
        .app
        .get(NORTHSTAR, &format!("/projects/{SLUG}/units/{u1}"))
        .await;
    // Not the buyer page: the app's own answer (sign in first).
    assert_ne!(
        res.headers()
            .get("x-robots-tag")
            .and_then(|v| v.to_str().ok()),
        Some("noindex, nofollow")
    );
}
