//! `<org>/invite/<token>`: the invitation landing page (R5.4–R5.6). Each
//! state has its own calm page: valid, expired, revoked, already used,
//! declined, and "signed in as someone else" (both addresses shown).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use offplan::{domain::InvitationState, policy::Role, AppError};
use serde::{Deserialize, Serialize};

use crate::{
    auth::forms::{last_error, navigate_on_success, Field, FormError, NewPasswordField, Submit},
    site::ErrorPage,
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLanding {
    pub state: InvitationState,
    pub org_name: String,
    pub email: String,
    pub role: Role,
    pub inviter: String,
    pub expires: String,
    /// The signed-in person's address, if anyone is signed in.
    pub viewer: Option<String>,
    pub google: bool,
    /// A Google identity waiting to become an account (R5.6), by address.
    pub google_email: Option<String>,
}

/// Looks the token up; a malformed or unknown token is a 404. Every lookup
/// counts against the per-address limit, and failures feed the burst alert
/// (R5.5).
#[server(endpoint = "invite/load")]
pub async fn load_invitation(token: String) -> Result<InviteLanding, AppError> {
    use crate::ssr::{self, keys};
    // Everything read from the request context is read before the first
    // await: a page render may be superseded while this runs, and its
    // context goes with it.
    let req = TokenRequest::capture()?;
    let brand = ssr::org_brand()?;
    let viewer = ssr::current_user().map(|u| u.email);
    let session = ssr::session().await?;
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    let Some(inv) = req.db.invitation(&hash).await.map_err(ssr::internal)? else {
        return Err(req.miss().await);
    };
    // An invitation is read on its own organisation's address only.
    if brand.subdomain.as_str() != inv.subdomain {
        return Err(AppError::NotFound);
    }
    let google_email = session
        .get::<crate::auth::GoogleSignup>(keys::GOOGLE_SIGNUP)
        .await
        .ok()
        .flatten()
        .map(|g| g.email);
    Ok(InviteLanding {
        state: inv.state,
        org_name: inv.org_name,
        email: inv.email,
        role: inv.role,
        inviter: inv.inviter,
        expires: ssr::day(inv.expires_at),
        viewer,
        google: req.auth.google,
        google_email,
    })
}

/// A failed token lookup from this request's address, as captured before
/// any await ([`FailedLookup::capture`]), to be counted for the R5.5 burst
/// alert with [`FailedLookup::count`].
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct FailedLookup {
    /// `None` when the address is unknown: nothing to count against.
    bucket: Option<String>,
    meta: offplan::db::identity::RequestMeta,
    /// The organisation whose address the lookup came to, if any: its
    /// audit log gets the alert.
    org: Option<offplan::domain::OrgId>,
}

#[cfg(feature = "ssr")]
impl FailedLookup {
    /// Reads the client address, request metadata and this host's
    /// organisation from the request context (synchronously: call it before
    /// the first await of a server function).
    pub fn capture() -> Self {
        use crate::ssr;
        FailedLookup {
            bucket: ssr::client_ip().map(|_| ssr::ip_bucket("token-miss")),
            meta: ssr::request_meta(),
            org: ssr::org_brand().ok().map(|b| b.id),
        }
    }

    /// Counts the failure; past `burst.max` in `burst.window_secs` the
    /// alert fires once (warning log line, security event, and the audit
    /// event of the host's organisation when there is one). Never fails the
    /// request: a counting error is logged and the caller answers as it
    /// would have.
    pub async fn count(&self, db: &offplan::db::Db, burst: crate::ssr::Limit) {
        let Some(bucket) = &self.bucket else { return };
        if let Err(e) = db
            .note_token_miss(bucket, burst.max, burst.window_secs, &self.meta, self.org)
            .await
        {
            tracing::error!(error = %e, "could not count a failed token lookup");
        }
    }
}

/// R5.5 for every token path (invitations here; password reset and other
/// emailed links elsewhere): counts a failed token lookup from this
/// request's address towards the burst alert. On an organisation's host
/// the alert is also written to that organisation's audit log; elsewhere
/// (the central app's reset pages) it is a security event and a log line.
/// Reads the request context before its first await.
#[cfg(feature = "ssr")]
pub async fn count_failed_token_lookup(db: &offplan::db::Db, burst: crate::ssr::Limit) {
    FailedLookup::capture().count(db, burst).await
}

/// What a token lookup needs from the request, captured up front.
#[cfg(feature = "ssr")]
struct TokenRequest {
    db: offplan::db::Db,
    auth: crate::ssr::AuthServices,
    bucket: String,
    meta: offplan::db::identity::RequestMeta,
    failed: FailedLookup,
}

#[cfg(feature = "ssr")]
impl TokenRequest {
    fn capture() -> Result<Self, AppError> {
        use crate::ssr;
        Ok(TokenRequest {
            db: ssr::db()?,
            auth: ssr::auth()?,
            bucket: ssr::ip_bucket("token"),
            meta: ssr::request_meta(),
            failed: FailedLookup::capture(),
        })
    }

    async fn parse(&self, token: &str) -> Result<offplan::token::TokenHash, AppError> {
        match offplan::token::Token::parse(token) {
            Some(t) => Ok(t.hash()),
            None => Err(self.miss().await),
        }
    }

    /// A token that names nothing: a 404, counted for the burst alert (R5.5).
    async fn miss(&self) -> AppError {
        self.failed
            .count(&self.db, self.auth.limits.token_burst)
            .await;
        AppError::NotFound
    }
}

#[cfg(feature = "ssr")]
fn not_pending(state: InvitationState) -> AppError {
    AppError::Conflict {
        message: match state {
            InvitationState::Expired => "This invitation has expired.",
            InvitationState::Revoked => "This invitation was withdrawn.",
            InvitationState::Declined => "This invitation was declined.",
            _ => "This invitation has already been used.",
        }
        .into(),
    }
}

/// Accepts as the signed-in person; answers the organisation's home.
#[server(endpoint = "invite/accept")]
pub async fn accept_invite(token: String) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::db::invitations::AcceptOutcome;
    let req = TokenRequest::capture()?;
    let user = ssr::require_user()?;
    let info = ssr::request_site()?;
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    match req
        .db
        .accept_invitation(&hash, user.id, &req.meta)
        .await
        .map_err(ssr::internal)?
    {
        None => Err(req.miss().await),
        Some(AcceptOutcome::Joined { subdomain, .. }) => {
            let url = info.org_url(&subdomain, "/settings/team");
            ssr::redirect_plain_form(&url);
            Ok(url)
        }
        Some(AcceptOutcome::NotPending(state)) => Err(not_pending(state)),
        Some(AcceptOutcome::WrongAccount { invited }) => Err(AppError::Conflict {
            message: format!(
                "This invitation is for {invited}, but you're signed in as {}.",
                user.email
            ),
        }),
    }
}

