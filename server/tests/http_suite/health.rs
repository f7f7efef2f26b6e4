//! `/healthz` answers 503 when the database goes away. The app reaches
//! Postgres through a small TCP relay that the test cuts: a real outage,
//! not a mock.

use crate::support::{self, TestApp};
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};
use tokio::{io::copy_bidirectional, net::TcpListener, sync::Notify};

/// Relays TCP to `target` until `cut` is notified; then drops every
/// connection and refuses new ones.
async fn relay(target: SocketAddr) -> (SocketAddr, Arc<Notify>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cut = Arc::new(Notify::new());
    let down = Arc::new(AtomicBool::new(false));
    let (cut2, down2) = (cut.clone(), down.clone());
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = cut2.notified() => { down2.store(true, Ordering::SeqCst); return; }
                accepted = listener.accept() => {
                    let Ok((mut inbound, _)) = accepted else { continue };
                    let cut3 = cut2.clone();
                    tokio::spawn(async move {
                        let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else { return };
                        tokio::select! {
                            _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                            () = cut3.notified() => {}
                        }
                    });
                }
            }
        }
    });
    (addr, cut)
}

#[tokio::test]
async fn healthz_is_503_when_the_database_is_down_and_200_otherwise() {
    let server = offplan::db::testing::server_url();
    let (relay_addr, cut) = relay("127.0.0.1:5432".parse().unwrap()).await;
    // Same server and credentials, reached through the relay.
    let via_relay = support::fresh_database_url()
        .replace("127.0.0.1:5432", &relay_addr.to_string())
        .replace("localhost:5432", &relay_addr.to_string());
    assert!(
        server.contains("5432"),
        "the test expects the database on port 5432"
    );

    let app = TestApp::spawn_with_database(&via_relay).await;
    assert_eq!(app.get("127.0.0.1", "/healthz").await.status(), 200);

    cut.notify_waiters();
    let res = app.get("127.0.0.1", "/healthz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().await.unwrap(), "database unavailable\n");
}
