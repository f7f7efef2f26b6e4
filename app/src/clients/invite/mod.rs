//! Reverse invitations (SPEC R5.3, issue 12 item 4): a Studio's Owner or
//! Admin invites its client's developer to offplan from the client's
//! record, after ticking the legal basis for contacting them; the person
//! lands on `<studio>.<base>/client-invite/<token>` and accepts (a Free
//! Guest organisation of their own, linked to the client, seeing the
//! studio's projects for it) or declines. The studio follows the funnel at
//! `/clients/invitations`.
//!
//! Here: the server functions. The invite form on the record is `form.rs`,
//! the landing page `landing.rs`, the funnel page `funnel.rs`.

mod form;
mod funnel;
mod landing;

use leptos::prelude::*;
use offplan::{domain::InvitationState, AppError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use form::InviteClientCard;
pub use funnel::ClientInvitationsPage;
pub use landing::ClientInvitePage;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelCounts {
    pub sent: i64,
    pub opened: i64,
    pub accepted: i64,
    pub declined: i64,
    pub expired: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub id: Uuid,
    /// Still pending (sent, opened or expired): it may be withdrawn.
    pub pending: bool,
    pub client_name: String,
    pub client_href: String,
    pub email: String,
    pub invited_by: String,
    pub sent: String,
    pub expires: String,
    pub opened: Option<String>,
    pub stage: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelView {
    pub org_name: String,
    pub counts: FunnelCounts,
    pub rows: Vec<FunnelRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInviteLanding {
    pub state: InvitationState,
    pub studio_name: String,
    pub client_name: String,
    pub email: String,
    pub inviter: String,
    pub expires: String,
    /// The signed-in person's address, if anyone is signed in.
    pub viewer: Option<String>,
}

#[cfg(feature = "ssr")]
fn not_pending(state: InvitationState) -> AppError {
    offplan::error::Conflict::NotPending(state).into()
}

/// R5.3: invites `email` as the client's developer. Refused with a message
/// beside the box (422) unless `legal_basis` was ticked; 403 outside a
/// Studio or below Admin, 404 for another organisation's client.
#[server(endpoint = "clients/invite")]
pub async fn invite_client(
    id: String,
    email: String,
    #[server(default)] legal_basis: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::db::invitations::{reverse, Letter, Throttled};
    let info = ssr::request_site()?;
    let meta = ssr::request_meta();
    let (mut scope, brand, user) = ssr::org_scope().await?;
    let client = super::convert::client_id(&id)?;
    if email.len() > 254 {
        return Err(AppError::invalid(
            "email",
            "That's too long for an email address.",
        ));
    }
    let email = offplan::domain::EmailAddress::parse(&email).map_err(|_| {
        AppError::invalid("email", "Enter an email address, like name@example.com.")
    })?;
    // The link is mailed to someone else: its port comes from configuration.
    let base = ssr::auth()?.email_link_org(&info, brand.subdomain.as_str(), "/client-invite/");
    let link = move |t: &offplan::token::Token| format!("{base}{}", t.expose());
    let letter = Letter {
        org_name: &brand.name,
        inviter: &user.display_name,
        link: &link,
    };
    let ticked = legal_basis.is_some_and(|v| !v.is_empty());
    let outcome = reverse::invite(&mut scope, client, &email, ticked, &letter, &meta)
        .await
        .map_err(|e| match e {
            reverse::ReverseInviteError::NoLegalBasis => {
                AppError::invalid("legal_basis", e.to_string())
            }
            reverse::ReverseInviteError::Unavailable(m) => AppError::invalid("form", m),
            reverse::ReverseInviteError::Throttled(t @ Throttled::RecentlySent { .. }) => {
                AppError::invalid("email", t.to_string())
            }
            reverse::ReverseInviteError::Throttled(t) => {
                tracing::warn!(reason = %t, "reverse invitation rate limit reached");
                AppError::RateLimited {
                    retry_after_secs: t.retry_after_secs(),
                }
            }
            reverse::ReverseInviteError::Repo(e) => e.into(),
        })?;
    scope.commit().await?;
    Ok(match outcome {
        reverse::ReverseOutcome::Sent => format!("Invitation sent to {}.", email.as_str()),
        reverse::ReverseOutcome::Refreshed => format!(
            "A new invitation link went to {}; the earlier one no longer works.",
            email.as_str()
        ),
    })
}

/// Withdraws a pending reverse invitation (Owner and Admin of a Studio).
#[server(endpoint = "clients/invitations/revoke")]
pub async fn revoke_client_invite(id: String) -> Result<(), AppError> {
    use crate::ssr;
    let meta = ssr::request_meta();
    let (mut scope, _, _) = ssr::org_scope().await?;
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    offplan::db::invitations::reverse::revoke(&mut scope, id, &meta).await?;
    Ok(scope.commit().await?)
}

/// `/clients/invitations`: the funnel of the studio's reverse invitations.
#[server(endpoint = "clients/invitations")]
pub async fn load_client_funnel() -> Result<FunnelView, AppError> {
    use crate::ssr;
    use offplan::db::invitations::reverse;
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let funnel = offplan::db::invitations::reverse::funnel(&mut scope).await?;
    scope.commit().await?;
    Ok(FunnelView {
        org_name: brand.name,
        counts: FunnelCounts {
            sent: funnel.sent,
            opened: funnel.opened,
            accepted: funnel.accepted,
            declined: funnel.declined,
            expired: funnel.expired,
        },
        rows: funnel
            .invitations
            .into_iter()
            .map(|i| FunnelRow {
                id: i.id,
                pending: matches!(
                    i.stage,
                    reverse::Stage::Sent | reverse::Stage::Opened | reverse::Stage::Expired
                ),
                client_href: format!("/clients/{}", i.client_id),
                client_name: i.client_name,
                email: i.email,
                invited_by: i.invited_by,
                sent: ssr::day(i.sent_at),
                expires: ssr::day(i.expires_at),
                opened: i.opened_at.map(ssr::day),
                stage: i.stage.label().to_owned(),
            })
            .collect(),
    })
}

/// The landing page's view of a token; a malformed or unknown one is a 404
/// (counted for the burst alert, R5.5). Loading it with a valid token
/// records the funnel's "opened".
#[server(endpoint = "client-invite/load")]
pub async fn load_client_invite(token: String) -> Result<ClientInviteLanding, AppError> {
    use crate::ssr;
    use crate::team::invite::TokenRequest;
    let req = TokenRequest::capture()?;
    let brand = ssr::org_brand()?;
    let viewer = ssr::current_user().map(|u| u.email);
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    let Some(inv) = req.db.client_invitation(&hash).await? else {
        return Err(req.miss().await);
    };
    // Read on the inviting studio's own address only.
    if brand.subdomain.as_str() != inv.studio_subdomain {
        return Err(AppError::NotFound);
    }
    Ok(ClientInviteLanding {
        state: inv.state,
        studio_name: inv.studio_name,
        client_name: inv.client_name,
        email: inv.email,
        inviter: inv.inviter,
        expires: ssr::day(inv.expires_at),
        viewer,
    })
}

/// Accepts as the signed-in person; answers the new workspace's projects.
#[server(endpoint = "client-invite/accept")]
pub async fn accept_client_invite(token: String) -> Result<String, AppError> {
    use crate::ssr;
    use crate::team::invite::TokenRequest;
    use offplan::db::unscoped::AcceptOutcome;
    let req = TokenRequest::capture()?;
    let user = ssr::require_user()?;
    let info = ssr::request_site()?;
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    match req
        .db
        .accept_client_invitation(&hash, user.id, &req.meta)
        .await?
    {
        None => Err(req.miss().await),
        Some(AcceptOutcome::Joined { subdomain, .. }) => {
            let url = info.org_url(&subdomain, "/projects");
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
#[server(endpoint = "client-invite/decline")]
pub async fn decline_client_invite(token: String) -> Result<(), AppError> {
    use crate::ssr;
    use crate::team::invite::TokenRequest;
    let req = TokenRequest::capture()?;
    let actor = ssr::current_user().map(|u| u.id);
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    match req
        .db
        .decline_client_invitation(&hash, actor, &req.meta)
        .await?
    {
        None => Err(req.miss().await),
        Some(InvitationState::Declined) => Ok(()),
        Some(other) => Err(not_pending(other)),
    }
}

/// A new person accepts by signing up with a password (R5.6): their
/// account, their Free Guest organisation and the client's link at once,
/// then signed in through the one door.
#[server(endpoint = "client-invite/signup")]
pub async fn client_invite_signup(
    token: String,
    name: String,
    password: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use crate::team::invite::TokenRequest;
    use offplan::db::unscoped::{InviteeSignup, InviteeSignupError};
    let req = TokenRequest::capture()?;
    let info = ssr::request_site()?;
    let (db, auth) = (req.db.clone(), req.auth.clone());
    let signup_bucket = ssr::ip_bucket("signup");
    let session = ssr::session().await?;
    ssr::rate_limit(&db, &signup_bucket, auth.limits.signup_ip).await?;
    let hash = req.parse(&token).await?;
    let name = String::from(
        offplan::domain::PersonName::parse(&name)
            .map_err(|e| AppError::invalid("name", e.to_string()))?,
    );
    let pw = auth
        .breach
        .accept(&password, false)
        .await
        .map_err(|e| AppError::invalid("password", e.to_string()))?;
    let signup = InviteeSignup {
        display_name: name,
        password_hash: Some(auth.hasher.hash(&pw).await.map_err(ssr::internal)?),
        google_subject: None,
    };
    let meta = req.meta.clone();
    let (user, subdomain) = match db
        .sign_up_from_client_invitation(&hash, &signup, &meta)
        .await
    {
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
    let url = ssr::door::sign_in(
        &session,
        &db,
        &info,
        user,
        Some(info.org_url(&subdomain, "/projects")),
        &meta,
    )
    .await?
    .into_url();
    ssr::redirect_plain_form(&url);
    Ok(url)
}
