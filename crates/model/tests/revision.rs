//! Wording revisions through the public API: 1.1.0 of the default model is a
//! revision of 1.0.0 and says what it changed; a "revision" that changes
//! ids, levels, profiles or beta is refused with each difference named at
//! its place.

use std::collections::BTreeSet;

use asyncmm_model::{ChangePart, ChangeTarget, Level, Model, check_revision, parse};

fn v1_0() -> Model {
    asyncmm_model::embedded("async-communications", "1.0.0")
        .expect("1.0.0 is embedded")
        .parse()
        .expect("valid")
}

fn v1_1() -> Model {
    asyncmm_model::default_model().expect("valid")
}

/// The default model's text with the first `from` replaced by `to`, parsed
/// as `later.toml`, and the problems of checking it against 1.0.0.
fn refused(from: &str, to: &str) -> (String, String) {
    let text = asyncmm_model::DEFAULT_MODEL_TOML;
    assert!(text.contains(from), "mutation {from:?} must apply");
    let text = text.replacen(from, to, 1);
    let later = parse(&text, "later.toml").expect("still a valid model");
    let err = check_revision(&v1_0(), &later)
        .expect_err("must be refused")
        .to_string();
    (err, text)
}

fn line_col(text: &str, needle: &str) -> String {
    let at = text.find(needle).expect("needle");
    let (line, column) = asyncmm_model::line_column(text, at);
    format!("{line}:{column}")
}

#[test]
fn the_default_is_a_revision_of_1_0_0() {
    let (earlier, later) = (v1_0(), v1_1());
    check_revision(&earlier, &later).expect("1.1.0 revises 1.0.0");
    assert_eq!(later.lineage(), earlier.lineage());
    assert_eq!(later.lineage().to_string(), "async-communications@1.0.0");
    assert!(later.is_comparable_with(&earlier));
}

#[test]
fn every_statement_keeps_its_1_0_0_id_and_place() {
    let (earlier, later) = (v1_0(), v1_1());
    let ids = |m: &Model| -> Vec<(String, Vec<String>)> {
        m.areas
            .iter()
            .map(|a| {
                (
                    a.id.to_string(),
                    a.statements.iter().map(|s| s.id.to_string()).collect(),
                )
            })
            .collect()
    };
    assert_eq!(ids(&later), ids(&earlier));
    assert_eq!(later.statement_count(), 60);
}

