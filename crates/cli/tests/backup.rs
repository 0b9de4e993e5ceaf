//! Backup and moving between databases through the binary: a database
//! populated by the CLI (self-assessment, team, round with tokens and
//! responses, goal and action) is exported, imported into a fresh SQLite
//! file and, when `ASYNCMM_TEST_POSTGRES_URL` is set, into a fresh
//! PostgreSQL database, and every report reads the same from the copy.
//! Refusals: a non-empty target, a file from a newer format version, and a
//! malformed file, each naming the file and leaving the target untouched.

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{Env, PgDatabase};

fn example_answers() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/answers-detailed.toml")
}

/// Opens a quick round and returns its id and tokens.
fn open_round(env: &Env, team: &str, tokens: u32) -> (String, Vec<String>) {
    let out = env.ok(&["round", "open", "--team", team, "--tokens", &tokens.to_string()]);
    let id = out
        .split_whitespace()
        .skip_while(|w| *w != "round")
        .nth(1)
        .expect("round id printed")
        .to_string();
    let tokens = out
        .lines()
        .filter(|l| l.starts_with("  ") && l.trim().len() == 32)
        .map(|l| l.trim().to_string())
        .collect();
    (id, tokens)
}

fn respond(env: &Env, token: &str, level: u8) {
    let file = env.write(
        &format!("{token}-{level}.toml"),
        &format!(
            "mode = \"quick\"\n[answers]\ndocumentation = {level}\ndecision-making = {level}\nwork-tracking = 1\n\
             meetings = 2\nleadership-culture = 1\n"
        ),
    );
    env.cmd()
        .args(["respond", token, "--answers"])
        .arg(&file)
        .assert()
        .success();
}

/// Everything the CLI can store, and the round's id and tokens.
fn populate(env: &Env) -> (String, Vec<String>) {
    env.cmd()
        .args(["assess", "--team", "Platform", "--detailed", "--answers"])
        .arg(example_answers())
        .assert()
        .success();
    env.ok(&["team", "add", "Engineering"]);
    env.ok(&["team", "add", "Platform", "--parent", "Engineering"]);
    let (round, tokens) = open_round(env, "Platform", 7);
    for (i, token) in tokens.iter().take(6).enumerate() {
        respond(env, token, u8::try_from(i % 4).expect("small"));
    }
    // A revision: the first respondent changes their mind.
    respond(env, &tokens[0], 3);
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
        "2099-03-31",
    ]);
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
    (round, tokens)
}

/// What a person can read from a database, as JSON.
fn views(env: &Env, round: &str) -> Vec<Value> {
    vec![
        env.json(&["report", "--team", "Platform", "--format", "json"]),
        env.json(&["history", "--team", "Platform", "--format", "json"]),
        env.json(&["report", "--round", round, "--format", "json"]),
        env.json(&["report", "--org", "--format", "json"]),
        env.json(&["plan", "show", "--team", "Platform", "--format", "json"]),
        env.json(&["team", "list", "--archived", "--format", "json"]),
    ]
}

