//! A new person accepting an invitation by signing up (SPEC R5.6): no
//! organisation of their own; the address is the invitation's, verified by
//! the link it was mailed in.

use super::{
    invitee::{consume_into_membership, find},
    signup::{insert_user, NewUser},
};
use crate::{
    db::{security_events, tenant, Gate, RequestMeta, SecurityEvent},
    domain::{InvitationState, OrgId, UserId},
    token::TokenHash,
};

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

impl Gate {
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
        tenant::set_tenant(&mut tx, Some(OrgId::from_db(found.org)), Some(user)).await?;
        let Some(subdomain) = consume_into_membership(&mut tx, &found, user, meta).await? else {
            return Err(InviteeSignupError::NotPending(InvitationState::Accepted));
        };
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::SignedUp,
            meta,
            serde_json::json!({ "via": "invitation" }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some((user, subdomain)))
    }
}
