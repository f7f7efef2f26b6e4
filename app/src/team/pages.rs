//! The Team page (R4.1–R4.7). Every control is a real form (it works before
//! hydration); destructive ones sit behind a `<details>` confirmation, which
//! the keyboard opens like a button. Controls the role may not use are not
//! rendered, and the server refuses them anyway (R4.7).

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::{domain::InviteOutcome, policy::Role, AppError};

use super::*;
use crate::{
    auth::{
        forms::{last_error, navigate_on_success, FormError, Submit},
        SignInPrompt,
    },
    site::ErrorPage,
    ui::{DataTable, EmptyState, PageHeader},
};

#[component]
pub fn TeamPage() -> impl IntoView {
    let invite = ServerAction::<InviteMembers>::new();
    let role = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let transfer = ServerAction::<TransferOrg>::new();
    let leave = ServerAction::<LeaveOrg>::new();
    navigate_on_success(leave);
    let team = Resource::new_blocking(
        move || {
            (
                invite.version().get(),
                role.version().get(),
                remove.version().get(),
                revoke.version().get(),
                resend.version().get(),
                transfer.version().get(),
            )
        },
        |_| load_team(),
    );
    let actions = Actions {
        invite,
        role,
        remove,
        revoke,
        resend,
        transfer,
        leave,
    };
    view! {
        <Title text="Team · Settings" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok(view) => view! { <Team view actions /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! {
                        <section class="auth-card"><h1>"Team"</h1><SignInPrompt /></section>
                    }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    invite: ServerAction<InviteMembers>,
    role: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
    revoke: ServerAction<RevokeInvitation>,
    resend: ServerAction<ResendInvitation>,
    transfer: ServerAction<TransferOrg>,
    leave: ServerAction<LeaveOrg>,
}

/// The settings tabs now live with the other shared pieces.
pub use crate::ui::SettingsNav;

#[component]
fn Team(view: TeamView, actions: Actions) -> impl IntoView {
    let errors = [
        last_error(actions.role),
        last_error(actions.remove),
        last_error(actions.revoke),
        last_error(actions.resend),
        last_error(actions.transfer),
        last_error(actions.leave),
    ];
    // The newest failure of any row action, shown once above the tables.
    // A rate limit here can only be a resend (R5.5): say so, and when.
    let row_error: Signal<Option<AppError>> = Signal::derive(move || {
        errors.iter().find_map(|e| e.get()).map(|e| match e {
            AppError::RateLimited { retry_after_secs } => AppError::Conflict {
                message: format!(
                    "That invitation was sent a few minutes ago. You can resend it in {}.",
                    offplan_minutes(retry_after_secs)
                ),
            },
            other => other,
        })
    });
    let admins: Vec<MemberView> = view
        .members
        .iter()
        .filter(|m| m.role == Role::Admin)
        .cloned()
        .collect();
    let count = view.members.len();
    // Each part is type-erased: the whole page as one static type is deeper
    // than the compiler's query limit.
    let invite_form = view.can_manage.then(|| {
        view! { <InviteForm action=actions.invite grantable=view.grantable.clone() /> }.into_any()
    });
    let members = view! {
        <section class="card" aria-labelledby="members-title">
            <h2 id="members-title">"Members"</h2>
            <DataTable columns=vec!["Name", "Role", "Joined", "Last active"] actions=view.can_manage>
                {view.members.iter().cloned().map(|m| view! {
                    <MemberRow m grantable=view.grantable.clone() can_manage=view.can_manage actions />
                }).collect_view()}
            </DataTable>
        </section>
    }
    .into_any();
    let invitations =
        view! { <Invitations rows=view.invitations.clone() can_manage=view.can_manage actions /> }
            .into_any();
    let removed = (!view.removed.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="removed-title">
                <h2 id="removed-title">"Recently removed"</h2>
                <ul class="plain-list">
                    {view.removed.iter().map(|r| view! {
                        <li><strong>{r.name.clone()}</strong>" · "{r.email.clone()}" · was "{r.role.label()}
                            <span class="muted">" — "{r.how.clone()}", "{r.when.clone()}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        }
        .into_any()
    });
    let transfer = view
        .can_transfer
        .then(|| view! { <TransferPanel admins action=actions.transfer /> }.into_any());
    let leave = view! { <LeavePanel is_owner=view.my_role == Role::Owner action=actions.leave /> }
        .into_any();
    let header = view! {
        <PageHeader title="Team" lead=format!("{count} {} in {}", if count == 1 { "member" } else { "members" }, view.org_name)>
            <SettingsNav current="team" audit=view.can_view_audit />
        </PageHeader>
    }
    .into_any();
    view! {
        <div class="stack stack--wide">
            {header}
            {invite_form}
            <FormError error=row_error />
            {members}
            {invitations}
            {removed}
            {transfer}
            {leave}
        </div>
    }
    .into_any()
}

#[component]
fn InviteForm(action: ServerAction<InviteMembers>, grantable: Vec<Role>) -> impl IntoView {
    let error = last_error(action);
    let message = move || {
        error
            .get()
            .and_then(|e| e.field_message("emails").map(str::to_owned))
    };
    view! {
        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">"Invite people"</h2>
            <ActionForm action attr:class="form form--row">
                <div class="field field--grow" class:field--invalid=move || message().is_some()>
                    <label class="field__label" for="field-emails">"Email addresses"</label>
                    <p class="field__hint" id="field-emails-hint">"One or several, separated by commas or new lines. Each gets a personal link, valid for 7 days."</p>
                    <textarea class="field__input" id="field-emails" name="emails" rows="2" required
                        aria-describedby=move || if message().is_some() { "field-emails-hint field-emails-error" } else { "field-emails-hint" }
                        aria-invalid=move || message().is_some().then_some("true")></textarea>
                    {move || message().map(|m| view! { <p class="field__error" id="field-emails-error" role="alert">{m}</p> })}
                </div>
                <div class="field">
                    <label class="field__label" for="field-invite-role">"Role"</label>
                    <select class="field__input" id="field-invite-role" name="role">
                        {grantable.iter().map(|r| view! {
                            <option value=r.as_str() selected=*r == Role::SalesAgent>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Submit pending=action.pending() label="Send invitations" busy="Sending…" />
            </ActionForm>
            {move || match action.value().get() {
                Some(Ok(outcomes)) => Some(view! {
                    <ul class="outcomes" role="status" aria-label="Invitation results">
                        {outcomes.into_iter().map(|o| match o {
                            InviteOutcome::Sent(e) => view! { <li class="outcome outcome--ok">"Invitation sent to "<strong>{e}</strong></li> }.into_any(),
                            InviteOutcome::Refreshed(e) => view! { <li class="outcome outcome--ok">"Renewed the pending invitation to "<strong>{e}</strong>" (new link, 7 more days)"</li> }.into_any(),
                            InviteOutcome::AlreadyMember(e) => view! { <li class="outcome outcome--note"><strong>{e}</strong>" is already a member — nothing sent"</li> }.into_any(),
                        }).collect_view()}
                    </ul>
                }.into_any()),
                Some(Err(e)) if e.field_message("emails").is_none() => Some(view! {
                    <ul class="outcomes"><li class="alert alert--error" role="alert">{invite_error_text(&e)}</li></ul>
                }.into_any()),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn MemberRow(
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
fn Invitations(rows: Vec<InvitationRow>, can_manage: bool, actions: Actions) -> impl IntoView {
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

#[component]
fn TransferPanel(admins: Vec<MemberView>, action: ServerAction<TransferOrg>) -> impl IntoView {
    let eligible: Vec<MemberView> = admins
        .iter()
        .filter(|a| a.transfer_blocked.is_none())
        .cloned()
        .collect();
    let blocked: Vec<MemberView> = admins
        .into_iter()
        .filter(|a| a.transfer_blocked.is_some())
        .collect();
    view! {
        <section class="card" aria-labelledby="transfer-title">
            <h2 id="transfer-title">"Transfer ownership"</h2>
            <p class="muted">"The new Owner must be an Admin with a verified email. You become an Admin."</p>
            {if eligible.is_empty() {
                view! { <p>"No Admin can receive ownership yet."</p> }.into_any()
            } else {
                view! {
                    <details class="confirm">
                        <summary class="button button--outline">"Transfer ownership…"</summary>
                        <ActionForm action attr:class="form confirm__panel">
                            <div class="field">
                                <label class="field__label" for="field-transfer">"New Owner"</label>
                                <select class="field__input" id="field-transfer" name="user">
                                    {eligible.iter().map(|a| view! { <option value=a.id.to_string()>{format!("{} ({})", a.name, a.email)}</option> }).collect_view()}
                                </select>
                            </div>
                            <Submit pending=action.pending() label="Transfer ownership" busy="Transferring…" class="button button--danger" />
                        </ActionForm>
                    </details>
                }.into_any()
            }}
            {(!blocked.is_empty()).then(|| view! {
                <ul class="plain-list muted">
                    {blocked.into_iter().map(|a| view! { <li>{a.name.clone()}": "{a.transfer_blocked.clone()}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
fn LeavePanel(is_owner: bool, action: ServerAction<LeaveOrg>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="leave-title">
            <h2 id="leave-title">"Leave organisation"</h2>
            {if is_owner {
                view! { <p class="muted">"As the Owner you can't leave. Transfer ownership to an Admin first; then you can leave as an Admin."</p> }.into_any()
            } else {
                view! {
                    <details class="confirm">
                        <summary class="button button--outline">"Leave…"</summary>
                        <ActionForm action attr:class="confirm__panel">
                            <p>"You'll lose access to this organisation straight away. An Admin can invite you back."</p>
                            <Submit pending=action.pending() label="Leave organisation" busy="Leaving…" class="button button--danger" />
                        </ActionForm>
                    </details>
                }.into_any()
            }}
        </section>
    }
}

/// "about N minutes" for a wait in seconds (rounded up, never zero).
fn offplan_minutes(secs: u32) -> String {
    match secs.div_ceil(60).max(1) {
        1 => "about a minute".to_owned(),
        n => format!("about {n} minutes"),
    }
}

/// What the invite form says when the server refused the whole list: the
/// hourly allowance (R5.5) says when more may go; anything else as is.
fn invite_error_text(e: &AppError) -> String {
    match e {
        AppError::RateLimited { retry_after_secs } => format!(
            "The hourly limit on invitations has been reached, so nothing was sent. \
             You can send more in {}.",
            offplan_minutes(*retry_after_secs)
        ),
        other => other.to_string(),
    }
}
