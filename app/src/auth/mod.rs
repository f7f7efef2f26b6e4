//! Sign-up, sign-in, second factor, password reset and "where you're
//! signed in" (SPEC §3). Server functions here are the whole API of the
//! identity pages; each re-reads the session from the database (R3.8) and
//! counts against the abuse limits (R3.7). Pages are in [`pages`].
//!
//! A file by concern, all re-exported here: `sign_in.rs` (the page's
//! options, password sign-in, the second factor, signing out, the
//! organisation picker), `sign_up.rs` (sign-up, with Google too),
//! `email.rs` (proving an address), `reset.rs` (a forgotten password),
//! `security.rs` (sessions and the password on the Security page),
//! `totp_enrol.rs` (setting up a second factor), `outbox.rs` (the
//! development outbox). `door` (server only) is the one way to a session.

#[cfg(feature = "ssr")]
pub mod door;
mod email;
mod outbox;
pub mod pages;
mod reset;
mod security;
mod sign_in;
mod sign_up;
#[cfg(feature = "ssr")]
mod totp;
mod totp_enrol;

use serde::{Deserialize, Serialize};

pub use email::*;
pub use outbox::*;
pub use pages::*;
pub use reset::*;
pub use security::*;
pub use sign_in::*;
pub use sign_up::*;
pub use totp_enrol::*;

/// What the Google callback leaves in the session when there is no
/// account yet (written by the server's Google handler).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoogleSignup {
    pub subject: String,
    pub email: String,
    pub name: Option<String>,
    /// Unix seconds.
    pub at: i64,
}
