//! The board's page: filters, the units, each row's action, and the stock
//! conflict modal (issue 14 items 1–3).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_params_map, use_query_map},
};
use offplan::{error::Conflict, AppError};

use super::{
    filters::STATUSES,
    live::{self, Link, Wipe},
    load_board, ActOnUnit, BoardRow, BoardView, BuyerOption, Filters,
};
use crate::{
    projects::{
        pages::refused,
        presentation::{pages::tabs, pages::AddUnitForm, Loaded},
    },
    ui::{DataTable, EmptyState, FormError, Modal, MovedTo, PageHeader, Submit, TextArea},
};

#[component]
pub fn BoardPage() -> impl IntoView {
    view! { <Board /> }
}

#[component]
pub fn PartnerBoardPage() -> impl IntoView {
    view! { <Board /> }
}

/// The actions every row shares, the latest answer of any, the unit the
/// last one was about, and a refresh the modal asks for.
#[derive(Clone, Copy)]
struct Actions {
    /// Reserve, release and override: one server function.
    act: ServerAction<ActOnUnit>,
    last: RwSignal<Option<Result<String, AppError>>>,
    /// The unit (id, code) of the last row submitted.
    target: RwSignal<Option<(String, String)>>,
    refresh: RwSignal<u32>,
    /// R6.5: what the person may no longer see, and why.
    wipe: RwSignal<Option<Wipe>>,
}

impl Actions {
    /// Takes an action's answer: a unit that is no longer the person's to
    /// see is the stock-wipe modal (R6.5) and a fresh board, not an error.
    fn answer(self, v: Result<String, AppError>) {
        if matches!(v, Err(AppError::NotFound)) {
            self.wipe.set(Some(Wipe {
                reason: "That unit is no longer yours to see: it moved out of your pool, or your access to this project changed. The board now shows what you can still see.".to_owned(),
                all: false,
            }));
            self.last.set(None);
            self.refresh.update(|n| *n += 1);
        } else {
            self.last.set(Some(v));
        }
    }

    /// The latest answer's conflict with someone else's change (R6.3).
    fn conflict_untracked(self) -> bool {
        matches!(
            self.last.get_untracked(),
            Some(Err(AppError::Conflict(Conflict::UnitHeld { .. })))
        )
    }

    fn conflict(self) -> Option<Conflict> {
        match self.last.get() {
            Some(Err(AppError::Conflict(c @ Conflict::UnitHeld { .. }))) => Some(c),
            _ => None,
        }
    }
}

#[component]
fn Board() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let actions = Actions {
        act: ServerAction::new(),
        last: RwSignal::new(None),
        target: RwSignal::new(None),
        refresh: RwSignal::new(0),
        wipe: RwSignal::new(None),
    };
    // The latest answer is what the page reports; a field error while the
    // conflict modal is open is the override's (its own form shows it).
    Effect::new(move |_| {
        if let Some(v) = actions.act.value().get() {
            let modal = actions.conflict_untracked();
            if !(modal && matches!(v, Err(AppError::Invalid(_)))) {
                actions.answer(v);
            }
        }
    });
    let add = ServerAction::<super::super::presentation::AddUnit>::new();
    // The project, when the person may override (a manager).
    let overrule = RwSignal::new(None::<String>);
    // The project, once known: its live status (R6.4). Another person's
    // change re-reads the board into `rows` only: the page is not rendered
    // again, and a row that did not change keeps what is being typed or
    // chosen in it.
    let watched = RwSignal::new(None::<String>);
    let heard = RwSignal::new(0u32);
    let link = live::watch(watched, heard, actions.wipe);
    // The rows as last re-read live, for the board on the page to take.
    let rows = RwSignal::new(None::<Vec<BoardRow>>);
    Effect::new(move |_| {
        if heard.get() == 0 {
            return;
        }
        let p = params.read_untracked();
        let (owner, slug) = (
            p.get("owner").unwrap_or_default(),
            p.get("slug").unwrap_or_default(),
        );
        let filters = Filters::from_query(&query.read_untracked());
        leptos::task::spawn_local(async move {
            if let Ok(Loaded::Found(v)) = load_board(owner, slug, filters).await {
                rows.set(Some(v.rows));
            }
        });
    });
    let data = Resource::new_blocking(
        move || {
            let p = params.read();
            (
                p.get("owner").unwrap_or_default(),
                p.get("slug").unwrap_or_default(),
                Filters::from_query(&query.read()),
                actions.act.version().get() + add.version().get() + actions.refresh.get() as usize,
            )
        },
        |(owner, slug, filters, _)| load_board(owner, slug, filters),
    );
    view! {
        <Title text="Units" />
        // A transition: the board stays while it is read again after an action.
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let gone = actions.wipe.with(|w| w.as_ref().is_some_and(|w| w.all));
                match data.await {
                    // R6.5: the stock the person can no longer see is cleared.
                    _ if gone => view! {
                        <EmptyState>"These units are no longer yours to see."</EmptyState>
                    }
                    .into_any(),
                    Ok(Loaded::Found(v)) => {
                        let id = Some(v.project.id.to_string());
                        if watched.get_untracked() != id {
                            watched.set(id);
                        }
                        // The modal lives outside the board, which reloads
                        // behind it; it offers the override from here.
                        let next = v.may_override.then(|| v.project.id.to_string());
                        if overrule.get_untracked() != next {
                            overrule.set(next);
                        }
                        view! { <BoardBody v live=rows actions add link /> }.into_any()
                    }
                    Ok(Loaded::Moved(path)) => view! { <MovedTo path /> }.into_any(),
                    Err(err) => refused("Units", err),
                }
            })}
        </Transition>
        <ConflictModal actions overrule />
        <WipeModal wipe=actions.wipe />
    }
}

