//! Signing in (R3.2, R3.5, R3.6): what the sign-in page offers, the
//! password step, the second factor, signing this browser out, and the
//! organisation picker a central sign-in lands on. Every way in goes through
//! `door::sign_in`.

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};

/// The one message for every failed sign-in, whether or not the account
/// exists (R3.7).
pub const GENERIC_LOGIN_FAILURE: &str =
    "That email and password don't match an account we can sign you in to.";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthOptions {
    pub google: bool,
    pub dev_outbox: bool,
}

#[server(endpoint = "auth/options")]
pub async fn load_auth_options() -> Result<AuthOptions, AppError> {
    let auth = crate::ssr::auth()?;
    Ok(AuthOptions {
        google: auth.google,
        dev_outbox: auth.dev_outbox,
    })
}

/// Password sign-in (R3.2, R3.5). Answers the URL to go to next: the second
/// factor page, or the landing page (R3.5).
#[server(endpoint = "auth/login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::domain::EmailAddress;
    let db = ssr::gate()?;
    let auth = ssr::auth()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("login"), auth.limits.login_ip).await?;
    // Bounded before any work: an address that cannot exist names nobody,
    // and is never sent to the database (issue 10: a 300-character or NUL
    // address used to be a 500).
    let candidate = match EmailAddress::parse(&email) {
        Ok(address) => db.login_candidate(address.as_str()).await?,
        Err(_) => None,
    };
    // R3.7, issue 10 item 4: the account's bucket is keyed on its id and
    // charged *before* the password is checked, so neither a fresh address
    // nor a look-alike spelling of the email buys another guess. A right
    // password takes its charge back.
    let account_bucket = match &candidate {
        Some(c) => ssr::account_bucket("login", c.id),
        None => ssr::nobody_bucket("login", &email),
    };
    ssr::rate_limit(&db, &account_bucket, auth.limits.login_account).await?;
    // Unknown accounts verify against the dummy hash: the same time taken.
    // Passwords are at most 128 characters (R3.2); a longer one cannot match.
    let ok = password.chars().count() <= 1024
        && auth
            .hasher
            .verify(
                &password,
                candidate.as_ref().and_then(|c| c.password_hash.as_deref()),
            )
            .await;
    let (Some(user), true) = (candidate, ok) else {
        let _ = db
            .record_security_event(
                None,
                offplan::db::SecurityEvent::SignInFailed,
                &ssr::request_meta(),
                serde_json::json!({ "method": "password" }),
            )
            .await;
        return Err(AppError::invalid("form", GENERIC_LOGIN_FAILURE));
    };
    let _ = db
        .rate_limit_forgive(&account_bucket, auth.limits.login_account.window_secs)
        .await;
    let session = ssr::session().await?;
    let url = ssr::door::sign_in(
        &session,
        &db,
        &ssr::request_site()?,
        user.id,
        next,
        &ssr::request_meta(),
    )
    .await?
    .into_url();
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// The second step of a sign-in with TOTP (R3.6): a six-digit code, or a
/// recovery code (which turns TOTP off and asks for a new enrolment).
#[server(endpoint = "auth/verify")]
pub async fn verify_second_factor(code: String) -> Result<String, AppError> {
    use crate::ssr;
    let db = ssr::gate()?;
    let auth = ssr::auth()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("login"), auth.limits.login_ip).await?;
    let session = ssr::session().await?;
    let url = ssr::door::complete_second_factor(
        &session,
        &db,
        &ssr::request_site()?,
        &code,
        &ssr::request_meta(),
    )
    .await?;
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Signs this browser out (R3.8).
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<String, AppError> {
    use crate::ssr::{self, keys};
    let db = ssr::gate()?;
    let session = ssr::session().await?;
    if let Some(user) = ssr::current_user() {
        db.revoke_session(user.id, user.login_id).await?;
    }
    let _ = session.remove_value(keys::LOGIN).await;
    session.flush().await.map_err(ssr::internal)?;
    let url = "/login?signed_out=1".to_owned();
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// One organisation in the picker (R3.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgLink {
    pub name: String,
    pub url: String,
    pub role: String,
}

#[server(endpoint = "auth/orgs")]
pub async fn my_orgs() -> Result<Vec<OrgLink>, AppError> {
    use crate::ssr;
    let db = ssr::gate()?;
    let user = ssr::require_user()?;
    let info = ssr::request_site()?;
    Ok(db
        .memberships_of(user.id)
        .await?
        .into_iter()
        .map(|o| OrgLink {
            url: info.org_url(&o.subdomain, "/"),
            name: o.name,
            role: o.role.label().to_owned(),
        })
        .collect())
}
