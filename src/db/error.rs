//! What a repository function can answer besides its value, and how it
//! becomes the `AppError` a person sees: `?` converts it (internal failures
//! are logged once with the request id, see `crate::error`).

use crate::{
    error::{Conflict, Refusal},
    policy::Denied,
    AppError,
};

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// Missing, or another tenant's (SPEC R2.5: never say which).
    #[error("not found")]
    NotFound,
    /// The actor's own tenant, but the role may not (R2.5).
    #[error(transparent)]
    Forbidden(#[from] Denied),
    /// Allowed by the role, refused for a reason the person is told (403,
    /// e.g. the data-processing terms are not accepted, R1.9).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The request collides with the current state (409).
    #[error(transparent)]
    Conflict(#[from] Conflict),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl RepoError {
    /// The `AppError` a person sees; `internal` turns a database failure
    /// into a logged, referenced internal error. For a caller that knows the
    /// request id itself; everyone else uses `?` (the `From` below).
    pub fn into_app_error(self, internal: impl FnOnce(sqlx::Error) -> AppError) -> AppError {
        match self {
            RepoError::NotFound => AppError::NotFound,
            RepoError::Forbidden(_) => AppError::Forbidden,
            RepoError::Refused(why) => AppError::Refused(why),
            RepoError::Conflict(conflict) => AppError::Conflict(conflict),
            RepoError::Database(e) => internal(e),
        }
    }
}

impl From<crate::error::TransferGate> for RepoError {
    fn from(why: crate::error::TransferGate) -> Self {
        RepoError::Conflict(why.into())
    }
}

/// `?` from a repository call in a server function: a database failure is
/// logged once with the request id and shown as a reference.
impl From<RepoError> for AppError {
    fn from(e: RepoError) -> Self {
        e.into_app_error(AppError::internal)
    }
}

/// `?` from an unscoped repository call (sign-in, tokens, provisioning).
impl From<super::DbError> for AppError {
    fn from(e: super::DbError) -> Self {
        AppError::internal(e)
    }
}

/// The constraint a unique violation (SQLSTATE 23505) broke, if `err` is
/// one: the one place that reads it, so callers match on the constraint's
/// name (`Some("users_email_key")`) instead of on codes.
pub(crate) fn unique_violation(err: &sqlx::Error) -> Option<&str> {
    match err {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => db.constraint(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Permission, Role};

    fn hooked_request_id() -> String {
        "req-42".to_owned()
    }

    #[test]
    fn an_internal_repository_error_is_a_reference_to_the_hooked_request() {
        crate::error::set_request_id_reader(hooked_request_id);
        let err: AppError = RepoError::Database(sqlx::Error::PoolTimedOut).into();
        assert_eq!(
            err,
            AppError::Internal {
                request_id: "req-42".into()
            }
        );
        assert_eq!(err.status(), 500);
    }

    #[test]
    fn not_found_forbidden_and_conflict_keep_their_status() {
        let not_found: AppError = RepoError::NotFound.into();
        assert_eq!(not_found, AppError::NotFound);
        assert_eq!(not_found.status(), 404);

        let denied = Denied {
            role: Role::SalesAgent,
            permission: Permission::ManageMembers,
        };
        let forbidden: AppError = RepoError::from(denied).into();
        assert_eq!(forbidden, AppError::Forbidden);
        assert_eq!(forbidden.status(), 403);

        let conflict: AppError = RepoError::Conflict(Conflict::AlreadyOwner).into();
        assert_eq!(conflict, AppError::Conflict(Conflict::AlreadyOwner));
        assert_eq!(conflict.status(), 409);
        assert_eq!(conflict.to_string(), "You are already the Owner.");
    }

    #[test]
    fn a_non_database_error_is_no_unique_violation() {
        assert_eq!(unique_violation(&sqlx::Error::RowNotFound), None);
    }
}
