//! The forward invitation's landing page: one calm page per state; for a
//! valid one, whom it is for and how to accept (as one of your
//! organisations, as a new one, or by signing up).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use offplan::AppError;

use crate::{
    projects::partners::landing::{
        load_partner_invite, AcceptPartnerInvite, DeclinePartnerInvite, PartnerInviteSignup,
        PartnerLanding,
    },
    ui::{
        closed_invitation, last_error, navigate_on_success, ClosedTexts, ErrorPage, Field,
        FormError, InvalidInvitationLink, NewPasswordField, Submit, WrongAccount,
    },
};

#[component]
pub fn PartnerInvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let landing = Resource::new_blocking(token, load_partner_invite);
    view! {
        <Title text="Partner invitation" />
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
    expired: "Partner invitations are valid for 7 days. Ask the person who invited you to send a new one.",
    revoked: "The project's owner withdrew it. If you think that's a mistake, contact the person who invited you.",
    accepted: "Each invitation link works once. If it was you, sign in: the project is in your organisation's workspace.",
    declined: "Each invitation link works once. Ask for a new invitation if you change your mind.",
};

#[component]
fn Landing(l: PartnerLanding, token: String) -> impl IntoView {
    closed_invitation(l.state, &CLOSED).unwrap_or_else(|| view! { <Valid l token /> }.into_any())
}

#[component]
fn Valid(l: PartnerLanding, token: String) -> impl IntoView {
    let decline = ServerAction::<DeclinePartnerInvite>::new();
    let decline_error = last_error(decline);
    let whom = match (&l.partner_org_name, &l.email) {
        (Some(org), _) => org.clone(),
        (None, Some(email)) => email.clone(),
        (None, None) => "you".to_owned(),
    };
    let intro = view! {
        <h1 id="invite-title">{format!("Work on {}", l.project_name)}</h1>
        <p class="lead">
            <strong>{l.inviter.clone()}</strong>" of "{l.owner_name.clone()}" invited "<strong>{whom}</strong>
            " to work on "<strong>{l.project_name.clone()}</strong>" as "{article(&l.kind)}" "<strong>{l.kind_label.to_lowercase()}</strong>"."
        </p>
        <p class="muted">"Valid until "{l.expires.clone()}"."</p>
    };
    let body = match (&l.viewer, &l.email) {
        (Some(viewer), Some(invited)) if !viewer.eq_ignore_ascii_case(invited) => view! {
            <WrongAccount viewer=viewer.clone() invited=invited.clone() token=token.clone() landing="partner" />
        }
        .into_any(),
        (Some(_), _) => view! { <Choose l=l.clone() token=token.clone() /> }.into_any(),
        (None, Some(_)) => view! { <NewPerson l=l.clone() token=token.clone() /> }.into_any(),
        (None, None) => view! { <SignInFirst token=token.clone() org=l.partner_org_name.clone().unwrap_or_default() /> }.into_any(),
    };
    let declined = move || matches!(decline.value().get(), Some(Ok(())));
    view! {
        <section class="auth-card auth-card--wide" aria-labelledby="invite-title">
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
}

fn article(kind: &str) -> &'static str {
    if kind == "agency" {
        "an"
    } else {
        "a"
    }
}

fn login_href(token: &str) -> String {
    format!("/login?next=%2Fpartner-invite%2F{token}")
}

#[component]
fn SignInFirst(token: String, org: String) -> impl IntoView {
    view! {
        <p>{format!("Sign in as the Owner or an Admin of {org} to accept for it.")}</p>
        <p><a class="button button--brand" href=login_href(&token)>"Sign in to accept"</a></p>
    }
}

