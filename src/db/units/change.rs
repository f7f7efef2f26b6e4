//! Changing a unit from its owner's side (SPEC R6.2, R6.3, R7.3; issue 13
//! item 4): reassigning it and marking it sold — the path the allocation
//! board (issue 14) builds on, so it inherits the forced rotation of buyer
//! links.
//!
//! Each change:
//! - is the owning organisation's Owner, Admin or Sales Manager's
//!   (`AllocateUnits` on a project whose relation is `Owner`; a partner
//!   that sees the project is `Forbidden`, anyone else `NotFound`);
//! - takes the unit's row lock with a 500 ms lock timeout
//!   (`set_config('lock_timeout', …, true)`, i.e. `SET LOCAL`) inside a
//!   savepoint, so a lock not granted in time becomes the stock conflict
//!   (R6.3: `Conflict::UnitHeld`, never a 5xx), as does a version that is
//!   no longer the one the person was looking at;
//! - bumps the version, and **revokes every live buyer link of the unit**
//!   (`reassigned` / `sold`) — the owner's own links through the issuer's
//!   policy, partners' through `buyer_links_revoke_by_unit_owner`;
//! - writes one audit event with before, after and the number of links
//!   revoked, all in the scope's transaction.

use super::{get, Assignee, Unit, UnitStatus};
use crate::{
    db::{
        audit::{append_project_event, Action, NewEvent},
        projects::{self, Relation},
        RepoError, Scope,
    },
    domain::{ProjectId, UnitId},
    error::Conflict,
    policy::Permission,
};
use sqlx::Acquire;

/// A unit after a change, and how many buyer links the change revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub unit: Unit,
    pub links_revoked: u64,
    /// Whether anything changed (an unchanged request writes nothing).
    pub changed: bool,
}

/// The unit as locked.
pub(super) struct Locked {
    pub(super) code: String,
    pub(super) status: UnitStatus,
    pub(super) assignee: Assignee,
}

/// R6.2: hands `unit` to `to` (nobody, a partner agency of the project, or
/// an agent: the owner's own or a partner agency's). A new assignee revokes
/// every live buyer link of the unit (`reassigned`). An assignee that is
/// not a partner agency of the project (or its or the owner's member) is
/// `NotFound`.
#[tracing::instrument(skip(scope))]
pub async fn reassign(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
    to: Assignee,
    expected_version: i64,
) -> Result<Changed, RepoError> {
    let owner = may_change(scope, project).await?;
    let locked = lock(scope, owner, project, unit, expected_version).await?;
    if locked.assignee == to {
        return unchanged(scope, project, unit).await;
    }
    check_assignee(scope, project, to).await?;
    let (org, user_org, user) = match to {
        Assignee::Nobody => (None, None, None),
        Assignee::Agency(org) => (Some(org.as_uuid()), None, None),
        Assignee::Agent { org, user } => (None, Some(org.as_uuid()), Some(user.as_uuid())),
    };
    let version = sqlx::query_scalar!(
        r#"
        update units
        set assigned_org_id = $4, assigned_user_org_id = $5, assigned_user_id = $6,
            assigned_at = case when $4::uuid is null and $6::uuid is null then null else now() end,
            version = version + 1
        where org_id = $1 and project_id = $2 and id = $3
        returning version
        "#,
        owner.as_uuid(),
        project.as_uuid(),
        unit.as_uuid(),
        org,
        user_org,
        user,
    )
    .fetch_one(scope.conn())
    .await
    .map_err(not_a_member)?;
    let links_revoked = revoke_links(scope, unit, "reassigned").await?;
    let actor = scope.membership().user_id();
    append_project_event(
        scope,
        owner,
        project,
        NewEvent::new(Some(actor), Action::UnitReassigned)
            .target("unit", unit)
            .metadata(serde_json::json!({
                "code": locked.code,
                "from": assignee_str(locked.assignee),
                "to": assignee_str(to),
                "version": version,
                "links_revoked": links_revoked,
            })),
    )
    .await?;
    Ok(Changed {
        unit: get(scope, project, unit).await?,
        links_revoked,
        changed: true,
    })
}

