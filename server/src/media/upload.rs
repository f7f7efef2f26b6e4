//! `POST <org>.<base>/media/upload?project=<id>&role=<hero|gallery|floor_plan>[&unit=<id>][&next=<path>]`
//! (SPEC R3.4, R2.2; issue 13). An axum handler, not a server function: its
//! body may be up to `MEDIA_MAX_UPLOAD_BYTES` (its own limit; every other
//! route is capped at 64 KiB), multipart (`file`, as a plain form posts
//! it) or the raw file.
//!
//! Order, so a stranger costs nothing: CSRF (the router's layer) → the
//! declared length → the session → the repository's permission check for
//! this project, role and unit → only then the body is read, checked,
//! re-encoded, stored, and the row written (one audit event).
//!
//! The hydrated page sends it with XMLHttpRequest (`Accept:
//! application/json`) and gets JSON; a plain form post gets a 303 back to
//! `next` with `uploaded=<role>` or `upload_error=<code>&upload_role=<role>`
//! so the page shows the refusal beside the field without JavaScript.

use super::{
    process::{self, Refusal},
    store, MediaState,
};
use app::{site::SiteInfo, ssr::CurrentUser};
use axum::{
    extract::{FromRequest, Multipart, RawQuery, Request, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use offplan::{
    db::media::{self as repo, Encoded},
    domain::{MediaRole, ProjectId, Site, UnitId},
    AppError,
};

/// Multipart framing around the file (boundaries, headers) on top of the
/// file's own limit.
pub const MULTIPART_SLACK: usize = 16 * 1024;

struct Params {
    project: Option<ProjectId>,
    role: Option<MediaRole>,
    unit: Option<Option<UnitId>>,
    next: Option<String>,
}

fn params(query: Option<&str>) -> Params {
    let mut p = Params {
        project: None,
        role: None,
        unit: Some(None),
        next: None,
    };
    for pair in query.unwrap_or_default().split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "project" => p.project = ProjectId::parse(&v),
            "role" => p.role = MediaRole::parse(&v),
            "unit" if !v.is_empty() => p.unit = UnitId::parse(&v).map(Some),
            "next" => p.next = safe_return(&v),
            _ => {}
        }
    }
    p
}

/// `%XX` and `+` decoding of one query value (invalid sequences kept).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a plain form post may be sent back to: one of our own project
/// pages on this host, nothing else (no open redirect).
fn safe_return(path: &str) -> Option<String> {
    let ok = (path.starts_with("/projects/") || path.starts_with("/with/"))
        && path.len() <= 300
        && !path.contains("//")
        && !path.contains('\\')
        && path
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'<' && b != b'>');
    ok.then(|| path.to_owned())
}

/// Why an upload ended without a stored image.
enum Failure {
    App(AppError),
    Refused(Refusal),
    Incomplete,
}

