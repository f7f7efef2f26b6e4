//! Changing projects (SPEC R1.3, R1.6, R6.1): creating one, its settings
//! (name, address, status) and its stock mode. Only the owning organisation
//! changes a project: a partner, which can see it, is refused (403), anyone
//! else does not find it (404, R2.5). Each change locks the project's row
//! and writes its one audit event, carrying the project, in the same
//! transaction (R8.1); a change that changes nothing writes none.
//!
//! Names and slugs arrive parsed (the server functions bound them with
//! `domain::ProjectSlug` and the name rule); the database checks them again.

use super::{get, Project, ProjectStatus, Relation, StockMode};
use crate::{
    db::{
        audit::{self, Action, NewEvent},
        error::unique_violation,
        RepoError, Scope,
    },
    domain::{ClientId, ClientType, ProjectId},
    error::Conflict,
    policy::Permission,
};
use serde::{Deserialize, Serialize};

/// A project to create (R1.6). `client_id`: the studio's client it is made
/// for (R1.3); `None` for a developer's own project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProject {
    pub name: String,
    pub slug: String,
    pub status: ProjectStatus,
    pub client_id: Option<ClientId>,
}

/// Project Settings → General.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSettings {
    pub name: String,
    pub slug: String,
    pub status: ProjectStatus,
}

/// The unique constraint of a slug within its organisation (R1.6).
const SLUG_KEY: &str = "projects_org_slug_key";

/// A slug already used by another project of the organisation is a
/// conflict the form shows beside the field; any other error is itself.
fn slug_taken(e: sqlx::Error) -> RepoError {
    if unique_violation(&e) == Some(SLUG_KEY) {
        Conflict::SlugTaken.into()
    } else {
        e.into()
    }
}

/// R1.6 with R1.3: creates a project of the scope's organisation. What the
/// organisation is decides on whose behalf: a developer creates its own
/// projects (`client_id: None`), a studio creates them for one of its own
/// clients; anything else — an agency-only organisation, a client named by
/// an organisation that is no studio, no client from one that is no
/// developer — is `Forbidden`. A client that is not the organisation's is
/// `NotFound`. The new project takes its slug from any old project address
/// that redirected there (the newest project wins).
#[tracing::instrument(skip(scope, new), fields(project.slug = %new.slug))]
pub async fn create(scope: &mut Scope, new: &NewProject) -> Result<Project, RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    let org = scope.membership().org_id().as_uuid();
    let types = sqlx::query_scalar!(
        r#"select client_types as "client_types: Vec<ClientType>" from organisations where id = $1"#,
        org
    )
    .fetch_one(scope.conn())
    .await?;
    let may = match new.client_id {
        None => types.contains(&ClientType::Developer),
        Some(_) => types.contains(&ClientType::Studio),
    };
    if !may {
        return Err(scope.refuse(Permission::ManageProjects));
    }
    if let Some(client) = new.client_id {
        let archived = sqlx::query_scalar!(
            r#"select archived_at is not null as "archived!" from clients
               where org_id = $1 and id = $2"#,
            org,
            client.as_uuid()
        )
        .fetch_optional(scope.conn())
        .await?
        .ok_or(RepoError::NotFound)?;
        if archived {
            return Err(Conflict::ClientArchived.into());
        }
    }
    let id = sqlx::query_scalar!(
        r#"
        insert into projects (org_id, slug, name, status, client_id)
        values ($1, $2, $3, $4, $5)
        returning id
        "#,
        org,
        new.slug,
        new.name,
        new.status as ProjectStatus,
        new.client_id.map(|c| c.as_uuid()),
    )
    .fetch_one(scope.conn())
    .await
    .map_err(slug_taken)?;
    // After the insert: a rename that freed this slug and committed while
    // the insert waited on it has left its redirect, which goes now.
    sqlx::query!(
        "delete from project_slug_redirects where org_id = $1 and old_slug = $2",
        org,
        new.slug
    )
    .execute(scope.conn())
    .await?;
    let id = ProjectId::from_db(id);
    let actor = scope.membership().user_id();
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::ProjectCreated)
            .project(id)
            .target("project", id)
            .metadata(serde_json::json!({
                "slug": new.slug,
                "status": new.status.as_str(),
                "client": new.client_id.map(|c| c.to_string()),
            })),
    )
    .await?;
    get(scope, id).await
}

