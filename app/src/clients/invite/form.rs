//! The "Invite to offplan" card on a client's record (R5.3): the address
//! (the client's contact, prefilled) and the legal-basis box, whose
//! refusal is shown beside it. The record page renders it only for an
//! Owner or Admin, for a client that is neither archived nor on offplan
//! yet; the server decides again.

use leptos::prelude::*;
use offplan::domain::REVERSE_LEGAL_BASIS_WORDING;

use super::InviteClient;
use crate::ui::{last_error, Field, FormError, Submit};

#[component]
pub fn InviteClientCard(client_id: String, email: Option<String>) -> impl IntoView {
    let action = ServerAction::<InviteClient>::new();
    let error = last_error(action);
    let basis_error = move || {
        error
            .get()
            .and_then(|e| e.field_message("legal_basis").map(str::to_owned))
    };
    view! {
        <section class="card" aria-labelledby="invite-client-title">
            <h2 id="invite-client-title">"Invite to offplan"</h2>
            <p>"Invite the person who runs this client's projects. Accepting gives them a free guest workspace in which they follow the projects you run for them (read-only). The link is valid for 30 days."</p>
            <ActionForm action attr:class="form">
                <input type="hidden" name="id" value=client_id />
                <Field name="email" label="Their email" kind="email" error value=email.unwrap_or_default() autocomplete="off" />
                <div class="field" class:field--invalid=move || basis_error().is_some()>
                    <label class="choice">
                        <input type="checkbox" name="legal_basis" value="on" id="field-legal_basis"
                            aria-invalid=move || basis_error().is_some().then_some("true")
                            aria-describedby=move || basis_error().is_some().then_some("field-legal_basis-error") />
                        " "{REVERSE_LEGAL_BASIS_WORDING}
                    </label>
                    {move || basis_error().map(|m| view! {
                        <p class="field__error" id="field-legal_basis-error" role="alert">{m}</p>
                    })}
                </div>
                <FormError error />
                <div class="form__actions">
                    <Submit pending=action.pending() label="Send invitation" busy="Sending…" />
                    {move || match action.value().get() {
                        Some(Ok(message)) => Some(view! { <p class="muted" role="status">{message}</p> }),
                        _ => None,
                    }}
                </div>
            </ActionForm>
            <p><a href="/clients/invitations">"See all client invitations"</a></p>
        </section>
    }
}
