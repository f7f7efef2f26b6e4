//! Google sign-in (SPEC R3.3): the authorization code flow with PKCE (S256)
//! through the `oauth2` crate, a signed and expiring `state` whose nonce is
//! also kept in this browser's session, and provider endpoints from
//! configuration. The callback always lands on the central app (one
//! registered redirect URI); the shared cookie carries the session there
//! from any subdomain.

use crate::{auth::state, config::GoogleConfig, startup::AppState};
use app::{
    auth::GoogleSignup,
    site::SiteInfo,
    ssr::{self as app_ssr, keys, RequestMeta},
};
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Extension,
};
use oauth2::{
    basic::BasicClient, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use offplan::db::identity::{GoogleIdentity, GoogleMatch};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use tower_sessions::Session;

/// How long a sign-in may take at the provider.
const FLOW_SECS: i64 = 600;

/// What this browser's session remembers while the person is at Google.
#[derive(Debug, Serialize, Deserialize)]
struct Flow {
    nonce: String,
    verifier: String,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn redirect_uri(info: &SiteInfo) -> String {
    info.central("/auth/google/callback")
}

/// One HTTP client for the token and userinfo calls (it holds the TLS
/// roots and a connection pool); redirects are never followed.
fn http() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default()
    })
}

type Client = oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn client(google: &GoogleConfig, redirect: &str) -> Result<Client, String> {
    Ok(BasicClient::new(ClientId::new(google.client_id.clone()))
        .set_client_secret(ClientSecret::new(google.client_secret.expose().to_owned()))
        .set_auth_uri(AuthUrl::new(google.auth_url.clone()).map_err(|e| e.to_string())?)
        .set_token_uri(TokenUrl::new(google.token_url.clone()).map_err(|e| e.to_string())?)
        .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).map_err(|e| e.to_string())?))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// A calm page for a sign-in we refuse (tampered or stale state).
fn refused(status: StatusCode, message: &str, login: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed · offplan</title>\
         <link rel=\"stylesheet\" href=\"/pkg/offplan.css\"></head><body><main id=\"main\" class=\"page page--narrow\">\
         <h1>We couldn't sign you in</h1><p class=\"lead\">{message}</p>\
         <p><a class=\"button button--brand\" href=\"{login}\">Back to sign in</a></p></main></body></html>"
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

fn meta(ip: Option<app_ssr::ClientIp>, headers: &http::HeaderMap) -> RequestMeta {
    RequestMeta {
        ip: ip.map(|app_ssr::ClientIp(ip)| ip.to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// `GET /auth/google/start?next=…`: off to the provider.
pub async fn start(
    State(app): State<AppState>,
    Extension(info): Extension<SiteInfo>,
    ip: Option<Extension<app_ssr::ClientIp>>,
    session: Session,
    Query(query): Query<StartQuery>,
) -> Response {
    let Some(google) = &app.config.google else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bucket = format!(
        "google:ip:{}",
        ip.map(|Extension(app_ssr::ClientIp(ip))| ip.to_string())
            .unwrap_or_default()
    );
    if let Ok(hits) = app.db.rate_limit_hit(&bucket, 300).await {
        if hits > app.config.login_limit_per_ip {
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
        app.config.session_secret.expose().as_bytes(),
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
    State(app): State<AppState>,
    Extension(info): Extension<SiteInfo>,
    ip: Option<Extension<app_ssr::ClientIp>>,
    headers: http::HeaderMap,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let login = info.central("/login");
    let Some(google) = &app.config.google else {
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
        app.config.session_secret.expose().as_bytes(),
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
            // is created without an organisation of its own.
            match flow.next.filter(|n| n.contains("/invite/")) {
                Some(invitation) => Redirect::to(&invitation).into_response(),
                None => Redirect::to(&info.central("/signup?google=1")).into_response(),
            }
        }
        GoogleMatch::UnverifiedEmail | GoogleMatch::User { .. } | GoogleMatch::Claimed { .. } => {
            Redirect::to(&format!("{login}?error=google_unverified")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use oauth2::{PkceCodeChallenge, PkceCodeVerifier};

    /// RFC 7636 Appendix B.
    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        let verifier =
            PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        assert_eq!(
            challenge.as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(challenge.method().as_str(), "S256");
    }
}
