//! What a careless or hostile user can do through the binary: credentials in
//! database URLs, many processes on a new file, other programs' databases,
//! oversized inputs, file permissions and links, and tokens kept off the
//! command line.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

mod common;
use common::Env;

const QUICK_ANSWERS: &str = "mode = \"quick\"\n[answers]\ndocumentation = 2\ndecision-making = 2\nwork-tracking = 1\nmeetings = 2\nleadership-culture = 1\n";

fn asyncmm() -> Command {
    let mut cmd = Command::cargo_bin("asyncmm").expect("binary built");
    cmd.env_remove("ASYNCMM_DATABASE_URL")
        .env_remove("ASYNCMM_TOKEN")
        .env("NO_COLOR", "1");
    cmd
}

fn stderr_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run");
    assert_eq!(out.status.code(), Some(1), "expected a refusal: {out:?}");
    String::from_utf8(out.stderr).expect("utf-8")
}

#[test]
fn postgres_passwords_with_question_marks_or_hashes_are_never_printed() {
    for (url, secret_parts) in [
        (
            "postgres://me:s3?cr3t@127.0.0.1:1/app",
            &["s3?cr3t", "cr3t@", "s3?"][..],
        ),
        ("postgres://me:hun#ter2@127.0.0.1:1/app", &["hun#ter2", "ter2@"][..]),
        (
            "postgresql://me:a?b#c@d@127.0.0.1:1/app?sslmode=disable",
            &["a?b#c", "b#c@d", "c@d"][..],
        ),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let stderr = stderr_of(
            asyncmm()
                .current_dir(dir.path())
                .args(["--database", url, "team", "list"]),
        );
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("127.0.0.1"), "the server is named: {stderr}");
        for part in secret_parts {
            assert!(!stderr.contains(part), "{url}: {part:?} shown in {stderr}");
        }
        assert!(stderr.contains("me:***@"), "{stderr}");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "nothing created"
        );
    }
}

