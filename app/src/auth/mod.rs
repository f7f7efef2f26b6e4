//! Sign-up, sign-in, second factor, password reset and "where you're
//! signed in" (SPEC §3). Server functions here are the whole API of the
//! identity pages; each re-reads the session from the database (R3.8) and
//! counts against the abuse limits (R3.7). Pages are in [`pages`].

// A server function takes one argument per form field (sign-up has nine).
#![allow(clippy::too_many_arguments)]

pub mod forms;
pub mod pages;
#[cfg(feature = "ssr")]
mod totp;

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use pages::*;

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
    use crate::ssr::{self, keys, PendingSecondFactor};
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    let email = email.trim().to_owned();
    ssr::rate_limit(&db, &ssr::ip_bucket("login"), auth.limits.login_ip).await?;
    let account_bucket = format!("login:acct:{}", email.to_lowercase());
    let candidate = db.login_candidate(&email).await.map_err(ssr::internal)?;
    // Unknown accounts verify against the dummy hash: the same time taken.
    let ok = auth
        .hasher
        .verify(
            &password,
            candidate.as_ref().and_then(|c| c.password_hash.as_deref()),
        )
        .await;
    let (Some(user), true) = (candidate, ok) else {
        // Failures count against the account as well as the address.
        ssr::rate_limit(&db, &account_bucket, auth.limits.login_account).await?;
        let _ = db
            .record_security_event(
                None,
                "auth.sign_in_failed",
                &ssr::request_meta(),
                serde_json::json!({ "method": "password" }),
            )
            .await;
        return Err(AppError::invalid("form", GENERIC_LOGIN_FAILURE));
    };
    let session = ssr::session().await?;
    let next = next.filter(|n| !n.is_empty());
    let url = if user.has_totp {
        session
            .insert(
                keys::PENDING,
                PendingSecondFactor {
                    user: user.id.as_uuid(),
                    next: next.clone(),
                    started: time::OffsetDateTime::now_utc().unix_timestamp(),
                },
            )
            .await
            .map_err(ssr::internal)?;
        "/login/verify".to_owned()
    } else {
        ssr::establish(&session, &db, user.id, &ssr::request_meta()).await?;
        ssr::landing_for(&db, &ssr::request_site()?, user.id, next.as_deref()).await?
    };
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// The second step of a sign-in with TOTP (R3.6): a six-digit code, or a
/// recovery code (which turns TOTP off and asks for a new enrolment).
#[server(endpoint = "auth/verify")]
pub async fn verify_second_factor(code: String) -> Result<String, AppError> {
    use crate::ssr::{self, keys, PendingSecondFactor};
    use offplan::domain::UserId;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("login"), auth.limits.login_ip).await?;
    let session = ssr::session().await?;
    let pending: Option<PendingSecondFactor> =
        session.get(keys::PENDING).await.map_err(ssr::internal)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let Some(pending) = pending.filter(|p| now - p.started < 600) else {
        return Err(AppError::invalid(
            "code",
            "This sign-in has expired. Start again from the sign-in page.",
        ));
    };
    let user = UserId::parse(&pending.user.to_string())
        .ok_or_else(|| ssr::internal("bad pending user"))?;
    ssr::rate_limit(
        &db,
        &format!("totp:acct:{}", pending.user),
        auth.limits.login_account,
    )
    .await?;
    let meta = ssr::request_meta();
    let accepted = if totp::looks_like_totp(&code) {
        match db.totp_state(user).await.map_err(ssr::internal)? {
            Some((secret, _)) => match totp::matching_step(&secret, &code, now) {
                Some(step) => db
                    .accept_totp_step(user, step)
                    .await
                    .map_err(ssr::internal)?,
                None => false,
            },
            None => false,
        }
    } else {
        let hash = totp::recovery_hash(&code);
        db.use_recovery_code(user, &hash, &meta)
            .await
            .map_err(ssr::internal)?
    };
    if !accepted {
        let _ = db
            .record_security_event(
                Some(user),
                "auth.second_factor_failed",
                &meta,
                serde_json::json!({}),
            )
            .await;
        return Err(AppError::invalid(
            "code",
            "That code didn't work. Codes change every 30 seconds and each works once.",
        ));
    }
    ssr::establish(&session, &db, user, &ssr::request_meta()).await?;
    let url = if totp::looks_like_totp(&code) {
        ssr::landing_for(&db, &ssr::request_site()?, user, pending.next.as_deref()).await?
    } else {
        // R3.6: a recovery code signs in and forces re-enrolment.
        ssr::request_site()?.central("/account/security?reenrol=1")
    };
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Signs this browser out (R3.8).
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<String, AppError> {
    use crate::ssr::{self, keys};
    let db = ssr::db()?;
    let session = ssr::session().await?;
    if let Some(user) = ssr::current_user() {
        db.revoke_session(user.id, user.login_id)
            .await
            .map_err(ssr::internal)?;
    }
    let _ = session.remove_value(keys::LOGIN).await;
    session.flush().await.map_err(ssr::internal)?;
    let url = "/login?signed_out=1".to_owned();
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Signs the person out of every browser on every subdomain at once: one
/// epoch bump (R3.8).
#[server(endpoint = "auth/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<String, AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let user = ssr::require_user()?;
    db.revoke_all_sessions(user.id, &ssr::request_meta())
        .await
        .map_err(ssr::internal)?;
    ssr::session().await?.flush().await.map_err(ssr::internal)?;
    let url = "/login?signed_out=everywhere".to_owned();
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Ends one of the person's other sign-ins.
#[server(endpoint = "auth/revoke-session")]
pub async fn revoke_session(id: Uuid) -> Result<(), AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let user = ssr::require_user()?;
    if !db
        .revoke_session(user.id, id)
        .await
        .map_err(ssr::internal)?
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The sign-up form's live subdomain check (R3.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubdomainCheck {
    Available,
    Taken,
    Invalid(String),
}

