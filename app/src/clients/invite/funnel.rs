//! `/clients/invitations`: the funnel of the studio's reverse invitations
//! (R5.3) — how many were sent, opened, accepted, declined and left to
//! expire, and each invitation with where it stands.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{load_client_funnel, FunnelView, RevokeClientInvite};
use crate::ui::{
    last_error, DataTable, EmptyState, ErrorPage, FormError, PageHeader, SignInPrompt, Submit,
};
use offplan::AppError;

#[component]
pub fn ClientInvitationsPage() -> impl IntoView {
    let revoke = ServerAction::<RevokeClientInvite>::new();
    let funnel = Resource::new_blocking(move || revoke.version().get(), |_| load_client_funnel());
    view! {
        <Title text="Client invitations" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match funnel.await {
                    Ok(view) => view! { <Funnel view revoke /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! {
                        <section class="auth-card"><h1>"Client invitations"</h1><SignInPrompt /></section>
                    }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Funnel(view: FunnelView, revoke: ServerAction<RevokeClientInvite>) -> impl IntoView {
    let error = last_error(revoke);
    let c = view.counts;
    let steps = [
        ("Sent", c.sent),
        ("Opened", c.opened),
        ("Accepted", c.accepted),
        ("Declined", c.declined),
        ("Expired", c.expired),
    ];
    let lead = format!(
        "Who {} invited to offplan from its client records, and how far each invitation got.",
        view.org_name
    );
    view! {
        <div class="stack stack--wide">
            <PageHeader title="Client invitations" lead>
                <p><a href="/clients">"All clients"</a></p>
            </PageHeader>
            <section class="card" aria-labelledby="funnel-title">
                <h2 id="funnel-title">"Funnel"</h2>
                <dl class="details funnel">
                    {steps.into_iter().map(|(label, n)| view! {
                        <div><dt>{label}</dt><dd data-step=label.to_lowercase()>{n}</dd></div>
                    }).collect_view()}
                </dl>
                <p class="muted">"Opened: the invitation page was loaded with a valid link. Expired: never answered within 30 days."</p>
            </section>
            <section class="card" aria-labelledby="invitations-title">
                <h2 id="invitations-title">"Invitations"</h2>
                <FormError error />
                {if view.rows.is_empty() {
                    view! { <EmptyState>"No client invitations yet. Invite a client from its record."</EmptyState> }.into_any()
                } else {
                    view! {
                        <DataTable columns=vec!["Client", "Invited", "By", "Sent", "Opened", "Status"] actions=true>
                            {view.rows.into_iter().map(|r| view! {
                                <tr>
                                    <td data-label="Client"><a href=r.client_href>{r.client_name}</a></td>
                                    <td data-label="Invited">{r.email}</td>
                                    <td data-label="By">{r.invited_by}</td>
                                    <td class="nowrap" data-label="Sent">{r.sent}</td>
                                    <td class="nowrap" data-label="Opened">{r.opened.unwrap_or_else(|| "—".to_owned())}</td>
                                    <td data-label="Status">{r.stage}</td>
                                    <td class="table__actions">
                                        {r.pending.then(|| view! {
                                            <ActionForm action=revoke attr:class="inline-form">
                                                <input type="hidden" name="id" value=r.id.to_string() />
                                                <Submit pending=revoke.pending() label="Withdraw" busy="Withdrawing…" class="button button--quiet" />
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                    }.into_any()
                }}
            </section>
        </div>
    }
}
