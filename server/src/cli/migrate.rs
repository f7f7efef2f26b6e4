//! `offplan-server migrate`: create the database if missing and run the
//! pending migrations, as the owner (R10.3), then exit.

use super::BoxError;
use crate::config::Config;
use offplan::db::admin::AdminDb;

pub async fn migrate(config: &Config) -> Result<(), BoxError> {
    AdminDb::connect_and_migrate(&config.db_settings())
        .await?
        .close()
        .await;
    println!("database is migrated");
    Ok(())
}
