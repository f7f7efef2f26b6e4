//! The presentation pages (issue 13): Project Settings → Presentation and
//! a unit's page (the units list is the allocation board, `projects::board`), each at the owner's address and at a
//! partner's (`/with/<owner>/<slug>/…`). Every control is a real form, so
//! each works before hydration too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{
    load_presentation, load_unit, upload::UploadField, AddUnit, ImageView, Loaded, MoveImage,
    PresentationView, ProjectRef, RemoveImage, SavePresentation, SaveUnitDescription,
    SaveUnitFacts, UnitView,
};
use crate::{
    projects::pages::{refused, SettingsTabs},
    ui::{
        html_text, last_error, EmptyState, Field, FormError, MovedTo, PageHeader, Submit, TextArea,
    },
};

/// `(owner, slug)` of the page's address; `owner` is empty on the
/// owner's own address.
fn address() -> impl Fn() -> (String, String) + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        let p = params.read();
        (
            p.get("owner").unwrap_or_default(),
            p.get("slug").unwrap_or_default(),
        )
    }
}

fn saved(action_value: Option<Result<String, offplan::AppError>>) -> Option<AnyView> {
    action_value.and_then(|r| r.ok()).map(|message| {
        view! { <div class="alert alert--success" role="status">{message}</div> }.into_any()
    })
}

/// The tabs of the owner's settings, or a partner's own small menu.
pub(crate) fn tabs(p: &ProjectRef, current: &'static str) -> AnyView {
    if p.owner {
        view! {
            <SettingsTabs href=p.href.clone() current settings=p.can_edit_settings activity=p.can_view_activity partners=p.can_manage_partners />
        }
        .into_any()
    } else {
        view! {
            <nav class="tabs" aria-label="Project">
                <a class="tabs__tab" href=format!("{}/presentation", p.href) aria-current=(current == "presentation").then_some("page")>"Presentation"</a>
                <a class="tabs__tab" href=format!("{}/units", p.href) aria-current=(current == "units").then_some("page")>"Units"</a>
            </nav>
        }
        .into_any()
    }
}

fn presentation_path(p: &ProjectRef) -> String {
    if p.owner {
        format!("{}/settings/presentation", p.href)
    } else {
        format!("{}/presentation", p.href)
    }
}

#[component]
pub fn PresentationPage() -> impl IntoView {
    view! { <Presentation /> }
}

#[component]
pub fn PartnerPresentationPage() -> impl IntoView {
    view! { <Presentation /> }
}

#[derive(Clone, Copy)]
struct PresentationActions {
    save: ServerAction<SavePresentation>,
    remove: ServerAction<RemoveImage>,
    moved: ServerAction<MoveImage>,
    uploaded: RwSignal<u32>,
}

