//! The one place that tells row-level security who is asking (DESIGN.md,
//! wall 3; docs/tenancy.md).
//!
//! The policies read three transaction-local settings: `app.org_id` (the
//! tenant), `app.user_id` (the person) and, for an invitee who has only a
//! link, `app.token_hash` (the one policy that reads it lets exactly that
//! invitation through). Two SQL functions set them, `app_enter_tenant` and
//! `app_prove_token` (migrations/20261203000010_buyer_page_one_statement.sql);
//! the two wrappers below and `app_buyer_page` (the buyer's page in one
//! statement, under the same policies) are all that call them. Nothing
//! else in the workspace sets them: a [`Scope`](super::Scope) sets the
//! tenant for its transaction, and the
//! unscoped flows that cross into a tenant (sign-up, accepting an
//! invitation, an audit event in each organisation of a person) call
//! [`set_tenant`] when they learn which one.

use crate::{
    domain::{OrgId, UserId},
    token::TokenHash,
};
use sqlx::PgConnection;

/// Sets (or, with `None`, clears) the tenant and the person for the rest of
/// the caller's transaction.
pub(crate) async fn set_tenant(
    conn: &mut PgConnection,
    org: Option<OrgId>,
    user: Option<UserId>,
) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        r#"select app_enter_tenant($1, $2) as "org""#,
        org.map(|o| o.as_uuid()),
        user.map(|u| u.as_uuid()),
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(())
}

/// Proves, for the rest of the caller's transaction, that it holds the
/// invitation token whose hash is `hash` (R5.4): row-level security then
/// lets that one invitation be read before any tenant is known.
pub(crate) async fn prove_token(
    conn: &mut PgConnection,
    hash: &TokenHash,
) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        r#"select app_prove_token($1) as "x""#,
        hash.as_bytes().as_slice()
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(())
}
