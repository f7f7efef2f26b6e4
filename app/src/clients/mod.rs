//! Clients (SPEC R1.3, R1.5; issue 12): the records a Studio keeps of the
//! companies it works for — company, contact, notes — whether each has
//! joined the platform, and the projects the Studio runs for it. Every
//! member of a Studio sees them; Owner and Admin change them; any other
//! organisation is refused (403) and another organisation's client is not
//! found (404). The repository (`offplan::db::clients`) decides all of it;
//! the pages only hide what it would refuse.
//!
//! Each server function: bound input → `ssr::org_scope` (membership re-read,
//! R2.4) → one repository call → DTO. Here the reads; the changes in
//! `manage.rs`; the pages in [`pages`].

pub mod invite;
mod manage;
pub mod pages;

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use invite::{ClientInvitationsPage, ClientInvitePage};
pub use manage::*;
pub use pages::{ClientPage, ClientsPage};

/// Whether a client is on the platform (R1.5: `linked_org_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Platform {
    NotYet,
    /// Joined, as the organisation named when its name is public.
    Joined(Option<String>),
}

impl Platform {
    /// What the list's column says.
    pub fn label(&self) -> String {
        match self {
            Platform::NotYet => "Not yet".to_owned(),
            Platform::Joined(Some(name)) => format!("Joined as {name}"),
            Platform::Joined(None) => "Joined".to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRow {
    pub id: Uuid,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub platform: Platform,
    pub projects: i64,
    /// When it was archived, for the archived list.
    pub archived: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientsView {
    pub org_name: String,
    pub can_manage: bool,
    pub active: Vec<ClientRow>,
    pub archived: Vec<ClientRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectLink {
    pub name: String,
    pub href: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientView {
    pub id: Uuid,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub notes: Option<String>,
    pub platform: Platform,
    pub added: String,
    pub archived: Option<String>,
    pub can_manage: bool,
    pub projects: Vec<ProjectLink>,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use offplan::db::clients::Client;

    pub fn platform(c: &Client) -> Platform {
        match &c.linked_org {
            None => Platform::NotYet,
            Some(org) => Platform::Joined(org.name.clone()),
        }
    }

    pub fn row(c: Client) -> ClientRow {
        ClientRow {
            id: c.id.as_uuid(),
            platform: platform(&c),
            archived: c.archived_at.map(crate::ssr::day),
            name: c.name,
            contact_name: c.contact_name,
            contact_email: c.contact_email,
            projects: c.project_count,
        }
    }

    /// An id from the URL or a form; anything else names no client (404).
    pub fn client_id(id: &str) -> Result<offplan::domain::ClientId, AppError> {
        offplan::domain::ClientId::parse(id).ok_or(AppError::NotFound)
    }

    pub fn can_manage(scope: &offplan::db::Scope) -> bool {
        scope
            .membership()
            .role()
            .can(offplan::policy::Permission::ManageProjects)
    }
}

/// The `/clients` page: active clients first, the archived ones apart.
#[server(endpoint = "clients/load")]
pub async fn load_clients() -> Result<ClientsView, AppError> {
    use crate::ssr;
    use offplan::db::clients;
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let all = clients::list_all(&mut scope).await?;
    let can_manage = convert::can_manage(&scope);
    scope.commit().await?;
    let (archived, active): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| c.is_archived());
    Ok(ClientsView {
        org_name: brand.name,
        can_manage,
        active: active.into_iter().map(convert::row).collect(),
        archived: archived.into_iter().map(convert::row).collect(),
    })
}

/// The `/clients/:id` page: the record and the projects run for it.
#[server(endpoint = "clients/get")]
pub async fn load_client(id: String) -> Result<ClientView, AppError> {
    use crate::ssr;
    use offplan::db::clients;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let id = convert::client_id(&id)?;
    let client = clients::get(&mut scope, id).await?;
    let projects = clients::projects(&mut scope, id).await?;
    let can_manage = convert::can_manage(&scope);
    scope.commit().await?;
    Ok(ClientView {
        id: client.id.as_uuid(),
        platform: convert::platform(&client),
        added: ssr::day(client.created_at),
        archived: client.archived_at.map(ssr::day),
        can_manage,
        projects: projects
            .into_iter()
            .map(|p| ProjectLink {
                href: format!("/projects/{}", p.slug),
                name: p.name,
            })
            .collect(),
        name: client.name,
        contact_name: client.contact_name,
        contact_email: client.contact_email,
        notes: client.notes,
    })
}
