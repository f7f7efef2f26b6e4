//! The data-processing terms an organisation accepts before it records
//! buyers (SPEC R1.9, the joint-controller gate of v4.18 §2.4.C). The text
//! and its version ship with the product: a new text gets a new version
//! (and a new file), and every organisation accepts it again before its
//! buyer features reopen. Acceptances are kept per version
//! (`data_processing_acceptances`), so the record of an older one stays.

/// The version every organisation must have accepted now.
pub const CURRENT_VERSION: &str = "data-processing-v1";

/// The text of [`CURRENT_VERSION`], word for word (Markdown).
pub const CURRENT_TEXT: &str = include_str!("../../data/terms/data-processing-v1.md");

/// What a refused buyer action says when the gate is closed.
pub const GATE_CLOSED: &str = "Buyer features are off until an Owner or Admin of your \
     organisation accepts the data-processing terms (Settings → Data processing).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_text_names_its_own_version() {
        assert!(CURRENT_TEXT.contains(&format!("Version: {CURRENT_VERSION}")));
        // `data_processing_acceptances.terms_version` holds 1–40 characters.
        assert!((1..=40).contains(&CURRENT_VERSION.chars().count()));
    }
}
