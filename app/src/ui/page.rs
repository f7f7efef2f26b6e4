//! What the settings pages share: their heading block, their tabs and the
//! calm line shown when a list is empty.

use leptos::prelude::*;

/// A page's heading block: the `h1`, an optional lead line, and anything
/// that belongs with them (tabs).
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] lead: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <h1>{title}</h1>
            {lead.map(|l| view! { <p class="lead">{l}</p> })}
            {children.map(|c| c())}
        </header>
    }
}

/// The line a list shows when it has nothing in it.
#[component]
pub fn EmptyState(children: Children) -> impl IntoView {
    view! { <p class="empty-state">{children()}</p> }
}

/// The settings tabs an organisation page shows, by permission (R4.7);
/// everyone may read the data-processing terms (R1.9).
#[component]
pub fn SettingsNav(current: &'static str, #[prop(default = false)] audit: bool) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Settings">
            <a class="tabs__tab" href="/settings/team" aria-current=(current == "team").then_some("page")>"Team"</a>
            <a class="tabs__tab" href="/settings/data-processing" aria-current=(current == "data-processing").then_some("page")>"Data processing"</a>
            {audit.then(|| view! {
                <a class="tabs__tab" href="/settings/audit" aria-current=(current == "audit").then_some("page")>"Audit log"</a>
            })}
        </nav>
    }
}
