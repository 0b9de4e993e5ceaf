//! Which characters no text may hold, and what to call them in a message.
//!
//! The invisible set is Unicode's default-ignorable code points
//! (DerivedCoreProperties.txt) plus the interlinear annotation characters;
//! the bidi set is every explicit directional formatting character. Both are
//! listed here as ranges rather than looked up in a general-category table:
//! the lists are short, stable across Unicode versions, and reviewable.

/// Why a character is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// C0 and C1 controls and DEL: they move the cursor, ring bells, or
    /// start terminal escape sequences.
    Control,
    /// U+2028 and U+2029: line breaks that most tools don't show as such.
    LineSeparator,
    /// Zero-width and other characters that show nothing.
    Invisible,
    /// Marks, embeddings, overrides and isolates that change reading order.
    Bidi,
}

impl Class {
    /// Why the class is refused, for messages.
    pub fn why(self) -> &'static str {
        match self {
            Class::Control => "control characters can rewrite what a terminal shows",
            Class::LineSeparator => "this text is one line",
            Class::Invisible => "invisible characters make texts that look the same differ",
            Class::Bidi => "bidirectional controls make a text read differently from what it holds",
        }
    }
}

/// The class of `c` if no text may hold it; `previous` is the character
/// before it (variation selectors are allowed only after a non-ASCII one).
pub fn classify(c: char, previous: Option<char>) -> Option<Class> {
    let n = u32::from(c);
    if c.is_control() {
        return Some(Class::Control);
    }
    if matches!(n, 0x2028 | 0x2029) {
        return Some(Class::LineSeparator);
    }
    if matches!(n, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069) {
        return Some(Class::Bidi);
    }
    if is_variation_selector(n) {
        // Picks the emoji or text form of the symbol before it; after ASCII
        // (or at the start) it only hides.
        let after_symbol = previous.is_some_and(|p| !p.is_ascii() && classify(p, None).is_none());
        return (!after_symbol).then_some(Class::Invisible);
    }
    let invisible = matches!(
        n,
        0x00AD
            | 0x034F
            | 0x115F
            | 0x1160
            | 0x17B4
            | 0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200D
            | 0x2060..=0x2065
            | 0x206A..=0x206F
            | 0x3164
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    );
    invisible.then_some(Class::Invisible)
}

fn is_variation_selector(n: u32) -> bool {
    matches!(n, 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

/// A name for the characters people meet most, for messages.
pub(crate) fn name(c: char) -> Option<&'static str> {
    Some(match u32::from(c) {
        0x00 => "null",
        0x07 => "bell",
        0x08 => "backspace",
        0x09 => "tab",
        0x0A => "line feed",
        0x0B => "vertical tab",
        0x0C => "form feed",
        0x0D => "carriage return",
        0x1B => "escape",
        0x7F => "delete",
        0x85 => "next line",
        0x9B => "control sequence introducer",
        0xAD => "soft hyphen",
        0x061C => "Arabic letter mark",
        0x200B => "zero-width space",
        0x200C => "zero-width non-joiner",
        0x200D => "zero-width joiner",
        0x200E => "left-to-right mark",
        0x200F => "right-to-left mark",
        0x2028 => "line separator",
        0x2029 => "paragraph separator",
        0x202A => "left-to-right embedding",
        0x202B => "right-to-left embedding",
        0x202C => "pop directional formatting",
        0x202D => "left-to-right override",
        0x202E => "right-to-left override",
        0x2060 => "word joiner",
        0x2066 => "left-to-right isolate",
        0x2067 => "right-to-left isolate",
        0x2068 => "first strong isolate",
        0x2069 => "pop directional isolate",
        0xFE00..=0xFE0F | 0xE0100..=0xE01EF => "variation selector",
        0xFEFF => "byte order mark",
        0xE0000..=0xE007F => "tag",
        _ => return None,
    })
}
