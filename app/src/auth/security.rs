//! The Security page's data and its session and password controls (R3.4,
//! R3.8): where the person is signed in, ending one sign-in or all of them,
//! and changing the password.

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Signs the person out of every browser on every subdomain at once: one
/// epoch bump (R3.8).
#[server(endpoint = "auth/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<String, AppError> {
    use crate::ssr;
    let db = ssr::gate()?;
    let user = ssr::require_user_even_if_reenrolling()?;
    db.revoke_all_sessions(user.id, &ssr::request_meta())
        .await?;
    ssr::session().await?.flush().await.map_err(ssr::internal)?;
    let url = "/login?signed_out=everywhere".to_owned();
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Ends one of the person's other sign-ins.
#[server(endpoint = "auth/revoke-session")]
pub async fn revoke_session(id: Uuid) -> Result<(), AppError> {
    use crate::ssr;
    let db = ssr::gate()?;
    let user = ssr::require_user_even_if_reenrolling()?;
    if !db.revoke_session(user.id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
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
    let db = ssr::gate()?;
    let user = ssr::require_user_even_if_reenrolling()?;
    let sessions = db.list_sessions(user.id).await?;
    let has_password = db.password_hash_of(user.id).await?.is_some();
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

/// Changes the password: the current one is re-verified, and every other
/// session ends (R3.8).
#[server(endpoint = "auth/change-password")]
pub async fn change_password(current: String, password: String) -> Result<(), AppError> {
    use crate::ssr;
    let db = ssr::gate()?;
    let auth = ssr::auth()?;
    let user = ssr::require_user_even_if_reenrolling()?;
    // The same per-account bucket as sign-in (R3.7): keyed on the id.
    let bucket = ssr::account_bucket("login", user.id);
    ssr::rate_limit(&db, &bucket, auth.limits.login_account).await?;
    let stored = db.password_hash_of(user.id).await?;
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
        .await?;
    let _ = db
        .rate_limit_forgive(&bucket, auth.limits.login_account.window_secs)
        .await;
    let session = ssr::session().await?;
    ssr::door::renew(&session, &db, &user, &ssr::request_meta()).await?;
    Ok(())
}
