//! The scoped handle: the only door to tenant data (DESIGN.md, wall 2).
//!
//! A [`Scope`] is a transaction that has set `app.org_id` and `app.user_id`
//! (transaction-local, read by the row-level security policies) and holds
//! the actor's membership *as loaded from the database in that
//! transaction* (SPEC R2.4). Someone who is not an active member of the
//! organisation gets `NotFound`, exactly like another tenant's resource
//! (R2.5). Repository functions take `&mut Scope`; none takes a bare
//! organisation id.

use super::{tenant, Gate, RepoError};
use crate::{
    domain::{OrgId, UserId},
    policy::{authorize_role, Denied, Grant, Permission, Role},
};
use sqlx::{PgConnection, Postgres, Transaction};

/// The actor's verified membership in the scope's organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    org_id: OrgId,
    user_id: UserId,
    role: Role,
}

impl Membership {
    pub fn org_id(&self) -> OrgId {
        self.org_id
    }
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn role(&self) -> Role {
        self.role
    }
}

/// SPEC R2.2 for a verified membership: what its role may do with
/// `permission`, or why not (a 403, R2.5).
pub fn authorize(membership: &Membership, permission: Permission) -> Result<Grant, Denied> {
    authorize_role(membership.role, permission)
}

pub struct Scope {
    tx: Transaction<'static, Postgres>,
    membership: Membership,
}

impl Gate {
    /// Opens a transaction scoped to `org` for `actor`, loading the actor's
    /// membership from the database. Not an active member (or a disabled
    /// account): `NotFound`.
    #[tracing::instrument(skip(self), fields(org.id = %org, user.id = %actor))]
    pub async fn scope(&self, org: OrgId, actor: UserId) -> Result<Scope, RepoError> {
        let mut tx = self.pool.begin().await?;
        tenant::set_tenant(&mut tx, Some(org), Some(actor)).await?;
        let row = sqlx::query!(
            r#"
            select m.role as "role: Role",
                   (m.last_active_at is null
                    or m.last_active_at < now() - interval '5 minutes') as "stale!"
            from memberships m
            join users u on u.id = m.user_id
            where m.org_id = $1 and m.user_id = $2 and m.status = 'active'
              and u.disabled_at is null and u.deleted_at is null
            "#,
            org.as_uuid(),
            actor.as_uuid(),
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(RepoError::NotFound)?;
        let role = row.role;
        // "Last active" on the Team page (R4.1), written at most every five
        // minutes rather than on every request.
        if row.stale {
            sqlx::query!(
                "update memberships set last_active_at = now() where org_id = $1 and user_id = $2",
                org.as_uuid(),
                actor.as_uuid(),
            )
            .execute(&mut *tx)
            .await?;
        }
        Ok(Scope {
            tx,
            membership: Membership {
                org_id: org,
                user_id: actor,
                role,
            },
        })
    }
}

impl Scope {
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// What the actor's role may do with `permission` (SPEC R2.2), or
    /// `Forbidden`.
    pub fn authorize(&self, permission: Permission) -> Result<Grant, RepoError> {
        Ok(authorize(&self.membership, permission)?)
    }

    /// A 403 for an action the role's `permission` does not cover in this
    /// case (e.g. changing the Owner, or one's own role) even though the
    /// permission itself is held (R2.3, R2.5).
    pub fn refuse(&self, permission: Permission) -> RepoError {
        RepoError::Forbidden(Denied {
            role: self.membership.role,
            permission,
        })
    }

    pub(crate) fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), RepoError> {
        self.tx.commit().await?;
        Ok(())
    }
}
