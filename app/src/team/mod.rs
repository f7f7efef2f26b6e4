//! Settings → Team (SPEC R4) and the invitation landing page (R5.4–R5.6).
//! Each server function parses its input, opens the actor's scope (their
//! membership re-read from the database, R2.4), makes one repository call
//! and commits; the repository refuses what the page hides (R4.7).

pub mod invite;
pub mod pages;

use leptos::prelude::*;
use offplan::{domain::InviteOutcome, policy::Role, AppError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use invite::InvitePage;
pub use pages::TeamPage;

/// Invitations one form may send at once.
pub const MAX_INVITES: usize = 50;

/// The most the address field may hold, in bytes: fifty long addresses
/// with their separators fit easily; anything longer is refused before it
/// is split (issue 10: the work done on a field must be bounded first).
pub const MAX_EMAILS_FIELD: usize = 8 * 1024;

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
    let members = team::members(&mut scope).await.map_err(ssr::repo)?;
    let pending = invitations::pending(&mut scope).await.map_err(ssr::repo)?;
    let removed = team::recently_removed(&mut scope)
        .await
        .map_err(ssr::repo)?;
    let require_2fa = team::requires_second_factor(&mut scope)
        .await
        .map_err(ssr::repo)?;
    let my_role = scope.membership().role();
    scope.commit().await.map_err(ssr::repo)?;
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
                        .map(str::to_owned),
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

/// Splits what was typed into addresses: commas, semicolons, spaces or
/// new lines between them; duplicates dropped (case-insensitively), first
/// spelling kept. Linear: one pass, a set of lowercased addresses.
pub fn split_emails(input: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    parts(input)
        .filter(|part| seen.insert(part.to_lowercase()))
        .map(str::to_owned)
        .collect()
}

/// The non-empty pieces between separators, without allocating.
fn parts(input: &str) -> impl Iterator<Item = &str> {
    input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|part| !part.is_empty())
}

/// Bounds the address field before any parsing: its length, then the
/// number of pieces (a cheap split), so what follows does a bounded amount
/// of work. `Err` is the message shown beside the field.
pub fn check_emails_field(input: &str) -> Result<(), String> {
    if input.len() > MAX_EMAILS_FIELD {
        return Err(format!(
            "That's too long: paste up to {MAX_INVITES} addresses at a time \
             (at most {MAX_EMAILS_FIELD} characters). Nothing was sent."
        ));
    }
    match parts(input).take(MAX_INVITES + 1).count() {
        0 => Err("Enter at least one email address.".to_owned()),
        n if n > MAX_INVITES => Err(format!(
            "Up to {MAX_INVITES} addresses at a time. Nothing was sent."
        )),
        _ => Ok(()),
    }
}

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
        InviteError::Repo(e) => crate::ssr::repo(e),
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
    scope.commit().await.map_err(ssr::repo)?;
    Ok(outcomes)
}

/// R4.3.
#[server(endpoint = "team/role")]
pub async fn change_member_role(user: String, role: String) -> Result<(), AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let role = parse_role(&role)?;
    offplan::db::team::change_role(&mut scope, person(&user)?, role)
        .await
        .map_err(ssr::repo)?;
    scope.commit().await.map_err(ssr::repo)
}

/// R4.4.
#[server(endpoint = "team/remove")]
pub async fn remove_member(user: String) -> Result<(), AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::team::remove(&mut scope, person(&user)?)
        .await
        .map_err(ssr::repo)?;
    scope.commit().await.map_err(ssr::repo)
}

/// R4.4: leaving answers where to go next (the organisation picker).
#[server(endpoint = "team/leave")]
pub async fn leave_org() -> Result<String, AppError> {
    use crate::ssr;
    let url = ssr::request_site()?.central("/orgs");
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::team::leave(&mut scope)
        .await
        .map_err(ssr::repo)?;
    scope.commit().await.map_err(ssr::repo)?;
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// R4.6.
#[server(endpoint = "team/transfer")]
pub async fn transfer_org(user: String) -> Result<(), AppError> {
    use crate::ssr;
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::team::transfer_ownership(&mut scope, person(&user)?)
        .await
        .map_err(ssr::repo)?;
    scope.commit().await.map_err(ssr::repo)
}

/// R4.5.
#[server(endpoint = "team/revoke")]
pub async fn revoke_invitation(id: Uuid) -> Result<(), AppError> {
    use crate::ssr;
    let meta = ssr::request_meta();
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::invitations::revoke(&mut scope, id, &meta)
        .await
        .map_err(ssr::repo)?;
    scope.commit().await.map_err(ssr::repo)
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
    scope.commit().await.map_err(ssr::repo)
}

#[cfg(test)]
mod tests {
    use super::{check_emails_field, split_emails, MAX_EMAILS_FIELD, MAX_INVITES};

    #[test]
    fn the_field_is_bounded_before_it_is_split() {
        assert!(check_emails_field(&"a".repeat(MAX_EMAILS_FIELD + 1))
            .unwrap_err()
            .contains("too long"));
        let many = vec!["a@x.io"; MAX_INVITES + 1].join(" ");
        assert!(check_emails_field(&many).unwrap_err().contains("Up to"));
        assert!(check_emails_field(" ;, ")
            .unwrap_err()
            .contains("at least one"));
        assert!(check_emails_field("a@x.io, b@x.io").is_ok());
    }

    #[test]
    fn dedup_is_linear_in_the_number_of_parts() {
        // 50 000 distinct parts: quadratic de-duplication would compare
        // ~1.25e9 pairs; this finishes at once.
        let input: String = (0..50_000).map(|i| format!("p{i}@x.io ")).collect();
        assert_eq!(split_emails(&input).len(), 50_000);
    }

    #[test]
    fn addresses_split_on_any_separator_and_dedupe() {
        assert_eq!(
            split_emails("a@x.io, b@x.io;c@x.io\n  A@X.IO  d@x.io"),
            vec!["a@x.io", "b@x.io", "c@x.io", "d@x.io"]
        );
        assert!(split_emails(" ,; \n").is_empty());
    }
}
