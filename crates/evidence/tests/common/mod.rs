//! Test fixtures: git repositories built from a `git fast-import` stream with
//! fixed dates, so every metric has a known answer. Only the tests run git;
//! the scanner never does.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One commit of a fixture.
pub struct Commit<'a> {
    pub branch: &'a str,
    pub mark: u32,
    pub from: Option<u32>,
    pub merge: Option<u32>,
    pub name: &'a str,
    pub email: &'a str,
    /// `YYYY-MM-DD`, at 12:00 UTC.
    pub date: &'a str,
    pub message: &'a str,
    pub files: Vec<(&'a str, &'a str)>,
    pub deleted: Vec<&'a str>,
}

impl<'a> Commit<'a> {
    pub fn new(mark: u32, from: Option<u32>, who: &'a str, date: &'a str, message: &'a str) -> Self {
        let (name, email) = who.split_once(' ').unwrap_or((who, who));
        Commit {
            branch: "main",
            mark,
            from,
            merge: None,
            name,
            email,
            date,
            message,
            files: Vec::new(),
            deleted: Vec::new(),
        }
    }

    pub fn file(mut self, path: &'a str, content: &'a str) -> Self {
        self.files.push((path, content));
        self
    }
}

fn unix(date: &str) -> i64 {
    let d = time::Date::parse(date, time::macros::format_description!("[year]-[month]-[day]")).expect("date");
    d.with_time(time::macros::time!(12:00)).assume_utc().unix_timestamp()
}

pub fn fast_import_stream(commits: &[Commit<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in commits {
        let t = unix(c.date);
        write!(out, "commit refs/heads/{}\nmark :{}\n", c.branch, c.mark).expect("write");
        write!(
            out,
            "author {} <{}> {t} +0000\ncommitter {} <{}> {t} +0000\n",
            c.name, c.email, c.name, c.email
        )
        .expect("write");
        write!(out, "data {}\n{}\n", c.message.len(), c.message).expect("write");
        if let Some(from) = c.from {
            writeln!(out, "from :{from}").expect("write");
        }
        if let Some(merge) = c.merge {
            writeln!(out, "merge :{merge}").expect("write");
        }
        for (path, content) in &c.files {
            write!(out, "M 100644 inline {path}\ndata {}\n{content}\n", content.len()).expect("write");
        }
        for path in &c.deleted {
            writeln!(out, "D {path}").expect("write");
        }
        out.push(b'\n');
    }
    out
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A non-bare repository with `commits` imported and `main` checked out.
pub fn build_repo(dir: &Path, commits: &[Commit<'_>]) -> PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    git(dir, &["init", "-q", "-b", "main"]);
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&fast_import_stream(commits))
        .expect("stream");
    assert!(child.wait().expect("wait").success());
    git(dir, &["reset", "-q", "--hard", "main"]);
    dir.to_path_buf()
}

pub const ADR_1: &str = "---\nstatus: accepted\ndate: 2023-06-01\n---\n# Record architecture decisions\n";
pub const ADR_2: &str = "# ADR 2: Use PostgreSQL\n\nWe will use PostgreSQL.\n";

/// The repository whose answers the tests know (window 2024-01-01 to
/// 2024-06-30): 7 commits by 6 people in the window, one merge, one bot
/// commit, one commit after the window.
pub fn known_commits() -> Vec<Commit<'static>> {
    let mut merge = Commit::new(9, Some(7), "Ada ada@example.org", "2024-04-12", "Merge branch 'readme'")
        .file("README.md", "# App\n\nSee issue 3.\n");
    merge.merge = Some(8);
    let mut side = Commit::new(
        8,
        Some(7),
        "Fay fay@example.org",
        "2024-04-10",
        "Update README for https://github.com/acme/app/issues/3",
    )
    .file("README.md", "# App\n\nSee issue 3.\n");
    side.branch = "readme";
    vec![
        Commit::new(1, None, "Ada ada@example.org", "2023-06-01", "Initial commit")
            .file("README.md", "# App\n")
            .file("src/main.rs", "fn main() {}\n")
            .file("docs/guide.md", "# Guide\n")
            .file("CODEOWNERS", "/docs/ @writers\n")
            .file("docs/adr/0001-record-decisions.md", ADR_1)
            .file(".github/pull_request_template.md", "## What\n")
            .file(".mailmap", "Dee <dee@example.org> <dee.old@example.org>\n"),
        Commit::new(2, Some(1), "Ada ada@example.org", "2024-01-10", "Add parser (#12)")
            .file("src/main.rs", "fn main() { parse(); }\n"),
        Commit::new(3, Some(2), "Bob bob@example.org", "2024-02-01", "Fix crash, closes #7")
            .file("src/lib.rs", "pub fn parse() {}\n"),
        Commit::new(4, Some(3), "Cy cy@example.org", "2024-02-15", "Document setup")
            .file("docs/guide.md", "# Guide\n\nRun it.\n"),
        Commit::new(
            5,
            Some(4),
            "dependabot[bot] 49699333+dependabot[bot]@users.noreply.github.com",
            "2024-03-01",
            "Bump serde",
        )
        .file("Cargo.toml", "[package]\n"),
        Commit::new(
            6,
            Some(5),
            "Dee dee.old@example.org",
            "2024-03-10",
            "ABC-42 tune the parser",
        )
        .file("src/main.rs", "fn main() { parse(); parse(); }\n"),
        Commit::new(7, Some(6), "Eve eve@example.org", "2024-04-01", "Record decision ADR-2")
            .file("docs/adr/0002-use-postgres.md", ADR_2),
        side,
        merge,
        Commit::new(10, Some(9), "Dee dee@example.org", "2024-05-01", "Refactor")
            .file("src/lib.rs", "pub fn parse() { }\n"),
        Commit::new(11, Some(10), "Ada ada@example.org", "2024-08-01", "Later work")
            .file("src/main.rs", "fn main() { later(); }\n"),
    ]
}

pub mod github;
pub mod mock;
pub mod slack;
