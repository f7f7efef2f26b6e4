//! Forward invitations, the project owner's side (SPEC R5.2, R1.7): a
//! Developer's Owner or Admin invites a Studio or an Agency onto one of its
//! projects — by the email of the person who will administer it there, or
//! by an existing organisation's subdomain (then that organisation's Owner
//! and Admins are mailed). The invitee's side is
//! [`crate::db::unscoped::partner_invitee`].
//!
//! Same token rules as personal invitations (R5.4): 256-bit token, hash
//! only, one pending invitation per (project, email) and per (project,
//! organisation) by partial unique indexes, a re-invite refreshes the row
//! in place (new token, new seven days), and the mailing allowances of
//! R5.5 count these mails too.

use super::{
    throttle::{check_hourly_of, check_recently_sent_of, lock_mailing},
    InviteError,
};
use crate::{
    db::{
        audit::{self, Action, NewEvent, Pii},
        outbox::queue_email_valid_for,
        projects, RepoError, RequestMeta, Scope,
    },
    domain::{ClientType, EmailAddress, PartnerKind, ProjectId, Subdomain},
    error::Conflict,
    policy::Permission,
    token::Token,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// R5.2: forward invitations are valid for seven days.
pub const VALID_DAYS: i64 = 7;

/// The mails these invitations send, for the hourly allowance (R5.5).
const MAIL_ACTIONS: [Action; 1] = [Action::PartnerInvited];

/// Whom a forward invitation goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invitee {
    /// The person who will administer the partner organisation.
    Email(EmailAddress),
    /// An organisation already on the platform, by its subdomain.
    Organisation(Subdomain),
}

/// Why a forward invitation was not sent.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error(transparent)]
    Invite(#[from] InviteError),
    /// No open organisation has that subdomain.
    #[error("no organisation has that address")]
    NoSuchOrganisation,
}

impl From<RepoError> for ForwardError {
    fn from(e: RepoError) -> Self {
        ForwardError::Invite(InviteError::Repo(e))
    }
}

impl From<sqlx::Error> for ForwardError {
    fn from(e: sqlx::Error) -> Self {
        ForwardError::Invite(InviteError::Repo(RepoError::Database(e)))
    }
}

impl From<Conflict> for ForwardError {
    fn from(c: Conflict) -> Self {
        RepoError::Conflict(c).into()
    }
}

/// What the mail says: who invites, from which organisation, and the link.
pub struct ForwardLetter<'a> {
    pub org_name: &'a str,
    pub inviter: &'a str,
    /// Builds the landing page's URL (on the owner's subdomain) from the token.
    pub link: &'a (dyn Fn(&Token) -> String + Send + Sync),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForwardOutcome {
    Sent,
    /// A pending invitation to the same address or organisation was renewed.
    Refreshed,
}

/// A pending forward invitation, as Project Settings → Partners lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingPartnerInvitation {
    pub id: Uuid,
    /// The email, or the invited organisation's name.
    pub to: String,
    pub kind: PartnerKind,
    pub invited_by: String,
    pub expires_at: OffsetDateTime,
    pub expired: bool,
}

/// The invited organisation: open, not the owner, of the right type, not
/// already a partner.
async fn target_org(
    scope: &mut Scope,
    project: ProjectId,
    subdomain: &Subdomain,
    kind: PartnerKind,
) -> Result<(Uuid, String), ForwardError> {
    let org = scope.membership().org_id().as_uuid();
    let row = sqlx::query!(
        r#"select id as "id!", name as "name!", client_types as "client_types!: Vec<ClientType>"
           from public_org_brands where subdomain = $1 and status = 'active'"#,
        subdomain.as_str()
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(ForwardError::NoSuchOrganisation)?;
    if row.id == org {
        return Err(Conflict::OwnOrganisation.into());
    }
    if !row.client_types.contains(&kind.client_type()) {
        return Err(Conflict::PartnerTypeMissing(kind).into());
    }
    let partner = sqlx::query_scalar!(
        r#"select exists (select 1 from project_partners
             where org_id = $1 and project_id = $2 and partner_org_id = $3
               and status = 'active') as "x!""#,
        org,
        project.as_uuid(),
        row.id
    )
    .fetch_one(scope.conn())
    .await?;
    if partner {
        return Err(Conflict::AlreadyPartner.into());
    }
    Ok((row.id, row.name))
}

