//! The Clients pages (R1.5): the list with the add form at `/clients`, one
//! record at `/clients/:id`. Every control is a real form (it works before
//! hydration: a refused form comes back with its errors beside the fields);
//! archiving sits behind a `<details>` confirmation, which the keyboard
//! opens like a button. What the role may not change is not rendered, and
//! the server refuses it anyway.
//!
//! Here: the list page. The record page is in `detail.rs`, the fields both
//! forms share in `form.rs`.

mod detail;
mod form;

pub use detail::ClientPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use offplan::AppError;

use crate::clients::{load_clients, ClientRow, ClientsView, CreateClient};
use crate::ui::{
    last_error, navigate_on_success, DataTable, EmptyState, ErrorPage, FormError, PageHeader,
    SignInPrompt, Submit,
};
use form::{ClientFields, Values};

#[component]
pub fn ClientsPage() -> impl IntoView {
    let create = ServerAction::<CreateClient>::new();
    navigate_on_success(create);
    let query = use_query_map();
    let archived = Signal::derive(move || query.read().get("archived").as_deref() == Some("1"));
    let clients = Resource::new_blocking(|| (), |_| load_clients());
    view! {
        <Title text="Clients" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match clients.await {
                    Ok(view) => view! { <Clients view create archived /> }.into_any(),
                    Err(err) => refused("Clients", err),
                }
            })}
        </Suspense>
    }
}

/// What a Clients page shows instead of itself: a sign-in prompt (401), or
/// the error page with its status (403 outside a Studio, 404).
pub(super) fn refused(title: &'static str, err: AppError) -> AnyView {
    match err {
        AppError::Unauthenticated => view! {
            <section class="auth-card"><h1>{title}</h1><SignInPrompt /></section>
        }
        .into_any(),
        err => view! { <ErrorPage err /> }.into_any(),
    }
}

#[component]
fn Clients(
    view: ClientsView,
    create: ServerAction<CreateClient>,
    archived: Signal<bool>,
) -> impl IntoView {
    let count = view.active.len();
    let lead = match count {
        0 => format!("The companies {} works for.", view.org_name),
        1 => format!("1 client of {}", view.org_name),
        n => format!("{n} clients of {}", view.org_name),
    };
    let archived_count = view.archived.len();
    let header = view! {
        <PageHeader title="Clients" lead>
            <nav class="tabs" aria-label="Clients">
                <a class="tabs__tab" href="/clients"
                    aria-current=move || (!archived.get()).then_some("page")>"Current"</a>
                <a class="tabs__tab" href="/clients?archived=1"
                    aria-current=move || archived.get().then_some("page")>{format!("Archived ({archived_count})")}</a>
            </nav>
        </PageHeader>
    }
    .into_any();
    let can_manage = view.can_manage;
    // R5.3: the funnel of the studio's invitations to its clients.
    let funnel = can_manage.then(|| {
        view! { <p><a href="/clients/invitations">"Client invitations to offplan"</a></p> }
    });
    // The add form belongs with the current clients, not the archived ones.
    let add = move || (can_manage && !archived.get()).then(|| view! { <AddClient create /> });
    let org_name = view.org_name.clone();
    let (active, gone) = (view.active, view.archived);
    let list = move || {
        if archived.get() {
            view! {
                <section class="card" aria-labelledby="clients-title">
                    <h2 id="clients-title">"Archived clients"</h2>
                    {if gone.is_empty() {
                        view! { <EmptyState>"No archived clients."</EmptyState> }.into_any()
                    } else {
                        view! { <ClientTable rows=gone.clone() archived=true /> }.into_any()
                    }}
                </section>
            }
            .into_any()
        } else {
            let empty = if can_manage {
                "No clients yet. Add your first one with the form above: a company name is enough \
                 to start. You can then choose it when you create a project for them."
                    .to_owned()
            } else {
                format!("No clients yet. An Owner or Admin of {org_name} adds them.")
            };
            view! {
                <section class="card" aria-labelledby="clients-title">
                    <h2 id="clients-title">"Current clients"</h2>
                    {if active.is_empty() {
                        view! { <EmptyState>{empty}</EmptyState> }.into_any()
                    } else {
                        view! { <ClientTable rows=active.clone() archived=false /> }.into_any()
                    }}
                </section>
            }
            .into_any()
        }
    };
    view! {
        <div class="stack stack--wide">
            {header}
            {funnel}
            {add}
            {list}
        </div>
    }
    .into_any()
}

#[component]
fn AddClient(create: ServerAction<CreateClient>) -> impl IntoView {
    let error = last_error(create);
    view! {
        <section class="card" aria-labelledby="add-client-title">
            <h2 id="add-client-title">"Add a client"</h2>
            <ActionForm action=create attr:class="form">
                <ClientFields error values=Values::default() />
                <FormError error />
                <div class="form__actions">
                    <Submit pending=create.pending() label="Add client" busy="Adding…" />
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn ClientTable(rows: Vec<ClientRow>, archived: bool) -> impl IntoView {
    let columns = if archived {
        vec!["Company", "Contact", "On offplan", "Projects", "Archived"]
    } else {
        vec!["Company", "Contact", "On offplan", "Projects"]
    };
    view! {
        <DataTable columns>
            {rows.into_iter().map(|c| view! {
                <tr>
                    <td data-label="Company">
                        <a class="member__name" href=format!("/clients/{}", c.id)>{c.name.clone()}</a>
                    </td>
                    <td data-label="Contact">
                        {c.contact_name.clone().map(|n| view! { <span class="member__email">{n}</span> })}
                        {c.contact_email.clone().map(|e| view! { <span class="member__email muted">{e}</span> })}
                        {(c.contact_name.is_none() && c.contact_email.is_none()).then(|| view! { <span class="muted">"—"</span> })}
                    </td>
                    <td data-label="On offplan">{c.platform.label()}</td>
                    <td class="nowrap" data-label="Projects">{c.projects}</td>
                    {archived.then(|| view! { <td class="nowrap" data-label="Archived">{c.archived.clone()}</td> })}
                </tr>
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}
