//! `app/account/security`: the address, the second factor, the password
//! and where you're signed in (R3.3, R3.4, R3.6, R3.8).

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::AppError;

use super::query;
use crate::{
    auth::{
        load_account_overview, AccountOverview, ChangePassword, ResendVerification, RevokeSession,
        SignOutEverywhere, TotpBegin, TotpConfirm,
    },
    ui::{
        last_error, navigate_on_success, ErrorPage, Field, FormError, NewPasswordField,
        SignInPrompt, Submit,
    },
};

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
