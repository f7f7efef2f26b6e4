//! Builds the application from a [`Config`]: database (created and migrated
//! if needed), router, layers, and a listener. `main` and the HTTP tests
//! start it the same way.

use crate::{
    auth, client_ip, config::Config, csrf, google, health, jobs, security, telemetry, tenant,
};
use app::ssr::{AuthServices, Limit, Limits};
use app::{shell, App};
use axum::{extract::FromRef, middleware, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use offplan::{breach::BreachChecker, db::Db, password_hash::PasswordHasher};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// What every handler can reach. The database handle is the repository's
/// `Db`, whose pool is private: handlers cannot write SQL.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub auth: AuthServices,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] offplan::db::DbError),
    #[error(transparent)]
    Hash(#[from] offplan::password_hash::HashError),
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
        let router = router(config, db.clone(), auth);
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

/// The whole router: health, Leptos pages and server functions, static
/// files, and the layers every request passes through.
pub fn router(config: Config, db: Db, auth: AuthServices) -> Router {
    let https = config.public_scheme == "https";
    let state = AppState {
        leptos_options: leptos_options(&config),
        db: db.clone(),
        config: Arc::new(config),
        auth: auth.clone(),
    };
    // Pages and server functions get the repository handle and the identity
    // services through context.
    let context = move || {
        provide_context(db.clone());
        provide_context(auth.clone());
    };
    let routes = generate_route_list(App);

    let mut router = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .route(
            "/settings/audit/export.csv",
            get(crate::audit_export::export),
        )
        .route("/auth/google/start", get(google::start))
        .route("/auth/google/callback", get(google::callback))
        .layer(middleware::from_fn(crate::fn_status::refusal_status))
        // R3.8: who is signed in, re-read from the database per request.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::attach_user,
        ))
        .layer(auth::session_layer(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            tenant::resolve_site,
        ))
        .route("/healthz", get(health::healthz))
        // R3.7a: before any handler or server function can change state.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            csrf::refuse_cross_site,
        ))
        // Outside CSRF and tenant resolution, so both (and later the rate
        // limits) can read the client's address.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_ip::attach,
        ))
        // Issue 10: every body is bounded before any work is done for it
        // (413 on a declared length over the limit; a chunked body is cut
        // at the limit wherever it is read), and a NUL in the path, query
        // or a form is refused at the door (a 4xx, never Postgres 22021).
        .layer(security::body_limit())
        .layer(middleware::from_fn(security::bound_input))
        .layer(middleware::from_fn(security::csp_nonce));
    for layer in security::static_header_layers(https) {
        router = router.layer(layer);
    }
    router
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(telemetry::request_span))
                .layer(PropagateRequestIdLayer::x_request_id())
                // A request that takes longer than this is abandoned with a 503,
                // not left to hold a connection forever.
                .layer(TimeoutLayer::with_status_code(
                    http::StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(30),
                )),
        )
        .with_state(state)
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
