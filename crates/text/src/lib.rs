//! The one rule for every text a person gives asyncmm — team names, action
//! titles and owners, model texts, and whatever free text comes next — and
//! the one way stored text reaches a terminal.
//!
//! A text is accepted as a [`Line`] (one line: names, titles, owners) or a
//! [`Block`] (several lines, where a field is prose by design: a model's
//! intros, meanings, statements, suggestions, hints, descriptions and change
//! notes). Both are trimmed, NFC-normalised and refuse:
//! - control characters (C0, DEL, C1), except line feeds in a [`Block`] and
//!   tabs in a [`Block`];
//! - line and paragraph separators (U+2028, U+2029);
//! - invisible characters: zero-width space, joiners and non-joiners, soft
//!   hyphen, word joiner, byte order mark, Hangul fillers, tags and the other
//!   default-ignorable code points;
//! - bidirectional marks, embeddings, overrides and isolates.
//!
//! Why so strict: two names that look the same must be the same name
//! (`Web` and `Web` followed by a zero-width space would be two teams), a
//! title must not move the cursor or rewrite a terminal line, and a bidi
//! override must not make a text read differently from what is stored. The
//! price is that zero-width joiners in emoji sequences and non-joiners in
//! scripts that use them are refused too; the texts stay readable without
//! them. Variation selectors stay allowed right after a non-ASCII character
//! (they pick the emoji or text form of a symbol) and are refused anywhere
//! else, where they only hide.
//!
//! Every space character becomes a plain space, so a no-break space can't
//! make a second `Web Team` either.
//!
//! Nothing here does I/O: [`terminal::visible`] only turns a text into one
//! that is safe to write.
#![forbid(unsafe_code)]

mod rule;
pub mod terminal;

pub use rule::{Class, classify};

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// Why a text was refused. Positions count characters from 1 in the text as
/// given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("it is empty")]
    Empty,
    #[error("it is {found} characters long; at most {max} are allowed")]
    TooLong { max: usize, found: usize },
    #[error("{} at position {position} is not allowed: {}", describe(*.character), .class.why())]
    Refused {
        character: char,
        position: usize,
        class: Class,
    },
}

/// `character U+200B (zero-width space)`.
fn describe(c: char) -> String {
    match rule::name(c) {
        Some(name) => format!("character {} ({name})", code_point(c)),
        None => format!("character {}", code_point(c)),
    }
}

/// `U+200B`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// One line of text: a name, a title, an owner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line(String);

