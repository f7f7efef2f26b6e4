//! Projects (SPEC R1.6, R1.7, R6.1, R7.1): the organisation's list (its own
//! and those it partners), creating one, the project's branded home and its
//! settings (name, address, status, stock mode).
//!
//! URLs (docs/decisions.md, "Where a partner works on a project"):
//! - `<org>.<base>/projects/<slug>`: a project of the organisation whose
//!   address this is, for its members;
//! - `<partner>.<base>/with/<owner-subdomain>/<slug>`: the same project for
//!   the members of a partner organisation, in their own workspace. Slugs are
//!   unique only per organisation, so the owner's subdomain is part of it.
//!
//! Anyone else gets the neutral 404 — a partner's member on the owner's
//! address included. A changed slug keeps answering, as a permanent
//! redirect to the new one.
//!
//! Here: the pages' data and its loaders; the changes in `manage.rs`; the
//! pages in [`pages`].

mod activity;
pub mod board;
mod manage;
pub mod pages;
pub mod partners;
pub mod presentation;

use leptos::prelude::*;
use offplan::{
    domain::{ProjectStatus, StockMode},
    AppError,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use activity::*;
pub use manage::*;
pub use pages::{
    NewProjectPage, PartnerProjectHomePage, ProjectActivityPage, ProjectHomePage,
    ProjectSettingsPage, ProjectsPage,
};

/// One line of the projects list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectCard {
    pub name: String,
    pub status: ProjectStatus,
    pub stock_mode: StockMode,
    /// The owning organisation's name when it is another's (a partnership).
    pub owner_name: Option<String>,
    /// "Studio partner" / "Agency partner" for a partnership.
    pub relation: Option<String>,
    pub href: String,
    /// Units set aside when a partner was removed, waiting to be
    /// reassigned (own projects, for the roles that allocate units).
    pub set_aside: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectsView {
    pub org_name: String,
    /// R1.3 and R2.2: a Developer (or a Studio, for a client) Owner/Admin.
    pub can_create: bool,
    pub own: Vec<ProjectCard>,
    pub partnered: Vec<ProjectCard>,
}

/// A project as its home and settings show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectView {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub status: ProjectStatus,
    pub stock_mode: StockMode,
    pub owner_name: String,
    /// `None` on the owner's own address; the partner kind otherwise.
    pub relation: Option<String>,
    /// Where this project lives for the viewer (own or partner URL).
    pub href: String,
    pub can_edit: bool,
    pub can_toggle_stock: bool,
    /// Project Settings → Activity log (R8.4, R2.2): the owner's roles
    /// with "view project activity log".
    pub can_view_activity: bool,
}

/// What a project URL answers: the project, or where it moved to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectPage {
    Found(ProjectView),
    /// The path of the project's current address (a renamed slug).
    Moved(String),
}

/// What the new-project form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProjectView {
    pub org_name: String,
    /// A Developer creates on its own account.
    pub own_account: bool,
    /// A Studio creates on behalf of one of these clients (id, name).
    pub clients: Vec<(Uuid, String)>,
}

/// The project list of this organisation's address (R1.6, R1.7).
#[server(endpoint = "projects/list")]
pub async fn load_projects() -> Result<ProjectsView, AppError> {
    use crate::ssr;
    use offplan::db::projects;
    let info = ssr::request_site()?;
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let types = server::client_types(&brand);
    let can_create = server::may_create(&scope, &types);
    let all = projects::list(&mut scope).await?;
    let set_aside = if scope
        .membership()
        .role()
        .can(offplan::policy::Permission::AllocateUnits)
    {
        projects::partners::set_aside_counts(&mut scope).await?
    } else {
        Vec::new()
    };
    scope.commit().await?;
    let (own, partnered): (Vec<_>, Vec<_>) = all
        .into_iter()
        .map(|p| {
            let held = set_aside
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |(_, n)| *n);
            ProjectCard {
                set_aside: if p.relation == projects::Relation::Owner {
                    held
                } else {
                    0
                },
                ..server::card(&info, &brand, p)
            }
        })
        .partition(|c| c.owner_name.is_none());
    Ok(ProjectsView {
        org_name: brand.name.clone(),
        can_create,
        own,
        partnered,
    })
}

/// The project at `/projects/<slug>` of this organisation's address.
#[server(endpoint = "projects/own")]
pub async fn load_project(slug: String) -> Result<ProjectPage, AppError> {
    use crate::ssr;
    use offplan::db::projects;
    let slug = server::slug_or_404(&slug)?;
    let info = ssr::request_site()?;
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let found = projects::resolve_own(&mut scope, slug.as_str()).await?;
    let page = server::page(&info, &brand, &scope, found, |s| format!("/projects/{s}"));
    scope.commit().await?;
    Ok(page)
}

