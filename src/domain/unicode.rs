//! Unicode normalisation, the one place the domain asks for it.
//!
//! On the server it is the `unicode-normalization` crate. In the browser it
//! is the browser's own `String.prototype.normalize`, because the crate's
//! tables are about 115 KB of wasm (44 KB brotli) that every page with a
//! password field would otherwise download (issue 11 item 5). The browser's
//! answer only drives advice shown while typing (the strength meter, length
//! hints); the server normalises again and decides.

/// NFC: one spelling per character, for names and other text people type.
pub fn nfc(input: &str) -> String {
    normalize(input, Form::Nfc)
}

/// NFKC: compatibility characters folded too ("ﬁ" → "fi"), for passwords.
pub fn nfkc(input: &str) -> String {
    normalize(input, Form::Nfkc)
}

#[derive(Clone, Copy)]
enum Form {
    Nfc,
    Nfkc,
}

#[cfg(not(target_arch = "wasm32"))]
fn normalize(input: &str, form: Form) -> String {
    use unicode_normalization::UnicodeNormalization;
    match form {
        Form::Nfc => input.nfc().collect(),
        Form::Nfkc => input.nfkc().collect(),
    }
}

#[cfg(target_arch = "wasm32")]
fn normalize(input: &str, form: Form) -> String {
    let form = match form {
        Form::Nfc => "NFC",
        Form::Nfkc => "NFKC",
    };
    String::from(js_sys::JsString::from(input).normalize(form))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_composes_and_nfkc_also_folds_compatibility_characters() {
        assert_eq!(nfc("e\u{301}"), "\u{e9}");
        assert_eq!(nfc("\u{fb01}"), "\u{fb01}");
        assert_eq!(nfkc("\u{fb01}"), "fi");
    }
}
