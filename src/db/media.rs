//! A project's images (SPEC R3.4, R2.2 "edit project content"; issue 13):
//! the one live hero image, the ordered gallery, and a floor plan per unit.
//! The bytes are never here: the server checks and re-encodes an upload and
//! stores the files under their content hash on the media origin; a row
//! names them. Who may: as the presentation's text
//! (`projects::presentation`): Owner, Admin or Content Editor of the owner
//! or of its active studio partner; an agency partner or a client is
//! refused (403), another tenant's project `NotFound`.
//!
//! Replacing the hero (or a unit's floor plan) sets `removed_at` on the old
//! row; removing an image sets it too (nothing is deleted, and a removed
//! image stops being served: `media_objects` lists live rows only). Each
//! change writes one event into the project's activity log, in the same
//! transaction.

use super::{
    audit::{append_project_event, Action, NewEvent},
    projects::{
        self,
        presentation::{lock_project, may_present, require_editor},
        Project,
    },
    units, RepoError, Scope,
};
use crate::{
    domain::{MediaId, MediaRole, OrgId, ProjectId, UnitId},
    error::Conflict,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The most gallery images a project keeps live (positions 0–999 in the
/// schema; a page of buyers' photos needs far fewer).
pub const GALLERY_MAX: i64 = 60;

/// One live image, as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    pub id: MediaId,
    pub role: MediaRole,
    pub unit_id: Option<UnitId>,
    /// The web-size file's name (its SHA-256, hex).
    pub web_key: String,
    pub thumb_key: String,
    /// The re-encoded type both files are served with.
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub alt: Option<String>,
    pub position: Option<i32>,
    pub uploaded_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A project's live hero and gallery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMedia {
    pub hero: Option<Media>,
    /// By position.
    pub gallery: Vec<Media>,
    pub may_edit: bool,
}

/// Proof that the scope may upload `role` to the project (and unit): what
/// the upload handler gets before it reads a byte of the body, and hands
/// back to [`add`] with the encoded files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadTarget {
    pub project: ProjectId,
    pub owner: OrgId,
    pub role: MediaRole,
    pub unit: Option<UnitId>,
}

/// The re-encoded files of one upload, as stored on the media origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    pub web_key: String,
    pub thumb_key: String,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    /// The web file's size.
    pub bytes: u64,
}

/// Checks, without writing, that the scope may upload `role` to `project`
/// (for a floor plan, to `unit`, which it must be able to see). A floor
/// plan needs a unit and the other roles none (`NotFound` otherwise: the
/// URL names nothing to put it on).
#[tracing::instrument(skip(scope))]
pub async fn authorize_upload(
    scope: &mut Scope,
    project: ProjectId,
    role: MediaRole,
    unit: Option<UnitId>,
) -> Result<UploadTarget, RepoError> {
    let p = require_editor(scope, project).await?;
    let unit = match (role, unit) {
        (MediaRole::FloorPlan, Some(unit)) => Some(units::get(scope, project, unit).await?.id),
        (MediaRole::FloorPlan, None) | (_, Some(_)) => return Err(RepoError::NotFound),
        (_, None) => None,
    };
    Ok(UploadTarget {
        project: p.id,
        owner: p.owner_org_id,
        role,
        unit,
    })
}