/// A document as `asyncmm export` writes it: its fields in their order
/// (import reads them in one pass, in that order), pretty-printed so errors
/// have lines. (`serde_json::Value` keeps keys sorted.)
fn in_export_order(document: &Value) -> String {
    let fields = [
        "format",
        "version",
        "exported_at",
        "models",
        "teams",
        "assessments",
        "rounds",
        "goals",
        "actions",
        "evidence",
        "accounts",
    ];
    let body: Vec<String> = fields
        .iter()
        // Older documents end before the newer sections.
        .filter(|f| document.get(**f).is_some())
        .map(|f| {
            let value = serde_json::to_string_pretty(&document[*f]).expect("json");
            format!("  \"{f}\": {}", value.replace('\n', "\n  "))
        })
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

fn without_time(mut document: Value) -> Value {
    document["exported_at"] = Value::Null;
    document
}

#[test]
fn export_and_import_move_everything_between_databases() {
    let source = Env::new();
    let (round, tokens) = populate(&source);
    let expected = views(&source, &round);

    let backup = source.dir.path().join("backup.json");
    source
        .cmd()
        .args(["export", "--output"])
        .arg(&backup)
        .assert()
        .success();
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&backup).expect("read")).expect("json");
    assert_eq!(written["format"], "asyncmm.export");
    assert_eq!(written["version"], 4);
    assert_eq!(written["rounds"][0]["responses"].as_array().map(Vec::len), Some(6));
    let printed = source.json(&["export"]);
    assert_eq!(without_time(printed), without_time(written.clone()));

    // Into a fresh SQLite file.
    let copy = Env::new();
    copy.cmd()
        .arg("import")
        .arg(&backup)
        .assert()
        .success()
        .stderr(predicate::str::contains("imported").and(predicate::str::contains("6 responses")));
    assert_eq!(views(&copy, &round), expected);
    assert_eq!(without_time(copy.json(&["export"])), without_time(written.clone()));
    // The tokens still work there: an unused one answers, a used one revises.
    respond(&copy, &tokens[6], 1);
    copy.cmd()
        .args(["respond", &tokens[1], "--answers"])
        .arg(source.dir.path().join(format!("{}-1.toml", tokens[1])))
        .assert()
        .success()
        .stdout(predicate::str::contains("replaced"));

    // Importing again is refused: the target is no longer empty.
    let before = without_time(copy.json(&["export"]));
    copy.cmd()
        .arg("import")
        .arg(&backup)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("backup.json").and(predicate::str::contains("empty database")));
    assert_eq!(without_time(copy.json(&["export"])), before);

    // Into a fresh PostgreSQL database.
    if let Some(pg) = PgDatabase::create("backup") {
        let mut on_pg = Env::new();
        on_pg.database = pg.url.clone();
        on_pg.cmd().arg("import").arg(&backup).assert().success();
        assert_eq!(views(&on_pg, &round), expected);
        assert_eq!(without_time(on_pg.json(&["export"])), without_time(written));
        // And back from PostgreSQL to SQLite.
        let back_file = on_pg.dir.path().join("from-pg.json");
        on_pg
            .cmd()
            .args(["export", "--output"])
            .arg(&back_file)
            .assert()
            .success();
        let back = Env::new();
        back.cmd().arg("import").arg(&back_file).assert().success();
        assert_eq!(views(&back, &round), expected);
    }
}

#[test]
fn a_newer_or_malformed_file_is_refused_and_names_the_file() {
    let source = Env::new();
    source.ok(&["team", "add", "Solo"]);
    let mut document: Value = source.json(&["export"]);
    document["version"] = Value::from(5);
    let target = Env::new();
    let newer = target.write("newer.json", &in_export_order(&document));
    target.cmd().arg("import").arg(&newer).assert().code(1).stderr(
        predicate::str::contains("newer.json")
            .and(predicate::str::contains("version 5"))
            .and(predicate::str::contains("version 4")),
    );
    // The file is checked before the database is even opened.
    assert!(!std::path::Path::new(&target.database).exists());

    let broken = target.write(
        "broken.json",
        "{\n  \"format\": \"asyncmm.export\",\n  \"version\": 1,\n  oops\n}\n",
    );
    target
        .cmd()
        .arg("import")
        .arg(&broken)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("broken.json").and(predicate::str::contains("line 4, column 3")));
    target
        .cmd()
        .args(["import", "missing.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing.json"));
    assert!(!std::path::Path::new(&target.database).exists());
}

/// Imports `document` (pretty-printed, so errors have lines) into a fresh
/// database, expects a refusal naming the file, a line and `message`, and
/// checks that no database was created.
fn refused(document: &Value, message: &str) {
    let target = Env::new();
    let file = target.write("careless.json", &in_export_order(document));
    let out = target.cmd().arg("import").arg(&file).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "accepted: {stderr}");
    assert!(stderr.contains("careless.json"), "no file name in: {stderr}");
    assert!(stderr.contains("line "), "no line in: {stderr}");
    assert!(stderr.contains(message), "expected {message:?} in: {stderr}");
    assert!(
        !std::path::Path::new(&target.database).exists(),
        "a refused file created the database"
    );
}

