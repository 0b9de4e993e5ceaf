//! Reading GitHub data from a folder of JSON files as `gh api --paginate`
//! writes them (docs/github-export.md says how to make one):
//!
//! | file | API | needed |
//! | --- | --- | --- |
//! | `issues.json` | `repos/{o}/{r}/issues?state=all` | yes |
//! | `pulls.json` | `repos/{o}/{r}/pulls?state=all` | for pull request metrics |
//! | `issue-comments.json` | `repos/{o}/{r}/issues/comments` | for response times, participation |
//! | `reviews.json` | `repos/{o}/{r}/pulls/{n}/reviews`, all concatenated | for review times |
//!
//! A file may hold one array, several arrays one after the other (what
//! `--paginate` prints) or an array of arrays (`--slurp`). A file of the
//! wrong shape is refused with its name, the position and the field, e.g.
//! `issues.json:3:18: [2].created_at: invalid type: null, expected a string`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{DeserializeOwned, IgnoredAny};

use super::{GithubData, IssueComment, RepoData, Review, trailing_number};
use crate::metric::Note;

/// Why a folder of GitHub data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("{path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{0}")]
    Shape(ShapeError),
    #[error("{dir} holds no issues.json: export the issues first (see docs/github-export.md)")]
    NoIssues { dir: String },
    #[error(
        "{path}: larger than the {} MB a GitHub export file may be; is it the right file? (a repository of \
         100,000 issues exports about 70 MB)",
        .limit >> 20
    )]
    TooLarge { path: String, limit: u64 },
}

/// The largest file of an export that is read: each is parsed whole in
/// memory, and 50,000 issues and pull requests take 32 MB, so this leaves
/// room for the largest repositories while a wrong file (a disk image, an
/// endless device) is refused before it fills memory.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// A JSON file that isn't what the API returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Where in the data, e.g. `[2].user.login`; empty for syntax errors.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: ", self.file)?;
        } else {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// 1-based line and column of a byte offset.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    (line, offset - start + 1)
}

/// Parses every element of the arrays in `bytes` as `T`.
pub fn parse_pages<T: DeserializeOwned>(bytes: &[u8], file: &str) -> Result<Vec<T>, ShapeError> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
    let mut start = 0;
    let mut page_index = 0usize;
    loop {
        let next = stream.next();
        let end = stream.byte_offset();
        match next {
            None => break,
            Some(Err(e)) => {
                return Err(ShapeError {
                    file: file.to_string(),
                    line: e.line(),
                    column: e.column(),
                    field: String::new(),
                    message: e.to_string().split(" at line").next().unwrap_or("").to_string(),
                });
            }
            Some(Ok(_)) => {
                let segment = &bytes[start..end];
                let value_at = start + segment.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
                let trimmed = &bytes[value_at..end];
                // Positions are counted only for an error: counting lines
                // for every page would make reading quadratic.
                let shape_error = |line: usize, column: usize, field: String, message: String| {
                    let (seg_line, seg_col) = position(bytes, value_at);
                    let (line, column) = if line <= 1 {
                        (seg_line, seg_col + column.saturating_sub(1))
                    } else {
                        (seg_line + line - 1, column)
                    };
                    ShapeError {
                        file: file.to_string(),
                        line,
                        column,
                        field,
                        message,
                    }
                };
                if trimmed.first() != Some(&b'[') {
                    let hint = serde_json::from_slice::<serde_json::Value>(trimmed)
                        .ok()
                        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
                        .map(|m| format!(" (the file holds an API error: {m:?})"))
                        .unwrap_or_default();
                    return Err(shape_error(
                        1,
                        1,
                        String::new(),
                        format!("expected an array of API objects, as `gh api --paginate` writes{hint}"),
                    ));
                }
                let slurped = trimmed[1..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
                let mut de = serde_json::Deserializer::from_slice(trimmed);
                let parsed: Result<Vec<T>, _> = if slurped {
                    serde_path_to_error::deserialize::<_, Vec<Vec<T>>>(&mut de)
                        .map(|pages| pages.into_iter().flatten().collect())
                } else {
                    serde_path_to_error::deserialize(&mut de)
                };
                match parsed {
                    Ok(items) => out.extend(items),
                    Err(e) => {
                        let field = e.path().to_string();
                        let inner = e.into_inner();
                        let message = inner.to_string().split(" at line").next().unwrap_or("").to_string();
                        let field = if page_index > 0 {
                            format!("page {} {field}", page_index + 1)
                        } else {
                            field
                        };
                        return Err(shape_error(inner.line(), inner.column(), field, message));
                    }
                }
                page_index += 1;
                start = end;
            }
        }
    }
    Ok(out)
}

/// A whole file, refused unread when its size is over [`MAX_FILE_BYTES`],
/// and read only up to it in any case (a size can change, a device has
/// none).
fn read(path: &Path) -> Result<Option<Vec<u8>>, FilesError> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| FilesError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let too_large = || FilesError::TooLarge {
        path: path.display().to_string(),
        limit: MAX_FILE_BYTES,
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e)),
    };
    let size = file.metadata().map_err(unreadable)?.len();
    if size > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(Some(bytes))
}