/// The project at `/with/<owner>/<slug>`: one this organisation partners.
#[server(endpoint = "projects/partnered")]
pub async fn load_partner_project(owner: String, slug: String) -> Result<ProjectPage, AppError> {
    use crate::ssr;
    use offplan::db::projects;
    let slug = server::slug_or_404(&slug)?;
    let owner = offplan::domain::Subdomain::parse(owner.trim()).map_err(|_| AppError::NotFound)?;
    let info = ssr::request_site()?;
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let found = projects::resolve_partnered(&mut scope, owner.as_str(), slug.as_str()).await?;
    let page = server::page(&info, &brand, &scope, found, |s| {
        format!("/with/{}/{s}", owner.as_str())
    });
    scope.commit().await?;
    Ok(page)
}

/// The new-project form's choices; a 403 for those who may not create.
#[server(endpoint = "projects/new")]
pub async fn load_new_project() -> Result<NewProjectView, AppError> {
    use crate::ssr;
    use offplan::{db::clients, domain::ClientType};
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let types = server::client_types(&brand);
    if !server::may_create(&scope, &types) {
        return Err(AppError::Forbidden);
    }
    let clients = if types.contains(&ClientType::Studio) {
        clients::list(&mut scope)
            .await?
            .into_iter()
            .map(|c| (c.id.as_uuid(), c.name))
            .collect()
    } else {
        Vec::new()
    };
    scope.commit().await?;
    Ok(NewProjectView {
        org_name: brand.name.clone(),
        own_account: types.contains(&ClientType::Developer),
        clients,
    })
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::site::SiteInfo;
    use offplan::{
        db::{
            projects::{Project, Relation, SlugLookup},
            Scope,
        },
        domain::{ClientType, OrgBrand, ProjectSlug},
        policy::Permission,
    };

    /// The organisation's client types (R1.3), as its brand carries them:
    /// what the pages offer. The repository checks them again in its
    /// transaction.
    pub fn client_types(brand: &OrgBrand) -> Vec<ClientType> {
        brand.client_types.clone()
    }

    /// A slug that cannot be one names no project: the same 404.
    pub fn slug_or_404(slug: &str) -> Result<ProjectSlug, AppError> {
        ProjectSlug::parse(slug).map_err(|_| AppError::NotFound)
    }

    /// R1.3 with R2.2, as the pages offer it; the repository decides again.
    pub fn may_create(scope: &Scope, types: &[ClientType]) -> bool {
        scope.membership().role().can(Permission::ManageProjects)
            && (types.contains(&ClientType::Developer) || types.contains(&ClientType::Studio))
    }

    fn relation_label(relation: Relation) -> Option<String> {
        match relation {
            Relation::Owner => None,
            Relation::StudioPartner => Some("Studio partner".to_owned()),
            Relation::AgencyPartner => Some("Agency partner".to_owned()),
            Relation::Client => Some("Client (read-only)".to_owned()),
        }
    }

    /// Where `p` lives for the members of `brand`'s organisation.
    pub fn href(info: &SiteInfo, brand: &OrgBrand, p: &Project) -> String {
        let path = match p.relation {
            Relation::Owner => format!("/projects/{}", p.slug),
            _ => format!("/with/{}/{}", p.owner_subdomain, p.slug),
        };
        info.org_url(brand.subdomain.as_str(), &path)
    }

    pub fn card(info: &SiteInfo, brand: &OrgBrand, p: Project) -> ProjectCard {
        ProjectCard {
            href: href(info, brand, &p),
            name: p.name,
            status: p.status,
            stock_mode: p.stock_mode,
            owner_name: (p.relation != Relation::Owner).then_some(p.owner_name),
            relation: relation_label(p.relation),
            set_aside: 0,
        }
    }

    /// What a project URL answers; `moved` makes the path of a new slug.
    pub fn page(
        info: &SiteInfo,
        brand: &OrgBrand,
        scope: &Scope,
        found: SlugLookup,
        moved: impl Fn(&str) -> String,
    ) -> ProjectPage {
        match found {
            SlugLookup::Moved { slug } => ProjectPage::Moved(moved(&slug)),
            SlugLookup::Found(p) => {
                let owner = p.relation == Relation::Owner;
                let role = scope.membership().role();
                ProjectPage::Found(ProjectView {
                    id: p.id.as_uuid(),
                    href: href(info, brand, &p),
                    name: p.name,
                    slug: p.slug,
                    status: p.status,
                    stock_mode: p.stock_mode,
                    owner_name: p.owner_name,
                    relation: relation_label(p.relation),
                    can_edit: owner && role.can(Permission::ManageProjects),
                    can_toggle_stock: owner && role.can(Permission::ToggleStockMode),
                    can_view_activity: owner && role.can(Permission::ViewProjectActivity),
                })
            }
        }
    }
}
