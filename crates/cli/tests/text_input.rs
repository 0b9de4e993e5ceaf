//! Text from people and from the store, through the binary: one rule for
//! every text typed (names that look the same are the same name; titles and
//! owners hold no terminal controls), stored text that breaks the rule
//! (written by an older version or by hand) reaching the terminal only as
//! visible escapes, and links that stay inert in Markdown and HTML plans.

use asyncmm_core::TeamName;
use asyncmm_core::plan::NewAction;
use asyncmm_model::StatementId;
use serde_json::Value;

mod common;
use common::Env;

/// Standard output and error of a run, as text, with the exit code.
fn run(env: &Env, args: &[&str]) -> (i32, String, String) {
    let out = env.cmd().args(args).output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

/// Characters that must never reach a terminal raw.
fn assert_no_raw_controls(text: &str) {
    let raw: Vec<String> = text
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || matches!(*c, '\u{200b}' | '\u{202e}' | '\u{2066}'))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in {text:?}");
}

#[test]
fn a_name_with_an_invisible_character_is_not_a_second_team() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    let (code, _, stderr) = run(&env, &["team", "add", "Web\u{200b}"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("character U+200B (zero-width space) at position 4 is not allowed"),
        "{stderr}"
    );
    assert_no_raw_controls(&stderr);
    for lookalike in ["\u{feff}Web", "W\u{ad}eb", "\u{202e}beW", "Web\u{2066}"] {
        let (code, _, stderr) = run(&env, &["team", "add", lookalike]);
        assert_eq!(code, 1, "{lookalike:?} accepted: {stderr}");
        assert!(stderr.contains("is not allowed"), "{stderr}");
    }
    // Decomposed and composed é, plain and no-break space: one name.
    env.ok(&["team", "add", "Caf\u{e9} Team"]);
    let (code, _, stderr) = run(&env, &["team", "add", "Cafe\u{301}\u{a0}Team"]);
    assert_ne!(code, 0, "a second Café Team was added");
    assert!(stderr.contains("Caf\u{e9} Team"), "{stderr}");
    let list = env.json(&["team", "list", "--format", "json"]);
    let names: Vec<&str> = list["organisation"]
        .as_array()
        .expect("teams")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Caf\u{e9} Team", "Web"]);
}

#[test]
fn titles_and_owners_with_terminal_controls_are_refused() {
    let env = Env::new();
    env.ok(&["team", "add", "Platform"]);
    let add = |title: &str, owner: &str| {
        run(
            &env,
            &[
                "plan",
                "action",
                "add",
                "--team",
                "Platform",
                "--title",
                title,
                "--owner",
                owner,
                "--statement",
                "meetings.2.1",
            ],
        )
    };
    let (code, _, stderr) = add("Agenda\u{1b}]0;owned\u{7}", "Ana");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("action title: character U+001B (escape) at position 7 is not allowed"),
        "{stderr}"
    );
    assert_no_raw_controls(&stderr);
    let (code, _, stderr) = add("Agenda", "Ana\u{8}\u{8}\u{8}Bob");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("action owner: character U+0008 (backspace) at position 4"),
        "{stderr}"
    );
    let (code, _, stderr) = add("Agenda\nfor all", "Ana");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("U+000A (line feed) at position 7"), "{stderr}");
    let plan = env.json(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert_eq!(plan["actions"], Value::Array(Vec::new()), "a refused action was stored");
    // A clean title is stored normalised.
    let added = env.ok(&[
        "plan",
        "action",
        "add",
        "--team",
        "Platform",
        "--title",
        " Cafe\u{301} agenda ",
        "--statement",
        "meetings.2.1",
    ]);
    assert!(added.contains("] Caf\u{e9} agenda ("), "{added}");
}

/// Writes what an older version (or a hand edit) could have stored: names,
/// titles and owners the text rule refuses today.
fn store_hostile_rows(env: &Env) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = asyncmm_store::connect(&env.database).await.expect("store");
        let team = TeamName::parse("Platform").expect("team");
        store.create_team(&team, None).await.expect("team");
        let evil = TeamName::stored("Evil\u{1b}[2J\u{1b}]0;owned\u{7}").expect("stored name");
        store.create_team(&evil, None).await.expect("hostile team");
        let model = asyncmm_model::default_model().expect("model");
        let mut action = NewAction::new(
            &model,
            team,
            "placeholder",
            None,
            None,
            &[StatementId::parse("meetings.2.1").expect("id")],
            time::macros::date!(2026 - 01 - 05),
        )
        .expect("action");
        action.title = "Agenda\u{1b}[2K\r\u{9b}31mwiped".to_string();
        action.owner = Some("Ana\u{202e}txt.exe".to_string());
        store.add_action(&action).await.expect("hostile action");
    });
}

