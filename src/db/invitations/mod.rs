//! Personal invitations (SPEC R4.2, R4.5, R5.1, R5.4–R5.6).
//!
//! - The admin's side ([`invite`], [`revoke`], [`resend`], [`pending`])
//!   goes through the scope like any tenant data.
//! - The invitee's side starts from a token, before any tenant is known:
//!   it is unscoped, in [`crate::db::unscoped::invitee`].
//! - How many may be mailed, and how soon again (R5.5): [`throttle`].
//! - Consuming is one conditional UPDATE (`… where status = 'pending' and
//!   expires_at > now()`): fifty concurrent accepts make one membership,
//!   and the other forty-nine find it already accepted.

pub mod forward;
pub mod reverse;
mod throttle;

pub use throttle::{
    Quota, Throttled, ACTOR_MAILS_PER_HOUR, ORG_MAILS_PER_HOUR, RESEND_COOLDOWN_MINUTES,
};

use super::{
    audit::{self, Action, NewEvent, Pii},
    outbox::queue_email,
    RepoError, RequestMeta, Scope,
};
pub use crate::domain::{InvitationState, InviteOutcome};
use crate::{
    domain::EmailAddress,
    policy::{grantable_roles, Permission, Role},
    token::Token,
};
use serde::{Deserialize, Serialize};
use throttle::{check_hourly, check_recently_sent, lock_mailing};
use time::OffsetDateTime;
use uuid::Uuid;

/// R5.1: personal invitations are valid for seven days.
pub const VALID_DAYS: i64 = 7;

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
        select i.id, i.email as "email!", i.role as "role!: Role", u.display_name as invited_by,
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
        .map(|r| PendingInvitation {
            id: r.id,
            email: r.email,
            role: r.role,
            invited_by: r.invited_by,
            expires_at: r.expires_at,
            sent_count: r.sent_count,
            expired: r.expired,
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
            None => NewEvent::new(Some(actor), Action::InvitationSent)
                .metadata(serde_json::json!({ "role": role.as_str() })),
            Some(was) => NewEvent::new(Some(actor), Action::InvitationRefreshed)
                .metadata(serde_json::json!({ "role": role.as_str(), "previous_role": was })),
        };
        audit::append(
            scope,
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
        r#"select email as "email!", role as "role!: Role"
           from invitations
           where org_id = $1 and id = $2 and status = 'pending' and kind = 'personal'
           for update"#,
        org,
        id
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    Ok((row.email, row.role))
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
        scope,
        &NewEvent::new(Some(actor), Action::InvitationRevoked)
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
        scope,
        &NewEvent::new(Some(actor), Action::InvitationResent)
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
