//! Sessions and the signed-in person (SPEC R3.4, R3.8).
//!
//! One cookie for every subdomain (`Domain=<base>`, HttpOnly, SameSite=Lax,
//! Secure over TLS) names a record in Postgres; the record names a
//! `user_sessions` row. Every request re-reads that row joined with the
//! user, so revocation, an epoch bump (sign out everywhere, password
//! change) or a disabled account takes effect on the next request on any
//! subdomain.

use crate::config::Config;
use app::{
    site::SiteInfo,
    ssr::{keys, CurrentUser},
};
use axum::{
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use offplan::db::{Db, Gate};
use tower_sessions::{
    cookie::{time::Duration as CookieDuration, SameSite},
    Expiry, Session, SessionManagerLayer,
};
use tower_sessions_sqlx_store::PostgresStore;
use uuid::Uuid;

/// The session cookie's name.
pub const COOKIE: &str = "offplan_session";

/// Builds the session layer from configuration (R3.4).
pub fn session_layer(db: &Db, config: &Config) -> SessionManagerLayer<PostgresStore> {
    SessionManagerLayer::new(db.session_store())
        .with_name(COOKIE)
        .with_domain(config.base_domain.as_str().to_owned())
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.public_scheme == "https")
        .with_expiry(Expiry::OnInactivity(CookieDuration::days(14)))
}

/// Resolves the signed-in person for this request and puts
/// [`CurrentUser`] in the extensions. A session whose sign-in was revoked is
/// forgotten (its record deleted, its cookie cleared).
pub async fn attach_user(
    State(db): State<Gate>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let login: Option<Uuid> = match session.get(keys::LOGIN).await {
        Ok(login) => login,
        Err(err) => {
            tracing::warn!(error = %err, "unreadable session record; starting afresh");
            let _ = session.flush().await;
            None
        }
    };
    let user = match login {
        None => None,
        Some(id) => match db.session_user(id).await {
            Ok(user) => user,
            Err(err) => {
                tracing::error!(error = %err, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "5")],
                    "offplan is briefly unavailable. Please try again in a moment.\n",
                )
                    .into_response();
            }
        },
    };
    if login.is_some() && user.is_none() {
        // Revoked, signed out everywhere, or disabled (R3.8).
        let _ = session.flush().await;
    }
    // R3.6: after a recovery-code sign-in, pages lead to re-enrolment.
    if user.as_ref().is_some_and(|u| u.totp_reenrol_required) {
        let path = request.uri().path();
        let page = request.method() == http::Method::GET
            && !path.starts_with("/api/")
            && !path.starts_with("/account/security")
            && !path.starts_with("/auth/");
        // The tenant middleware (outside this one) resolved the site, and
        // with it how to reach the central app from this host.
        if let (true, Some(info)) = (page, request.extensions().get::<SiteInfo>()) {
            return Redirect::to(&info.central("/account/security?reenrol=1")).into_response();
        }
    }
    request.extensions_mut().insert(CurrentUser(user));
    next.run(request).await
}

/// Signed, expiring OAuth `state` values (R3.3): `nonce.expiry.mac`, the MAC
/// an HMAC-SHA256 under the session secret. The nonce is also kept in the
/// browser's session, which binds the state to that browser.
pub mod state {
    use data_encoding::BASE64URL_NOPAD;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    #[derive(Debug, PartialEq, Eq, thiserror::Error)]
    pub enum StateError {
        #[error("malformed state")]
        Malformed,
        #[error("state signature does not match")]
        BadSignature,
        #[error("state expired")]
        Expired,
    }

    fn mac(secret: &[u8], message: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(message.as_bytes());
        mac
    }

    /// A state carrying `nonce`, valid until `expires` (Unix seconds).
    pub fn sign(secret: &[u8], nonce: &str, expires: i64) -> String {
        let message = format!("{nonce}.{expires}");
        let tag = BASE64URL_NOPAD.encode(&mac(secret, &message).finalize().into_bytes());
        format!("{message}.{tag}")
    }

    /// The nonce of a genuine, unexpired state.
    pub fn verify(secret: &[u8], state: &str, now: i64) -> Result<String, StateError> {
        let mut parts = state.rsplitn(2, '.');
        let (Some(tag), Some(message)) = (parts.next(), parts.next()) else {
            return Err(StateError::Malformed);
        };
        let tag = BASE64URL_NOPAD
            .decode(tag.as_bytes())
            .map_err(|_| StateError::Malformed)?;
        // `verify_slice` compares in constant time.
        mac(secret, message)
            .verify_slice(&tag)
            .map_err(|_| StateError::BadSignature)?;
        let (nonce, expires) = message.split_once('.').ok_or(StateError::Malformed)?;
        let expires: i64 = expires.parse().map_err(|_| StateError::Malformed)?;
        if now > expires {
            return Err(StateError::Expired);
        }
        Ok(nonce.to_owned())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

        #[test]
        fn a_signed_state_verifies_until_it_expires() {
            let s = sign(KEY, "n0nce", 1_000);
            assert_eq!(verify(KEY, &s, 999), Ok("n0nce".to_owned()));
            assert_eq!(verify(KEY, &s, 1_000), Ok("n0nce".to_owned()));
            assert_eq!(verify(KEY, &s, 1_001), Err(StateError::Expired));
        }

        #[test]
        fn any_tampering_is_refused() {
            let s = sign(KEY, "n0nce", 1_000);
            // Another nonce, a later expiry, another key, a cut tag.
            let other_nonce = s.replacen("n0nce", "n1nce", 1);
            let later = s.replacen("1000", "9000", 1);
            assert_eq!(verify(KEY, &other_nonce, 0), Err(StateError::BadSignature));
            assert_eq!(verify(KEY, &later, 0), Err(StateError::BadSignature));
            assert_eq!(
                verify(b"another key entirely, 32 bytes!!", &s, 0),
                Err(StateError::BadSignature)
            );
            assert!(verify(KEY, &s[..s.len() - 2], 0).is_err());
            assert_eq!(verify(KEY, "garbage", 0), Err(StateError::Malformed));
        }
    }
}
