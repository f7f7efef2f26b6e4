//! Reading the organisation's audit log (SPEC R8.4): filters by actor,
//! action, target and date range; keyset pagination on `seq` (newest
//! first), so page 1000 costs what page 1 does.

use super::Action;
use crate::{
    db::{RepoError, Scope},
    domain::{ProjectId, ProjectStatus, StockMode, UserId},
    policy::{Permission, Role},
};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// What the person asked to see. Everything optional; `before` is the
/// keyset cursor (the last `seq` of the previous page).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub actor: Option<UserId>,
    pub action: Option<Action>,
    /// A person the event was about (target type `user`).
    pub target: Option<UserId>,
    /// Inclusive, UTC.
    pub from: Option<Date>,
    /// Inclusive, UTC.
    pub to: Option<Date>,
    pub before: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub occurred_at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target: Option<String>,
    pub metadata: serde_json::Value,
    /// From the event's personal-data part, until it is pseudonymised.
    pub email: Option<String>,
    pub ip: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub entries: Vec<Entry>,
    /// The cursor for the next (older) page, when there is one.
    pub next_before: Option<i64>,
}

/// A person who appears in the filters: everyone who has been a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: UserId,
    pub name: String,
}

/// One page of the log, newest first. Owner and Admin only (R2.2).
#[tracing::instrument(skip(scope))]
pub async fn page(scope: &mut Scope, filter: &Filter, limit: i64) -> Result<Page, RepoError> {
    scope.authorize(Permission::ViewAuditLog)?;
    entries(scope, None, filter, limit).await
}

/// One page of the scope's organisation's chain, newest first: all of it,
/// or only the events carrying `project` (the project activity log,
/// `projects::activity`, which decides who may see them). Not authorised
/// here: every caller authorises first.
pub(crate) async fn entries(
    scope: &mut Scope,
    project: Option<ProjectId>,
    filter: &Filter,
    limit: i64,
) -> Result<Page, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let from = filter.from.map(|d| d.midnight().assume_utc());
    let to = filter
        .to
        .and_then(|d| d.next_day())
        .map(|d| d.midnight().assume_utc());
    let rows = sqlx::query!(
        r#"
        select e.seq, e.occurred_at, a.display_name as "actor?", e.action, e.target_type,
               e.target_id, coalesce(t.display_name, pr.name, cl.name) as "target?", e.metadata,
               p.data ->> 'email' as "email?", host(p.ip) as "ip?"
        from audit_events e
        left join users a on a.id = e.actor_user_id
        left join users t on e.target_type = 'user'
                          and t.id = case when e.target_type = 'user' then e.target_id::uuid end
        -- The project by its current name: the event's own project (whatever
        -- it targets: a project, an invitation to it, a partner on it), or,
        -- for a partner's twin of an event on its owner's project (no
        -- project, `owner_org` in the metadata), the owner's project it
        -- targets.
        left join projects pr
          on (e.project_id is not null or e.target_type = 'project')
         and pr.org_id = case when e.project_id is not null then e.org_id
                              when e.target_type = 'project'
                                  then (e.metadata ->> 'owner_org')::uuid end
         and pr.id = case when e.project_id is not null then e.project_id
                          when e.target_type = 'project' then e.target_id::uuid end
        left join clients cl on e.target_type = 'client' and cl.org_id = e.org_id
                             and cl.id = case when e.target_type = 'client' then e.target_id::uuid end
        left join audit_event_pii p on p.org_id = e.org_id and p.seq = e.seq
        where e.org_id = $1
          and ($2::bigint is null or e.seq < $2)
          and ($3::uuid is null or e.actor_user_id = $3)
          and ($4::text is null or e.action = $4)
          and ($5::text is null or (e.target_type = 'user' and e.target_id = $5))
          and ($6::timestamptz is null or e.occurred_at >= $6)
          and ($7::timestamptz is null or e.occurred_at < $7)
          and ($9::uuid is null or e.project_id = $9)
        order by e.seq desc
        limit $8
        "#,
        org,
        filter.before,
        filter.actor.map(|a| a.as_uuid()),
        filter.action.map(|a| a.as_str()),
        filter.target.map(|t| t.to_string()),
        from,
        to,
        limit + 1,
        project.map(|p| p.as_uuid()),
    )
    .fetch_all(scope.conn())
    .await?;
    let more = rows.len() as i64 > limit;
    let entries: Vec<Entry> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| Entry {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor: r.actor,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            target: r.target,
            metadata: r.metadata,
            email: r.email,
            ip: r.ip,
        })
        .collect();
    let next_before = more.then(|| entries.last().map(|e| e.seq)).flatten();
    Ok(Page {
        entries,
        next_before,
    })
}

