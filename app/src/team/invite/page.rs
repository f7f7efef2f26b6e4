//! The invitation landing page's components: one calm page per state.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use offplan::AppError;

use super::{load_invitation, AcceptInvite, DeclineInvite, InviteLanding, InviteSignup};
use crate::ui::{
    closed_invitation, last_error, navigate_on_success, ClosedTexts, ErrorPage, Field, FormError,
    InvalidInvitationLink, NewPasswordField, Submit, WrongAccount,
};

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
                    Err(AppError::NotFound) => view! { <InvalidInvitationLink
                        body="Check that you copied the whole link from the email. If it still doesn't work, ask the person who invited you to send a new one." /> }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

const CLOSED: ClosedTexts = ClosedTexts {
    expired: "Invitations are valid for 7 days. Ask the person who invited you to send a new one.",
    revoked: "The organisation withdrew it. If you think that's a mistake, contact the person who invited you.",
    accepted: "Each invitation link works once. If it was you, sign in to reach the organisation.",
    declined: "Each invitation link works once. Ask for a new invitation if you change your mind.",
};

#[component]
fn Landing(l: InviteLanding, token: String) -> impl IntoView {
    closed_invitation(l.state, &CLOSED)
        .unwrap_or_else(|| view! { <ValidInvitation l token /> }.into_any())
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
            view! { <WrongAccount viewer invited=l.email.clone() token=token.clone() landing="" /> }
                .into_any()
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
