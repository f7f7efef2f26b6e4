//! The media origin's configuration (SPEC R3.4; issue 13): where uploaded
//! images are served from, where they are stored, and how large an upload
//! may be. Fails closed: production must name both the origin and the
//! store; an origin under the base domain is refused at start-up, since
//! every `*.<base>` host receives the session cookie.

use offplan::domain::BaseDomain;
use std::path::PathBuf;

/// Where re-encoded images are stored (`MEDIA_STORE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaStoreConfig {
    /// A local directory (development and tests).
    Directory(PathBuf),
    /// An S3-compatible bucket (`s3://bucket`); credentials, region and
    /// endpoint come from the usual `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, …).
    S3 { bucket: String },
}

#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// `MEDIA_BASE_URL`, without a trailing slash: what image URLs start
    /// with (e.g. `https://media.offplan-usercontent.net`).
    pub base_url: String,
    /// The origin's host name (lowercase, no port): requests with this
    /// Host are answered only by the media handler.
    pub host: String,
    pub store: MediaStoreConfig,
    /// `MEDIA_MAX_UPLOAD_BYTES`: the upload route's own body limit.
    pub max_upload_bytes: usize,
    /// `MEDIA_MAX_DIMENSION`: the longest side an upload may have.
    pub max_dimension: u32,
    /// `MEDIA_MAX_PIXELS`: width × height an upload may have.
    pub max_pixels: u64,
}

pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
pub const DEFAULT_MAX_DIMENSION: u32 = 8000;
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;

/// The host of an `http(s)://host[:port][/path]` URL, lowercase, if the
/// URL has that shape.
fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() => h,
        Some(_) => return None,
        None => authority,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ok = !host.is_empty()
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    ok.then_some(host)
}

/// Whether `host` is the base domain or under it.
fn under_base(host: &str, base: &BaseDomain) -> bool {
    let base = base.as_str().to_ascii_lowercase();
    host == base || host.ends_with(&format!(".{base}"))
}

