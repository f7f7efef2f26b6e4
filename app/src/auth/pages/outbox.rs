//! `/dev/outbox`, development only.

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::AppError;

use crate::{auth::dev_outbox, ui::ErrorPage};

/// `/dev/outbox`: development only (R3.9's emails, for people and tests).
#[component]
pub fn DevOutboxPage() -> impl IntoView {
    let messages = Resource::new_blocking(|| (), |_| dev_outbox());
    view! {
        <Title text="Outbox (development)" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match messages.await {
                    Ok(list) => view! {
                        <h1>"Outbox"</h1>
                        <p class="muted">"Development only: emails the app queued, newest first."</p>
                        <ul class="outbox">
                            {list.into_iter().map(|m| view! {
                                <li class="card outbox__item" data-to=m.to.clone()>
                                    <p class="outbox__meta"><strong>{m.subject.clone()}</strong>" → "{m.to.clone()}" · "{m.queued.clone()}</p>
                                    <pre class="outbox__body">{m.body.clone()}</pre>
                                    {links(&m.body).into_iter().map(|l| view! {
                                        <a class="outbox__link" href=l.clone()>{l.clone()}</a>
                                    }).collect_view()}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::not_found::NotFound /> }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn links(body: &str) -> Vec<String> {
    body.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_owned)
        .collect()
}
