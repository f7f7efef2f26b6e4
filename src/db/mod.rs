//! The repository: the only module in the workspace that holds SQL.
//!
//! Three walls keep tenants apart (DESIGN.md):
//! 1. the schema's composite keys refuse cross-tenant rows;
//! 2. [`Db`] owns its pool privately, and tenant data is reachable only
//!    through a [`Scope`], built from a membership loaded from the database
//!    for this request (SPEC R2.4); the few lookups that must run before a
//!    tenant is known live in [`unscoped`];
//! 3. every pooled connection runs as `offplan_app`, which row-level
//!    security confines to the organisation the scope set.
//!
//! Operator commands (migrations, seeding, the integrity scan) use
//! [`admin::AdminDb`], which connects as the owner role instead.

pub mod admin;
pub mod audit;
pub mod clients;
pub mod error;
pub mod identity;
pub mod integrity;
pub mod invitations;
pub mod operator;
pub mod projects;
pub mod scope;
pub mod seed;
pub mod team;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod units;
pub mod unscoped;

pub use error::RepoError;
pub use scope::{authorize, Membership, Scope};

use sqlx::{
    migrate::MigrateDatabase,
    postgres::{PgConnectOptions, PgPoolOptions},
    ConnectOptions, Executor, PgPool, Postgres,
};
use std::{str::FromStr, time::Duration};

/// Connection settings, from the server's typed configuration.
#[derive(Clone, Debug)]
pub struct DbSettings {
    pub url: String,
    pub max_connections: u32,
    /// How long a request waits for a free connection before failing; short,
    /// so `/healthz` answers 503 quickly when the database is down.
    pub acquire_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {0}")]
    BadUrl(#[source] sqlx::Error),
    #[error("could not create the database: {0}")]
    Create(#[source] sqlx::Error),
    #[error("could not connect to PostgreSQL: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}

/// A handle on the database. Cloning is cheap (the pool is shared).
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The runtime role (migration `app_role`): owns nothing, not superuser,
/// not BYPASSRLS.
pub const APP_ROLE: &str = "offplan_app";

impl DbSettings {
    fn connect_options(&self) -> Result<PgConnectOptions, DbError> {
        Ok(PgConnectOptions::from_str(&self.url)
            .map_err(DbError::BadUrl)?
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(250)))
    }

    /// Creates the database when it is missing.
    async fn ensure_database(&self) -> Result<(), DbError> {
        if !Postgres::database_exists(&self.url)
            .await
            .map_err(DbError::Connect)?
        {
            tracing::info!("database missing; creating it");
            match Postgres::create_database(&self.url).await {
                Ok(()) => {}
                // Another process created it between our check and create.
                Err(e) if is_duplicate_database(&e) => {}
                Err(e) => return Err(DbError::Create(e)),
            }
        }
        Ok(())
    }
}

impl Db {
    /// Creates the database if it is missing, runs the migrations as the
    /// owner, and returns the runtime pool, whose every connection has run
    /// `SET ROLE offplan_app`. Safe to call on every start-up.
    #[tracing::instrument(skip_all)]
    pub async fn connect_and_migrate(settings: &DbSettings) -> Result<Self, DbError> {
        admin::AdminDb::connect_and_migrate(settings)
            .await?
            .close()
            .await;
        Self::connect(settings).await
    }

    /// The tower-sessions store on the runtime pool; its table is created by
    /// the `identity` migration.
    pub fn session_store(&self) -> tower_sessions_sqlx_store::PostgresStore {
        tower_sessions_sqlx_store::PostgresStore::new(self.pool.clone())
    }

    /// The runtime pool, without migrating.
    pub async fn connect(settings: &DbSettings) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // A fixed statement, not user input.
                    conn.execute("set role offplan_app").await?;
                    Ok(())
                })
            })
            .connect_with(settings.connect_options()?)
            .await
            .map_err(DbError::Connect)?;
        Ok(Self { pool })
    }

    /// One round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query_scalar!(r#"select 1 as "one!""#)
            .fetch_one(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the pool, waiting for checked-out connections to return.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn is_duplicate_database(e: &sqlx::Error) -> bool {
    // 42P04 duplicate_database
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "42P04")
}
