//! Personal invitations (SPEC R4.2, R4.5, R5.1, R5.4–R5.6).
//!
//! - The admin's side ([`invite`], [`revoke`], [`resend`], [`pending`])
//!   goes through the scope like any tenant data.
//! - The invitee's side starts from a token, before any tenant is known.
//!   The transaction proves it holds the token by setting `app.token_hash`
//!   (the one row-level security policy that reads it lets exactly that
//!   invitation through); once the row is found, the invitation's
//!   organisation becomes the tenant for everything that follows.
//! - Consuming is one conditional UPDATE (`… where status = 'pending' and
//!   expires_at > now()`): fifty concurrent accepts make one membership,
//!   and the other forty-nine find it already accepted.

use super::{
    audit::{self, Action, NewEvent, Pii},
    identity::{insert_user, record_event, set_tenant, NewUser, RequestMeta},
    outbox::queue_email,
    Db, DbError, RepoError, Scope,
};
pub use crate::domain::{InvitationState, InviteOutcome};
use crate::{
    domain::{EmailAddress, OrgId, UserId},
    policy::{grantable_roles, Permission, Role},
    token::{Token, TokenHash},
};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use uuid::Uuid;

/// R5.1: personal invitations are valid for seven days.
pub const VALID_DAYS: i64 = 7;

/// R5.5 (issue 10): invitation mail one organisation may send in any hour.
pub const ORG_MAILS_PER_HOUR: i64 = 200;
/// Invitation mail one member may send in any hour, in one organisation.
pub const ACTOR_MAILS_PER_HOUR: i64 = 100;
/// How long after an address was mailed it may be mailed again (a
/// refreshed re-invite or a resend).
pub const RESEND_COOLDOWN_MINUTES: i32 = 10;

/// The audit actions that each stand for one invitation mail. Counting
/// them (rather than request counters) counts exactly what was mailed, in
/// the transaction that mails, under [`lock_mailing`].
const MAIL_ACTIONS: [Action; 3] = [
    Action::InvitationSent,
    Action::InvitationRefreshed,
    Action::InvitationResent,
];

/// Whose hourly allowance ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quota {
    Organisation,
    Actor,
}

/// An invitation mail refused for its rate (R5.5), with when it may go.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Throttled {
    #[error("{}", hourly_message(*who, *limit, *remaining, *retry_after_secs))]
    Hourly {
        who: Quota,
        limit: i64,
        /// Mails still allowed now (fewer than were asked for).
        remaining: i64,
        retry_after_secs: u32,
    },
    #[error("{}", recent_message(emails, *retry_after_secs))]
    RecentlySent {
        emails: Vec<String>,
        retry_after_secs: u32,
    },
}

impl Throttled {
    pub fn retry_after_secs(&self) -> u32 {
        match self {
            Throttled::Hourly {
                retry_after_secs, ..
            }
            | Throttled::RecentlySent {
                retry_after_secs, ..
            } => *retry_after_secs,
        }
    }
}

/// "about 7 minutes", rounded up, never "0".
fn minutes(secs: u32) -> String {
    match secs.div_ceil(60).max(1) {
        1 => "about a minute".to_owned(),
        n => format!("about {n} minutes"),
    }
}

fn hourly_message(who: Quota, limit: i64, remaining: i64, secs: u32) -> String {
    let whose = match who {
        Quota::Organisation => {
            format!("This organisation has reached its limit of {limit} invitations an hour.")
        }
        Quota::Actor => {
            format!(
                "You've reached the limit of {limit} invitations one person may send in an hour."
            )
        }
    };
    let when = minutes(secs);
    let next = if remaining > 0 {
        format!("You can send {remaining} more now, or more in {when}.")
    } else {
        format!("You can send more in {when}.")
    };
    format!("{whose} {next} Nothing was sent.")
}

