//! What the invitation pages show (SPEC R4.2, R5.4): plain values the
//! browser needs too, so they live here rather than in the repository.

use serde::{Deserialize, Serialize};

/// Where an invitation stands, as its landing page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationState {
    Valid,
    Expired,
    Revoked,
    Accepted,
    Declined,
}

/// What inviting one address did (R4.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteOutcome {
    Sent(String),
    /// A pending invitation to that address was renewed instead of duplicated.
    Refreshed(String),
    AlreadyMember(String),
}
