//! Answers files (TOML, JSON, or either when the name says neither) on
//! arbitrary text: parsing never panics, every error is one line that
//! starts with the file name and, where it gives a position, a real line
//! and column of the text, and accepted answers are ones the model takes.
#![no_main]

use asyncmm_app::input::answers_file;
use asyncmm_model::{Model, default_model};
use libfuzzer_sys::fuzz_target;

/// The built-in model, parsed once rather than for every input.
fn model() -> Option<&'static Model> {
    static MODEL: std::sync::OnceLock<Option<Model>> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| default_model().ok()).as_ref()
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file name, so one corpus covers every way
    // the format is chosen.
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = ["answers.toml", "answers.json", "answers.txt"][usize::from(pick % 3)];
    let Some(model) = model() else {
        return;
    };
    match answers_file::parse(text, name, model) {
        Ok(file) => {
            assert!(!file.answers.is_blank(), "a blank response was accepted");
            file.answers
                .check_against(model)
                .expect("accepted answers fit the model they were checked against");
        }
        Err(error) => {
            let message = error.to_string();
            assert!(!message.contains('\n'), "a message on several lines: {message:?}");
            let after = message
                .strip_prefix(name)
                .unwrap_or_else(|| panic!("the message does not start with the file name: {message:?}"));
            if let answers_file::AnswersFileError::Syntax { at, .. } = &error {
                assert!(at.line_column.is_some(), "a syntax error without a position: {message}");
            }
            position_in(text, after, &message);
        }
    }
});

/// Checks a `:line:column:` at the start of `after`, if there is one. JSON
/// positions count bytes (serde_json's), TOML ones characters; the bound
/// is the line's length in bytes plus one, which holds for both.
fn position_in(text: &str, after: &str, message: &str) {
    let mut parts = after.splitn(4, ':');
    let (Some(""), Some(line), Some(column)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let (Ok(line), Ok(column)) = (line.parse::<usize>(), column.parse::<usize>()) else {
        return;
    };
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(
        line >= 1 && line <= lines.len(),
        "line {line} of {}: {message}",
        lines.len()
    );
    let width = lines[line - 1].len();
    assert!(
        column >= 1 && column <= width + 1,
        "column {column} of {width}: {message}"
    );
}
