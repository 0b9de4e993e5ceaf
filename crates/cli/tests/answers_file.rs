//! Answers files through the real binary: what a user sees when a file is
//! wrong (one `error:` line naming the file and place, exit code 1, nothing
//! stored) and how a good file's team, mode and gaps end up in the result.
//! The parser's own rules are unit- and property-tested in
//! `src/answers_file.rs`.

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::Env;

/// Answers-file helpers on top of the shared environment.
trait AssessJson {
    fn assess_json(&self, file: &Path, extra: &[&str]) -> Value;
}

impl AssessJson for Env {
    /// `assess --answers FILE --format json` plus `extra`, expected to succeed.
    fn assess_json(&self, file: &Path, extra: &[&str]) -> Value {
        let out = self
            .cmd()
            .args(["assess", "--format", "json", "--answers"])
            .arg(file)
            .args(extra)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "assess failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("valid JSON")
    }
}

/// Each bad file, and the message after `error: <path>` that it must produce.
const BAD_FILES: &[(&str, &str, &str)] = &[
    (
        "syntax.toml",
        "team = \"T\"\nmode = \"quick\n",
        ":2:14: not valid TOML: invalid basic string, expected `\"`",
    ),
    (
        "unknown-key.toml",
        "team = \"T\"\nmode = \"quick\"\nmodel = \"x\"\n[answers]\ndocumentation = 1\n",
        ":3:1: unknown key \"model\": an answers file has only \"team\", \"mode\" and \"answers\"",
    ),
    (
        "no-mode.toml",
        "team = \"T\"\n[answers]\ndocumentation = 1\n",
        ": missing \"mode\": add mode = \"quick\" (a level per area) or mode = \"detailed\" (an agreement per statement)",
    ),
    (
        "bad-mode.toml",
        "team = \"T\"\nmode = \"Quick\"\n[answers]\ndocumentation = 1\n",
        ":2:8: mode must be \"quick\" or \"detailed\", got \"Quick\"",
    ),
    (
        "unknown-statement.toml",
        "team = \"T\"\nmode = \"detailed\"\n[answers]\n\"documentation.2.1\" = 1\n\"meetings.2.4\" = 1\n",
        ":5:1: statement meetings.2.4 is not in model async-communications@1.1.0",
    ),
    (
        "unknown-area.toml",
        "team = \"T\"\nmode = \"quick\"\n[answers]\nhiring = 1\n",
        ":4:1: area \"hiring\" is not in model async-communications@1.1.0, whose areas are documentation, \
         decision-making, work-tracking, meetings, leadership-culture",
    ),
    (
        "malformed.toml",
        "team = \"T\"\nmode = \"detailed\"\n[answers]\n\"documentation.2.01\" = 1\n",
        ":4:1: \"documentation.2.01\" is not a valid statement id: a detailed file lists statement ids \
         (`area.level.n`) rated 0, 1, 2, 3 or \"dont_know\", e.g. \"documentation.2.1\" = 3",
    ),
    (
        "range.toml",
        "team = \"T\"\nmode = \"detailed\"\n[answers]\n\"documentation.2.1\" = 2.5\n",
        ":4:23: answer to documentation.2.1 must be 0, 1, 2, 3 or \"dont_know\", got 2.5",
    ),
    (
        "level.toml",
        "team = \"T\"\nmode = \"quick\"\n[answers]\nmeetings = -1\n",
        ":4:12: level of area meetings must be 0, 1, 2 or 3, got -1",
    ),
    (
        "empty.toml",
        "team = \"T\"\nmode = \"quick\"\n[answers]\n",
        ":3:1: \"answers\" is empty: a quick file needs at least one answer, as area ids with the level 0-3 \
         that fits best, e.g. documentation = 2",
    ),
    (
        "quick-with-statements.toml",
        "team = \"T\"\nmode = \"quick\"\n[answers]\n\"meetings.2.1\" = 3\n",
        ":4:1: \"meetings.2.1\" is a statement id, but mode = \"quick\" expects area ids with the level 0-3 \
         that fits best, e.g. documentation = 2; set mode = \"detailed\" to rate statements",
    ),
    (
        "detailed-with-areas.toml",
        "team = \"T\"\nmode = \"detailed\"\n[answers]\nmeetings = 3\n",
        ":4:1: \"meetings\" is an area id, but mode = \"detailed\" expects statement ids (`area.level.n`) \
         rated 0, 1, 2, 3 or \"dont_know\", e.g. \"documentation.2.1\" = 3; set mode = \"quick\" to give one \
         level per area",
    ),
    (
        "bad-team.toml",
        "team = \"\"\nmode = \"quick\"\n[answers]\ndocumentation = 1\n",
        ":1:8: team \"\": it is empty",
    ),
    (
        "invisible-team.toml",
        "team = \"Web\\u200b\"\nmode = \"quick\"\n[answers]\ndocumentation = 1\n",
        ":1:8: team \"Web\\u{200b}\": character U+200B (zero-width space) at position 4 is not allowed: invisible \
         characters make texts that look the same differ",
    ),
    (
        "syntax.json",
        "{\n  \"team\": \"T\",\n  \"mode\": \"quick\"\n  \"answers\": {}\n}\n",
        ":4:3: not valid JSON: expected `,` or `}`",
    ),
    (
        "range.json",
        "{\"team\": \"T\", \"mode\": \"detailed\", \"answers\": {\"meetings.1.1\": \"yes\"}}",
        ": answer to meetings.1.1 must be 0, 1, 2, 3 or \"dont_know\", got \"yes\"",
    ),
    (
        "duplicate.json",
        "{\"team\": \"T\", \"mode\": \"quick\", \"answers\": {\"meetings\": 1, \"meetings\": 2}}",
        ": \"meetings\" is given twice",
    ),
];

