//! Opaque tokens for invitations, buyer links, password resets and the like
//! (SPEC R5.4, R7.3, R3.9; DESIGN.md "Tokens").
//!
//! - 256 bits from the operating system's CSPRNG, URL-safe base64 without
//!   padding (43 characters);
//! - only a SHA-256 of the token is stored; lookups are by that hash;
//! - hashes are compared in constant time when compared in code;
//! - consuming is the repository's job, atomically:
//!   `update … set consumed_at = now() where token_hash = $1 and consumed_at is null returning …`.
//!
//! A [`Token`] is the secret a person receives, once: it has no `Serialize`
//! and its `Debug` never shows it.

use data_encoding::BASE64URL_NOPAD;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

const TOKEN_BYTES: usize = 32;
/// Length of the encoded token: 32 bytes in base64url without padding.
pub const TOKEN_LEN: usize = 43;

/// The secret itself, as put into a link.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

/// SHA-256 of a token: what the database stores.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

impl Token {
    /// A fresh token and its hash.
    pub fn generate() -> (Token, TokenHash) {
        let bytes: [u8; TOKEN_BYTES] = rand::random();
        let token = Token(BASE64URL_NOPAD.encode(&bytes));
        let hash = token.hash();
        (token, hash)
    }

    /// Accepts what arrives in a URL: exactly the shape `generate` makes.
    /// Anything else is not a token, and is never looked up.
    pub fn parse(input: &str) -> Option<Token> {
        let s = input.trim();
        let decoded = BASE64URL_NOPAD.decode(s.as_bytes()).ok()?;
        (s.len() == TOKEN_LEN && decoded.len() == TOKEN_BYTES).then(|| Token(s.to_owned()))
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).into())
    }

    /// The text to put in a link or an email.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl TokenHash {
    /// SHA-256 of any secret text (recovery codes are stored this way).
    pub fn of(text: &str) -> Self {
        TokenHash(Sha256::digest(text.as_bytes()).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// From a stored value; `None` when it is not 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(TokenHash)
    }

    /// Constant-time comparison, for any check done in code rather than by
    /// an indexed lookup.
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A hash is not secret, but a prefix is all a log line needs.
        write!(
            f,
            "TokenHash({:02x}{:02x}{:02x}{:02x}…)",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_tokens_are_long_url_safe_and_distinct() {
        let (a, ha) = Token::generate();
        let (b, hb) = Token::generate();
        assert_eq!(a.expose().len(), TOKEN_LEN);
        assert!(a
            .expose()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_ne!(a, b);
        assert!(!ha.matches(&hb));
        assert!(ha.matches(&a.hash()));
    }

    #[test]
    fn a_token_parses_back_to_the_same_hash() {
        let (token, hash) = Token::generate();
        let parsed = Token::parse(token.expose()).unwrap();
        assert!(parsed.hash().matches(&hash));
    }

    #[test]
    fn the_stored_hash_is_sha256_of_the_token_text() {
        // SHA-256("abc") test vector (FIPS 180-2).
        let t = Token("abc".to_owned());
        assert_eq!(
            data_encoding::HEXLOWER.encode(t.hash().as_bytes()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn debug_output_never_contains_the_secret() {
        let (token, _) = Token::generate();
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    proptest! {
        #[test]
        fn only_the_generated_shape_parses(input in "\\PC{0,60}") {
            if let Some(t) = Token::parse(&input) {
                prop_assert_eq!(t.expose().len(), TOKEN_LEN);
            }
        }
    }
}
