//! The invitee's side of a reverse invitation (SPEC R5.3, R5.4, R5.6): a
//! Studio's client's developer holding the emailed link. Found by token as
//! personal invitations are ([`invitee::locate`], the one row-level security
//! policy that reads a token), then the studio becomes the tenant.
//!
//! Accepting, in one transaction: consumes the invitation (one conditional
//! UPDATE, so fifty concurrent accepts make one organisation and the rest
//! find it already used), creates a **Free Guest** developer organisation
//! owned by the accepting person (its subdomain derived from the client's
//! company name, the first free one), and links the studio's client to it
//! (`clients.linked_org_id`): the projects policy then lets the new
//! organisation read the studio's projects for that client
//! (`app_is_client_of`, migration 20261201000040). Declining consumes it
//! too.

use super::{
    invitee::{consume_declined, is_invited_address, locate, mark_opened, AcceptOutcome, Located},
    invitee_signup::{InviteeSignup, InviteeSignupError},
    signup::{create_org, insert_user, NewUser, SignupError},
};
use crate::{
    db::{
        audit::{self, Action, NewEvent, Pii},
        security_events, tenant, DbError, Gate, RequestMeta, SecurityEvent,
    },
    domain::{ClientType, ClientTypes, InvitationState, OrgId, ProjectSlug, Subdomain, UserId},
    policy::Role,
    token::TokenHash,
};
use serde::{Deserialize, Serialize};
use sqlx::{Connection, PgConnection};
use time::OffsetDateTime;

const KIND: &str = "reverse";

/// What the client-invitation landing page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInvitationView {
    /// The inviting studio.
    pub studio_name: String,
    pub studio_subdomain: String,
    /// The studio's client, whose workspace accepting creates.
    pub client_name: String,
    pub email: String,
    pub inviter: String,
    pub expires_at: OffsetDateTime,
    pub state: InvitationState,
}

/// The studio's client an invitation names (the tenant is the studio).
async fn client_name(conn: &mut PgConnection, found: &Located) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!(
        "select name from clients where org_id = $1 and id = $2",
        found.org,
        found.client_id
    )
    .fetch_one(&mut *conn)
    .await
}

/// Subdomains to try for a client called `name`: its name made a DNS label,
/// then with `-2`, `-3`, …, then with a random suffix.
fn subdomain_candidates(name: &str) -> impl Iterator<Item = Subdomain> {
    let mut base = ProjectSlug::suggest(name)
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    base.truncate(50);
    let base = base.trim_matches('-').to_owned();
    let base = if Subdomain::parse(&base).is_ok() {
        base
    } else if base.len() >= 3 {
        // A reserved name ("admin") or an IDNA prefix: make it a workspace.
        format!("{base}-workspace")
            .trim_start_matches("xn--")
            .to_owned()
    } else {
        "client".to_owned()
    };
    let numbered = (2..=20).map({
        let base = base.clone();
        move |n| format!("{base}-{n}")
    });
    let random = (0..5).map({
        let base = base.clone();
        move |_| format!("{base}-{:06x}", rand::random::<u32>() & 0xff_ffff)
    });
    std::iter::once(base)
        .chain(numbered)
        .chain(random)
        .filter_map(|s| Subdomain::parse(&s).ok())
}

