//! `GET /live/board?project=<id>` on an organisation's host: the board's
//! live status (SPEC R6.4, R6.5; issue 14 items 4 and 5) as server-sent
//! events.
//!
//! - `changed`: a unit of the project changed (or the server's listener
//!   reconnected and anything may have); the board re-reads itself through
//!   its server function, where what the person sees is decided.
//! - `lost`: the person may no longer see the project (their session was
//!   revoked, they left or were removed from the organisation, or the
//!   project is no longer theirs to see); its data says why, the board
//!   shows the stock-wipe modal, and the stream ends.
//!
//! Access is checked when the stream opens and again before every event,
//! through the same gate as every request: the session (R3.8), the
//! membership (a scope re-reads it, R2.4) and the project (through the
//! scoped repository). The events carry no tenant data. A stream ends
//! after [`MAX_STREAM`]; the browser's `EventSource` reconnects by itself
//! (after `retry`), through the whole request path again.

use app::{site::SiteInfo, ssr::CurrentUser};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Extension,
};
use offplan::{
    db::{
        live::{Change, UnitChanges},
        projects, Gate, RepoError,
    },
    domain::{OrgId, ProjectId, Site},
};
use serde::Deserialize;
use std::{convert::Infallible, time::Duration};
use tokio::{sync::broadcast, time::Instant};
use uuid::Uuid;

pub const PATH: &str = "/live/board";

/// How long one stream lasts before the browser opens the next.
pub const MAX_STREAM: Duration = Duration::from_secs(10 * 60);

/// Changes that arrive this close together are one event (a bulk change
/// re-reads the board once).
const SETTLE: Duration = Duration::from_millis(100);

#[derive(Clone)]
pub struct LiveState {
    pub gate: Gate,
    pub changes: UnitChanges,
}

#[derive(Deserialize)]
pub struct LiveQuery {
    #[serde(default)]
    project: String,
}

/// Who is watching which project.
#[derive(Clone, Copy)]
struct Viewer {
    org: OrgId,
    login: Uuid,
    project: ProjectId,
}

/// Why a viewer may no longer watch: the stock-wipe modal's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lost {
    SignedOut,
    NotAMember,
    NoProject,
}

impl Lost {
    fn reason(self) -> &'static str {
        match self {
            Lost::SignedOut => "You were signed out, so this board can no longer show you its units.",
            Lost::NotAMember => {
                "You are no longer a member of this organisation, so its units are no longer yours to see."
            }
            Lost::NoProject => {
                "You no longer have access to this project: you were moved off it, your role changed, or your organisation's part in it ended."
            }
        }
    }
}

impl Viewer {
    /// Whether the viewer may still see the project, read afresh.
    async fn check(self, gate: &Gate) -> Result<(), Option<Lost>> {
        let user = match gate.session_user(self.login).await {
            Ok(Some(u)) => u,
            Ok(None) => return Err(Some(Lost::SignedOut)),
            Err(e) => {
                tracing::warn!(error = %e, "live board: reading the session failed");
                return Err(None);
            }
        };
        let mut scope = match gate.scope(self.org, user.id).await {
            Ok(s) => s,
            Err(RepoError::NotFound | RepoError::Forbidden(_)) => {
                return Err(Some(Lost::NotAMember))
            }
            Err(e) => {
                tracing::warn!(error = %e, "live board: opening the scope failed");
                return Err(None);
            }
        };
        match projects::get(&mut scope, self.project).await {
            Ok(_) => Ok(()),
            Err(RepoError::NotFound | RepoError::Forbidden(_) | RepoError::Refused(_)) => {
                Err(Some(Lost::NoProject))
            }
            Err(e) => {
                tracing::warn!(error = %e, "live board: reading the project failed");
                Err(None)
            }
        }
    }
}

pub async fn board(
    State(live): State<LiveState>,
    Extension(info): Extension<SiteInfo>,
    user: Option<Extension<CurrentUser>>,
    Query(query): Query<LiveQuery>,
) -> Response {
    let Site::Org(brand) = &info.site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(user) = user.and_then(|Extension(u)| u.0) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(project) = ProjectId::parse(query.project.trim()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let viewer = Viewer {
        org: brand.id,
        login: user.login_id,
        project,
    };
    // Subscribed before the check, so nothing between the two is missed.
    let rx = live.changes.subscribe();
    match viewer.check(&live.gate).await {
        Ok(()) => {}
        Err(Some(_)) => return StatusCode::NOT_FOUND.into_response(),
        Err(None) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
    let watch = Watch {
        rx,
        viewer,
        gate: live.gate.clone(),
        until: Instant::now() + MAX_STREAM,
        state: Step::Start,
    };
    let stream = futures::stream::unfold(watch, |mut w| async move {
        let event = w.next().await?;
        Some((Ok::<_, Infallible>(event), w))
    });
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))),
    )
        .into_response()
}

enum Step {
    Start,
    Watching,
    Done,
}

struct Watch {
    rx: broadcast::Receiver<Change>,
    viewer: Viewer,
    gate: Gate,
    until: Instant,
    state: Step,
}

impl Watch {
    /// The next event, or `None` to end the stream.
    async fn next(&mut self) -> Option<Event> {
        match self.state {
            Step::Start => {
                self.state = Step::Watching;
                // How soon the browser reconnects when the stream ends.
                return Some(
                    Event::default()
                        .event("ready")
                        .retry(Duration::from_secs(1))
                        // A browser drops an event without data.
                        .data("ready"),
                );
            }
            Step::Done => return None,
            Step::Watching => {}
        }
        loop {
            let change = tokio::select! {
                c = self.rx.recv() => c,
                _ = tokio::time::sleep_until(self.until) => return None,
            };
            match change {
                Ok(c) if !c.concerns(self.viewer.project) => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
            // A burst of changes is one event.
            tokio::time::sleep(SETTLE).await;
            while self.rx.try_recv().is_ok() {}
            return Some(match self.viewer.check(&self.gate).await {
                Ok(()) => Event::default().event("changed").data("changed"),
                Err(Some(lost)) => {
                    self.state = Step::Done;
                    Event::default().event("lost").data(lost.reason())
                }
                // The database is unreachable for now: end the stream;
                // the browser says so and reconnects.
                Err(None) => return None,
            });
        }
    }
}
