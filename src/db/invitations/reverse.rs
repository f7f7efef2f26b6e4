//! Reverse invitations (SPEC R5.3, issue 12 item 4): a Studio invites its
//! client's developer to the platform, from the client's record.
//!
//! - Owner and Admin of a Studio (`ManageProjects`, as for client records;
//!   any other organisation is `Forbidden`, another's client `NotFound`).
//! - The inviter confirms a legal basis for contacting the person (§1.4.C):
//!   without it nothing is written ([`ReverseInviteError::NoLegalBasis`],
//!   a 422 beside the box). Recorded on the row: who
//!   (`invited_by_user_id`), when (`legal_basis_confirmed_at`) and which
//!   wording ([`LEGAL_BASIS_VERSION`] in `legal_basis_wording`).
//! - The token rules of R5.4 and the rate limits of personal invitations
//!   (R5.5, counted apart: [`MAIL_ACTIONS`]); one pending invitation per
//!   (studio, client, address), refreshed in place by a re-invite.
//! - The invitee's side (view, accept, decline, sign up) starts from the
//!   token: [`crate::db::unscoped::client_invitee`].
//! - The studio's funnel: [`funnel`].

use super::{
    throttle::{check_hourly_of, check_recently_sent_of, lock_mailing},
    InviteError, Letter, Throttled,
};
use crate::{
    db::{
        audit::{self, Action, NewEvent, Pii},
        clients::require_studio,
        outbox::queue_email,
        RepoError, RequestMeta, Scope,
    },
    domain::{ClientId, EmailAddress},
    policy::Permission,
    token::Token,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// R5.3: reverse invitations are valid for thirty days.
pub const VALID_DAYS: i64 = 30;

/// The legal-basis wording and its version id (in the domain: the form
/// shows the wording, compiled for the browser too).
pub use crate::domain::{
    REVERSE_LEGAL_BASIS_VERSION as LEGAL_BASIS_VERSION,
    REVERSE_LEGAL_BASIS_WORDING as LEGAL_BASIS_WORDING,
};

/// The audit actions that each stand for one reverse-invitation mail (the
/// hourly allowance of R5.5, counted apart from personal invitations).
pub const MAIL_ACTIONS: [Action; 2] = [
    Action::ReverseInvitationSent,
    Action::ReverseInvitationRefreshed,
];

/// Why a reverse invitation was not sent.
#[derive(Debug, thiserror::Error)]
pub enum ReverseInviteError {
    /// The legal-basis box was not ticked: nothing was written.
    #[error("Tick the box to confirm you may contact this person. Nothing was sent.")]
    NoLegalBasis,
    /// The client has joined already, or is archived.
    #[error("{0}")]
    Unavailable(&'static str),
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error(transparent)]
    Repo(#[from] RepoError),
}

impl From<InviteError> for ReverseInviteError {
    fn from(e: InviteError) -> Self {
        match e {
            InviteError::Throttled(t) => ReverseInviteError::Throttled(t),
            InviteError::Repo(r) => ReverseInviteError::Repo(r),
        }
    }
}

impl From<sqlx::Error> for ReverseInviteError {
    fn from(e: sqlx::Error) -> Self {
        ReverseInviteError::Repo(RepoError::Database(e))
    }
}

/// What sending did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReverseOutcome {
    Sent,
    /// A pending invitation to that address for that client was renewed.
    Refreshed,
}

/// The `invitation_status` column type; a value this enum does not know
/// fails the read rather than landing in the wrong count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "invitation_status", rename_all = "snake_case")]
enum Status {
    Pending,
    Accepted,
    Declined,
    Revoked,
}

/// Where one reverse invitation stands, for the funnel's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Pending; the link has not been opened.
    Sent,
    /// Pending; the landing page was loaded with the valid link.
    Opened,
    Accepted,
    Declined,
    /// Pending and past its expiry.
    Expired,
    Revoked,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Sent => "Sent",
            Stage::Opened => "Opened",
            Stage::Accepted => "Accepted",
            Stage::Declined => "Declined",
            Stage::Expired => "Expired",
            Stage::Revoked => "Withdrawn",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReverseInvitation {
    pub id: Uuid,
    pub client_id: ClientId,
    pub client_name: String,
    pub email: String,
    pub invited_by: String,
    pub sent_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub opened_at: Option<OffsetDateTime>,
    pub stage: Stage,
}

/// R5.3: the studio's funnel. Each count is of invitations that reached
/// that step (`opened` includes those accepted or declined after opening);
/// `expired` counts pending ones past their expiry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    pub sent: i64,
    pub opened: i64,
    pub accepted: i64,
    pub declined: i64,
    pub expired: i64,
    /// Newest first.
    pub invitations: Vec<ReverseInvitation>,
}

