//! What a repository function can answer besides its value. The web layer
//! maps it onto `AppError` (adding the request id to internal failures).

use crate::{policy::Denied, AppError};

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// Missing, or another tenant's (SPEC R2.5: never say which).
    #[error("not found")]
    NotFound,
    /// The actor's own tenant, but the role may not (R2.5).
    #[error(transparent)]
    Forbidden(#[from] Denied),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl RepoError {
    /// The `AppError` a person sees; `internal` turns a database failure
    /// into a logged, referenced internal error.
    pub fn into_app_error(self, internal: impl FnOnce(sqlx::Error) -> AppError) -> AppError {
        match self {
            RepoError::NotFound => AppError::NotFound,
            RepoError::Forbidden(_) => AppError::Forbidden,
            RepoError::Conflict(message) => AppError::Conflict { message },
            RepoError::Database(e) => internal(e),
        }
    }
}
