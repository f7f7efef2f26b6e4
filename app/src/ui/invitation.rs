//! What every invitation landing page shares (personal, partner and client
//! invitations, R5.4, R5.6): the calm page for a link that no longer leads
//! anywhere, and the "signed in as someone else" panel.

use leptos::prelude::*;
use offplan::domain::InvitationState;

use super::LinkNotice;

/// What a closed invitation's page says, per kind of invitation.
pub struct ClosedTexts {
    pub expired: &'static str,
    pub revoked: &'static str,
    pub accepted: &'static str,
    pub declined: &'static str,
}

/// The page of an invitation that is no longer valid; `None` for a valid
/// one (the caller shows it).
pub fn closed_invitation(state: InvitationState, texts: &ClosedTexts) -> Option<AnyView> {
    let (title, body) = match state {
        InvitationState::Valid => return None,
        InvitationState::Expired => ("This invitation has expired", texts.expired),
        InvitationState::Revoked => ("This invitation was withdrawn", texts.revoked),
        InvitationState::Accepted => ("This invitation has already been used", texts.accepted),
        InvitationState::Declined => ("This invitation was declined", texts.declined),
    };
    Some(view! { <LinkNotice title body /> }.into_any())
}

/// The 404 page of a token that names no invitation (`from`: who to ask
/// for a new one).
#[component]
pub fn InvalidInvitationLink(body: &'static str) -> impl IntoView {
    view! { <LinkNotice title="This invitation link isn't valid" body status=404 /> }
}

/// Signed in as someone other than the invited address (R5.6): both
/// addresses, and a button that signs out and comes back to `landing`'s
/// page (`invite/switch`; a plain form post, so it works before and
/// without hydration).
#[component]
pub fn WrongAccount(
    viewer: String,
    invited: String,
    token: String,
    /// "" (a personal invitation), "partner" or "client".
    landing: &'static str,
) -> impl IntoView {
    view! {
        <div class="alert alert--warning" role="alert">
            "You're signed in as "<strong>{viewer}</strong>", but this invitation is for "<strong>{invited}</strong>"."
        </div>
        <form method="post" action="/api/invite/switch" class="form">
            <input type="hidden" name="token" value=token />
            <input type="hidden" name="landing" value=landing />
            <button type="submit" class="button button--brand">"Sign out and continue"</button>
        </form>
    }
}
