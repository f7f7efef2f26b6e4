//! Projects visible to the scope's organisation: its own, and those it is an
//! admitted partner of (SPEC R1.6, R1.7); how a project URL resolves,
//! following a renamed project's old slugs (R7.1). The changes — creating a
//! project, its settings, its stock mode — are in [`manage`]; its activity
//! log (R8.4) in [`activity`].

mod activity;
mod manage;
pub mod partners;
pub mod presentation;

pub use crate::domain::{PartnerKind, ProjectStatus, StockMode};
pub use activity::{activity, activity_choices};
pub use manage::{create, set_stock_mode, update_settings, NewProject, ProjectSettings};

use super::{RepoError, Scope};
use crate::domain::{ClientId, OrgId, ProjectId};
use serde::{Deserialize, Serialize};

/// How the scope's organisation relates to a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Owner,
    StudioPartner,
    AgencyPartner,
    /// The organisation a studio's client joined as (R5.3): it sees the
    /// studio's projects for that client, read-only.
    Client,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: ProjectId,
    pub owner_org_id: OrgId,
    pub slug: String,
    pub name: String,
    pub stock_mode: StockMode,
    pub status: ProjectStatus,
    /// The studio's client the project is made for (R1.3), if any.
    pub client_id: Option<ClientId>,
    /// The owning organisation's subdomain and name (a partner's pages
    /// link to and name the owner, R1.7).
    pub owner_subdomain: String,
    pub owner_name: String,
    pub relation: Relation,
}

/// What a project URL's slug answers (R7.1): the project, or the slug it
/// moved to (the caller redirects there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlugLookup {
    Found(Project),
    Moved { slug: String },
}

fn relation(owner: bool, partner_kind: Option<PartnerKind>) -> Relation {
    match (owner, partner_kind) {
        (true, _) => Relation::Owner,
        (false, Some(PartnerKind::Studio)) => Relation::StudioPartner,
        (false, Some(PartnerKind::Agency)) => Relation::AgencyPartner,
        // Neither owned nor partnered: the query keeps it only when the
        // organisation is the project's client (R5.3).
        (false, None) => Relation::Client,
    }
}

/// A project row as the query below selects it.
struct ProjectRow {
    id: uuid::Uuid,
    org_id: uuid::Uuid,
    slug: String,
    name: String,
    stock_mode: StockMode,
    status: ProjectStatus,
    client_id: Option<uuid::Uuid>,
    owner_subdomain: String,
    owner_name: String,
    owner: bool,
    partner_kind: Option<PartnerKind>,
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Self {
        Project {
            id: ProjectId::from_db(r.id),
            owner_org_id: OrgId::from_db(r.org_id),
            slug: r.slug,
            name: r.name,
            stock_mode: r.stock_mode,
            status: r.status,
            client_id: r.client_id.map(ClientId::from_db),
            owner_subdomain: r.owner_subdomain,
            owner_name: r.owner_name,
            relation: relation(r.owner, r.partner_kind),
        }
    }
}

/// Every project the organisation owns or partners, by name. Any active
/// member may see the list; what they may do inside is per permission.
#[tracing::instrument(skip_all)]
pub async fn list(scope: &mut Scope) -> Result<Vec<Project>, RepoError> {
    visible(scope, None, None).await
}

/// A project by id, if the organisation owns or partners it.
#[tracing::instrument(skip(scope))]
pub async fn get(scope: &mut Scope, id: ProjectId) -> Result<Project, RepoError> {
    visible(scope, Some(id), None)
        .await?
        .pop()
        .ok_or(RepoError::NotFound)
}

/// One of the scope's own projects by id, for what only its owner may do
/// (its partners, its invitations); a partnered or another tenant's
/// project is `NotFound`.
pub(crate) async fn get_own(scope: &mut Scope, id: ProjectId) -> Result<Project, RepoError> {
    let project = get(scope, id).await?;
    if project.relation != Relation::Owner {
        return Err(RepoError::NotFound);
    }
    Ok(project)
}

