//! What every end-to-end test of the binary needs: a fresh database in its
//! own temporary directory and the `asyncmm` command pointed at it, with
//! colour off and no database URL inherited from the environment.
#![allow(dead_code)] // each test binary uses a different part of it

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

pub struct Env {
    pub dir: TempDir,
    /// An SQLite path by default; a test may point it at PostgreSQL.
    pub database: String,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("asyncmm.db").display().to_string();
        Env { dir, database }
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("asyncmm").expect("binary built");
        cmd.env_remove("ASYNCMM_DATABASE_URL")
            .env("NO_COLOR", "1")
            .arg("--database")
            .arg(&self.database);
        cmd
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    /// Runs a command that must succeed and returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs a command that must fail with exit code 1 and `message` on stderr.
    pub fn fails(&self, args: &[&str], message: &str) {
        self.cmd()
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message));
    }

    /// Runs a command that must succeed and parses its output as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("valid JSON")
    }
}

/// A fresh PostgreSQL database on the test server (`ASYNCMM_TEST_POSTGRES_URL`),
/// dropped again when this value is dropped, even after a failed assertion.
pub struct PgDatabase {
    base: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// `None` (with a note on stderr) when no test server is configured.
    pub fn create(purpose: &str) -> Option<PgDatabase> {
        let Ok(base) = std::env::var("ASYNCMM_TEST_POSTGRES_URL") else {
            say_skipped(&format!(
                "PostgreSQL {purpose} test: set ASYNCMM_TEST_POSTGRES_URL to run it"
            ));
            return None;
        };
        let name = format!(
            "asyncmm_{purpose}_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let status = std::process::Command::new("psql")
            .arg(&base)
            .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
            .status()
            .expect("psql runs");
        assert!(status.success(), "could not create test database");
        let url = match base.rfind('/') {
            Some(i) => format!("{}/{name}", &base[..i]),
            None => panic!("unexpected URL {base}"),
        };
        Some(PgDatabase { base, name, url })
    }

    /// An environment whose commands use this database.
    pub fn env(&self) -> Env {
        let mut env = Env::new();
        env.database = self.url.clone();
        env
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = std::process::Command::new("psql")
            .arg(&self.base)
            .args(["-q", "-c", &format!("DROP DATABASE {} WITH (FORCE)", self.name)])
            .status();
    }
}

/// Says a test was skipped where it can't be missed: straight to the
/// process's standard error, which the test harness doesn't capture, so the
/// line shows in the test output even when the test passes.
pub fn say_skipped(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {what}");
}
