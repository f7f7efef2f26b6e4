//! Sign-up, sign-in, second factor, password reset and "where you're
//! signed in" (SPEC §3). Server functions here are the whole API of the
//! identity pages; each re-reads the session from the database (R3.8) and
//! counts against the abuse limits (R3.7). Pages are in [`pages`].

#![expect(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field (sign-up has nine)"
)]

#[cfg(feature = "ssr")]
pub mod door;
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
    use crate::ssr;
    use offplan::domain::EmailAddress;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("login"), auth.limits.login_ip).await?;
    // Bounded before any work: an address that cannot exist names nobody,
    // and is never sent to the database (issue 10: a 300-character or NUL
    // address used to be a 500).
    let candidate = match EmailAddress::parse(&email) {
        Ok(address) => db
            .login_candidate(address.as_str())
            .await
            .map_err(ssr::internal)?,
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
    let db = ssr::db()?;
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
    let user = ssr::require_user_even_if_reenrolling()?;
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
    let user = ssr::require_user_even_if_reenrolling()?;
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
    // Bounded, printable text only (issue 10: no NUL or control
    // characters reach the database).
    let name = match offplan::domain::PersonName::parse(&name) {
        Ok(n) => String::from(n),
        Err(e) => {
            field("name", e.to_string());
            String::new()
        }
    };
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
    let org_name = match offplan::domain::OrgName::parse(&org_name) {
        Ok(n) => String::from(n),
        Err(e) => {
            field("org_name", e.to_string());
            String::new()
        }
    };
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
    let taken = |e: SignupError| match e {
        SignupError::EmailTaken => AppError::invalid(
            "email",
            "An account with this email already exists. Sign in instead, or reset your password.",
        ),
        SignupError::SubdomainTaken => {
            AppError::invalid("subdomain", "This subdomain was just taken. Try another.")
        }
        SignupError::Database(e) => ssr::internal(e),
    };
    let meta = ssr::request_meta();
    if google.is_none() {
        // A password sign-up proves its address before anyone is signed in
        // (issue 10 item 2), and it answers "check your inbox" whether or
        // not the address already had an account (R3.7): the existing
        // account's owner is emailed instead.
        let verify = auth.email_link_central(&info, "/verify-email?token=");
        let sign_in = auth.email_link_central(&info, "/login");
        db.sign_up_with_password(
            &signup,
            &|t| format!("{verify}{}", t.expose()),
            &sign_in,
            &meta,
        )
        .await
        .map_err(taken)?;
        let url = info.central("/signup/sent");
        ssr::redirect_plain_form(&url);
        return Ok(url);
    }
    // Google vouched for the address: the account is verified and signs in
    // through the one door.
    let (user, _org) = db.sign_up(&signup, &meta).await.map_err(taken)?;
    let _ = session.remove_value(keys::GOOGLE_SIGNUP).await;
    let url = ssr::door::sign_in(
        &session,
        &db,
        &info,
        user,
        Some(info.org_url(sub.as_str(), "/?welcome=1")),
        &meta,
    )
    .await?
    .into_url();
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Opens an emailed verification link (a button press, not the GET: mail
/// scanners that fetch links must not use them up). A sign-up's link signs
/// the new person in through the one door; a later one only verifies.
#[server(endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::db::email_verification::Purpose;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    let info = ssr::request_site()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("token"), auth.limits.token_ip).await?;
    let meta = ssr::request_meta();
    let gone = || {
        AppError::invalid(
            "token",
            "This link has expired or was already used. Sign in, and ask for a new one on your Security page.",
        )
    };
    let Some(token) = offplan::token::Token::parse(&token) else {
        return Err(gone());
    };
    let Some(done) = db
        .verify_email(&token.hash(), &meta)
        .await
        .map_err(ssr::internal)?
    else {
        return Err(gone());
    };
    let signed_in_as = ssr::current_user().map(|u| u.id);
    let url = if signed_in_as == Some(done.user) {
        info.central("/account/security?verified=1")
    } else if done.purpose == Purpose::Signup {
        // A new person lands on the organisation they just created.
        let orgs = db.memberships_of(done.user).await.map_err(ssr::internal)?;
        let welcome = match orgs.as_slice() {
            [only] => Some(info.org_url(&only.subdomain, "/?welcome=1")),
            _ => None,
        };
        let session = ssr::session().await?;
        ssr::door::sign_in(&session, &db, &info, done.user, welcome, &meta)
            .await?
            .into_url()
    } else {
        info.central("/login?verified=1")
    };
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Sends a new verification link to the signed-in person's address.
#[server(endpoint = "auth/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    let info = ssr::request_site()?;
    let user = ssr::require_user_even_if_reenrolling()?;
    ssr::rate_limit(
        &db,
        &ssr::account_bucket("verify-mail", user.id),
        auth.limits.reset_account,
    )
    .await?;
    let verify = auth.email_link_central(&info, "/verify-email?token=");
    db.send_email_verification(
        user.id,
        &|t| format!("{verify}{}", t.expose()),
        &ssr::request_meta(),
    )
    .await
    .map_err(ssr::internal)?;
    Ok(())
}

/// Asks for a reset link (R3.9). The answer is the same, and takes the same
/// time, whether or not the account exists (R3.7): the lookup and the mail
/// happen after the answer, in a task of their own.
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
    let base = auth.email_link_central(&info, "/reset?token=");
    let meta = ssr::request_meta();
    let limit = auth.limits.reset_account;
    tokio::spawn(async move {
        let issued = async {
            let Some(target) = db.reset_target(&email).await? else {
                return Ok::<_, offplan::db::DbError>(());
            };
            // Per account, keyed on its id (issue 10 item 4). Over the
            // limit, quietly send nothing more.
            let hits = db
                .rate_limit_hit(&ssr::account_bucket("reset", target.id), limit.window_secs)
                .await?;
            if hits > limit.max {
                tracing::warn!(user.id = %target.id.as_uuid(), "reset requests over the account limit");
                return Ok(());
            }
            // The stored address, never the one typed (issue 10 item 5).
            db.request_password_reset(&target, |t| format!("{base}{}", t.expose()), &meta)
                .await
        };
        if let Err(err) = issued.await {
            tracing::error!(error = %err, "could not issue a password reset");
        }
    });
    Ok(())
}

