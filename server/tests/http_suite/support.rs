//! A real server on port 0 with its own fresh database, and a client that
//! sets the Host header (glibc does not resolve `*.localhost`).

use offplan::db::testing::{fresh_settings, url_with_database};
use offplan_server::{config::Config, startup::Application};
use std::net::SocketAddr;
use tokio::sync::oneshot;

pub const BASE: &str = "offplan.localhost";

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

impl TestApp {
    /// Starts the app against a fresh database (seeded with the demo data)
    /// or against `database_url` when given.
    pub async fn spawn() -> Self {
        let url = fresh_settings().url;
        let app = Self::spawn_with_database(&url).await;
        let db = offplan::db::admin::AdminDb::connect_and_migrate(&offplan::db::DbSettings {
            url,
            max_connections: 1,
            acquire_timeout: std::time::Duration::from_secs(5),
        })
        .await
        .expect("connect for seeding");
        offplan::db::seed::demo(&db).await.expect("seed");
        db.close().await;
        app
    }

    pub async fn spawn_with_database(database_url: &str) -> Self {
        let vars = [
            ("DATABASE_URL", database_url.to_owned()),
            ("BASE_DOMAIN", BASE.to_owned()),
            ("LISTEN_ADDR", "127.0.0.1:0".to_owned()),
            ("LEPTOS_SITE_ROOT", "../target/site".to_owned()),
        ];
        let config = Config::from_lookup(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.clone())
        })
        .expect("test config");
        let app = Application::build(config).await.expect("app builds");
        let addr = app.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            addr,
            client,
            _stop: stop,
        }
    }

    /// GET `path` on `host` (a full host name such as `acme.offplan.localhost`).
    pub async fn get(&self, host: &str, path: &str) -> reqwest::Response {
        self.client
            .get(format!("http://{}{}", self.addr, path))
            .header("host", format!("{host}:{}", self.addr.port()))
            .send()
            .await
            .expect("request")
    }
}

/// A database URL on the test server with a fresh name.
pub fn fresh_database_url() -> String {
    url_with_database(
        &offplan::db::testing::server_url(),
        &format!("offplan_t_{}", uuid::Uuid::new_v4().simple()),
    )
}
