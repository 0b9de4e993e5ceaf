//! Improvement plans end to end through the binary: goals with warnings and
//! refusals, suggestions accepted as actions, action updates, the plan in
//! text, Markdown and JSON, and the review printed when a round opens. The
//! main scenario runs on SQLite and, when `ASYNCMM_TEST_POSTGRES_URL` is
//! set, on a fresh PostgreSQL database too.

use predicates::prelude::*;

mod common;
use common::{Env, PgDatabase};

fn example_answers() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/answers-detailed.toml")
}

/// A team with one detailed self-assessment (meetings at level 1).
fn assessed(env: &Env) {
    env.cmd()
        .args(["assess", "--team", "Platform", "--detailed", "--answers"])
        .arg(example_answers())
        .assert()
        .success();
}

fn scenario(env: &Env) {
    assessed(env);
    env.cmd()
        .args([
            "plan",
            "goal",
            "set",
            "--team",
            "Platform",
            "--area",
            "meetings",
            "--level",
            "2",
            "--by",
            "2099-03-31",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "goal set: Platform meetings from level 1 (assessment #1) to level 2 by 2099-03-31",
        ))
        .stderr(predicate::str::is_empty());

    let suggestions = env.ok(&["plan", "suggest", "--team", "Platform"]);
    assert!(suggestions.contains("  1. [meetings."), "{suggestions}");
    let json = env.json(&["plan", "suggest", "--team", "Platform", "--format", "json"]);
    assert_eq!(json["from"], "assessment #1");
    let first = json["candidates"][0]["statement"]
        .as_str()
        .expect("statement")
        .to_string();
    let added = env.ok(&["plan", "suggest", "--team", "Platform", "--accept", "1"]);
    assert!(added.starts_with("added #1 [todo] "), "{added}");
    assert!(added.contains(&first), "{added}");

    env.ok(&[
        "plan",
        "action",
        "add",
        "--team",
        "Platform",
        "--title",
        "Agenda doc for every meeting",
        "--owner",
        "Ana",
        "--link",
        "https://example.com/issues/12",
        "--statement",
        "meetings.2.2",
        "--statement",
        "meetings.2.1",
    ]);
    env.cmd()
        .args(["plan", "action", "update", "1", "--status", "done"])
        .assert()
        .success()
        .stdout(predicate::str::contains("#1 [done]"));

    let text = env.ok(&["plan", "show", "--team", "Platform"]);
    assert!(
        text.contains(
            "meetings: 1 → 1 → 2 by 2099-03-31; change ±0; status: at risk: even if every open action succeeds \
             the projected level is 1, below the target 2; projected if open actions succeed: 1 (1.14)"
        ),
        "{text}"
    );
    let md = env.ok(&["plan", "show", "--team", "Platform", "--format", "md"]);
    assert!(
        md.contains("- [ ] [Agenda doc for every meeting](<https://example.com/issues/12>) — Ana"),
        "{md}"
    );
    assert!(md.contains("- [x] "), "{md}");
    assert!(md.contains("| meetings | 1 | 1 | 2 | 2099-03-31 |"), "{md}");
    let plan = env.json(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert_eq!(plan["schema"], "asyncmm.plan.v1");
    assert_eq!(plan["goals"][0]["baseline"], 1);
    assert_eq!(plan["goals"][0]["status"]["kind"], "at_risk");
    assert!(
        plan["goals"][0].get("on_track").is_none(),
        "one status, no second verdict"
    );
    assert_eq!(plan["goals"][0]["projected"]["kind"], "computed");
    // Two open practices lift the meetings score (0.95 today), not yet a level.
    assert_eq!(plan["goals"][0]["projected"]["level"], 1);
    let projected = plan["goals"][0]["projected"]["score"].as_f64().expect("score");
    assert!(projected > plan["goals"][0]["current_score"].as_f64().expect("score"));
    assert_eq!(plan["actions"][1]["statements"][0], "meetings.2.2");
    assert_eq!(plan["actions"][1]["link"], "https://example.com/issues/12");

    let list = env.ok(&["plan", "action", "list", "--team", "Platform"]);
    assert_eq!(list.lines().count(), 2, "{list}");
}

#[test]
fn plans_on_sqlite() {
    scenario(&Env::new());
}

#[test]
fn plans_on_postgres() {
    let Some(pg) = PgDatabase::create("plan") else { return };
    scenario(&pg.env());
}

#[test]
fn goals_warn_but_unknown_areas_and_teams_are_refused() {
    let env = Env::new();
    assessed(&env);
    env.cmd()
        .args([
            "plan",
            "goal",
            "set",
            "--team",
            "Platform",
            "--area",
            "documentation",
            "--level",
            "1",
            "--by",
            "2020-01-01",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: documentation is already at level 2"))
        .stderr(predicate::str::contains(
            "warning: the target date 2020-01-01 is in the past",
        ));
    env.fails(
        &[
            "plan",
            "goal",
            "set",
            "--team",
            "Platform",
            "--area",
            "standups",
            "--level",
            "2",
            "--by",
            "2099-01-01",
        ],
        "area: \"standups\" is not an area of model",
    );
    env.fails(
        &[
            "plan",
            "goal",
            "set",
            "--team",
            "Nobody",
            "--area",
            "meetings",
            "--level",
            "2",
            "--by",
            "2099-01-01",
        ],
        "team \"Nobody\" does not exist",
    );
    env.fails(&["plan", "show", "--team", "Nobody"], "team \"Nobody\" does not exist");
    let plan = env.json(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert_eq!(plan["goals"].as_array().map(Vec::len), Some(1));
}

#[test]
fn bad_actions_change_nothing() {
    let env = Env::new();
    assessed(&env);
    let add = |extra: &[&str]| {
        let mut args = vec!["plan", "action", "add", "--team", "Platform", "--title", "Agenda"];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>, message: &str| {
        env.cmd()
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message.to_string()));
    };
    run(
        add(&["--link", "example.com/x", "--statement", "meetings.2.1"]),
        "link: link \"example.com/x\" is not a URL",
    );
    run(
        add(&["--link", "javascript:alert(1)", "--statement", "meetings.2.1"]),
        "is not a URL",
    );
    run(
        add(&["--statement", "meetings.3.9"]),
        "statement meetings.3.9 is not in model",
    );
    run(
        add(&["--statement", "nonsense"]),
        "statement: statement id \"nonsense\"",
    );
    env.fails(
        &["plan", "action", "update", "7", "--status", "done"],
        "action #7 does not exist",
    );
    env.fails(
        &["plan", "action", "update", "7", "--status", "finished"],
        "is not one of todo, doing, done, dropped",
    );
    env.fails(
        &["plan", "suggest", "--team", "Platform", "--accept", "999"],
        "there is no candidate 999",
    );
    assert_eq!(
        env.ok(&["plan", "action", "list", "--team", "Platform"]),
        "Platform has no actions\n"
    );
}

#[test]
fn opening_a_round_prints_the_open_actions_first() {
    let env = Env::new();
    env.ok(&["team", "add", "Platform"]);
    env.ok(&[
        "plan",
        "action",
        "add",
        "--team",
        "Platform",
        "--title",
        "Write agendas",
        "--statement",
        "meetings.2.1",
    ]);
    env.ok(&[
        "plan",
        "action",
        "add",
        "--team",
        "Platform",
        "--title",
        "Old idea",
        "--statement",
        "meetings.2.2",
    ]);
    env.ok(&["plan", "action", "update", "2", "--status", "dropped"]);
    let out = env.ok(&["round", "open", "--team", "Platform"]);
    let review = out
        .find("Review these open actions of Platform before the round:")
        .expect("review printed");
    let opened = out.find("opened").expect("round opened");
    assert!(review < opened, "{out}");
    assert!(out.contains("#1 [todo] Write agendas"), "{out}");
    assert!(!out.contains("Old idea"), "{out}");
}

#[test]
fn a_shown_quick_round_is_current_and_cannot_be_projected() {
    let env = Env::new();
    env.ok(&["team", "add", "Platform"]);
    let out = env.ok(&["round", "open", "--team", "Platform", "--tokens", "5"]);
    let tokens: Vec<String> = out
        .lines()
        .filter(|l| l.starts_with("  ") && l.trim().len() == 32)
        .map(|l| l.trim().to_string())
        .collect();
    assert_eq!(tokens.len(), 5);
    let file = env.write(
        "quick.toml",
        "mode = \"quick\"\n[answers]\ndocumentation = 2\ndecision-making = 2\nwork-tracking = 1\nmeetings = 1\nleadership-culture = 2\n",
    );
    for token in &tokens {
        env.cmd()
            .args(["respond", token, "--answers"])
            .arg(&file)
            .assert()
            .success();
    }
    // While open, the round is not the team's result yet.
    let text = env.ok(&["plan", "show", "--team", "Platform"]);
    assert!(text.contains("(no result yet)"), "{text}");
    env.ok(&["round", "close", "1"]);
    env.ok(&[
        "plan",
        "goal",
        "set",
        "--team",
        "Platform",
        "--area",
        "meetings",
        "--level",
        "2",
        "--by",
        "2099-01-01",
    ]);
    let text = env.ok(&["plan", "show", "--team", "Platform"]);
    assert!(text.contains("(current from round 1)"), "{text}");
    assert!(text.contains("meetings: 1 → 1 → 2"), "{text}");
    assert!(
        text.contains("projected if open actions succeed: not computed: the current result is from quick answers"),
        "{text}"
    );
    // Quick answers still give candidates: the next level's practices.
    let candidates = env.json(&["plan", "suggest", "--team", "Platform", "--format", "json"]);
    // The goal's area comes first.
    assert_eq!(candidates["candidates"][0]["area"], "meetings");
    assert!(candidates["candidates"][0]["answered"].is_null());
}

/// The example answers with documentation's deficits fully agreed with and
/// its practices not true: documentation drops from level 2 to 0.
fn worse_documentation(env: &Env) -> std::path::PathBuf {
    let example = std::fs::read_to_string(example_answers()).expect("example answers");
    let worse: Vec<String> = example
        .lines()
        .map(|line| match line.split_once(" = ") {
            Some((id, rest)) if id.starts_with("\"documentation.") => {
                let value = if id.starts_with("\"documentation.0.") || id.starts_with("\"documentation.1.") {
                    "3"
                } else {
                    "0"
                };
                let comment = rest.split_once('#').map_or(String::new(), |(_, c)| format!("  #{c}"));
                format!("{id} = {value}{comment}")
            }
            _ => line.to_string(),
        })
        .collect();
    env.write("worse.toml", &worse.join("\n"))
}

#[test]
fn regressions_since_the_previous_assessment_are_flagged() {
    let env = Env::new();
    assessed(&env);
    env.ok(&[
        "plan",
        "goal",
        "set",
        "--team",
        "Platform",
        "--area",
        "documentation",
        "--level",
        "3",
        "--by",
        "2099-03-31",
    ]);
    // One assessment: nothing to compare with yet.
    let plan = env.json(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert!(plan["previous_from"].is_null(), "{plan}");
    assert_eq!(plan["regressions"], serde_json::json!([]));
    assert_eq!(plan["goals"][0]["regressed"], false);

    env.cmd()
        .args(["assess", "--team", "Platform", "--detailed", "--answers"])
        .arg(worse_documentation(&env))
        .assert()
        .success();
    let text = env.ok(&["plan", "show", "--team", "Platform"]);
    assert!(
        text.contains("documentation: 2 → 0 → 3 by 2099-03-31; change -2 (regression)"),
        "{text}"
    );
    assert!(text.contains("; regression since assessment #1 (was 2)"), "{text}");
    assert!(
        text.contains("Regressions since assessment #1\n  documentation: level 2 → 0 (regression)\n"),
        "{text}"
    );
    assert!(!text.contains("meetings: level"), "only dropped areas: {text}");
    let md = env.ok(&["plan", "show", "--team", "Platform", "--format", "md"]);
    assert!(
        md.contains("**Regressions since assessment #1:**\n\n- ⚠ documentation: level 2 → 0\n"),
        "{md}"
    );
    let plan = env.json(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert_eq!(plan["current_from"], "assessment #2");
    assert_eq!(plan["previous_from"], "assessment #1");
    assert_eq!(
        plan["regressions"],
        serde_json::json!([{"area": "documentation", "previous": 2, "current": 0}])
    );
    assert_eq!(plan["goals"][0]["previous"], 2);
    assert_eq!(plan["goals"][0]["regressed"], true);
}

/// Opens a quick round, answers it `responses` times with documentation at
/// `documentation`, and closes it.
fn quick_round(env: &Env, responses: usize, documentation: u8) {
    let out = env.ok(&[
        "round",
        "open",
        "--team",
        "Platform",
        "--tokens",
        &responses.to_string(),
    ]);
    let id = out
        .split_whitespace()
        .skip_while(|w| *w != "round")
        .nth(1)
        .expect("round id printed")
        .to_string();
    let file = env.write(
        &format!("quick{id}.toml"),
        &format!(
            "mode = \"quick\"\n[answers]\ndocumentation = {documentation}\ndecision-making = 2\nwork-tracking = 1\n\
             meetings = 1\nleadership-culture = 2\n"
        ),
    );
    for token in out.lines().filter(|l| l.starts_with("  ") && l.trim().len() == 32) {
        env.cmd()
            .args(["respond", token.trim(), "--answers"])
            .arg(&file)
            .assert()
            .success();
    }
    env.ok(&["round", "close", &id, "--yes"]);
}

#[test]
fn regressions_since_the_previous_shown_round_are_flagged() {
    let env = Env::new();
    env.ok(&["team", "add", "Platform"]);
    quick_round(&env, 5, 2);
    // Below k = 5: hidden, so it is neither current nor previous.
    quick_round(&env, 4, 3);
    quick_round(&env, 5, 1);
    let text = env.ok(&["plan", "show", "--team", "Platform"]);
    assert!(text.contains("(current from round 3)"), "{text}");
    assert!(
        text.contains("Regressions since round 1\n  documentation: level 2 → 1 (regression)\n"),
        "{text}"
    );
    let plan = env.json(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert_eq!(plan["previous_from"], "round 1");
    assert_eq!(plan["regressions"].as_array().map(Vec::len), Some(1));
    assert_eq!(plan["regressions"][0]["area"], "documentation");
}

/// Suggestions focused on goals, --area/--limit, names for levels and areas,
/// duplicates refused, free-form actions, and goals and actions listed and
/// removed.
#[test]
fn plans_focus_refuse_duplicates_and_can_be_cleaned_up() {
    let env = Env::new();
    assessed(&env);
    env.ok(&[
        "plan",
        "goal",
        "set",
        "--team",
        "Platform",
        "--area",
        "Work tracking",
        "--level",
        "Optimizing",
        "--by",
        "2099-03-31",
    ]);
    let all = env.json(&[
        "plan", "suggest", "--team", "Platform", "--format", "json", "--limit", "0",
    ]);
    let focused = env.json(&["plan", "suggest", "--team", "Platform", "--format", "json"]);
    let count = |v: &serde_json::Value| v["candidates"].as_array().map_or(0, Vec::len);
    assert!(count(&focused) < count(&all), "default is a handful per area");
    assert_eq!(focused["candidates"][0]["area"], "work-tracking", "{focused}");
    assert_eq!(focused["candidates"][0]["goal"], true);
    let mut per_area = std::collections::BTreeMap::new();
    for c in focused["candidates"].as_array().expect("candidates") {
        *per_area
            .entry(c["area"].as_str().unwrap_or_default().to_string())
            .or_insert(0) += 1;
    }
    assert!(per_area.values().all(|n| *n <= 3), "{per_area:?}");

    let one = env.ok(&[
        "plan",
        "suggest",
        "--team",
        "Platform",
        "--area",
        "Decision making",
        "--limit",
        "1",
    ]);
    assert_eq!(one.lines().filter(|l| l.contains(". [")).count(), 1, "{one}");
    assert!(one.contains("  1. [decision-making."), "{one}");

    env.ok(&["plan", "suggest", "--team", "Platform", "--accept", "1"]);
    env.fails(
        &["plan", "suggest", "--team", "Platform", "--accept", "1"],
        "already planned as action #1",
    );
    let again = env.ok(&["plan", "suggest", "--team", "Platform"]);
    assert!(again.contains("— already planned as action #1"), "{again}");

    // Free-form: no statement needed; the same one twice is refused.
    let free = [
        "plan",
        "action",
        "add",
        "--team",
        "Platform",
        "--title",
        "Retro on how we track work",
    ];
    let added = env.ok(&free);
    assert!(added.contains("#2 [todo] Retro on how we track work"), "{added}");
    env.fails(&free, "already plans");

    let goals = env.ok(&["plan", "goal", "list", "--team", "Platform"]);
    assert!(goals.contains("work-tracking: level 3 by 2099-03-31"), "{goals}");
    assert!(
        goals.contains(" — on track") || goals.contains(" — at risk: "),
        "{goals}"
    );

    let removed = env.ok(&["plan", "action", "remove", "2"]);
    assert!(
        removed.contains("removed #2 [todo] Retro on how we track work"),
        "{removed}"
    );
    env.fails(&["plan", "action", "remove", "2"], "action #2");
    let list = env.ok(&["plan", "action", "list", "--team", "Platform"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    env.ok(&[
        "plan",
        "goal",
        "remove",
        "--team",
        "Platform",
        "--area",
        "work tracking",
    ]);
    let goals = env.ok(&["plan", "goal", "list", "--team", "Platform"]);
    assert!(goals.contains("Platform has no goals"), "{goals}");
    env.fails(
        &[
            "plan",
            "goal",
            "remove",
            "--team",
            "Platform",
            "--area",
            "work-tracking",
        ],
        "goal",
    );
}
