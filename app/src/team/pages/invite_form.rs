//! The invite form (R4.2) and what it says about each address, or about the
//! whole list when the server refused it (R5.5).

use leptos::prelude::*;
use offplan::{domain::InviteOutcome, error::about_minutes, policy::Role, AppError};

use crate::{
    team::InviteMembers,
    ui::{last_error, Submit},
};

#[component]
pub(super) fn InviteForm(
    action: ServerAction<InviteMembers>,
    grantable: Vec<Role>,
) -> impl IntoView {
    let error = last_error(action);
    let message = move || {
        error
            .get()
            .and_then(|e| e.field_message("emails").map(str::to_owned))
    };
    view! {
        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">"Invite people"</h2>
            <ActionForm action attr:class="form form--row">
                <div class="field field--grow" class:field--invalid=move || message().is_some()>
                    <label class="field__label" for="field-emails">"Email addresses"</label>
                    <p class="field__hint" id="field-emails-hint">"One or several, separated by commas or new lines. Each gets a personal link, valid for 7 days."</p>
                    <textarea class="field__input" id="field-emails" name="emails" rows="2" required
                        aria-describedby=move || if message().is_some() { "field-emails-hint field-emails-error" } else { "field-emails-hint" }
                        aria-invalid=move || message().is_some().then_some("true")></textarea>
                    {move || message().map(|m| view! { <p class="field__error" id="field-emails-error" role="alert">{m}</p> })}
                </div>
                <div class="field">
                    <label class="field__label" for="field-invite-role">"Role"</label>
                    <select class="field__input" id="field-invite-role" name="role">
                        {grantable.iter().map(|r| view! {
                            <option value=r.as_str() selected=*r == Role::SalesAgent>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Submit pending=action.pending() label="Send invitations" busy="Sending…" />
            </ActionForm>
            {move || match action.value().get() {
                Some(Ok(outcomes)) => Some(view! {
                    <ul class="outcomes" role="status" aria-label="Invitation results">
                        {outcomes.into_iter().map(|o| match o {
                            InviteOutcome::Sent(e) => view! { <li class="outcome outcome--ok">"Invitation sent to "<strong>{e}</strong></li> }.into_any(),
                            InviteOutcome::Refreshed(e) => view! { <li class="outcome outcome--ok">"Renewed the pending invitation to "<strong>{e}</strong>" (new link, 7 more days)"</li> }.into_any(),
                            InviteOutcome::AlreadyMember(e) => view! { <li class="outcome outcome--note"><strong>{e}</strong>" is already a member — nothing sent"</li> }.into_any(),
                        }).collect_view()}
                    </ul>
                }.into_any()),
                Some(Err(e)) if e.field_message("emails").is_none() => Some(view! {
                    <ul class="outcomes"><li class="alert alert--error" role="alert">{invite_error_text(&e)}</li></ul>
                }.into_any()),
                _ => None,
            }}
        </section>
    }
}

/// What the invite form says when the server refused the whole list: the
/// hourly allowance (R5.5) says when more may go; anything else as is.
fn invite_error_text(e: &AppError) -> String {
    match e {
        AppError::RateLimited { retry_after_secs } => format!(
            "The hourly limit on invitations has been reached, so nothing was sent. \
             You can send more in {}.",
            about_minutes(*retry_after_secs)
        ),
        other => other.to_string(),
    }
}
