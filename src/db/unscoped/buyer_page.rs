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
        tenant,
        units::UnitStatus,
        DbError, Gate, RequestMeta,
    },
    domain::{BrandColour, ClientType, OrgBrand, OrgId, ProjectId, Subdomain, UnitId},
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
    pub status: UnitStatus,
    pub description: Option<String>,
    pub floor_plan: Option<Image>,
}

/// What the page was asked for: the host's subdomain, the path's project
/// slug and, when both parsed, the unit and the token's hash; and the
/// address's token limit (R3.7), counted before any lookup.
#[derive(Clone, Copy, Debug)]
pub struct BuyerLinkRequest<'a> {
    pub subdomain: &'a Subdomain,
    pub project_slug: &'a str,
    /// `None` when the path's unit or the token is malformed: counted
    /// against the limit, then [`BuyerLink::Unknown`].
    pub link: Option<(Uuid, &'a TokenHash)>,
    pub limit: AddressLimit<'a>,
}

/// The address's bucket and its limit in one window.
#[derive(Clone, Copy, Debug)]
pub struct AddressLimit<'a> {
    pub bucket: &'a str,
    pub max: i64,
    pub window_secs: i64,
}

/// What the host and the link answer.
#[derive(Clone, Debug, PartialEq)]
pub enum BuyerAnswer {
    /// No organisation at this address (the app answers it).
    NoSite,
    /// Over the address's limit (R3.7); nothing was looked up.
    TooMany(OrgBrand),
    Link(OrgBrand, BuyerLink),
}

/// `app_buyer_page`'s outcomes (migrations/20261203000010_…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "buyer_page_outcome", rename_all = "snake_case")]
enum Outcome {
    NoSite,
    TooMany,
    Unknown,
    Revoked,
    Expired,
    Unavailable,
    Live,
}

