//! The org summary through the binary: a team whose median dropped is
//! listed with the drop, a split area is listed, hidden teams are counted
//! with their reasons, in JSON, Markdown and HTML.

use predicates::prelude::*;

mod common;
use common::Env;

/// Opens a round for `team`, imports `csv` into it, and closes it unless
/// `keep_open`.
fn round(env: &Env, team: &str, csv: &str, keep_open: bool) {
    let out = env.ok(&["round", "open", "--team", team, "--tokens", "0"]);
    let id = out
        .split_whitespace()
        .skip_while(|w| *w != "round")
        .nth(1)
        .expect("round id printed")
        .to_string();
    let file = env.write(&format!("{team}-{id}.csv"), csv);
    env.cmd().args(["round", "import", &id]).arg(&file).assert().success();
    if !keep_open {
        env.ok(&["round", "close", &id, "--yes"]);
    }
}

const HEADER: &str = "documentation,decision-making,work-tracking,meetings,leadership-culture\n";

fn rows(levels: &[[u8; 5]]) -> String {
    let mut out = HEADER.to_string();
    for l in levels {
        out.push_str(&format!("{},{},{},{},{}\n", l[0], l[1], l[2], l[3], l[4]));
    }
    out
}

#[test]
fn org_summary_lists_a_drop_a_split_and_hidden_teams_with_reasons() {
    let env = Env::new();
    env.ok(&["team", "add", "Engineering"]);
    for team in ["Web", "Api", "Tiny", "Ops"] {
        env.ok(&["team", "add", team, "--parent", "Engineering"]);
    }
    env.ok(&["team", "add", "Sales"]);
    round(&env, "Web", &rows(&[[2, 2, 1, 1, 1]; 5]), false);
    round(&env, "Web", &rows(&[[1, 2, 1, 1, 1]; 5]), false);
    round(
        &env,
        "Api",
        &rows(&[
            [0, 2, 2, 2, 2],
            [0, 2, 2, 2, 2],
            [1, 2, 2, 2, 2],
            [3, 2, 2, 2, 2],
            [3, 2, 2, 2, 2],
        ]),
        false,
    );
    round(&env, "Tiny", &rows(&[[0, 0, 0, 0, 0]; 3]), false);
    round(&env, "Ops", &rows(&[[3, 3, 3, 3, 3]; 2]), true);

    let json = env.json(&["report", "--org", "--summary", "--format", "json"]);
    assert_eq!(json["schema"], "asyncmm.org-summary/1");
    assert_eq!(json["coverage"]["teams"], 5);
    assert_eq!(json["coverage"]["shown"], 2);
    let hidden = json["coverage"]["hidden"].as_array().expect("hidden");
    let reason = |r: &str| hidden.iter().find(|h| h["reason"] == r).expect("reason").clone();
    assert_eq!(reason("round_open")["count"], 1);
    assert_eq!(reason("round_open")["teams"], serde_json::json!(["Ops"]));
    assert_eq!(reason("below_k")["teams"], serde_json::json!(["Tiny"]));
    assert_eq!(reason("no_rounds")["teams"], serde_json::json!(["Sales"]));
    let drop = &json["drops"]["items"][0];
    assert_eq!(drop["team"], "Web");
    assert_eq!(drop["area"], "documentation");
    assert_eq!(drop["delta"], -1.0);
    assert_eq!(drop["level_dropped"], true);
    assert_eq!(json["drops"]["total"], 1);
    let split = &json["splits"]["items"][0];
    assert_eq!(split["team"], "Api");
    assert_eq!(split["area"], "documentation");
    assert_eq!(json["splits"]["total"], 1);
    let engineering = json["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == "Engineering")
        .expect("group row")
        .clone();
    assert_eq!(engineering["compared"], 1);
    assert_eq!(engineering["areas"][0]["median_change"], -1.0);
    // Hidden teams add no value anywhere: Tiny and Ops are in no list.
    for list in ["lowest", "drops", "splits"] {
        let items = json[list]["items"].as_array().expect("list");
        assert!(
            items.iter().all(|i| i["team"] != "Tiny" && i["team"] != "Ops"),
            "{list}"
        );
    }

    let md = env.ok(&["report", "--org", "--summary", "--format", "md"]);
    assert!(md.contains("| Web | Documentation | 2.00 → 1.00"), "{md}");
    assert!(
        md.contains("1 fewer than k responses in the newest closed round: Tiny"),
        "{md}"
    );
    assert!(md.contains("| Api | Documentation | 1 (1.00) ! split"), "{md}");

    let out = env.dir.path().join("summary.html");
    env.cmd()
        .args(["report", "--org", "--summary", "--format", "html", "--output"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).expect("written");
    assert!(
        html.contains("<h2>Biggest drops since the previous round</h2>"),
        "{html}"
    );
    assert!(
        html.contains("<td class=\"num drop\" data-label=\"Change\">-1.00</td>"),
        "{html}"
    );
    assert!(
        html.contains("no round yet<div class=\"sub\"><bdi>Sales</bdi></div>"),
        "{html}"
    );
    assert!(
        !html.contains("http://") || html.contains("creativecommons"),
        "self-contained"
    );

    env.cmd()
        .args(["report", "--org", "--summary", "--format", "csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no CSV form"));
    env.cmd()
        .args(["report", "--summary"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--org"));
}
