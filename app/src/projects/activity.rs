//! Project Settings → Activity log (SPEC R8.4, issue 12 item 6): the
//! project's events from its owner's audit chain, newest first, with the
//! organisation log's filters (who, what, date range; in the URL, a GET
//! form, so it works before hydration and can be bookmarked) and keyset
//! paging. For the owning organisation's roles with "view project activity
//! log" (R2.2); a Sales Agent gets a 403, anyone else the neutral 404.

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};

use super::ProjectView;
use crate::{audit::FilterQuery, ui::EventRow};

/// Rows per page, as the organisation's log.
pub const ACTIVITY_PAGE_SIZE: i64 = crate::audit::PAGE_SIZE;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub project: ProjectView,
    pub rows: Vec<EventRow>,
    pub next_before: Option<i64>,
    /// Who acted on the project (id, name), for the "Who" filter.
    pub people: Vec<(String, String)>,
    /// The actions its events hold (name, label), for the "What" filter.
    pub actions: Vec<(String, String)>,
}

/// What the activity log's URL answers: the log, or where the renamed
/// project's log is now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityPage {
    Found(Box<ActivityView>),
    Moved(String),
}

/// The activity log of the project at `/projects/<slug>` of this
/// organisation's address.
#[server(endpoint = "projects/activity")]
pub async fn load_project_activity(
    slug: String,
    // No filter at all (the page without a query string) encodes as no
    // field, which a client-side navigation sends: default it.
    #[server(default)] query: FilterQuery,
) -> Result<ActivityPage, AppError> {
    use super::server;
    use crate::ssr;
    use offplan::db::projects::{self, SlugLookup};
    let slug = server::slug_or_404(&slug)?;
    let info = ssr::request_site()?;
    // Who is asking first (session and membership), then their input.
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let filter = query.parse()?;
    let project = match projects::resolve_own(&mut scope, slug.as_str()).await? {
        SlugLookup::Moved { slug } => {
            return Ok(ActivityPage::Moved(format!(
                "/projects/{slug}/settings/activity"
            )))
        }
        SlugLookup::Found(p) => p,
    };
    let page = projects::activity(&mut scope, project.id, &filter, ACTIVITY_PAGE_SIZE).await?;
    let (people, actions) = projects::activity_choices(&mut scope, project.id).await?;
    let super::ProjectPage::Found(view) =
        server::page(&info, &brand, &scope, SlugLookup::Found(project), |s| {
            format!("/projects/{s}")
        })
    else {
        return Err(AppError::NotFound);
    };
    scope.commit().await?;
    Ok(ActivityPage::Found(Box::new(ActivityView {
        project: view,
        rows: page.entries.iter().map(EventRow::of).collect(),
        next_before: page.next_before,
        people: people
            .into_iter()
            .map(|p| (p.id.to_string(), p.name))
            .collect(),
        actions: actions
            .into_iter()
            .map(|a| (a.as_str().to_owned(), a.label().to_owned()))
            .collect(),
    })))
}
