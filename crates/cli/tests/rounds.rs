//! Team rounds end to end through the binary: teams, tokens, anonymous
//! responses, the k threshold in every format, imports, and the org view.

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::Env;

/// Round helpers on top of the shared environment.
trait Rounds {
    fn open(&self, team: &str, tokens: u32) -> (String, Vec<String>);
    fn respond(&self, token: &str, level: u8);
}

impl Rounds for Env {
    /// Opens a quick round and returns its id and tokens.
    fn open(&self, team: &str, tokens: u32) -> (String, Vec<String>) {
        let out = self.ok(&["round", "open", "--team", team, "--tokens", &tokens.to_string()]);
        let id = out
            .split_whitespace()
            .skip_while(|w| *w != "round")
            .nth(1)
            .expect("round id printed")
            .to_string();
        let tokens: Vec<String> = out
            .lines()
            .filter(|l| l.starts_with("  ") && l.trim().len() == 32)
            .map(|l| l.trim().to_string())
            .collect();
        (id, tokens)
    }

    fn respond(&self, token: &str, level: u8) {
        let file = self.write(
            &format!("{token}.toml"),
            &format!(
                "mode = \"quick\"\n[answers]\ndocumentation = {level}\ndecision-making = {level}\nwork-tracking = 1\nmeetings = 2\nleadership-culture = 1\n"
            ),
        );
        self.cmd()
            .args(["respond", token, "--answers"])
            .arg(&file)
            .assert()
            .success()
            .stdout(predicate::str::contains("without your name").or(predicate::str::contains("replaced")));
    }
}

#[test]
fn k_five_hides_four_responses_and_shows_five_in_every_format() {
    let env = Env::new();
    env.ok(&["team", "add", "Platform"]);
    let (id, tokens) = env.open("Platform", 6);
    assert_eq!(tokens.len(), 6);
    assert!(
        tokens
            .iter()
            .all(|t| t.chars().all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)))
    );
    for (token, level) in tokens.iter().zip([0, 1, 2, 2]) {
        env.respond(token, level);
    }
    // Open, with four responses: only the count, in every format.
    let text = env.ok(&["report", "--round", &id]);
    assert!(text.contains("open: 4 responses so far"), "{text}");
    assert!(!text.contains("median"), "{text}");
    let json = env.json(&["report", "--round", &id, "--format", "json"]);
    assert_eq!(json["hidden"]["n"], 4);
    assert_eq!(json["hidden"]["reason"], "round_open");
    assert_eq!(json["areas"].as_array().map(Vec::len), Some(0));

    // Closed with four (k = 5): hidden for good, and it says why.
    env.fails(&["round", "close", &id], "pass --yes");
    env.ok(&["round", "close", &id, "--yes"]);
    let text = env.ok(&["report", "--round", &id]);
    assert!(text.contains("hidden: 4 responses < k = 5"), "{text}");
    assert!(!text.contains("median"), "{text}");
    let json = env.json(&["report", "--round", &id, "--format", "json"]);
    assert_eq!(json["hidden"]["n"], 4);
    assert_eq!(json["hidden"]["reason"], "too_few_responses");
    assert_eq!(json["areas"].as_array().map(Vec::len), Some(0));
    let md = env.ok(&["report", "--round", &id, "--format", "md"]);
    assert!(
        md.contains("hidden: 4 responses < k = 5") && !md.contains("| Area |"),
        "{md}"
    );
    let csv = env.ok(&["report", "--round", &id, "--format", "csv"]);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().nth(1).is_some_and(|l| l.contains(",true,4,")), "{csv}");

    // Nothing was shown, so it can be reopened for a fifth answer.
    env.ok(&["round", "reopen", &id]);
    env.respond(&tokens[4], 3);
    env.ok(&["round", "close", &id]);
    let json = env.json(&["report", "--round", &id, "--format", "json"]);
    assert_eq!(json["hidden"], Value::Null);
    let docs = &json["areas"][0];
    assert_eq!(docs["n"], 5);
    // Levels 0, 1, 2, 2, 3: median 2, Q1 1, Q3 2, IQR 1 → disagreement.
    assert_eq!(docs["median"], 2.0);
    assert_eq!(docs["iqr"], 1.0);
    assert_eq!(docs["disagreement"], true);
    assert_eq!(docs["levels"], serde_json::json!([1, 1, 2, 1]));
    let text = env.ok(&["report", "--round", &id]);
    assert!(text.contains("Defined (2, split)"), "{text}");
    assert!(
        text.contains("! split: the middle half of the team spans a level or more"),
        "{text}"
    );
    let md = env.ok(&["report", "--round", &id, "--format", "md"]);
    assert!(
        md.contains("| Documentation | 2 Defined ! split | 2.00 | 1.00 |"),
        "{md}"
    );
    let csv = env.ok(&["report", "--round", &id, "--format", "csv"]);
    assert_eq!(csv.lines().count(), 6, "{csv}");
    let status = env.json(&["round", "status", &id, "--format", "json"]);
    assert_eq!(status["responses"], 5);
    assert_eq!(status["published"], true);
    assert_eq!(status["opens_on"], status["closed_on"], "ISO dates: {status}");
}

