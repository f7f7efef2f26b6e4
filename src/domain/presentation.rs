//! What a project's presentation says, as its editors type it (SPEC R2.2
//! "edit project content"; issue 13), and a unit's facts as its owner's
//! managers type them. Each field is parsed at the boundary into a bounded
//! value that the database accepts (migrations/…_presentation_media_buyers
//! and the `units` checks); every bad field is reported at once, by the
//! form's field name.

use super::{
    client::bounded_lines,
    text::{bounded_text, TextError},
};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// The form's field names, as the messages (and the audit events, which
/// name the changed fields) name them.
pub mod field {
    pub const HEADLINE: &str = "headline";
    pub const DESCRIPTION: &str = "description";
    pub const LOCATION: &str = "location";
    pub const EXPECTED_COMPLETION: &str = "expected_completion";
    pub const CODE: &str = "code";
    pub const FLOOR: &str = "floor";
    pub const BEDROOMS: &str = "bedrooms";
    pub const AREA_M2: &str = "area_m2";
    pub const PRICE: &str = "price";
}

pub const HEADLINE_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 5000;
pub const LOCATION_MAX: usize = 200;
pub const UNIT_DESCRIPTION_MAX: usize = 2000;
pub const UNIT_CODE_MAX: usize = 32;

/// A year and month (`2028-06`): when building is expected to finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct YearMonth {
    pub year: i32,
    pub month: u8,
}

impl YearMonth {
    /// `YYYY-MM`, as `<input type="month">` sends it; years 2000–2100.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        ((2000..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(YearMonth { year, month })
    }

    /// The first of the month, as the column stores it.
    pub fn first_day(self) -> Option<Date> {
        Date::from_calendar_date(self.year, Month::try_from(self.month).ok()?, 1).ok()
    }

    pub fn from_date(d: Date) -> Self {
        YearMonth {
            year: d.year(),
            month: d.month() as u8,
        }
    }

    /// `2028-06`, the form's value.
    pub fn as_input(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// "June 2028".
    pub fn label(self) -> String {
        match Month::try_from(self.month) {
            Ok(m) => format!("{m} {}", self.year),
            Err(_) => self.as_input(),
        }
    }
}

/// The project's presentation text; an empty field is `None` (not shown).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationFields {
    pub headline: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub expected_completion: Option<YearMonth>,
}

fn push(errors: &mut Vec<FieldError>, field: &str, message: String) {
    errors.push(FieldError {
        field: field.to_owned(),
        message,
    });
}

fn optional(
    input: &str,
    parse: impl FnOnce(&str) -> Result<String, TextError>,
) -> Result<Option<String>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input).map(Some).map_err(|e| e.to_string())
    }
}

