//! A project's partners (SPEC R1.7): who works on it, admitted when and by
//! whom, and removing one. Removal ends the partner's access on its
//! members' next request (every policy reads `project_partners.status`),
//! and the units it held are set aside with who held them, for the
//! project's managers to reassign — never lost, never left assigned to an
//! organisation that can no longer see them.

use super::get_own;
use crate::{
    db::{
        audit::{self, Action, NewEvent},
        tenant, RepoError, Scope,
    },
    domain::{OrgId, PartnerKind, ProjectId},
    policy::Permission,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// An active partner of a project, as Project Settings → Partners lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub org_id: OrgId,
    pub name: String,
    pub subdomain: String,
    pub kind: PartnerKind,
    /// Who sent the invitation it accepted (none for seeded rows).
    pub invited_by: Option<String>,
    pub joined_at: OffsetDateTime,
    /// Units assigned to the partner or one of its agents now.
    pub units_held: i64,
}

/// The project's active partners, by name. The project's owner only:
/// a partner does not see who else works on the project.
#[tracing::instrument(skip(scope))]
pub async fn partners(scope: &mut Scope, project: ProjectId) -> Result<Vec<Partner>, RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    let project = get_own(scope, project).await?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"
        select pp.partner_org_id, b.name as "name!", b.subdomain as "subdomain!",
               pp.kind as "kind: PartnerKind", u.display_name as "invited_by?", pp.created_at,
               (select count(*) from units un
                 where un.org_id = pp.org_id and un.project_id = pp.project_id
                   and (un.assigned_org_id = pp.partner_org_id
                        or un.assigned_user_org_id = pp.partner_org_id)) as "units_held!"
        from project_partners pp
        join public_org_brands b on b.id = pp.partner_org_id
        left join users u on u.id = pp.invited_by_user_id
        where pp.org_id = $1 and pp.project_id = $2 and pp.status = 'active'
        order by b.name, pp.partner_org_id
        "#,
        org,
        project.id.as_uuid()
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Partner {
            org_id: OrgId::from_db(r.partner_org_id),
            name: r.name,
            subdomain: r.subdomain,
            kind: r.kind,
            invited_by: r.invited_by,
            joined_at: r.created_at,
            units_held: r.units_held,
        })
        .collect())
}

/// Removes an active partner from the scope's project (R1.7, audited).
/// The units it or its agents held are set aside. Answers how many.
#[tracing::instrument(skip(scope))]
pub async fn remove(
    scope: &mut Scope,
    project: ProjectId,
    partner: OrgId,
) -> Result<i64, RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    let project = get_own(scope, project).await?;
    let org = scope.membership().org_id();
    let actor = scope.membership().user_id();
    let row = sqlx::query!(
        r#"
        update project_partners pp
        set status = 'removed', removed_at = now(), removed_by_user_id = $4
        from public_org_brands b
        where pp.org_id = $1 and pp.project_id = $2 and pp.partner_org_id = $3
          and pp.status = 'active' and b.id = pp.partner_org_id
        returning pp.kind as "kind: PartnerKind", b.name as "name!"
        "#,
        org.as_uuid(),
        project.id.as_uuid(),
        partner.as_uuid(),
        actor.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    let set_aside = sqlx::query_scalar!(
        r#"
        with held as (
            update units
            set set_aside_at = now(),
                set_aside_from_org_id = coalesce(assigned_org_id, assigned_user_org_id),
                set_aside_from_user_id = assigned_user_id,
                assigned_org_id = null, assigned_user_id = null, assigned_user_org_id = null,
                assigned_at = null, version = version + 1
            where org_id = $1 and project_id = $2
              and (assigned_org_id = $3 or assigned_user_org_id = $3)
            returning 1
        )
        select count(*) as "n!" from held
        "#,
        org.as_uuid(),
        project.id.as_uuid(),
        partner.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?;
    let metadata = serde_json::json!({
        "kind": row.kind.as_str(),
        "partner_org": partner.to_string(),
        "partner_name": row.name,
        "units_set_aside": set_aside,
    });
    let event = NewEvent::new(Some(actor), Action::PartnerRemoved)
        .project(project.id)
        .target("organisation", partner)
        .metadata(metadata);
    // Both chains: the partnership is both organisations' to account for
    // (docs/decisions.md, "Forward invitations and partners").
    audit::append_to_both(scope.conn(), org, partner, org, actor, &event).await?;
    tenant::set_tenant(scope.conn(), Some(org), Some(actor)).await?;
    Ok(set_aside)
}

/// How many units of each of the organisation's own projects are set aside
/// (a removed partner held them), for the workspace's "needs your
/// attention"; projects with none are left out. The roles that allocate
/// units (R2.2).
#[tracing::instrument(skip(scope))]
pub async fn set_aside_counts(scope: &mut Scope) -> Result<Vec<(ProjectId, i64)>, RepoError> {
    scope.authorize(Permission::AllocateUnits)?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"select project_id, count(*) as "n!" from units
           where org_id = $1 and set_aside_at is not null
           group by project_id"#,
        org
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (ProjectId::from_db(r.project_id), r.n))
        .collect())
}
