//! Server-only helpers shared by server functions and the shell.

use leptos::prelude::*;
use offplan::{db::Db, AppError};

use crate::site::SiteInfo;

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

/// The database handle, provided by the server for every render and server
/// function call.
pub fn db() -> Result<Db, AppError> {
    use_context::<Db>().ok_or_else(|| internal("no database in context"))
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
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    let request_id = request_id();
    tracing::error!(request.id = %request_id, error = %cause, "internal error");
    AppError::Internal { request_id }
}

/// Sets the HTTP status of the page being rendered.
pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

// ---- Identity (SPEC §3) -------------------------------------------------

pub use offplan::db::identity::{RequestMeta, SessionUser};
use offplan::{breach::BreachChecker, domain::UserId, password_hash::PasswordHasher};

pub use crate::auth::door;
use tower_sessions::Session;
use uuid::Uuid;

/// The client's address (R3.7), put in the request extensions by the
/// server's trusted-proxy-aware middleware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// The signed-in person, re-read from the database for this request by the
/// server's session middleware (R3.8); `None` for nobody.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<SessionUser>);

/// `max` attempts per `window_secs` (R3.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

/// The abuse limits (R3.7), from configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Every sign-in attempt from one address.
    pub login_ip: Limit,
    /// Failed sign-ins of one account, from anywhere.
    pub login_account: Limit,
    pub signup_ip: Limit,
    pub reset_ip: Limit,
    pub reset_account: Limit,
    /// Lookups of any emailed or linked token from one address.
    pub token_ip: Limit,
    /// Failed token lookups from one address before the burst alert (R5.5).
    pub token_burst: Limit,
}

/// What the identity server functions need besides the database.
#[derive(Clone)]
pub struct AuthServices {
    pub hasher: PasswordHasher,
    pub breach: BreachChecker,
    pub limits: Limits,
    /// The development-only outbox page (never in production).
    pub dev_outbox: bool,
    /// Whether Google sign-in is configured.
    pub google: bool,
    /// Seals TOTP secrets at rest (issue 10 item 11).
    pub totp_keys: offplan::secret_box::SecretBox,
    /// The port of every emailed link, from configuration — never from the
    /// Host header of the request that caused the mail (issue 10).
    pub link_port: Option<u16>,
}

impl AuthServices {
    /// An absolute URL on the central app for an email.
    pub fn email_link_central(&self, info: &SiteInfo, path: &str) -> String {
        format!(
            "{}://app.{}{}{path}",
            info.scheme,
            info.base_domain,
            self.port_suffix()
        )
    }

    /// An absolute URL on an organisation's subdomain for an email.
    pub fn email_link_org(&self, info: &SiteInfo, subdomain: &str, path: &str) -> String {
        format!(
            "{}://{subdomain}.{}{}{path}",
            info.scheme,
            info.base_domain,
            self.port_suffix()
        )
    }

    fn port_suffix(&self) -> String {
        self.link_port.map(|p| format!(":{p}")).unwrap_or_default()
    }
}

/// Session record keys. The record holds ids and short-lived flow state,
/// never a role (R2.4).
pub mod keys {
    /// The `user_sessions` row of this sign-in.
    pub const LOGIN: &str = "login";
    /// A password (or Google) sign-in waiting for its second factor.
    pub const PENDING: &str = "pending_2fa";
    /// A TOTP secret being enrolled, until confirmed with a code.
    pub const TOTP_ENROL: &str = "totp_enrol";
    /// A Google identity with no account yet, for sign-up.
    pub const GOOGLE_SIGNUP: &str = "google_signup";
    /// PKCE verifier and state nonce of a Google sign-in in flight.
    pub const GOOGLE_FLOW: &str = "google_flow";
}

/// A first factor that succeeded; the second is still owed.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PendingSecondFactor {
    pub user: Uuid,
    pub next: Option<String>,
    /// Unix seconds; the pending state lasts ten minutes.
    pub started: i64,
}

pub fn auth() -> Result<AuthServices, AppError> {
    use_context::<AuthServices>().ok_or_else(|| internal("no auth services in context"))
}

pub fn current_user() -> Option<SessionUser> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
        .and_then(|c| c.0)
}

