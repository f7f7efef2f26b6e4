//! Sign-up (SPEC R3.1, R3.7): a person and their first organisation. The
//! organisation's rows are written after the transaction becomes its
//! tenant ([`tenant::set_tenant`]), and its first audit event starts the
//! chain.

use crate::{
    db::{
        audit, error::unique_violation, outbox::queue_email, security_events, tenant, DbError,
        Gate, RequestMeta, SecurityEvent,
    },
    domain::{ClientTypes, EmailAddress, OrgId, Subdomain, UserId},
    token::Token,
};
use sqlx::PgConnection;
use uuid::Uuid;

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

impl Gate {
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

    /// Whether an account already uses this email (sign-up's field check).
    pub async fn email_taken(&self, email: &EmailAddress) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar!(
            r#"select exists(select 1 from users where email = $1) as "taken!""#,
            email.as_str()
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
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::SignedUp,
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
                security_events::record(
                    &mut tx,
                    Some(UserId::from_db(owner.id)),
                    SecurityEvent::SignUpExistingEmail,
                    meta,
                    serde_json::json!({}),
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(SignupOutcome::ExistingAccount);
        };
        super::verification::issue(
            &mut tx,
            user,
            super::verification::Purpose::Signup,
            link,
            &super::verification::VerificationMail {
                subject: "Confirm your email to finish signing up to offplan",
                intro: &format!(
                    "Welcome to offplan. Open this link to confirm your address and open {}:",
                    signup.org_name
                ),
            },
        )
        .await?;
        security_events::record(
            &mut tx,
            Some(user),
            SecurityEvent::SignedUp,
            meta,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(SignupOutcome::Created { user, org })
    }
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
        Err(e) if unique_violation(&e) == Some("users_email_key") => Ok(None),
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
    tenant::set_tenant(conn, Some(OrgId::from_db(org)), Some(owner)).await?;
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
        Err(e) if unique_violation(&e) == Some("organisations_subdomain_key") => {
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
    audit::append_to(
        conn,
        org,
        &audit::NewEvent::new(Some(owner), audit::Action::OrgCreated)
            .target("organisation", org)
            .metadata(serde_json::json!({ "subdomain": subdomain.as_str() })),
    )
    .await?;
    Ok(org)
}
