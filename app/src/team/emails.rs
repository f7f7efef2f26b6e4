//! The invite form's address field (R4.2): bounded before it is split
//! (issue 10), then split and de-duplicated in one pass.

/// Invitations one form may send at once.
pub const MAX_INVITES: usize = 50;

/// The most the address field may hold, in bytes: fifty long addresses
/// with their separators fit easily; anything longer is refused before it
/// is split (issue 10: the work done on a field must be bounded first).
pub const MAX_EMAILS_FIELD: usize = 8 * 1024;

/// Splits what was typed into addresses: commas, semicolons, spaces or
/// new lines between them; duplicates dropped (case-insensitively), first
/// spelling kept. Linear: one pass, a set of lowercased addresses.
pub fn split_emails(input: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    parts(input)
        .filter(|part| seen.insert(part.to_lowercase()))
        .map(str::to_owned)
        .collect()
}

/// The non-empty pieces between separators, without allocating.
fn parts(input: &str) -> impl Iterator<Item = &str> {
    input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|part| !part.is_empty())
}

/// Bounds the address field before any parsing: its length, then the
/// number of pieces (a cheap split), so what follows does a bounded amount
/// of work. `Err` is the message shown beside the field.
pub fn check_emails_field(input: &str) -> Result<(), String> {
    if input.len() > MAX_EMAILS_FIELD {
        return Err(format!(
            "That's too long: paste up to {MAX_INVITES} addresses at a time \
             (at most {MAX_EMAILS_FIELD} characters). Nothing was sent."
        ));
    }
    match parts(input).take(MAX_INVITES + 1).count() {
        0 => Err("Enter at least one email address.".to_owned()),
        n if n > MAX_INVITES => Err(format!(
            "Up to {MAX_INVITES} addresses at a time. Nothing was sent."
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{check_emails_field, split_emails, MAX_EMAILS_FIELD, MAX_INVITES};

    #[test]
    fn the_field_is_bounded_before_it_is_split() {
        assert!(check_emails_field(&"a".repeat(MAX_EMAILS_FIELD + 1))
            .unwrap_err()
            .contains("too long"));
        let many = vec!["a@x.io"; MAX_INVITES + 1].join(" ");
        assert!(check_emails_field(&many).unwrap_err().contains("Up to"));
        assert!(check_emails_field(" ;, ")
            .unwrap_err()
            .contains("at least one"));
        assert!(check_emails_field("a@x.io, b@x.io").is_ok());
    }

    #[test]
    fn dedup_is_linear_in_the_number_of_parts() {
        // 50 000 distinct parts: quadratic de-duplication would compare
        // ~1.25e9 pairs; this finishes at once.
        let input: String = (0..50_000).map(|i| format!("p{i}@x.io ")).collect();
        assert_eq!(split_emails(&input).len(), 50_000);
    }

    #[test]
    fn addresses_split_on_any_separator_and_dedupe() {
        assert_eq!(
            split_emails("a@x.io, b@x.io;c@x.io\n  A@X.IO  d@x.io"),
            vec!["a@x.io", "b@x.io", "c@x.io", "d@x.io"]
        );
        assert!(split_emails(" ,; \n").is_empty());
    }
}
