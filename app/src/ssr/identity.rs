//! Identity (SPEC §3): the signed-in person as the server's session
//! middleware re-read them, the services the identity server functions
//! need, the session, and where a person lands once signed in.

use leptos::prelude::*;
use offplan::{
    breach::BreachChecker,
    db::{unscoped::SessionUser, Gate},
    domain::UserId,
    password_hash::PasswordHasher,
    AppError,
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{internal, Limits};
use crate::site::info::SiteInfo;

/// The signed-in person, re-read from the database for this request by the
/// server's session middleware (R3.8); `None` for nobody.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<SessionUser>);

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

/// The signed-in person, for every server function. Someone who signed in
/// with a recovery code may do nothing else until they enrol again (R3.6):
/// the check is here, not on each page, so no server function can forget it.
pub fn require_user() -> Result<SessionUser, AppError> {
    let user = current_user().ok_or(AppError::Unauthenticated)?;
    if user.totp_reenrol_required {
        return Err(offplan::error::Conflict::ReenrolFirst.into());
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

/// Where a person goes once signed in (R3.5): a safe `next`; else this
/// organisation when they belong to it; else their only organisation; else
/// the central organisation picker.
pub async fn landing_for(
    db: &Gate,
    info: &SiteInfo,
    user: UserId,
    next: Option<&str>,
) -> Result<String, AppError> {
    if let Some(next) = next.and_then(|n| info.safe_next(n)) {
        return Ok(next);
    }
    let orgs = db.memberships_of(user).await?;
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
