//! Shared UI: the pieces every page is built from, so a new page inherits
//! the same responsive, accessible behaviour (SPEC R7.2; issue 11 item 6).
//! Their look lives in `style/main.css` (one design system, no per-page
//! styling); markup here, tokens there.
//!
//! - [`SiteHeader`]: the banner; on narrow screens its navigation folds into
//!   a "Menu" disclosure that needs no script and works with the keyboard.
//! - [`Standalone`] / [`Framed`]: exactly one banner and one `<main>` per
//!   page, whether a page renders inside the site frame or on its own.
//! - [`DataTable`]: a table that becomes labelled, stacked rows on a phone.
//! - [`PageHeader`], [`EmptyState`], [`SettingsNav`]: what the settings
//!   pages share.
//! - [`EventList`], [`EventPager`], [`EventRow`] (`events`): audit events
//!   as the organisation's audit log and a project's activity log show them.
//! - [`Field`], [`TextArea`], [`NewPasswordField`], [`FormError`],
//!   [`Submit`] (`form`): the pieces of every form, errors next to their
//!   fields.
//! - [`html_text`]: text for the `<title>` or a `<textarea>`, which the
//!   server's HTML does not escape by itself.
//! - [`Modal`]: a dialog over the page (the stock conflict modal).
//! - [`ErrorPage`], [`SignInPrompt`]: what a page shows instead of itself;
//!   [`MovedTo`]: where it went (a permanent redirect).
//!
//! Features use these, never each other's components.

mod error;
mod events;
mod form;
mod frame;
mod header;
mod invitation;
mod modal;
mod page;
mod redirect;
mod table;
mod text;

pub use error::{ErrorPage, LinkNotice, SignInPrompt};
pub use events::{EventList, EventPager, EventRow};
pub use form::{
    last_error, navigate_on_success, Field, FormError, LastError, NewPasswordField, Submit,
    TextArea,
};
pub use frame::{Framed, Standalone};
pub use header::SiteHeader;
pub use invitation::{closed_invitation, ClosedTexts, InvalidInvitationLink, WrongAccount};
pub use modal::Modal;
pub use page::{EmptyState, PageHeader, SettingsNav};
pub use redirect::MovedTo;
pub use table::DataTable;
pub use text::html_text;
