//! `GET <org>/settings/audit/export.csv?<filters>`: the audit log as CSV
//! (SPEC R8.4), for Owner and Admin, with the same filters as the page. The
//! export is itself audited, in the transaction that read the rows.

use app::{audit::FilterQuery, site::SiteInfo, ssr as app_ssr};
use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension,
};
use offplan::{
    db::{audit::log, Gate},
    domain::Site,
    AppError,
};

pub async fn export(
    State(db): State<Gate>,
    Extension(info): Extension<SiteInfo>,
    user: Option<Extension<app_ssr::CurrentUser>>,
    ip: Option<Extension<app_ssr::ClientIp>>,
    headers: HeaderMap,
    Query(query): Query<FilterQuery>,
) -> Response {
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_owned();
    match build(&db, &info, user, ip, &query, &request_id).await {
        Ok((name, body)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, e.to_string()).into_response()
        }
    }
}

async fn build(
    db: &Gate,
    info: &SiteInfo,
    user: Option<Extension<app_ssr::CurrentUser>>,
    ip: Option<Extension<app_ssr::ClientIp>>,
    query: &FilterQuery,
    request_id: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let internal = |e: &dyn std::fmt::Display| internal(request_id, e);
    let Site::Org(brand) = &info.site else {
        return Err(AppError::NotFound);
    };
    let user = user
        .and_then(|Extension(u)| u.0)
        .ok_or(AppError::Unauthenticated)?;
    // Membership before the filter: a stranger's input is not read.
    let mut scope = db
        .scope(brand.id, user.id)
        .await
        .map_err(|e| e.into_app_error(|e| internal(&e)))?;
    let filter = query.parse()?;
    let filters = serde_json::json!(query.with_before(None));
    let entries = log::export(
        &mut scope,
        &filter,
        ip.map(|Extension(app_ssr::ClientIp(ip))| ip.to_string()),
        &filters,
    )
    .await
    .map_err(|e| e.into_app_error(|e| internal(&e)))?;
    scope
        .commit()
        .await
        .map_err(|e| e.into_app_error(|e| internal(&e)))?;
    let body = to_csv(&entries).map_err(|e| internal(&e))?;
    let day = time::OffsetDateTime::now_utc().date();
    Ok((format!("{}-audit-{day}.csv", brand.subdomain), body))
}

/// Logs a failure once, with the request id, and answers a reference.
fn internal(request_id: &str, e: &dyn std::fmt::Display) -> AppError {
    tracing::error!(request.id = %request_id, error = %e, "audit export failed");
    AppError::Internal {
        request_id: request_id.to_owned(),
    }
}

/// A cell a spreadsheet would run as a formula gets a leading quote.
fn defuse(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

fn to_csv(entries: &[log::Entry]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "seq",
        "time_utc",
        "actor",
        "action",
        "target",
        "description",
        "ip",
    ])?;
    for e in entries {
        let when = e
            .occurred_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        w.write_record([
            e.seq.to_string(),
            when,
            defuse(e.actor.as_deref().unwrap_or("")),
            e.action.clone(),
            defuse(e.target.as_deref().or(e.email.as_deref()).unwrap_or("")),
            defuse(&e.sentence()),
            e.ip.clone().unwrap_or_default(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_commas_quoted() {
        let e = log::Entry {
            seq: 3,
            occurred_at: time::OffsetDateTime::UNIX_EPOCH,
            actor: Some("=HYPERLINK(\"x\")".into()),
            action: "member.left".into(),
            target_type: None,
            target_id: None,
            target: Some("Ivan, Jr".into()),
            metadata: serde_json::json!({}),
            email: None,
            ip: None,
        };
        let csv = String::from_utf8(to_csv(&[e]).unwrap()).unwrap();
        let line = csv.lines().nth(1).unwrap();
        assert!(line.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{line}");
        assert!(line.contains("\"Ivan, Jr\""), "{line}");
    }
}
