//! The identity pages. Each is complete HTML from the server and works as a
//! plain form before hydration; once hydrated, errors appear next to their
//! fields without a reload and buttons show when they are busy.
//!
//! A file per page or small group: `login.rs` (sign-in and its second
//! step), `signup.rs` (sign-up, "check your inbox", confirming an address),
//! `orgs.rs` (the organisation picker), `reset.rs` (forgot and reset),
//! `security.rs` (the Security page), `outbox.rs` (the development outbox).

mod login;
mod orgs;
mod outbox;
mod reset;
mod security;
mod signup;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub use login::*;
pub use orgs::*;
pub use outbox::*;
pub use reset::*;
pub use security::*;
pub use signup::*;

fn query(name: &'static str) -> Memo<Option<String>> {
    let q = use_query_map();
    Memo::new(move |_| q.read().get(name))
}
