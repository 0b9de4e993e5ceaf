//! Saved evidence through the binary: `scan … --team --save`, waivers
//! (shown as waived, never dropped), the evidence history, nothing stored
//! for a failed scan, and perception vs evidence in every format.

#[path = "../../evidence/tests/common/mod.rs"]
mod fixtures;

mod common;

use common::Env;
use predicates::prelude::*;
use serde_json::Value;

const WINDOW: [&str; 4] = ["--since", "2024-01-01", "--until", "2024-06-30"];

fn repo(env: &Env) -> std::path::PathBuf {
    fixtures::build_repo(&env.dir.path().join("repo"), &fixtures::known_commits())
}

fn scan(env: &Env, repo: &std::path::Path, extra: &[&str]) -> std::process::Output {
    env.cmd()
        .env_remove("ASYNCMM_PSEUDONYM_SALT")
        .args(["scan", "git"])
        .arg(repo)
        .args(WINDOW)
        .args(extra)
        .output()
        .expect("runs")
}

fn rule<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["evaluation"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["rule"] == id)
        .expect("rule")
}

fn area<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["evaluation"]["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .find(|a| a["area"] == id)
        .expect("area")
}

#[test]
fn a_saved_scan_is_the_teams_evidence_with_ids_and_no_names() {
    let env = Env::new();
    let repo = repo(&env);
    let out = scan(&env, &repo, &["--team", "Platform", "--save", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("as evidence #1 of team \"Platform\""), "{stderr}");
    let printed: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(area(&printed, "documentation")["level"], 2);

    let history = env.json(&["evidence", "history", "--team", "Platform", "--format", "json"]);
    let scans = history["scans"].as_array().expect("scans");
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0]["source"], "git");
    assert_eq!(scans[0]["areas"][0], serde_json::json!(["documentation", 2]));
    let text = env.ok(&["evidence", "history", "--team", "Platform"]);
    assert!(text.contains("Documentation | Decision making"), "{text}");

    // The same person gets the same pseudonym in a second run: the salt is
    // the organisation's, kept in the store.
    let again = scan(&env, &repo, &["--team", "Platform", "--format", "json"]);
    let again: Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!(printed["scans"][0]["people"], again["scans"][0]["people"]);

    // Nothing in the database names a person.
    let bytes = std::fs::read(&env.database).expect("database file");
    let stored = String::from_utf8_lossy(&bytes);
    assert!(
        !stored.contains("@example.org") && !stored.contains("Dee"),
        "a name was stored"
    );
}

