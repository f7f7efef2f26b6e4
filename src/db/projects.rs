//! Projects visible to the scope's organisation: its own, and those it is an
//! admitted partner of (SPEC R1.6, R1.7).

use super::{RepoError, Scope};
use crate::domain::{OrgId, ProjectId};
use serde::{Deserialize, Serialize};

/// R6.1, the `stock_mode` column type (an unknown value is an error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[sqlx(type_name = "stock_mode", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum StockMode {
    Closed,
    Open,
}

/// What kind of partner an organisation is on a project (`partner_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "partner_kind", rename_all = "snake_case")]
enum PartnerKind {
    Studio,
    Agency,
}

/// How the scope's organisation relates to a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Owner,
    StudioPartner,
    AgencyPartner,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: ProjectId,
    pub owner_org_id: OrgId,
    pub slug: String,
    pub name: String,
    pub stock_mode: StockMode,
    pub relation: Relation,
}

fn relation(owner: bool, partner_kind: Option<PartnerKind>) -> Relation {
    match (owner, partner_kind) {
        (true, _) => Relation::Owner,
        (false, Some(PartnerKind::Studio)) => Relation::StudioPartner,
        // An agency partner; no kind cannot happen (the query keeps only
        // owned or partnered projects), and is given the narrower view.
        (false, Some(PartnerKind::Agency) | None) => Relation::AgencyPartner,
    }
}

/// A project row as both queries below select it.
struct ProjectRow {
    id: uuid::Uuid,
    org_id: uuid::Uuid,
    slug: String,
    name: String,
    stock_mode: StockMode,
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

/// The projects the scope's organisation owns or is an active partner of;
/// optionally just one, by id or by the slug of one of its own projects.
/// Archived projects are left out of the list but found by id or slug.
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
               p.org_id = $1 as "owner!", pp.kind as "partner_kind?: PartnerKind"
        from projects p
        left join project_partners pp
          on pp.org_id = p.org_id and pp.project_id = p.id
         and pp.partner_org_id = $1 and pp.status = 'active'
        where (p.org_id = $1 or pp.partner_org_id is not null)
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
