//! Sign-in and the sessions of the signed-in person (SPEC R3.4, R3.5,
//! R3.8). Users and their sessions are global, not tenant data; the one
//! statement that reads tenant tables (the organisation picker's
//! memberships) sets the person first so row-level security applies.

use crate::{
    db::{audit, security_events, tenant, DbError, Gate, RequestMeta, SecurityEvent},
    domain::UserId,
    policy::Role,
};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a password sign-in needs to know about the email typed.
#[derive(Clone, Debug)]
pub struct LoginCandidate {
    pub id: UserId,
    pub password_hash: Option<String>,
    pub has_totp: bool,
}

/// The person behind a live session, re-read on every request (R3.8).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionUser {
    pub id: UserId,
    pub login_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub has_totp: bool,
    pub totp_reenrol_required: bool,
    /// Whether we verified the address (R3.3: only then may Google link).
    pub email_verified: bool,
}

/// One organisation the person belongs to (the organisation picker, R3.5).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrgChoice {
    pub subdomain: String,
    pub name: String,
    pub role: Role,
}

/// One row of "where you're signed in" (R3.4).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Gate {
    /// The account a password sign-in names, if it may sign in at all.
    pub async fn login_candidate(&self, email: &str) -> Result<Option<LoginCandidate>, DbError> {
        let row = sqlx::query!(
            r#"
            select id, password_hash, totp_secret is not null as "has_totp!"
            from users
            where email = $1 and disabled_at is null and deleted_at is null
            "#,
            email
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| LoginCandidate {
            id: UserId::from_db(r.id),
            password_hash: r.password_hash,
            has_totp: r.has_totp,
        }))
    }

    /// Records a sign-in: a `user_sessions` row under the user's current
    /// auth epoch. Its id goes into the (freshly cycled) session record.
    pub async fn start_session(&self, user: UserId, meta: &RequestMeta) -> Result<Uuid, DbError> {
        let mut tx = self.pool.begin().await?;
        let id = sqlx::query_scalar!(
            r#"
            insert into user_sessions (user_id, auth_epoch, ip, user_agent)
            select id, auth_epoch, $2::text::inet, $3 from users where id = $1
            returning id
            "#,
            user.as_uuid(),
            meta.ip.as_deref(),
            meta.user_agent(),
        )
        .fetch_one(&mut *tx)
        .await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::SignedIn,
            meta,
            serde_json::json!({}),
        )
        .await?;
        // R8.1 login events: each organisation the person belongs to sees
        // the sign-in in its own audit log, in this transaction.
        audit::append_in_each_org_of(
            &mut tx,
            user,
            &audit::NewEvent::new(Some(user), audit::Action::SignedIn)
                .target("user", user)
                .pii(audit::Pii {
                    ip: meta.ip.clone(),
                    data: serde_json::json!({}),
                }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The person behind a session, or `None` when the session was revoked,
    /// the user's epoch moved on (sign-out everywhere, password change,
    /// removal) or the account is disabled (R3.8). One statement per
    /// request; `last_seen_at` is refreshed at most once a minute.
    pub async fn session_user(&self, login_id: Uuid) -> Result<Option<SessionUser>, DbError> {
        let row = sqlx::query!(
            r#"
            with live as (
                select u.id, u.email::text as email, u.display_name,
                       u.totp_secret is not null as has_totp,
                       u.totp_reenrol_required, u.email_verified, s.last_seen_at
                from user_sessions s
                join users u on u.id = s.user_id
                where s.id = $1 and s.revoked_at is null and s.auth_epoch = u.auth_epoch
                  and u.disabled_at is null and u.deleted_at is null
            ), touch as (
                update user_sessions set last_seen_at = now()
                where id = $1 and exists (select 1 from live)
                  and last_seen_at < now() - interval '1 minute'
            )
            select id as "id!", email as "email!", display_name as "display_name!",
                   has_totp as "has_totp!", totp_reenrol_required as "totp_reenrol_required!",
                   email_verified as "email_verified!"
            from live
            "#,
            login_id
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| SessionUser {
            id: UserId::from_db(r.id),
            login_id,
            email: r.email,
            display_name: r.display_name,
            has_totp: r.has_totp,
            totp_reenrol_required: r.totp_reenrol_required,
            email_verified: r.email_verified,
        }))
    }

    /// Ends one sign-in of `user` ("where you're signed in", or log out).
    pub async fn revoke_session(&self, user: UserId, login_id: Uuid) -> Result<bool, DbError> {
        let done = sqlx::query!(
            "update user_sessions set revoked_at = now()
             where id = $1 and user_id = $2 and revoked_at is null",
            login_id,
            user.as_uuid()
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sign out everywhere (R3.8): one statement ends every session of the
    /// user on every subdomain, because each request compares epochs.
    pub async fn revoke_all_sessions(
        &self,
        user: UserId,
        meta: &RequestMeta,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        bump_epoch(&mut tx, user).await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::SignedOutEverywhere,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live sign-ins of `user`, newest activity first.
    pub async fn list_sessions(&self, user: UserId) -> Result<Vec<SessionRow>, DbError> {
        let rows = sqlx::query!(
            r#"
            select s.id, s.created_at, s.last_seen_at, host(s.ip) as ip, s.user_agent
            from user_sessions s join users u on u.id = s.user_id
            where s.user_id = $1 and s.revoked_at is null and s.auth_epoch = u.auth_epoch
            order by s.last_seen_at desc
            limit 50
            "#,
            user.as_uuid()
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| SessionRow {
                id: r.id,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
                ip: r.ip,
                user_agent: r.user_agent,
            })
            .collect())
    }

    /// The organisations `user` is an active member of (R3.5's picker).
    pub async fn memberships_of(&self, user: UserId) -> Result<Vec<OrgChoice>, DbError> {
        let mut tx = self.pool.begin().await?;
        tenant::set_tenant(&mut tx, None, Some(user)).await?;
        let rows = sqlx::query!(
            r#"
            select o.subdomain, o.name, m.role as "role: Role"
            from memberships m join organisations o on o.id = m.org_id
            where m.user_id = $1 and m.status = 'active' and o.status <> 'closed'
            order by o.name
            "#,
            user.as_uuid()
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|r| OrgChoice {
                subdomain: r.subdomain,
                name: r.name,
                role: r.role,
            })
            .collect())
    }
}

/// Ends every session of `user` (R3.8): the epoch moves on, so every
/// session record on every subdomain stops matching.
pub(super) async fn bump_epoch(conn: &mut PgConnection, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update users set auth_epoch = auth_epoch + 1 where id = $1",
        user.as_uuid()
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update user_sessions set revoked_at = now() where user_id = $1 and revoked_at is null",
        user.as_uuid()
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