fn letter_body(letter: &Letter<'_>, client_name: &str, url: &str) -> (String, String) {
    let subject = format!("{} invited {} to offplan", letter.inviter, client_name);
    let body = format!(
        "Hello,\n\n{inviter} of {studio} invited you, as the contact at {client}, to offplan, \
         where {studio} runs your projects.\n\n\
         Accepting creates a free guest workspace for {client}, in which you can follow the \
         projects {studio} runs for you.\n\n\
         Accept or decline here within {days} days:\n\n{url}\n\n\
         The link works once. If you weren't expecting this, you can ignore this email.\n",
        inviter = letter.inviter,
        studio = letter.org_name,
        client = client_name,
        days = VALID_DAYS,
    );
    (subject, body)
}

/// Invites `email` as `client`'s developer (R5.3). `legal_basis`: whether
/// the inviter ticked [`LEGAL_BASIS_WORDING`]; without it nothing is
/// written. A pending invitation to the same address for the same client
/// is renewed (new link, thirty days from now) rather than duplicated.
#[tracing::instrument(skip(scope, email, letter, meta))]
pub async fn invite(
    scope: &mut Scope,
    client: ClientId,
    email: &EmailAddress,
    legal_basis: bool,
    letter: &Letter<'_>,
    meta: &RequestMeta,
) -> Result<ReverseOutcome, ReverseInviteError> {
    scope.authorize(Permission::ManageProjects)?;
    require_studio(scope).await?;
    let org = scope.membership().org_id();
    let actor = scope.membership().user_id();
    let row = sqlx::query!(
        r#"select name, linked_org_id, archived_at from clients
           where org_id = $1 and id = $2 for update"#,
        org.as_uuid(),
        client.as_uuid()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    if row.linked_org_id.is_some() {
        return Err(ReverseInviteError::Unavailable(
            "This client has joined offplan already.",
        ));
    }
    if row.archived_at.is_some() {
        return Err(ReverseInviteError::Unavailable(
            "This client is archived. Restore it before inviting it.",
        ));
    }
    if !legal_basis {
        return Err(ReverseInviteError::NoLegalBasis);
    }
    lock_mailing(scope.conn(), org).await?;
    check_recently_sent_of(scope.conn(), org, "reverse", &[email.as_str()]).await?;
    check_hourly_of(scope.conn(), org, actor, 1, &MAIL_ACTIONS).await?;
    let previous = sqlx::query_scalar!(
        r#"select id from invitations
           where org_id = $1 and client_id = $2 and email = $3
             and status = 'pending' and kind = 'reverse'
           for update"#,
        org.as_uuid(),
        client.as_uuid(),
        email.as_str()
    )
    .fetch_optional(scope.conn())
    .await?;
    let (token, hash) = Token::generate();
    // The partial unique index, not a check-then-insert, keeps one pending
    // invitation per (studio, client, address) (R5.4); an expired one is
    // refreshed in place, so it never blocks a fresh one.
    let id = sqlx::query_scalar!(
        r#"
        insert into invitations
            (org_id, kind, email, client_id, legal_basis_confirmed_at, legal_basis_wording,
             token_hash, invited_by_user_id, expires_at)
        values ($1, 'reverse', $2, $3, now(), $4, $5, $6, now() + make_interval(days => $7))
        on conflict (org_id, client_id, email) where status = 'pending' and kind = 'reverse'
        do update set token_hash = excluded.token_hash,
                      invited_by_user_id = excluded.invited_by_user_id,
                      legal_basis_confirmed_at = excluded.legal_basis_confirmed_at,
                      legal_basis_wording = excluded.legal_basis_wording,
                      created_at = now(), expires_at = excluded.expires_at,
                      sent_count = invitations.sent_count + 1, last_sent_at = now()
        returning id
        "#,
        org.as_uuid(),
        email.as_str(),
        client.as_uuid(),
        LEGAL_BASIS_VERSION,
        hash.as_bytes().as_slice(),
        actor.as_uuid(),
        VALID_DAYS as i32,
    )
    .fetch_one(scope.conn())
    .await?;
    let (subject, body) = letter_body(letter, &row.name, &(letter.link)(&token));
    queue_email(scope.conn(), email.as_str(), &subject, &body).await?;
    let action = match previous {
        None => Action::ReverseInvitationSent,
        Some(_) => Action::ReverseInvitationRefreshed,
    };
    audit::append(
        scope,
        &NewEvent::new(Some(actor), action)
            .target("client", client)
            .metadata(serde_json::json!({
                "wording": LEGAL_BASIS_VERSION,
                "invitation_id": id.to_string(),
            }))
            .pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": email.as_str() }),
            }),
    )
    .await?;
    Ok(match previous {
        None => ReverseOutcome::Sent,
        Some(_) => ReverseOutcome::Refreshed,
    })
}

