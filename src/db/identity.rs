//! Identity (SPEC §3): people, their sign-ins and what protects them.
//!
//! Users are global (not tenant data), so most of this runs on the pool
//! without a tenant. Where a statement touches tenant tables — sign-up's
//! organisation, the organisation picker's memberships — the transaction
//! first sets `app.org_id` / `app.user_id` so row-level security applies.

use super::{audit, Db, DbError};
// The outbox moved to its own module (issue 10); re-exported for callers
// that still name it here.
pub(crate) use super::outbox::queue_email;
use crate::{
    domain::{ClientTypes, EmailAddress, OrgId, Subdomain, UserId},
    policy::Role,
    token::{Token, TokenHash},
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

/// Where a request came from, for sessions and security events.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    fn user_agent(&self) -> Option<String> {
        self.user_agent
            .as_deref()
            .map(|ua| ua.chars().take(400).collect())
    }
}

/// A new person and their first organisation (R3.1).
#[derive(Clone, Debug)]
pub struct NewSignup {
    pub display_name: String,
    pub email: EmailAddress,
    /// argon2id PHC string; `None` for a Google account.
    pub password_hash: Option<String>,
    pub google_subject: Option<String>,
    pub email_verified: bool,
    pub org_name: String,
    pub subdomain: Subdomain,
    pub country: String,
    pub client_types: ClientTypes,
}

/// What a sign-up did. The person is told the same either way (R3.7): a
/// password sign-up always ends at "check your inbox".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignupOutcome {
    /// A new account and organisation; the verification link is queued.
    Created { user: UserId, org: OrgId },
    /// The address already has an account: nothing was created, and its
    /// owner was emailed instead.
    ExistingAccount,
}

#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("this subdomain is taken")]
    SubdomainTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Provisioning by an operator (R3.1): keyed on the billing provider's
/// customer id so that running it twice never creates two organisations.
#[derive(Clone, Debug)]
pub struct Provision {
    pub provider: String,
    pub customer_id: String,
    pub owner_name: String,
    pub owner_email: EmailAddress,
    pub org_name: String,
    pub subdomain: Subdomain,
    pub country: String,
    pub client_types: ClientTypes,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provisioned {
    Created { org: OrgId, owner: UserId },
    AlreadyExists { org: OrgId, subdomain: String },
}

/// A Google account as the provider vouched for it (R3.3).
#[derive(Clone, Debug)]
pub struct GoogleIdentity {
    pub subject: String,
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// What the Google callback found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoogleMatch {
    /// Signed in before with this Google account, or linked now by a
    /// verified email.
    User { id: UserId, has_totp: bool },
    /// An account had this address but we had never verified it: whoever
    /// registered it may not have owned the address. The Google person, who
    /// proved the address, takes the account over; its password, second
    /// factor and sessions are gone (issue 10 item 2).
    Claimed { id: UserId },
    /// No account yet: the person may sign up with it.
    NoAccount,
    /// An account has this email but the provider did not verify it: never
    /// link (R3.3).
    UnverifiedEmail,
}

pub(crate) fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    matches!(err, sqlx::Error::Database(db)
        if db.code().as_deref() == Some("23505") && db.constraint() == Some(constraint))
}

pub(crate) async fn set_tenant(
    conn: &mut PgConnection,
    org: Option<Uuid>,
    user: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"select set_config('app.org_id', coalesce($1, ''), true) as "org!",
                  set_config('app.user_id', coalesce($2, ''), true) as "user!""#,
        org.map(|o| o.to_string()),
        user.map(|u| u.to_string()),
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(())
}

