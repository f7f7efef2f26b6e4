//! `<owner>/partner-invite/<token>`: a forward invitation's landing page
//! (R5.2, R5.4–R5.6). Valid, expired, withdrawn, used and declined each
//! have their calm page; an unknown token is the 404. A signed-in Owner or
//! Admin picks which of their organisations joins (only those whose types
//! allow the kind) or creates one; a new person signs up and creates the
//! organisation, its type preset. Accepting lands in the partner's own
//! workspace at `/with/<owner>/<slug>`.

use leptos::prelude::*;
use offplan::{domain::InvitationState, AppError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use super::pages::PartnerInvitePage;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChoiceRow {
    pub id: Uuid,
    pub name: String,
    pub subdomain: String,
    pub already_partner: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerLanding {
    pub state: InvitationState,
    pub owner_name: String,
    pub project_name: String,
    /// "studio" / "agency", and how it reads.
    pub kind: String,
    pub kind_label: String,
    pub email: Option<String>,
    pub partner_org_name: Option<String>,
    pub inviter: String,
    pub expires: String,
    /// The signed-in person's address, if anyone is signed in.
    pub viewer: Option<String>,
    pub choices: Vec<OrgChoiceRow>,
    /// `.offplan.localhost`: what follows a subdomain here.
    pub domain_suffix: String,
    /// Google sign-in is configured.
    pub google: bool,
    /// A Google identity waiting to become an account (R5.6), by address.
    pub google_email: Option<String>,
}

#[cfg(feature = "ssr")]
fn not_pending(state: InvitationState) -> AppError {
    offplan::error::Conflict::NotPending(state).into()
}

/// Looks the token up on the owner's address; a malformed or unknown token,
/// or one of another organisation's, is a 404 (counted, R5.5).
#[server(endpoint = "partner-invite/load")]
pub async fn load_partner_invite(token: String) -> Result<PartnerLanding, AppError> {
    use crate::{ssr, team::invite::TokenRequest};
    let req = TokenRequest::capture()?;
    let brand = ssr::org_brand()?;
    let info = ssr::request_site()?;
    let viewer = ssr::current_user();
    let session = ssr::session().await?;
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    let google_email = crate::team::invite::waiting_google_email(&session).await;
    let Some(inv) = req
        .db
        .partner_invitation(&hash, viewer.as_ref().map(|u| u.id))
        .await?
    else {
        return Err(req.miss().await);
    };
    if brand.subdomain.as_str() != inv.owner_subdomain {
        return Err(AppError::NotFound);
    }
    Ok(PartnerLanding {
        state: inv.state,
        owner_name: inv.owner_name,
        project_name: inv.project_name,
        kind: inv.kind.as_str().to_owned(),
        kind_label: inv.kind.label().to_owned(),
        email: inv.email,
        partner_org_name: inv.partner_org_name,
        inviter: inv.inviter,
        expires: ssr::day(inv.expires_at),
        viewer: viewer.map(|u| u.email),
        choices: inv
            .choices
            .into_iter()
            .map(|c| OrgChoiceRow {
                id: c.id.as_uuid(),
                name: c.name,
                subdomain: c.subdomain,
                already_partner: c.already_partner,
            })
            .collect(),
        domain_suffix: format!(".{}", info.base_domain),
        google: req.auth.google,
        google_email,
    })
}

#[cfg(feature = "ssr")]
fn new_org(name: &str, subdomain: &str) -> Result<(String, offplan::domain::Subdomain), AppError> {
    let name = String::from(
        offplan::domain::OrgName::parse(name)
            .map_err(|e| AppError::invalid("org_name", e.to_string()))?,
    );
    let subdomain = offplan::domain::Subdomain::parse(subdomain.trim())
        .map_err(|e| AppError::invalid("subdomain", e.to_string()))?;
    Ok((name, subdomain))
}

#[cfg(feature = "ssr")]
fn accept_error(e: offplan::db::unscoped::PartnerAcceptError) -> AppError {
    use offplan::db::unscoped::PartnerAcceptError as E;
    match e {
        E::SubdomainTaken => AppError::invalid("subdomain", "That address is taken. Try another."),
        E::EmailTaken => AppError::invalid(
            "form",
            "An account with this email already exists. Sign in to accept instead.",
        ),
        E::NotPending(state) => not_pending(state),
        E::Database(e) => crate::ssr::internal(e),
    }
}

/// Where a partner works on the project, on its own address (R1.7).
#[cfg(feature = "ssr")]
fn workspace_url(info: &crate::site::SiteInfo, j: &offplan::db::unscoped::PartnerJoined) -> String {
    info.org_url(
        &j.partner_subdomain,
        &format!("/with/{}/{}", j.owner_subdomain, j.project_slug),
    )
}

/// Accepts as the signed-in person: for one of their organisations
/// (`org` = its id) or a new one (`org` = "new", with its name and
/// address). Answers the project's address in the partner's workspace.
#[server(endpoint = "partner-invite/accept")]
pub async fn accept_partner_invite(
    token: String,
    org: String,
    #[server(default)] org_name: String,
    #[server(default)] subdomain: String,
) -> Result<String, AppError> {
    use crate::{ssr, team::invite::TokenRequest};
    use offplan::db::unscoped::{AcceptAs, PartnerAcceptOutcome};
    let req = TokenRequest::capture()?;
    let user = ssr::require_user()?;
    let info = ssr::request_site()?;
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let accept_as = match org.trim() {
        "new" => {
            let (name, subdomain) = new_org(&org_name, &subdomain)?;
            AcceptAs::New { name, subdomain }
        }
        id => AcceptAs::Existing(
            offplan::domain::OrgId::parse(id)
                .ok_or_else(|| AppError::invalid("org", "Choose which organisation joins."))?,
        ),
    };
    let hash = req.parse(&token).await?;
    match req
        .db
        .accept_partner_invitation(&hash, user.id, &accept_as, &req.meta)
        .await
        .map_err(accept_error)?
    {
        None => Err(req.miss().await),
        Some(PartnerAcceptOutcome::Joined(j)) => {
            let url = workspace_url(&info, &j);
            ssr::redirect_plain_form(&url);
            Ok(url)
        }
        Some(PartnerAcceptOutcome::NotPending(state)) => Err(not_pending(state)),
        Some(PartnerAcceptOutcome::WrongAccount { invited }) => {
            Err(offplan::error::Conflict::WrongAccount {
                invited,
                signed_in: user.email,
            }
            .into())
        }
        Some(PartnerAcceptOutcome::NotEligible) => Err(AppError::invalid(
            "org",
            "That organisation can't accept this invitation: you must be its Owner or an Admin, and it must work as the kind invited.",
        )),
    }
}

/// A new person signs up from the invitation — with a password, or with
/// the Google identity this browser just brought back — and creates the
/// partner organisation (R5.2), then signs in through the one door.
#[server(endpoint = "partner-invite/signup")]
pub async fn partner_invite_signup(
    token: String,
    name: String,
    org_name: String,
    subdomain: String,
    password: Option<String>,
    google: Option<String>,
) -> Result<String, AppError> {
    use crate::{ssr, team::invite::TokenRequest};
    use offplan::db::unscoped::PartnerSignup;
    let req = TokenRequest::capture()?;
    let info = ssr::request_site()?;
    let (db, auth) = (req.db.clone(), req.auth.clone());
    let signup_bucket = ssr::ip_bucket("signup");
    let session = ssr::session().await?;
    ssr::rate_limit(&db, &signup_bucket, auth.limits.signup_ip).await?;
    let name = String::from(
        offplan::domain::PersonName::parse(&name)
            .map_err(|e| AppError::invalid("name", e.to_string()))?,
    );
    let (org_name, subdomain) = new_org(&org_name, &subdomain)?;
    let hash = req.parse(&token).await?;
    let Some(invited) = db
        .partner_invitation(&hash, None)
        .await?
        .and_then(|i| i.email)
    else {
        return Err(req.miss().await);
    };
    let (password_hash, google_subject) =
        crate::team::invite::signup_credentials(&session, &auth, &invited, password, google)
            .await?;
    let signup = PartnerSignup {
        display_name: name,
        password_hash,
        google_subject,
        org_name,
        subdomain,
    };
    let meta = req.meta.clone();
    let Some((user, joined)) = db
        .sign_up_from_partner_invitation(&hash, &signup, &meta)
        .await
        .map_err(accept_error)?
    else {
        return Err(req.miss().await);
    };
    let _ = session.remove_value(ssr::keys::GOOGLE_SIGNUP).await;
    let url = ssr::door::sign_in(
        &session,
        &db,
        &info,
        user,
        Some(workspace_url(&info, &joined)),
        &meta,
    )
    .await?
    .into_url();
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Declines (consuming the invitation, R5.4).
#[server(endpoint = "partner-invite/decline")]
pub async fn decline_partner_invite(token: String) -> Result<(), AppError> {
    use crate::{ssr, team::invite::TokenRequest};
    let req = TokenRequest::capture()?;
    let actor = ssr::current_user().map(|u| u.id);
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    match req
        .db
        .decline_partner_invitation(&hash, actor, &req.meta)
        .await?
    {
        None => Err(req.miss().await),
        Some(InvitationState::Declined) => Ok(()),
        Some(other) => Err(not_pending(other)),
    }
}
