//! What a token lookup needs from the request, captured before the first
//! await, and the count of failed lookups behind the R5.5 burst alert.

#[cfg(feature = "ssr")]
use offplan::AppError;

/// A failed token lookup from this request's address, as captured before
/// any await ([`FailedLookup::capture`]), to be counted for the R5.5 burst
/// alert with [`FailedLookup::count`].
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct FailedLookup {
    /// `None` when the address is unknown: nothing to count against.
    bucket: Option<String>,
    meta: offplan::db::RequestMeta,
    /// The organisation whose address the lookup came to, if any: its
    /// audit log gets the alert.
    org: Option<offplan::domain::OrgId>,
}

#[cfg(feature = "ssr")]
impl FailedLookup {
    /// Reads the client address, request metadata and this host's
    /// organisation from the request context (synchronously: call it before
    /// the first await of a server function).
    pub fn capture() -> Self {
        use crate::ssr;
        FailedLookup {
            bucket: ssr::client_ip().map(|_| ssr::ip_bucket("token-miss")),
            meta: ssr::request_meta(),
            org: ssr::org_brand().ok().map(|b| b.id),
        }
    }

    /// Counts the failure; past `burst.max` in `burst.window_secs` the
    /// alert fires once (warning log line, security event, and the audit
    /// event of the host's organisation when there is one). Never fails the
    /// request: a counting error is logged and the caller answers as it
    /// would have.
    pub async fn count(&self, db: &offplan::db::Gate, burst: crate::ssr::Limit) {
        let Some(bucket) = &self.bucket else { return };
        if let Err(e) = db
            .note_token_miss(bucket, burst.max, burst.window_secs, &self.meta, self.org)
            .await
        {
            tracing::error!(error = %e, "could not count a failed token lookup");
        }
    }
}

/// R5.5 for every token path (invitations here; password reset and other
/// emailed links elsewhere): counts a failed token lookup from this
/// request's address towards the burst alert. On an organisation's host
/// the alert is also written to that organisation's audit log; elsewhere
/// (the central app's reset pages) it is a security event and a log line.
/// Reads the request context before its first await.
#[cfg(feature = "ssr")]
pub async fn count_failed_token_lookup(db: &offplan::db::Gate, burst: crate::ssr::Limit) {
    FailedLookup::capture().count(db, burst).await
}

/// What a token lookup needs from the request, captured up front.
#[cfg(feature = "ssr")]
pub(crate) struct TokenRequest {
    pub(crate) db: offplan::db::Gate,
    pub(crate) auth: crate::ssr::AuthServices,
    pub(crate) bucket: String,
    pub(crate) meta: offplan::db::RequestMeta,
    failed: FailedLookup,
}

#[cfg(feature = "ssr")]
impl TokenRequest {
    pub(crate) fn capture() -> Result<Self, AppError> {
        use crate::ssr;
        Ok(TokenRequest {
            db: ssr::gate()?,
            auth: ssr::auth()?,
            bucket: ssr::ip_bucket("token"),
            meta: ssr::request_meta(),
            failed: FailedLookup::capture(),
        })
    }

    pub(crate) async fn parse(&self, token: &str) -> Result<offplan::token::TokenHash, AppError> {
        match offplan::token::Token::parse(token) {
            Some(t) => Ok(t.hash()),
            None => Err(self.miss().await),
        }
    }

    /// A token that names nothing: a 404, counted for the burst alert (R5.5).
    pub(crate) async fn miss(&self) -> AppError {
        self.failed
            .count(&self.db, self.auth.limits.token_burst)
            .await;
        AppError::NotFound
    }
}
