//! Typed configuration, read once from the environment at start-up
//! (STYLE.md §10). Every problem is reported at once, with the variable's
//! name, so a bad deployment fails fast and clearly. `.env.example`
//! documents every variable.

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

    /// Reads configuration through `lookup`, so tests need not touch the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut errors = Vec::new();
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());

        // Fails closed (issue 10 item 7): the development conveniences — the
        // outbox page, plain-http cookies, a random session secret, the
        // public TOTP key — run only when development is chosen by name.
        // Unset is production, which then insists on its secrets.
        let environment = match get("APP_ENV").as_deref().map(str::trim) {
            Some("development") => Environment::Development,
            None | Some("production") => Environment::Production,
            Some(other) => {
                errors.push(format!(
                    "APP_ENV must be `development` or `production` (got {other:?})"
                ));
                Environment::Production
            }
        };

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            errors.push("DATABASE_URL must start with postgres:// or postgresql://".to_owned());
        }
        // Two connections (R10.3): the runtime one above, and the owner's
        // for migrations and operator commands. Production has no default,
        // so owner credentials reach a process only when given on purpose.
        let database_admin_url = match get("DATABASE_ADMIN_URL") {
            Some(url) => Some(url),
            None if environment == Environment::Development => {
                Some(DEFAULT_DATABASE_ADMIN_URL.to_owned())
            }
            None => None,
        };
        if let Some(url) = &database_admin_url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                errors.push(
                    "DATABASE_ADMIN_URL must start with postgres:// or postgresql://".to_owned(),
                );
            }
            if url == &database_url {
                errors.push(
                    "DATABASE_ADMIN_URL and DATABASE_URL must differ: the server runs as offplan_app, migrations as the owner".to_owned(),
                );
            }
        }

        let db_max_connections = match get("DATABASE_MAX_CONNECTIONS") {
            None => 16,
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if (1..=500).contains(&n) => n,
                _ => {
                    errors.push(format!(
                        "DATABASE_MAX_CONNECTIONS must be a number from 1 to 500 (got {v:?})"
                    ));
                    16
                }
            },
        };

        let base_domain = match BaseDomain::parse(
            &get("BASE_DOMAIN").unwrap_or_else(|| "offplan.localhost".to_owned()),
        ) {
            Ok(b) => Some(b),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        };

        let public_scheme = match get("PUBLIC_SCHEME").as_deref().map(str::trim) {
            None => match environment {
                Environment::Production => "https",
                Environment::Development => "http",
            },
            Some("http") => "http",
            Some("https") => "https",
            Some(other) => {
                errors.push(format!(
                    "PUBLIC_SCHEME must be http or https (got {other:?})"
                ));
                "http"
            }
        };

        let listen_addr = match get("LISTEN_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned())
            .trim()
            .parse::<SocketAddr>()
        {
            Ok(a) => Some(a),
            Err(_) => {
                errors.push("LISTEN_ADDR must be an address like 127.0.0.1:3000".to_owned());
                None
            }
        };

        let session_secret = match get("SESSION_SECRET") {
            Some(s) if s.len() >= 32 => Some(Secret(s)),
            Some(_) => {
                errors.push("SESSION_SECRET must be at least 32 characters".to_owned());
                None
            }
            None if environment == Environment::Production => {
                errors.push("SESSION_SECRET is required in production".to_owned());
                None
            }
            // Development: a fresh random secret; sessions end at restart.
            None => Some(Secret(random_secret())),
        };

        let site_root =
            PathBuf::from(get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()));

        let log_format = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None => match environment {
                Environment::Production => LogFormat::Json,
                Environment::Development => LogFormat::Pretty,
            },
            Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                errors.push(format!("LOG_FORMAT must be pretty or json (got {other:?})"));
                LogFormat::Pretty
            }
        };

        let mut trusted_proxies = Vec::new();
        for item in get("TRUSTED_PROXIES").unwrap_or_default().split(',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            // A bare address is a /32 (or /128).
            let parsed = item
                .parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from));
            match parsed {
                Ok(net) => trusted_proxies.push(net),
                Err(_) => errors.push(format!(
                    "TRUSTED_PROXIES must be addresses or CIDR ranges separated by commas (got {item:?})"
                )),
            }
        }

        let hibp_url = match get("HIBP_URL").as_deref().map(str::trim) {
            Some("off") => None,
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.to_owned())
            }
            Some(other) => {
                errors.push(format!(
                    "HIBP_URL must be an http(s) URL or `off` (got {other:?})"
                ));
                None
            }
            None => Some("https://api.pwnedpasswords.com".to_owned()),
        };
        let mut number =
            |key: &str, default: i64, range: std::ops::RangeInclusive<i64>| match get(key) {
                None => default,
                Some(v) => match v.trim().parse::<i64>() {
                    Ok(n) if range.contains(&n) => n,
                    _ => {
                        errors.push(format!(
                            "{key} must be a number from {} to {} (got {v:?})",
                            range.start(),
                            range.end()
                        ));
                        default
                    }
                },
            };
        let hibp_timeout =
            Duration::from_millis(number("HIBP_TIMEOUT_MS", 1500, 100..=10_000) as u64);
        let login_limit_per_ip = number("LOGIN_LIMIT_PER_IP", 20, 1..=100_000);
        let signup_limit_per_ip = number("SIGNUP_LIMIT_PER_IP", 10, 1..=100_000);
        let token_limit_per_ip = number("TOKEN_LIMIT_PER_IP", 60, 1..=100_000);
        let token_burst_threshold = number("TOKEN_BURST_THRESHOLD", 20, 1..=100_000);

        let google = match (get("GOOGLE_CLIENT_ID"), get("GOOGLE_CLIENT_SECRET")) {
            (None, _) => None,
            (Some(_), None) => {
                errors.push(
                    "GOOGLE_CLIENT_SECRET is required when GOOGLE_CLIENT_ID is set".to_owned(),
                );
                None
            }
            (Some(id), Some(secret)) => Some(GoogleConfig {
                client_id: id.trim().to_owned(),
                client_secret: Secret(secret.trim().to_owned()),
                auth_url: get("GOOGLE_AUTH_URL")
                    .unwrap_or_else(|| "https://accounts.google.com/o/oauth2/v2/auth".to_owned()),
                token_url: get("GOOGLE_TOKEN_URL")
                    .unwrap_or_else(|| "https://oauth2.googleapis.com/token".to_owned()),
                userinfo_url: get("GOOGLE_USERINFO_URL").unwrap_or_else(|| {
                    "https://openidconnect.googleapis.com/v1/userinfo".to_owned()
                }),
            }),
        };
        let totp_keys = match get("TOTP_ENCRYPTION_KEYS") {
            Some(spec) => match offplan::secret_box::SecretBox::from_config(&spec) {
                Ok(keys) => Some(keys),
                Err(e) => {
                    errors.push(format!("TOTP_ENCRYPTION_KEYS: {e}"));
                    None
                }
            },
            None if environment == Environment::Production => {
                errors.push(
                    "TOTP_ENCRYPTION_KEYS is required in production (id:base64-32-bytes[,older ids…])"
                        .to_owned(),
                );
                None
            }
            None => Some(offplan::secret_box::SecretBox::development()),
        };
        let public_port = match get("PUBLIC_PORT") {
            None => None,
            Some(v) => match v.trim().parse::<u16>() {
                Ok(p) if p > 0 => Some(p),
                _ => {
                    errors.push(format!("PUBLIC_PORT must be a port number (got {v:?})"));
                    None
                }
            },
        };
        let smtp_url = get("SMTP_URL").map(Secret);
        let mail_from =
            get("MAIL_FROM").unwrap_or_else(|| "offplan <no-reply@offplan.localhost>".to_owned());

        match (base_domain, listen_addr, session_secret, totp_keys) {
            (Some(base_domain), Some(listen_addr), Some(session_secret), Some(totp_keys))
                if errors.is_empty() =>
            {
                Ok(Self {
                    environment,
                    database_url: Secret(database_url),
                    database_admin_url: database_admin_url.map(Secret),
                    db_max_connections,
                    base_domain,
                    public_scheme,
                    listen_addr,
                    session_secret,
                    site_root,
                    log_format,
                    trusted_proxies,
                    hibp_url,
                    hibp_timeout,
                    google,
                    smtp_url,
                    mail_from,
                    login_limit_per_ip,
                    signup_limit_per_ip,
                    token_limit_per_ip,
                    token_burst_threshold,
                    totp_keys,
                    public_port,
                })
            }
            _ => Err(ConfigError(errors)),
        }
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

