//! The interactive questionnaire driven through a pseudo-terminal, as a
//! person at a keyboard would: quick and detailed `assess`, `respond` to a
//! round, Ctrl-C half way (nothing stored), going back a question, the
//! review before saving, Esc asking before it throws answers away, and
//! colour on a terminal unless NO_COLOR is set.
#![cfg(unix)]

use rexpect::session::{PtySession, spawn_command};
use serde_json::Value;

mod common;
use common::Env;

/// The arrow-down key as a terminal sends it.
const DOWN: &str = "\x1b[B";

fn spawn(env: &Env, args: &[&str], color: bool) -> PtySession {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("asyncmm"));
    cmd.env_remove("ASYNCMM_DATABASE_URL")
        .env("TERM", "xterm-256color")
        .arg("--database")
        .arg(&env.database)
        .args(args);
    if color {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    spawn_command(cmd, Some(30_000)).expect("spawn in a pseudo-terminal")
}

/// Waits for question `[index/total]` and picks the option `down` places
/// below the first.
fn answer(p: &mut PtySession, index: usize, total: usize, down: usize) {
    p.exp_string(&format!("[{index}/{total}]")).expect("question shown");
    for _ in 0..down {
        p.send(DOWN).expect("arrow");
    }
    p.send("\r").expect("enter");
    p.flush().expect("flush");
}

/// Waits for the review after the last question and saves.
fn save(p: &mut PtySession) {
    p.exp_string("Save, or change an area?").expect("review shown");
    p.send("\r").expect("enter");
    p.flush().expect("flush");
}

/// Everything the process writes until it exits, and its exit code.
fn finish(mut p: PtySession) -> (String, i32) {
    let rest = p.exp_eof().expect("ends");
    let status = p.process().wait().expect("exit status");
    let code = match status {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("did not exit normally: {other:?}"),
    };
    (rest, code)
}

fn latest_levels(env: &Env, team: &str) -> Vec<(String, Value)> {
    let report = env.json(&["report", "--team", team, "--format", "json"]);
    report["areas"]
        .as_array()
        .expect("areas in the report")
        .iter()
        .map(|a| {
            (
                a["id"].as_str().expect("area id").to_string(),
                a["level"]["level"].clone(),
            )
        })
        .collect()
}

#[test]
fn quick_assessment_in_a_terminal_stores_the_chosen_levels() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    let mut p = spawn(&env, &["assess", "--team", "Web"], false);
    // Level 0, 1, 2, 3, 0 for the five areas (options are listed from 0).
    for i in 1..=5 {
        answer(&mut p, i, 5, (i - 1) % 4);
    }
    save(&mut p);
    let (out, code) = finish(p);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("saved as assessment #1 of \"Web\""), "{out}");
    let levels = latest_levels(&env, "Web");
    assert_eq!(levels.len(), 5, "{levels:?}");
    let expected = [0, 1, 2, 3, 0];
    for ((area, level), want) in levels.iter().zip(expected) {
        assert_eq!(level.as_u64(), Some(want), "{area}: {levels:?}");
    }
}

#[test]
fn detailed_assessment_in_a_terminal_asks_every_statement() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    let mut p = spawn(&env, &["assess", "--team", "Web", "--detailed"], false);
    for i in 1..=60 {
        answer(&mut p, i, 60, 0);
    }
    save(&mut p);
    let (out, code) = finish(p);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("saved as assessment #1 of \"Web\""), "{out}");
    let history = env.json(&["history", "--team", "Web", "--format", "json"]);
    assert_eq!(history["entries"].as_array().map(Vec::len), Some(1), "{history}");
    assert_eq!(history["entries"][0]["mode"], "detailed", "{history}");
    // The first option of every question is "0 — not true for us".
    assert_eq!(history["entries"][0]["source"]["respondents"], 1, "{history}");
}

