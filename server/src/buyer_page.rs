//! The buyer's page (SPEC R7.3, R7.4; issue 13 item 5):
//! `GET <org>.<base>/projects/<p>/units/<u>?b=<token>`.
//!
//! Answered here, in front of host resolution, the session and the Leptos
//! app: a buyer has no account, so no session is read or created, and the
//! page is a document of its own with no script (`app::buyer_page`). The
//! host's brand, the address's limit and the link are one statement
//! (`Gate::open_buyer_link`); an address that names no organisation goes
//! on to host resolution, which answers it as for any page. Every answer — the unit, an
//! ended link, an unknown one, too many attempts — carries the R7.4
//! headers. Without `b` the path is the signed-in unit page and goes on to
//! the app.
//!
//! Token lookups count against the address's token limit (R3.7) and a
//! token that names nothing counts towards the burst alert (R5.5), with
//! the host organisation's audit log told.

use app::{
    buyer_page::{render, Frame, Outcome},
    ssr::{ip_bucket_for, ClientIp, CspNonce, Limit},
};
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use offplan::{
    db::{
        unscoped::buyer_page::{AddressLimit, BuyerAnswer, BuyerLink, BuyerLinkRequest},
        Gate, RequestMeta,
    },
    domain::{classify_host, BaseDomain, HostKind, OrgBrand, Subdomain},
    token::Token,
};
use std::sync::Arc;

/// What the buyer's page needs: the gate, the base domain its hosts are
/// under, where images come from, the stylesheet's address and the token
/// limits.
#[derive(Clone)]
pub struct BuyerPageState {
    pub db: Gate,
    pub base_domain: BaseDomain,
    /// Its origin also goes into the page's `img-src`.
    pub media_base: Arc<str>,
    pub stylesheet: Arc<str>,
    pub token_ip: Limit,
    pub token_burst: Limit,
}

/// The path's project slug and unit when this is a buyer-page request.
fn buyer_path(request: &Request) -> Option<(String, String, String)> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return None;
    }
    let token = request
        .uri()
        .query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("b="))?
        .to_owned();
    let mut parts = request.uri().path().strip_prefix("/projects/")?.split('/');
    let (slug, units, unit) = (parts.next()?, parts.next()?, parts.next()?);
    if units != "units" || slug.is_empty() || unit.is_empty() || parts.next().is_some() {
        return None;
    }
    Some((slug.to_owned(), unit.to_owned(), token))
}

pub async fn intercept(
    State(state): State<BuyerPageState>,
    request: Request,
    next: Next,
) -> Response {
    let Some((slug, unit, token)) = buyer_path(&request) else {
        return next.run(request).await;
    };
    // A buyer link belongs to an organisation's address; elsewhere the
    // app answers as for any unknown page.
    let HostKind::Org(subdomain) =
        classify_host(&crate::tenant::request_host(&request), &state.base_domain)
    else {
        return next.run(request).await;
    };
    let ip = request
        .extensions()
        .get::<ClientIp>()
        .map(|ClientIp(ip)| *ip);
    let nonce = request
        .extensions()
        .get::<CspNonce>()
        .map(|CspNonce(n)| n.clone())
        .unwrap_or_default();
    let meta = RequestMeta {
        ip: ip.map(|ip| ip.to_string()),
        user_agent: user_agent(request.headers()),
    };

    let (brand, outcome) = match lookup(&state, &subdomain, &slug, &unit, &token, ip, &meta).await {
        Ok(Some(answer)) => answer,
        Ok(None) => return next.run(request).await,
        Err(status) => return (status, headers(&state, &nonce)).into_response(),
    };
    tracing::Span::current().record("org.id", tracing::field::display(brand.id.as_uuid()));
    let status = match &outcome {
        Outcome::Link(BuyerLink::Live(_)) => StatusCode::OK,
        Outcome::Link(BuyerLink::Ended { .. }) => StatusCode::GONE,
        Outcome::Link(BuyerLink::Unknown) => StatusCode::NOT_FOUND,
        Outcome::TooMany => StatusCode::TOO_MANY_REQUESTS,
    };
    let frame = Frame {
        brand: &brand,
        stylesheet: &state.stylesheet,
        media_base: &state.media_base,
        nonce: &nonce,
    };
    let html = render(&frame, &outcome);
    let mut response = (status, headers(&state, &nonce), html).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(state.token_ip.window_secs),
        );
    }
    response
}