#[test]
fn a_revision_replaces_and_never_adds() {
    let env = Env::new();
    env.ok(&["team", "add", "Platform"]);
    let (id, tokens) = env.open("Platform", 2);
    env.respond(&tokens[0], 1);
    env.cmd()
        .args(["respond", &tokens[0], "--answers"])
        .arg(env.dir.path().join(format!("{}.toml", tokens[0])))
        .assert()
        .success()
        .stdout(predicate::str::contains("replaced"));
    let status = env.json(&["round", "status", &id, "--format", "json"]);
    assert_eq!(status["responses"], 1);
}

#[test]
fn tokens_are_one_round_only_and_closed_rounds_refuse_answers() {
    let env = Env::new();
    env.ok(&["team", "add", "A"]);
    env.ok(&["team", "add", "B"]);
    let (a, a_tokens) = env.open("A", 2);
    let (_b, b_tokens) = env.open("B", 1);
    env.respond(&a_tokens[0], 1);
    env.fails(&["respond", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], "token is not valid");
    env.fails(&["respond", "not-a-token"], "token is not valid");
    env.ok(&["round", "close", &a, "--yes"]);
    env.fails(&["round", "close", &a, "--yes"], "already closed");
    env.fails(&["respond", &a_tokens[1]], "closed");
    env.respond(&b_tokens[0], 2);
    let b_status = env.json(&["round", "list", "--team", "B", "--format", "json"]);
    assert_eq!(b_status[0]["responses"], 1);
}

#[test]
fn reopen_is_refused_once_a_result_was_published() {
    let env = Env::new();
    env.ok(&["team", "add", "T"]);
    let (id, tokens) = env.open("T", 3);
    env.fails(&["round", "set-k", &id, "2"], "at least 3");
    env.ok(&["round", "set-k", &id, "3"]);
    env.respond(&tokens[0], 1);
    env.fails(&["round", "set-k", &id, "4"], "fixed");
    env.respond(&tokens[1], 1);
    env.ok(&["round", "close", &id, "--yes"]);
    env.ok(&["round", "reopen", &id]);
    // A token that answered before the close can't answer again.
    env.fails(
        &[
            "respond",
            &tokens[0],
            "--answers",
            &env.dir.path().join(format!("{}.toml", tokens[0])).display().to_string(),
        ],
        "used before round",
    );
    env.respond(&tokens[2], 2);
    env.ok(&["round", "close", &id]);
    let json = env.json(&["report", "--round", &id, "--format", "json"]);
    assert_eq!(json["hidden"], Value::Null);
    env.fails(&["round", "reopen", &id], "published");
}

#[test]
fn teams_form_a_tree_and_names_are_unique() {
    let env = Env::new();
    env.ok(&["team", "add", "Engineering"]);
    env.ok(&["team", "add", "Web", "--parent", "Engineering"]);
    env.ok(&["team", "add", "Api", "--parent", "Engineering"]);
    env.fails(&["team", "add", "Web"], "already exists");
    env.fails(
        &["team", "move", "Engineering", "--parent", "Web"],
        "would make a cycle: Web is inside Engineering",
    );
    env.ok(&["team", "rename", "Api", "Backend"]);
    let list = env.ok(&["team", "list"]);
    assert_eq!(list, "Engineering\n  Backend\n  Web\n");
    // Names are one team whatever their case: no twin, and commands find it.
    env.fails(&["team", "add", "web"], "differ only in case");
    env.ok(&["round", "open", "--team", "web"]);
    assert!(env.ok(&["round", "list"]).contains("· Web ·"));
    env.ok(&["team", "archive", "Web"]);
    assert_eq!(env.ok(&["team", "list"]), "Engineering\n  Backend\n");
    assert!(env.ok(&["team", "list", "--archived"]).contains("Web (archived)"));
}