fn recent_message(emails: &[String], secs: u32) -> String {
    let (who, it) = match emails {
        [one] => (format!("{one} was"), "it"),
        many => (format!("{} were", many.join(", ")), "them"),
    };
    format!(
        "{who} sent an invitation less than {RESEND_COOLDOWN_MINUTES} minutes ago. \
         Remove {it} from the list, or send again in {}. Nothing was sent.",
        minutes(secs)
    )
}

/// Why an invitation was not mailed.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error(transparent)]
    Repo(#[from] RepoError),
}

impl From<sqlx::Error> for InviteError {
    fn from(e: sqlx::Error) -> Self {
        InviteError::Repo(RepoError::Database(e))
    }
}

/// Serialises the invitation mailings of one organisation for the rest of
/// the transaction, so the counts of [`check_hourly`] and
/// [`check_recently_sent`] are exact however many admins click at once.
/// An advisory lock taken first and only here: it orders mailings among
/// themselves without adding a cycle to the row-then-chain-head order that
/// accepting and revoking follow.
async fn lock_mailing(conn: &mut PgConnection, org: OrgId) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        r#"select true as "locked!"
           from (select pg_advisory_xact_lock(hashtextextended('invitation-mail:' || $1::text, 0))) l"#,
        org.as_uuid().to_string()
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(())
}

/// Refuses `adding` more mails when they would take the organisation, or
/// the actor in it, past the hourly allowance. The caller holds
/// [`lock_mailing`].
async fn check_hourly(
    conn: &mut PgConnection,
    org: OrgId,
    actor: UserId,
    adding: i64,
) -> Result<(), InviteError> {
    let actions: Vec<&str> = MAIL_ACTIONS.iter().map(|a| a.as_str()).collect();
    let r = sqlx::query!(
        r#"
        select count(*) as "org_sent!",
               count(*) filter (where actor_user_id = $2) as "actor_sent!",
               ceil(extract(epoch from min(occurred_at) + interval '1 hour' - now()))::int as org_wait,
               ceil(extract(epoch from min(occurred_at) filter (where actor_user_id = $2)
                                       + interval '1 hour' - now()))::int as actor_wait
        from audit_events
        where org_id = $1 and action = any($3::text[]) and occurred_at > now() - interval '1 hour'
        "#,
        org.as_uuid(),
        actor.as_uuid(),
        &actions as &[&str],
    )
    .fetch_one(&mut *conn)
    .await?;
    let wait = |w: Option<i32>| u32::try_from(w.unwrap_or(60)).unwrap_or(60).max(1);
    for (who, limit, sent, w) in [
        (
            Quota::Organisation,
            ORG_MAILS_PER_HOUR,
            r.org_sent,
            r.org_wait,
        ),
        (
            Quota::Actor,
            ACTOR_MAILS_PER_HOUR,
            r.actor_sent,
            r.actor_wait,
        ),
    ] {
        if sent + adding > limit {
            return Err(Throttled::Hourly {
                who,
                limit,
                remaining: (limit - sent).max(0),
                retry_after_secs: wait(w),
            }
            .into());
        }
    }
    Ok(())
}

/// Refuses to mail again any of `emails` whose pending invitation was
/// mailed less than [`RESEND_COOLDOWN_MINUTES`] ago.
async fn check_recently_sent(
    conn: &mut PgConnection,
    org: OrgId,
    emails: &[&str],
) -> Result<(), InviteError> {
    let rows = sqlx::query!(
        r#"
        select email as "email!",
               ceil(extract(epoch from last_sent_at + make_interval(mins => $3) - now()))::int as wait
        from invitations
        where org_id = $1 and kind = 'personal' and status = 'pending'
          and email = any($2::text[]) and last_sent_at > now() - make_interval(mins => $3)
        order by email
        "#,
        org.as_uuid(),
        emails as &[&str],
        RESEND_COOLDOWN_MINUTES,
    )
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let retry_after_secs = rows
        .iter()
        .filter_map(|r| r.wait)
        .max()
        .and_then(|w| u32::try_from(w).ok())
        .unwrap_or(60)
        .max(1);
    Err(Throttled::RecentlySent {
        emails: rows.into_iter().map(|r| r.email).collect(),
        retry_after_secs,
    }
    .into())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: OffsetDateTime,
    pub sent_count: i32,
    pub expired: bool,
}