#[component]
fn BoardBody(
    v: BoardView,
    live: RwSignal<Option<Vec<BoardRow>>>,
    actions: Actions,
    add: ServerAction<super::super::presentation::AddUnit>,
    link: Signal<Link>,
) -> impl IntoView {
    let query = use_query_map();
    let filters = Filters::from_query(&query.read_untracked());
    let shown = v.rows.len();
    let summary = if filters.is_empty() {
        format!("{} units", v.total)
    } else {
        format!("{shown} of {} units", v.total)
    };
    let note = v
        .reserve_note
        .clone()
        .map(|n| view! { <p class="alert alert--info" role="note">{n}</p> });
    // Errors other than the stock conflict (which is the modal's).
    let error = Signal::derive(move || match actions.last.get() {
        Some(Err(AppError::Conflict(Conflict::UnitHeld { .. }))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e),
    });
    // This board's rows: as loaded, then as re-read live (only changes
    // after it was drawn; an older re-read is not this board's).
    let rows = RwSignal::new(v.rows.clone());
    Effect::watch(
        move || live.get(),
        move |fresh, _, _| {
            if let Some(fresh) = fresh {
                rows.set(fresh.clone());
            }
        },
        false,
    );
    let context = StoredValue::new((
        v.buyers.clone(),
        v.project.id.to_string(),
        v.project.href.clone(),
    ));
    let total = v.total;
    let table = move || {
        if rows.with(Vec::is_empty) {
            let empty = if total == 0 {
                "No units you can see yet. Units appear here once they are added or allocated to you."
            } else {
                "No unit matches these filters."
            };
            return view! { <EmptyState>{empty}</EmptyState> }.into_any();
        }
        view! {
            <DataTable columns=vec!["Unit", "Floor", "Beds", "Area", "Price", "Status", "Held by"] actions=true>
                // A row is drawn again only when the unit changed.
                <For
                    each=move || rows.get()
                    key=|r| (r.id, r.version, r.can_reserve, r.can_release, r.reserved.clone())
                    children=move |r| {
                        let (buyers, project, href) = context.try_get_value().unwrap_or_default();
                        view! { <Row r project href buyers actions /> }
                    }
                />
            </DataTable>
        }
        .into_any()
    };
    let form = v
        .may_add
        .then(|| view! { <AddUnitForm project=v.project.id.to_string() add /> });

    view! {
        <div class="stack stack--wide">
            <PageHeader title="Units" lead=v.project.name.clone()>
                <p><a href=v.project.href.clone()>"Back to the project"</a></p>
                {tabs(&v.project, "units")}
            </PageHeader>
            <FilterForm filters holders=v.holders.clone() />
            <section class="card" aria-labelledby="board-title">
                <div class="card__header">
                    <h2 id="board-title">"Stock"</h2>
                    <p class="muted" aria-live="polite">{summary}</p>
                    <p class="board__live" hidden=move || link.get() == Link::Off
                       data-link=move || if link.get() == Link::Live { "live" } else { "down" }>
                        {move || match link.get() {
                            Link::Reconnecting => "Reconnecting…",
                            _ => "Live",
                        }}
                    </p>
                </div>
                {note}
                <FormError error />
                {move || ok_message(actions)}
                {table}
            </section>
            {form}
        </div>
    }
}

