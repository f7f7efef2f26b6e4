//! Ids of the entities. Private fields: an id comes from the database (or
//! from parsing a URL segment), never from arithmetic.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            #[cfg(feature = "ssr")]
            pub(crate) fn from_db(id: Uuid) -> Self {
                Self(id)
            }

            /// Parses an id from a URL segment or form field.
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s.trim()).ok().map(Self)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An organisation (a tenant).
    OrgId
);
id_type!(
    /// A person (global, not tenant-owned).
    UserId
);
id_type!(ProjectId);
id_type!(UnitId);
id_type!(
    /// An uploaded image (R3.4).
    MediaId
);
id_type!(ClientId);
id_type!(
    /// A buyer an organisation recorded (R1.9).
    BuyerId
);
id_type!(
    /// A buyer link (R7.3).
    BuyerLinkId
);
