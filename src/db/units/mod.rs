//! Units, with the visibility rules of SPEC R6.1 and R2.2 ("view units").
//!
//! - The owning organisation's members see every unit, except Sales Agents,
//!   who follow the pool rules.
//! - A studio partner sees every unit (it presents them), read only.
//! - Everyone else follows the pool rules: in a **closed** pool, units
//!   assigned to their organisation or to them (a Sales Agent: to them or to
//!   their agency); in **open** mode, additionally every available unit.

pub mod board;
pub mod change;
pub mod facts;
pub mod reserve;

use super::{
    projects::{self, Project, Relation, StockMode},
    RepoError, Scope,
};
use crate::{
    domain::{OrgId, ProjectId, UnitId, UserId},
    policy::{Grant, Limit, Permission},
};
use serde::{Deserialize, Serialize};

/// The `unit_status` column type. A value this enum does not know fails
/// the query: a unit is never shown as available by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[sqlx(type_name = "unit_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    Available,
    Reserved,
    Sold,
    Withdrawn,
}

/// Who holds a unit (R6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Assignee {
    Nobody,
    Agency(OrgId),
    Agent { org: OrgId, user: UserId },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub project_id: ProjectId,
    pub code: String,
    pub floor: Option<i32>,
    pub bedrooms: Option<i16>,
    pub price_minor: Option<i64>,
    pub currency: String,
    pub status: UnitStatus,
    pub assignee: Assignee,
    /// R6.3: the version the person is looking at.
    pub version: i64,
}

/// Whether a scope with `grant` sees every unit of `project`, or only its pool.
fn sees_everything(grant: Grant, project: &Project) -> bool {
    match project.relation {
        Relation::Owner => grant != Grant::Limited(Limit::PoolRules),
        Relation::StudioPartner => true,
        Relation::AgencyPartner => false,
        // R5.3: a studio's client reads the project, not its units (row-
        // level security admits none of them).
        Relation::Client => false,
    }
}

/// The units of a project the scope may see, by code.
#[tracing::instrument(skip(scope))]
pub async fn list(scope: &mut Scope, project: ProjectId) -> Result<Vec<Unit>, RepoError> {
    let project = projects::get(scope, project).await?;
    visible(scope, &project, None).await
}

/// One unit the scope may see; outside the pool it is `NotFound`, as is
/// another tenant's unit.
#[tracing::instrument(skip(scope))]
pub async fn get(scope: &mut Scope, project: ProjectId, id: UnitId) -> Result<Unit, RepoError> {
    let project = projects::get(scope, project).await?;
    get_in(scope, &project, id).await
}

/// [`get`] within a project the caller has already read (through
/// [`projects::get`], so the project's own walls were checked).
#[tracing::instrument(skip(scope, project), fields(project.id = %project.id))]
pub async fn get_in(scope: &mut Scope, project: &Project, id: UnitId) -> Result<Unit, RepoError> {
    visible(scope, project, Some(id))
        .await?
        .pop()
        .ok_or(RepoError::NotFound)
}

async fn visible(
    scope: &mut Scope,
    project: &Project,
    only: Option<UnitId>,
) -> Result<Vec<Unit>, RepoError> {
    let grant = scope.authorize(Permission::ViewUnits)?;
    let everything = sees_everything(grant, project);
    let agent_only = grant == Grant::Limited(Limit::PoolRules);
    let m = scope.membership().clone();
    let rows = sqlx::query!(
        r#"
        select id, project_id, code, floor, bedrooms, price_minor, currency as "currency!",
               status as "status: UnitStatus", assigned_org_id, assigned_user_org_id, assigned_user_id,
               version
        from units
        where org_id = $1 and project_id = $2 and ($8::uuid is null or id = $8)
          and ($3
               or assigned_user_id = $5
               or (not $6 and (assigned_org_id = $4 or assigned_user_org_id = $4))
               or ($6 and assigned_org_id = $4)
               or ($7 and status = 'available')
               -- Open mode: what the agency (an agent: they) reserved.
               or ($7 and status = 'reserved' and exists (
                       select 1 from reservations r
                       where r.org_id = units.org_id and r.unit_id = units.id
                         and r.status = 'active' and r.buyer_org_id = $4
                         and (not $6 or r.reserved_by_user_id = $5))))
        order by code
        "#,
        project.owner_org_id.as_uuid(),
        project.id.as_uuid(),
        everything,
        m.org_id().as_uuid(),
        m.user_id().as_uuid(),
        agent_only,
        project.stock_mode == StockMode::Open,
        only.map(|u| u.as_uuid()),
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Unit {
            id: UnitId::from_db(r.id),
            project_id: ProjectId::from_db(r.project_id),
            code: r.code,
            floor: r.floor,
            bedrooms: r.bedrooms,
            price_minor: r.price_minor,
            currency: r.currency,
            status: r.status,
            assignee: assignee(
                r.assigned_org_id,
                r.assigned_user_org_id,
                r.assigned_user_id,
            ),
            version: r.version,
        })
        .collect())
}

fn assignee(
    org: Option<uuid::Uuid>,
    user_org: Option<uuid::Uuid>,
    user: Option<uuid::Uuid>,
) -> Assignee {
    match (org, user_org, user) {
        (Some(org), _, _) => Assignee::Agency(OrgId::from_db(org)),
        (None, Some(org), Some(user)) => Assignee::Agent {
            org: OrgId::from_db(org),
            user: UserId::from_db(user),
        },
        _ => Assignee::Nobody,
    }
}
