//! `/buyers/:id`: one buyer (R1.9) — the edit form with the consent to be
//! contacted, their links with each one's state, and issuing a new link
//! (R7.3): choose a project, then one of its units the person may see,
//! and how long the link lives (30 days by default). The URL is shown once,
//! as selectable text with a Copy button, and can be emailed to the buyer.
//! Another organisation's buyer is a 404 page; a colleague's, for a Sales
//! Agent, a 403.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use offplan::AppError;

use super::{
    form::{BuyerFields, Values},
    refused,
};
use crate::buyers::{
    load_buyer, BuyerView, EmailLink, IssueLink, IssuedView, LinkRow, RevokeLink, UpdateBuyer,
};
use crate::ui::{
    html_text, last_error, DataTable, EmptyState, FormError, LastError, PageHeader, Submit,
};

/// The version of `action`'s last successful call: the page reloads its
/// data after a success only, so a refused form keeps what was typed.
fn succeeded<I, O>(action: ServerAction<I>) -> Memo<usize>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Memo::new(move |prev: Option<&usize>| match action.value().get() {
        Some(Ok(_)) => action.version().get(),
        _ => prev.copied().unwrap_or(0),
    })
}

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateBuyer>,
    issue: ServerAction<IssueLink>,
    email: ServerAction<EmailLink>,
    revoke: ServerAction<RevokeLink>,
}

