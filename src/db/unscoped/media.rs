//! The media origin's one lookup (SPEC R3.4; issue 13): whether a file name
//! is a live re-encoded image, and the type to serve it with. It runs
//! without a tenant because the media origin has none: the name is a
//! 256-bit content hash (as unguessable as a link's token), and the
//! `media_objects` view exposes nothing but live names and their types.

use crate::db::{DbError, Gate};

impl Gate {
    /// The content type to serve `key` (64 lowercase hex digits) with, if
    /// a live image names it; `None` for anything else, a removed image
    /// included.
    #[tracing::instrument(skip(self))]
    pub async fn media_object_type(&self, key: &str) -> Result<Option<String>, DbError> {
        if !crate::domain::media::is_key(key) {
            return Ok(None);
        }
        Ok(sqlx::query_scalar!(
            r#"select content_type as "content_type!" from media_objects where key = $1 limit 1"#,
            key
        )
        .fetch_optional(&self.pool)
        .await?)
    }
}