#[test]
fn stored_controls_reach_the_terminal_only_as_visible_escapes() {
    let env = Env::new();
    env.ok(&["team", "list"]); // creates the database
    store_hostile_rows(&env);

    let list = env.ok(&["team", "list"]);
    assert_no_raw_controls(&list);
    assert!(list.contains("Evil\\u001B[2J\\u001B]0;owned\\u0007"), "{list}");

    let plan = env.ok(&["plan", "show", "--team", "Platform"]);
    assert_no_raw_controls(&plan);
    assert!(
        plan.contains("Agenda\\u001B[2K\\u000D\\u009B31mwiped — Ana\\u202Etxt.exe"),
        "{plan}"
    );
    let markdown = env.ok(&["plan", "show", "--team", "Platform", "--format", "md"]);
    assert_no_raw_controls(&markdown);

    // JSON keeps the stored text exactly: the escapes are JSON's own.
    let json = env.ok(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert_no_raw_controls(&json);
    let json: Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(json["actions"][0]["title"], "Agenda\u{1b}[2K\r\u{9b}31mwiped");
    assert_eq!(json["actions"][0]["owner"], "Ana\u{202e}txt.exe");
}

#[test]
fn a_hostile_link_renders_inert_in_markdown_and_html() {
    let env = Env::new();
    env.cmd()
        .args(["assess", "--team", "Platform", "--detailed", "--answers"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/answers-detailed.toml"))
        .assert()
        .success();
    let added = env.ok(&[
        "plan",
        "action",
        "add",
        "--team",
        "Platform",
        "--title",
        "Decision log",
        "--link",
        "https://x/\"><script>alert(1)</script><img/src=x/onerror=alert(2)>",
        "--statement",
        "meetings.2.1",
    ]);
    let encoded = "https://x/%22%3E%3Cscript%3Ealert(1)%3C/script%3E%3Cimg/src=x/onerror=alert(2)%3E";
    assert!(added.contains(&format!("<{encoded}>")), "{added}");

    let markdown = env.ok(&["plan", "show", "--team", "Platform", "--format", "md"]);
    assert!(markdown.contains(&format!("[Decision log](<{encoded}>)")), "{markdown}");
    for live in ["<script", "<img", "\">"] {
        assert!(!markdown.contains(live), "{live} in {markdown}");
    }

    let html = env.ok(&["report", "--team", "Platform", "--format", "html"]);
    assert!(
        html.contains(&format!("<a href=\"{encoded}\"><bdi>Decision log</bdi></a>")),
        "{html}"
    );
    assert!(!html.contains("<script"), "live script in the HTML report");
    assert!(!html.contains("<img"), "live image in the HTML report");

    let json = env.json(&["plan", "show", "--team", "Platform", "--format", "json"]);
    assert_eq!(json["actions"][0]["link"], encoded);
}

/// The one team holding data has a name with a terminal escape, a bell and
/// a bidi override in it, as an older version could have stored.
fn store_hostile_assessment(env: &Env) -> &'static str {
    const NAME: &str = "Evil\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = asyncmm_store::connect(&env.database).await.expect("store");
        let evil = TeamName::stored(NAME).expect("stored name");
        store.create_team(&evil, None).await.expect("hostile team");
        let model = asyncmm_model::default_model().expect("model");
        let model_ref = asyncmm_core::ModelRef::of(&model);
        store
            .register_model(&model_ref, asyncmm_model::DEFAULT_MODEL_TOML)
            .await
            .expect("model");
        let level = asyncmm_model::Level::new(2).expect("level");
        let answers = asyncmm_core::QuickAnswers::from_map(model.areas.iter().map(|a| (a.id.clone(), level)).collect());
        store
            .save_assessment(&asyncmm_core::NewAssessment {
                team: evil,
                model: model_ref,
                taken_at: time::macros::datetime!(2026-01-05 10:00 UTC),
                answers: asyncmm_core::Answers::Quick(answers),
            })
            .await
            .expect("assessment");
    });
    NAME
}

#[test]
fn stored_controls_reach_an_output_file_only_as_visible_escapes() {
    let env = Env::new();
    env.ok(&["team", "list"]); // creates the database
    store_hostile_assessment(&env);
    // Markdown also escapes the brackets, so the name is checked in parts.
    let escaped = ["Evil\\u001B", "2J\\u001B", "0;owned\\u0007\\u202E"];
    for (args, name) in [
        (&["report"][..], "report.txt"),
        (&["report", "--format", "md"][..], "report.md"),
        (&["history"][..], "history.txt"),
    ] {
        let file = env.dir.path().join(name);
        let path = file.display().to_string();
        let printed = env.ok(args);
        let mut with_output = args.to_vec();
        with_output.extend(["--output", path.as_str()]);
        env.ok(&with_output);
        let written = std::fs::read_to_string(&file).expect("written");
        assert_no_raw_controls(&written);
        for part in escaped {
            assert!(written.contains(part), "{name}: {part} in {written}");
        }
        // The file holds exactly what the terminal is shown.
        assert_eq!(written, printed, "{name}");
    }
}
