//! Background work of every app server: outbox delivery over SMTP when it
//! is configured (DESIGN.md: claimed with `SKIP LOCKED`, so two servers
//! never send one message twice) and housekeeping of expired sessions and
//! old rate-limit windows.

use crate::config::Config;
use lettre::{message::Mailbox, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use offplan::db::{identity::OutboxMessage, Db};
use std::time::Duration;
use tower_sessions::ExpiredDeletion;

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
    tokio::spawn(async move { housekeeping_forever(db).await });
}

async fn deliver_forever(db: Db, transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        let result = db
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
        if let Err(err) = db.rate_limit_prune().await {
            tracing::warn!(error = %err, "could not prune rate-limit windows");
        }
    }
}
