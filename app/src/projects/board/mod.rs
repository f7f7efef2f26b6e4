//! The allocation board (SPEC R6.1–R6.4; issue 14): the project's units
//! page, at the owner's address and in a partner agency's workspace
//! (`/with/<owner>/<slug>/units`). Every unit the person may see under the
//! pool rules, with status, holder, price and facts; filters kept in the
//! URL; reserve and release for a buyer with a pending state and an
//! idempotency key per row; and the stock conflict modal when someone else
//! got there first (R6.3). Rendered on the server, hydrated; every control
//! is a real form, so each works before hydration too.

pub mod filters;
pub mod live;
pub mod pages;

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use filters::Filters;
pub use pages::{BoardPage, PartnerBoardPage};

use super::presentation::{Loaded, ProjectRef};

/// One unit on the board, as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardRow {
    pub id: Uuid,
    pub code: String,
    pub floor: Option<i32>,
    pub bedrooms: Option<i16>,
    pub area: Option<String>,
    pub price: Option<String>,
    pub price_minor: Option<i64>,
    /// `available`, `reserved`, `sold`, `withdrawn`.
    pub status: String,
    pub status_label: String,
    /// Who holds it (an agent or an agency), if anyone.
    pub holder: Option<String>,
    /// "Reserved by Rami Aziz, 3 min ago", "Reserved by another agency".
    pub reserved: Option<String>,
    pub version: i64,
    pub can_reserve: bool,
    pub can_release: bool,
    /// A fresh idempotency key for this row's next action.
    pub key: String,
}

/// A buyer the person may reserve for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerOption {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardView {
    pub project: ProjectRef,
    pub rows: Vec<BoardRow>,
    /// Units the person may see before filtering.
    pub total: usize,
    /// The holders on the board, for the filter.
    pub holders: Vec<String>,
    pub buyers: Vec<BuyerOption>,
    /// Why reserving is off, when the role may reserve but cannot yet
    /// (the terms not accepted, no buyers recorded).
    pub reserve_note: Option<String>,
    /// The owner's managers add units here.
    pub may_add: bool,
    /// A manager may override someone else's reservation from the stock
    /// conflict modal (R6.3).
    pub may_override: bool,
}

/// The board, filtered.
#[server(endpoint = "projects/board")]
pub async fn load_board(
    owner: String,
    slug: String,
    // No filters sent is no filter.
    #[server(default)] filters: Filters,
) -> Result<Loaded<BoardView>, AppError> {
    use super::presentation::server;
    use crate::ssr;
    use offplan::{
        db::{buyers, units::board, units::facts, RepoError},
        domain::{money::format_price, presentation::format_hundredths},
        policy::Permission,
    };
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let p = match server::resolve(&mut scope, &owner, &slug).await? {
        Ok(p) => p,
        Err(moved) => {
            return Ok(Loaded::Moved(format!(
                "{}/units",
                server::href(&owner, &moved)
            )))
        }
    };
    let units = board::board(&mut scope, p.id).await?;
    let sells = matches!(
        p.relation,
        offplan::db::projects::Relation::Owner | offplan::db::projects::Relation::AgencyPartner
    );
    let grant = scope.authorize(Permission::ReserveUnits).ok();
    let may_reserve = sells && grant.is_some();
    let (buyers, reserve_note) = if may_reserve {
        match buyers::list(&mut scope).await {
            Ok(list) if list.is_empty() => (
                Vec::new(),
                Some("Record a buyer first: a unit is reserved for one of your buyers.".to_owned()),
            ),
            Ok(list) => (
                list.into_iter()
                    .map(|b| BuyerOption {
                        id: b.id.as_uuid(),
                        name: b.name,
                    })
                    .collect(),
                None,
            ),
            Err(RepoError::Refused(why)) => (Vec::new(), Some(why.to_string())),
            Err(e) => return Err(e.into()),
        }
    } else {
        (Vec::new(), None)
    };
    let may_add = facts::may_edit_facts(&scope, &p);
    let project = server::project_ref(&scope, &brand, &owner, &p);
    scope.commit().await?;

    let mut holders: Vec<String> = units.iter().filter_map(|u| u.holder.clone()).collect();
    holders.sort();
    holders.dedup();
    let total = units.len();
    let manager = grant == Some(offplan::policy::Grant::Full);
    let rows = units
        .into_iter()
        .map(|b| {
            let u = &b.unit;
            let status = filters::status_key(u.status);
            let reserved = b.reservation.as_ref().map(|r| match (&r.by, r.since) {
                (Some(by), Some(at)) => format!("Reserved by {by}, {}", ssr::ago(at)),
                _ => "Reserved by another agency".to_owned(),
            });
            let can_release = b.reservation.as_ref().is_some_and(|r| {
                r.mine
                    || (manager && (r.ours || p.relation == offplan::db::projects::Relation::Owner))
            });
            BoardRow {
                id: u.id.as_uuid(),
                code: u.code.clone(),
                floor: u.floor,
                bedrooms: u.bedrooms,
                area: b
                    .area_centi_m2
                    .map(|a| format!("{} m²", format_hundredths(a))),
                price: u.price_minor.map(|m| format_price(m, &u.currency)),
                price_minor: u.price_minor,
                status: status.to_owned(),
                status_label: filters::status_label(u.status).to_owned(),
                holder: b.holder.clone(),
                reserved,
                version: u.version,
                can_reserve: may_reserve && !buyers.is_empty() && status == "available",
                can_release: may_reserve && can_release,
                key: Uuid::new_v4().to_string(),
            }
        })
        .filter(|r| filters.admits(r))
        .collect();
    Ok(Loaded::Found(BoardView {
        project,
        rows,
        total,
        holders,
        buyers,
        reserve_note,
        may_add,
        may_override: may_reserve && manager,
    }))
}

