//! A project's presentation (SPEC R2.2 "edit project content"; issue 13):
//! the headline, description, location and expected completion a buyer's
//! page shows, and per unit a short description. Its images are in
//! [`crate::db::media`].
//!
//! Who may edit: the role must hold `EditProjectContent` (Owner, Admin,
//! Content Editor), and the organisation must be the project's owner or its
//! active *studio* partner (row-level security checks the same with
//! `app_may_present`). An agency partner or the studio's client sees the
//! project and is refused (403); another tenant's project is `NotFound`
//! (R2.5). Every change writes one event naming the changed fields — never
//! their text — into the project's activity log (owner and partner, see
//! `audit::project`), in the same transaction; a change that changes
//! nothing writes none. The row records who changed it last.

use super::{get, Project, Relation};
use crate::{
    db::{
        audit::{append_project_event, Action, NewEvent},
        RepoError, Scope,
    },
    domain::{
        presentation::{field, PresentationFields, YearMonth},
        OrgId, ProjectId, UnitId, UserId,
    },
    policy::Permission,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who changed something last, and when (shown beside the form).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastChanged {
    pub user_id: UserId,
    pub name: String,
    /// The organisation they acted for (a studio partner's name differs
    /// from the owner's).
    pub org_id: OrgId,
    pub org_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The project's presentation as its editor and its pages read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presentation {
    pub project: Project,
    pub fields: PresentationFields,
    pub last_changed: Option<LastChanged>,
    /// Whether the scope may change it (the form or a read-only view).
    pub may_edit: bool,
}

/// Whether the scope's role and its organisation's relation to `project`
/// allow editing the presentation.
pub(crate) fn may_present(scope: &Scope, project: &Project) -> bool {
    scope.authorize(Permission::EditProjectContent).is_ok()
        && matches!(project.relation, Relation::Owner | Relation::StudioPartner)
}

/// The project, when the scope may edit its presentation: a role without
/// the permission, an agency partner or a client is `Forbidden`; a project
/// the organisation cannot see is `NotFound`.
pub(crate) async fn require_editor(
    scope: &mut Scope,
    project: ProjectId,
) -> Result<Project, RepoError> {
    let project = get(scope, project).await?;
    scope.authorize(Permission::EditProjectContent)?;
    if !may_present(scope, &project) {
        return Err(scope.refuse(Permission::EditProjectContent));
    }
    Ok(project)
}

/// Serialises edits of one project's presentation and media (both the
/// owner and its studio may write, and neither may lock the project's
/// row): a transaction-scoped advisory lock on the project.
pub(crate) async fn lock_project(scope: &mut Scope, project: ProjectId) -> Result<(), RepoError> {
    sqlx::query_scalar!(
        r#"select 1 as "locked!" from (select pg_advisory_xact_lock(hashtextextended($1::uuid::text, 13))) l"#,
        project.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?;
    Ok(())
}

struct Row {
    headline: Option<String>,
    description: Option<String>,
    location: Option<String>,
    expected_completion: Option<time::Date>,
    updated_by_user_id: uuid::Uuid,
    updated_by_org_id: uuid::Uuid,
    updated_by: String,
    updated_by_org: Option<String>,
    updated_at: OffsetDateTime,
}

async fn read(scope: &mut Scope, project: &Project) -> Result<Option<Row>, RepoError> {
    Ok(sqlx::query_as!(
        Row,
        r#"
        select pp.headline, pp.description, pp.location, pp.expected_completion,
               pp.updated_by_user_id, pp.updated_by_org_id,
               u.display_name as updated_by, b.name as "updated_by_org?", pp.updated_at
        from project_presentations pp
        join users u on u.id = pp.updated_by_user_id
        left join public_org_brands b on b.id = pp.updated_by_org_id
        where pp.org_id = $1 and pp.project_id = $2
        "#,
        project.owner_org_id.as_uuid(),
        project.id.as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?)
}

fn fields_of(row: &Row) -> PresentationFields {
    PresentationFields {
        headline: row.headline.clone(),
        description: row.description.clone(),
        location: row.location.clone(),
        expected_completion: row.expected_completion.map(YearMonth::from_date),
    }
}

fn last_changed(row: &Row) -> LastChanged {
    LastChanged {
        user_id: UserId::from_db(row.updated_by_user_id),
        name: row.updated_by.clone(),
        org_id: OrgId::from_db(row.updated_by_org_id),
        org_name: row.updated_by_org.clone(),
        at: row.updated_at,
    }
}

/// The presentation of a project the scope can see (any member: it is
/// what buyers are shown); empty fields before its first edit.
#[tracing::instrument(skip(scope))]
pub async fn presentation(
    scope: &mut Scope,
    project: ProjectId,
) -> Result<Presentation, RepoError> {
    let project = get(scope, project).await?;
    let row = read(scope, &project).await?;
    let may_edit = may_present(scope, &project);
    Ok(Presentation {
        fields: row.as_ref().map(fields_of).unwrap_or_default(),
        last_changed: row.as_ref().map(last_changed),
        may_edit,
        project,
    })
}

/// Replaces the presentation's text with `fields`. The event names the
/// fields that changed (`{"fields": ["headline", "location"]}`).
#[tracing::instrument(skip(scope, fields))]
pub async fn update_presentation(
    scope: &mut Scope,
    project: ProjectId,
    fields: &PresentationFields,
) -> Result<Presentation, RepoError> {
    let p = require_editor(scope, project).await?;
    lock_project(scope, project).await?;
    let before = read(scope, &p)
        .await?
        .as_ref()
        .map(fields_of)
        .unwrap_or_default();
    let mut changed = Vec::new();
    if before.headline != fields.headline {
        changed.push(field::HEADLINE);
    }
    if before.description != fields.description {
        changed.push(field::DESCRIPTION);
    }
    if before.location != fields.location {
        changed.push(field::LOCATION);
    }
    if before.expected_completion != fields.expected_completion {
        changed.push(field::EXPECTED_COMPLETION);
    }
    if changed.is_empty() {
        return presentation(scope, project).await;
    }
    let m = scope.membership().clone();
    sqlx::query!(
        r#"
        insert into project_presentations
            (org_id, project_id, headline, description, location, expected_completion,
             updated_by_user_id, updated_by_org_id)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        on conflict (org_id, project_id) do update
           set headline = excluded.headline, description = excluded.description,
               location = excluded.location, expected_completion = excluded.expected_completion,
               updated_by_user_id = excluded.updated_by_user_id,
               updated_by_org_id = excluded.updated_by_org_id
        "#,
        p.owner_org_id.as_uuid(),
        p.id.as_uuid(),
        fields.headline,
        fields.description,
        fields.location,
        fields.expected_completion.and_then(YearMonth::first_day),
        m.user_id().as_uuid(),
        m.org_id().as_uuid(),
    )
    .execute(scope.conn())
    .await?;
    append_project_event(
        scope,
        p.owner_org_id,
        p.id,
        NewEvent::new(Some(m.user_id()), Action::PresentationUpdated)
            .target("project", p.id)
            .metadata(serde_json::json!({ "fields": changed })),
    )
    .await?;
    presentation(scope, project).await
}

/// What a unit's page says beyond its facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPresentation {
    pub description: Option<String>,
    pub last_changed: Option<LastChanged>,
    pub may_edit: bool,
}

/// The unit's presentation, for a unit the scope may see (the pool rules
/// of `units::get`; outside them, `NotFound`).
#[tracing::instrument(skip(scope))]
pub async fn unit_presentation(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
) -> Result<UnitPresentation, RepoError> {
    let u = crate::db::units::get(scope, project, unit).await?;
    let p = get(scope, project).await?;
    let row = sqlx::query!(
        r#"
        select up.description, up.updated_by_user_id, up.updated_by_org_id,
               u.display_name, b.name as "org_name?", up.updated_at
        from unit_presentations up
        join users u on u.id = up.updated_by_user_id
        left join public_org_brands b on b.id = up.updated_by_org_id
        where up.org_id = $1 and up.unit_id = $2
        "#,
        p.owner_org_id.as_uuid(),
        u.id.as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?;
    Ok(UnitPresentation {
        description: row.as_ref().and_then(|r| r.description.clone()),
        last_changed: row.map(|r| LastChanged {
            user_id: UserId::from_db(r.updated_by_user_id),
            name: r.display_name,
            org_id: OrgId::from_db(r.updated_by_org_id),
            org_name: r.org_name,
            at: r.updated_at,
        }),
        may_edit: may_present(scope, &p),
    })
}

/// Replaces a unit's description (`None`: none shown). One event with the
/// unit's code and `{"fields": ["description"]}`; the same text again
/// writes none.
#[tracing::instrument(skip(scope, description))]
pub async fn update_unit_presentation(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
    description: Option<&str>,
) -> Result<UnitPresentation, RepoError> {
    let p = require_editor(scope, project).await?;
    let u = crate::db::units::get(scope, project, unit).await?;
    lock_project(scope, project).await?;
    let before = sqlx::query_scalar!(
        "select description from unit_presentations where org_id = $1 and unit_id = $2",
        p.owner_org_id.as_uuid(),
        u.id.as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?
    .flatten();
    if before.as_deref() == description {
        return unit_presentation(scope, project, unit).await;
    }
    let m = scope.membership().clone();
    sqlx::query!(
        r#"
        insert into unit_presentations
            (org_id, project_id, unit_id, description, updated_by_user_id, updated_by_org_id)
        values ($1, $2, $3, $4, $5, $6)
        on conflict (org_id, unit_id) do update
           set description = excluded.description,
               updated_by_user_id = excluded.updated_by_user_id,
               updated_by_org_id = excluded.updated_by_org_id
        "#,
        p.owner_org_id.as_uuid(),
        p.id.as_uuid(),
        u.id.as_uuid(),
        description,
        m.user_id().as_uuid(),
        m.org_id().as_uuid(),
    )
    .execute(scope.conn())
    .await?;
    append_project_event(
        scope,
        p.owner_org_id,
        p.id,
        NewEvent::new(Some(m.user_id()), Action::UnitPresentationUpdated)
            .target("unit", u.id)
            .metadata(serde_json::json!({ "fields": [field::DESCRIPTION], "unit_code": u.code })),
    )
    .await?;
    unit_presentation(scope, project, unit).await
}
