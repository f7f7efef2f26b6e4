//! `GET /healthz`: 200 after a database round trip, 503 when the database
//! does not answer within two seconds. Load balancers probe it by IP, so it
//! is served on every host and skips tenant resolution.

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::IntoResponse,
};
use offplan::db::Db;
use std::time::Duration;

pub async fn healthz(State(db): State<Db>) -> impl IntoResponse {
    let result = tokio::time::timeout(Duration::from_secs(2), db.ping()).await;
    let (status, body) = match result {
        Ok(Ok(())) => (StatusCode::OK, "ok\n"),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "health check: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
        Err(_) => {
            tracing::warn!("health check: database timed out");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    };
    (status, [(header::CACHE_CONTROL, "no-store")], body)
}
