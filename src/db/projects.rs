//! Projects visible to the scope's organisation: its own, and those it is an
//! admitted partner of (SPEC R1.6, R1.7).

use super::{RepoError, Scope};
use crate::domain::{OrgId, ProjectId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockMode {
    Closed,
    Open,
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

fn relation(owner: bool, partner_kind: Option<&str>) -> Relation {
    match (owner, partner_kind) {
        (true, _) => Relation::Owner,
        (false, Some("studio")) => Relation::StudioPartner,
        _ => Relation::AgencyPartner,
    }
}

/// A project row as both queries below select it.
struct ProjectRow {
    id: uuid::Uuid,
    org_id: uuid::Uuid,
    slug: String,
    name: String,
    stock_mode: String,
    owner: bool,
    partner_kind: Option<String>,
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Self {
        Project {
            id: ProjectId::from_db(r.id),
            owner_org_id: OrgId::from_db(r.org_id),
            slug: r.slug,
            name: r.name,
            stock_mode: if r.stock_mode == "open" {
                StockMode::Open
            } else {
                StockMode::Closed
            },
            relation: relation(r.owner, r.partner_kind.as_deref()),
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
        select p.id, p.org_id, p.slug, p.name, p.stock_mode::text as "stock_mode!",
               p.org_id = $1 as "owner!", pp.kind::text as "partner_kind?"
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