#[component]
pub fn BuyerPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let project = move || query.read().get("project").unwrap_or_default();
    let actions = Actions {
        update: ServerAction::<UpdateBuyer>::new(),
        issue: ServerAction::<IssueLink>::new(),
        email: ServerAction::<EmailLink>::new(),
        revoke: ServerAction::<RevokeLink>::new(),
    };
    let (saved, issued, revoked) = (
        succeeded(actions.update),
        succeeded(actions.issue),
        succeeded(actions.revoke),
    );
    let buyer = Resource::new_blocking(
        move || (id(), project(), saved.get(), issued.get(), revoked.get()),
        |(id, project, ..)| load_buyer(id, project),
    );
    // A form posted without script comes back here with `issued` set.
    let issued_plain = move || query.read().get("issued");
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match buyer.await {
                    Ok(view) => view! { <Buyer view actions issued_plain=issued_plain() /> }.into_any(),
                    Err(err) => view! { <Title text="Buyer" />{refused("Buyer", err)} }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Buyer(view: BuyerView, actions: Actions, issued_plain: Option<String>) -> impl IntoView {
    let lead = format!("Recorded by {} on {}.", view.recorded_by, view.added);
    let header = view! {
        <Title text=html_text(format!("{} · Buyers", view.name)) />
        <PageHeader title=view.name.clone() lead>
            <p><a href="/buyers">"All buyers"</a></p>
        </PageHeader>
    }
    .into_any();
    let plain_notice = issued_plain.map(|how| {
        let text = if how == "emailed" {
            "Link issued and emailed to the buyer."
        } else {
            "Link issued. Turn on JavaScript to see and copy it, or issue it again with \
             \"Email it to the buyer\" ticked."
        };
        view! { <div class="alert alert--info" role="status">{text}</div> }
    });
    view! {
        <div class="stack">
            {header}
            {plain_notice}
            <NewLink view=view.clone() actions />
            <Links view=view.clone() actions />
            <EditBuyer view=view.clone() action=actions.update />
        </div>
    }
    .into_any()
}

#[component]
fn EditBuyer(view: BuyerView, action: ServerAction<UpdateBuyer>) -> impl IntoView {
    let error: LastError = last_error(action);
    let consent_note = view
        .consent_since
        .clone()
        .map(|d| format!("Consent to be contacted recorded on {d}."));
    let values = Values {
        name: view.name.clone(),
        email: view.email.clone().unwrap_or_default(),
        phone: view.phone.clone().unwrap_or_default(),
        notes: view.notes.clone().unwrap_or_default(),
        consent: view.consent,
    };
    view! {
        <section class="card" aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            {consent_note.map(|n| view! { <p class="muted">{n}</p> })}
            <ActionForm action attr:class="form">
                <input type="hidden" name="id" value=view.id.to_string() />
                <BuyerFields error values />
                <FormError error />
                <div class="form__actions">
                    <Submit pending=action.pending() label="Save changes" busy="Saving…" />
                    {move || match action.value().get() {
                        Some(Ok(true)) => Some(view! { <p class="muted" role="status">"Saved."</p> }.into_any()),
                        Some(Ok(false)) => Some(view! { <p class="muted" role="status">"Nothing to save: no field changed."</p> }.into_any()),
                        _ => None,
                    }}
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn NewLink(view: BuyerView, actions: Actions) -> impl IntoView {
    let error = last_error(actions.issue);
    let chosen_slug = view
        .chosen
        .as_ref()
        .map(|p| p.slug.clone())
        .unwrap_or_default();
    // Step 1, a plain GET form: which project (its units load with it).
    let pick_project = view! {
        <form method="get" class="form" action=format!("/buyers/{}", view.id)>
            <div class="field">
                <label class="field__label" for="field-project">"Project"</label>
                <select class="field__input" id="field-project" name="project">
                    {view.projects.iter().map(|p| view! {
                        <option value=p.slug.clone() selected=p.slug == chosen_slug>{p.name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="form__actions">
                <button type="submit" class="button button--outline">"Show its units"</button>
            </div>
        </form>
    }
    .into_any();
    let issue_form = view.chosen.clone().map(|project| {
        let has_email = view.email.is_some();
        let units = view.units.clone();
        if units.is_empty() {
            return view! {
                <EmptyState>"No unit of this project is yours to send right now."</EmptyState>
            }
            .into_any();
        }
        view! {
            <ActionForm action=actions.issue attr:class="form">
                <input type="hidden" name="buyer" value=view.id.to_string() />
                <input type="hidden" name="project" value=project.id.to_string() />
                <div class="field">
                    <label class="field__label" for="field-unit">{format!("Unit of {}", project.name)}</label>
                    <select class="field__input" id="field-unit" name="unit" required=true>
                        {units.into_iter().map(|u| view! {
                            <option value=u.id.to_string()>{u.label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="field-days">"Valid for (days)"</label>
                    <p class="field__hint" id="field-days-hint">"1 to 30 days; 30 unless you choose fewer."</p>
                    <input class="field__input" id="field-days" name="days" type="number" min="1" max="30"
                        value="30" aria-describedby="field-days-hint" />
                    {move || error.get().and_then(|e| e.field_message("days").map(str::to_owned)).map(|m| view! {
                        <p class="field__error" role="alert">{m}</p>
                    })}
                </div>
                {has_email.then(|| view! {
                    <label class="choice">
                        <input type="checkbox" name="email" value="on" />
                        " Email it to the buyer"
                    </label>
                })}
                <p class="muted">"A new link for the same unit replaces the buyer's previous one: the old link stops working at once."</p>
                <FormError error />
                <div class="form__actions">
                    <Submit pending=actions.issue.pending() label="Issue link" busy="Issuing…" />
                </div>
            </ActionForm>
        }
        .into_any()
    });
    let no_projects = view.projects.is_empty().then(|| {
        view! {
            <EmptyState>"No projects whose units you can send yet."</EmptyState>
        }
    });
    let email = actions.email;
    view! {
        <section class="card" aria-labelledby="new-link-title">
            <h2 id="new-link-title">"Send a unit"</h2>
            {no_projects}
            {(!view.projects.is_empty()).then_some(pick_project)}
            {issue_form}
            {move || match actions.issue.value().get() {
                Some(Ok(issued)) => Some(view! { <IssuedLink issued email /> }.into_any()),
                _ => None,
            }}
        </section>
    }
}

/// The link just issued, shown once: selectable text, a Copy button
/// (navigator.clipboard once hydrated) and "Email it to the buyer".
#[component]
fn IssuedLink(issued: IssuedView, email: ServerAction<EmailLink>) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let url = issued.url.clone();
    let copy = move |_| {
        #[cfg(not(feature = "ssr"))]
        {
            let _ = window().navigator().clipboard().write_text(&url);
        }
        #[cfg(feature = "ssr")]
        let _ = &url;
        set_copied.set(true);
    };
    let email_error = last_error(email);
    let status = if issued.emailed {
        "Issued and emailed to the buyer."
    } else {
        "Issued."
    };
    view! {
        <div class="alert alert--info" role="status">
            <p><strong>{status}</strong>
                {issued.replaced.then_some(" The buyer's previous link for this unit no longer works.")}
                " Copy the link now: it is shown only once."</p>
            <label class="field__label" for="issued-url">"The buyer's link"</label>
            <input class="field__input" id="issued-url" type="text" readonly=true value=issued.url.clone() />
            <div class="form__actions">
                <button type="button" class="button button--outline" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                {(issued.buyer_has_email && !issued.emailed).then(|| view! {
                    <ActionForm action=email attr:class="inline-form">
                        <input type="hidden" name="link" value=issued.link_id.to_string() />
                        <input type="hidden" name="token" value=issued.token.clone() />
                        <Submit pending=email.pending() label="Email it to the buyer" busy="Sending…" class="button button--outline" />
                    </ActionForm>
                })}
                {move || match email.value().get() {
                    Some(Ok(true)) => Some(view! { <p class="muted" role="status">"Emailed."</p> }),
                    _ => None,
                }}
            </div>
            <FormError error=email_error />
        </div>
    }
}

#[component]
fn Links(view: BuyerView, actions: Actions) -> impl IntoView {
    let error = last_error(actions.revoke);
    let buyer = view.id.to_string();
    let body = if view.links.is_empty() {
        view! { <EmptyState>"No links yet. Send a unit above."</EmptyState> }.into_any()
    } else {
        view! {
            <DataTable columns=vec!["Unit", "Issued", "Expires", "State", "Last opened", ""]>
                {view.links.into_iter().map(|l| view! { <LinkLine link=l buyer=buyer.clone() action=actions.revoke /> }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="links-title">
            <h2 id="links-title">"Links"</h2>
            <FormError error />
            {body}
        </section>
    }
}

#[component]
fn LinkLine(link: LinkRow, buyer: String, action: ServerAction<RevokeLink>) -> impl IntoView {
    view! {
        <tr>
            <td data-label="Unit"><span class="member__name">{link.unit.clone()}</span>
                <span class="member__email muted">{link.project.clone()}</span></td>
            <td class="nowrap" data-label="Issued">{link.issued.clone()}<span class="member__email muted">{link.issued_by.clone()}</span></td>
            <td class="nowrap" data-label="Expires">{link.expires.clone()}</td>
            <td data-label="State">{link.state.clone()}</td>
            <td class="nowrap" data-label="Last opened">{link.last_opened.clone().unwrap_or_else(|| "Not yet".to_owned())}</td>
            <td data-label="">
                {link.active.then(|| view! {
                    <ActionForm action attr:class="inline-form">
                        <input type="hidden" name="buyer" value=buyer.clone() />
                        <input type="hidden" name="link" value=link.id.to_string() />
                        <Submit pending=action.pending() label="Revoke" busy="Revoking…" class="button button--outline" />
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
