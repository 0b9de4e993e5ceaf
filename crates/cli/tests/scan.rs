//! `asyncmm scan` through the binary: git and GitHub sources, both formats,
//! bad input, and the live path against a local server in the API's shape.

#[path = "../../evidence/tests/common/mod.rs"]
mod fixtures;

use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use fixtures::mock::{MockServer, Request, Response};
use predicates::prelude::*;

fn asyncmm() -> Command {
    let mut cmd = Command::cargo_bin("asyncmm").expect("binary");
    cmd.env("ASYNCMM_PSEUDONYM_SALT", "test-salt")
        .env_remove("GITHUB_TOKEN");
    cmd
}

fn known_repo(dir: &std::path::Path) -> std::path::PathBuf {
    fixtures::build_repo(&dir.join("repo"), &fixtures::known_commits())
}

#[test]
fn scan_git_json_has_the_schema_metrics_and_levels() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = known_repo(tmp.path());
    let out = asyncmm()
        .args(["scan", "git"])
        .arg(&repo)
        .args(["--since", "2024-01-01", "--until", "2024-06-30", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["schema"], "asyncmm.evidence/1");
    let metrics = doc["scans"][0]["metrics"].as_array().expect("metrics");
    let value = |id: &str| {
        metrics
            .iter()
            .find(|m| m["id"] == id)
            .and_then(|m| m["value"].as_f64())
            .unwrap_or(f64::NAN)
    };
    assert_eq!(value("git.commits"), 7.0);
    assert!((value("git.docs_share_of_commits") - 3.0 / 7.0).abs() < 1e-9);
    assert_eq!(value("git.decision_records"), 2.0);
    // documentation: basics 2 → level 2, docs share 43% but only 7 commits
    // (< 20: no data), freshness 140.5 days → level 1, owned 75% → level 2.
    let areas = doc["evaluation"]["areas"].as_array().expect("areas");
    let docs = areas
        .iter()
        .find(|a| a["area"] == "documentation")
        .expect("documentation");
    assert_eq!(docs["level"], 2);
    assert_eq!(docs["rules"], 5, "four git rules and one chat rule");
    assert_eq!(docs["rules_with_data"], 3);
    let rule = doc["evaluation"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["rule"] == "documentation.written-with-changes")
        .expect("rule");
    assert!(
        rule["no_data"]
            .as_str()
            .unwrap_or("")
            .contains("sample too small: 7 commits"),
        "{rule}"
    );
    let meetings = areas.iter().find(|a| a["area"] == "meetings").expect("meetings");
    assert_eq!(meetings["level"], serde_json::Value::Null);
    assert_eq!(meetings["rules_with_data"], 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("Dee") && !text.contains("@example.org"),
        "names stay out"
    );
}

#[test]
fn scan_git_text_explains_rules_and_shows_names_only_when_asked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = known_repo(tmp.path());
    asyncmm()
        .args(["scan", "git"])
        .arg(&repo)
        .args(["--since", "2024-01-01", "--until", "2024-06-30"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Window: 2024-01-01 to 2024-06-30"))
        .stdout(predicate::str::contains(
            "Documentation            2 Defined      3 of 5 rules had data",
        ))
        .stdout(predicate::str::contains("documentation.fresh"))
        .stdout(predicate::str::contains("git.docs_freshness_lag_days = 140.5 days"))
        .stdout(predicate::str::contains("why: Docs that trail the code"))
        .stdout(predicate::str::contains(
            "Meetings                 no evidence    0 of 6 rules had data",
        ))
        .stdout(predicate::str::contains("Dee").not());
    asyncmm()
        .args(["scan", "git"])
        .arg(&repo)
        .args(["--since", "2024-01-01", "--until", "2024-06-30", "--show-names"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Dee ("));
}

#[test]
fn a_custom_rule_file_changes_the_suggestion_and_a_broken_one_is_located() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = known_repo(tmp.path());
    let rules = tmp.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[rule_set]\nid = \"ours\"\nversion = \"2\"\nmin_sample = 1\n\n[[rules]]\nid = \"docs.share\"\narea = \"documentation\"\nmetric = \"git.docs_share_of_commits\"\ndirection = \"higher_is_better\"\nlevels = [0.1, 0.2, 0.4]\nrationale = \"Docs move with the code.\"\n",
    )
    .expect("write");
    let out = asyncmm()
        .args(["scan", "git"])
        .arg(&repo)
        .args([
            "--since",
            "2024-01-01",
            "--until",
            "2024-06-30",
            "--format",
            "json",
            "--rules",
        ])
        .arg(&rules)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["evaluation"]["rule_set"]["id"], "ours");
    assert_eq!(doc["evaluation"]["areas"][0]["level"], 3, "43% ≥ 40%");
    std::fs::write(&rules, "[rule_set]\nid = \"ours\"\nversion = \"2\"\nmin_sample = 1\n\n[[rules]]\nid = \"x\"\narea = \"docs\"\nmetric = \"git.docs_share_of_commits\"\ndirection = \"higher_is_better\"\nlevels = [0.1, 0.2, 0.4]\nrationale = \"r\"\n").expect("write");
    asyncmm()
        .args(["scan", "git"])
        .arg(&repo)
        .arg("--rules")
        .arg(&rules)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "rules.toml:8:8: area \"docs\" is not in the model",
        ));
}

