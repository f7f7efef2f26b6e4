//! The repository: the only module in the workspace that holds SQL.
//!
//! Three walls keep tenants apart (DESIGN.md):
//! 1. the schema's composite keys refuse cross-tenant rows;
//! 2. the pool is private to this module. The server holds a [`Db`]
//!    (connect, migrate, health, the session store) and hands requests a
//!    [`Gate`], through which tenant data is reachable only as a [`Scope`],
//!    built from a membership loaded from the database for this request
//!    (SPEC R2.4); the few operations that must run without one live in
//!    [`unscoped`], each named for what it does. [`tenant`] is the one
//!    place that sets what row-level security reads;
//! 3. every pooled connection *logs in* as `offplan_app`, which row-level
//!    security confines to the organisation the scope set; [`Db::connect`]
//!    refuses a connection that could step outside it.
//!
//! Operator commands (migrations, seeding, the integrity scan) use
//! [`admin::AdminDb`], which connects as the owner role over a separate URL
//! (`DATABASE_ADMIN_URL`).

pub mod admin;
pub mod audit;
pub mod buyers;
pub mod clients;
pub mod error;
mod gate;
pub mod idempotency;
pub mod integrity;
pub mod invitations;
pub mod live;
pub mod media;
pub mod outbox;
pub mod projects;
mod request_meta;
pub mod scope;
pub mod security_events;
pub mod seed;
pub mod team;
mod tenant;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod units;
pub mod unscoped;

pub use error::RepoError;
pub use gate::Gate;
pub use request_meta::RequestMeta;
pub use scope::{authorize, Membership, Scope};
pub use security_events::SecurityEvent;

use sqlx::{
    migrate::MigrateDatabase,
    postgres::{PgConnectOptions, PgPoolOptions},
    ConnectOptions, PgPool, Postgres,
};
use std::{str::FromStr, time::Duration};

