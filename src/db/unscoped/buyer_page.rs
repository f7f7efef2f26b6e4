//! The buyer's page by its link (SPEC R7.3, R7.4; issue 13 item 5). A buyer
//! has no account, only a token. The transaction proves it holds the token
//! ([`tenant::prove_token`]: the `buyer_links_by_token` policy lets exactly
//! that link through); once the link is found, its issuing organisation
//! becomes the tenant and everything else the page shows is read under the
//! ordinary policies, as that organisation would see it.
//!
//! What the page may show is decided here, not by the page: a link that
//! names another unit, another project, or was issued by another
//! organisation than the host's answers [`BuyerLink::Unknown`], exactly like
//! a token that names nothing; a link that has ended (revoked, expired, its
//! agency no longer a partner, the project no longer shown, the unit
//! withdrawn) answers [`BuyerLink::Ended`] with the agent to ask and no unit
//! data at all.

use crate::{
    db::{
        audit::{self, Action, NewEvent, Pii},
        tenant, DbError, Gate, RequestMeta,
    },
    domain::{OrgId, ProjectId, UnitId},
    token::TokenHash,
};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Opens of one link closer together than this are one visit: one
/// recorded open (R7.3), however often the page is reloaded.
pub const VISIT_SECS: i64 = 10 * 60;

/// What a buyer link answers.
#[derive(Clone, Debug, PartialEq)]
pub enum BuyerLink {
    /// No such link for this host, project and unit (a 404, counted for
    /// the burst alert, R5.5).
    Unknown,
    /// The link was real but shows nothing any more.
    Ended { why: Ended, agent: Agent },
    /// The unit, in its project's presentation.
    Live(Box<BuyerPage>),
}

/// Why a link shows nothing any more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// A newer link replaced it, or the agent revoked it, or the unit was
    /// reassigned or sold (R7.3 forced rotation).
    Revoked,
    Expired,
    /// The unit or project is no longer on offer through this agency.
    Unavailable,
}

/// The person who sent the link: their name and a way to reach them, and
/// nothing else of them (issue 13 item 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    pub name: String,
    pub email: String,
}

/// An image on the media origin (R3.4), by its content-hashed names.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Image {
    pub key: String,
    pub thumb_key: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub alt: Option<String>,
}

/// Everything the buyer's page shows: the project's presentation and one
/// unit.
#[derive(Clone, Debug, PartialEq)]
pub struct BuyerPage {
    pub project_name: String,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub expected_completion: Option<Date>,
    pub hero: Option<Image>,
    pub gallery: Vec<Image>,
    pub unit: UnitFacts,
    pub agent: Agent,
    pub expires_at: OffsetDateTime,
}

/// The unit's facts and its own presentation.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitFacts {
    pub code: String,
    pub floor: Option<i32>,
    pub bedrooms: Option<i16>,
    /// As the database holds it (`numeric(8,2)`), e.g. `"84.50"`.
    pub area_m2: Option<String>,
    pub price_minor: Option<i64>,
    pub currency: String,
    pub status: super::super::units::UnitStatus,
    pub description: Option<String>,
    pub floor_plan: Option<Image>,
}

/// What the page was asked for: the host's organisation, the path's
/// project slug and unit, and the token's hash.
#[derive(Clone, Copy, Debug)]
pub struct BuyerLinkRequest<'a> {
    pub host_org: OrgId,
    pub project_slug: &'a str,
    pub unit: Uuid,
    pub token: &'a TokenHash,
}