#[test]
fn import_is_all_or_nothing() {
    let env = Env::new();
    env.ok(&["team", "add", "Forms"]);
    let (id, _) = env.open("Forms", 0);
    let bad = env.write(
        "bad.csv",
        "Timestamp,documentation,meetings\n2026-11-01,2,1\n2026-11-02,9,1\n",
    );
    env.cmd()
        .args(["round", "import", &id])
        .arg(&bad)
        .args(["--ignore-column", "Timestamp"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("row 3, column 2 (\"documentation\")"));
    let missing = env.write("missing.csv", "documentation,meetings\n2,1\n3\n");
    env.cmd()
        .args(["round", "import", &id])
        .arg(&missing)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("row 3"));
    assert_eq!(env.json(&["round", "status", &id, "--format", "json"])["responses"], 0);
    let good = env.write("good.csv", "documentation,meetings\n2,1\n3,1\n2,2\n1,0\n2,1\n");
    env.cmd()
        .args(["round", "import", &id])
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 5"));
    env.ok(&["round", "close", &id]);
    let json = env.json(&["report", "--round", &id, "--format", "json"]);
    assert_eq!(json["areas"][0]["median"], 2.0);
}

#[test]
fn org_report_leaves_a_small_team_out_of_its_group_and_says_why() {
    let env = Env::new();
    env.ok(&["team", "add", "Engineering"]);
    env.ok(&["team", "add", "Web", "--parent", "Engineering"]);
    env.ok(&["team", "add", "Api", "--parent", "Engineering"]);
    env.ok(&["team", "add", "Sales"]);
    let (web, _) = env.open("Web", 0);
    let (api, _) = env.open("Api", 0);
    let six = env.write("six.csv", "documentation,meetings\n2,1\n2,1\n2,2\n3,1\n2,1\n1,1\n");
    let three = env.write("three.csv", "documentation,meetings\n0,0\n0,1\n1,0\n");
    env.cmd().args(["round", "import", &web]).arg(&six).assert().success();
    env.cmd().args(["round", "import", &api]).arg(&three).assert().success();

    // Open rounds: the org view shows their counts only.
    let json = env.json(&["report", "--org", "--format", "json"]);
    let teams = json["teams"].as_array().expect("teams");
    let web_row = teams.iter().find(|t| t["team"] == "Web").expect("Web row");
    assert_eq!(web_row["hidden"]["reason"], "round_open");
    assert_eq!(web_row["hidden"]["n"], 6);
    assert!(web_row["cells"].as_array().is_some_and(Vec::is_empty));

    env.ok(&["round", "close", &web]);
    env.ok(&["round", "close", &api, "--yes"]);
    let json = env.json(&["report", "--org", "--format", "json"]);
    let teams = json["teams"].as_array().expect("teams");
    let row = |name: &str| teams.iter().find(|t| t["team"] == name).expect("row").clone();
    assert_eq!(row("Web")["hidden"], Value::Null);
    assert_eq!(row("Web")["cells"][0]["level"], 2);
    assert_eq!(row("Api")["hidden"]["reason"], "too_few_responses");
    // Both roll-ups show Engineering and the organisation from Web alone,
    // leaving Api out and saying so; no cell of them shows only n<k.
    let rollups = json["rollups"].as_array().expect("rollups");
    assert_eq!(rollups.len(), 2);
    let mut checked = 0;
    for rollup in rollups {
        let rows = rollup["rows"].as_array().expect("rows");
        for node in ["Engineering", "organisation"] {
            let r = rows.iter().find(|r| r["node"] == node).expect("roll-up row present");
            assert_eq!(r["hidden"], Value::Null, "{r}");
            assert_eq!(r["respondents"], 6, "{r}");
            assert_eq!(r["cells"][0]["level"], 2, "{r}");
            let left_out = r["left_out"].as_str().expect("says what it left out");
            assert!(left_out.starts_with("excludes 1 team (Api), 3 responses"), "{left_out}");
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
    assert_eq!(json["teams_without_rounds"], serde_json::json!(["Sales"]));
    let text = env.ok(&["report", "--org"]);
    assert!(text.contains("excludes 1 team (Api), 3 responses"), "{text}");
    assert!(text.contains("median of team medians"), "{text}");
    let csv = env.ok(&["report", "--org", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 1 + 2 * 5);
    assert!(csv.contains("Api,Engineering,"), "{csv}");
    let md = env.ok(&["report", "--org", "--format", "md"]);
    assert!(md.contains("| Web | 6 |"), "{md}");

    // CSV is tidy over every round: a second Web round adds five rows, and
    // while it is open they show nothing but the count.
    let (second, _) = env.open("Web", 0);
    env.cmd()
        .args(["round", "import", &second])
        .arg(&six)
        .assert()
        .success();
    let csv = env.ok(&["report", "--org", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 1 + 3 * 5, "{csv}");
    let open_rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with(&format!("Web,Engineering,{second},")))
        .collect();
    assert_eq!(open_rows.len(), 5);
    assert!(open_rows.iter().all(|l| l.contains("round_open")), "{csv}");
    assert!(
        csv.lines()
            .next()
            .is_some_and(|h| h.starts_with("team,parent,round,opens_on,"))
    );
    // The org view still shows Web's closed round, and notes the open one.
    let json = env.json(&["report", "--org", "--format", "json"]);
    let teams = json["teams"].as_array().expect("teams");
    let web_row = teams.iter().find(|t| t["team"] == "Web").expect("Web row");
    assert_eq!(web_row["round"].to_string(), web);
    assert_eq!(web_row["open_round"]["round"].to_string(), second);
    assert_eq!(web_row["open_round"]["responses"], 6);
}

#[test]
fn tokens_are_unique_and_carry_160_bits() {
    let env = Env::new();
    env.ok(&["team", "add", "Many"]);
    let (_, tokens) = env.open("Many", 200);
    assert_eq!(tokens.len(), 200);
    let unique: std::collections::BTreeSet<&String> = tokens.iter().collect();
    assert_eq!(unique.len(), 200, "every token is different");
    // 32 base32 characters = 160 bits; across 200 tokens every character
    // position takes many values, so no position is fixed or guessable.
    for position in 0..32 {
        let seen: std::collections::BTreeSet<char> = tokens.iter().filter_map(|t| t.chars().nth(position)).collect();
        assert!(seen.len() > 16, "position {position} varies too little: {seen:?}");
    }
    // The database holds only hashes: no token text appears in it.
    let db = std::fs::read(&env.database).expect("database file");
    let wal = std::fs::read(format!("{}-wal", env.database)).unwrap_or_default();
    for token in &tokens[..10] {
        let needle = token.as_bytes();
        assert!(!db.windows(needle.len()).any(|w| w == needle), "token stored in clear");
        assert!(!wal.windows(needle.len()).any(|w| w == needle), "token stored in clear");
    }
}

#[test]
fn tokens_csv_is_written_for_mail_merge_and_never_overwrites() {
    let env = Env::new();
    env.ok(&["team", "add", "Mail"]);
    let csv = env.dir.path().join("tokens.csv");
    let out = env.ok(&[
        "round",
        "open",
        "--team",
        "Mail",
        "--tokens",
        "3",
        "--tokens-csv",
        csv.to_str().expect("utf-8"),
    ]);
    assert!(out.contains("wrote 3 tokens"), "{out}");
    let text = std::fs::read_to_string(&csv).expect("csv written");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "round,token,command");
    assert_eq!(lines.len(), 4);
    assert!(
        lines[1].starts_with("1,") && lines[1].contains(",asyncmm respond "),
        "{text}"
    );
    env.fails(
        &[
            "round",
            "tokens",
            "1",
            "--count",
            "2",
            "--csv",
            csv.to_str().expect("utf-8"),
        ],
        "already exists",
    );
    env.fails(
        &[
            "round",
            "open",
            "--team",
            "Mail",
            "--tokens",
            "2",
            "--tokens-csv",
            csv.to_str().expect("utf-8"),
        ],
        "already exists",
    );
    // Nothing was stored by the refused commands: still one round.
    let rounds = env.json(&["round", "list", "--format", "json"]);
    assert_eq!(rounds.as_array().map(Vec::len), Some(1));
}

#[test]
fn check_uses_the_newest_round_that_may_be_shown() {
    let env = Env::new();
    env.ok(&["team", "add", "Gate"]);
    let (first, tokens) = env.open("Gate", 5);
    for token in &tokens {
        env.respond(token, 2);
    }
    // Open: no result to check yet.
    env.fails(
        &["check", "--team", "Gate", "--min-level", "documentation=2"],
        "has no result to check",
    );
    env.ok(&["round", "close", &first]);
    let out = env.ok(&["check", "--team", "Gate", "--min-level", "documentation=2"]);
    assert!(out.contains(&format!("passed: Gate (round {first})")), "{out}");
    // A newer round with too few responses is hidden, so it is not used,
    // open or closed.
    let (second, tokens) = env.open("Gate", 1);
    env.respond(&tokens[0], 0);
    let out = env.ok(&["check", "--team", "Gate", "--min-level", "documentation=2"]);
    assert!(out.contains(&format!("(round {first})")), "{out}");
    env.ok(&["round", "close", &second, "--yes"]);
    let out = env.ok(&["check", "--team", "Gate", "--min-level", "documentation=2"]);
    assert!(out.contains(&format!("(round {first})")), "{out}");
}

/// Every output command in every format, as a person would run them, with
/// what each printed (standard output and error together).
fn every_output(env: &Env, round: &str) -> Vec<(String, String)> {
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["text", "md", "json", "csv", "html"] {
        runs.push(vec!["report", "--round", round, "--format", format]);
        runs.push(vec!["report", "--org", "--format", format]);
        runs.push(vec!["history", "--team", "Web", "--format", format]);
        runs.push(vec!["report", "--team", "Web", "--format", format]);
    }
    for format in ["text", "md", "json"] {
        runs.push(vec!["plan", "show", "--team", "Web", "--format", format]);
    }
    for format in ["text", "json"] {
        runs.push(vec!["check", "--team", "Web", "--min-level", "1", "--format", format]);
        runs.push(vec!["plan", "suggest", "--team", "Web", "--format", format]);
        runs.push(vec!["round", "status", round, "--format", format]);
    }
    for chart in ["heatmap", "trend", "radar"] {
        runs.push(vec!["chart", chart]);
    }
    runs.into_iter()
        .map(|args| {
            let out = env.cmd().args(&args).output().expect("run");
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            (args.join(" "), text)
        })
        .collect()
}

#[test]
fn nothing_of_an_open_or_hidden_round_appears_in_any_output() {
    // Everyone rates documentation at 3 and decision making at 0: a shown
    // result prints medians 3.00 and 0.00, so those strings mark a leak.
    let leaks = |outputs: &[(String, String)]| -> Vec<String> {
        outputs
            .iter()
            .filter(|(_, text)| text.contains("3.00") || text.contains("0.00") || text.contains("\"median\""))
            .map(|(command, _)| command.clone())
            .collect()
    };
    for (answers, close) in [(4usize, false), (4, true), (5, false), (5, true)] {
        let env = Env::new();
        env.ok(&["team", "add", "Web"]);
        let (id, tokens) = env.open("Web", 5);
        let file = env.write(
            "marked.toml",
            "mode = \"quick\"\n[answers]\ndocumentation = 3\ndecision-making = 0\nwork-tracking = 1\nmeetings = 2\nleadership-culture = 1\n",
        );
        for token in tokens.iter().take(answers) {
            env.cmd()
                .args(["respond", token, "--answers"])
                .arg(&file)
                .assert()
                .success();
        }
        if close {
            env.ok(&["round", "close", &id, "--yes"]);
        }
        let outputs = every_output(&env, &id);
        assert_eq!(outputs.len(), 32);
        let leaked = leaks(&outputs);
        if answers == 5 && close {
            // The control: shown, so the markers appear where results are printed.
            assert!(
                leaked.contains(&format!("report --round {id} --format text")),
                "{leaked:?}"
            );
            assert!(leaked.contains(&"report --org --format json".to_string()), "{leaked:?}");
            assert!(
                leaked.contains(&"history --team Web --format csv".to_string()),
                "{leaked:?}"
            );
        } else {
            assert!(
                leaked.is_empty(),
                "{answers} answers, closed: {close}: leaked in {leaked:?}"
            );
            // And every one of them says why there is nothing to show.
            let round_text = &outputs[0].1;
            let why = if close {
                "hidden: 4 responses < k = 5"
            } else {
                "results show once the round closes"
            };
            assert!(round_text.contains(why), "{round_text}");
        }
    }
}

/// A team split into two camps (levels 0,0,0,2,3,3,3 in documentation):
/// the split shows wherever the level is drawn, a goal at the median is not
/// met, and suggestions put the area first.
#[test]
fn a_split_team_is_marked_everywhere_and_not_settled() {
    let env = Env::new();
    env.ok(&["team", "add", "Camps With A Rather Long Team Name For Charts"]);
    let team = "Camps With A Rather Long Team Name For Charts";
    let (id, tokens) = env.open(team, 7);
    for (token, level) in tokens.iter().zip([0, 0, 0, 2, 3, 3, 3]) {
        env.respond(token, level);
    }
    env.ok(&["round", "close", &id]);

    let text = env.ok(&["report", "--round", &id]);
    assert!(text.contains("Defined (2, split)"), "{text}");
    assert!(
        text.contains("lower quartile (Q1)") && text.contains("middle-half spread (IQR)"),
        "{text}"
    );
    let html = env.ok(&["report", "--round", &id, "--format", "html"]);
    assert!(html.contains("! split"), "the HTML report shows the split");

    // Org table: level names, the split, no name cut short.
    let org = env.ok(&["report", "--org"]);
    assert!(org.contains("2 Defined (2.00) ! split"), "{org}");
    assert!(
        org.contains("Decision making") && org.contains("Leadership and culture"),
        "{org}"
    );
    assert!(org.contains(team), "{org}");
    let heatmap = env.ok(&["chart", "heatmap"]);
    assert!(heatmap.contains("L2 (2.00) ! split"), "{heatmap}");
    assert!(
        heatmap.contains(">Rather Long Team Name For<") || heatmap.contains("Long Team Name"),
        "{heatmap}"
    );
    assert!(!heatmap.contains('…'), "no clipped name: {heatmap}");
    // Weakest cells are the darkest.
    assert!(heatmap.contains("#7f2704"), "{heatmap}");

    // A goal at the split median is not "already met".
    let out = env
        .cmd()
        .args([
            "plan",
            "goal",
            "set",
            "--team",
            team,
            "--area",
            "Documentation",
            "--level",
            "Defined",
            "--by",
            "2099-01-01",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(warnings.contains("split on documentation"), "{warnings}");
    assert!(!warnings.contains("already at level"), "{warnings}");
    let goals = env.ok(&["plan", "goal", "list", "--team", team]);
    assert!(
        goals.contains("documentation: level 2 by 2099-01-01 (now 2 (split)) — at risk: the team is split"),
        "{goals}"
    );
    let plan = env.json(&["plan", "show", "--team", team, "--format", "json"]);
    assert_eq!(plan["goals"][0]["status"]["kind"], "at_risk");
    assert_eq!(plan["goals"][0]["split"], true);

    // Suggestions: the goal's (split) area first, marked.
    let suggest = env.ok(&["plan", "suggest", "--team", team]);
    assert!(
        suggest
            .contains("\n  documentation (goal; split: the team disagrees, level not settled)\n  1. [documentation."),
        "{suggest}"
    );
}

#[test]
fn questionnaire_template_headers_are_read_back_by_round_import() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    // Detailed: 60 columns, each the statement id and its text.
    let detailed = env.ok(&["round", "template", "--mode", "detailed"]);
    let mut reader = csv::ReaderBuilder::new().from_reader(detailed.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .expect("header row")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(headers.len(), 60, "{detailed}");
    assert!(headers[0].starts_with("documentation.0.1 "), "{}", headers[0]);
    assert!(
        headers
            .iter()
            .all(|h| h.split_once(' ').is_some_and(|(_, text)| text.len() > 10))
    );
    assert_eq!(detailed.lines().count(), 1, "a header row only");

    // The form tool adds rows under the pasted header; import reads them.
    env.ok(&["team", "add", "Api"]);
    let (quick_round, _) = env.open("Api", 0);
    let opened = env.ok(&["round", "open", "--team", "Web", "--mode", "detailed", "--tokens", "0"]);
    assert!(opened.contains("round 2"), "{opened}");
    let mut file = detailed.clone();
    for value in ["3", "2", "1", "0", ""] {
        file.push_str(&vec![value; 60].join(","));
        file.push('\n');
    }
    // One row all "don't know" would be no response; keep a real answer.
    let file = file.replacen("\n,", "\n3,", 1);
    let path = env.write("form.csv", &file);
    env.cmd()
        .args(["round", "import", "2"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 5 responses into round 2"));

    // Quick: one column per area, read back the same way.
    let quick = env.ok(&["round", "template"]);
    assert!(
        quick.starts_with("documentation Documentation: which level fits best (0-3)?,"),
        "{quick}"
    );
    let path = env.write("quick.csv", &format!("{quick}2,1,1,1,1\n3,2,2,1,0\n"));
    env.cmd()
        .args(["round", "import", &quick_round])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 2 responses"));
}
