//! The one door to a session (issue 10 item 1, SPEC R3.4, R3.6).
//!
//! Every way in — a password, Google, a finished sign-up, an invitation, a
//! password reset — ends in [`sign_in`], which reads the account's second
//! factor from the database *now* and, when there is one, stores a pending
//! sign-in instead of a session. The only other way to a session is
//! [`complete_second_factor`], which checks the code itself. The function
//! that actually creates a session, `establish`, is private to this module,
//! so no caller can skip the second factor, whatever it believes about the
//! account.

use offplan::{db::Gate, domain::UserId, AppError};
use tower_sessions::Session;

use super::totp;
use crate::site::SiteInfo;
use crate::ssr::{self, internal, keys, PendingSecondFactor, RequestMeta, SessionUser};

/// Where a sign-in goes next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Signed in; the URL of the landing page (R3.5).
    SignedIn(String),
    /// The account has a second factor: the URL of the code page.
    SecondFactorOwed(String),
}

impl Entry {
    pub fn url(&self) -> &str {
        match self {
            Entry::SignedIn(u) | Entry::SecondFactorOwed(u) => u,
        }
    }

    pub fn into_url(self) -> String {
        match self {
            Entry::SignedIn(u) | Entry::SecondFactorOwed(u) => u,
        }
    }
}

/// Signs `user` in after a first factor, or asks for the second one.
/// `landing` picks the page after the session starts (default: R3.5's).
pub async fn sign_in(
    session: &Session,
    db: &Gate,
    info: &SiteInfo,
    user: UserId,
    next: Option<String>,
    meta: &RequestMeta,
) -> Result<Entry, AppError> {
    let next = next.filter(|n| !n.is_empty());
    if db.totp_state(user).await?.is_some() {
        // A pending sign-in in a fresh session id: nothing of the first
        // factor's session survives into the second step.
        session.cycle_id().await.map_err(internal)?;
        session
            .insert(
                keys::PENDING,
                PendingSecondFactor {
                    user: user.as_uuid(),
                    next,
                    started: now(),
                },
            )
            .await
            .map_err(internal)?;
        // The code page on the host the person is on: a branded sign-in
        // stays branded (R3.5).
        let verify = match &info.site {
            offplan::domain::Site::Org(brand) => {
                info.org_url(brand.subdomain.as_str(), "/login/verify")
            }
            _ => info.central("/login/verify"),
        };
        return Ok(Entry::SecondFactorOwed(verify));
    }
    establish(session, db, user, meta).await?;
    Ok(Entry::SignedIn(
        ssr::landing_for(db, info, user, next.as_deref()).await?,
    ))
}

/// The refusal for a wrong or replayed code.
fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "That code didn't work. Codes change every 30 seconds and each works once.",
    )
}

/// The second step (R3.6): a six-digit code, or a recovery code (which
/// turns TOTP off and asks for a new enrolment). Answers the next URL.
pub async fn complete_second_factor(
    session: &Session,
    db: &Gate,
    info: &SiteInfo,
    code: &str,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let auth = ssr::auth()?;
    let pending: Option<PendingSecondFactor> =
        session.get(keys::PENDING).await.map_err(internal)?;
    let Some(pending) = pending.filter(|p| now() - p.started < 600) else {
        return Err(AppError::invalid(
            "code",
            "This sign-in has expired. Start again from the sign-in page.",
        ));
    };
    let user =
        UserId::parse(&pending.user.to_string()).ok_or_else(|| internal("bad pending user"))?;
    // Per account, keyed on its id (R3.7), charged before the code is
    // checked.
    let bucket = ssr::account_bucket("totp", user);
    ssr::rate_limit(db, &bucket, auth.limits.login_account).await?;
    let code = code.trim();
    if code.len() > 64 {
        return Err(wrong_code());
    }
    let by_totp = totp::looks_like_totp(code);
    let accepted = if by_totp {
        match db.totp_state(user).await? {
            Some((sealed, _)) => {
                let secret = open_secret(&auth.totp_keys, user, &sealed)?;
                if auth.totp_keys.needs_reseal(&sealed) {
                    let fresh = auth.totp_keys.seal(user.as_uuid().as_bytes(), &secret);
                    db.reseal_totp(user, &sealed, &fresh).await?;
                }
                match totp::matching_step(&secret, code, now()) {
                    Some(step) => db.accept_totp_step(user, step).await?,
                    None => false,
                }
            }
            None => false,
        }
    } else {
        db.use_recovery_code(user, &totp::recovery_hash(code), meta)
            .await?
    };
    if !accepted {
        let _ = db
            .record_security_event(
                Some(user),
                offplan::db::SecurityEvent::SecondFactorFailed,
                meta,
                serde_json::json!({}),
            )
            .await;
        return Err(wrong_code());
    }
    let _ = db
        .rate_limit_forgive(&bucket, auth.limits.login_account.window_secs)
        .await;
    establish(session, db, user, meta).await?;
    if by_totp {
        ssr::landing_for(db, info, user, pending.next.as_deref()).await
    } else {
        // R3.6: a recovery code signs in and forces re-enrolment.
        Ok(info.central("/account/security?reenrol=1"))
    }
}

/// Opens a stored TOTP secret; a value that does not open is an internal
/// error (a missing key or a tampered row), never a silent pass.
pub fn open_secret(
    keys: &offplan::secret_box::SecretBox,
    user: UserId,
    sealed: &[u8],
) -> Result<Vec<u8>, AppError> {
    keys.open(user.as_uuid().as_bytes(), sealed)
        .map_err(|e| internal(format!("TOTP secret of a user does not open: {e}")))
}

/// A fresh session for someone already signed in on this browser, after
/// their credentials changed (a new password or second factor ended every
/// session). Needs the request's live session user, so it cannot open a
/// session for anyone who has not passed through [`sign_in`].
pub async fn renew(
    session: &Session,
    db: &Gate,
    user: &SessionUser,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    establish(session, db, user.id, meta).await
}

/// Signs `user` in on this browser: a new session id (R3.4: rotated at
/// login) naming a new `user_sessions` row. Private: see the module docs.
async fn establish(
    session: &Session,
    db: &Gate,
    user: UserId,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    let _ = session.remove_value(keys::PENDING).await;
    let login = db.start_session(user, meta).await?;
    session.insert(keys::LOGIN, login).await.map_err(internal)?;
    Ok(())
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
