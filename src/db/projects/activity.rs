//! Project Settings → Activity log (SPEC R8.4, issue 12 item 6): the
//! events of one project, read from its owner's audit chain (every event on
//! a project goes there, whoever wrote it: docs/decisions.md, "Whose chain
//! a partner's event goes into (issue 12)"), with the organisation log's
//! filters and keyset paging ([`log::Filter`], [`log::Page`]).
//!
//! Only the owning organisation reads it, its roles that R2.2 names ("view
//! project activity log": Owner, Admin, Sales Manager, Content Editor). A
//! project that is not the scope's own — another organisation's, or one the
//! scope's organisation only partners, whose owner's chain is not its to
//! read — is `NotFound` (R2.5) before the role is looked at; a role without
//! the permission is `Forbidden`.

use super::{get, Project, Relation};
use crate::{
    db::{
        audit::{
            log::{self, Filter, Page, Person},
            Action,
        },
        RepoError, Scope,
    },
    domain::ProjectId,
    policy::Permission,
};

/// The project, when it is the scope's organisation's own, and the role may
/// see its activity.
async fn own_project(scope: &mut Scope, id: ProjectId) -> Result<Project, RepoError> {
    let project = get(scope, id).await?;
    if project.relation != Relation::Owner {
        return Err(RepoError::NotFound);
    }
    scope.authorize(Permission::ViewProjectActivity)?;
    Ok(project)
}

/// One page of the project's events, newest first.
#[tracing::instrument(skip(scope))]
pub async fn activity(
    scope: &mut Scope,
    id: ProjectId,
    filter: &Filter,
    limit: i64,
) -> Result<Page, RepoError> {
    own_project(scope, id).await?;
    log::entries(scope, Some(id), filter, limit).await
}

/// What the activity log's filters offer: the people who acted on the
/// project and the actions its events hold.
#[tracing::instrument(skip(scope))]
pub async fn activity_choices(
    scope: &mut Scope,
    id: ProjectId,
) -> Result<(Vec<Person>, Vec<Action>), RepoError> {
    own_project(scope, id).await?;
    log::project_choices(scope, id).await
}
