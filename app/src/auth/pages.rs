//! The identity pages. Each is complete HTML from the server and works as a
//! plain form before hydration; once hydrated, errors appear next to their
//! fields without a reload and buttons show when they are busy.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use offplan::domain::{Site, Subdomain};

use super::{
    forms::{last_error, navigate_on_success, Field, FormError, NewPasswordField, Submit},
    *,
};
use crate::site::{use_site, ErrorPage};

fn query(name: &'static str) -> Memo<Option<String>> {
    let q = use_query_map();
    Memo::new(move |_| q.read().get(name))
}

/// The header button that signs this browser out.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<Logout>::new();
    navigate_on_success(action);
    view! {
        <ActionForm action attr:class="inline-form">
            <button type="submit" class="button button--quiet">"Sign out"</button>
        </ActionForm>
    }
}

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
        <Title text=heading.clone() />
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

/// `app/orgs`: the organisation picker after a central sign-in (R3.5).
#[component]
pub fn OrgPickerPage() -> impl IntoView {
    let orgs = Resource::new_blocking(|| (), |_| my_orgs());
    view! {
        <Title text="Your organisations · offplan" />
        <section class="auth-card" aria-labelledby="orgs-title">
            <h1 id="orgs-title">"Choose an organisation"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match orgs.await {
                        Ok(list) if list.is_empty() => view! {
                            <p>"You're not a member of any organisation yet. Ask an admin to invite you, or "
                            <a href="/signup">"create one"</a>"."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="org-list">
                                {list.into_iter().map(|o| view! {
                                    <li><a class="org-list__item" href=o.url>
                                        <span class="org-list__name">{o.name}</span>
                                        <span class="tag">{o.role}</span>
                                    </a></li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(AppError::Unauthenticated) => view! { <SignInPrompt /> }.into_any(),
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn SignInPrompt() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(http::StatusCode::UNAUTHORIZED);
    view! {
        <p>"Please sign in to see this page."</p>
        <p><a class="button button--brand" href="/login">"Sign in"</a></p>
    }
}

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

/// `app/account/security`: second factor, password, and where you're
/// signed in (R3.4, R3.6, R3.8).
#[component]
pub fn AccountSecurityPage() -> impl IntoView {
    let overview = Resource::new_blocking(|| (), |_| load_account_overview());
    view! {
        <Title text="Security · offplan" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <SecurityPanels overview=o /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! {
                        <section class="auth-card"><h1>"Security"</h1><SignInPrompt /></section>
                    }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SecurityPanels(overview: AccountOverview) -> impl IntoView {
    let revoke = ServerAction::<RevokeSession>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    navigate_on_success(everywhere);
    let (revoked, set_revoked) = signal(Vec::<uuid::Uuid>::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            if let Some(input) = revoke.input().get() {
                set_revoked.update(|v| v.push(input.id));
            }
        }
    });
    let reenrol = overview.must_enrol_totp;
    let claimed = query("claimed");
    let verified_now = query("verified");
    view! {
        <div class="stack">
            <header>
                <h1>"Security"</h1>
                <p class="lead">{overview.name.clone()}" · "{overview.email.clone()}</p>
            </header>
            {move || claimed.get().is_some().then(|| view! {
                <div class="alert alert--info" role="status">
                    "You're signed in with Google. This address had an account that was never confirmed, so we removed the password and two-step verification someone had set on it and signed it out everywhere. Set your own below if you want them."
                </div>
            })}
            {move || verified_now.get().is_some().then(|| view! {
                <div class="alert alert--success" role="status">"Your email address is confirmed."</div>
            })}
            <EmailPanel verified=overview.email_verified />
            {reenrol.then(|| view! {
                <div class="alert alert--warning" role="alert">
                    "You signed in with a recovery code, so two-step verification was turned off. Set it up again now."
                </div>
            })}
            <TotpPanel enabled=overview.has_totp has_password=overview.has_password />
            <PasswordPanel has_totp=overview.has_totp />
            <section class="card" aria-labelledby="sessions-title">
                <h2 id="sessions-title">"Where you're signed in"</h2>
                <ul class="session-list">
                    {overview.sessions.into_iter().map(|s| {
                        let id = s.id;
                        let gone = move || revoked.get().contains(&id);
                        view! {
                            <li class="session-list__item" hidden=gone>
                                <div>
                                    <p class="session-list__device">{s.device.clone()}
                                        {s.current.then(|| view! { <span class="tag tag--brand">"This browser"</span> })}
                                    </p>
                                    <p class="muted">"Signed in "{s.signed_in.clone()}" · last active "{s.last_seen.clone()}" · "{s.ip.clone()}</p>
                                </div>
                                {(!s.current).then(|| view! {
                                    <ActionForm action=revoke attr:class="inline-form">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <button type="submit" class="button button--quiet">"Sign out"</button>
                                    </ActionForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <ActionForm action=everywhere attr:class="form">
                    <p class="muted">"Signs you out on every device and every organisation's address, including this one."</p>
                    <Submit pending=everywhere.pending() label="Sign out everywhere" busy="Signing out…" class="button button--danger" />
                </ActionForm>
            </section>
        </div>
    }
}

/// Whether the address is confirmed (R3.3), with a new link on request.
#[component]
fn EmailPanel(verified: bool) -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    let error = last_error(resend);
    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">"Email address"</h2>
            {if verified {
                view! { <p><span class="tag tag--ok">"Confirmed"</span>" We know this address is yours."</p> }.into_any()
            } else {
                view! {
                    <p><span class="tag">"Not confirmed"</span>" Confirm it so you can recover your account and link Google to it."</p>
                    {move || matches!(resend.value().get(), Some(Ok(()))).then(|| view! {
                        <div class="alert alert--success" role="status">"We've sent a new link. Check your inbox."</div>
                    })}
                    <FormError error />
                    <ActionForm action=resend attr:class="form">
                        <Submit pending=resend.pending() label="Send a confirmation link" busy="Sending…" class="button button--outline" />
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn TotpPanel(enabled: bool, has_password: bool) -> impl IntoView {
    let begin = ServerAction::<TotpBegin>::new();
    let confirm = ServerAction::<TotpConfirm>::new();
    let confirm_error = last_error(confirm);
    let begin_error = last_error(begin);
    view! {
        <section class="card" aria-labelledby="totp-title">
            <h2 id="totp-title">"Two-step verification"</h2>
            {move || {
                if let Some(Ok(codes)) = confirm.value().get() {
                    return view! {
                        <div class="alert alert--success" role="status">"Two-step verification is on."</div>
                        <p>"Save these recovery codes somewhere safe. Each signs you in once if you lose your phone. They won't be shown again."</p>
                        <ul class="recovery-codes" data-testid="recovery-codes">
                            {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                        </ul>
                    }.into_any();
                }
                match begin.value().get() {
                    Some(Ok(e)) => view! {
                        <ol class="steps">
                            <li>"Scan this code with an authenticator app."
                                <div class="qr" inner_html=e.qr_svg.clone()></div>
                            </li>
                            <li>"Or enter this key by hand: " <code class="secret" data-testid="totp-secret">{e.secret.clone()}</code></li>
                        </ol>
                        <FormError error=confirm_error />
                        <ActionForm action=confirm attr:class="form" attr:novalidate="">
                            <Field name="code" label="6-digit code from the app" error=confirm_error autocomplete="one-time-code" />
                            {enabled.then(|| view! {
                                <Field name="current"
                                    label=if has_password { "Your password, or a code from your current app" } else { "A code from your current app" }
                                    kind="password" error=confirm_error autocomplete="current-password"
                                    hint="Replacing your authenticator needs proof that it's you." />
                            })}
                            <Submit pending=confirm.pending() label="Turn on" busy="Checking…" />
                        </ActionForm>
                    }.into_any(),
                    _ => view! {
                        {if enabled {
                            view! { <p><span class="tag tag--ok">"On"</span>" Sign-ins ask for a code from your authenticator app."</p> }.into_any()
                        } else {
                            view! { <p>"Add a code from an authenticator app to every sign-in."</p> }.into_any()
                        }}
                        <FormError error=begin_error />
                        <ActionForm action=begin attr:class="form">
                            <Submit pending=begin.pending()
                                label=if enabled { "Set up a new authenticator" } else { "Set up two-step verification" }
                                busy="Preparing…" class="button button--outline" />
                        </ActionForm>
                    }.into_any(),
                }
            }}
        </section>
    }
}

#[component]
fn PasswordPanel(has_totp: bool) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = last_error(action);
    let min = if has_totp { 8 } else { 15 };
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            {move || matches!(action.value().get(), Some(Ok(()))).then(|| view! {
                <div class="alert alert--success" role="status">"Password changed. Your other devices were signed out."</div>
            })}
            <FormError error />
            <ActionForm action attr:class="form" attr:novalidate="">
                <Field name="current" label="Current password" error kind="password" autocomplete="current-password" required=false />
                <NewPasswordField error label="New password" min />
                <Submit pending=action.pending() label="Change password" busy="Saving…" class="button button--outline" />
            </ActionForm>
        </section>
    }
}

/// `/dev/outbox`: development only (R3.9's emails, for people and tests).
#[component]
pub fn DevOutboxPage() -> impl IntoView {
    let messages = Resource::new_blocking(|| (), |_| dev_outbox());
    view! {
        <Title text="Outbox (development)" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match messages.await {
                    Ok(list) => view! {
                        <h1>"Outbox"</h1>
                        <p class="muted">"Development only: emails the app queued, newest first."</p>
                        <ul class="outbox">
                            {list.into_iter().map(|m| view! {
                                <li class="card outbox__item" data-to=m.to.clone()>
                                    <p class="outbox__meta"><strong>{m.subject.clone()}</strong>" → "{m.to.clone()}" · "{m.queued.clone()}</p>
                                    <pre class="outbox__body">{m.body.clone()}</pre>
                                    {links(&m.body).into_iter().map(|l| view! {
                                        <a class="outbox__link" href=l.clone()>{l.clone()}</a>
                                    }).collect_view()}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::not_found::NotFound /> }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn links(body: &str) -> Vec<String> {
    body.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_owned)
        .collect()
}