/// The change notes list exactly what differs from 1.0.0: each reworded
/// statement text, suggestion and hint, and each level description, has a
/// 1.1.0 note, and no note claims a change that isn't there.
#[test]
fn change_notes_cover_exactly_what_1_1_0_changed() {
    let (earlier, later) = (v1_0(), v1_1());
    let mut changed: BTreeSet<(String, ChangePart)> = BTreeSet::new();
    for s in later.statements() {
        let old = earlier.statement(&s.id).expect("same ids");
        if s.text != old.text {
            changed.insert((s.id.to_string(), ChangePart::Text));
        }
        if s.suggestion != old.suggestion {
            changed.insert((s.id.to_string(), ChangePart::Suggestion));
        }
        if s.hint != old.hint {
            changed.insert((s.id.to_string(), ChangePart::Hint));
        }
    }
    for area in &later.areas {
        let old = earlier.area(&area.id).expect("same areas");
        if area.intro != old.intro {
            changed.insert((area.id.to_string(), ChangePart::Intro));
        }
        if area.name != old.name {
            changed.insert((area.id.to_string(), ChangePart::Name));
        }
    }
    for level in Level::ALL {
        if later.level_info(level).meaning != earlier.level_info(level).meaning {
            changed.insert((format!("level.{level}"), ChangePart::Meaning));
        }
    }
    let noted: BTreeSet<(String, ChangePart)> = later
        .changes_in("1.1.0")
        .map(|c| (c.target.to_string(), c.part))
        .collect();
    assert_eq!(noted, changed);
    assert_eq!(noted.len(), later.changes.len(), "one note per changed text");

    let reworded: Vec<String> = later.reworded_statements().iter().map(ToString::to_string).collect();
    assert_eq!(
        reworded,
        [
            "documentation.0.1",
            "documentation.0.3",
            "documentation.1.3",
            "documentation.2.2",
            "documentation.2.3",
            "documentation.3.3",
            "decision-making.1.3",
            "decision-making.3.2",
            "work-tracking.0.1",
            "work-tracking.0.3",
            "work-tracking.1.3",
            "work-tracking.2.2",
            "work-tracking.3.1",
            "work-tracking.3.2",
            "meetings.0.2",
            "meetings.1.3",
            "meetings.2.2",
            "meetings.3.2",
            "leadership-culture.0.1",
            "leadership-culture.0.2",
            "leadership-culture.0.3",
            "leadership-culture.1.2",
            "leadership-culture.2.1",
            "leadership-culture.2.2",
            "leadership-culture.2.3",
            "leadership-culture.3.1",
            "leadership-culture.3.2",
            "leadership-culture.3.3",
        ]
    );
    // Where a two-claim bullet lost a claim, the note says where it went.
    let meetings_3_2 = later
        .changes
        .iter()
        .find(|c| c.target.to_string() == "meetings.3.2" && c.part == ChangePart::Text)
        .expect("note");
    assert!(
        meetings_3_2
            .left_out
            .as_deref()
            .is_some_and(|l| l.contains("meetings.2.2"))
    );
    assert!(matches!(meetings_3_2.target, ChangeTarget::Statement(_)));
}

#[test]
fn the_real_drift_and_the_jargon_are_gone() {
    let later = v1_1();
    let text = |id: &str| {
        later
            .statement(&asyncmm_model::StatementId::parse(id).expect("id"))
            .expect("statement")
            .text
            .clone()
    };
    assert!(!text("meetings.3.2").contains("only"), "{}", text("meetings.3.2"));
    assert!(!text("leadership-culture.1.2").contains("psychological"));
    for s in later.statements() {
        assert!(!s.text.contains("psychological safety"), "{}: jargon", s.id);
    }
}

