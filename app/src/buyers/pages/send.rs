//! `/buyers/send?project=<slug>&unit=<unit>`: send one unit to one of your
//! buyers (R7.3) — a unit page's "Send to a buyer" lands here. Choosing a
//! buyer issues their link for the unit (the pair's previous one stops
//! working) and shows it once, as on the buyer's page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::refused;
use crate::buyers::{load_send, IssueLink, SendView};
use crate::ui::{last_error, EmptyState, FormError, PageHeader, Submit};

#[component]
pub fn SendUnitPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("project").unwrap_or_default(),
            q.get("unit").unwrap_or_default(),
        )
    };
    let issue = ServerAction::<IssueLink>::new();
    let send = Resource::new_blocking(args, |(project, unit)| load_send(project, unit));
    view! {
        <Title text="Send a unit to a buyer" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match send.await {
                    Ok(view) => view! { <Send view issue /> }.into_any(),
                    Err(err) => refused("Send a unit", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Send(view: SendView, issue: ServerAction<IssueLink>) -> impl IntoView {
    let error = last_error(issue);
    let lead = format!("{} at {}", view.unit.label, view.project.name);
    let body = if view.buyers.is_empty() {
        view! {
            <EmptyState>"You have no buyers yet. "<a href="/buyers">"Record one first"</a>"."</EmptyState>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action=issue attr:class="form">
                <input type="hidden" name="project" value=view.project.id.to_string() />
                <input type="hidden" name="unit" value=view.unit.id.to_string() />
                <fieldset class="choices">
                    <legend class="field__label">"Buyer"</legend>
                    {view.buyers.iter().enumerate().map(|(i, b)| view! {
                        <label class="choice">
                            <input type="radio" name="buyer" value=b.id.to_string() required=true checked=i == 0 />
                            {format!(" {}", b.name)}
                            {b.email.clone().map(|e| view! { <span class="muted">{format!(" · {e}")}</span> })}
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label class="field__label" for="field-days">"Valid for (days)"</label>
                    <p class="field__hint" id="field-days-hint">"1 to 30 days; 30 unless you choose fewer."</p>
                    <input class="field__input" id="field-days" name="days" type="number" min="1" max="30"
                        value="30" aria-describedby="field-days-hint" />
                </div>
                <label class="choice">
                    <input type="checkbox" name="email" value="on" />
                    " Email it to the buyer (if they have an email address)"
                </label>
                <FormError error />
                <div class="form__actions">
                    <Submit pending=issue.pending() label="Issue link" busy="Issuing…" />
                </div>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <div class="stack">
            <PageHeader title="Send a unit to a buyer" lead>
                <p><a href="/buyers">"All buyers"</a></p>
            </PageHeader>
            <section class="card" aria-labelledby="send-title">
                <h2 id="send-title">"Choose the buyer"</h2>
                {body}
                {move || match issue.value().get() {
                    Some(Ok(issued)) => Some(view! {
                        <div class="alert alert--info" role="status">
                            <p><strong>{if issued.emailed { "Issued and emailed to the buyer." } else { "Issued." }}</strong>
                                " Copy the link now: it is shown only once."</p>
                            <label class="field__label" for="issued-url">"The buyer's link"</label>
                            <input class="field__input" id="issued-url" type="text" readonly=true value=issued.url.clone() />
                        </div>
                    }),
                    _ => None,
                }}
            </section>
        </div>
    }
}
