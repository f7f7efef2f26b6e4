//! The projects' pages: the list (`list.rs`), the new-project form
//! (`new.rs`), a project's home (`home.rs`), its settings
//! (`settings.rs`) and its activity log (`activity.rs`). Each renders on
//! the server and hydrates; every control is a real form, so it works
//! before hydration too.

mod activity;
mod home;
mod list;
mod new;
mod settings;

pub use activity::ProjectActivityPage;
pub use home::{PartnerProjectHomePage, ProjectHomePage};
pub use list::ProjectsPage;
pub use new::NewProjectPage;
pub use settings::ProjectSettingsPage;

use leptos::prelude::*;
use offplan::AppError;

use crate::ui::{ErrorPage, SignInPrompt};

/// What a projects page shows when its data did not load: a sign-in
/// prompt for a signed-out person, else the error page (404 for a project
/// that is not theirs, 403 for what their role may not see).
pub(crate) fn refused(title: &'static str, err: AppError) -> AnyView {
    match err {
        AppError::Unauthenticated => view! {
            <section class="auth-card"><h1>{title}</h1><SignInPrompt /></section>
        }
        .into_any(),
        err => view! { <ErrorPage err /> }.into_any(),
    }
}

/// Project Settings' tabs: the settings themselves and the activity log,
/// each shown only to the roles that may open it (R2.2). `href` is the
/// project's own address.
#[component]
pub(crate) fn SettingsTabs(
    href: String,
    current: &'static str,
    settings: bool,
    activity: bool,
    /// Partners (R1.7): the owner's Owner and Admins.
    #[prop(default = false)]
    partners: bool,
    /// Presentation (issue 13): every member may open it (read-only for
    /// those who may not edit project content).
    #[prop(default = true)]
    presentation: bool,
) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Project settings">
            {settings.then(|| view! {
                <a class="tabs__tab" href=format!("{href}/settings")
                   aria-current=(current == "settings").then_some("page")>"Settings"</a>
            })}
            {presentation.then(|| view! {
                <a class="tabs__tab" href=format!("{href}/settings/presentation")
                   aria-current=(current == "presentation").then_some("page")>"Presentation"</a>
            })}
            <a class="tabs__tab" href=format!("{href}/units")
               aria-current=(current == "units").then_some("page")>"Units"</a>
            {partners.then(|| view! {
                <a class="tabs__tab" href=format!("{href}/settings/partners")
                   aria-current=(current == "partners").then_some("page")>"Partners"</a>
            })}
            {activity.then(|| view! {
                <a class="tabs__tab" href=format!("{href}/settings/activity")
                   aria-current=(current == "activity").then_some("page")>"Activity log"</a>
            })}
        </nav>
    }
}

/// A tag for a project's status, coloured by what it means.
fn status_tag(status: offplan::domain::ProjectStatus) -> impl IntoView {
    use offplan::domain::ProjectStatus;
    view! {
        <span class="tag" class:tag--brand=status == ProjectStatus::Active>{status.label()}</span>
    }
}
