//! The abuse limits (R3.7): the configured limits, counting an attempt
//! against a bucket, and the bucket names — per account (by id), per
//! address that names nobody, per client address (an IPv6 /64).

use offplan::{db::Gate, domain::UserId, AppError};

use super::client_ip;

/// `max` attempts per `window_secs` (R3.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

/// The abuse limits (R3.7), from configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Every sign-in attempt from one address.
    pub login_ip: Limit,
    /// Failed sign-ins of one account, from anywhere.
    pub login_account: Limit,
    pub signup_ip: Limit,
    pub reset_ip: Limit,
    pub reset_account: Limit,
    /// Lookups of any emailed or linked token from one address.
    pub token_ip: Limit,
    /// Failed token lookups from one address before the burst alert (R5.5).
    pub token_burst: Limit,
}

/// Counts an attempt against `bucket`; past the limit, `RateLimited` (R3.7).
pub async fn rate_limit(db: &Gate, bucket: &str, limit: Limit) -> Result<(), AppError> {
    let hits = db.rate_limit_hit(bucket, limit.window_secs).await?;
    if hits > limit.max {
        tracing::warn!(bucket, hits, "rate limit reached");
        return Err(AppError::RateLimited {
            retry_after_secs: u32::try_from(limit.window_secs).unwrap_or(60),
        });
    }
    Ok(())
}

/// The per-account bucket name for `action` (R3.7): keyed on the account's
/// id, never on the address as typed — the database matches addresses
/// through a collation that folds look-alikes, so typed text would give one
/// account unlimited buckets (issue 10 item 4).
pub fn account_bucket(action: &str, user: UserId) -> String {
    format!("{action}:acct:{}", user.as_uuid())
}

/// The bucket for an address that names no account: a digest of its folded
/// form, so the answer (and a 429) looks the same as for a real account and
/// the key has a fixed length whatever was typed.
pub fn nobody_bucket(action: &str, typed: &str) -> String {
    use sha2::Digest as _;
    let folded: String = typed.trim().to_lowercase();
    let digest = sha2::Sha256::digest(folded.as_bytes());
    format!(
        "{action}:nobody:{}",
        data_encoding::HEXLOWER.encode(&digest[..16])
    )
}

/// The per-address bucket name for `action`. An IPv6 client is counted by
/// its /64: one subscriber or host is usually handed a whole /64, so
/// counting single addresses would give one client 2^64 fresh buckets
/// (R3.7). IPv4-mapped addresses were already turned into IPv4 by the
/// server's client-address middleware.
pub fn ip_bucket(action: &str) -> String {
    ip_bucket_for(action, client_ip())
}

/// [`ip_bucket`] for an address read elsewhere than the Leptos context (a
/// plain axum handler: the buyer's page).
pub fn ip_bucket_for(action: &str, ip: Option<std::net::IpAddr>) -> String {
    let key = match ip {
        Some(std::net::IpAddr::V6(v6)) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        Some(v4) => v4.to_string(),
        None => "unknown".into(),
    };
    format!("{action}:ip:{key}")
}
