//! The `asyncmm` binary end to end: real processes, a fresh SQLite file per
//! test (and a fresh PostgreSQL database when `ASYNCMM_TEST_POSTGRES_URL` is
//! set), asserting on what a user sees and on the JSON machines read.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{Env, PgDatabase};

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

/// A detailed answers file giving `pattern` (12 values, levels 0..3 × n 1..3)
/// to every area of the default model.
fn detailed_file(team: &str, pattern: [u8; 12]) -> String {
    let mut text = format!("team = \"{team}\"\nmode = \"detailed\"\n[answers]\n");
    for area in [
        "documentation",
        "decision-making",
        "work-tracking",
        "meetings",
        "leadership-culture",
    ] {
        for (i, v) in pattern.iter().enumerate() {
            text.push_str(&format!("\"{area}.{}.{}\" = {v}\n", i / 3, i % 3 + 1));
        }
    }
    text
}

const LEVEL_TWO: [u8; 12] = [0, 0, 0, 1, 0, 1, 3, 3, 3, 1, 2, 1];
const LEVEL_ONE: [u8; 12] = [1, 1, 1, 3, 3, 3, 1, 1, 1, 0, 0, 0];

#[test]
fn assess_from_file_prints_and_stores_an_explained_result() {
    let env = Env::new();
    let answers = env.write("a.toml", &detailed_file("Platform", LEVEL_TWO));
    env.cmd()
        .args(["assess", "--answers"])
        .arg(&answers)
        .assert()
        .success()
        .stdout(predicate::str::contains("Platform — assessment #1"))
        .stdout(predicate::str::contains("Documentation"))
        .stdout(predicate::str::contains("Defined (2)"))
        .stdout(predicate::str::contains("score 2.08"))
        .stdout(predicate::str::contains("to reach Optimizing"))
        .stdout(predicate::str::contains("Overall: mean score 2.08"))
        .stdout(predicate::str::contains("CC-BY-4.0"));

    let report = env.json(&["report", "--team", "Platform", "--format", "json"]);
    assert_eq!(report["schema"], "asyncmm.report/1");
    assert_eq!(report["model"]["id"], "async-communications");
    assert_eq!(report["assessment"]["mode"], "detailed");
    let areas = report["areas"].as_array().expect("areas");
    assert_eq!(areas.len(), 5);
    let docs = &areas[0];
    assert_eq!(docs["id"], "documentation");
    assert_eq!(docs["level"]["level"], 2);
    assert_eq!(docs["score"], 2.08);
    assert_eq!(docs["fit"][2]["distance"], "1/6");
    assert_eq!(docs["holding_back"][0]["statement"], "documentation.3.1");
    assert_eq!(docs["holding_back"][0]["kind"], "practice_not_yet_true");
    assert_eq!(report["overall"]["weakest"], "documentation");
}

#[test]
fn example_files_are_accepted() {
    let env = Env::new();
    for file in [
        "examples/answers-detailed.toml",
        "examples/answers-quick.toml",
        "examples/answers-quick.json",
    ] {
        env.cmd()
            .args(["assess", "--team", "Examples", "--answers"])
            .arg(repo_file(file))
            .assert()
            .success()
            .stdout(predicate::str::contains("Overall:"));
    }
    let history = env.json(&["history", "--team", "Examples", "--format", "json"]);
    assert_eq!(history["entries"].as_array().expect("entries").len(), 3);
}

#[test]
fn markdown_report_is_a_table_with_a_task_list() {
    let env = Env::new();
    let answers = env.write("a.toml", &detailed_file("Web | App", LEVEL_TWO));
    env.cmd().args(["assess", "--answers"]).arg(&answers).assert().success();
    env.cmd()
        .args(["report", "--format", "md"])
        .assert()
        .success()
        .stdout(predicate::str::contains("## Async communications: Web \\| App"))
        .stdout(predicate::str::contains("| Area | Level | Score | Answered | Notes |"))
        .stdout(predicate::str::contains(
            "| Documentation | 2 Defined | 2.08 | 12/12 |  |",
        ))
        .stdout(predicate::str::contains("- [ ] `documentation.3.1`"));
}

