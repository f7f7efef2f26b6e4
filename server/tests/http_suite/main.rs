//! HTTP tests: a real server on port 0 with a fresh database, in one test
//! binary (one link, shared helpers).

#![expect(
    clippy::unwrap_used,
    reason = "a panic in a test is a failed assertion"
)]

mod assets;
mod auth;
mod auth_review;
mod board;
mod buyer_page;
mod buyers;
mod clients;
mod edges;
mod fuzz;
mod health;
mod live;
mod media;
mod partners;
mod project_activity;
mod projects;
mod reverse_invitations;
mod site;
mod support;
mod team;