/// What the invitation email says and links to.
pub struct Letter<'a> {
    pub org_name: &'a str,
    pub inviter: &'a str,
    /// Builds the landing page's URL from the token.
    pub link: &'a (dyn Fn(&Token) -> String + Send + Sync),
}

fn letter_body(letter: &Letter<'_>, role: Role, url: &str) -> (String, String) {
    let subject = format!(
        "{} invited you to join {} on offplan",
        letter.inviter, letter.org_name
    );
    let body = format!(
        "Hello,\n\n{inviter} invited you to join {org} on offplan as {role}.\n\n\
         Accept or decline here within {days} days:\n\n{url}\n\n\
         The link works once. If you weren't expecting this, you can ignore this email.\n",
        inviter = letter.inviter,
        org = letter.org_name,
        role = role.label(),
        days = VALID_DAYS,
    );
    (subject, body)
}

/// Pending invitations, newest first (expired ones included, marked).
#[tracing::instrument(skip_all)]
pub async fn pending(scope: &mut Scope) -> Result<Vec<PendingInvitation>, RepoError> {
    scope.authorize(Permission::ViewTeam)?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"
        select i.id, i.email as "email!", i.role::text as "role!", u.display_name as invited_by,
               i.expires_at, i.sent_count, (i.expires_at <= now()) as "expired!"
        from invitations i
        join users u on u.id = i.invited_by_user_id
        where i.org_id = $1 and i.status = 'pending' and i.kind = 'personal'
        order by i.created_at desc
        "#,
        org
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(PendingInvitation {
                id: r.id,
                email: r.email,
                role: Role::parse(&r.role)?,
                invited_by: r.invited_by,
                expires_at: r.expires_at,
                sent_count: r.sent_count,
                expired: r.expired,
            })
        })
        .collect())
}

/// R4.2: invites each address with `role`. A current member is reported,
/// not invited; a pending invitation to the same address is renewed (new
/// token, new expiry, the new role) rather than duplicated.
///
/// R5.5: refused whole (nothing mailed) when it would take the
/// organisation or the actor past the hourly allowance, or when an address
/// was mailed less than [`RESEND_COOLDOWN_MINUTES`] ago.
#[tracing::instrument(skip(scope, emails, letter, meta), fields(count = emails.len()))]
pub async fn invite(
    scope: &mut Scope,
    emails: &[EmailAddress],
    role: Role,
    letter: &Letter<'_>,
    meta: &RequestMeta,
) -> Result<Vec<InviteOutcome>, InviteError> {
    scope.authorize(Permission::ManageMembers)?;
    if !grantable_roles(scope.membership().role()).contains(&role) {
        return Err(scope.refuse(Permission::ManageMembers).into());
    }
    let org = scope.membership().org_id();
    let actor = scope.membership().user_id();
    lock_mailing(scope.conn(), org).await?;
    let typed: Vec<&str> = emails.iter().map(|e| e.as_str()).collect();
    check_recently_sent(scope.conn(), org, &typed).await?;
    check_hourly(scope.conn(), org, actor, emails.len() as i64).await?;
    let mut outcomes = Vec::with_capacity(emails.len());
    for email in emails {
        let member = sqlx::query_scalar!(
            r#"select exists(select 1 from memberships m join users u on u.id = m.user_id
                where m.org_id = $1 and m.status = 'active' and u.email = $2) as "x!""#,
            org.as_uuid(),
            email.as_str()
        )
        .fetch_one(scope.conn())
        .await?;
        if member {
            outcomes.push(InviteOutcome::AlreadyMember(email.as_str().to_owned()));
            continue;
        }
        let previous = sqlx::query_scalar!(
            r#"select role::text as "role!" from invitations
               where org_id = $1 and email = $2 and status = 'pending' and kind = 'personal'
               for update"#,
            org.as_uuid(),
            email.as_str()
        )
        .fetch_optional(scope.conn())
        .await?;
        let (token, hash) = Token::generate();
        // The partial unique index, not a check-then-insert, keeps one
        // pending invitation per address (R5.4).
        let id = sqlx::query_scalar!(
            r#"
            insert into invitations
                (org_id, kind, email, role, token_hash, invited_by_user_id, expires_at)
            values ($1, 'personal', $2, $3::text::member_role, $4, $5, now() + make_interval(days => $6))
            on conflict (org_id, email) where status = 'pending' and kind = 'personal'
            do update set role = excluded.role, token_hash = excluded.token_hash,
                          invited_by_user_id = excluded.invited_by_user_id,
                          created_at = now(), expires_at = excluded.expires_at,
                          sent_count = invitations.sent_count + 1, last_sent_at = now()
            returning id
            "#,
            org.as_uuid(),
            email.as_str(),
            role.as_str(),
            hash.as_bytes().as_slice(),
            actor.as_uuid(),
            VALID_DAYS as i32,
        )
        .fetch_one(scope.conn())
        .await?;
        let (subject, body) = letter_body(letter, role, &(letter.link)(&token));
        queue_email(scope.conn(), email.as_str(), &subject, &body).await?;
        let event = match &previous {
            None => NewEvent::new(org, Some(actor), Action::InvitationSent)
                .metadata(serde_json::json!({ "role": role.as_str() })),
            Some(was) => NewEvent::new(org, Some(actor), Action::InvitationRefreshed)
                .metadata(serde_json::json!({ "role": role.as_str(), "previous_role": was })),
        };
        audit::append(
            scope.conn(),
            &event.target("invitation", id).pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": email.as_str() }),
            }),
        )
        .await?;
        outcomes.push(match previous {
            None => InviteOutcome::Sent(email.as_str().to_owned()),
            Some(_) => InviteOutcome::Refreshed(email.as_str().to_owned()),
        });
    }
    Ok(outcomes)
}