/// Reads the media settings; `port` is the development default's port
/// (the public port, else the one the server listens on).
pub(super) fn read(
    get: &dyn Fn(&str) -> Option<String>,
    production: bool,
    base: Option<&BaseDomain>,
    port: Option<u16>,
    errors: &mut Vec<String>,
) -> Option<MediaConfig> {
    let base_url = match get("MEDIA_BASE_URL") {
        Some(url) => url.trim().trim_end_matches('/').to_owned(),
        None if production => {
            errors.push(
                "MEDIA_BASE_URL is required in production (the media origin, e.g. https://media.offplan-usercontent.net; never under BASE_DOMAIN)".to_owned(),
            );
            return None;
        }
        None => match port {
            Some(p) if p != 80 => format!("http://media.offplan-usercontent.localhost:{p}"),
            _ => "http://media.offplan-usercontent.localhost".to_owned(),
        },
    };
    let host = match host_of(&base_url) {
        Some(h) => h,
        None => {
            errors.push(format!(
                "MEDIA_BASE_URL must be an http(s) URL like https://media.example-usercontent.net (got {base_url:?})"
            ));
            return None;
        }
    };
    if production && !base_url.starts_with("https://") {
        errors.push("MEDIA_BASE_URL must use https in production".to_owned());
    }
    if let Some(base) = base {
        if under_base(&host, base) {
            errors.push(format!(
                "MEDIA_BASE_URL must not be {} or under it: every subdomain of the base domain receives the session cookie, so uploads are served from another site (R3.4)",
                base.as_str()
            ));
        }
    }
    let store = match get("MEDIA_STORE").map(|s| s.trim().to_owned()) {
        Some(s) if s.starts_with("s3://") => {
            let bucket = s.trim_start_matches("s3://").trim_end_matches('/');
            if bucket.is_empty() || bucket.contains('/') {
                errors.push(format!(
                    "MEDIA_STORE must be a directory or s3://bucket (got {s:?})"
                ));
                return None;
            }
            MediaStoreConfig::S3 {
                bucket: bucket.to_owned(),
            }
        }
        Some(s) if s.contains("://") => {
            errors.push(format!(
                "MEDIA_STORE must be a directory or s3://bucket (got {s:?})"
            ));
            return None;
        }
        Some(dir) => MediaStoreConfig::Directory(PathBuf::from(dir)),
        None if production => {
            errors.push(
                "MEDIA_STORE is required in production (s3://bucket, or a directory)".to_owned(),
            );
            return None;
        }
        None => MediaStoreConfig::Directory(PathBuf::from("target/media")),
    };
    let mut number = |key: &str, default: u64, range: std::ops::RangeInclusive<u64>| match get(key)
    {
        None => default,
        Some(v) => match v.trim().parse::<u64>() {
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
    let max_upload_bytes = number(
        "MEDIA_MAX_UPLOAD_BYTES",
        DEFAULT_MAX_UPLOAD_BYTES as u64,
        65_536..=52_428_800,
    ) as usize;
    let max_dimension = number(
        "MEDIA_MAX_DIMENSION",
        DEFAULT_MAX_DIMENSION as u64,
        480..=16_384,
    ) as u32;
    let max_pixels = number(
        "MEDIA_MAX_PIXELS",
        DEFAULT_MAX_PIXELS,
        230_400..=100_000_000,
    );
    Some(MediaConfig {
        base_url,
        host,
        store,
        max_upload_bytes,
        max_dimension,
        max_pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> BaseDomain {
        BaseDomain::parse("offplan.localhost").unwrap()
    }

    fn run(vars: &[(&str, &str)], production: bool) -> (Option<MediaConfig>, Vec<String>) {
        let mut errors = Vec::new();
        let get = |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        };
        let c = read(&get, production, Some(&base()), Some(3000), &mut errors);
        (c, errors)
    }

    #[test]
    fn development_defaults_to_another_site_on_the_same_port() {
        let (c, errors) = run(&[], false);
        let c = c.unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            c.base_url,
            "http://media.offplan-usercontent.localhost:3000"
        );
        assert_eq!(c.host, "media.offplan-usercontent.localhost");
        assert_eq!(c.store, MediaStoreConfig::Directory("target/media".into()));
        assert_eq!(c.max_upload_bytes, 10 * 1024 * 1024);
    }

    #[test]
    fn an_origin_under_the_base_domain_is_refused() {
        for url in [
            "http://offplan.localhost",
            "http://media.offplan.localhost:3000",
            "http://MEDIA.Offplan.Localhost./x",
        ] {
            let (_, errors) = run(&[("MEDIA_BASE_URL", url)], false);
            assert!(
                errors
                    .iter()
                    .any(|e| e.contains("must not be offplan.localhost")),
                "{url}: {errors:?}"
            );
        }
        let (_, errors) = run(&[("MEDIA_BASE_URL", "http://notoffplan.localhost")], false);
        assert!(errors.is_empty(), "{errors:?}");
        let (_, errors) = run(&[("MEDIA_BASE_URL", "javascript:alert(1)")], false);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn production_names_both_and_uses_https() {
        let (_, errors) = run(&[], true);
        assert_eq!(errors.len(), 1, "{errors:?}");
        let (c, errors) = run(
            &[
                ("MEDIA_BASE_URL", "https://media.offplan-usercontent.net/"),
                ("MEDIA_STORE", "s3://offplan-media"),
            ],
            true,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let c = c.unwrap();
        assert_eq!(c.base_url, "https://media.offplan-usercontent.net");
        assert_eq!(
            c.store,
            MediaStoreConfig::S3 {
                bucket: "offplan-media".into()
            }
        );
        let (_, errors) = run(
            &[
                ("MEDIA_BASE_URL", "http://media.offplan-usercontent.net"),
                ("MEDIA_STORE", "ftp://x"),
            ],
            true,
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}
