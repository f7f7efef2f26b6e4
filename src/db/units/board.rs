//! The allocation board's rows (SPEC R6.4; issue 14 item 1): the units the
//! scope may see ([`super::list`], the pool rules of R6.1) with who holds
//! each and its active reservation, as far as the reader may see it.

use super::{list, Unit};
use crate::{
    db::{RepoError, Scope},
    domain::ProjectId,
};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// One unit on the board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardUnit {
    pub unit: Unit,
    /// Hundredths of a square metre.
    pub area_centi_m2: Option<i64>,
    /// The assignee's name: an agent's, or an agency's.
    pub holder: Option<String>,
    pub reservation: Option<Reservation>,
}

/// A unit's active reservation as the reader sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// Who made it; `None` when another agency did (its people are not
    /// named to a competitor, R6.3).
    pub by: Option<String>,
    /// The reader made it.
    pub mine: bool,
    /// The reader's organisation made it.
    pub ours: bool,
    /// When, if the reader may see the reservation itself.
    pub since: Option<OffsetDateTime>,
}

/// The board for `project`, by unit code.
#[tracing::instrument(skip(scope))]
pub async fn board(scope: &mut Scope, project: ProjectId) -> Result<Vec<BoardUnit>, RepoError> {
    let units = list(scope, project).await?;
    let ids: Vec<Uuid> = units.iter().map(|u| u.id.as_uuid()).collect();
    let m = scope.membership().clone();
    let rows = sqlx::query!(
        r#"
        select u.id, (u.area_m2 * 100)::bigint as "area",
               coalesce(a.display_name, b.name) as "holder?",
               r.id as "reservation?", r.reserved_by_user_id as "reserved_by?",
               r.buyer_org_id as "reserved_for_org?", ru.display_name as "reserved_by_name?",
               r.created_at as "reserved_at?"
        from units u
        left join users a on a.id = u.assigned_user_id
        left join public_org_brands b on b.id = u.assigned_org_id
        left join reservations r
               on r.org_id = u.org_id and r.unit_id = u.id and r.status = 'active'
        left join users ru on ru.id = r.reserved_by_user_id
        where u.project_id = $1 and u.id = any($2)
        "#,
        project.as_uuid(),
        &ids,
    )
    .fetch_all(scope.conn())
    .await?;
    let rows: HashMap<Uuid, _> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(units
        .into_iter()
        .map(|unit| {
            let row = rows.get(&unit.id.as_uuid());
            let reservation = row.and_then(|r| {
                let (Some(_), Some(by), Some(org), Some(since)) = (
                    r.reservation,
                    r.reserved_by,
                    r.reserved_for_org,
                    r.reserved_at,
                ) else {
                    return None;
                };
                Some(Reservation {
                    by: r.reserved_by_name.clone(),
                    mine: by == m.user_id().as_uuid(),
                    ours: org == m.org_id().as_uuid(),
                    since: Some(since),
                })
            });
            // Reserved, but by someone the reader may not see.
            let reservation = match (unit.status, reservation) {
                (super::UnitStatus::Reserved, None) => Some(Reservation {
                    by: None,
                    mine: false,
                    ours: false,
                    since: None,
                }),
                (_, r) => r,
            };
            BoardUnit {
                area_centi_m2: row.and_then(|r| r.area),
                holder: row.and_then(|r| r.holder.clone()),
                reservation,
                unit,
            }
        })
        .collect())
}
