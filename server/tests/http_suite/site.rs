//! Host → site resolution, branding and headers.
//! SPEC R7.1 (host decides the tenant), R7.2 (branding), R7.4 (headers).

use crate::support::{TestApp, BASE};

#[tokio::test]
async fn healthz_answers_ok_after_a_database_round_trip() {
    let app = TestApp::spawn().await;
    let res = app.get("127.0.0.1", "/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.text().await.unwrap(), "ok\n");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_the_security_headers() {
    let app = TestApp::spawn().await;
    for (host, path) in [
        ("127.0.0.1", "/healthz"),
        ("acme.offplan.localhost", "/"),
        ("nobody.offplan.localhost", "/"),
    ] {
        let res = app.get(host, path).await;
        let h = res.headers();
        assert!(h.contains_key("x-request-id"), "{host}{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{host}{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        assert_eq!(h["x-frame-options"], "DENY");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        // Plain-http development: no HSTS (R7.4: only over TLS).
        assert!(!h.contains_key("strict-transport-security"));
    }
}

#[tokio::test]
async fn the_page_csp_nonce_is_the_one_on_the_hydration_script() {
    let app = TestApp::spawn().await;
    let res = app.get(&format!("acme.{BASE}"), "/").await;
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP")
        .to_owned();
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "nonce not on the inline scripts"
    );
    // Each request gets its own nonce.
    let again = app.get(&format!("acme.{BASE}"), "/").await;
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));
}

#[tokio::test]
async fn an_organisation_subdomain_renders_its_brand_on_the_server() {
    let app = TestApp::spawn().await;
    let acme = app.get(&format!("acme.{BASE}"), "/").await;
    assert_eq!(acme.status(), 200);
    let html = acme.text().await.unwrap();
    assert!(html.contains("<title>Acme Homes</title>"));
    assert!(html.contains("--brand:#1f5f8b"));
    assert!(html.contains("Waterfront apartments, built to last."));

    // Two organisations, one server: each sees only its own brand.
    let north = app
        .get(&format!("northstar.{BASE}"), "/")
        .await
        .text()
        .await
        .unwrap();
    assert!(north.contains("Northstar Realty"));
    assert!(north.contains("--brand:#c2410c"));
    assert!(!north.contains("Acme Homes"));
}

#[tokio::test]
async fn an_unknown_or_reserved_subdomain_is_a_neutral_404() {
    let app = TestApp::spawn().await;
    for host in [
        format!("nobody.{BASE}"),
        format!("www.{BASE}"),
        format!("a.b.{BASE}"),
        "evil.example".to_owned(),
    ] {
        let res = app.get(&host, "/").await;
        assert_eq!(res.status(), 404, "{host}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("We can&#x27;t find that page")
                || html.contains("We can't find that page"),
            "{host}"
        );
        assert!(!html.contains("--brand:"), "{host} leaked a brand");
    }
}

#[tokio::test]
async fn a_missing_page_on_a_known_organisation_is_404() {
    let app = TestApp::spawn().await;
    let res = app.get(&format!("acme.{BASE}"), "/no/such/page").await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn the_bare_base_domain_redirects_to_the_central_app_keeping_the_path() {
    let app = TestApp::spawn().await;
    let res = app.get(BASE, "/some/path?x=1").await;
    assert_eq!(res.status(), 308);
    assert_eq!(
        res.headers()["location"],
        format!("http://app.{BASE}:{}/some/path?x=1", app.addr.port()).as_str()
    );
}

#[tokio::test]
async fn the_central_app_answers_on_app() {
    let app = TestApp::spawn().await;
    let res = app.get(&format!("app.{BASE}"), "/").await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Sell off-plan, together"));
}

/// R3.7a: a cross-site state-changing request is refused before routing;
/// the same request from one of our subdomains reaches the router (here a
/// GET-only route, so 405).
#[tokio::test]
async fn a_cross_site_post_is_refused_and_a_same_site_one_is_not() {
    let app = TestApp::spawn().await;
    let post = |origin: Option<String>, fetch_site: Option<&'static str>| {
        let mut req = app
            .client
            .post(format!("http://{}/healthz", app.addr))
            .header("host", format!("acme.{BASE}:{}", app.addr.port()));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(s) = fetch_site {
            req = req.header("sec-fetch-site", s);
        }
        req.send()
    };
    let evil = post(Some("http://evil.example".into()), None)
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    assert!(evil
        .text()
        .await
        .unwrap()
        .contains("came from another site"));
    let cross = post(None, Some("cross-site")).await.unwrap();
    assert_eq!(cross.status(), 403);

    let ours = post(Some(format!("http://app.{BASE}:{}", app.addr.port())), None)
        .await
        .unwrap();
    assert_eq!(ours.status(), 405);
    let same_site = post(None, Some("same-site")).await.unwrap();
    assert_eq!(same_site.status(), 405);
}