/// What a person who signed in with a recovery code is told by every
/// server function until they enrol a new second factor (R3.6).
pub const REENROL_FIRST: &str =
    "Set up two-step verification again before you continue: open Security in your account.";

/// The signed-in person, for every server function. Someone who signed in
/// with a recovery code may do nothing else until they enrol again (R3.6):
/// the check is here, not on each page, so no server function can forget it.
pub fn require_user() -> Result<SessionUser, AppError> {
    let user = current_user().ok_or(AppError::Unauthenticated)?;
    if user.totp_reenrol_required {
        return Err(AppError::Conflict {
            message: REENROL_FIRST.to_owned(),
        });
    }
    Ok(user)
}

/// The signed-in person for the few functions that a person owing a new
/// enrolment must still reach: the Security page, enrolment itself, and
/// signing out.
pub fn require_user_even_if_reenrolling() -> Result<SessionUser, AppError> {
    current_user().ok_or(AppError::Unauthenticated)
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal(format!("no session: {e}")))
}

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

/// Counts an attempt against `bucket`; past the limit, `RateLimited` (R3.7).
pub async fn rate_limit(db: &Db, bucket: &str, limit: Limit) -> Result<(), AppError> {
    let hits = db
        .rate_limit_hit(bucket, limit.window_secs)
        .await
        .map_err(internal)?;
    if hits > limit.max {
        tracing::warn!(bucket, hits, "rate limit reached");
        return Err(AppError::RateLimited {
            retry_after_secs: u32::try_from(limit.window_secs).unwrap_or(60),
        });
    }
    Ok(())
}

/// The per-account bucket name for `action` (R3.7): keyed on the account's
/// id, never on the address as typed — the database matches addresses
/// through a collation that folds look-alikes, so typed text would give one
/// account unlimited buckets (issue 10 item 4).
pub fn account_bucket(action: &str, user: UserId) -> String {
    format!("{action}:acct:{}", user.as_uuid())
}

/// The bucket for an address that names no account: a digest of its folded
/// form, so the answer (and a 429) looks the same as for a real account and
/// the key has a fixed length whatever was typed.
pub fn nobody_bucket(action: &str, typed: &str) -> String {
    use sha2::Digest as _;
    let folded: String = typed.trim().to_lowercase();
    let digest = sha2::Sha256::digest(folded.as_bytes());
    format!(
        "{action}:nobody:{}",
        data_encoding::HEXLOWER.encode(&digest[..16])
    )
}

/// The per-address bucket name for `action`. An IPv6 client is counted by
/// its /64: one subscriber or host is usually handed a whole /64, so
/// counting single addresses would give one client 2^64 fresh buckets
/// (R3.7). IPv4-mapped addresses were already turned into IPv4 by the
/// server's client-address middleware.
pub fn ip_bucket(action: &str) -> String {
    let key = match client_ip() {
        Some(std::net::IpAddr::V6(v6)) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        Some(v4) => v4.to_string(),
        None => "unknown".into(),
    };
    format!("{action}:ip:{key}")
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

/// Where a person goes once signed in (R3.5): a safe `next`; else this
/// organisation when they belong to it; else their only organisation; else
/// the central organisation picker.
pub async fn landing_for(
    db: &Db,
    info: &SiteInfo,
    user: UserId,
    next: Option<&str>,
) -> Result<String, AppError> {
    if let Some(next) = next.and_then(|n| info.safe_next(n)) {
        return Ok(next);
    }
    let orgs = db.memberships_of(user).await.map_err(internal)?;
    if let offplan::domain::Site::Org(brand) = &info.site {
        if orgs.iter().any(|o| o.subdomain == brand.subdomain.as_str()) {
            return Ok(info.org_url(brand.subdomain.as_str(), "/"));
        }
    }
    Ok(match orgs.as_slice() {
        [only] => info.org_url(&only.subdomain, "/"),
        _ => info.central("/orgs"),
    })
}

// ---- Tenant scope (SPEC R2.4) -------------------------------------------

use offplan::db::{RepoError, Scope};
use offplan::domain::{OrgBrand, Site};

/// A repository refusal as the person sees it (404, 403, 409 or a
/// referenced internal error).
pub fn repo(e: RepoError) -> AppError {
    e.into_app_error(internal)
}

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
    let scope = db()?.scope(brand.id, user.id).await.map_err(repo)?;
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