/// Consumes a valid reverse invitation for `user` and creates their Free
/// Guest organisation, linked to the client. `None`: someone else consumed
/// it first. Answers the new organisation's subdomain.
async fn consume_into_guest_org(
    conn: &mut PgConnection,
    found: &Located,
    user: UserId,
    meta: &RequestMeta,
) -> Result<Option<String>, sqlx::Error> {
    let studio = OrgId::from_db(found.org);
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
    let client_name = client_name(conn, found).await?;
    let country = sqlx::query_scalar!(
        "select country::text as \"country!\" from organisations where id = $1",
        found.org
    )
    .fetch_one(&mut *conn)
    .await?;
    let types = ClientTypes::from_types(vec![ClientType::Developer])
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let mut created = None;
    for subdomain in subdomain_candidates(&client_name) {
        let taken = sqlx::query_scalar!(
            r#"select app_subdomain_taken($1) as "taken!""#,
            subdomain.as_str()
        )
        .fetch_one(&mut *conn)
        .await?;
        if taken {
            continue;
        }
        // A savepoint: a sign-up taking the same name meanwhile fails only
        // this attempt, not the transaction.
        let mut attempt = conn.begin().await?;
        match create_org(
            &mut attempt,
            user,
            &client_name,
            &subdomain,
            &country,
            &types,
            None,
        )
        .await
        {
            Ok(org) => {
                attempt.commit().await?;
                created = Some((org, subdomain));
                break;
            }
            Err(SignupError::SubdomainTaken) => attempt.rollback().await?,
            Err(SignupError::Database(e)) => return Err(e),
            Err(SignupError::EmailTaken) => unreachable!("create_org inserts no account"),
        }
    }
    let Some((org, subdomain)) = created else {
        return Err(sqlx::Error::Protocol(
            "no free subdomain for the client's workspace".to_owned(),
        ));
    };
    // create_org left the new organisation as the tenant.
    sqlx::query!(
        "update organisations set plan = 'free_guest' where id = $1",
        org.as_uuid()
    )
    .execute(&mut *conn)
    .await?;
    tenant::set_tenant(conn, Some(studio), Some(user)).await?;
    sqlx::query!(
        "update clients set linked_org_id = $3 where org_id = $1 and id = $2",
        found.org,
        found.client_id,
        org.as_uuid()
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
    let mut event = NewEvent::new(Some(user), Action::ReverseInvitationAccepted)
        .metadata(serde_json::json!({
            "invitation_id": found.id.to_string(),
            "linked_org_id": org.to_string(),
        }))
        .pii(Pii {
            ip: meta.ip.clone(),
            data: serde_json::json!({ "email": found.email }),
        });
    if let Some(client) = found.client_id {
        event = event.target("client", client);
    }
    audit::append_to(conn, studio, &event).await?;
    Ok(Some(subdomain.as_str().to_owned()))
}

impl Gate {
    /// The client-invitation landing page's view of a token; `None` when no
    /// reverse invitation has it. Loading it with a valid token records the
    /// first opening (the funnel's "opened", R5.3).
    #[tracing::instrument(skip_all)]
    pub async fn client_invitation(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<ClientInvitationView>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(found) = locate(&mut tx, hash, None, KIND).await? else {
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
        let client_name = client_name(&mut tx, &found).await?;
        mark_opened(&mut tx, found.org, found.id, found.state).await?;
        tx.commit().await?;
        Ok(Some(ClientInvitationView {
            studio_name: row.name,
            studio_subdomain: row.subdomain,
            client_name,
            email: found.email,
            inviter: row.inviter,
            expires_at: row.expires_at,
            state: found.state,
        }))
    }

    /// Accepts as the signed-in `user`, whose address must be the
    /// invitation's (R5.6). Atomic and idempotent (R5.4): `Joined` names
    /// the new Free Guest organisation's subdomain, with the Owner role.
    #[tracing::instrument(skip(self, hash, meta))]
    pub async fn accept_client_invitation(
        &self,
        hash: &TokenHash,
        user: UserId,
        meta: &RequestMeta,
    ) -> Result<Option<AcceptOutcome>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(found) = locate(&mut tx, hash, Some(user), KIND).await? else {
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
        let outcome = match consume_into_guest_org(&mut tx, &found, user, meta).await? {
            Some(subdomain) => AcceptOutcome::Joined {
                subdomain,
                role: Role::Owner,
            },
            None => AcceptOutcome::NotPending(InvitationState::Accepted),
        };
        tx.commit().await?;
        Ok(Some(outcome))
    }

    /// Declining consumes the invitation too (R5.4). Anyone holding the
    /// link may decline it; `actor` is recorded when someone is signed in.
    #[tracing::instrument(skip(self, hash, meta))]
    pub async fn decline_client_invitation(
        &self,
        hash: &TokenHash,
        actor: Option<UserId>,
        meta: &RequestMeta,
    ) -> Result<Option<InvitationState>, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(found) = locate(&mut tx, hash, actor, KIND).await? else {
            return Ok(None);
        };
        if found.state != InvitationState::Valid {
            return Ok(Some(found.state));
        }
        if !consume_declined(&mut tx, found.org, found.id).await? {
            return Ok(Some(InvitationState::Accepted));
        }
        let mut event = NewEvent::new(actor, Action::ReverseInvitationDeclined)
            .metadata(serde_json::json!({ "invitation_id": found.id.to_string() }))
            .pii(Pii {
                ip: meta.ip.clone(),
                data: serde_json::json!({ "email": found.email }),
            });
        if let Some(client) = found.client_id {
            event = event.target("client", client);
        }
        audit::append_to(&mut tx, OrgId::from_db(found.org), &event).await?;
        tx.commit().await?;
        Ok(Some(InvitationState::Declined))
    }

    /// A new person accepts by signing up (R5.6): the account (with the
    /// invitation's address, verified by the link), the Free Guest
    /// organisation and the client's link in one transaction. Answers the
    /// new user and the organisation's subdomain.
    #[tracing::instrument(skip_all)]
    pub async fn sign_up_from_client_invitation(
        &self,
        hash: &TokenHash,
        signup: &InviteeSignup,
        meta: &RequestMeta,
    ) -> Result<Option<(UserId, String)>, InviteeSignupError> {
        let mut tx = self.pool.begin().await?;
        let Some(found) = locate(&mut tx, hash, None, KIND).await? else {
            return Ok(None);
        };
        if found.state != InvitationState::Valid {
            return Err(InviteeSignupError::NotPending(found.state));
        }
        let user = insert_user(
            &mut tx,
            &NewUser {
                email: &found.email,
                email_verified: true,
                display_name: &signup.display_name,
                password_hash: signup.password_hash.as_deref(),
                google_subject: signup.google_subject.as_deref(),
            },
        )
        .await?
        .ok_or(InviteeSignupError::EmailTaken)?;
        tenant::set_tenant(&mut tx, Some(OrgId::from_db(found.org)), Some(user)).await?;
        let Some(subdomain) = consume_into_guest_org(&mut tx, &found, user, meta).await? else {
            return Err(InviteeSignupError::NotPending(InvitationState::Accepted));
        };
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::SignedUp,
            meta,
            serde_json::json!({ "via": "client_invitation" }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some((user, subdomain)))
    }
}
