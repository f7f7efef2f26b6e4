//! A real server on port 0 with its own fresh database, and a client that
//! sets the Host header (glibc does not resolve `*.localhost`).

use offplan::db::testing::{fresh_settings, runtime_url_for, url_with_database};
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
        Self::spawn_with(&[]).await
    }

    /// Like `spawn`, with extra configuration; the demo people get the demo
    /// password.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        let settings = fresh_settings();
        let admin_url = settings
            .admin_url
            .clone()
            .expect("test settings have an owner URL");
        let app = Self::spawn_configured(&admin_url, extra).await;
        let db = offplan::db::admin::AdminDb::connect_and_migrate(&offplan::db::DbSettings {
            max_connections: 1,
            acquire_timeout: std::time::Duration::from_secs(5),
            ..settings
        })
        .await
        .expect("connect for seeding");
        offplan::db::seed::demo(&db).await.expect("seed");
        let phc = offplan::db::seed::demo_password_hash().await.expect("hash");
        offplan::db::seed::demo_passwords(&db, &phc)
            .await
            .expect("demo passwords");
        db.close().await;
        app
    }

    /// Starts the app against the database at `admin_url` (the owner's
    /// URL; the server itself logs in as offplan_app on the same server).
    pub async fn spawn_with_database(admin_url: &str) -> Self {
        Self::spawn_configured(admin_url, &[]).await
    }

    /// Like `spawn_with_database`, with extra configuration.
    pub async fn spawn_with_database_and(admin_url: &str, extra: &[(&str, &str)]) -> Self {
        Self::spawn_configured(admin_url, extra).await
    }

    async fn spawn_configured(admin_url: &str, extra: &[(&str, &str)]) -> Self {
        log_to_the_test();
        let mut vars = vec![
            // Explicitly development: unset APP_ENV is production (issue 10).
            ("APP_ENV".to_owned(), "development".to_owned()),
            // R10.3: serve as offplan_app, migrate as the owner.
            ("DATABASE_URL".to_owned(), runtime_url_for(admin_url)),
            ("DATABASE_ADMIN_URL".to_owned(), admin_url.to_owned()),
            ("BASE_DOMAIN".to_owned(), BASE.to_owned()),
            ("LISTEN_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
            ("LEPTOS_SITE_ROOT".to_owned(), "../target/site".to_owned()),
            // No network in tests; the breach test brings its own range API.
            ("HIBP_URL".to_owned(), "off".to_owned()),
        ];
        for (k, v) in extra {
            vars.retain(|(name, _)| name != k);
            vars.push(((*k).to_owned(), (*v).to_owned()));
        }
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

    /// POST a form to `path` on `host` as a same-origin browser would, with
    /// an optional session cookie and extra headers.
    pub async fn post_form(
        &self,
        host: &str,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let origin = format!("http://{host}:{}", self.addr.port());
        let mut req = self
            .client
            .post(format!("http://{}{}", self.addr, path))
            .header("host", format!("{host}:{}", self.addr.port()))
            .header("origin", origin)
            .header("accept", "application/json")
            .form(form);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("request")
    }

    /// GET with a session cookie.
    pub async fn get_with_cookie(&self, host: &str, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(format!("http://{}{}", self.addr, path))
            .header("host", format!("{host}:{}", self.addr.port()))
            .header("cookie", cookie)
            .send()
            .await
            .expect("request")
    }

    /// Signs `email` in with the demo password on `host`; the session cookie
    /// (`name=value`).
    pub async fn sign_in(&self, host: &str, email: &str) -> String {
        let res = self
            .post_form(
                host,
                "/api/auth/login",
                &[
                    ("email", email),
                    ("password", offplan::db::seed::DEMO_PASSWORD),
                ],
                None,
                &[],
            )
            .await;
        assert_eq!(
            res.status(),
            200,
            "sign-in of {email}: {:?}",
            res.text().await
        );
        session_cookie(&res).expect("a session cookie")
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

/// A database URL on the test server with a fresh name, as the owner.
pub fn fresh_database_url() -> String {
    url_with_database(
        &offplan::db::testing::server_url(),
        &format!("offplan_t_{}", uuid::Uuid::new_v4().simple()),
    )
}

/// The `name=value` of the session cookie a response sets, if any.
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("offplan_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Every attribute of the session cookie a response sets, lower-cased.
pub fn session_cookie_attributes(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("offplan_session="))
        .map(|v| v.to_ascii_lowercase())
}

/// The server's warnings and errors go to the test's captured output, so a
/// failing test shows why the server answered as it did (a 503 says which
/// lookup failed); passing tests print nothing. Each test's server runs on
/// that test's own thread (`#[tokio::test]` is single-threaded), so the
/// lines land in the right test's capture.
fn log_to_the_test() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .with_ansi(false)
        .try_init();
}
