//! Builds the application from a [`Config`]: database (created and migrated
//! if needed), the router's state, the router (`router.rs`) and a
//! listener. `main` and the HTTP tests start it the same way.

use crate::{config::Config, jobs, router::router, state::AppState};
use app::ssr::{AuthServices, Limit, Limits};
use axum::Router;
use leptos::prelude::LeptosOptions;
use offplan::{breach::BreachChecker, db::Db, password_hash::PasswordHasher};
use std::{future::Future, net::SocketAddr};
use tokio::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] offplan::db::DbError),
    #[error(transparent)]
    Hash(#[from] offplan::password_hash::HashError),
    #[error("could not open the media store (MEDIA_STORE): {0}")]
    MediaStore(#[from] object_store::Error),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
}

impl Application {
    /// Connects (creating and migrating the database if needed) and binds
    /// `config.listen_addr`; port 0 picks a free port.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        // `?` from a repository error in a server function logs the failure
        // with this request's id (offplan::error).
        offplan::error::set_request_id_reader(app::ssr::request_id);
        // Migrates over DATABASE_ADMIN_URL, then serves as offplan_app over
        // DATABASE_URL (refused if that role could escape RLS, R10.3).
        let settings = config.db_settings();
        let mut db = Db::connect_and_migrate(&settings).await?;
        // /dev/outbox reads mail through the owner's connection, held only
        // in development: the runtime role cannot read the outbox (R5.4).
        if config.environment == crate::config::Environment::Development {
            db = db.with_dev_outbox(&settings).await?;
        }
        let addr = config.listen_addr;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        // Emailed links carry a port from configuration only (issue 10);
        // in development that defaults to the port actually bound.
        let bound_port = listener.local_addr().ok().map(|a| a.port());
        let mut auth = auth_services(&config)?;
        if auth.link_port.is_none() && config.environment == crate::config::Environment::Development
        {
            auth.link_port = bound_port;
        }
        jobs::spawn(&config, db.clone());
        let media_store = crate::media::store::build(&config.media.store)?;
        let mut config = config;
        // Development's default media origin names the port actually bound
        // (as emailed links do), when the server was asked for port 0.
        if config.environment == crate::config::Environment::Development {
            if let (Some(base), Some(port)) = (config.media.base_url.strip_suffix(":0"), bound_port)
            {
                config.media.base_url = format!("{base}:{port}");
            }
        }
        let router = router(AppState::new(
            leptos_options(&config),
            config,
            db.clone(),
            auth,
            media_store,
        ));
        Ok(Self {
            listener,
            router,
            db,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests
    /// and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        self.db.close().await;
        Ok(())
    }
}

fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("offplan")
        // Leptos names the hashed /pkg files in every page when
        // cargo-leptos left their hashes beside this binary.
        .hash_files(crate::assets::hash_file().is_some())
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.listen_addr)
        .env(match config.environment {
            crate::config::Environment::Production => leptos::config::Env::PROD,
            crate::config::Environment::Development => leptos::config::Env::DEV,
        })
        .build()
}

/// Password hashing, the breach check and the abuse limits (SPEC R3.2,
/// R3.7), from configuration.
pub fn auth_services(config: &Config) -> Result<AuthServices, offplan::password_hash::HashError> {
    // One argon2 hash per core at a time: a burst of sign-ins queues on the
    // semaphore instead of starving the runtime (DESIGN.md).
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let minutes = |m: i64| m * 60;
    Ok(AuthServices {
        hasher: PasswordHasher::new(cores)?,
        breach: BreachChecker::new(config.hibp_url.clone(), config.hibp_timeout),
        limits: Limits {
            login_ip: Limit {
                max: config.login_limit_per_ip,
                window_secs: minutes(5),
            },
            login_account: Limit {
                max: 10,
                window_secs: minutes(15),
            },
            signup_ip: Limit {
                max: config.signup_limit_per_ip,
                window_secs: minutes(60),
            },
            reset_ip: Limit {
                max: 10,
                window_secs: minutes(15),
            },
            reset_account: Limit {
                max: 3,
                window_secs: minutes(60),
            },
            token_ip: Limit {
                max: config.token_limit_per_ip,
                window_secs: minutes(5),
            },
            token_burst: Limit {
                max: config.token_burst_threshold,
                window_secs: minutes(10),
            },
        },
        dev_outbox: config.environment == crate::config::Environment::Development,
        google: config.google.is_some(),
        totp_keys: config.totp_keys.clone(),
        link_port: config.public_port,
    })
}

/// Completes on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
