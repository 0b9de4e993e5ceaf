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

#[test]
fn hint_is_optional_and_parsed() {
    let text = VALID.replacen(
        "text = \"one\"\nsuggestion = \"s\"",
        "text = \"one\"\nsuggestion = \"s\"\nhint = \"  If in doubt, answer don't know. \"",
        1,
    );
    let model = parse(&text, "team.toml").expect("valid");
    let hinted: Vec<(String, Option<&str>)> = model
        .statements()
        .map(|s| (s.id.to_string(), s.hint.as_deref()))
        .collect();
    assert_eq!(
        hinted,
        [
            ("docs.0.1".to_string(), None),
            ("docs.1.1".to_string(), Some("If in doubt, answer don't know.")),
            ("docs.2.1".to_string(), None),
            ("docs.3.1".to_string(), None),
        ]
    );
}

#[test]
fn empty_hint_is_reported_with_position() {
    let err = broken(
        "text = \"two\"\nsuggestion = \"s\"",
        "text = \"two\"\nsuggestion = \"s\"\nhint = \" \"",
    );
    let line = line_of("text = \"two\"", VALID) + 2;
    assert!(
        err.contains(&format!("team.toml:{line}:8: hint of docs.2.1 is empty")),
        "{err}"
    );
}

const CHANGES: &str = r#"
[[model.changes]]
version = "1.1"
id = "docs.2.1"
reason = "closer to the source"
left_out = "the second claim"

[[model.changes]]
version = "1.1"
id = "docs.2.1"
part = "suggestion"
reason = "follows the item"

[[model.changes]]
version = "1.0"
id = "docs"
reason = "shorter intro"

[[model.changes]]
version = "1.1"
id = "level.3"
part = "name"
reason = "plainer"
"#;

/// `VALID` with extra `[model]` keys inserted before `[model.source]`.
fn with_model_keys(keys: &str) -> String {
    VALID.replacen("[model.source]", &format!("{keys}\n[model.source]"), 1)
}