#[test]
fn a_changed_id_is_refused_at_its_place() {
    let (err, text) = refused("id = \"documentation.2.1\"", "id = \"documentation.2.4\"");
    assert!(
        err.contains(&format!(
            "later.toml:{}: statement documentation.2.4 is not in async-communications@1.0.0",
            line_col(&text, "\"documentation.2.4\"")
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "later.toml:{}: statement documentation.2.1 of async-communications@1.0.0 is missing from area \"documentation\"",
            line_col(&text, "\"documentation\"")
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
}

#[test]
fn a_statement_moved_to_another_level_is_refused() {
    let (err, _) = refused("id = \"documentation.2.1\"", "id = \"documentation.3.4\"");
    assert!(
        err.contains("statement documentation.3.4 is not in async-communications@1.0.0"),
        "{err}"
    );
    assert!(
        err.contains("area \"documentation\" has 2 statement(s) at level 2 here but 3 in async-communications@1.0.0"),
        "{err}"
    );
    assert!(
        err.contains("area \"documentation\" has 4 statement(s) at level 3 here but 3 in async-communications@1.0.0"),
        "{err}"
    );
}

#[test]
fn a_renamed_level_is_refused() {
    let (err, text) = refused("name = \"Defined\"", "name = \"Established\"");
    assert_eq!(
        err,
        format!(
            "later.toml:{}: level 2 is named \"Established\" here but \"Defined\" in async-communications@1.0.0: a revision keeps the level names",
            line_col(&text, "\"Established\"")
        )
    );
}

#[test]
fn a_changed_profile_is_refused_per_cell() {
    let (err, text) = refused("[0, 1, 3, 1]", "[0, 2, 3, 1]");
    let row = text.find("[0, 2, 3, 1]").expect("row");
    let (line, column) = asyncmm_model::line_column(&text, row + 4);
    assert_eq!(
        err,
        format!(
            "later.toml:{line}:{column}: the profile of a level-2 team expects 2 on level-1 statements here but 1 in async-communications@1.0.0: a revision keeps the scoring"
        )
    );
}

#[test]
fn a_changed_beta_is_refused() {
    let (err, text) = refused("beta = 6.0", "beta = 4.5");
    assert_eq!(
        err,
        format!(
            "later.toml:{}: scoring beta is 4.5 here but 6 in async-communications@1.0.0: a revision keeps the scoring",
            line_col(&text, "4.5")
        )
    );
}

#[test]
fn the_revision_must_declare_itself_and_keep_the_model_id() {
    let (err, _) = refused("revises = \"1.0.0\"\n", "");
    assert!(
        err.contains("a revision of async-communications@1.0.0 must say so: add `revises = \"1.0.0\"` to [model]"),
        "{err}"
    );
    let (err, _) = refused("revises = \"1.0.0\"", "revises = \"0.9.0\"");
    assert!(
        err.contains("`revises = \"0.9.0\"` does not name async-communications@1.0.0"),
        "{err}"
    );
    let (err, text) = refused("id = \"async-communications\"", "id = \"async-comms\"");
    assert!(
        err.contains(&format!(
            "later.toml:{}: model id \"async-comms\" is not the id of async-communications@1.0.0",
            line_col(&text, "\"async-comms\"")
        )),
        "{err}"
    );
    let (err, _) = refused("version = \"1.1.0\"\nrevises = \"1.0.0\"", "version = \"1.0.0\"");
    assert!(
        err.contains("version 1.0.0 is the version of the earlier model async-communications@1.0.0: a revision needs a new version"),
        "{err}"
    );
}

#[test]
fn areas_added_or_removed_are_refused() {
    let text = asyncmm_model::DEFAULT_MODEL_TOML;
    let cut = text.find("[[areas]]\nid = \"leadership-culture\"").expect("area");
    let notes = text.find("\n[[model.changes]]\n").expect("notes");
    // Drop the last area and the change notes that point into it.
    let without: String = text[..cut].to_string();
    let notes_kept: String = text[notes..]
        .split("\n\n")
        .filter(|chunk| !chunk.contains("leadership-culture"))
        .collect::<Vec<_>>()
        .join("\n\n");
    let later = parse(&format!("{without}\n{notes_kept}"), "later.toml").unwrap_or_else(|e| panic!("{e}"));
    let err = check_revision(&v1_0(), &later).expect_err("refused").to_string();
    assert!(
        err.contains("area \"leadership-culture\" of async-communications@1.0.0 is missing from later.toml"),
        "{err}"
    );
    assert!(
        err.starts_with("<embedded>/history/async-communications-1.0.0.toml:"),
        "{err}"
    );

    let renamed = text.replace("leadership-culture", "leadership");
    let later = parse(&renamed, "later.toml").expect("valid");
    let err = check_revision(&v1_0(), &later).expect_err("refused").to_string();
    assert!(
        err.contains("area \"leadership\" is not in async-communications@1.0.0"),
        "{err}"
    );
    assert!(
        !err.contains("statement leadership.0.1"),
        "an added area is one problem: {err}"
    );
}

#[test]
fn a_revision_of_a_revision_names_the_first_version() {
    let later = asyncmm_model::DEFAULT_MODEL_TOML.replacen("version = \"1.1.0\"", "version = \"1.2.0\"", 1);
    let v1_2 = parse(&later, "v1.2.toml").expect("valid");
    check_revision(&v1_1(), &v1_2).expect("1.2.0 revises the 1.0.0 line, checked against 1.1.0");
    check_revision(&v1_0(), &v1_2).expect("and against 1.0.0");
    assert_eq!(v1_2.lineage(), v1_0().lineage());

    let wrong = later.replacen("revises = \"1.0.0\"", "revises = \"1.1.0\"", 1);
    let wrong = parse(&wrong, "v1.2.toml").expect("valid");
    let err = check_revision(&v1_1(), &wrong)
        .expect_err("names a revision")
        .to_string();
    assert!(
        err.contains("async-communications@1.1.0 is itself a revision of 1.0.0: name the first version of the line, `revises = \"1.0.0\"`"),
        "{err}"
    );
}

#[test]
fn models_of_different_lines_are_not_comparable() {
    let other = asyncmm_model::DEFAULT_MODEL_TOML
        .replacen("version = \"1.1.0\"", "version = \"2.0.0\"", 1)
        .replacen("revises = \"1.0.0\"\n", "", 1);
    let v2 = parse(&other, "v2.toml").expect("valid");
    assert_eq!(v2.lineage().to_string(), "async-communications@2.0.0");
    assert!(!v2.is_comparable_with(&v1_0()));
    assert!(v1_0().is_comparable_with(&v1_1()));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Rewording any statement (text, suggestion or hint) keeps a
        /// revision a revision.
        #[test]
        fn rewording_is_always_accepted(index in 0usize..60, words in "[A-Za-z ,.]{1,60}", field in 0usize..3) {
            let base = v1_1();
            let statement = base.statements().nth(index).expect("60 statements");
            let words = format!("Reworded {}", words.replace('"', ""));
            let key = ["text", "suggestion", "hint"][field];
            let text = asyncmm_model::DEFAULT_MODEL_TOML;
            let at = text.find(&format!("id = \"{}\"\n", statement.id)).expect("statement");
            let line_end = text[at..].find('\n').map(|i| at + i + 1).expect("line");
            // The file escapes quotes inside its strings.
            let quoted = |key: &str, value: &str| format!("{key} = \"{}\"", value.replace('"', "\\\""));
            let mutated = match (key, &statement.hint) {
                ("text", _) => text.replacen(&quoted("text", &statement.text), &quoted("text", &words), 1),
                ("suggestion", _) => text.replacen(&quoted("suggestion", &statement.suggestion), &quoted("suggestion", &words), 1),
                (_, Some(hint)) => text.replacen(&quoted("hint", hint), &quoted("hint", &words), 1),
                (_, None) => format!("{}{}\n{}", &text[..line_end], quoted("hint", &words), &text[line_end..]),
            };
            prop_assert_ne!(&mutated, text);
            let later = parse(&mutated, "later.toml").expect("valid");
            prop_assert!(check_revision(&v1_0(), &later).is_ok());
        }

        /// Changing any one profile cell is refused with exactly one problem
        /// that names that cell.
        #[test]
        fn any_profile_change_is_refused(team in 0usize..4, statements in 0usize..4, delta in 1u8..4) {
            let base = v1_1();
            let mut rows: Vec<[u8; 4]> = base.scoring.profiles.iter().map(|p| p.0).collect();
            let old = rows[team][statements];
            let new = (old + delta) % 4;
            rows[team][statements] = new;
            let render = |rows: &[[u8; 4]]| {
                let inner: Vec<String> = rows
                    .iter()
                    .map(|r| format!("[{}, {}, {}, {}]", r[0], r[1], r[2], r[3]))
                    .collect();
                format!("profiles = [{}]", inner.join(", "))
            };
            let original = render(&base.scoring.profiles.iter().map(|p| p.0).collect::<Vec<_>>());
            let text = asyncmm_model::DEFAULT_MODEL_TOML;
            prop_assert!(text.contains(&original));
            let later = parse(&text.replacen(&original, &render(&rows), 1), "later.toml").expect("valid");
            let err = check_revision(&v1_0(), &later).expect_err("refused");
            prop_assert_eq!(err.problems.len(), 1);
            let expected = format!(
                "the profile of a level-{team} team expects {new} on level-{statements} statements here but {old}"
            );
            prop_assert!(err.problems[0].message.starts_with(&expected), "{}", err.problems[0].message);
        }
    }
}