#[server(endpoint = "auth/check-subdomain")]
pub async fn check_subdomain(subdomain: String) -> Result<SubdomainCheck, AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let sub = match offplan::domain::Subdomain::parse(&subdomain) {
        Ok(sub) => sub,
        Err(e) => return Ok(SubdomainCheck::Invalid(e.to_string())),
    };
    Ok(if db.subdomain_taken(&sub).await.map_err(ssr::internal)? {
        SubdomainCheck::Taken
    } else {
        SubdomainCheck::Available
    })
}

/// A Google identity waiting to become an account (sign-up with Google).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GooglePrefill {
    pub name: String,
    pub email: String,
}

#[server(endpoint = "auth/google-prefill")]
pub async fn load_google_prefill() -> Result<Option<GooglePrefill>, AppError> {
    use crate::ssr::{self, keys};
    let session = ssr::session().await?;
    let stored: Option<GoogleSignup> = session
        .get(keys::GOOGLE_SIGNUP)
        .await
        .map_err(ssr::internal)?;
    Ok(stored.map(|g| GooglePrefill {
        name: g.name.unwrap_or_default(),
        email: g.email,
    }))
}

/// What the Google callback leaves in the session when there is no
/// account yet (written by the server's Google handler).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoogleSignup {
    pub subject: String,
    pub email: String,
    pub name: Option<String>,
    /// Unix seconds.
    pub at: i64,
}

