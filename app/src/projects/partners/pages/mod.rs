//! The partners' pages: Project Settings → Partners (`partners.rs`) and the
//! forward invitation's landing page (`invite.rs`). Both render on the
//! server and hydrate; every control is a real form.

mod invite;
mod partners;

pub use invite::PartnerInvitePage;
pub use partners::PartnersPage;
