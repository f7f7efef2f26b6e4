//! Where re-encoded files live (SPEC R3.4): an `object_store` — a local
//! directory in development and tests, an S3-compatible bucket in
//! production (`MEDIA_STORE`). A file's name is the SHA-256 hex of its
//! bytes, so the same name is always the same bytes: a file that exists is
//! never written again.

use crate::config::MediaStoreConfig;
use object_store::{path::Path, ObjectStore, PutMode, PutOptions, PutPayload};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The configured store.
pub fn build(config: &MediaStoreConfig) -> Result<Arc<dyn ObjectStore>, object_store::Error> {
    Ok(match config {
        MediaStoreConfig::Directory(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| object_store::Error::Generic {
                store: "LocalFileSystem",
                source: Box::new(e),
            })?;
            Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir)?)
        }
        MediaStoreConfig::S3 { bucket } => Arc::new(
            object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_conditional_put(object_store::aws::S3ConditionalPut::ETagMatch)
                .build()?,
        ),
    })
}

/// The content-hash name of `bytes`: 64 lowercase hex digits.
pub fn key_of(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// The object's path in the store: the key and the served extension.
pub fn object_path(key: &str, content_type: &str) -> Path {
    Path::from(offplan::domain::media::path(key, content_type).trim_start_matches('/'))
}

/// Stores `bytes` under their hash unless a file of that name is already
/// there; answers the key.
pub async fn put(
    store: &dyn ObjectStore,
    bytes: Vec<u8>,
    content_type: &str,
) -> Result<String, object_store::Error> {
    let key = key_of(&bytes);
    let path = object_path(&key, content_type);
    match store.head(&path).await {
        Ok(_) => return Ok(key),
        Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => return Err(e),
    }
    let payload = PutPayload::from(bytes);
    let create = PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    };
    match store.put_opts(&path, payload.clone(), create).await {
        Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(key),
        // A store without conditional writes: the name is the content, so
        // writing it again writes the same bytes.
        Err(object_store::Error::NotImplemented) => {
            store.put(&path, payload).await?;
            Ok(key)
        }
        Err(e) => Err(e),
    }
}

/// The stored bytes of `key`, if present.
pub async fn get(
    store: &dyn ObjectStore,
    key: &str,
    content_type: &str,
) -> Result<Option<axum::body::Bytes>, object_store::Error> {
    match store.get(&object_path(key, content_type)).await {
        Ok(found) => Ok(Some(found.bytes().await?)),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
