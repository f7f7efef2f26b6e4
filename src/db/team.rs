//! The team of the scope's organisation (SPEC R4): members, role changes,
//! removal, leaving and ownership transfer. Every change re-checks the
//! actor's membership (the scope was loaded from the database for this
//! request, R2.4), locks the rows it changes, and writes its one audit event
//! in the same transaction (R8.1).

use super::{
    audit::{self, Action, NewEvent, Pii},
    RepoError, Scope,
};
use crate::{
    domain::UserId,
    error::{Conflict, TransferGate},
    policy::{grantable_roles, Permission, Role},
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
    /// R4.6 target gate, shown beside a would-be Owner.
    pub email_verified: bool,
    pub has_second_factor: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedMember {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub removed_at: OffsetDateTime,
    /// `None` when they left by themselves.
    pub removed_by: Option<String>,
}

/// A member row as the queries below select it.
struct MemberRow {
    id: uuid::Uuid,
    display_name: String,
    email: String,
    role: Role,
    created_at: OffsetDateTime,
    last_active_at: Option<OffsetDateTime>,
    email_verified: bool,
    has_second_factor: bool,
}

impl MemberRow {
    fn into_member(self) -> Member {
        Member {
            user_id: UserId::from_db(self.id),
            display_name: self.display_name,
            email: self.email,
            role: self.role,
            joined_at: self.created_at,
            last_active_at: self.last_active_at,
            email_verified: self.email_verified,
            has_second_factor: self.has_second_factor,
        }
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
        select u.id, u.display_name, u.email as "email!", m.role as "role: Role",
               m.created_at, m.last_active_at, u.email_verified,
               (u.totp_secret is not null) as "has_second_factor!"
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
    Ok(rows.into_iter().map(MemberRow::into_member).collect())
}

/// Members removed (or who left) in the last 90 days, newest first (R4.1).
#[tracing::instrument(skip_all)]
pub async fn recently_removed(scope: &mut Scope) -> Result<Vec<RemovedMember>, RepoError> {
    scope.authorize(Permission::ViewTeam)?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"
        select u.id, u.display_name, u.email as "email!", m.role as "role: Role",
               m.removed_at as "removed_at!",
               case when m.removed_by_user_id = m.user_id then null else b.display_name end as removed_by
        from memberships m
        join users u on u.id = m.user_id
        left join users b on b.id = m.removed_by_user_id
        where m.org_id = $1 and m.status = 'removed' and m.removed_at > now() - interval '90 days'
        order by m.removed_at desc
        limit 50
        "#,
        org
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RemovedMember {
            user_id: UserId::from_db(r.id),
            display_name: r.display_name,
            email: r.email,
            role: r.role,
            removed_at: r.removed_at,
            removed_by: r.removed_by,
        })
        .collect())
}

/// Locks an active member of the scope's organisation and returns the role.
async fn lock_member(scope: &mut Scope, user: UserId) -> Result<Role, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    sqlx::query_scalar!(
        r#"select role as "role: Role" from memberships
           where org_id = $1 and user_id = $2 and status = 'active' for update"#,
        org,
        user.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)
}

/// What an actor with `scope` may do to a member holding `target_role`:
/// manage members, not themselves, never the Owner (R2.3).
fn may_manage(scope: &Scope, target: UserId, target_role: Role) -> Result<(), RepoError> {
    scope.authorize(Permission::ManageMembers)?;
    if target == scope.membership().user_id() || target_role == Role::Owner {
        return Err(scope.refuse(Permission::ManageMembers));
    }
    Ok(())
}

