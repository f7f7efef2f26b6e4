//! The email outbox (DESIGN.md; SPEC R5.4, R3.9): mail is queued in the
//! transaction of the change that causes it and delivered by a background
//! job.
//!
//! Mail holds live links (invitations, password resets), so the outbox is
//! behind the walls (migration `outbox_behind_the_walls`): the runtime role
//! may only INSERT. Delivery claims due mail through `outbox_claim_due`, a
//! SECURITY DEFINER function that returns unsent mail only; the purge
//! replaces the body of mail delivered a few minutes ago, and of mail never
//! delivered once its links have expired. The development-only
//! `/dev/outbox` page reads through the owner's connection, which the server
//! holds only when APP_ENV=development ([`super::Db::with_dev_outbox`]).
//! Delivery, the purge and that page are in [`super::unscoped::outbox`].

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// A queued email.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub to_email: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

/// Queues `body` for `to`, in the caller's transaction. Its links are taken
/// to live 30 days, the longest we mail (a reverse invitation, R5.3); use
/// [`queue_email_valid_for`] for mail whose links die sooner, so an
/// undeliverable body is removed as soon as it is useless.
pub(crate) async fn queue_email(
    conn: &mut PgConnection,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into outbox (to_email, subject, body_text) values ($1, $2, $3)",
        to,
        subject,
        body
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Like [`queue_email`], for mail whose links stop working after
/// `valid_for` (e.g. a one-hour password reset).
pub(crate) async fn queue_email_valid_for(
    conn: &mut PgConnection,
    to: &str,
    subject: &str,
    body: &str,
    valid_for: time::Duration,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into outbox (to_email, subject, body_text, links_expire_at)
         values ($1, $2, $3, now() + make_interval(secs => $4))",
        to,
        subject,
        body,
        valid_for.as_seconds_f64()
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
