//! Test support: a fresh, migrated database per test (STYLE.md §7).
//! Databases are named `offplan_t_<uuid>`; `scripts/drop-test-dbs.sh`
//! removes them before and after a run.

use super::{Db, DbError, DbSettings};
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

/// A fresh database, created and migrated.
pub async fn fresh_db() -> Result<Db, DbError> {
    Db::connect_and_migrate(&fresh_settings()).await
}

impl Db {
    /// The pool, for tests that must check what the database itself does.
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
