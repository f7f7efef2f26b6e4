//! Uploaded images on their own origin (SPEC R3.4; issue 13).
//!
//! - [`upload`]: `POST <org>.<base>/media/upload?project=…&role=…[&unit=…]`,
//!   with its own body limit, after the session and the repository's
//!   permission check, before a byte of the body is read;
//! - [`host_split`], the outermost middleware: a request whose Host is the
//!   media origin's is answered here and nowhere else (`GET
//!   /<sha256hex>.<ext>` of a live image; everything else 404), and a media
//!   path on any other host (every `*.<base>`) is 404, so no uploaded byte
//!   is ever served where the session cookie goes;
//! - [`process`] checks and re-encodes, [`store`] keeps the files.

pub mod process;
pub mod store;
pub mod upload;

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use object_store::ObjectStore;
use offplan::db::Gate;
use std::sync::Arc;

/// The path uploads are posted to (on an organisation's host).
pub const UPLOAD_PATH: &str = "/media/upload";

/// What the media handlers need.
#[derive(Clone)]
pub struct MediaState {
    pub db: Gate,
    pub store: Arc<dyn ObjectStore>,
    /// The media origin's host (lowercase, no port).
    pub host: Arc<str>,
    /// `MEDIA_BASE_URL`.
    pub base_url: Arc<str>,
    pub max_upload_bytes: usize,
    pub limits: process::ImageLimits,
}

/// The request's host name, lowercase, without its port.
fn request_host(request: &Request) -> Option<String> {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().host())?;
    let name = offplan::domain::split_port(host).0;
    Some(name.trim_end_matches('.').to_ascii_lowercase())
}

/// R3.4: the media origin answers only media; media is answered only on
/// the media origin.
pub async fn host_split(State(media): State<MediaState>, request: Request, next: Next) -> Response {
    let on_media_host = request_host(&request).as_deref() == Some(&*media.host);
    if on_media_host {
        let (method, path) = (request.method().clone(), request.uri().path().to_owned());
        drop(request);
        return serve(&media, &method, &path).await;
    }
    if offplan::domain::media::parse_path(request.uri().path()).is_some() {
        return not_found();
    }
    next.run(request).await
}

fn not_found() -> Response {
    let mut response = (StatusCode::NOT_FOUND, "Not found\n").into_response();
    sandbox_headers(&mut response);
    response
}

/// What every media-origin response carries: nothing on it may run, be
/// sniffed into another type, or frame anything.
fn sandbox_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// `GET /<sha256hex>.<ext>` on the media origin: the live image of that
/// name, with the type it was re-encoded to (a request naming another
/// extension than the stored type's is 404 too).
async fn serve(media: &MediaState, method: &Method, path: &str) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
        sandbox_headers(&mut response);
        return response;
    }
    let Some((key, ext)) = offplan::domain::media::parse_path(path) else {
        return not_found();
    };
    let content_type = match media.db.media_object_type(key).await {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "media lookup failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    if offplan::domain::media::extension(&content_type) != Some(ext) {
        return not_found();
    }
    let bytes = match store::get(&*media.store, key, &content_type).await {
        Ok(Some(b)) => b,
        Ok(None) => {
            tracing::warn!(media.key = %key, "a live image's file is missing from the store");
            return not_found();
        }
        Err(e) => {
            tracing::error!(error = %e, "media store read failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_owned(),
            ),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                "cross-origin".to_owned(),
            ),
        ],
        if method == Method::HEAD {
            axum::body::Bytes::new()
        } else {
            bytes
        },
    )
        .into_response();
    sandbox_headers(&mut response);
    response
}
