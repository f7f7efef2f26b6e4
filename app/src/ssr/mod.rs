//! Server-only helpers shared by server functions and the shell: what the
//! request carries (site, database gate, nonce, client address), errors,
//! redirects, the tenant scope and dates. The identity helpers are in
//! `identity.rs` (re-exported here), the abuse limits in `limits.rs`, the
//! session record's keys in [`keys`].

mod identity;
pub mod keys;
mod limits;

use leptos::prelude::*;
use offplan::{db::Gate, AppError};

// The plain data only: `site` (the frame) uses `ssr`, never the reverse.
use crate::site::info::SiteInfo;

pub use crate::auth::door;
pub use identity::*;
pub use limits::*;
pub use offplan::db::{unscoped::SessionUser, RequestMeta};

/// The per-request CSP nonce, put in the request extensions by the server's
/// security-headers middleware, which also sends it in the
/// `Content-Security-Policy` header.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Hands the request's nonce to Leptos so every inline script it renders
/// (the hydration bootstrap) carries it.
pub fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

/// The site this request is for, resolved from the Host header by the
/// server's tenant middleware (SPEC R7.1).
pub fn request_site() -> Result<SiteInfo, AppError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SiteInfo>().cloned())
        .ok_or_else(|| internal("no site resolved for this request"))
}

/// The request's handle on the database, provided by the server for every
/// render and server function call: [`Gate::scope`] for tenant data (through
/// [`org_scope`]) and the named unscoped operations, never the pool.
pub fn gate() -> Result<Gate, AppError> {
    use_context::<Gate>().ok_or_else(|| internal("no database gate in context"))
}

/// The id tower-http assigned to this request, for error references.
pub fn request_id() -> String {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Logs an internal failure once, with the request id, and returns the
/// error the person sees: a reference, never the cause (STYLE.md §4).
/// Repository errors need no call: `?` converts them the same way (the
/// server installs [`request_id`] as `offplan::error`'s reader). This is
/// for the other causes — sessions, hashing, missing context.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    AppError::internal_for(request_id(), cause)
}

/// Sets the HTTP status of the page being rendered.
pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// The client's address (R3.7), put in the request extensions by the
/// server's trusted-proxy-aware middleware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

pub fn client_ip() -> Option<std::net::IpAddr> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientIp>().copied())
        .map(|ClientIp(ip)| ip)
}

pub fn request_meta() -> RequestMeta {
    let user_agent = use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    RequestMeta {
        ip: client_ip().map(|ip| ip.to_string()),
        user_agent,
    }
}

/// Sends a plain (script-less) form post on to `url` with a 303-style
/// redirect; a hydrated form navigates itself with the returned URL.
///
/// `url` often carries request data (a token, a `next` path), and
/// `leptos_axum::redirect` panics on a value that cannot be a header (a CR,
/// LF or NUL): every byte outside visible ASCII is percent-encoded first,
/// so the Location header is always valid and the target page answers the
/// odd input as it would any unknown one (an unknown invitation, 404).
pub fn redirect_plain_form(url: &str) {
    let plain = use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false);
    if !plain {
        return;
    }
    let location = offplan::domain::header_safe_url(url);
    // Cannot fail after the encoding above; checked anyway so that a future
    // change here can never turn into a panic on request data.
    if http::HeaderValue::from_str(&location).is_ok() {
        leptos_axum::redirect(&location);
    }
}

/// Answers the page being rendered with a permanent redirect to `path` (an
/// address that moved, e.g. a project's old slug). Encoded first, as in
/// [`redirect_plain_form`], so request data can never make it panic.
pub fn redirect_permanent(path: &str) {
    let location = offplan::domain::header_safe_url(path);
    if http::HeaderValue::from_str(&location).is_ok() {
        leptos_axum::redirect(&location);
        set_status(http::StatusCode::MOVED_PERMANENTLY);
    }
}

// ---- Tenant scope (SPEC R2.4) -------------------------------------------

use offplan::db::Scope;
use offplan::domain::{OrgBrand, Site};

/// The organisation this host belongs to; the central app and unknown hosts
/// have none (404).
pub fn org_brand() -> Result<OrgBrand, AppError> {
    match request_site()?.site {
        Site::Org(brand) => Ok(brand),
        _ => Err(AppError::NotFound),
    }
}

/// The signed-in person's scope in this host's organisation, with their
/// membership re-read from the database now (R2.4). Not a member: 404.
pub async fn org_scope() -> Result<(Scope, OrgBrand, SessionUser), AppError> {
    let brand = org_brand()?;
    let user = require_user()?;
    let scope = gate()?.scope(brand.id, user.id).await?;
    Ok((scope, brand, user))
}

/// Dates as the tables show them.
pub fn day(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[day padding:none] [month repr:short] [year]");
    t.format(&f).unwrap_or_default()
}

/// "just now", "5 min ago", "3 h ago", "2 days ago", else the date.
pub fn ago(t: time::OffsetDateTime) -> String {
    let secs = (time::OffsetDateTime::now_utc() - t).whole_seconds().max(0);
    match secs {
        0..=59 => "just now".to_owned(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        86_400..=604_799 => match secs / 86_400 {
            1 => "yesterday".to_owned(),
            n => format!("{n} days ago"),
        },
        _ => day(t),
    }
}
