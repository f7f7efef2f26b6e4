//! Integration tests: the repository against a real PostgreSQL, a fresh
//! database per test, in one binary with a module per feature (as
//! `server/tests/http_suite` is).

#![expect(
    clippy::unwrap_used,
    reason = "a panic in a test is a failed assertion"
)]
#![expect(
    clippy::disallowed_methods,
    reason = "tests arrange states the application never writes and probe the walls with statements that must fail; runtime SQL is their tool (clippy.toml)"
)]

mod allocation;
mod buyers;
mod clients;
mod common;
mod identity;
mod live;
mod organisations;
mod partners;
mod presentation;
mod project_activity;
mod projects;
mod repository;
mod reverse_invitations;
mod team;
mod walls;
