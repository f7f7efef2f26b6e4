//! `<org>/login`, `app/login` and the second step when TOTP is on (R3.5,
//! R3.6).

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::domain::Site;

use super::query;
use crate::{
    auth::{load_auth_options, Login, VerifySecondFactor},
    site::use_site,
    ui::{last_error, navigate_on_success, Field, FormError, Submit},
};

/// `<org>/login` (branded by the layout) and `app/login` (R3.5).
#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    navigate_on_success(action);
    let error = last_error(action);
    let next = query("next");
    let signed_out = query("signed_out");
    let google_error = query("error");
    let info = use_site();
    let org_name = match info.as_ref().map(|i| &i.site) {
        Some(Site::Org(brand)) => Some(brand.name.clone()),
        _ => None,
    };
    let heading = match &org_name {
        Some(name) => format!("Sign in to {name}"),
        None => "Sign in to offplan".to_owned(),
    };
    let options = Resource::new_blocking(|| (), |_| load_auth_options());
    let central = info
        .as_ref()
        .map(|i| i.central("/signup"))
        .unwrap_or_else(|| "/signup".into());
    let google_href = move || {
        let next = next.get().unwrap_or_default();
        format!("/auth/google/start?next={}", urlencode(&next))
    };
    view! {
        <Title text=crate::ui::html_text(heading.clone()) />
        <section class="auth-card" aria-labelledby="login-title">
            <h1 id="login-title">{heading}</h1>
            {move || match signed_out.get().as_deref() {
                Some("everywhere") => Some(view! {
                    <div class="alert alert--info" role="status">"You're signed out on every device."</div>
                }.into_any()),
                Some(_) => Some(view! {
                    <div class="alert alert--info" role="status">"You're signed out."</div>
                }.into_any()),
                None => None,
            }}
            {move || google_error.get().map(|e| view! {
                <div class="alert alert--error" role="alert">{google_message(&e)}</div>
            })}
            <FormError error />
            <ActionForm action attr:class="form" attr:novalidate="">
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
                <Field name="email" label="Email" error kind="email" autocomplete="username" autofocus=true />
                <Field name="password" label="Password" error kind="password" autocomplete="current-password" />
                <Submit pending=action.pending() label="Sign in" busy="Signing in…" />
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    options.await.ok().filter(|o| o.google).map(|_| view! {
                        <div class="divider"><span>"or"</span></div>
                        <a class="button button--outline button--block" href=google_href rel="external">"Continue with Google"</a>
                    })
                })}
            </Suspense>
            <p class="auth-card__links">
                <a href="/forgot">"Forgot your password?"</a>
                <span aria-hidden="true">" · "</span>
                <a href=central>"Create an organisation"</a>
            </p>
        </section>
    }
}

fn google_message(code: &str) -> &'static str {
    match code {
        "google_unverified" => "Google hasn't verified that email address, so we can't link it to an existing account. Sign in with your password instead.",
        "google_denied" => "Google sign-in was cancelled.",
        _ => "Google sign-in didn't complete. Please try again.",
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The second step when TOTP is on (R3.6).
#[component]
pub fn VerifyPage() -> impl IntoView {
    let action = ServerAction::<VerifySecondFactor>::new();
    navigate_on_success(action);
    let error = last_error(action);
    view! {
        <Title text="Two-step verification" />
        <section class="auth-card" aria-labelledby="verify-title">
            <h1 id="verify-title">"Two-step verification"</h1>
            <p class="lead">"Enter the 6-digit code from your authenticator app."</p>
            <FormError error />
            <ActionForm action attr:class="form" attr:novalidate="">
                <Field name="code" label="Code" error autocomplete="one-time-code" autofocus=true
                    hint="Lost your phone? Enter one of your recovery codes instead." />
                <Submit pending=action.pending() label="Verify" busy="Checking…" />
            </ActionForm>
            <p class="auth-card__links"><a href="/login">"Start again"</a></p>
        </section>
    }
}
