//! Model loading through the public API: the embedded default is complete,
//! and every kind of broken model is rejected with `file:line:column`.

use asyncmm_model::{Level, ModelError, parse};

const VALID: &str = r#"[model]
id = "mini"
version = "1.0"
title = "Mini"
[model.source]
title = "s"
author = "a"
license = "CC-BY-4.0"
url = "https://example.org"

[[levels]]
number = 0
name = "Unaware"
meaning = "m"
[[levels]]
number = 1
name = "Initial"
meaning = "m"
[[levels]]
number = 2
name = "Defined"
meaning = "m"
[[levels]]
number = 3
name = "Optimizing"
meaning = "m"

[scoring]
beta = 6.0
profiles = [[3, 1, 0, 0], [1, 3, 1, 0], [0, 1, 3, 1], [0, 0, 3, 3]]

[[areas]]
id = "docs"
name = "Docs"
intro = "i"
[[areas.statements]]
id = "docs.0.1"
text = "zero"
suggestion = "s"
[[areas.statements]]
id = "docs.1.1"
text = "one"
suggestion = "s"
[[areas.statements]]
id = "docs.2.1"
text = "two"
suggestion = "s"
[[areas.statements]]
id = "docs.3.1"
text = "three"
suggestion = "s"
"#;

/// Parses a mutated copy of `VALID` and returns the rendered errors.
fn broken(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "test mutation {from:?} must apply");
    let text = VALID.replacen(from, to, 1);
    match parse(&text, "team.toml") {
        Ok(_) => panic!("mutation {from:?} -> {to:?} should be rejected"),
        Err(ModelError { problems }) => problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
    }
}

fn line_of(needle: &str, text: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("needle present") + 1
}

#[test]
fn valid_model_parses() {
    let model = parse(VALID, "team.toml").expect("valid");
    assert_eq!(model.key(), "mini@1.0");
    assert_eq!(model.statement_count(), 4);
    assert_eq!(model.level_name(Level::new(2).expect("level")), "Defined");
}

#[test]
fn embedded_default_model_is_complete() {
    let model = asyncmm_model::default_model().expect("embedded model is valid");
    assert_eq!(model.id, "async-communications");
    assert_eq!(model.areas.len(), 5);
    assert_eq!(model.statement_count(), 60);
    assert_eq!(model.source.license, "CC-BY-4.0");
    let ids: Vec<&str> = model.areas.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "documentation",
            "decision-making",
            "work-tracking",
            "meetings",
            "leadership-culture"
        ]
    );
    for area in &model.areas {
        for level in Level::ALL {
            assert_eq!(area.statements_at(level).count(), 3, "{} level {level}", area.id);
        }
    }
    assert_eq!(model.scoring.beta, 6.0);
    let profiles: Vec<[u8; 4]> = model.scoring.profiles.iter().map(|p| p.0).collect();
    assert_eq!(profiles, [[3, 1, 0, 0], [1, 3, 1, 0], [0, 1, 3, 1], [0, 0, 3, 3]]);
}

#[test]
fn duplicate_statement_id_names_its_line() {
    let err = broken("id = \"docs.1.1\"", "id = \"docs.0.1\"");
    let text = VALID.replacen("id = \"docs.1.1\"", "id = \"docs.0.1\"", 1);
    let second = text.match_indices("docs.0.1").nth(1).expect("two").0;
    let line = text[..second].lines().count();
    assert!(err.contains(&format!("team.toml:{line}:")), "{err}");
    assert!(err.contains("duplicate statement id docs.0.1"), "{err}");
    assert!(err.contains("no statement for level 1"), "{err}");
}

#[test]
fn id_not_matching_its_place() {
    let err = broken("id = \"docs.2.1\"", "id = \"meetings.2.1\"");
    let line = line_of("docs.2.1", VALID);
    assert!(
        err.contains(&format!(
            "team.toml:{line}:6: statement id meetings.2.1 does not match its place"
        )),
        "{err}"
    );
}

#[test]
fn missing_level_is_reported() {
    let err = broken("[[levels]]\nnumber = 3\nname = \"Optimizing\"\nmeaning = \"m\"\n", "");
    assert!(err.contains("missing level 3"), "{err}");
}

#[test]
fn empty_text_is_reported_with_position() {
    let err = broken("text = \"two\"", "text = \"  \"");
    let line = line_of("text = \"two\"", VALID);
    assert!(
        err.contains(&format!("team.toml:{line}:8: text of docs.2.1 is empty")),
        "{err}"
    );
}

#[test]
fn unknown_key_is_reported_with_position() {
    let err = broken("intro = \"i\"", "intro = \"i\"\ncolour = \"red\"");
    let line = line_of("intro = \"i\"", VALID) + 1;
    assert!(err.starts_with(&format!("team.toml:{line}:1:")), "{err}");
    assert!(err.contains("colour"), "{err}");
}

#[test]
fn syntax_error_is_reported_with_position() {
    let err = broken("title = \"Mini\"", "title = \"Mini");
    assert!(err.starts_with("team.toml:4:"), "{err}");
}

#[test]
fn bad_profile_and_beta() {
    let err = broken("beta = 6.0", "beta = -1.0");
    assert!(err.contains("beta must be a number above 0"), "{err}");
    let err = broken("[0, 0, 3, 3]]", "[0, 0, 3, 7]]");
    assert!(err.contains("profile agreement must be 0, 1, 2 or 3, got 7"), "{err}");
    let err = broken("[0, 0, 3, 3]]", "[0, 0, 3]]");
    assert!(err.contains("profile of level 3 must list 4 agreements"), "{err}");
}

#[test]
fn malformed_statement_id() {
    let err = broken("id = \"docs.3.1\"", "id = \"docs.three.1\"");
    assert!(err.contains("must look like `area.level.n`"), "{err}");
}

#[test]
fn duplicate_area_and_level() {
    let doubled = format!(
        "{VALID}\n[[areas]]\nid = \"docs\"\nname = \"Again\"\nintro = \"i\"\n[[areas.statements]]\nid = \"docs.0.9\"\ntext = \"t\"\nsuggestion = \"s\"\n"
    );
    let err = parse(&doubled, "x.toml").expect_err("duplicate area").to_string();
    assert!(err.contains("duplicate area id \"docs\""), "{err}");
    let err = broken("number = 2", "number = 1");
    assert!(err.contains("level 1 is defined twice"), "{err}");
    assert!(err.contains("missing level 2"), "{err}");
}

#[test]
fn wrong_type_is_reported() {
    let err = broken("number = 0", "number = \"zero\"");
    assert!(err.starts_with("team.toml:12:"), "{err}");
}

#[test]
fn several_problems_are_all_reported() {
    let text = VALID
        .replacen("text = \"one\"", "text = \"\"", 1)
        .replacen("name = \"Docs\"", "name = \"\"", 1);
    let err = parse(&text, "team.toml").expect_err("broken");
    assert_eq!(err.problems.len(), 2, "{err}");
}
