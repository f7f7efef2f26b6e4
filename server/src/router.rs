//! The whole router: health, Leptos pages and server functions, the
//! compiled front end under `/pkg/`, other static files, and the layers
//! every request passes through. Each middleware gets only its own
//! sub-state (see `state`).

use crate::{
    assets, audit_export, auth, buyer_page, client_ip, csrf, fn_status, google, health, live,
    media, security, state::AppState, telemetry, tenant,
};
use app::{shell, App};
use axum::{extract::FromRef, middleware, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use offplan::db::Gate;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

pub fn router(state: AppState) -> Router {
    let https = state.config.public_scheme == "https";
    // Pages and server functions get the database gate (a scope or a named
    // unscoped operation, never the pool or `Db`) and the identity services
    // through context.
    let context = {
        let (gate, auth) = (state.db.gate().clone(), state.auth.clone());
        // R3.4: where uploaded images are served from, for the pages' URLs.
        let media_base = offplan::domain::media::MediaBase(state.config.media.base_url.clone());
        move || {
            provide_context(gate.clone());
            provide_context(auth.clone());
            provide_context(media_base.clone());
        }
    };
    let routes = generate_route_list(App);

    let mut router = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        // Unknown paths render the app's 404 page.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .route("/settings/audit/export.csv", get(audit_export::export))
        // Issue 14: the board's live status (server-sent events).
        .route(live::PATH, get(live::board))
        .route("/auth/google/start", get(google::start))
        .route("/auth/google/callback", get(google::callback))
        // R3.4: uploads, with their own body limit (the file and its
        // multipart framing) in place of the 64 KiB one below.
        .route(
            media::UPLOAD_PATH,
            axum::routing::post(media::upload::upload).layer(axum::extract::DefaultBodyLimit::max(
                state.config.media.max_upload_bytes + media::upload::MULTIPART_SLACK,
            )),
        )
        .layer(middleware::from_fn(fn_status::refusal_status))
        // R3.8: who is signed in, re-read from the database per request.
        .layer(middleware::from_fn_with_state(
            Gate::from_ref(&state),
            auth::attach_user,
        ))
        .layer(auth::session_layer(&state.db, &state.config))
        .layer(middleware::from_fn_with_state(
            tenant::TenantState::from_ref(&state),
            tenant::resolve_site,
        ))
        // R7.3: a buyer's link is answered before any session is read (a
        // buyer has no account), and its host's brand is read with the link
        // in one statement; everything else goes on to host resolution and
        // the app.
        .layer(middleware::from_fn_with_state(
            buyer_page::BuyerPageState::from_ref(&state),
            buyer_page::intercept,
        ))
        .route("/healthz", get(health::healthz))
        // Issue 11: the wasm, JS and CSS (precompressed, cached) and the
        // favicon; no session, user or tenant work for them, so those
        // layers need no list of paths to skip.
        .merge(assets::routes(&state.leptos_options))
        // R3.7a: before any handler or server function can change state.
        .layer(middleware::from_fn_with_state(
            csrf::CsrfConfig::from_ref(&state),
            csrf::refuse_cross_site,
        ))
        // Outside CSRF and tenant resolution, so both (and later the rate
        // limits) can read the client's address.
        .layer(middleware::from_fn_with_state(
            client_ip::ClientIpConfig::from_ref(&state),
            client_ip::attach,
        ))
        // Issue 10: every body is bounded before any work is done for it
        // (413 on a declared length over the limit; a chunked body is cut
        // at the limit wherever it is read), and a NUL in the path, query
        // or a form is refused at the door (a 4xx, never Postgres 22021).
        .layer(security::body_limit())
        .layer(middleware::from_fn(security::bound_input))
        .layer(middleware::from_fn_with_state(
            security::CspConfig::from_ref(&state),
            security::csp_nonce,
        ));
    for layer in security::static_header_layers(https) {
        router = router.layer(layer);
    }
    // R3.4: the media origin is answered by the media handler alone, and
    // media is never answered on `*.<base>` (outside every page layer).
    router = router.layer(middleware::from_fn_with_state(
        media::MediaState::from_ref(&state),
        media::host_split,
    ));
    router
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(telemetry::request_span))
                .layer(PropagateRequestIdLayer::x_request_id())
                // A request that takes longer than this is abandoned with a 503,
                // not left to hold a connection forever.
                .layer(TimeoutLayer::with_status_code(
                    http::StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(30),
                )),
        )
        .with_state(state)
}