fn load<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<Vec<T>>, FilesError> {
    let path: PathBuf = dir.join(name);
    let shown = path.display().to_string();
    match read(&path)? {
        None => Ok(None),
        Some(bytes) => parse_pages(&bytes, &shown).map(Some).map_err(FilesError::Shape),
    }
}

/// Checks that every element's URL names its issue or pull request.
fn numbered<T>(
    items: Vec<T>,
    dir: &Path,
    name: &str,
    field: &str,
    segment: &str,
    url: impl Fn(&T) -> &str,
) -> Result<Vec<(u64, T)>, FilesError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match trailing_number(url(&item), segment) {
            Some(n) => Ok((n, item)),
            None => Err(FilesError::Shape(ShapeError {
                file: dir.join(name).display().to_string(),
                line: 0,
                column: 0,
                field: format!("[{i}].{field}"),
                message: format!("{:?} does not end in {segment}/NUMBER", url(&item)),
            })),
        })
        .collect()
}

/// Reads a folder written as docs/github-export.md describes.
pub fn read_dir(dir: &Path) -> Result<GithubData, FilesError> {
    if !dir.is_dir() {
        return Err(FilesError::Unreadable {
            path: dir.display().to_string(),
            reason: "not a folder".into(),
        });
    }
    let issues = load(dir, "issues.json")?.ok_or_else(|| FilesError::NoIssues {
        dir: dir.display().to_string(),
    })?;
    let pulls = load(dir, "pulls.json")?;
    let comments = match load::<IssueComment>(dir, "issue-comments.json")? {
        Some(items) => Some(numbered(
            items,
            dir,
            "issue-comments.json",
            "issue_url",
            "/issues",
            |c| &c.issue_url,
        )?),
        None => None,
    };
    let reviews = match load::<Review>(dir, "reviews.json")? {
        Some(items) => Some(numbered(
            items,
            dir,
            "reviews.json",
            "pull_request_url",
            "/pulls",
            |r| &r.pull_request_url,
        )?),
        None => None,
    };
    let mut notes = Vec::new();
    for (name, present) in [
        ("pulls.json", pulls.is_some()),
        ("issue-comments.json", comments.is_some()),
        ("reviews.json", reviews.is_some()),
    ] {
        if !present {
            notes.push(Note::warning(format!(
                "{name} is not in {}: the metrics that need it show no data",
                dir.display()
            )));
        }
    }
    let name = dir
        .file_name()
        .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
    Ok(GithubData {
        subject: dir.display().to_string(),
        repos: vec![RepoData {
            name,
            issues,
            pulls,
            comments,
            reviews,
        }],
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::Issue;
    use proptest::prelude::*;

    const ISSUE: &str = r#"{"number": 1, "title": "t", "body": null, "user": {"login": "ada", "type": "User"}, "labels": [], "created_at": "2024-01-02T03:04:05Z"}"#;

    #[test]
    fn pages_one_after_another_and_slurped_pages_are_read() {
        let two_pages = format!("[{ISSUE}]\n[{ISSUE},{ISSUE}]\n");
        assert_eq!(parse_pages::<Issue>(two_pages.as_bytes(), "f").expect("ok").len(), 3);
        let slurped = format!("[[{ISSUE}],[{ISSUE}]]");
        assert_eq!(parse_pages::<Issue>(slurped.as_bytes(), "f").expect("ok").len(), 2);
        assert_eq!(parse_pages::<Issue>(b"  ", "f").expect("ok").len(), 0);
    }

    #[test]
    fn a_wrong_field_is_named_with_its_position() {
        let bad = format!("[{ISSUE},\n {{\"number\": 2, \"user\": null, \"created_at\": null}}]");
        let e = parse_pages::<Issue>(bad.as_bytes(), "issues.json").expect_err("bad");
        assert_eq!(e.field, "[1].created_at");
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("issues.json:2:"), "{e}");
        assert!(e.message.contains("invalid type: null"), "{e}");
        let second_page = format!("[{ISSUE}]\n[{{\"number\": \"x\"}}]");
        let e = parse_pages::<Issue>(second_page.as_bytes(), "issues.json").expect_err("bad");
        assert_eq!((e.line, e.field.as_str()), (2, "page 2 [0].number"));
    }

    #[test]
    fn an_api_error_object_is_recognised() {
        let e = parse_pages::<Issue>(br#"{"message": "Bad credentials"}"#, "issues.json").expect_err("object");
        assert!(e.to_string().contains("Bad credentials"), "{e}");
        let e = parse_pages::<Issue>(b"[{\"number\": 1,", "issues.json").expect_err("truncated");
        assert_eq!(e.line, 1);
        assert!(e.field.is_empty());
    }

    proptest! {
        #[test]
        fn any_bytes_are_read_or_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_pages::<Issue>(&bytes, "f");
        }
    }
}