/// Sign-up (R3.1): user, organisation and Owner membership in one
/// transaction, then signed in on the organisation's subdomain.
#[server(endpoint = "auth/signup")]
pub async fn signup(
    name: String,
    email: String,
    password: Option<String>,
    org_name: String,
    subdomain: String,
    country: String,
    studio: Option<String>,
    agency: Option<String>,
    developer: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{self, keys};
    use offplan::{
        db::identity::{NewSignup, SignupError},
        domain::{ClientType, ClientTypes, EmailAddress, Subdomain},
        error::FieldError,
    };
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    let info = ssr::request_site()?;
    if !info.is_central() {
        return Err(AppError::NotFound);
    }
    ssr::rate_limit(&db, &ssr::ip_bucket("signup"), auth.limits.signup_ip).await?;
    let session = ssr::session().await?;
    let google: Option<GoogleSignup> = session
        .get::<GoogleSignup>(keys::GOOGLE_SIGNUP)
        .await
        .map_err(ssr::internal)?
        .filter(|g| time::OffsetDateTime::now_utc().unix_timestamp() - g.at < 1800);

    let mut errors = Vec::new();
    let mut field = |f: &str, m: String| {
        errors.push(FieldError {
            field: f.to_owned(),
            message: m,
        })
    };
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        field("name", "Enter your name (up to 120 characters).".into());
    }
    let email = match &google {
        Some(g) => EmailAddress::parse(&g.email).ok(),
        None => EmailAddress::parse(&email).ok(),
    };
    if email.is_none() {
        field(
            "email",
            "Enter an email address like name@example.com.".into(),
        );
    }
    let org_name = org_name.trim().to_owned();
    if org_name.is_empty() || org_name.chars().count() > 120 {
        field(
            "org_name",
            "Enter your organisation's name (up to 120 characters).".into(),
        );
    }
    let sub = match Subdomain::parse(&subdomain) {
        Ok(s) => Some(s),
        Err(e) => {
            field("subdomain", e.to_string());
            None
        }
    };
    let country = country.trim().to_ascii_uppercase();
    if !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase())) {
        field("country", "Choose a country.".into());
    }
    let mut types = Vec::new();
    for (on, t) in [
        (studio, ClientType::Studio),
        (agency, ClientType::Agency),
        (developer, ClientType::Developer),
    ] {
        if on.is_some() {
            types.push(t);
        }
    }
    let client_types = ClientTypes::from_types(types).ok();
    if client_types.is_none() {
        field(
            "client_types",
            "Choose at least one: what does your organisation do?".into(),
        );
    }
    let new_password = match (&google, password.as_deref()) {
        (Some(_), _) => None,
        (None, pw) => match auth.breach.accept(pw.unwrap_or_default(), false).await {
            Ok(p) => Some(p),
            Err(e) => {
                field("password", e.to_string());
                None
            }
        },
    };
    let (Some(email), Some(sub), Some(client_types), true) =
        (email, sub, client_types, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let password_hash = match &new_password {
        Some(p) => Some(auth.hasher.hash(p).await.map_err(ssr::internal)?),
        None => None,
    };
    let signup = NewSignup {
        display_name: name,
        email,
        password_hash,
        google_subject: google.as_ref().map(|g| g.subject.clone()),
        email_verified: google.is_some(),
        org_name,
        subdomain: sub.clone(),
        country,
        client_types,
    };
    let (user, _org) = match db.sign_up(&signup, &ssr::request_meta()).await {
        Ok(ids) => ids,
        Err(SignupError::EmailTaken) => return Err(AppError::invalid(
            "email",
            "An account with this email already exists. Sign in instead, or reset your password.",
        )),
        Err(SignupError::SubdomainTaken) => {
            return Err(AppError::invalid(
                "subdomain",
                "This subdomain was just taken. Try another.",
            ))
        }
        Err(SignupError::Database(e)) => return Err(ssr::internal(e)),
    };
    let _ = session.remove_value(keys::GOOGLE_SIGNUP).await;
    ssr::establish(&session, &db, user, &ssr::request_meta()).await?;
    let url = info.org_url(sub.as_str(), "/?welcome=1");
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Asks for a reset link (R3.9). The answer is the same whether or not the
/// account exists (R3.7).
#[server(endpoint = "auth/forgot")]
pub async fn request_reset(email: String) -> Result<(), AppError> {
    use crate::ssr;
    use offplan::domain::EmailAddress;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    let info = ssr::request_site()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("reset"), auth.limits.reset_ip).await?;
    let Ok(email) = EmailAddress::parse(&email) else {
        return Err(AppError::invalid(
            "email",
            "Enter an email address like name@example.com.",
        ));
    };
    // Over the per-account limit, quietly send nothing more: the answer
    // must not differ from an unknown address's.
    if ssr::rate_limit(
        &db,
        &format!("reset:acct:{}", email.as_str().to_lowercase()),
        auth.limits.reset_account,
    )
    .await
    .is_err()
    {
        return Ok(());
    }
    let base = info.central("/reset?token=");
    db.request_password_reset(
        &email,
        |t| format!("{base}{}", t.expose()),
        &ssr::request_meta(),
    )
    .await
    .map_err(ssr::internal)?;
    Ok(())
}