/// Rows one export may hold; a larger log is exported in date ranges.
pub const EXPORT_MAX: usize = 100_000;

/// Everything `filter` matches (up to [`EXPORT_MAX`] rows), newest first,
/// and the `audit.exported` event recording that it left (R8.4), in the
/// scope's transaction.
#[tracing::instrument(skip(scope, filters))]
pub async fn export(
    scope: &mut Scope,
    filter: &Filter,
    ip: Option<String>,
    filters: &serde_json::Value,
) -> Result<Vec<Entry>, RepoError> {
    scope.authorize(Permission::ViewAuditLog)?;
    let mut all = Vec::new();
    let mut cursor = filter.clone();
    while all.len() < EXPORT_MAX {
        let batch = page(scope, &cursor, 5_000).await?;
        all.extend(batch.entries);
        match batch.next_before {
            Some(b) => cursor.before = Some(b),
            None => break,
        }
    }
    all.truncate(EXPORT_MAX);
    let actor = scope.membership().user_id();
    super::append(
        scope,
        &super::NewEvent::new(Some(actor), Action::AuditExported)
            .metadata(serde_json::json!({ "rows": all.len(), "filters": filters }))
            .pii(super::Pii {
                ip,
                data: serde_json::json!({}),
            }),
    )
    .await?;
    Ok(all)
}

/// Everyone who has been a member, for the actor and target filters.
#[tracing::instrument(skip(scope))]
pub async fn people(scope: &mut Scope) -> Result<Vec<Person>, RepoError> {
    scope.authorize(Permission::ViewAuditLog)?;
    let org = scope.membership().org_id().as_uuid();
    Ok(sqlx::query!(
        "select u.id, u.display_name from memberships m join users u on u.id = m.user_id
         where m.org_id = $1 order by u.display_name, u.id",
        org
    )
    .fetch_all(scope.conn())
    .await?
    .into_iter()
    .map(|r| Person {
        id: UserId::from_db(r.id),
        name: r.display_name,
    })
    .collect())
}

/// Who acted on `project` and what they did, for the activity log's
/// filters: the people and actions its events hold (the project's chain
/// entries, read through `audit_events_project`). Not authorised here:
/// `projects::activity_choices` authorises first.
pub(crate) async fn project_choices(
    scope: &mut Scope,
    project: ProjectId,
) -> Result<(Vec<Person>, Vec<Action>), RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let people = sqlx::query!(
        r#"
        select u.id, u.display_name
        from users u
        where u.id in (select e.actor_user_id from audit_events e
                       where e.org_id = $1 and e.project_id = $2)
        order by u.display_name, u.id
        "#,
        org,
        project.as_uuid()
    )
    .fetch_all(scope.conn())
    .await?
    .into_iter()
    .map(|r| Person {
        id: UserId::from_db(r.id),
        name: r.display_name,
    })
    .collect();
    let names = sqlx::query_scalar!(
        "select distinct e.action from audit_events e where e.org_id = $1 and e.project_id = $2",
        org,
        project.as_uuid()
    )
    .fetch_all(scope.conn())
    .await?;
    // In the registry's order; a name the code no longer knows is not
    // offered (its rows still show, as their raw action).
    let actions = Action::ALL
        .iter()
        .copied()
        .filter(|a| names.iter().any(|n| n == a.as_str()))
        .collect();
    Ok((people, actions))
}

fn role_label(v: Option<&serde_json::Value>) -> String {
    v.and_then(|v| v.as_str())
        .and_then(Role::parse)
        .map(|r| r.label().to_owned())
        .unwrap_or_else(|| "an unknown role".to_owned())
}

