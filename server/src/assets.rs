//! The compiled front end under `/pkg/` — wasm, JS and CSS from
//! cargo-leptos — served precompressed and cached (issue 11 item 5).
//!
//! A release build runs cargo-leptos with `--precompress`, which writes
//! `x.br` and `x.gz` beside each file, and `hash-files`, which puts a
//! content hash in each name. So:
//! - a client that accepts brotli gets the `.br` file, one that accepts
//!   gzip the `.gz`, anyone else the plain file (`Content-Encoding` says
//!   which), with `Vary: Accept-Encoding` so a shared cache keeps them apart;
//! - a hashed name never changes content, so it is cached for a year
//!   (`immutable`: not even revalidated on reload); any other name is
//!   revalidated on every use (`no-cache`), so a deploy is seen at once.
//!
//! These routes sit outside the session, user and tenant layers (an asset
//! belongs to no tenant) and inside the security headers. An unknown path
//! under `/pkg/` is a plain 404.

use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use leptos::prelude::LeptosOptions;
use tower_http::services::{ServeDir, ServeFile};

/// For a hashed name: a year, and no revalidation.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For any other name, and for errors: ask the server every time.
pub const REVALIDATE: &str = "no-cache";

/// `/<site_pkg_dir>/{*path}` from `<site_root>/<site_pkg_dir>`, and the
/// favicon from the site root.
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    // The request path keeps its `/pkg/` prefix, so the directory served is
    // the site root; the route admits only paths under `/pkg/`.
    let files = ServeDir::new(&*options.site_root)
        .precompressed_br()
        .precompressed_gzip();
    let favicon = ServeFile::new(std::path::Path::new(&*options.site_root).join("favicon.ico"));
    Router::new()
        .route_service(
            &leptos_axum::site_pkg_dir_service_route_path(options),
            files,
        )
        // Not hashed, so revalidated (`no-cache`) like any plain name.
        .route_service("/favicon.ico", favicon)
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if hashed && found {
            IMMUTABLE
        } else {
            REVALIDATE
        }),
    );
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether the file name in `path` carries cargo-leptos' content hash:
/// `<stem>.<hash>.<ext>`, the hash 22 characters of unpadded base64url (an
/// MD5). Anything else is not hashed — including the split loader's
/// placeholder, 22 underscores, which an unhashed build leaves in its name.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (Some(ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !ext.is_empty()
        && !stem.is_empty()
        && hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && hash.bytes().any(|b| b.is_ascii_alphanumeric())
}

/// The `hash.txt` cargo-leptos writes beside the binary it builds with
/// `hash-files`: the content hashes in the `/pkg` names. A binary without
/// one (`cargo test`, `cargo run`) serves the unhashed names — turning
/// hashing on there would make every render fail looking for the file.
pub fn hash_file() -> Option<std::path::PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("hash.txt");
    path.is_file().then_some(path)
}

/// The stylesheet's URL, for the few pages the server writes by hand (the
/// Leptos shell names it with `HashedStylesheet`).
pub fn stylesheet_href() -> &'static str {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let hash = hash_file()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| {
                text.lines().find_map(|line| {
                    let (file, hash) = line.split_once(':')?;
                    (file.trim() == "css").then(|| hash.trim().to_owned())
                })
            });
        match hash {
            Some(hash) => format!("/pkg/offplan.{hash}.css"),
            None => "/pkg/offplan.css".to_owned(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_a_cargo_leptos_content_hash_counts_as_hashed() {
        for hashed in [
            "/pkg/offplan.Q7yb3kL0xVw2M9nR4tPz_g.wasm",
            "/pkg/offplan.Q7yb3kL0xVw2M9nR4tPz-g.js",
            "/pkg/offplan.AAAAAAAAAAAAAAAAAAAAAA.css",
            "/pkg/__wasm_split.Q7yb3kL0xVw2M9nR4tPz_g.js",
            "/pkg/chunk_3.Q7yb3kL0xVw2M9nR4tPz_g.wasm",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for unhashed in [
            "/pkg/offplan.wasm",
            "/pkg/offplan.js",
            "/pkg/offplan_bg.wasm",
            "/pkg/offplan.d.ts",
            "/pkg/.Q7yb3kL0xVw2M9nR4tPz_g.js",
            "/pkg/offplan.Q7yb3kL0xVw2M9nR4tPz_g.",
            "/pkg/offplan.Q7yb3kL0xVw2M9nR4tPz_gX.wasm",
            "/pkg/offplan.Q7yb3kL0xVw2M9nR4tPz.wasm",
            "/pkg/offplan.Q7yb3kL0xVw2M9nR4t.z_g.wasm",
            "/pkg/__wasm_split.______________________.js",
            "/pkg/snippets/x/inline0.js",
        ] {
            assert!(!is_hashed(unhashed), "{unhashed}");
        }
    }
}