/// Signed in: pick one of your organisations, or create one (unless a
/// particular organisation was invited).
#[component]
fn Choose(l: PartnerLanding, token: String) -> impl IntoView {
    let accept = ServerAction::<AcceptPartnerInvite>::new();
    navigate_on_success(accept);
    let error = last_error(accept);
    let may_create = l.partner_org_name.is_none();
    let eligible: Vec<_> = l
        .choices
        .iter()
        .filter(|c| !c.already_partner)
        .cloned()
        .collect();
    let first = eligible
        .first()
        .map(|c| c.id.to_string())
        .unwrap_or_else(|| "new".to_owned());
    let org_error = error;
    let none_left = eligible.is_empty() && !may_create;
    view! {
        {none_left.then(|| view! {
            <div class="alert alert--warning" role="alert">
                "None of your organisations can accept this: you must be the Owner or an Admin of the invited organisation."
            </div>
        })}
        <FormError error />
        <ActionForm action=accept attr:class="form">
            <input type="hidden" name="token" value=token />
            <fieldset class="choices">
                <legend class="field__label">"Which organisation joins?"</legend>
                {eligible.into_iter().map(|c| {
                    let id = c.id.to_string();
                    let checked = id == first;
                    view! {
                        <label class="choice">
                            <input type="radio" name="org" value=id checked=checked />
                            <span><strong>{c.name}</strong><span class="muted">{format!(" — {}{}", c.subdomain, l.domain_suffix)}</span></span>
                        </label>
                    }
                }).collect_view()}
                {may_create.then(|| view! {
                    <label class="choice">
                        <input type="radio" name="org" value="new" checked=first == "new" />
                        <span>{format!("A new {} organisation", l.kind_label.to_lowercase())}</span>
                    </label>
                })}
            </fieldset>
            {may_create.then(|| view! {
                <p class="muted">"For a new organisation:"</p>
                <Field name="org_name" label="Organisation name" error=org_error required=false autocomplete="organization" />
                <Field name="subdomain" label="Its offplan address" error=org_error required=false autocomplete="off"
                    hint="Lower-case letters, digits and hyphens, such as northstar." />
            })}
            {(!none_left).then(|| view! {
                <Submit pending=accept.pending() label="Accept invitation" busy="Joining…" />
            })}
        </ActionForm>
    }
}

/// Not signed in, invited by email: sign in, or create the account and the
/// organisation in one go.
#[component]
fn NewPerson(l: PartnerLanding, token: String) -> impl IntoView {
    let signup = ServerAction::<PartnerInviteSignup>::new();
    navigate_on_success(signup);
    let error = last_error(signup);
    let email = l.email.clone().unwrap_or_default();
    let next = format!("/partner-invite/{token}").replace('/', "%2F");
    let google_href = format!("/auth/google/start?next={next}");
    let google_ready = l
        .google_email
        .as_ref()
        .is_some_and(|g| g.eq_ignore_ascii_case(&email));
    view! {
        <p>"Already have an offplan account with "<strong>{email.clone()}</strong>"? "
            <a href=login_href(&token)>"Sign in to accept"</a>"."</p>
        <h2>"New to offplan? Create your account and organisation"</h2>
        <FormError error />
        <ActionForm action=signup attr:class="form">
            <input type="hidden" name="token" value=token.clone() />
            <Field name="email_shown" label="Email" error value=email readonly=true required=false />
            <Field name="name" label="Your name" error autocomplete="name" />
            {if google_ready {
                view! {
                    <input type="hidden" name="google" value="1" />
                    <p class="muted">"You'll sign in with your Google account."</p>
                }.into_any()
            } else {
                view! { <NewPasswordField error /> }.into_any()
            }}
            <Field name="org_name" label="Organisation name" error autocomplete="organization" />
            <Field name="subdomain" label="Its offplan address" error autocomplete="off"
                hint="Lower-case letters, digits and hyphens, such as northstar." />
            <Submit pending=signup.pending() label="Create account and join" busy="Creating your account…" />
        </ActionForm>
        {(l.google && !google_ready).then(|| view! {
            <p class="divider"><span>"or"</span></p>
            <a class="button button--outline button--block" href=google_href rel="external">"Continue with Google"</a>
        })}
    }
}
