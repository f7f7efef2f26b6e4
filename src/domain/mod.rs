//! Domain types. Each validated value is a newtype whose only constructor is
//! `parse`, so inner code never re-validates (STYLE.md §3).

pub mod brand;
pub mod buyer;
pub mod client;
pub mod client_types;
pub mod email;
pub mod host;
pub mod ids;
pub mod invitation;
pub mod media;
pub mod money;
pub mod org;
pub mod password;
pub mod presentation;
pub mod project;
pub mod slug;
pub mod stock;
pub mod subdomain;
pub mod terms;
pub mod text;
pub mod unicode;

pub use brand::BrandColour;
pub use buyer::{BuyerFields, ExpiryDays};
pub use client::{ClientFields, ClientName, ClientNotes, ContactName};
pub use client_types::{ClientTypes, ClientTypesError};
pub use email::{EmailAddress, EmailError};
pub use host::{classify_host, header_safe_url, safe_next, split_port, BaseDomain, HostKind};
pub use ids::{BuyerId, BuyerLinkId, ClientId, MediaId, OrgId, ProjectId, UnitId, UserId};
pub use invitation::{
    InvitationState, InviteOutcome, REVERSE_LEGAL_BASIS_VERSION, REVERSE_LEGAL_BASIS_WORDING,
};
pub use media::MediaRole;
pub use org::{ClientType, OrgBrand, OrgProfile, Site};
pub use password::{NewPassword, PasswordError, Strength};
pub use project::{PartnerKind, ProjectStatus, StockMode};
pub use slug::{ProjectSlug, SlugError};
pub use stock::OverrideReason;
pub use subdomain::{Subdomain, SubdomainError};
pub use text::{bounded_text, OrgName, PersonName, TextError};
