//! The anchor of issue 13's benchmark (docs/benchmarks.md): a bare axum +
//! sqlx handler that reads the same rows as the buyer's page — the link by
//! its token's hash, the project, the unit, the presentation, its images
//! and the agent — in one query as the database owner (no row-level
//! security, no tenancy, no middleware, no open recorded) and formats the
//! same HTML with `format!`. Not part of the product; built and run only by
//! `scripts/bench-buyer-page.sh`.
//!
//!   cargo run --release -p offplan-server --example bare_buyer_page -- <database url> <port>

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark anchor: a failure should stop it"
)]

use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::IntoResponse,
    routing::get,
    Router,
};
use sha2::Digest;
use sqlx::{PgPool, Row};
use std::collections::HashMap;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[expect(
    clippy::disallowed_methods,
    reason = "the anchor is deliberately bare: one runtime query, no repository"
)]
async fn page(
    State(pool): State<PgPool>,
    Path((slug, unit)): Path<(String, uuid::Uuid)>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let Some(token) = q.get("b") else {
        return (StatusCode::NOT_FOUND, "not found".to_owned()).into_response();
    };
    let hash = sha2::Sha256::digest(token.as_bytes()).to_vec();
    let row = sqlx::query(
        r#"
        select p.name, u.code, u.floor, u.bedrooms, u.area_m2::text as area, u.price_minor,
               u.currency, u.status::text as status, up.description as unit_description,
               pp.headline, pp.description, pp.location, pp.expected_completion::text as completion,
               us.display_name as agent, us.email::text as agent_email, o.name as org,
               o.brand_colour,
               (select web_key from media m where m.org_id = u.org_id and m.project_id = u.project_id
                  and m.role = 'hero' and m.removed_at is null) as hero
        from buyer_links l
        join projects p on p.org_id = l.unit_org_id and p.id = l.project_id
        join units u on u.org_id = l.unit_org_id and u.id = l.unit_id
        join users us on us.id = l.created_by_user_id
        join organisations o on o.id = l.org_id
        left join unit_presentations up on up.org_id = u.org_id and up.unit_id = u.id
        left join project_presentations pp on pp.org_id = u.org_id and pp.project_id = u.project_id
        where l.token_hash = $1 and l.unit_id = $2 and p.slug = $3
          and l.revoked_at is null and l.expires_at > now()
        "#,
    )
    .bind(hash)
    .bind(unit)
    .bind(&slug)
    .fetch_optional(&pool)
    .await
    .unwrap();
    let Some(r) = row else {
        return (StatusCode::NOT_FOUND, "not found".to_owned()).into_response();
    };
    let s = |c: &str| r.get::<Option<String>, _>(c).unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><meta name="robots" content="noindex, nofollow"/><meta name="referrer" content="no-referrer"/><title>{code} · {project} · {org}</title><link rel="stylesheet" href="/pkg/offplan.css"/><style>:root{{--brand:{colour};--brand-contrast:#ffffff}}</style></head><body class="buyer"><header class="site-header site-header--brand"><span class="site-header__name">{org}</span></header><main id="main" class="buyer__main"><img class="buyer__hero" src="https://media.example/{hero}.jpg" width="2048" height="1152" alt="{project}"/><div class="buyer__body"><p class="buyer__eyebrow">{project}</p><h1 class="buyer__title">Unit {code}</h1><p class="buyer__lead">{headline}</p><p class="buyer__place">{location} · Completion expected {completion}</p><section class="buyer__card"><div class="buyer__card-head"><h2>This unit</h2><span class="tag">{status}</span></div><dl class="buyer__facts"><div class="buyer__fact"><dt>Price</dt><dd>{price} {currency}</dd></div><div class="buyer__fact"><dt>Bedrooms</dt><dd>{bedrooms}</dd></div><div class="buyer__fact"><dt>Floor</dt><dd>{floor}</dd></div><div class="buyer__fact"><dt>Area</dt><dd>{area} m²</dd></div></dl><p>{unit_description}</p></section><section class="buyer__contact"><h2>Your agent</h2><p class="buyer__agent">{agent}</p><a class="button button--brand button--block" href="mailto:{agent_email}">Email</a></section><section class="buyer__section"><h2>About the project</h2><p>{description}</p></section></div></main></body></html>"#,
        code = esc(&r.get::<String, _>("code")),
        project = esc(&r.get::<String, _>("name")),
        org = esc(&r.get::<String, _>("org")),
        colour = esc(&r.get::<String, _>("brand_colour")),
        hero = esc(&s("hero")),
        headline = esc(&s("headline")),
        location = esc(&s("location")),
        completion = esc(&s("completion")),
        status = esc(&s("status")),
        price = r.get::<Option<i64>, _>("price_minor").unwrap_or_default() / 100,
        currency = esc(&r.get::<String, _>("currency")),
        bedrooms = r.get::<Option<i16>, _>("bedrooms").unwrap_or_default(),
        floor = r.get::<Option<i32>, _>("floor").unwrap_or_default(),
        area = esc(&s("area")),
        unit_description = esc(&s("unit_description")),
        agent = esc(&r.get::<String, _>("agent")),
        agent_email = esc(&r.get::<String, _>("agent_email")),
        description = esc(&s("description")),
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap();
    let port: u16 = args.next().unwrap().parse().unwrap();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(10)
        .connect(&url)
        .await
        .unwrap();
    let app = Router::new()
        .route("/projects/{slug}/units/{unit}", get(page))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    axum::serve(listener, app).await.unwrap();
}