/// Declines (consuming the invitation, R5.4).
#[server(endpoint = "invite/decline")]
pub async fn decline_invite(token: String) -> Result<(), AppError> {
    use crate::ssr;
    let req = TokenRequest::capture()?;
    let actor = ssr::current_user().map(|u| u.id);
    ssr::rate_limit(&req.db, &req.bucket, req.auth.limits.token_ip).await?;
    let hash = req.parse(&token).await?;
    match req
        .db
        .decline_invitation(&hash, actor, &req.meta)
        .await
        .map_err(ssr::internal)?
    {
        None => Err(req.miss().await),
        Some(InvitationState::Declined) => Ok(()),
        Some(other) => Err(not_pending(other)),
    }
}

/// Signed in as the wrong account (R5.6): sign out, come straight back.
#[server(endpoint = "invite/switch")]
pub async fn switch_account(token: String) -> Result<String, AppError> {
    use crate::ssr::{self, keys};
    // Only a well-formed token goes into the redirect: anything else (a
    // carriage return, 2 MB of text) names no invitation, and signing the
    // person out for it would help nobody.
    let token = offplan::token::Token::parse(&token).ok_or(AppError::NotFound)?;
    let db = ssr::db()?;
    if let Some(user) = ssr::current_user() {
        db.revoke_session(user.id, user.login_id)
            .await
            .map_err(ssr::internal)?;
    }
    let session = ssr::session().await?;
    let _ = session.remove_value(keys::LOGIN).await;
    session.flush().await.map_err(ssr::internal)?;
    let url = format!("/invite/{}", token.expose());
    ssr::redirect_plain_form(&url);
    Ok(url)
}

