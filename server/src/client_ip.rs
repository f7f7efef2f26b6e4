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
use std::net::{IpAddr, SocketAddr};

use crate::startup::AppState;

/// The resolved client address, in the request extensions (defined beside
/// the server functions that read it).
pub use app::ssr::ClientIp;

/// Resolves the client address from the peer and the forwarding header.
pub fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    // Walk from the right: each hop was appended by the proxy before it.
    let mut last = peer;
    for entry in header.rsplit(',') {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => last = ip,
            Ok(ip) => return ip,
            // A malformed hop: stop at the last address we could vouch for.
            Err(_) => return last,
        }
    }
    last
}

/// Puts [`ClientIp`] into the request extensions.
pub async fn attach(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let ip = resolve(peer, forwarded, &state.config.trusted_proxies);
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
}
