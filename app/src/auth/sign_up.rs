//! Creating an organisation (R3.1): the live subdomain check, the Google
//! identity waiting to become an account, and sign-up itself.

#![expect(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field (sign-up has nine)"
)]

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::GoogleSignup;

/// The sign-up form's live subdomain check (R3.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubdomainCheck {
    Available,
    Taken,
    Invalid(String),
}

#[server(endpoint = "auth/check-subdomain")]
pub async fn check_subdomain(subdomain: String) -> Result<SubdomainCheck, AppError> {
    use crate::ssr;
    let db = ssr::gate()?;
    let sub = match offplan::domain::Subdomain::parse(&subdomain) {
        Ok(sub) => sub,
        Err(e) => return Ok(SubdomainCheck::Invalid(e.to_string())),
    };
    Ok(if db.subdomain_taken(&sub).await? {
        SubdomainCheck::Taken
    } else {
        SubdomainCheck::Available
    })
}

/// A Google identity waiting to become an account (sign-up with Google).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GooglePrefill {
    pub name: String,
    pub email: String,
}

#[server(endpoint = "auth/google-prefill")]
pub async fn load_google_prefill() -> Result<Option<GooglePrefill>, AppError> {
    use crate::ssr::{self, keys};
    let session = ssr::session().await?;
    let stored: Option<GoogleSignup> = session
        .get(keys::GOOGLE_SIGNUP)
        .await
        .map_err(ssr::internal)?;
    Ok(stored.map(|g| GooglePrefill {
        name: g.name.unwrap_or_default(),
        email: g.email,
    }))
}

/// Sign-up (R3.1): user, organisation and Owner membership in one
/// transaction, then signed in on the organisation's subdomain.
#[server(endpoint = "auth/signup")]
pub async fn signup(
    name: String,
    email: String,
    password: Option<String>,
    org_name: String,
    subdomain: String,
    country: String,
    studio: Option<String>,
    agency: Option<String>,
    developer: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{self, keys};
    use offplan::{
        db::unscoped::{NewSignup, SignupError},
        domain::{ClientType, ClientTypes, EmailAddress, Subdomain},
        error::FieldError,
    };
    let db = ssr::gate()?;
    let auth = ssr::auth()?;
    let info = ssr::request_site()?;
    if !info.is_central() {
        return Err(AppError::NotFound);
    }
    ssr::rate_limit(&db, &ssr::ip_bucket("signup"), auth.limits.signup_ip).await?;
    let session = ssr::session().await?;
    let google: Option<GoogleSignup> = session
        .get::<GoogleSignup>(keys::GOOGLE_SIGNUP)
        .await
        .map_err(ssr::internal)?
        .filter(|g| time::OffsetDateTime::now_utc().unix_timestamp() - g.at < 1800);

    let mut errors = Vec::new();
    let mut field = |f: &str, m: String| {
        errors.push(FieldError {
            field: f.to_owned(),
            message: m,
        })
    };
    // Bounded, printable text only (issue 10: no NUL or control
    // characters reach the database).
    let name = match offplan::domain::PersonName::parse(&name) {
        Ok(n) => String::from(n),
        Err(e) => {
            field("name", e.to_string());
            String::new()
        }
    };
    let email = match &google {
        Some(g) => EmailAddress::parse(&g.email).ok(),
        None => EmailAddress::parse(&email).ok(),
    };
    if email.is_none() {
        field(
            "email",
            "Enter an email address like name@example.com.".into(),
        );
    }
    let org_name = match offplan::domain::OrgName::parse(&org_name) {
        Ok(n) => String::from(n),
        Err(e) => {
            field("org_name", e.to_string());
            String::new()
        }
    };
    let sub = match Subdomain::parse(&subdomain) {
        Ok(s) => Some(s),
        Err(e) => {
            field("subdomain", e.to_string());
            None
        }
    };
    let country = country.trim().to_ascii_uppercase();
    if !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase())) {
        field("country", "Choose a country.".into());
    }
    let mut types = Vec::new();
    for (on, t) in [
        (studio, ClientType::Studio),
        (agency, ClientType::Agency),
        (developer, ClientType::Developer),
    ] {
        if on.is_some() {
            types.push(t);
        }
    }
    let client_types = ClientTypes::from_types(types).ok();
    if client_types.is_none() {
        field(
            "client_types",
            "Choose at least one: what does your organisation do?".into(),
        );
    }
    let new_password = match (&google, password.as_deref()) {
        (Some(_), _) => None,
        (None, pw) => match auth.breach.accept(pw.unwrap_or_default(), false).await {
            Ok(p) => Some(p),
            Err(e) => {
                field("password", e.to_string());
                None
            }
        },
    };
    let (Some(email), Some(sub), Some(client_types), true) =
        (email, sub, client_types, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let password_hash = match &new_password {
        Some(p) => Some(auth.hasher.hash(p).await.map_err(ssr::internal)?),
        None => None,
    };
    let signup = NewSignup {
        display_name: name,
        email,
        password_hash,
        google_subject: google.as_ref().map(|g| g.subject.clone()),
        email_verified: google.is_some(),
        org_name,
        subdomain: sub.clone(),
        country,
        client_types,
    };
    let taken = |e: SignupError| match e {
        SignupError::EmailTaken => AppError::invalid(
            "email",
            "An account with this email already exists. Sign in instead, or reset your password.",
        ),
        SignupError::SubdomainTaken => {
            AppError::invalid("subdomain", "This subdomain was just taken. Try another.")
        }
        SignupError::Database(e) => ssr::internal(e),
    };
    let meta = ssr::request_meta();
    if google.is_none() {
        // A password sign-up proves its address before anyone is signed in
        // (issue 10 item 2), and it answers "check your inbox" whether or
        // not the address already had an account (R3.7): the existing
        // account's owner is emailed instead.
        let verify = auth.email_link_central(&info, "/verify-email?token=");
        let sign_in = auth.email_link_central(&info, "/login");
        db.sign_up_with_password(
            &signup,
            &|t| format!("{verify}{}", t.expose()),
            &sign_in,
            &meta,
        )
        .await
        .map_err(taken)?;
        let url = info.central("/signup/sent");
        ssr::redirect_plain_form(&url);
        return Ok(url);
    }
    // Google vouched for the address: the account is verified and signs in
    // through the one door.
    let (user, _org) = db.sign_up(&signup, &meta).await.map_err(taken)?;
    let _ = session.remove_value(keys::GOOGLE_SIGNUP).await;
    let url = ssr::door::sign_in(
        &session,
        &db,
        &info,
        user,
        Some(info.org_url(sub.as_str(), "/?welcome=1")),
        &meta,
    )
    .await?
    .into_url();
    ssr::redirect_plain_form(&url);
    Ok(url)
}