impl Entry {
    /// The row as a person reads it: "Maria changed Ivan's role from Sales
    /// Agent to Sales Manager".
    pub fn sentence(&self) -> String {
        let actor = self.actor.as_deref().unwrap_or("An operator");
        let target = self.target.as_deref().unwrap_or("a former member");
        let email = self.email.as_deref().unwrap_or("a removed address");
        let m = &self.metadata;
        let role = role_label(m.get("role"));
        match Action::parse(&self.action) {
            Some(Action::OrgCreated) => format!("{actor} created the organisation"),
            Some(Action::MemberSecondFactorReset) => {
                format!("An operator reset {target}'s second factor")
            }
            Some(Action::InvitationSent) => format!("{actor} invited {email} as {role}"),
            Some(Action::InvitationRefreshed) => {
                format!("{actor} renewed the invitation to {email}, as {role}")
            }
            Some(Action::InvitationResent) => {
                format!("{actor} resent the invitation to {email}")
            }
            Some(Action::InvitationRevoked) => match m.get("reason").and_then(|r| r.as_str()) {
                Some(reason) => format!(
                    "{actor} revoked the invitation to {email}: {}",
                    revoke_reason(reason)
                ),
                None => format!("{actor} revoked the invitation to {email}"),
            },
            Some(Action::InvitationAccepted) => {
                format!("{actor} accepted the invitation and joined as {role}")
            }
            Some(Action::InvitationDeclined) => {
                format!("The invitation to {email} was declined")
            }
            Some(Action::MemberRoleChanged) => format!(
                "{actor} changed {target}'s role from {} to {}",
                role_label(m.get("from")),
                role_label(m.get("to"))
            ),
            Some(Action::MemberRemoved) => format!("{actor} removed {target} ({role})"),
            Some(Action::MemberLeft) => format!("{actor} left the organisation"),
            Some(Action::OwnershipTransferred) => {
                format!("{actor} transferred ownership to {target}")
            }
            Some(Action::SignedIn) => format!("{actor} signed in"),
            Some(Action::AuditExported) => format!(
                "{actor} exported {} audit log rows",
                m.get("rows").and_then(|r| r.as_i64()).unwrap_or(0)
            ),
            Some(Action::MemberLookedUp) => format!(
                "Operator {} looked up {target}'s account (reason: {})",
                m.get("operator")
                    .and_then(|o| o.as_str())
                    .unwrap_or("unknown"),
                m.get("reason")
                    .and_then(|r| r.as_str())
                    .unwrap_or("none given")
            ),
            Some(Action::TokenLookupBurst) => format!(
                "{} failed invitation-link lookups came from {} within {} minutes",
                m.get("failures").and_then(|f| f.as_i64()).unwrap_or(0),
                self.ip.as_deref().unwrap_or("one address"),
                m.get("window_secs").and_then(|w| w.as_i64()).unwrap_or(0) / 60
            ),
            Some(Action::ProjectCreated) => {
                format!("{actor} created the project {}", self.project())
            }
            Some(Action::ProjectUpdated) => format!(
                "{actor} changed the settings of {}: {}",
                self.project(),
                project_changes(m)
            ),
            Some(Action::ProjectStockModeChanged) => format!(
                "{actor} switched {} from {} to {}",
                self.project(),
                stock_mode_label(m.get("from")),
                stock_mode_label(m.get("to"))
            ),
            Some(Action::ClientCreated) => format!("{actor} added {}", self.client()),
            Some(Action::ClientUpdated) => {
                format!("{actor} changed {} of {}", client_fields(m), self.client())
            }
            Some(Action::ClientArchived) => {
                format!("{actor} archived {}", self.client())
            }
            Some(Action::ClientRestored) => {
                format!("{actor} restored {}", self.client())
            }
            Some(Action::ReverseInvitationSent) => {
                format!("{actor} invited {email} to offplan for {}", self.client())
            }
            Some(Action::ReverseInvitationRefreshed) => {
                format!(
                    "{actor} sent {email} a new invitation link for {}",
                    self.client()
                )
            }
            Some(Action::ReverseInvitationAccepted) => {
                format!(
                    "{actor} accepted the invitation for {} and joined offplan",
                    self.client()
                )
            }
            Some(Action::ReverseInvitationDeclined) => {
                format!(
                    "The invitation to {email} for {} was declined",
                    self.client()
                )
            }
            Some(Action::ReverseInvitationRevoked) => {
                format!(
                    "{actor} withdrew the invitation to {email} for {}",
                    self.client()
                )
            }
            Some(Action::BuyerLinkOpened) => {
                format!("A buyer opened their link to a unit of {}", self.project())
            }
            Some(Action::PartnerInvited) => match m.get("partner_name").and_then(|n| n.as_str()) {
                Some(org) => format!(
                    "{actor} invited {org} to {} as {}",
                    self.project(),
                    kind_label(m)
                ),
                None => format!(
                    "{actor} invited {email} to {} as {}",
                    self.project(),
                    kind_label(m)
                ),
            },
            Some(Action::PartnerInvitationRevoked) => {
                format!(
                    "{actor} withdrew an invitation to {} ({})",
                    self.project(),
                    kind_label(m)
                )
            }
            Some(Action::PartnerInvitationDeclined) => {
                format!(
                    "An invitation to {} as {} was declined",
                    self.project(),
                    kind_label(m)
                )
            }
            Some(Action::PartnerJoined) => format!(
                "{actor} brought {} into {} as {}",
                partner_name(m),
                self.project(),
                kind_label(m)
            ),
            Some(Action::PartnerRemoved) => format!(
                "{actor} removed {} from {}; {} units set aside",
                partner_name(m),
                self.project(),
                m.get("units_set_aside")
                    .and_then(|n| n.as_i64())
                    .unwrap_or(0)
            ),
            Some(Action::DataProcessingAccepted) => format!(
                "{actor} accepted the data-processing terms ({})",
                m.get("version")
                    .and_then(|v| v.as_str())
                    .unwrap_or("unknown version")
            ),
            Some(Action::BuyerRecorded) => format!("{actor} recorded a buyer"),
            Some(Action::BuyerUpdated) => {
                format!("{actor} changed {} of a buyer", buyer_fields(m))
            }
            Some(Action::BuyerLinkIssued) => format!(
                "{actor} sent a buyer a link to unit {} of {}{}",
                unit_code(m),
                self.project(),
                if m.get("replaced").is_some_and(|r| !r.is_null()) {
                    ", replacing the previous one"
                } else {
                    ""
                }
            ),
            Some(Action::BuyerLinkEmailed) => format!(
                "{actor} emailed a buyer their link to unit {} of {}",
                unit_code(m),
                self.project()
            ),
            Some(Action::BuyerLinkRevoked) => format!(
                "{actor} revoked a buyer's link to unit {} of {}",
                unit_code(m),
                self.project()
            ),
            Some(Action::UnitReassigned) => format!(
                "{actor} reassigned unit {} of {}; {} buyer links revoked",
                m.get("code").and_then(|c| c.as_str()).unwrap_or("?"),
                self.project(),
                m.get("links_revoked").and_then(|n| n.as_i64()).unwrap_or(0)
            ),
            Some(Action::UnitSold) => format!(
                "{actor} marked unit {} of {} sold; {} buyer links revoked",
                m.get("code").and_then(|c| c.as_str()).unwrap_or("?"),
                self.project(),
                m.get("links_revoked").and_then(|n| n.as_i64()).unwrap_or(0)
            ),
            Some(Action::UnitReserved) => format!(
                "{actor} reserved unit {} of {} for a buyer",
                m.get("code").and_then(|c| c.as_str()).unwrap_or("?"),
                self.project()
            ),
            Some(Action::UnitReleased) => format!(
                "{actor} released the reservation of unit {} of {}",
                m.get("code").and_then(|c| c.as_str()).unwrap_or("?"),
                self.project()
            ),
            Some(Action::ReservationOverridden) => format!(
                "{actor} overrode the reservation of unit {} of {}",
                m.get("code").and_then(|c| c.as_str()).unwrap_or("?"),
                self.project()
            ),
            Some(Action::PresentationUpdated) => format!(
                "{actor} changed {} of the presentation of {}",
                presentation_fields(m),
                self.project()
            ),
            Some(Action::UnitPresentationUpdated) => format!(
                "{actor} changed the description of unit {} in {}",
                presented_unit_code(m),
                self.project()
            ),
            Some(Action::MediaAdded) => match media_role_label(m) {
                Some(what) if m.get("unit_code").is_some() => format!(
                    "{actor} uploaded {what} of unit {} in {}",
                    presented_unit_code(m),
                    self.project()
                ),
                what => format!(
                    "{actor} uploaded {} for {}",
                    what.unwrap_or("an image"),
                    self.project()
                ),
            },
            Some(Action::MediaRemoved) => match media_role_label(m) {
                Some(what) if m.get("unit_code").is_some() => format!(
                    "{actor} removed {what} of unit {} in {}",
                    presented_unit_code(m),
                    self.project()
                ),
                what => format!(
                    "{actor} removed {} from {}",
                    what.unwrap_or("an image"),
                    self.project()
                ),
            },
            Some(Action::MediaReordered) => format!(
                "{actor} moved a gallery image of {} from place {} to {}",
                self.project(),
                m.get("from").and_then(|v| v.as_i64()).unwrap_or(0),
                m.get("to").and_then(|v| v.as_i64()).unwrap_or(0)
            ),
            Some(Action::UnitCreated) => format!(
                "{actor} added unit {} to {}",
                presented_unit_code(m),
                self.project()
            ),
            Some(Action::UnitFactsChanged) => format!(
                "{actor} changed {} of unit {} in {}",
                presentation_fields(m),
                presented_unit_code(m),
                self.project()
            ),
            None => format!("{actor}: {}", self.action),
        }
    }