/// Locks a pending personal invitation of the scope's organisation.
async fn lock_pending(scope: &mut Scope, id: Uuid) -> Result<(String, Role), RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let row = sqlx::query!(
        r#"select email as "email!", role::text as "role!"
           from invitations
           where org_id = $1 and id = $2 and status = 'pending' and kind = 'personal'
           for update"#,
        org,
        id
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    let role = Role::parse(&row.role).ok_or(RepoError::NotFound)?;
    Ok((row.email, role))
}

/// R4.5: withdraws a pending invitation; its link then says so.
#[tracing::instrument(skip(scope, meta))]
pub async fn revoke(scope: &mut Scope, id: Uuid, meta: &RequestMeta) -> Result<(), RepoError> {
    scope.authorize(Permission::ManageMembers)?;
    let (email, role) = lock_pending(scope, id).await?;
    let org = scope.membership().org_id();
    sqlx::query!(
        "update invitations set status = 'revoked', revoked_at = now() where org_id = $1 and id = $2",
        org.as_uuid(),
        id
    )
    .execute(scope.conn())
    .await?;
    let actor = scope.membership().user_id();
    audit::append(
        scope.conn(),
        &NewEvent::new(org, Some(actor), Action::InvitationRevoked)
            .target("invitation", id)
            .metadata(serde_json::json!({ "role": role.as_str() }))
            .pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": email }),
            }),
    )
    .await?;
    Ok(())
}

