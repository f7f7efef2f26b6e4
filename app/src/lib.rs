//! Pages, components and server functions. Everything renders on the server
//! and hydrates in the browser; server-only code sits behind `ssr`.

pub mod audit;
pub mod auth;
pub mod buyers;
pub mod clients;
pub mod home;
pub mod not_found;
pub mod projects;
pub mod routes;
pub mod site;
pub mod team;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod buyer_page;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    Lazy, ParamSegment, SsrMode, StaticSegment,
};

use crate::{not_found::NotFound, routes::*, site::SiteLayout};

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
                // The stylesheet's name carries its content hash when the
                // build hashes files (release), so it is named here, from
                // the same options as the scripts, not in `App`.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Marks the body `data-hydrated` once the view being built now has
/// hydrated. Browser tests wait for this marker before clicking: a click that
/// lands before hydration is silently lost. With lazy routes the page's view
/// hydrates after its chunk arrives, later than `App`, so each route's view
/// (and the non-lazy 404) calls this, not `App`. Effects never run on the
/// server.
pub fn mark_hydrated_after_this_view() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title text="offplan" />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                // Async: the whole page, brand included, is in the server
                // HTML, so it reads the same with JavaScript off (R7.2).
                <ParentRoute path=StaticSegment("") view=SiteLayout ssr=SsrMode::Async>
                    <Route path=StaticSegment("") view={Lazy::<HomeRoute>::new()} />
                    <Route path=StaticSegment("login") view={Lazy::<LoginRoute>::new()} />
                    <Route path=(StaticSegment("login"), StaticSegment("verify")) view={Lazy::<VerifyRoute>::new()} />
                    <Route path=StaticSegment("signup") view={Lazy::<SignupRoute>::new()} />
                    <Route path=(StaticSegment("signup"), StaticSegment("sent")) view={Lazy::<SignupSentRoute>::new()} />
                    <Route path=StaticSegment("verify-email") view={Lazy::<VerifyEmailRoute>::new()} />
                    <Route path=StaticSegment("orgs") view={Lazy::<OrgPickerRoute>::new()} />
                    <Route path=StaticSegment("forgot") view={Lazy::<ForgotRoute>::new()} />
                    <Route path=StaticSegment("reset") view={Lazy::<ResetRoute>::new()} />
                    <Route path=(StaticSegment("account"), StaticSegment("security")) view={Lazy::<SecurityRoute>::new()} />
                    <Route path=(StaticSegment("dev"), StaticSegment("outbox")) view={Lazy::<DevOutboxRoute>::new()} />
                    <Route path=(StaticSegment("settings"), StaticSegment("team")) view={Lazy::<TeamRoute>::new()} />
                    <Route path=(StaticSegment("settings"), StaticSegment("audit")) view={Lazy::<AuditRoute>::new()} />
                    <Route path=(StaticSegment("invite"), ParamSegment("token")) view={Lazy::<InviteRoute>::new()} />
                    <Route path=StaticSegment("clients") view={Lazy::<ClientsRoute>::new()} />
                    <Route path=(StaticSegment("clients"), StaticSegment("invitations")) view={Lazy::<ClientInvitationsRoute>::new()} />
                    <Route path=(StaticSegment("clients"), ParamSegment("id")) view={Lazy::<ClientRoute>::new()} />
                    <Route path=(StaticSegment("client-invite"), ParamSegment("token")) view={Lazy::<ClientInviteRoute>::new()} />
                    <Route path=StaticSegment("projects") view={Lazy::<ProjectsRoute>::new()} />
                    <Route path=(StaticSegment("projects"), StaticSegment("new")) view={Lazy::<NewProjectRoute>::new()} />
                    <Route path=(StaticSegment("projects"), ParamSegment("slug")) view={Lazy::<ProjectHomeRoute>::new()} />
                    <Route path=(StaticSegment("projects"), ParamSegment("slug"), StaticSegment("settings")) view={Lazy::<ProjectSettingsRoute>::new()} />
                    <Route path=(StaticSegment("projects"), ParamSegment("slug"), StaticSegment("settings"), StaticSegment("activity")) view={Lazy::<ProjectActivityRoute>::new()} />
                    <Route path=(StaticSegment("projects"), ParamSegment("slug"), StaticSegment("settings"), StaticSegment("partners")) view={Lazy::<PartnersRoute>::new()} />
                    <Route path=(StaticSegment("projects"), ParamSegment("slug"), StaticSegment("settings"), StaticSegment("presentation")) view={Lazy::<PresentationRoute>::new()} />
                    <Route path=(StaticSegment("projects"), ParamSegment("slug"), StaticSegment("units")) view={Lazy::<UnitsRoute>::new()} />
                    <Route path=(StaticSegment("projects"), ParamSegment("slug"), StaticSegment("units"), ParamSegment("unit_id")) view={Lazy::<UnitRoute>::new()} />
                    <Route path=(StaticSegment("partner-invite"), ParamSegment("token")) view={Lazy::<PartnerInviteRoute>::new()} />
                    <Route path=StaticSegment("buyers") view={Lazy::<BuyersRoute>::new()} />
                    <Route path=(StaticSegment("buyers"), StaticSegment("send")) view={Lazy::<SendUnitRoute>::new()} />
                    <Route path=(StaticSegment("buyers"), ParamSegment("id")) view={Lazy::<BuyerRoute>::new()} />
                    <Route path=(StaticSegment("settings"), StaticSegment("data-processing")) view={Lazy::<DataProcessingRoute>::new()} />
                    // A project this organisation partners, named by its owner (docs/decisions.md).
                    <Route path=(StaticSegment("with"), ParamSegment("owner"), ParamSegment("slug")) view={Lazy::<PartnerProjectHomeRoute>::new()} />
                    <Route path=(StaticSegment("with"), ParamSegment("owner"), ParamSegment("slug"), StaticSegment("presentation")) view={Lazy::<PartnerPresentationRoute>::new()} />
                    <Route path=(StaticSegment("with"), ParamSegment("owner"), ParamSegment("slug"), StaticSegment("units")) view={Lazy::<PartnerUnitsRoute>::new()} />
                    <Route path=(StaticSegment("with"), ParamSegment("owner"), ParamSegment("slug"), StaticSegment("units"), ParamSegment("unit_id")) view={Lazy::<PartnerUnitRoute>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
