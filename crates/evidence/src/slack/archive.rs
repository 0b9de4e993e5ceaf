//! Reading a Slack export one file at a time, from the zip Slack sends or
//! from the folder it unpacks to, without trusting it.
//!
//! An export comes from outside, so before anything is decompressed every
//! entry is checked: a path that would leave the export (`../`, an absolute
//! path), a symbolic link, or sizes that add up to a zip bomb (too much in
//! total, one entry too large, or compressed too well to be JSON) refuse
//! the whole export with the limit that was hit. Sizes are checked again
//! while reading, because a zip's headers can lie.

use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::{Decompress, FlushDecompress, Status};
use zip::{CompressionMethod, ZipArchive};

/// How much an export may unpack to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// All entries together, uncompressed.
    pub max_total_bytes: u64,
    /// One entry, uncompressed.
    pub max_entry_bytes: u64,
    /// Uncompressed size over compressed size, for entries above
    /// `ratio_from_bytes` (tiny files compress oddly and are harmless).
    pub max_ratio: u64,
    pub ratio_from_bytes: u64,
    /// How many entries.
    pub max_entries: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            // Large workspaces export tens of gigabytes; more than this is
            // more likely an attack than a team.
            max_total_bytes: 64 << 30,
            // A day of one channel is kilobytes; a busy one a few megabytes.
            max_entry_bytes: 256 << 20,
            // Slack's JSON compresses about 5-20 times; a bomb thousands.
            max_ratio: 200,
            ratio_from_bytes: 1 << 20,
            max_entries: 5_000_000,
        }
    }
}

/// Why an export can't be read safely.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("{path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}: not a zip file or a folder: {reason}")]
    NotAnExport { path: String, reason: String },
    #[error("{path}: refused: entry {entry:?} would be written outside the export (a `..` or absolute path)")]
    PathEscape { path: String, entry: String },
    #[error("{path}: refused: entry {entry:?} is a symbolic link; an export holds only folders and JSON files")]
    Symlink { path: String, entry: String },
    #[error("{path}: refused as a possible zip bomb: {what} (limit {limit})")]
    Bomb { path: String, what: String, limit: String },
}

/// One file of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the export with `/` separators, e.g. `general/2024-01-02.json`.
    pub name: String,
    index: usize,
    pub size: u64,
}

/// How a [`Packed`] entry's bytes are held.
enum Form {
    Stored {
        crc: u32,
    },
    Deflated {
        crc: u32,
    },
    /// A file of an unpacked export, read when unpacked.
    File(PathBuf),
}

/// One entry as it is stored, ready to be unpacked on any thread.
pub struct Packed {
    /// `export:entry` or `export/entry`, for errors.
    place: String,
    export: String,
    name: String,
    form: Form,
    bytes: Vec<u8>,
    /// The most it may unpack to.
    cap: u64,
}

impl Packed {
    /// Unpacks into `buf` (cleared first), refusing more bytes than the
    /// limit (or, in a zip, than the entry's header said) and a checksum
    /// that doesn't match.
    pub fn unpack(self, buf: &mut Vec<u8>) -> Result<(), ArchiveError> {
        buf.clear();
        let unreadable = |reason: String| ArchiveError::Unreadable {
            path: self.place.clone(),
            reason,
        };
        let crc = match &self.form {
            Form::Stored { crc } => {
                buf.extend_from_slice(&self.bytes);
                Some(*crc)
            }
            Form::Deflated { crc } => {
                inflate(&self.bytes, buf, self.cap).map_err(unreadable)?;
                Some(*crc)
            }
            Form::File(path) => {
                File::open(path)
                    .and_then(|file| file.take(self.cap + 1).read_to_end(buf))
                    .map_err(|e| unreadable(e.to_string()))?;
                None
            }
        };
        if buf.len() as u64 > self.cap {
            return Err(ArchiveError::Bomb {
                path: self.export.clone(),
                what: format!(
                    "entry {:?} unpacks to more than its header or the limit allows",
                    self.name
                ),
                limit: format!("{} per entry", mib(self.cap)),
            });
        }
        if let Some(expected) = crc
            && crc32fast::hash(buf) != expected
        {
            return Err(unreadable(
                "the entry's checksum does not match: the zip is damaged".to_string(),
            ));
        }
        Ok(())
    }
}

