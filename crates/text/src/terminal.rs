//! Stored text on its way to a terminal. New input can't hold a control,
//! invisible or bidi character (see the crate docs), but a database written
//! by an older version or by hand may: every output passes through
//! [`visible`], which writes such characters as visible escapes instead of
//! letting them act on the terminal.
//!
//! The escape is `\uXXXX` (a pair of them beyond the Basic Multilingual
//! Plane), which reads plainly in text and is also the JSON spelling of the
//! same character: a JSON document passed through [`visible`] still parses
//! to the same value.

use std::borrow::Cow;
use std::fmt::Write;

use crate::rule::classify;

/// `text` with every refused character written as `\uXXXX`. Line feeds and
/// tabs stay (output has lines and may have tabs). With `keep_colour`, the
/// colour and weight sequences asyncmm's own text renderers write
/// (`ESC [ digits ; … m`, nothing else) stay too.
pub fn visible(text: &str, keep_colour: bool) -> Cow<'_, str> {
    let needs_escape = |(i, c): (usize, char), previous: Option<char>| {
        !matches!(c, '\n' | '\t')
            && classify(c, previous).is_some()
            && !(keep_colour && c == '\u{1b}' && sgr_len(&text[i..]).is_some())
    };
    let mut previous = None;
    let first = text.char_indices().find(|&(i, c)| {
        let hit = needs_escape((i, c), previous);
        previous = Some(c);
        hit
    });
    let Some((start, _)) = first else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..start]);
    let mut previous = text[..start].chars().next_back();
    let mut rest = text[start..].char_indices().map(|(i, c)| (start + i, c)).peekable();
    while let Some((i, c)) = rest.next() {
        if keep_colour
            && c == '\u{1b}'
            && let Some(len) = sgr_len(&text[i..])
        {
            out.push_str(&text[i..i + len]);
            while rest.peek().is_some_and(|&(j, _)| j < i + len) {
                rest.next();
            }
            previous = Some('m');
            continue;
        }
        if needs_escape((i, c), previous) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04X}");
            }
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    Cow::Owned(out)
}

/// Length in bytes of a Select Graphic Rendition sequence at the start of
/// `text` (`ESC [` digits and semicolons `m`), if there is one.
fn sgr_len(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("\u{1b}[")?;
    let params = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
    (rest.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            visible("Plan for Web\n\tok ✓ ❤\u{fe0f}", false),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn controls_and_invisibles_are_escaped() {
        assert_eq!(
            visible("a\u{1b}]0;pwned\u{7}b\rc\u{200b}\u{202e}", false),
            "a\\u001B]0;pwned\\u0007b\\u000Dc\\u200B\\u202E"
        );
        assert_eq!(visible("x\u{e0041}", false), "x\\uDB40\\uDC41");
        assert_eq!(visible("\u{9b}31m", false), "\\u009B31m");
    }

    #[test]
    fn colour_is_kept_only_when_asked_and_only_sgr() {
        let painted = "\u{1b}[1mPlan\u{1b}[0m";
        assert_eq!(visible(painted, true), painted);
        assert_eq!(visible(painted, false), "\\u001B[1mPlan\\u001B[0m");
        assert_eq!(visible("\u{1b}[2J\u{1b}[31m!", true), "\\u001B[2J\u{1b}[31m!");
    }

    #[test]
    fn escaped_json_parses_to_the_same_value() {
        // What serde_json leaves raw (C1 controls, bidi, invisibles) comes out
        // as a JSON escape of the same character.
        let json = "{\"team\": \"Web\u{200b}\u{85}\u{202e}\u{e0041}\"}";
        assert_eq!(
            visible(json, false),
            "{\"team\": \"Web\\u200B\\u0085\\u202E\\uDB40\\uDC41\"}"
        );
    }
}
