//! The branded project home before anyone signs in (SPEC R7.1):
//! `<org>.<base>/projects/<slug>` of an active project shows its name to
//! anyone. Reads the `public_projects` and `public_project_redirects` views
//! (active projects of organisations that are not closed; name and
//! address only), never the `projects` table, which row-level security
//! keeps per tenant.

use crate::{
    db::{DbError, Gate},
    domain::OrgId,
};
use serde::{Deserialize, Serialize};

/// What the public project home shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicProject {
    pub name: String,
    /// The current slug: when it is not the one asked for, the project was
    /// renamed and the caller redirects to it.
    pub slug: String,
}

impl Gate {
    /// The active project of `org` (an organisation the Host header named,
    /// R7.1) at `slug`, its current one or an old one it moved from. Drafts,
    /// archived projects and unknown slugs answer `None` alike.
    #[tracing::instrument(skip(self), fields(org.id = %org))]
    pub async fn public_project(
        &self,
        org: OrgId,
        slug: &str,
    ) -> Result<Option<PublicProject>, DbError> {
        let row = sqlx::query!(
            r#"
            select name as "name!", slug as "slug!" from (
                select p.name, p.slug, 0 as rank
                from public_projects p
                where p.org_id = $1 and p.slug = $2
                union all
                select p.name, p.slug, 1 as rank
                from public_project_redirects r
                join public_projects p on p.org_id = r.org_id and p.slug = r.slug
                where r.org_id = $1 and r.old_slug = $2
            ) found
            order by rank
            limit 1
            "#,
            org.as_uuid(),
            slug
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| PublicProject {
            name: r.name,
            slug: r.slug,
        }))
    }
}
