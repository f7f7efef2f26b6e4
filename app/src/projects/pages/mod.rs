//! The projects' pages: the list (`list.rs`), the new-project form
//! (`new.rs`), a project's home (`home.rs`) and its settings
//! (`settings.rs`). Each renders on the server and hydrates; every control
//! is a real form, so it works before hydration too.

mod home;
mod list;
mod new;
mod settings;

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
fn refused(title: &'static str, err: AppError) -> AnyView {
    match err {
        AppError::Unauthenticated => view! {
            <section class="auth-card"><h1>{title}</h1><SignInPrompt /></section>
        }
        .into_any(),
        err => view! { <ErrorPage err /> }.into_any(),
    }
}

/// A tag for a project's status, coloured by what it means.
fn status_tag(status: offplan::domain::ProjectStatus) -> impl IntoView {
    use offplan::domain::ProjectStatus;
    view! {
        <span class="tag" class:tag--brand=status == ProjectStatus::Active>{status.label()}</span>
    }
}
