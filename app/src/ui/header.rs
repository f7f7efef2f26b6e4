//! The site header (the page's one `banner` landmark).

use leptos::prelude::*;

/// The banner: the site's name (a link home, or plain text where "home"
/// would mislead, as on a 404), an optional "on offplan", and the
/// navigation given as children.
///
/// With `menu`, the navigation sits inside a `<details>` disclosure: on a
/// narrow screen only a "Menu" button shows, which opens without script and
/// from the keyboard (Enter or Space on the `summary`); from 48rem up the
/// stylesheet hides the button and shows the navigation inline. Browsers
/// without `::details-content` keep the button at every width — still
/// usable, one click more.
#[component]
pub fn SiteHeader(
    name: String,
    /// Where the name links; `None` renders it as text.
    #[prop(optional, into)]
    home: Option<String>,
    /// The organisation's colours (`--brand`, `--brand-contrast`).
    #[prop(optional)]
    brand: bool,
    /// Show "on offplan" after the name (organisation sites).
    #[prop(optional)]
    powered: bool,
    /// Fold the navigation into a menu on narrow screens.
    #[prop(optional)]
    menu: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let name = match home {
        Some(href) => view! { <a class="site-header__name" href=href>{name}</a> }.into_any(),
        None => view! { <span class="site-header__name">{name}</span> }.into_any(),
    };
    let end = children.map(|children| {
        if menu {
            view! { <SiteMenu>{children()}</SiteMenu> }.into_any()
        } else {
            view! { <div class="site-header__end">{children()}</div> }.into_any()
        }
    });
    view! {
        <header class="site-header" class:site-header--brand=brand>
            {name}
            {powered.then(|| view! { <span class="site-header__powered">"on offplan"</span> })}
            {end}
        </header>
    }
}

/// The disclosure around the header's navigation. After hydration, following
/// a link inside it closes it (the router swaps the page, not the header).
#[component]
fn SiteMenu(children: Children) -> impl IntoView {
    let menu = NodeRef::<leptos::html::Details>::new();
    let close_on_link = move |ev: leptos::ev::MouseEvent| {
        let target = event_target::<leptos::web_sys::Element>(&ev);
        if matches!(target.closest("a"), Ok(Some(_))) {
            if let Some(details) = menu.get() {
                details.set_open(false);
            }
        }
    };
    view! {
        <details class="site-menu" node_ref=menu>
            <summary class="site-menu__toggle button button--quiet">"Menu"</summary>
            <div class="site-menu__panel site-header__end" on:click=close_on_link>{children()}</div>
        </details>
    }
}
