//! Live status (SPEC R6.4; issue 14 item 4): every open board hears, within
//! a second, that a unit of its project changed, on whichever app server
//! the change was made.
//!
//! - A trigger on `units` (migration `unit_changes_notify`) sends
//!   `NOTIFY unit_changes, '<project id>'` when a row is inserted, updated
//!   or deleted; PostgreSQL delivers it at commit, to every server's
//!   listener, once per project per transaction (identical notifications
//!   in one transaction are folded).
//! - Each server runs one [`UnitChanges::listen`] task: one connection
//!   `LISTEN`s and fans each notification out to the open boards through a
//!   broadcast channel.
//! - The notification carries a project id and nothing else. A board that
//!   hears it re-reads itself through its scope, so what anyone sees is
//!   decided where it always is (row-level security and the pool rules);
//!   the stream's own handler re-checks the viewer's access on each one.
//! - When the listener's connection drops, notifications may have been
//!   missed: on reconnecting it sends [`Change::Resync`], and every board
//!   re-reads itself.

use super::Gate;
use crate::domain::ProjectId;
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio::sync::broadcast;

/// The channel the `units` trigger notifies.
pub const CHANNEL: &str = "unit_changes";

/// What a board hears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A unit of this project changed.
    Project(ProjectId),
    /// The listener reconnected: anything may have changed.
    Resync,
}

impl Change {
    /// Whether a board of `project` should re-read itself.
    pub fn concerns(self, project: ProjectId) -> bool {
        match self {
            Change::Project(p) => p == project,
            Change::Resync => true,
        }
    }
}

/// The fan-out of unit changes to this server's open boards. Cloning is
/// cheap.
#[derive(Clone, Debug)]
pub struct UnitChanges {
    tx: broadcast::Sender<Change>,
}

impl UnitChanges {
    /// Starts this server's listener on `gate`'s pool (one connection, held
    /// for as long as the server runs) and answers its fan-out.
    pub fn listen(gate: &Gate) -> Self {
        // A board that falls this far behind re-reads itself (`Lagged`).
        let (tx, _) = broadcast::channel(1024);
        let changes = UnitChanges { tx };
        tokio::spawn(run(gate.pool.clone(), changes.tx.clone()));
        changes
    }

    /// A new board's subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }
}

async fn run(pool: sqlx::PgPool, tx: broadcast::Sender<Change>) {
    let mut backoff = Duration::from_millis(250);
    loop {
        let started = std::time::Instant::now();
        let Err(e) = listen_once(&pool, &tx).await;
        tracing::warn!(error = %e, "unit change listener lost its connection; reconnecting");
        if started.elapsed() > Duration::from_secs(60) {
            backoff = Duration::from_millis(250);
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

/// Listens until the connection fails.
async fn listen_once(
    pool: &sqlx::PgPool,
    tx: &broadcast::Sender<Change>,
) -> Result<std::convert::Infallible, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    // Listening again after a loss: whatever was sent meanwhile is gone.
    let _ = tx.send(Change::Resync);
    loop {
        // `None`: the connection was lost (what was sent meanwhile with it).
        let Some(n) = listener.try_recv().await? else {
            return Err(sqlx::Error::PoolClosed);
        };
        match ProjectId::parse(n.payload()) {
            // No receivers (no board open) is not a failure.
            Some(p) => drop(tx.send(Change::Project(p))),
            None => tracing::warn!("a unit change notification whose payload is no project id"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_board_hears_its_own_project_and_every_resync() {
        let a = ProjectId::parse("7d3b8f0c-1111-4a4a-9b9b-000000000001").unwrap();
        let b = ProjectId::parse("7d3b8f0c-1111-4a4a-9b9b-000000000002").unwrap();
        assert!(Change::Project(a).concerns(a));
        assert!(!Change::Project(b).concerns(a));
        assert!(Change::Resync.concerns(a));
    }
}
