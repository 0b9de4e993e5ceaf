//! `asyncmm demo` end to end: a fresh database gets the demo organisation
//! (exact numbers of teams and rounds, an org report with figures, a round
//! below k that shows none), and a database that holds a team is refused
//! unchanged.

use serde_json::Value;

mod common;
use common::{Env, PgDatabase};

#[test]
fn demo_fills_a_fresh_database() {
    let env = Env::new();
    let out = env.ok(&["demo"]);
    assert!(out.contains("Demo organisation created"), "{out}");
    assert!(out.contains("6 teams in 2 groups"), "{out}");
    assert!(out.contains("19 rounds: 18 closed"), "{out}");
    assert!(out.contains("asyncmm --database"), "{out}");
    assert!(out.contains(" serve"), "{out}");

    // 2 groups and 6 teams; Support sits at the top, the rest in groups.
    let teams = env.json(&["team", "list", "--format", "json"]);
    let org = teams["organisation"].as_array().expect("organisation");
    assert_eq!(org.len(), 8, "{teams}");
    let names: Vec<&str> = org.iter().filter_map(|t| t["name"].as_str()).collect();
    for name in [
        "Engineering",
        "Product",
        "Platform",
        "Web",
        "Mobile",
        "Design",
        "Research",
        "Support",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert_eq!(teams["self_assessed_only"], Value::Array(Vec::new()));

    // 3 closed rounds per team, one open round of this quarter.
    let rounds = env.json(&["round", "list", "--format", "json"]);
    let rounds = rounds.as_array().expect("rounds");
    assert_eq!(rounds.len(), 19);
    let closed = rounds.iter().filter(|r| r["state"] == "closed").count();
    let open: Vec<&Value> = rounds.iter().filter(|r| r["state"] == "open").collect();
    assert_eq!(closed, 18);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["team"], "Web");
    assert_eq!(open[0]["responses"], 3);
    let below_k: Vec<(&str, u64)> = rounds
        .iter()
        .filter(|r| r["state"] == "closed" && r["responses"].as_u64().is_some_and(|n| n < 5))
        .map(|r| {
            (
                r["team"].as_str().unwrap_or_default(),
                r["responses"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(below_k.len(), 2, "{below_k:?}");
    assert!(below_k.contains(&("Research", 3)), "{below_k:?}");

    // The org view: every team's newest closed round; Research's is below
    // k and shows no figure at all; the others show levels per area.
    let json = env.json(&["report", "--org", "--format", "json"]);
    let rows = json["teams"].as_array().expect("teams");
    assert_eq!(rows.len(), 6, "{json}");
    let row = |name: &str| rows.iter().find(|t| t["team"] == name).expect("row").clone();
    let research = row("Research");
    assert_eq!(research["hidden"]["reason"], "too_few_responses", "{research}");
    assert!(research["cells"].as_array().is_some_and(Vec::is_empty), "{research}");
    for name in ["Platform", "Web", "Mobile", "Design", "Support"] {
        let r = row(name);
        assert_eq!(r["hidden"], Value::Null, "{r}");
        let cells = r["cells"].as_array().expect("cells");
        assert_eq!(cells.len(), 5, "{r}");
        assert!(cells.iter().all(|c| c["level"].as_u64().is_some_and(|l| l <= 3)), "{r}");
    }
    let text = env.ok(&["report", "--org"]);
    assert!(text.contains("Platform"), "{text}");
    assert!(text.contains("Research"), "{text}");
    assert!(text.contains("excludes 1 team (Research)"), "{text}");

    // Self-assessments over four quarters, and plans with goals and actions.
    let history = env.ok(&["history", "--team", "Platform"]);
    assert!(history.matches("self-assessment").count() >= 4, "{history}");
    let plan = env.json(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert_eq!(plan["goals"].as_array().map(Vec::len), Some(2), "{plan}");
    assert_eq!(plan["actions"].as_array().map(Vec::len), Some(3), "{plan}");
}

#[test]
fn demo_refuses_a_database_with_teams_and_changes_nothing() {
    let env = Env::new();
    env.ok(&["team", "add", "Ours"]);
    let before = env.json(&["team", "list", "--format", "json"]);
    env.fails(&["demo"], "already holds 1 team (Ours)");
    assert_eq!(env.json(&["team", "list", "--format", "json"]), before);
    assert_eq!(
        env.json(&["round", "list", "--format", "json"]),
        Value::Array(Vec::new())
    );

    // A second demo into a demo database is refused the same way.
    let demo = Env::new();
    demo.ok(&["demo"]);
    demo.fails(&["demo"], "nothing was changed");
    assert_eq!(
        demo.json(&["round", "list", "--format", "json"])
            .as_array()
            .map(Vec::len),
        Some(19)
    );
}

#[test]
fn demo_makes_the_same_organisation_on_postgresql_and_never_prints_its_url() {
    let Some(pg) = PgDatabase::create("demo") else { return };
    let on_pg = pg.env();
    let out = on_pg.ok(&["demo"]);
    assert!(!out.contains(&pg.url), "{out}");
    assert!(out.contains("--database \"$ASYNCMM_DATABASE_URL\" serve"), "{out}");
    let on_sqlite = Env::new();
    on_sqlite.ok(&["demo"]);
    // The answers come from a fixed seed: both backends show the same org.
    let report = |env: &Env| env.json(&["report", "--org", "--format", "json"]);
    assert_eq!(report(&on_pg), report(&on_sqlite));
}
