//! The interactive questionnaire driven through a pseudo-terminal, as a
//! person at a keyboard would: quick and detailed `assess`, `respond` to a
//! round, Ctrl-C half way (nothing stored), and colour on a terminal unless
//! NO_COLOR is set.
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
