//! Home pages: an organisation's branded home (SPEC R7.1, R7.2) — the
//! workspace for its signed-in members (`workspace.rs`), the public profile
//! for everyone else — and the central app's landing page.

mod workspace;

use leptos::prelude::*;
use offplan::{
    domain::{OrgProfile, Site},
    AppError,
};

use crate::{site::use_site, ui::ErrorPage};

/// The public profile of the organisation this host belongs to, read from
/// Postgres through the root crate.
#[server]
pub async fn load_org_profile() -> Result<OrgProfile, AppError> {
    use crate::ssr;
    let Site::Org(brand) = ssr::request_site()?.site else {
        return Err(AppError::NotFound);
    };
    ssr::gate()?
        .org_public_profile(&brand.subdomain)
        .await?
        .ok_or(AppError::NotFound)
}

#[component]
pub fn Home() -> impl IntoView {
    match use_site().map(|info| info.site) {
        Some(Site::Org(_)) => view! { <OrgHome /> }.into_any(),
        _ => view! { <CentralHome /> }.into_any(),
    }
}

/// A signed-in member gets the workspace; anyone else (signed out, or
/// signed in without a membership here) the public profile.
#[component]
fn OrgHome() -> impl IntoView {
    let signed_in = use_site().and_then(|info| info.viewer).is_some();
    if !signed_in {
        return view! { <OrgProfilePage /> }.into_any();
    }
    let projects = Resource::new_blocking(|| (), |_| crate::projects::load_projects());
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(view) => view! { <workspace::Workspace view /> }.into_any(),
                    // Not a member here: the public face, as for anyone.
                    Err(AppError::NotFound | AppError::Unauthenticated | AppError::Forbidden) => {
                        view! { <OrgProfilePage /> }.into_any()
                    }
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn OrgProfilePage() -> impl IntoView {
    let profile = Resource::new_blocking(|| (), |_| load_org_profile());
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! { <ProfileCard profile /> }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileCard(profile: OrgProfile) -> impl IntoView {
    // Works only once hydrated: the proof that the wasm is alive.
    let (open, set_open) = signal(false);
    let kinds = profile
        .client_types
        .iter()
        .map(|t| view! { <li class="tag">{t.label()}</li> })
        .collect_view();
    view! {
        <section class="hero" aria-labelledby="org-name">
            <h1 id="org-name" class="hero__title">{profile.name.clone()}</h1>
            {profile.tagline.clone().map(|t| view! { <p class="lead">{t}</p> })}
            <ul class="tags" aria-label="What we do">{kinds}</ul>
        </section>
        <section class="card">
            <button
                type="button"
                class="button button--brand"
                aria-expanded=move || open.get().to_string()
                aria-controls="org-details"
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                {move || if open.get() { "Hide details" } else { "Show details" }}
            </button>
            <dl id="org-details" class="details" hidden=move || !open.get()>
                <div>
                    <dt>"Country"</dt>
                    <dd>{profile.country.clone()}</dd>
                </div>
                <div>
                    <dt>"On offplan since"</dt>
                    <dd>{profile.since_year}</dd>
                </div>
            </dl>
        </section>
    }
}

#[component]
fn CentralHome() -> impl IntoView {
    let viewer = use_site().and_then(|info| info.viewer);
    view! {
        {match viewer {
            Some(v) => view! {
                <section class="card signed-in" aria-label="Your account">
                    <p>"Signed in as "<strong>{v.name}</strong>" ("{v.email}")"</p>
                    <p><a class="button button--brand" href="/orgs">"Go to your organisations"</a></p>
                </section>
            }.into_any(),
            None => view! {
                <section class="card signed-in" aria-label="Get started">
                    <p>
                        <a class="button button--brand" href="/signup">"Create your organisation"</a>
                        " "
                        <a class="button button--outline" href="/login">"Sign in"</a>
                    </p>
                </section>
            }.into_any(),
        }}
        <section class="hero">
            <h1 class="hero__title">"Sell off-plan, together"</h1>
            <p class="lead">
                "offplan is where property developers, 3D studios and sales agencies "
                "sell apartments in buildings that are not built yet — each on its own "
                "branded address."
            </p>
        </section>
        <ul class="grid grid--3" aria-label="Who offplan is for">
            <li class="card">
                <h2>"Developers"</h2>
                <p>"Own the stock of every project and decide who may sell it."</p>
            </li>
            <li class="card">
                <h2>"Studios"</h2>
                <p>"Present every unit in 3D to the buyers who matter."</p>
            </li>
            <li class="card">
                <h2>"Agencies"</h2>
                <p>"Reserve units for buyers without ever double-booking."</p>
            </li>
        </ul>
    }
}