impl PresentationFields {
    pub fn parse(
        headline: &str,
        description: &str,
        location: &str,
        expected_completion: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let headline = optional(headline, |s| bounded_text(s, HEADLINE_MAX, "the headline"))
            .map_err(|m| push(&mut errors, field::HEADLINE, m))
            .ok();
        let description = optional(description, |s| {
            bounded_lines(s, DESCRIPTION_MAX, "the description")
        })
        .map_err(|m| push(&mut errors, field::DESCRIPTION, m))
        .ok();
        let location = optional(location, |s| bounded_text(s, LOCATION_MAX, "the location"))
            .map_err(|m| push(&mut errors, field::LOCATION, m))
            .ok();
        let expected_completion = if expected_completion.trim().is_empty() {
            Some(None)
        } else {
            match YearMonth::parse(expected_completion) {
                Some(ym) => Some(Some(ym)),
                None => {
                    push(
                        &mut errors,
                        field::EXPECTED_COMPLETION,
                        "Choose a month and year between 2000 and 2100.".to_owned(),
                    );
                    None
                }
            }
        };
        match (headline, description, location, expected_completion) {
            (Some(headline), Some(description), Some(location), Some(expected_completion))
                if errors.is_empty() =>
            {
                Ok(PresentationFields {
                    headline,
                    description,
                    location,
                    expected_completion,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A unit's short description (1–2000 characters, several lines); empty
/// is `None`.
pub fn parse_unit_description(input: &str) -> Result<Option<String>, Vec<FieldError>> {
    optional(input, |s| {
        bounded_lines(s, UNIT_DESCRIPTION_MAX, "the description")
    })
    .map_err(|m| {
        vec![FieldError {
            field: field::DESCRIPTION.to_owned(),
            message: m,
        }]
    })
}

/// A unit's facts (R1.8), as `units` accepts them. Area is held in
/// hundredths of a square metre, price in minor units (cents).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitFacts {
    pub code: String,
    pub floor: Option<i32>,
    pub bedrooms: Option<i16>,
    /// Square metres × 100 (`numeric(8,2)`).
    pub area_centi_m2: Option<i64>,
    pub price_minor: Option<i64>,
}

/// `123.45` → 12345 hundredths; at most two decimals, more than zero,
/// under a million.
fn parse_hundredths(s: &str) -> Option<i64> {
    let s = s.trim().replace(',', ".");
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w.to_owned(), f.to_owned()),
        None => (s.clone(), String::new()),
    };
    if whole.is_empty()
        || whole.len() > 8
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    Some(whole * 100 + frac)
}

/// 12345 hundredths → "123.45"; whole numbers without decimals.
pub fn format_hundredths(v: i64) -> String {
    if v % 100 == 0 {
        (v / 100).to_string()
    } else {
        format!("{}.{:02}", v / 100, v % 100)
    }
}

impl UnitFacts {
    /// `price` in whole currency units with up to two decimals (`450000`,
    /// `1250.50`); `area_m2` in square metres with up to two decimals.
    pub fn parse(
        code: &str,
        floor: &str,
        bedrooms: &str,
        area_m2: &str,
        price: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = bounded_text(code, UNIT_CODE_MAX, "the unit code")
            .map_err(|e| push(&mut errors, field::CODE, e.to_string()))
            .ok();
        let number = |s: &str| s.trim().parse::<i64>().ok();
        let floor = match floor.trim() {
            "" => Some(None),
            s => match number(s) {
                Some(n) if (-10..=300).contains(&n) => Some(Some(n as i32)),
                _ => {
                    push(
                        &mut errors,
                        field::FLOOR,
                        "Enter a floor from -10 to 300.".into(),
                    );
                    None
                }
            },
        };
        let bedrooms = match bedrooms.trim() {
            "" => Some(None),
            s => match number(s) {
                Some(n) if (0..=20).contains(&n) => Some(Some(n as i16)),
                _ => {
                    push(
                        &mut errors,
                        field::BEDROOMS,
                        "Enter a number of bedrooms from 0 to 20.".into(),
                    );
                    None
                }
            },
        };
        let area = match area_m2.trim() {
            "" => Some(None),
            s => match parse_hundredths(s) {
                Some(n) if n > 0 && n < 100_000_000 => Some(Some(n)),
                _ => {
                    push(
                        &mut errors,
                        field::AREA_M2,
                        "Enter the area in square metres, like 84.5.".into(),
                    );
                    None
                }
            },
        };
        let price = match price.trim() {
            "" => Some(None),
            s => match parse_hundredths(s) {
                Some(n) if n < 100_000_000_000_000 => Some(Some(n)),
                _ => {
                    push(
                        &mut errors,
                        field::PRICE,
                        "Enter the price as a number, like 450000 or 1250.50.".into(),
                    );
                    None
                }
            },
        };
        match (code, floor, bedrooms, area, price) {
            (Some(code), Some(floor), Some(bedrooms), Some(area_centi_m2), Some(price_minor))
                if errors.is_empty() =>
            {
                Ok(UnitFacts {
                    code,
                    floor,
                    bedrooms,
                    area_centi_m2,
                    price_minor,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presentation_fields_are_bounded_and_optional() {
        let ok = PresentationFields::parse(" Sea views ", "Line one\r\nLine two", "", "2028-06")
            .unwrap();
        assert_eq!(ok.headline.as_deref(), Some("Sea views"));
        assert_eq!(ok.description.as_deref(), Some("Line one\nLine two"));
        assert_eq!(ok.location, None);
        assert_eq!(ok.expected_completion.unwrap().label(), "June 2028");
        let errors =
            PresentationFields::parse(&"x".repeat(121), "", "a\nb", "2028-13").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["headline", "location", "expected_completion"]);
    }

    #[test]
    fn unit_facts_parse_numbers_people_type() {
        let f = UnitFacts::parse("A-101", "3", "2", "84,5", "450000").unwrap();
        assert_eq!(f.area_centi_m2, Some(8450));
        assert_eq!(f.price_minor, Some(45_000_000));
        assert_eq!(format_hundredths(8450), "84.50");
        assert_eq!(format_hundredths(8400), "84");
        let errors = UnitFacts::parse(" ", "301", "-1", "0", "1.234").unwrap_err();
        assert_eq!(errors.len(), 5);
    }
}
