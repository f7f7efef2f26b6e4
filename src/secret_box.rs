//! Second-factor secrets at rest (issue 10 item 11, SPEC R3.6).
//!
//! A TOTP secret in a database dump or a backup is a second factor handed
//! over, so `users.totp_secret` holds it sealed with XChaCha20-Poly1305 under
//! a key from configuration (`TOTP_ENCRYPTION_KEYS`), never in plain text.
//! The user's id is the associated data: a sealed secret copied onto another
//! account does not open.
//!
//! Layout of a sealed value: `b"otk1"`, one byte of key-id length, the key
//! id, a 24-byte random nonce, then the ciphertext with its tag. The key id
//! lets keys rotate: values sealed under any configured key open, and a value
//! under an older key is re-sealed under the current one when it is next
//! used ([`SecretBox::needs_reseal`]).

use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use std::fmt;

const MAGIC: &[u8; 4] = b"otk1";
const NONCE_LEN: usize = 24;

/// One named 256-bit key.
#[derive(Clone)]
struct NamedKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

/// The configured keys; the first seals, every one opens.
#[derive(Clone)]
pub struct SecretBox {
    keys: Vec<NamedKey>,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("SecretBox").field("key_ids", &ids).finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretBoxError {
    #[error("no key configured")]
    NoKeys,
    #[error("key id {0:?} must be 1 to 32 letters, digits, '-' or '_'")]
    BadKeyId(String),
    #[error("key {0:?} must be 32 bytes, base64-encoded")]
    BadKey(String),
    #[error("key id {0:?} appears twice")]
    DuplicateKeyId(String),
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value names key {0:?}, which is not configured")]
    UnknownKey(String),
    #[error("the sealed value does not open with its key (altered, or another account's)")]
    Tampered,
}

impl SecretBox {
    /// Parses `id:base64key,id:base64key,…`; the first key is current.
    pub fn from_config(spec: &str) -> Result<Self, SecretBoxError> {
        let mut keys: Vec<NamedKey> = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (id, key) = item
                .split_once(':')
                .ok_or_else(|| SecretBoxError::BadKey(item.chars().take(8).collect()))?;
            let id = id.trim();
            if id.is_empty()
                || id.len() > 32
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(SecretBoxError::BadKeyId(id.chars().take(32).collect()));
            }
            if keys.iter().any(|k| k.id == id) {
                return Err(SecretBoxError::DuplicateKeyId(id.to_owned()));
            }
            let key = key.trim().as_bytes();
            let bytes = data_encoding::BASE64
                .decode(key)
                .or_else(|_| data_encoding::BASE64URL_NOPAD.decode(key))
                .map_err(|_| SecretBoxError::BadKey(id.to_owned()))?;
            let bytes: [u8; 32] = bytes
                .try_into()
                .map_err(|_| SecretBoxError::BadKey(id.to_owned()))?;
            keys.push(NamedKey {
                id: id.to_owned(),
                cipher: XChaCha20Poly1305::new(&bytes.into()),
            });
        }
        if keys.is_empty() {
            return Err(SecretBoxError::NoKeys);
        }
        Ok(Self { keys })
    }

    /// The development key: fixed, public, and refused in production by the
    /// server's configuration. Secrets survive a restart of a dev server.
    pub fn development() -> Self {
        // Deterministic so that a development database stays usable.
        let key = [0x5au8; 32];
        Self {
            keys: vec![NamedKey {
                id: "dev".to_owned(),
                cipher: XChaCha20Poly1305::new(&key.into()),
            }],
        }
    }

    /// Seals `secret` for the account `owner` (its id's bytes).
    pub fn seal(&self, owner: &[u8], secret: &[u8]) -> Vec<u8> {
        let key = &self.keys[0];
        let nonce: [u8; NONCE_LEN] = rand::random();
        // Encryption with a valid key and nonce cannot fail for inputs this
        // small; an empty value would only make `open` refuse it later.
        let sealed = key
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret,
                    aad: owner,
                },
            )
            .unwrap_or_default();
        let mut out = Vec::with_capacity(4 + 1 + key.id.len() + NONCE_LEN + sealed.len());
        out.extend_from_slice(MAGIC);
        // Key ids are at most 32 bytes (checked when parsed).
        out.push(key.id.len() as u8);
        out.extend_from_slice(key.id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a value sealed for `owner` under any configured key.
    pub fn open(&self, owner: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SecretBoxError> {
        let (id, nonce, ciphertext) = split(sealed)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| SecretBoxError::UnknownKey(id.to_owned()))?;
        key.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: owner,
                },
            )
            .map_err(|_| SecretBoxError::Tampered)
    }

    /// Whether `sealed` is under an older key than the current one.
    pub fn needs_reseal(&self, sealed: &[u8]) -> bool {
        split(sealed).map_or(true, |(id, _, _)| id != self.keys[0].id)
    }

    /// The current key's id (for logs and the README's rotation steps).
    pub fn current_key_id(&self) -> &str {
        &self.keys[0].id
    }
}

