//! Domain types. Each validated value is a newtype whose only constructor is
//! `parse`, so inner code never re-validates (STYLE.md §3).

pub mod brand;
pub mod host;
pub mod org;
pub mod subdomain;

pub use brand::BrandColour;
pub use host::{classify_host, BaseDomain, HostKind};
pub use org::{ClientType, OrgBrand, OrgId, OrgProfile, Site};
pub use subdomain::{Subdomain, SubdomainError};
