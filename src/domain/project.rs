//! A project's lifecycle and stock mode (SPEC R1.6, R6.1), shared by the
//! repository (which decodes them from their column types) and the pages
//! (which show and submit them).

use serde::{Deserialize, Serialize};

/// `project_status`: a draft is seen only by the organisation; an active
/// project has a public branded home; an archived one leaves the lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "project_status", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Draft,
    Active,
    Archived,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 3] = [
        ProjectStatus::Draft,
        ProjectStatus::Active,
        ProjectStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Draft => "draft",
            ProjectStatus::Active => "active",
            ProjectStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            ProjectStatus::Draft => "Draft",
            ProjectStatus::Active => "Active",
            ProjectStatus::Archived => "Archived",
        }
    }
}

/// R6.1, `stock_mode`: in a closed pool an agent sees only the units
/// assigned to them or their agency; in open mode every partner agency's
/// agents see every available unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "stock_mode", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum StockMode {
    Closed,
    Open,
}

impl StockMode {
    pub const ALL: [StockMode; 2] = [StockMode::Closed, StockMode::Open];

    pub fn as_str(self) -> &'static str {
        match self {
            StockMode::Closed => "closed",
            StockMode::Open => "open",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            StockMode::Closed => "Closed pool",
            StockMode::Open => "Open",
        }
    }

    /// What the mode means for the agents, in one sentence.
    pub fn explain(self) -> &'static str {
        match self {
            StockMode::Closed => {
                "Each agent sees and sells only the units assigned to them or to their agency."
            }
            StockMode::Open => {
                "Every agent of every partner agency sees all available units and may reserve any."
            }
        }
    }
}

/// `partner_kind` (R1.7): what another organisation is on a project. A
/// studio presents it (read only on units); an agency sells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "partner_kind", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    Studio,
    Agency,
}

impl PartnerKind {
    pub const ALL: [PartnerKind; 2] = [PartnerKind::Studio, PartnerKind::Agency];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerKind::Studio => "studio",
            PartnerKind::Agency => "agency",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            PartnerKind::Studio => "Studio",
            PartnerKind::Agency => "Agency",
        }
    }

    /// The organisation type a partner of this kind must have (R1.3).
    pub fn client_type(self) -> crate::domain::ClientType {
        match self {
            PartnerKind::Studio => crate::domain::ClientType::Studio,
            PartnerKind::Agency => crate::domain::ClientType::Agency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_back_and_unknown_ones_do_not() {
        for s in ProjectStatus::ALL {
            assert_eq!(ProjectStatus::parse(s.as_str()), Some(s));
        }
        for m in StockMode::ALL {
            assert_eq!(StockMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(ProjectStatus::parse("deleted"), None);
        assert_eq!(StockMode::parse("Open"), None);
        for k in PartnerKind::ALL {
            assert_eq!(PartnerKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(PartnerKind::parse("developer"), None);
    }
}
