//! Proving an address (R3.3): the emailed link's button, and a new link on
//! request from the Security page.

use leptos::prelude::*;
use offplan::AppError;

/// Opens an emailed verification link (a button press, not the GET: mail
/// scanners that fetch links must not use them up). A sign-up's link signs
/// the new person in through the one door; a later one only verifies.
#[server(endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::db::unscoped::Purpose;
    let db = ssr::gate()?;
    let auth = ssr::auth()?;
    let info = ssr::request_site()?;
    ssr::rate_limit(&db, &ssr::ip_bucket("token"), auth.limits.token_ip).await?;
    let meta = ssr::request_meta();
    let gone = || {
        AppError::invalid(
            "token",
            "This link has expired or was already used. Sign in, and ask for a new one on your Security page.",
        )
    };
    let Some(token) = offplan::token::Token::parse(&token) else {
        return Err(gone());
    };
    let Some(done) = db.verify_email(&token.hash(), &meta).await? else {
        return Err(gone());
    };
    let signed_in_as = ssr::current_user().map(|u| u.id);
    let url = if signed_in_as == Some(done.user) {
        info.central("/account/security?verified=1")
    } else if done.purpose == Purpose::Signup {
        // A new person lands on the organisation they just created.
        let orgs = db.memberships_of(done.user).await?;
        let welcome = match orgs.as_slice() {
            [only] => Some(info.org_url(&only.subdomain, "/?welcome=1")),
            _ => None,
        };
        let session = ssr::session().await?;
        ssr::door::sign_in(&session, &db, &info, done.user, welcome, &meta)
            .await?
            .into_url()
    } else {
        info.central("/login?verified=1")
    };
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// Sends a new verification link to the signed-in person's address.
#[server(endpoint = "auth/resend-verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::ssr;
    let db = ssr::gate()?;
    let auth = ssr::auth()?;
    let info = ssr::request_site()?;
    let user = ssr::require_user_even_if_reenrolling()?;
    ssr::rate_limit(
        &db,
        &ssr::account_bucket("verify-mail", user.id),
        auth.limits.reset_account,
    )
    .await?;
    let verify = auth.email_link_central(&info, "/verify-email?token=");
    db.send_email_verification(
        user.id,
        &|t| format!("{verify}{}", t.expose()),
        &ssr::request_meta(),
    )
    .await?;
    Ok(())
}
