//! Demo data for the run command and the browser tests. Idempotent: running
//! it twice leaves the same rows.

use super::{Db, DbError};

/// One demo organisation.
pub struct DemoOrg {
    pub name: &'static str,
    pub subdomain: &'static str,
    pub country: &'static str,
    pub client_types: &'static [&'static str],
    pub colour: &'static str,
    pub tagline: &'static str,
}

/// A Developer, a Studio that is also an Agency (two client types, R1.3),
/// and an Agency.
pub const DEMO_ORGS: &[DemoOrg] = &[
    DemoOrg {
        name: "Acme Homes",
        subdomain: "acme",
        country: "GB",
        client_types: &["developer"],
        colour: "#1f5f8b",
        tagline: "Waterfront apartments, built to last.",
    },
    DemoOrg {
        name: "Lumen Studio",
        subdomain: "lumen",
        country: "PT",
        client_types: &["studio", "agency"],
        colour: "#7a3ea1",
        tagline: "3D presentations that sell before the first brick.",
    },
    DemoOrg {
        name: "Northstar Realty",
        subdomain: "northstar",
        country: "AE",
        client_types: &["agency"],
        colour: "#c2410c",
        tagline: "Off-plan sales across the Gulf.",
    },
];

/// Inserts the demo organisations that are not there yet.
#[tracing::instrument(skip_all)]
pub async fn demo(db: &Db) -> Result<(), DbError> {
    let mut tx = db.pool.begin().await?;
    for org in DEMO_ORGS {
        let types: Vec<String> = org.client_types.iter().map(|t| (*t).to_owned()).collect();
        sqlx::query!(
            r#"
            insert into organisations (name, subdomain, country, client_types, brand_colour, tagline)
            values ($1, $2, $3, $4::text[]::client_type[], $5, $6)
            on conflict (subdomain) do nothing
            "#,
            org.name,
            org.subdomain,
            org.country,
            &types,
            org.colour,
            org.tagline,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