/// The last action's confirmation, if it succeeded.
fn ok_message(actions: Actions) -> Option<impl IntoView> {
    actions
        .last
        .get()
        .and_then(|r| r.ok())
        .map(|m| view! { <div class="alert alert--success" role="status">{m}</div> })
}

#[component]
fn Row(
    r: BoardRow,
    project: String,
    href: String,
    buyers: Vec<BuyerOption>,
    actions: Actions,
) -> impl IntoView {
    let dash = || "—".to_owned();
    let held = match (&r.reserved, &r.holder) {
        (Some(res), Some(h)) => format!("{h} · {res}"),
        (Some(res), None) => res.clone(),
        (None, Some(h)) => h.clone(),
        (None, None) => "—".to_owned(),
    };
    let target = (r.id.to_string(), r.code.clone());
    let aim = move |_| actions.target.set(Some(target.clone()));
    let action = if r.can_reserve {
        let label = format!("Buyer for {}", r.code);
        view! {
            <ActionForm action=actions.act attr:class="board__action" on:submit=aim.clone()>
                <input type="hidden" name="op" value="reserve" />
                <input type="hidden" name="project" value=project.clone() />
                <input type="hidden" name="unit" value=r.id.to_string() />
                <input type="hidden" name="version" value=r.version.to_string() />
                <input type="hidden" name="key" value=r.key.clone() />
                <select class="field__input field__input--compact" name="buyer" aria-label=label required>
                    <option value="">"Choose a buyer"</option>
                    {buyers.into_iter().map(|b| view! { <option value=b.id.to_string()>{b.name}</option> }).collect_view()}
                </select>
                <Submit pending=actions.act.pending() label="Reserve" busy="Reserving…" class="button button--brand button--small" />
            </ActionForm>
        }
        .into_any()
    } else if r.can_release {
        view! {
            <ActionForm action=actions.act attr:class="board__action" on:submit=aim>
                <input type="hidden" name="op" value="release" />
                <input type="hidden" name="project" value=project.clone() />
                <input type="hidden" name="unit" value=r.id.to_string() />
                <input type="hidden" name="version" value=r.version.to_string() />
                <input type="hidden" name="key" value=r.key.clone() />
                <Submit pending=actions.act.pending() label="Release" busy="Releasing…" class="button button--outline button--small" />
            </ActionForm>
        }
        .into_any()
    } else {
        ().into_any()
    };
    view! {
        <tr data-unit=r.code.clone() data-status=r.status.clone()>
            <td data-label="Unit"><a href=format!("{href}/units/{}", r.id)>{r.code.clone()}</a></td>
            <td data-label="Floor">{r.floor.map(|f| f.to_string()).unwrap_or_else(dash)}</td>
            <td data-label="Beds">{r.bedrooms.map(|b| b.to_string()).unwrap_or_else(dash)}</td>
            <td data-label="Area">{r.area.clone().unwrap_or_else(dash)}</td>
            <td data-label="Price">{r.price.clone().unwrap_or_else(dash)}</td>
            <td data-label="Status"><span class=format!("tag tag--{}", r.status)>{r.status_label.clone()}</span></td>
            <td data-label="Held by">{held}</td>
            <td class="board__actions">{action}</td>
        </tr>
    }
}

/// A GET form: the filters live in the URL, with or without script (the
/// router's `Form` navigates without a reload once hydrated).
#[component]
fn FilterForm(filters: Filters, holders: Vec<String>) -> impl IntoView {
    let f = filters.clone();
    let number = |id: &'static str, name: &'static str, label: &'static str, value: String| {
        view! {
            <div class="field field--narrow">
                <label class="field__label" for=id>{label}</label>
                <input class="field__input" id=id name=name type="number" min="0" inputmode="numeric" value=value />
            </div>
        }
    };
    view! {
        <section class="card" aria-labelledby="filters-title">
            <h2 id="filters-title" class="visually-hidden">"Filters"</h2>
            <Form method="GET" action="" attr:class="form form--row filters">
                <div class="field">
                    <label class="field__label" for="f-status">"Status"</label>
                    <select class="field__input" id="f-status" name="status">
                        <option value="" selected=f.status.is_empty()>"Any status"</option>
                        {STATUSES.iter().map(|(k, label)| view! {
                            <option value=*k selected=f.status == *k>{*label}</option>
                        }).collect_view()}
                    </select>
                </div>
                {number("f-floor", "floor", "Floor", f.floor.clone())}
                {number("f-bedrooms", "bedrooms", "Bedrooms", f.bedrooms.clone())}
                <div class="field">
                    <label class="field__label" for="f-holder">"Held by"</label>
                    <select class="field__input" id="f-holder" name="holder">
                        <option value="" selected=f.holder.is_empty()>"Anyone"</option>
                        <option value="-" selected=f.holder == "-">"Nobody"</option>
                        {holders.into_iter().map(|h| {
                            let selected = f.holder == h;
                            let value = h.clone();
                            view! { <option value=value selected=selected>{h}</option> }
                        }).collect_view()}
                    </select>
                </div>
                {number("f-min", "min", "Price from", f.min.clone())}
                {number("f-max", "max", "Price to", f.max.clone())}
                <button type="submit" class="button button--brand">"Apply"</button>
                {(!filters.is_empty()).then(|| view! { <a class="button button--quiet" href="?">"Clear"</a> })}
            </Form>
        </section>
    }
}

