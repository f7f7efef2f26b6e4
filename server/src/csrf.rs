//! CSRF protection for every state-changing browser request (SPEC R3.7a),
//! server functions included.
//!
//! Browsers mark every request with where it came from. A request whose
//! method can change state (anything but GET, HEAD, OPTIONS) is refused
//! when the browser says it is cross-site:
//! - `Sec-Fetch-Site: cross-site` → refused; `same-origin`, `same-site`
//!   (another of our subdomains: we serve no tenant-controlled script on
//!   them, R3.4) and `none` (typed or bookmarked by the person) pass;
//! - otherwise an `Origin` header must name a host we serve (the base
//!   domain, `app.` or an organisation label) with our scheme; `Origin:
//!   null` is refused;
//! - a request with neither header is not from a browser that could be
//!   tricked (every current browser sends `Origin` on cross-origin POSTs),
//!   so it passes.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use offplan::domain::{classify_host, BaseDomain, HostKind};

/// The hosts and scheme that count as ours.
#[derive(Clone)]
pub struct CsrfConfig {
    pub base_domain: BaseDomain,
    pub public_scheme: &'static str,
}

pub async fn refuse_cross_site(
    State(config): State<CsrfConfig>,
    request: Request,
    next: Next,
) -> Response {
    if is_safe(request.method())
        || allowed(request.headers(), &config.base_domain, config.public_scheme)
    {
        return next.run(request).await;
    }
    tracing::warn!(http.method = %request.method(), "cross-site request refused");
    (
        StatusCode::FORBIDDEN,
        [(header::CACHE_CONTROL, "no-store")],
        "This request came from another site and was refused. \
         If you were using offplan, go back, reload the page and try again.\n",
    )
        .into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request's browser provenance allows a state change.
pub fn allowed(headers: &HeaderMap, base: &BaseDomain, scheme: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "same-site" | "none");
    }
    match headers.get(header::ORIGIN).map(|v| v.to_str()) {
        None => true,
        Some(Ok(origin)) => origin_is_ours(origin, base, scheme),
        Some(Err(_)) => false,
    }
}

/// An origin of ours: our scheme, and a host that is the base domain, the
/// central app or an organisation label — exactly what the tenant
/// middleware would serve.
fn origin_is_ours(origin: &str, base: &BaseDomain, scheme: &str) -> bool {
    origin
        .strip_prefix(scheme)
        .and_then(|r| r.strip_prefix("://"))
        .is_some_and(|host| classify_host(host, base) != HostKind::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn base() -> BaseDomain {
        BaseDomain::parse("offplan.localhost").unwrap()
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        for (site, ok) in [
            ("same-origin", true),
            ("same-site", true),
            ("none", true),
            ("cross-site", false),
        ] {
            assert_eq!(
                allowed(&headers(&[("sec-fetch-site", site)]), &base(), "http"),
                ok,
                "{site}"
            );
        }
        // Fetch metadata wins over a forged-looking Origin either way.
        assert!(!allowed(
            &headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://acme.offplan.localhost")
            ]),
            &base(),
            "http"
        ));
    }

    #[test]
    fn origin_must_be_the_base_or_a_subdomain_with_our_scheme() {
        for (origin, ok) in [
            ("http://acme.offplan.localhost:3000", true),
            ("http://app.offplan.localhost", true),
            ("http://offplan.localhost", true),
            ("https://acme.offplan.localhost", false),
            ("http://evil.example", false),
            ("http://acme.offplan.localhost.evil.example", false),
            ("http://eviloffplan.localhost", false),
            ("null", false),
        ] {
            assert_eq!(
                allowed(&headers(&[("origin", origin)]), &base(), "http"),
                ok,
                "{origin}"
            );
        }
    }

    #[test]
    fn no_provenance_headers_is_not_a_browser_request() {
        assert!(allowed(&HeaderMap::new(), &base(), "http"));
    }
}
