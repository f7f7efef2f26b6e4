//! Link flags for the browser's wasm (issue 11 item 5).
//!
//! `--no-merge-data-segments`: wasm-ld otherwise merges every constant
//! string of the program into one data segment, which the wasm splitter
//! cannot attribute to a route, so all of them stay in the main module
//! that every page loads (cargo-leptos issue #679). Kept apart, each
//! route's strings travel in that route's chunk.
fn main() {
    let target = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if target == "wasm32" {
        println!("cargo:rustc-link-arg-cdylib=--no-merge-data-segments");
    }
}