    /// The project an event is about, by its current name (the log joins
    /// it), else the slug it was created with.
    fn project(&self) -> String {
        self.target
            .clone()
            .or_else(|| {
                self.metadata
                    .get("slug")
                    .and_then(|s| s.as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "a project".to_owned())
    }
}

/// The unit code a buyer-link event carries.
fn unit_code(m: &serde_json::Value) -> &str {
    m.get("unit_code").and_then(|c| c.as_str()).unwrap_or("?")
}

/// "the email and the consent": the buyer fields an event says changed.
fn buyer_fields(m: &serde_json::Value) -> String {
    let names: Vec<&str> = m
        .get("fields")
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str())
                .map(|f| match f {
                    "name" => "the name",
                    "email" => "the email",
                    "phone" => "the phone number",
                    "notes" => "the notes",
                    "consent" => "the consent to be contacted",
                    _ => "a field",
                })
                .collect()
        })
        .unwrap_or_default();
    match names.as_slice() {
        [] => "the details".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "an agency": the partner kind an event carries.
fn kind_label(m: &serde_json::Value) -> &'static str {
    match m.get("kind").and_then(|k| k.as_str()) {
        Some("studio") => "a studio",
        Some("agency") => "an agency",
        _ => "a partner",
    }
}

/// The partner organisation's name as the event recorded it.
fn partner_name(m: &serde_json::Value) -> String {
    m.get("partner_name")
        .and_then(|n| n.as_str())
        .unwrap_or("an organisation")
        .to_owned()
}

