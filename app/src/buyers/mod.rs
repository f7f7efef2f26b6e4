//! Buyers (SPEC R1.9, R2.2, R7.3; issue 13): the people an organisation's
//! agents record, the links to one unit each sends them, and the
//! joint-controller gate in front of both (the data-processing terms at
//! `/settings/data-processing`). The repository (`offplan::db::buyers`)
//! decides who may do what — own buyers for a Sales Agent, the pool rules
//! for units, the gate for everyone — and the pages only hide what it
//! would refuse: a closed gate is a 403 whose reason the pages explain.
//!
//! Each server function: bound input → `ssr::org_scope` (membership
//! re-read, R2.4) → one repository call (reads may make a few) → DTO. The
//! reads are here; the changes in `manage.rs`; the pages in [`pages`].

mod manage;
pub mod pages;

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use manage::*;
pub use pages::{BuyerPage, BuyersPage, DataProcessingPage, SendUnitPage};

/// Where the organisation stands with the current data-processing terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateView {
    pub open: bool,
    pub version: String,
    /// "Accepted by Omar Haddad on 1 Dec 2026".
    pub accepted: Option<String>,
    /// An earlier version was accepted: "… accepted data-processing-v0 on …".
    pub earlier: Option<String>,
    pub may_accept: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerRow {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub consent: bool,
    pub recorded_by: String,
    pub live_links: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyersView {
    pub org_name: String,
    pub gate: GateView,
    /// Whether the person manages buyers at all (their role).
    pub may_manage: bool,
    /// A Sales Agent sees their own buyers only.
    pub own_only: bool,
    pub buyers: Vec<BuyerRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRow {
    pub id: Uuid,
    pub project: String,
    pub unit: String,
    pub issued: String,
    pub issued_by: String,
    pub expires: String,
    /// "Active", "Expired", "Revoked: replaced by a newer link".
    pub state: String,
    pub active: bool,
    pub last_opened: Option<String>,
}

/// A project the person may send units of, and (when chosen) its units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectChoice {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitChoice {
    pub id: Uuid,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerView {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub consent: bool,
    pub consent_since: Option<String>,
    pub recorded_by: String,
    pub added: String,
    pub links: Vec<LinkRow>,
    pub projects: Vec<ProjectChoice>,
    /// The project chosen for a new link, and its units on sale that the
    /// person may see (R6.1).
    pub chosen: Option<ProjectChoice>,
    pub units: Vec<UnitChoice>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsView {
    pub gate: GateView,
    pub text: String,
    /// Whether the settings tabs show the audit log (R4.7).
    pub can_view_audit: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendView {
    pub project: ProjectChoice,
    pub unit: UnitChoice,
    pub buyers: Vec<BuyerRow>,
}

#[cfg(feature = "ssr")]
pub(crate) mod convert {
    use super::*;
    use offplan::db::buyers::{
        links::{BuyerLink, LinkState},
        terms::TermsStatus,
        Buyer,
    };

    pub fn gate(s: TermsStatus) -> GateView {
        GateView {
            open: s.is_open(),
            accepted: s
                .accepted
                .map(|a| format!("Accepted by {} on {}.", a.by_name, crate::ssr::day(a.at))),
            earlier: s.earlier.map(|a| {
                format!(
                    "{} accepted an earlier version ({}) on {}.",
                    a.by_name,
                    a.version,
                    crate::ssr::day(a.at)
                )
            }),
            version: s.version,
            may_accept: s.may_accept,
        }
    }

    pub fn row(b: Buyer) -> BuyerRow {
        BuyerRow {
            id: b.id.as_uuid(),
            name: b.name,
            email: b.email,
            phone: b.phone,
            consent: b.consent_to_contact,
            recorded_by: b.recorded_by_name,
            live_links: b.live_links,
        }
    }

    pub fn link(l: BuyerLink) -> LinkRow {
        let (state, active) = match l.state {
            LinkState::Active => ("Active".to_owned(), true),
            LinkState::Expired => ("Expired".to_owned(), false),
            LinkState::Revoked(why) => (format!("Revoked: {}", why.label()), false),
        };
        LinkRow {
            id: l.id.as_uuid(),
            project: l
                .project_name
                .unwrap_or_else(|| "A project no longer shared with you".to_owned()),
            unit: l.unit_code.unwrap_or_else(|| "—".to_owned()),
            issued: crate::ssr::day(l.created_at),
            issued_by: l.issued_by_name,
            expires: crate::ssr::day(l.expires_at),
            state,
            active,
            last_opened: l.last_opened_at.map(crate::ssr::ago),
        }
    }

    /// An id from the URL or a form; anything else names nothing (404).
    pub fn buyer_id(id: &str) -> Result<offplan::domain::BuyerId, AppError> {
        offplan::domain::BuyerId::parse(id).ok_or(AppError::NotFound)
    }

    pub fn may_manage(scope: &offplan::db::Scope) -> bool {
        scope
            .membership()
            .role()
            .can(offplan::policy::Permission::ManageBuyers)
    }

    pub fn own_only(scope: &offplan::db::Scope) -> bool {
        scope
            .membership()
            .role()
            .grant(offplan::policy::Permission::ManageBuyers)
            == Some(offplan::policy::Grant::Limited(
                offplan::policy::Limit::OwnBuyers,
            ))
    }

    pub fn project(p: &offplan::db::projects::Project) -> ProjectChoice {
        ProjectChoice {
            id: p.id.as_uuid(),
            slug: p.slug.clone(),
            name: if p.relation == offplan::db::projects::Relation::Owner {
                p.name.clone()
            } else {
                format!("{} ({})", p.name, p.owner_name)
            },
        }
    }

    /// The units of a project a person may send: those they see, on sale.
    pub fn sendable(units: Vec<offplan::db::units::Unit>) -> Vec<UnitChoice> {
        use offplan::db::units::UnitStatus;
        units
            .into_iter()
            .filter(|u| matches!(u.status, UnitStatus::Available | UnitStatus::Reserved))
            .map(|u| UnitChoice {
                id: u.id.as_uuid(),
                label: match (u.bedrooms, u.floor) {
                    (Some(b), Some(f)) => format!("{} · {b} bed · floor {f}", u.code),
                    _ => u.code,
                },
            })
            .collect()
    }

    /// The projects whose units the person may see (owned or partnered as
    /// an agency), by name.
    pub async fn projects(
        scope: &mut offplan::db::Scope,
    ) -> Result<Vec<offplan::db::projects::Project>, AppError> {
        use offplan::db::projects::{self, Relation};
        Ok(projects::list(scope)
            .await?
            .into_iter()
            .filter(|p| matches!(p.relation, Relation::Owner | Relation::AgencyPartner))
            .collect())
    }
}

/// The `/buyers` page: the gate, and the buyers the person may see.
#[server(endpoint = "buyers/load")]
pub async fn load_buyers() -> Result<BuyersView, AppError> {
    use crate::ssr;
    use offplan::db::buyers::{self, terms};
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let gate = convert::gate(terms::status(&mut scope, terms::CURRENT_VERSION).await?);
    let may_manage = convert::may_manage(&scope);
    let own_only = convert::own_only(&scope);
    let list = if gate.open && may_manage {
        buyers::list(&mut scope).await?
    } else {
        Vec::new()
    };
    scope.commit().await?;
    Ok(BuyersView {
        org_name: brand.name,
        gate,
        may_manage,
        own_only,
        buyers: list.into_iter().map(convert::row).collect(),
    })
}

/// The `/buyers/:id` page: the record, its links, and what a new link may
/// be for (`project`: the slug chosen in the form, if any).
#[server(endpoint = "buyers/get")]
pub async fn load_buyer(
    id: String,
    #[server(default)] project: String,
) -> Result<BuyerView, AppError> {
    use crate::ssr;
    use offplan::db::{buyers, units};
    let (mut scope, _, _) = ssr::org_scope().await?;
    let id = convert::buyer_id(&id)?;
    let buyer = buyers::get(&mut scope, id).await?;
    let links = buyers::links::list(&mut scope, id).await?;
    let projects = convert::projects(&mut scope).await?;
    let chosen = projects.iter().find(|p| p.slug == project.trim()).cloned();
    let units = match &chosen {
        Some(p) => convert::sendable(units::list(&mut scope, p.id).await?),
        None => Vec::new(),
    };
    scope.commit().await?;
    Ok(BuyerView {
        id: buyer.id.as_uuid(),
        consent_since: buyer.consent_recorded_at.map(ssr::day),
        added: ssr::day(buyer.created_at),
        recorded_by: buyer.recorded_by_name,
        links: links.into_iter().map(convert::link).collect(),
        projects: projects.iter().map(convert::project).collect(),
        chosen: chosen.as_ref().map(convert::project),
        units,
        name: buyer.name,
        email: buyer.email,
        phone: buyer.phone,
        notes: buyer.notes,
        consent: buyer.consent_to_contact,
    })
}

/// The terms page: the text, its version, and who accepted it when.
#[server(endpoint = "buyers/terms")]
pub async fn load_terms() -> Result<TermsView, AppError> {
    use crate::ssr;
    use offplan::db::buyers::terms;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let gate = convert::gate(terms::status(&mut scope, terms::CURRENT_VERSION).await?);
    let can_view_audit = scope
        .membership()
        .role()
        .can(offplan::policy::Permission::ViewAuditLog);
    scope.commit().await?;
    Ok(TermsView {
        gate,
        text: terms::CURRENT_TEXT.to_owned(),
        can_view_audit,
    })
}

/// `/buyers/send?project=<slug>&unit=<uuid>`: the unit, and the buyers
/// the person may send it to. A unit they may not see is 404.
#[server(endpoint = "buyers/send")]
pub async fn load_send(project: String, unit: String) -> Result<SendView, AppError> {
    use crate::ssr;
    use offplan::db::{buyers, units};
    let (mut scope, _, _) = ssr::org_scope().await?;
    let unit_id = offplan::domain::UnitId::parse(&unit).ok_or(AppError::NotFound)?;
    // A slug names a project of its owner: among those the person sees,
    // the one that holds this unit.
    let mut found = None;
    for p in convert::projects(&mut scope).await? {
        if p.slug != project.trim() {
            continue;
        }
        match units::get(&mut scope, p.id, unit_id).await {
            Ok(u) => {
                found = Some((p, u));
                break;
            }
            Err(offplan::db::RepoError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let (p, u) = found.ok_or(AppError::NotFound)?;
    let list = buyers::list(&mut scope).await?;
    scope.commit().await?;
    let unit = convert::sendable(vec![u])
        .pop()
        .ok_or(AppError::Conflict(offplan::error::Conflict::UnitNotOffered))?;
    Ok(SendView {
        project: convert::project(&p),
        unit,
        buyers: list.into_iter().map(convert::row).collect(),
    })
}
