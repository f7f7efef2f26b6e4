//! An organisation's primary colour (SPEC R7.2). Stored and rendered as
//! `#rrggbb`; because the only constructor validates it, it is safe to place
//! inside a `<style>` element.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BrandColour(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("use a colour like #1a6b5c")]
pub struct BrandColourError;

impl BrandColour {
    pub fn parse(input: &str) -> Result<Self, BrandColourError> {
        let s = input.trim();
        let hex = s.strip_prefix('#').ok_or(BrandColourError)?;
        if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
        } else {
            Err(BrandColourError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text colour (near-black or white) that reads best on this colour,
    /// by WCAG relative luminance, so a branded button stays legible
    /// whatever colour an organisation picks.
    pub fn contrast_text(&self) -> &'static str {
        let channel = |i: usize| {
            let v = u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        // Contrast against white is 1.05/(l+0.05); against #111 it is
        // (l+0.05)/(0.0056+0.05). Pick the larger.
        if 1.05 / (l + 0.05) >= (l + 0.05) / 0.0556 {
            "#ffffff"
        } else {
            "#111111"
        }
    }
}

impl Default for BrandColour {
    fn default() -> Self {
        Self("#1f5f8b".to_owned())
    }
}

impl TryFrom<String> for BrandColour {
    type Error = BrandColourError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BrandColour> for String {
    fn from(value: BrandColour) -> Self {
        value.0
    }
}

impl fmt::Display for BrandColour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_lowercases_hex() {
        assert_eq!(BrandColour::parse("#1A6B5C").unwrap().as_str(), "#1a6b5c");
    }

    #[test]
    fn refuses_anything_that_could_escape_a_style_element() {
        for bad in [
            "1a6b5c", "#1a6b5", "#1a6b5cz", "red", "#fff;}", "#12345g", "</style>",
        ] {
            assert!(BrandColour::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn picks_legible_text_for_light_and_dark_brands() {
        assert_eq!(
            BrandColour::parse("#ffd800").unwrap().contrast_text(),
            "#111111"
        );
        assert_eq!(
            BrandColour::parse("#1f5f8b").unwrap().contrast_text(),
            "#ffffff"
        );
    }

    proptest! {
        #[test]
        fn any_six_hex_digits_parse(hex in "[0-9a-fA-F]{6}") {
            let c = BrandColour::parse(&format!("#{hex}")).unwrap();
            prop_assert_eq!(c.as_str().len(), 7);
        }
    }
}
