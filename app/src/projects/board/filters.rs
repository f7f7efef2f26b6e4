//! The board's filters (issue 14 item 1), kept in the URL's query so a
//! filtered board can be bookmarked, shared and reloaded: `status`,
//! `floor`, `bedrooms`, `holder`, `min` and `max` (price, in whole units of
//! the project's currency). Anything unreadable is ignored, never an error.

use super::BoardRow;
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    pub status: String,
    pub floor: String,
    pub bedrooms: String,
    pub holder: String,
    pub min: String,
    pub max: String,
}

/// The statuses, as the URL and the filter name them.
pub const STATUSES: [(&str, &str); 4] = [
    ("available", "Available"),
    ("reserved", "Reserved"),
    ("sold", "Sold"),
    ("withdrawn", "Withdrawn"),
];

/// A value's length is bounded before it is read.
fn bounded(v: Option<String>) -> String {
    v.map(|s| s.trim().chars().take(100).collect())
        .unwrap_or_default()
}

impl Filters {
    pub fn from_query(q: &ParamsMap) -> Self {
        Self {
            status: bounded(q.get("status")),
            floor: bounded(q.get("floor")),
            bedrooms: bounded(q.get("bedrooms")),
            holder: bounded(q.get("holder")),
            min: bounded(q.get("min")),
            max: bounded(q.get("max")),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether the row passes every filter that is set and readable.
    pub fn admits(&self, r: &BoardRow) -> bool {
        let number = |s: &str| s.parse::<i64>().ok();
        let status = self.status.is_empty() || r.status == self.status;
        let floor = number(&self.floor).is_none_or(|f| r.floor.map(i64::from) == Some(f));
        let bedrooms = number(&self.bedrooms).is_none_or(|b| r.bedrooms.map(i64::from) == Some(b));
        let holder = self.holder.is_empty()
            || match self.holder.as_str() {
                "-" => r.holder.is_none(),
                h => r.holder.as_deref() == Some(h),
            };
        // Prices are stored in minor units (hundredths).
        let price = r.price_minor.map(|p| p / 100);
        let min = number(&self.min).is_none_or(|m| price.is_some_and(|p| p >= m));
        let max = number(&self.max).is_none_or(|m| price.is_some_and(|p| p <= m));
        status && floor && bedrooms && holder && min && max
    }
}

#[cfg(feature = "ssr")]
pub fn status_key(s: offplan::db::units::UnitStatus) -> &'static str {
    use offplan::db::units::UnitStatus;
    match s {
        UnitStatus::Available => "available",
        UnitStatus::Reserved => "reserved",
        UnitStatus::Sold => "sold",
        UnitStatus::Withdrawn => "withdrawn",
    }
}

#[cfg(feature = "ssr")]
pub fn status_label(s: offplan::db::units::UnitStatus) -> &'static str {
    let key = status_key(s);
    STATUSES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, label)| *label)
        .unwrap_or("Unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(floor: i32, bedrooms: i16, price: i64, status: &str, holder: Option<&str>) -> BoardRow {
        BoardRow {
            id: uuid::Uuid::nil(),
            code: "A-101".into(),
            floor: Some(floor),
            bedrooms: Some(bedrooms),
            area: None,
            price: None,
            price_minor: Some(price * 100),
            status: status.into(),
            status_label: String::new(),
            holder: holder.map(str::to_owned),
            reserved: None,
            version: 1,
            can_reserve: false,
            can_release: false,
            key: String::new(),
        }
    }

    #[test]
    fn no_filter_admits_everything_and_each_filter_narrows() {
        let r = row(3, 2, 450_000, "available", Some("Rami Aziz"));
        assert!(Filters::default().admits(&r));
        let f = |status: &str, floor: &str, min: &str, max: &str, holder: &str| Filters {
            status: status.into(),
            floor: floor.into(),
            min: min.into(),
            max: max.into(),
            holder: holder.into(),
            ..Filters::default()
        };
        assert!(f("available", "3", "400000", "500000", "Rami Aziz").admits(&r));
        assert!(!f("reserved", "", "", "", "").admits(&r));
        assert!(!f("", "4", "", "", "").admits(&r));
        assert!(!f("", "", "460000", "", "").admits(&r));
        assert!(!f("", "", "", "440000", "").admits(&r));
        assert!(!f("", "", "", "", "Sara Khan").admits(&r));
        assert!(!f("", "", "", "", "-").admits(&r));
        assert!(f("", "", "", "", "-").admits(&row(3, 2, 1, "available", None)));
    }

    #[test]
    fn unreadable_numbers_are_ignored_not_errors() {
        let r = row(3, 2, 450_000, "available", None);
        let f = Filters {
            floor: "third".into(),
            min: "lots".into(),
            ..Filters::default()
        };
        assert!(f.admits(&r));
    }
}
