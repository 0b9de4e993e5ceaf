//! Where a rendered report goes: standard output, or a file given with
//! `--output`. A file is written to a temporary sibling and renamed over the
//! target, so a failed run never leaves a half-written report behind (and
//! an existing file is either fully replaced or untouched).
//!
//! A file gets the same text as the terminal would: stored text's control,
//! invisible and bidi characters written as visible escapes (see
//! [`asyncmm_text::terminal::visible`]), so `cat report.txt` is as safe as
//! the report printed. Exports are the exception: they are data, written
//! exactly as stored, and read back by `asyncmm import`.
//!
//! A replaced file keeps its permissions, and a symbolic link is refused
//! rather than replaced by a file. Files that hold answers or tokens
//! (exports, token lists) are created readable by their owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use asyncmm_text::terminal::visible;

use crate::ui::print;

/// Who may read a new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The user's usual permissions (the umask): reports and charts.
    Usual,
    /// The owner only: files with answers or tokens.
    OwnerOnly,
}

/// Prints `text`, or writes it to `output` whole. Either way stored text's
/// control, invisible and bidi characters come out as visible escapes.
pub fn emit(text: &str, output: Option<&Path>) -> Result<()> {
    match output {
        None => print(text),
        Some(path) => {
            write_atomically(path, &visible(text, false), Access::Usual)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
    }
}

/// Creates a file that must not exist yet (a token list never overwrites
/// another one).
pub fn write_new_file(path: &Path, text: &str) -> Result<()> {
    // `create_new` also refuses a symbolic link, even a dangling one.
    let mut file = new_file_options(Access::OwnerOnly)
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

/// Options that create a file that must not exist yet, with `access`.
fn new_file_options(access: Access) -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if access == Access::OwnerOnly {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    options
}

fn write_atomically(path: &Path, text: &str, access: Access) -> Result<()> {
    let mut file = AtomicFile::create(path, access)?;
    file.writer()
        .write_all(text.as_bytes())
        .with_context(|| format!("could not write {}", path.display()))?;
    file.commit()
}

/// A file being written in place of `path`: a temporary sibling that
/// [`AtomicFile::commit`] renames over the target. Dropped uncommitted (an
/// error on the way), the temporary file is removed and the target is left
/// as it was. For output written as it is produced (an export), where
/// [`emit`] would need it all in memory first.
pub struct AtomicFile {
    path: PathBuf,
    temp: PathBuf,
    /// The replaced file's permissions, to carry over.
    existing: Option<std::fs::Permissions>,
    out: std::io::BufWriter<std::fs::File>,
    /// Renamed into place: nothing to clean up.
    committed: bool,
}

impl AtomicFile {
    /// Starts writing `path` (see the module docs for links, directories and
    /// permissions).
    pub fn create(path: &Path, access: Access) -> Result<AtomicFile> {
        // What is there now: a link is refused (renaming over it would put a
        // file where the link was, and the user meant its target or neither),
        // a file's permissions carry over to its replacement.
        let existing = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => anyhow::bail!(
                "{} is a symbolic link; asyncmm does not replace links: pass --output with the path of the file \
                 itself",
                path.display()
            ),
            Ok(meta) if meta.is_dir() => {
                anyhow::bail!("{} is a directory; pass --output with a file name", path.display())
            }
            Ok(meta) => Some(meta.permissions()),
            Err(_) => None,
        };
        let temp = temp_path(path);
        // Owner-only until the content is complete when a file's own
        // permissions will be copied, so the copy never starts wider.
        let access = if existing.is_some() { Access::OwnerOnly } else { access };
        let file = new_file_options(access)
            .open(&temp)
            .with_context(|| format!("could not write {}", path.display()))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temp,
            existing,
            out: std::io::BufWriter::with_capacity(1 << 16, file),
            committed: false,
        })
    }

    /// Where the content goes.
    pub fn writer(&mut self) -> &mut std::io::BufWriter<std::fs::File> {
        &mut self.out
    }

    /// Puts the complete file in place of the target.
    pub fn commit(mut self) -> Result<()> {
        let done = (|| -> std::io::Result<()> {
            self.out.flush()?;
            let file = self.out.get_ref();
            if let Some(permissions) = &self.existing {
                file.set_permissions(permissions.clone())?;
            }
            file.sync_all()?;
            std::fs::rename(&self.temp, &self.path)
        })();
        done.with_context(|| format!("could not write {}", self.path.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the temporary file is ours, and useless now.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.html");
        std::fs::write(&path, "old").expect("write");
        write_atomically(&path, "new", Access::Usual).expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_missing_directory_fails_cleanly() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("no/such/dir/report.html");
        let err = write_atomically(&path, "x", Access::Usual).expect_err("fails");
        assert!(format!("{err:#}").contains("could not write"));
    }
}
