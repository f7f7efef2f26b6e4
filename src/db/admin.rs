//! The owner's handle, for operator commands only: migrations, demo data,
//! the integrity scan. It connects without `SET ROLE`, so row-level
//! security does not confine it; the web server never holds one.

use super::{DbError, DbSettings, MIGRATOR};
use sqlx::{postgres::PgPoolOptions, PgPool};

pub struct AdminDb {
    pub(crate) pool: PgPool,
}

impl AdminDb {
    /// Creates the database if missing and runs pending migrations.
    pub async fn connect_and_migrate(settings: &DbSettings) -> Result<Self, DbError> {
        settings.ensure_database().await?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(settings.connect_options()?)
            .await
            .map_err(DbError::Connect)?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
