//! Project Settings → Partners (SPEC R1.7, R5.2): the project's partners
//! (who invited them, when, the units they hold), its pending forward
//! invitations, inviting a studio or an agency — by the email of the person
//! who will administer it, or by an existing organisation's address — and
//! removing a partner (its units are set aside, not lost).
//!
//! The invitee's landing page is `landing.rs`; the pages are in `pages/`.

pub mod landing;
pub mod pages;

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use landing::PartnerInvitePage;
pub use pages::PartnersPage;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerRow {
    pub org_id: Uuid,
    pub name: String,
    pub subdomain: String,
    pub kind: String,
    pub invited_by: Option<String>,
    pub joined: String,
    pub units_held: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPartnerRow {
    pub id: Uuid,
    pub to: String,
    pub kind: String,
    pub invited_by: String,
    pub expires: String,
    pub expired: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnersView {
    pub project_id: Uuid,
    pub project_name: String,
    pub project_href: String,
    pub can_view_activity: bool,
    /// Only a Developer sends forward invitations (R1.3).
    pub may_invite: bool,
    pub partners: Vec<PartnerRow>,
    pub pending: Vec<PendingPartnerRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartnersPageData {
    Found(PartnersView),
    /// The settings path of the project's current address.
    Moved(String),
}

/// The Partners page of the project at `/projects/<slug>`: its owner's
/// Owner and Admins (R2.2 "manage partners"); 403 for other roles, 404
/// for anyone not of the owner.
#[server(endpoint = "projects/partners")]
pub async fn load_partners(slug: String) -> Result<PartnersPageData, AppError> {
    use crate::ssr;
    use offplan::db::{
        invitations::forward,
        projects::{self, partners, Relation, SlugLookup},
    };
    let slug = offplan::domain::ProjectSlug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let info = ssr::request_site()?;
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let project = match projects::resolve_own(&mut scope, slug.as_str()).await? {
        SlugLookup::Moved { slug } => {
            return Ok(PartnersPageData::Moved(format!(
                "/projects/{slug}/settings/partners"
            )))
        }
        SlugLookup::Found(p) if p.relation == Relation::Owner => p,
        SlugLookup::Found(_) => return Err(AppError::NotFound),
    };
    let scope_role = scope.membership().role();
    let rows = partners::partners(&mut scope, project.id).await?;
    let pending = forward::pending(&mut scope, project.id).await?;
    scope.commit().await?;
    Ok(PartnersPageData::Found(PartnersView {
        project_id: project.id.as_uuid(),
        project_href: info.org_url(
            brand.subdomain.as_str(),
            &format!("/projects/{}", project.slug),
        ),
        can_view_activity: scope_role.can(offplan::policy::Permission::ViewProjectActivity),
        project_name: project.name,
        may_invite: brand
            .client_types
            .contains(&offplan::domain::ClientType::Developer),
        partners: rows
            .into_iter()
            .map(|p| PartnerRow {
                org_id: p.org_id.as_uuid(),
                name: p.name,
                subdomain: p.subdomain,
                kind: p.kind.label().to_owned(),
                invited_by: p.invited_by,
                joined: ssr::day(p.joined_at),
                units_held: p.units_held,
            })
            .collect(),
        pending: pending
            .into_iter()
            .map(|i| PendingPartnerRow {
                id: i.id,
                to: i.to,
                kind: i.kind.label().to_owned(),
                invited_by: i.invited_by,
                expires: ssr::day(i.expires_at),
                expired: i.expired,
            })
            .collect(),
    }))
}

#[cfg(feature = "ssr")]
mod input {
    use offplan::{
        domain::{EmailAddress, PartnerKind, ProjectId, Subdomain},
        AppError,
    };

    pub fn project(id: &str) -> Result<ProjectId, AppError> {
        ProjectId::parse(id.trim()).ok_or(AppError::NotFound)
    }

    pub fn kind(kind: &str) -> Result<PartnerKind, AppError> {
        PartnerKind::parse(kind)
            .ok_or_else(|| AppError::invalid("kind", "Choose studio or agency."))
    }

    /// An email (the person who will administer the partner) or an
    /// organisation's address: `northstar`, or `northstar.<base>` pasted
    /// from the browser.
    pub fn invitee(
        to: &str,
        base_domain: &str,
    ) -> Result<offplan::db::invitations::forward::Invitee, AppError> {
        use offplan::db::invitations::forward::Invitee;
        let to = to.trim();
        if to.is_empty() {
            return Err(AppError::invalid(
                "to",
                "Enter an email address or an organisation's offplan address.",
            ));
        }
        if to.len() > 254 {
            return Err(AppError::invalid(
                "to",
                "That is too long to be an address.",
            ));
        }
        if to.contains('@') {
            return EmailAddress::parse(to)
                .map(Invitee::Email)
                .map_err(|e| AppError::invalid("to", e.to_string()));
        }
        let bare = to
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split(['/', ':'])
            .next()
            .unwrap_or_default();
        let bare = bare
            .strip_suffix(&format!(".{base_domain}"))
            .unwrap_or(bare);
        Subdomain::parse(bare)
            .map(Invitee::Organisation)
            .map_err(|_| {
                AppError::invalid(
                "to",
                "Enter an email address, or an organisation's offplan address such as northstar.",
            )
            })
    }
}

/// R5.2: invites a studio or an agency onto the project. Answers what
/// happened, in a sentence.
#[server(endpoint = "projects/partners/invite")]
pub async fn invite_partner(id: String, to: String, kind: String) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::db::invitations::{
        forward::{self, ForwardError, ForwardLetter, ForwardOutcome, Invitee},
        InviteError, Throttled,
    };
    let info = ssr::request_site()?;
    let meta = ssr::request_meta();
    let auth = ssr::auth()?;
    let (mut scope, brand, user) = ssr::org_scope().await?;
    let project = input::project(&id)?;
    let invitee = input::invitee(&to, &info.base_domain)?;
    let kind = input::kind(&kind)?;
    let base = auth.email_link_org(&info, brand.subdomain.as_str(), "/partner-invite/");
    let link = move |t: &offplan::token::Token| format!("{base}{}", t.expose());
    let letter = ForwardLetter {
        org_name: &brand.name,
        inviter: &user.display_name,
        link: &link,
    };
    let outcome = forward::invite(&mut scope, project, &invitee, kind, &letter, &meta)
        .await
        .map_err(|e| match e {
            ForwardError::NoSuchOrganisation => AppError::invalid(
                "to",
                "No organisation on offplan has that address. Check it, or invite the person by email.",
            ),
            ForwardError::Invite(InviteError::Throttled(t @ Throttled::RecentlySent { .. })) => {
                AppError::invalid("to", t.to_string())
            }
            ForwardError::Invite(InviteError::Throttled(t)) => AppError::RateLimited {
                retry_after_secs: t.retry_after_secs(),
            },
            ForwardError::Invite(InviteError::Repo(offplan::db::RepoError::Conflict(c))) => {
                AppError::invalid("to", c.to_string())
            }
            ForwardError::Invite(InviteError::Repo(e)) => e.into(),
        })?;
    scope.commit().await?;
    let who = match &invitee {
        Invitee::Email(e) => e.as_str().to_owned(),
        Invitee::Organisation(s) => format!("the Owner and Admins of {}", s.as_str()),
    };
    Ok(match outcome {
        ForwardOutcome::Sent => format!("Invitation sent to {who}. It is valid for 7 days."),
        ForwardOutcome::Refreshed => {
            format!("The invitation to {who} was renewed: a new link, valid for 7 days.")
        }
    })
}

/// Withdraws a pending forward invitation.
#[server(endpoint = "projects/partners/revoke")]
pub async fn revoke_partner_invitation(id: String, invitation: String) -> Result<(), AppError> {
    use crate::ssr;
    let meta = ssr::request_meta();
    let (mut scope, _, _) = ssr::org_scope().await?;
    let project = input::project(&id)?;
    let invitation = Uuid::parse_str(invitation.trim()).map_err(|_| AppError::NotFound)?;
    offplan::db::invitations::forward::revoke(&mut scope, project, invitation, &meta).await?;
    Ok(scope.commit().await?)
}

/// Removes a partner (R1.7): its members lose the project on their next
/// request; the units it held are set aside. Answers how many.
#[server(endpoint = "projects/partners/remove")]
pub async fn remove_partner(id: String, partner: String) -> Result<i64, AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let project = input::project(&id)?;
    let partner = offplan::domain::OrgId::parse(partner.trim()).ok_or(AppError::NotFound)?;
    let set_aside = offplan::db::projects::partners::remove(&mut scope, project, partner).await?;
    scope.commit().await?;
    Ok(set_aside)
}
