//! The axum server: configuration, host → tenant resolution, security
//! headers, health and the Leptos routes. `main.rs` only parses the command
//! line; tests start the same [`startup::Application`] on port 0.

pub mod audit_cli;
pub mod audit_export;
pub mod auth;
pub mod client_ip;
pub mod config;
pub mod csrf;
pub mod fn_status;
pub mod google;
pub mod health;
pub mod jobs;
pub mod operator;
pub mod security;
pub mod startup;
pub mod telemetry;
pub mod tenant;
