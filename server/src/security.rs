//! Security headers on every response (SPEC R7.4).
//!
//! The Content-Security-Policy is strict and still lets Leptos hydrate: a
//! fresh nonce per request goes into the request extensions (Leptos puts it
//! on its inline bootstrap script and our brand `<style>`), the same nonce
//! goes into the header, `'strict-dynamic'` trusts what that script imports,
//! and `'wasm-unsafe-eval'` lets it instantiate the wasm. No
//! `'unsafe-inline'` anywhere.
//!
//! Input bounds on every request (issue 10): a body size limit and a NUL
//! refusal at the door, before any session, tenant or handler work
//! ([`bound_input`]).

use app::ssr::CspNonce;
use axum::{
    extract::{DefaultBodyLimit, Request, State},
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine as _;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the page policy needs from configuration: the media origin, the
/// only other place images come from (R3.4).
#[derive(Clone)]
pub struct CspConfig {
    /// `scheme://host[:port]` of `MEDIA_BASE_URL`.
    pub media_origin: std::sync::Arc<str>,
}

/// Generates the request's nonce, and sets the CSP built from it on the
/// response unless a handler chose a stricter one.
pub async fn csp_nonce(
    State(config): State<CspConfig>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&content_security_policy(&nonce, &config.media_origin))
    {
        response
            .headers_mut()
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(value);
    }
    response
}

/// 128 bits from the OS CSPRNG, base64url.
fn new_nonce() -> String {
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `scheme://host[:port]` of a URL (the media base may carry a path).
pub fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

/// The page policy; `media_origin` is where uploaded images come from (the
/// media origin, R3.4). Uploads go to this origin (`connect-src 'self'`).
pub fn content_security_policy(nonce: &str, media_origin: &str) -> String {
    format!(
        "default-src 'self'; \
         script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' data: blob: {media_origin}; \
         font-src 'self'; \
         connect-src 'self'; \
         object-src 'none'; \
         base-uri 'none'; \
         form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The static headers every response carries (set only if a handler did not
/// set its own, so buyer pages can be stricter later).
pub fn static_header_layers(https: bool) -> Vec<SetResponseHeaderLayer<HeaderValue>> {
    let mut layers = vec![
        SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ),
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
        ),
    ];
    if https {
        // Only over TLS: HSTS on plain http is ignored at best (R7.4).
        layers.push(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ));
    }
    layers
}

/// The largest request body any form or server function accepts (issue 10,
/// item 3): every form we have is a few fields, and the largest, an
/// invitation list at its cap, is a few kilobytes. A future upload route
/// sets its own, larger `DefaultBodyLimit` on that route alone.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What a body over [`MAX_BODY_BYTES`] is told (413).
pub const TOO_LARGE: &str = "This request is too large. Send less at once and try again.";

/// Bounds every request's input before any work is done for it (issue 10,
/// items 3 and "bad input"):
///
/// - a declared body length over [`MAX_BODY_BYTES`] is answered 413 at once,
///   before the session, tenant or any handler is reached; an undeclared
///   (chunked) body is cut at the limit wherever it is read ([`body_limit`];
///   server functions' refusal becomes a 413 in `fn_status`);
/// - a NUL character anywhere in the path, the query or a form body is
///   refused with a 4xx naming the field: no text we store may hold one
///   (PostgreSQL's `text` answers error 22021), so it is refused at the
///   door for every form and server function, whoever wrote it. The parsers
///   (`EmailAddress`, `PersonName`, `OrgName`) refuse it again, with the rest
///   of the control characters.
pub async fn bound_input(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // The upload route has its own, larger limit, which it applies itself
    // before reading (after the session and the permission check).
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) && path != crate::media::UPLOAD_PATH
    {
        return too_large(&path);
    }
    let query_has_nul = request
        .uri()
        .query()
        .is_some_and(|q| nul_field(q).is_some());
    if has_encoded_nul(&path) || query_has_nul {
        return nul_refused(&path, "form");
    }
    let form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(request).await;
    }
    // A form body is small by now (or cut at the limit): read it, check it,
    // hand the same bytes on.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large(&path);
    };
    if let Some(field) = std::str::from_utf8(&bytes)
        .ok()
        .and_then(nul_field)
        .or_else(|| bytes.contains(&0).then_some("form"))
    {
        return nul_refused(&path, field);
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// What a field holding NUL is told.
pub const NUL_REFUSED: &str =
    "This contains an invisible control character we can't store. Remove it and try again.";

/// `%00` is the only way a URL or a URL-encoded form spells NUL.
fn has_encoded_nul(s: &str) -> bool {
    s.contains("%00") || s.contains('\0')
}

/// The name of the first `key=value` pair of a URL-encoded string that
/// holds a NUL: the key itself when it is a plain field name (so the form
/// shows the message beside that field), else `form`.
fn nul_field(encoded: &str) -> Option<&str> {
    let pair = encoded.split('&').find(|pair| has_encoded_nul(pair))?;
    let key = pair.split_once('=').map_or(pair, |(k, _)| k);
    let plain = !key.is_empty()
        && key.len() <= 64
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    Some(if plain { key } else { "form" })
}

/// The 4xx for a NUL: our typed field error to a server function's caller
/// (422, the form shows it beside the field), a 400 page to anything else.
fn nul_refused(path: &str, field: &str) -> Response {
    if path.starts_with("/api/") {
        let body = serde_json::to_string(&offplan::AppError::invalid(field, NUL_REFUSED))
            .unwrap_or_default();
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    } else {
        (StatusCode::BAD_REQUEST, NUL_REFUSED).into_response()
    }
}

/// The 413 itself: to a server function's caller, our typed error (so the
/// form shows the message); to anything else, the message as text.
pub fn too_large(path: &str) -> Response {
    if path.starts_with("/api/") {
        let body = serde_json::to_string(&offplan::AppError::invalid("form", TOO_LARGE))
            .unwrap_or_default();
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    } else {
        (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE).into_response()
    }
}

/// The limit every body extractor and server function reads under (axum's
/// `DefaultBodyLimit`, which `server_fn` honours through
/// `into_limited_body`).
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_BODY_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_in_the_field_that_holds_it() {
        assert_eq!(nul_field("email=a%00b%40x.com&password=p"), Some("email"));
        assert_eq!(nul_field("email=a%40x.com&name=%00"), Some("name"));
        assert_eq!(nul_field("email=a%40x.com&password=p"), None);
        // A strange key is not echoed back as a field name.
        assert_eq!(nul_field("a%00b=1"), Some("form"));
        assert_eq!(nul_field("x%3Cy=%00"), Some("form"));
        // `%000` is NUL then `0`; `%2500` is the text "%00", not a NUL.
        assert_eq!(nul_field("q=%000"), Some("q"));
        assert_eq!(nul_field("q=%2500"), None);
    }

    #[test]
    fn nonces_are_fresh_and_long_enough() {
        let (a, b) = (new_nonce(), new_nonce());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22); // 16 bytes, base64url without padding
    }

    #[test]
    fn the_policy_never_allows_inline_script_or_framing() {
        let csp = content_security_policy("abc", "http://media.offplan-usercontent.localhost:3000");
        assert!(csp.contains("script-src 'nonce-abc' 'strict-dynamic' 'wasm-unsafe-eval'"));
        assert!(csp.contains(
            "img-src 'self' data: blob: http://media.offplan-usercontent.localhost:3000;"
        ));
        assert_eq!(
            origin_of("https://m.example-usercontent.net/media"),
            "https://m.example-usercontent.net"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("object-src 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
