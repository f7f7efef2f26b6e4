//! `/forgot` and `/reset?token=…`: a forgotten password (R3.9).

use leptos::prelude::*;
use leptos_meta::Title;

use super::query;
use crate::{
    auth::{reset_status, RequestReset, ResetPassword},
    ui::{last_error, navigate_on_success, ErrorPage, Field, FormError, NewPasswordField, Submit},
};

/// `/forgot`: ask for a reset link (R3.9).
#[component]
pub fn ForgotPage() -> impl IntoView {
    let action = ServerAction::<RequestReset>::new();
    let error = last_error(action);
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text="Reset your password" />
        <section class="auth-card" aria-labelledby="forgot-title">
            <h1 id="forgot-title">"Reset your password"</h1>
            <Show
                when=sent
                fallback=move || view! {
                    <p class="lead">"We'll email you a link to choose a new password. It works once, for an hour."</p>
                    <FormError error />
                    <ActionForm action attr:class="form" attr:novalidate="">
                        <Field name="email" label="Email" error kind="email" autocomplete="email" autofocus=true />
                        <Submit pending=action.pending() label="Email me a link" busy="Sending…" />
                    </ActionForm>
                }
            >
                <div class="alert alert--info" role="status">
                    "If an account uses that address, a reset link is on its way. Check your inbox."
                </div>
            </Show>
            <p class="auth-card__links"><a href="/login">"Back to sign in"</a></p>
        </section>
    }
}

/// `/reset?token=…`: choose a new password (R3.9).
#[component]
pub fn ResetPage() -> impl IntoView {
    let token = query("token");
    let status = Resource::new_blocking(
        move || token.get().unwrap_or_default(),
        |t| async move {
            if t.is_empty() {
                Ok(false)
            } else {
                reset_status(t).await
            }
        },
    );
    let action = ServerAction::<ResetPassword>::new();
    navigate_on_success(action);
    let error = last_error(action);
    view! {
        <Title text="Choose a new password" />
        <section class="auth-card" aria-labelledby="reset-title">
            <h1 id="reset-title">"Choose a new password"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(true) => view! {
                            <FormError error />
                            <ActionForm action attr:class="form" attr:novalidate="">
                                <input type="hidden" name="token" value=move || token.get().unwrap_or_default() />
                                <NewPasswordField error />
                                <Submit pending=action.pending() label="Save and sign in" busy="Saving…" />
                            </ActionForm>
                        }.into_any(),
                        Ok(false) => view! {
                            <div class="alert alert--info" role="status">
                                "This link has expired or was already used. Reset links work once, for an hour."
                            </div>
                            <p><a class="button button--brand" href="/forgot">"Ask for a new link"</a></p>
                        }.into_any(),
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
