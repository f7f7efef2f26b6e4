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
//!
//! A manager facing someone else's reservation in the stock conflict modal
//! may [`override_reservation`] it, with a reason kept in the audit event.

use super::{
    change::{held, lock, sqlstate, status_str, Locked},
    get_in, Unit, UnitStatus,
};
use crate::{
    db::{
        audit::{append_project_event, Action, NewEvent, Pii},
        buyers,
        idempotency::{self, Begun, IdempotencyKey},
        projects::{self, Project, Relation},
        RepoError, Scope,
    },
    domain::{BuyerId, OverrideReason, ProjectId, UnitId},
    error::Conflict,
    policy::{Grant, Permission},
};
use uuid::Uuid;

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
    let (p, _) = match start(scope, project, unit, key, &request).await? {
        Start::Replay(u) => return Ok(u),
        Start::Go(p, grant) => (p, grant),
    };
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
    let event = moved(
        scope,
        &p,
        unit,
        &locked,
        UnitStatus::Reserved,
        Action::UnitReserved,
    )
    .await?;
    finish(
        scope,
        &p,
        unit,
        (key, &request),
        event(serde_json::json!({ "reservation": reservation.to_string() })),
    )
    .await
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
    let (p, grant) = match start(scope, project, unit, key, &request).await? {
        Start::Replay(u) => return Ok(u),
        Start::Go(p, grant) => (p, grant),
    };
    let locked = lock(scope, p.owner_org_id, project, unit, expected_version).await?;
    let (ended, _) = end_reservation(scope, &p, unit, grant != Grant::Full).await?;
    let event = moved(
        scope,
        &p,
        unit,
        &locked,
        UnitStatus::Available,
        Action::UnitReleased,
    )
    .await?;
    finish(
        scope,
        &p,
        unit,
        (key, &request),
        event(serde_json::json!({ "reservation": ended.to_string() })),
    )
    .await
}

/// R6.3, the stock conflict modal's third choice: a manager (the owner's,
/// for any reservation; a partner agency's, for its own agents') ends
/// someone else's reservation, saying why. The reason goes with the audit
/// event, as its personal-data part (it is free text).
#[tracing::instrument(skip(scope, reason, key))]
pub async fn override_reservation(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
    expected_version: i64,
    reason: &OverrideReason,
    key: &IdempotencyKey,
) -> Result<Unit, RepoError> {
    // The role first, before any work for the key.
    if scope.authorize(Permission::ReserveUnits)? != Grant::Full {
        return Err(scope.refuse(Permission::ReserveUnits));
    }
    let request = idempotency::fingerprint(
        "unit.override",
        &[
            &project.to_string(),
            &unit.to_string(),
            &expected_version.to_string(),
            reason.as_str(),
        ],
    );
    let p = match start(scope, project, unit, key, &request).await? {
        Start::Replay(u) => return Ok(u),
        Start::Go(p, _) => p,
    };
    let locked = lock(scope, p.owner_org_id, project, unit, expected_version).await?;
    let (ended, by) = end_reservation(scope, &p, unit, false).await?;
    let event = moved(
        scope,
        &p,
        unit,
        &locked,
        UnitStatus::Available,
        Action::ReservationOverridden,
    )
    .await?;
    let event = event(serde_json::json!({
        "reservation": ended.to_string(),
        "reserved_by": by.to_string(),
    }))
    .pii(Pii {
        ip: None,
        data: serde_json::json!({ "reason": reason.as_str() }),
    });
    finish(scope, &p, unit, (key, &request), event).await
}

/// How a change begins, once the person may act on the project.
enum Start {
    /// The key was used before: its first answer.
    Replay(Unit),
    Go(Project, Grant),
}

/// The role and the project first, then the idempotency key (so a double
/// click replays rather than conflicts with itself), then the pool rules:
/// a unit the person cannot see is not there.
async fn start(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
    key: &IdempotencyKey,
    request: &[u8; 32],
) -> Result<Start, RepoError> {
    let grant = scope.authorize(Permission::ReserveUnits)?;
    let p = projects::get(scope, project).await?;
    match p.relation {
        Relation::Owner | Relation::AgencyPartner => {}
        Relation::StudioPartner => return Err(scope.refuse(Permission::ReserveUnits)),
        Relation::Client => return Err(RepoError::NotFound),
    }
    if let Begun::Replay(u) = idempotency::begin(scope, key, request).await? {
        return Ok(Start::Replay(u));
    }
    get_in(scope, &p, unit).await?;
    Ok(Start::Go(p, grant))
}

/// Ends the unit's active reservation the person may end (`own_only`: the
/// ones they made; a partner only its own organisation's): its id and who
/// made it. None: `Conflict::NotReserved`.
async fn end_reservation(
    scope: &mut Scope,
    p: &Project,
    unit: UnitId,
    own_only: bool,
) -> Result<(Uuid, Uuid), RepoError> {
    let m = scope.membership().clone();
    let ended = sqlx::query!(
        r#"
        update reservations set status = 'released', ended_at = now()
        where org_id = $1 and unit_id = $2 and status = 'active'
          and ($3::uuid is null or buyer_org_id = $3)
          and (not $4 or reserved_by_user_id = $5)
        returning id, reserved_by_user_id
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
    Ok((ended.id, ended.reserved_by_user_id))
}

/// Moves the unit to `status` (a new version) and answers the audit event
/// to write, given the action's own metadata (merged into the shared
/// `code`, `status_from`, `status_to` and `version`).
async fn moved(
    scope: &mut Scope,
    p: &Project,
    unit: UnitId,
    locked: &Locked,
    status: UnitStatus,
    action: Action,
) -> Result<impl FnOnce(serde_json::Value) -> NewEvent, RepoError> {
    let version = set_status(scope, p, unit, status).await?;
    let actor = scope.membership().user_id();
    let mut metadata = serde_json::json!({
        "code": locked.code,
        "status_from": status_str(locked.status),
        "status_to": status_str(status),
        "version": version,
    });
    Ok(move |own: serde_json::Value| {
        if let (Some(all), serde_json::Value::Object(own)) = (metadata.as_object_mut(), own) {
            all.extend(own);
        }
        NewEvent::new(Some(actor), action)
            .target("unit", unit)
            .metadata(metadata)
    })
}

/// Writes the event, reads the unit as it is now and remembers it as the
/// key's answer.
async fn finish(
    scope: &mut Scope,
    p: &Project,
    unit: UnitId,
    (key, request): (&IdempotencyKey, &[u8; 32]),
    event: NewEvent,
) -> Result<Unit, RepoError> {
    append_project_event(scope, p.owner_org_id, p.id, event).await?;
    let u = get_in(scope, p, unit).await?;
    idempotency::remember(scope, key, request, &u).await?;
    Ok(u)
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
