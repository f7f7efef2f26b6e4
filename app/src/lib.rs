//! Pages, components and server functions. Everything renders on the server
//! and hydrates in the browser; server-only code sits behind `ssr`.

pub mod audit;
pub mod auth;
pub mod home;
pub mod not_found;
pub mod site;
pub mod team;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    ParamSegment, SsrMode, StaticSegment,
};

use crate::{home::Home, not_found::NotFound, site::SiteLayout};

/// The HTML document. Runs on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Browser tests wait for this marker before clicking: a click that lands
    // before hydration is silently lost. Effects never run on the server.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/offplan.css" />
        <Title text="offplan" />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                // Async: the whole page, brand included, is in the server
                // HTML, so it reads the same with JavaScript off (R7.2).
                <ParentRoute path=StaticSegment("") view=SiteLayout ssr=SsrMode::Async>
                    <Route path=StaticSegment("") view=Home />
                    <Route path=StaticSegment("login") view=auth::LoginPage />
                    <Route path=(StaticSegment("login"), StaticSegment("verify")) view=auth::VerifyPage />
                    <Route path=StaticSegment("signup") view=auth::SignupPage />
                    <Route path=(StaticSegment("signup"), StaticSegment("sent")) view=auth::SignupSentPage />
                    <Route path=StaticSegment("verify-email") view=auth::VerifyEmailPage />
                    <Route path=StaticSegment("orgs") view=auth::OrgPickerPage />
                    <Route path=StaticSegment("forgot") view=auth::ForgotPage />
                    <Route path=StaticSegment("reset") view=auth::ResetPage />
                    <Route path=(StaticSegment("account"), StaticSegment("security")) view=auth::AccountSecurityPage />
                    <Route path=(StaticSegment("dev"), StaticSegment("outbox")) view=auth::DevOutboxPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("team")) view=team::TeamPage />
                    <Route path=(StaticSegment("settings"), StaticSegment("audit")) view=audit::AuditPage />
                    <Route path=(StaticSegment("invite"), ParamSegment("token")) view=team::InvitePage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
