//! Host decides the tenant (SPEC R7.1). This middleware classifies the Host
//! header, looks an organisation subdomain up in the database, and puts the
//! result in the request extensions, where pages and server functions read
//! it. The bare base domain redirects to `app.`.

use app::site::SiteInfo;
use axum::{
    extract::{Request, State},
    http::{header, StatusCode, Uri},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use offplan::{
    db::Gate,
    domain::{classify_host, split_port, BaseDomain, HostKind, Site},
};

/// What host resolution needs: the base domain and scheme every link is
/// built from, and the repository for the subdomain → brand lookup.
#[derive(Clone)]
pub struct TenantState {
    pub db: Gate,
    pub base_domain: BaseDomain,
    pub public_scheme: &'static str,
}

pub async fn resolve_site(
    State(state): State<TenantState>,
    mut request: Request,
    next: Next,
) -> Response {
    let host = request_host(&request);
    // Only the port is taken from the Host header; the host name of every
    // link and redirect is built from BASE_DOMAIN, so no header can send a
    // person to another domain.
    let port = split_port(&host).1;
    let port_suffix = port.map(|p| format!(":{p}")).unwrap_or_default();
    let base = &state.base_domain;
    let central_url = format!(
        "{}://{}{}/",
        state.public_scheme,
        base.central_host(),
        port_suffix
    );

    let site = match classify_host(&host, base) {
        HostKind::Apex => {
            let target = format!(
                "{}://{}{}{}",
                state.public_scheme,
                base.central_host(),
                port_suffix,
                path_and_query(request.uri())
            );
            return Redirect::permanent(&target).into_response();
        }
        HostKind::Central => Site::Central,
        HostKind::Unknown => Site::Unknown,
        HostKind::Org(subdomain) => match state.db.org_brand_by_subdomain(&subdomain).await {
            Ok(Some(brand)) => Site::Org(brand),
            Ok(None) => Site::Unknown,
            Err(err) => {
                tracing::error!(error = %err, "tenant lookup failed");
                return unavailable();
            }
        },
    };
    if let Site::Org(brand) = &site {
        tracing::Span::current().record("org.id", tracing::field::display(brand.id.as_uuid()));
    }
    request.extensions_mut().insert(SiteInfo {
        site,
        central_url,
        scheme: state.public_scheme.to_owned(),
        base_domain: base.as_str().to_owned(),
        port: port.map(str::to_owned),
        viewer: None,
    });
    next.run(request).await
}

/// The Host header, or the URI authority for HTTP/2 requests.
pub(crate) fn request_host(request: &Request) -> String {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default()
}

fn path_and_query(uri: &Uri) -> &str {
    uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/")
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, "5"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        "offplan is briefly unavailable. Please try again in a moment.\n",
    )
        .into_response()
}
