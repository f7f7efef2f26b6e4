//! The Team page (R4.1–R4.7). Every control is a real form (it works before
//! hydration); destructive ones sit behind a `<details>` confirmation, which
//! the keyboard opens like a button. Controls the role may not use are not
//! rendered, and the server refuses them anyway (R4.7).
//!
//! Here: the page and its layout. The invite form is in `invite_form.rs`,
//! the members and invitations tables in `tables.rs`, the transfer and
//! leave panels in `ownership.rs`.

mod invite_form;
mod ownership;
mod tables;

use leptos::prelude::*;
use leptos_meta::Title;
use offplan::{error::Conflict, policy::Role, AppError};

use crate::team::{
    load_team, ChangeMemberRole, InviteMembers, LeaveOrg, MemberView, RemoveMember,
    ResendInvitation, RevokeInvitation, TeamView, TransferOrg,
};
use crate::ui::{
    last_error, navigate_on_success, DataTable, ErrorPage, FormError, PageHeader, SignInPrompt,
};
use invite_form::InviteForm;
use ownership::{LeavePanel, TransferPanel};
use tables::{Invitations, MemberRow};

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
            AppError::RateLimited { retry_after_secs } => {
                AppError::Conflict(Conflict::ResendTooSoon { retry_after_secs })
            }
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