/// R7.3: marks `unit` sold (from available or reserved; an active
/// reservation becomes `converted`) and revokes every live buyer link of
/// it (`sold`). Already sold: nothing changes. Withdrawn:
/// `Conflict::UnitNotOffered`.
#[tracing::instrument(skip(scope))]
pub async fn mark_sold(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
    expected_version: i64,
) -> Result<Changed, RepoError> {
    let owner = may_change(scope, project).await?;
    let locked = lock(scope, owner, project, unit, expected_version).await?;
    match locked.status {
        UnitStatus::Sold => return unchanged(scope, project, unit).await,
        UnitStatus::Withdrawn => return Err(Conflict::UnitNotOffered.into()),
        UnitStatus::Available | UnitStatus::Reserved => {}
    }
    let version = sqlx::query_scalar!(
        r#"
        update units set status = 'sold', version = version + 1
        where org_id = $1 and project_id = $2 and id = $3
        returning version
        "#,
        owner.as_uuid(),
        project.as_uuid(),
        unit.as_uuid(),
    )
    .fetch_one(scope.conn())
    .await?;
    let converted = sqlx::query!(
        r#"
        update reservations set status = 'converted', ended_at = now()
        where org_id = $1 and unit_id = $2 and status = 'active'
        "#,
        owner.as_uuid(),
        unit.as_uuid(),
    )
    .execute(scope.conn())
    .await?
    .rows_affected()
        > 0;
    let links_revoked = revoke_links(scope, unit, "sold").await?;
    let actor = scope.membership().user_id();
    append_project_event(
        scope,
        owner,
        project,
        NewEvent::new(Some(actor), Action::UnitSold)
            .target("unit", unit)
            .metadata(serde_json::json!({
                "code": locked.code,
                "status_from": status_str(locked.status),
                "version": version,
                "links_revoked": links_revoked,
                "reservation_converted": converted,
            })),
    )
    .await?;
    Ok(Changed {
        unit: get(scope, project, unit).await?,
        links_revoked,
        changed: true,
    })
}

/// `AllocateUnits` on one of the scope's own projects; answers the owner.
async fn may_change(
    scope: &mut Scope,
    project: ProjectId,
) -> Result<crate::domain::OrgId, RepoError> {
    scope.authorize(Permission::AllocateUnits)?;
    let p = projects::get(scope, project).await?;
    if p.relation != Relation::Owner {
        return Err(scope.refuse(Permission::AllocateUnits));
    }
    Ok(p.owner_org_id)
}

async fn unchanged(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
) -> Result<Changed, RepoError> {
    Ok(Changed {
        unit: get(scope, project, unit).await?,
        links_revoked: 0,
        changed: false,
    })
}