#[test]
fn bad_git_input_fails_with_a_clear_message() {
    let tmp = tempfile::tempdir().expect("tmp");
    asyncmm()
        .args(["scan", "git"])
        .arg(tmp.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a git repository"));
    let repo = known_repo(tmp.path());
    asyncmm()
        .args(["scan", "git"])
        .arg(&repo)
        .args(["--since", "2022-01-01", "--until", "2022-12-31"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no commits by people between 2022-01-01 and 2022-12-31",
        ))
        .stdout(predicate::str::is_empty());
    asyncmm()
        .args(["scan", "git"])
        .arg(&repo)
        .args(["--since", "half a year"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--since \"half a year\" is not a duration or a date",
        ));
    asyncmm()
        .args(["scan", "git"])
        .arg(&repo)
        .args(["--k", "2"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("must be at least 3"));
}

#[test]
fn scan_github_from_files_and_a_wrong_shape() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("export");
    fixtures::github::write_dir(&dir);
    let out = asyncmm()
        .args(["scan", "github", "--from"])
        .arg(&dir)
        .args(["--since", "2024-01-01", "--until", "2024-06-30", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let metrics = doc["scans"][0]["metrics"].as_array().expect("metrics");
    for (id, want) in fixtures::github::EXPECTED {
        let got = metrics
            .iter()
            .find(|m| m["id"] == *id)
            .and_then(|m| m["value"].as_f64());
        assert!(got.is_some_and(|g| (g - want).abs() < 1e-9), "{id}: {got:?} != {want}");
    }
    std::fs::write(dir.join("issue-comments.json"), "[{\"issue_url\": 5}]").expect("write");
    asyncmm()
        .args(["scan", "github", "--from"])
        .arg(&dir)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "issue-comments.json:1:16: [0].issue_url: invalid type: integer `5`",
        ));
}

#[test]
fn scan_github_live_waits_out_a_rate_limit_and_reports_an_expired_token() {
    static HITS: AtomicUsize = AtomicUsize::new(0);
    let server = MockServer::start(|request: &Request, base: &str| {
        if request.headers.get("authorization").map(String::as_str) != Some("Bearer good-token") {
            return Response::json(401, r#"{"message":"Bad credentials"}"#.into());
        }
        let json = |v: Vec<serde_json::Value>| serde_json::to_string(&v).expect("json");
        let path = request.target.split('?').next().unwrap_or("");
        match path {
            "/repos/acme/app/issues" if request.target.contains("page=2") => {
                Response::json(200, json(fixtures::github::issues()[4..].to_vec()))
            }
            "/repos/acme/app/issues" => {
                if HITS.fetch_add(1, Ordering::SeqCst) == 0 {
                    return Response::json(403, r#"{"message":"API rate limit exceeded"}"#.into())
                        .header("Retry-After", "1");
                }
                Response::json(200, json(fixtures::github::issues()[..4].to_vec()))
                    .header("Link", &format!("<{base}/repos/acme/app/issues?page=2>; rel=\"next\""))
            }
            "/repos/acme/app/pulls" => Response::json(200, json(fixtures::github::pulls())),
            "/repos/acme/app/issues/comments" => Response::json(200, json(fixtures::github::comments())),
            p if p.ends_with("/reviews") => {
                let suffix = p.trim_end_matches("/reviews").replace("/repos/acme/app", "");
                Response::json(
                    200,
                    json(
                        fixtures::github::reviews()
                            .into_iter()
                            .filter(|r| r["pull_request_url"].as_str().unwrap_or("").ends_with(&suffix))
                            .collect(),
                    ),
                )
            }
            _ => Response::json(404, r#"{"message":"Not Found"}"#.into()),
        }
    });
    let started = std::time::Instant::now();
    let out = asyncmm()
        .env("GITHUB_TOKEN", "good-token")
        .args(["scan", "github", "--repo", "acme/app", "--api-url", &server.url])
        .args(["--since", "2024-01-01", "--until", "2024-06-30", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "the pause was real"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rate limit is spent: waiting 1 s"), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let issues = doc["scans"][0]["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["id"] == "github.issues")
        .and_then(|m| m["value"].as_f64());
    assert_eq!(issues, Some(6.0), "both pages read");
    assert!(server.targets().iter().any(|t| t.contains("page=2")));

    asyncmm()
        .env("GITHUB_TOKEN", "expired-token")
        .args(["scan", "github", "--repo", "acme/app", "--api-url", &server.url])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "GitHub refused the token (401 Bad credentials)",
        ));
    asyncmm()
        .args(["scan", "github", "--repo", "acme/app", "--api-url", &server.url])
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs a token: set GITHUB_TOKEN"));
}

#[test]
fn scan_slack_reads_a_zip_and_prints_no_message_text() {
    let tmp = tempfile::tempdir().expect("tmp");
    let zip = fixtures::slack::write_zip(&tmp.path().join("export.zip"), &fixtures::slack::files());
    let out = asyncmm()
        .args(["scan", "slack"])
        .arg(&zip)
        .args([
            "--since",
            "2024-01-01",
            "--until",
            "2024-01-28",
            "--k",
            "3",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["scans"][0]["source"], "slack");
    let metrics = doc["scans"][0]["metrics"].as_array().expect("metrics");
    for (id, want) in fixtures::slack::EXPECTED {
        let got = metrics
            .iter()
            .find(|m| m["id"] == *id)
            .and_then(|m| m["value"].as_f64())
            .unwrap_or(f64::NAN);
        assert!((got - want).abs() < 1e-9, "{id}: {got} vs {want}");
    }
    let text = asyncmm()
        .args(["scan", "slack"])
        .arg(&zip)
        .args([
            "--since",
            "2024-01-01",
            "--until",
            "2024-01-28",
            "--working-hours",
            "08:00-18:00",
        ])
        .output()
        .expect("runs");
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Evidence from slack:"), "{text}");
    assert!(text.contains("working hours 08:00-18:00"), "{text}");
    assert!(
        text.contains("general/2024-01-07.json:1:"),
        "skipped file listed: {text}"
    );
    for secret in ["deploy at noon", "Alice", "github.com/o/r"] {
        assert!(!text.contains(secret), "{secret} printed");
    }
}

#[test]
fn scan_slack_refuses_a_traversal_entry_and_bad_working_hours() {
    use std::io::Write;
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("evil.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    zip.start_file("../evil.json", zip::write::SimpleFileOptions::default())
        .expect("entry");
    zip.write_all(b"[]").expect("write");
    zip.finish().expect("finish");
    asyncmm()
        .args(["scan", "slack"])
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains("would be written outside the export"));
    asyncmm()
        .args(["scan", "slack"])
        .arg(&path)
        .args(["--working-hours", "9-5"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("must look like 09:00-17:00"));
}

#[test]
fn scan_calendar_reads_a_folder_and_names_a_broken_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A weekly hour with two people over two weeks, in New York time.
    std::fs::write(
        tmp.path().join("bob.ics"),
        "BEGIN:VCALENDAR\nX-WR-CALNAME:bob@x.org\nBEGIN:VEVENT\nUID:w\nSUMMARY:Secret project\n\
         DTSTART;TZID=Eastern Standard Time:20240304T100000\nDTEND;TZID=Eastern Standard Time:20240304T110000\n\
         RRULE:FREQ=WEEKLY\nATTENDEE:mailto:bob@x.org\nATTENDEE:mailto:ann@x.org\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    .expect("write");
    let out = asyncmm()
        .args(["scan", "calendar"])
        .arg(tmp.path())
        .args(["--since", "2024-03-04", "--until", "2024-03-17", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["scans"][0]["source"], "calendar");
    let metrics = doc["scans"][0]["metrics"].as_array().expect("metrics");
    let value = |id: &str| metrics.iter().find(|m| m["id"] == id).and_then(|m| m["value"].as_f64());
    assert_eq!(value("calendar.people"), Some(1.0));
    assert_eq!(value("calendar.meeting_hours_per_person_week"), Some(1.0));
    assert_eq!(value("calendar.recurring_meeting_share"), Some(1.0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Secret project"));
    std::fs::write(tmp.path().join("junk.ics"), "not a calendar\n").expect("write");
    asyncmm()
        .args(["scan", "calendar"])
        .arg(tmp.path().join("junk.ics"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("junk.ics: nothing readable"));
}