/// Whether a reset link still works, for the page's first render.
#[server(endpoint = "auth/reset-status")]
pub async fn reset_status(token: String) -> Result<bool, AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("token"), auth.limits.token_ip).await?;
    let valid = match offplan::token::Token::parse(&token) {
        Some(token) => db
            .password_reset_valid(&token.hash())
            .await
            .map_err(ssr::internal)?,
        None => false,
    };
    if !valid {
        // R5.5: failed lookups of reset links count towards the burst alert.
        crate::team::invite::count_failed_token_lookup(&db, auth.limits.token_burst).await;
    }
    Ok(valid)
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
        crate::team::invite::count_failed_token_lookup(&db, auth.limits.token_burst).await;
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
        crate::team::invite::count_failed_token_lookup(&db, auth.limits.token_burst).await;
        return Err(expired());
    };
    // Through the one door: an account with a second factor is asked for
    // its code, exactly as at sign-in (issue 10 item 1, R3.6) — the mailbox
    // alone never opens it.
    let session = ssr::session().await?;
    let url = ssr::door::sign_in(
        &session,
        &db,
        &ssr::request_site()?,
        user,
        None,
        &ssr::request_meta(),
    )
    .await?
    .into_url();
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
    /// Whether we verified the address (R3.3); offered a new link if not.
    pub email_verified: bool,
    /// Whether the account has a password (a Google-only one has none).
    pub has_password: bool,
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
    let user = ssr::require_user_even_if_reenrolling()?;
    let sessions = db.list_sessions(user.id).await.map_err(ssr::internal)?;
    let has_password = db
        .password_hash_of(user.id)
        .await
        .map_err(ssr::internal)?
        .is_some();
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
        email_verified: user.email_verified,
        has_password,
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
    let user = ssr::require_user_even_if_reenrolling()?;
    let session = ssr::session().await?;
    let secret: [u8; 20] = rand::random();
    session
        .insert(keys::TOTP_ENROL, secret.to_vec())
        .await
        .map_err(ssr::internal)?;
    totp::enrolment(&secret, &user.email).map_err(ssr::internal)
}

