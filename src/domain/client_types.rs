//! An organisation's client types (SPEC R1.3): a non-empty *set* of
//! studio / agency / developer, from the check boxes of the organisation
//! card. Kept in a fixed order so equal sets compare equal.

use super::org::ClientType;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<ClientType>", into = "Vec<ClientType>")]
pub struct ClientTypes(Vec<ClientType>);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientTypesError {
    #[error("choose at least one: developer, studio or agency")]
    Empty,
    #[error("unknown client type {0:?}")]
    Unknown(String),
}

impl ClientTypes {
    /// Parses the submitted names (duplicates collapse; order is ignored).
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, ClientTypesError> {
        let mut types = Vec::new();
        for name in names {
            let t = ClientType::parse(name.trim())
                .ok_or_else(|| ClientTypesError::Unknown(name.to_owned()))?;
            types.push(t);
        }
        Self::from_types(types)
    }

    pub fn from_types(types: Vec<ClientType>) -> Result<Self, ClientTypesError> {
        let set: Vec<ClientType> = ClientType::ALL
            .into_iter()
            .filter(|t| types.contains(t))
            .collect();
        if set.is_empty() {
            Err(ClientTypesError::Empty)
        } else {
            Ok(Self(set))
        }
    }

    pub fn as_slice(&self) -> &[ClientType] {
        &self.0
    }

    pub fn contains(&self, t: ClientType) -> bool {
        self.0.contains(&t)
    }
}

impl TryFrom<Vec<ClientType>> for ClientTypes {
    type Error = ClientTypesError;
    fn try_from(value: Vec<ClientType>) -> Result<Self, Self::Error> {
        Self::from_types(value)
    }
}

/// One type: never empty, so no error.
impl From<ClientType> for ClientTypes {
    fn from(t: ClientType) -> Self {
        ClientTypes(vec![t])
    }
}

impl From<ClientTypes> for Vec<ClientType> {
    fn from(value: ClientTypes) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_empty_selection_is_refused_with_a_message() {
        assert_eq!(ClientTypes::parse([]), Err(ClientTypesError::Empty));
    }

    #[test]
    fn unknown_names_are_refused() {
        assert!(
            matches!(ClientTypes::parse(["studio", "bank"]), Err(ClientTypesError::Unknown(n)) if n == "bank")
        );
    }

    #[test]
    fn two_types_at_once_are_a_set() {
        let t = ClientTypes::parse(["agency", "studio", "agency"]).unwrap();
        assert_eq!(t.as_slice(), &[ClientType::Studio, ClientType::Agency]);
    }

    proptest! {
        #[test]
        fn any_non_empty_choice_is_a_duplicate_free_ordered_set(picks in proptest::collection::vec(0usize..3, 1..8)) {
            let names: Vec<&str> = picks.iter().map(|i| ClientType::ALL[*i].as_str()).collect();
            let set = ClientTypes::parse(names.iter().copied()).unwrap();
            let s = set.as_slice();
            prop_assert!(!s.is_empty() && s.len() <= 3);
            prop_assert!(s.windows(2).all(|w| ClientType::ALL.iter().position(|t| *t == w[0]) < ClientType::ALL.iter().position(|t| *t == w[1])));
            for name in &names {
                prop_assert!(set.contains(ClientType::parse(name).unwrap()));
            }
        }
    }
}
