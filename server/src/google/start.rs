//! `GET /auth/google/start`: a signed state, a PKCE challenge, and off to
//! the provider.

use super::{client, now, redirect_uri, refused, Flow, GoogleState, FLOW_SECS};
use crate::auth::state;
use app::{
    site::SiteInfo,
    ssr::{self as app_ssr, keys},
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use oauth2::{CsrfToken, PkceCodeChallenge, Scope};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// `GET /auth/google/start?next=…`: off to the provider.
pub async fn start(
    State(app): State<GoogleState>,
    Extension(info): Extension<SiteInfo>,
    ip: Option<Extension<app_ssr::ClientIp>>,
    session: Session,
    Query(query): Query<StartQuery>,
) -> Response {
    let Some(google) = &app.google else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bucket = format!(
        "google:ip:{}",
        ip.map(|Extension(app_ssr::ClientIp(ip))| ip.to_string())
            .unwrap_or_default()
    );
    if let Ok(hits) = app.db.rate_limit_hit(&bucket, 300).await {
        if hits > app.login_limit_per_ip {
            return refused(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts. Please wait a few minutes.",
                "/login",
            );
        }
    }
    let client = match client(google, &redirect_uri(&info)) {
        Ok(c) => c,
        Err(err) => {
            tracing::error!(error = %err, "Google endpoints are misconfigured");
            return refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "Google sign-in is unavailable right now.",
                "/login",
            );
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce_bytes: [u8; 16] = rand::random();
    let nonce = data_encoding::BASE64URL_NOPAD.encode(&nonce_bytes);
    let signed = state::sign(
        app.session_secret.expose().as_bytes(),
        &nonce,
        now() + FLOW_SECS,
    );
    let flow = Flow {
        nonce,
        verifier: verifier.secret().to_owned(),
        next: query
            .next
            .filter(|n| !n.is_empty())
            .and_then(|n| info.safe_next(&n))
            .map(|n| {
                // A path is relative to where the person started.
                if n.starts_with('/') {
                    match &info.site {
                        offplan::domain::Site::Org(b) => info.org_url(b.subdomain.as_str(), &n),
                        _ => info.central(&n),
                    }
                } else {
                    n
                }
            }),
    };
    if let Err(err) = session.insert(keys::GOOGLE_FLOW, &flow).await {
        tracing::error!(error = %err, "could not store the Google flow");
        return refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "Google sign-in is unavailable right now.",
            "/login",
        );
    }
    let (url, _) = client
        .authorize_url(|| CsrfToken::new(signed))
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    Redirect::to(url.as_str()).into_response()
}
