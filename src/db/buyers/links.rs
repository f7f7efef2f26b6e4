//! Buyer links (SPEC R7.3, R5.4; issue 13): a token for exactly one
//! (buyer, unit) pair, opened at
//! `<issuer>.<base>/projects/<project slug>/units/<unit>?b=<token>`.
//!
//! - **Who**: whoever may manage the buyer (`super::access` and
//!   `super::check_buyer`: the role, the data-processing gate, own buyers
//!   for a Sales Agent), for a unit they may see under the pool rules
//!   (`units::get`, R6.1) — the unit may be another organisation's, on a
//!   project the issuer partners. A unit outside the pool is `NotFound`,
//!   as if it did not exist.
//! - **Token** (R5.4): `crate::token`, 256 bits; only its SHA-256 is
//!   stored. It is shown once to the issuer ([`Issued::token`]); nothing
//!   here logs it or puts it in an audit event.
//! - **Forced rotation**: issuing a link for a pair revokes the pair's live
//!   one (`reissued`) in the same transaction; the partial unique index
//!   `buyer_links_one_live` makes two live links for a pair impossible.
//!   Reassigning the unit or marking it sold revokes its links from the
//!   owner's side (`crate::db::units::change`).
//! - **Expiry**: 1 to 30 days, 30 by default (a database check too).
//! - **Audit**: `buyer_link.issued` / `.emailed` / `.revoked` go to the
//!   project's events (`append_project_event`: the owner's chain, and a
//!   partner's twin), so the project activity log shows them; they carry
//!   the link, the unit and the project — never the token, nor anything of
//!   the buyer.