/// Withdraws a pending reverse invitation of the studio (R5.4: its link
/// then says it was withdrawn). Owner and Admin of a Studio; another
/// organisation's, or one no longer pending, is `NotFound`.
#[tracing::instrument(skip(scope, meta))]
pub async fn revoke(scope: &mut Scope, id: Uuid, meta: &RequestMeta) -> Result<(), RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    require_studio(scope).await?;
    let org = scope.membership().org_id().as_uuid();
    let row = sqlx::query!(
        r#"update invitations set status = 'revoked', revoked_at = now()
           where org_id = $1 and id = $2 and kind = 'reverse' and status = 'pending'
           returning client_id as "client_id!", email as "email!""#,
        org,
        id
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    let actor = scope.membership().user_id();
    audit::append(
        scope,
        &NewEvent::new(Some(actor), Action::ReverseInvitationRevoked)
            .target("client", row.client_id)
            .metadata(serde_json::json!({ "invitation_id": id.to_string() }))
            .pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": row.email }),
            }),
    )
    .await?;
    Ok(())
}

/// The studio's reverse invitations: the funnel's counts and every
/// invitation, newest first (R5.3). Owner and Admin of a Studio.
#[tracing::instrument(skip_all)]
pub async fn funnel(scope: &mut Scope) -> Result<Funnel, RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    require_studio(scope).await?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"
        select i.id, i.client_id as "client_id!", c.name as client_name, i.email as "email!",
               u.display_name as invited_by, i.created_at, i.expires_at, i.opened_at,
               i.status as "status: Status", (i.expires_at <= now()) as "expired!"
        from invitations i
        join clients c on c.org_id = i.org_id and c.id = i.client_id
        join users u on u.id = i.invited_by_user_id
        where i.org_id = $1 and i.kind = 'reverse'
        order by i.created_at desc, i.id
        "#,
        org
    )
    .fetch_all(scope.conn())
    .await?;
    let mut funnel = Funnel::default();
    for r in rows {
        let stage = match (r.status, r.expired) {
            (Status::Accepted, _) => Stage::Accepted,
            (Status::Declined, _) => Stage::Declined,
            (Status::Revoked, _) => Stage::Revoked,
            (Status::Pending, true) => Stage::Expired,
            (Status::Pending, false) if r.opened_at.is_some() => Stage::Opened,
            (Status::Pending, false) => Stage::Sent,
        };
        funnel.sent += 1;
        funnel.opened += i64::from(r.opened_at.is_some());
        match stage {
            Stage::Accepted => funnel.accepted += 1,
            Stage::Declined => funnel.declined += 1,
            Stage::Expired => funnel.expired += 1,
            _ => {}
        }
        funnel.invitations.push(ReverseInvitation {
            id: r.id,
            client_id: ClientId::from_db(r.client_id),
            client_name: r.client_name,
            email: r.email,
            invited_by: r.invited_by,
            sent_at: r.created_at,
            expires_at: r.expires_at,
            opened_at: r.opened_at,
            stage,
        });
    }
    Ok(funnel)
}
