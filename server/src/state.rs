//! The router's state, and what each handler and middleware takes from it.
//!
//! `AppState` is what the router holds; no handler or middleware extracts
//! it whole. Each takes the few things it needs — its own sub-state, the
//! repository handle [`Db`] or the [`LeptosOptions`] — through axum's
//! `FromRef`, so a module's signature says what it can reach.

use crate::{
    client_ip::ClientIpConfig, config::Config, csrf::CsrfConfig, google::GoogleState,
    tenant::TenantState,
};
use app::ssr::AuthServices;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use offplan::db::{Db, Gate};
use std::sync::Arc;

/// The router's state. The database handle is the repository's `Db`,
/// whose pool is private: handlers cannot write SQL.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// Pages and server functions get these through context.
    pub auth: AuthServices,
    /// Built once: `FromRef` runs on every request.
    client_ip: ClientIpConfig,
    /// Where uploaded images are stored (R3.4), built from `MEDIA_STORE`.
    media_store: Arc<dyn object_store::ObjectStore>,
    /// The stylesheet's address, for the buyer's page (read once).
    stylesheet: Arc<str>,
    /// Issue 14 item 4: this server's listener for unit changes.
    changes: offplan::db::live::UnitChanges,
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        config: Config,
        db: Db,
        auth: AuthServices,
        media_store: Arc<dyn object_store::ObjectStore>,
    ) -> Self {
        Self {
            changes: offplan::db::live::UnitChanges::listen(db.gate()),
            media_store,
            stylesheet: crate::buyer_page::stylesheet_href(&leptos_options).into(),
            leptos_options,
            db,
            client_ip: ClientIpConfig {
                trusted_proxies: config.trusted_proxies.clone().into(),
            },
            config: Arc::new(config),
            auth,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Health and the session store need the server's handle.
impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

/// Who is signed in and the audit export need only the request's gate: a
/// scope or a named unscoped operation.
impl FromRef<AppState> for Gate {
    fn from_ref(state: &AppState) -> Self {
        state.db.gate().clone()
    }
}

impl FromRef<AppState> for TenantState {
    fn from_ref(state: &AppState) -> Self {
        TenantState {
            db: state.db.gate().clone(),
            base_domain: state.config.base_domain.clone(),
            public_scheme: state.config.public_scheme,
        }
    }
}

impl FromRef<AppState> for ClientIpConfig {
    fn from_ref(state: &AppState) -> Self {
        state.client_ip.clone()
    }
}

impl FromRef<AppState> for CsrfConfig {
    fn from_ref(state: &AppState) -> Self {
        CsrfConfig {
            base_domain: state.config.base_domain.clone(),
            public_scheme: state.config.public_scheme,
        }
    }
}

impl FromRef<AppState> for GoogleState {
    fn from_ref(state: &AppState) -> Self {
        GoogleState {
            db: state.db.gate().clone(),
            google: state.config.google.clone(),
            session_secret: state.config.session_secret.clone(),
            login_limit_per_ip: state.config.login_limit_per_ip,
        }
    }
}

impl FromRef<AppState> for crate::media::MediaState {
    fn from_ref(state: &AppState) -> Self {
        let media = &state.config.media;
        crate::media::MediaState {
            db: state.db.gate().clone(),
            store: state.media_store.clone(),
            host: media.host.as_str().into(),
            base_url: media.base_url.as_str().into(),
            max_upload_bytes: media.max_upload_bytes,
            limits: crate::media::process::ImageLimits {
                max_dimension: media.max_dimension,
                max_pixels: media.max_pixels,
            },
        }
    }
}

impl FromRef<AppState> for crate::security::CspConfig {
    fn from_ref(state: &AppState) -> Self {
        crate::security::CspConfig {
            media_origin: crate::security::origin_of(&state.config.media.base_url).into(),
        }
    }
}

impl FromRef<AppState> for crate::buyer_page::BuyerPageState {
    fn from_ref(state: &AppState) -> Self {
        crate::buyer_page::BuyerPageState {
            db: state.db.gate().clone(),
            base_domain: state.config.base_domain.clone(),
            media_base: state.config.media.base_url.as_str().into(),
            stylesheet: state.stylesheet.clone(),
            token_ip: state.auth.limits.token_ip,
            token_burst: state.auth.limits.token_burst,
        }
    }
}

impl FromRef<AppState> for crate::live::LiveState {
    fn from_ref(state: &AppState) -> Self {
        crate::live::LiveState {
            gate: state.db.gate().clone(),
            changes: state.changes.clone(),
        }
    }
}