#[test]
fn names_are_never_saved_and_a_failed_scan_stores_nothing() {
    let env = Env::new();
    let repo = repo(&env);
    env.cmd()
        .args(["scan", "git"])
        .arg(&repo)
        .args(["--team", "Platform", "--save", "--show-names"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--show-names"));
    env.cmd()
        .args(["scan", "git", "--save"])
        .arg(&repo)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--team"));
    let not_a_repo = env.dir.path().join("plain");
    std::fs::create_dir_all(&not_a_repo).expect("dir");
    let out = scan(&env, &not_a_repo, &["--team", "Platform", "--save"]);
    assert_eq!(out.status.code(), Some(1));
    // No commits by people in the window: an error, and nothing saved.
    env.cmd()
        .args(["scan", "git"])
        .arg(&repo)
        .args([
            "--team",
            "Platform",
            "--save",
            "--since",
            "2030-01-01",
            "--until",
            "2030-02-01",
        ])
        .assert()
        .code(1);
    env.cmd()
        .args(["evidence", "history", "--team", "Platform"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("team \"Platform\" has no saved evidence yet"));
}

#[test]
fn a_waived_rule_is_shown_with_its_reason_and_leaves_the_level_until_it_expires() {
    let env = Env::new();
    let repo = repo(&env);
    let out = env.ok(&[
        "evidence",
        "waive",
        "--team",
        "Platform",
        "--rule",
        "documentation.basics",
        "--reason",
        "our docs live in the handbook repository",
        "--until",
        "2999-12-31",
    ]);
    assert!(
        out.contains("rule documentation.basics is waived for team \"Platform\" until 2999-12-31"),
        "{out}"
    );
    let out = scan(&env, &repo, &["--team", "Platform", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let basics = rule(&doc, "documentation.basics");
    assert_eq!(basics["waived"]["reason"], "our docs live in the handbook repository");
    assert_eq!(basics["waived"]["until"], "2999-12-31");
    assert_eq!(basics["suggested"], 2, "a waived rule keeps its finding");
    // fresh (1) and owned (2) are left: the lower median is 1.
    let docs = area(&doc, "documentation");
    assert_eq!(docs["level"], 1);
    assert_eq!(docs["rules_waived"], 1);
    let text = scan(&env, &repo, &["--team", "Platform"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("WAIVED until 2999-12-31: our docs live in the handbook repository"),
        "{text}"
    );

    let list = env.json(&["evidence", "waivers", "--team", "Platform", "--format", "json"]);
    assert_eq!(list["waivers"][0]["rule"], "documentation.basics");
    assert_eq!(list["waivers"][0]["active"], true);

    // A day that has passed is refused; so is an empty reason.
    env.cmd()
        .args([
            "evidence",
            "waive",
            "--team",
            "Platform",
            "--rule",
            "documentation.fresh",
        ])
        .args(["--reason", "x", "--until", "2000-01-01"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("2000-01-01 has passed"));
    env.cmd()
        .args([
            "evidence",
            "waive",
            "--team",
            "Platform",
            "--rule",
            "documentation.fresh",
        ])
        .args(["--reason", " ", "--until", "2999-01-01"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reason"));

    env.ok(&[
        "evidence",
        "unwaive",
        "--team",
        "Platform",
        "--rule",
        "documentation.basics",
    ]);
    let out = scan(&env, &repo, &["--team", "Platform", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(rule(&doc, "documentation.basics")["waived"], Value::Null);
    assert_eq!(area(&doc, "documentation")["level"], 2);
    env.cmd()
        .args([
            "evidence",
            "unwaive",
            "--team",
            "Platform",
            "--rule",
            "documentation.basics",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
}

/// A closed round of five quick responses: documentation 0, decision
/// making 3, work tracking 1, meetings 2, leadership 1.
fn closed_round(env: &Env, team: &str) {
    env.ok(&["team", "add", team]);
    let out = env.ok(&["round", "open", "--team", team, "--tokens", "0"]);
    let id = out
        .split_whitespace()
        .skip_while(|w| *w != "round")
        .nth(1)
        .expect("round id printed")
        .to_string();
    let rows = "documentation,decision-making,work-tracking,meetings,leadership-culture\n0,3,1,2,1\n";
    let csv = env.write("answers.csv", &format!("{rows}{}", "0,3,1,2,1\n".repeat(4)));
    env.cmd().args(["round", "import", &id]).arg(&csv).assert().success();
    env.ok(&["round", "close", &id]);
}

#[test]
fn perception_vs_evidence_flags_gaps_in_every_format() {
    let env = Env::new();
    let repo = repo(&env);
    closed_round(&env, "Platform");
    let out = scan(&env, &repo, &["--team", "Platform", "--save"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let json = env.json(&["report", "--team", "Platform", "--evidence", "--format", "json"]);
    assert_eq!(json["schema"], "asyncmm.perception/1");
    assert!(
        json["survey_from"].as_str().unwrap_or("").starts_with("round 1"),
        "{json}"
    );
    let areas = json["areas"].as_array().expect("areas");
    let docs = &areas[0];
    assert_eq!(docs["survey"]["number"], 0);
    assert_eq!(docs["evidence"]["number"], 2);
    assert_eq!(docs["gap"], 2);
    assert_eq!(docs["flagged"], true);
    assert!(
        docs["verdict"]
            .as_str()
            .unwrap_or("")
            .starts_with("The team rates Documentation 0 Unaware; the evidence suggests 2 Defined because "),
        "{docs}"
    );
    let fired = docs["fired"].as_array().expect("fired");
    assert!(
        fired
            .iter()
            .any(|r| r["rule"] == "documentation.fresh" && r["value_text"] == "140.5 days")
    );
    let meetings = areas.iter().find(|a| a["area"] == "meetings").expect("meetings");
    assert_eq!(meetings["evidence"], Value::Null);
    assert_eq!(
        meetings["verdict"],
        "No evidence for Meetings: none of its 6 rules had data."
    );

    let text = env.ok(&["report", "--team", "Platform", "--evidence"]);
    assert!(
        text.contains("Documentation            0 Unaware        2 Defined        +2  <- gap"),
        "{text}"
    );
    assert!(
        text.contains("git.docs_freshness_lag_days = 140.5 days → level 1 Initial (documentation.fresh)"),
        "{text}"
    );
    let md = env.ok(&["report", "--team", "Platform", "--evidence", "--format", "md"]);
    assert!(
        md.contains("| Documentation | 0 Unaware | 2 Defined | **+2** |"),
        "{md}"
    );
    let html = env.ok(&["report", "--team", "Platform", "--evidence", "--format", "html"]);
    assert!(html.contains("<span class=\"flag\">+2</span>"), "{html}");
    assert!(html.contains("No evidence for Meetings"), "{html}");
}

#[test]
fn without_a_round_the_survey_side_says_so() {
    let env = Env::new();
    let repo = repo(&env);
    let out = scan(&env, &repo, &["--team", "Platform", "--save"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json = env.json(&["report", "--team", "Platform", "--evidence", "--format", "json"]);
    assert_eq!(json["survey_from"], Value::Null);
    assert_eq!(json["areas"][0]["flagged"], false);
    assert!(
        json["areas"][0]["verdict"]
            .as_str()
            .unwrap_or("")
            .starts_with("No survey result to compare with"),
        "{json}"
    );
}

/// A two-week window with one weekly hour-long sync of six people, no
/// agenda: a meeting that could be written, at 1.0 person-hours a week.
const SYNC_CALENDAR: &str = "BEGIN:VCALENDAR\nX-WR-CALNAME:lead@x.org\nBEGIN:VEVENT\nUID:sync-1\n\
SUMMARY:Weekly sync\nDTSTART:20240304T100000Z\nDTEND:20240304T110000Z\nRRULE:FREQ=WEEKLY\n\
ATTENDEE:mailto:lead@x.org\nATTENDEE:mailto:a@x.org\nATTENDEE:mailto:b@x.org\n\
ATTENDEE:mailto:c@x.org\nATTENDEE:mailto:d@x.org\nATTENDEE:mailto:e@x.org\nEND:VEVENT\nEND:VCALENDAR\n";
const CALENDAR_WINDOW: [&str; 4] = ["--since", "2024-03-04", "--until", "2024-03-17"];

fn calendars(env: &Env) -> std::path::PathBuf {
    let dir = env.dir.path().join("calendars");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("lead.ics"), SYNC_CALENDAR).expect("write");
    dir
}

#[test]
fn scan_all_runs_every_source_of_the_file_and_names_the_one_that_failed() {
    let env = Env::new();
    repo(&env);
    calendars(&env);
    let file = env.write(
        "scan.toml",
        "[scan]\nteam = \"Platform\"\nsince = \"2024-01-01\"\n\n[[scan.git]]\npath = \"repo\"\n\n\
         [[scan.calendar]]\npaths = [\"calendars\"]\n\n[[scan.slack]]\nexport = \"missing.zip\"\n",
    );
    let out = env
        .cmd()
        .env_remove("ASYNCMM_PSEUDONYM_SALT")
        .args(["scan", "all", "--config"])
        .arg(&file)
        .args(["--until", "2024-03-17", "--save", "--format", "json"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("slack ") && stderr.contains("missing.zip: could not be read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 of 3 sources of") && stderr.contains("the report covers the others"),
        "{stderr}"
    );
    // One report over the two sources that could be read, both saved.
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let sources: Vec<&str> = doc["scans"]
        .as_array()
        .expect("scans")
        .iter()
        .map(|s| s["source"].as_str().expect("source"))
        .collect();
    assert_eq!(sources, ["git", "calendar"]);
    assert!(
        stderr.contains("saved the git scan") && stderr.contains("saved the calendar scan"),
        "{stderr}"
    );
    let history = env.json(&["evidence", "history", "--team", "Platform", "--format", "json"]);
    let saved: Vec<&str> = history["scans"]
        .as_array()
        .expect("scans")
        .iter()
        .map(|s| s["source"].as_str().expect("source"))
        .collect();
    assert_eq!(saved, ["git", "calendar"]);
}

#[test]
fn a_broken_scan_file_is_located_and_reads_nothing() {
    let env = Env::new();
    let file = env.write(
        "scan.toml",
        "[scan]\n[[scan.calendar]]\npaths = [\"c\"]\nzone = \"Mars/Olympus\"\n",
    );
    let out = env
        .cmd()
        .args(["scan", "all", "--config"])
        .arg(&file)
        .args(["--team", "Platform", "--save"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scan.toml:4:8") && stderr.contains("Mars/Olympus"),
        "{stderr}"
    );
    env.fails(&["scan", "all"], "scan all needs a scan file: --config scan.toml");
    let teamless = env.write("teamless.toml", "[scan]\n[[scan.calendar]]\npaths = [\"c\"]\n");
    env.fails(
        &["scan", "all", "--config", teamless.to_str().expect("utf-8"), "--save"],
        "--save needs a team: --team T or team = \"T\" in the [scan] table",
    );
    env.fails(&["evidence", "history", "--team", "Platform"], "no saved evidence");
}

#[test]
fn calendars_default_to_a_quarter_and_other_sources_to_half_a_year() {
    let env = Env::new();
    let dir = calendars(&env);
    let out = env.ok(&[
        "scan",
        "calendar",
        dir.to_str().expect("utf-8"),
        "--until",
        "2024-03-17",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&out).expect("json");
    let window = &doc["scans"][0]["window"];
    let day = |field: &str| {
        time::OffsetDateTime::parse(
            window[field].as_str().expect("time"),
            &time::format_description::well_known::Rfc3339,
        )
        .expect("rfc 3339")
    };
    assert_eq!((day("until") - day("since")).whole_days(), 90, "{window}");
    let repo = repo(&env);
    let out = env.ok(&[
        "scan",
        "git",
        repo.to_str().expect("utf-8"),
        "--until",
        "2024-06-30",
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&out).expect("json");
    let window = &doc["scans"][0]["window"];
    let since = time::OffsetDateTime::parse(
        window["since"].as_str().expect("t"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("t");
    let until = time::OffsetDateTime::parse(
        window["until"].as_str().expect("t"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("t");
    assert_eq!((until - since).whole_days(), 180, "{window}");
}

#[test]
fn plan_suggest_offers_meetings_that_could_be_written_once() {
    let env = Env::new();
    env.ok(&["team", "add", "Platform"]);
    let answers = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/answers-detailed.toml");
    env.ok(&[
        "assess",
        "--team",
        "Platform",
        "--detailed",
        "--answers",
        answers.to_str().expect("utf-8"),
    ]);
    // Without calendar evidence there is nothing about meetings to offer.
    let before = env.json(&["plan", "suggest", "--team", "Platform", "--format", "json"]);
    assert_eq!(before["meetings"], serde_json::json!([]));
    let dir = calendars(&env);
    let mut args = vec!["scan", "calendar", dir.to_str().expect("utf-8")];
    args.extend(CALENDAR_WINDOW);
    args.extend(["--team", "Platform", "--save"]);
    env.ok(&args);

    let suggested = env.json(&["plan", "suggest", "--team", "Platform", "--format", "json"]);
    let meetings = suggested["meetings"].as_array().expect("meetings");
    assert_eq!(meetings.len(), 1, "{suggested}");
    let meeting = &meetings[0];
    assert_eq!(meeting["attendees"], 6);
    assert_eq!(meeting["person_hours_per_week"], 1.0);
    assert_eq!(
        meeting["statements"],
        serde_json::json!(["meetings.2.1", "meetings.3.2"])
    );
    let id = meeting["meeting"].as_str().expect("id");
    let title = meeting["title"].as_str().expect("title");
    assert!(
        title.contains(&format!("meeting {id}")) && title.contains("written update"),
        "{title}"
    );
    assert!(!suggested.to_string().contains("Weekly sync"), "a title was stored");
    // Numbered after the statement candidates, in text as in `--accept`.
    let number = suggested["candidates"].as_array().expect("candidates").len() + 1;
    let text = env.ok(&["plan", "suggest", "--team", "Platform"]);
    assert!(text.contains("Meetings that could be written"), "{text}");
    assert!(
        text.contains(&format!("{number:>3}. [meetings.2.1, meetings.3.2] {title}")),
        "{text}"
    );

    env.ok(&["plan", "suggest", "--team", "Platform", "--accept", &number.to_string()]);
    let actions = env.json(&["plan", "action", "list", "--team", "Platform", "--format", "json"]);
    let action = actions
        .as_array()
        .or_else(|| actions["actions"].as_array())
        .expect("actions")
        .iter()
        .find(|a| a["title"] == title)
        .cloned()
        .expect("the accepted meeting action");
    assert_eq!(
        action["statements"],
        serde_json::json!(["meetings.2.1", "meetings.3.2"])
    );
    let again = env.json(&["plan", "suggest", "--team", "Platform", "--format", "json"]);
    assert_eq!(again["meetings"][0]["planned"], action["id"]);
    let number = again["candidates"].as_array().expect("candidates").len() + 1;
    env.fails(
        &["plan", "suggest", "--team", "Platform", "--accept", &number.to_string()],
        &format!("(meeting {id}) is already planned as action #"),
    );
    // Focused on another area, meetings are not offered.
    let other = env.json(&[
        "plan",
        "suggest",
        "--team",
        "Platform",
        "--area",
        "documentation",
        "--format",
        "json",
    ]);
    assert_eq!(other["meetings"], serde_json::json!([]));
}

#[test]
fn only_a_repository_is_said_to_be_read_at_head() {
    let env = Env::new();
    let dir = calendars(&env);
    let mut args = vec!["scan", "calendar", dir.to_str().expect("utf-8")];
    args.extend(CALENDAR_WINDOW);
    let text = env.ok(&args);
    assert!(text.contains("(activity counted in this window)"), "{text}");
    assert!(!text.contains("read at HEAD"), "{text}");
    let repo = repo(&env);
    let text = String::from_utf8(scan(&env, &repo, &[]).stdout).expect("utf-8");
    assert!(text.contains("what a repository holds is read at HEAD"), "{text}");
}
