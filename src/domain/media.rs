//! Uploaded images on their own origin (SPEC R3.4; issue 13). What the
//! pages, the buyer page and the server share: an image's role, the name a
//! re-encoded file is stored and served under (the SHA-256 hex of its
//! bytes, then its extension), and the URL it is served from. The media
//! origin (`MEDIA_BASE_URL`) is never under the base domain, so no uploaded
//! byte is ever served where the session cookie goes.

use serde::{Deserialize, Serialize};

/// `media_role`: the project's one hero image, its gallery, or a unit's
/// floor plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "media_role", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum MediaRole {
    Hero,
    Gallery,
    FloorPlan,
}

impl MediaRole {
    pub const ALL: [MediaRole; 3] = [MediaRole::Hero, MediaRole::Gallery, MediaRole::FloorPlan];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaRole::Hero => "hero",
            MediaRole::Gallery => "gallery",
            MediaRole::FloorPlan => "floor_plan",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// How the activity log and the pages name it.
    pub fn label(self) -> &'static str {
        match self {
            MediaRole::Hero => "the hero image",
            MediaRole::Gallery => "a gallery image",
            MediaRole::FloorPlan => "the floor plan",
        }
    }
}

/// The file extension a re-encoded type is served under; `None` for any
/// type the media origin does not serve.
pub fn extension(content_type: &str) -> Option<&'static str> {
    match content_type {
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "image/webp" => Some("webp"),
        _ => None,
    }
}

/// Whether `key` is a content-hash name: 64 lowercase hex digits.
pub fn is_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The path a stored file is served under: `/<sha256hex>.<ext>`.
pub fn path(key: &str, content_type: &str) -> String {
    format!("/{key}.{}", extension(content_type).unwrap_or("bin"))
}

/// Splits a media path (`/<sha256hex>.<ext>`) into its key and extension;
/// `None` for anything else (other paths on the media origin are 404).
pub fn parse_path(path: &str) -> Option<(&str, &str)> {
    let name = path.strip_prefix('/')?;
    let (key, ext) = name.split_once('.')?;
    (is_key(key) && matches!(ext, "jpg" | "png" | "webp")).then_some((key, ext))
}

/// The URL of a stored file on the media origin `base` (for example
/// `https://media.offplan-usercontent.net` or, in development,
/// `http://media.offplan-usercontent.localhost:3000`): the base without a
/// trailing slash, then [`path`].
pub fn url(base: &str, key: &str, content_type: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), path(key, content_type))
}

/// The media origin's address as the app's pages read it from context
/// (`MEDIA_BASE_URL`, e.g. `http://media.offplan-usercontent.localhost:3000`).
/// The server provides it; a page builds image URLs with [`url`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaBase(pub String);

impl MediaBase {
    pub fn url(&self, key: &str, content_type: &str) -> String {
        url(&self.0, key, content_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn urls_name_the_content_hash_and_the_served_type() {
        assert_eq!(
            url(
                "http://media.offplan-usercontent.localhost:3000/",
                KEY,
                "image/png"
            ),
            format!("http://media.offplan-usercontent.localhost:3000/{KEY}.png")
        );
        assert_eq!(
            url("https://m.example", KEY, "image/jpeg"),
            format!("https://m.example/{KEY}.jpg")
        );
        assert_eq!(parse_path(&format!("/{KEY}.webp")), Some((KEY, "webp")));
        assert_eq!(parse_path(&format!("/{KEY}.svg")), None);
        assert_eq!(parse_path(&format!("/{}.png", KEY.to_uppercase())), None);
        assert_eq!(parse_path("/index.html"), None);
        assert_eq!(parse_path(&format!("/a/{KEY}.png")), None);
    }

    #[test]
    fn roles_parse_back() {
        for r in MediaRole::ALL {
            assert_eq!(MediaRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(MediaRole::parse("logo"), None);
    }
}
