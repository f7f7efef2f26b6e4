//! The demo's images (issue 13): a hero and a gallery for Marina Heights and
//! floor plans for a few units, drawn here (no binary files in the repo),
//! put through the same checks and re-encoding as an upload
//! (`media::process`), stored in `MEDIA_STORE` and recorded as uploaded by
//! Lumen's Content Editor, the studio that presents the project.

use super::BoxError;
use crate::{config::Config, media};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use offplan::db::{
    admin::AdminDb,
    seed::{demo_media, DemoImage},
};
use offplan::domain::media::MediaRole;
use std::io::Cursor;

/// Draws, re-encodes, stores and records the demo images that are missing.
pub async fn seed_images(config: &Config, db: &AdminDb) -> Result<(), BoxError> {
    let store = media::store::build(&config.media.store)?;
    let limits = media::process::ImageLimits {
        max_dimension: config.media.max_dimension,
        max_pixels: config.media.max_pixels,
    };
    let mut images = vec![(
        MediaRole::Hero,
        None,
        hero(),
        "Marina Heights from the water at dusk",
    )];
    for (i, tint) in [
        (0u8, [214u8, 196, 170]),
        (1, [190, 205, 214]),
        (2, [222, 214, 200]),
    ] {
        images.push((MediaRole::Gallery, Some(i), room(tint), ""));
    }
    let mut rows = Vec::new();
    for (role, position, picture, alt) in images {
        rows.push(stored(&*store, limits, role, position, None, &picture, alt).await?);
    }
    for (code, bedrooms) in [("A-101", 2), ("A-102", 3), ("A-103", 1)] {
        let plan = floor_plan(bedrooms);
        let alt = format!("Floor plan of unit {code}");
        rows.push(
            stored(
                &*store,
                limits,
                MediaRole::FloorPlan,
                None,
                Some(code),
                &plan,
                &alt,
            )
            .await?,
        );
    }
    demo_media(db, &rows).await?;
    Ok(())
}

async fn stored(
    store: &dyn object_store::ObjectStore,
    limits: media::process::ImageLimits,
    role: MediaRole,
    position: Option<u8>,
    unit_code: Option<&'static str>,
    picture: &RgbImage,
    alt: &str,
) -> Result<DemoImage, BoxError> {
    let mut png = Vec::new();
    DynamicImage::ImageRgb8(picture.clone())
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)?;
    let processed = media::process::process(&png, limits).map_err(|r| r.to_string())?;
    let web_bytes = processed.web.bytes.len();
    let web = media::store::put(store, processed.web.bytes, processed.content_type).await?;
    let thumb = media::store::put(store, processed.thumb.bytes, processed.content_type).await?;
    Ok(DemoImage {
        role,
        position: position.map(i32::from),
        unit_code,
        web_key: web,
        thumb_key: thumb,
        content_type: processed.content_type,
        width: processed.web.width as i32,
        height: processed.web.height as i32,
        bytes: web_bytes as i64,
        alt: (!alt.is_empty()).then(|| alt.to_owned()),
    })
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let m = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t) as u8;
    Rgb([m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])])
}

/// A tower by the water at dusk: sky, building with lit windows, water.
fn hero() -> RgbImage {
    let (w, h) = (1600u32, 900u32);
    RgbImage::from_fn(w, h, |x, y| {
        let horizon = h * 62 / 100;
        let (bx0, bx1, by0) = (w * 38 / 100, w * 62 / 100, h * 14 / 100);
        if y >= horizon {
            // Water: darker with depth, a band of reflected light.
            let t = (y - horizon) as f32 / (h - horizon) as f32;
            let glint = x > bx0 && x < bx1 && (y / 6) % 3 == 0;
            if glint {
                mix([250, 204, 120], [120, 110, 120], t)
            } else {
                mix([54, 82, 122], [18, 30, 52], t)
            }
        } else if x > bx0 && x < bx1 && y > by0 {
            // The building and its grid of windows, some lit.
            let (cx, cy) = ((x - bx0) % 40, (y - by0) % 48);
            let lit = ((x - bx0) / 40 * 7 + (y - by0) / 48 * 3) % 5 < 2;
            if cx > 8 && cx < 32 && cy > 10 && cy < 38 {
                if lit {
                    Rgb([255, 214, 140])
                } else {
                    Rgb([70, 84, 104])
                }
            } else {
                Rgb([196, 190, 184])
            }
        } else {
            let t = y as f32 / horizon as f32;
            mix([64, 92, 150], [244, 170, 120], t)
        }
    })
}

/// A room: wall, floor, and a window with the sea in it.
fn room(wall: [u8; 3]) -> RgbImage {
    let (w, h) = (1200u32, 900u32);
    RgbImage::from_fn(w, h, |x, y| {
        let floor = h * 70 / 100;
        if y >= floor {
            let plank = (x / 90 + (y - floor) / 30) % 2 == 0;
            if plank {
                Rgb([168, 124, 84])
            } else {
                Rgb([150, 110, 74])
            }
        } else if x > w / 4 && x < w * 3 / 4 && y > h / 8 && y < floor - 60 {
            let t = (y - h / 8) as f32 / (floor - 60 - h / 8) as f32;
            if t > 0.6 {
                mix([60, 110, 160], [40, 80, 130], t)
            } else {
                mix([170, 205, 235], [225, 236, 245], t)
            }
        } else {
            let t = y as f32 / floor as f32;
            mix(
                wall,
                [wall[0] / 4 * 3, wall[1] / 4 * 3, wall[2] / 4 * 3],
                t * 0.4,
            )
        }
    })
}

/// A plan: walls in ink on white, one room more per bedroom.
fn floor_plan(bedrooms: u32) -> RgbImage {
    let (w, h) = (1200u32, 800u32);
    let rooms = bedrooms + 2;
    RgbImage::from_fn(w, h, |x, y| {
        let (m, t) = (60u32, 8u32);
        let outer = (x >= m && x < w - m && y >= m && y < h - m)
            && (x < m + t || x >= w - m - t || y < m + t || y >= h - m - t);
        let inner_x = (1..rooms).any(|i| {
            let wx = m + (w - 2 * m) * i / rooms;
            x >= wx && x < wx + t / 2 && y >= m && y < h - m && !(y > h / 2 - 40 && y < h / 2 + 40)
        });
        let corridor = y >= h * 2 / 3 && y < h * 2 / 3 + t / 2 && x >= m && x < w - m;
        if outer || inner_x || corridor {
            Rgb([30, 34, 44])
        } else {
            Rgb([255, 255, 255])
        }
    })
}
