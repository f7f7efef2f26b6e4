//! One error type for the application (DESIGN.md, "Requests, errors,
//! sessions"). It maps to an HTTP status and travels through server
//! functions as a typed value the UI can match on. Internal causes are logged
//! once at the boundary with a request id and never shown.

mod conflict;

pub use conflict::{about_minutes, Conflict, TransferGate};

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// Why an action the role allows is refused anyway (HTTP 403). Each
/// reason is a variant, so a page can act on it; its message is the
/// sentence people read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    /// R1.9: the organisation has not accepted `version` of the
    /// data-processing terms (the current one), so buyer features are off.
    #[error("{}", crate::domain::terms::GATE_CLOSED)]
    TermsNotAccepted { version: String },
}

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
    /// A 403 that says why (SPEC R1.9: the joint-controller gate is
    /// closed), so the page can explain it and offer the way out.
    #[error("{0}")]
    Refused(Refusal),
    /// The request collides with the current state; the variant says how
    /// (the stock conflict modal reads its holder and version, R6.3).
    #[error("{0}")]
    Conflict(
        #[from]
        #[serde(with = "conflict::wire")]
        Conflict,
    ),
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
            AppError::Refused(_) => 403,
            AppError::Conflict(_) => 409,
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

/// A conflict the transfer gate found is a 409 like any other (R4.6).
impl From<TransferGate> for AppError {
    fn from(why: TransferGate) -> Self {
        AppError::Conflict(why.into())
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

/// How the `offplan` crate learns the current request's id. The web layer
/// knows it (the `x-request-id` header in the request context) but the
/// `From` conversions of repository errors live here (the orphan rule), so
/// the server installs a reader once at start-up (`set_request_id_reader`)
/// and [`AppError::internal`] calls it.
#[cfg(feature = "ssr")]
static REQUEST_ID: std::sync::OnceLock<fn() -> String> = std::sync::OnceLock::new();

/// Installs the reader of the current request's id; the first call wins
/// (the server calls it once with `offplan_app::ssr::request_id`).
#[cfg(feature = "ssr")]
pub fn set_request_id_reader(read: fn() -> String) {
    // A second start-up in the same process (the HTTP tests) installs the
    // same function; keeping the first is the same.
    let _ = REQUEST_ID.set(read);
}

/// The current request's id, or "unknown" before a reader is installed.
#[cfg(feature = "ssr")]
pub fn current_request_id() -> String {
    REQUEST_ID
        .get()
        .map_or_else(|| "unknown".to_owned(), |read| read())
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Logs an internal failure once, with the current request's id, and
    /// returns the error the person sees: a reference, never the cause
    /// (STYLE.md §4). The `From` conversions of repository errors end here.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::internal_for(current_request_id(), cause)
    }

    /// [`AppError::internal`] for a caller that holds the request id itself
    /// (a plain axum handler, outside the request context).
    pub fn internal_for(request_id: String, cause: impl std::fmt::Display) -> Self {
        tracing::error!(request.id = %request_id, error = %cause, "internal error");
        AppError::Internal { request_id }
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
    fn a_closed_gate_is_a_403_that_says_why() {
        let err = AppError::Refused(Refusal::TermsNotAccepted {
            version: "data-processing-v1".into(),
        });
        assert_eq!(err.status(), 403);
        assert!(err.to_string().contains("data-processing terms"));
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
