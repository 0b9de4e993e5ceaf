//! The model TOML parser on arbitrary text: it never panics, every problem
//! it reports points at a real line and column of the text, and a model it
//! accepts is internally consistent and checks the same way a second time.
#![no_main]

use asyncmm_model::{
    DEFAULT_MODEL_ORIGIN, DEFAULT_MODEL_TOML, Level, Model, ModelError, Problem, builtin_base, check_revision,
    default_model, parse,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text, "fuzz.toml") {
        Ok(model) => accepted(text, &model),
        Err(error) => positioned(text, "fuzz.toml", &error.problems),
    }
});

/// Every problem names the file and a position inside the text (a problem
/// at the very end may sit one line past the last newline).
fn positioned(text: &str, origin: &str, problems: &[Problem]) {
    assert!(!problems.is_empty(), "an error without problems");
    let lines = text.split('\n').count();
    for problem in problems {
        assert_eq!(problem.origin, origin, "{problem}");
        assert!(
            problem.line >= 1 && problem.line <= lines,
            "line {} of {lines}: {problem}",
            problem.line
        );
        let width = text.split('\n').nth(problem.line - 1).map_or(0, |l| l.chars().count());
        assert!(
            problem.column >= 1 && problem.column <= width + 1,
            "column {} of a {width}-character line: {problem}",
            problem.column
        );
        assert!(!problem.message.trim().is_empty(), "a problem without a message");
    }
}

fn accepted(text: &str, model: &Model) {
    // The same text under another name is the same model.
    let again = parse(text, "again.toml").expect("a model that parsed once parses again");
    assert_eq!(&again, model);
    // Every statement is found by its id, in its own area and level.
    for area in &model.areas {
        for statement in &area.statements {
            let found = model.statement(&statement.id).expect("a statement is found by its id");
            assert_eq!(found.id, statement.id);
            assert!(model.area(&area.id).is_some());
            assert!(Level::ALL.contains(&statement.level()));
        }
    }
    assert_eq!(model.statements().count(), model.statement_count());
    // Checks against other models report positions in this text, never panic.
    if let Err(error) = builtin_base(model) {
        positioned(text, "fuzz.toml", &error.problems);
    }
    if let Some(default) = builtin() {
        if let Err(error) = check_revision(default, model) {
            positioned_or_in(text, &error);
        }
    }
}

/// The built-in model, parsed once rather than for every accepted input.
fn builtin() -> Option<&'static Model> {
    static MODEL: std::sync::OnceLock<Option<Model>> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| default_model().ok()).as_ref()
}

/// A revision problem may point into either file.
fn positioned_or_in(later: &str, error: &ModelError) {
    assert!(!error.problems.is_empty(), "an error without problems");
    for problem in &error.problems {
        if problem.origin == "fuzz.toml" {
            positioned(later, "fuzz.toml", std::slice::from_ref(problem));
        } else {
            positioned(DEFAULT_MODEL_TOML, DEFAULT_MODEL_ORIGIN, std::slice::from_ref(problem));
        }
    }
}
