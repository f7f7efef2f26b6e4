//! The development outbox (never in production).

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The development-only outbox (never in production): what would have
/// been emailed, so a person and the browser tests can follow links.
#[server(endpoint = "dev/outbox")]
pub async fn dev_outbox() -> Result<Vec<OutboxView>, AppError> {
    use crate::ssr;
    if !ssr::auth()?.dev_outbox {
        return Err(AppError::NotFound);
    }
    Ok(ssr::gate()?
        .outbox_recent(50)
        .await?
        .into_iter()
        .map(|m| OutboxView {
            id: m.id,
            to: m.to_email,
            subject: m.subject,
            body: m.body_text,
            queued: m.created_at.to_string(),
            sent: m.sent_at.is_some(),
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub queued: String,
    pub sent: bool,
}
