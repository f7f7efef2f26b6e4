//! The owner's handle, for operator commands only: migrations, demo data,
//! the integrity scan. It connects over `DATABASE_ADMIN_URL` as the owner,
//! which row-level security does not confine; the web server never holds
//! one (it migrates at start-up with one and closes it; in development it
//! also keeps a one-connection owner pool for `/dev/outbox` only).

use super::{DbError, DbSettings, MIGRATOR};
use sqlx::{postgres::PgPoolOptions, PgPool};

/// The owner's connection pool.
pub struct AdminDb {
    pub(crate) pool: PgPool,
}

impl AdminDb {
    /// Creates the database if missing and runs pending migrations, over
    /// `settings.admin_url` (an error when it is unset).
    pub async fn connect_and_migrate(settings: &DbSettings) -> Result<Self, DbError> {
        settings.ensure_database().await?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(settings.admin_connect_options()?)
            .await
            .map_err(DbError::Connect)?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