fn stock_mode_label(v: Option<&serde_json::Value>) -> &'static str {
    v.and_then(|v| v.as_str())
        .and_then(StockMode::parse)
        .map_or("an unknown mode", StockMode::label)
}

fn status_label(v: Option<&serde_json::Value>) -> &'static str {
    v.and_then(|v| v.as_str())
        .and_then(ProjectStatus::parse)
        .map_or("an unknown status", ProjectStatus::label)
}

/// "renamed it, moved it from /projects/a to /projects/b, Draft → Active".
fn project_changes(m: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    if m.get("name_changed").and_then(|v| v.as_bool()) == Some(true) {
        parts.push("renamed it".to_owned());
    }
    if let (Some(from), Some(to)) = (
        m.get("slug_from").and_then(|v| v.as_str()),
        m.get("slug_to").and_then(|v| v.as_str()),
    ) {
        parts.push(format!("moved it from /projects/{from} to /projects/{to}"));
    }
    if m.get("status_to").is_some() {
        parts.push(format!(
            "status from {} to {}",
            status_label(m.get("status_from")),
            status_label(m.get("status_to"))
        ));
    }
    if parts.is_empty() {
        "no visible change".to_owned()
    } else {
        parts.join(", ")
    }
}

impl Entry {
    /// "the client Harbourside": the client an event is about, by its
    /// current name (the log joins it).
    fn client(&self) -> String {
        self.target
            .as_deref()
            .map_or_else(|| "a client".to_owned(), |n| format!("the client {n}"))
    }
}

