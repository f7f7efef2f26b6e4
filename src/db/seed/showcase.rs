//! The demo's presentation and buyers (issue 13), for `offplan-server seed`
//! only: the tests start from [`super::demo`] without them, so each test
//! arranges the gate, buyers and links it is about.
//!
//! - Marina Heights gets its presentation text (written by Acme's Content
//!   Editor Dan) and a description for a few units;
//! - Northstar's Owner accepts the current data-processing terms (R1.9),
//!   and its agents Rami and Sara each have a buyer.

use super::DEMO_PROJECT_SLUG;
use crate::db::{admin::AdminDb, DbError};

#[tracing::instrument(skip_all)]
pub async fn demo_showcase(db: &AdminDb) -> Result<(), DbError> {
    let mut tx = db.pool.begin().await?;
    sqlx::query!(
        r#"
        insert into project_presentations
            (org_id, project_id, headline, description, location, expected_completion,
             updated_by_user_id, updated_by_org_id)
        select p.org_id, p.id,
               'Light-filled apartments above the water, a short walk from the old town',
               E'Marina Heights is a 10-storey building on the quiet end of the marina: 40 apartments, each with a balcony or terrace facing the water, underfloor heating and floor-to-ceiling windows.\n\nResidents share a landscaped courtyard, secure cycle storage and a concierge. The train station is a 12-minute walk; the beach is 5 minutes by bike.',
               'Ocean Village, Southampton', date '2027-09-01', dan.id, p.org_id
        from projects p
        join organisations acme on acme.id = p.org_id and acme.subdomain = 'acme'
        join users dan on dan.email = 'dan@acme.example'
        where p.slug = $1
        on conflict (org_id, project_id) do nothing
        "#,
        DEMO_PROJECT_SLUG
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        insert into unit_presentations
            (org_id, project_id, unit_id, description, updated_by_user_id, updated_by_org_id)
        select u.org_id, u.project_id, u.id,
               format(E'A %s-bedroom apartment on floor %s with a %s balcony.\n\nOpen-plan kitchen and living room, oak floors throughout, and a utility cupboard by the door.',
                      u.bedrooms, u.floor,
                      case when u.bedrooms >= 3 then 'wraparound' else 'west-facing' end),
               dan.id, u.org_id
        from units u
        join projects p on p.org_id = u.org_id and p.id = u.project_id and p.slug = $1
        join users dan on dan.email = 'dan@acme.example'
        where u.code in ('A-101', 'A-102', 'A-103', 'A-104', 'A-201', 'A-202', 'A-203')
        on conflict (org_id, unit_id) do nothing
        "#,
        DEMO_PROJECT_SLUG
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        insert into data_processing_acceptances (org_id, terms_version, accepted_by_user_id)
        select o.id, $1, o.owner_user_id from organisations o where o.subdomain = 'northstar'
        on conflict do nothing
        "#,
        crate::domain::terms::CURRENT_VERSION
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        insert into buyers (org_id, created_by_user_id, name, email, phone, notes,
                            consent_to_contact, consent_recorded_at)
        select o.id, u.id, v.name, v.email, v.phone, v.notes, true, now()
        from organisations o
        cross join (values
            ('rami@northstar.example', 'Nadia Farouk', 'nadia.farouk@example.com',
             '+971 50 123 4567', 'Looking for two bedrooms on a high floor; completion in 2027 suits.'),
            ('sara@northstar.example', 'Tom Becker', 'tom.becker@example.com',
             '+44 7700 900123', 'Investor; wants the rental yield figures.')
        ) as v(agent, name, email, phone, notes)
        join users u on u.email = v.agent
        where o.subdomain = 'northstar'
          and not exists (select 1 from buyers b where b.org_id = o.id and b.email = v.email)
        "#
    )
    .execute(&mut *tx)
    .await?;
    // Issue 14: the board shows a reservation — A-203, held by Northstar,
    // reserved by Rami for Nadia Farouk (once: only while it is available).
    sqlx::query!(
        r#"
        with u as (
            select u.org_id, u.project_id, u.id from units u
            join projects p on p.org_id = u.org_id and p.id = u.project_id
            where p.slug = 'marina-heights' and u.code = 'A-203' and u.status = 'available'),
        b as (
            select b.org_id, b.id, b.created_by_user_id from buyers b
            join organisations o on o.id = b.org_id
            where o.subdomain = 'northstar' and b.email = 'nadia.farouk@example.com'),
        r as (
            insert into reservations (org_id, project_id, unit_id, buyer_org_id, buyer_id,
                                      reserved_by_user_id)
            select u.org_id, u.project_id, u.id, b.org_id, b.id, b.created_by_user_id
            from u cross join b
            returning unit_id)
        update units set status = 'reserved', version = version + 1
        where id in (select unit_id from r)
        "#
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One demo image, already re-encoded and stored (the server draws them:
/// `offplan-server seed`).
#[derive(Clone, Debug)]
pub struct DemoImage {
    pub role: crate::domain::media::MediaRole,
    /// Gallery order.
    pub position: Option<i32>,
    /// Floor plans: the unit's code in the demo project.
    pub unit_code: Option<&'static str>,
    pub web_key: String,
    pub thumb_key: String,
    pub content_type: &'static str,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub alt: Option<String>,
}

/// Records the demo images of Marina Heights, uploaded by Lumen's Content
/// Editor Marta: only those whose place (the hero, a gallery position, a
/// unit's floor plan) is still empty.
#[tracing::instrument(skip_all)]
pub async fn demo_media(db: &AdminDb, images: &[DemoImage]) -> Result<(), DbError> {
    let mut tx = db.pool.begin().await?;
    for image in images {
        sqlx::query!(
            r#"
            insert into media (org_id, project_id, role, unit_id, web_key, thumb_key, content_type,
                               width, height, bytes, alt, position,
                               uploaded_by_user_id, uploaded_by_org_id)
            select p.org_id, p.id, $2, u.id, $4, $5, $6, $7, $8, $9, $10, $11, marta.id, lumen.id
            from projects p
            join organisations acme on acme.id = p.org_id and acme.subdomain = 'acme'
            join organisations lumen on lumen.subdomain = 'lumen'
            join users marta on marta.email = 'marta@lumen.example'
            left join units u on u.org_id = p.org_id and u.project_id = p.id and u.code = $3
            where p.slug = $1
              and ($3::text is null or u.id is not null)
              and not exists (
                  select 1 from media m
                  where m.org_id = p.org_id and m.project_id = p.id and m.removed_at is null
                    and m.role = $2
                    and ($2 <> 'gallery' or m.position = $11)
                    and ($2 <> 'floor_plan' or m.unit_id = u.id))
            "#,
            DEMO_PROJECT_SLUG,
            image.role as crate::domain::media::MediaRole,
            image.unit_code,
            image.web_key,
            image.thumb_key,
            image.content_type,
            image.width,
            image.height,
            image.bytes,
            image.alt,
            image.position,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
