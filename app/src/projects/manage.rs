//! The projects' changes (R1.6, R6.1): creating one, its settings (name,
//! address, status) and its stock mode. Each bounds its input, opens the
//! actor's scope (membership re-read, R2.4), makes one repository call —
//! which authorises and audits in the same transaction (R8.1) — and
//! answers where to go next. A plain form post (no script) is sent there
//! by a redirect.

use leptos::prelude::*;
use offplan::AppError;

/// The longest project name (the `projects.name` check).
pub const MAX_PROJECT_NAME: usize = 200;

#[cfg(feature = "ssr")]
mod input {
    use super::*;
    use offplan::{
        db::RepoError,
        domain::{bounded_text, ProjectSlug, ProjectStatus},
        error::Conflict,
    };

    pub fn name(name: &str) -> Result<String, AppError> {
        bounded_text(name, MAX_PROJECT_NAME, "the project's name")
            .map_err(|e| AppError::invalid("name", e.to_string()))
    }

    /// The slug typed, or one made from the name when left empty.
    pub fn slug(slug: &str, name: &str) -> Result<ProjectSlug, AppError> {
        if slug.trim().is_empty() {
            return ProjectSlug::suggest(name).ok_or_else(|| {
                AppError::invalid(
                    "slug",
                    "Choose a web address: lower-case letters, digits and hyphens.",
                )
            });
        }
        ProjectSlug::parse(slug).map_err(|e| AppError::invalid("slug", e.to_string()))
    }

    /// A project id from a form; anything else names no project (404).
    pub fn project(id: &str) -> Result<offplan::domain::ProjectId, AppError> {
        offplan::domain::ProjectId::parse(id).ok_or(AppError::NotFound)
    }

    pub fn status(status: &str) -> Result<ProjectStatus, AppError> {
        ProjectStatus::parse(status).ok_or_else(|| AppError::invalid("status", "Choose a status."))
    }

    /// A taken slug is the slug field's problem, said beside it.
    pub fn slug_taken(e: RepoError) -> AppError {
        match e {
            RepoError::Conflict(c @ Conflict::SlugTaken) => {
                AppError::invalid("slug", c.to_string())
            }
            other => other.into(),
        }
    }
}

/// R1.6: creates a project (a Developer on its own account, a Studio for one
/// of its clients, R1.3) and answers the new project's address.
#[server(endpoint = "projects/create")]
pub async fn create_project(
    name: String,
    slug: String,
    status: String,
    #[server(default)] client: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::{db::projects, domain::ClientId};
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let name = input::name(&name)?;
    let slug = input::slug(&slug, &name)?;
    let status = input::status(&status)?;
    let client_id = match client.trim() {
        "" => None,
        id => Some(
            ClientId::parse(id).ok_or_else(|| AppError::invalid("client", "Choose a client."))?,
        ),
    };
    let new = projects::NewProject {
        name,
        slug: slug.to_string(),
        status,
        client_id,
    };
    let project = projects::create(&mut scope, &new)
        .await
        .map_err(input::slug_taken)?;
    scope.commit().await?;
    let url = ssr::request_site()?.org_url(
        brand.subdomain.as_str(),
        &format!("/projects/{}", project.slug),
    );
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Project Settings → General: name, address and status. A new address
/// keeps the old one as a redirect. Answers the settings page's address
/// (it moves with the slug).
#[server(endpoint = "projects/settings")]
pub async fn update_project(
    id: String,
    name: String,
    slug: String,
    status: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::db::projects;
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let name = input::name(&name)?;
    let slug = input::slug(&slug, &name)?;
    let status = input::status(&status)?;
    let settings = projects::ProjectSettings {
        name,
        slug: slug.to_string(),
        status,
    };
    let project = projects::update_settings(&mut scope, input::project(&id)?, &settings)
        .await
        .map_err(input::slug_taken)?;
    scope.commit().await?;
    let url = ssr::request_site()?.org_url(
        brand.subdomain.as_str(),
        &format!("/projects/{}/settings", project.slug),
    );
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// R6.1: closed pool ↔ open (Owner, Admin, Sales Manager), audited with
/// before and after. Every agent's next request reads the new mode.
#[server(endpoint = "projects/stock-mode")]
pub async fn set_stock_mode(id: String, mode: String) -> Result<(), AppError> {
    use crate::ssr;
    use offplan::{db::projects, domain::StockMode};
    let (mut scope, _, _) = ssr::org_scope().await?;
    let mode = StockMode::parse(&mode)
        .ok_or_else(|| AppError::invalid("mode", "Choose closed pool or open."))?;
    projects::set_stock_mode(&mut scope, input::project(&id)?, mode).await?;
    Ok(scope.commit().await?)
}