/// R4.3: gives `target` the role `to`. The affected person's next request
/// reads the new role (R2.4, R3.8). Answers whether anything changed.
#[tracing::instrument(skip(scope))]
pub async fn change_role(scope: &mut Scope, target: UserId, to: Role) -> Result<bool, RepoError> {
    scope.authorize(Permission::ManageMembers)?;
    let from = lock_member(scope, target).await?;
    may_manage(scope, target, from)?;
    if !grantable_roles(scope.membership().role()).contains(&to) {
        return Err(scope.refuse(Permission::ManageMembers));
    }
    if from == to {
        return Ok(false);
    }
    let org = scope.membership().org_id();
    sqlx::query!(
        "update memberships set role = $3::text::member_role where org_id = $1 and user_id = $2",
        org.as_uuid(),
        target.as_uuid(),
        to.as_str()
    )
    .execute(scope.conn())
    .await?;
    // What they invited people as may now be beyond what they may grant.
    revoke_issued_by(
        scope,
        target,
        Some(grantable_roles(to)),
        "inviter_role_changed",
    )
    .await?;
    let actor = scope.membership().user_id();
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::MemberRoleChanged)
            .target("user", target)
            .metadata(serde_json::json!({ "from": from.as_str(), "to": to.as_str() })),
    )
    .await?;
    Ok(true)
}

/// Revokes the pending invitations `inviter` sent in the scope's
/// organisation — all of them (`None`: they are no longer a member), or the
/// personal ones whose role is not in `still_grantable` — one
/// `invitation.revoked` event each (with the `reason`), in the scope's
/// transaction. An invitation grants its role on acceptance without asking
/// the inviter again, so the right to grant it must still be there: a
/// removed Admin's invitations would otherwise keep admitting people (R4.4).
/// Called before the change's own event: invitation rows are locked before
/// the chain head, the order accepting one follows, so the two cannot
/// deadlock. Answers how many were revoked.
async fn revoke_issued_by(
    scope: &mut Scope,
    inviter: UserId,
    still_grantable: Option<&[Role]>,
    reason: &'static str,
) -> Result<usize, RepoError> {
    let org = scope.membership().org_id();
    let keep: Option<Vec<&str>> =
        still_grantable.map(|roles| roles.iter().map(|r| r.as_str()).collect());
    let revoked = sqlx::query!(
        r#"
        update invitations set status = 'revoked', revoked_at = now()
        where org_id = $1 and invited_by_user_id = $2 and status = 'pending'
          and ($3::text[] is null
               or (kind = 'personal' and not (role::text = any($3::text[]))))
        returning id, email as "email!", role::text as role
        "#,
        org.as_uuid(),
        inviter.as_uuid(),
        keep.as_deref() as Option<&[&str]>,
    )
    .fetch_all(scope.conn())
    .await?;
    let actor = scope.membership().user_id();
    for r in &revoked {
        audit::append(
            scope,
            &NewEvent::new(Some(actor), Action::InvitationRevoked)
                .target("invitation", r.id)
                .metadata(serde_json::json!({ "role": r.role, "reason": reason }))
                .pii(Pii {
                    ip: None,
                    data: serde_json::json!({ "email": r.email }),
                }),
        )
        .await?;
    }
    Ok(revoked.len())
}

/// Ends `user`'s membership and, with it, every session they have (R3.8:
/// their next request on any subdomain is signed out).
async fn end_membership(
    scope: &mut Scope,
    user: UserId,
    by: UserId,
    revoke_sessions: bool,
) -> Result<(), RepoError> {
    let org = scope.membership().org_id().as_uuid();
    sqlx::query!(
        "update memberships set status = 'removed', removed_at = now(), removed_by_user_id = $3
         where org_id = $1 and user_id = $2",
        org,
        user.as_uuid(),
        by.as_uuid()
    )
    .execute(scope.conn())
    .await?;
    if revoke_sessions {
        sqlx::query!(
            "update users set auth_epoch = auth_epoch + 1 where id = $1",
            user.as_uuid()
        )
        .execute(scope.conn())
        .await?;
    }
    Ok(())
}

/// R4.4: removes `target` from the organisation.
#[tracing::instrument(skip(scope))]
pub async fn remove(scope: &mut Scope, target: UserId) -> Result<(), RepoError> {
    scope.authorize(Permission::ManageMembers)?;
    let role = lock_member(scope, target).await?;
    may_manage(scope, target, role)?;
    let actor = scope.membership().user_id();
    end_membership(scope, target, actor, true).await?;
    revoke_issued_by(scope, target, None, "inviter_removed").await?;
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::MemberRemoved)
            .target("user", target)
            .metadata(serde_json::json!({ "role": role.as_str() })),
    )
    .await?;
    Ok(())
}