/// R4.5: mails the invitation again with a fresh link and a fresh seven
/// days; the old link stops working. At most once per
/// [`RESEND_COOLDOWN_MINUTES`] per invitation, and within the hourly
/// allowances (R5.5).
#[tracing::instrument(skip(scope, letter, meta))]
pub async fn resend(
    scope: &mut Scope,
    id: Uuid,
    letter: &Letter<'_>,
    meta: &RequestMeta,
) -> Result<(), InviteError> {
    scope.authorize(Permission::ManageMembers)?;
    let org = scope.membership().org_id();
    let actor = scope.membership().user_id();
    lock_mailing(scope.conn(), org).await?;
    let (email, role) = lock_pending(scope, id).await?;
    check_recently_sent(scope.conn(), org, &[email.as_str()]).await?;
    check_hourly(scope.conn(), org, actor, 1).await?;
    let (token, hash) = Token::generate();
    let sent_count = sqlx::query_scalar!(
        "update invitations
         set token_hash = $3, expires_at = now() + make_interval(days => $4),
             created_at = now(), sent_count = sent_count + 1, last_sent_at = now()
         where org_id = $1 and id = $2
         returning sent_count",
        org.as_uuid(),
        id,
        hash.as_bytes().as_slice(),
        VALID_DAYS as i32,
    )
    .fetch_one(scope.conn())
    .await?;
    let (subject, body) = letter_body(letter, role, &(letter.link)(&token));
    queue_email(scope.conn(), &email, &subject, &body).await?;
    audit::append(
        scope.conn(),
        &NewEvent::new(org, Some(actor), Action::InvitationResent)
            .target("invitation", id)
            .metadata(serde_json::json!({ "sent_count": sent_count }))
            .pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": email }),
            }),
    )
    .await?;
    Ok(())
}

// ---- The invitee's side: by token (R5.4, R5.6) ----

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

struct Found {
    org: Uuid,
    id: Uuid,
    email: String,
    role: Role,
    state: InvitationState,
}

