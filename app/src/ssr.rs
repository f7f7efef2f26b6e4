//! Server-only helpers shared by server functions and the shell.

use leptos::prelude::*;
use offplan::{db::Db, AppError};

use crate::site::SiteInfo;

/// The per-request CSP nonce, put in the request extensions by the server's
/// security-headers middleware, which also sends it in the
/// `Content-Security-Policy` header.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Hands the request's nonce to Leptos so every inline script it renders
/// (the hydration bootstrap) carries it.
pub fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

/// The site this request is for, resolved from the Host header by the
/// server's tenant middleware (SPEC R7.1).
pub fn request_site() -> Result<SiteInfo, AppError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SiteInfo>().cloned())
        .ok_or_else(|| internal("no site resolved for this request"))
}

/// The database handle, provided by the server for every render and server
/// function call.
pub fn db() -> Result<Db, AppError> {
    use_context::<Db>().ok_or_else(|| internal("no database in context"))
}

/// The id tower-http assigned to this request, for error references.
pub fn request_id() -> String {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Logs an internal failure once, with the request id, and returns the
/// error the person sees: a reference, never the cause (STYLE.md §4).
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    let request_id = request_id();
    tracing::error!(request.id = %request_id, error = %cause, "internal error");
    AppError::Internal { request_id }
}

/// Sets the HTTP status of the page being rendered.
pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