#[test]
fn bad_files_get_one_line_naming_file_and_place_and_nothing_is_stored() {
    let env = Env::new();
    for (name, text, expected) in BAD_FILES {
        let path = env.write(name, text);
        let out = env
            .cmd()
            .args(["assess", "--answers"])
            .arg(&path)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert_eq!(stderr, format!("error: {}{expected}\n", path.display()), "{name}");
        assert!(out.stdout.is_empty(), "{name} printed a report");
    }
    env.cmd()
        .args(["report", "--team", "T"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn a_missing_file_is_named() {
    let env = Env::new();
    let path = env.dir.path().join("nowhere.toml");
    env.cmd()
        .args(["assess", "--team", "T", "--answers"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(format!(
            "error: {}: could not read the answers file: ",
            path.display()
        )));
}

#[test]
fn the_team_comes_from_the_file_unless_given_on_the_command_line() {
    let env = Env::new();
    let file = env.write(
        "a.toml",
        "team = \"Platform\"\nmode = \"quick\"\n[answers]\ndocumentation = 2\n",
    );
    let from_file = env.assess_json(&file, &[]);
    assert_eq!(from_file["assessment"]["team"], "Platform");
    let overridden = env.assess_json(&file, &["--team", "Mobile"]);
    assert_eq!(overridden["assessment"]["team"], "Mobile");
}

#[test]
fn quick_json_is_stored_as_quick_answers() {
    let env = Env::new();
    let file = env.write(
        "answers",
        "{\"team\": \"Data\", \"mode\": \"quick\", \"answers\": {\"meetings\": 3, \"documentation\": 0}}",
    );
    let result = env.assess_json(&file, &[]);
    assert_eq!(result["assessment"]["mode"], "quick");
    let level = |id: &str| {
        let areas = result["areas"].as_array().expect("areas");
        let area = areas.iter().find(|a| a["id"] == id).expect("area in result");
        area["level"]["level"].clone()
    };
    assert_eq!(level("meetings"), 3);
    assert_eq!(level("documentation"), 0);
}

#[test]
fn statements_left_out_of_a_detailed_file_are_not_answered() {
    let env = Env::new();
    let file = env.write(
        "a.toml",
        "team = \"Solo\"\nmode = \"detailed\"\n[answers]\n\"documentation.2.1\" = 3\n\"documentation.3.1\" = 2\n\
         \"documentation.0.1\" = \"dont_know\"\n",
    );
    let result = env.assess_json(&file, &[]);
    for area in result["areas"].as_array().expect("areas") {
        if area["id"] == "documentation" {
            // "dont_know" is kept but, like a missing statement, not counted.
            assert_eq!(area["answered"], 2);
            assert_eq!(area["status"], "assessed");
        } else {
            assert_eq!(area["answered"], 0);
            assert_eq!(area["status"], "not_assessed");
        }
    }
}

#[cfg(unix)]
#[test]
fn endless_or_huge_inputs_are_refused_without_filling_memory() {
    let env = Env::new();
    env.cmd()
        .args(["assess", "--team", "T", "--answers", "/dev/zero"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "/dev/zero: larger than the 1 MB an answers file may be",
        ));
    env.ok(&["team", "add", "T"]);
    env.ok(&["round", "open", "--team", "T"]);
    env.cmd()
        .args(["round", "import", "1", "/dev/zero"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "/dev/zero: larger than the 256 MB an import may be",
        ));
    env.cmd()
        .args(["model", "validate", "/dev/zero"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("larger than the 16 MB a model file may be"));
    env.cmd()
        .args(["round", "tokens", "1", "--count", "100000000"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "more than the 10000 tokens one request may issue",
        ));
    let status = env.json(&["round", "status", "1", "--format", "json"]);
    assert_eq!(status["responses"], 0);
}
