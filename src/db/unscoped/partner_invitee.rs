//! The invitee's side of a forward invitation (SPEC R5.2, R5.4, R1.7): it
//! starts from a token, before any tenant is known ([`locate`] proves the
//! token and makes the project owner the transaction's tenant).
//!
//! Accepting admits an organisation as the project's partner: one the
//! signed-in person is Owner or Admin of (and whose types allow the kind,
//! R1.3), or one created in the flow (by a signed-in person or a new one
//! signing up), its types preset to the kind. The token is consumed first,
//! with one conditional UPDATE, so fifty concurrent accepts make one
//! partnership — and create at most one organisation.
//!
//! The partnership row and the event go into the owner's chain; the twin
//! event into the partner's (docs/decisions.md, "Whose chain a partner's
//! event goes into").

use super::{
    invitee::{consume_declined, is_invited_address, locate, mark_opened, Located},
    signup::{create_org, insert_user, NewUser, SignupError},
};
use crate::{
    db::{
        audit::{self, Action, NewEvent, Pii},
        security_events, tenant, DbError, Gate, RequestMeta, SecurityEvent,
    },
    domain::{ClientTypes, InvitationState, OrgId, PartnerKind, Subdomain, UserId},
    token::TokenHash,
};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// What the landing page shows about a forward invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerInvitationView {
    pub owner_name: String,
    pub owner_subdomain: String,
    pub project_name: String,
    pub kind: PartnerKind,
    /// The invited person's address; `None` when an organisation was invited.
    pub email: Option<String>,
    /// The invited organisation's name, when one was.
    pub partner_org_name: Option<String>,
    pub inviter: String,
    pub expires_at: OffsetDateTime,
    pub state: InvitationState,
    /// The signed-in person's organisations that may accept (Owner or
    /// Admin there, of the right type, not the owner).
    pub choices: Vec<PartnerChoice>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerChoice {
    pub id: OrgId,
    pub name: String,
    pub subdomain: String,
    pub already_partner: bool,
}

/// Which organisation accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcceptAs {
    Existing(OrgId),
    /// A new organisation, created in the flow, owned by the person.
    New {
        name: String,
        subdomain: Subdomain,
    },
}

/// Where the partner now works on the project (R1.7): its own subdomain,
/// at `/with/<owner>/<slug>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerJoined {
    pub partner_subdomain: String,
    pub owner_subdomain: String,
    pub project_slug: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartnerAcceptOutcome {
    Joined(PartnerJoined),
    NotPending(InvitationState),
    /// Invited by email, accepted from another account (R5.6).
    WrongAccount {
        invited: String,
    },
    /// The chosen organisation may not accept: not the person's to
    /// administer, not of the kind's type, or not the invited one.
    NotEligible,
}

/// Why accepting failed outright.
#[derive(Debug, thiserror::Error)]
pub enum PartnerAcceptError {
    #[error("not pending")]
    NotPending(InvitationState),
    #[error("this subdomain is taken")]
    SubdomainTaken,
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<SignupError> for PartnerAcceptError {
    fn from(e: SignupError) -> Self {
        match e {
            SignupError::SubdomainTaken => PartnerAcceptError::SubdomainTaken,
            SignupError::EmailTaken => PartnerAcceptError::EmailTaken,
            SignupError::Database(e) => PartnerAcceptError::Database(e),
        }
    }
}

/// A new person accepting by signing up: the account and its organisation.
#[derive(Clone, Debug)]
pub struct PartnerSignup {
    pub display_name: String,
    /// argon2id PHC string; `None` for a Google account.
    pub password_hash: Option<String>,
    pub google_subject: Option<String>,
    pub org_name: String,
    pub subdomain: Subdomain,
}

/// A forward invitation as the token found it.
struct Forward {
    found: Located,
    email: Option<String>,
    project: Uuid,
    kind: PartnerKind,
    partner_org: Option<Uuid>,
    invited_by: Uuid,
}

async fn find(
    conn: &mut PgConnection,
    hash: &TokenHash,
    user: Option<UserId>,
) -> Result<Option<Forward>, sqlx::Error> {
    let Some(found) = locate(conn, hash, user, "forward").await? else {
        return Ok(None);
    };
    let row = sqlx::query!(
        r#"select email::text as email, project_id as "project_id!",
                  partner_kind as "kind!: PartnerKind", partner_org_id, invited_by_user_id
           from invitations where org_id = $1 and id = $2"#,
        found.org,
        found.id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(Forward {
        email: row.email,
        project: row.project_id,
        kind: row.kind,
        partner_org: row.partner_org_id,
        invited_by: row.invited_by_user_id,
        found,
    }))
}

/// The person's organisations that may accept `inv` (the transaction's
/// tenant is the owner; memberships and organisations show a person their
/// own rows).
async fn choices(
    conn: &mut PgConnection,
    inv: &Forward,
    user: UserId,
) -> Result<Vec<PartnerChoice>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select o.id, o.name, o.subdomain,
               exists (select 1 from project_partners pp
                       where pp.org_id = $2 and pp.project_id = $3
                         and pp.partner_org_id = o.id and pp.status = 'active') as "already!"
        from memberships m
        join organisations o on o.id = m.org_id
        where m.user_id = $1 and m.status = 'active' and m.role in ('owner', 'admin')
          and o.status = 'active' and o.id <> $2
          and $4::text::client_type = any(o.client_types)
          and ($5::uuid is null or o.id = $5)
        order by o.name, o.id
        "#,
        user.as_uuid(),
        inv.found.org,
        inv.project,
        inv.kind.client_type().as_str(),
        inv.partner_org,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PartnerChoice {
            id: OrgId::from_db(r.id),
            name: r.name,
            subdomain: r.subdomain,
            already_partner: r.already,
        })
        .collect())
}