fn letter_body(
    letter: &ForwardLetter<'_>,
    project: &str,
    kind: PartnerKind,
    url: &str,
) -> (String, String) {
    let subject = format!(
        "{} invited you to work on {} on offplan",
        letter.org_name, project
    );
    let body = format!(
        "Hello,\n\n{inviter} of {org} invited your organisation to work on the project \
         {project} on offplan as {kind}.\n\n\
         Accept or decline here within {days} days:\n\n{url}\n\n\
         The link works once. If you weren't expecting this, you can ignore this email.\n",
        inviter = letter.inviter,
        org = letter.org_name,
        kind = match kind {
            PartnerKind::Studio => "its studio",
            PartnerKind::Agency => "a sales agency",
        },
        days = VALID_DAYS,
    );
    (subject, body)
}

/// R5.2: invites a partner onto the scope's project. Only an organisation
/// with the `developer` type sends these (R1.3), and only its Owner and
/// Admins (R2.2 "manage partners").
#[tracing::instrument(skip(scope, invitee, letter, meta))]
pub async fn invite(
    scope: &mut Scope,
    project: ProjectId,
    invitee: &Invitee,
    kind: PartnerKind,
    letter: &ForwardLetter<'_>,
    meta: &RequestMeta,
) -> Result<ForwardOutcome, ForwardError> {
    scope.authorize(Permission::ManageProjects)?;
    let org = scope.membership().org_id();
    let actor = scope.membership().user_id();
    let developer = sqlx::query_scalar!(
        r#"select 'developer' = any(client_types::text[]) as "x!" from organisations where id = $1"#,
        org.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?;
    if !developer {
        return Err(scope.refuse(Permission::ManageProjects).into());
    }
    let project = projects::get_own(scope, project).await?;
    lock_mailing(scope.conn(), org).await?;
    check_hourly_of(scope.conn(), org, actor, 1, &MAIL_ACTIONS).await?;
    let (token, hash) = Token::generate();
    let (subject, body) = letter_body(letter, &project.name, kind, &(letter.link)(&token));
    let (id, refreshed, partner) = match invitee {
        Invitee::Email(email) => {
            check_recently_sent_of(scope.conn(), org, "forward", &[email.as_str()]).await?;
            let row = sqlx::query!(
                r#"
                insert into invitations (org_id, kind, email, project_id, partner_kind,
                                         token_hash, invited_by_user_id, expires_at)
                values ($1, 'forward', $2, $3, $4, $5, $6, now() + make_interval(days => $7))
                on conflict (org_id, project_id, email) where status = 'pending' and kind = 'forward'
                do update set partner_kind = excluded.partner_kind, token_hash = excluded.token_hash,
                              invited_by_user_id = excluded.invited_by_user_id,
                              created_at = now(), expires_at = excluded.expires_at,
                              sent_count = invitations.sent_count + 1, last_sent_at = now()
                returning id, sent_count > 1 as "refreshed!"
                "#,
                org.as_uuid(),
                email.as_str(),
                project.id.as_uuid(),
                kind as PartnerKind,
                hash.as_bytes().as_slice(),
                actor.as_uuid(),
                VALID_DAYS as i32,
            )
            .fetch_one(scope.conn())
            .await?;
            queue_email_valid_for(
                scope.conn(),
                email.as_str(),
                &subject,
                &body,
                time::Duration::days(VALID_DAYS),
            )
            .await?;
            (row.id, row.refreshed, None)
        }
        Invitee::Organisation(subdomain) => {
            let (partner, name) = target_org(scope, project.id, subdomain, kind).await?;
            let row = sqlx::query!(
                r#"
                insert into invitations (org_id, kind, project_id, partner_kind, partner_org_id,
                                         token_hash, invited_by_user_id, expires_at)
                values ($1, 'forward', $2, $3, $4, $5, $6, now() + make_interval(days => $7))
                on conflict (org_id, project_id, partner_org_id)
                    where status = 'pending' and kind = 'forward' and partner_org_id is not null
                do update set partner_kind = excluded.partner_kind, token_hash = excluded.token_hash,
                              invited_by_user_id = excluded.invited_by_user_id,
                              created_at = now(), expires_at = excluded.expires_at,
                              sent_count = invitations.sent_count + 1, last_sent_at = now()
                returning id, sent_count > 1 as "refreshed!"
                "#,
                org.as_uuid(),
                project.id.as_uuid(),
                kind as PartnerKind,
                partner,
                hash.as_bytes().as_slice(),
                actor.as_uuid(),
                VALID_DAYS as i32,
            )
            .fetch_one(scope.conn())
            .await?;
            // Its Owner and Admins, whose addresses this role cannot read.
            sqlx::query_scalar!(
                r#"select app_mail_partner_admins($1, $2, $3, $4) as "sent!""#,
                partner,
                subject,
                body,
                VALID_DAYS as i32
            )
            .fetch_one(scope.conn())
            .await?;
            (row.id, row.refreshed, Some((partner, name)))
        }
    };
    let mut metadata = serde_json::json!({ "kind": kind.as_str(), "refreshed": refreshed });
    let mut event = NewEvent::new(Some(actor), Action::PartnerInvited)
        .project(project.id)
        .target("invitation", id);
    match (&partner, invitee) {
        (Some((partner, name)), _) => {
            metadata["partner_org"] = partner.to_string().into();
            metadata["partner_name"] = name.clone().into();
        }
        (None, Invitee::Email(email)) => {
            event = event.pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": email.as_str() }),
            });
        }
        (None, Invitee::Organisation(_)) => {}
    }
    audit::append(scope, &event.metadata(metadata)).await?;
    Ok(if refreshed {
        ForwardOutcome::Refreshed
    } else {
        ForwardOutcome::Sent
    })
}

