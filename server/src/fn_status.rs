//! Server functions answer a refusal with the status it means.
//!
//! Leptos sends every `Err` from a server function as HTTP 500 with the
//! serialised error as the body. The body is our typed `AppError`, which
//! knows its status (404 another tenant's, 403 not your role, 409, 422, 429,
//! 401), so this layer reads it back and sets that status: clients, logs
//! and monitoring then see a refusal as a refusal, not an outage.
//!
//! Arguments that cannot be read (missing, malformed, the wrong encoding, a
//! body cut at the size limit) reach us as `AppError::Transport`, which on
//! the client means "the server was unreachable" (502). On the server it
//! means the request was bad: it becomes a 422 (413 for a body over the
//! limit) with a message the form shows, never a 5xx.

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

/// Sets the status of a server function's error response from its body.
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
    let Ok(err) = serde_json::from_slice::<AppError>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let too_large = matches!(&err, AppError::Transport(c) if c.contains(LIMIT_EXCEEDED));
    let err = as_refusal(err);
    if too_large {
        parts.status = StatusCode::PAYLOAD_TOO_LARGE;
    } else if let Ok(status) = StatusCode::from_u16(err.status()) {
        parts.status = status;
    }
    let Ok(body) = serde_json::to_vec(&err) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // The body changed length; the old header would be wrong.
    parts.headers.remove(http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// How `http_body_util::Limited` says a body went over the limit.
const LIMIT_EXCEEDED: &str = "length limit exceeded";

/// What the person is told when their request could not be read.
pub const UNREADABLE: &str =
    "This form arrived incomplete or in a shape we don't understand. Reload the page and try again.";

/// A server-side `Transport` error is a request we could not read: a field
/// error (on the missing field when serde names it, and on the form).
fn as_refusal(err: AppError) -> AppError {
    let AppError::Transport(cause) = err else {
        return err;
    };
    if cause.contains(LIMIT_EXCEEDED) {
        return AppError::invalid("form", crate::security::TOO_LARGE);
    }
    let mut errors = vec![offplan::error::FieldError {
        field: "form".to_owned(),
        message: UNREADABLE.to_owned(),
    }];
    if let Some(field) = missing_field(&cause) {
        errors.push(offplan::error::FieldError {
            field: field.to_owned(),
            message: "This field is missing.".to_owned(),
        });
    }
    AppError::Invalid(errors)
}

/// `missing field `email`` → `email` (serde's wording), when the name is a
/// plain identifier.
fn missing_field(cause: &str) -> Option<&str> {
    let (_, rest) = cause.split_once("missing field `")?;
    let (name, _) = rest.split_once('`')?;
    (!name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_refusal_keeps_its_own_status() {
        assert_eq!(as_refusal(AppError::Forbidden).status(), 403);
        assert_eq!(as_refusal(AppError::NotFound).status(), 404);
    }

    #[test]
    fn unreadable_arguments_are_a_field_error_not_a_bad_gateway() {
        let err = as_refusal(AppError::Transport(
            "error deserializing server function arguments: missing field `email`".into(),
        ));
        assert_eq!(err.status(), 422);
        assert_eq!(err.field_message("form"), Some(UNREADABLE));
        assert_eq!(err.field_message("email"), Some("This field is missing."));
        let err = as_refusal(AppError::Transport("missing argument ".into()));
        assert_eq!(err.status(), 422);
        let err = as_refusal(AppError::Transport(
            "error deserializing server function results: length limit exceeded".into(),
        ));
        assert_eq!(err.field_message("form"), Some(crate::security::TOO_LARGE));
    }

    #[test]
    fn a_strange_field_name_is_not_echoed_back() {
        assert_eq!(missing_field("missing field `a b<script>`"), None);
        assert_eq!(missing_field("missing field `next`"), Some("next"));
    }
}
