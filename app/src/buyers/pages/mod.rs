//! The Buyers pages (R1.9, R7.3): the list with the record form at
//! `/buyers`, one buyer and their links at `/buyers/:id`, "send this unit
//! to a buyer" at `/buyers/send`, and the data-processing terms at
//! `/settings/data-processing`. Every control is a real form; what the role
//! may not do is not rendered, and the server refuses it anyway. While the
//! terms are not accepted the buyer pages say so, with the way to accept
//! (an Owner or Admin) or whom to ask (everyone else).
//!
//! Here: the list page and the pieces the pages share.

mod detail;
mod form;
mod send;
mod terms;

pub use detail::BuyerPage;
pub use send::SendUnitPage;
pub use terms::DataProcessingPage;

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::AppError;

use crate::buyers::{load_buyers, BuyerRow, BuyersView, CreateBuyer, GateView};
use crate::ui::{
    last_error, navigate_on_success, DataTable, EmptyState, ErrorPage, FormError, PageHeader,
    SignInPrompt, Submit,
};
use form::{BuyerFields, Values};

#[component]
pub fn BuyersPage() -> impl IntoView {
    let create = ServerAction::<CreateBuyer>::new();
    navigate_on_success(create);
    let buyers = Resource::new_blocking(|| (), |_| load_buyers());
    view! {
        <Title text="Buyers" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match buyers.await {
                    Ok(view) => view! { <Buyers view create /> }.into_any(),
                    Err(err) => refused("Buyers", err),
                }
            })}
        </Suspense>
    }
}

/// What a Buyers page shows instead of itself: a sign-in prompt (401), the
/// closed gate explained (403 with its reason), or the error page.
pub(super) fn refused(title: &'static str, err: AppError) -> AnyView {
    match err {
        AppError::Unauthenticated => view! {
            <section class="auth-card"><h1>{title}</h1><SignInPrompt /></section>
        }
        .into_any(),
        AppError::Refused(why) => {
            #[cfg(feature = "ssr")]
            crate::ssr::set_status(http::StatusCode::FORBIDDEN);
            view! {
                <div class="stack">
                    <PageHeader title=title />
                    <div class="alert alert--info" role="status">
                        <p>{why.to_string()}</p>
                        <p><a href="/settings/data-processing">"Read the data-processing terms"</a></p>
                    </div>
                </div>
            }
            .into_any()
        }
        err => view! { <ErrorPage err /> }.into_any(),
    }
}

/// R1.9: the closed gate, explained; an Owner or Admin is sent to accept.
#[component]
pub(super) fn GateNotice(gate: GateView) -> impl IntoView {
    let next = if gate.may_accept {
        view! {
            <p><a class="button button--brand" href="/settings/data-processing">"Review and accept the terms"</a></p>
        }
        .into_any()
    } else {
        view! {
            <p>"Ask an Owner or Admin of your organisation to accept them. "
                <a href="/settings/data-processing">"Read the terms"</a></p>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="gate-title">
            <h2 id="gate-title">"Buyer features are off"</h2>
            <p>{offplan::domain::terms::GATE_CLOSED}</p>
            {gate.earlier.map(|e| view! { <p class="muted">{e}" A new version needs accepting again."</p> })}
            {next}
        </section>
    }
}

#[component]
fn Buyers(view: BuyersView, create: ServerAction<CreateBuyer>) -> impl IntoView {
    let lead = if view.own_only {
        "The buyers you recorded. Only you and your managers see them.".to_owned()
    } else {
        format!("The buyers {} has recorded.", view.org_name)
    };
    let header = view! { <PageHeader title="Buyers" lead /> }.into_any();
    if !view.may_manage {
        return view! {
            <div class="stack">
                {header}
                <EmptyState>"Your role doesn't manage buyers. Sales Agents, Sales Managers, Admins and the Owner do."</EmptyState>
            </div>
        }
        .into_any();
    }
    if !view.gate.open {
        return view! {
            <div class="stack">
                {header}
                <GateNotice gate=view.gate />
                // Visibly off: the form is there, disabled, so people see
                // what opens once the terms are accepted.
                <section class="card" aria-labelledby="add-buyer-title" aria-disabled="true">
                    <h2 id="add-buyer-title">"Record a buyer"</h2>
                    <fieldset disabled class="choices">
                        <legend class="muted">"Available once the terms are accepted."</legend>
                        <BuyerFields error=Signal::derive(|| None) values=Values::default() />
                    </fieldset>
                </section>
            </div>
        }
        .into_any();
    }
    let list = if view.buyers.is_empty() {
        view! {
            <EmptyState>"No buyers yet. Record your first with the form above: a name is enough to start; \
                add an email to send them links by email."</EmptyState>
        }
        .into_any()
    } else {
        view! { <BuyerTable rows=view.buyers show_agent=!view.own_only /> }.into_any()
    };
    view! {
        <div class="stack stack--wide">
            {header}
            <AddBuyer create />
            <section class="card" aria-labelledby="buyers-title">
                <h2 id="buyers-title">"Buyers"</h2>
                {list}
            </section>
        </div>
    }
    .into_any()
}

#[component]
fn AddBuyer(create: ServerAction<CreateBuyer>) -> impl IntoView {
    let error = last_error(create);
    view! {
        <section class="card" aria-labelledby="add-buyer-title">
            <h2 id="add-buyer-title">"Record a buyer"</h2>
            <ActionForm action=create attr:class="form">
                <BuyerFields error values=Values::default() />
                <FormError error />
                <div class="form__actions">
                    <Submit pending=create.pending() label="Record buyer" busy="Recording…" />
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
pub(super) fn BuyerTable(rows: Vec<BuyerRow>, show_agent: bool) -> impl IntoView {
    let columns = if show_agent {
        vec!["Buyer", "Contact", "Consent", "Live links", "Recorded by"]
    } else {
        vec!["Buyer", "Contact", "Consent", "Live links"]
    };
    view! {
        <DataTable columns>
            {rows.into_iter().map(|b| view! {
                <tr>
                    <td data-label="Buyer">
                        <a class="member__name" href=format!("/buyers/{}", b.id)>{b.name.clone()}</a>
                    </td>
                    <td data-label="Contact">
                        {b.email.clone().map(|e| view! { <span class="member__email">{e}</span> })}
                        {b.phone.clone().map(|p| view! { <span class="member__email muted">{p}</span> })}
                        {(b.email.is_none() && b.phone.is_none()).then(|| view! { <span class="muted">"—"</span> })}
                    </td>
                    <td data-label="Consent">{if b.consent { "Agreed to be contacted" } else { "Not given" }}</td>
                    <td class="nowrap" data-label="Live links">{b.live_links}</td>
                    {show_agent.then(|| view! { <td data-label="Recorded by">{b.recorded_by.clone()}</td> })}
                </tr>
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}
