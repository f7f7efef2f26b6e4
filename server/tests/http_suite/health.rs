//! `/healthz` answers 503 when the database goes away. The app reaches
//! Postgres through a small TCP relay that the test cuts: a real outage,
//! not a mock.

use crate::support::{self, TestApp};
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::{io::copy_bidirectional, net::TcpListener, sync::watch};

/// A TCP relay to the database that the test can cut.
struct Relay {
    addr: SocketAddr,
    down: watch::Sender<bool>,
    /// The accept loop and every relayed connection, while they run.
    live: Arc<AtomicUsize>,
}

impl Relay {
    /// Relays TCP to `target` until [`Relay::cut`].
    async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (down, down_rx) = watch::channel(false);
        let live = Arc::new(AtomicUsize::new(1));
        let live_loop = live.clone();
        tokio::spawn(async move {
            let mut down_loop = down_rx.clone();
            loop {
                tokio::select! {
                    _ = down_loop.wait_for(|d| *d) => break,
                    accepted = listener.accept() => {
                        let Ok((mut inbound, _)) = accepted else { continue };
                        let mut down_conn = down_rx.clone();
                        let live_conn = live_loop.clone();
                        live_conn.fetch_add(1, Ordering::SeqCst);
                        tokio::spawn(async move {
                            // A watch, not a notification: a connection
                            // accepted just before the cut still sees it.
                            if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                                tokio::select! {
                                    _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                                    _ = down_conn.wait_for(|d| *d) => {}
                                }
                            }
                            live_conn.fetch_sub(1, Ordering::SeqCst);
                        });
                    }
                }
            }
            drop(listener);
            live_loop.fetch_sub(1, Ordering::SeqCst);
        });
        Self { addr, down, live }
    }

    /// Drops every relayed connection and refuses new ones, and returns only
    /// once that is so: the outage is in place before the next request.
    async fn cut(&self) {
        self.down.send_replace(true);
        while self.live.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

#[tokio::test]
async fn healthz_is_503_when_the_database_is_down_and_200_otherwise() {
    let server = offplan::db::testing::server_url();
    let relay = Relay::start("127.0.0.1:5432".parse().unwrap()).await;
    let relay_addr = relay.addr;
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

    relay.cut().await;
    let res = app.get("127.0.0.1", "/healthz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().await.unwrap(), "database unavailable\n");
}