#[test]
fn ctrl_c_half_way_stores_nothing() {
    let env = Env::new();
    let mut p = spawn(&env, &["assess", "--team", "Brand-new"], false);
    answer(&mut p, 1, 5, 2);
    p.exp_string("[2/5]").expect("second question");
    p.send_control('c').expect("ctrl-c");
    let (out, code) = finish(p);
    assert_eq!(code, 130, "{out}");
    assert!(out.contains("cancelled: nothing was stored"), "{out}");
    let teams = env.json(&["team", "list", "--format", "json"]);
    assert_eq!(
        teams["organisation"],
        serde_json::json!([]),
        "not even the new team: {teams}"
    );
    assert_eq!(teams["self_assessed_only"], serde_json::json!([]), "{teams}");

    // A respondent who stops half way leaves the round as it was.
    env.ok(&["team", "add", "Web"]);
    let opened = env.ok(&["round", "open", "--team", "Web", "--mode", "detailed", "--tokens", "1"]);
    let token = opened
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 32)
        .expect("a token")
        .to_string();
    let mut p = spawn(&env, &["respond", &token], false);
    for i in 1..=10 {
        answer(&mut p, i, 60, 1);
    }
    p.exp_string("[11/60]").expect("eleventh question");
    p.send_control('c').expect("ctrl-c");
    let (out, code) = finish(p);
    assert_eq!(code, 130, "{out}");
    let status = env.json(&["round", "status", "1", "--format", "json"]);
    assert_eq!(status["responses"], 0, "{status}");

    // The same token still works afterwards, answered in full.
    let mut p = spawn(&env, &["respond", &token], false);
    for i in 1..=60 {
        answer(&mut p, i, 60, 1);
    }
    save(&mut p);
    let (out, code) = finish(p);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("without your name"), "{out}");
    let status = env.json(&["round", "status", "1", "--format", "json"]);
    assert_eq!(status["responses"], 1, "{status}");
}

#[test]
fn reports_are_coloured_on_a_terminal_unless_no_color_is_set() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    let answers = env.write(
        "answers.toml",
        "mode = \"quick\"\n[answers]\ndocumentation = 2\ndecision-making = 2\nwork-tracking = 1\nmeetings = 2\nleadership-culture = 1\n",
    );
    env.ok(&["assess", "--team", "Web", "--answers", answers.to_str().expect("utf-8")]);

    let (coloured, code) = finish(spawn(&env, &["report", "--team", "Web"], true));
    assert_eq!(code, 0, "{coloured}");
    assert!(coloured.contains("\x1b["), "colour codes on a terminal: {coloured:?}");
    let (plain, code) = finish(spawn(&env, &["report", "--team", "Web"], false));
    assert_eq!(code, 0, "{plain}");
    assert!(!plain.contains("\x1b["), "NO_COLOR: {plain:?}");
    assert!(plain.contains("Documentation"), "{plain}");
    // Piped (not a terminal): no colour even without NO_COLOR.
    let piped = env
        .cmd()
        .env_remove("NO_COLOR")
        .args(["report", "--team", "Web"])
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&piped.stdout).contains("\x1b["));
}

#[test]
fn respond_opens_with_who_asks_how_long_dont_know_and_the_anonymity_promise() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    let opened = env.ok(&[
        "round", "open", "--team", "Web", "--mode", "detailed", "--tokens", "1", "--k", "4",
    ]);
    let token = opened
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 32)
        .expect("a token")
        .to_string();
    let mut p = spawn(&env, &["respond", &token], false);
    let before = p.exp_string("[1/60]").expect("first question after the intro");
    let intro = before.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "Team Web asks you to answer round 1 (detailed mode)",
        "60 statements",
        "about 10 minutes",
        "Answer \"don't know\" (?) when you can't judge a statement",
        "stored without your name",
        "only if at least 4 people answered (k = 4)",
    ] {
        assert!(intro.contains(part), "missing {part:?} in {intro}");
    }
    // The paragraph comes before the first area's heading.
    let intro_at = intro.find("Team Web asks").expect("intro");
    let heading_at = intro.find("(area 1 of 5)").expect("heading");
    assert!(intro_at < heading_at, "{intro}");
    p.send_control('c').expect("ctrl-c");
    let (_, code) = finish(p);
    assert_eq!(code, 130);
}

