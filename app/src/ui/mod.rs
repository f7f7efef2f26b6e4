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

mod frame;
mod header;
mod page;
mod table;

pub use frame::{Framed, Standalone};
pub use header::SiteHeader;
pub use page::{EmptyState, PageHeader, SettingsNav};
pub use table::DataTable;
