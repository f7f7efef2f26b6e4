//! Project Settings (R1.6, R6.1): General (name, web address, status; a new
//! address keeps the old one as a redirect) for Owner/Admin, and the stock
//! mode for Owner/Admin/Sales Manager. Only the owning organisation changes
//! them; a role that may do neither gets a 403.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use offplan::{
    domain::{ProjectStatus, StockMode},
    AppError,
};

use super::{refused, SettingsTabs};
use crate::{
    projects::{load_project, ProjectPage, ProjectView, SetStockMode, UpdateProject},
    ui::{last_error, navigate_on_success, Field, FormError, MovedTo, PageHeader, Submit},
};

#[component]
pub fn ProjectSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let stock = ServerAction::<SetStockMode>::new();
    let project = Resource::new_blocking(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                stock.version().get(),
            )
        },
        |(slug, _)| load_project(slug),
    );
    view! {
        <Title text="Project settings" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(ProjectPage::Found(p)) if p.can_edit || p.can_toggle_stock => {
                        view! { <Settings p stock /> }.into_any()
                    }
                    Ok(ProjectPage::Found(_)) => refused("Project settings", AppError::Forbidden),
                    Ok(ProjectPage::Moved(path)) => {
                        view! { <MovedTo path=format!("{path}/settings") /> }.into_any()
                    }
                    Err(err) => refused("Project settings", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Settings(p: ProjectView, stock: ServerAction<SetStockMode>) -> impl IntoView {
    let general = p
        .can_edit
        .then(|| view! { <General p=p.clone() /> }.into_any());
    let stock_mode = p
        .can_toggle_stock
        .then(|| view! { <StockModeForm p=p.clone() action=stock /> }.into_any());
    view! {
        <div class="stack">
            <PageHeader title="Project settings" lead=p.name.clone()>
                <p><a href=p.href.clone()>"Back to the project"</a></p>
                <SettingsTabs href=p.href.clone() current="settings" settings=true activity=p.can_view_activity partners=p.can_edit />
            </PageHeader>
            {general}
            {stock_mode}
        </div>
    }
}

#[component]
fn General(p: ProjectView) -> impl IntoView {
    let action = ServerAction::<UpdateProject>::new();
    navigate_on_success(action);
    let error = last_error(action);
    let current = p.status;
    view! {
        <section class="card" aria-labelledby="general-title">
            <h2 id="general-title">"General"</h2>
            <ActionForm action attr:class="form">
                <input type="hidden" name="id" value=p.id.to_string() />
                <Field name="name" label="Project name" error value=p.name.clone() />
                <Field
                    name="slug"
                    label="Web address"
                    error
                    value=p.slug.clone()
                    hint="Lower-case letters, digits and hyphens. The old address keeps working: it forwards to the new one."
                    autocomplete="off"
                />
                <div class="field">
                    <label class="field__label" for="field-status">"Status"</label>
                    <select class="field__input" id="field-status" name="status">
                        {ProjectStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=s == current>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <FormError error />
                <div class="form__actions">
                    <Submit pending=action.pending() label="Save changes" busy="Saving…" />
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn StockModeForm(p: ProjectView, action: ServerAction<SetStockMode>) -> impl IntoView {
    let error = last_error(action);
    let current = p.stock_mode;
    let saved = move || {
        matches!(action.value().get(), Some(Ok(()))).then(|| view! {
            <div class="alert alert--success" role="status">
                {format!("Stock mode is now “{}”. Every agent sees it on their next page or action.", current.label())}
            </div>
        })
    };
    view! {
        <section class="card" aria-labelledby="stock-title">
            <h2 id="stock-title">"Stock mode"</h2>
            {saved}
            <ActionForm action attr:class="form">
                <input type="hidden" name="id" value=p.id.to_string() />
                <fieldset class="choices">
                    <legend class="visually-hidden">"Stock mode"</legend>
                    {StockMode::ALL.into_iter().map(|m| view! {
                        <label class="choice choice--described">
                            <input type="radio" name="mode" value=m.as_str() checked=m == current />
                            <span><strong>{m.label()}</strong><span class="muted">" — "{m.explain()}</span></span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <FormError error />
                <div class="form__actions">
                    <Submit pending=action.pending() label="Save stock mode" busy="Saving…" />
                </div>
            </ActionForm>
        </section>
    }
}
