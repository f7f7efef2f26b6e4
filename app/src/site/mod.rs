//! The site a request is for (SPEC R7.1) and the branded frame around every
//! page (R7.2).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use offplan::{domain::Site, AppError};
use serde::{Deserialize, Serialize};

use crate::not_found::NotFound;

/// What the tenant middleware resolved for this request: which site the
/// Host header named, and where the central app is (for links off an
/// unknown host).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub site: Site,
    pub central_url: String,
}

/// Which site the Host header named: the central app, an organisation, or
/// nobody. Resolved once per request by the server's tenant middleware.
#[server]
pub async fn current_site() -> Result<SiteInfo, AppError> {
    crate::ssr::request_site()
}

/// The resolved site, for components below the layout.
pub fn use_site() -> Option<SiteInfo> {
    use_context::<SiteInfo>()
}

/// Frames every page: brand colours and header for an organisation, the
/// platform's own for the central app, and a 404 for an unknown host.
#[component]
pub fn SiteLayout() -> impl IntoView {
    // Blocking: the brand is part of the first byte of HTML, so there is no
    // flash of unbranded content (R7.2).
    let site = Resource::new_blocking(|| (), |_| current_site());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(info) => {
                        provide_context(info.clone());
                        match info.site {
                            Site::Unknown => {
                                view! { <NotFound home=info.central_url /> }.into_any()
                            }
                            Site::Central => view! { <CentralFrame /> }.into_any(),
                            Site::Org(brand) => {
                                view! {
                                    <BrandStyle colour=brand.colour.as_str().to_owned()
                                        contrast=brand.colour.contrast_text() />
                                    <OrgFrame name=brand.name.clone() />
                                }
                                    .into_any()
                            }
                        }
                    }
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
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
fn OrgFrame(name: String) -> impl IntoView {
    view! {
        <Title text=name.clone() />
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header site-header--brand">
            <a class="site-header__name" href="/">{name}</a>
            <span class="site-header__powered">"on offplan"</span>
        </header>
        <main id="main" class="page">
            <Outlet />
        </main>
    }
}

#[component]
fn CentralFrame() -> impl IntoView {
    view! {
        <Title text="offplan" />
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a class="site-header__name" href="/">"offplan"</a>
        </header>
        <main id="main" class="page">
            <Outlet />
        </main>
    }
}

/// A calm page for an error we could not handle in place.
#[component]
pub fn ErrorPage(err: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(
        http::StatusCode::from_u16(err.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
    );
    view! {
        <Title text="Something went wrong" />
        <main id="main" class="page page--narrow">
            <h1>"Something went wrong"</h1>
            <p class="lead">{err.to_string()}</p>
            <p><a href="/">"Back to the home page"</a></p>
        </main>
    }
}
