//! `offplan`: the domain, policy and scoped repository of the platform.
//!
//! Pure types (`domain`, `error`) compile for the browser too; everything
//! that talks to Postgres lives in [`db`] behind the `ssr` feature, and it is
//! the only place in the workspace that holds SQL (DESIGN.md, wall 2).

pub mod domain;
pub mod error;
pub mod policy;

#[cfg(feature = "ssr")]
pub mod breach;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod password_hash;
#[cfg(feature = "ssr")]
pub mod secret_box;
#[cfg(feature = "ssr")]
pub mod token;

pub use error::AppError;