impl Db {
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
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::SignedIn,
            meta,
            serde_json::json!({}),
        )
        .await?;
        // R8.1 login events: each organisation the person belongs to sees
        // the sign-in in its own audit log, in this transaction.
        audit::append_in_each_org_of(&mut tx, user, |org| {
            audit::NewEvent::new(org, Some(user), audit::Action::SignedIn)
                .target("user", user)
                .pii(audit::Pii {
                    ip: meta.ip.clone(),
                    data: serde_json::json!({}),
                })
        })
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
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::SignedOutEverywhere,
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
        set_tenant(&mut tx, None, Some(user.as_uuid())).await?;
        let rows = sqlx::query!(
            r#"
            select o.subdomain, o.name, m.role::text as "role!"
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
            .filter_map(|r| {
                Some(OrgChoice {
                    subdomain: r.subdomain,
                    name: r.name,
                    role: Role::parse(&r.role)?,
                })
            })
            .collect())
    }

    /// Whether a subdomain is free (the live check on the sign-up form).
    pub async fn subdomain_taken(&self, subdomain: &Subdomain) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar!(
            // Every subdomain, closed organisations' too, through a function:
            // the runtime role reads only its own organisations (issue 10).
            r#"select app_subdomain_taken($1) as "taken!""#,
            subdomain.as_str()
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Sign-up (R3.1): user, organisation, Owner membership and the audit
    /// event in one transaction.
    pub async fn sign_up(
        &self,
        signup: &NewSignup,
        meta: &RequestMeta,
    ) -> Result<(UserId, OrgId), SignupError> {
        let mut tx = self.pool.begin().await?;
        let (user, org) = insert_account_and_org(&mut tx, signup, signup.email_verified)
            .await?
            .ok_or(SignupError::EmailTaken)?;
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::SignedUp,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok((user, org))
    }

    /// A password sign-up (R3.1, issue 10): the account (unverified), its
    /// organisation and the verification link in one transaction. When the
    /// address already has an account nothing is created and its owner gets
    /// an email instead, so the answer is the same either way (R3.7).
    pub async fn sign_up_with_password(
        &self,
        signup: &NewSignup,
        link: &(dyn Fn(&Token) -> String + Sync),
        sign_in_url: &str,
        meta: &RequestMeta,
    ) -> Result<SignupOutcome, SignupError> {
        let mut tx = self.pool.begin().await?;
        let Some((user, org)) = insert_account_and_org(&mut tx, signup, false).await? else {
            // Roll back the failed insert's savepoint-free transaction and
            // tell the address's owner, at the address on record.
            tx.rollback().await?;
            let mut tx = self.pool.begin().await?;
            if let Some(owner) = sqlx::query!(
                r#"select id, email::text as "email!", display_name from users
                   where email = $1 and deleted_at is null"#,
                signup.email.as_str()
            )
            .fetch_optional(&mut *tx)
            .await?
            {
                let body = format!(
                    "Hello {name},\n\nSomeone (hopefully you) tried to create a new offplan account with this \
                     address. You already have one, so nothing was created.\n\n\
                     Sign in: {sign_in_url}\n\n\
                     Forgot your password? Choose \"Forgot your password?\" on that page.\n",
                    name = owner.display_name
                );
                queue_email(
                    &mut tx,
                    &owner.email,
                    "You already have an offplan account",
                    &body,
                )
                .await?;
                record_event(
                    &mut tx,
                    Some(UserId::from_db(owner.id)),
                    super::SecurityEvent::SignUpExistingEmail,
                    meta,
                    serde_json::json!({}),
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(SignupOutcome::ExistingAccount);
        };
        super::email_verification::issue(
            &mut tx,
            user,
            super::email_verification::Purpose::Signup,
            link,
            &super::email_verification::VerificationMail {
                subject: "Confirm your email to finish signing up to offplan",
                intro: &format!(
                    "Welcome to offplan. Open this link to confirm your address and open {}:",
                    signup.org_name
                ),
            },
        )
        .await?;
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::SignedUp,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(SignupOutcome::Created { user, org })
    }

    /// Whether an account already uses this email (sign-up's field check).
    pub async fn email_taken(&self, email: &EmailAddress) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar!(
            r#"select exists(select 1 from users where email = $1) as "taken!""#,
            email.as_str()
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Records a security event of a person (or of an unknown account, with
    /// `user` = `None`).
    pub async fn record_security_event(
        &self,
        user: Option<UserId>,
        kind: super::SecurityEvent,
        meta: &RequestMeta,
        metadata: serde_json::Value,
    ) -> Result<(), DbError> {
        let mut conn = self.pool.acquire().await?;
        record_event(&mut conn, user, kind, meta, metadata).await?;
        Ok(())
    }

    /// Counts one hit in a fixed-window bucket and returns the hits so far
    /// in this window (R3.7). Shared by every app server.
    pub async fn rate_limit_hit(&self, bucket: &str, window_secs: i64) -> Result<i64, DbError> {
        let hits = sqlx::query_scalar!(
            r#"
            insert into rate_limit_hits (bucket, window_start, hits)
            values ($1, to_timestamp(floor(extract(epoch from now()) / $2) * $2), 1)
            on conflict (bucket, window_start) do update set hits = rate_limit_hits.hits + 1
            returning hits as "hits!"
            "#,
            bucket,
            window_secs as f64,
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(i64::from(hits))
    }

    /// Takes back one hit of this window (a sign-in that turned out to be
    /// right: per-account limits count failures, but are charged before the
    /// password is checked so that racing guesses cannot overtake them).
    pub async fn rate_limit_forgive(&self, bucket: &str, window_secs: i64) -> Result<(), DbError> {
        sqlx::query!(
            r#"
            update rate_limit_hits set hits = hits - 1
            where bucket = $1 and hits > 1
              and window_start = to_timestamp(floor(extract(epoch from now()) / $2) * $2)
            "#,
            bucket,
            window_secs as f64,
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Drops rate-limit windows older than an hour.
    pub async fn rate_limit_prune(&self) -> Result<u64, DbError> {
        Ok(sqlx::query!(
            "delete from rate_limit_hits where window_start < now() - interval '1 hour'"
        )
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    // ---- Password reset (R3.9) and password change ----

    /// The account a reset request names, if any: its id (per-account limits
    /// key on it, issue 10 item 4) and its stored address (the mail goes
    /// there, never to the address as typed, item 5).
    pub async fn reset_target(&self, email: &EmailAddress) -> Result<Option<ResetTarget>, DbError> {
        Ok(sqlx::query!(
            r#"select id, email::text as "email!", display_name from users
               where email = $1 and disabled_at is null and deleted_at is null"#,
            email.as_str()
        )
        .fetch_optional(&self.pool)
        .await?
        .map(|r| ResetTarget {
            id: UserId::from_db(r.id),
            email: r.email,
            display_name: r.display_name,
        }))
    }

    /// Issues a one-hour reset token for the account and queues the email
    /// to its stored address, in one transaction.
    pub async fn request_password_reset(
        &self,
        user: &ResetTarget,
        link: impl FnOnce(&Token) -> String,
        meta: &RequestMeta,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        let (token, hash) = Token::generate();
        sqlx::query!(
            "insert into password_resets (token_hash, user_id, expires_at)
             values ($1, $2, now() + interval '1 hour')",
            hash.as_bytes().as_slice(),
            user.id.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        let url = link(&token);
        let body = format!(
            "Hello {name},\n\nSomeone (hopefully you) asked to reset the password of your offplan account.\n\
             Choose a new password here within the next hour:\n\n{url}\n\n\
             The link works once. If you did not ask for this, ignore this email: your password stays as it is.\n",
            name = user.display_name
        );
        // The link dies in an hour; so does the mail's body (issue 10 item 6).
        super::outbox::queue_email_valid_for(
            &mut tx,
            &user.email,
            "Reset your offplan password",
            &body,
            time::Duration::hours(1),
        )
        .await?;
        record_event(
            &mut tx,
            Some(user.id),
            super::SecurityEvent::PasswordResetRequested,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a reset token is usable (the reset page's first look).
    pub async fn password_reset_valid(&self, hash: &TokenHash) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar!(
            r#"select exists(select 1 from password_resets
                 where token_hash = $1 and consumed_at is null and expires_at > now()) as "ok!""#,
            hash.as_bytes().as_slice()
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Consumes a reset token atomically and sets the new password; every
    /// session of the user ends (R3.8). `None`: unknown, used or expired.
    pub async fn reset_password(
        &self,
        hash: &TokenHash,
        new_hash: &str,
        meta: &RequestMeta,
    ) -> Result<Option<UserId>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(user) = sqlx::query_scalar!(
            "update password_resets set consumed_at = now()
             where token_hash = $1 and consumed_at is null and expires_at > now()
             returning user_id",
            hash.as_bytes().as_slice()
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let user = UserId::from_db(user);
        set_password(&mut tx, user, new_hash).await?;
        // Other outstanding reset links die with this one.
        sqlx::query!(
            "update password_resets set consumed_at = now() where user_id = $1 and consumed_at is null",
            user.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::PasswordReset,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// The stored hash, for "change password" (re-verify the current one).
    pub async fn password_hash_of(&self, user: UserId) -> Result<Option<String>, DbError> {
        Ok(sqlx::query_scalar!(
            "select password_hash from users where id = $1",
            user.as_uuid()
        )
        .fetch_optional(&self.pool)
        .await?
        .flatten())
    }

    /// Sets a new password and ends every session (R3.8); the caller starts
    /// a fresh one for the browser that made the change.
    pub async fn change_password(
        &self,
        user: UserId,
        new_hash: &str,
        meta: &RequestMeta,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        set_password(&mut tx, user, new_hash).await?;
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::PasswordChanged,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- TOTP (R3.6) ----

    /// The TOTP secret as stored — sealed (`crate::secret_box`) — and the
    /// last accepted time step.
    pub async fn totp_state(
        &self,
        user: UserId,
    ) -> Result<Option<(Vec<u8>, Option<i64>)>, DbError> {
        let row = sqlx::query!(
            "select totp_secret, totp_last_step from users where id = $1",
            user.as_uuid()
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|r| Some((r.totp_secret?, r.totp_last_step))))
    }

    /// Accepts a code's time step at most once: succeeds only when `step` is
    /// later than every step accepted before (replay protection).
    pub async fn accept_totp_step(&self, user: UserId, step: i64) -> Result<bool, DbError> {
        let done = sqlx::query!(
            "update users set totp_last_step = $2
             where id = $1 and totp_secret is not null
               and (totp_last_step is null or totp_last_step < $2)",
            user.as_uuid(),
            step
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Re-seals a secret under the current key (key rotation), only if it
    /// is still the one that was read.
    pub async fn reseal_totp(&self, user: UserId, old: &[u8], new: &[u8]) -> Result<(), DbError> {
        sqlx::query!(
            "update users set totp_secret = $3 where id = $1 and totp_secret = $2",
            user.as_uuid(),
            old,
            new
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Turns TOTP on with a confirmed secret (sealed by the caller) and ten
    /// hashed recovery codes; earlier codes are dropped, and every session
    /// of the person ends (issue 10: a new second factor is a credential
    /// change) — the caller starts a fresh one for this browser.
    pub async fn enable_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        confirmed_step: i64,
        recovery_hashes: &[TokenHash],
        meta: &RequestMeta,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query!(
            "update users set totp_secret = $2, totp_last_step = $3, totp_reenrol_required = false
             where id = $1",
            user.as_uuid(),
            sealed_secret,
            confirmed_step
        )
        .execute(&mut *tx)
        .await?;
        bump_epoch(&mut tx, user).await?;
        sqlx::query!(
            "delete from user_recovery_codes where user_id = $1",
            user.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        let hashes: Vec<Vec<u8>> = recovery_hashes
            .iter()
            .map(|h| h.as_bytes().to_vec())
            .collect();
        sqlx::query!(
            "insert into user_recovery_codes (user_id, code_hash) select $1, unnest($2::bytea[])",
            user.as_uuid(),
            &hashes
        )
        .execute(&mut *tx)
        .await?;
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::TotpEnabled,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs in with a recovery code: consumes it atomically, turns TOTP
    /// off and requires a new enrolment (R3.6). `false`: not a live code.
    pub async fn use_recovery_code(
        &self,
        user: UserId,
        hash: &TokenHash,
        meta: &RequestMeta,
    ) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let used = sqlx::query!(
            "update user_recovery_codes set used_at = now()
             where user_id = $1 and code_hash = $2 and used_at is null",
            user.as_uuid(),
            hash.as_bytes().as_slice()
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !used {
            return Ok(false);
        }
        sqlx::query!(
            "update users set totp_secret = null, totp_last_step = null, totp_reenrol_required = true
             where id = $1",
            user.as_uuid()
        )
        .execute(&mut *tx)
        .await?;
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::RecoveryCodeUsed,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    // ---- Google (R3.3) ----

    /// Finds the account for a Google identity: by subject first, then by
    /// email — linking only when the provider verified that email.
    pub async fn match_google(
        &self,
        identity: &GoogleIdentity,
        meta: &RequestMeta,
    ) -> Result<GoogleMatch, DbError> {
        let by_subject = sqlx::query!(
            r#"select id, totp_secret is not null as "has_totp!" from users
               where google_subject = $1 and disabled_at is null and deleted_at is null"#,
            identity.subject
        )
        .fetch_optional(&self.pool)
        .await?;
        if let Some(r) = by_subject {
            return Ok(GoogleMatch::User {
                id: UserId::from_db(r.id),
                has_totp: r.has_totp,
            });
        }
        let by_email = sqlx::query!(
            r#"select id, totp_secret is not null as "has_totp!", google_subject, email_verified
               from users
               where email = $1 and disabled_at is null and deleted_at is null"#,
            identity.email
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = by_email else {
            return Ok(GoogleMatch::NoAccount);
        };
        if !identity.email_verified || r.google_subject.is_some() {
            return Ok(GoogleMatch::UnverifiedEmail);
        }
        let mut tx = self.pool.begin().await?;
        if !r.email_verified {
            // R3.3: link only to an address *we* verified. Whoever
            // registered this one never proved it; the Google person just
            // did. They get the account without what the registrant set:
            // no password, no second factor, no live session.
            let user = UserId::from_db(r.id);
            sqlx::query!(
                "update users set google_subject = $2, email_verified = true, password_hash = null,
                     totp_secret = null, totp_last_step = null, totp_reenrol_required = false
                 where id = $1 and email_verified = false",
                r.id,
                identity.subject
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!("delete from user_recovery_codes where user_id = $1", r.id)
                .execute(&mut *tx)
                .await?;
            bump_epoch(&mut tx, user).await?;
            record_event(
                &mut tx,
                Some(user),
                super::SecurityEvent::UnverifiedAccountClaimed,
                meta,
                serde_json::json!({ "method": "google" }),
            )
            .await?;
            tx.commit().await?;
            return Ok(GoogleMatch::Claimed { id: user });
        }
        sqlx::query!(
            "update users set google_subject = $2, email_verified = true where id = $1",
            r.id,
            identity.subject
        )
        .execute(&mut *tx)
        .await?;
        let user = UserId::from_db(r.id);
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::GoogleLinked,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(GoogleMatch::User {
            id: user,
            has_totp: r.has_totp,
        })
    }
}

/// The account a password reset is for.
#[derive(Clone, Debug)]
pub struct ResetTarget {
    pub id: UserId,
    /// The address on record (not as typed).
    pub email: String,
    pub display_name: String,
}

async fn bump_epoch(conn: &mut PgConnection, user: UserId) -> Result<(), sqlx::Error> {
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

async fn set_password(
    conn: &mut PgConnection,
    user: UserId,
    new_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update users set password_hash = $2 where id = $1",
        user.as_uuid(),
        new_hash
    )
    .execute(&mut *conn)
    .await?;
    bump_epoch(conn, user).await
}

pub(crate) async fn record_event(
    conn: &mut PgConnection,
    user: Option<UserId>,
    kind: super::SecurityEvent,
    meta: &RequestMeta,
    metadata: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into security_events (user_id, kind, ip, user_agent, metadata)
         values ($1, $2, $3::text::inet, $4, $5)",
        user.map(|u| u.as_uuid()),
        kind.as_str(),
        meta.ip.as_deref(),
        meta.user_agent(),
        metadata,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A person's account as sign-up creates it.
pub(crate) struct NewUser<'a> {
    pub email: &'a str,
    pub email_verified: bool,
    pub display_name: &'a str,
    /// argon2id PHC string; `None` for a Google account.
    pub password_hash: Option<&'a str>,
    pub google_subject: Option<&'a str>,
}

/// A sign-up's account and its organisation (both sign-up paths); `None`
/// when the address already has an account.
async fn insert_account_and_org(
    conn: &mut PgConnection,
    signup: &NewSignup,
    email_verified: bool,
) -> Result<Option<(UserId, OrgId)>, SignupError> {
    let Some(user) = insert_user(
        conn,
        &NewUser {
            email: signup.email.as_str(),
            email_verified,
            display_name: &signup.display_name,
            password_hash: signup.password_hash.as_deref(),
            google_subject: signup.google_subject.as_deref(),
        },
    )
    .await?
    else {
        return Ok(None);
    };
    let org = create_org(
        conn,
        user,
        &signup.org_name,
        &signup.subdomain,
        &signup.country,
        &signup.client_types,
        None,
    )
    .await?;
    Ok(Some((user, org)))
}

/// Creates the account; `None` when the address already has one.
pub(crate) async fn insert_user(
    conn: &mut PgConnection,
    user: &NewUser<'_>,
) -> Result<Option<UserId>, sqlx::Error> {
    match sqlx::query_scalar!(
        r#"
        insert into users (email, email_verified, display_name, password_hash, google_subject)
        values ($1, $2, $3, $4, $5)
        returning id
        "#,
        user.email,
        user.email_verified,
        user.display_name,
        user.password_hash,
        user.google_subject,
    )
    .fetch_one(&mut *conn)
    .await
    {
        Ok(id) => Ok(Some(UserId::from_db(id))),
        Err(e) if is_unique_violation(&e, "users_email_key") => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates an organisation owned by `owner`: the row, the Owner membership
/// (the deferred owner key is satisfied at commit), the audit chain's head
/// and its first event.
pub(crate) async fn create_org(
    conn: &mut PgConnection,
    owner: UserId,
    name: &str,
    subdomain: &Subdomain,
    country: &str,
    client_types: &ClientTypes,
    provisioning: Option<(&str, &str)>,
) -> Result<OrgId, SignupError> {
    let org = Uuid::new_v4();
    set_tenant(conn, Some(org), Some(owner.as_uuid())).await?;
    let types: Vec<String> = client_types
        .as_slice()
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect();
    match sqlx::query!(
        r#"
        insert into organisations
            (id, name, subdomain, country, client_types, owner_user_id,
             payment_provider, external_customer_id)
        values ($1, $2, $3, $4, $5::text[]::client_type[], $6, $7, $8)
        "#,
        org,
        name,
        subdomain.as_str(),
        country,
        &types,
        owner.as_uuid(),
        provisioning.map(|p| p.0),
        provisioning.map(|p| p.1),
    )
    .execute(&mut *conn)
    .await
    {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e, "organisations_subdomain_key") => {
            return Err(SignupError::SubdomainTaken)
        }
        Err(e) => return Err(e.into()),
    }
    sqlx::query!(
        "insert into memberships (org_id, user_id, role) values ($1, $2, 'owner')",
        org,
        owner.as_uuid()
    )
    .execute(&mut *conn)
    .await?;
    let org = OrgId::from_db(org);
    audit::append(
        conn,
        &audit::NewEvent::new(org, Some(owner), audit::Action::OrgCreated)
            .target("organisation", org)
            .metadata(serde_json::json!({ "subdomain": subdomain.as_str() })),
    )
    .await?;
    Ok(org)
}

/// Provisioning (R3.1), run by the operator CLI as the owner role: finds or
/// creates the Owner by email and creates the organisation, unless one
/// already exists for this provider's customer id.
pub async fn provision(
    db: &super::admin::AdminDb,
    p: &Provision,
) -> Result<Provisioned, SignupError> {
    let mut tx = db.pool.begin().await?;
    // Serialise concurrent runs for the same customer.
    #[expect(
        clippy::disallowed_methods,
        reason = "pg_advisory_xact_lock returns void, which query! cannot type"
    )]
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 7))")
        .bind(format!("{}:{}", p.provider, p.customer_id))
        .execute(&mut *tx)
        .await?;
    if let Some(r) = sqlx::query!(
        "select id, subdomain from organisations where payment_provider = $1 and external_customer_id = $2",
        p.provider,
        p.customer_id
    )
    .fetch_optional(&mut *tx)
    .await?
    {
        return Ok(Provisioned::AlreadyExists {
            org: OrgId::from_db(r.id),
            subdomain: r.subdomain,
        });
    }
    let owner = sqlx::query_scalar!(
        r#"
        with new as (
            insert into users (email, display_name) values ($1, $2)
            on conflict (email) do nothing returning id
        )
        select id as "id!" from new union all select id from users where email = $1
        limit 1
        "#,
        p.owner_email.as_str(),
        p.owner_name
    )
    .fetch_one(&mut *tx)
    .await?;
    let owner = UserId::from_db(owner);
    let org = create_org(
        &mut tx,
        owner,
        &p.org_name,
        &p.subdomain,
        &p.country,
        &p.client_types,
        Some((&p.provider, &p.customer_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(Provisioned::Created { org, owner })
}
