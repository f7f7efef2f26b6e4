//! Text the server writes into its HTML without escaping it.
//!
//! Two places do: the document's `<title>` (leptos_meta copies the text
//! into `<head>` as it is) and a `<textarea>`'s content (tachys leaves the
//! children of raw-text elements unescaped). A name typed with
//! `</title>` or `</textarea>` in it would end the element there and
//! inject markup. Such text goes through [`html_text`] first.

/// `text` for the `<title>` or a `<textarea>`: escaped in the server's
/// HTML (which the browser decodes back), unchanged in the browser, which
/// sets it as text (`document.title`, a text node).
pub fn html_text(text: impl Into<String>) -> String {
    let text = text.into();
    #[cfg(feature = "ssr")]
    {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
    #[cfg(not(feature = "ssr"))]
    {
        text
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_name_stays_text_in_the_servers_html() {
        assert_eq!(
            html_text("A</title><b>&amp;"),
            "A&lt;/title&gt;&lt;b&gt;&amp;amp;"
        );
        assert_eq!(html_text("Lumen Studio"), "Lumen Studio");
    }
}
