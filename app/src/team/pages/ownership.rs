//! Transferring ownership (R4.6) and leaving the organisation (R4.4).

use leptos::prelude::*;

use crate::{
    team::{LeaveOrg, MemberView, TransferOrg},
    ui::Submit,
};

#[component]
pub(super) fn TransferPanel(
    admins: Vec<MemberView>,
    action: ServerAction<TransferOrg>,
) -> impl IntoView {
    let eligible: Vec<MemberView> = admins
        .iter()
        .filter(|a| a.transfer_blocked.is_none())
        .cloned()
        .collect();
    let blocked: Vec<MemberView> = admins
        .into_iter()
        .filter(|a| a.transfer_blocked.is_some())
        .collect();
    view! {
        <section class="card" aria-labelledby="transfer-title">
            <h2 id="transfer-title">"Transfer ownership"</h2>
            <p class="muted">"The new Owner must be an Admin with a verified email. You become an Admin."</p>
            {if eligible.is_empty() {
                view! { <p>"No Admin can receive ownership yet."</p> }.into_any()
            } else {
                view! {
                    <details class="confirm">
                        <summary class="button button--outline">"Transfer ownership…"</summary>
                        <ActionForm action attr:class="form confirm__panel">
                            <div class="field">
                                <label class="field__label" for="field-transfer">"New Owner"</label>
                                <select class="field__input" id="field-transfer" name="user">
                                    {eligible.iter().map(|a| view! { <option value=a.id.to_string()>{format!("{} ({})", a.name, a.email)}</option> }).collect_view()}
                                </select>
                            </div>
                            <Submit pending=action.pending() label="Transfer ownership" busy="Transferring…" class="button button--danger" />
                        </ActionForm>
                    </details>
                }.into_any()
            }}
            {(!blocked.is_empty()).then(|| view! {
                <ul class="plain-list muted">
                    {blocked.into_iter().map(|a| view! { <li>{a.name.clone()}": "{a.transfer_blocked.clone()}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
pub(super) fn LeavePanel(is_owner: bool, action: ServerAction<LeaveOrg>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="leave-title">
            <h2 id="leave-title">"Leave organisation"</h2>
            {if is_owner {
                view! { <p class="muted">"As the Owner you can't leave. Transfer ownership to an Admin first; then you can leave as an Admin."</p> }.into_any()
            } else {
                view! {
                    <details class="confirm">
                        <summary class="button button--outline">"Leave…"</summary>
                        <ActionForm action attr:class="confirm__panel">
                            <p>"You'll lose access to this organisation straight away. An Admin can invite you back."</p>
                            <Submit pending=action.pending() label="Leave organisation" busy="Leaving…" class="button button--danger" />
                        </ActionForm>
                    </details>
                }.into_any()
            }}
        </section>
    }
}