#[component]
fn Presentation() -> impl IntoView {
    let address = address();
    let actions = PresentationActions {
        save: ServerAction::new(),
        remove: ServerAction::new(),
        moved: ServerAction::new(),
        uploaded: RwSignal::new(0),
    };
    let data = Resource::new_blocking(
        move || {
            (
                address(),
                actions.save.version().get()
                    + actions.remove.version().get()
                    + actions.moved.version().get()
                    + actions.uploaded.get() as usize,
            )
        },
        |((owner, slug), _)| load_presentation(owner, slug),
    );
    view! {
        <Title text="Presentation" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Loaded::Found(v)) => view! { <PresentationEditor v actions /> }.into_any(),
                    Ok(Loaded::Moved(path)) => view! { <MovedTo path /> }.into_any(),
                    Err(err) => refused("Presentation", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PresentationEditor(v: PresentationView, actions: PresentationActions) -> impl IntoView {
    let back = presentation_path(&v.project);
    let project = v.project.id.to_string();
    let done = Callback::new(move |_| actions.uploaded.update(|n| *n += 1));
    let error = last_error(actions.save);
    let text = if v.may_edit {
        let project = project.clone();
        view! {
            <section class="card" aria-labelledby="presentation-text-title">
                <h2 id="presentation-text-title">"What buyers read"</h2>
                {v.last_changed.clone().map(|l| view! { <p class="muted">{l}</p> })}
                {move || saved(actions.save.value().get())}
                <ActionForm action=actions.save attr:class="form">
                    <input type="hidden" name="project" value=project.clone() />
                    <Field name="headline" label="Headline" error value=v.headline.clone() required=false
                        hint="One line, up to 120 characters: what the project is in a few words." />
                    <TextArea name="description" label="Description" error rows=8 value=v.description.clone()
                        hint="Up to 5,000 characters. Line breaks are kept." />
                    <Field name="location" label="Location" error value=v.location.clone() required=false
                        hint="The neighbourhood and city, up to 200 characters." />
                    <Field name="expected_completion" label="Expected completion" kind="month" error
                        value=v.expected_completion.clone() required=false hint="The month building is expected to finish." />
                    <FormError error />
                    <div class="form__actions">
                        <Submit pending=actions.save.pending() label="Save presentation" busy="Saving…" />
                    </div>
                </ActionForm>
            </section>
        }
        .into_any()
    } else {
        view! {
            <section class="card" aria-labelledby="presentation-text-title">
                <h2 id="presentation-text-title">"What buyers read"</h2>
                {v.last_changed.clone().map(|l| view! { <p class="muted">{l}</p> })}
                <dl class="details">
                    <div><dt>"Headline"</dt><dd>{or_dash(&v.headline)}</dd></div>
                    <div><dt>"Description"</dt><dd class="prewrap">{or_dash(&v.description)}</dd></div>
                    <div><dt>"Location"</dt><dd>{or_dash(&v.location)}</dd></div>
                    <div><dt>"Expected completion"</dt><dd>{or_dash(&v.expected_completion)}</dd></div>
                </dl>
            </section>
        }
        .into_any()
    };
    let hero = view! {
        <section class="card" aria-labelledby="hero-title">
            <h2 id="hero-title">"Hero image"</h2>
            {match v.hero.clone() {
                Some(h) => view! { <img class="media-hero" src=h.url.clone() width=h.width height=h.height alt="The project's hero image" /> }.into_any(),
                None => view! { <EmptyState>"No hero image yet."</EmptyState> }.into_any(),
            }}
            {v.may_edit.then(|| view! {
                <UploadField project=project.clone() role="hero" label=if v.hero.is_some() { "Replace the hero image" } else { "Upload a hero image" } back=back.clone() done />
            })}
        </section>
    };
    let count = v.gallery.len();
    let gallery = view! {
        <section class="card" aria-labelledby="gallery-title">
            <h2 id="gallery-title">"Gallery"</h2>
            {if v.gallery.is_empty() {
                view! { <EmptyState>"No gallery images yet."</EmptyState> }.into_any()
            } else {
                view! {
                    <ol class="media-grid">
                        {v.gallery.iter().cloned().enumerate().map(|(i, img)| view! {
                            <GalleryItem img i count project=project.clone() may_edit=v.may_edit actions />
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            <FormError error=last_error(actions.remove) />
            <FormError error=last_error(actions.moved) />
            {v.may_edit.then(|| view! {
                <UploadField project=project.clone() role="gallery" label="Add a gallery image" back=back.clone() done />
            })}
        </section>
    };
    view! {
        <div class="stack">
            <PageHeader title="Presentation" lead=v.project.name.clone()>
                <p><a href=v.project.href.clone()>"Back to the project"</a></p>
                {tabs(&v.project, "presentation")}
            </PageHeader>
            {text}
            {hero}
            {gallery}
        </div>
    }
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "—".to_owned()
    } else {
        s.to_owned()
    }
}

#[component]
fn GalleryItem(
    img: ImageView,
    i: usize,
    count: usize,
    project: String,
    may_edit: bool,
    actions: PresentationActions,
) -> impl IntoView {
    let image = img.id.to_string();
    let controls = may_edit.then(|| {
        let (p1, p2, p3) = (project.clone(), project.clone(), project);
        let (i1, i2, i3) = (image.clone(), image.clone(), image);
        view! {
            <div class="media-grid__actions">
                {(i > 0).then(|| view! {
                    <ActionForm action=actions.moved attr:class="inline-form">
                        <input type="hidden" name="project" value=p1 />
                        <input type="hidden" name="image" value=i1 />
                        <input type="hidden" name="direction" value="up" />
                        <button class="button button--quiet" type="submit" aria-label=format!("Move image {} up", i + 1)>"↑ Up"</button>
                    </ActionForm>
                })}
                {(i + 1 < count).then(|| view! {
                    <ActionForm action=actions.moved attr:class="inline-form">
                        <input type="hidden" name="project" value=p2 />
                        <input type="hidden" name="image" value=i2 />
                        <input type="hidden" name="direction" value="down" />
                        <button class="button button--quiet" type="submit" aria-label=format!("Move image {} down", i + 1)>"↓ Down"</button>
                    </ActionForm>
                })}
                <ActionForm action=actions.remove attr:class="inline-form">
                    <input type="hidden" name="project" value=p3 />
                    <input type="hidden" name="image" value=i3 />
                    <button class="button button--quiet" type="submit" aria-label=format!("Remove image {}", i + 1)>"Remove"</button>
                </ActionForm>
            </div>
        }
    });
    view! {
        <li class="media-grid__item">
            <img src=img.thumb_url alt=format!("Gallery image {}", i + 1) loading="lazy" />
            <span class="muted">{format!("Uploaded by {}", img.uploaded_by)}</span>
            {controls}
        </li>
    }
}

/// The owner's managers add a unit (R1.8), on the units board.
#[component]
pub(crate) fn AddUnitForm(project: String, add: ServerAction<AddUnit>) -> impl IntoView {
    let error = last_error(add);
    view! {
        <section class="card" aria-labelledby="add-unit-title">
            <h2 id="add-unit-title">"Add unit"</h2>
            {move || saved(add.value().get())}
            <ActionForm action=add attr:class="form">
                <input type="hidden" name="project" value=project.clone() />
                <Field name="code" label="Code" error hint="Unique in the project, such as A-101." />
                <Field name="floor" label="Floor" kind="number" error required=false />
                <Field name="bedrooms" label="Bedrooms" kind="number" error required=false />
                <Field name="area_m2" label="Area (m²)" error required=false hint="Such as 84.5." />
                <Field name="price" label="Price" error required=false hint="In the project's currency, such as 450000." />
                <FormError error />
                <div class="form__actions">
                    <Submit pending=add.pending() label="Add unit" busy="Adding…" />
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn UnitPage() -> impl IntoView {
    view! { <Unit /> }
}

#[component]
pub fn PartnerUnitPage() -> impl IntoView {
    view! { <Unit /> }
}

#[derive(Clone, Copy)]
struct UnitActions {
    facts: ServerAction<SaveUnitFacts>,
    description: ServerAction<SaveUnitDescription>,
    uploaded: RwSignal<u32>,
}

#[component]
fn Unit() -> impl IntoView {
    let address = address();
    let params = use_params_map();
    let actions = UnitActions {
        facts: ServerAction::new(),
        description: ServerAction::new(),
        uploaded: RwSignal::new(0),
    };
    let data = Resource::new_blocking(
        move || {
            (
                address(),
                params.read().get("unit_id").unwrap_or_default(),
                actions.facts.version().get()
                    + actions.description.version().get()
                    + actions.uploaded.get() as usize,
            )
        },
        |((owner, slug), unit, _)| load_unit(owner, slug, unit),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Loaded::Found(v)) => view! { <UnitDetail v actions /> }.into_any(),
                    Ok(Loaded::Moved(path)) => view! { <MovedTo path /> }.into_any(),
                    Err(err) => refused("Unit", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UnitDetail(v: UnitView, actions: UnitActions) -> impl IntoView {
    let project = v.project.id.to_string();
    let unit = v.id.to_string();
    let back = format!("{}/units/{}", v.project.href, v.id);
    let done = Callback::new(move |_| actions.uploaded.update(|n| *n += 1));
    let facts_error = last_error(actions.facts);
    let facts = if v.may_edit_facts {
        let (project, unit, code) = (project.clone(), unit.clone(), v.code.clone());
        let (floor, bedrooms, area, price) = (
            v.floor.clone(),
            v.bedrooms.clone(),
            v.area_m2.clone(),
            v.price.clone(),
        );
        let price_label = price_label(&v.currency);
        view! {
            <ActionForm action=actions.facts attr:class="form">
                <input type="hidden" name="project" value=project.clone() />
                <input type="hidden" name="unit" value=unit.clone() />
                <Field name="code" label="Code" error=facts_error value=code.clone() />
                <Field name="floor" label="Floor" kind="number" error=facts_error value=floor.clone() required=false />
                <Field name="bedrooms" label="Bedrooms" kind="number" error=facts_error value=bedrooms.clone() required=false />
                <Field name="area_m2" label="Area (m²)" error=facts_error value=area.clone() required=false />
                <Field name="price" label=price_label error=facts_error value=price.clone() required=false />
                <FormError error=facts_error />
                <div class="form__actions">
                    <Submit pending=actions.facts.pending() label="Save unit" busy="Saving…" />
                </div>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <dl class="details">
                <div><dt>"Floor"</dt><dd>{or_dash(&v.floor)}</dd></div>
                <div><dt>"Bedrooms"</dt><dd>{or_dash(&v.bedrooms)}</dd></div>
                <div><dt>"Area"</dt><dd>{if v.area_m2.is_empty() { "—".to_owned() } else { format!("{} m²", v.area_m2) }}</dd></div>
                <div><dt>"Price"</dt><dd>{if v.price.is_empty() { "—".to_owned() } else { format!("{} {}", v.price, v.currency) }}</dd></div>
            </dl>
        }
        .into_any()
    };
    let description_error = last_error(actions.description);
    let description = if v.may_edit_presentation {
        let (project, unit, text) = (project.clone(), unit.clone(), v.description.clone());
        view! {
            <ActionForm action=actions.description attr:class="form">
                <input type="hidden" name="project" value=project.clone() />
                <input type="hidden" name="unit" value=unit.clone() />
                <TextArea name="description" label="Description" error=description_error rows=5 value=text.clone()
                    hint="Up to 2,000 characters: what makes this unit itself." />
                <FormError error=description_error />
                <div class="form__actions">
                    <Submit pending=actions.description.pending() label="Save description" busy="Saving…" />
                </div>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <p class="prewrap">{or_dash(&v.description)}</p> }.into_any()
    };
    let send_href = format!("/buyers/send?project={}&unit={}", v.project.slug, v.id);
    view! {
        <Title text=html_text(format!("Unit {}", v.code)) />
        <div class="stack">
            <PageHeader title=format!("Unit {}", v.code) lead=v.project.name.clone()>
                <p><a href=format!("{}/units", v.project.href)>"All units"</a></p>
                <p class="form__actions">
                    <span class="tag">{v.status.clone()}</span>
                    <a class="button button--outline" href=send_href>"Send to a buyer"</a>
                </p>
            </PageHeader>
            <section class="card" aria-labelledby="unit-facts-title">
                <h2 id="unit-facts-title">"Facts"</h2>
                {v.facts_last_changed.clone().map(|l| view! { <p class="muted">{l}</p> })}
                {move || saved(actions.facts.value().get())}
                {facts}
            </section>
            <section class="card" aria-labelledby="unit-description-title">
                <h2 id="unit-description-title">"Description"</h2>
                {v.description_last_changed.clone().map(|l| view! { <p class="muted">{l}</p> })}
                {move || saved(actions.description.value().get())}
                {description}
            </section>
            <section class="card" aria-labelledby="floor-plan-title">
                <h2 id="floor-plan-title">"Floor plan"</h2>
                {match v.floor_plan.clone() {
                    Some(p) => view! { <img class="media-hero" src=p.url width=p.width height=p.height alt=format!("Floor plan of unit {}", v.code) /> }.into_any(),
                    None => view! { <EmptyState>"No floor plan yet."</EmptyState> }.into_any(),
                }}
                {v.may_edit_presentation.then(|| view! {
                    <UploadField project=project.clone() role="floor_plan" unit=unit.clone() label="Upload a floor plan" back=back.clone() done />
                })}
            </section>
        </div>
    }
}

fn price_label(_currency: &str) -> &'static str {
    "Price"
}