/// Consumes the invitation, admits `partner`, writes both chains' events.
/// `None`: someone else consumed it first.
async fn admit(
    conn: &mut PgConnection,
    inv: &Forward,
    partner: OrgId,
    created: bool,
    user: UserId,
    meta: &RequestMeta,
) -> Result<Option<PartnerJoined>, sqlx::Error> {
    let owner = OrgId::from_db(inv.found.org);
    tenant::set_tenant(conn, Some(owner), Some(user)).await?;
    let row = sqlx::query!(
        r#"
        insert into project_partners
            (org_id, project_id, partner_org_id, kind, invitation_id, invited_by_user_id)
        values ($1, $2, $3, $4, $5, $6)
        on conflict (org_id, project_id, partner_org_id) do update
            set status = 'active', removed_at = null, removed_by_user_id = null,
                kind = excluded.kind, created_at = now(),
                invitation_id = excluded.invitation_id,
                invited_by_user_id = excluded.invited_by_user_id
            where project_partners.status = 'removed'
        returning (select slug from projects where org_id = $1 and id = $2) as "slug!",
                  (select subdomain from public_org_brands where id = $1) as "owner!",
                  (select name from public_org_brands where id = $3) as "partner_name!",
                  (select subdomain from public_org_brands where id = $3) as "partner!"
        "#,
        owner.as_uuid(),
        inv.project,
        partner.as_uuid(),
        inv.kind as PartnerKind,
        inv.found.id,
        inv.invited_by,
    )
    .fetch_optional(&mut *conn)
    .await?;
    // Already an active partner (accepted from another invitation): the
    // invitation is used all the same, and the partner's address answers.
    let joined = match row {
        Some(r) => (r.slug, r.owner, r.partner_name, r.partner),
        None => {
            let r = sqlx::query!(
                r#"select p.slug, o.subdomain as "owner!", b.name as "partner_name!",
                          b.subdomain as "partner!"
                   from projects p
                   join public_org_brands o on o.id = p.org_id
                   join public_org_brands b on b.id = $3
                   where p.org_id = $1 and p.id = $2"#,
                owner.as_uuid(),
                inv.project,
                partner.as_uuid()
            )
            .fetch_one(&mut *conn)
            .await?;
            (r.slug, r.owner, r.partner_name, r.partner)
        }
    };
    let (project_slug, owner_subdomain, partner_name, partner_subdomain) = joined;
    let mut event = NewEvent::new(Some(user), Action::PartnerJoined)
        .project(crate::domain::ProjectId::from_db(inv.project))
        .target("organisation", partner)
        .metadata(serde_json::json!({
            "kind": inv.kind.as_str(),
            "partner_org": partner.to_string(),
            "partner_name": partner_name,
            "invitation_id": inv.found.id.to_string(),
            "created": created,
        }));
    if let Some(email) = &inv.email {
        event = event.pii(Pii {
            ip: meta.ip.clone(),
            data: serde_json::json!({ "email": email }),
        });
    }
    // Both chains; the partner's member did it (docs/decisions.md).
    audit::append_to_both(conn, owner, partner, partner, user, &event).await?;
    tenant::set_tenant(conn, Some(owner), Some(user)).await?;
    Ok(Some(PartnerJoined {
        partner_subdomain,
        owner_subdomain,
        project_slug,
    }))
}

