//! `<studio>.<base>/client-invite/<token>`: the reverse invitation's landing
//! page (R5.3, R5.4, R5.6). One calm page per state — valid, expired,
//! withdrawn, already used, declined, not found (404) — and, for a valid
//! one: accept (signed in with the invited address), sign out and come
//! back (signed in as someone else), or create an account with a password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use offplan::AppError;

use super::{
    load_client_invite, AcceptClientInvite, ClientInviteLanding, ClientInviteSignup,
    DeclineClientInvite,
};
use crate::ui::{
    closed_invitation, last_error, navigate_on_success, ClosedTexts, ErrorPage, Field, FormError,
    InvalidInvitationLink, NewPasswordField, Submit, WrongAccount,
};

#[component]
pub fn ClientInvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let landing = Resource::new_blocking(token, load_client_invite);
    view! {
        <Title text="Invitation to offplan" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match landing.await {
                    Ok(l) => view! { <Landing l token=token() /> }.into_any(),
                    Err(AppError::NotFound) => view! { <InvalidInvitationLink
                        body="Check that you copied the whole link from the email. If it still doesn't work, ask the studio that invited you to send a new one." /> }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

const CLOSED: ClosedTexts = ClosedTexts {
    expired: "Invitations to offplan are valid for 30 days. Ask the studio that invited you to send a new one.",
    revoked: "The studio withdrew it. If you think that's a mistake, contact the person who invited you.",
    accepted: "Each invitation link works once. If it was you, sign in to reach your workspace.",
    declined: "Each invitation link works once. Ask the studio for a new invitation if you change your mind.",
};

#[component]
fn Landing(l: ClientInviteLanding, token: String) -> impl IntoView {
    closed_invitation(l.state, &CLOSED).unwrap_or_else(|| view! { <Valid l token /> }.into_any())
}

#[component]
fn Valid(l: ClientInviteLanding, token: String) -> impl IntoView {
    let decline = ServerAction::<DeclineClientInvite>::new();
    let decline_error = last_error(decline);
    let intro = view! {
        <h1 id="invite-title">{format!("Follow your projects with {}", l.studio_name)}</h1>
        <p class="lead">
            <strong>{l.inviter.clone()}</strong>" of "{l.studio_name.clone()}" invited "
            <strong>{l.email.clone()}</strong>", as the contact at "<strong>{l.client_name.clone()}</strong>
            ", to offplan."
        </p>
        <p>{format!(
            "Accepting creates a free guest workspace for {} in which you see the projects {} runs for you (read-only).",
            l.client_name, l.studio_name
        )}</p>
        <p class="muted">"Valid until "{l.expires.clone()}"."</p>
    };
    let matches = l.viewer.as_ref().map(|v| v.eq_ignore_ascii_case(&l.email));
    let body = match (matches, l.viewer.clone()) {
        (Some(true), _) => view! { <Accept token=token.clone() /> }.into_any(),
        (Some(false), Some(viewer)) => {
            view! { <WrongAccount viewer invited=l.email.clone() token=token.clone() landing="client" /> }.into_any()
        }
        _ => view! { <NewPerson email=l.email.clone() token=token.clone() /> }.into_any(),
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
fn Accept(token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptClientInvite>::new();
    navigate_on_success(accept);
    let error = last_error(accept);
    view! {
        <FormError error />
        <ActionForm action=accept attr:class="form">
            <input type="hidden" name="token" value=token />
            <Submit pending=accept.pending() label="Accept and create my workspace" busy="Creating your workspace…" />
        </ActionForm>
    }
}

#[component]
fn NewPerson(email: String, token: String) -> impl IntoView {
    let signup = ServerAction::<ClientInviteSignup>::new();
    navigate_on_success(signup);
    let error = last_error(signup);
    let next = format!("/client-invite/{token}");
    let login = format!("/login?next={}", next.replace('/', "%2F"));
    view! {
        <p>"Already have an offplan account with "<strong>{email.clone()}</strong>"? "
            <a href=login>"Sign in to accept"</a>"."</p>
        <h2>"New to offplan? Create your account"</h2>
        <FormError error />
        <ActionForm action=signup attr:class="form">
            <input type="hidden" name="token" value=token />
            <Field name="email_shown" label="Email" error value=email readonly=true required=false />
            <Field name="name" label="Your name" error autocomplete="name" />
            <NewPasswordField error />
            <Submit pending=signup.pending() label="Create account and workspace" busy="Creating your account…" />
        </ActionForm>
    }
    .into_any()
}