/// Finds the invitation a token names, in a transaction that then belongs to
/// its organisation. `None`: no such token.
async fn find(
    conn: &mut PgConnection,
    hash: &TokenHash,
    user: Option<UserId>,
) -> Result<Option<Found>, sqlx::Error> {
    let hex = data_encoding::HEXLOWER.encode(hash.as_bytes());
    sqlx::query!(
        r#"select set_config('app.token_hash', $1, true) as "x!""#,
        hex
    )
    .fetch_one(&mut *conn)
    .await?;
    let Some(row) = sqlx::query!(
        r#"select org_id, id, token_hash, email as "email!", role::text as "role!",
                  status::text as "status!", (expires_at <= now()) as "expired!"
           from invitations where token_hash = $1 and kind = 'personal'"#,
        hash.as_bytes().as_slice()
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
    set_tenant(conn, Some(row.org_id), user.map(|u| u.as_uuid())).await?;
    let state = match (row.status.as_str(), row.expired) {
        ("pending", false) => InvitationState::Valid,
        ("pending", true) => InvitationState::Expired,
        ("accepted", _) => InvitationState::Accepted,
        ("declined", _) => InvitationState::Declined,
        _ => InvitationState::Revoked,
    };
    Ok(Role::parse(&row.role).map(|role| Found {
        org: row.org_id,
        id: row.id,
        email: row.email,
        role,
        state,
    }))
}

/// Admits `user` with the invitation's role, consuming it (R5.4).
async fn consume_into_membership(
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
    audit::append(
        conn,
        &NewEvent::new(
            OrgId::from_db(found.org),
            Some(user),
            Action::InvitationAccepted,
        )
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

/// A person signing up from an invitation (R5.6): no organisation of their
/// own; the address is the invitation's.
#[derive(Clone, Debug)]
pub struct InviteeSignup {
    pub display_name: String,
    /// argon2id PHC string; `None` for a Google account.
    pub password_hash: Option<String>,
    pub google_subject: Option<String>,
}

/// Why an invitee sign-up did not happen.
#[derive(Debug, thiserror::Error)]
pub enum InviteeSignupError {
    #[error("not pending")]
    NotPending(InvitationState),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Db {
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
        if found.state == InvitationState::Valid {
            sqlx::query!(
                "update invitations set opened_at = coalesce(opened_at, now()) where org_id = $1 and id = $2",
                found.org,
                found.id
            )
            .execute(&mut *tx)
            .await?;
        }
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
        // R5.6: bound to its address, compared case-insensitively (the
        // column's collation).
        let matches = sqlx::query_scalar!(
            r#"select exists(select 1 from users where id = $1 and email = $2) as "x!""#,
            user.as_uuid(),
            found.email
        )
        .fetch_one(&mut *tx)
        .await?;
        if !matches {
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
        let declined = sqlx::query_scalar!(
            "update invitations set status = 'declined', consumed_at = now()
             where org_id = $1 and id = $2 and status = 'pending' and expires_at > now()
             returning id",
            found.org,
            found.id
        )
        .fetch_optional(&mut *tx)
        .await?;
        if declined.is_none() {
            return Ok(Some(InvitationState::Accepted));
        }
        audit::append(
            &mut tx,
            &NewEvent::new(OrgId::from_db(found.org), actor, Action::InvitationDeclined)
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

    /// A new person accepts by signing up (R5.6): the account (with the
    /// invitation's address, verified by the link) and the membership in one
    /// transaction. Answers the new user and the organisation's subdomain.
    #[tracing::instrument(skip_all)]
    pub async fn sign_up_from_invitation(
        &self,
        hash: &TokenHash,
        signup: &InviteeSignup,
        meta: &RequestMeta,
    ) -> Result<Option<(UserId, String)>, InviteeSignupError> {
        let mut tx = self.pool.begin().await?;
        let Some(found) = find(&mut tx, hash, None).await? else {
            return Ok(None);
        };
        if found.state != InvitationState::Valid {
            return Err(InviteeSignupError::NotPending(found.state));
        }
        let user = insert_user(
            &mut tx,
            &NewUser {
                email: &found.email,
                // The link was mailed to this address.
                email_verified: true,
                display_name: &signup.display_name,
                password_hash: signup.password_hash.as_deref(),
                google_subject: signup.google_subject.as_deref(),
            },
        )
        .await?
        .ok_or(InviteeSignupError::EmailTaken)?;
        set_tenant(&mut tx, Some(found.org), Some(user.as_uuid())).await?;
        let Some(subdomain) = consume_into_membership(&mut tx, &found, user, meta).await? else {
            return Err(InviteeSignupError::NotPending(InvitationState::Accepted));
        };
        record_event(
            &mut tx,
            Some(user),
            super::SecurityEvent::SignedUp,
            meta,
            serde_json::json!({ "via": "invitation" }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some((user, subdomain)))
    }

    /// R5.5: counts a failed token lookup in `bucket` (one per client
    /// address, from the caller); crossing `threshold` within the window
    /// raises the burst alert once: a warning log line, a security event,
    /// and — when the lookup was made on an organisation's address (an
    /// invitation link names its organisation's host) — an audit event in
    /// that organisation's chain, with the address in its personal-data
    /// part. Token paths with no organisation (password reset) pass `None`.
    /// Answers whether the alert fired.
    pub async fn note_token_miss(
        &self,
        bucket: &str,
        threshold: i64,
        window_secs: i64,
        meta: &RequestMeta,
        org: Option<OrgId>,
    ) -> Result<bool, DbError> {
        let hits = self.rate_limit_hit(bucket, window_secs).await?;
        if hits != threshold + 1 {
            return Ok(false);
        }
        // No address in the log line (personal data): the security event
        // and the audit event hold it for whoever follows up.
        tracing::warn!(
            org.id = org.map(|o| o.to_string()),
            failures = hits,
            window_secs,
            "burst of failed token lookups from one address"
        );
        let metadata = serde_json::json!({ "failures": hits, "window_secs": window_secs });
        self.record_security_event(
            None,
            super::SecurityEvent::TokenLookupBurst,
            meta,
            metadata.clone(),
        )
        .await?;
        if let Some(org) = org {
            let mut tx = self.pool.begin().await?;
            set_tenant(&mut tx, Some(org.as_uuid()), None).await?;
            audit::append(
                &mut tx,
                &NewEvent::new(org, None, Action::TokenLookupBurst)
                    .metadata(metadata)
                    .pii(Pii {
                        ip: meta.ip.clone(),
                        data: serde_json::json!({}),
                    }),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(true)
    }
}