impl Failure {
    fn status(&self) -> StatusCode {
        match self {
            Failure::App(e) => {
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            Failure::Refused(Refusal::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            Failure::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Failure::Incomplete => StatusCode::BAD_REQUEST,
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::App(AppError::Unauthenticated) => {
                "Your session has ended. Sign in again, then upload the image.".to_owned()
            }
            Failure::App(AppError::Forbidden) => {
                "You can't change this project's images.".to_owned()
            }
            Failure::App(AppError::NotFound) => "That project or unit wasn't found.".to_owned(),
            Failure::App(e) => e.to_string(),
            Failure::Refused(r) => r.to_string(),
            Failure::Incomplete => {
                "The upload didn't arrive complete. Check your connection and try again.".to_owned()
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Failure::App(AppError::Unauthenticated) => "signed_out",
            Failure::App(AppError::Forbidden) => "forbidden",
            Failure::App(AppError::NotFound) => "not_found",
            Failure::App(AppError::Conflict(offplan::error::Conflict::GalleryFull { .. })) => {
                "gallery_full"
            }
            Failure::App(_) => "failed",
            Failure::Refused(r) => r.code(),
            Failure::Incomplete => "incomplete",
        }
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::App(e)
    }
}

impl From<offplan::db::RepoError> for Failure {
    fn from(e: offplan::db::RepoError) -> Self {
        Failure::App(e.into())
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub async fn upload(
    State(media): State<MediaState>,
    Extension(info): Extension<SiteInfo>,
    user: Option<Extension<CurrentUser>>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let json = wants_json(request.headers());
    let p = params(query.as_deref());
    let role = p.role;
    let next = p.next.clone();
    let outcome = run(&media, &info, user, p, request).await;
    let role_str = role.map(MediaRole::as_str).unwrap_or("file");
    match (outcome, json) {
        (Ok(m), true) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(serde_json::json!({
                "ok": true,
                "id": m.id.to_string(),
                "role": m.role.as_str(),
                "url": offplan::domain::media::url(&media.base_url, &m.web_key, &m.content_type),
                "thumb_url": offplan::domain::media::url(&media.base_url, &m.thumb_key, &m.content_type),
                "width": m.width,
                "height": m.height,
            })),
        )
            .into_response(),
        (Err(f), true) => (
            f.status(),
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(serde_json::json!({
                "ok": false,
                "code": f.code(),
                "message": f.message(),
            })),
        )
            .into_response(),
        (outcome, false) => {
            let Some(next) = next else {
                return match outcome {
                    Ok(_) => (StatusCode::OK, "Uploaded.\n").into_response(),
                    Err(f) => (f.status(), format!("{}\n", f.message())).into_response(),
                };
            };
            let sep = if next.contains('?') { '&' } else { '?' };
            let to = match outcome {
                Ok(_) => format!("{next}{sep}uploaded={role_str}"),
                Err(f) => format!(
                    "{next}{sep}upload_error={}&upload_role={role_str}",
                    f.code()
                ),
            };
            Redirect::to(&to).into_response()
        }
    }
}

async fn run(
    media: &MediaState,
    info: &SiteInfo,
    user: Option<Extension<CurrentUser>>,
    p: Params,
    request: Request,
) -> Result<repo::Media, Failure> {
    let Site::Org(brand) = &info.site else {
        return Err(AppError::NotFound.into());
    };
    let limit = media.max_upload_bytes;
    // A declared length over the limit is refused before anything else.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > (limit + MULTIPART_SLACK) as u64) {
        return Err(Failure::Refused(Refusal::TooLarge { max_bytes: limit }));
    }
    let user = user
        .and_then(|Extension(u)| u.0)
        .ok_or(AppError::Unauthenticated)?;
    let (Some(project), Some(role), Some(unit)) = (p.project, p.role, p.unit) else {
        return Err(AppError::NotFound.into());
    };
    // Authorise through the repository before reading the body.
    let target = {
        let mut scope = media.db.scope(brand.id, user.id).await?;
        let target = repo::authorize_upload(&mut scope, project, role, unit).await?;
        scope.commit().await?;
        target
    };
    let bytes = read_body(request, limit).await?;
    let limits = media.limits;
    let processed = tokio::task::spawn_blocking(move || process::process(&bytes, limits))
        .await
        .map_err(AppError::internal)?
        .map_err(Failure::Refused)?;
    let content_type = processed.content_type;
    let (web_w, web_h, web_len) = (
        processed.web.width,
        processed.web.height,
        processed.web.bytes.len() as u64,
    );
    let web_key = store::put(&*media.store, processed.web.bytes, content_type)
        .await
        .map_err(AppError::internal)?;
    let thumb_key = store::put(&*media.store, processed.thumb.bytes, content_type)
        .await
        .map_err(AppError::internal)?;
    let mut scope = media.db.scope(brand.id, user.id).await?;
    let row = repo::add(
        &mut scope,
        &target,
        &Encoded {
            web_key,
            thumb_key,
            content_type,
            width: web_w,
            height: web_h,
            bytes: web_len,
        },
    )
    .await?;
    scope.commit().await?;
    Ok(row)
}

/// The file: the `file` field of a multipart form, or the whole body.
async fn read_body(request: Request, limit: usize) -> Result<Vec<u8>, Failure> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let too_large = || Failure::Refused(Refusal::TooLarge { max_bytes: limit });
    if !multipart {
        return match axum::body::to_bytes(request.into_body(), limit).await {
            Ok(b) => Ok(b.to_vec()),
            Err(_) => Err(too_large()),
        };
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|_| Failure::Incomplete)?;
    while let Some(mut field) = form.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Failure::Incomplete
        }
    })? {
        if field.name() != Some("file") {
            continue;
        }
        let mut out = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                Failure::Incomplete
            }
        })? {
            if out.len() + chunk.len() > limit {
                return Err(too_large());
            }
            out.extend_from_slice(&chunk);
        }
        return Ok(out);
    }
    Err(Failure::Refused(Refusal::Empty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_project_pages_are_returned_to() {
        assert_eq!(
            safe_return("/projects/harbour/settings/presentation").as_deref(),
            Some("/projects/harbour/settings/presentation")
        );
        assert_eq!(safe_return("//evil.example/projects/x"), None);
        assert_eq!(safe_return("https://evil.example"), None);
        assert_eq!(safe_return("/projects/x\\y"), None);
        assert_eq!(safe_return("/login"), None);
        assert!(safe_return("/with/acme/harbour/presentation").is_some());
    }

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(percent_decode("%2Fprojects%2Fa+b"), "/projects/a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