impl Gate {
    /// Opens a buyer link (R7.3). A live link's open is recorded in the same
    /// transaction, once per visit ([`VISIT_SECS`]): the link's last-opened
    /// time, and one event in the
    /// project's activity log (the owner's chain, with its twin in the
    /// issuing agency's when that is another organisation) naming the link,
    /// not the buyer; the opener's address goes to the event's personal
    /// part only (R8.5).
    #[tracing::instrument(skip_all, fields(org.id = %req.host_org))]
    pub async fn open_buyer_link(
        &self,
        req: BuyerLinkRequest<'_>,
        meta: &RequestMeta,
    ) -> Result<BuyerLink, DbError> {
        let mut tx = self.pool.begin().await?;
        tenant::prove_token(&mut tx, req.token).await?;
        let Some(link) = sqlx::query!(
            r#"
            select l.org_id, l.id, l.token_hash, l.unit_org_id, l.project_id, l.unit_id,
                   l.created_by_user_id, l.expires_at,
                   (l.revoked_at is not null) as "revoked!",
                   (l.expires_at <= now()) as "expired!"
            from buyer_links l
            where l.token_hash = $1
            "#,
            req.token.as_bytes().as_slice(),
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(BuyerLink::Unknown);
        };
        // The index found it by hash; compare in constant time all the same.
        // A link shows only on its own organisation's address, for its own
        // unit: anything else is indistinguishable from no link at all.
        if !bool::from(link.token_hash.as_slice().ct_eq(req.token.as_bytes()))
            || link.org_id != req.host_org.as_uuid()
            || link.unit_id != req.unit
        {
            return Ok(BuyerLink::Unknown);
        }
        let issuer = OrgId::from_db(link.org_id);
        tenant::set_tenant(&mut tx, Some(issuer), None).await?;

        // The project as the issuing organisation sees it: none when the
        // agency is no longer a partner (row-level security). Its current
        // slug or one it moved from (links sent before a rename still open).
        let project = sqlx::query!(
            r#"
            select p.name, p.slug, (p.status = 'active') as "active!"
            from projects p
            where p.org_id = $1 and p.id = $2
            "#,
            link.unit_org_id,
            link.project_id,
        )
        .fetch_optional(&mut *tx)
        .await?;
        let slug_matches = match &project {
            Some(p) if p.slug == req.project_slug => true,
            Some(_) => sqlx::query_scalar!(
                r#"select exists (select 1 from project_slug_redirects
                                  where org_id = $1 and project_id = $2 and old_slug = $3) as "x!""#,
                link.unit_org_id,
                link.project_id,
                req.project_slug,
            )
            .fetch_one(&mut *tx)
            .await?,
            // Unknown to this organisation now: judged by the link alone.
            None => true,
        };
        if !slug_matches {
            return Ok(BuyerLink::Unknown);
        }

        let agent = sqlx::query_as!(
            Agent,
            r#"select display_name as name, email::text as "email!" from users where id = $1"#,
            link.created_by_user_id,
        )
        .fetch_one(&mut *tx)
        .await?;
        if link.revoked {
            return Ok(BuyerLink::Ended {
                why: Ended::Revoked,
                agent,
            });
        }
        if link.expired {
            return Ok(BuyerLink::Ended {
                why: Ended::Expired,
                agent,
            });
        }
        let Some(project) = project.filter(|p| p.active) else {
            return Ok(BuyerLink::Ended {
                why: Ended::Unavailable,
                agent,
            });
        };

        let Some(page) = read_page(&mut tx, &link.unit_org_id, &link.project_id, &link.unit_id)
            .await?
            .filter(|p| p.unit.status != super::super::units::UnitStatus::Withdrawn)
        else {
            return Ok(BuyerLink::Ended {
                why: Ended::Unavailable,
                agent,
            });
        };

        // One open is one visit: reloading the page, or opening it again
        // within a few minutes, is the same open (and cannot flood the
        // audit log). A repeat is a pure read.
        let new_visit = sqlx::query!(
            r#"update buyer_links set last_opened_at = now()
               where org_id = $1 and id = $2
                 and (last_opened_at is null or last_opened_at < now() - $3 * interval '1 second')"#,
            link.org_id,
            link.id,
            VISIT_SECS as f64,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if new_visit {
            record_open(
                &mut tx,
                OrgId::from_db(link.unit_org_id),
                issuer,
                ProjectId::from_db(link.project_id),
                UnitId::from_db(link.unit_id),
                link.id,
                meta,
            )
            .await?;
        }
        tx.commit().await?;

        let presentation = page.presentation;
        Ok(BuyerLink::Live(Box::new(BuyerPage {
            project_name: project.name,
            headline: presentation.headline,
            description: presentation.description,
            location: presentation.location,
            expected_completion: presentation.expected_completion,
            hero: presentation.hero,
            gallery: presentation.gallery,
            unit: page.unit,
            agent,
            expires_at: link.expires_at,
        })))
    }
}