/// Records an uploaded image: the hero or a floor plan replaces the live
/// one; a gallery image goes last. Re-checks who may (the scope may be a
/// new transaction after the upload was read).
#[tracing::instrument(skip(scope, encoded))]
pub async fn add(
    scope: &mut Scope,
    target: &UploadTarget,
    encoded: &Encoded,
) -> Result<Media, RepoError> {
    let checked = authorize_upload(scope, target.project, target.role, target.unit).await?;
    lock_project(scope, checked.project).await?;
    let owner = checked.owner.as_uuid();
    let project = checked.project.as_uuid();
    let unit = checked.unit.map(|u| u.as_uuid());
    let replaced = match checked.role {
        MediaRole::Gallery => 0,
        role => sqlx::query!(
            r#"
            update media set removed_at = now()
            where org_id = $1 and project_id = $2 and role = $3 and removed_at is null
              and unit_id is not distinct from $4
            "#,
            owner,
            project,
            role as MediaRole,
            unit,
        )
        .execute(scope.conn())
        .await?
        .rows_affected(),
    };
    let position = match checked.role {
        MediaRole::Gallery => {
            let row = sqlx::query!(
                r#"
                select count(*) as "live!", coalesce(max(position) + 1, 0) as "next!"
                from media
                where org_id = $1 and project_id = $2 and role = 'gallery' and removed_at is null
                "#,
                owner,
                project,
            )
            .fetch_one(scope.conn())
            .await?;
            if row.live >= GALLERY_MAX || row.next > 999 {
                return Err(Conflict::GalleryFull {
                    max: GALLERY_MAX as u32,
                }
                .into());
            }
            Some(row.next)
        }
        _ => None,
    };
    let m = scope.membership().clone();
    let id = sqlx::query_scalar!(
        r#"
        insert into media (org_id, project_id, role, unit_id, web_key, thumb_key, content_type,
                           width, height, bytes, position, uploaded_by_user_id, uploaded_by_org_id)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        returning id
        "#,
        owner,
        project,
        checked.role as MediaRole,
        unit,
        encoded.web_key,
        encoded.thumb_key,
        encoded.content_type,
        encoded.width as i32,
        encoded.height as i32,
        encoded.bytes as i64,
        position,
        m.user_id().as_uuid(),
        m.org_id().as_uuid(),
    )
    .fetch_one(scope.conn())
    .await?;
    let id = MediaId::from_db(id);
    let mut metadata = serde_json::json!({
        "role": checked.role.as_str(),
        "replaced": replaced > 0,
    });
    if let Some(unit) = checked.unit {
        metadata["unit_code"] = unit_code(scope, checked.owner, unit).await?.into();
    }
    append_project_event(
        scope,
        checked.owner,
        checked.project,
        NewEvent::new(Some(m.user_id()), Action::MediaAdded)
            .target("media", id)
            .metadata(metadata),
    )
    .await?;
    one(scope, checked.owner, id)
        .await?
        .ok_or(RepoError::NotFound)
}

async fn unit_code(scope: &mut Scope, owner: OrgId, unit: UnitId) -> Result<String, RepoError> {
    Ok(sqlx::query_scalar!(
        "select code from units where org_id = $1 and id = $2",
        owner.as_uuid(),
        unit.as_uuid()
    )
    .fetch_one(scope.conn())
    .await?)
}

struct Row {
    id: uuid::Uuid,
    role: MediaRole,
    unit_id: Option<uuid::Uuid>,
    web_key: String,
    thumb_key: String,
    content_type: String,
    width: i32,
    height: i32,
    alt: Option<String>,
    position: Option<i32>,
    uploaded_by: String,
    created_at: OffsetDateTime,
}

impl From<Row> for Media {
    fn from(r: Row) -> Self {
        Media {
            id: MediaId::from_db(r.id),
            role: r.role,
            unit_id: r.unit_id.map(UnitId::from_db),
            web_key: r.web_key,
            thumb_key: r.thumb_key,
            content_type: r.content_type,
            width: r.width,
            height: r.height,
            alt: r.alt,
            position: r.position,
            uploaded_by: r.uploaded_by,
            created_at: r.created_at,
        }
    }
}

/// The live images of a project (or of one unit), by role and position.
async fn live(
    scope: &mut Scope,
    owner: OrgId,
    project: ProjectId,
    unit: Option<UnitId>,
) -> Result<Vec<Media>, RepoError> {
    let rows = sqlx::query_as!(
        Row,
        r#"
        select m.id, m.role as "role: MediaRole", m.unit_id, m.web_key, m.thumb_key,
               m.content_type, m.width, m.height, m.alt, m.position,
               u.display_name as uploaded_by, m.created_at
        from media m
        join users u on u.id = m.uploaded_by_user_id
        where m.org_id = $1 and m.project_id = $2 and m.removed_at is null
          and (($3::uuid is null and m.unit_id is null) or m.unit_id = $3)
        order by m.role, m.position nulls first, m.created_at, m.id
        "#,
        owner.as_uuid(),
        project.as_uuid(),
        unit.map(|u| u.as_uuid()),
    )
    .fetch_all(scope.conn())
    .await?;
    Ok(rows.into_iter().map(Media::from).collect())
}