fn random_secret() -> String {
    use base64::Engine as _;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn development_defaults_need_only_the_choice_of_development() {
        let c = config(&[("APP_ENV", "development")]).unwrap();
        assert_eq!(c.base_domain.as_str(), "offplan.localhost");
        assert_eq!(c.public_scheme, "http");
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:3000");
        assert!(c.session_secret.expose().len() >= 32);
    }

    /// Issue 10 item 7: nothing set is production, not development.
    #[test]
    fn a_missing_app_env_fails_closed_to_production() {
        let err = config(&[]).unwrap_err().to_string();
        assert!(
            err.contains("SESSION_SECRET is required in production"),
            "{err}"
        );
        assert!(
            err.contains("TOTP_ENCRYPTION_KEYS is required in production"),
            "{err}"
        );
        let c = config(&[
            ("SESSION_SECRET", &"x".repeat(40)),
            (
                "TOTP_ENCRYPTION_KEYS",
                &format!("k1:{}", "A".repeat(43) + "="),
            ),
        ])
        .unwrap();
        assert_eq!(c.environment, Environment::Production);
        assert_eq!(c.public_scheme, "https");
        assert!(config(&[("APP_ENV", "staging")]).is_err());
    }

    #[test]
    fn production_requires_a_session_secret_and_defaults_to_https() {
        let err = config(&[("APP_ENV", "production")]).unwrap_err();
        assert!(err.to_string().contains("SESSION_SECRET is required"));
        let c = config(&[
            ("APP_ENV", "production"),
            ("SESSION_SECRET", &"x".repeat(40)),
            (
                "TOTP_ENCRYPTION_KEYS",
                &format!("k1:{}", "A".repeat(43) + "="),
            ),
        ])
        .unwrap();
        assert_eq!(c.public_scheme, "https");
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn every_problem_is_reported_at_once_by_name() {
        let err = config(&[
            ("BASE_DOMAIN", "bad domain"),
            ("LISTEN_ADDR", "nope"),
            ("DATABASE_URL", "mysql://x"),
            ("SESSION_SECRET", "short"),
        ])
        .unwrap_err();
        let text = err.to_string();
        for name in [
            "BASE_DOMAIN",
            "LISTEN_ADDR",
            "DATABASE_URL",
            "SESSION_SECRET",
        ] {
            assert!(text.contains(name), "{name} missing from {text}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let c = config(&[
            ("APP_ENV", "development"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1 ,"),
        ])
        .unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert!(config(&[("APP_ENV", "development")])
            .unwrap()
            .trusted_proxies
            .is_empty());
        let err = config(&[
            ("APP_ENV", "development"),
            ("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("TRUSTED_PROXIES"));
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let c = config(&[
            ("APP_ENV", "development"),
            (
                "SESSION_SECRET",
                "a-very-long-secret-value-of-forty-chars!!",
            ),
            ("DATABASE_URL", "postgres://u:hunter2hunter2@h/db"),
        ])
        .unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("a-very-long-secret"));
        assert!(!debug.contains("hunter2"));
    }

    /// R10.3: the server runs as offplan_app and migrates as the owner,
    /// over two URLs; production is given owner credentials only on purpose.
    #[test]
    fn the_runtime_and_the_owner_connect_over_separate_urls() {
        let c = config(&[("APP_ENV", "development")]).unwrap();
        let settings = c.db_settings();
        assert!(settings.url.starts_with("postgres://offplan_app@"));
        assert_eq!(
            settings.admin_url.as_deref(),
            Some(DEFAULT_DATABASE_ADMIN_URL)
        );
        let err = config(&[
            ("APP_ENV", "development"),
            ("DATABASE_URL", "postgres://postgres@h/db"),
            ("DATABASE_ADMIN_URL", "postgres://postgres@h/db"),
        ])
        .unwrap_err();
        assert!(err
            .to_string()
            .contains("DATABASE_ADMIN_URL and DATABASE_URL must differ"));
        let err = config(&[
            ("APP_ENV", "development"),
            ("DATABASE_ADMIN_URL", "mysql://x"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("DATABASE_ADMIN_URL must start"));
        let c = config(&[
            ("APP_ENV", "development"),
            ("DATABASE_ADMIN_URL", "postgres://owner:s3cr3t-owner@h/db"),
        ])
        .unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t-owner"));
    }
}
