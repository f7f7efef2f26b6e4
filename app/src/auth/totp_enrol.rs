//! Setting up a second factor (R3.6): a new TOTP secret, shown once, then
//! confirmed with a code from the app, which answers the recovery codes.

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::totp;

/// A TOTP enrolment in progress: shown once, confirmed with a code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

#[server(endpoint = "auth/totp-begin")]
pub async fn totp_begin() -> Result<TotpEnrolment, AppError> {
    use crate::ssr::{self, keys};
    let user = ssr::require_user_even_if_reenrolling()?;
    let session = ssr::session().await?;
    let secret: [u8; 20] = rand::random();
    session
        .insert(keys::TOTP_ENROL, secret.to_vec())
        .await
        .map_err(ssr::internal)?;
    totp::enrolment(&secret, &user.email).map_err(ssr::internal)
}

/// Confirms the enrolment with a code from the new app; answers the ten
/// recovery codes, shown this once (R3.6). Replacing a second factor that
/// is on needs proof beyond the session (issue 10): the password, or a code
/// from the current app. Enrolling rotates the recovery codes and ends
/// every other session.
#[server(endpoint = "auth/totp-confirm")]
pub async fn totp_confirm(code: String, current: Option<String>) -> Result<Vec<String>, AppError> {
    use crate::ssr::{self, keys};
    let db = ssr::gate()?;
    let auth = ssr::auth()?;
    let user = ssr::require_user_even_if_reenrolling()?;
    let session = ssr::session().await?;
    let Some(secret) = session
        .get::<Vec<u8>>(keys::TOTP_ENROL)
        .await
        .map_err(ssr::internal)?
    else {
        return Err(AppError::invalid(
            "code",
            "Start the set-up again: the key expired.",
        ));
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let bucket = ssr::account_bucket("totp-enrol", user.id);
    ssr::rate_limit(&db, &bucket, auth.limits.login_account).await?;
    if let Some((sealed, _)) = db.totp_state(user.id).await? {
        let proof = current.unwrap_or_default();
        let proof = proof.trim();
        let by_code = totp::looks_like_totp(proof) && {
            let old = ssr::door::open_secret(&auth.totp_keys, user.id, &sealed)?;
            match totp::matching_step(&old, proof, now) {
                Some(step) => db.accept_totp_step(user.id, step).await?,
                None => false,
            }
        };
        let by_password = !by_code && !proof.is_empty() && proof.chars().count() <= 1024 && {
            let stored = db.password_hash_of(user.id).await?;
            stored.is_some() && auth.hasher.verify(proof, stored.as_deref()).await
        };
        if !(by_code || by_password) {
            return Err(AppError::invalid(
                "current",
                "Enter your password, or a code from the authenticator app you use now.",
            ));
        }
    }
    let Some(step) = totp::matching_step(&secret, &code, now) else {
        return Err(AppError::invalid(
            "code",
            "That code didn't match. Check the time on your phone and try the newest code.",
        ));
    };
    let (codes, hashes) = totp::recovery_codes();
    let sealed = auth.totp_keys.seal(user.id.as_uuid().as_bytes(), &secret);
    let meta = ssr::request_meta();
    db.enable_totp(user.id, &sealed, step, &hashes, &meta)
        .await?;
    let _ = session.remove_value(keys::TOTP_ENROL).await;
    let _ = db
        .rate_limit_forgive(&bucket, auth.limits.login_account.window_secs)
        .await;
    // Every session ended with the change; this browser carries on.
    ssr::door::renew(&session, &db, &user, &meta).await?;
    Ok(codes)
}
