//! Test support: a fresh, migrated database per test (STYLE.md §7).
//! Databases are named `offplan_t_<uuid>`; `scripts/drop-test-dbs.sh`
//! removes them before and after a run.

use super::{admin::AdminDb, Db, DbError, DbSettings};
use std::time::Duration;

/// The server to create test databases on: `TEST_DATABASE_URL`, else
/// `DATABASE_URL`, else the local cluster. Only its host and credentials are
/// used; each test gets its own database on it.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database name replaced by `name` (query string kept).
pub fn url_with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    // postgres://user@host:port/db -> keep everything up to the last '/'
    // after the authority.
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let prefix = match base[authority_end..].find('/') {
        Some(i) => &base[..authority_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// Settings for a brand-new database with a unique name.
pub fn fresh_settings() -> DbSettings {
    let name = format!("offplan_t_{}", uuid::Uuid::new_v4().simple());
    DbSettings {
        url: url_with_database(&server_url(), &name),
        max_connections: 8,
        acquire_timeout: Duration::from_secs(10),
    }
}

/// A fresh database: the runtime handle (as `offplan_app`) and the owner's.
pub struct TestDb {
    pub app: Db,
    pub admin: AdminDb,
    pub settings: DbSettings,
}

/// A fresh database, created and migrated.
pub async fn fresh_db() -> Result<TestDb, DbError> {
    let settings = fresh_settings();
    let admin = AdminDb::connect_and_migrate(&settings).await?;
    let app = Db::connect(&settings).await?;
    Ok(TestDb {
        app,
        admin,
        settings,
    })
}

/// A fresh database with the demo data.
pub async fn seeded_db() -> Result<TestDb, DbError> {
    let db = fresh_db().await?;
    super::seed::demo(&db.admin).await?;
    Ok(db)
}

impl Db {
    /// The runtime pool (every connection is `offplan_app`), for tests that
    /// check what row-level security lets through.
    pub fn pool_for_tests(&self) -> &sqlx::PgPool {
        &self.pool
    }
}

impl AdminDb {
    /// The owner's pool, for tests that arrange data or act as a superuser.
    pub fn pool_for_tests(&self) -> &sqlx::PgPool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::url_with_database;

    #[test]
    fn replaces_only_the_database_name() {
        assert_eq!(
            url_with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            url_with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
            "postgresql://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            url_with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