/// R4.4: "leave organisation". The Owner cannot; they transfer first.
#[tracing::instrument(skip(scope))]
pub async fn leave(scope: &mut Scope) -> Result<(), RepoError> {
    let me = scope.membership().user_id();
    let role = lock_member(scope, me).await?;
    if role == Role::Owner {
        return Err(Conflict::OwnerCannotLeave.into());
    }
    end_membership(scope, me, me, false).await?;
    revoke_issued_by(scope, me, None, "inviter_left").await?;
    audit::append(
        scope,
        &NewEvent::new(Some(me), Action::MemberLeft)
            .target("user", me)
            .metadata(serde_json::json!({ "role": role.as_str() })),
    )
    .await?;
    Ok(())
}

/// Why a transfer target does not qualify (R4.6 target gate).
pub fn transfer_gate(member: &Member, require_second_factor: bool) -> Result<(), TransferGate> {
    gate(
        member.role,
        member.email_verified,
        member.has_second_factor,
        require_second_factor,
    )
}

/// R4.6 target gate: an active Admin with a verified email, and a second
/// factor when the organisation requires one.
pub(crate) fn gate(
    role: Role,
    email_verified: bool,
    has_second_factor: bool,
    require_second_factor: bool,
) -> Result<(), TransferGate> {
    if role != Role::Admin {
        return Err(TransferGate::NotAdmin);
    }
    if !email_verified {
        return Err(TransferGate::EmailUnverified);
    }
    if require_second_factor && !has_second_factor {
        return Err(TransferGate::NoSecondFactor);
    }
    Ok(())
}

/// Whether the organisation requires its Owner to have a second factor.
pub async fn requires_second_factor(scope: &mut Scope) -> Result<bool, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    Ok(sqlx::query_scalar!(
        "select require_second_factor from organisations where id = $1",
        org
    )
    .fetch_one(scope.conn())
    .await?)
}

/// R4.6: the Owner hands the organisation to an active Admin, and becomes
/// an Admin. One transaction: the demotion, the promotion and the
/// organisation's owner pointer (checked at commit, R2.3).
#[tracing::instrument(skip(scope))]
pub async fn transfer_ownership(scope: &mut Scope, to: UserId) -> Result<(), RepoError> {
    scope.authorize(Permission::TransferOwnership)?;
    let org = scope.membership().org_id();
    let me = scope.membership().user_id();
    if to == me {
        return Err(Conflict::AlreadyOwner.into());
    }
    // Serialise against any other change of ownership.
    sqlx::query!(
        "select id from organisations where id = $1 for update",
        org.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?;
    lock_member(scope, me).await?;
    lock_member(scope, to).await?;
    let target = member(scope, to).await?;
    let require = requires_second_factor(scope).await?;
    transfer_gate(&target, require)?;
    // Demote first: at most one active Owner is an immediate unique index.
    sqlx::query!(
        "update memberships set role = 'admin' where org_id = $1 and user_id = $2",
        org.as_uuid(),
        me.as_uuid()
    )
    .execute(scope.conn())
    .await?;
    sqlx::query!(
        "update memberships set role = 'owner' where org_id = $1 and user_id = $2",
        org.as_uuid(),
        to.as_uuid()
    )
    .execute(scope.conn())
    .await?;
    sqlx::query!(
        "update organisations set owner_user_id = $2 where id = $1",
        org.as_uuid(),
        to.as_uuid()
    )
    .execute(scope.conn())
    .await?;
    audit::append(
        scope,
        &NewEvent::new(Some(me), Action::OwnershipTransferred)
            .target("user", to)
            .metadata(serde_json::json!({ "previous_owner": me.to_string() })),
    )
    .await?;
    Ok(())
}
