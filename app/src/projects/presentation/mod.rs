//! The project's presentation (SPEC R2.2 "edit project content", R3.4;
//! issue 13): Project Settings → Presentation (headline, description,
//! location, expected completion, the hero image and the gallery), the
//! units list and a unit's page (facts for the owner's managers;
//! description and floor plan for content editors, the studio partner's
//! included). Owners reach them under `/projects/<slug>/…`, a partner
//! under `/with/<owner>/<slug>/…` in its own workspace.
//!
//! Images are uploaded to `/media/upload` (a plain axum handler with its
//! own body limit, `server/src/media`), by a plain form post without
//! JavaScript or by XMLHttpRequest with a progress bar once hydrated
//! ([`upload`]); they are shown from the media origin (R3.4), whose URLs
//! the server builds from `MEDIA_BASE_URL` (the `MediaBase` context).

pub mod pages;
pub mod upload;

use leptos::prelude::*;
use offplan::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use pages::{PartnerPresentationPage, PartnerUnitPage, PresentationPage, UnitPage};

/// An image as the pages show it: URLs on the media origin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageView {
    pub id: Uuid,
    pub url: String,
    pub thumb_url: String,
    pub width: i32,
    pub height: i32,
    pub uploaded_by: String,
}

/// The project as these pages need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRef {
    pub id: Uuid,
    pub name: String,
    /// `/projects/<slug>` or `/with/<owner>/<slug>`: this viewer's address.
    pub href: String,
    pub slug: String,
    pub owner: bool,
    /// The owner's settings tabs (the owner's members only).
    pub can_edit_settings: bool,
    pub can_view_activity: bool,
    pub can_manage_partners: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationView {
    pub project: ProjectRef,
    pub headline: String,
    pub description: String,
    pub location: String,
    /// `YYYY-MM`, the month input's value.
    pub expected_completion: String,
    /// "Last changed by Marta Silva (Lumen Studio), 3 h ago".
    pub last_changed: Option<String>,
    pub may_edit: bool,
    pub hero: Option<ImageView>,
    pub gallery: Vec<ImageView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loaded<T> {
    Found(T),
    /// The current address of a renamed project's page.
    Moved(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitView {
    pub project: ProjectRef,
    pub id: Uuid,
    pub code: String,
    pub status: String,
    pub floor: String,
    pub bedrooms: String,
    pub area_m2: String,
    pub price: String,
    pub currency: String,
    pub may_edit_facts: bool,
    /// Who added the unit or last changed its facts (for those who may).
    pub facts_last_changed: Option<String>,
    pub description: String,
    pub description_last_changed: Option<String>,
    pub may_edit_presentation: bool,
    pub floor_plan: Option<ImageView>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::ssr;
    use offplan::{
        db::{
            media::Media,
            projects::{self, presentation::LastChanged, Project, Relation, SlugLookup},
            Scope,
        },
        domain::{media::MediaBase, OrgBrand, ProjectSlug, Subdomain},
        policy::Permission,
    };

    /// The project at the page's address: the organisation's own
    /// (`owner` empty) or one it partners (`owner` its owner's subdomain).
    pub async fn resolve(
        scope: &mut Scope,
        owner: &str,
        slug: &str,
    ) -> Result<Result<Project, String>, AppError> {
        let slug = ProjectSlug::parse(slug).map_err(|_| AppError::NotFound)?;
        let found = if owner.trim().is_empty() {
            projects::resolve_own(scope, slug.as_str()).await?
        } else {
            let owner = Subdomain::parse(owner.trim()).map_err(|_| AppError::NotFound)?;
            projects::resolve_partnered(scope, owner.as_str(), slug.as_str()).await?
        };
        Ok(match found {
            SlugLookup::Found(p) => Ok(p),
            SlugLookup::Moved { slug } => Err(slug),
        })
    }

    pub fn href(owner: &str, slug: &str) -> String {
        if owner.trim().is_empty() {
            format!("/projects/{slug}")
        } else {
            format!("/with/{}/{slug}", owner.trim())
        }
    }

    pub fn project_ref(scope: &Scope, _brand: &OrgBrand, owner: &str, p: &Project) -> ProjectRef {
        let own = p.relation == Relation::Owner;
        let role = scope.membership().role();
        ProjectRef {
            id: p.id.as_uuid(),
            name: p.name.clone(),
            href: href(owner, &p.slug),
            slug: p.slug.clone(),
            owner: own,
            can_edit_settings: own && role.can(Permission::ManageProjects),
            can_view_activity: own && role.can(Permission::ViewProjectActivity),
            can_manage_partners: own && role.can(Permission::ManageProjects),
        }
    }

    pub fn media_base() -> Result<MediaBase, AppError> {
        use_context::<MediaBase>()
            .ok_or_else(|| AppError::internal("the media base URL is not in context"))
    }

    pub fn image(base: &MediaBase, m: Media) -> ImageView {
        ImageView {
            id: m.id.as_uuid(),
            url: base.url(&m.web_key, &m.content_type),
            thumb_url: base.url(&m.thumb_key, &m.content_type),
            width: m.width,
            height: m.height,
            uploaded_by: m.uploaded_by,
        }
    }

    pub fn last_changed(l: LastChanged) -> String {
        let who = match l.org_name {
            Some(org) => format!("{} ({org})", l.name),
            None => l.name,
        };
        format!("Last changed by {who}, {}", ssr::ago(l.at))
    }

    pub fn project_id(id: &str) -> Result<offplan::domain::ProjectId, AppError> {
        offplan::domain::ProjectId::parse(id).ok_or(AppError::NotFound)
    }

    pub fn unit_id(id: &str) -> Result<offplan::domain::UnitId, AppError> {
        offplan::domain::UnitId::parse(id).ok_or(AppError::NotFound)
    }
}

/// Project Settings → Presentation, or a partner's Presentation page.
#[server(endpoint = "projects/presentation")]
pub async fn load_presentation(
    owner: String,
    slug: String,
) -> Result<Loaded<PresentationView>, AppError> {
    use crate::ssr;
    use offplan::db::{media, projects::presentation};
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let p = match server::resolve(&mut scope, &owner, &slug).await? {
        Ok(p) => p,
        Err(moved) => {
            let path = if owner.trim().is_empty() {
                format!("/projects/{moved}/settings/presentation")
            } else {
                format!("{}/presentation", server::href(&owner, &moved))
            };
            return Ok(Loaded::Moved(path));
        }
    };
    let base = server::media_base()?;
    let pres = presentation::presentation(&mut scope, p.id).await?;
    let images = media::project_media(&mut scope, p.id).await?;
    let project = server::project_ref(&scope, &brand, &owner, &p);
    scope.commit().await?;
    let f = pres.fields;
    Ok(Loaded::Found(PresentationView {
        project,
        headline: f.headline.unwrap_or_default(),
        description: f.description.unwrap_or_default(),
        location: f.location.unwrap_or_default(),
        expected_completion: f
            .expected_completion
            .map(|m| m.as_input())
            .unwrap_or_default(),
        last_changed: pres.last_changed.map(server::last_changed),
        may_edit: pres.may_edit,
        hero: images.hero.map(|m| server::image(&base, m)),
        gallery: images
            .gallery
            .into_iter()
            .map(|m| server::image(&base, m))
            .collect(),
    }))
}

/// Saves the presentation's text; every bad field is named.
#[server(endpoint = "projects/presentation/save")]
pub async fn save_presentation(
    project: String,
    headline: String,
    description: String,
    location: String,
    expected_completion: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::{db::projects::presentation, domain::presentation::PresentationFields};
    let id = server::project_id(&project)?;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let fields =
        PresentationFields::parse(&headline, &description, &location, &expected_completion)
            .map_err(AppError::Invalid)?;
    presentation::update_presentation(&mut scope, id, &fields).await?;
    scope.commit().await?;
    Ok("Presentation saved.".to_owned())
}

/// Removes an image from the project (it stops being served at once).
#[server(endpoint = "projects/media/remove")]
pub async fn remove_image(project: String, image: String) -> Result<(), AppError> {
    use crate::ssr;
    let id = server::project_id(&project)?;
    let image = offplan::domain::MediaId::parse(&image).ok_or(AppError::NotFound)?;
    let (mut scope, _, _) = ssr::org_scope().await?;
    offplan::db::media::remove(&mut scope, id, image).await?;
    scope.commit().await?;
    Ok(())
}

/// Moves a gallery image one place up or down.
#[server(endpoint = "projects/media/move")]
pub async fn move_image(project: String, image: String, direction: String) -> Result<(), AppError> {
    use crate::ssr;
    use offplan::db::media::{self, Move};
    let id = server::project_id(&project)?;
    let image = offplan::domain::MediaId::parse(&image).ok_or(AppError::NotFound)?;
    let direction = match direction.as_str() {
        "up" => Move::Up,
        "down" => Move::Down,
        _ => return Err(AppError::invalid("direction", "Choose up or down.")),
    };
    let (mut scope, _, _) = ssr::org_scope().await?;
    media::move_image(&mut scope, id, image, direction).await?;
    scope.commit().await?;
    Ok(())
}

/// Adds a unit (the owner's managers).
#[server(endpoint = "projects/units/add")]
pub async fn add_unit(
    project: String,
    code: String,
    floor: String,
    bedrooms: String,
    area_m2: String,
    price: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::{db::units::facts, domain::presentation::UnitFacts};
    let id = server::project_id(&project)?;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let f =
        UnitFacts::parse(&code, &floor, &bedrooms, &area_m2, &price).map_err(AppError::Invalid)?;
    let unit = facts::create(&mut scope, id, &f)
        .await
        .map_err(code_conflict)?;
    scope.commit().await?;
    Ok(format!("Unit {} added.", unit.code))
}

/// A taken code is shown beside the code field.
#[cfg(feature = "ssr")]
fn code_conflict(e: offplan::db::RepoError) -> AppError {
    match e {
        offplan::db::RepoError::Conflict(c @ offplan::error::Conflict::UnitCodeTaken) => {
            AppError::invalid("code", c.to_string())
        }
        e => e.into(),
    }
}

/// One unit's page.
#[server(endpoint = "projects/unit")]
pub async fn load_unit(
    owner: String,
    slug: String,
    unit: String,
) -> Result<Loaded<UnitView>, AppError> {
    use crate::ssr;
    use offplan::{
        db::{
            media,
            projects::presentation,
            units::{self, facts},
        },
        domain::presentation::format_hundredths,
    };
    let unit_id = server::unit_id(&unit)?;
    let (mut scope, brand, _) = ssr::org_scope().await?;
    let p = match server::resolve(&mut scope, &owner, &slug).await? {
        Ok(p) => p,
        Err(moved) => {
            return Ok(Loaded::Moved(format!(
                "{}/units/{unit}",
                server::href(&owner, &moved)
            )))
        }
    };
    let base = server::media_base()?;
    let u = units::get(&mut scope, p.id, unit_id).await?;
    let f = facts::facts(&mut scope, &u).await?;
    let up = presentation::unit_presentation(&mut scope, p.id, unit_id).await?;
    let plan = media::floor_plan(&mut scope, p.id, unit_id).await?;
    let may_edit_facts = facts::may_edit_facts(&scope, &p);
    let facts_last_changed = match may_edit_facts {
        true => facts::facts_last_changed(&mut scope, &p, &u).await?,
        false => None,
    };
    let project = server::project_ref(&scope, &brand, &owner, &p);
    scope.commit().await?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    Ok(Loaded::Found(UnitView {
        project,
        id: u.id.as_uuid(),
        code: u.code,
        status: crate::projects::board::filters::status_label(u.status).to_owned(),
        floor: opt(f.floor.map(|v| v.to_string())),
        bedrooms: opt(f.bedrooms.map(|v| v.to_string())),
        area_m2: opt(f.area_centi_m2.map(format_hundredths)),
        price: opt(f.price_minor.map(format_hundredths)),
        currency: u.currency,
        may_edit_facts,
        facts_last_changed: facts_last_changed.map(server::last_changed),
        description: up.description.unwrap_or_default(),
        description_last_changed: up.last_changed.map(server::last_changed),
        may_edit_presentation: up.may_edit,
        floor_plan: plan.map(|m| server::image(&base, m)),
    }))
}

/// Saves a unit's facts (the owner's managers).
#[server(endpoint = "projects/unit/facts")]
pub async fn save_unit_facts(
    project: String,
    unit: String,
    code: String,
    floor: String,
    bedrooms: String,
    area_m2: String,
    price: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::{db::units::facts, domain::presentation::UnitFacts};
    let id = server::project_id(&project)?;
    let unit = server::unit_id(&unit)?;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let f =
        UnitFacts::parse(&code, &floor, &bedrooms, &area_m2, &price).map_err(AppError::Invalid)?;
    facts::update(&mut scope, id, unit, &f)
        .await
        .map_err(code_conflict)?;
    scope.commit().await?;
    Ok("Unit saved.".to_owned())
}

/// Saves a unit's description (content editors, the studio's included).
#[server(endpoint = "projects/unit/description")]
pub async fn save_unit_description(
    project: String,
    unit: String,
    description: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use offplan::{db::projects::presentation, domain::presentation::parse_unit_description};
    let id = server::project_id(&project)?;
    let unit = server::unit_id(&unit)?;
    let (mut scope, _, _) = ssr::org_scope().await?;
    let description = parse_unit_description(&description).map_err(AppError::Invalid)?;
    presentation::update_unit_presentation(&mut scope, id, unit, description.as_deref()).await?;
    scope.commit().await?;
    Ok("Description saved.".to_owned())
}
