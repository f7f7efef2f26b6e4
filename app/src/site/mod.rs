//! The site a request is for (SPEC R7.1) and the branded frame around every
//! page (R7.2).

pub mod info;

pub use info::{SiteInfo, Viewer};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use offplan::{domain::Site, AppError};

use crate::{
    not_found::NotFound,
    ui::{html_text, navigate_on_success, ErrorPage, Framed, SiteHeader},
};

/// Which site the Host header named, and who is signed in: read
/// synchronously from what the server's middleware resolved for this
/// request. The browser receives the same value inside the page (a
/// `SharedValue`), so the layout renders without suspending.
fn site_now() -> Result<SiteInfo, AppError> {
    #[cfg(feature = "ssr")]
    {
        let mut info = crate::ssr::request_site()?;
        info.viewer = crate::ssr::current_user().map(|u| Viewer {
            name: u.display_name,
            email: u.email,
            must_enrol_totp: u.totp_reenrol_required,
        });
        Ok(info)
    }
    #[cfg(not(feature = "ssr"))]
    {
        Err(AppError::Transport(
            "this page was not rendered by the server".into(),
        ))
    }
}

/// The resolved site, for components below the layout.
pub fn use_site() -> Option<SiteInfo> {
    use_context::<SiteInfo>()
}

/// Frames every page: brand colours and header for an organisation, the
/// platform's own for the central app, and a 404 for an unknown host.
///
/// The site is known synchronously (see [`site_now`]), so nothing here
/// suspends: the brand is in the first byte of HTML (R7.2), and the page
/// below (`<Outlet/>`) is not inside a `Suspense` — which would walk it, and
/// create its resources, more than once per server render.
#[component]
pub fn SiteLayout() -> impl IntoView {
    match SharedValue::new(site_now).into_inner() {
        Ok(info) => {
            provide_context(info.clone());
            match info.site.clone() {
                Site::Unknown => view! { <NotFound home=info.central_url /> }.into_any(),
                Site::Central => view! { <CentralFrame viewer=info.viewer.clone() /> }.into_any(),
                Site::Org(brand) => view! {
                    <BrandStyle colour=brand.colour.as_str().to_owned()
                        contrast=brand.colour.contrast_text() />
                    <OrgFrame name=brand.name.clone() viewer=info.viewer.clone()
                        account_url=info.central("/account/security") studio=brand.is_studio()
                        sells=brand.sells_units() />
                }
                .into_any(),
            }
        }
        Err(err) => {
            // No route renders below an error page; it is the whole view.
            crate::mark_hydrated_after_this_view();
            view! { <ErrorPage err /> }.into_any()
        }
    }
}

/// The organisation's colour as CSS custom properties. The colour was
/// validated as `#rrggbb`, so it cannot break out of the element; the nonce
/// lets the strict CSP allow it.
#[component]
fn BrandStyle(colour: String, contrast: &'static str) -> impl IntoView {
    let css = format!(":root{{--brand:{colour};--brand-contrast:{contrast}}}");
    view! { <style nonce=use_nonce()>{css}</style> }
}

#[component]
fn OrgFrame(
    name: String,
    viewer: Option<Viewer>,
    account_url: String,
    /// A Studio keeps clients (R1.3): its members get the "Clients" link.
    studio: bool,
    /// An agency or a developer records buyers (R1.9): "Buyers".
    sells: bool,
) -> impl IntoView {
    provide_context(Framed);
    let signed_in = viewer.is_some();
    view! {
        <Title text=html_text(name.clone()) />
        <a class="skip-link" href="#main">"Skip to content"</a>
        <SiteHeader name home="/" brand=true powered=true menu=signed_in>
            {signed_in.then(|| view! {
                <nav class="site-header__nav" aria-label="Organisation">
                    <a class="button button--quiet" href="/projects">"Projects"</a>
                    {studio.then(|| view! { <a class="button button--quiet" href="/clients">"Clients"</a> })}
                    {sells.then(|| view! { <a class="button button--quiet" href="/buyers">"Buyers"</a> })}
                    <a class="button button--quiet" href="/settings/team">"Team"</a>
                </nav>
            })}
            <AccountNav viewer account_url />
        </SiteHeader>
        <main id="main" class="page">
            <Outlet />
        </main>
    }
}

#[component]
fn CentralFrame(viewer: Option<Viewer>) -> impl IntoView {
    provide_context(Framed);
    let signed_in = viewer.is_some();
    view! {
        <Title text="offplan" />
        <a class="skip-link" href="#main">"Skip to content"</a>
        <SiteHeader name="offplan".to_owned() home="/" menu=signed_in>
            <AccountNav viewer account_url="/account/security".to_owned() />
        </SiteHeader>
        <main id="main" class="page">
            <Outlet />
        </main>
    }
}

/// Signed in: who, the account page and "Sign out" (a real form, so it
/// works before hydration). Signed out: "Sign in".
#[component]
fn AccountNav(viewer: Option<Viewer>, account_url: String) -> impl IntoView {
    match viewer {
        Some(v) => view! {
            <nav class="account-nav" aria-label="Account">
                <a class="account-nav__who" href=account_url title=v.email.clone()>{v.name.clone()}</a>
                <SignOutButton />
            </nav>
        }
        .into_any(),
        None => view! {
            <nav class="account-nav" aria-label="Account">
                <a class="button button--quiet" href="/login">"Sign in"</a>
            </nav>
        }
        .into_any(),
    }
}

/// The header button that signs this browser out.
#[component]
fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<crate::auth::Logout>::new();
    navigate_on_success(action);
    view! {
        <ActionForm action attr:class="inline-form">
            <button type="submit" class="button button--quiet">"Sign out"</button>
        </ActionForm>
    }
}
