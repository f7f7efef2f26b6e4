//! The board's live status and the stock-wipe modal's trigger (SPEC R6.4,
//! R6.5; issue 14 items 4 and 5), in the browser: an `EventSource` on the
//! server's `/live/board` stream (`server/src/live.rs`). A `changed` event
//! re-reads the board; `lost` carries why the person may no longer see the
//! project; a dropped connection shows as "Reconnecting…" until the
//! browser's own retry (or ours, after a refused one) gets through.
//! Nothing runs on the server or without JavaScript: there the board is a
//! page like any other.

use leptos::prelude::*;

/// The stream's state, as the board shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Not connected yet (and always, without JavaScript): nothing shown.
    Off,
    Live,
    Reconnecting,
}

/// What the stock-wipe modal says, and whether every unit is gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wipe {
    pub reason: String,
    /// The whole project is no longer the person's to see.
    pub all: bool,
}

/// Watches `project`'s stream while it is known: bumps `refresh` on each
/// change, sets `wipe` when access is lost. Answers the link's state.
pub fn watch(
    project: RwSignal<Option<String>>,
    refresh: RwSignal<u32>,
    wipe: RwSignal<Option<Wipe>>,
) -> Signal<Link> {
    let link = RwSignal::new(Link::Off);
    #[cfg(feature = "hydrate")]
    browser::watch(project, refresh, wipe, link);
    #[cfg(not(feature = "hydrate"))]
    let _ = (project, refresh, wipe);
    link.into()
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Link, Wipe};
    use leptos::{
        prelude::*,
        wasm_bindgen::{closure::Closure, JsCast},
        web_sys::{EventSource, MessageEvent},
    };

    pub(super) fn watch(
        project: RwSignal<Option<String>>,
        refresh: RwSignal<u32>,
        wipe: RwSignal<Option<Wipe>>,
        link: RwSignal<Link>,
    ) {
        let current = StoredValue::new_local(None::<EventSource>);
        // A refused connection (a 503 while the database restarts) is not
        // retried by the browser: we try again after a pause.
        let attempt = RwSignal::new(0u32);
        let close = move || {
            current.update_value(|es| {
                if let Some(es) = es.take() {
                    es.close();
                }
            })
        };
        on_cleanup(close);
        Effect::new(move |_| {
            attempt.track();
            close();
            let Some(p) = project.get() else { return };
            if wipe.with_untracked(|w| w.as_ref().is_some_and(|w| w.all)) {
                return;
            }
            let Ok(es) = EventSource::new(&format!("/live/board?project={p}")) else {
                return;
            };
            let on = |name: &str, f: Closure<dyn FnMut(MessageEvent)>| {
                let _ = es.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
                f.forget();
            };
            on(
                "ready",
                Closure::new(move |_: MessageEvent| {
                    // Anything may have changed while we were away.
                    if link.get_untracked() == Link::Reconnecting {
                        refresh.update(|n| *n += 1);
                    }
                    link.set(Link::Live);
                }),
            );
            on(
                "changed",
                Closure::new(move |_: MessageEvent| {
                    link.set(Link::Live);
                    refresh.update(|n| *n += 1);
                }),
            );
            let lost_es = es.clone();
            on(
                "lost",
                Closure::new(move |e: MessageEvent| {
                    lost_es.close();
                    link.set(Link::Off);
                    wipe.set(Some(Wipe {
                        reason: e.data().as_string().unwrap_or_default(),
                        all: true,
                    }));
                }),
            );
            let error_es = es.clone();
            let on_error = Closure::<dyn FnMut()>::new(move || {
                if wipe.with_untracked(|w| w.as_ref().is_some_and(|w| w.all)) {
                    return;
                }
                link.set(Link::Reconnecting);
                if error_es.ready_state() == EventSource::CLOSED {
                    set_timeout(
                        move || attempt.update(|n| *n += 1),
                        std::time::Duration::from_secs(3),
                    );
                }
            });
            es.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            on_error.forget();
            current.set_value(Some(es));
        });
    }
}
