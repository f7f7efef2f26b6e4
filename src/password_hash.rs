//! Password hashing (SPEC R3.2): argon2id with OWASP's parameters
//! (m = 19 MiB, t = 2, p = 1), off the async runtime on the blocking pool,
//! with at most `max_concurrent` hashes at once so a burst of logins cannot
//! starve request handling (DESIGN.md). An unknown account is verified
//! against a dummy hash, so the time taken does not reveal whether an
//! account exists (R3.7).

use crate::domain::{password::normalize, NewPassword};
use argon2::{
    password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error("the hashing pool is gone")]
    Closed,
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
}

fn argon2() -> Argon2<'static> {
    // 19 MiB = 19 * 1024 KiB; these are constants known to be valid.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    let bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&bytes).map_err(|e| HashError::Hash(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

fn verify_blocking(candidate: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            argon2()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl PasswordHasher {
    /// Builds the hasher; computes the dummy hash once (about 25 ms).
    pub fn new(max_concurrent: usize) -> Result<Self, HashError> {
        let filler: [u8; 24] = rand::random();
        let dummy = hash_blocking(&data_encoding::HEXLOWER.encode(&filler))?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy: dummy.into(),
        })
    }

    /// The PHC string to store.
    pub async fn hash(&self, password: &NewPassword) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::Closed)?;
        let text = password.expose().to_owned();
        tokio::task::spawn_blocking(move || hash_blocking(&text))
            .await
            .map_err(|_| HashError::Closed)?
    }

    /// Whether `candidate` (as typed; normalised here) matches `stored`.
    /// With no stored hash — unknown account, or a Google-only one — the
    /// dummy is verified instead and the answer is `false`, taking the same
    /// time.
    pub async fn verify(&self, candidate: &str, stored: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let candidate = normalize(candidate);
        let (against, real) = match stored {
            Some(s) => (s.to_owned(), true),
            None => (self.dummy.to_string(), false),
        };
        tokio::task::spawn_blocking(move || verify_blocking(&candidate, &against) && real)
            .await
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hasher = PasswordHasher::new(2).unwrap();
        let password = NewPassword::parse("correct horse battery staple", false).unwrap();
        let stored = hasher.hash(&password).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(
            hasher
                .verify("correct horse battery staple", Some(&stored))
                .await
        );
        assert!(
            !hasher
                .verify("correct horse battery stapler", Some(&stored))
                .await
        );
    }

    #[tokio::test]
    async fn verification_normalises_what_is_typed() {
        let hasher = PasswordHasher::new(2).unwrap();
        let password = NewPassword::parse("ﬁne ﬁsh and chips please", false).unwrap();
        let stored = hasher.hash(&password).await.unwrap();
        assert!(
            hasher
                .verify("fine fish and chips please", Some(&stored))
                .await
        );
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let hasher = PasswordHasher::new(2).unwrap();
        assert!(!hasher.verify("anything at all, really", None).await);
        assert!(!hasher.verify("anything", Some("not a phc string")).await);
    }
}
