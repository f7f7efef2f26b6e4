//! `app/orgs`, the organisation picker (R3.5).

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::AppError;

use crate::{
    auth::my_orgs,
    ui::{ErrorPage, SignInPrompt},
};

/// `app/orgs`: the organisation picker after a central sign-in (R3.5).
#[component]
pub fn OrgPickerPage() -> impl IntoView {
    let orgs = Resource::new_blocking(|| (), |_| my_orgs());
    view! {
        <Title text="Your organisations · offplan" />
        <section class="auth-card" aria-labelledby="orgs-title">
            <h1 id="orgs-title">"Choose an organisation"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match orgs.await {
                        Ok(list) if list.is_empty() => view! {
                            <p>"You're not a member of any organisation yet. Ask an admin to invite you, or "
                            <a href="/signup">"create one"</a>"."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="org-list">
                                {list.into_iter().map(|o| view! {
                                    <li><a class="org-list__item" href=o.url>
                                        <span class="org-list__name">{o.name}</span>
                                        <span class="tag">{o.role}</span>
                                    </a></li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(AppError::Unauthenticated) => view! { <SignInPrompt /> }.into_any(),
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
