//! An organisation's home for its signed-in members (R1.6): its projects,
//! what needs their attention, and the first step when there is nothing
//! yet. Everyone else sees the public profile.

use leptos::prelude::*;
use offplan::domain::ProjectStatus;

use crate::{
    projects::{ProjectCard, ProjectsView},
    ui::{EmptyState, PageHeader},
};

/// How many projects the home lists before "All projects".
const SHOWN: usize = 8;

#[component]
pub(super) fn Workspace(view: ProjectsView) -> impl IntoView {
    let ProjectsView {
        org_name,
        can_create,
        own,
        partnered,
    } = view;
    let drafts: Vec<ProjectCard> = own
        .iter()
        .filter(|p| p.status == ProjectStatus::Draft)
        .cloned()
        .collect();
    let own_set_aside: Vec<ProjectCard> = own.iter().filter(|p| p.set_aside > 0).cloned().collect();
    let all: Vec<ProjectCard> = own.into_iter().chain(partnered).collect();
    let total = all.len();
    let body = if all.is_empty() {
        view! { <FirstSteps can_create /> }.into_any()
    } else {
        view! {
            <section class="card" aria-labelledby="ws-projects">
                <div class="card__header">
                    <h2 id="ws-projects">"Projects"</h2>
                    {can_create.then(|| view! { <a class="button button--outline" href="/projects/new">"New project"</a> })}
                </div>
                <ul class="row-list">
                    {all.into_iter().take(SHOWN).map(|p| view! { <ProjectLine p /> }).collect_view()}
                </ul>
                {(total > SHOWN).then(|| view! { <p><a href="/projects">{format!("All {total} projects")}</a></p> })}
            </section>
        }
        .into_any()
    };
    let drafts = if can_create { drafts } else { Vec::new() };
    let set_aside: Vec<ProjectCard> = own_set_aside;
    let attention = (!drafts.is_empty() || !set_aside.is_empty()).then(|| view! {
        <section class="card" aria-labelledby="ws-attention">
            <h2 id="ws-attention">"Needs your attention"</h2>
            <ul class="row-list">
                {set_aside.into_iter().take(5).map(|p| {
                    let units = if p.set_aside == 1 { "1 unit".to_owned() } else { format!("{} units", p.set_aside) };
                    view! {
                        <li class="row-list__item">
                            <strong>{p.name.clone()}</strong>{format!(": {units} set aside when a partner was removed, waiting to be reassigned. ")}
                            <a href=format!("{}/settings/partners", p.href)>"See the partners"</a>
                        </li>
                    }
                }).collect_view()}
                {drafts.into_iter().take(5).map(|p| view! {
                    <li class="row-list__item">
                        <strong>{p.name.clone()}</strong>" is still a draft: only your team and partners see it. "
                        <a href=format!("{}/settings", p.href)>"Publish it when it's ready"</a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    });
    view! {
        <div class="stack stack--wide">
            <PageHeader title=org_name lead="Your workspace" />
            {attention}
            {body}
        </div>
    }
}

#[component]
fn ProjectLine(p: ProjectCard) -> impl IntoView {
    let owner = p
        .owner_name
        .clone()
        .map(|o| view! { <span class="muted">" · "{o}"'s project"</span> });
    view! {
        <li class="row-list__item">
            <a href=p.href.clone()><strong>{p.name.clone()}</strong></a>
            {owner}
            " "<span class="tag" class:tag--brand=p.status == ProjectStatus::Active>{p.status.label()}</span>
        </li>
    }
}

/// Nothing yet: what to do first, by what the person may do.
#[component]
fn FirstSteps(can_create: bool) -> impl IntoView {
    if can_create {
        view! {
            <section class="card" aria-labelledby="ws-start">
                <h2 id="ws-start">"Start with a project"</h2>
                <p>"A project holds the units you sell, the partners who sell them and everything buyers see."</p>
                <p class="form__actions">
                    <a class="button button--brand" href="/projects/new">"Create your first project"</a>
                    <a class="button button--outline" href="/settings/team">"Invite your team"</a>
                </p>
            </section>
        }
        .into_any()
    } else {
        view! {
            <section class="card" aria-labelledby="ws-start">
                <h2 id="ws-start">"Nothing here yet"</h2>
                <EmptyState>
                    "Projects appear here when your organisation creates one or a partner brings you in."
                </EmptyState>
            </section>
        }
        .into_any()
    }
}
