//! `/projects` (R1.6, R1.7): the organisation's own projects and the ones it
//! works on as a partner, labelled with their owner.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{refused, status_tag};
use crate::{
    projects::{load_projects, ProjectCard, ProjectsView},
    ui::{DataTable, EmptyState, PageHeader},
};

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = Resource::new_blocking(|| (), |_| load_projects());
    view! {
        <Title text="Projects" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(view) => view! { <Projects view /> }.into_any(),
                    Err(err) => refused("Projects", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Projects(view: ProjectsView) -> impl IntoView {
    let ProjectsView {
        org_name,
        can_create,
        own,
        partnered,
    } = view;
    let new_button = can_create.then(|| {
        view! {
            <p><a class="button button--brand" href="/projects/new">"New project"</a></p>
        }
    });
    let own_list = if own.is_empty() {
        view! {
            <EmptyState>
                {if can_create {
                    "No projects yet. Create the first one: it starts as a draft that only your team can see."
                } else {
                    "No projects yet. An Owner or Admin of your organisation creates them."
                }}
            </EmptyState>
        }
        .into_any()
    } else {
        view! {
            <DataTable columns=vec!["Project", "Status", "Stock mode"]>
                {own.into_iter().map(|p| view! { <OwnRow p /> }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    let partnered = (!partnered.is_empty()).then(|| view! {
        <section class="card" aria-labelledby="partnered-title">
            <h2 id="partnered-title">"With other organisations"</h2>
            <p class="muted">"Projects you work on as a partner. They belong to the organisation named."</p>
            <DataTable columns=vec!["Project", "Owner", "You are", "Status"]>
                {partnered.into_iter().map(|p| view! { <PartnerRow p /> }).collect_view()}
            </DataTable>
        </section>
    });
    view! {
        <div class="stack stack--wide">
            <PageHeader title="Projects" lead=format!("{org_name}'s projects")>
                {new_button}
            </PageHeader>
            <section class="card" aria-labelledby="own-title">
                <h2 id="own-title">"Your projects"</h2>
                {own_list}
            </section>
            {partnered}
        </div>
    }
    .into_any()
}

#[component]
fn OwnRow(p: ProjectCard) -> impl IntoView {
    view! {
        <tr>
            <td data-label="Project"><a href=p.href>{p.name}</a></td>
            <td data-label="Status">{status_tag(p.status)}</td>
            <td data-label="Stock mode">{p.stock_mode.label()}</td>
        </tr>
    }
}

#[component]
fn PartnerRow(p: ProjectCard) -> impl IntoView {
    view! {
        <tr>
            <td data-label="Project"><a href=p.href>{p.name}</a></td>
            <td data-label="Owner">{p.owner_name}</td>
            <td data-label="You are">{p.relation}</td>
            <td data-label="Status">{status_tag(p.status)}</td>
        </tr>
    }
}