thread_local! {
    /// One raw-deflate state per thread, reset for each entry: an export
    /// has hundreds of thousands of small day files, and a fresh state
    /// (with its 32 KiB window) for each costs more than inflating it.
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

/// Inflates a raw deflate stream into `buf`, stopping once it holds more
/// than `cap` bytes (the caller refuses that as a bomb).
fn inflate(input: &[u8], buf: &mut Vec<u8>, cap: u64) -> Result<(), String> {
    // Grown in steps so that a header that lies about the size can't make
    // us reserve gigabytes for a small entry.
    const STEP: u64 = 16 << 20;
    INFLATER.with_borrow_mut(|inflater| {
        inflater.reset(false);
        loop {
            if buf.len() as u64 > cap {
                return Ok(());
            }
            if buf.len() == buf.capacity() {
                let room = (cap.saturating_add(1) - buf.len() as u64).clamp(1, STEP);
                buf.reserve(usize::try_from(room).unwrap_or(1));
            }
            let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
            let rest = input.get(consumed..).unwrap_or_default();
            let before = (inflater.total_in(), buf.len());
            let status = inflater
                .decompress_vec(rest, buf, FlushDecompress::Finish)
                .map_err(|e| format!("the entry's deflate data is damaged: {e}"))?;
            if status == Status::StreamEnd {
                return Ok(());
            }
            let stuck = before == (inflater.total_in(), buf.len()) && buf.len() < buf.capacity();
            if stuck {
                return Err("the entry's deflate data ends early: the zip is damaged".to_string());
            }
        }
    })
}

enum Inner {
    Zip(Box<ZipArchive<File>>),
    Dir(PathBuf),
}

/// An opened export whose entries have all passed the checks.
pub struct Export {
    inner: Inner,
    path: String,
    limits: ArchiveLimits,
    entries: Vec<Entry>,
    read_total: u64,
}

fn mib(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

impl Export {
    /// Opens a zip file or a folder and checks every entry.
    pub fn open(path: &Path, limits: ArchiveLimits) -> Result<Self, ArchiveError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| ArchiveError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let (inner, entries) = if meta.is_dir() {
            let entries = walk(path, &shown, &limits)?;
            (Inner::Dir(path.to_path_buf()), entries)
        } else {
            let file = File::open(path).map_err(|e| ArchiveError::Unreadable {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
            let mut zip = ZipArchive::new(file).map_err(|e| ArchiveError::NotAnExport {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
            let entries = check_zip(&mut zip, &shown, &limits)?;
            (Inner::Zip(Box::new(zip)), entries)
        };
        Ok(Export {
            inner,
            path: shown,
            limits,
            entries,
            read_total: 0,
        })
    }

    /// Every file of the export in name order (a conversation's days in
    /// date order), folders left out.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this exact name.
    pub fn find(&self, name: &str) -> Option<Entry> {
        self.entries.iter().find(|e| e.name == name).cloned()
    }

    /// Reads one entry into `buf` (cleared first), holding to the limits
    /// whatever the headers said.
    pub fn read(&mut self, entry: &Entry, buf: &mut Vec<u8>) -> Result<(), ArchiveError> {
        self.read_packed(entry)?.unpack(buf)?;
        self.read_total += buf.len() as u64;
        if self.read_total > self.limits.max_total_bytes {
            return Err(ArchiveError::Bomb {
                path: self.path.clone(),
                what: "the entries unpack to more than the limit in total".to_string(),
                limit: format!("{} in total", mib(self.limits.max_total_bytes)),
            });
        }
        Ok(())
    }

    /// Takes one entry as it is stored (compressed bytes from a zip, a
    /// path in a folder) without unpacking it, so that the unpacking —
    /// most of the work — can happen on another thread.
    ///
    /// The total size needs no count here: every entry of a zip unpacks to
    /// at most what its header says, and the headers' sum was checked
    /// against the limit when the export was opened (a folder's sizes
    /// likewise).
    pub fn read_packed(&mut self, entry: &Entry) -> Result<Packed, ArchiveError> {
        let place = match &self.inner {
            Inner::Zip(_) => format!("{}:{}", self.path, entry.name),
            Inner::Dir(_) => format!("{}/{}", self.path, entry.name),
        };
        let unreadable = |reason: String| ArchiveError::Unreadable {
            path: place.clone(),
            reason,
        };
        let (form, bytes, cap) = match &mut self.inner {
            Inner::Zip(zip) => {
                let mut file = zip.by_index_raw(entry.index).map_err(|e| unreadable(e.to_string()))?;
                if file.encrypted() {
                    return Err(unreadable("the entry is encrypted".to_string()));
                }
                let form = match file.compression() {
                    CompressionMethod::Stored => Form::Stored { crc: file.crc32() },
                    CompressionMethod::Deflated => Form::Deflated { crc: file.crc32() },
                    other => return Err(unreadable(format!("compression method {other} is not supported"))),
                };
                // An entry may not unpack to more than its header said:
                // the header is what the limits were checked against.
                let cap = self.limits.max_entry_bytes.min(file.size());
                let mut bytes = Vec::with_capacity(usize::try_from(file.compressed_size()).unwrap_or(0).min(1 << 24));
                (&mut file)
                    .take(self.limits.max_entry_bytes + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| unreadable(e.to_string()))?;
                (form, bytes, cap)
            }
            Inner::Dir(root) => (
                Form::File(root.join(&entry.name)),
                Vec::new(),
                self.limits.max_entry_bytes,
            ),
        };
        Ok(Packed {
            place,
            export: self.path.clone(),
            name: entry.name.clone(),
            form,
            bytes,
            cap,
        })
    }
    /// Bytes read so far, uncompressed.
    pub fn bytes_read(&self) -> u64 {
        self.read_total
    }
}

fn check_zip(zip: &mut ZipArchive<File>, path: &str, limits: &ArchiveLimits) -> Result<Vec<Entry>, ArchiveError> {
    if zip.len() as u64 > limits.max_entries {
        return Err(ArchiveError::Bomb {
            path: path.to_string(),
            what: format!("{} entries", zip.len()),
            limit: format!("{} entries", limits.max_entries),
        });
    }
    let mut entries = Vec::with_capacity(zip.len());
    let mut total = 0u64;
    for index in 0..zip.len() {
        // Headers only: nothing is decompressed until every entry passed.
        let file = zip.by_index_raw(index).map_err(|e| ArchiveError::NotAnExport {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
        let name = file.name().to_string();
        if file.enclosed_name().is_none() || name.starts_with('/') || name.starts_with('\\') || name.contains(":\\") {
            return Err(ArchiveError::PathEscape {
                path: path.to_string(),
                entry: name,
            });
        }
        if file.is_symlink() {
            return Err(ArchiveError::Symlink {
                path: path.to_string(),
                entry: name,
            });
        }
        if file.is_dir() {
            continue;
        }
        let size = file.size();
        let packed = file.compressed_size().max(1);
        if size > limits.max_entry_bytes {
            return Err(ArchiveError::Bomb {
                path: path.to_string(),
                what: format!("entry {name:?} unpacks to {}", mib(size)),
                limit: format!("{} per entry", mib(limits.max_entry_bytes)),
            });
        }
        if size >= limits.ratio_from_bytes && size / packed > limits.max_ratio {
            return Err(ArchiveError::Bomb {
                path: path.to_string(),
                what: format!("entry {name:?} is compressed {}:1", size / packed),
                limit: format!("{}:1", limits.max_ratio),
            });
        }
        total = total.saturating_add(size);
        if total > limits.max_total_bytes {
            return Err(ArchiveError::Bomb {
                path: path.to_string(),
                what: "the entries unpack to more than the limit in total".to_string(),
                limit: format!("{} in total", mib(limits.max_total_bytes)),
            });
        }
        entries.push(Entry {
            name: name.replace('\\', "/"),
            index,
            size,
        });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

fn walk(root: &Path, shown: &str, limits: &ArchiveLimits) -> Result<Vec<Entry>, ArchiveError> {
    let mut entries = Vec::new();
    let mut pending = vec![PathBuf::new()];
    let mut total = 0u64;
    while let Some(rel) = pending.pop() {
        let dir = root.join(&rel);
        let read = std::fs::read_dir(&dir).map_err(|e| ArchiveError::Unreadable {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        for item in read {
            let item = item.map_err(|e| ArchiveError::Unreadable {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?;
            let rel_path = rel.join(item.file_name());
            let name = rel_path.to_string_lossy().replace('\\', "/");
            // The link itself, never what it points to.
            let meta = std::fs::symlink_metadata(item.path()).map_err(|e| ArchiveError::Unreadable {
                path: item.path().display().to_string(),
                reason: e.to_string(),
            })?;
            if meta.file_type().is_symlink() {
                return Err(ArchiveError::Symlink {
                    path: shown.to_string(),
                    entry: name,
                });
            }
            if meta.is_dir() {
                pending.push(rel_path);
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            if meta.len() > limits.max_entry_bytes {
                return Err(ArchiveError::Bomb {
                    path: shown.to_string(),
                    what: format!("file {name:?} holds {}", mib(meta.len())),
                    limit: format!("{} per entry", mib(limits.max_entry_bytes)),
                });
            }
            total = total.saturating_add(meta.len());
            entries.push(Entry {
                name,
                index: entries.len(),
                size: meta.len(),
            });
            if entries.len() as u64 > limits.max_entries || total > limits.max_total_bytes {
                return Err(ArchiveError::Bomb {
                    path: shown.to_string(),
                    what: "the folder holds more than the limits".to_string(),
                    limit: format!(
                        "{} entries, {} in total",
                        limits.max_entries,
                        mib(limits.max_total_bytes)
                    ),
                });
            }
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}
