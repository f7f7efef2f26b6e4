//! The request's handle on the database (DESIGN.md, wall 2; STYLE.md
//! convention 2). What a server function, a middleware or a job can do with
//! it is exactly:
//!
//! - [`Gate::scope`] (in [`super::scope`]): the only door to tenant data,
//!   a transaction for one member of one organisation, their membership
//!   re-read from the database (SPEC R2.4);
//! - the unscoped operations in [`super::unscoped`], each named for what it
//!   does: sign-in and sessions, rate limits, token lookups by hash, host →
//!   brand, sign-up, Google matching, outbox delivery.
//!
//! It holds the runtime pool privately, so nothing outside `offplan::db`
//! can run SQL through it. The server's [`super::Db`] (connect, migrate,
//! health, session store) hands it out; the app receives a `Gate`, never a
//! `Db`.

use sqlx::PgPool;

/// Cloning is cheap (the pools are shared).
#[derive(Clone)]
pub struct Gate {
    /// The runtime pool: every connection logs in as `offplan_app`.
    pub(crate) pool: PgPool,
    /// Development only: the owner's pool, through which `/dev/outbox`
    /// reads mail the runtime role may not (see [`super::outbox`]). `None`
    /// unless [`super::Db::with_dev_outbox`] was called, which the server
    /// does only when APP_ENV=development.
    pub(crate) dev_outbox: Option<PgPool>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").finish_non_exhaustive()
    }
}
