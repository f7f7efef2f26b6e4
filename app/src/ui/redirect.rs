//! A page that moved: a permanent redirect when rendered on the server, a
//! replacing navigation in the browser, and a link for anyone in between.

use leptos::prelude::*;

/// Sends the person on to `path`, the current address of what they asked
/// for (a renamed project's slug).
#[component]
pub fn MovedTo(path: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::redirect_permanent(&path);
    #[cfg(not(feature = "ssr"))]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let to = path.clone();
        request_animation_frame(move || {
            navigate(
                &to,
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            )
        });
    }
    view! {
        <p class="muted">"This page has moved to "<a href=path.clone()>{path.clone()}</a>"."</p>
    }
}