use super::{access, check_buyer, Reach};
use crate::{
    db::{
        audit::{append_project_event, Action, NewEvent},
        outbox::queue_email_valid_for,
        projects, units, RepoError, Scope,
    },
    domain::{BuyerId, BuyerLinkId, ExpiryDays, OrgId, ProjectId, UnitId},
    error::Conflict,
    token::{Token, TokenHash},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Why a link stopped working before its time (`buyer_links.revoke_reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// A new link was issued for the same buyer and unit.
    Reissued,
    /// The unit's owner reassigned the unit.
    Reassigned,
    /// The unit was sold.
    Sold,
    /// Someone revoked it by hand.
    Manual,
}

impl RevokeReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeReason::Reissued => "reissued",
            RevokeReason::Reassigned => "reassigned",
            RevokeReason::Sold => "sold",
            RevokeReason::Manual => "manual",
        }
    }

    /// A value the database holds; anything else is an error, never a
    /// default.
    pub fn parse(s: &str) -> Option<Self> {
        [
            RevokeReason::Reissued,
            RevokeReason::Reassigned,
            RevokeReason::Sold,
            RevokeReason::Manual,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// What the links table says.
    pub fn label(self) -> &'static str {
        match self {
            RevokeReason::Reissued => "replaced by a newer link",
            RevokeReason::Reassigned => "the unit was reassigned",
            RevokeReason::Sold => "the unit was sold",
            RevokeReason::Manual => "revoked by hand",
        }
    }
}

/// Where a link stands now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Active,
    Expired,
    Revoked(RevokeReason),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerLink {
    pub id: BuyerLinkId,
    pub buyer_id: BuyerId,
    pub project_id: ProjectId,
    /// The unit's (the project's) owning organisation.
    pub owner_org_id: OrgId,
    /// The project's slug and name, and the unit's code, while the issuer
    /// may still see them (a partner that left sees neither).
    pub project_slug: Option<String>,
    pub project_name: Option<String>,
    pub unit_id: UnitId,
    pub unit_code: Option<String>,
    pub issued_by_name: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_opened_at: Option<OffsetDateTime>,
    pub state: LinkState,
}

/// What the link email says and links to.
pub struct LinkLetter<'a> {
    /// The issuing organisation's name, as the buyer knows it.
    pub org_name: &'a str,
    /// The person sending it.
    pub agent_name: &'a str,
    /// Builds the buyer page's URL from the project's slug, the unit and
    /// the token (the issuer's subdomain is the web layer's to know).
    pub url: &'a (dyn Fn(&str, UnitId, &Token) -> String + Send + Sync),
}

/// A link just issued: the only time its token exists outside the buyer's
/// hands.
#[derive(Debug)]
pub struct Issued {
    pub link: BuyerLink,
    pub token: Token,
    /// The full URL to give the buyer (carries the token).
    pub url: String,
    /// The pair's previous live link, now revoked (`reissued`).
    pub replaced: Option<BuyerLinkId>,
    /// Whether an email to the buyer was queued with it.
    pub emailed: bool,
}

/// R7.3: issues a link for (`buyer`, `unit` of `project`) valid `days`,
/// revoking the pair's live link in the same transaction. With
/// `email_buyer`, and when the buyer has an email address, the link is
/// mailed to them through the outbox in the same transaction too.
///
/// `NotFound`: another organisation's buyer, or a unit outside the scope's
/// pool; `Forbidden`: a colleague's buyer (Sales Agent), or the role;
/// `Refused`: the terms are not accepted; `Conflict::UnitNotOffered`: the
/// unit is sold or withdrawn.
#[tracing::instrument(skip(scope, letter))]
pub async fn issue(
    scope: &mut Scope,
    buyer: BuyerId,
    project: ProjectId,
    unit: UnitId,
    days: ExpiryDays,
    letter: &LinkLetter<'_>,
    email_buyer: bool,
) -> Result<Issued, RepoError> {
    let reach = access(scope).await?;
    check_buyer(scope, reach, buyer).await?;
    // R6.1: only a unit the person may see; another tenant's or one
    // outside the pool is `NotFound`.
    let seen = units::get(scope, project, unit).await?;
    if matches!(
        seen.status,
        units::UnitStatus::Sold | units::UnitStatus::Withdrawn
    ) {
        return Err(Conflict::UnitNotOffered.into());
    }
    let project = projects::get(scope, project).await?;
    let org = scope.membership().org_id();
    let actor = scope.membership().user_id();
    let replaced = sqlx::query_scalar!(
        r#"
        update buyer_links set revoked_at = now(), revoke_reason = 'reissued'
        where org_id = $1 and buyer_id = $2 and unit_id = $3 and revoked_at is null
        returning id
        "#,
        org.as_uuid(),
        buyer.as_uuid(),
        unit.as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?
    .map(BuyerLinkId::from_db);
    let (token, hash) = Token::generate();
    let id = sqlx::query_scalar!(
        r#"
        insert into buyer_links (org_id, buyer_id, unit_org_id, project_id, unit_id, token_hash,
                                 created_by_user_id, expires_at)
        values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(days => $8))
        returning id
        "#,
        org.as_uuid(),
        buyer.as_uuid(),
        project.owner_org_id.as_uuid(),
        project.id.as_uuid(),
        unit.as_uuid(),
        hash.as_bytes().as_slice(),
        actor.as_uuid(),
        i32::from(days.get()),
    )
    .fetch_one(scope.conn())
    .await?;
    let id = BuyerLinkId::from_db(id);
    let url = (letter.url)(&project.slug, unit, &token);
    let emailed = if email_buyer {
        mail(scope, buyer, &seen.code, &project.name, letter, &url, days).await?
    } else {
        false
    };
    append_project_event(
        scope,
        project.owner_org_id,
        project.id,
        NewEvent::new(Some(actor), Action::BuyerLinkIssued)
            .target("buyer_link", id)
            .metadata(serde_json::json!({
                "unit": unit.to_string(),
                "unit_code": seen.code,
                "expires_in_days": days.get(),
                "replaced": replaced.map(|r| r.to_string()),
                "emailed": emailed,
            })),
    )
    .await?;
    let link = one(scope, id).await?;
    Ok(Issued {
        link,
        token,
        url,
        replaced,
        emailed,
    })
}

/// Queues the link email to the buyer, if the buyer has an address;
/// answers whether it did. Its body dies with the link's expiry.
async fn mail(
    scope: &mut Scope,
    buyer: BuyerId,
    unit_code: &str,
    project_name: &str,
    letter: &LinkLetter<'_>,
    url: &str,
    days: ExpiryDays,
) -> Result<bool, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    let email = sqlx::query_scalar!(
        r#"select email as "email: String" from buyers where org_id = $1 and id = $2"#,
        org,
        buyer.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?;
    let Some(email) = email else {
        return Ok(false);
    };
    let subject = format!("{unit_code} at {project_name}, from {}", letter.org_name);
    let body = format!(
        "Hello,\n\n{agent} of {org} sent you a link to unit {unit_code} at {project_name}:\n\n\
         {url}\n\n\
         The link is for you alone and works for {days} days. If it stops working, ask \
         {agent} for a new one.\n",
        agent = letter.agent_name,
        org = letter.org_name,
        days = days.get(),
    );
    queue_email_valid_for(
        scope.conn(),
        &email,
        &subject,
        &body,
        time::Duration::days(i64::from(days.get())),
    )
    .await?;
    Ok(true)
}

/// "Email it to the buyer" after issuing: the issuer sends back the token
/// they were shown, which must be this link's (compared in constant time)
/// and the link still active. Answers whether mail was queued (`false`:
/// the buyer has no email address). A wrong token is `NotFound`.
#[tracing::instrument(skip(scope, token, letter))]
pub async fn email(
    scope: &mut Scope,
    id: BuyerLinkId,
    token: &Token,
    letter: &LinkLetter<'_>,
) -> Result<bool, RepoError> {
    let reach = access(scope).await?;
    let link = one(scope, id).await?;
    check_buyer(scope, reach, link.buyer_id).await?;
    let org = scope.membership().org_id().as_uuid();
    let stored = sqlx::query_scalar!(
        "select token_hash from buyer_links where org_id = $1 and id = $2",
        org,
        id.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?;
    let matches = TokenHash::from_bytes(&stored).is_some_and(|h| h.matches(&token.hash()));
    if !matches || link.state != LinkState::Active {
        return Err(RepoError::NotFound);
    }
    let days_left = (link.expires_at - OffsetDateTime::now_utc()).whole_days() + 1;
    let days = ExpiryDays::new(u8::try_from(days_left.clamp(1, 30)).unwrap_or(30))
        .unwrap_or(ExpiryDays::DEFAULT);
    let project_name = link.project_name.clone().unwrap_or_default();
    let unit_code = link.unit_code.clone().unwrap_or_default();
    let slug = link.project_slug.clone().unwrap_or_default();
    let url = (letter.url)(&slug, link.unit_id, token);
    let sent = mail(
        scope,
        link.buyer_id,
        &unit_code,
        &project_name,
        letter,
        &url,
        days,
    )
    .await?;
    if sent {
        let actor = scope.membership().user_id();
        append_project_event(
            scope,
            link.owner_org_id,
            link.project_id,
            NewEvent::new(Some(actor), Action::BuyerLinkEmailed)
                .target("buyer_link", id)
                .metadata(serde_json::json!({
                    "unit": link.unit_id.to_string(),
                    "unit_code": unit_code,
                })),
        )
        .await?;
    }
    Ok(sent)
}

/// The buyer's links, newest first, each with its state.
#[tracing::instrument(skip(scope))]
pub async fn list(scope: &mut Scope, buyer: BuyerId) -> Result<Vec<BuyerLink>, RepoError> {
    let reach = access(scope).await?;
    check_buyer(scope, reach, buyer).await?;
    select(scope, Some(buyer), None).await
}

/// Revokes a live link by hand (`manual`). Answers whether it was live; a
/// link already revoked or expired is left as it is, with no event.
#[tracing::instrument(skip(scope))]
pub async fn revoke(scope: &mut Scope, id: BuyerLinkId) -> Result<bool, RepoError> {
    let reach = access(scope).await?;
    let link = one(scope, id).await?;
    check_buyer(scope, reach, link.buyer_id).await?;
    let org = scope.membership().org_id().as_uuid();
    let revoked = sqlx::query!(
        r#"
        update buyer_links set revoked_at = now(), revoke_reason = 'manual'
        where org_id = $1 and id = $2 and revoked_at is null and expires_at > now()
        "#,
        org,
        id.as_uuid()
    )
    .execute(scope.conn())
    .await?
    .rows_affected()
        == 1;
    if revoked {
        let actor = scope.membership().user_id();
        append_project_event(
            scope,
            link.owner_org_id,
            link.project_id,
            NewEvent::new(Some(actor), Action::BuyerLinkRevoked)
                .target("buyer_link", id)
                .metadata(serde_json::json!({
                    "unit": link.unit_id.to_string(),
                    "unit_code": link.unit_code,
                    "reason": RevokeReason::Manual.as_str(),
                })),
        )
        .await?;
    }
    Ok(revoked)
}

/// One link of the scope's organisation (not authorised here).
async fn one(scope: &mut Scope, id: BuyerLinkId) -> Result<BuyerLink, RepoError> {
    select(scope, None, Some(id))
        .await?
        .pop()
        .ok_or(RepoError::NotFound)
}

async fn select(
    scope: &mut Scope,
    buyer: Option<BuyerId>,
    only: Option<BuyerLinkId>,
) -> Result<Vec<BuyerLink>, RepoError> {
    let org = scope.membership().org_id().as_uuid();
    // The project and unit through their own policies: an issuer that is
    // no longer a partner reads neither (left joins keep the link).
    let rows = sqlx::query!(
        r#"
        select l.id, l.buyer_id, l.unit_org_id, l.project_id, l.unit_id,
               p.slug as "project_slug?", p.name as "project_name?", un.code as "unit_code?",
               u.display_name as issued_by_name, l.created_at, l.expires_at, l.revoked_at,
               l.revoke_reason, l.last_opened_at, (l.expires_at <= now()) as "expired!"
        from buyer_links l
        join users u on u.id = l.created_by_user_id
        left join projects p on p.org_id = l.unit_org_id and p.id = l.project_id
        left join units un on un.org_id = l.unit_org_id and un.id = l.unit_id
        where l.org_id = $1
          and ($2::uuid is null or l.buyer_id = $2)
          and ($3::uuid is null or l.id = $3)
        order by l.created_at desc, l.id
        "#,
        org,
        buyer.map(|b| b.as_uuid()),
        only.map(|l| l.as_uuid()),
    )
    .fetch_all(scope.conn())
    .await?;
    rows.into_iter()
        .map(|r| {
            let state = match (r.revoke_reason.as_deref(), r.expired) {
                (Some(reason), _) => {
                    LinkState::Revoked(RevokeReason::parse(reason).ok_or_else(|| {
                        RepoError::Database(sqlx::Error::Decode(
                            format!("unknown revoke_reason {reason:?}").into(),
                        ))
                    })?)
                }
                (None, true) => LinkState::Expired,
                (None, false) => LinkState::Active,
            };
            Ok(BuyerLink {
                id: BuyerLinkId::from_db(r.id),
                buyer_id: BuyerId::from_db(r.buyer_id),
                project_id: ProjectId::from_db(r.project_id),
                owner_org_id: OrgId::from_db(r.unit_org_id),
                project_slug: r.project_slug,
                project_name: r.project_name,
                unit_id: UnitId::from_db(r.unit_id),
                unit_code: r.unit_code,
                issued_by_name: r.issued_by_name,
                created_at: r.created_at,
                expires_at: r.expires_at,
                revoked_at: r.revoked_at,
                last_opened_at: r.last_opened_at,
                state,
            })
        })
        .collect()
}

/// Whether the scope may issue buyer links now: the role allows it and the
/// terms are accepted (a unit page's "Send to a buyer" asks).
pub async fn may_issue(scope: &mut Scope) -> Result<bool, RepoError> {
    match access(scope).await {
        Ok(Reach::Everyone | Reach::Own(_)) => Ok(true),
        Err(RepoError::Forbidden(_) | RepoError::Refused(_)) => Ok(false),
        Err(e) => Err(e),
    }
}
