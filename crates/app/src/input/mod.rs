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
pub mod form;
pub mod import;

pub use answers_file::{AnswersFile, AnswersFileError, Place};
pub use import::ImportError;

use std::io::Read;
use std::path::Path;

/// The largest answers file read (60 statements need a few kilobytes).
pub const MAX_ANSWERS_FILE: u64 = 1 << 20;
/// The largest model file read (a model of a thousand statements with long
/// texts stays far below it).
pub const MAX_MODEL_FILE: u64 = 16 << 20;
/// The largest evidence rule or settings file read (a few kilobytes in
/// practice).
pub const MAX_SETTINGS_FILE: u64 = 1 << 20;
/// The largest round import read (a form export of 100,000 respondents).
pub const MAX_IMPORT_FILE: u64 = 256 << 20;

/// Why a file could not be read as text.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{file}: could not read the {what}: {cause}")]
    Io {
        file: String,
        what: &'static str,
        cause: std::io::Error,
    },
    #[error("{file}: larger than the {limit} {article} {what} may be; is it the right file?", limit = size_text(*.limit), article = article(what))]
    TooLarge {
        file: String,
        what: &'static str,
        limit: u64,
    },
    #[error("{file}: not UTF-8 text (byte {at}); save it as UTF-8")]
    NotText { file: String, at: usize },
}

/// "an import", "a model file".
fn article(what: &str) -> &'static str {
    if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} kB", bytes >> 10)
    }
}

/// Reads a whole text file, refusing one larger than `limit` bytes (read
/// only up to the limit, so `/dev/zero` or a wrong multi-gigabyte file is
/// refused without filling memory). `what` names the kind of file in the
/// message ("answers file", "import").
pub fn read_text(path: &Path, what: &'static str, limit: u64) -> Result<String, ReadError> {
    let file = path.display().to_string();
    let io = |cause| ReadError::Io {
        file: file.clone(),
        what,
        cause,
    };
    let handle = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    handle.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { file, what, limit });
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotText {
        file,
        at: e.utf8_error().valid_up_to(),
    })
}

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
    fn files_are_read_up_to_their_limit_only() {
        let dir = tempfile::tempdir().expect("dir");
        let small = dir.path().join("small.toml");
        std::fs::write(&small, "x = 1\n").expect("write");
        assert_eq!(read_text(&small, "answers file", 1024).expect("read"), "x = 1\n");
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'a'; 2048]).expect("write");
        let err = read_text(&big, "answers file", 1024).expect_err("too large");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: larger than the 1 kB an answers file may be; is it the right file?",
                big.display()
            )
        );
        let binary = dir.path().join("binary.toml");
        std::fs::write(&binary, [b'o', b'k', 0xff, 0xfe]).expect("write");
        let err = read_text(&binary, "answers file", 1024).expect_err("binary");
        assert!(
            err.to_string().ends_with("not UTF-8 text (byte 2); save it as UTF-8"),
            "{err}"
        );
        // An endless file stops at the limit.
        #[cfg(unix)]
        {
            let err = read_text(Path::new("/dev/zero"), "import", 4096).expect_err("endless");
            assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
        }
    }

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
