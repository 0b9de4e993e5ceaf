//! Properties of the text rule over texts built from the characters that
//! matter: letters, combining marks, spaces of every kind, emoji with
//! variation selectors, and every class of refused character.

use asyncmm_text::{Block, Line, classify, terminal::visible};
use proptest::prelude::*;
use unicode_normalization::is_nfc;

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ]{1,4}",
        1 => prop::sample::select(vec![
            "\u{301}", "\u{308}", "e\u{301}", "\u{e9}", "\u{a0}", "\u{3000}", "\u{2003}", "\u{2764}", "\u{fe0f}",
            "\u{1f44d}", "\u{200b}", "\u{200c}", "\u{200d}", "\u{ad}", "\u{feff}", "\u{202e}", "\u{2066}",
            "\u{200f}", "\u{1b}", "\u{7}", "\u{7f}", "\u{85}", "\u{9b}", "\n", "\r\n", "\r", "\t", "\u{2028}",
            "\u{e0041}", "\u{115f}", "東", "\u{fb01}", "\u{212b}",
        ]).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..12).prop_map(|pieces| pieces.concat())
}

/// Whether `s` holds a refused character, `allowed` aside.
fn holds_refused(s: &str, allowed: &[char]) -> bool {
    let mut previous = None;
    s.chars().any(|c| {
        let refused = !allowed.contains(&c) && classify(c, previous).is_some();
        previous = Some(c);
        refused
    })
}

proptest! {
    #[test]
    fn a_line_holds_no_refused_character_and_is_nfc(s in text()) {
        if let Ok(line) = Line::parse(&s, 200) {
            prop_assert!(!holds_refused(line.as_str(), &[]), "{:?}", line);
            prop_assert!(is_nfc(line.as_str()));
            prop_assert_eq!(line.as_str().trim(), line.as_str());
            prop_assert!(!line.as_str().is_empty());
        }
    }

    #[test]
    fn a_block_holds_only_line_feeds_and_tabs_besides(s in text()) {
        if let Ok(block) = Block::parse(&s, 200) {
            prop_assert!(!holds_refused(block.as_str(), &['\n', '\t']), "{:?}", block);
            prop_assert!(!block.as_str().contains('\r'));
            prop_assert!(is_nfc(block.as_str()));
        }
    }

    #[test]
    fn parsing_is_idempotent(s in text()) {
        if let Ok(line) = Line::parse(&s, 200) {
            prop_assert_eq!(Line::parse(line.as_str(), 200), Ok(line.clone()));
        }
        if let Ok(block) = Block::parse(&s, 200) {
            prop_assert_eq!(Block::parse(block.as_str(), 200), Ok(block.clone()));
        }
    }

    #[test]
    fn a_text_with_a_refused_character_is_refused(s in text(), bad in prop::sample::select(vec!['\u{200b}', '\u{1b}', '\u{202e}', '\u{ad}', '\u{feff}', '\u{2069}']), at in 0usize..20) {
        let cut = s.char_indices().map(|(i, _)| i).nth(at).unwrap_or(s.len());
        let hostile = format!("x{}{bad}{}x", &s[..cut], &s[cut..]);
        prop_assert!(Line::parse(&hostile, 400).is_err());
        prop_assert!(Block::parse(&hostile, 400).is_err());
    }

    #[test]
    fn visible_output_holds_no_refused_character(s in text()) {
        let shown = visible(&s, false);
        prop_assert!(!holds_refused(&shown, &['\n', '\t']), "{:?}", shown);
    }

    #[test]
    fn visible_leaves_accepted_text_alone(s in text()) {
        if let Ok(block) = Block::parse(&s, 200) {
            let shown = visible(block.as_str(), false);
            prop_assert_eq!(shown.as_ref(), block.as_str());
        }
    }
}