/// R6.3: the unit's row lock within 500 ms, at `expected` version; else
/// the stock conflict, naming who holds the unit now. `owner` is the
/// project's owner (the unit's tenant); a partner locks only what its
/// update policy admits.
pub(super) async fn lock(
    scope: &mut Scope,
    owner: crate::domain::OrgId,
    project: ProjectId,
    unit: UnitId,
    expected: i64,
) -> Result<Locked, RepoError> {
    let org = owner.as_uuid();
    // `SET LOCAL lock_timeout = '500ms'`, as a preparable statement.
    sqlx::query_scalar!(r#"select set_config('lock_timeout', '500ms', true) as "x!""#)
        .fetch_one(scope.conn())
        .await?;
    // A savepoint: a lock not granted in time fails only this attempt, so
    // the transaction can still read who holds the unit.
    let mut attempt = scope.conn().begin().await?;
    let row = sqlx::query!(
        r#"
        select code, status as "status: UnitStatus", assigned_org_id, assigned_user_org_id,
               assigned_user_id, version
        from units
        where org_id = $1 and project_id = $2 and id = $3
        for update
        "#,
        org,
        project.as_uuid(),
        unit.as_uuid(),
    )
    .fetch_optional(&mut *attempt)
    .await;
    let row = match row {
        Ok(Some(row)) => {
            attempt.commit().await?;
            row
        }
        // Visible to read but not to lock: another agency reserved it while
        // this request waited (the update policy is the pool's). `held`
        // answers `NotFound` when the unit is not there at all.
        Ok(None) => {
            attempt.commit().await?;
            return Err(held(scope, owner, project, unit).await?.into());
        }
        Err(e) if sqlstate(&e).as_deref() == Some("55P03") => {
            attempt.rollback().await?;
            return Err(held(scope, owner, project, unit).await?.into());
        }
        Err(e) => return Err(e.into()),
    };
    if row.version != expected {
        return Err(held(scope, owner, project, unit).await?.into());
    }
    Ok(Locked {
        code: row.code,
        status: row.status,
        assignee: super::assignee(
            row.assigned_org_id,
            row.assigned_user_org_id,
            row.assigned_user_id,
        ),
    })
}

/// Who holds the unit now, since when, at which version (read without the
/// lock): the stock conflict modal's content (R6.3). An active reservation
/// names whoever made it, when the reader may see it (its own
/// organisation's, or any for the owner); one made by another agency is
/// "Another agency", never its people.
pub(super) async fn held(
    scope: &mut Scope,
    owner: crate::domain::OrgId,
    project: ProjectId,
    unit: UnitId,
) -> Result<Conflict, RepoError> {
    let row = sqlx::query!(
        r#"
        select case
                 when un.status = 'reserved' and r.id is null then 'Another agency'
                 else coalesce(ra.display_name, a.display_name, b.name, o.name)
               end as "holder?",
               coalesce(r.created_at, un.assigned_at, un.updated_at) as "since!", un.version
        from units un
        left join reservations r
               on r.org_id = un.org_id and r.unit_id = un.id and r.status = 'active'
        left join users ra on ra.id = r.reserved_by_user_id
        left join users a on a.id = un.assigned_user_id
        left join public_org_brands b on b.id = un.assigned_org_id
        left join public_org_brands o on o.id = un.org_id
        where un.org_id = $1 and un.project_id = $2 and un.id = $3
        "#,
        owner.as_uuid(),
        project.as_uuid(),
        unit.as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    Ok(Conflict::UnitHeld {
        holder: row.holder.unwrap_or_else(|| "Someone else".to_owned()),
        since: row.since,
        version: row.version,
    })
}

/// The new assignee must be able to hold the unit: an active agency
/// partner of the project, or an agent of one, or of the owner.
async fn check_assignee(
    scope: &mut Scope,
    project: ProjectId,
    to: Assignee,
) -> Result<(), RepoError> {
    let owner = scope.membership().org_id();
    let agency = match to {
        Assignee::Nobody => return Ok(()),
        Assignee::Agent { org, .. } if org == owner => return Ok(()),
        Assignee::Agency(org) | Assignee::Agent { org, .. } => org,
    };
    let partner = sqlx::query_scalar!(
        r#"
        select exists (select 1 from project_partners
                       where org_id = $1 and project_id = $2 and partner_org_id = $3
                         and status = 'active' and kind = 'agency') as "partner!"
        "#,
        owner.as_uuid(),
        project.as_uuid(),
        agency.as_uuid(),
    )
    .fetch_one(scope.conn())
    .await?;
    if partner {
        Ok(())
    } else {
        Err(RepoError::NotFound)
    }
}

/// R7.3: revokes every live link of `unit`, whoever issued it.
async fn revoke_links(scope: &mut Scope, unit: UnitId, reason: &str) -> Result<u64, RepoError> {
    let owner = scope.membership().org_id().as_uuid();
    Ok(sqlx::query!(
        r#"
        update buyer_links set revoked_at = now(), revoke_reason = $3
        where unit_org_id = $1 and unit_id = $2 and revoked_at is null
        "#,
        owner,
        unit.as_uuid(),
        reason,
    )
    .execute(scope.conn())
    .await?
    .rows_affected())
}

/// An agent who is not a member of the organisation named (the membership
/// foreign key) is an assignee that does not exist: `NotFound`.
fn not_a_member(e: sqlx::Error) -> RepoError {
    if sqlstate(&e).as_deref() == Some("23503") {
        RepoError::NotFound
    } else {
        e.into()
    }
}

/// The SQLSTATE of a database error (`55P03`: lock not available).
pub(super) fn sqlstate(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
}

fn assignee_str(a: Assignee) -> String {
    match a {
        Assignee::Nobody => "nobody".to_owned(),
        Assignee::Agency(org) => format!("agency:{org}"),
        Assignee::Agent { org, user } => format!("agent:{org}:{user}"),
    }
}

pub(super) fn status_str(s: UnitStatus) -> &'static str {
    match s {
        UnitStatus::Available => "available",
        UnitStatus::Reserved => "reserved",
        UnitStatus::Sold => "sold",
        UnitStatus::Withdrawn => "withdrawn",
    }
}
