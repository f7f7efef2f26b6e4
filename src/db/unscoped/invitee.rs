//! The invitee's side of a personal invitation (SPEC R5.4, R5.6): it starts
//! from a token, before any tenant is known. The transaction proves it
//! holds the token ([`tenant::prove_token`]: the one row-level security
//! policy that reads it lets exactly that invitation through); once the row
//! is found, the invitation's organisation becomes the tenant for everything
//! that follows.
//!
//! Consuming is one conditional UPDATE (`… where status = 'pending' and
//! expires_at > now()`): fifty concurrent accepts make one membership, and
//! the other forty-nine find it already accepted.

use crate::{
    db::{
        audit::{self, Action, NewEvent, Pii},
        tenant, DbError, Gate, RequestMeta,
    },
    domain::{InvitationState, OrgId, UserId},
    policy::Role,
    token::TokenHash,
};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use uuid::Uuid;

/// What the landing page shows about an invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub org_name: String,
    pub subdomain: String,
    pub email: String,
    pub role: Role,
    pub inviter: String,
    pub expires_at: OffsetDateTime,
    pub state: InvitationState,
}

/// The result of accepting (or trying to).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcceptOutcome {
    Joined {
        subdomain: String,
        role: Role,
    },
    /// The invitation is no longer pending or has expired.
    NotPending(InvitationState),
    /// Signed in as someone other than the invited address (R5.6).
    WrongAccount {
        invited: String,
    },
}

pub(super) struct Found {
    pub(super) org: Uuid,
    pub(super) id: Uuid,
    pub(super) email: String,
    pub(super) role: Role,
    pub(super) state: InvitationState,
}

/// Finds the personal invitation a token names, in a transaction that then
/// belongs to its organisation. `None`: no such token.
pub(super) async fn find(
    conn: &mut PgConnection,
    hash: &TokenHash,
    user: Option<UserId>,
) -> Result<Option<Found>, sqlx::Error> {
    let Some(found) = locate(conn, hash, user, "personal").await? else {
        return Ok(None);
    };
    // The kind's shape check gives a personal invitation its role.
    let Some(role) = found.role else {
        return Ok(None);
    };
    Ok(Some(Found {
        org: found.org,
        id: found.id,
        email: found.email,
        role,
        state: found.state,
    }))
}

/// An invitation of any kind as [`locate`] finds it.
pub(super) struct Located {
    pub(super) org: Uuid,
    pub(super) id: Uuid,
    /// Empty for a forward invitation to an organisation (it has none).
    pub(super) email: String,
    /// Personal: the role granted.
    pub(super) role: Option<Role>,
    /// Reverse: the inviting studio's client.
    pub(super) client_id: Option<Uuid>,
    pub(super) state: InvitationState,
}

/// Finds the invitation of `kind` (`invitation_kind`) a token names, in a
/// transaction that then belongs to its organisation. `None`: no such
/// token, or one of another kind.
pub(super) async fn locate(
    conn: &mut PgConnection,
    hash: &TokenHash,
    user: Option<UserId>,
    kind: &str,
) -> Result<Option<Located>, sqlx::Error> {
    tenant::prove_token(conn, hash).await?;
    let Some(row) = sqlx::query!(
        r#"select org_id, id, token_hash, coalesce(email::text, '') as "email!",
                  role as "role: Role", client_id,
                  status as "status: Status", (expires_at <= now()) as "expired!"
           from invitations where token_hash = $1 and kind = $2::text::invitation_kind"#,
        hash.as_bytes().as_slice(),
        kind
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    // The index found it by hash; compare in constant time all the same.
    if !bool::from(row.token_hash.as_slice().ct_eq(hash.as_bytes())) {
        return Ok(None);
    }
    tenant::set_tenant(conn, Some(OrgId::from_db(row.org_id)), user).await?;
    let state = match (row.status, row.expired) {
        (Status::Pending, false) => InvitationState::Valid,
        (Status::Pending, true) => InvitationState::Expired,
        (Status::Accepted, _) => InvitationState::Accepted,
        (Status::Declined, _) => InvitationState::Declined,
        (Status::Revoked, _) => InvitationState::Revoked,
    };
    Ok(Some(Located {
        org: row.org_id,
        id: row.id,
        email: row.email,
        role: row.role,
        client_id: row.client_id,
        state,
    }))
}

/// R5.6: whether `user`'s address is the invited one (compared
/// case-insensitively: the column's collation). Every kind of invitation
/// by email is bound to its address.
pub(super) async fn is_invited_address(
    conn: &mut PgConnection,
    user: UserId,
    invited: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from users where id = $1 and email = $2) as "x!""#,
        user.as_uuid(),
        invited
    )
    .fetch_one(&mut *conn)
    .await
}

