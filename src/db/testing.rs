//! Test support: a fresh, migrated database per test (STYLE.md §7).
//! Databases are named `offplan_t_<uuid>`; `scripts/drop-test-dbs.sh`
//! removes them before and after a run.

use super::{admin::AdminDb, Db, DbError, DbSettings, Gate};
use std::time::Duration;

/// The server to create test databases on, as the owner (it creates the
/// databases and runs the migrations): `TEST_DATABASE_URL`, else
/// `DATABASE_ADMIN_URL`, else the local cluster. Only its host and
/// credentials are used; each test gets its own database on it.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_ADMIN_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The runtime connection for a test database at `admin_url`: the same
/// server and database, logging in as `offplan_app`. Its credentials come
/// from `TEST_APP_DATABASE_URL` when set (a cluster where offplan_app has a
/// password); otherwise `offplan_app` with no password (the local cluster
/// trusts 127.0.0.1).
pub fn runtime_url_for(admin_url: &str) -> String {
    let database = database_name(admin_url);
    match std::env::var("TEST_APP_DATABASE_URL") {
        Ok(app) => url_with_database(&app, database),
        Err(_) => url_with_user(admin_url, super::APP_ROLE),
    }
}

/// The database name of a URL (empty when it has none).
fn database_name(url: &str) -> &str {
    let base = url.split_once('?').map_or(url, |(b, _)| b);
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    base[authority_end..]
        .find('/')
        .map_or("", |i| &base[authority_end + i + 1..])
}

/// `url` logging in as `user` with no password (host, database and query
/// kept).
pub fn url_with_user(url: &str, user: &str) -> String {
    let scheme_end = url.find("://").map(|i| i + 3).unwrap_or(0);
    let rest = &url[scheme_end..];
    // The authority ends at the first '/' or '?'; its user info at the last
    // '@' inside it.
    let authority_len = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = match rest[..authority_len].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    format!("{}{user}@{host}", &url[..scheme_end])
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

/// Settings for a brand-new database with a unique name: the runtime URL
/// logs in as `offplan_app`, the admin URL as the owner.
pub fn fresh_settings() -> DbSettings {
    let name = format!("offplan_t_{}", uuid::Uuid::new_v4().simple());
    let admin_url = url_with_database(&server_url(), &name);
    DbSettings {
        url: runtime_url_for(&admin_url),
        admin_url: Some(admin_url),
        max_connections: 8,
        acquire_timeout: Duration::from_secs(10),
    }
}

/// A fresh database: the runtime handle as the app gets it (a [`Gate`],
/// logged in as `offplan_app`, like the server) and the owner's.
pub struct TestDb {
    pub app: Gate,
    pub admin: AdminDb,
    pub settings: DbSettings,
}

/// A fresh database, created and migrated.
pub async fn fresh_db() -> Result<TestDb, DbError> {
    let settings = fresh_settings();
    let admin = AdminDb::connect_and_migrate(&settings).await?;
    let app = Db::connect(&settings).await?.gate().clone();
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

impl Gate {
    /// The runtime pool (every connection logs in as `offplan_app`), for
    /// tests that check what row-level security lets through.
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
    use super::{database_name, url_with_database, url_with_user};

    #[test]
    fn replaces_only_the_user() {
        assert_eq!(
            url_with_user("postgres://postgres@127.0.0.1:5432/x", "offplan_app"),
            "postgres://offplan_app@127.0.0.1:5432/x"
        );
        assert_eq!(
            url_with_user("postgresql://u:p@ss@h/db?sslmode=disable", "a"),
            "postgresql://a@h/db?sslmode=disable"
        );
        assert_eq!(
            url_with_user("postgres://h:5432", "a"),
            "postgres://a@h:5432"
        );
        assert_eq!(database_name("postgres://u@h:1/db?x=1"), "db");
        assert_eq!(database_name("postgres://u@h:1"), "");
    }

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
