//! Correcting and removing a stored self-assessment through the binary:
//! both ask first (and need --yes without a terminal), a correction keeps
//! the team and number, and rounds are not touched.

mod common;
use common::Env;

fn quick(env: &Env, name: &str, documentation: u8) -> std::path::PathBuf {
    env.write(
        name,
        &format!(
            "team = \"Platform\"\nmode = \"quick\"\n[answers]\ndocumentation = {documentation}\ndecision-making = 1\n\
             work-tracking = 2\nmeetings = 1\nleadership-culture = 1\n"
        ),
    )
}

#[test]
fn a_self_assessment_is_corrected_and_removed_after_confirmation() {
    let env = Env::new();
    let first = quick(&env, "first.toml", 0);
    env.cmd().arg("assess").arg("--answers").arg(&first).assert().success();
    let json = env.json(&["report", "--assessment", "1", "--format", "json"]);
    assert_eq!(json["areas"][0]["level"]["level"], 0, "{json}");

    // Without --yes and without a terminal nothing changes.
    let fixed = quick(&env, "fixed.toml", 3);
    env.cmd()
        .args(["assessment", "correct", "1", "--answers"])
        .arg(&fixed)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("pass --yes"));
    let json = env.json(&["report", "--assessment", "1", "--format", "json"]);
    assert_eq!(json["areas"][0]["level"]["level"], 0);

    let out = env
        .cmd()
        .args(["assessment", "correct", "1", "--yes", "--answers"])
        .arg(&fixed)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrected assessment #1 of \"Platform\""));
    let json = env.json(&["report", "--assessment", "1", "--format", "json"]);
    assert_eq!(
        json["areas"][0]["level"]["level"], 3,
        "the answers were replaced: {json}"
    );
    let history = env.json(&["history", "--team", "Platform", "--format", "json"]);
    assert_eq!(
        history["entries"].as_array().map(Vec::len),
        Some(1),
        "corrected in place, not added"
    );

    // A correction in the other mode is refused.
    let detailed = env.write(
        "detailed.toml",
        "mode = \"detailed\"\n[answers]\n\"documentation.2.1\" = 3\n",
    );
    env.cmd()
        .args(["assessment", "correct", "1", "--yes", "--answers"])
        .arg(&detailed)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("quick mode"));

    env.fails(&["assessment", "remove", "1"], "pass --yes");
    assert!(
        env.ok(&["assessment", "remove", "1", "--yes"])
            .contains("removed assessment #1")
    );
    env.fails(&["report", "--assessment", "1"], "assessment #1 does not exist");
    env.fails(&["assessment", "remove", "1", "--yes"], "assessment #1 does not exist");
}
