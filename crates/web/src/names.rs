//! How names appear in addresses and lists: percent-encoded path segments
//! (a team may be called anything) and natural order ("Team 2" before
//! "Team 10"), case-insensitive.

use std::cmp::Ordering;

/// A name as one path segment: everything but unreserved characters is
/// percent-encoded.
pub(crate) fn segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Natural order: runs of digits compare as numbers, the rest by lowercase
/// text; ties by the exact text so the order is total.
pub(crate) fn natural(a: &str, b: &str) -> Ordering {
    let mut x = a.chars().peekable();
    let mut y = b.chars().peekable();
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n: String = std::iter::from_fn(|| x.next_if(char::is_ascii_digit)).collect();
                let m: String = std::iter::from_fn(|| y.next_if(char::is_ascii_digit)).collect();
                let n = n.trim_start_matches('0');
                let m = m.trim_start_matches('0');
                let order = n.len().cmp(&m.len()).then_with(|| n.cmp(m));
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(c), Some(d)) => {
                let order = c.to_lowercase().cmp(d.to_lowercase());
                if order != Ordering::Equal {
                    return order;
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_sort_by_value() {
        let mut names = vec!["Team 10", "team 2", "Team 1", "Team 100", "Alpha", "Team 02"];
        names.sort_by(|a, b| natural(a, b));
        assert_eq!(names, ["Alpha", "Team 1", "Team 02", "team 2", "Team 10", "Team 100"]);
    }

    #[test]
    fn segments_encode_everything_unsafe() {
        assert_eq!(segment("A/B c<"), "A%2FB%20c%3C");
        assert_eq!(segment("é"), "%C3%A9");
    }
}
