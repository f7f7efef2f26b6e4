//! The axum server. [`startup`] builds the application from [`config`]:
//! the router's [`state`], the [`router`] with its middleware (tenant,
//! client_ip, csrf, auth, security, fn_status), its handlers (health,
//! google, audit_export), the front end's files ([`assets`]) and the
//! background [`jobs`]. [`cli`] is the command line; `main.rs` only parses
//! and runs it. Tests start the same [`startup::Application`] on port 0.

pub mod assets;
pub mod audit_export;
pub mod auth;
pub mod buyer_page;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod csrf;
pub mod fn_status;
pub mod google;
pub mod health;
pub mod jobs;
pub mod live;
pub mod media;
pub mod router;
pub mod security;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tenant;
