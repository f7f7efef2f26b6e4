//! Org Settings → Audit log (SPEC R8.4), Owner and Admin only: filters by
//! actor, action, target and date range, in the URL (a GET form, so a
//! filtered view can be bookmarked and works before hydration); keyset
//! pagination ("Older" carries the last `seq`); human-readable rows; a CSV
//! export of the same filter, served by the server crate and itself audited.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};
use offplan::AppError;
use serde::{Deserialize, Serialize};

use crate::ui::{
    ErrorPage, EventList, EventPager, EventRow, PageHeader, SettingsNav, SignInPrompt,
};

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// The filter as it travels in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub before: Option<String>,
}

impl FilterQuery {
    /// The query string for this filter with another cursor (none: page 1).
    pub fn with_before(&self, before: Option<i64>) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("target", &self.target),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={v}"));
            }
        }
        if let Some(b) = before {
            parts.push(format!("before={b}"));
        }
        parts.join("&")
    }
}

#[cfg(feature = "ssr")]
impl FilterQuery {
    /// Parses the filter; anything malformed is a field error, never a 500.
    pub fn parse(&self) -> Result<offplan::db::audit::log::Filter, AppError> {
        use offplan::{db::audit::Action, domain::UserId};
        let some = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        let person = |v: &Option<String>, field: &str| match some(v) {
            None => Ok(None),
            Some(v) => UserId::parse(v.trim())
                .map(Some)
                .ok_or_else(|| AppError::invalid(field, "Choose someone from the list.")),
        };
        let date = |v: &Option<String>, field: &str| match some(v) {
            None => Ok(None),
            Some(v) => time::Date::parse(
                v.trim(),
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map(Some)
            .map_err(|_| AppError::invalid(field, "Use a date like 2026-11-22.")),
        };
        let filter = offplan::db::audit::log::Filter {
            actor: person(&self.actor, "actor")?,
            action: match some(&self.action) {
                None => None,
                Some(a) => Some(
                    Action::parse(a.trim())
                        .ok_or_else(|| AppError::invalid("action", "Choose an action."))?,
                ),
            },
            target: person(&self.target, "target")?,
            from: date(&self.from, "from")?,
            to: date(&self.to, "to")?,
            before: match some(&self.before) {
                None => None,
                Some(b) => Some(
                    b.trim()
                        .parse()
                        .map_err(|_| AppError::invalid("before", "That page doesn't exist."))?,
                ),
            },
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from > to {
                return Err(AppError::invalid("to", "The end date is before the start."));
            }
        }
        Ok(filter)
    }
}

/// One row of the log (shared with the project activity log).
pub type AuditRow = EventRow;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub rows: Vec<AuditRow>,
    pub next_before: Option<i64>,
    pub people: Vec<(String, String)>,
    pub actions: Vec<(String, String)>,
}

#[server(endpoint = "audit/page")]
pub async fn load_audit(
    // All filters empty (the page without a query string) encodes as no
    // field at all, which a client-side navigation sends: default it.
    #[server(default)] query: FilterQuery,
) -> Result<AuditView, AppError> {
    use crate::ssr;
    use offplan::db::audit::{log, Action};
    // Who is asking first (session and membership), then their input.
    let (mut scope, _, _) = ssr::org_scope().await?;
    let filter = query.parse()?;
    let page = log::page(&mut scope, &filter, PAGE_SIZE).await?;
    let people = log::people(&mut scope).await?;
    scope.commit().await?;
    Ok(AuditView {
        rows: page.entries.iter().map(EventRow::of).collect(),
        next_before: page.next_before,
        people: people
            .into_iter()
            .map(|p| (p.id.to_string(), p.name))
            .collect(),
        actions: Action::ALL
            .iter()
            .map(|a| (a.as_str().to_owned(), a.label().to_owned()))
            .collect(),
    })
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let q = use_query_map();
    let query = Memo::new(move |_| {
        let q = q.read();
        FilterQuery {
            actor: q.get("actor"),
            action: q.get("action"),
            target: q.get("target"),
            from: q.get("from"),
            to: q.get("to"),
            before: q.get("before"),
        }
    });
    let audit = Resource::new_blocking(move || query.get(), load_audit);
    view! {
        <Title text="Audit log · Settings" />
        <div class="stack stack--wide">
            <PageHeader title="Audit log" lead="Every change to your organisation, newest first. Entries can't be edited or deleted.">
                <SettingsNav current="audit" audit=true />
            </PageHeader>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let current = query.get_untracked();
                    match audit.await {
                        Ok(view) => view! { <AuditLog view current /> }.into_any(),
                        Err(AppError::Unauthenticated) => view! { <SignInPrompt /> }.into_any(),
                        Err(AppError::Invalid(errors)) => view! {
                            <div class="alert alert--error" role="alert">
                                {errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ")}
                                " "<a href="/settings/audit">"Clear the filters"</a>
                            </div>
                        }.into_any(),
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn AuditLog(view: AuditView, current: FilterQuery) -> impl IntoView {
    let selected = |v: &Option<String>, option: &str| v.as_deref() == Some(option);
    let people = view.people.clone();
    let export = format!("/settings/audit/export.csv?{}", current.with_before(None));
    let older = view
        .next_before
        .map(|b| format!("/settings/audit?{}", current.with_before(Some(b))));
    let first = current
        .before
        .is_some()
        .then(|| format!("/settings/audit?{}", current.with_before(None)));
    let filters = view! {
        <section class="card" aria-labelledby="filters-title">
            <h2 id="filters-title" class="visually-hidden">"Filters"</h2>
            <Form method="GET" action="" attr:class="form form--row filters">
                <div class="field">
                    <label class="field__label" for="f-actor">"Who"</label>
                    <select class="field__input" id="f-actor" name="actor">
                        <option value="">"Anyone"</option>
                        {people.iter().map(|(id, name)| view! {
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
                    <label class="field__label" for="f-target">"About"</label>
                    <select class="field__input" id="f-target" name="target">
                        <option value="">"Anyone"</option>
                        {people.iter().map(|(id, name)| view! {
                            <option value=id.clone() selected=selected(&current.target, id)>{name.clone()}</option>
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
                <a class="button button--quiet" href="/settings/audit">"Clear"</a>
            </Form>
        </section>
    }
    .into_any();
    view! {
        {filters}
        <section class="card" aria-labelledby="events-title">
            <div class="card__header">
                <h2 id="events-title">"Events"</h2>
                <a class="button button--outline" href=export rel="external" download="audit-log.csv">"Export CSV"</a>
            </div>
            <EventList rows=view.rows empty="Nothing matches these filters." />
            <EventPager first older />
        </section>
    }
    .into_any()
}