/// The project's changeable columns, read under its row lock.
struct Locked {
    name: String,
    slug: String,
    status: ProjectStatus,
    stock_mode: StockMode,
}

/// Locks one of the scope's organisation's own projects for a change
/// needing `permission`. A partner's member sees the project, so is refused
/// (403); anyone else does not find it (404).
async fn lock_own(
    scope: &mut Scope,
    id: ProjectId,
    permission: Permission,
) -> Result<Locked, RepoError> {
    if get(scope, id).await?.relation != Relation::Owner {
        return Err(scope.refuse(permission));
    }
    let org = scope.membership().org_id().as_uuid();
    sqlx::query_as!(
        Locked,
        r#"
        select name, slug, status as "status: ProjectStatus",
               stock_mode as "stock_mode: StockMode"
        from projects where org_id = $1 and id = $2
        for update
        "#,
        org,
        id.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)
}

/// R1.6: Project Settings → General. A new slug keeps the old one as a
/// redirect to the project (R7.1) and takes over any old slug of the same
/// name. The event carries only what changed; nothing changed, no event.
#[tracing::instrument(skip(scope, settings))]
pub async fn update_settings(
    scope: &mut Scope,
    id: ProjectId,
    settings: &ProjectSettings,
) -> Result<Project, RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    let before = lock_own(scope, id, Permission::ManageProjects).await?;
    let mut changed = serde_json::Map::new();
    if before.name != settings.name {
        changed.insert("name_changed".into(), true.into());
    }
    if before.slug != settings.slug {
        changed.insert("slug_from".into(), before.slug.clone().into());
        changed.insert("slug_to".into(), settings.slug.clone().into());
    }
    if before.status != settings.status {
        changed.insert("status_from".into(), before.status.as_str().into());
        changed.insert("status_to".into(), settings.status.as_str().into());
    }
    if changed.is_empty() {
        return get(scope, id).await;
    }
    let org = scope.membership().org_id().as_uuid();
    sqlx::query!(
        "update projects set name = $3, slug = $4, status = $5 where org_id = $1 and id = $2",
        org,
        id.as_uuid(),
        settings.name,
        settings.slug,
        settings.status as ProjectStatus,
    )
    .execute(scope.conn())
    .await
    .map_err(slug_taken)?;
    if before.slug != settings.slug {
        sqlx::query!(
            "delete from project_slug_redirects where org_id = $1 and old_slug in ($2, $3)",
            org,
            before.slug,
            settings.slug
        )
        .execute(scope.conn())
        .await?;
        sqlx::query!(
            "insert into project_slug_redirects (org_id, old_slug, project_id) values ($1, $2, $3)",
            org,
            before.slug,
            id.as_uuid()
        )
        .execute(scope.conn())
        .await?;
    }
    let actor = scope.membership().user_id();
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::ProjectUpdated)
            .project(id)
            .target("project", id)
            .metadata(changed.into()),
    )
    .await?;
    get(scope, id).await
}

/// R6.1: closed pool ↔ open (Owner, Admin, Sales Manager of the owning
/// organisation), audited with before and after. The same mode again
/// changes nothing and writes no event.
#[tracing::instrument(skip(scope))]
pub async fn set_stock_mode(
    scope: &mut Scope,
    id: ProjectId,
    mode: StockMode,
) -> Result<Project, RepoError> {
    scope.authorize(Permission::ToggleStockMode)?;
    let before = lock_own(scope, id, Permission::ToggleStockMode).await?;
    if before.stock_mode == mode {
        return get(scope, id).await;
    }
    let org = scope.membership().org_id().as_uuid();
    sqlx::query!(
        "update projects set stock_mode = $3 where org_id = $1 and id = $2",
        org,
        id.as_uuid(),
        mode as StockMode,
    )
    .execute(scope.conn())
    .await?;
    let actor = scope.membership().user_id();
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::ProjectStockModeChanged)
            .project(id)
            .target("project", id)
            .metadata(serde_json::json!({
                "from": before.stock_mode.as_str(),
                "to": mode.as_str(),
            })),
    )
    .await?;
    get(scope, id).await
}
