//! Google sign-in (SPEC R3.3): the authorization code flow with PKCE (S256)
//! through the `oauth2` crate, a signed and expiring `state` whose nonce is
//! also kept in this browser's session, and provider endpoints from
//! configuration. The callback always lands on the central app (one
//! registered redirect URI); the shared cookie carries the session there
//! from any subdomain.
//!
//! One file per route (`start`, `callback`); here what both use: the
//! sub-state, the flow kept in the session, the provider client and the
//! page for a refused sign-in.

mod callback;
mod start;

pub use callback::{callback, CallbackQuery};
pub use start::{start, StartQuery};

use crate::config::{GoogleConfig, Secret};
use app::{
    site::SiteInfo,
    ssr::{self as app_ssr, RequestMeta},
};
use axum::{
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
};
use oauth2::{basic::BasicClient, AuthUrl, ClientId, ClientSecret, RedirectUrl, TokenUrl};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What the Google routes need: the provider's configuration (`None`: the
/// routes are 404), the key that signs `state`, the sign-in rate limit and
/// the repository.
#[derive(Clone)]
pub struct GoogleState {
    pub db: offplan::db::Gate,
    pub google: Option<GoogleConfig>,
    pub session_secret: Secret,
    pub login_limit_per_ip: i64,
}

/// How long a sign-in may take at the provider.
const FLOW_SECS: i64 = 600;

/// What this browser's session remembers while the person is at Google.
#[derive(Debug, Serialize, Deserialize)]
struct Flow {
    nonce: String,
    verifier: String,
    next: Option<String>,
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
         <link rel=\"stylesheet\" href=\"{css}\"></head><body><main id=\"main\" class=\"page page--narrow\">\
         <h1>We couldn't sign you in</h1><p class=\"lead\">{message}</p>\
         <p><a class=\"button button--brand\" href=\"{login}\">Back to sign in</a></p></main></body></html>",
        css = crate::assets::stylesheet_href()
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
