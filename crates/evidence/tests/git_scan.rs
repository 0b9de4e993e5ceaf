//! The git scanner against repositories with known answers.

mod common;

use asyncmm_core::K;
use asyncmm_evidence::git::{GitError, GitSettings, RepoFileLimits, scan_git};
use asyncmm_evidence::privacy::Privacy;
use asyncmm_evidence::since::parse_window;
use asyncmm_evidence::{Scan, Silent};
use common::{Commit, build_repo, git, known_commits};
use time::macros::datetime;

fn settings(since: &str, until: &str) -> GitSettings {
    GitSettings {
        window: parse_window(since, Some(until), datetime!(2024-09-01 0:00 UTC)).expect("window"),
        config: None,
        extra_docs: vec![],
        extra_decisions: vec![],
        extra_bots: vec![],
        now: datetime!(2024-09-01 0:00 UTC),
        limits: RepoFileLimits::default(),
    }
}

fn privacy() -> Privacy {
    Privacy::new(b"test-salt".to_vec(), K::DEFAULT, false)
}

fn value(scan: &Scan, id: &str) -> Option<f64> {
    scan.metric(id).unwrap_or_else(|| panic!("metric {id} missing")).value
}

fn scan_known(dir: &std::path::Path) -> Scan {
    let repo = build_repo(dir, &known_commits());
    scan_git(&repo, &settings("2024-01-01", "2024-06-30"), &privacy(), &Silent).expect("scan")
}

#[test]
fn the_known_repository_gives_the_known_answers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let scan = scan_known(&tmp.path().join("repo"));
    let expect = [
        ("git.commits", 7.0),
        ("git.merge_commits", 1.0),
        ("git.contributors", 6.0),
        ("git.top_contributor_share", 2.0 / 7.0),
        ("git.readme_present", 1.0),
        ("git.contributing_present", 0.0),
        ("git.docs_folder_present", 1.0),
        ("git.docs_basics", 2.0),
        ("git.docs_files", 2.0),
        ("git.docs_share_of_commits", 3.0 / 7.0),
        ("git.docs_freshness_lag_days", 140.5),
        ("git.codeowners_present", 1.0),
        ("git.docs_owned_share", 0.75),
        ("git.decision_records", 2.0),
        ("git.decision_records_added", 1.0),
        ("git.decision_record_age_days", 90.5),
        ("git.decision_records_with_status_share", 0.5),
        ("git.commits_linking_decision_or_issue", 4.0 / 7.0),
        ("git.commits_referencing_issue", 3.0 / 7.0),
        ("git.issue_template_present", 0.0),
        ("git.pr_template_present", 1.0),
        ("git.tracking_templates", 1.0),
    ];
    for (id, want) in expect {
        let got = value(&scan, id).unwrap_or_else(|| panic!("{id} has no value: {:?}", scan.metric(id)));
        assert!((got - want).abs() < 1e-9, "{id}: got {got}, want {want}");
    }
    // Every catalogue metric of the git source is produced.
    for spec in asyncmm_evidence::catalog::all()
        .iter()
        .filter(|s| s.id.starts_with("git."))
    {
        assert!(scan.metric(spec.id).is_some(), "{} not produced", spec.id);
    }
    assert_eq!(scan.metric("git.docs_share_of_commits").map(|m| m.sample), Some(7));
    assert_eq!(scan.metric("git.docs_freshness_lag_days").map(|m| m.sample), Some(2));
    let notes: Vec<&str> = scan.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(
        notes.iter().any(|n| n.contains("left out 1 commits by bots")),
        "{notes:?}"
    );
    // Six people, k = 5: the three most active are listed, by pseudonym only.
    let people = scan.people.as_ref().expect("people");
    assert_eq!(people.count, 6);
    assert_eq!(people.top.len(), 3);
    assert_eq!(
        people.top[0].activity, 2,
        "Dee's two identities are one person via .mailmap"
    );
    assert_eq!(people.top[0].id, privacy().pseudonym("dee@example.org"));
    assert!(people.top.iter().all(|p| p.name.is_none()));
    let json = serde_json::to_string(&scan).expect("json");
    for secret in ["Dee", "dee@example.org", "Ada", "ada@example.org"] {
        assert!(!json.contains(secret), "{secret} leaked into {json}");
    }
}

#[test]
fn names_appear_only_when_asked_for() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = build_repo(&tmp.path().join("repo"), &known_commits());
    let named = Privacy::new(b"s".to_vec(), K::DEFAULT, true);
    let scan = scan_git(&repo, &settings("2024-01-01", "2024-06-30"), &named, &Silent).expect("scan");
    let people = scan.people.expect("people");
    assert_eq!(people.top[0].name.as_deref(), Some("Dee"));
}