/// Sends `b` and Enter: back one question.
fn back(p: &mut PtySession) {
    p.send("b").expect("b");
    p.send("\r").expect("enter");
    p.flush().expect("flush");
}

#[test]
fn quick_answers_can_go_back_be_reviewed_and_changed_before_saving() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    let mut p = spawn(&env, &["assess", "--team", "Web"], false);
    p.exp_string("[1/5]").expect("first question");
    p.exp_string("b = back").expect("the help line names the way back");
    p.send("\r").expect("enter");
    p.flush().expect("flush");
    answer(&mut p, 2, 5, 1);
    // Back from the third question to the second, and answer it again.
    p.exp_string("[3/5]").expect("third question");
    back(&mut p);
    // Back on the second question, the cursor is on the answer given (1):
    // two down is 3.
    answer(&mut p, 2, 5, 2);
    answer(&mut p, 3, 5, 2);
    // Esc with answers given asks first; "no" carries on at the same place.
    p.exp_string("[4/5]").expect("fourth question");
    p.send("\x1b").expect("esc");
    p.flush().expect("flush");
    p.exp_string("Stop and throw away the 3 answers given so far?")
        .expect("asks before stopping");
    p.send("n\r").expect("no");
    p.flush().expect("flush");
    answer(&mut p, 4, 5, 1);
    answer(&mut p, 5, 5, 1);
    // The review lists every area with its answer; change Documentation.
    p.exp_string("Save, or change an area?").expect("review");
    p.send(DOWN).expect("down");
    p.send("\r").expect("enter");
    p.flush().expect("flush");
    answer(&mut p, 1, 5, 2);
    save(&mut p);
    let (out, code) = finish(p);
    assert_eq!(code, 0, "{out}");
    let levels: Vec<Option<u64>> = latest_levels(&env, "Web").iter().map(|(_, l)| l.as_u64()).collect();
    assert_eq!(levels, [Some(2), Some(3), Some(2), Some(1), Some(1)], "{out}");
}

#[test]
fn esc_confirmed_stores_nothing_and_detailed_review_changes_one_statement() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    let mut p = spawn(&env, &["assess", "--team", "Web"], false);
    answer(&mut p, 1, 5, 2);
    p.exp_string("[2/5]").expect("second question");
    p.send("\x1b").expect("esc");
    p.flush().expect("flush");
    p.exp_string("Stop and throw away the 1 answer given so far?")
        .expect("asks");
    p.send("y\r").expect("yes");
    p.flush().expect("flush");
    let (out, code) = finish(p);
    assert_eq!(code, 130, "{out}");
    env.fails(&["history", "--team", "Web"], "has no results yet");

    // Detailed: answer all 0, then change the first statement to 3 in the review.
    let mut p = spawn(&env, &["assess", "--team", "Web", "--detailed"], false);
    for i in 1..=60 {
        answer(&mut p, i, 60, 0);
    }
    p.exp_string("Save, or change an area?").expect("review");
    p.send(DOWN).expect("down");
    p.send("\r").expect("enter");
    p.flush().expect("flush");
    p.exp_string("Documentation: which answer to change?")
        .expect("statements of the area");
    p.send("\r").expect("first statement");
    p.flush().expect("flush");
    answer(&mut p, 1, 60, 3);
    p.exp_string("Documentation: which answer to change?")
        .expect("back at the list");
    back(&mut p);
    save(&mut p);
    let (out, code) = finish(p);
    assert_eq!(code, 0, "{out}");
    let export = env.json(&["export"]);
    let answers = &export["assessments"][0]["answers"];
    assert_eq!(answers["documentation.0.1"], 3, "changed in the review: {answers}");
    assert_eq!(answers["documentation.0.2"], 0, "{answers}");
    assert_eq!(export["assessments"].as_array().map(Vec::len), Some(1));
}
