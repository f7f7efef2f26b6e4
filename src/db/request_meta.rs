//! Where a request came from: kept with sessions, security events and the
//! personal-data part of audit events. A neutral module so that features
//! (identity, invitations, the audit log) can all take it without
//! importing one another.

/// Where a request came from, for sessions and security events.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    /// The user agent as stored: at most 400 characters.
    pub(crate) fn user_agent(&self) -> Option<String> {
        self.user_agent
            .as_deref()
            .map(|ua| ua.chars().take(400).collect())
    }
}