/// The brand and what to show; `None` when no organisation has this
/// address.
async fn lookup(
    state: &BuyerPageState,
    subdomain: &Subdomain,
    slug: &str,
    unit: &str,
    token: &str,
    ip: Option<std::net::IpAddr>,
    meta: &RequestMeta,
) -> Result<Option<(OrgBrand, Outcome)>, StatusCode> {
    let unavailable = |err: &dyn std::fmt::Display| {
        tracing::error!(error = %err, "buyer page unavailable");
        StatusCode::SERVICE_UNAVAILABLE
    };
    let hash = Token::parse(token).map(|t| t.hash());
    let unit = uuid::Uuid::parse_str(unit).ok();
    // R3.7: every lookup from this address counts, found or not.
    let bucket = ip_bucket_for("token", ip);
    let req = BuyerLinkRequest {
        subdomain,
        project_slug: slug,
        link: unit.zip(hash.as_ref()),
        limit: AddressLimit {
            bucket: &bucket,
            max: state.token_ip.max,
            window_secs: state.token_ip.window_secs,
        },
    };
    let (brand, found) = match state
        .db
        .open_buyer_link(req, meta)
        .await
        .map_err(|e| unavailable(&e))?
    {
        BuyerAnswer::NoSite => return Ok(None),
        BuyerAnswer::TooMany(brand) => {
            tracing::warn!("buyer link lookups rate limited");
            return Ok(Some((brand, Outcome::TooMany)));
        }
        BuyerAnswer::Link(brand, found) => (brand, found),
    };
    if found == BuyerLink::Unknown && ip.is_some() {
        // R5.5: never fails the request; a counting error is only logged.
        if let Err(e) = state
            .db
            .note_token_miss(
                &ip_bucket_for("token-miss", ip),
                state.token_burst.max,
                state.token_burst.window_secs,
                meta,
                Some(brand.id),
            )
            .await
        {
            tracing::error!(error = %e, "could not count a failed buyer link lookup");
        }
    }
    Ok(Some((brand, Outcome::Link(found))))
}

fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// R7.4, on the page and on every one of its error pages.
fn headers(state: &BuyerPageState, nonce: &str) -> [(HeaderName, HeaderValue); 5] {
    let csp = content_security_policy(nonce, &crate::security::origin_of(&state.media_base));
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        (
            HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex, nofollow"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
        ),
    ]
}

/// The buyer page's policy: nothing runs (it has no script), nothing frames
/// it, images come only from the media origin, styles only from our
/// stylesheet and the nonce'd brand colours, and its one form action is none.
pub fn content_security_policy(nonce: &str, media_origin: &str) -> String {
    format!(
        "default-src 'none'; \
         script-src 'none'; \
         style-src 'self' 'nonce-{nonce}'; \
         img-src {media_origin}; \
         font-src 'self'; \
         form-action 'none'; \
         object-src 'none'; \
         base-uri 'none'; \
         frame-ancestors 'none'"
    )
}

/// The stylesheet's address as `HashedStylesheet` would write it, read once
/// at start-up rather than on every request.
pub fn stylesheet_href(options: &leptos::prelude::LeptosOptions) -> String {
    let mut name = options.output_name.to_string();
    if options.hash_files {
        let hash_path = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|p| p.join(options.hash_file.as_ref())));
        if let Some(hashes) = hash_path.and_then(|p| std::fs::read_to_string(p).ok()) {
            if let Some(hash) = hashes.lines().find_map(|l| l.trim().strip_prefix("css:")) {
                name.push('.');
                name.push_str(hash.trim());
            }
        }
    }
    format!("/{}/{name}.css", options.site_pkg_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(uri: &str) -> Request {
        Request::builder()
            .uri(uri)
            .body(axum::body::Body::empty())
            .expect("request")
    }

    #[test]
    fn only_a_unit_path_with_a_token_is_a_buyer_page() {
        assert_eq!(
            buyer_path(&req("/projects/marina/units/abc?b=tok")),
            Some(("marina".into(), "abc".into(), "tok".into()))
        );
        assert_eq!(
            buyer_path(&req("/projects/marina/units/abc?x=1&b=tok")),
            Some(("marina".into(), "abc".into(), "tok".into()))
        );
        assert_eq!(buyer_path(&req("/projects/marina/units/abc")), None);
        assert_eq!(
            buyer_path(&req("/projects/marina/units/abc/edit?b=t")),
            None
        );
        assert_eq!(buyer_path(&req("/projects/marina/settings?b=t")), None);
        assert_eq!(buyer_path(&req("/projects//units/abc?b=t")), None);
    }

    #[test]
    fn the_policy_runs_nothing_and_frames_nothing() {
        let csp = content_security_policy("n0", "https://media.example-usercontent.net");
        assert!(csp.contains("script-src 'none'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("object-src 'none'"));
        assert!(csp.contains("base-uri 'none'"));
        assert!(csp.contains("img-src https://media.example-usercontent.net;"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
