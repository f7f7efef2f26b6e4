//! `Config::from_lookup`: defaults, production's demands, every problem at once.

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
        // R3.4: production names its media origin and store.
        ("MEDIA_BASE_URL", "https://media.offplan-usercontent.net"),
        ("MEDIA_STORE", "s3://offplan-media"),
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
        // R3.4: production names its media origin and store.
        ("MEDIA_BASE_URL", "https://media.offplan-usercontent.net"),
        ("MEDIA_STORE", "s3://offplan-media"),
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
