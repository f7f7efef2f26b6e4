//! Background work of every app server: outbox delivery over SMTP when it
//! is configured (DESIGN.md: claimed with `SKIP LOCKED`, so two servers
//! never send one message twice), the outbox purge (R5.4: delivered mail
//! keeps its body only briefly) and housekeeping of expired sessions and
//! old rate-limit windows.

use crate::config::Config;
use lettre::{message::Mailbox, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use offplan::db::{outbox::OutboxMessage, Db};
use std::time::Duration;
use tower_sessions::ExpiredDeletion;

/// How long a delivered message keeps its body (R5.4): long enough to look
/// into a delivery problem, short enough that the outbox is not an archive
/// of live links. Undelivered mail keeps its body until its links expire.
pub const OUTBOX_SENT_BODY_WINDOW: Duration = Duration::from_secs(10 * 60);

/// How often the outbox purge runs.
const OUTBOX_PURGE_EVERY: Duration = Duration::from_secs(60);

/// Spawns the background loops; they stop with the runtime.
pub fn spawn(config: &Config, db: Db) {
    let smtp = config.smtp_url.as_ref().map(|url| url.expose().to_owned());
    let from = config.mail_from.clone();
    if let Some(url) = smtp {
        match (
            AsyncSmtpTransport::<Tokio1Executor>::from_url(&url),
            from.parse::<Mailbox>(),
        ) {
            (Ok(builder), Ok(from)) => {
                let transport = builder.build();
                let db = db.clone();
                tokio::spawn(async move { deliver_forever(db, transport, from).await });
            }
            (Err(err), _) => {
                tracing::error!(error = %err, "SMTP_URL is not usable; mail stays in the outbox")
            }
            (_, Err(err)) => {
                tracing::error!(error = %err, "MAIL_FROM is not an address; mail stays in the outbox")
            }
        }
    } else {
        tracing::info!("no SMTP_URL: mail stays in the outbox");
    }
    let purge_db = db.clone();
    tokio::spawn(async move { purge_outbox_forever(purge_db).await });
    tokio::spawn(async move { housekeeping_forever(db).await });
}

/// R5.4: replaces the body of delivered mail after
/// [`OUTBOX_SENT_BODY_WINDOW`] and of undelivered mail once its links have
/// expired. Runs on every server; the update is idempotent.
async fn purge_outbox_forever(db: Db) {
    let mut tick = tokio::time::interval(OUTBOX_PURGE_EVERY);
    loop {
        tick.tick().await;
        match db.gate().purge_outbox(OUTBOX_SENT_BODY_WINDOW).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(redacted = n, "outbox bodies removed"),
            Err(err) => tracing::warn!(error = %err, "could not purge the outbox"),
        }
    }
}

async fn deliver_forever(db: Db, transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        let result = db
            .gate()
            .deliver_outbox(20, |m: OutboxMessage| {
                let transport = transport.clone();
                let from = from.clone();
                async move {
                    let to: Mailbox = m
                        .to_email
                        .parse()
                        .map_err(|e| format!("bad address: {e}"))?;
                    let email = Message::builder()
                        .from(from)
                        .to(to)
                        .subject(m.subject)
                        .body(m.body_text)
                        .map_err(|e| e.to_string())?;
                    transport
                        .send(email)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
            })
            .await;
        match result {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "outbox delivered"),
            Err(err) => tracing::warn!(error = %err, "outbox delivery failed"),
        }
    }
}

async fn housekeeping_forever(db: Db) {
    let store = db.session_store();
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(err) = store.delete_expired().await {
            tracing::warn!(error = %err, "could not delete expired sessions");
        }
        if let Err(err) = db.gate().rate_limit_prune().await {
            tracing::warn!(error = %err, "could not prune rate-limit windows");
        }
    }
}
