//! Prices as people read them (SPEC R1.8): money is held in minor units
//! (cents) with its ISO 4217 currency, never as a float.

/// `minor` units of `currency` for a page: `€450,000`, `£1,250.50`,
/// `CHF 980,000`. Whole amounts drop the cents; thousands are grouped.
pub fn format_price(minor: i64, currency: &str) -> String {
    let negative = minor < 0;
    let minor = minor.unsigned_abs();
    let (whole, cents) = (minor / 100, minor % 100);
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if cents != 0 {
        grouped.push_str(&format!(".{cents:02}"));
    }
    let sign = if negative { "-" } else { "" };
    match currency {
        "EUR" => format!("{sign}€{grouped}"),
        "GBP" => format!("{sign}£{grouped}"),
        "USD" => format!("{sign}${grouped}"),
        other => format!("{sign}{other} {grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_as_people_write_them() {
        assert_eq!(format_price(45_000_000, "EUR"), "€450,000");
        assert_eq!(format_price(125_050, "GBP"), "£1,250.50");
        assert_eq!(format_price(98_000_000, "CHF"), "CHF 980,000");
        assert_eq!(format_price(0, "USD"), "$0");
        assert_eq!(format_price(99, "EUR"), "€0.99");
        assert_eq!(format_price(100_000_000_000, "EUR"), "€1,000,000,000");
    }
}
