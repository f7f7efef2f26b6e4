//! Lookups that run before any tenant is known. Each is here because it must
//! be: the Host header names an organisation, and its public brand and
//! profile are shown to anyone. Nothing here returns private tenant data:
//! both read the `public_org_brands` view (only the public columns of
//! organisations that are not closed), never the `organisations` table,
//! which row-level security keeps per tenant (R10.3, issue 10).

use crate::{
    db::{DbError, Gate},
    domain::{BrandColour, ClientType, OrgBrand, OrgId, OrgProfile, Subdomain},
};

impl Gate {
    /// The organisation a subdomain belongs to, with what its pages are branded
    /// with (SPEC R7.1, R7.2). Closed organisations answer `None` like a missing one.
    #[tracing::instrument(skip(self), fields(org.subdomain = %subdomain))]
    pub async fn org_brand_by_subdomain(
        &self,
        subdomain: &Subdomain,
    ) -> Result<Option<OrgBrand>, DbError> {
        let row = sqlx::query!(
            r#"
            select id as "id!", name as "name!", subdomain as "subdomain!",
                   brand_colour as "brand_colour!",
                   client_types as "client_types!: Vec<ClientType>"
            from public_org_brands
            where subdomain = $1
            "#,
            subdomain.as_str()
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| {
            Some(OrgBrand {
                id: OrgId::from_db(r.id),
                name: r.name,
                // The database enforces both formats; a row that fails to parse
                // is treated as absent rather than trusted.
                subdomain: Subdomain::parse(&r.subdomain).ok()?,
                colour: BrandColour::parse(&r.brand_colour).unwrap_or_default(),
                client_types: r.client_types,
            })
        }))
    }

    /// The public profile shown on an organisation's branded home.
    #[tracing::instrument(skip(self), fields(org.subdomain = %subdomain))]
    pub async fn org_public_profile(
        &self,
        subdomain: &Subdomain,
    ) -> Result<Option<OrgProfile>, DbError> {
        let row = sqlx::query!(
            r#"
            select name as "name!", tagline, country as "country!",
                   client_types as "client_types!: Vec<ClientType>",
                   extract(year from created_at)::int4 as "since_year!"
            from public_org_brands
            where subdomain = $1
            "#,
            subdomain.as_str()
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| OrgProfile {
            name: r.name,
            tagline: r.tagline,
            country: r.country,
            client_types: r.client_types,
            since_year: r.since_year,
        }))
    }
}
