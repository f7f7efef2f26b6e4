//! The team of the scope's organisation (SPEC R4.1).

use super::{RepoError, Scope};
use crate::{
    domain::UserId,
    policy::{Permission, Role},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: OffsetDateTime,
    pub last_active_at: Option<OffsetDateTime>,
}

/// Active members, Owner first, then by name.
#[tracing::instrument(skip_all)]
pub async fn members(scope: &mut Scope) -> Result<Vec<Member>, RepoError> {
    scope.authorize(Permission::ViewTeam)?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"
        select u.id, u.display_name, u.email as "email!", m.role::text as "role!",
               m.created_at, m.last_active_at
        from memberships m
        join users u on u.id = m.user_id
        where m.org_id = $1 and m.status = 'active'
        order by m.role = 'owner' desc, u.display_name, u.id
        "#,
        org
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Member {
                user_id: UserId::from_db(r.id),
                display_name: r.display_name,
                email: r.email,
                role: Role::parse(&r.role)?,
                joined_at: r.created_at,
                last_active_at: r.last_active_at,
            })
        })
        .collect())
}

/// One active member of the scope's organisation; anyone else is `NotFound`.
#[tracing::instrument(skip(scope))]
pub async fn member(scope: &mut Scope, user: UserId) -> Result<Member, RepoError> {
    scope.authorize(Permission::ViewTeam)?;
    let org = scope.membership().org_id().as_uuid();
    let r = sqlx::query!(
        r#"
        select u.id, u.display_name, u.email as "email!", m.role::text as "role!",
               m.created_at, m.last_active_at
        from memberships m
        join users u on u.id = m.user_id
        where m.org_id = $1 and m.user_id = $2 and m.status = 'active'
        "#,
        org,
        user.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    Ok(Member {
        user_id: UserId::from_db(r.id),
        display_name: r.display_name,
        email: r.email,
        role: Role::parse(&r.role).ok_or(RepoError::NotFound)?,
        joined_at: r.created_at,
        last_active_at: r.last_active_at,
    })
}
