//! A unit's facts (SPEC R1.8, R2.2; issue 13): code, floor, bedrooms, area
//! and price, created and changed only by the owning organisation's Owner,
//! Admin or Sales Manager (`AllocateUnits` on a project it owns). A
//! partner, which sees the units, is refused (403); another tenant's
//! project or unit is `NotFound` (R2.5). The code is unique within the
//! project (`Conflict::UnitCodeTaken`). Every change writes one event into
//! the project's activity log naming the changed fields, in the same
//! transaction; a change that changes nothing writes none.

use super::{get, Unit};
use crate::{
    db::{
        audit::{append_project_event, Action, NewEvent},
        error::unique_violation,
        projects::{self, presentation::LastChanged, Project, Relation},
        RepoError, Scope,
    },
    domain::{
        presentation::{field, UnitFacts},
        OrgId, ProjectId, UnitId, UserId,
    },
    error::Conflict,
    policy::Permission,
};

/// The unique constraint of a unit's code within its project.
const CODE_KEY: &str = "units_org_project_code_key";

fn code_taken(e: sqlx::Error) -> RepoError {
    if unique_violation(&e) == Some(CODE_KEY) {
        Conflict::UnitCodeTaken.into()
    } else {
        e.into()
    }
}

/// The project, when the scope may change its units' facts.
async fn require_manager(scope: &mut Scope, project: ProjectId) -> Result<Project, RepoError> {
    let p = projects::get(scope, project).await?;
    scope.authorize(Permission::AllocateUnits)?;
    if p.relation != Relation::Owner {
        return Err(scope.refuse(Permission::AllocateUnits));
    }
    Ok(p)
}

/// Whether the scope may create units and change their facts on `project`
/// (for the pages: the form or a read-only view).
pub fn may_edit_facts(scope: &Scope, project: &Project) -> bool {
    project.relation == Relation::Owner && scope.authorize(Permission::AllocateUnits).is_ok()
}

/// R1.8: adds a unit to one of the organisation's own projects (available,
/// unassigned, in the project's default currency).
#[tracing::instrument(skip(scope, facts), fields(unit.code = %facts.code))]
pub async fn create(
    scope: &mut Scope,
    project: ProjectId,
    facts: &UnitFacts,
) -> Result<Unit, RepoError> {
    let p = require_manager(scope, project).await?;
    let id = sqlx::query_scalar!(
        r#"
        insert into units (org_id, project_id, code, floor, bedrooms, area_m2, price_minor)
        values ($1, $2, $3, $4, $5, $6::bigint::numeric / 100, $7)
        returning id
        "#,
        p.owner_org_id.as_uuid(),
        p.id.as_uuid(),
        facts.code,
        facts.floor,
        facts.bedrooms,
        facts.area_centi_m2,
        facts.price_minor,
    )
    .fetch_one(scope.conn())
    .await
    .map_err(code_taken)?;
    let id = UnitId::from_db(id);
    let actor = scope.membership().user_id();
    append_project_event(
        scope,
        p.owner_org_id,
        p.id,
        NewEvent::new(Some(actor), Action::UnitCreated)
            .target("unit", id)
            .metadata(serde_json::json!({ "unit_code": facts.code })),
    )
    .await?;
    get(scope, project, id).await
}

/// A unit's facts as stored (area in hundredths of a square metre), for a
/// unit the caller has just read through [`get`] (the pool rules).
pub async fn facts(scope: &mut Scope, u: &Unit) -> Result<UnitFacts, RepoError> {
    let area = areas(scope, u.project_id, &[u.id]).await?;
    Ok(UnitFacts {
        code: u.code.clone(),
        floor: u.floor,
        bedrooms: u.bedrooms,
        area_centi_m2: area.first().and_then(|(_, a)| *a),
        price_minor: u.price_minor,
    })
}