/// Connection settings, from the server's typed configuration.
#[derive(Clone, Debug)]
pub struct DbSettings {
    /// The runtime connection: logs in as `offplan_app` (`DATABASE_URL`).
    pub url: String,
    /// The owner's connection, for migrations and operator commands
    /// (`DATABASE_ADMIN_URL`). `None` in production when the serving
    /// processes are not given owner credentials: migrations then run as a
    /// separate `offplan-server migrate` step.
    pub admin_url: Option<String>,
    pub max_connections: u32,
    /// How long a request waits for a free connection before failing; short,
    /// so `/healthz` answers 503 quickly when the database is down.
    pub acquire_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {0}")]
    BadUrl(#[source] sqlx::Error),
    #[error("DATABASE_ADMIN_URL is not a valid PostgreSQL URL: {0}")]
    BadAdminUrl(#[source] sqlx::Error),
    #[error("DATABASE_ADMIN_URL is not set: migrations and operator commands connect as the database owner")]
    NoAdminUrl,
    /// R10.3, fail closed: the runtime connection could step outside
    /// row-level security.
    #[error("refusing to serve: the runtime database connection (DATABASE_URL) logs in as {role:?}, which {reasons}; it must log in as offplan_app, a role that owns nothing and can become no one else (docs/tenancy.md)")]
    Privileged { role: String, reasons: String },
    #[error("the outbox can be read only in development (APP_ENV=development)")]
    NotInDevelopment,
    #[error("could not create the database: {0}")]
    Create(#[source] sqlx::Error),
    #[error("could not connect to PostgreSQL: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Query(#[from] sqlx::Error),
    /// The database answered what its own definitions rule out (a bug,
    /// never bad input): the request fails rather than guessing.
    #[error("the database answered what cannot be: {0}")]
    Invariant(&'static str),
}

/// The server's handle on the database: connecting, migrating, health, the
/// session store, and the [`Gate`] it hands every request. Only `server/`
/// names it. Cloning is cheap (the pool is shared).
#[derive(Clone)]
pub struct Db {
    gate: Gate,
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

    fn admin_url(&self) -> Result<&str, DbError> {
        self.admin_url.as_deref().ok_or(DbError::NoAdminUrl)
    }

    fn admin_connect_options(&self) -> Result<PgConnectOptions, DbError> {
        Ok(PgConnectOptions::from_str(self.admin_url()?)
            .map_err(DbError::BadAdminUrl)?
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(250)))
    }

    /// Creates the database when it is missing (as the owner: the runtime
    /// role may not create databases).
    async fn ensure_database(&self) -> Result<(), DbError> {
        let url = self.admin_url()?;
        if !Postgres::database_exists(url)
            .await
            .map_err(DbError::Connect)?
        {
            tracing::info!("database missing; creating it");
            match Postgres::create_database(url).await {
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
    /// Creates the database if it is missing and runs the migrations over
    /// the owner's connection (when `admin_url` is set; otherwise they are a
    /// separate `migrate` step), then returns the runtime pool, which logs
    /// in as `offplan_app`. Safe to call on every start-up.
    #[tracing::instrument(skip_all)]
    pub async fn connect_and_migrate(settings: &DbSettings) -> Result<Self, DbError> {
        if settings.admin_url.is_some() {
            admin::AdminDb::connect_and_migrate(settings)
                .await?
                .close()
                .await;
        } else {
            tracing::info!(
                "DATABASE_ADMIN_URL unset: not migrating (run `offplan-server migrate` first)"
            );
        }
        Self::connect(settings).await
    }

    /// The tower-sessions store on the runtime pool; its table is created by
    /// the `identity` migration.
    pub fn session_store(&self) -> tower_sessions_sqlx_store::PostgresStore {
        tower_sessions_sqlx_store::PostgresStore::new(self.gate.pool.clone())
    }

    /// The handle requests and jobs get: [`Gate::scope`] and the named
    /// unscoped operations, no pool.
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// The runtime pool, without migrating. Fails closed (R10.3): refuses a
    /// connection whose login role is a superuser, has BYPASSRLS or
    /// CREATEROLE, owns anything in the database, is a member of any role
    /// but `offplan_app`, or is not the session's own role — any of which
    /// would let a query step outside row-level security (`RESET ROLE`,
    /// `SET ROLE <owner>`, `ALTER TABLE … DISABLE ROW LEVEL SECURITY`).
    pub async fn connect(settings: &DbSettings) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(settings.connect_options()?)
            .await
            .map_err(DbError::Connect)?;
        confirm_unprivileged(&pool).await?;
        Ok(Self {
            gate: Gate {
                pool,
                dev_outbox: None,
            },
        })
    }

    /// Development only (APP_ENV=development): also holds a one-connection
    /// owner pool, through which `/dev/outbox` lists the mail that would
    /// have been sent. The runtime role cannot read the outbox; never call
    /// this in production.
    pub async fn with_dev_outbox(mut self, settings: &DbSettings) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(settings.admin_connect_options()?)
            .await
            .map_err(DbError::Connect)?;
        self.gate.dev_outbox = Some(pool);
        Ok(self)
    }

    /// One round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query_scalar!(r#"select 1 as "one!""#)
            .fetch_one(&self.gate.pool)
            .await?;
        Ok(())
    }

    /// Closes the pool, waiting for checked-out connections to return.
    pub async fn close(&self) {
        self.gate.pool.close().await;
        if let Some(dev) = &self.gate.dev_outbox {
            dev.close().await;
        }
    }
}

/// What the runtime connection's role could do beyond `offplan_app`.
async fn confirm_unprivileged(pool: &PgPool) -> Result<(), DbError> {
    let row = sqlx::query!(
        r#"
        select r.rolname::text as "role!",
               current_user = session_user as "is_session_user!",
               r.rolsuper as "superuser!",
               r.rolbypassrls as "bypassrls!",
               r.rolcreaterole as "createrole!",
               (exists (select 1 from pg_class c where c.relowner = r.oid)
                or exists (select 1 from pg_namespace n where n.nspowner = r.oid)
                or exists (select 1 from pg_proc p where p.proowner = r.oid)
                or exists (select 1 from pg_type t where t.typowner = r.oid)
                or exists (select 1 from pg_database d
                           where d.datname = current_database() and d.datdba = r.oid))
                   as "owns!",
               coalesce((select string_agg(o.rolname, ', ' order by o.rolname)
                         from pg_roles o
                         where o.oid <> r.oid and o.rolname <> 'offplan_app'
                           and pg_has_role(r.oid, o.oid, 'MEMBER')), '') as "member_of!"
        from pg_roles r
        where r.rolname = current_user
        "#
    )
    .fetch_one(pool)
    .await?;
    let mut reasons = Vec::new();
    if !row.is_session_user {
        reasons.push("is not the session's login role (SET ROLE can be undone)".to_owned());
    }
    if row.superuser {
        reasons.push("is a superuser".to_owned());
    }
    if row.bypassrls {
        reasons.push("has BYPASSRLS".to_owned());
    }
    if row.createrole {
        reasons.push("has CREATEROLE".to_owned());
    }
    if row.owns {
        reasons.push("owns objects in the database".to_owned());
    }
    if !row.member_of.is_empty() {
        reasons.push(format!("is a member of {}", row.member_of));
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        pool.close().await;
        Err(DbError::Privileged {
            role: row.role,
            reasons: reasons.join(", "),
        })
    }
}

fn is_duplicate_database(e: &sqlx::Error) -> bool {
    // 42P04 duplicate_database
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "42P04")
}
