//! Settings → Team (SPEC R4) and the invitation landing page (R5.4–R5.6).
//! Each server function parses its input, opens the actor's scope (their
//! membership re-read from the database, R2.4), makes one repository call
//! and commits; the repository refuses what the page hides (R4.7).
//!
//! Here: the page's data and [`load_team`]. The changes (invite, roles,
//! removal, leaving, transfer, revoking and resending) are in `manage.rs`,
//! the address field's bounds in `emails.rs`, both re-exported; the page in
//! [`pages`], the invitation landing in [`invite`].

mod emails;
pub mod invite;
mod manage;
pub mod pages;

use leptos::prelude::*;
use offplan::{policy::Role, AppError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use emails::{check_emails_field, split_emails, MAX_EMAILS_FIELD, MAX_INVITES};
pub use invite::InvitePage;
pub use manage::*;
pub use pages::TeamPage;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub org_name: String,
    pub my_role: Role,
    pub can_manage: bool,
    pub can_transfer: bool,
    pub can_view_audit: bool,
    /// What the actor may hand out (R4.3).
    pub grantable: Vec<Role>,
    pub members: Vec<MemberView>,
    pub invitations: Vec<InvitationRow>,
    pub removed: Vec<RemovedRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined: String,
    pub last_active: String,
    pub is_me: bool,
    /// Whether the actor may change or remove this member.
    pub manageable: bool,
    /// R4.6 gate: `None` when they may receive ownership, else why not.
    pub transfer_blocked: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRow {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires: String,
    pub expired: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedRow {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub when: String,
    pub how: String,
}

#[server(endpoint = "team/load")]
pub async fn load_team() -> Result<TeamView, AppError> {
    use crate::ssr;
    use offplan::{
        db::{invitations, team},
        policy::{grantable_roles, Permission},
    };
    let (mut scope, brand, user) = ssr::org_scope().await?;
    let members = team::members(&mut scope).await?;
    let pending = invitations::pending(&mut scope).await?;
    let removed = team::recently_removed(&mut scope).await?;
    let require_2fa = team::requires_second_factor(&mut scope).await?;
    let my_role = scope.membership().role();
    scope.commit().await?;
    let can_manage = my_role.can(Permission::ManageMembers);
    Ok(TeamView {
        org_name: brand.name,
        my_role,
        can_manage,
        can_transfer: my_role.can(Permission::TransferOwnership),
        can_view_audit: my_role.can(Permission::ViewAuditLog),
        grantable: grantable_roles(my_role).to_vec(),
        members: members
            .into_iter()
            .map(|m| {
                let is_me = m.user_id == user.id;
                MemberView {
                    id: m.user_id.as_uuid(),
                    transfer_blocked: team::transfer_gate(&m, require_2fa)
                        .err()
                        .map(|why| why.to_string()),
                    name: m.display_name,
                    email: m.email,
                    joined: ssr::day(m.joined_at),
                    last_active: m
                        .last_active_at
                        .map(ssr::ago)
                        .unwrap_or_else(|| "never".into()),
                    manageable: can_manage && !is_me && m.role != Role::Owner,
                    role: m.role,
                    is_me,
                }
            })
            .collect(),
        invitations: pending
            .into_iter()
            .map(|i| InvitationRow {
                id: i.id,
                email: i.email,
                role: i.role,
                invited_by: i.invited_by,
                expires: if i.expired {
                    "Expired".into()
                } else {
                    ssr::day(i.expires_at)
                },
                expired: i.expired,
            })
            .collect(),
        removed: removed
            .into_iter()
            .map(|r| RemovedRow {
                name: r.display_name,
                email: r.email,
                role: r.role,
                when: ssr::day(r.removed_at),
                how: match r.removed_by {
                    Some(by) => format!("Removed by {by}"),
                    None => "Left".into(),
                },
            })
            .collect(),
    })
}
