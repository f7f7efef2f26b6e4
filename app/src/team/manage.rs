//! The Team page's changes (R4.2–R4.6, R5.5): inviting, changing a role,
//! removing, leaving, transferring ownership, and revoking or resending an
//! invitation.

use leptos::prelude::*;
use offplan::{domain::InviteOutcome, AppError};
use uuid::Uuid;

#[cfg(feature = "ssr")]
use super::{check_emails_field, split_emails};
#[cfg(feature = "ssr")]
use offplan::policy::Role;

/// An invitation refused for its rate (R5.5) as the person sees it: a full
/// address list is a message beside the field naming the addresses (what
/// to remove); an hourly allowance or a resend is a 429 with when to retry.
#[cfg(feature = "ssr")]
fn invite_error(e: offplan::db::invitations::InviteError) -> AppError {
    use offplan::db::invitations::{InviteError, Throttled};
    match e {
        InviteError::Throttled(t @ Throttled::RecentlySent { .. }) => {
            AppError::invalid("emails", t.to_string())
        }
        InviteError::Throttled(t) => {
            tracing::warn!(reason = %t, "invitation rate limit reached");
            AppError::RateLimited {
                retry_after_secs: t.retry_after_secs(),
            }
        }
        InviteError::Repo(e) => e.into(),
    }
}

/// Builds the landing page's URL on this organisation's address from a token.
#[cfg(feature = "ssr")]
fn invite_link(
    info: &crate::site::SiteInfo,
    brand: &offplan::domain::OrgBrand,
) -> Result<impl Fn(&offplan::token::Token) -> String + Send + Sync, AppError> {
    // The port comes from configuration, never from this request's Host
    // header (issue 10): the link is mailed to someone else.
    let base = crate::ssr::auth()?.email_link_org(info, brand.subdomain.as_str(), "/invite/");
    Ok(move |t: &offplan::token::Token| format!("{base}{}", t.expose()))
}

/// A member id from a form; anything else names nobody (404).
#[cfg(feature = "ssr")]
fn person(id: &str) -> Result<offplan::domain::UserId, AppError> {
    offplan::domain::UserId::parse(id.trim()).ok_or(AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn parse_role(role: &str) -> Result<Role, AppError> {
    Role::parse(role).ok_or_else(|| AppError::invalid("role", "Choose a role."))
}

/// R4.2: invites one or several addresses with a role. Authenticates
/// first (session and membership: a stranger's request costs nothing), then
/// bounds the field, then parses; the repository applies the rate limits
/// (R5.5).
#[server(endpoint = "team/invite")]
pub async fn invite_members(emails: String, role: String) -> Result<Vec<InviteOutcome>, AppError> {
    use crate::ssr;
    use offplan::{db::invitations, domain::EmailAddress};
    let info = ssr::request_site()?;
    let meta = ssr::request_meta();
    let (mut scope, brand, user) = ssr::org_scope().await?;
    check_emails_field(&emails).map_err(|m| AppError::invalid("emails", m))?;
    let role = parse_role(&role)?;
    let typed = split_emails(&emails);
    let mut parsed = Vec::with_capacity(typed.len());
    for e in &typed {
        match EmailAddress::parse(e) {
            Ok(a) => parsed.push(a),
            Err(_) => {
                return Err(AppError::invalid(
                    "emails",
                    format!("“{e}” isn't an email address. Nothing was sent."),
                ))
            }
        }
    }
    let link = invite_link(&info, &brand)?;
    let letter = invitations::Letter {
        org_name: &brand.name,
        inviter: &user.display_name,
        link: &link,
    };
    let outcomes = invitations::invite(&mut scope, &parsed, role, &letter, &meta)
        .await
        .map_err(invite_error)?;
    scope.commit().await?;
    Ok(outcomes)
}

/// R4.3.
#[server(endpoint = "team/role")]
pub async fn change_member_role(user: String, role: String) -> Result<(), AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let role = parse_role(&role)?;
    offplan::db::team::change_role(&mut scope, person(&user)?, role).await?;
    Ok(scope.commit().await?)
}

/// R4.4.
#[server(endpoint = "team/remove")]
pub async fn remove_member(user: String) -> Result<(), AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::team::remove(&mut scope, person(&user)?).await?;
    Ok(scope.commit().await?)
}

/// R4.4: leaving answers where to go next (the organisation picker).
#[server(endpoint = "team/leave")]
pub async fn leave_org() -> Result<String, AppError> {
    use crate::ssr;
    let url = ssr::request_site()?.central("/orgs");
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::team::leave(&mut scope).await?;
    scope.commit().await?;
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// R4.6.
#[server(endpoint = "team/transfer")]
pub async fn transfer_org(user: String) -> Result<(), AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::team::transfer_ownership(&mut scope, person(&user)?).await?;
    Ok(scope.commit().await?)
}

/// R4.5.
#[server(endpoint = "team/revoke")]
pub async fn revoke_invitation(id: Uuid) -> Result<(), AppError> {
    use crate::ssr;
    let meta = ssr::request_meta();
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::invitations::revoke(&mut scope, id, &meta).await?;
    Ok(scope.commit().await?)
}

/// R4.5.
#[server(endpoint = "team/resend")]
pub async fn resend_invitation(id: Uuid) -> Result<(), AppError> {
    use crate::ssr;
    use offplan::db::invitations;
    let info = ssr::request_site()?;
    let meta = ssr::request_meta();
    let (mut scope, brand, user) = ssr::org_scope().await?;
    let link = invite_link(&info, &brand)?;
    let letter = invitations::Letter {
        org_name: &brand.name,
        inviter: &user.display_name,
        link: &link,
    };
    invitations::resend(&mut scope, id, &letter, &meta)
        .await
        .map_err(|e| match e {
            // A resend names one row: the wait is the whole answer (429).
            invitations::InviteError::Throttled(t) => AppError::RateLimited {
                retry_after_secs: t.retry_after_secs(),
            },
            other => invite_error(other),
        })?;
    Ok(scope.commit().await?)
}