/// Confirms the enrolment with a code from the new app; answers the ten
/// recovery codes, shown this once (R3.6). Replacing a second factor that
/// is on needs proof beyond the session (issue 10): the password, or a code
/// from the current app. Enrolling rotates the recovery codes and ends
/// every other session.
#[server(endpoint = "auth/totp-confirm")]
pub async fn totp_confirm(code: String, current: Option<String>) -> Result<Vec<String>, AppError> {
    use crate::ssr::{self, keys};
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    let user = ssr::require_user_even_if_reenrolling()?;
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
    let bucket = ssr::account_bucket("totp-enrol", user.id);
    ssr::rate_limit(&db, &bucket, auth.limits.login_account).await?;
    if let Some((sealed, _)) = db.totp_state(user.id).await.map_err(ssr::internal)? {
        let proof = current.unwrap_or_default();
        let proof = proof.trim();
        let by_code = totp::looks_like_totp(proof) && {
            let old = ssr::door::open_secret(&auth.totp_keys, user.id, &sealed)?;
            match totp::matching_step(&old, proof, now) {
                Some(step) => db
                    .accept_totp_step(user.id, step)
                    .await
                    .map_err(ssr::internal)?,
                None => false,
            }
        };
        let by_password = !by_code && !proof.is_empty() && proof.chars().count() <= 1024 && {
            let stored = db.password_hash_of(user.id).await.map_err(ssr::internal)?;
            stored.is_some() && auth.hasher.verify(proof, stored.as_deref()).await
        };
        if !(by_code || by_password) {
            return Err(AppError::invalid(
                "current",
                "Enter your password, or a code from the authenticator app you use now.",
            ));
        }
    }
    let Some(step) = totp::matching_step(&secret, &code, now) else {
        return Err(AppError::invalid(
            "code",
            "That code didn't match. Check the time on your phone and try the newest code.",
        ));
    };
    let (codes, hashes) = totp::recovery_codes();
    let sealed = auth.totp_keys.seal(user.id.as_uuid().as_bytes(), &secret);
    let meta = ssr::request_meta();
    db.enable_totp(user.id, &sealed, step, &hashes, &meta)
        .await
        .map_err(ssr::internal)?;
    let _ = session.remove_value(keys::TOTP_ENROL).await;
    let _ = db
        .rate_limit_forgive(&bucket, auth.limits.login_account.window_secs)
        .await;
    // Every session ended with the change; this browser carries on.
    ssr::door::renew(&session, &db, &user, &meta).await?;
    Ok(codes)
}

/// Changes the password: the current one is re-verified, and every other
/// session ends (R3.8).
#[server(endpoint = "auth/change-password")]
pub async fn change_password(current: String, password: String) -> Result<(), AppError> {
    use crate::ssr;
    let db = ssr::db()?;
    let auth = ssr::auth()?;
    let user = ssr::require_user_even_if_reenrolling()?;
    // The same per-account bucket as sign-in (R3.7): keyed on the id.
    let bucket = ssr::account_bucket("login", user.id);
    ssr::rate_limit(&db, &bucket, auth.limits.login_account).await?;
    let stored = db.password_hash_of(user.id).await.map_err(ssr::internal)?;
    if stored.is_some()
        && !(current.chars().count() <= 1024
            && auth.hasher.verify(&current, stored.as_deref()).await)
    {
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
    let _ = db
        .rate_limit_forgive(&bucket, auth.limits.login_account.window_secs)
        .await;
    let session = ssr::session().await?;
    ssr::door::renew(&session, &db, &user, &ssr::request_meta()).await?;
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
