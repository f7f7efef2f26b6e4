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

/// One block of the terms as the page shows them: the shipped Markdown
/// uses headings, paragraphs and one numbered list whose items open with a
/// bold lead (`1. **Joint controllers.** …`); nothing else is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    /// Items as (bold lead, the rest), the lead empty when there is none.
    List(Vec<(String, String)>),
}

/// The terms' text cut into [`Block`]s, lines of one block joined by a
/// space, emphasis marks removed (no HTML is produced here).
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for chunk in text.split("\n\n") {
        let lines: Vec<&str> = chunk
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let Some(first) = lines.first() else { continue };
        if let Some(h) = first.strip_prefix("# ") {
            out.push(Block::Heading(h.to_owned()));
        } else if list_item(first).is_some() {
            let mut items: Vec<String> = Vec::new();
            for line in lines {
                match (list_item(line), items.last_mut()) {
                    (Some(start), _) => items.push(start.to_owned()),
                    (None, Some(item)) => {
                        item.push(' ');
                        item.push_str(line);
                    }
                    (None, None) => items.push(line.to_owned()),
                }
            }
            out.push(Block::List(items.iter().map(|i| lead(i)).collect()));
        } else {
            out.push(Block::Paragraph(lines.join(" ").replace("**", "")));
        }
    }
    out
}

/// `"3. rest"` → `Some("rest")`.
fn list_item(line: &str) -> Option<&str> {
    let (n, rest) = line.split_once(". ")?;
    (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit())).then_some(rest)
}

/// `"**Lead.** rest"` → `("Lead.", "rest")`.
fn lead(item: &str) -> (String, String) {
    match item.strip_prefix("**").and_then(|r| r.split_once("**")) {
        Some((lead, rest)) => (lead.to_owned(), rest.trim_start().replace("**", "")),
        None => (String::new(), item.replace("**", "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_text_is_a_heading_paragraphs_and_one_list_of_five() {
        let b = blocks(CURRENT_TEXT);
        assert_eq!(
            b[0],
            Block::Heading("Data-processing terms for buyers' personal data".into())
        );
        let lists: Vec<_> = b
            .iter()
            .filter_map(|x| match x {
                Block::List(items) => Some(items),
                _ => None,
            })
            .collect();
        assert_eq!(lists.len(), 1);
        assert_eq!(lists[0].len(), 5);
        assert_eq!(lists[0][0].0, "Joint controllers.");
        assert!(lists[0][0]
            .1
            .starts_with("For buyers your organisation records"));
        assert!(lists[0][3].1.ends_with("reassigned or sold."));
        assert!(b.iter().all(|x| !format!("{x:?}").contains("**")));
    }

    #[test]
    fn items_without_a_lead_and_wrapped_lines() {
        assert_eq!(
            blocks("1. one\n   more\n2. **Two.** two\n\nafter"),
            vec![
                Block::List(vec![
                    (String::new(), "one more".into()),
                    ("Two.".into(), "two".into())
                ]),
                Block::Paragraph("after".into()),
            ]
        );
    }

    #[test]
    fn the_shipped_text_names_its_own_version() {
        assert!(CURRENT_TEXT.contains(&format!("Version: {CURRENT_VERSION}")));
        // `data_processing_acceptances.terms_version` holds 1–40 characters.
        assert!((1..=40).contains(&CURRENT_VERSION.chars().count()));
    }
}
