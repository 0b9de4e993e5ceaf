//! Test repositories for the pack reader's and the tree diff's unit tests:
//! `git` run in a folder, and a history written with `git fast-import`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `git -C dir args…`, which must succeed; its standard output.
pub(super) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Feeds a `git fast-import` stream to the repository in `dir`.
pub(super) fn fast_import(dir: &Path, stream: &[u8]) {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("fast-import");
    child.stdin.take().expect("stdin").write_all(stream).expect("stream");
    assert!(child.wait().expect("wait").success());
}
