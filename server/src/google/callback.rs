//! `GET /auth/google/callback`: the state checked against this browser's
//! session, the code exchanged, and the person signed in or sent on to
//! sign-up.

use super::{client, http, meta, now, redirect_uri, refused, Flow, GoogleState};
use crate::auth::state;
use app::{
    auth::GoogleSignup,
    site::SiteInfo,
    ssr::{self as app_ssr, keys},
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use oauth2::{AuthorizationCode, PkceCodeVerifier, TokenResponse};
use offplan::db::unscoped::{GoogleIdentity, GoogleMatch};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UserInfo {
    sub: String,
    email: Option<String>,
    #[serde(default)]
    email_verified: serde_json::Value,
    name: Option<String>,
}

/// `GET /auth/google/callback`: check the state, exchange the code with
/// the PKCE verifier, read who it is, and sign in (or on to sign-up).
pub async fn callback(
    State(app): State<GoogleState>,
    Extension(info): Extension<SiteInfo>,
    ip: Option<Extension<app_ssr::ClientIp>>,
    headers: http::HeaderMap,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let login = info.central("/login");
    let Some(google) = &app.google else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let meta = meta(ip.map(|Extension(ip)| ip), &headers);
    // The flow is single-use whatever happens next.
    let flow: Option<Flow> = session.remove(keys::GOOGLE_FLOW).await.ok().flatten();
    if query.error.is_some() {
        return Redirect::to(&format!("{login}?error=google_denied")).into_response();
    }
    let (Some(code), Some(returned_state)) = (query.code, query.state) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "The sign-in response was incomplete.",
            &login,
        );
    };
    let nonce = match state::verify(
        app.session_secret.expose().as_bytes(),
        &returned_state,
        now(),
    ) {
        Ok(n) => n,
        Err(err) => {
            tracing::warn!(error = %err, "Google callback with a bad state");
            let _ = app
                .db
                .record_security_event(
                    None,
                    offplan::db::SecurityEvent::OauthStateRejected,
                    &meta,
                    serde_json::json!({ "reason": err.to_string() }),
                )
                .await;
            return refused(
                StatusCode::BAD_REQUEST,
                "This sign-in link is invalid or has expired. Please start again.",
                &login,
            );
        }
    };
    // Bound to this browser: the nonce must be the one this session sent.
    let Some(flow) = flow.filter(|f| bool::from(f.nonce.as_bytes().ct_eq(nonce.as_bytes()))) else {
        tracing::warn!("Google callback for another browser's sign-in");
        return refused(
            StatusCode::BAD_REQUEST,
            "This sign-in was started in another browser or tab. Please start again.",
            &login,
        );
    };
    let client = match client(google, &redirect_uri(&info)) {
        Ok(c) => c,
        Err(err) => {
            tracing::error!(error = %err, "Google endpoints are misconfigured");
            return refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "Google sign-in is unavailable right now.",
                &login,
            );
        }
    };
    let http = http();
    let token = match client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier))
        .request_async(http)
        .await
    {
        Ok(t) => t,
        Err(err) => {
            tracing::warn!(error = %err, "Google code exchange refused");
            let _ = app
                .db
                .record_security_event(
                    None,
                    offplan::db::SecurityEvent::OauthExchangeFailed,
                    &meta,
                    serde_json::json!({}),
                )
                .await;
            return Redirect::to(&format!("{login}?error=google_failed")).into_response();
        }
    };
    let profile: UserInfo = match async {
        http.get(&google.userinfo_url)
            .bearer_auth(token.access_token().secret())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }
    .await
    {
        Ok(p) => p,
        Err(err) => {
            tracing::warn!(error = %err, "Google userinfo failed");
            return Redirect::to(&format!("{login}?error=google_failed")).into_response();
        }
    };
    let Some(email) = profile.email.filter(|e| !e.is_empty()) else {
        return Redirect::to(&format!("{login}?error=google_failed")).into_response();
    };
    let verified = matches!(&profile.email_verified, serde_json::Value::Bool(true))
        || matches!(&profile.email_verified, serde_json::Value::String(s) if s == "true");
    let identity = GoogleIdentity {
        subject: profile.sub,
        email,
        email_verified: verified,
        name: profile.name,
    };
    let found = match app.db.match_google(&identity, &meta).await {
        Ok(m) => m,
        Err(err) => {
            tracing::error!(error = %err, "Google account lookup failed");
            return refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "Google sign-in is unavailable right now.",
                &login,
            );
        }
    };
    // Every sign-in goes through the one door, which asks for the second
    // factor whenever the account has one (issue 10 item 1).
    let (user, claimed) = match found {
        GoogleMatch::User { id, .. } => (Some(id), false),
        GoogleMatch::Claimed { id } => (Some(id), true),
        _ => (None, false),
    };
    if let Some(id) = user {
        let next = if claimed {
            // Tell the person what happened to the account's old password.
            Some(info.central("/account/security?claimed=1"))
        } else {
            flow.next
        };
        return match app_ssr::door::sign_in(&session, &app.db, &info, id, next, &meta).await {
            Ok(entry) => Redirect::to(entry.url()).into_response(),
            Err(err) => {
                tracing::error!(error = %err, "could not start the session");
                refused(StatusCode::SERVICE_UNAVAILABLE, "Please try again.", &login)
            }
        };
    }
    match found {
        GoogleMatch::NoAccount => {
            let signup = GoogleSignup {
                subject: identity.subject,
                email: identity.email,
                name: identity.name,
                at: now(),
            };
            if !identity.email_verified {
                return Redirect::to(&format!("{login}?error=google_unverified")).into_response();
            }
            if session.insert(keys::GOOGLE_SIGNUP, signup).await.is_err() {
                return refused(StatusCode::SERVICE_UNAVAILABLE, "Please try again.", &login);
            }
            // From an invitation (R5.6): back to it, where the new account
            // is created (without an organisation of its own, or with the
            // partner organisation a forward invitation asks for).
            match flow
                .next
                .filter(|n| n.contains("/invite/") || n.contains("/partner-invite/"))
            {
                Some(invitation) => Redirect::to(&invitation).into_response(),
                None => Redirect::to(&info.central("/signup?google=1")).into_response(),
            }
        }
        GoogleMatch::UnverifiedEmail | GoogleMatch::User { .. } | GoogleMatch::Claimed { .. } => {
            Redirect::to(&format!("{login}?error=google_unverified")).into_response()
        }
    }
}