/// The presentation part of the page.
struct Presentation {
    headline: Option<String>,
    description: Option<String>,
    location: Option<String>,
    expected_completion: Option<Date>,
    hero: Option<Image>,
    gallery: Vec<Image>,
}

struct Page {
    presentation: Presentation,
    unit: UnitFacts,
}

/// The unit, its presentation and the project's, in one query. `None` when
/// the tenant cannot see the unit (any more).
async fn read_page(
    conn: &mut sqlx::PgConnection,
    owner: &Uuid,
    project: &Uuid,
    unit: &Uuid,
) -> Result<Option<Page>, DbError> {
    let row = sqlx::query!(
        r#"
        select u.code, u.floor, u.bedrooms, u.area_m2::text as area_m2, u.price_minor,
               u.currency as "currency!", u.status as "status: super::super::units::UnitStatus",
               up.description as unit_description,
               pp.headline, pp.description, pp.location, pp.expected_completion,
               (select to_jsonb(m) from (
                    select web_key as key, thumb_key, content_type, width, height, alt
                    from media where org_id = u.org_id and unit_id = u.id
                      and role = 'floor_plan' and removed_at is null) m) as floor_plan,
               (select to_jsonb(m) from (
                    select web_key as key, thumb_key, content_type, width, height, alt
                    from media where org_id = u.org_id and project_id = u.project_id
                      and role = 'hero' and removed_at is null) m) as hero,
               (select coalesce(jsonb_agg(to_jsonb(m) order by m.position), '[]'::jsonb) from (
                    select web_key as key, thumb_key, content_type, width, height, alt, position
                    from media where org_id = u.org_id and project_id = u.project_id
                      and role = 'gallery' and removed_at is null
                    order by position limit 24) m) as "gallery!"
        from units u
        left join unit_presentations up on up.org_id = u.org_id and up.unit_id = u.id
        left join project_presentations pp
               on pp.org_id = u.org_id and pp.project_id = u.project_id
        where u.org_id = $1 and u.project_id = $2 and u.id = $3
        "#,
        owner,
        project,
        unit,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let image = |v: Option<serde_json::Value>| v.and_then(|v| serde_json::from_value(v).ok());
    Ok(Some(Page {
        presentation: Presentation {
            headline: r.headline,
            description: r.description,
            location: r.location,
            expected_completion: r.expected_completion,
            hero: image(r.hero),
            gallery: serde_json::from_value(r.gallery).unwrap_or_default(),
        },
        unit: UnitFacts {
            code: r.code,
            floor: r.floor,
            bedrooms: r.bedrooms,
            area_m2: r.area_m2,
            price_minor: r.price_minor,
            currency: r.currency,
            status: r.status,
            description: r.unit_description,
            floor_plan: image(r.floor_plan),
        },
    }))
}

/// One event per open (not per image, which the media origin serves) in
/// the project's activity log: the owner's chain, and the issuer's twin
/// when the issuer is a partner agency. No actor (the buyer has no
/// account); the link and unit ids in the hashed part, the opener's
/// address only in the personal part.
async fn record_open(
    conn: &mut sqlx::PgConnection,
    owner: OrgId,
    issuer: OrgId,
    project: ProjectId,
    unit: UnitId,
    link: Uuid,
    meta: &RequestMeta,
) -> Result<(), DbError> {
    let event = NewEvent::new(None, Action::BuyerLinkOpened)
        .project(project)
        .target("buyer_link", link)
        .metadata(serde_json::json!({ "unit": unit.to_string() }))
        .pii(Pii {
            ip: meta.ip.clone(),
            data: serde_json::json!({}),
        });
    if owner == issuer {
        tenant::set_tenant(conn, Some(owner), None).await?;
        audit::append_to(conn, owner, &event).await?;
    } else {
        audit::append_to_both(conn, owner, issuer, issuer, None, &event).await?;
    }
    Ok(())
}
