//! The compiled front end under /pkg/ (issue 11 item 5): the precompressed
//! file the client accepts, `Vary: Accept-Encoding`, a year's immutable
//! cache for a content-hashed name and `no-cache` for any other, the
//! security headers, and a 404 for a file that is not there.

use crate::support::TestApp;
use std::path::{Path, PathBuf};

/// A content hash as cargo-leptos writes it: 22 characters of base64url.
const HASHED: &str = "/pkg/app.abc123Q7yb3kL0xVw2M9_g.wasm";
const PLAIN: &[u8] = b"\0asm plain bytes";
const BROTLI: &[u8] = b"pretend brotli bytes";
const GZIP: &[u8] = b"pretend gzip bytes";

/// A site root of its own, removed when the test ends.
struct SiteRoot(PathBuf);

impl SiteRoot {
    fn new() -> Self {
        let root =
            std::env::temp_dir().join(format!("offplan-site-{}", uuid::Uuid::new_v4().simple()));
        let pkg = root.join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        for name in [&HASHED[5..], "app.wasm"] {
            write(&pkg, name, PLAIN);
            write(&pkg, &format!("{name}.br"), BROTLI);
            write(&pkg, &format!("{name}.gz"), GZIP);
        }
        write(&root, "favicon.ico", PLAIN);
        Self(root)
    }
}

impl Drop for SiteRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

async fn spawn(site: &SiteRoot) -> TestApp {
    TestApp::spawn_with(&[("LEPTOS_SITE_ROOT", site.0.to_str().unwrap())]).await
}

async fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .get(format!("http://{}{path}", app.addr))
        .header("host", format!("app.offplan.localhost:{}", app.addr.port()));
    if let Some(encodings) = accept_encoding {
        req = req.header("accept-encoding", encodings);
    }
    req.send().await.unwrap()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn pkg_files_are_served_in_the_encoding_the_client_accepts() {
    let site = SiteRoot::new();
    let app = spawn(&site).await;
    for (accept, encoding, body) in [
        (Some("br, gzip"), Some("br"), BROTLI),
        (Some("gzip, deflate, br"), Some("br"), BROTLI),
        (Some("gzip"), Some("gzip"), GZIP),
        (Some("identity"), None, PLAIN),
        (None, None, PLAIN),
    ] {
        let res = get(&app, HASHED, accept).await;
        assert_eq!(res.status(), 200, "{accept:?}");
        assert_eq!(header(&res, "content-encoding"), encoding, "{accept:?}");
        assert_eq!(
            header(&res, "content-type"),
            Some("application/wasm"),
            "{accept:?}"
        );
        let vary = header(&res, "vary")
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(vary.contains("accept-encoding"), "{accept:?}: {vary}");
        assert_eq!(res.bytes().await.unwrap(), body, "{accept:?}");
    }
}

#[tokio::test]
async fn a_hashed_name_is_cached_for_a_year_and_any_other_is_revalidated() {
    let site = SiteRoot::new();
    let app = spawn(&site).await;
    let hashed = get(&app, HASHED, Some("br, gzip")).await;
    assert_eq!(
        header(&hashed, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    // Without a hash the content can change under the same name.
    let plain = get(&app, "/pkg/app.wasm", Some("br, gzip")).await;
    assert_eq!(plain.status(), 200);
    assert_eq!(header(&plain, "cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn pkg_files_keep_the_security_headers_and_an_unknown_one_is_404() {
    let site = SiteRoot::new();
    let app = spawn(&site).await;
    let res = get(&app, HASHED, Some("br")).await;
    assert_eq!(header(&res, "x-content-type-options"), Some("nosniff"));
    assert!(header(&res, "content-security-policy").is_some());
    assert!(res.headers().contains_key("x-request-id"));
    for missing in [
        "/pkg/nothing.abc123Q7yb3kL0xVw2M9_g.wasm",
        "/pkg/nothing.js",
        "/pkg/",
    ] {
        let res = get(&app, missing, Some("br, gzip")).await;
        assert_eq!(res.status(), 404, "{missing}");
        assert_ne!(
            header(&res, "cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{missing}"
        );
    }
}

#[tokio::test]
async fn the_favicon_is_served_revalidated_without_session_or_tenant_work() {
    let site = SiteRoot::new();
    let app = spawn(&site).await;
    // An unknown subdomain too: the favicon belongs to no tenant.
    let res = app
        .client
        .get(format!("http://{}/favicon.ico", app.addr))
        .header(
            "host",
            format!("nobody-here.offplan.localhost:{}", app.addr.port()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), Some("no-cache"));
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(res.bytes().await.unwrap().as_ref(), PLAIN);
}
