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

/// A member row as both queries below select it.
struct MemberRow {
    id: uuid::Uuid,
    display_name: String,
    email: String,
    role: String,
    created_at: OffsetDateTime,
    last_active_at: Option<OffsetDateTime>,
}

impl MemberRow {
    fn into_member(self) -> Option<Member> {
        Some(Member {
            user_id: UserId::from_db(self.id),
            display_name: self.display_name,
            email: self.email,
            role: Role::parse(&self.role)?,
            joined_at: self.created_at,
            last_active_at: self.last_active_at,
        })
    }
}

/// Active members, Owner first, then by name.
#[tracing::instrument(skip_all)]
pub async fn members(scope: &mut Scope) -> Result<Vec<Member>, RepoError> {
    active(scope, None).await
}

/// One active member of the scope's organisation; anyone else is `NotFound`.
#[tracing::instrument(skip(scope))]
pub async fn member(scope: &mut Scope, user: UserId) -> Result<Member, RepoError> {
    active(scope, Some(user))
        .await?
        .pop()
        .ok_or(RepoError::NotFound)
}

async fn active(scope: &mut Scope, only: Option<UserId>) -> Result<Vec<Member>, RepoError> {
    scope.authorize(Permission::ViewTeam)?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query_as!(
        MemberRow,
        r#"
        select u.id, u.display_name, u.email as "email!", m.role::text as "role!",
               m.created_at, m.last_active_at
        from memberships m
        join users u on u.id = m.user_id
        where m.org_id = $1 and m.status = 'active' and ($2::uuid is null or m.user_id = $2)
        order by m.role = 'owner' desc, u.display_name, u.id
        "#,
        org,
        only.map(|u| u.as_uuid()),
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(MemberRow::into_member)
        .collect())
}
