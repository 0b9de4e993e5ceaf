//! Everything a person hands asyncmm as answers, parsed by one set of rules:
//! answers files (`assess --answers`, `respond --answers`: TOML or JSON),
//! round imports (CSV or JSON from a form tool) and, through the same
//! functions, the web's form submissions.
//!
//! The rules, the same in every format:
//! - an answer is an agreement 0–3 with a statement (detailed) or a level
//!   0–3 for an area (quick); ids must exist in the model, so a typo can't
//!   silently become "not answered";
//! - "don't know" is written `dont_know` (canonical), `don't know`,
//!   `dont know` or `?`, in any case; JSON `null` and an empty CSV cell mean
//!   the same ([`is_dont_know`]);
//! - a key given twice is refused, never "last one wins";
//! - a response with no real answer — nothing, or "don't know" to
//!   everything — is no response ([`asyncmm_core::Answers::is_blank`]) and
//!   is refused.
//!
//! Every problem names the file and the place (line:column for TOML and
//! JSON syntax, row and column for CSV, the key otherwise).

pub mod answers_file;
mod document;
pub mod import;

pub use answers_file::{AnswersFile, AnswersFileError, Place};
pub use import::ImportError;

/// The canonical spelling of "don't know" in files and forms.
pub const DONT_KNOW: &str = "dont_know";

/// Whether `text` is one of the spellings of "don't know".
pub fn is_dont_know(text: &str) -> bool {
    let text = text.trim();
    text == "?"
        || [DONT_KNOW, "don't know", "dont know", "don’t know"]
            .iter()
            .any(|spelling| text.eq_ignore_ascii_case(spelling))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dont_know_spellings() {
        for yes in [
            "dont_know",
            "DONT_KNOW",
            "don't know",
            "Don't know",
            "dont know",
            "?",
            " ? ",
            "don’t know",
        ] {
            assert!(is_dont_know(yes), "{yes:?}");
        }
        for no in ["", "0", "3", "dontknow", "no", "unknown", "??"] {
            assert!(!is_dont_know(no), "{no:?}");
        }
    }
}
