//! Provisioning by an operator (SPEC R3.1), run by the server CLI as the
//! owner role ([`AdminDb`]).

use super::signup::{create_org, SignupError};
use crate::{
    db::admin::AdminDb,
    domain::{ClientTypes, EmailAddress, OrgId, Subdomain, UserId},
};

/// Provisioning by an operator (R3.1): keyed on the billing provider's
/// customer id so that running it twice never creates two organisations.
#[derive(Clone, Debug)]
pub struct Provision {
    pub provider: String,
    pub customer_id: String,
    pub owner_name: String,
    pub owner_email: EmailAddress,
    pub org_name: String,
    pub subdomain: Subdomain,
    pub country: String,
    pub client_types: ClientTypes,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provisioned {
    Created { org: OrgId, owner: UserId },
    AlreadyExists { org: OrgId, subdomain: String },
}

/// Provisioning (R3.1), run by the operator CLI as the owner role: finds or
/// creates the Owner by email and creates the organisation, unless one
/// already exists for this provider's customer id.
pub async fn provision(db: &AdminDb, p: &Provision) -> Result<Provisioned, SignupError> {
    let mut tx = db.pool.begin().await?;
    // Serialise concurrent runs for the same customer.
    #[expect(
        clippy::disallowed_methods,
        reason = "pg_advisory_xact_lock returns void, which query! cannot type"
    )]
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 7))")
        .bind(format!("{}:{}", p.provider, p.customer_id))
        .execute(&mut *tx)
        .await?;
    if let Some(r) = sqlx::query!(
        "select id, subdomain from organisations where payment_provider = $1 and external_customer_id = $2",
        p.provider,
        p.customer_id
    )
    .fetch_optional(&mut *tx)
    .await?
    {
        return Ok(Provisioned::AlreadyExists {
            org: OrgId::from_db(r.id),
            subdomain: r.subdomain,
        });
    }
    let owner = sqlx::query_scalar!(
        r#"
        with new as (
            insert into users (email, display_name) values ($1, $2)
            on conflict (email) do nothing returning id
        )
        select id as "id!" from new union all select id from users where email = $1
        limit 1
        "#,
        p.owner_email.as_str(),
        p.owner_name
    )
    .fetch_one(&mut *tx)
    .await?;
    let owner = UserId::from_db(owner);
    let org = create_org(
        &mut tx,
        owner,
        &p.org_name,
        &p.subdomain,
        &p.country,
        &p.client_types,
        Some((&p.provider, &p.customer_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(Provisioned::Created { org, owner })
}
