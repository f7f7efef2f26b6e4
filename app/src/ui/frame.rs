//! One banner and one `<main>` per page (axe `landmark-no-duplicate-main`,
//! `landmark-main-is-top-level`).

use leptos::prelude::*;

use super::SiteHeader;

/// Provided by the site frame (`OrgFrame`, `CentralFrame`), which already
/// renders the header and `<main>`: a page shown inside it must not add its
/// own.
#[derive(Clone, Copy, Debug)]
pub struct Framed;

/// A page that may be shown inside the site frame or as the whole document
/// (a 404 for an unknown host, the router's fallback, an error before the
/// site is known). Inside the frame it renders `children` as they are;
/// alone, it adds the skip link, a neutral header and the `<main>`.
#[component]
pub fn Standalone(
    /// Classes of the content: on `<main>` alone, on a `<section>` inside
    /// the frame.
    #[prop(into)]
    class: String,
    children: Children,
) -> impl IntoView {
    if use_context::<Framed>().is_some() {
        view! { <section class=class>{children()}</section> }.into_any()
    } else {
        view! {
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader name="offplan".to_owned() />
            <main id="main" class=format!("page {class}")>{children()}</main>
        }
        .into_any()
    }
}
