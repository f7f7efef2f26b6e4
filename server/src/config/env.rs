//! Reading [`Config`] from environment variables: each variable parsed and
//! checked, every problem collected, so one run names them all.

use super::{
    Config, ConfigError, Environment, GoogleConfig, LogFormat, Secret, DEFAULT_DATABASE_ADMIN_URL,
    DEFAULT_DATABASE_URL,
};
use offplan::domain::BaseDomain;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

impl Config {
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

        let media = super::media::read(
            &get,
            environment == Environment::Production,
            base_domain.as_ref(),
            public_port.or(listen_addr.map(|a| a.port())),
            &mut errors,
        );

        match (base_domain, listen_addr, session_secret, totp_keys, media) {
            (
                Some(base_domain),
                Some(listen_addr),
                Some(session_secret),
                Some(totp_keys),
                Some(media),
            ) if errors.is_empty() => Ok(Self {
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
                media,
            }),
            _ => Err(ConfigError(errors)),
        }
    }
}

fn random_secret() -> String {
    use base64::Engine as _;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