/// The projects the scope's organisation owns or is an active partner of;
/// optionally just one, by id or by the slug of one of its own projects.
/// Archived projects are left out of the list but found by id or slug.
///
/// The owner's name and subdomain come from `public_org_brands`: a partner
/// may not read the owner's `organisations` row (R10.3), only its public
/// card. A closed owner has none, and its projects are gone with it.
async fn visible(
    scope: &mut Scope,
    id: Option<ProjectId>,
    own_slug: Option<&str>,
) -> Result<Vec<Project>, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query_as!(
        ProjectRow,
        r#"
        select p.id, p.org_id, p.slug, p.name, p.stock_mode as "stock_mode: StockMode",
               p.status as "status: ProjectStatus", p.client_id,
               b.subdomain as "owner_subdomain!", b.name as "owner_name!",
               p.org_id = $1 as "owner!", pp.kind as "partner_kind?: PartnerKind"
        from projects p
        join public_org_brands b on b.id = p.org_id
        left join project_partners pp
          on pp.org_id = p.org_id and pp.project_id = p.id
         and pp.partner_org_id = $1 and pp.status = 'active'
        where (p.org_id = $1 or pp.partner_org_id is not null
               or app_is_client_of(p.org_id, p.client_id))
          and ($2::uuid is null or p.id = $2)
          and ($3::text is null or (p.slug = $3 and p.org_id = $1))
          and ($2::uuid is not null or $3::text is not null or p.status <> 'archived')
        order by p.name, p.id
        "#,
        org,
        id.map(|p| p.as_uuid()),
        own_slug,
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows.into_iter().map(Project::from).collect())
}

/// One of the organisation's own projects by its slug (the URL form,
/// `<org>.<base>/projects/<slug>`).
#[tracing::instrument(skip(scope))]
pub async fn by_slug(scope: &mut Scope, slug: &str) -> Result<Project, RepoError> {
    visible(scope, None, Some(slug))
        .await?
        .pop()
        .ok_or(RepoError::NotFound)
}

/// `<org>.<base>/projects/<slug>` (R7.1): one of the organisation's own
/// projects by its current slug, else the slug a renamed project moved to;
/// anything else is `NotFound`.
#[tracing::instrument(skip(scope))]
pub async fn resolve_own(scope: &mut Scope, slug: &str) -> Result<SlugLookup, RepoError> {
    match by_slug(scope, slug).await {
        Ok(project) => return Ok(SlugLookup::Found(project)),
        Err(RepoError::NotFound) => {}
        Err(e) => return Err(e),
    }
    let org = scope.membership().org_id().as_uuid();
    sqlx::query_scalar!(
        r#"
        select p.slug
        from project_slug_redirects r
        join projects p on p.org_id = r.org_id and p.id = r.project_id
        where r.org_id = $1 and r.old_slug = $2
        "#,
        org,
        slug
    )
    .fetch_optional(scope.conn())
    .await?
    .map(|slug| SlugLookup::Moved { slug })
    .ok_or(RepoError::NotFound)
}

/// A partnered project as its partner's members reach it (R1.7, R7.1):
/// the project of the organisation at `owner_subdomain` whose current (or
/// old) slug is `slug`, when the scope's organisation is an active partner
/// of it, or the organisation its client joined as (R5.3). The owner itself
/// gets `NotFound` here: it uses its own URL.
#[tracing::instrument(skip(scope))]
pub async fn resolve_partnered(
    scope: &mut Scope,
    owner_subdomain: &str,
    slug: &str,
) -> Result<SlugLookup, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let row = sqlx::query!(
        r#"
        select p.id, p.slug
        from projects p
        join public_org_brands b on b.id = p.org_id and b.subdomain = $2
        left join project_partners pp
          on pp.org_id = p.org_id and pp.project_id = p.id
         and pp.partner_org_id = $1 and pp.status = 'active'
        where p.org_id <> $1
          and (pp.partner_org_id is not null or app_is_client_of(p.org_id, p.client_id))
          and (p.slug = $3
               or exists (select 1 from project_slug_redirects r
                          where r.org_id = p.org_id and r.project_id = p.id
                            and r.old_slug = $3))
        order by p.slug = $3 desc
        limit 1
        "#,
        org,
        owner_subdomain,
        slug
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    if row.slug != slug {
        return Ok(SlugLookup::Moved { slug: row.slug });
    }
    Ok(SlugLookup::Found(
        get(scope, ProjectId::from_db(row.id)).await?,
    ))
}
