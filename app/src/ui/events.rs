//! Audit events as people read them: the list of the organisation's audit
//! log (Org Settings → Audit log) and of a project's activity log (Project
//! Settings → Activity log), and their pager (keyset: "Older" carries the
//! last `seq`, "Newest" goes back to the first page).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::EmptyState;

/// One event, ready to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub seq: i64,
    pub when: String,
    pub sentence: String,
    pub action: String,
    pub ip: Option<String>,
}

#[cfg(feature = "ssr")]
impl EventRow {
    /// The row of a log entry: its sentence and its time in UTC.
    pub fn of(e: &offplan::db::audit::log::Entry) -> Self {
        let f = time::macros::format_description!(
            "[day padding:none] [month repr:short] [year], [hour]:[minute]:[second] UTC"
        );
        EventRow {
            seq: e.seq,
            when: e.occurred_at.format(&f).unwrap_or_default(),
            sentence: e.sentence(),
            action: e.action.clone(),
            ip: e.ip.clone(),
        }
    }
}

/// The events, newest first; `empty` when there are none.
#[component]
pub fn EventList(rows: Vec<EventRow>, empty: &'static str) -> impl IntoView {
    if rows.is_empty() {
        return view! { <EmptyState>{empty}</EmptyState> }.into_any();
    }
    view! {
        <ol class="audit-list row-list">
            {rows.into_iter().map(|r| view! {
                <li class="audit-list__item row-list__item" data-action=r.action.clone()>
                    <p class="audit-list__sentence">{r.sentence}</p>
                    <p class="audit-list__meta muted">
                        <time>{r.when}</time>
                        " · "<code>{r.action.clone()}</code>
                        {r.ip.map(|ip| view! { " · "{ip} })}
                        " · #"{r.seq}
                    </p>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// "Newest" (when not on the first page) and "Older" (when there is more).
#[component]
pub fn EventPager(first: Option<String>, older: Option<String>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {first.map(|href| view! { <a class="button button--quiet" href=href>"Newest"</a> })}
            {older.map(|href| view! { <a class="button button--outline" href=href>"Older"</a> })}
        </nav>
    }
}
