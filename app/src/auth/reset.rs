//! A forgotten password (R3.9): asking for a link, checking it, and setting
//! the new password through the one door.

use leptos::prelude::*;
use offplan::AppError;

/// Asks for a reset link (R3.9). The answer is the same, and takes the same
/// time, whether or not the account exists (R3.7): the lookup and the mail
/// happen after the answer, in a task of their own.
#[server(endpoint = "auth/forgot")]
pub async fn request_reset(email: String) -> Result<(), AppError> {
    use crate::ssr;
    use offplan::domain::EmailAddress;
    let db = ssr::gate()?;
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
    let db = ssr::gate()?;
    let auth = ssr::auth()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("token"), auth.limits.token_ip).await?;
    let valid = match offplan::token::Token::parse(&token) {
        Some(token) => db.password_reset_valid(&token.hash()).await?,
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
    let db = ssr::gate()?;
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
        .await?
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
