//! `/clients/:id`: one client record (R1.5) — whether it has joined the
//! platform, the projects the Studio runs for it, the edit form, and
//! archiving or restoring it. Another organisation's client is a 404 page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use offplan::AppError;

use super::{
    form::{ClientFields, Values},
    refused,
};
use crate::clients::{
    load_client, ArchiveClient, ClientView, Platform, RestoreClient, UpdateClient,
};
use crate::ui::{html_text, last_error, EmptyState, FormError, LastError, PageHeader, Submit};

/// The version of `action`'s last successful call: a page reloads its data
/// after a success only, so a refused form keeps what was typed in it.
fn succeeded<I, O>(action: ServerAction<I>) -> Memo<usize>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Memo::new(move |prev: Option<&usize>| match action.value().get() {
        Some(Ok(_)) => action.version().get(),
        _ => prev.copied().unwrap_or(0),
    })
}

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateClient>,
    archive: ServerAction<ArchiveClient>,
    restore: ServerAction<RestoreClient>,
}

#[component]
pub fn ClientPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = Actions {
        update: ServerAction::<UpdateClient>::new(),
        archive: ServerAction::<ArchiveClient>::new(),
        restore: ServerAction::<RestoreClient>::new(),
    };
    let (saved, archived, restored) = (
        succeeded(actions.update),
        succeeded(actions.archive),
        succeeded(actions.restore),
    );
    let client = Resource::new_blocking(
        move || (id(), saved.get(), archived.get(), restored.get()),
        |(id, ..)| load_client(id),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match client.await {
                    Ok(view) => view! { <Client view actions /> }.into_any(),
                    Err(err) => view! { <Title text="Client" />{refused("Client", err)} }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Client(view: ClientView, actions: Actions) -> impl IntoView {
    let lead = match &view.archived {
        Some(day) => format!("Archived on {day}."),
        None => format!("Client since {}.", view.added),
    };
    let header = view! {
        <Title text=html_text(format!("{} · Clients", view.name)) />
        <PageHeader title=view.name.clone() lead>
            <p><a href="/clients">"All clients"</a></p>
        </PageHeader>
    }
    .into_any();
    let platform = match &view.platform {
        Platform::NotYet => "Not on offplan yet.".to_owned(),
        Platform::Joined(Some(name)) => format!("Joined offplan as {name}."),
        Platform::Joined(None) => "Joined offplan.".to_owned(),
    };
    let status = view! {
        <section class="card" aria-labelledby="platform-title">
            <h2 id="platform-title">"On offplan"</h2>
            <p>{platform}</p>
        </section>
    }
    .into_any();
    // R5.3: an Owner or Admin invites a client not on offplan yet.
    let invite = (view.can_manage && view.archived.is_none() && view.platform == Platform::NotYet)
        .then(|| {
            view! {
                <crate::clients::invite::InviteClientCard
                    client_id=view.id.to_string()
                    email=view.contact_email.clone() />
            }
            .into_any()
        });
    let projects = view! { <Projects view=view.clone() /> }.into_any();
    let details = if view.can_manage {
        view! { <EditClient view=view.clone() action=actions.update /> }.into_any()
    } else {
        view! { <ReadOnly view=view.clone() /> }.into_any()
    };
    let archive = view
        .can_manage
        .then(|| view! { <ArchivePanel view=view.clone() actions /> }.into_any());
    view! {
        <div class="stack">
            {header}
            {status}
            {invite}
            {projects}
            {details}
            {archive}
        </div>
    }
    .into_any()
}

#[component]
fn Projects(view: ClientView) -> impl IntoView {
    let empty = if view.can_manage && view.archived.is_none() {
        view! {
            <EmptyState>"No projects for this client yet. "
                <a href="/projects/new">"Create one"</a>" and choose this client."</EmptyState>
        }
        .into_any()
    } else {
        view! { <EmptyState>"No projects for this client yet."</EmptyState> }.into_any()
    };
    view! {
        <section class="card" aria-labelledby="projects-title">
            <h2 id="projects-title">"Projects"</h2>
            {if view.projects.is_empty() {
                empty
            } else {
                view! {
                    <ul class="plain-list">
                        {view.projects.into_iter().map(|p| view! {
                            <li><a href=p.href>{p.name}</a></li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn EditClient(view: ClientView, action: ServerAction<UpdateClient>) -> impl IntoView {
    let error: LastError = last_error(action);
    let values = Values {
        name: view.name.clone(),
        contact_name: view.contact_name.clone().unwrap_or_default(),
        contact_email: view.contact_email.clone().unwrap_or_default(),
        notes: view.notes.clone().unwrap_or_default(),
    };
    view! {
        <section class="card" aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            <ActionForm action attr:class="form">
                <input type="hidden" name="id" value=view.id.to_string() />
                <ClientFields error values />
                <FormError error />
                <div class="form__actions">
                    <Submit pending=action.pending() label="Save changes" busy="Saving…" />
                    {move || match action.value().get() {
                        Some(Ok(true)) => Some(view! { <p class="muted" role="status">"Saved."</p> }.into_any()),
                        Some(Ok(false)) => Some(view! { <p class="muted" role="status">"Nothing to save: no field changed."</p> }.into_any()),
                        _ => None,
                    }}
                </div>
            </ActionForm>
        </section>
    }
}

/// What a member who may not change the record sees of it.
#[component]
fn ReadOnly(view: ClientView) -> impl IntoView {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    view! {
        <section class="card" aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            <dl class="details">
                <div><dt>"Contact name"</dt><dd>{or_dash(view.contact_name)}</dd></div>
                <div><dt>"Contact email"</dt><dd>{or_dash(view.contact_email)}</dd></div>
                <div><dt>"Notes"</dt><dd class="text-lines">{or_dash(view.notes)}</dd></div>
            </dl>
        </section>
    }
}

#[component]
fn ArchivePanel(view: ClientView, actions: Actions) -> impl IntoView {
    let id = view.id.to_string();
    let (archive_error, restore_error) = (last_error(actions.archive), last_error(actions.restore));
    let error = Signal::derive(move || archive_error.get().or_else(|| restore_error.get()));
    let body = if view.archived.is_some() {
        view! {
            <p>"Archived clients are kept with their projects but left out of the list and of new projects."</p>
            <ActionForm action=actions.restore attr:class="inline-form">
                <input type="hidden" name="id" value=id />
                <Submit pending=actions.restore.pending() label="Restore client" busy="Restoring…" class="button button--outline" />
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <p>"Archiving hides the client from the list and from new projects. Its projects keep it, and you can restore it at any time."</p>
            <details class="confirm">
                <summary class="button button--outline">"Archive…"</summary>
                <div class="confirm__panel">
                    <p>{format!("Archive {}?", view.name)}</p>
                    <ActionForm action=actions.archive attr:class="inline-form">
                        <input type="hidden" name="id" value=id />
                        <Submit pending=actions.archive.pending() label="Archive client" busy="Archiving…" class="button button--danger" />
                    </ActionForm>
                </div>
            </details>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="archive-title">
            <h2 id="archive-title">{if view.archived.is_some() { "Restore" } else { "Archive" }}</h2>
            <FormError error />
            {body}
        </section>
    }
}
