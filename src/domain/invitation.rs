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

/// R5.3 (gate §1.4.C): the version id of [`REVERSE_LEGAL_BASIS_WORDING`],
/// stored with each reverse invitation. A new wording gets a new id; the
/// rows sent under the old one keep theirs.
pub const REVERSE_LEGAL_BASIS_VERSION: &str = "reverse-contact-v1";

/// What a Studio's inviter ticks before a reverse invitation goes out,
/// word for word.
pub const REVERSE_LEGAL_BASIS_WORDING: &str = "I confirm that our studio has a legal basis to \
     contact this person about offplan: they are the contact at our client for the work we do \
     together, and this invitation is part of that work. They can decline it, and they will not \
     be contacted again unless someone invites them.";
