//! Project Settings → Partners (R1.7, R5.2): who works on the project,
//! its pending invitations, and the invite form.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    projects::{
        pages::{refused, SettingsTabs},
        partners::{
            load_partners, InvitePartner, PartnerRow, PartnersPageData, PartnersView,
            PendingPartnerRow, RemovePartner, RevokePartnerInvitation,
        },
    },
    ui::{last_error, DataTable, EmptyState, Field, FormError, MovedTo, PageHeader, Submit},
};

#[derive(Clone, Copy)]
struct Actions {
    invite: ServerAction<InvitePartner>,
    revoke: ServerAction<RevokePartnerInvitation>,
    remove: ServerAction<RemovePartner>,
}

#[component]
pub fn PartnersPage() -> impl IntoView {
    let params = use_params_map();
    let actions = Actions {
        invite: ServerAction::new(),
        revoke: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let data = Resource::new_blocking(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                actions.invite.version().get()
                    + actions.revoke.version().get()
                    + actions.remove.version().get(),
            )
        },
        |(slug, _)| load_partners(slug),
    );
    view! {
        <Title text="Partners" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(PartnersPageData::Found(v)) => view! { <Partners v actions /> }.into_any(),
                    Ok(PartnersPageData::Moved(path)) => view! { <MovedTo path /> }.into_any(),
                    Err(err) => refused("Partners", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Partners(v: PartnersView, actions: Actions) -> impl IntoView {
    let id = v.project_id.to_string();
    let removed = move || {
        actions.remove.value().get().and_then(|r| r.ok()).map(|n| {
            let units = match n {
                0 => "It held no units.".to_owned(),
                1 => "The 1 unit it held is set aside for you to reassign.".to_owned(),
                n => format!("The {n} units it held are set aside for you to reassign."),
            };
            view! { <div class="alert alert--success" role="status">{format!("Partner removed. {units}")}</div> }
        })
    };
    view! {
        <div class="stack">
            <PageHeader title="Partners" lead=v.project_name.clone()>
                <p><a href=v.project_href.clone()>"Back to the project"</a></p>
                <SettingsTabs href=v.project_href.clone() current="partners" settings=true activity=v.can_view_activity partners=true />
            </PageHeader>
            {removed}
            {v.may_invite.then(|| view! { <InviteForm id=id.clone() action=actions.invite /> })}
            <PartnerList rows=v.partners id=id.clone() action=actions.remove />
            <PendingList rows=v.pending id action=actions.revoke />
        </div>
    }
}

#[component]
fn InviteForm(id: String, action: ServerAction<InvitePartner>) -> impl IntoView {
    let error = last_error(action);
    let sent = move || {
        action.value().get().and_then(|r| r.ok()).map(|message| {
            view! { <div class="alert alert--success" role="status">{message}</div> }
        })
    };
    view! {
        <section class="card" aria-labelledby="invite-partner-title">
            <h2 id="invite-partner-title">"Invite a partner"</h2>
            <p class="muted">"A studio presents the project; an agency sells it. The invitation is valid for 7 days."</p>
            {sent}
            <ActionForm action attr:class="form">
                <input type="hidden" name="id" value=id />
                <Field
                    name="to"
                    label="Email or organisation address"
                    error
                    hint="The email of the person who will run the partnership there, or an organisation already on offplan by its address (such as northstar): its Owner and Admins are emailed."
                    autocomplete="off"
                />
                <fieldset class="choices">
                    <legend class="field__label">"Invite as"</legend>
                    <label class="choice">
                        <input type="radio" name="kind" value="agency" checked=true />
                        <span>"Agency — sells units"</span>
                    </label>
                    <label class="choice">
                        <input type="radio" name="kind" value="studio" />
                        <span>"Studio — presents the project, changes no units"</span>
                    </label>
                </fieldset>
                <FormError error />
                <div class="form__actions">
                    <Submit pending=action.pending() label="Send invitation" busy="Sending…" />
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn PartnerList(
    rows: Vec<PartnerRow>,
    id: String,
    action: ServerAction<RemovePartner>,
) -> impl IntoView {
    let error = last_error(action);
    view! {
        <section class="card" aria-labelledby="partners-title">
            <h2 id="partners-title">"Partners"</h2>
            <FormError error />
            {if rows.is_empty() {
                view! { <EmptyState>"No partners yet. Invite a studio to present the project or an agency to sell it."</EmptyState> }.into_any()
            } else {
                view! {
                    <DataTable columns=vec!["Organisation", "As", "Invited by", "Joined", "Units held"] actions=true>
                        {rows.into_iter().map(|p| {
                            let name = p.name.clone();
                            let id = id.clone();
                            view! {
                                <tr>
                                    <td data-label="Organisation"><strong>{p.name}</strong><br /><span class="muted">{p.subdomain}</span></td>
                                    <td data-label="As">{p.kind}</td>
                                    <td data-label="Invited by">{p.invited_by.unwrap_or_else(|| "—".to_owned())}</td>
                                    <td data-label="Joined">{p.joined}</td>
                                    <td data-label="Units held">{p.units_held}</td>
                                    <td class="table__actions">
                                        <details class="confirm">
                                            <summary class="button button--quiet">"Remove…"</summary>
                                            <div class="confirm__panel">
                                                <p>{format!("Remove {name} from this project? Its members lose access on their next page; the units it holds are set aside for you to reassign.")}</p>
                                                <ActionForm action attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id />
                                                    <input type="hidden" name="partner" value=p.org_id.to_string() />
                                                    <Submit pending=action.pending() label="Remove partner" busy="Removing…" class="button button--danger" />
                                                </ActionForm>
                                            </div>
                                        </details>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn PendingList(
    rows: Vec<PendingPartnerRow>,
    id: String,
    action: ServerAction<RevokePartnerInvitation>,
) -> impl IntoView {
    let error = last_error(action);
    view! {
        <section class="card" aria-labelledby="pending-partners-title">
            <h2 id="pending-partners-title">"Pending invitations"</h2>
            <FormError error />
            {if rows.is_empty() {
                view! { <EmptyState>"No pending invitations."</EmptyState> }.into_any()
            } else {
                view! {
                    <DataTable columns=vec!["To", "As", "Invited by", "Expires"] actions=true>
                        {rows.into_iter().map(|i| { let id = id.clone(); view! {
                            <tr>
                                <td data-label="To">{i.to}</td>
                                <td data-label="As">{i.kind}</td>
                                <td data-label="Invited by">{i.invited_by}</td>
                                <td data-label="Expires">{if i.expired { "Expired".to_owned() } else { i.expires }}</td>
                                <td class="table__actions">
                                    <ActionForm action attr:class="inline-form">
                                        <input type="hidden" name="id" value=id />
                                        <input type="hidden" name="invitation" value=i.id.to_string() />
                                        <Submit pending=action.pending() label="Withdraw" busy="Withdrawing…" class="button button--quiet" />
                                    </ActionForm>
                                </td>
                            </tr>
                        }}).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}