/// Whether a reset link still works, for the page's first render.
#[server(endpoint = "auth/reset-status")]
pub async fn reset_status(token: String) -> Result<bool, AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("token"), auth.limits.token_ip).await?;
    let Some(token) = offplan::token::Token::parse(&token) else {
        return Ok(false);
    };
    db.password_reset_valid(&token.hash())
        .await
        .map_err(ssr::internal)
}

/// Sets a new password with a reset token (R3.9); every session ends, and
/// this browser is signed in afresh.
#[server(endpoint = "auth/reset")]
pub async fn reset_password(token: String, password: String) -> Result<String, AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("token"), auth.limits.token_ip).await?;
    let expired = || {
        AppError::invalid(
            "password",
            "This reset link has expired or was already used. Ask for a new one.",
        )
    };
    let Some(token) = offplan::token::Token::parse(&token) else {
        return Err(expired());
    };
    let new = auth
        .breach
        .accept(&password, false)
        .await
        .map_err(|e| AppError::invalid("password", e.to_string()))?;
    let hash = auth.hasher.hash(&new).await.map_err(ssr::internal)?;
    let Some(user) = db
        .reset_password(&token.hash(), &hash, &ssr::request_meta())
        .await
        .map_err(ssr::internal)?
    else {
        return Err(expired());
    };
    let session = ssr::session().await?;
    ssr::establish(&session, &db, user, &ssr::request_meta()).await?;
    let url = ssr::landing_for(&db, &ssr::request_site()?, user, None).await?;
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
    let db = ssr::db()?;
    let user = ssr::require_user()?;
    let info = ssr::request_site()?;
    Ok(db
        .memberships_of(user.id)
        .await
        .map_err(ssr::internal)?
        .into_iter()
        .map(|o| OrgLink {
            url: info.org_url(&o.subdomain, "/"),
            name: o.name,
            role: o.role.label().to_owned(),
        })
        .collect())
}

/// "Where you're signed in" and the second factor's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub name: String,
    pub email: String,
    pub has_totp: bool,
    pub must_enrol_totp: bool,
    pub sessions: Vec<SessionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: Uuid,
    pub current: bool,
    pub device: String,
    pub ip: String,
    pub signed_in: String,
    pub last_seen: String,
}

#[server(endpoint = "auth/account")]
pub async fn load_account_overview() -> Result<AccountOverview, AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let user = ssr::require_user()?;
    let sessions = db.list_sessions(user.id).await.map_err(ssr::internal)?;
    let fmt = |t: time::OffsetDateTime| {
        let f = time::macros::format_description!(
            "[day] [month repr:short] [year], [hour]:[minute] UTC"
        );
        t.format(&f).unwrap_or_default()
    };
    Ok(AccountOverview {
        name: user.display_name.clone(),
        email: user.email.clone(),
        has_totp: user.has_totp,
        must_enrol_totp: user.totp_reenrol_required,
        sessions: sessions
            .into_iter()
            .map(|s| SessionView {
                current: s.id == user.login_id,
                id: s.id,
                device: describe_agent(s.user_agent.as_deref()),
                ip: s.ip.unwrap_or_else(|| "unknown".into()),
                signed_in: fmt(s.created_at),
                last_seen: fmt(s.last_seen_at),
            })
            .collect(),
    })
}

