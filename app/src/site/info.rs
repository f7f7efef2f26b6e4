//! What the tenant middleware resolved for a request (SPEC R7.1): plain
//! data with the URL helpers built from it. It depends on nothing else in
//! the app, so `ssr` (which reads it from the request) and the site frame
//! (which reads it through `ssr`) both use it without using each other.

use offplan::domain::Site;
use serde::{Deserialize, Serialize};

/// What the tenant middleware resolved for this request: which site the
/// Host header named, and where the central app is (for links off an
/// unknown host).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub site: Site,
    pub central_url: String,
    /// `http` or `https`, the base domain and the port (from the Host
    /// header; the host name itself always comes from configuration).
    pub scheme: String,
    pub base_domain: String,
    pub port: Option<String>,
    /// Who is signed in, for the header; filled by `site_now`.
    pub viewer: Option<Viewer>,
}

/// The signed-in person as the page header shows them. A display hint only:
/// every action re-checks the database (R2.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub email: String,
    pub must_enrol_totp: bool,
}

impl SiteInfo {
    fn port_suffix(&self) -> String {
        self.port
            .as_deref()
            .map(|p| format!(":{p}"))
            .unwrap_or_default()
    }

    /// An absolute URL on an organisation's subdomain.
    pub fn org_url(&self, subdomain: &str, path: &str) -> String {
        format!(
            "{}://{subdomain}.{}{}{path}",
            self.scheme,
            self.base_domain,
            self.port_suffix()
        )
    }

    /// An absolute URL on the central app.
    pub fn central(&self, path: &str) -> String {
        format!(
            "{}://app.{}{}{path}",
            self.scheme,
            self.base_domain,
            self.port_suffix()
        )
    }

    /// `next` when it stays within the base domain (R3.5), else `None`.
    pub fn safe_next(&self, next: &str) -> Option<String> {
        let base = offplan::domain::BaseDomain::parse(&self.base_domain).ok()?;
        offplan::domain::safe_next(next, &base, &self.scheme, self.port.as_deref())
    }

    pub fn is_central(&self) -> bool {
        matches!(self.site, Site::Central)
    }
}
