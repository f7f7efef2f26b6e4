//! Reserving and releasing a unit for a buyer (SPEC R6.1–R6.3, R1.9;
//! issue 14 item 2).
//!
//! Who may:
//! - `ReserveUnits` (an agent only within the pool rules, R6.1: the units
//!   they see through [`super::get`]; managers of the owner any unit), on a
//!   project whose relation is the owner or an agency partner — a studio
//!   partner presents units and reserves none (`Forbidden`);
//! - for one of the organisation's own buyers that the person may manage
//!   ([`crate::db::buyers::get`]: Sales Agents only those they recorded,
//!   behind the joint-controller gate).
//!
//! Each reservation and release:
//! - checks the role and the project first, then [`idempotency::begin`],
//!   so the same key answers the first outcome and a double click never
//!   meets itself as a conflict;
//! - takes the unit's row lock with the 500 ms timeout, at the version the
//!   person was looking at ([`super::change::lock`]): otherwise the stock
//!   conflict naming who holds the unit now (R6.3);
//! - inserts or ends the reservation (`reservations_one_active`, a unique
//!   index, refuses a second active one whatever the code does), moves the
//!   unit's status and version, and writes one audit event with before and
//!   after, all in the scope's transaction.

use super::{
    change::{held, lock, sqlstate, status_str},
    get, Unit, UnitStatus,
};
use crate::{
    db::{
        audit::{append_project_event, Action, NewEvent},
        buyers,
        idempotency::{self, Begun, IdempotencyKey},
        projects::{self, Project, Relation},
        RepoError, Scope,
    },
    domain::{BuyerId, ProjectId, UnitId},
    error::Conflict,
    policy::Permission,
};

/// R6.3: reserves `unit` for `buyer`, from the version the person saw.
#[tracing::instrument(skip(scope, key))]
pub async fn reserve(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
    buyer: BuyerId,
    expected_version: i64,
    key: &IdempotencyKey,
) -> Result<Unit, RepoError> {
    let request = idempotency::fingerprint(
        "unit.reserve",
        &[
            &project.to_string(),
            &unit.to_string(),
            &buyer.to_string(),
            &expected_version.to_string(),
        ],
    );
    let p = may_reserve(scope, project).await?;
    if let Begun::Replay(u) = idempotency::begin(scope, key, &request).await? {
        return Ok(u);
    }
    // The pool rules: a unit the person cannot see is not there.
    get(scope, project, unit).await?;
    let b = buyers::get(scope, buyer).await?;
    let locked = lock(scope, p.owner_org_id, project, unit, expected_version).await?;
    match locked.status {
        UnitStatus::Available => {}
        UnitStatus::Reserved => {
            return Err(held(scope, p.owner_org_id, project, unit).await?.into())
        }
        UnitStatus::Sold | UnitStatus::Withdrawn => return Err(Conflict::UnitNotReservable.into()),
    }
    let m = scope.membership().clone();
    let inserted = sqlx::query_scalar!(
        r#"
        insert into reservations (org_id, project_id, unit_id, buyer_org_id, buyer_id,
                                  reserved_by_user_id)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        p.owner_org_id.as_uuid(),
        project.as_uuid(),
        unit.as_uuid(),
        m.org_id().as_uuid(),
        b.id.as_uuid(),
        m.user_id().as_uuid(),
    )
    .fetch_one(scope.conn())
    .await;
    let reservation = match inserted {
        Ok(id) => id,
        // The database's own refusal of a second active reservation: the
        // row lock makes it unreachable, and it is still a conflict.
        Err(e) if sqlstate(&e).as_deref() == Some("23505") => {
            return Err(held(scope, p.owner_org_id, project, unit).await?.into())
        }
        Err(e) => return Err(e.into()),
    };
    let version = set_status(scope, &p, unit, UnitStatus::Reserved).await?;
    append_project_event(
        scope,
        p.owner_org_id,
        project,
        NewEvent::new(Some(m.user_id()), Action::UnitReserved)
            .target("unit", unit)
            .metadata(serde_json::json!({
                "code": locked.code,
                "status_from": status_str(locked.status),
                "status_to": "reserved",
                "version": version,
                "reservation": reservation.to_string(),
            })),
    )
    .await?;
    let u = get(scope, project, unit).await?;
    idempotency::remember(scope, key, &request, &u).await?;
    Ok(u)
}

/// Ends the unit's active reservation: the person's own (an agent), their
/// organisation's (its managers), or any (the owner's managers).
#[tracing::instrument(skip(scope, key))]
pub async fn release(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
    expected_version: i64,
    key: &IdempotencyKey,
) -> Result<Unit, RepoError> {
    let request = idempotency::fingerprint(
        "unit.release",
        &[
            &project.to_string(),
            &unit.to_string(),
            &expected_version.to_string(),
        ],
    );
    let grant = scope.authorize(Permission::ReserveUnits)?;
    let p = may_reserve(scope, project).await?;
    if let Begun::Replay(u) = idempotency::begin(scope, key, &request).await? {
        return Ok(u);
    }
    get(scope, project, unit).await?;
    let locked = lock(scope, p.owner_org_id, project, unit, expected_version).await?;
    let m = scope.membership().clone();
    let own_only = grant != crate::policy::Grant::Full;
    let ended = sqlx::query_scalar!(
        r#"
        update reservations set status = 'released', ended_at = now()
        where org_id = $1 and unit_id = $2 and status = 'active'
          and ($3::uuid is null or buyer_org_id = $3)
          and (not $4 or reserved_by_user_id = $5)
        returning id
        "#,
        p.owner_org_id.as_uuid(),
        unit.as_uuid(),
        (p.relation != Relation::Owner).then(|| m.org_id().as_uuid()),
        own_only,
        m.user_id().as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(Conflict::NotReserved)?;
    let version = set_status(scope, &p, unit, UnitStatus::Available).await?;
    append_project_event(
        scope,
        p.owner_org_id,
        project,
        NewEvent::new(Some(m.user_id()), Action::UnitReleased)
            .target("unit", unit)
            .metadata(serde_json::json!({
                "code": locked.code,
                "status_from": status_str(locked.status),
                "status_to": "available",
                "version": version,
                "reservation": ended.to_string(),
            })),
    )
    .await?;
    let u = get(scope, project, unit).await?;
    idempotency::remember(scope, key, &request, &u).await?;
    Ok(u)
}

/// `ReserveUnits` on a project the scope owns or sells as an agency.
async fn may_reserve(scope: &mut Scope, project: ProjectId) -> Result<Project, RepoError> {
    scope.authorize(Permission::ReserveUnits)?;
    let p = projects::get(scope, project).await?;
    match p.relation {
        Relation::Owner | Relation::AgencyPartner => Ok(p),
        Relation::StudioPartner => Err(scope.refuse(Permission::ReserveUnits)),
        Relation::Client => Err(RepoError::NotFound),
    }
}

/// The unit's new status and version (the partner guard admits exactly
/// this change for an agency).
async fn set_status(
    scope: &mut Scope,
    p: &Project,
    unit: UnitId,
    status: UnitStatus,
) -> Result<i64, RepoError> {
    Ok(sqlx::query_scalar!(
        r#"
        update units set status = $4, version = version + 1
        where org_id = $1 and project_id = $2 and id = $3
        returning version
        "#,
        p.owner_org_id.as_uuid(),
        p.id.as_uuid(),
        unit.as_uuid(),
        status as UnitStatus,
    )
    .fetch_one(scope.conn())
    .await?)
}
