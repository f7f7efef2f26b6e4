//! Tables that stay readable on a phone.

use leptos::prelude::*;

/// A data table. From 60rem up it is an ordinary table; below, each row
/// becomes a stacked block and each cell shows its column's name, taken from
/// the cell's `data-label` (give every `<td>` one, except an actions cell).
/// Nothing scrolls sideways, so there is no scrollable region that keyboard
/// users could not reach (axe `scrollable-region-focusable`).
///
/// `children` are the body's `<tr>`s.
#[component]
pub fn DataTable(
    /// The column headings, in order.
    columns: Vec<&'static str>,
    /// Add a last column for row actions, named for screen readers only.
    #[prop(optional)]
    actions: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table table--stack">
                <thead><tr>
                    {columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                    {actions.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