/// Who added the unit or last changed its facts, and when: the latest
/// such event in the owner's activity log. Only the owner reads its own
/// log, so a partner (who may not edit the facts) gets `None`.
/// `p` and `u` are what the caller has just read (no second read of
/// either); the lookup is by the `audit_events_target` index.
pub async fn facts_last_changed(
    scope: &mut Scope,
    p: &Project,
    u: &Unit,
) -> Result<Option<LastChanged>, RepoError> {
    let row = sqlx::query!(
        r#"
        select e.actor_user_id as "user_id!", e.org_id, us.display_name, b.name as "org_name?",
               e.occurred_at
        from audit_events e
        join users us on us.id = e.actor_user_id
        left join public_org_brands b on b.id = e.org_id
        where e.org_id = $1 and e.project_id = $2 and e.target_type = 'unit'
          and e.target_id = $3 and e.action = any($4)
        order by e.seq desc
        limit 1
        "#,
        p.owner_org_id.as_uuid(),
        p.id.as_uuid(),
        u.id.as_uuid().to_string(),
        &[
            Action::UnitCreated.as_str().to_owned(),
            Action::UnitFactsChanged.as_str().to_owned(),
        ] as &[String],
    )
    .fetch_optional(scope.conn())
    .await?;
    Ok(row.map(|r| LastChanged {
        user_id: UserId::from_db(r.user_id),
        name: r.display_name,
        org_id: OrgId::from_db(r.org_id),
        org_name: r.org_name,
        at: r.occurred_at,
    }))
}

/// The areas (hundredths of a square metre) of the given units, which the
/// caller found through `units::list`/`get` (the pool rules); row-level
/// security admits the same rows.
pub async fn areas(
    scope: &mut Scope,
    project: ProjectId,
    units: &[UnitId],
) -> Result<Vec<(UnitId, Option<i64>)>, RepoError> {
    let ids: Vec<uuid::Uuid> = units.iter().map(|u| u.as_uuid()).collect();
    let rows = sqlx::query!(
        r#"
        select id, (area_m2 * 100)::bigint as "area"
        from units where project_id = $1 and id = any($2)
        "#,
        project.as_uuid(),
        &ids,
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (UnitId::from_db(r.id), r.area))
        .collect())
}

/// Replaces a unit's facts. The event names the changed fields
/// (`{"fields": ["price", "floor"], "unit_code": "A-101"}`).
#[tracing::instrument(skip(scope, facts))]
pub async fn update(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
    facts: &UnitFacts,
) -> Result<Unit, RepoError> {
    let p = require_manager(scope, project).await?;
    let before = sqlx::query!(
        r#"
        select code, floor, bedrooms, (area_m2 * 100)::bigint as "area", price_minor
        from units where org_id = $1 and project_id = $2 and id = $3
        for update
        "#,
        p.owner_org_id.as_uuid(),
        p.id.as_uuid(),
        unit.as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    let mut changed = Vec::new();
    if before.code != facts.code {
        changed.push(field::CODE);
    }
    if before.floor != facts.floor {
        changed.push(field::FLOOR);
    }
    if before.bedrooms != facts.bedrooms {
        changed.push(field::BEDROOMS);
    }
    if before.area != facts.area_centi_m2 {
        changed.push(field::AREA_M2);
    }
    if before.price_minor != facts.price_minor {
        changed.push(field::PRICE);
    }
    if changed.is_empty() {
        return get(scope, project, unit).await;
    }
    sqlx::query!(
        r#"
        update units
           set code = $4, floor = $5, bedrooms = $6, area_m2 = $7::bigint::numeric / 100,
               price_minor = $8
         where org_id = $1 and project_id = $2 and id = $3
        "#,
        p.owner_org_id.as_uuid(),
        p.id.as_uuid(),
        unit.as_uuid(),
        facts.code,
        facts.floor,
        facts.bedrooms,
        facts.area_centi_m2,
        facts.price_minor,
    )
    .execute(scope.conn())
    .await
    .map_err(code_taken)?;
    let actor = scope.membership().user_id();
    append_project_event(
        scope,
        p.owner_org_id,
        p.id,
        NewEvent::new(Some(actor), Action::UnitFactsChanged)
            .target("unit", unit)
            .metadata(serde_json::json!({ "fields": changed, "unit_code": facts.code })),
    )
    .await?;
    get(scope, project, unit).await
}