impl Line {
    /// Trims, normalises and checks `text`; at most `max_chars` characters
    /// (counted after normalisation).
    pub fn parse(text: &str, max_chars: usize) -> Result<Line, TextError> {
        clean(text, max_chars, Shape::Line).map(Line)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text of several lines: line feeds and tabs allowed, `\r\n` written as
/// `\n`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Block(String);

impl Block {
    /// Trims, normalises and checks `text`; at most `max_chars` characters
    /// (counted after normalisation).
    pub fn parse(text: &str, max_chars: usize) -> Result<Block, TextError> {
        clean(text, max_chars, Shape::Block).map(Block)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether line feeds and tabs belong to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Line,
    Block,
}

fn clean(text: &str, max_chars: usize, shape: Shape) -> Result<String, TextError> {
    // Checked as given, so a position points into what the person typed.
    check(text, shape)?;
    let text = match shape {
        Shape::Block => text.replace("\r\n", "\n"),
        Shape::Line => text.to_string(),
    };
    let normal: String = text.trim().nfc().map(plain_space).collect();
    // NFC never brings in a refused character; checked again all the same,
    // so the guarantee doesn't rest on that.
    check(&normal, shape)?;
    let normal = normal.trim();
    if normal.is_empty() {
        return Err(TextError::Empty);
    }
    let found = normal.chars().count();
    if found > max_chars {
        return Err(TextError::TooLong { max: max_chars, found });
    }
    Ok(normal.to_string())
}

/// Every space character (no-break, en, ideographic …) as a plain space.
fn plain_space(c: char) -> char {
    if c != ' ' && c.is_whitespace() && classify(c, None).is_none() && !matches!(c, '\n' | '\t') {
        ' '
    } else {
        c
    }
}

fn check(text: &str, shape: Shape) -> Result<(), TextError> {
    let mut previous = None;
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let allowed = shape == Shape::Block
            && (matches!(c, '\n' | '\t') || (c == '\r' && chars.peek().is_some_and(|(_, next)| *next == '\n')));
        if !allowed && let Some(class) = classify(c, previous) {
            return Err(TextError::Refused {
                character: c,
                position: i + 1,
                class,
            });
        }
        previous = Some(c);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_normalised() {
        assert_eq!(Line::parse("  Platform ", 100).expect("valid").as_str(), "Platform");
        // e + combining acute → é
        assert_eq!(Line::parse("Cafe\u{301}", 100).expect("valid").as_str(), "Caf\u{e9}");
        assert_eq!(Line::parse("Web\u{a0}Team", 100).expect("valid").as_str(), "Web Team");
        assert_eq!(
            Line::parse("東京\u{3000}チーム", 100).expect("valid").as_str(),
            "東京 チーム"
        );
    }

    #[test]
    fn refusals_name_the_character_and_its_position() {
        let err = Line::parse("Web\u{200b}", 100).expect_err("zero-width space");
        assert_eq!(
            err.to_string(),
            "character U+200B (zero-width space) at position 4 is not allowed: invisible characters make texts \
             that look the same differ"
        );
        let err = Line::parse("a\u{1b}[2Jb", 100).expect_err("escape");
        assert_eq!(
            err,
            TextError::Refused {
                character: '\u{1b}',
                position: 2,
                class: Class::Control
            }
        );
        assert!(
            err.to_string().starts_with("character U+001B (escape) at position 2"),
            "{err}"
        );
        let err = Line::parse("abc\u{202e}def", 100).expect_err("override");
        assert!(
            err.to_string()
                .starts_with("character U+202E (right-to-left override) at position 4"),
            "{err}"
        );
        let err = Line::parse("two\nlines", 100).expect_err("line feed");
        assert!(
            err.to_string()
                .starts_with("character U+000A (line feed) at position 4"),
            "{err}"
        );
        for bad in [
            "\u{ad}x",
            "x\u{feff}",
            "x\u{2066}y",
            "x\u{7f}",
            "x\u{85}",
            "x\u{2028}y",
            "x\u{e0041}",
        ] {
            assert!(Line::parse(bad, 100).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn blocks_keep_lines_and_tabs() {
        let block = Block::parse("first\r\n\tsecond\n", 100).expect("valid");
        assert_eq!(block.as_str(), "first\n\tsecond");
        assert!(Block::parse("a\rb", 100).is_err());
        assert!(Block::parse("a\u{7}b", 100).is_err());
    }

    #[test]
    fn variation_selectors_only_after_a_symbol() {
        assert!(Line::parse("\u{2764}\u{fe0f} team", 100).is_ok());
        assert!(Line::parse("Web\u{fe0f}", 100).is_err());
        assert!(Line::parse("\u{fe0f}Web", 100).is_err());
    }

    #[test]
    fn empty_and_long_texts() {
        assert_eq!(Line::parse("  ", 100), Err(TextError::Empty));
        let err = Line::parse("  a\u{7}", 100).expect_err("bell");
        assert!(err.to_string().contains("at position 4"), "{err}");
        assert_eq!(Line::parse("\u{a0}", 100), Err(TextError::Empty));
        assert_eq!(
            Line::parse(&"é".repeat(101), 100),
            Err(TextError::TooLong { max: 100, found: 101 })
        );
        // Counted after normalisation: 100 decomposed é are 100 characters.
        assert!(Line::parse(&"e\u{301}".repeat(100), 100).is_ok());
    }
}
