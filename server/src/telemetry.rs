//! Structured tracing (STYLE.md §9): `RUST_LOG` filters, `LOG_FORMAT`
//! chooses human or JSON lines, and every request gets a span carrying its
//! request id.

use crate::config::LogFormat;
use axum::http::Request;
use tracing::Span;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Installs the global subscriber. Call once, before anything logs.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,offplan=debug,offplan_server=debug,sqlx=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact()).init(),
    }
}

/// The span for one HTTP request: method, the path and query with every
/// secret replaced (R5.4, see [`redacted_path`] and [`redacted_query`]),
/// and the request id set by `SetRequestIdLayer`.
pub fn request_span<B>(request: &Request<B>) -> Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let span = tracing::info_span!(
        "request",
        request.id = %request_id,
        http.method = %request.method(),
        http.path = %redacted_path(request.uri().path()),
        http.query = tracing::field::Empty,
        org.id = tracing::field::Empty,
    );
    if let Some(query) = request.uri().query() {
        span.record("http.query", tracing::field::display(redacted_query(query)));
    }
    span
}

/// What a secret is replaced with in a log line.
const REDACTED: &str = "…";

/// Path segments whose next segment is a secret: `/invite/<token>` and its
/// sub-paths (R5.4), and the buyer links to come (`/b/<token>`, R7.3).
const TOKEN_PARENTS: &[&str] = &["invite", "b", "reset", "links"];

/// Query keys whose values are never secret and help when reading logs.
/// Every other value (`token`, `b`, `code`, `state`, `next`, a search term
/// that may be an email, …) is replaced.
const SAFE_QUERY_KEYS: &[&str] = &["error", "google", "reenrol", "page"];

/// Longer paths are cut: a log line is not a place for 100 KB of junk.
const MAX_LOGGED: usize = 512;

/// The path with every token-bearing segment replaced by `…`: the segment
/// after a [`TOKEN_PARENTS`] name, and any segment that looks like an
/// opaque token wherever it appears (a long run of base64url characters
/// that is not a UUID, so a future token route is covered by default).
pub fn redacted_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len().min(MAX_LOGGED));
    let mut after_parent = false;
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if (after_parent && !segment.is_empty()) || looks_like_token(segment) {
            out.push_str(REDACTED);
        } else {
            out.push_str(segment);
        }
        after_parent = TOKEN_PARENTS.contains(&segment);
        if out.len() > MAX_LOGGED {
            out.truncate(floor_char_boundary(&out, MAX_LOGGED));
            out.push_str(REDACTED);
            break;
        }
    }
    out
}

/// The query string with every value replaced by `…` except those of
/// [`SAFE_QUERY_KEYS`]; keys that look like tokens are replaced too.
pub fn redacted_query(query: &str) -> String {
    let mut out = String::new();
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        let (key, value) = match pair.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (pair, None),
        };
        let key_is_safe = SAFE_QUERY_KEYS.contains(&key);
        if looks_like_token(key) || key.len() > 64 {
            out.push_str(REDACTED);
        } else {
            out.push_str(key);
        }
        match value {
            Some(v) if key_is_safe && v.len() <= 64 && !looks_like_token(v) => {
                out.push('=');
                out.push_str(v);
            }
            Some(_) => {
                out.push('=');
                out.push_str(REDACTED);
            }
            None => {}
        }
        if out.len() > MAX_LOGGED {
            out.truncate(floor_char_boundary(&out, MAX_LOGGED));
            out.push_str(REDACTED);
            break;
        }
    }
    out
}

/// A run of at least 20 base64url (or percent-encoding) characters that is
/// not a UUID: our tokens are 43 characters (`offplan::token`), reset and
/// Google codes are long opaque strings, and no route of ours has a word
/// that long.
fn looks_like_token(segment: &str) -> bool {
    segment.len() >= 20
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'%' | b'.' | b'~'))
        && uuid::Uuid::try_parse(segment).is_err()
}

/// The largest char boundary at or below `at`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    (0..=at.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "q8Jm0y3W4aVbT1oQ9zXcK2pLrN6sD5eF7gH8iJ0kL1m";

    #[test]
    fn invitation_tokens_never_reach_the_path_field() {
        assert_eq!(redacted_path(&format!("/invite/{TOKEN}")), "/invite/…");
        assert_eq!(
            redacted_path(&format!("/invite/{TOKEN}/switch")),
            "/invite/…/switch"
        );
        // Short or odd tokens after a token-bearing name too: the name, not
        // the shape, decides.
        assert_eq!(redacted_path("/invite/abc%0Ddef"), "/invite/…");
        assert_eq!(redacted_path(&format!("/b/{TOKEN}")), "/b/…");
    }

    #[test]
    fn a_token_shaped_segment_is_redacted_anywhere_but_ids_and_routes_stay() {
        assert_eq!(redacted_path(&format!("/links/x/{TOKEN}")), "/links/…/…");
        assert_eq!(
            redacted_path(&format!("/anything/{TOKEN}/more")),
            "/anything/…/more"
        );
        let id = "0b0c8a4e-3f5e-4c39-9d1e-6a1d2b3c4d5e";
        assert_eq!(
            redacted_path(&format!("/projects/{id}")),
            format!("/projects/{id}")
        );
        for route in [
            "/",
            "/login",
            "/settings/team",
            "/api/auth/login",
            "/api/team/invite",
        ] {
            assert_eq!(redacted_path(route), route);
        }
    }

    #[test]
    fn query_values_are_redacted_except_the_allow_list() {
        assert_eq!(redacted_query(&format!("token={TOKEN}")), "token=…");
        assert_eq!(redacted_query(&format!("b={TOKEN}&page=2")), "b=…&page=2");
        assert_eq!(
            redacted_query("code=4/0AX4XfWh&state=abc&next=/x"),
            "code=…&state=…&next=…"
        );
        assert_eq!(redacted_query("error=google_denied"), "error=google_denied");
        // A token smuggled into an allowed key or used as a key is still caught.
        assert_eq!(redacted_query(&format!("page={TOKEN}")), "page=…");
        assert_eq!(redacted_query(TOKEN), "…");
        assert_eq!(redacted_query("flag"), "flag");
    }

    #[test]
    fn huge_paths_and_queries_are_cut() {
        let long = format!("/{}", "a/".repeat(100_000));
        assert!(redacted_path(&long).len() <= MAX_LOGGED + REDACTED.len());
        let long = "x=1&".repeat(100_000);
        assert!(redacted_query(&long).len() <= MAX_LOGGED + REDACTED.len());
    }

    /// Collects what the fmt layer writes.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_log_line_inside_the_request_span_never_shows_a_token() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let request = Request::builder()
            .uri(format!(
                "/invite/{TOKEN}/switch?token={TOKEN}&b={TOKEN}&page=3"
            ))
            .body(())
            .unwrap();
        tracing::subscriber::with_default(subscriber, || {
            let _entered = request_span(&request).entered();
            tracing::info!("handled");
        });
        let line = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(line.contains("http.path=/invite/…/switch"), "{line}");
        assert!(line.contains("http.query=token=…&b=…&page=3"), "{line}");
        assert!(!line.contains(TOKEN), "{line}");
    }
}