impl Gate {
    /// Opens a buyer link (R7.3) in one statement, `app_buyer_page`: the
    /// host's brand, the address's limit, the link by its token, then as
    /// the issuing organisation (row-level security as for any of its
    /// reads) the project, the agent and the page. A live link's first
    /// open in a visit ([`VISIT_SECS`]) is then recorded in a transaction
    /// of its own: the link's last-opened time, and one event in the
    /// project's activity log (the owner's chain, with its twin in the
    /// issuing agency's when that is another organisation) naming the
    /// link, not the buyer; the opener's address goes to the event's
    /// personal part only (R8.5). A repeat open is a pure read.
    #[tracing::instrument(skip_all)]
    pub async fn open_buyer_link(
        &self,
        req: BuyerLinkRequest<'_>,
        meta: &RequestMeta,
    ) -> Result<BuyerAnswer, DbError> {
        let (unit, token) = req.link.unzip();
        let r = sqlx::query!(
            r#"
            select outcome as "outcome!: Outcome", org_id, org_name, brand_colour,
                   client_types as "client_types: Vec<ClientType>",
                   link_id, link_token_hash, unit_org_id, project_id, expires_at, visit_due,
                   agent_name, agent_email, project_name,
                   code, floor, bedrooms, area_m2, price_minor, currency,
                   status as "status: UnitStatus", unit_description,
                   headline, description, location, expected_completion,
                   floor_plan, hero, gallery
            from app_buyer_page($1, $2, $3, $4::int4, $5, $6, $7, $8)
            "#,
            req.subdomain.as_str(),
            req.limit.bucket,
            req.limit.window_secs as f64,
            i32::try_from(req.limit.max).unwrap_or(i32::MAX),
            token.map(|t| t.as_bytes().as_slice()),
            req.project_slug,
            unit,
            VISIT_SECS as f64,
        )
        .fetch_one(&self.pool)
        .await?;
        let (Some(id), Some(name), Some(colour)) = (r.org_id, r.org_name, r.brand_colour) else {
            return Ok(BuyerAnswer::NoSite);
        };
        let brand = OrgBrand {
            id: OrgId::from_db(id),
            name,
            subdomain: req.subdomain.clone(),
            colour: BrandColour::parse(&colour).unwrap_or_default(),
            client_types: r.client_types.unwrap_or_default(),
        };
        let agent = || Agent {
            name: r.agent_name.clone().unwrap_or_default(),
            email: r.agent_email.clone().unwrap_or_default(),
        };
        let ended = |why| BuyerLink::Ended {
            why,
            agent: agent(),
        };
        let link = match r.outcome {
            Outcome::NoSite => return Ok(BuyerAnswer::NoSite),
            Outcome::TooMany => return Ok(BuyerAnswer::TooMany(brand)),
            Outcome::Unknown => BuyerLink::Unknown,
            Outcome::Revoked => ended(Ended::Revoked),
            Outcome::Expired => ended(Ended::Expired),
            Outcome::Unavailable => ended(Ended::Unavailable),
            Outcome::Live => {
                // The index found it by hash; compare in constant time all
                // the same.
                let stored = r.link_token_hash.as_deref().unwrap_or_default();
                let (Some(token), Some(unit)) = (token, unit) else {
                    return Err(DbError::Invariant("a live buyer link without its token"));
                };
                if !bool::from(stored.ct_eq(token.as_bytes())) {
                    return Ok(BuyerAnswer::Link(brand, BuyerLink::Unknown));
                }
                let (Some(link_id), Some(owner), Some(project), Some(expires_at)) =
                    (r.link_id, r.unit_org_id, r.project_id, r.expires_at)
                else {
                    return Err(DbError::Invariant("a live buyer link without its row"));
                };
                if r.visit_due == Some(true) {
                    let opened = Opened {
                        owner: OrgId::from_db(owner),
                        issuer: brand.id,
                        project: ProjectId::from_db(project),
                        unit: UnitId::from_db(unit),
                        link: link_id,
                    };
                    self.record_visit(&opened, meta).await?;
                }
                let image =
                    |v: Option<serde_json::Value>| v.and_then(|v| serde_json::from_value(v).ok());
                BuyerLink::Live(Box::new(BuyerPage {
                    project_name: r.project_name.clone().unwrap_or_default(),
                    headline: r.headline.clone(),
                    description: r.description.clone(),
                    location: r.location.clone(),
                    expected_completion: r.expected_completion,
                    hero: image(r.hero.clone()),
                    gallery: r
                        .gallery
                        .clone()
                        .and_then(|g| serde_json::from_value(g).ok())
                        .unwrap_or_default(),
                    unit: UnitFacts {
                        code: r.code.clone().unwrap_or_default(),
                        floor: r.floor,
                        bedrooms: r.bedrooms,
                        area_m2: r.area_m2.clone(),
                        price_minor: r.price_minor,
                        currency: r.currency.clone().unwrap_or_default(),
                        status: r.status.unwrap_or(UnitStatus::Available),
                        description: r.unit_description.clone(),
                        floor_plan: image(r.floor_plan.clone()),
                    },
                    agent: agent(),
                    expires_at,
                }))
            }
        };
        Ok(BuyerAnswer::Link(brand, link))
    }

    /// The first open of a visit: the link's last-opened time and the
    /// event, in one transaction as the issuer. The conditional update
    /// makes racing first opens one visit.
    async fn record_visit(&self, o: &Opened, meta: &RequestMeta) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        tenant::set_tenant(&mut tx, Some(o.issuer), None).await?;
        let new_visit = sqlx::query!(
            r#"update buyer_links set last_opened_at = now()
               where org_id = $1 and id = $2
                 and (last_opened_at is null or last_opened_at < now() - $3 * interval '1 second')"#,
            o.issuer.as_uuid(),
            o.link,
            VISIT_SECS as f64,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if new_visit {
            record_open(&mut tx, o, meta).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A live link's open, as the visit records it.
struct Opened {
    owner: OrgId,
    issuer: OrgId,
    project: ProjectId,
    unit: UnitId,
    link: Uuid,
}

/// One event per open (not per image, which the media origin serves) in
/// the project's activity log: the owner's chain, and the issuer's twin
/// when the issuer is a partner agency. No actor (the buyer has no
/// account); the link and unit ids in the hashed part, the opener's
/// address only in the personal part.
async fn record_open(
    conn: &mut sqlx::PgConnection,
    o: &Opened,
    meta: &RequestMeta,
) -> Result<(), DbError> {
    let (owner, issuer) = (o.owner, o.issuer);
    let event = NewEvent::new(None, Action::BuyerLinkOpened)
        .project(o.project)
        .target("buyer_link", o.link)
        .metadata(serde_json::json!({ "unit": o.unit.to_string() }))
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
