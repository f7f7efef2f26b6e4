//! TOTP (RFC 6238) and recovery codes (SPEC R3.6): SHA-1, six digits, 30 s
//! steps, one step of clock drift either way. The step a code matched is
//! returned so the repository can accept each step at most once.

use offplan::token::TokenHash;
use totp_rs::{Algorithm, TOTP};

use super::TotpEnrolment;

const STEP: i64 = 30;

fn totp(secret: &[u8], account: &str) -> Result<TOTP, String> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP as u64,
        secret.to_vec(),
        Some("offplan".to_owned()),
        account.replace(':', ""),
    )
    .map_err(|e| e.to_string())
}

pub fn looks_like_totp(code: &str) -> bool {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The time step `code` is valid for at `now` (±1 step), compared in
/// constant time; `None` when it matches none.
pub fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    use subtle::ConstantTimeEq;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = totp(secret, "x").ok()?;
    let current = now / STEP;
    let mut found = None;
    for step in [current - 1, current, current + 1] {
        let expected = totp.generate(u64::try_from(step * STEP).ok()?);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

/// What the enrolment page shows: the key, the otpauth URL and its QR code.
pub fn enrolment(secret: &[u8], email: &str) -> Result<TotpEnrolment, String> {
    let totp = totp(secret, email)?;
    let url = totp.get_url();
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| e.to_string())?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#111827"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Ok(TotpEnrolment {
        secret: totp.get_secret_base32(),
        otpauth_url: url,
        qr_svg: qr,
    })
}

/// Normalises a recovery code as typed (case, dashes, spaces) and hashes it.
pub fn recovery_hash(code: &str) -> TokenHash {
    let clean: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    TokenHash::of(&clean)
}

/// Ten single-use recovery codes of 80 random bits each, grouped for
/// reading (`abcd-efgh-ijkl-mnop`), and their hashes.
pub fn recovery_codes() -> (Vec<String>, Vec<TokenHash>) {
    let alphabet = data_encoding::BASE32_NOPAD;
    (0..10)
        .map(|_| {
            let bytes: [u8; 10] = rand::random();
            let raw = alphabet.encode(&bytes).to_ascii_lowercase();
            let shown = raw
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-");
            let hash = recovery_hash(&shown);
            (shown, hash)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector_and_drift_of_one_step() {
        // RFC 6238 Appendix B, SHA-1, T = 59 s → 94287082 (8 digits); the
        // six-digit code is its last six digits.
        let secret = b"12345678901234567890";
        assert_eq!(matching_step(secret, "287082", 59), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 30), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 90), None);
        assert_eq!(matching_step(secret, "000000", 59), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_as_typed() {
        let (codes, hashes) = recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert_eq!(codes[0].len(), 19);
        assert!(recovery_hash(&codes[0].to_uppercase().replace('-', " ")).matches(&hashes[0]));
    }
}
