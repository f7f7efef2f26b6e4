//! What the web layer needs to know about an organisation before anyone has
//! signed in: its public brand (SPEC R7.2) and public profile.

use super::{brand::BrandColour, ids::OrgId, subdomain::Subdomain};
use serde::{Deserialize, Serialize};

/// SPEC R1.3: an organisation is one or more of these at once. On the
/// server it decodes from the `client_type` column type (an unknown value
/// is an error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "client_type", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum ClientType {
    Studio,
    Agency,
    Developer,
}

impl ClientType {
    pub const ALL: [ClientType; 3] = [
        ClientType::Developer,
        ClientType::Studio,
        ClientType::Agency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientType::Studio => "studio",
            ClientType::Agency => "agency",
            ClientType::Developer => "developer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClientType::Studio => "3D studio",
            ClientType::Agency => "Sales agency",
            ClientType::Developer => "Property developer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The brand an organisation's pages are rendered with (SPEC R7.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgBrand {
    pub id: OrgId,
    pub name: String,
    pub subdomain: Subdomain,
    pub colour: BrandColour,
    /// What the organisation is (R1.3), public like the profile's: the
    /// header shows a Studio's "Clients" link. A display hint only; the
    /// repository decides what each call may do.
    pub client_types: Vec<ClientType>,
}

impl OrgBrand {
    /// Whether the organisation is a Studio (R1.3), among other things.
    pub fn is_studio(&self) -> bool {
        self.client_types.contains(&ClientType::Studio)
    }

    /// Whether the organisation sells units (an agency or a developer),
    /// so its people record buyers (R1.9): the header's "Buyers" link. A
    /// display hint only, like [`Self::is_studio`].
    pub fn sells_units(&self) -> bool {
        self.client_types
            .iter()
            .any(|t| matches!(t, ClientType::Agency | ClientType::Developer))
    }
}

/// The public profile shown on an organisation's branded home.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgProfile {
    pub name: String,
    pub tagline: Option<String>,
    pub country: String,
    pub client_types: Vec<ClientType>,
    /// Year the organisation joined offplan, for "on offplan since".
    pub since_year: i32,
}

/// Which site a request is for, as resolved from its Host header (R7.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Site {
    Central,
    Org(OrgBrand),
    /// No organisation answers to this host: a branded-neutral 404.
    Unknown,
}