#[test]
fn change_notes_are_parsed_with_their_targets() {
    use asyncmm_model::{ChangePart, ChangeTarget};
    let text = format!("{VALID}{CHANGES}");
    let model = parse(&text, "team.toml").expect("valid");
    let notes: Vec<(String, String, ChangePart, &str, Option<&str>)> = model
        .changes
        .iter()
        .map(|c| {
            (
                c.version.clone(),
                c.target.to_string(),
                c.part,
                c.reason.as_str(),
                c.left_out.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            (
                "1.1".into(),
                "docs.2.1".into(),
                ChangePart::Text,
                "closer to the source",
                Some("the second claim")
            ),
            (
                "1.1".into(),
                "docs.2.1".into(),
                ChangePart::Suggestion,
                "follows the item",
                None
            ),
            ("1.0".into(), "docs".into(), ChangePart::Intro, "shorter intro", None),
            ("1.1".into(), "level.3".into(), ChangePart::Name, "plainer", None),
        ]
    );
    assert!(matches!(model.changes[0].target, ChangeTarget::Statement(_)));
    assert!(matches!(model.changes[2].target, ChangeTarget::Area(_)));
    assert!(matches!(model.changes[3].target, ChangeTarget::Level(l) if l.number() == 3));
    assert_eq!(model.changes_in("1.0").count(), 1);
    let reworded: Vec<String> = model.reworded_statements().iter().map(ToString::to_string).collect();
    assert_eq!(reworded, ["docs.2.1"]);
    // The notes are part of the JSON shape the web form and `model show` read.
    let json = serde_json::to_value(&model).expect("json");
    assert_eq!(json["changes"][1]["id"], "docs.2.1");
    assert_eq!(json["changes"][1]["part"], "suggestion");
    assert_eq!(json["changes"][0]["left_out"], "the second claim");
}

#[test]
fn broken_change_notes_are_reported_with_positions() {
    let text = format!(
        "{VALID}\n[[model.changes]]\nversion = \"1.1\"\nid = \"docs.2.9\"\nreason = \"r\"\n\n[[model.changes]]\nversion = \"1.1\"\nid = \"docs.2.1\"\npart = \"intro\"\nreason = \"r\"\n\n[[model.changes]]\nversion = \"\"\nid = \"Docs!\"\nreason = \"\"\n"
    );
    let err = parse(&text, "team.toml").expect_err("broken").to_string();
    let line = |needle: &str| text.lines().position(|l| l == needle).expect("line") + 1;
    assert!(
        err.contains(&format!(
            "team.toml:{}:6: change note for docs.2.9, which this model does not have",
            line("id = \"docs.2.9\"")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "team.toml:{}:8: change part \"intro\" of docs.2.1 must be one of text, suggestion, hint",
            line("part = \"intro\"")
        )),
        "{err}"
    );
    assert!(err.contains("change version is empty"), "{err}");
    assert!(err.contains("change id \"Docs!\" must be a statement id"), "{err}");
    assert!(err.contains("reason of the change to Docs! is empty"), "{err}");
}

#[test]
fn revises_and_adaptation_are_checked() {
    let model = parse(&with_model_keys("revises = \"0.9\""), "team.toml").expect("valid");
    assert_eq!(model.revises.as_deref(), Some("0.9"));
    assert_eq!(model.lineage().to_string(), "mini@0.9");

    let err = parse(&with_model_keys("revises = \"1.0\""), "team.toml")
        .expect_err("own version")
        .to_string();
    assert!(
        err.contains("team.toml:5:11: `revises` names this model's own version 1.0"),
        "{err}"
    );

    let text = VALID.replacen(
        "url = \"https://example.org\"",
        "url = \"https://example.org\"\nadapted_from_url = \"https://example.org/original\"",
        1,
    );
    let err = parse(&text, "team.toml").expect_err("url without title").to_string();
    assert!(
        err.contains("team.toml:10:20: source adapted_from_url needs adapted_from"),
        "{err}"
    );
}

/// The default model's credit names the author and both linked works.
#[test]
fn embedded_default_model_credits_its_source() {
    let model = asyncmm_model::default_model().expect("valid");
    assert_eq!(model.version, "1.1.0");
    assert_eq!(model.revises.as_deref(), Some("1.0.0"));
    let source = &model.source;
    assert_eq!(source.author, "Allison Matlack");
    assert_eq!(
        source.url,
        "https://github.com/amatlack/rethinking-async-communications/blob/main/maturity-model.md"
    );
    assert_eq!(
        source.adapted_from.as_deref(),
        Some("How GitHub Engineering Communicates")
    );
    assert_eq!(
        source.adapted_from_url.as_deref(),
        Some("https://github.com/github/how-engineering-communicates")
    );
    assert_eq!(source.license_url, "https://creativecommons.org/licenses/by/4.0/");
    for needle in [
        "suggestion",
        "hint",
        "area introductions",
        "level descriptions",
        "Left out",
        "1.1.0",
    ] {
        assert!(
            source.changes.contains(needle),
            "the change note should mention {needle:?}"
        );
    }
}

#[test]
fn offsite_and_in_person_items_carry_a_dont_know_hint() {
    let model = asyncmm_model::default_model().expect("valid");
    let hinted: Vec<String> = model
        .statements()
        .filter(|s| s.hint.is_some())
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(hinted, ["meetings.0.3", "meetings.1.3", "meetings.2.3", "meetings.3.3"]);
    for s in model.statements().filter(|s| s.hint.is_some()) {
        let hint = s.hint.as_deref().unwrap_or_default();
        assert!(hint.contains("answer \"don't know\""), "{}: {hint}", s.id);
    }
}

#[test]
fn every_embedded_version_is_what_its_entry_says() {
    for entry in asyncmm_model::EMBEDDED {
        let model = entry.parse().unwrap_or_else(|e| panic!("{}: {e}", entry.origin));
        assert_eq!((model.id.as_str(), model.version.as_str()), (entry.id, entry.version));
    }
    let default = asyncmm_model::default_model().expect("valid");
    assert!(asyncmm_model::embedded(&default.id, &default.version).is_some());
    let base = asyncmm_model::builtin_base(&default)
        .expect("valid")
        .expect("1.0.0 is built in");
    assert_eq!(base.key(), "async-communications@1.0.0");
    assert_eq!(base.revises, None);
    assert_eq!(asyncmm_model::builtin_base(&base).expect("valid"), None);

    let custom = parse(&with_model_keys("revises = \"0.9\""), "team.toml").expect("valid");
    let err = asyncmm_model::builtin_base(&custom)
        .expect_err("not built in")
        .to_string();
    assert_eq!(
        err,
        "team.toml:5:11: `revises = \"0.9\"` names mini@0.9, which is not built in"
    );
}

#[test]
fn model_texts_follow_the_text_rule_with_their_place() {
    // An escape in a statement text would reach the terminal of everyone
    // answering the questionnaire.
    let err = broken("text = \"one\"", "text = \"o\\u001b[2Jne\"");
    let line = line_of("text = \"one\"", VALID);
    assert!(
        err.contains(&format!(
            "team.toml:{line}:8: text of docs.1.1: character U+001B (escape) at position 2 is not allowed"
        )),
        "{err}"
    );
    let err = broken("name = \"Docs\"", "name = \"Docs\\u200b\"");
    assert!(
        err.contains("area name: character U+200B (zero-width space) at position 5 is not allowed"),
        "{err}"
    );
    let err = broken("suggestion = \"s\"", "suggestion = \"two\\nlines\"");
    assert!(
        err.contains("suggestion of docs.0.1: character U+000A (line feed)"),
        "{err}"
    );
    let err = broken("intro = \"i\"", "intro = \"i\\u202e\"");
    assert!(
        err.contains("area intro: character U+202E (right-to-left override)"),
        "{err}"
    );
}

#[test]
fn prose_may_run_over_lines_and_is_normalised() {
    let text = VALID
        .replacen("intro = \"i\"", "intro = \"\"\"\nfirst line\r\nsecond line\n\"\"\"", 1)
        .replacen("name = \"Docs\"", "name = \"Cafe\\u0301\"", 1);
    let model = parse(&text, "team.toml").expect("valid");
    assert_eq!(model.areas[0].intro, "first line\nsecond line");
    assert_eq!(model.areas[0].name, "Caf\u{e9}");
}
