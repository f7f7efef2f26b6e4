//! Server functions answer a refusal with the status it means.
//!
//! Leptos sends every `Err` from a server function as HTTP 500 with the
//! serialised error as the body. The body is our typed `AppError`, which
//! knows its status (404 another tenant's, 403 not your role, 409, 422, 429,
//! 401), so this layer reads it back and sets that status: clients, logs
//! and monitoring then see a refusal as a refusal, not an outage.

use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use offplan::AppError;

/// Larger bodies are not errors of ours; they pass through untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn refusal_status(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(status) = status_of(&bytes) {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn status_of(body: &[u8]) -> Option<StatusCode> {
    let err: AppError = serde_json::from_slice(body).ok()?;
    StatusCode::from_u16(err.status()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_refusal_gets_its_own_status() {
        let body = serde_json::to_vec(&AppError::Forbidden).unwrap();
        assert_eq!(status_of(&body), Some(StatusCode::FORBIDDEN));
        let body = serde_json::to_vec(&AppError::NotFound).unwrap();
        assert_eq!(status_of(&body), Some(StatusCode::NOT_FOUND));
        assert_eq!(status_of(b"<html>boom</html>"), None);
    }
}