/// The conditional UPDATE that consumes the token (R5.4); `false` when
/// another accept got there first or it expired meanwhile.
async fn consume(
    conn: &mut PgConnection,
    inv: &Forward,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    tenant::set_tenant(conn, Some(OrgId::from_db(inv.found.org)), Some(user)).await?;
    Ok(sqlx::query_scalar!(
        "update invitations set status = 'accepted', consumed_at = now(), consumed_by_user_id = $3
         where org_id = $1 and id = $2 and status = 'pending' and expires_at > now()
         returning id",
        inv.found.org,
        inv.found.id,
        user.as_uuid()
    )
    .fetch_optional(&mut *conn)
    .await?
    .is_some())
}

impl Gate {
    /// The landing page's view of a forward invitation token, with what the
    /// signed-in `viewer` may accept as; `None` when no forward invitation
    /// has it. Loading it with a valid token records that it was opened.
    #[tracing::instrument(skip_all)]
    pub async fn partner_invitation(
        &self,
        hash: &TokenHash,
        viewer: Option<UserId>,
    ) -> Result<Option<PartnerInvitationView>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(inv) = find(&mut tx, hash, viewer).await? else {
            return Ok(None);
        };
        let row = sqlx::query!(
            r#"select o.name as "owner_name!", o.subdomain as "owner_subdomain!",
                      p.name as project_name, b.name as "partner_name?",
                      u.display_name as inviter, i.expires_at
               from invitations i
               join public_org_brands o on o.id = i.org_id
               join projects p on p.org_id = i.org_id and p.id = i.project_id
               join users u on u.id = i.invited_by_user_id
               left join public_org_brands b on b.id = i.partner_org_id
               where i.org_id = $1 and i.id = $2"#,
            inv.found.org,
            inv.found.id
        )
        .fetch_one(&mut *tx)
        .await?;
        let choices = match viewer {
            Some(user) => choices(&mut tx, &inv, user).await?,
            None => Vec::new(),
        };
        mark_opened(&mut tx, inv.found.org, inv.found.id, inv.found.state).await?;
        tx.commit().await?;
        Ok(Some(PartnerInvitationView {
            owner_name: row.owner_name,
            owner_subdomain: row.owner_subdomain,
            project_name: row.project_name,
            kind: inv.kind,
            email: inv.email,
            partner_org_name: row.partner_name,
            inviter: row.inviter,
            expires_at: row.expires_at,
            state: inv.found.state,
            choices,
        }))
    }

    /// Accepts as the signed-in `user`, for one of their organisations or a
    /// new one. Atomic and idempotent (R5.4).
    #[tracing::instrument(skip(self, hash, meta))]
    pub async fn accept_partner_invitation(
        &self,
        hash: &TokenHash,
        user: UserId,
        accept_as: &AcceptAs,
        meta: &RequestMeta,
    ) -> Result<Option<PartnerAcceptOutcome>, PartnerAcceptError> {
        let mut tx = self.pool.begin().await?;
        let Some(inv) = find(&mut tx, hash, Some(user)).await? else {
            return Ok(None);
        };
        if inv.found.state != InvitationState::Valid {
            return Ok(Some(PartnerAcceptOutcome::NotPending(inv.found.state)));
        }
        if let Some(invited) = &inv.email {
            // R5.6: bound to its address (the column's collation compares
            // case-insensitively).
            if !is_invited_address(&mut tx, user, invited).await? {
                return Ok(Some(PartnerAcceptOutcome::WrongAccount {
                    invited: invited.clone(),
                }));
            }
        }
        let eligible = choices(&mut tx, &inv, user).await?;
        let may = match accept_as {
            AcceptAs::Existing(org) => eligible.iter().any(|c| c.id == *org),
            // An invited organisation accepts as itself.
            AcceptAs::New { .. } => inv.partner_org.is_none(),
        };
        if !may {
            return Ok(Some(PartnerAcceptOutcome::NotEligible));
        }
        if !consume(&mut tx, &inv, user).await? {
            return Ok(Some(PartnerAcceptOutcome::NotPending(
                InvitationState::Accepted,
            )));
        }
        let (partner, created) = match accept_as {
            AcceptAs::Existing(org) => (*org, false),
            AcceptAs::New { name, subdomain } => (
                new_partner_org(&mut tx, &inv, user, name, subdomain).await?,
                true,
            ),
        };
        if inv.email.is_some() {
            // The link was mailed to this address: following it verifies it.
            sqlx::query!(
                "update users set email_verified = true where id = $1",
                user.as_uuid()
            )
            .execute(&mut *tx)
            .await?;
        }
        let joined = admit(&mut tx, &inv, partner, created, user, meta).await?;
        tx.commit().await?;
        Ok(joined.map(PartnerAcceptOutcome::Joined))
    }

    /// A new person accepts by signing up (R5.2, R5.6): the account (with
    /// the invited address, verified by the link), its organisation and
    /// the partnership in one transaction. Only for an invitation by email.
    #[tracing::instrument(skip_all)]
    pub async fn sign_up_from_partner_invitation(
        &self,
        hash: &TokenHash,
        signup: &PartnerSignup,
        meta: &RequestMeta,
    ) -> Result<Option<(UserId, PartnerJoined)>, PartnerAcceptError> {
        let mut tx = self.pool.begin().await?;
        let Some(inv) = find(&mut tx, hash, None).await? else {
            return Ok(None);
        };
        let Some(email) = inv.email.clone() else {
            // An organisation was invited: its Owner or an Admin accepts.
            return Ok(None);
        };
        if inv.found.state != InvitationState::Valid {
            return Err(PartnerAcceptError::NotPending(inv.found.state));
        }
        let user = insert_user(
            &mut tx,
            &NewUser {
                email: &email,
                email_verified: true,
                display_name: &signup.display_name,
                password_hash: signup.password_hash.as_deref(),
                google_subject: signup.google_subject.as_deref(),
            },
        )
        .await?
        .ok_or(PartnerAcceptError::EmailTaken)?;
        if !consume(&mut tx, &inv, user).await? {
            return Err(PartnerAcceptError::NotPending(InvitationState::Accepted));
        }
        let partner =
            new_partner_org(&mut tx, &inv, user, &signup.org_name, &signup.subdomain).await?;
        let joined = admit(&mut tx, &inv, partner, true, user, meta).await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::SignedUp,
            meta,
            serde_json::json!({ "via": "partner_invitation" }),
        )
        .await?;
        tx.commit().await?;
        Ok(joined.map(|j| (user, j)))
    }

    /// Declining consumes the invitation too (R5.4). Anyone holding the
    /// link may decline it; `actor` is recorded when someone is signed in.
    #[tracing::instrument(skip(self, hash, meta))]
    pub async fn decline_partner_invitation(
        &self,
        hash: &TokenHash,
        actor: Option<UserId>,
        meta: &RequestMeta,
    ) -> Result<Option<InvitationState>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(inv) = find(&mut tx, hash, actor).await? else {
            return Ok(None);
        };
        if inv.found.state != InvitationState::Valid {
            return Ok(Some(inv.found.state));
        }
        if !consume_declined(&mut tx, inv.found.org, inv.found.id).await? {
            return Ok(Some(InvitationState::Accepted));
        }
        let mut event = NewEvent::new(actor, Action::PartnerInvitationDeclined)
            .project(crate::domain::ProjectId::from_db(inv.project))
            .target("invitation", inv.found.id)
            .metadata(serde_json::json!({ "kind": inv.kind.as_str() }));
        if let Some(email) = &inv.email {
            event = event.pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": email }),
            });
        }
        audit::append_to(&mut tx, OrgId::from_db(inv.found.org), &event).await?;
        tx.commit().await?;
        Ok(Some(InvitationState::Declined))
    }
}

/// The partner organisation created in the flow: owned by `user`, its
/// types preset to the kind (R5.2), in the owner's country.
async fn new_partner_org(
    conn: &mut PgConnection,
    inv: &Forward,
    user: UserId,
    name: &str,
    subdomain: &Subdomain,
) -> Result<OrgId, PartnerAcceptError> {
    let country = sqlx::query_scalar!(
        r#"select country as "country!" from public_org_brands where id = $1"#,
        inv.found.org
    )
    .fetch_one(&mut *conn)
    .await?;
    let types = ClientTypes::from(inv.kind.client_type());
    Ok(create_org(conn, user, name, subdomain, &country, &types, None).await?)
}