/// The project's pending forward invitations, newest first (expired ones
/// included, marked).
#[tracing::instrument(skip(scope))]
pub async fn pending(
    scope: &mut Scope,
    project: ProjectId,
) -> Result<Vec<PendingPartnerInvitation>, RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    let project = projects::get_own(scope, project).await?;
    let org = scope.membership().org_id().as_uuid();
    let rows = sqlx::query!(
        r#"
        select i.id, coalesce(i.email::text, b.name) as "to!",
               i.partner_kind as "kind!: PartnerKind", u.display_name as invited_by,
               i.expires_at, (i.expires_at <= now()) as "expired!"
        from invitations i
        join users u on u.id = i.invited_by_user_id
        left join public_org_brands b on b.id = i.partner_org_id
        where i.org_id = $1 and i.project_id = $2 and i.kind = 'forward' and i.status = 'pending'
        order by i.created_at desc
        "#,
        org,
        project.id.as_uuid()
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PendingPartnerInvitation {
            id: r.id,
            to: r.to,
            kind: r.kind,
            invited_by: r.invited_by,
            expires_at: r.expires_at,
            expired: r.expired,
        })
        .collect())
}

/// Withdraws a pending forward invitation of the project; its link then
/// says so (R5.4).
#[tracing::instrument(skip(scope, meta))]
pub async fn revoke(
    scope: &mut Scope,
    project: ProjectId,
    id: Uuid,
    meta: &RequestMeta,
) -> Result<(), RepoError> {
    scope.authorize(Permission::ManageProjects)?;
    let project = projects::get_own(scope, project).await?;
    let org = scope.membership().org_id();
    let row = sqlx::query!(
        r#"update invitations set status = 'revoked', revoked_at = now()
           where org_id = $1 and project_id = $2 and id = $3
             and kind = 'forward' and status = 'pending'
           returning partner_kind as "kind!: PartnerKind", email::text as email"#,
        org.as_uuid(),
        project.id.as_uuid(),
        id
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    let actor = scope.membership().user_id();
    let mut event = NewEvent::new(Some(actor), Action::PartnerInvitationRevoked)
        .project(project.id)
        .target("invitation", id)
        .metadata(serde_json::json!({ "kind": row.kind.as_str() }));
    if let Some(email) = row.email {
        event = event.pii(Pii {
            ip: meta.ip.clone(),
            data: serde_json::json!({ "email": email }),
        });
    }
    audit::append(scope, &event).await?;
    Ok(())
}
