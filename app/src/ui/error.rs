//! What a page shows instead of itself: an error it could not handle in
//! place, or a prompt to sign in. Each sets the response status.

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::AppError;

use super::Standalone;

/// A calm page for an error we could not handle in place.
#[component]
pub fn ErrorPage(err: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(
        http::StatusCode::from_u16(err.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
    );
    // Inside the site frame it is the page's content; alone (the site is
    // not known), it brings its own header and `<main>`.
    view! {
        <Title text="Something went wrong" />
        <Standalone class="page--narrow">
            <h1>"Something went wrong"</h1>
            <p class="lead">{err.to_string()}</p>
            <p><a href="/">"Back to the home page"</a></p>
        </Standalone>
    }
}

/// A page that needs a signed-in person, shown to a signed-out one (401).
#[component]
pub fn SignInPrompt() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(http::StatusCode::UNAUTHORIZED);
    view! {
        <p>"Please sign in to see this page."</p>
        <p><a class="button button--brand" href="/login">"Sign in"</a></p>
    }
}

/// A link that no longer leads anywhere (an invitation expired, withdrawn,
/// used; a token that names nothing: 404): one calm card, its status set.
#[component]
pub fn LinkNotice(
    title: &'static str,
    body: &'static str,
    #[prop(default = 200)] status: u16,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK));
    #[cfg(not(feature = "ssr"))]
    let _ = status;
    view! {
        <section class="auth-card" aria-labelledby="invite-title">
            <h1 id="invite-title">{title}</h1>
            <p>{body}</p>
            <p><a class="button button--outline" href="/">"Go to the home page"</a></p>
        </section>
    }
}
