//! One error type for the application (DESIGN.md, "Requests, errors,
//! sessions"). It maps to an HTTP status and travels through server
//! functions as a typed value the UI can match on. Internal causes are logged
//! once at the boundary with a request id and never shown.

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// A message tied to one form field, shown next to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("please sign in")]
    Unauthenticated,
    /// Missing, or another tenant's: never leak which (SPEC R2.5).
    #[error("not found")]
    NotFound,
    /// The actor's own tenant, but the role may not (SPEC R2.5).
    #[error("you don't have permission to do that")]
    Forbidden,
    #[error("{message}")]
    Conflict { message: String },
    #[error("please correct the highlighted fields")]
    Invalid(Vec<FieldError>),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u32 },
    /// Something broke on our side; `request_id` lets support find the log.
    #[error("something went wrong on our side (reference {request_id})")]
    Internal { request_id: String },
    /// The request never reached the server or its answer was unreadable.
    #[error("we couldn't reach the server; check your connection and try again")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::NotFound => 404,
            AppError::Forbidden => 403,
            AppError::Conflict { .. } => 409,
            AppError::Invalid(_) => 422,
            AppError::RateLimited { .. } => 429,
            AppError::Internal { .. } => 500,
            AppError::Transport(_) => 502,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// The message for one field, when this is a validation error.
    pub fn field_message(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.as_str()),
            _ => None,
        }
    }
}

/// A missing permission in the actor's own tenant is a 403 (SPEC R2.5).
impl From<crate::policy::Denied> for AppError {
    fn from(_: crate::policy::Denied) -> Self {
        AppError::Forbidden
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_tenant_is_404_and_a_missing_permission_is_403() {
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::Forbidden.status(), 403);
    }

    #[test]
    fn field_messages_are_found_by_field() {
        let err = AppError::invalid("subdomain", "this name is reserved");
        assert_eq!(
            err.field_message("subdomain"),
            Some("this name is reserved")
        );
        assert_eq!(err.field_message("email"), None);
    }

    #[test]
    fn internal_errors_show_only_a_reference() {
        let err = AppError::Internal {
            request_id: "abc".into(),
        };
        assert_eq!(
            err.to_string(),
            "something went wrong on our side (reference abc)"
        );
    }
}
