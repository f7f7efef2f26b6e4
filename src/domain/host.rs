//! The Host header decides the tenant (SPEC R7.1): `app.<base>` is the
//! central app, `<subdomain>.<base>` an organisation, the bare base redirects
//! to `app.`, and anything else is nobody's.

use super::subdomain::Subdomain;
use std::fmt;

/// The platform's base domain (`offplan.online`, `offplan.localhost`):
/// lowercase DNS labels separated by dots, no port, no trailing dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseDomain(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("BASE_DOMAIN must be a domain name such as offplan.localhost (got {0:?})")]
pub struct BaseDomainError(String);

impl BaseDomain {
    pub fn parse(input: &str) -> Result<Self, BaseDomainError> {
        let s = input.trim().trim_end_matches('.').to_ascii_lowercase();
        let ok = !s.is_empty()
            && s.len() <= 200
            && s.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if ok {
            Ok(Self(s))
        } else {
            Err(BaseDomainError(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `app.<base>`, the central app's host.
    pub fn central_host(&self) -> String {
        format!("app.{}", self.0)
    }
}

impl fmt::Display for BaseDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a Host header names, before any database lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostKind {
    /// The bare base domain: redirect to the central app.
    Apex,
    /// `app.<base>`.
    Central,
    /// `<label>.<base>` where the label is a valid organisation subdomain;
    /// whether such an organisation exists is the database's answer.
    Org(Subdomain),
    /// Another host, a nested subdomain, a reserved name or a malformed label.
    Unknown,
}

/// Splits `host[:port]` (a Host header or an Origin's authority) into the
/// name and a non-empty, all-digit port. A bracketed IPv6 literal keeps its
/// colons (and is nobody's host anyway).
pub fn split_port(host: &str) -> (&str, Option<&str>) {
    match host.trim().rsplit_once(':') {
        Some((name, port))
            if !name.contains(':')
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (name, Some(port))
        }
        _ => (host.trim(), None),
    }
}

/// Classifies a Host header value (port and trailing dot ignored, case
/// folded) against the base domain.
pub fn classify_host(host: &str, base: &BaseDomain) -> HostKind {
    let host = host.trim();
    let (name, _) = split_port(host);
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == base.0 {
        return HostKind::Apex;
    }
    let Some(label) = name
        .strip_suffix(base.0.as_str())
        .and_then(|rest| rest.strip_suffix('.'))
    else {
        return HostKind::Unknown;
    };
    if label == "app" {
        return HostKind::Central;
    }
    if label.contains('.') {
        return HostKind::Unknown;
    }
    match Subdomain::parse(label) {
        Ok(sub) => HostKind::Org(sub),
        Err(_) => HostKind::Unknown,
    }
}

/// A `next` parameter, accepted only when it stays within the base domain
/// (SPEC R3.5): a path on this host (`/x`, never `//x` or `/\x`), or an
/// absolute URL with our scheme and port on `app.` or an organisation's
/// subdomain. Anything else is dropped, never followed.
pub fn safe_next(
    next: &str,
    base: &BaseDomain,
    scheme: &str,
    port: Option<&str>,
) -> Option<String> {
    let next = next.trim();
    if next.is_empty() || next.len() > 2000 || next.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    if next.starts_with('/') {
        return (!next.starts_with("//")).then(|| next.to_owned());
    }
    let rest = next.strip_prefix(scheme)?.strip_prefix("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains('@') || split_port(authority).1 != port {
        return None;
    }
    match classify_host(authority, base) {
        HostKind::Central | HostKind::Org(_) => Some(next.to_owned()),
        HostKind::Apex | HostKind::Unknown => None,
    }
}

/// `url` as a valid HTTP header value for a `Location`: every byte outside
/// visible ASCII (CR, LF, NUL, space, non-ASCII) percent-encoded. A URL we
/// build often carries request data (a token, a `next` path); encoded, it
/// can neither split the response nor make a header constructor panic, and
/// the page it leads to sees the same characters once decoded.
pub fn header_safe_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_graphic() {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_location_never_carries_a_control_character() {
        assert_eq!(header_safe_url("/invite/abc"), "/invite/abc");
        assert_eq!(
            header_safe_url("/invite/abc\r\nset-cookie: x=y"),
            "/invite/abc%0D%0Aset-cookie:%20x=y"
        );
        assert_eq!(header_safe_url("/x\0é"), "/x%00%C3%A9");
        assert_eq!(header_safe_url("/a?b=1&c=%20"), "/a?b=1&c=%20");
    }

    proptest! {
        #[test]
        fn every_encoded_url_is_a_header_value(input in "\\PC{0,40}|[\\x00-\\x20\\x7f]{0,10}") {
            let out = header_safe_url(&input);
            prop_assert!(out.bytes().all(|b| b.is_ascii_graphic()));
        }
    }

    #[test]
    fn next_stays_within_the_base_domain() {
        let b = base();
        let ok = |n: &str| safe_next(n, &b, "http", Some("3000"));
        assert_eq!(ok("/settings/team?x=1"), Some("/settings/team?x=1".into()));
        assert_eq!(
            ok("http://acme.offplan.localhost:3000/x"),
            Some("http://acme.offplan.localhost:3000/x".into())
        );
        assert_eq!(
            ok("http://app.offplan.localhost:3000"),
            Some("http://app.offplan.localhost:3000".into())
        );
        for bad in [
            "//evil.example/x",
            "/\\evil.example",
            "http://evil.example/",
            "http://offplan.localhost.evil.example:3000/",
            "http://acme.offplan.localhost:3000@evil.example/",
            "http://acme.offplan.localhost:4000/",
            "https://acme.offplan.localhost:3000/",
            "javascript:alert(1)",
            "http://a.b.offplan.localhost:3000/",
            "",
        ] {
            assert_eq!(ok(bad), None, "{bad}");
        }
    }

    fn base() -> BaseDomain {
        BaseDomain::parse("offplan.localhost").unwrap()
    }

    #[test]
    fn the_bare_base_is_the_apex_with_or_without_port() {
        assert_eq!(classify_host("offplan.localhost", &base()), HostKind::Apex);
        assert_eq!(
            classify_host("OFFPLAN.localhost:3000", &base()),
            HostKind::Apex
        );
        assert_eq!(classify_host("offplan.localhost.", &base()), HostKind::Apex);
    }

    #[test]
    fn app_is_the_central_app() {
        assert_eq!(
            classify_host("app.offplan.localhost:3000", &base()),
            HostKind::Central
        );
    }

    #[test]
    fn an_organisation_label_is_parsed() {
        assert_eq!(
            classify_host("Acme.offplan.localhost:8080", &base()),
            HostKind::Org(Subdomain::parse("acme").unwrap())
        );
    }

    #[test]
    fn foreign_nested_reserved_and_lookalike_hosts_are_unknown() {
        for host in [
            "127.0.0.1:3000",
            "[::1]:3000",
            "evil.com",
            "acme.evil.com",
            "a.b.offplan.localhost",
            "www.offplan.localhost",
            "xoffplan.localhost",
            "acme.offplan.localhost.evil.com",
            "",
        ] {
            assert_eq!(classify_host(host, &base()), HostKind::Unknown, "{host}");
        }
    }

    #[test]
    fn ports_split_only_when_they_are_digits() {
        assert_eq!(
            split_port("acme.offplan.localhost:3000"),
            ("acme.offplan.localhost", Some("3000"))
        );
        assert_eq!(
            split_port("acme.offplan.localhost"),
            ("acme.offplan.localhost", None)
        );
        assert_eq!(
            split_port("acme.offplan.localhost:"),
            ("acme.offplan.localhost:", None)
        );
        assert_eq!(split_port("[::1]:3000").1, None);
    }

    #[test]
    fn base_domain_refuses_ports_and_junk() {
        assert!(BaseDomain::parse("offplan.localhost:3000").is_err());
        assert!(BaseDomain::parse("").is_err());
        assert!(BaseDomain::parse("a..b").is_err());
        assert_eq!(
            BaseDomain::parse("Offplan.Online.").unwrap().as_str(),
            "offplan.online"
        );
    }

    proptest! {
        #[test]
        fn classification_never_panics(host in "\\PC{0,80}") {
            let _ = classify_host(&host, &base());
        }
    }
}