/// R6.3: someone else got there first. Says who and since when, and offers
/// what the role allows: refresh the board (the unit as it is now), and for
/// a manager, override the reservation with a reason.
#[component]
fn ConflictModal(actions: Actions, overrule: RwSignal<Option<String>>) -> impl IntoView {
    let open = Signal::derive(move || actions.conflict().is_some());
    let close = Callback::new(move |_| actions.last.set(None));
    let refresh = move |_| {
        actions.last.set(None);
        actions.refresh.update(|n| *n += 1);
    };
    view! {
        <Modal open on_close=close labelled_by="conflict-title">
            <h2 id="conflict-title">"Someone else has this unit"</h2>
            <p>{move || actions.conflict().map(|c| c.to_string()).unwrap_or_default()}</p>
            <p class="muted">"Nothing was changed. Refresh to see the unit as it is now."</p>
            <div class="form__actions">
                <button type="button" class="button button--brand" on:click=refresh>"Refresh"</button>
                <button type="button" class="button button--quiet" on:click=move |_| close.run(())>"Close"</button>
            </div>
            {move || overrule.get().and_then(|o| override_form(actions, o))}
        </Modal>
    }
}

/// A manager's override of the reservation the conflict is about: ends it,
/// with the reason kept in the activity log. Its idempotency key is the
/// unit at the version the conflict named: a retry replays, and a second
/// override of the unit has a new version, so a new key.
fn override_form(actions: Actions, project: String) -> Option<impl IntoView> {
    let (unit, code) = actions.target.get()?;
    let version = match actions.conflict()? {
        Conflict::UnitHeld { version, .. } => version,
        _ => return None,
    };
    let error = Signal::derive(move || match actions.act.value().get() {
        Some(Err(e @ AppError::Invalid(_))) => Some(e),
        _ => None,
    });
    Some(view! {
        <details class="modal__more">
            <summary>"Override the reservation"</summary>
            <ActionForm action=actions.act attr:class="form">
                <input type="hidden" name="op" value="override" />
                <input type="hidden" name="project" value=project />
                <input type="hidden" name="key" value=format!("override-{unit}-{version}") />
                <input type="hidden" name="unit" value=unit />
                <input type="hidden" name="version" value=version.to_string() />
                <p class="muted">{format!(
                    "Unit {code} becomes available again, and your reason is kept in the activity log."
                )}</p>
                <TextArea name="reason" label="Why you are ending it" error rows=2 />
                <Submit pending=actions.act.pending() label="Override" busy="Overriding…" class="button button--danger" />
            </ActionForm>
        </details>
    })
}

/// R6.5: the person lost sight of some or all of the stock while the board
/// was open. Says why; the units they may no longer see are already gone.
#[component]
fn WipeModal(wipe: RwSignal<Option<Wipe>>) -> impl IntoView {
    let open = Signal::derive(move || wipe.with(Option::is_some));
    let all = move || wipe.with(|w| w.as_ref().is_some_and(|w| w.all));
    let close = Callback::new(move |_| {
        // Clearing everything stays: only a partial wipe's modal goes.
        if !all() {
            wipe.set(None);
        }
    });
    view! {
        <Modal open on_close=close labelled_by="wipe-title">
            <h2 id="wipe-title">"Your access to these units changed"</h2>
            <p>{move || wipe.with(|w| w.as_ref().map(|w| w.reason.clone()).unwrap_or_default())}</p>
            <div class="form__actions">
                {move || if all() {
                    view! { <a class="button button--brand" href="/projects" rel="external">"Go to your projects"</a> }.into_any()
                } else {
                    view! { <button type="button" class="button button--brand" on:click=move |_| close.run(())>"OK"</button> }.into_any()
                }}
            </div>
        </Modal>
    }
}
