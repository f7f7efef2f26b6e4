//! The repository: the only module in the workspace that holds SQL.
//!
//! [`Db`] owns the connection pool privately. Tenant data will only be
//! reachable through scoped handles; the few lookups that must run before a
//! tenant is known (host → organisation) live in [`unscoped`].

pub mod seed;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod unscoped;

use sqlx::{
    migrate::MigrateDatabase,
    postgres::{PgConnectOptions, PgPoolOptions},
    ConnectOptions, PgPool, Postgres,
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

impl Db {
    /// Creates the database if it is missing, runs the migrations, and
    /// returns a pool. Safe to call on every start-up.
    #[tracing::instrument(skip_all)]
    pub async fn connect_and_migrate(settings: &DbSettings) -> Result<Self, DbError> {
        let options = PgConnectOptions::from_str(&settings.url)
            .map_err(DbError::BadUrl)?
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(250));
        if !Postgres::database_exists(&settings.url)
            .await
            .map_err(DbError::Connect)?
        {
            tracing::info!("database missing; creating it");
            match Postgres::create_database(&settings.url).await {
                Ok(()) => {}
                // Another process created it between our check and create.
                Err(e) if is_duplicate_database(&e) => {}
                Err(e) => return Err(DbError::Create(e)),
            }
        }
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(DbError::Connect)?;
        MIGRATOR.run(&pool).await?;
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
