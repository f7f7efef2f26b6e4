//! `app/signup` (R3.1), where a password sign-up then waits for its
//! emailed link, and the page that link opens (R3.3).

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::domain::Subdomain;

use super::query;
use crate::{
    auth::{
        load_google_prefill, CheckSubdomain, GooglePrefill, Signup, SubdomainCheck, VerifyEmail,
    },
    site::use_site,
    ui::{last_error, navigate_on_success, Field, FormError, NewPasswordField, Submit},
};

/// `app/signup` (R3.1). On an organisation's subdomain it points to the
/// central app instead.
#[component]
pub fn SignupPage() -> impl IntoView {
    let info = use_site();
    if !info.as_ref().is_some_and(|i| i.is_central()) {
        let href = info
            .map(|i| i.central("/signup"))
            .unwrap_or_else(|| "/".into());
        return view! {
            <section class="auth-card">
                <h1>"Create an organisation"</h1>
                <p>"New organisations are created on the offplan app."</p>
                <p><a class="button button--brand" href=href>"Go to sign-up"</a></p>
            </section>
        }
        .into_any();
    }
    let base = info.map(|i| i.base_domain).unwrap_or_default();
    let prefill = Resource::new_blocking(|| (), |_| load_google_prefill());
    view! {
        <Title text="Create your organisation · offplan" />
        <Suspense fallback=|| ()>
            {move || {
                let base = base.clone();
                Suspend::new(async move {
                    let google = prefill.await.ok().flatten();
                    view! { <SignupForm base google /> }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn SignupForm(base: String, google: Option<GooglePrefill>) -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    navigate_on_success(action);
    let error = last_error(action);
    // The live check (R3.1): format and reserved names in the browser, then
    // "taken" from the server. An action, not a resource: it never suspends
    // the form.
    let check = ServerAction::<CheckSubdomain>::new();
    let (local, set_local) = signal(None::<SubdomainCheck>);
    let on_subdomain = Callback::new(move |v: String| {
        let candidate = v.trim().to_ascii_lowercase();
        if candidate.is_empty() {
            set_local.set(Some(SubdomainCheck::Invalid(String::new())));
        } else if let Err(e) = Subdomain::parse(&candidate) {
            set_local.set(Some(SubdomainCheck::Invalid(e.to_string())));
        } else {
            set_local.set(None);
            check.dispatch(CheckSubdomain {
                subdomain: candidate,
            });
        }
    });
    let availability = move || match local.get() {
        Some(SubdomainCheck::Invalid(m)) if m.is_empty() => None,
        Some(c) => Some(c),
        None => check.value().get().and_then(Result::ok),
    };
    let suffix = format!(".{base}");
    let with_google = google.is_some();
    let (name, email) = google.map(|g| (g.name, g.email)).unwrap_or_default();
    let types_error = move || {
        error
            .get()
            .and_then(|e| e.field_message("client_types").map(str::to_owned))
    };
    view! {
        <section class="auth-card auth-card--wide" aria-labelledby="signup-title">
            <h1 id="signup-title">"Create your organisation"</h1>
            <p class="lead">"You'll be its Owner, and it gets its own address on offplan."</p>
            <FormError error />
            <ActionForm action attr:class="form" attr:novalidate="">
                <fieldset class="form__group">
                    <legend>"You"</legend>
                    <Field name="name" label="Your name" error autocomplete="name" value=name autofocus=true />
                    <Field name="email" label="Email" error kind="email" autocomplete="email" value=email readonly=with_google
                        hint=if with_google { "From your Google account." } else { "We'll send sign-in and security emails here." } />
                    {(!with_google).then(|| view! { <NewPasswordField error /> })}
                </fieldset>
                <fieldset class="form__group">
                    <legend>"Your organisation"</legend>
                    <Field name="org_name" label="Organisation name" error autocomplete="organization" />
                    <div class="field-with-suffix">
                        <Field name="subdomain" label="Address" error autocomplete="off"
                            hint="Lower-case letters, digits and hyphens; 3 to 63 characters."
                            on_input=on_subdomain />
                        <span class="field-with-suffix__suffix" aria-hidden="true">{suffix}</span>
                    </div>
                    <p class="availability" aria-live="polite">
                        {move || availability().map(|check| match check {
                            SubdomainCheck::Available => view! { <span class="availability--ok">"✓ Available"</span> }.into_any(),
                            SubdomainCheck::Taken => view! { <span class="availability--bad">"Taken — try another"</span> }.into_any(),
                            SubdomainCheck::Invalid(m) => view! { <span class="availability--bad">{m}</span> }.into_any(),
                        })}
                    </p>
                    <div class="field">
                        <label class="field__label" for="field-country">"Country"</label>
                        <select class="field__input" id="field-country" name="country" required>
                            <option value="">"Choose…"</option>
                            {COUNTRIES.iter().map(|(code, name)| view! { <option value=*code>{*name}</option> }).collect_view()}
                        </select>
                        {move || error.get().and_then(|e| e.field_message("country").map(str::to_owned)).map(|m| view! {
                            <p class="field__error" role="alert">{m}</p>
                        })}
                    </div>
                    <fieldset class="choices" aria-describedby="types-hint">
                        <legend class="field__label">"What does your organisation do?"</legend>
                        <p class="field__hint" id="types-hint">"Choose all that apply."</p>
                        <label class="choice"><input type="checkbox" name="developer" value="on" />" Developer — we build projects"</label>
                        <label class="choice"><input type="checkbox" name="studio" value="on" />" 3D studio — we present them"</label>
                        <label class="choice"><input type="checkbox" name="agency" value="on" />" Agency — we sell units"</label>
                        {move || types_error().map(|m| view! { <p class="field__error" role="alert">{m}</p> })}
                    </fieldset>
                </fieldset>
                <Submit pending=action.pending() label="Create organisation" busy="Creating…" />
            </ActionForm>
            <p class="auth-card__links">"Already on offplan? " <a href="/login">"Sign in"</a></p>
        </section>
    }
}

const COUNTRIES: &[(&str, &str)] = &[
    ("AE", "United Arab Emirates"),
    ("AU", "Australia"),
    ("CA", "Canada"),
    ("CY", "Cyprus"),
    ("DE", "Germany"),
    ("ES", "Spain"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("GR", "Greece"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("PT", "Portugal"),
    ("SA", "Saudi Arabia"),
    ("TH", "Thailand"),
    ("TR", "Türkiye"),
    ("US", "United States"),
];

/// `app/signup/sent`: a password sign-up ends here, whether or not the
/// address already had an account (R3.7); the emailed link finishes it.
#[component]
pub fn SignupSentPage() -> impl IntoView {
    view! {
        <Title text="Check your inbox · offplan" />
        <section class="auth-card" aria-labelledby="sent-title">
            <h1 id="sent-title">"Check your inbox"</h1>
            <div class="alert alert--info" role="status">
                "We've emailed you a link to confirm your address and open your organisation. It works once, for 24 hours."
            </div>
            <p>"Nothing there after a few minutes? Check your spam folder. If you already had an account with that address, the email tells you how to sign in instead."</p>
            <p class="auth-card__links"><a href="/login">"Back to sign in"</a></p>
        </section>
    }
}

/// `app/verify-email?token=…`: a button confirms the address (the GET does
/// nothing, so a mail scanner that opens the link cannot use it up).
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = query("token");
    let action = ServerAction::<VerifyEmail>::new();
    navigate_on_success(action);
    let error = last_error(action);
    let gone = move || {
        error
            .get()
            .and_then(|e| e.field_message("token").map(str::to_owned))
    };
    view! {
        <Title text="Confirm your email · offplan" />
        <section class="auth-card" aria-labelledby="verify-email-title">
            <h1 id="verify-email-title">"Confirm your email"</h1>
            <Show
                when=move || gone().is_none()
                fallback=move || view! {
                    <div class="alert alert--info" role="status">{gone}</div>
                    <p><a class="button button--brand" href="/login">"Sign in"</a></p>
                }
            >
                <p class="lead">"One click and your address is confirmed."</p>
                <FormError error />
                <ActionForm action attr:class="form">
                    <input type="hidden" name="token" value=move || token.get().unwrap_or_default() />
                    <Submit pending=action.pending() label="Confirm my email" busy="Confirming…" />
                </ActionForm>
            </Show>
        </section>
    }
}
