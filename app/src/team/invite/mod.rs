//! `<org>/invite/<token>`: the invitation landing page (R5.4–R5.6). Each
//! state has its own calm page: valid, expired, revoked, already used,
//! declined, and "signed in as someone else" (both addresses shown).
//!
//! Here: the server functions. The token lookup's request facts and the
//! R5.5 burst alert are in `lookup.rs` (used by every token path), the
//! page's components in `page.rs`.

mod lookup;
mod page;

use leptos::prelude::*;
use offplan::{domain::InvitationState, policy::Role, AppError};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub(crate) use lookup::TokenRequest;
#[cfg(feature = "ssr")]
pub use lookup::{count_failed_token_lookup, FailedLookup};
pub use page::InvitePage;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLanding {
    pub state: InvitationState,
    pub org_name: String,
    pub email: String,
    pub role: Role,
    pub inviter: String,
    pub expires: String,
    /// The signed-in person's address, if anyone is signed in.
    pub viewer: Option<String>,
    pub google: bool,
    /// A Google identity waiting to become an account (R5.6), by address.
    pub google_email: Option<String>,
}

/// Looks the token up; a malformed or unknown token is a 404. Every lookup
/// counts against the per-address limit, and failures feed the burst alert
/// (R5.5).
#[server(endpoint = "invite/load")]
pub async fn load_invitation(token: String) -> Result<InviteLanding, AppError> {
    use crate::ssr;
    // Everything read from the request context is read before the first
    // await: a page render may be superseded while this runs, and its
    // context goes with it.
    let req = TokenRequest::capture()?;
    let brand = ssr::org_brand()?;
    let viewer = ssr::current_user().map(|u| u.email);
    let session = ssr::session().await?;
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    let Some(inv) = req.db.invitation(&hash).await? else {
        return Err(req.miss().await);
    };
    // An invitation is read on its own organisation's address only.
    if brand.subdomain.as_str() != inv.subdomain {
        return Err(AppError::NotFound);
    }
    let google_email = waiting_google_email(&session).await;
    Ok(InviteLanding {
        state: inv.state,
        org_name: inv.org_name,
        email: inv.email,
        role: inv.role,
        inviter: inv.inviter,
        expires: ssr::day(inv.expires_at),
        viewer,
        google: req.auth.google,
        google_email,
    })
}

#[cfg(feature = "ssr")]
fn not_pending(state: InvitationState) -> AppError {
    offplan::error::Conflict::NotPending(state).into()
}

/// Accepts as the signed-in person; answers the organisation's home.
#[server(endpoint = "invite/accept")]
pub async fn accept_invite(token: String) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::db::unscoped::AcceptOutcome;
    let req = TokenRequest::capture()?;
    let user = ssr::require_user()?;
    let info = ssr::request_site()?;
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    match req.db.accept_invitation(&hash, user.id, &req.meta).await? {
        None => Err(req.miss().await),
        Some(AcceptOutcome::Joined { subdomain, .. }) => {
            let url = info.org_url(&subdomain, "/settings/team");
            ssr::redirect_plain_form(&url);
            Ok(url)
        }
        Some(AcceptOutcome::NotPending(state)) => Err(not_pending(state)),
        Some(AcceptOutcome::WrongAccount { invited }) => {
            Err(offplan::error::Conflict::WrongAccount {
                invited,
                signed_in: user.email,
            }
            .into())
        }
    }
}

/// Declines (consuming the invitation, R5.4).
#[server(endpoint = "invite/decline")]
pub async fn decline_invite(token: String) -> Result<(), AppError> {
    use crate::ssr;
    let req = TokenRequest::capture()?;
    let actor = ssr::current_user().map(|u| u.id);
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    match req.db.decline_invitation(&hash, actor, &req.meta).await? {
        None => Err(req.miss().await),
        Some(InvitationState::Declined) => Ok(()),
        Some(other) => Err(not_pending(other)),
    }
}

