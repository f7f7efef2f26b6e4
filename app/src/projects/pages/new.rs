//! `/projects/new` (R1.6, R1.3): name, web address and status; a Studio
//! picks the client it runs the project for. The address follows the name
//! until it is edited by hand; left empty, the server makes it from the
//! name.

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::domain::{ProjectSlug, ProjectStatus};

use super::refused;
use crate::{
    projects::{load_new_project, CreateProject, NewProjectView},
    site::use_site,
    ui::{last_error, navigate_on_success, Field, FormError, PageHeader, Submit},
};

#[component]
pub fn NewProjectPage() -> impl IntoView {
    let choices = Resource::new_blocking(|| (), |_| load_new_project());
    view! {
        <Title text="New project" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(view) => view! { <NewProject view /> }.into_any(),
                    Err(err) => refused("New project", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewProject(view: NewProjectView) -> impl IntoView {
    let action = ServerAction::<CreateProject>::new();
    navigate_on_success(action);
    let error = last_error(action);
    let (slug, set_slug) = signal(String::new());
    let (slug_edited, set_slug_edited) = signal(false);
    let prefix = use_site()
        .and_then(|info| match &info.site {
            offplan::domain::Site::Org(brand) => {
                Some(info.org_url(brand.subdomain.as_str(), "/projects/"))
            }
            _ => None,
        })
        .unwrap_or_else(|| "/projects/".to_owned());
    let client_field = (!view.clients.is_empty()).then(|| {
        let own = view.own_account;
        view! {
            <div class="field">
                <label class="field__label" for="field-client">"Client"</label>
                <p class="field__hint" id="field-client-hint">
                    {if own { "Run it for one of your clients, or on your own account." } else { "The client you run this project for." }}
                </p>
                <select class="field__input" id="field-client" name="client" aria-describedby="field-client-hint" required=!own>
                    {own.then(|| view! { <option value="">"Our own project"</option> })}
                    {view.clients.iter().map(|(id, name)| view! {
                        <option value=id.to_string()>{name.clone()}</option>
                    }).collect_view()}
                </select>
                {move || error.get().and_then(|e| e.field_message("client").map(str::to_owned)).map(|m| view! {
                    <p class="field__error" role="alert">{m}</p>
                })}
            </div>
        }
    });
    let no_clients = (!view.own_account && view.clients.is_empty()).then(|| {
        view! {
            <div class="alert alert--info" role="status">
                "A studio creates projects for its clients. "
                <a href="/clients">"Add a client first"</a>"."
            </div>
        }
    });
    view! {
        <div class="stack">
            <PageHeader title="New project" lead=format!("For {}", view.org_name) />
            {no_clients}
            <section class="card">
                <ActionForm action attr:class="form">
                    <Field
                        name="name"
                        label="Project name"
                        error
                        autofocus=true
                        hint="As buyers and partners will read it, e.g. Marina Heights."
                        on_input=Callback::new(move |name: String| {
                            if !slug_edited.get_untracked() {
                                set_slug.set(ProjectSlug::suggest(&name).map(|s| s.to_string()).unwrap_or_default());
                            }
                        })
                    />
                    <div class="field" class:field--invalid=move || error.get().and_then(|e| e.field_message("slug").map(|_| ())).is_some()>
                        <label class="field__label" for="field-slug">"Web address"</label>
                        <p class="field__hint" id="field-slug-hint">{format!("{prefix}…  Lower-case letters, digits and hyphens. Leave it empty to make it from the name.")}</p>
                        <input class="field__input" id="field-slug" name="slug" type="text" maxlength="63"
                            autocomplete="off" spellcheck="false"
                            prop:value=move || slug.get()
                            aria-describedby=move || if error.get().and_then(|e| e.field_message("slug").map(|_| ())).is_some() { "field-slug-hint field-slug-error" } else { "field-slug-hint" }
                            on:input=move |ev| { set_slug_edited.set(true); set_slug.set(event_target_value(&ev)); } />
                        {move || error.get().and_then(|e| e.field_message("slug").map(str::to_owned)).map(|m| view! {
                            <p class="field__error" id="field-slug-error" role="alert">{m}</p>
                        })}
                    </div>
                    <div class="field">
                        <label class="field__label" for="field-status">"Status"</label>
                        <p class="field__hint" id="field-status-hint">"A draft is seen only by your team and your partners."</p>
                        <select class="field__input" id="field-status" name="status" aria-describedby="field-status-hint">
                            <option value=ProjectStatus::Draft.as_str() selected=true>{ProjectStatus::Draft.label()}</option>
                            <option value=ProjectStatus::Active.as_str()>{ProjectStatus::Active.label()}</option>
                        </select>
                    </div>
                    {client_field}
                    <FormError error />
                    <div class="form__actions">
                        <Submit pending=action.pending() label="Create project" busy="Creating…" />
                        <a class="button button--outline" href="/projects">"Cancel"</a>
                    </div>
                </ActionForm>
            </section>
        </div>
    }
    .into_any()
}