#[test]
fn an_import_checks_every_value_with_the_same_rules_as_other_input_and_stores_nothing_when_refused() {
    let source = Env::new();
    populate(&source);
    let document: Value = source.json(&["export"]);
    let team_index = |name: &str| {
        document["teams"]
            .as_array()
            .expect("teams")
            .iter()
            .position(|t| t["name"] == name)
            .expect("team exported")
    };
    let platform = team_index("Platform");
    let engineering = team_index("Engineering");

    let mut bell = document.clone();
    bell["teams"][platform]["name"] = Value::from("Plat\u{7}form");
    refused(&bell, "team");

    let mut long = document.clone();
    long["teams"][engineering]["name"] = Value::from("x".repeat(1000));
    refused(&long, "team");

    let mut cycle = document.clone();
    let platform_id = cycle["teams"][platform]["id"].clone();
    cycle["teams"][engineering]["parent"] = platform_id;
    refused(&cycle, "cycle");

    let mut unknown = document.clone();
    unknown["assessments"][0]["answers"]["documentation.1.7"] = Value::from(2);
    refused(&unknown, "documentation.1.7");

    let mut wrong_mode = document.clone();
    wrong_mode["rounds"][0]["mode"] = Value::from("detailed");
    refused(&wrong_mode, "round");

    let mut year_zero = document.clone();
    year_zero["rounds"][0]["opens_on"] = Value::from("0000-01-05");
    refused(&year_zero, "outside the years 1-9999");

    let mut duplicate = document.clone();
    let copy = duplicate["teams"][platform].clone();
    let mut copy = copy;
    copy["name"] = Value::from("Platform 2");
    duplicate["teams"].as_array_mut().expect("teams").push(copy);
    refused(&duplicate, "comes twice");

    let mut twin = document.clone();
    twin["assessments"][0]["team"] = Value::from("PLATFORM");
    refused(&twin, "differ only in case");

    let mut foreign_link = document.clone();
    foreign_link["rounds"][0]["sealed"] = Value::from(false);
    foreign_link["rounds"][0]["tokens"][0]["response"] = Value::from(424242);
    refused(&foreign_link, "not one of this round's");

    let mut blank = document.clone();
    let answers = blank["assessments"][0]["answers"].as_object_mut().expect("answers");
    for value in answers.values_mut() {
        *value = Value::Null;
    }
    refused(&blank, "answers nothing");

    let mut blank_response = document.clone();
    blank_response["rounds"][0]["responses"][0]["answers"] = serde_json::json!({});
    refused(&blank_response, "answers nothing");

    // A person whose password is not stored as an argon2id hash, and an API
    // token of nobody in the file: refused, naming the place.
    let person = serde_json::json!({
        "kind": "person", "id": 1, "name": "Ada", "role": "admin",
        "password_hash": "hunter2hunter2", "created_at": "2026-11-30T10:00:00.000000Z", "leads": []
    });
    let mut plain_password = document.clone();
    plain_password["accounts"] = serde_json::json!([person]);
    refused(
        &plain_password,
        "person 1: password_hash is not a PHC password hash string",
    );
    let mut orphan_token = document.clone();
    orphan_token["accounts"] = serde_json::json!([{
        "kind": "api_token", "id": 3, "person": 7, "name": "ci", "prefix": "amm_ABCD",
        "hash": "ab".repeat(32), "created_at": "2026-11-30T10:00:00.000000Z",
        "last_used_at": null, "revoked_at": null
    }]);
    refused(&orphan_token, "API token 3: person 7 is not in the file");

    // The untouched document still imports: the refusals above are the
    // changes, not the file.
    let target = Env::new();
    let file = target.write("fine.json", &in_export_order(&document));
    target.cmd().arg("import").arg(&file).assert().success();
    assert_eq!(target.json(&["export"])["teams"], document["teams"]);
}

/// The export's text with its `exported_at` line blanked.
fn without_time_line(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("  \"exported_at\": ") {
                "  \"exported_at\": \"\","
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn export_file(env: &Env, name: &str) -> String {
    let file = env.dir.path().join(name);
    env.cmd().args(["export", "--output"]).arg(&file).assert().success();
    std::fs::read_to_string(&file).expect("read")
}

#[test]
fn export_import_export_gives_the_same_bytes_on_both_backends() {
    let source = Env::new();
    populate(&source);
    let first = export_file(&source, "first.json");
    // The format of a whole document pretty-printed, and a final newline.
    let document = asyncmm_store::ExportDocument::from_json(&first).expect("reads");
    assert_eq!(first, format!("{}\n", document.to_json().expect("json")));
    // Standard output holds the same text.
    assert_eq!(without_time_line(&source.ok(&["export"])), without_time_line(&first));

    let copy = Env::new();
    copy.cmd()
        .arg("import")
        .arg(source.dir.path().join("first.json"))
        .assert()
        .success();
    let second = export_file(&copy, "second.json");
    assert_eq!(without_time_line(&second), without_time_line(&first));

    if let Some(pg) = PgDatabase::create("backup_bytes") {
        let mut on_pg = Env::new();
        on_pg.database = pg.url.clone();
        on_pg
            .cmd()
            .arg("import")
            .arg(source.dir.path().join("first.json"))
            .assert()
            .success();
        let third = export_file(&on_pg, "third.json");
        assert_eq!(without_time_line(&third), without_time_line(&first));
    }
}