#[test]
fn fewer_than_k_people_hide_figures_about_people() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = build_repo(&tmp.path().join("repo"), &known_commits());
    // 2024-02-01 .. 2024-03-31: Bob, Cy and Dee.
    let scan = scan_git(&repo, &settings("2024-02-01", "2024-03-31"), &privacy(), &Silent).expect("scan");
    assert_eq!(value(&scan, "git.commits"), Some(3.0));
    assert_eq!(value(&scan, "git.top_contributor_share"), None);
    let m = scan.metric("git.top_contributor_share").expect("metric");
    assert!(m.no_data.as_deref().unwrap_or("").contains("only 3 people"), "{m:?}");
    assert!(scan.people.as_ref().expect("people").top.is_empty());
    let docs = scan.metric("git.docs_share_of_commits").expect("metric");
    assert!(
        docs.confidence.iter().any(|c| c.contains("fewer than k = 5")),
        "{docs:?}"
    );
}

#[test]
fn a_window_without_commits_is_an_error_that_says_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = build_repo(&tmp.path().join("repo"), &known_commits());
    let err = scan_git(&repo, &settings("2022-01-01", "2022-12-31"), &privacy(), &Silent).expect_err("empty window");
    let text = err.to_string();
    assert!(matches!(err, GitError::NoCommitsInWindow { .. }));
    assert!(
        text.contains("no commits by people between 2022-01-01 and 2022-12-31"),
        "{text}"
    );
    assert!(text.contains("the latest commit is from 2024-08-01"), "{text}");
    // Only the bot committed in March 2024.
    let err = scan_git(&repo, &settings("2024-02-20", "2024-03-05"), &privacy(), &Silent).expect_err("bots only");
    assert!(err.to_string().contains("1 commits by bots were left out"), "{err}");
}

#[test]
fn not_a_repository_and_an_empty_repository_are_clear_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let err = scan_git(tmp.path(), &settings("2024-01-01", "2024-06-30"), &privacy(), &Silent).expect_err("no repo");
    assert!(matches!(err, GitError::NotARepository { .. }), "{err}");
    assert!(err.to_string().contains("is not a git repository"));
    let missing = tmp.path().join("nope");
    let err = scan_git(&missing, &settings("2024-01-01", "2024-06-30"), &privacy(), &Silent).expect_err("missing");
    assert!(err.to_string().contains("no such file or directory"), "{err}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    git(&empty, &["init", "-q"]);
    let err = scan_git(&empty, &settings("2024-01-01", "2024-06-30"), &privacy(), &Silent).expect_err("empty");
    assert!(err.to_string().contains("has no commits yet"), "{err}");
}

#[test]
fn a_corrupt_object_names_the_object() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = build_repo(&tmp.path().join("repo"), &known_commits());
    // Unpack, then damage the loose object of a commit in the window.
    let packs = repo.join(".git/objects/pack");
    let id = git(&repo, &["rev-parse", "main~2"]).trim().to_string();
    for entry in std::fs::read_dir(&packs).expect("packs") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "pack") {
            let data = std::fs::read(&path).expect("pack");
            std::fs::remove_file(&path).expect("rm");
            std::fs::remove_file(path.with_extension("idx")).expect("rm idx");
            let mut child = std::process::Command::new("git")
                .arg("-C")
                .arg(&repo)
                .args(["unpack-objects", "-q"])
                .stdin(std::process::Stdio::piped())
                .spawn()
                .expect("unpack");
            std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &data).expect("write");
            assert!(child.wait().expect("wait").success());
        }
    }
    let object = repo.join(".git/objects").join(&id[..2]).join(&id[2..]);
    let mut perms = std::fs::metadata(&object).expect("object").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).expect("perms");
    std::fs::write(&object, b"this is not zlib data").expect("corrupt");
    let err = scan_git(&repo, &settings("2024-01-01", "2024-06-30"), &privacy(), &Silent).expect_err("corrupt");
    let text = err.to_string();
    assert!(matches!(err, GitError::Read { .. }), "{text}");
    assert!(text.contains(&id[2..]) && text.contains("may be corrupt"), "{text}");
}

#[test]
fn a_shallow_clone_is_flagged_and_still_measured() {
    let tmp = tempfile::tempdir().expect("tmp");
    let origin = build_repo(&tmp.path().join("origin"), &known_commits());
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", origin.display());
    git(
        tmp.path(),
        &["clone", "-q", "--depth", "3", &url, clone.to_str().expect("utf-8")],
    );
    let scan = scan_git(&clone, &settings("2024-01-01", "2024-06-30"), &privacy(), &Silent).expect("scan");
    assert!(
        scan.notes.iter().any(|n| n.message.contains("shallow clone")),
        "{:?}",
        scan.notes
    );
    // Only the commits in the clone count: Refactor (Dee) in the window,
    // the merge, and Later work after it.
    assert_eq!(value(&scan, "git.commits"), Some(1.0));
    let m = scan.metric("git.docs_share_of_commits").expect("metric");
    assert!(m.confidence.iter().any(|c| c.contains("shallow clone")), "{m:?}");
}

