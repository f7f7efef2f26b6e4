//! Clients a Studio keeps (SPEC R1.3, R1.5; issue 12): company name,
//! contact name and email, notes; archived rather than deleted, so the
//! projects made for a client keep pointing at it.
//!
//! Who may (R2.2 has no row of its own for clients; docs/decisions.md):
//! - **only a Studio keeps clients** (R1.3): in an organisation without the
//!   `studio` client type every call here is `Forbidden` (403), whatever
//!   the id — so it says nothing about other tenants' rows either;
//! - **every active member of the Studio sees them** (the list, one record,
//!   its projects), as every member sees the team: a Content Editor builds
//!   the presentation for the client, a Sales Manager sells its units;
//! - **Owner and Admin change them** (`ManageProjects`): client records feed
//!   project creation, which is theirs;
//! - another organisation's client is `NotFound` (R2.5).
//!
//! The reads are here; the changes, each with its one audit event, are in
//! `changes.rs`.

mod changes;

pub use changes::{archive, create, restore, update};

use super::{RepoError, Scope};
use crate::{
    domain::{ClientId, ClientType, OrgId, ProjectId},
    policy::Permission,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    /// The company name.
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub notes: Option<String>,
    /// The organisation the client joined the platform as (R1.5, R5.3).
    pub linked_org: Option<LinkedOrg>,
    /// How many of the Studio's projects are for this client.
    pub project_count: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub archived_at: Option<OffsetDateTime>,
}

impl Client {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

/// The organisation a client joined as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedOrg {
    pub id: OrgId,
    /// Its public name; `None` when it is no longer public (closed).
    pub name: Option<String>,
}

/// A project the Studio runs for a client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientProject {
    pub id: ProjectId,
    pub slug: String,
    pub name: String,
}

/// R1.3: `Forbidden` unless the scope's organisation is a Studio. The
/// refusal names `ManageProjects`, the permission client records belong
/// with; the person sees a plain 403.
pub(super) async fn require_studio(scope: &mut Scope) -> Result<(), RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let types = sqlx::query_scalar!(
        r#"select client_types as "client_types: Vec<ClientType>" from organisations where id = $1"#,
        org
    )
    .fetch_one(scope.conn())
    .await?;
    if types.contains(&ClientType::Studio) {
        Ok(())
    } else {
        Err(scope.refuse(Permission::ManageProjects))
    }
}

/// Which records a read selects.
#[derive(Clone, Copy)]
enum Only {
    Active,
    Any,
}

/// The Studio's active clients by name: what a new project may be for.
#[tracing::instrument(skip_all)]
pub async fn list(scope: &mut Scope) -> Result<Vec<Client>, RepoError> {
    select(scope, None, Only::Active).await
}

/// Every client of the Studio: the active ones first, then the archived
/// ones, each by name.
#[tracing::instrument(skip_all)]
pub async fn list_all(scope: &mut Scope) -> Result<Vec<Client>, RepoError> {
    select(scope, None, Only::Any).await
}

/// One client of the Studio, archived or not; anyone else's is `NotFound`.
#[tracing::instrument(skip(scope))]
pub async fn get(scope: &mut Scope, id: ClientId) -> Result<Client, RepoError> {
    select(scope, Some(id), Only::Any)
        .await?
        .pop()
        .ok_or(RepoError::NotFound)
}

async fn select(
    scope: &mut Scope,
    only: Option<ClientId>,
    which: Only,
) -> Result<Vec<Client>, RepoError> {
    require_studio(scope).await?;
    let org = scope.membership().org_id().as_uuid();
    // The linked organisation's name comes from its public card, the one
    // cross-tenant read of organisations the runtime role has.
    let rows = sqlx::query!(
        r#"
        select c.id, c.name, c.contact_name, c.contact_email as "contact_email: String",
               c.notes, c.linked_org_id, b.name as "linked_org_name?",
               (select count(*) from projects p
                where p.org_id = c.org_id and p.client_id = c.id) as "project_count!",
               c.created_at, c.updated_at, c.archived_at
        from clients c
        left join public_org_brands b on b.id = c.linked_org_id
        where c.org_id = $1
          and ($2::uuid is null or c.id = $2)
          and (not $3 or c.archived_at is null)
        order by c.archived_at is not null, c.name, c.id
        "#,
        org,
        only.map(|c| c.as_uuid()),
        matches!(which, Only::Active),
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Client {
            id: ClientId::from_db(r.id),
            name: r.name,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            notes: r.notes,
            linked_org: r.linked_org_id.map(|id| LinkedOrg {
                id: OrgId::from_db(id),
                name: r.linked_org_name,
            }),
            project_count: r.project_count,
            created_at: r.created_at,
            updated_at: r.updated_at,
            archived_at: r.archived_at,
        })
        .collect())
}

/// The Studio's projects for `client`, by name. Another organisation's
/// client is `NotFound`.
#[tracing::instrument(skip(scope))]
pub async fn projects(
    scope: &mut Scope,
    client: ClientId,
) -> Result<Vec<ClientProject>, RepoError> {
    require_studio(scope).await?;
    let org = scope.membership().org_id().as_uuid();
    let exists = sqlx::query_scalar!(
        r#"select exists (select 1 from clients where org_id = $1 and id = $2) as "exists!""#,
        org,
        client.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?;
    if !exists {
        return Err(RepoError::NotFound);
    }
    let rows = sqlx::query!(
        "select id, slug, name from projects where org_id = $1 and client_id = $2 order by name, id",
        org,
        client.as_uuid()
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ClientProject {
            id: ProjectId::from_db(r.id),
            slug: r.slug,
            name: r.name,
        })
        .collect())
}
