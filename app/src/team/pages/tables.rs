//! The members table (R4.3, R4.4) and the pending invitations (R4.5).

use leptos::prelude::*;
use offplan::policy::Role;

use super::Actions;
use crate::{
    team::{InvitationRow, MemberView},
    ui::{DataTable, EmptyState, Submit},
};

#[component]
pub(super) fn MemberRow(
    m: MemberView,
    grantable: Vec<Role>,
    can_manage: bool,
    actions: Actions,
) -> impl IntoView {
    let id = m.id.to_string();
    let remove_id = id.clone();
    let select_id = format!("role-{}", m.id);
    let name = m.name.clone();
    view! {
        <tr>
            <td data-label="Name">
                <span class="member__name">{m.name.clone()}{m.is_me.then(|| view! { <span class="tag">"You"</span> })}</span>
                <span class="member__email muted">{m.email.clone()}</span>
            </td>
            <td data-label="Role">
                {if m.manageable {
                    let current = m.role;
                    view! {
                        <ActionForm action=actions.role attr:class="inline-form">
                            <input type="hidden" name="user" value=id.clone() />
                            <label class="visually-hidden" for=select_id.clone()>{format!("Role of {}", m.name)}</label>
                            <select class="field__input field__input--compact" id=select_id.clone() name="role">
                                {grantable.iter().map(|r| view! {
                                    <option value=r.as_str() selected=*r == current>{r.label()}</option>
                                }).collect_view()}
                            </select>
                            <button type="submit" class="button button--quiet" disabled=move || actions.role.pending().get()>"Save"</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <span class="tag" class:tag--brand=m.role == Role::Owner>{m.role.label()}</span> }.into_any()
                }}
            </td>
            <td class="nowrap" data-label="Joined">{m.joined.clone()}</td>
            <td data-label="Last active">{m.last_active.clone()}</td>
            {can_manage.then(|| view! {
                <td class="table__actions">
                    {m.manageable.then(|| view! {
                        <details class="confirm">
                            <summary class="button button--quiet">"Remove…"</summary>
                            <div class="confirm__panel">
                                <p>{format!("Remove {name}? They lose access at once and are signed out everywhere.")}</p>
                                <ActionForm action=actions.remove attr:class="inline-form">
                                    <input type="hidden" name="user" value=remove_id.clone() />
                                    <Submit pending=actions.remove.pending() label="Remove" busy="Removing…" class="button button--danger" />
                                </ActionForm>
                            </div>
                        </details>
                    })}
                </td>
            })}
        </tr>
    }
    .into_any()
}

#[component]
pub(super) fn Invitations(
    rows: Vec<InvitationRow>,
    can_manage: bool,
    actions: Actions,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="invitations-title">
            <h2 id="invitations-title">"Pending invitations"</h2>
            {if rows.is_empty() {
                view! { <EmptyState>"No pending invitations."</EmptyState> }.into_any()
            } else {
                view! {
                    <DataTable columns=vec!["Email", "Role", "Invited by", "Expires"] actions=can_manage>
                                {rows.into_iter().map(|i| {
                                    let id = i.id.to_string();
                                    let id2 = id.clone();
                                    let (resend_label, revoke_label) = (
                                        format!("Resend the invitation to {}", i.email),
                                        format!("Revoke the invitation to {}", i.email),
                                    );
                                    view! {
                                        <tr>
                                            <td data-label="Email">{i.email.clone()}</td>
                                            <td class="nowrap" data-label="Role">{i.role.label()}</td>
                                            <td data-label="Invited by">{i.invited_by.clone()}</td>
                                            <td class="nowrap" data-label="Expires" class:muted=i.expired>{i.expires.clone()}</td>
                                            {can_manage.then(|| view! {
                                                <td class="table__actions">
                                                    <ActionForm action=actions.resend attr:class="inline-form">
                                                        <input type="hidden" name="id" value=id.clone() />
                                                        <button type="submit" class="button button--quiet" aria-label=resend_label.clone()>"Resend"</button>
                                                    </ActionForm>
                                                    <ActionForm action=actions.revoke attr:class="inline-form">
                                                        <input type="hidden" name="id" value=id2.clone() />
                                                        <button type="submit" class="button button--quiet" aria-label=revoke_label.clone()>"Revoke"</button>
                                                    </ActionForm>
                                                </td>
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
            {move || matches!(actions.resend.value().get(), Some(Ok(()))).then(|| view! {
                <p class="alert alert--success" role="status">"Sent again with a new link."</p>
            })}
        </section>
    }
}