/// R5.3's "opened": the landing page was loaded with the valid link. The
/// first time is kept; an invitation that is no longer valid is left as it
/// is.
pub(super) async fn mark_opened(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
    state: InvitationState,
) -> Result<(), sqlx::Error> {
    if state == InvitationState::Valid {
        sqlx::query!(
            "update invitations set opened_at = coalesce(opened_at, now()) where org_id = $1 and id = $2",
            org,
            id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// R5.4: declining consumes a pending invitation, with one conditional
/// UPDATE; `false` when it was used (or expired) meanwhile.
pub(super) async fn consume_declined(
    conn: &mut PgConnection,
    org: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        "update invitations set status = 'declined', consumed_at = now()
         where org_id = $1 and id = $2 and status = 'pending' and expires_at > now()
         returning id",
        org,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .is_some())
}

/// The `invitation_status` column type; a value this enum does not know
/// fails the lookup rather than reading as withdrawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "invitation_status", rename_all = "snake_case")]
enum Status {
    Pending,
    Accepted,
    Declined,
    Revoked,
}

/// Admits `user` with the invitation's role, consuming it (R5.4).
pub(super) async fn consume_into_membership(
    conn: &mut PgConnection,
    found: &Found,
    user: UserId,
    meta: &RequestMeta,
) -> Result<Option<String>, sqlx::Error> {
    let consumed = sqlx::query_scalar!(
        "update invitations set status = 'accepted', consumed_at = now(), consumed_by_user_id = $3
         where org_id = $1 and id = $2 and status = 'pending' and expires_at > now()
         returning id",
        found.org,
        found.id,
        user.as_uuid()
    )
    .fetch_optional(&mut *conn)
    .await?;
    if consumed.is_none() {
        return Ok(None);
    }
    // A former member comes back; a current one keeps their role.
    sqlx::query!(
        "insert into memberships (org_id, user_id, role) values ($1, $2, $3::text::member_role)
         on conflict (org_id, user_id) do update
             set role = excluded.role, status = 'active', removed_at = null,
                 removed_by_user_id = null, created_at = now(), last_active_at = null
             where memberships.status = 'removed'",
        found.org,
        user.as_uuid(),
        found.role.as_str()
    )
    .execute(&mut *conn)
    .await?;
    // The link was mailed to this address: following it verifies it.
    sqlx::query!(
        "update users set email_verified = true where id = $1",
        user.as_uuid()
    )
    .execute(&mut *conn)
    .await?;
    audit::append_to(
        conn,
        OrgId::from_db(found.org),
        &NewEvent::new(Some(user), Action::InvitationAccepted)
            .target("user", user)
            .metadata(serde_json::json!({
                "role": found.role.as_str(),
                "invitation_id": found.id.to_string(),
            }))
            .pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": found.email }),
            }),
    )
    .await?;
    let subdomain = sqlx::query_scalar!(
        "select subdomain from organisations where id = $1",
        found.org
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(subdomain))
}

impl Gate {
    /// The landing page's view of a token; `None` when no invitation has it.
    #[tracing::instrument(skip_all)]
    pub async fn invitation(&self, hash: &TokenHash) -> Result<Option<InvitationView>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(found) = find(&mut tx, hash, None).await? else {
            return Ok(None);
        };
        let row = sqlx::query!(
            r#"select o.name, o.subdomain, u.display_name as inviter, i.expires_at
               from invitations i
               join organisations o on o.id = i.org_id
               join users u on u.id = i.invited_by_user_id
               where i.org_id = $1 and i.id = $2"#,
            found.org,
            found.id
        )
        .fetch_one(&mut *tx)
        .await?;
        mark_opened(&mut tx, found.org, found.id, found.state).await?;
        tx.commit().await?;
        Ok(Some(InvitationView {
            org_name: row.name,
            subdomain: row.subdomain,
            email: found.email,
            role: found.role,
            inviter: row.inviter,
            expires_at: row.expires_at,
            state: found.state,
        }))
    }

    /// Accepts as the signed-in `user`. Atomic and idempotent (R5.4).
    #[tracing::instrument(skip(self, hash, meta))]
    pub async fn accept_invitation(
        &self,
        hash: &TokenHash,
        user: UserId,
        meta: &RequestMeta,
    ) -> Result<Option<AcceptOutcome>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(found) = find(&mut tx, hash, Some(user)).await? else {
            return Ok(None);
        };
        if found.state != InvitationState::Valid {
            return Ok(Some(AcceptOutcome::NotPending(found.state)));
        }
        if !is_invited_address(&mut tx, user, &found.email).await? {
            return Ok(Some(AcceptOutcome::WrongAccount {
                invited: found.email,
            }));
        }
        let outcome = match consume_into_membership(&mut tx, &found, user, meta).await? {
            Some(subdomain) => AcceptOutcome::Joined {
                subdomain,
                role: found.role,
            },
            None => AcceptOutcome::NotPending(InvitationState::Accepted),
        };
        tx.commit().await?;
        Ok(Some(outcome))
    }

    /// Declining consumes the invitation too (R5.4). Anyone holding the
    /// link may decline it; `actor` is recorded when someone is signed in.
    #[tracing::instrument(skip(self, hash, meta))]
    pub async fn decline_invitation(
        &self,
        hash: &TokenHash,
        actor: Option<UserId>,
        meta: &RequestMeta,
    ) -> Result<Option<InvitationState>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(found) = find(&mut tx, hash, actor).await? else {
            return Ok(None);
        };
        if found.state != InvitationState::Valid {
            return Ok(Some(found.state));
        }
        if !consume_declined(&mut tx, found.org, found.id).await? {
            return Ok(Some(InvitationState::Accepted));
        }
        audit::append_to(
            &mut tx,
            OrgId::from_db(found.org),
            &NewEvent::new(actor, Action::InvitationDeclined)
                .target("invitation", found.id)
                .metadata(serde_json::json!({ "role": found.role.as_str() }))
                .pii(Pii {
                    ip: meta.ip.clone(),
                    data: serde_json::json!({ "email": found.email }),
                }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(InvitationState::Declined))
    }
}