/// Signed in as the wrong account (R5.6): sign out, come straight back.
#[server(endpoint = "invite/switch")]
pub async fn switch_account(
    token: String,
    // Which landing page to return to: a personal invitation's (empty) or
    // a forward one's (`partner`) or a reverse one's (`client`).
    #[server(default)] landing: String,
) -> Result<String, AppError> {
    use crate::ssr::{self, keys};
    // Only a well-formed token goes into the redirect: anything else (a
    // carriage return, 2 MB of text) names no invitation, and signing the
    // person out for it would help nobody.
    let token = offplan::token::Token::parse(&token).ok_or(AppError::NotFound)?;
    let db = ssr::gate()?;
    if let Some(user) = ssr::current_user() {
        db.revoke_session(user.id, user.login_id).await?;
    }
    let session = ssr::session().await?;
    let _ = session.remove_value(keys::LOGIN).await;
    session.flush().await.map_err(ssr::internal)?;
    let url = match landing.as_str() {
        "partner" => format!("/partner-invite/{}", token.expose()),
        "client" => format!("/client-invite/{}", token.expose()),
        _ => format!("/invite/{}", token.expose()),
    };
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// What a new person signing up from an invitation signs in with (R5.6):
/// the Google identity this browser just brought back (`google` set; it
/// must be the invited address), or the password (checked and hashed).
/// Answers the password hash or the Google subject.
#[cfg(feature = "ssr")]
pub(crate) async fn signup_credentials(
    session: &tower_sessions::Session,
    auth: &crate::ssr::AuthServices,
    invited: &str,
    password: Option<String>,
    google: Option<String>,
) -> Result<(Option<String>, Option<String>), AppError> {
    use crate::ssr::{self, keys};
    if google.is_some() {
        let g = session
            .get::<crate::auth::GoogleSignup>(keys::GOOGLE_SIGNUP)
            .await
            .map_err(ssr::internal)?
            .filter(|g| time::OffsetDateTime::now_utc().unix_timestamp() - g.at < 1800)
            .ok_or_else(|| AppError::invalid("form", "Continue with Google again, please."))?;
        if !g.email.eq_ignore_ascii_case(invited) {
            return Err(AppError::invalid(
                "form",
                format!(
                    "Your Google account is {}, but this invitation is for {}.",
                    g.email, invited
                ),
            ));
        }
        return Ok((None, Some(g.subject)));
    }
    let pw = auth
        .breach
        .accept(password.as_deref().unwrap_or_default(), false)
        .await
        .map_err(|e| AppError::invalid("password", e.to_string()))?;
    Ok((
        Some(auth.hasher.hash(&pw).await.map_err(ssr::internal)?),
        None,
    ))
}

/// The address of the Google identity waiting in this browser's session
/// to become an account (R5.6), if any.
#[cfg(feature = "ssr")]
pub(crate) async fn waiting_google_email(session: &tower_sessions::Session) -> Option<String> {
    session
        .get::<crate::auth::GoogleSignup>(crate::ssr::keys::GOOGLE_SIGNUP)
        .await
        .ok()
        .flatten()
        .map(|g| g.email)
}

/// A new person signs up from the invitation (R5.6): with a password, or
/// with the Google identity this browser just brought back.
#[server(endpoint = "invite/signup")]
pub async fn invite_signup(
    token: String,
    name: String,
    password: Option<String>,
    google: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{self, keys};
    use offplan::db::unscoped::{InviteeSignup, InviteeSignupError};
    let req = TokenRequest::capture()?;
    let info = ssr::request_site()?;
    let (db, auth) = (req.db.clone(), req.auth.clone());
    let signup_bucket = ssr::ip_bucket("signup");
    let session = ssr::session().await?;
    ssr::rate_limit(&db, &signup_bucket, auth.limits.signup_ip).await?;
    let hash = req.parse(&token).await?;
    let Some(inv) = db.invitation(&hash).await? else {
        return Err(req.miss().await);
    };
    let name = String::from(
        offplan::domain::PersonName::parse(&name)
            .map_err(|e| AppError::invalid("name", e.to_string()))?,
    );
    let (password_hash, google_subject) =
        signup_credentials(&session, &auth, &inv.email, password, google).await?;
    let signup = InviteeSignup {
        display_name: name,
        password_hash,
        google_subject,
    };
    let meta = req.meta.clone();
    let (user, subdomain) = match db.sign_up_from_invitation(&hash, &signup, &meta).await {
        Ok(Some(done)) => done,
        Ok(None) => return Err(req.miss().await),
        Err(InviteeSignupError::NotPending(state)) => return Err(not_pending(state)),
        Err(InviteeSignupError::EmailTaken) => {
            return Err(AppError::invalid(
                "form",
                "An account with this email already exists. Sign in to accept instead.",
            ))
        }
        Err(InviteeSignupError::Database(e)) => return Err(ssr::internal(e)),
    };
    let _ = session.remove_value(keys::GOOGLE_SIGNUP).await;
    // Through the one door (issue 10 item 1).
    let url = ssr::door::sign_in(
        &session,
        &db,
        &info,
        user,
        Some(info.org_url(&subdomain, "/settings/team")),
        &meta,
    )
    .await?
    .into_url();
    ssr::redirect_plain_form(&url);
    Ok(url)
}