/// "the notes and the contact's email": which fields of a client changed.
/// The fields a presentation or unit event names, as the log reads them.
fn presentation_fields(m: &serde_json::Value) -> String {
    let names: Vec<&str> = m
        .get("fields")
        .and_then(|f| f.as_array())
        .map(|fields| {
            fields
                .iter()
                .filter_map(|f| f.as_str())
                .map(|f| match f {
                    "headline" => "the headline",
                    "description" => "the description",
                    "location" => "the location",
                    "expected_completion" => "the expected completion",
                    "code" => "the code",
                    "floor" => "the floor",
                    "bedrooms" => "the bedrooms",
                    "area_m2" => "the area",
                    "price" => "the price",
                    _ => "a field",
                })
                .collect()
        })
        .unwrap_or_default();
    match names.as_slice() {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn presented_unit_code(m: &serde_json::Value) -> &str {
    m.get("unit_code")
        .and_then(|c| c.as_str())
        .unwrap_or("(unknown)")
}

fn media_role_label(m: &serde_json::Value) -> Option<&'static str> {
    m.get("role")
        .and_then(|r| r.as_str())
        .and_then(crate::domain::MediaRole::parse)
        .map(crate::domain::MediaRole::label)
}

fn client_fields(m: &serde_json::Value) -> String {
    let names: Vec<&str> = m
        .get("fields")
        .and_then(|f| f.as_array())
        .map(|fields| {
            fields
                .iter()
                .filter_map(|f| f.as_str())
                .map(|f| match f {
                    "name" => "the name",
                    "contact_name" => "the contact's name",
                    "contact_email" => "the contact's email",
                    "notes" => "the notes",
                    _ => "a field",
                })
                .collect()
        })
        .unwrap_or_default();
    match names.as_slice() {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Why the system revoked an invitation, as the log reads it.
fn revoke_reason(reason: &str) -> &'static str {
    match reason {
        "inviter_removed" => "the person who sent it was removed",
        "inviter_left" => "the person who sent it left the organisation",
        "inviter_role_changed" => "the person who sent it may no longer grant that role",
        _ => "its inviter may no longer grant it",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: Action, metadata: serde_json::Value) -> Entry {
        Entry {
            seq: 1,
            occurred_at: OffsetDateTime::UNIX_EPOCH,
            actor: Some("Maria".into()),
            action: action.as_str().into(),
            target_type: Some("user".into()),
            target_id: None,
            target: Some("Ivan".into()),
            metadata,
            email: Some("ivan@example.com".into()),
            ip: None,
        }
    }

    #[test]
    fn a_role_change_reads_as_a_sentence() {
        let e = entry(
            Action::MemberRoleChanged,
            serde_json::json!({"from": "sales_agent", "to": "sales_manager"}),
        );
        assert_eq!(
            e.sentence(),
            "Maria changed Ivan's role from Sales Agent to Sales Manager"
        );
    }

    #[test]
    fn an_invitation_names_the_address_and_role() {
        let e = entry(
            Action::InvitationSent,
            serde_json::json!({"role": "content_editor"}),
        );
        assert_eq!(
            e.sentence(),
            "Maria invited ivan@example.com as Content Editor"
        );
    }

    #[test]
    fn a_revocation_by_the_system_says_why_and_a_lookup_names_the_operator() {
        let e = entry(
            Action::InvitationRevoked,
            serde_json::json!({"role": "admin", "reason": "inviter_removed"}),
        );
        assert_eq!(
            e.sentence(),
            "Maria revoked the invitation to ivan@example.com: the person who sent it was removed"
        );
        let mut e = entry(
            Action::MemberLookedUp,
            serde_json::json!({"operator": "olga", "reason": "ticket 123"}),
        );
        e.actor = None;
        assert_eq!(
            e.sentence(),
            "Operator olga looked up Ivan's account (reason: ticket 123)"
        );
    }

    #[test]
    fn project_changes_read_as_sentences() {
        let mut e = entry(
            Action::ProjectStockModeChanged,
            serde_json::json!({"from": "closed", "to": "open"}),
        );
        e.target = Some("Marina Heights".into());
        assert_eq!(
            e.sentence(),
            "Maria switched Marina Heights from Closed pool to Open"
        );
        let mut e = entry(
            Action::ProjectUpdated,
            serde_json::json!({"name_changed": true, "slug_from": "a", "slug_to": "b",
                               "status_from": "draft", "status_to": "active"}),
        );
        e.target = Some("Marina Heights".into());
        assert_eq!(
            e.sentence(),
            "Maria changed the settings of Marina Heights: renamed it, moved it from \
             /projects/a to /projects/b, status from Draft to Active"
        );
        let mut e = entry(
            Action::ProjectCreated,
            serde_json::json!({"slug": "marina-heights", "status": "draft", "client": null}),
        );
        e.target = None;
        assert_eq!(e.sentence(), "Maria created the project marina-heights");
    }

    #[test]
    fn client_changes_name_the_fields_never_their_values() {
        let mut e = entry(
            Action::ClientUpdated,
            serde_json::json!({"fields": ["contact_email", "notes"]}),
        );
        e.target = Some("Harbourside Developments".into());
        assert_eq!(
            e.sentence(),
            "Maria changed the contact's email and the notes of the client Harbourside Developments"
        );
        e.target = None;
        e.action = Action::ClientArchived.as_str().into();
        assert_eq!(e.sentence(), "Maria archived a client");
    }

    #[test]
    fn a_pseudonymised_event_still_reads() {
        let mut e = entry(Action::InvitationRevoked, serde_json::json!({}));
        e.email = None;
        assert_eq!(
            e.sentence(),
            "Maria revoked the invitation to a removed address"
        );
    }
}
