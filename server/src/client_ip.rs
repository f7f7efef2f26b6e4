//! The client's IP address, for rate limits and security events (SPEC
//! R3.7): the socket's peer, or — only when that peer is one of the
//! configured trusted proxies — the rightmost `X-Forwarded-For` entry that
//! is not itself a trusted proxy. Entries to the left of that are whatever
//! the client chose to send, so a spoofed leftmost entry never buys a fresh
//! rate-limit bucket.

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// The resolved client address, in the request extensions (defined beside
/// the server functions that read it).
pub use app::ssr::ClientIp;

/// Resolves the client address from the peer and the forwarding header's
/// lines, in the order they arrived. A request may carry several
/// `X-Forwarded-For` lines (a proxy may append its own line instead of
/// extending the last one), so they are read as one list: the first line
/// is the leftmost, most easily forged part and never wins over a hop a
/// trusted proxy appended later. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`,
/// what a dual-stack socket reports for an IPv4 peer) are the IPv4 address
/// they carry, both for the trusted check and in the result.
pub fn resolve<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let lines: Vec<&str> = forwarded_for.into_iter().collect();
    // Walk from the right: each hop was appended by the proxy before it.
    let mut last = peer;
    for entry in lines.iter().rev().flat_map(|line| line.rsplit(',')) {
        let entry = entry.trim();
        if entry.is_empty() {
            // `a,,b` or a trailing comma: no hop, nothing to believe or skip.
            continue;
        }
        match entry.parse::<IpAddr>().map(canonical) {
            Ok(ip) if is_trusted(&ip) => last = ip,
            Ok(ip) => return ip,
            // A malformed hop: stop at the last address we could vouch for.
            Err(_) => return last,
        }
    }
    last
}

/// The IPv4 address an IPv4-mapped IPv6 address carries; any other address
/// unchanged. Without this one IPv4 client has two spellings, hence two
/// rate-limit buckets, and a trusted `10.0.0.0/8` would not match
/// `::ffff:10.0.0.5`.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`).
#[derive(Clone)]
pub struct ClientIpConfig {
    pub trusted_proxies: Arc<[IpNet]>,
}

/// Puts [`ClientIp`] into the request extensions.
pub async fn attach(
    State(config): State<ClientIpConfig>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        // Every line, in order. A line that is not visible ASCII cannot be
        // a list of addresses: it reads as a malformed hop, where the walk
        // stops at the last address we could vouch for.
        let forwarded = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap_or("malformed"));
        let ip = resolve(peer, forwarded, &config.trusted_proxies);
        request.extensions_mut().insert(ClientIp(ip));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies() -> Vec<IpNet> {
        vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.1/32".parse().unwrap(),
        ]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        assert_eq!(
            resolve(ip("203.0.113.9"), Some("1.2.3.4"), &proxies()),
            ip("203.0.113.9")
        );
        assert_eq!(
            resolve(ip("10.0.0.5"), Some("1.2.3.4"), &[]),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        assert_eq!(
            resolve(ip("10.0.0.5"), Some("198.51.100.7"), &proxies()),
            ip("198.51.100.7")
        );
        // Two proxies deep.
        assert_eq!(
            resolve(ip("10.0.0.5"), Some("198.51.100.7, 10.1.2.3"), &proxies()),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_spoofed_leftmost_entry_does_not_change_the_client() {
        let honest = resolve(ip("10.0.0.5"), Some("198.51.100.7"), &proxies());
        for spoof in [
            "1.1.1.1, 198.51.100.7",
            "9.9.9.9, 8.8.8.8, 198.51.100.7",
            "garbage, 198.51.100.7",
        ] {
            assert_eq!(
                resolve(ip("10.0.0.5"), Some(spoof), &proxies()),
                honest,
                "{spoof}"
            );
        }
    }

    #[test]
    fn malformed_or_all_trusted_chains_fall_back_to_the_last_trusted_hop() {
        assert_eq!(
            resolve(ip("10.0.0.5"), Some("not-an-ip"), &proxies()),
            ip("10.0.0.5")
        );
        assert_eq!(
            resolve(ip("10.0.0.5"), Some("10.9.9.9"), &proxies()),
            ip("10.9.9.9")
        );
        assert_eq!(resolve(ip("10.0.0.5"), None, &proxies()), ip("10.0.0.5"));
    }

    #[test]
    fn every_forwarded_for_line_counts_and_the_last_line_is_the_rightmost() {
        // The client forged the first line; the trusted proxy appended the
        // second with the address it really saw.
        assert_eq!(
            resolve(ip("10.0.0.5"), ["1.1.1.1", "198.51.100.7"], &proxies()),
            ip("198.51.100.7")
        );
        // Two lines from two proxies: the second proxy is trusted, so the
        // walk continues into the first line.
        assert_eq!(
            resolve(
                ip("10.0.0.5"),
                ["9.9.9.9, 198.51.100.7", "10.1.2.3"],
                &proxies()
            ),
            ip("198.51.100.7")
        );
        // Empty entries (trailing commas, an empty line) are not hops.
        assert_eq!(
            resolve(ip("10.0.0.5"), ["198.51.100.7,", ""], &proxies()),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn ipv4_mapped_ipv6_addresses_are_their_ipv4_address() {
        // A dual-stack listener reports a trusted IPv4 proxy as mapped.
        assert_eq!(
            resolve(ip("::ffff:10.0.0.5"), Some("198.51.100.7"), &proxies()),
            ip("198.51.100.7")
        );
        // A mapped hop is trusted (and skipped) like its IPv4 address.
        assert_eq!(
            resolve(
                ip("10.0.0.5"),
                Some("198.51.100.7, ::ffff:10.1.2.3"),
                &proxies()
            ),
            ip("198.51.100.7")
        );
        // The client itself is reported as IPv4, one bucket for one address.
        assert_eq!(
            resolve(ip("10.0.0.5"), Some("::ffff:198.51.100.7"), &proxies()),
            ip("198.51.100.7")
        );
        assert_eq!(
            resolve(ip("::ffff:203.0.113.9"), None, &proxies()),
            ip("203.0.113.9")
        );
        // Real IPv6 stays IPv6.
        assert_eq!(
            resolve(ip("2001:db8::1"), None, &proxies()),
            ip("2001:db8::1")
        );
    }
}