#[test]
fn libpq_key_value_strings_are_refused_without_creating_a_file() {
    let dir = tempfile::tempdir().expect("dir");
    let stderr = stderr_of(asyncmm().current_dir(dir.path()).args([
        "--database",
        "host=127.0.0.1 dbname=app user=me password=hunter2",
        "team",
        "list",
    ]));
    assert!(stderr.contains("key=value connection string"), "{stderr}");
    assert!(
        stderr.contains("postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "no SQLite file named after it"
    );
}

/// Starts `n` copies of a command at once and returns their outputs.
fn all_at_once(n: usize, database: &Path, args: impl Fn(usize) -> Vec<String>) -> Vec<std::process::Output> {
    let binary = assert_cmd::cargo::cargo_bin("asyncmm");
    let children: Vec<_> = (0..n)
        .map(|i| {
            StdCommand::new(&binary)
                .env_remove("ASYNCMM_DATABASE_URL")
                .env("NO_COLOR", "1")
                .arg("--database")
                .arg(database)
                .args(args(i))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect()
}

#[test]
fn fifty_processes_can_start_on_a_new_database_at_once() {
    let env = Env::new();
    let database = env.dir.path().join("new.db");
    let outputs = all_at_once(50, &database, |i| {
        vec!["team".into(), "add".into(), format!("team-{i}")]
    });
    let failures: Vec<String> = outputs
        .iter()
        .filter(|o| !o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    assert!(failures.is_empty(), "{} of 50 failed: {failures:?}", failures.len());
    let list = asyncmm()
        .arg("--database")
        .arg(&database)
        .args(["team", "list"])
        .output()
        .expect("run");
    let text = String::from_utf8(list.stdout).expect("utf-8");
    assert_eq!(text.lines().count(), 50, "{text}");

    // Readers of a fresh file, too.
    let fresh = env.dir.path().join("fresh.db");
    let outputs = all_at_once(10, &fresh, |_| vec!["team".into(), "list".into()]);
    for o in &outputs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

/// The application id in an SQLite file's header (bytes 68-71, big-endian).
fn application_id(path: &Path) -> u32 {
    let bytes = std::fs::read(path).expect("read database");
    u32::from_be_bytes(bytes[68..72].try_into().expect("four bytes"))
}

#[test]
fn databases_are_marked_and_files_of_other_programs_are_left_untouched() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    assert_eq!(
        application_id(Path::new(&env.database)),
        0x4153_4D4D,
        "marked as asyncmm's"
    );

    // A database of an earlier asyncmm, set up before files were marked, is
    // still recognised (and marked now).
    let mut bytes = std::fs::read(&env.database).expect("read");
    bytes[68..72].copy_from_slice(&[0, 0, 0, 0]);
    std::fs::write(&env.database, &bytes).expect("write");
    assert_eq!(env.ok(&["team", "list"]), "Web\n");
    assert_eq!(application_id(Path::new(&env.database)), 0x4153_4D4D);

    // Another program's database with a `teams` table, and one marked with
    // another application id: refused, byte for byte as they were.
    let other = env.dir.path().join("other.db");
    let marked = env.dir.path().join("marked.db");
    foreign_database(
        &other,
        &["CREATE TABLE teams (name TEXT)", "INSERT INTO teams VALUES ('x')"],
    );
    foreign_database(&marked, &["PRAGMA application_id = 1234", "CREATE TABLE t (x)"]);
    for (file, why) in [
        (&other, "it already holds tables of another program (teams)"),
        (&marked, "marked as another application's (application_id 1234)"),
    ] {
        let before = std::fs::read(file).expect("read");
        for args in [&["team", "list"][..], &["team", "add", "Web"], &["migrate"]] {
            let stderr = stderr_of(asyncmm().arg("--database").arg(file).args(args));
            assert!(stderr.contains("is not an asyncmm database"), "{stderr}");
            assert!(stderr.contains(why), "{stderr}");
            assert!(stderr.contains("left untouched"), "{stderr}");
        }
        assert_eq!(std::fs::read(file).expect("read"), before, "{} changed", file.display());
    }
}

/// Creates an SQLite file of "another program" with the sqlite3 library
/// that asyncmm links (through a tiny SQL runner in the test).
fn foreign_database(path: &Path, statements: &[&str]) {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    rt.block_on(async {
        use sqlx::{Connection, Executor};
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.expect("open");
        for statement in statements {
            conn.execute(*statement).await.expect("statement");
        }
        conn.close().await.expect("close");
    });
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn answers_and_tokens_are_written_for_the_owner_only() {
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    assert_eq!(mode(Path::new(&env.database)), 0o600, "the database");
    let tokens = env.dir.path().join("tokens.csv");
    env.ok(&[
        "round",
        "open",
        "--team",
        "Web",
        "--tokens",
        "2",
        "--tokens-csv",
        tokens.to_str().expect("utf-8"),
    ]);
    assert_eq!(mode(&tokens), 0o600, "the token list");
    let export = env.dir.path().join("export.json");
    env.cmd().args(["export", "--output"]).arg(&export).assert().success();
    assert_eq!(mode(&export), 0o600, "the export");
}

#[cfg(unix)]
#[test]
fn output_files_keep_their_mode_and_links_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.ok(&["team", "add", "Web"]);
    let answers = env.write("answers.toml", QUICK_ANSWERS);
    env.cmd()
        .args(["assess", "--team", "Web", "--answers"])
        .arg(&answers)
        .assert()
        .success();

    let report = env.dir.path().join("report.html");
    std::fs::write(&report, "old").expect("write");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    env.cmd()
        .args(["report", "--team", "Web", "--format", "html", "--output"])
        .arg(&report)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&report).expect("read").contains("<html"),
        "replaced"
    );
    assert_eq!(mode(&report), 0o640, "kept its mode");

    let target = env.dir.path().join("target.html");
    std::fs::write(&target, "target").expect("write");
    let link = env.dir.path().join("link.html");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let stderr = stderr_of(
        env.cmd()
            .args(["report", "--team", "Web", "--format", "html", "--output"])
            .arg(&link),
    );
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert!(
        std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink(),
        "still a link"
    );
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "target",
        "target untouched"
    );
    let temporaries: Vec<_> = std::fs::read_dir(env.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(temporaries.is_empty(), "{temporaries:?}");
}

/// Opens a round with `n` tokens and returns them.
fn open_round(env: &Env, team: &str, n: u32) -> Vec<String> {
    env.ok(&["team", "add", team]);
    let out = env.ok(&["round", "open", "--team", team, "--tokens", &n.to_string()]);
    out.lines()
        .filter(|l| l.starts_with("  ") && l.trim().len() == 32)
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn respond_takes_the_token_from_standard_input_or_the_environment() {
    let env = Env::new();
    let tokens = open_round(&env, "Web", 3);
    let answers = env.write("answers.toml", QUICK_ANSWERS);

    env.cmd()
        .args(["respond", "-", "--answers"])
        .arg(&answers)
        .write_stdin(format!("{}\n", tokens[0]))
        .assert()
        .success()
        .stdout(predicate::str::contains("without your name"));
    env.cmd()
        .args(["respond", "--answers"])
        .arg(&answers)
        .env("ASYNCMM_TOKEN", &tokens[1])
        .assert()
        .success()
        .stdout(predicate::str::contains("without your name"));
    let status = env.json(&["round", "status", "1", "--format", "json"]);
    assert_eq!(status["responses"], 2, "{status}");

    env.fails(
        &["respond", "--answers", answers.to_str().expect("utf-8")],
        "no token given",
    );
    env.cmd()
        .args(["respond", "-", "--answers"])
        .arg(&answers)
        .write_stdin("\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("standard input held no token"));
    let help = env.ok(&["respond", "--help"]);
    assert!(
        help.contains("ASYNCMM_TOKEN") && help.contains("standard input"),
        "{help}"
    );
    assert!(!help.contains(&tokens[2]), "the value of the variable is never shown");
}

#[test]
fn model_validate_reports_many_duplicates_in_linear_time() {
    let env = Env::new();
    let model = asyncmm_model_text();
    let block = "[[areas.statements]]\nid = \"documentation.0.1\"\ntext = \"Again.\"\nsuggestion = \"Again.\"\n\n";
    let copies = 20_000;
    let file = env.write("dupes.toml", &format!("{model}\n{}", block.repeat(copies)));
    let start = Instant::now();
    let out = env.cmd().args(["model", "validate"]).arg(&file).output().expect("run");
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    let duplicates = stderr.matches("duplicate statement id documentation.0.1").count();
    assert_eq!(duplicates, copies, "every copy is reported");
    // The last copy is reported at its own line (positions still right).
    let last_line = model.lines().count() + 1 + (copies - 1) * 5 + 2;
    assert!(
        stderr.contains(&format!("dupes.toml:{last_line}:6: duplicate")),
        "line {last_line}"
    );
    // Quadratic position lookup took minutes at this size; linear takes
    // well under a second (the bound leaves room for a slow debug build).
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

fn asyncmm_model_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/async-communications.toml"
    ))
    .expect("default model")
}
