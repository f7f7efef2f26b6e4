//! Project Settings → Activity log (R8.4): the project's events, newest
//! first; filters by who, what and date range in a GET form (it works
//! before hydration, and a filtered view can be bookmarked); "Older" pages
//! on by the last `seq`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_params_map, use_query_map},
};
use offplan::AppError;

use super::{refused, SettingsTabs};
use crate::{
    audit::FilterQuery,
    projects::{load_project_activity, ActivityPage, ActivityView},
    ui::{EventList, EventPager, MovedTo, PageHeader},
};

#[component]
pub fn ProjectActivityPage() -> impl IntoView {
    let params = use_params_map();
    let q = use_query_map();
    let query = Memo::new(move |_| {
        let q = q.read();
        FilterQuery {
            actor: q.get("actor"),
            action: q.get("action"),
            target: None,
            from: q.get("from"),
            to: q.get("to"),
            before: q.get("before"),
        }
    });
    let slug = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let activity = Resource::new_blocking(
        move || (slug.get(), query.get()),
        |(slug, query)| load_project_activity(slug, query),
    );
    view! {
        <Title text="Activity log · Project settings" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let current = query.get_untracked();
                let base = format!("/projects/{}/settings/activity", slug.get_untracked());
                match activity.await {
                    Ok(ActivityPage::Found(view)) => view! { <Activity view=*view current /> }.into_any(),
                    Ok(ActivityPage::Moved(path)) => view! { <MovedTo path /> }.into_any(),
                    Err(AppError::Invalid(errors)) => view! {
                        <div class="alert alert--error" role="alert">
                            {errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ")}
                            " "<a href=base>"Clear the filters"</a>
                        </div>
                    }.into_any(),
                    Err(err) => refused("Activity log", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Activity(view: ActivityView, current: FilterQuery) -> impl IntoView {
    let selected = |v: &Option<String>, option: &str| v.as_deref() == Some(option);
    let p = view.project;
    let base = format!("{}/settings/activity", p.href);
    let older = view
        .next_before
        .map(|b| format!("{base}?{}", current.with_before(Some(b))));
    let first = current
        .before
        .is_some()
        .then(|| format!("{base}?{}", current.with_before(None)));
    let settings = p.can_edit || p.can_toggle_stock;
    let filters = view! {
        <section class="card" aria-labelledby="filters-title">
            <h2 id="filters-title" class="visually-hidden">"Filters"</h2>
            <Form method="GET" action="" attr:class="form form--row filters">
                <div class="field">
                    <label class="field__label" for="f-actor">"Who"</label>
                    <select class="field__input" id="f-actor" name="actor">
                        <option value="">"Anyone"</option>
                        {view.people.iter().map(|(id, name)| view! {
                            <option value=id.clone() selected=selected(&current.actor, id)>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="f-action">"What"</label>
                    <select class="field__input" id="f-action" name="action">
                        <option value="">"Any action"</option>
                        {view.actions.iter().map(|(v, label)| view! {
                            <option value=v.clone() selected=selected(&current.action, v)>{label.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="f-from">"From"</label>
                    <input class="field__input" id="f-from" type="date" name="from" value=current.from.clone() />
                </div>
                <div class="field">
                    <label class="field__label" for="f-to">"To"</label>
                    <input class="field__input" id="f-to" type="date" name="to" value=current.to.clone() />
                </div>
                <button type="submit" class="button button--brand">"Apply"</button>
                <a class="button button--quiet" href=base.clone()>"Clear"</a>
            </Form>
        </section>
    }
    .into_any();
    view! {
        <div class="stack stack--wide">
            <PageHeader title="Activity log" lead=format!("{}: every change to the project, whoever made it, newest first. Entries can't be edited or deleted.", p.name)>
                <p><a href=p.href.clone()>"Back to the project"</a></p>
                <SettingsTabs href=p.href.clone() current="activity" settings activity=true partners=p.can_edit />
            </PageHeader>
            {filters}
            <section class="card" aria-labelledby="events-title">
                <h2 id="events-title">"Events"</h2>
                <EventList rows=view.rows empty="Nothing matches these filters." />
                <EventPager first older />
            </section>
        </div>
    }
    .into_any()
}