#[test]
fn history_shows_changes_and_regressions_in_every_format() {
    let env = Env::new();
    let first = env.write("1.toml", &detailed_file("Core", LEVEL_TWO));
    let second = env.write("2.toml", &detailed_file("Core", LEVEL_ONE));
    env.cmd().args(["assess", "--answers"]).arg(&first).assert().success();
    env.cmd().args(["assess", "--answers"]).arg(&second).assert().success();

    env.cmd()
        .args(["history", "--team", "Core"])
        .assert()
        .success()
        .stdout(predicate::str::contains("assessment #1 · self-assessment"))
        .stdout(predicate::str::contains("assessment #2 · self-assessment"))
        .stdout(predicate::str::contains("compared with assessment #1"))
        .stdout(predicate::str::contains("▼"))
        .stdout(predicate::str::contains("regression: Documentation dropped a level"));

    let json = env.json(&["history", "--team", "Core", "--format", "json"]);
    let entries = json["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["areas"][0]["delta"], Value::Null);
    assert_eq!(entries[1]["areas"][0]["trend"], "down");
    assert_eq!(entries[1]["areas"][0]["regression"], true);
    assert_eq!(entries[1]["areas"][0]["level"]["level"], 1);

    let out = env
        .cmd()
        .args(["history", "--team", "Core", "--format", "csv"])
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 2 * 5);
    assert!(lines[0].starts_with("team,kind,id,date,respondents"), "{}", lines[0]);
    assert!(lines[6].starts_with("Core,assessment,2,"), "{}", lines[6]);
    assert!(lines[6].contains(",documentation,1,Initial,"), "{}", lines[6]);
    assert!(lines[6].contains(",down,true,assessment #1,"), "{}", lines[6]);

    env.cmd()
        .args(["history", "--team", "Core", "--format", "md"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| Result | Date | Mode | Mean |"))
        .stdout(predicate::str::contains("⚠"));
}

#[test]
fn without_a_terminal_and_without_answers_it_stops_and_stores_nothing() {
    let env = Env::new();
    env.cmd()
        .args(["assess", "--team", "Solo"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a terminal"))
        .stderr(predicate::str::contains("--answers"));
    env.cmd()
        .args(["history", "--team", "Solo"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn bad_answers_are_rejected_and_nothing_is_stored() {
    let env = Env::new();
    let unknown = env.write(
        "unknown.toml",
        "team = \"T\"\nmode = \"detailed\"\n[answers]\n\"documentation.9.1\" = 2\n",
    );
    let out_of_range = env.write(
        "range.toml",
        "team = \"T\"\nmode = \"detailed\"\n[answers]\n\"documentation.2.1\" = 4\n",
    );
    let wrong_statement = env.write(
        "stmt.toml",
        "team = \"T\"\nmode = \"detailed\"\n[answers]\n\"nowhere.2.1\" = 2\n",
    );
    for file in [&unknown, &out_of_range, &wrong_statement] {
        env.cmd()
            .args(["assess", "--answers"])
            .arg(file)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(file.display().to_string()));
    }
    env.cmd()
        .args(["report", "--team", "T"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn broken_model_file_is_reported_with_line_and_column() {
    let env = Env::new();
    let text =
        asyncmm_model::DEFAULT_MODEL_TOML.replacen("id = \"documentation.1.2\"", "id = \"documentation.1.1\"", 1);
    let file = env.write("broken.toml", &text);
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("\"documentation.1.1\""))
        .nth(1)
        .map(|(i, _)| i + 1)
        .expect("duplicate present");
    env.cmd()
        .args(["model", "validate"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:{line}:6: duplicate statement id documentation.1.1",
            file.display()
        )));
    // A broken model is refused before anything is stored.
    let answers = env.write("a.toml", &detailed_file("T", LEVEL_TWO));
    env.cmd()
        .args(["assess", "--answers"])
        .arg(&answers)
        .arg("--model")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("duplicate statement id documentation.1.1"));
    env.cmd()
        .args(["history", "--team", "T"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("team \"T\" does not exist"));
}

#[test]
fn model_show_and_validate_the_default() {
    let env = Env::new();
    env.cmd()
        .args(["model", "validate"])
        .arg(repo_file("models/async-communications.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "valid model async-communications@1.1.0 with 5 areas and 60 statements",
        ))
        .stdout(predicate::str::contains(
            "a wording revision of async-communications@1.0.0 (same ids, levels and scoring), so their results compare",
        ));
    env.cmd()
        .args(["model", "validate"])
        .arg(repo_file("models/history/async-communications-1.0.0.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("valid model async-communications@1.0.0"))
        .stdout(predicate::str::contains("wording revision").not());
    let model = env.json(&["model", "show", "--format", "json"]);
    let count: usize = model["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| a["statements"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(count, 60);
    assert_eq!(model["source"]["license"], "CC-BY-4.0");
    env.cmd()
        .args(["model", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("documentation.2.1"))
        .stdout(predicate::str::contains("Level 3 Optimizing"));
    env.cmd()
        .args(["model", "show", "--format", "md"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| `meetings.3.2` |"));
}

/// Each output credits the model its data was recorded with, in full: a
/// team assessed with 1.0.0 and then with the default (1.1.0).
#[test]
fn reports_carry_the_full_credit_of_the_recorded_model() {
    let env = Env::new();
    let answers = env.write("a.toml", &detailed_file("Ops", LEVEL_TWO));
    env.cmd()
        .args(["assess", "--answers"])
        .arg(&answers)
        .arg("--model")
        .arg(repo_file("models/history/async-communications-1.0.0.toml"))
        .assert()
        .success();
    env.cmd().args(["assess", "--answers"]).arg(&answers).assert().success();

    let flat = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let old = flat(env.ok(&["report", "--assessment", "1"]));
    assert!(old.contains("(async-communications@1.0.0)"), "{old}");
    assert!(old.contains("by Rethinking async communications contributors"), "{old}");
    assert!(old.contains("Changes: The model's statements were restated"), "{old}");

    let new = flat(env.ok(&["report", "--team", "Ops"]));
    for part in [
        "(async-communications@1.1.0, a wording revision of 1.0.0)",
        "by Allison Matlack (https://github.com/amatlack/rethinking-async-communications/blob/main/maturity-model.md)",
        "itself adapted from \"How GitHub Engineering Communicates\" (https://github.com/github/how-engineering-communicates)",
        "licensed CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "Changes: asyncmm restates each of the source's 60 statements",
    ] {
        assert!(new.contains(part), "text footer lacks {part:?}: {new}");
    }
    let md = env.ok(&["report", "--team", "Ops", "--format", "md"]);
    assert!(
        md.contains("itself adapted from [How GitHub Engineering Communicates](<https://github.com/github/how-engineering-communicates>)"),
        "{md}"
    );
    let json = env.json(&["report", "--team", "Ops", "--format", "json"]);
    assert_eq!(json["model"]["source_author"], "Allison Matlack");
    assert_eq!(json["model"]["revises"], "1.0.0");

    let history = env.json(&["history", "--team", "Ops", "--format", "json"]);
    let versions: Vec<&str> = history["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| m["version"].as_str().expect("version"))
        .collect();
    assert_eq!(versions, ["1.0.0", "1.1.0"]);
    let page = env.ok(&["history", "--team", "Ops", "--format", "html"]);
    let footer = &page[page.find("<footer>").expect("footer")..];
    assert!(footer.contains("(async-communications@1.0.0)"), "{footer}");
    assert!(footer.contains("by Allison Matlack"), "{footer}");
}

/// The default model with its first `from` replaced by `to`, written to
/// `name`.
fn mutated_default(env: &Env, name: &str, from: &str, to: &str) -> (PathBuf, String) {
    let text = asyncmm_model::DEFAULT_MODEL_TOML.replacen(from, to, 1);
    assert_ne!(text, asyncmm_model::DEFAULT_MODEL_TOML, "mutation {from:?} must apply");
    (env.write(name, &text), text)
}

fn position(text: &str, needle: &str) -> String {
    let (line, column) = asyncmm_model::line_column(text, text.find(needle).expect("needle"));
    format!("{line}:{column}")
}

#[test]
fn validate_refuses_a_revision_that_changes_an_id() {
    let env = Env::new();
    let (file, text) = mutated_default(&env, "renamed.toml", "id = \"meetings.2.1\"", "id = \"meetings.2.7\"");
    env.cmd()
        .args(["model", "validate"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "{}:{}: statement meetings.2.7 is not in async-communications@1.0.0: a revision keeps the same statement ids",
            file.display(),
            position(&text, "\"meetings.2.7\"")
        )))
        .stderr(predicate::str::contains(format!(
            "{}:{}: statement meetings.2.1 of async-communications@1.0.0 is missing from area \"meetings\"",
            file.display(),
            position(&text, "\"meetings\"\nname = \"Meetings\"")
        )));
    // The same file as a new model (no `revises`) is valid on its own.
    let (file, _) = mutated_default(
        &env,
        "new-model.toml",
        "version = \"1.1.0\"\nrevises = \"1.0.0\"",
        "version = \"2.0.0\"",
    );
    env.ok(&["model", "validate", file.to_str().expect("utf-8")]);
}

#[test]
fn validate_checks_a_custom_revision_against_the_earlier_file() {
    let env = Env::new();
    let earlier_text = asyncmm_model::DEFAULT_MODEL_TOML
        .replacen("id = \"async-communications\"", "id = \"our-model\"", 1)
        .replacen("version = \"1.1.0\"\nrevises = \"1.0.0\"", "version = \"3\"", 1);
    let earlier = env.write("ours-3.toml", &earlier_text);
    let later_text = earlier_text
        .replacen("version = \"3\"", "version = \"3.1\"\nrevises = \"3\"", 1)
        .replacen(
            "Meetings are our team's default way",
            "Meetings are how our team by default tends",
            1,
        );
    let later = env.write("ours-3.1.toml", &later_text);

    // Without the earlier file there is nothing to check the claim against.
    env.cmd()
        .args(["model", "validate"])
        .arg(&later)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:{}: `revises = \"3\"` names our-model@3, which is not built in; check it against the earlier model file with `asyncmm model validate {} --revises EARLIER.toml`",
            later.display(),
            position(&later_text, "\"3\"\ntitle"),
            later.display()
        )));
    env.cmd()
        .args(["model", "validate"])
        .arg(&later)
        .arg("--revises")
        .arg(&earlier)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "{}: a wording revision of our-model@3",
            later.display()
        )));

    // A changed profile or beta is not a wording revision.
    let changed = env.write(
        "ours-3.2.toml",
        &later_text
            .replacen("beta = 6.0", "beta = 5.0", 1)
            .replacen("[0, 0, 3, 3]]", "[0, 1, 3, 3]]", 1),
    );
    env.cmd()
        .args(["model", "validate"])
        .arg(&changed)
        .arg("--revises")
        .arg(&earlier)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("scoring beta is 5 here but 6 in our-model@3"))
        .stderr(predicate::str::contains(
            "the profile of a level-3 team expects 1 on level-1 statements here but 0 in our-model@3",
        ));
    // A file that doesn't claim to revise the earlier one is refused too.
    env.cmd()
        .args(["model", "validate"])
        .arg(&earlier)
        .arg("--revises")
        .arg(&earlier)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a revision of our-model@3 must say so"));
}

#[test]
fn model_show_includes_hints_and_change_notes() {
    let env = Env::new();
    let model = env.json(&["model", "show", "--format", "json"]);
    let meetings = &model["areas"][3];
    assert_eq!(meetings["id"], "meetings");
    let statement = &meetings["statements"][5];
    assert_eq!(statement["id"], "meetings.1.3");
    assert_eq!(
        statement["hint"],
        "If your team holds no offsites, answer \"don't know\"."
    );
    assert_eq!(meetings["statements"][0]["hint"], Value::Null);
    assert_eq!(model["revises"], "1.0.0");
    let changes = model["changes"].as_array().expect("changes");
    let drift = changes
        .iter()
        .find(|c| c["id"] == "meetings.3.2" && c["part"] == "text")
        .expect("meetings.3.2 noted");
    assert_eq!(drift["version"], "1.1.0");
    assert!(drift["reason"].as_str().is_some_and(|r| r.starts_with("Real drift")));
    assert_eq!(model["source"]["adapted_from"], "How GitHub Engineering Communicates");

    let text = env.ok(&["model", "show"]);
    let at = text.find("meetings.1.3").expect("statement listed");
    let after = text[at..].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        after.contains("without a strategic focus. Hint: If your team holds no offsites, answer \"don't know\"."),
        "{after}"
    );
    assert!(
        text.contains("Wording revision of async-communications@1.0.0"),
        "{text}"
    );
    assert!(text.contains("== Changes =="), "{text}");
    assert!(text.contains("\n  1.1.0 meetings.3.2 (text)\n"), "{text}");
    assert!(text.contains("\n  1.1.0 level.3 (meaning)\n"), "{text}");

    let md = env.ok(&["model", "show", "--format", "md"]);
    assert!(
        md.lines().any(|l| l.starts_with("| `meetings.2.3` |")
            && l.contains("| If your team holds no offsites, answer \"don't know\". |")),
        "{md}"
    );
    assert!(md.contains("| 1.1.0 | `leadership-culture.1.2` | text |"), "{md}");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
    let env = Env::new();
    let path = env.write("notes.db", "these are my notes, not a database\n");
    let mut cmd = Command::cargo_bin("asyncmm").expect("binary");
    cmd.env_remove("ASYNCMM_DATABASE_URL")
        .args(["--database"])
        .arg(&path)
        .args(["history"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not an SQLite database"));
    assert_eq!(
        std::fs::read_to_string(&path).expect("still there"),
        "these are my notes, not a database\n"
    );
}

#[test]
fn an_unknown_database_url_is_refused() {
    Command::cargo_bin("asyncmm")
        .expect("binary")
        .env_remove("ASYNCMM_DATABASE_URL")
        .args(["--database", "mysql://root@127.0.0.1/test", "history"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("mysql://"));
}

#[test]
fn an_unreachable_postgres_server_is_named_without_its_password() {
    Command::cargo_bin("asyncmm")
        .expect("binary")
        .env_remove("ASYNCMM_DATABASE_URL")
        .args(["--database", "postgres://me:hunter2@127.0.0.1:1/nope", "history"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("127.0.0.1:1"))
        .stderr(predicate::str::contains("hunter2").not());
}

#[test]
fn database_url_comes_from_the_environment() {
    let env = Env::new();
    let answers = env.write("a.toml", &detailed_file("EnvTeam", LEVEL_TWO));
    Command::cargo_bin("asyncmm")
        .expect("binary")
        .env("ASYNCMM_DATABASE_URL", &env.database)
        .args(["assess", "--answers"])
        .arg(&answers)
        .assert()
        .success();
    env.cmd()
        .args(["report", "--team", "EnvTeam"])
        .assert()
        .success()
        .stdout(predicate::str::contains("EnvTeam"));
}

#[test]
fn postgres_backend_through_the_cli() {
    let Some(pg) = PgDatabase::create("cli") else { return };
    let env = pg.env();
    let answers = env.write("a.toml", &detailed_file("Pg", LEVEL_TWO));
    env.cmd().args(["assess", "--answers"]).arg(&answers).assert().success();
    let report = env.json(&["report", "--team", "Pg", "--format", "json"]);
    assert_eq!(report["areas"][0]["score"], 2.08);
}

#[test]
fn check_gates_on_minimum_levels() {
    let env = Env::new();
    let answers = env.write("a.toml", &detailed_file("Gate", LEVEL_TWO));
    env.cmd().args(["assess", "--answers"]).arg(&answers).assert().success();
    env.cmd()
        .args(["check", "--team", "Gate", "--min-level", "documentation=2,meetings=1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("passed: Gate (assessment #1)"));
    env.cmd()
        .args(["check", "--team", "Gate", "--min-level", "documentation=3,meetings=2"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL documentation"))
        .stdout(predicate::str::contains("1 level(s) short"))
        .stderr(predicate::str::contains("below the bar in: documentation"));
    let out = env
        .cmd()
        .args(["check", "--team", "Gate", "--min-level", "3", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["pass"], false);
    assert_eq!(json["areas"].as_array().map(Vec::len), Some(5));
    env.cmd()
        .args(["check", "--team", "Gate", "--min-level", "docs=2"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\"docs\" is not an area of model"));
    // An area given twice is refused rather than one bar silently winning.
    env.cmd()
        .args([
            "check",
            "--team",
            "Gate",
            "--min-level",
            "documentation=2,documentation=1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("documentation is given twice"));
    // Areas and levels by name too.
    env.cmd()
        .args(["check", "--team", "Gate", "--min-level", "Documentation=Defined"])
        .assert()
        .success();
}

#[test]
fn check_against_goals_enforces_goals_that_are_due() {
    let env = Env::new();
    let answers = env.write("a.toml", &detailed_file("Goals", LEVEL_TWO));
    env.cmd().args(["assess", "--answers"]).arg(&answers).assert().success();
    env.cmd()
        .args(["check", "--team", "Goals", "--against-goals"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no goals to check against"));
    // Due (a past date, accepted with a warning) and not yet due.
    env.cmd()
        .args([
            "plan",
            "goal",
            "set",
            "--team",
            "Goals",
            "--area",
            "meetings",
            "--level",
            "3",
            "--by",
            "2020-01-01",
        ])
        .assert()
        .success();
    env.cmd()
        .args([
            "plan",
            "goal",
            "set",
            "--team",
            "Goals",
            "--area",
            "documentation",
            "--level",
            "3",
            "--by",
            "2099-01-01",
        ])
        .assert()
        .success();
    env.cmd()
        .args(["check", "--team", "Goals", "--against-goals"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL meetings"))
        .stdout(predicate::str::contains(
            "not due: documentation → level 3 by 2099-01-01",
        ));
    // An explicit minimum and a due goal: the stricter applies.
    env.cmd()
        .args([
            "check",
            "--team",
            "Goals",
            "--against-goals",
            "--min-level",
            "meetings=1",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("needs 3"));
}

#[test]
fn a_wording_revision_keeps_one_trend_and_a_false_revision_is_refused() {
    let env = Env::new();
    let old_model =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/history/async-communications-1.0.0.toml");
    let first = env.write("1.toml", &detailed_file("Core", LEVEL_ONE));
    let second = env.write("2.toml", &detailed_file("Core", LEVEL_TWO));
    env.cmd()
        .args(["assess", "--answers"])
        .arg(&first)
        .arg("--model")
        .arg(&old_model)
        .assert()
        .success();
    env.cmd().args(["assess", "--answers"]).arg(&second).assert().success();
    let history = env.ok(&["history", "--team", "Core"]);
    assert!(history.contains("async-communications@1.0.0"), "{history}");
    assert!(history.contains("async-communications@1.1.0"), "{history}");
    assert!(
        history.contains("compared with assessment #1 (wording revised in 1.1.0)"),
        "{history}"
    );
    assert!(history.contains("▲"), "{history}");
    let json = env.json(&["history", "--team", "Core", "--format", "json"]);
    assert_eq!(json["entries"][1]["wording_revised_in"], "1.1.0");
    assert_eq!(json["entries"][1]["break"], Value::Null);
    assert_eq!(json["entries"][1]["areas"][0]["trend"], "up");

    // A "revision" that changes the scoring is a new questionnaire: its
    // results would not compare, so the claim is refused before anything is
    // stored under it.
    let tampered = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/async-communications.toml"),
    )
    .expect("model")
    .replace("version = \"1.1.0\"", "version = \"1.2.0\"")
    .replace("beta = 6.0", "beta = 5.0");
    let tampered = env.write("tampered.toml", &tampered);
    let third = env.write("3.toml", &detailed_file("Core", LEVEL_TWO));
    env.cmd()
        .args(["assess", "--answers"])
        .arg(&third)
        .arg("--model")
        .arg(&tampered)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("beta"));
    assert_eq!(
        env.json(&["history", "--team", "Core", "--format", "json"])["entries"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

/// Quick mode: three areas at the lowest level tie, and the report says so
/// instead of naming one of them.
#[test]
fn quick_mode_names_every_tied_weakest_area() {
    let env = Env::new();
    let file = env.write(
        "tie.toml",
        "team = \"Solo\"\nmode = \"quick\"\n[answers]\ndocumentation = 1\ndecision-making = 1\nwork-tracking = 2\nmeetings = 1\nleadership-culture = 3\n",
    );
    let out = env
        .cmd()
        .args(["assess", "--answers"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = env.ok(&["report", "--team", "Solo"]);
    assert!(
        text.contains("weakest areas (tied): Documentation, Decision making and Meetings"),
        "{text}"
    );
    let json = env.json(&["report", "--team", "Solo", "--format", "json"]);
    assert_eq!(
        json["overall"]["weakest_tied"],
        serde_json::json!(["Documentation", "Decision making", "Meetings"])
    );
}
