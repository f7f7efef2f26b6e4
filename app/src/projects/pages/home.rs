//! A project's branded home (R7.1): at `/projects/<slug>` for the owning
//! organisation's members, at `/with/<owner>/<slug>` for a partner's. An
//! old slug answers with a permanent redirect to the current one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{refused, status_tag};
use crate::{
    projects::{load_partner_project, load_project, ProjectPage, ProjectView},
    ui::{html_text, MovedTo, PageHeader},
};

#[component]
pub fn ProjectHomePage() -> impl IntoView {
    let params = use_params_map();
    let project = Resource::new_blocking(
        move || params.read().get("slug").unwrap_or_default(),
        load_project,
    );
    view! { <Home project /> }
}

#[component]
pub fn PartnerProjectHomePage() -> impl IntoView {
    let params = use_params_map();
    let project = Resource::new_blocking(
        move || {
            let p = params.read();
            (
                p.get("owner").unwrap_or_default(),
                p.get("slug").unwrap_or_default(),
            )
        },
        |(owner, slug)| load_partner_project(owner, slug),
    );
    view! { <Home project /> }
}

#[component]
fn Home(project: Resource<Result<ProjectPage, offplan::AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(ProjectPage::Found(p)) => view! { <ProjectHome p /> }.into_any(),
                    Ok(ProjectPage::Moved(path)) => view! { <MovedTo path /> }.into_any(),
                    Err(err) => refused("Project", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectHome(p: ProjectView) -> impl IntoView {
    let lead = match &p.relation {
        None => format!("A project of {}", p.owner_name),
        Some(kind) => format!(
            "{}'s project · you are its {}",
            p.owner_name,
            kind.to_lowercase()
        ),
    };
    let manage = (p.can_edit || p.can_toggle_stock).then(|| {
        view! { <a class="button button--outline" href=format!("{}/settings", p.href)>"Project settings"</a> }
    });
    // R8.4: the roles that may see the activity log but not the settings
    // (a Content Editor) reach it from here too.
    let activity = p.can_view_activity.then(|| {
        view! { <a class="button button--quiet" href=format!("{}/settings/activity", p.href)>"Activity log"</a> }
    });
    // Issue 13: the presentation and the units, for every member (read
    // only where the role or the partnership may not change them).
    let presentation = if p.relation.is_none() {
        format!("{}/settings/presentation", p.href)
    } else {
        format!("{}/presentation", p.href)
    };
    let manage = view! {
        <p class="form__actions">
            {manage}{activity}
            <a class="button button--quiet" href=presentation>"Presentation"</a>
            <a class="button button--quiet" href=format!("{}/units", p.href)>"Units"</a>
        </p>
    };
    view! {
        <Title text=html_text(p.name.clone()) />
        <div class="stack stack--wide">
            <PageHeader title=p.name.clone() lead>
                {manage}
            </PageHeader>
            <section class="card" aria-labelledby="facts-title">
                <h2 id="facts-title">"At a glance"</h2>
                <dl class="details">
                    <div><dt>"Status"</dt><dd>{status_tag(p.status)}</dd></div>
                    <div><dt>"Stock mode"</dt><dd>{p.stock_mode.label()}" — "{p.stock_mode.explain()}</dd></div>
                </dl>
            </section>
        </div>
    }
}
