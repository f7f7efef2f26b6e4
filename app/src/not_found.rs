//! The 404 page: for a missing page, an unknown subdomain, or another
//! tenant's resource — all look the same (SPEC R2.5, R7.1). It is neutral:
//! no organisation's brand, so it says nothing about who exists.
//!
//! It is the whole document when the host is unknown or no route matched,
//! and the content of the site frame when a page inside it finds nothing:
//! either way there is one banner and one `<main>` ([`Standalone`]).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::Standalone;

/// `home` is where the button leads: this host's home page by default, the
/// central app when the host itself is unknown.
#[component]
pub fn NotFound(#[prop(into, default = "/".to_owned())] home: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(http::StatusCode::NOT_FOUND);
    // Not a lazy route: the router's fallback and the unknown host.
    crate::mark_hydrated_after_this_view();
    view! {
        <Title text="Page not found · offplan" />
        <Standalone class="page--narrow not-found">
            <p class="eyebrow">"404"</p>
            <h1>"We can't find that page"</h1>
            <p class="lead">
                "The address may be mistyped, or the page may have moved. "
                "If someone sent you this link, ask them for a new one."
            </p>
            <p><a class="button" href=home>"Go to the home page"</a></p>
        </Standalone>
    }
}
