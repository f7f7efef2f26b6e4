//! Typed configuration, read once from the environment at start-up
//! (STYLE.md §10). Every problem is reported at once, with the variable's
//! name, so a bad deployment fails fast and clearly. `.env.example`
//! documents every variable.

mod env;
mod media;

pub use media::{MediaConfig, MediaStoreConfig};

use offplan::domain::BaseDomain;
use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// A secret string whose `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub environment: Environment,
    /// The runtime connection, logging in as `offplan_app` (R10.3). May
    /// hold a password, hence `Secret`.
    pub database_url: Secret,
    /// The owner's connection, for migrations and operator commands. Set
    /// by default only in development; a production server without it does
    /// not migrate at start-up (`offplan-server migrate` does, with it).
    pub database_admin_url: Option<Secret>,
    pub db_max_connections: u32,
    pub base_domain: BaseDomain,
    /// `https` in production; links and redirects between subdomains use it.
    pub public_scheme: &'static str,
    pub listen_addr: SocketAddr,
    /// Signs session cookies and `state` values; ≥ 32 bytes.
    pub session_secret: Secret,
    /// Where cargo-leptos put the compiled site (`target/site`).
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    /// Proxies whose `X-Forwarded-For` is believed (R3.7); empty: none.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The HaveIBeenPwned range API (R3.2); `None` when `HIBP_URL=off`.
    pub hibp_url: Option<String>,
    pub hibp_timeout: Duration,
    /// Google sign-in (R3.3); `None` when no client id is configured.
    pub google: Option<GoogleConfig>,
    /// SMTP delivery of the outbox; `None`: mail stays in the outbox
    /// (development reads it at /dev/outbox).
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    /// Sign-in attempts per client address per 5 minutes (R3.7).
    pub login_limit_per_ip: i64,
    /// Sign-ups per client address per hour (R3.7).
    pub signup_limit_per_ip: i64,
    /// R5.5: token lookups (invitations, resets) per address per 5 minutes.
    pub token_limit_per_ip: i64,
    /// R5.5: failed token lookups from one address in 10 minutes before the
    /// burst alert fires.
    pub token_burst_threshold: i64,
    /// Seals TOTP secrets at rest (issue 10 item 11); required in
    /// production, a fixed public key in development.
    pub totp_keys: offplan::secret_box::SecretBox,
    /// The port written into emailed links; `None`: the scheme's default.
    /// In development, unset means the port the server listens on.
    pub public_port: Option<u16>,
    /// Uploaded images: their own origin, store and limits (R3.4).
    pub media: MediaConfig,
}

/// The provider's endpoints are configuration, so tests run against a
/// local OpenID provider (R3.3).
#[derive(Clone, Debug)]
pub struct GoogleConfig {
    pub client_id: String,
    pub client_secret: Secret,
    pub auth_url: String,
    pub token_url: String,
    pub userinfo_url: String,
}

/// All the problems found in the environment, one per line.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  {}", .0.join("\n  "))]
pub struct ConfigError(pub Vec<String>);

pub const DEFAULT_DATABASE_URL: &str = "postgres://offplan_app@127.0.0.1:5432/offplan";
/// Development only: the local cluster's owner.
pub const DEFAULT_DATABASE_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/offplan";

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn db_settings(&self) -> offplan::db::DbSettings {
        offplan::db::DbSettings {
            url: self.database_url.expose().to_owned(),
            admin_url: self
                .database_admin_url
                .as_ref()
                .map(|u| u.expose().to_owned()),
            max_connections: self.db_max_connections,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

#[cfg(test)]
mod tests;
