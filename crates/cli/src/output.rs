//! Where a rendered report goes: standard output, or a file given with
//! `--output`. A file is written to a temporary sibling and renamed over the
//! target, so a failed run never leaves a half-written report behind (and
//! an existing file is either fully replaced or untouched).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::ui::print;

/// Prints `text`, or writes it to `output` whole.
pub fn emit(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        None => print(text),
        Some(path) => {
            write_atomically(path, text)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
    }
}

/// Creates a file that must not exist yet (a token list never overwrites
/// another one).
pub fn write_new_file(path: &Path, text: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("could not create {} (it must not exist yet)", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("could not write {}", path.display()))
}

/// The temporary sibling: same directory, so the rename stays on one file
/// system and is atomic.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let temp = temp_path(path);
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        // Best effort: the temporary file is ours, and useless now.
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("could not write {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.html");
        std::fs::write(&path, "old").expect("write");
        write_atomically(&path, "new").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_missing_directory_fails_cleanly() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("no/such/dir/report.html");
        let err = write_atomically(&path, "x").expect_err("fails");
        assert!(format!("{err:#}").contains("could not write"));
    }
}