fn split(sealed: &[u8]) -> Result<(&str, &[u8], &[u8]), SecretBoxError> {
    let rest = sealed
        .strip_prefix(MAGIC.as_slice())
        .ok_or(SecretBoxError::Malformed)?;
    let (&len, rest) = rest.split_first().ok_or(SecretBoxError::Malformed)?;
    let len = usize::from(len);
    if rest.len() < len + NONCE_LEN + 16 {
        return Err(SecretBoxError::Malformed);
    }
    let (id, rest) = rest.split_at(len);
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let id = std::str::from_utf8(id).map_err(|_| SecretBoxError::Malformed)?;
    Ok((id, nonce, ciphertext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> String {
        data_encoding::BASE64.encode(&[b; 32])
    }

    #[test]
    fn a_sealed_secret_opens_for_its_owner_only() {
        let keys = SecretBox::from_config(&format!("k1:{}", key(1))).unwrap();
        let sealed = keys.seal(b"user-a", b"twenty byte secret!!");
        assert!(!sealed.windows(20).any(|w| w == b"twenty byte secret!!"));
        assert_eq!(
            keys.open(b"user-a", &sealed).unwrap(),
            b"twenty byte secret!!"
        );
        assert_eq!(keys.open(b"user-b", &sealed), Err(SecretBoxError::Tampered));
    }

    #[test]
    fn an_altered_byte_is_refused() {
        let keys = SecretBox::from_config(&format!("k1:{}", key(1))).unwrap();
        let mut sealed = keys.seal(b"u", b"secret");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(keys.open(b"u", &sealed), Err(SecretBoxError::Tampered));
        assert_eq!(keys.open(b"u", b"plain"), Err(SecretBoxError::Malformed));
    }

    #[test]
    fn keys_rotate_by_id() {
        let old = SecretBox::from_config(&format!("k1:{}", key(1))).unwrap();
        let sealed = old.seal(b"u", b"secret");
        let rotated = SecretBox::from_config(&format!("k2:{}, k1:{}", key(2), key(1))).unwrap();
        assert_eq!(rotated.open(b"u", &sealed).unwrap(), b"secret");
        assert!(rotated.needs_reseal(&sealed));
        assert!(!rotated.needs_reseal(&rotated.seal(b"u", b"secret")));
        let dropped = SecretBox::from_config(&format!("k2:{}", key(2))).unwrap();
        assert_eq!(
            dropped.open(b"u", &sealed),
            Err(SecretBoxError::UnknownKey("k1".into()))
        );
    }

    #[test]
    fn bad_configuration_is_named() {
        assert!(matches!(
            SecretBox::from_config(""),
            Err(SecretBoxError::NoKeys)
        ));
        assert!(matches!(
            SecretBox::from_config("k1:short"),
            Err(SecretBoxError::BadKey(_))
        ));
        assert!(matches!(
            SecretBox::from_config(&format!("bad id:{}", key(1))),
            Err(SecretBoxError::BadKeyId(_))
        ));
        assert!(matches!(
            SecretBox::from_config(&format!("k:{},k:{}", key(1), key(2))),
            Err(SecretBoxError::DuplicateKeyId(_))
        ));
    }
}
