//! `/settings/data-processing`: the data-processing terms (R1.9) — their
//! text and version, who accepted them when, and for an Owner or Admin the
//! Accept button. Everyone in the organisation may read them.

use leptos::prelude::*;
use leptos_meta::Title;

use super::refused;
use crate::buyers::{load_terms, AcceptTerms, TermsView};
use crate::ui::{last_error, FormError, PageHeader, SettingsNav, Submit};
use offplan::domain::terms::Block;

#[component]
pub fn DataProcessingPage() -> impl IntoView {
    let accept = ServerAction::<AcceptTerms>::new();
    let accepted = Memo::new(move |prev: Option<&usize>| match accept.value().get() {
        Some(Ok(_)) => accept.version().get(),
        _ => prev.copied().unwrap_or(0),
    });
    let terms = Resource::new_blocking(move || accepted.get(), |_| load_terms());
    view! {
        <Title text="Data processing" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match terms.await {
                    Ok(view) => view! { <Terms view accept /> }.into_any(),
                    Err(err) => refused("Data processing", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Terms(view: TermsView, accept: ServerAction<AcceptTerms>) -> impl IntoView {
    let error = last_error(accept);
    let gate = view.gate;
    let standing = match (&gate.accepted, gate.may_accept) {
        (Some(a), _) => view! { <p role="status">{a.clone()}" Buyer features are on."</p> }.into_any(),
        (None, true) => view! {
            <ActionForm action=accept attr:class="form">
                <p>"By accepting, you agree to these terms for your whole organisation. Buyer features open at once."</p>
                <FormError error />
                <div class="form__actions">
                    <Submit pending=accept.pending() label="Accept the terms" busy="Accepting…" />
                </div>
            </ActionForm>
        }
        .into_any(),
        (None, false) => view! {
            <p>"Not accepted yet. An Owner or Admin of your organisation accepts them; buyer features stay off until then."</p>
        }
        .into_any(),
    };
    let blocks = offplan::domain::terms::blocks(&view.text);
    view! {
        <div class="stack">
            <PageHeader title="Data processing" lead=format!("Terms version {}", gate.version)>
                <SettingsNav current="data-processing" audit=view.can_view_audit />
            </PageHeader>
            <section class="card" aria-labelledby="standing-title">
                <h2 id="standing-title">"Your organisation"</h2>
                {gate.earlier.clone().map(|e| view! { <p class="muted">{e}</p> })}
                {standing}
            </section>
            <section class="card" aria-labelledby="terms-title">
                <h2 id="terms-title">"The terms"</h2>
                {blocks.into_iter().map(|b| match b {
                    Block::Heading(h) => view! { <h3>{h}</h3> }.into_any(),
                    Block::Paragraph(p) => view! { <p>{p}</p> }.into_any(),
                    Block::List(items) => view! {
                        <ol class="terms__list">
                            {items.into_iter().map(|(lead, rest)| view! {
                                <li>{(!lead.is_empty()).then(|| view! { <strong>{lead}</strong>" " })}{rest}</li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                }).collect_view()}
            </section>
        </div>
    }
}