/// What a row or the conflict modal asks of a unit (`op`): `reserve` it
/// for `buyer` (R6.3: the stock conflict when it moved on since the board
/// was loaded), `release` its reservation, or — a manager — `override`
/// someone else's, saying why (`reason`). One server function, so the
/// board ships one action and one form type (docs/benchmarks.md).
#[server(endpoint = "projects/board/act")]
pub async fn act_on_unit(
    op: String,
    project: String,
    unit: String,
    version: String,
    key: String,
    #[server(default)] buyer: String,
    #[server(default)] reason: String,
) -> Result<String, AppError> {
    use super::presentation::server;
    use crate::ssr;
    use offplan::{db::units::reserve, domain::OverrideReason};
    enum Op {
        Reserve(offplan::domain::BuyerId),
        Release,
        Override(OverrideReason),
    }
    // Every field is read and bounded before the database is asked.
    let op = match op.as_str() {
        "reserve" => Op::Reserve(
            offplan::domain::BuyerId::parse(&buyer)
                .ok_or_else(|| AppError::invalid("buyer", "Choose one of your buyers."))?,
        ),
        "release" => Op::Release,
        "override" => Op::Override(
            OverrideReason::parse(&reason)
                .map_err(|e| AppError::invalid("reason", e.to_string()))?,
        ),
        _ => return Err(AppError::invalid("op", "Refresh the board and try again.")),
    };
    let project = server::project_id(&project)?;
    let unit = server::unit_id(&unit)?;
    let version = parse_version(&version)?;
    let key = parse_key(&key)?;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let said = match op {
        Op::Reserve(buyer) => {
            let u = reserve::reserve(&mut scope, project, unit, buyer, version, &key).await?;
            format!("Unit {} reserved.", u.code)
        }
        Op::Release => {
            let u = reserve::release(&mut scope, project, unit, version, &key).await?;
            format!("Unit {} is available again.", u.code)
        }
        Op::Override(reason) => {
            let u =
                reserve::override_reservation(&mut scope, project, unit, version, &reason, &key)
                    .await?;
            format!(
                "Unit {} is available again; your reason is in the activity log.",
                u.code
            )
        }
    };
    scope.commit().await?;
    Ok(said)
}

#[cfg(feature = "ssr")]
fn parse_version(v: &str) -> Result<i64, AppError> {
    v.trim()
        .parse()
        .map_err(|_| AppError::invalid("version", "Refresh the board and try again."))
}

#[cfg(feature = "ssr")]
fn parse_key(k: &str) -> Result<offplan::db::idempotency::IdempotencyKey, AppError> {
    offplan::db::idempotency::IdempotencyKey::parse(k.trim())
        .ok_or_else(|| AppError::invalid("key", "Refresh the board and try again."))
}
