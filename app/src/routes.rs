//! The pages as lazy routes (issue 11 item 5): each page's view, and what
//! only it reaches (its components, the client stubs of its server
//! functions), is split out of the main wasm by `cargo leptos build --split`
//! and fetched when the route is first shown. The layout, router and runtime
//! stay in the main module. On the server a lazy route renders as before,
//! and the page's chunks are preloaded from `<head>`.
//!
//! A new page: add a line to the list below and a `<Route view=...>` in
//! `lib.rs` that names it with `Lazy::<Route>::new()`. Each new route also
//! re-cuts the code pages share into more chunks, which every first load
//! fetches (docs/bundle-splitting.md: grouping a feature's pages into one
//! route was measured and is worse for that feature's own first load).

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// One lazy route per page: `lazy_page!(Route => path::to::Page)` declares
/// the route type whose view renders the page component.
macro_rules! lazy_pages {
    ($($route:ident => $($page:ident)::+;)+) => {$(
        #[doc = concat!("The lazy route of `", stringify!($($page)::+), "`.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                crate::mark_hydrated_after_this_view();
                crate::$($page)::+().into_any()
            }
        }
    )+};
}

lazy_pages! {
    HomeRoute => home::Home;
    LoginRoute => auth::LoginPage;
    VerifyRoute => auth::VerifyPage;
    SignupRoute => auth::SignupPage;
    SignupSentRoute => auth::SignupSentPage;
    VerifyEmailRoute => auth::VerifyEmailPage;
    OrgPickerRoute => auth::OrgPickerPage;
    ForgotRoute => auth::ForgotPage;
    ResetRoute => auth::ResetPage;
    SecurityRoute => auth::AccountSecurityPage;
    DevOutboxRoute => auth::DevOutboxPage;
    TeamRoute => team::TeamPage;
    AuditRoute => audit::AuditPage;
    InviteRoute => team::InvitePage;
    ClientsRoute => clients::ClientsPage;
    ClientRoute => clients::ClientPage;
    ClientInvitationsRoute => clients::ClientInvitationsPage;
    ClientInviteRoute => clients::ClientInvitePage;
    ProjectsRoute => projects::ProjectsPage;
    NewProjectRoute => projects::NewProjectPage;
    ProjectHomeRoute => projects::ProjectHomePage;
    PartnerProjectHomeRoute => projects::PartnerProjectHomePage;
    ProjectSettingsRoute => projects::ProjectSettingsPage;
    ProjectActivityRoute => projects::ProjectActivityPage;
    PartnersRoute => projects::partners::PartnersPage;
    PartnerInviteRoute => projects::partners::PartnerInvitePage;
    PresentationRoute => projects::presentation::PresentationPage;
    PartnerPresentationRoute => projects::presentation::PartnerPresentationPage;
    UnitsRoute => projects::board::BoardPage;
    PartnerUnitsRoute => projects::board::PartnerBoardPage;
    UnitRoute => projects::presentation::UnitPage;
    PartnerUnitRoute => projects::presentation::PartnerUnitPage;
    BuyersRoute => buyers::BuyersPage;
    BuyerRoute => buyers::BuyerPage;
    SendUnitRoute => buyers::SendUnitPage;
    DataProcessingRoute => buyers::DataProcessingPage;
}