#[test]
fn a_team_names_its_own_decision_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let commits = vec![
        Commit::new(1, None, "Ada ada@example.org", "2024-02-01", "Start")
            .file("src/main.rs", "fn main() {}\n")
            .file("handbook/choices/pick-db.md", "# Pick a database\n\nStatus: accepted\n")
            .file(
                ".asyncmm.toml",
                "[evidence]\ndecisions = [\"handbook/choices/**\"]\nbots = [\"ci-runner\"]\n",
            ),
        Commit::new(2, Some(1), "CI ci-runner@example.org", "2024-02-02", "Automated update").file("src/gen.rs", "\n"),
    ];
    let repo = build_repo(&tmp.path().join("repo"), &commits);
    let scan = scan_git(&repo, &settings("2024-01-01", "2024-06-30"), &privacy(), &Silent).expect("scan");
    assert_eq!(value(&scan, "git.decision_records"), Some(1.0));
    assert_eq!(value(&scan, "git.decision_records_with_status_share"), Some(1.0));
    assert_eq!(
        value(&scan, "git.commits"),
        Some(1.0),
        "ci-runner is a bot by the repository's settings"
    );
    // Without the settings file the folder is not known.
    std::fs::remove_file(repo.join(".asyncmm.toml")).expect("rm");
    git(
        &repo,
        &[
            "-c",
            "user.name=Ada",
            "-c",
            "user.email=ada@example.org",
            "commit",
            "-q",
            "-a",
            "-m",
            "drop settings",
            "--date",
            "2024-02-03T12:00:00Z",
        ],
    );
    let mut s = settings("2024-01-01", "2024-06-30");
    s.now = datetime!(2030-01-01 0:00 UTC);
    let scan = scan_git(&repo, &s, &privacy(), &Silent).expect("scan");
    assert_eq!(value(&scan, "git.decision_records"), Some(0.0));
}

#[test]
fn a_broken_settings_file_names_file_and_place() {
    let tmp = tempfile::tempdir().expect("tmp");
    let commits = vec![
        Commit::new(1, None, "Ada ada@example.org", "2024-02-01", "Start")
            .file("src/main.rs", "fn main() {}\n")
            .file(".asyncmm.toml", "[evidence]\ndocs = [\"ok\", 3]\n"),
    ];
    let repo = build_repo(&tmp.path().join("repo"), &commits);
    let err = scan_git(&repo, &settings("2024-01-01", "2024-06-30"), &privacy(), &Silent).expect_err("bad settings");
    let text = err.to_string();
    assert!(text.contains(".asyncmm.toml:2:"), "{text}");
}

#[test]
fn repository_files_over_their_limits_are_left_out_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = build_repo(&tmp.path().join("repo"), &known_commits());
    let mut settings = settings("2024-01-01", "2024-06-30");
    // The known repository's CODEOWNERS has 16 bytes, its .mailmap 44 and
    // its decision records 49 and 74.
    settings.limits = RepoFileLimits {
        max_codeowners_bytes: 8,
        max_mailmap_bytes: 16,
        max_document_bytes: 40,
        ..RepoFileLimits::default()
    };
    let scan = scan_git(&repo, &settings, &privacy(), &Silent).expect("scan");
    let warnings: Vec<&str> = scan
        .notes
        .iter()
        .filter(|n| n.kind == asyncmm_evidence::NoteKind::Warning)
        .map(|n| n.message.as_str())
        .collect();
    let has = |needle: &str| warnings.iter().any(|w| w.contains(needle));
    assert!(
        has("CODEOWNERS is larger than 8 bytes, the most asyncmm"),
        "{warnings:#?}"
    );
    assert!(
        has(".mailmap is larger than 16 bytes, the most asyncmm reads of a mailmap"),
        "{warnings:#?}"
    );
    assert!(
        has("larger than 40 bytes, the most asyncmm reads of a document"),
        "{warnings:#?}"
    );
    assert!(has("docs/adr/0001-record-decisions.md"), "{warnings:#?}");
    // CODEOWNERS is left out, the mailmap doesn't join Dee's two identities,
    // and both records still count by their place, their status unread.
    assert_eq!(value(&scan, "git.codeowners_present"), Some(0.0));
    assert_eq!(value(&scan, "git.contributors"), Some(7.0));
    assert_eq!(value(&scan, "git.decision_records"), Some(2.0));
    assert_eq!(value(&scan, "git.decision_records_with_status_share"), Some(0.0));

    // Within the limits, the same repository gives the known answers.
    let scan = scan_known(&tmp.path().join("again"));
    assert!(scan.notes.iter().all(|n| !n.message.contains("larger than")));
}

#[test]
fn a_settings_file_over_the_limit_refuses_the_scan() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = build_repo(&tmp.path().join("repo"), &known_commits());
    std::fs::write(repo.join(".asyncmm.toml"), format!("# {}\n", "x".repeat(100))).expect("write");
    let mut settings = settings("2024-01-01", "2024-06-30");
    settings.limits.max_config_bytes = 64;
    let err = scan_git(&repo, &settings, &privacy(), &Silent).expect_err("too large");
    assert!(matches!(err, GitError::ConfigTooLarge { limit: 64, .. }), "{err:?}");
    let file = repo.join(".asyncmm.toml").display().to_string();
    assert_eq!(
        err.to_string(),
        format!("{file}: larger than the 64 bytes a settings file may be; is it the right file?")
    );
}