/// A new person signs up from the invitation (R5.6): with a password, or
/// with the Google identity this browser just brought back.
#[server(endpoint = "invite/signup")]
pub async fn invite_signup(
    token: String,
    name: String,
    password: Option<String>,
    google: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr::{self, keys};
    use offplan::db::invitations::{InviteeSignup, InviteeSignupError};
    let req = TokenRequest::capture()?;
    let info = ssr::request_site()?;
    let (db, auth) = (req.db.clone(), req.auth.clone());
    let signup_bucket = ssr::ip_bucket("signup");
    let session = ssr::session().await?;
    ssr::rate_limit(&db, &signup_bucket, auth.limits.signup_ip).await?;
    let hash = req.parse(&token).await?;
    let Some(inv) = db.invitation(&hash).await.map_err(ssr::internal)? else {
        return Err(req.miss().await);
    };
    let name = String::from(
        offplan::domain::PersonName::parse(&name)
            .map_err(|e| AppError::invalid("name", e.to_string()))?,
    );
    let google_identity = if google.is_some() {
        let g = session
            .get::<crate::auth::GoogleSignup>(keys::GOOGLE_SIGNUP)
            .await
            .map_err(ssr::internal)?
            .filter(|g| time::OffsetDateTime::now_utc().unix_timestamp() - g.at < 1800)
            .ok_or_else(|| AppError::invalid("form", "Continue with Google again, please."))?;
        if !g.email.eq_ignore_ascii_case(&inv.email) {
            return Err(AppError::invalid(
                "form",
                format!(
                    "Your Google account is {}, but this invitation is for {}.",
                    g.email, inv.email
                ),
            ));
        }
        Some(g)
    } else {
        None
    };
    let password_hash = match google_identity {
        Some(_) => None,
        None => {
            let pw = auth
                .breach
                .accept(password.as_deref().unwrap_or_default(), false)
                .await
                .map_err(|e| AppError::invalid("password", e.to_string()))?;
            Some(auth.hasher.hash(&pw).await.map_err(ssr::internal)?)
        }
    };
    let signup = InviteeSignup {
        display_name: name,
        password_hash,
        google_subject: google_identity.map(|g| g.subject),
    };
    let meta = req.meta.clone();
    let (user, subdomain) = match db.sign_up_from_invitation(&hash, &signup, &meta).await {
        Ok(Some(done)) => done,
        Ok(None) => return Err(req.miss().await),
        Err(InviteeSignupError::NotPending(state)) => return Err(not_pending(state)),
        Err(InviteeSignupError::EmailTaken) => {
            return Err(AppError::invalid(
                "form",
                "An account with this email already exists. Sign in to accept instead.",
            ))
        }
        Err(InviteeSignupError::Database(e)) => return Err(ssr::internal(e)),
    };
    let _ = session.remove_value(keys::GOOGLE_SIGNUP).await;
    // Through the one door (issue 10 item 1).
    let url = ssr::door::sign_in(
        &session,
        &db,
        &info,
        user,
        Some(info.org_url(&subdomain, "/settings/team")),
        &meta,
    )
    .await?
    .into_url();
    ssr::redirect_plain_form(&url);
    Ok(url)
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let landing = Resource::new_blocking(token, load_invitation);
    view! {
        <Title text="Invitation" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match landing.await {
                    Ok(l) => view! { <Landing l token=token() /> }.into_any(),
                    Err(AppError::NotFound) => view! { <Gone title="This invitation link isn't valid"
                        body="Check that you copied the whole link from the email. If it still doesn't work, ask the person who invited you to send a new one." status=404 /> }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Gone(
    title: &'static str,
    body: &'static str,
    #[prop(default = 200)] status: u16,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK));
    #[cfg(not(feature = "ssr"))]
    let _ = status;
    view! {
        <section class="auth-card" aria-labelledby="invite-title">
            <h1 id="invite-title">{title}</h1>
            <p>{body}</p>
            <p><a class="button button--outline" href="/">"Go to the home page"</a></p>
        </section>
    }
}

#[component]
fn Landing(l: InviteLanding, token: String) -> impl IntoView {
    match l.state {
        InvitationState::Expired => view! { <Gone title="This invitation has expired"
            body="Invitations are valid for 7 days. Ask the person who invited you to send a new one." /> }.into_any(),
        InvitationState::Revoked => view! { <Gone title="This invitation was withdrawn"
            body="The organisation withdrew it. If you think that's a mistake, contact the person who invited you." /> }.into_any(),
        InvitationState::Accepted => view! { <Gone title="This invitation has already been used"
            body="Each invitation link works once. If it was you, sign in to reach the organisation." /> }.into_any(),
        InvitationState::Declined => view! { <Gone title="This invitation was declined"
            body="Each invitation link works once. Ask for a new invitation if you change your mind." /> }.into_any(),
        InvitationState::Valid => view! { <ValidInvitation l token /> }.into_any(),
    }
}

#[component]
fn ValidInvitation(l: InviteLanding, token: String) -> impl IntoView {
    let decline = ServerAction::<DeclineInvite>::new();
    let decline_error = last_error(decline);
    let intro = view! {
        <h1 id="invite-title">{format!("Join {}", l.org_name)}</h1>
        <p class="lead">
            <strong>{l.inviter.clone()}</strong>" invited "<strong>{l.email.clone()}</strong>
            " to join "{l.org_name.clone()}" as "<strong>{l.role.label()}</strong>"."
        </p>
        <p class="muted">"Valid until "{l.expires.clone()}"."</p>
    };
    let matches = l.viewer.as_ref().map(|v| v.eq_ignore_ascii_case(&l.email));
    let body = match (matches, l.viewer.clone()) {
        (Some(true), _) => view! { <AcceptPanel token=token.clone() /> }.into_any(),
        (Some(false), Some(viewer)) => {
            view! { <WrongAccount viewer invited=l.email.clone() token=token.clone() /> }.into_any()
        }
        _ => view! { <NewPerson l=l.clone() token=token.clone() /> }.into_any(),
    };
    let declined = move || matches!(decline.value().get(), Some(Ok(())));
    view! {
        <section class="auth-card" aria-labelledby="invite-title">
            {move || declined().then(|| view! {
                <h1>"Invitation declined"</h1>
                <p role="status">"Thanks for letting us know. The link no longer works."</p>
            })}
            <div hidden=declined>
                {intro}
                {body}
                <FormError error=decline_error />
                <ActionForm action=decline attr:class="form form--quiet">
                    <input type="hidden" name="token" value=token.clone() />
                    <button type="submit" class="button button--quiet" disabled=move || decline.pending().get()>
                        {move || if decline.pending().get() { "Declining…" } else { "Decline invitation" }}
                    </button>
                </ActionForm>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn AcceptPanel(token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptInvite>::new();
    navigate_on_success(accept);
    let error = last_error(accept);
    view! {
        <FormError error />
        <ActionForm action=accept attr:class="form">
            <input type="hidden" name="token" value=token />
            <Submit pending=accept.pending() label="Accept invitation" busy="Joining…" />
        </ActionForm>
    }
}

#[component]
fn WrongAccount(viewer: String, invited: String, token: String) -> impl IntoView {
    let switch = ServerAction::<SwitchAccount>::new();
    navigate_on_success(switch);
    view! {
        <div class="alert alert--warning" role="alert">
            "You're signed in as "<strong>{viewer}</strong>", but this invitation is for "<strong>{invited.clone()}</strong>"."
        </div>
        <ActionForm action=switch attr:class="form">
            <input type="hidden" name="token" value=token />
            <Submit pending=switch.pending() label="Sign out and continue" busy="Signing out…" />
        </ActionForm>
    }
}

#[component]
fn NewPerson(l: InviteLanding, token: String) -> impl IntoView {
    let signup = ServerAction::<InviteSignup>::new();
    navigate_on_success(signup);
    let error = last_error(signup);
    let next = format!("/invite/{token}");
    let login = format!("/login?next={}", next.replace('/', "%2F"));
    let google_href = format!("/auth/google/start?next={}", next.replace('/', "%2F"));
    let google_ready = l
        .google_email
        .as_ref()
        .is_some_and(|g| g.eq_ignore_ascii_case(&l.email));
    view! {
        <p>"Already have an offplan account with "<strong>{l.email.clone()}</strong>"? "
            <a href=login>"Sign in to accept"</a>"."</p>
        <h2>"New to offplan? Create your account"</h2>
        <FormError error />
        <ActionForm action=signup attr:class="form">
            <input type="hidden" name="token" value=token.clone() />
            <Field name="email_shown" label="Email" error value=l.email.clone() readonly=true required=false />
            <Field name="name" label="Your name" error autocomplete="name" />
            {if google_ready {
                view! {
                    <input type="hidden" name="google" value="1" />
                    <p class="muted">"You'll sign in with your Google account."</p>
                }.into_any()
            } else {
                view! { <NewPasswordField error /> }.into_any()
            }}
            <Submit pending=signup.pending() label="Create account and join" busy="Creating your account…" />
        </ActionForm>
        {(l.google && !google_ready).then(|| view! {
            <p class="divider"><span>"or"</span></p>
            <a class="button button--outline button--block" href=google_href rel="external">"Continue with Google"</a>
        })}
    }
    .into_any()
}
