//! Clients kept by the scope's organisation (SPEC R1.5). Client records
//! feed project creation, so they need `ManageProjects`.

use super::{RepoError, Scope};
use crate::{domain::ClientId, policy::Permission};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub contact_email: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn list(scope: &mut Scope) -> Result<Vec<Client>, RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"select id, name, contact_email as "contact_email: String"
           from clients where org_id = $1 order by name, id"#,
        org
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Client {
            id: ClientId::from_db(r.id),
            name: r.name,
            contact_email: r.contact_email,
        })
        .collect())
}

#[tracing::instrument(skip(scope))]
pub async fn get(scope: &mut Scope, id: ClientId) -> Result<Client, RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    let org = scope.membership().org_id().as_uuid();
    let r = sqlx::query!(
        r#"select id, name, contact_email as "contact_email: String"
           from clients where org_id = $1 and id = $2"#,
        org,
        id.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    Ok(Client {
        id: ClientId::from_db(r.id),
        name: r.name,
        contact_email: r.contact_email,
    })
}
