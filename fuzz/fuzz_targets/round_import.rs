//! Round imports (CSV or JSON from a form tool) on arbitrary text, for a
//! quick or a detailed round: parsing never panics, every error names the
//! file, and every accepted response is a real one the model takes.
#![no_main]

use std::collections::BTreeSet;

use asyncmm_app::input::import::{parse_csv, parse_json};
use asyncmm_core::Mode;
use asyncmm_model::{Model, default_model};
use libfuzzer_sys::fuzz_target;

/// The built-in model, parsed once rather than for every input.
fn model() -> Option<&'static Model> {
    static MODEL: std::sync::OnceLock<Option<Model>> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| default_model().ok()).as_ref()
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the format, the round's mode and whether a
    // `timestamp` column is named as one to ignore.
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Some(model) = model() else {
        return;
    };
    let mode = if pick & 2 == 0 { Mode::Detailed } else { Mode::Quick };
    let (file, parsed) = if pick & 1 == 0 {
        let ignored: BTreeSet<String> = if pick & 4 == 0 {
            BTreeSet::new()
        } else {
            BTreeSet::from(["timestamp".to_string()])
        };
        ("import.csv", parse_csv(text, "import.csv", model, mode, &ignored))
    } else {
        ("import.json", parse_json(text, "import.json", model, mode))
    };
    match parsed {
        Ok(responses) => {
            assert!(!responses.is_empty(), "an import without responses was accepted");
            for answers in &responses {
                assert_eq!(answers.mode(), mode, "a response of the other mode");
                assert!(!answers.is_blank(), "a blank response was accepted");
                answers
                    .check_against(model)
                    .expect("accepted answers fit the model they were checked against");
            }
        }
        Err(error) => {
            assert_eq!(error.file, file);
            assert!(!error.message.trim().is_empty(), "an error without a message");
            assert!(!error.to_string().contains('\n'), "a message on several lines: {error}");
        }
    }
});