async fn one(scope: &mut Scope, owner: OrgId, id: MediaId) -> Result<Option<Media>, RepoError> {
    Ok(sqlx::query_as!(
        Row,
        r#"
        select m.id, m.role as "role: MediaRole", m.unit_id, m.web_key, m.thumb_key,
               m.content_type, m.width, m.height, m.alt, m.position,
               u.display_name as uploaded_by, m.created_at
        from media m
        join users u on u.id = m.uploaded_by_user_id
        where m.org_id = $1 and m.id = $2 and m.removed_at is null
        "#,
        owner.as_uuid(),
        id.as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?
    .map(Media::from))
}

/// The project's hero and gallery, for any member who can see the project.
#[tracing::instrument(skip(scope))]
pub async fn project_media(
    scope: &mut Scope,
    project: ProjectId,
) -> Result<ProjectMedia, RepoError> {
    let p: Project = projects::get(scope, project).await?;
    let all = live(scope, p.owner_org_id, p.id, None).await?;
    let mut out = ProjectMedia {
        may_edit: may_present(scope, &p),
        ..ProjectMedia::default()
    };
    for m in all {
        match m.role {
            MediaRole::Hero => out.hero = Some(m),
            MediaRole::Gallery => out.gallery.push(m),
            MediaRole::FloorPlan => {}
        }
    }
    Ok(out)
}

/// A unit's live floor plan, for a unit the scope may see.
#[tracing::instrument(skip(scope))]
pub async fn floor_plan(
    scope: &mut Scope,
    project: ProjectId,
    unit: UnitId,
) -> Result<Option<Media>, RepoError> {
    let u = units::get(scope, project, unit).await?;
    let p = projects::get(scope, project).await?;
    Ok(live(scope, p.owner_org_id, p.id, Some(u.id))
        .await?
        .into_iter()
        .find(|m| m.role == MediaRole::FloorPlan))
}

/// Removes a live image of the project (it stops being served at once).
/// An image of another project, or already removed, is `NotFound`.
#[tracing::instrument(skip(scope))]
pub async fn remove(scope: &mut Scope, project: ProjectId, id: MediaId) -> Result<(), RepoError> {
    let p = require_editor(scope, project).await?;
    lock_project(scope, project).await?;
    let row = sqlx::query!(
        r#"
        update media set removed_at = now()
        where org_id = $1 and project_id = $2 and id = $3 and removed_at is null
        returning role as "role: MediaRole", unit_id
        "#,
        p.owner_org_id.as_uuid(),
        p.id.as_uuid(),
        id.as_uuid(),
    )
    .fetch_optional(scope.conn())
    .await?
    .ok_or(RepoError::NotFound)?;
    let mut metadata = serde_json::json!({ "role": row.role.as_str() });
    if let Some(unit) = row.unit_id {
        metadata["unit_code"] = unit_code(scope, p.owner_org_id, UnitId::from_db(unit))
            .await?
            .into();
    }
    let actor = scope.membership().user_id();
    append_project_event(
        scope,
        p.owner_org_id,
        p.id,
        NewEvent::new(Some(actor), Action::MediaRemoved)
            .target("media", id)
            .metadata(metadata),
    )
    .await?;
    Ok(())
}

/// Which way a gallery image moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    Up,
    Down,
}

/// Swaps a gallery image with its neighbour before (`Up`) or after
/// (`Down`) it; at either end nothing changes and no event is written.
/// Answers the gallery in its new order.
#[tracing::instrument(skip(scope))]
pub async fn move_image(
    scope: &mut Scope,
    project: ProjectId,
    id: MediaId,
    direction: Move,
) -> Result<ProjectMedia, RepoError> {
    let p = require_editor(scope, project).await?;
    lock_project(scope, project).await?;
    let gallery: Vec<Media> = live(scope, p.owner_org_id, p.id, None)
        .await?
        .into_iter()
        .filter(|m| m.role == MediaRole::Gallery)
        .collect();
    let at = gallery
        .iter()
        .position(|m| m.id == id)
        .ok_or(RepoError::NotFound)?;
    let other = match direction {
        Move::Up if at > 0 => at - 1,
        Move::Down if at + 1 < gallery.len() => at + 1,
        _ => return project_media(scope, project).await,
    };
    // Positions are renumbered 0.. in the current order with the two
    // swapped, so equal or sparse positions never confuse the order.
    let mut order: Vec<MediaId> = gallery.iter().map(|m| m.id).collect();
    order.swap(at, other);
    for (position, media) in order.iter().enumerate() {
        sqlx::query!(
            "update media set position = $3 where org_id = $1 and id = $2 and position is distinct from $3",
            p.owner_org_id.as_uuid(),
            media.as_uuid(),
            position as i32,
        )
        .execute(scope.conn())
        .await?;
    }
    let actor = scope.membership().user_id();
    append_project_event(
        scope,
        p.owner_org_id,
        p.id,
        NewEvent::new(Some(actor), Action::MediaReordered)
            .target("media", id)
            .metadata(serde_json::json!({
                "role": MediaRole::Gallery.as_str(),
                "from": at + 1,
                "to": other + 1,
            })),
    )
    .await?;
    project_media(scope, project).await
}
