//! Live status across app servers (SPEC R6.4; issue 14 item 4): two
//! listeners on one database — two app servers — each hear a unit change
//! committed through either, once per transaction, naming only the
//! project; an uncommitted change is heard by nobody.

use crate::common::*;
use offplan::db::{
    live::{Change, UnitChanges},
    testing::seeded_db,
};
use std::time::Duration;
use tokio::sync::broadcast::Receiver;

/// The next change within `within`, if any.
async fn next(rx: &mut Receiver<Change>, within: Duration) -> Option<Change> {
    tokio::time::timeout(within, rx.recv()).await.ok()?.ok()
}

#[tokio::test]
async fn two_servers_each_hear_a_committed_unit_change_once_and_an_uncommitted_one_never() {
    let db = seeded_db().await.unwrap();
    let project = marina(&db).await;
    let a101 = unit(&db, "A-101").await;
    let servers = [UnitChanges::listen(&db.app), UnitChanges::listen(&db.app)];
    let mut rx: Vec<_> = servers.iter().map(UnitChanges::subscribe).collect();
    // Each listener says when it is listening (and after any reconnect).
    for r in &mut rx {
        assert_eq!(next(r, Duration::from_secs(5)).await, Some(Change::Resync));
    }

    // A change rolled back is never heard.
    let mut tx = db.admin.pool_for_tests().begin().await.unwrap();
    sqlx::query("update units set version = version + 1 where id = $1")
        .bind(a101.as_uuid())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    for r in &mut rx {
        assert_eq!(next(r, Duration::from_millis(300)).await, None);
    }

    // Three units in one transaction: one message per server.
    let mut tx = db.admin.pool_for_tests().begin().await.unwrap();
    for code in ["A-101", "A-102", "A-103"] {
        sqlx::query("update units set version = version + 1 where project_id = $1 and code = $2")
            .bind(project.as_uuid())
            .bind(code)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    for r in &mut rx {
        let heard = next(r, Duration::from_secs(1)).await;
        assert_eq!(heard, Some(Change::Project(project)));
        assert!(heard.unwrap().concerns(project));
        assert_eq!(
            next(r, Duration::from_millis(300)).await,
            None,
            "folded into one"
        );
    }
}