/// A short, human name for a user agent.
pub fn describe_agent(ua: Option<&str>) -> String {
    let Some(ua) = ua else {
        return "Unknown device".into();
    };
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let os = if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "an unknown system"
    };
    format!("{browser} on {os}")
}

/// A TOTP enrolment in progress: shown once, confirmed with a code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

#[server(endpoint = "auth/totp-begin")]
pub async fn totp_begin() -> Result<TotpEnrolment, AppError> {
    use crate::ssr::{self, keys};
    let user = ssr::require_user()?;
    let session = ssr::session().await?;
    let secret: [u8; 20] = rand::random();
    session
        .insert(keys::TOTP_ENROL, secret.to_vec())
        .await
        .map_err(ssr::internal)?;
    totp::enrolment(&secret, &user.email).map_err(ssr::internal)
}

/// Confirms the enrolment with a code from the app; answers the ten
/// recovery codes, shown this once (R3.6).
#[server(endpoint = "auth/totp-confirm")]
pub async fn totp_confirm(code: String) -> Result<Vec<String>, AppError> {
    use crate::ssr::{self, keys};
    let db = ssr::db()?;
    let user = ssr::require_user()?;
    let session = ssr::session().await?;
    let Some(secret) = session
        .get::<Vec<u8>>(keys::TOTP_ENROL)
        .await
        .map_err(ssr::internal)?
    else {
        return Err(AppError::invalid(
            "code",
            "Start the set-up again: the key expired.",
        ));
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let Some(step) = totp::matching_step(&secret, &code, now) else {
        return Err(AppError::invalid(
            "code",
            "That code didn't match. Check the time on your phone and try the newest code.",
        ));
    };
    let (codes, hashes) = totp::recovery_codes();
    db.enable_totp(user.id, &secret, step, &hashes, &ssr::request_meta())
        .await
        .map_err(ssr::internal)?;
    let _ = session.remove_value(keys::TOTP_ENROL).await;
    Ok(codes)
}

/// Changes the password: the current one is re-verified, and every other
/// session ends (R3.8).
#[server(endpoint = "auth/change-password")]
pub async fn change_password(current: String, password: String) -> Result<(), AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    let user = ssr::require_user()?;
    ssr::rate_limit(
        &db,
        &format!("login:acct:{}", user.email.to_lowercase()),
        auth.limits.login_account,
    )
    .await?;
    let stored = db.password_hash_of(user.id).await.map_err(ssr::internal)?;
    if stored.is_some() && !auth.hasher.verify(&current, stored.as_deref()).await {
        return Err(AppError::invalid(
            "current",
            "That isn't your current password.",
        ));
    }
    let new = auth
        .breach
        .accept(&password, user.has_totp)
        .await
        .map_err(|e| AppError::invalid("password", e.to_string()))?;
    let hash = auth.hasher.hash(&new).await.map_err(ssr::internal)?;
    db.change_password(user.id, &hash, &ssr::request_meta())
        .await
        .map_err(ssr::internal)?;
    let session = ssr::session().await?;
    ssr::establish(&session, &db, user.id, &ssr::request_meta()).await?;
    Ok(())
}

/// The development-only outbox (never in production): what would have
/// been emailed, so a person and the browser tests can follow links.
#[server(endpoint = "dev/outbox")]
pub async fn dev_outbox() -> Result<Vec<OutboxView>, AppError> {
    use crate::ssr;
    if !ssr::auth()?.dev_outbox {
        return Err(AppError::NotFound);
    }
    Ok(ssr::db()?
        .outbox_recent(50)
        .await
        .map_err(ssr::internal)?
        .into_iter()
        .map(|m| OutboxView {
            id: m.id,
            to: m.to_email,
            subject: m.subject,
            body: m.body_text,
            queued: m.created_at.to_string(),
            sent: m.sent_at.is_some(),
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub queued: String,
    pub sent: bool,
}
