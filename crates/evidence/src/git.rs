//! The git scanner: documentation, decision records and work-tracking
//! signals from a repository's tree at HEAD and its history, read with gix
//! (pure Rust; git itself is never run).
//!
//! Shape (as fast repository-statistics tools do it): one thread walks the
//! ancestry of HEAD newest first by commit time, using the commit-graph file
//! when there is one, and decodes only what it needs; tree diffs, the
//! expensive part, run on worker threads (one per core besides the walk's)
//! fed batches of commits over a bounded channel, so memory stays flat
//! however long the history is. What is kept grows with the tree at HEAD
//! and the number of people, never with the number of commits.
//!
//! Objects come through [`packed`]: the repository's packs are mapped once
//! and shared by every thread, each with its own cache of decoded objects.
//! The walk hands each commit's parent's root tree to the workers when it
//! has read it (the parent is usually the next commit walked), and the
//! diff ([`diff`]) reads trees where they are cached, without copies.
//!
//! The walk reads past the window's start only while some file at HEAD has
//! no known last change yet (doc freshness needs it), and stops as soon as
//! every file has one.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use gix::bstr::{BStr, BString, ByteSlice};
use gix::hash::ObjectId;
use gix::objs::FindExt;
use gix::revision::walk::Sorting;
use gix::traverse::commit::simple::CommitTimeOrder;
use time::OffsetDateTime;

mod diff;
mod packed;
#[cfg(test)]
mod test_repo;

use crate::catalog::{self, MetricSpec};
use crate::config::{CONFIG_FILE, EvidenceConfig, parse_config};
use crate::metric::{Metric, Note, Scan, SourceKind, Window};
use crate::paths::{Classifier, CodeOwners, PathClass};
use crate::privacy::{Privacy, people_count};
use crate::progress::Progress;
use crate::refs::{find_refs, strip_squash_suffix};
use crate::rules::RulesError;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct GitSettings {
    pub window: Window,
    /// Settings to use instead of the repository's `.asyncmm.toml`.
    pub config: Option<EvidenceConfig>,
    /// Globs and patterns added on top of whichever settings are used.
    pub extra_docs: Vec<String>,
    pub extra_decisions: Vec<String>,
    pub extra_bots: Vec<String>,
    /// When the scan runs (for the result's timestamp).
    pub now: OffsetDateTime,
    /// How large the repository's files that are read may be.
    pub limits: RepoFileLimits,
}

/// How large the files a scan reads whole from a repository may be. A
/// repository comes from outside like any export: a settings file of a
/// gigabyte, or a `.mailmap` or CODEOWNERS blown up on purpose, must not
/// take the scan's memory. Sizes are checked before a file or blob is read
/// (a blob's size from its header, without inflating it), and a settings
/// file read from disk is also read only up to its limit, in case its size
/// changes or lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepoFileLimits {
    /// The repository's `.asyncmm.toml`; over it the scan is refused.
    pub max_config_bytes: u64,
    /// A CODEOWNERS file; over it the file is left out with a warning
    /// (code hosts ignore one over 3 MB too).
    pub max_codeowners_bytes: u64,
    /// The `.mailmap`; over it identities are not merged, with a warning.
    pub max_mailmap_bytes: u64,
    /// A document read for decision-record markers (ADRs, Markdown);
    /// over it the file is not read, with a warning.
    pub max_document_bytes: u64,
}

impl Default for RepoFileLimits {
    fn default() -> Self {
        RepoFileLimits {
            // A few kilobytes in practice; the same bar as every other
            // settings file asyncmm reads.
            max_config_bytes: 1 << 20,
            // GitHub's own limit.
            max_codeowners_bytes: 3 << 20,
            // A line per identity: a mailmap of 100,000 people is ~8 MB.
            max_mailmap_bytes: 16 << 20,
            // Only the first 8 kB is looked at; a larger document is read
            // whole by git, and a record is a page or two.
            max_document_bytes: 16 << 20,
        }
    }
}

/// `bytes` for messages: "3 MB", "512 kB", "100 bytes".
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} kB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Why a repository could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path} is not a git repository: {reason}")]
    NotARepository { path: String, reason: String },
    #[error("{path} has no commits yet: there is no history to measure")]
    Empty { path: String },
    #[error(
        "no commits by people between {since} and {until} in {path}{detail}: nothing to measure; widen the window with --since"
    )]
    NoCommitsInWindow {
        path: String,
        since: String,
        until: String,
        detail: String,
    },
    #[error("{0}")]
    Config(RulesError),
    #[error("could not read {what} in {path}: {reason} (the repository may be corrupt; `git fsck` tells more)")]
    Read { path: String, what: String, reason: String },
    #[error("{file}: larger than the {} a settings file may be; is it the right file?", size_text(*.limit))]
    ConfigTooLarge { file: String, limit: u64 },
}

/// The HEAD tree, classified once.
struct Inventory {
    paths: Vec<BString>,
    classes: Vec<PathClass>,
    index: HashMap<BString, u32>,
    /// Index of each decision record (by place or by content) and whether it
    /// states a status.
    decisions: Vec<(u32, bool)>,
    /// Decision records by content, outside the decision folders.
    decision_by_content: HashSet<u32>,
    codeowners: Option<CodeOwners>,
    /// Files left unread for their size, for the scan's notes.
    warnings: Vec<String>,
}

impl Inventory {
    fn is_decision(&self, idx: u32) -> bool {
        self.classes[idx as usize].decision_record || self.decision_by_content.contains(&idx)
    }
}

/// What the diff workers found.
#[derive(Default)]
struct Totals {
    docs_commits: u64,
    decisions_added: HashSet<u32>,
    diffed: u64,
    missing_trees: u64,
}

/// Last change per HEAD path, shared by the workers without locks.
struct LastChange {
    times: Vec<AtomicI64>,
    unresolved: AtomicUsize,
}

const UNKNOWN: i64 = i64::MIN;

impl LastChange {
    fn new(n: usize) -> Self {
        LastChange {
            times: (0..n).map(|_| AtomicI64::new(UNKNOWN)).collect(),
            unresolved: AtomicUsize::new(n),
        }
    }

    fn record(&self, idx: u32, time: i64) {
        if let Some(slot) = self.times.get(idx as usize)
            && slot.fetch_max(time, Ordering::Relaxed) == UNKNOWN
        {
            self.unresolved.fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn get(&self, idx: u32) -> Option<i64> {
        let t = self.times.get(idx as usize)?.load(Ordering::Relaxed);
        (t != UNKNOWN).then_some(t)
    }
}

struct Job {
    tree: ObjectId,
    parent: Option<ObjectId>,
    /// The parent's root tree, when the walk read it (the parent is usually
    /// the next commit walked); else the worker looks it up.
    parent_tree: Option<ObjectId>,
    time: i64,
    /// A commit by a person in the window: counts for the docs share.
    counts: bool,
    in_window: bool,
}

fn read_error(path: &Path, what: impl Into<String>) -> impl FnOnce(gix::Error) -> GitError {
    let path = path.display().to_string();
    let what = what.into();
    move |e| GitError::Read {
        path,
        what,
        reason: e.to_string(),
    }
}

/// Scans the repository at `path`.
pub fn scan_git(
    path: &Path,
    settings: &GitSettings,
    privacy: &Privacy,
    progress: &dyn Progress,
) -> Result<Scan, GitError> {
    let shown = path.display().to_string();
    if !path.exists() {
        return Err(GitError::NotARepository {
            path: shown,
            reason: "no such file or directory".into(),
        });
    }
    // A hash-map delta cache: the default small fixed cache spends more
    // time searching itself than it saves on a long history.
    let options = gix::open::Options::default().config_overrides(["core.deltaBaseCacheLimit=64m"]);
    let repo = gix::open_opts(path, options).map_err(|e| GitError::NotARepository {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let head = repo.head().map_err(read_error(path, "HEAD"))?;
    if head.is_unborn() {
        return Err(GitError::Empty { path: shown });
    }
    let head_id = repo.head_id().map_err(read_error(path, "HEAD"))?.detach();
    let head_tree = {
        let mut buf = Vec::new();
        repo.objects
            .find_commit_iter(&head_id, &mut buf)
            .and_then(|mut c| c.tree_id())
            .map_err(read_error(path, format!("commit {head_id}")))?
    };
    let mut config = load_config(&repo, head_tree, settings)?;
    config.docs.extend(settings.extra_docs.iter().cloned());
    config.decisions.extend(settings.extra_decisions.iter().cloned());
    config.bots.extend(settings.extra_bots.iter().cloned());
    let classifier = Classifier::new(&config);

    // Mapped once, read by the inventory, the walk and every worker.
    let packs = packed::Packs::open(&repo);

    progress.stage("reading the tree at HEAD", None);
    let inventory = read_inventory(&repo, &packs, head_tree, &classifier, &settings.limits, path)?;
    let (mailmap, mailmap_warning) = open_mailmap(&repo, head_tree, settings.limits.max_mailmap_bytes);
    let shallow = repo.is_shallow().unwrap_or(false);

    progress.stage("walking history", None);
    let history = walk(
        &repo,
        &packs,
        head_id,
        settings,
        &config,
        &classifier,
        &inventory,
        &mailmap,
        progress,
        path,
    )?;
    if history.eligible == 0 {
        let latest = history
            .latest_commit
            .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
            .map(|t| format!(" (the latest commit is from {})", t.date()))
            .unwrap_or_default();
        let bots = if history.bot_commits > 0 {
            format!("; {} commits by bots were left out", history.bot_commits)
        } else {
            String::new()
        };
        return Err(GitError::NoCommitsInWindow {
            path: shown,
            since: settings.window.since.date().to_string(),
            until: settings.window.last_day().to_string(),
            detail: format!("{latest}{bots}"),
        });
    }

    let mut notes = vec![Note::info(format!(
        "read {} files at HEAD and {} commits (history walked back to {})",
        inventory.paths.len(),
        history.walked,
        history
            .oldest_walked
            .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
            .map_or_else(|| "the start".to_string(), |t| t.date().to_string())
    ))];
    for warning in inventory.warnings.iter().chain(&mailmap_warning) {
        notes.push(Note::warning(warning.clone()));
    }
    if shallow {
        notes.push(Note::warning(
            "this is a shallow clone: history before its oldest commit is missing, so counts may cover less than the window and doc freshness is measured only where the last change is in the clone",
        ));
    }
    if history.totals.missing_trees > 0 {
        notes.push(Note::warning(format!(
            "{} commits could not be compared with their parent because their trees are missing (a partial clone): documentation shares leave them out",
            history.totals.missing_trees
        )));
    }
    if history.bot_commits > 0 {
        notes.push(Note::info(format!(
            "left out {} commits by bots (patterns: {})",
            history.bot_commits,
            config.bots.join(", ")
        )));
    }
    let metrics = build_metrics(settings, &inventory, &history, privacy, shallow);
    let people = privacy.people(&history.activity, &history.names, "commits");
    Ok(Scan {
        source: SourceKind::Git,
        subject: shown,
        window: settings.window,
        scanned_at: settings.now,
        metrics,
        notes,
        people: Some(people),
        writable_meetings: Vec::new(),
    })
}

/// The repository's settings: the working tree's file if there is one,
/// else the file committed at HEAD, else the defaults.
fn load_config(
    repo: &gix::Repository,
    head_tree: ObjectId,
    settings: &GitSettings,
) -> Result<EvidenceConfig, GitError> {
    if let Some(config) = &settings.config {
        return Ok(config.clone());
    }
    let limit = settings.limits.max_config_bytes;
    if let Some(dir) = repo.workdir() {
        let file = dir.join(CONFIG_FILE);
        if let Some(text) = read_capped(&file, limit)? {
            return parse_config(&text, &file.display().to_string()).map_err(GitError::Config);
        }
    }
    let mut buf = Vec::new();
    let entry = repo.objects.find_tree(&head_tree, &mut buf).ok().and_then(|tree| {
        tree.entries
            .iter()
            .find(|e| e.filename == CONFIG_FILE)
            .map(|e| e.oid.to_owned())
    });
    if let Some(oid) = entry {
        if blob_size(repo, oid).is_some_and(|size| size > limit) {
            return Err(GitError::ConfigTooLarge {
                file: format!("HEAD:{CONFIG_FILE}"),
                limit,
            });
        }
        let mut blob = Vec::new();
        if let Ok(data) = repo.objects.find_blob(&oid, &mut blob) {
            let text = String::from_utf8_lossy(data.data).into_owned();
            return parse_config(&text, &format!("HEAD:{CONFIG_FILE}")).map_err(GitError::Config);
        }
    }
    Ok(EvidenceConfig::default())
}

/// The working tree's settings file, read up to `limit` bytes: `None` when
/// it can't be read (absent, a folder), as before there was a limit; an
/// error when it is larger.
fn read_capped(file: &Path, limit: u64) -> Result<Option<String>, GitError> {
    use std::io::Read;
    let too_large = || GitError::ConfigTooLarge {
        file: file.display().to_string(),
        limit,
    };
    let Ok(handle) = std::fs::File::open(file) else {
        return Ok(None);
    };
    match handle.metadata() {
        Ok(meta) if meta.is_dir() => return Ok(None),
        Ok(meta) if meta.len() > limit => return Err(too_large()),
        _ => {}
    }
    let mut bytes = Vec::new();
    if handle.take(limit + 1).read_to_end(&mut bytes).is_err() {
        return Ok(None);
    }
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(String::from_utf8(bytes).ok())
}

/// The repository's mailmap as git reads it, unless one of its sources
/// (the working tree's `.mailmap`, `HEAD:.mailmap` of a bare repository,
/// `mailmap.file`, `mailmap.blob`) is larger than `limit`: then none is
/// used, and the warning says which file and the limit.
fn open_mailmap(repo: &gix::Repository, head_tree: ObjectId, limit: u64) -> (gix::mailmap::Snapshot, Option<String>) {
    let mut sources: Vec<(String, Option<u64>)> = Vec::new();
    match repo.workdir() {
        Some(dir) => {
            let file = dir.join(".mailmap");
            sources.push((
                ".mailmap".to_string(),
                std::fs::symlink_metadata(&file).ok().map(|m| m.len()),
            ));
        }
        None => {
            let mut buf = Vec::new();
            let entry = repo.objects.find_tree(&head_tree, &mut buf).ok().and_then(|tree| {
                tree.entries
                    .iter()
                    .find(|e| e.filename == ".mailmap")
                    .map(|e| e.oid.to_owned())
            });
            if let Some(oid) = entry {
                sources.push(("HEAD:.mailmap".to_string(), blob_size(repo, oid)));
            }
        }
    }
    let config = repo.config_snapshot();
    if let Some(file) = config.string("mailmap.file") {
        let file = file.to_str_lossy().into_owned();
        sources.push((file.clone(), std::fs::metadata(&file).ok().map(|m| m.len())));
    }
    if let Some(spec) = config.string("mailmap.blob") {
        let size = repo
            .rev_parse_single(spec.as_bstr())
            .ok()
            .and_then(|id| blob_size(repo, id.detach()));
        sources.push((format!("mailmap.blob {spec}"), size));
    }
    if let Some((name, _)) = sources.iter().find(|(_, size)| size.is_some_and(|s| s > limit)) {
        let warning = format!(
            "{name} is larger than {}, the most asyncmm reads of a mailmap: it is not used, so a person who \
             commits under several identities counts once for each",
            size_text(limit)
        );
        return (gix::mailmap::Snapshot::default(), Some(warning));
    }
    (repo.open_mailmap(), None)
}

/// A blob's size from its header, without inflating it.
fn blob_size(repo: &gix::Repository, oid: ObjectId) -> Option<u64> {
    repo.find_header(oid).ok().map(|header| header.size())
}

fn read_inventory(
    repo: &gix::Repository,
    packs: &packed::Packs,
    head_tree: ObjectId,
    classifier: &Classifier,
    limits: &RepoFileLimits,
    path: &Path,
) -> Result<Inventory, GitError> {
    let tree = repo
        .find_tree(head_tree)
        .map_err(read_error(path, format!("tree {head_tree}")))?;
    let files = tree
        .traverse()
        .breadthfirst
        .files()
        .map_err(read_error(path, "the tree at HEAD"))?;
    let mut inventory = Inventory {
        paths: Vec::with_capacity(files.len()),
        classes: Vec::with_capacity(files.len()),
        index: HashMap::with_capacity(files.len()),
        decisions: Vec::new(),
        decision_by_content: HashSet::new(),
        codeowners: None,
        warnings: Vec::new(),
    };
    // Blobs through the scan's pack reader: gix's object database would map
    // the pack index a second time, and a few hundred searches touch most
    // of its pages.
    let mut objects = packed::PackedObjects::new(packs, repo.objects.clone(), INVENTORY_CACHE);
    let size = |objects: &packed::PackedObjects<'_>, oid: ObjectId| objects.size(&oid).or_else(|| blob_size(repo, oid));
    let mut codeowners_at = None;
    let mut unread = Vec::new();
    for entry in files.into_iter().filter(|e| !e.mode.is_tree() && !e.mode.is_commit()) {
        let idx = u32::try_from(inventory.paths.len()).unwrap_or(u32::MAX);
        let class = classifier.classify(entry.filepath.as_bstr());
        let lower = entry.filepath.to_ascii_lowercase();
        if matches!(
            lower.as_slice(),
            b"codeowners" | b".github/codeowners" | b"docs/codeowners" | b".gitlab/codeowners"
        ) {
            codeowners_at = Some((entry.oid, entry.filepath.to_string()));
        }
        let markdownish = lower.ends_with(b".md")
            || lower.ends_with(b".markdown")
            || lower.ends_with(b".rst")
            || lower.ends_with(b".adoc");
        let wanted = class.decision_record || (class.prose && markdownish && !class.template());
        if wanted && size(&objects, entry.oid).is_some_and(|size| size > limits.max_document_bytes) {
            // A record by its place still counts, with no status read.
            if class.decision_record {
                inventory.decisions.push((idx, false));
            }
            unread.push(entry.filepath.to_string());
        } else if wanted && let Ok(Some((gix::objs::Kind::Blob, blob))) = objects.find(&entry.oid) {
            let head = &blob[..blob.len().min(8192)];
            let markers = decision_markers(&String::from_utf8_lossy(head));
            if class.decision_record || markers.is_record {
                if !class.decision_record {
                    inventory.decision_by_content.insert(idx);
                }
                inventory.decisions.push((idx, markers.has_status));
            }
        }
        inventory.index.insert(entry.filepath.clone(), idx);
        inventory.paths.push(entry.filepath);
        inventory.classes.push(class);
    }
    if let Some((oid, name)) = codeowners_at {
        if size(&objects, oid).is_some_and(|size| size > limits.max_codeowners_bytes) {
            inventory.warnings.push(format!(
                "{name} is larger than {}, the most asyncmm (and a code host) reads of a CODEOWNERS file: it is left \
                 out, so no document counts as owned",
                size_text(limits.max_codeowners_bytes)
            ));
        } else if let Ok(Some((gix::objs::Kind::Blob, blob))) = objects.find(&oid) {
            inventory.codeowners = Some(CodeOwners::parse(&String::from_utf8_lossy(&blob)));
        }
    }
    if !unread.is_empty() {
        let shown: Vec<&str> = unread.iter().take(5).map(String::as_str).collect();
        let more = if unread.len() > shown.len() {
            format!(" and {} more", unread.len() - shown.len())
        } else {
            String::new()
        };
        inventory.warnings.push(format!(
            "{} {} larger than {}, the most asyncmm reads of a document, so {} not read for decision-record \
             markers: {}{more}",
            unread.len(),
            if unread.len() == 1 {
                "document is"
            } else {
                "documents are"
            },
            size_text(limits.max_document_bytes),
            if unread.len() == 1 { "it was" } else { "they were" },
            shown.join(", ")
        ));
    }
    Ok(inventory)
}

/// What the start of a prose file says about it being a decision record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecisionMarkers {
    /// ADR front matter (deciders, supersedes…) or an ADR title.
    pub is_record: bool,
    /// A `status:` field, a Status heading or a bold Status label.
    pub has_status: bool,
}

/// Reads decision-record markers from the start of a file.
pub fn decision_markers(text: &str) -> DecisionMarkers {
    let mut markers = DecisionMarkers::default();
    let mut lines = text.lines().peekable();
    if lines.peek().map(|l| l.trim()) == Some("---") {
        lines.next();
        for line in lines.by_ref() {
            let line = line.trim();
            if line == "---" {
                break;
            }
            let key = line.split(':').next().unwrap_or("").trim().to_ascii_lowercase();
            if line.contains(':') {
                match key.as_str() {
                    "status" => markers.has_status = true,
                    "deciders" | "decision-makers" | "decision_makers" | "adr" | "decision" | "supersedes"
                    | "superseded-by" | "superseded_by" => markers.is_record = true,
                    _ => {}
                }
            }
        }
    }
    let mut seen_title = false;
    for line in lines.take(80) {
        let trimmed = line.trim();
        let lower = trimmed.to_ascii_lowercase();
        if !seen_title && let Some(title) = lower.strip_prefix("# ") {
            seen_title = true;
            let title = title.trim_start();
            if title.starts_with("adr")
                || title.starts_with("architecture decision record")
                || title.starts_with("decision record")
            {
                markers.is_record = true;
            }
        }
        let heading = lower.trim_start_matches('#').trim();
        if (lower.starts_with('#') && (heading == "status" || heading.starts_with("status:")))
            || lower.starts_with("status:")
            || lower.starts_with("**status**")
            || lower.starts_with("* status:")
            || lower.starts_with("- status:")
        {
            markers.has_status = true;
        }
    }
    markers
}

/// What the walk found.
struct History {
    walked: u64,
    eligible: u64,
    merges: u64,
    bot_commits: u64,
    referencing_issue: u64,
    linking_context: u64,
    activity: HashMap<String, u64>,
    names: HashMap<String, String>,
    latest_commit: Option<i64>,
    oldest_walked: Option<i64>,
    totals: Totals,
    last_change: LastChange,
}

const BATCH: usize = 64;

/// Decoded objects kept per diff worker (see [`packed`]).
const DELTA_CACHE: usize = 64 * 1024 * 1024;

/// Decoded objects kept while reading the inventory: documents are read
/// once each, so this only serves blobs stored as deltas of one another.
const INVENTORY_CACHE: usize = 4 * 1024 * 1024;

/// Decoded objects kept by the walk, which reads each commit once: enough
/// for the rare commit stored as a delta of another.
const COMMIT_CACHE: usize = 4 * 1024 * 1024;

#[allow(clippy::too_many_arguments)]
fn walk(
    repo: &gix::Repository,
    packs: &packed::Packs,
    head: ObjectId,
    settings: &GitSettings,
    config: &EvidenceConfig,
    classifier: &Classifier,
    inventory: &Inventory,
    mailmap: &gix::mailmap::Snapshot,
    progress: &dyn Progress,
    path: &Path,
) -> Result<History, GitError> {
    let window = settings.window;
    let since = window.since.unix_timestamp();
    let until = window.until.unix_timestamp();
    let last_change = LastChange::new(inventory.paths.len());
    // One diff worker per core besides the walk's. Each worker has its own
    // object cache, so another worker repeats much of the delta resolution
    // and index searching the others do: more workers than spare cores
    // cost CPU without saving time.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .clamp(1, 3);
    let mut history = History {
        walked: 0,
        eligible: 0,
        merges: 0,
        bot_commits: 0,
        referencing_issue: 0,
        linking_context: 0,
        activity: HashMap::new(),
        names: HashMap::new(),
        latest_commit: None,
        oldest_walked: None,
        totals: Totals::default(),
        last_change: LastChange::new(0),
    };
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();

    let result = std::thread::scope(|scope| -> Result<(), GitError> {
        let (tx, rx): (SyncSender<Vec<Job>>, Receiver<Vec<Job>>) = sync_channel(workers * 4);
        let rx = Arc::new(Mutex::new(rx));
        let sync_repo = repo.clone().into_sync();
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let rx = Arc::clone(&rx);
                let sync_repo = sync_repo.clone();
                let last_change = &last_change;
                scope.spawn(move || diff_worker(&sync_repo, packs, &rx, classifier, inventory, last_change, path))
            })
            .collect();
        let walked = walk_commits(
            repo,
            packs,
            head,
            since,
            until,
            config,
            mailmap,
            &shallow,
            &last_change,
            &tx,
            &mut history,
            progress,
            path,
        );
        drop(tx);
        let mut first_error = walked.err();
        for handle in handles {
            match handle.join() {
                Ok(Ok(totals)) => {
                    history.totals.docs_commits += totals.docs_commits;
                    history.totals.diffed += totals.diffed;
                    history.totals.missing_trees += totals.missing_trees;
                    history.totals.decisions_added.extend(totals.decisions_added);
                }
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert(GitError::Read {
                        path: path.display().to_string(),
                        what: "history".into(),
                        reason: "a diff worker stopped unexpectedly".into(),
                    });
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    });
    result?;
    history.last_change = last_change;
    Ok(history)
}

#[allow(clippy::too_many_arguments)]
fn walk_commits(
    repo: &gix::Repository,
    packs: &packed::Packs,
    head: ObjectId,
    since: i64,
    until: i64,
    config: &EvidenceConfig,
    mailmap: &gix::mailmap::Snapshot,
    shallow: &HashSet<ObjectId>,
    last_change: &LastChange,
    tx: &SyncSender<Vec<Job>>,
    history: &mut History,
    progress: &dyn Progress,
    path: &Path,
) -> Result<(), GitError> {
    let walk = repo
        .rev_walk([head])
        .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
        .use_commit_graph(true)
        .all()
        .map_err(read_error(path, "history"))?;
    let graph = repo.commit_graph().ok();
    let hash = repo.object_hash();
    let mut objects = packed::PackedObjects::new(packs, repo.objects.clone(), COMMIT_CACHE);
    let mut batch = Vec::with_capacity(BATCH);
    // The last job, held back until the next commit is walked: that is
    // usually its parent, whose root tree the walk reads anyway.
    let mut held: Option<Job> = None;
    let mut pending_progress = 0;
    for info in walk {
        let info = info.map_err(read_error(path, "history"))?;
        let time = info.commit_time.unwrap_or(0);
        if time < since && last_change.unresolved.load(Ordering::Relaxed) == 0 {
            break;
        }
        history.walked += 1;
        history.latest_commit = Some(history.latest_commit.map_or(time, |t| t.max(time)));
        history.oldest_walked = Some(history.oldest_walked.map_or(time, |t| t.min(time)));
        pending_progress += 1;
        if pending_progress == 256 {
            progress.advance(pending_progress);
            pending_progress = 0;
        }
        let in_window = since <= time && time < until;
        let is_merge = info.parent_ids.len() > 1;
        let mut counts = false;
        // Outside the window only the tree matters: read just the header.
        let tree = if in_window {
            let data = read_commit(&mut objects, info.id, path)?;
            let commit = gix::objs::CommitRef::from_bytes(&data, hash)
                .map_err(|e| read_error(path, format!("commit {}", info.id))(gix::error::message!("{e}").into()))?;
            count_commit(&commit, is_merge, config, mailmap, history, &mut counts, path, info.id)?;
            commit.tree()
        } else if let Some(tree) = graph.as_ref().and_then(|g| g.commit_by_id(info.id)) {
            tree.root_tree_id().to_owned()
        } else {
            let data = read_commit(&mut objects, info.id, path)?;
            gix::objs::CommitRefIter::from_bytes(&data, hash)
                .tree_id()
                .map_err(read_error(path, format!("commit {}", info.id)))?
        };
        if let Some(mut job) = held.take() {
            if job.parent == Some(info.id) {
                job.parent_tree = Some(tree);
            }
            batch.push(job);
            if batch.len() == BATCH
                && tx
                    .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                    .is_err()
            {
                // A worker failed; its error is reported when it is joined.
                return Ok(());
            }
        }
        // Merges bring changes already made in the commits they merge;
        // shallow boundary commits have no parent to compare with.
        if is_merge || shallow.contains(&info.id) {
            continue;
        }
        held = Some(Job {
            tree,
            parent: info.parent_ids.first().copied(),
            parent_tree: None,
            time,
            counts,
            in_window,
        });
    }
    progress.advance(pending_progress);
    batch.extend(held);
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    Ok(())
}

/// The commit `id`'s data; it must exist and be a commit.
fn read_commit(objects: &mut packed::PackedObjects<'_>, id: ObjectId, path: &Path) -> Result<packed::Shared, GitError> {
    let what = || format!("commit {id}");
    match objects.find(&id).map_err(read_error(path, what()))? {
        Some((gix::objs::Kind::Commit, data)) => Ok(data),
        Some((kind, _)) => Err(read_error(path, what())(
            gix::error::message!("a {kind}, not a commit").into(),
        )),
        None => Err(read_error(path, what())(gix::error::message("not found").into())),
    }
}

/// Counts one commit of the window: a merge, a bot's commit, or a commit by
/// a person with its author and message references.
#[allow(clippy::too_many_arguments)]
fn count_commit(
    commit: &gix::objs::CommitRef<'_>,
    is_merge: bool,
    config: &EvidenceConfig,
    mailmap: &gix::mailmap::Snapshot,
    history: &mut History,
    counts: &mut bool,
    path: &Path,
    id: ObjectId,
) -> Result<(), GitError> {
    if is_merge {
        history.merges += 1;
        return Ok(());
    }
    let author = commit
        .author()
        .map_err(read_error(path, format!("the author of commit {id}")))?;
    let person = mailmap.resolve_cow(author);
    let name = person.name.to_str_lossy();
    let email = person.email.to_str_lossy();
    if config.is_bot(&name) || config.is_bot(&email) {
        history.bot_commits += 1;
        return Ok(());
    }
    *counts = true;
    history.eligible += 1;
    let key = if email.trim().is_empty() {
        name.trim().to_lowercase()
    } else {
        email.trim().to_lowercase()
    };
    *history.activity.entry(key.clone()).or_insert(0) += 1;
    history.names.entry(key).or_insert_with(|| name.trim().to_string());
    let message = strip_squash_suffix(&commit.message.to_str_lossy());
    let refs = find_refs(&message, &config.references);
    let issue = refs.references_issue(|_| false);
    if issue {
        history.referencing_issue += 1;
    }
    if issue || refs.decision_refs > 0 {
        history.linking_context += 1;
    }
    Ok(())
}

/// Above this many distinct paths the worker forgets its classification
/// cache, so memory stays bounded on histories with huge numbers of paths.
const CLASS_CACHE_LIMIT: usize = 200_000;

fn diff_worker(
    sync_repo: &gix::ThreadSafeRepository,
    packs: &packed::Packs,
    rx: &Mutex<Receiver<Vec<Job>>>,
    classifier: &Classifier,
    inventory: &Inventory,
    last_change: &LastChange,
    path: &Path,
) -> Result<Totals, GitError> {
    let repo = sync_repo.to_thread_local();
    let mut objects = packed::PackedObjects::new(packs, repo.objects.clone(), DELTA_CACHE);
    // Root tree ids straight from the commit-graph file, when there is one,
    // instead of inflating every parent commit.
    let graph = repo.commit_graph().ok();
    let kind = repo.object_hash();
    let empty_tree = ObjectId::empty_tree(kind);
    let mut totals = Totals::default();
    let mut diff = diff::TreeDiff::default();
    let mut classes: HashMap<BString, PathClass> = HashMap::new();
    loop {
        let batch = {
            let Ok(guard) = rx.lock() else { break };
            match guard.recv() {
                Ok(batch) => batch,
                Err(_) => break,
            }
        };
        for job in batch {
            let from_graph = || {
                let parent = job.parent?;
                graph
                    .as_ref()?
                    .commit_by_id(parent)
                    .map(|c| c.root_tree_id().to_owned())
            };
            let parent_tree = match (job.parent, job.parent_tree.or_else(from_graph)) {
                (None, _) => empty_tree,
                (Some(_), Some(tree)) => tree,
                (Some(parent), None) => match objects.find(&parent) {
                    Ok(Some((_, data))) => match gix::objs::CommitRefIter::from_bytes(&data, kind).tree_id() {
                        Ok(id) => id,
                        Err(e) => return Err(read_error(path, format!("commit {parent}"))(e)),
                    },
                    Ok(None) => {
                        totals.missing_trees += 1;
                        continue;
                    }
                    Err(e) => return Err(read_error(path, format!("commit {parent}"))(e)),
                },
            };
            let Some(lhs) = find_tree(&mut objects, parent_tree, empty_tree, path)? else {
                totals.missing_trees += 1;
                continue;
            };
            let Some(rhs) = find_tree(&mut objects, job.tree, empty_tree, path)? else {
                totals.missing_trees += 1;
                continue;
            };
            diff.run(&mut objects, kind, lhs, rhs).map_err(|e| GitError::Read {
                path: path.display().to_string(),
                what: format!("the changes of tree {}", job.tree),
                reason: e.to_string(),
            })?;
            totals.diffed += 1;
            let mut touched_docs = false;
            for (file, added) in &diff.files {
                if classes.len() > CLASS_CACHE_LIMIT {
                    classes.clear();
                }
                let class = match classes.get(file) {
                    Some(class) => *class,
                    None => {
                        let class = classifier.classify(file.as_bstr());
                        classes.insert(file.clone(), class);
                        class
                    }
                };
                if class.prose || class.decision_record {
                    touched_docs = true;
                }
                if let Some(&idx) = inventory.index.get(file) {
                    last_change.record(idx, job.time);
                    if *added && job.in_window && inventory.is_decision(idx) {
                        totals.decisions_added.insert(idx);
                    }
                }
            }
            if job.counts && touched_docs {
                totals.docs_commits += 1;
            }
        }
    }
    Ok(totals)
}

/// A root tree: `Some(None)` for the empty tree (which a repository need
/// not store), `None` when the object is missing (a partial clone).
fn find_tree(
    objects: &mut packed::PackedObjects<'_>,
    id: ObjectId,
    empty_tree: ObjectId,
    path: &Path,
) -> Result<Option<Option<packed::Shared>>, GitError> {
    if id == empty_tree {
        return Ok(Some(None));
    }
    match objects.find(&id) {
        Ok(found) => Ok(found.map(|(_, data)| Some(data))),
        Err(e) => Err(read_error(path, format!("tree {id}"))(e)),
    }
}

fn spec(id: &str) -> &'static MetricSpec {
    // Every id used below is in the catalogue; a test scans a repository
    // and checks each of them appears.
    catalog::spec(id).unwrap_or(&catalog::all()[0])
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

fn days(seconds: i64) -> f64 {
    (seconds.max(0) as f64 / 86_400.0 * 10.0).round() / 10.0
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

fn file_name(path: &BStr) -> String {
    path.rsplit_str("/")
        .next()
        .unwrap_or(path)
        .to_str_lossy()
        .to_ascii_lowercase()
}

const BOILERPLATE: &[&str] = &[
    "readme",
    "contributing",
    "changelog",
    "license",
    "licence",
    "code_of_conduct",
    "security",
    "copying",
    "authors",
    "notice",
];

fn build_metrics(
    settings: &GitSettings,
    inv: &Inventory,
    h: &History,
    privacy: &Privacy,
    shallow: bool,
) -> Vec<Metric> {
    let w = settings.window;
    let mut out = Vec::new();
    let files = inv.paths.len() as u64;
    let presence = |b: bool| if b { 1.0 } else { 0.0 };

    // Activity.
    out.push(spec("git.commits").measured(h.eligible as f64, h.eligible, w));
    out.push(spec("git.merge_commits").measured(h.merges as f64, h.merges, w));
    let people = h.activity.len() as u64;
    out.push(spec("git.contributors").measured(people as f64, h.eligible, w));
    let top = h.activity.values().copied().max().unwrap_or(0);
    let top_share = share(top, h.eligible);
    if privacy.allows(people) {
        out.push(spec("git.top_contributor_share").measured(top_share, h.eligible, w));
    } else {
        out.push(spec("git.top_contributor_share").no_data(
            format!(
                "only {} committed; figures about people need at least k = {}",
                people_count(people),
                privacy.k
            ),
            h.eligible,
            w,
        ));
    }
    let concentration = if !privacy.allows(people) {
        Some(format!(
            "fewer than k = {} people committed: one person's habits can decide this figure",
            privacy.k
        ))
    } else if top_share > 0.5 {
        Some(format!("one person made {:.0}% of these commits", top_share * 100.0))
    } else {
        None
    };
    let with_concentration = |mut m: Metric| {
        if let Some(c) = &concentration {
            m.confidence.push(c.clone());
        }
        if shallow {
            m.confidence
                .push("shallow clone: commits before its oldest one are not counted".into());
        }
        m
    };

    // Documentation.
    let names: Vec<String> = inv.paths.iter().map(|p| file_name(p.as_bstr())).collect();
    let top_level = |i: usize| !inv.paths[i].contains(&b'/');
    let readme = (0..inv.paths.len()).any(|i| top_level(i) && names[i].starts_with("readme"));
    let contributing = (0..inv.paths.len()).any(|i| {
        let p = inv.paths[i].to_ascii_lowercase();
        names[i].starts_with("contributing") && (top_level(i) || p.starts_with(b".github/") || p.starts_with(b"docs/"))
    });
    let living: Vec<usize> = (0..inv.paths.len()).filter(|i| inv.classes[*i].living_doc()).collect();
    let further_docs = living
        .iter()
        .any(|i| !BOILERPLATE.iter().any(|b| names[*i].starts_with(b)));
    out.push(spec("git.readme_present").measured(presence(readme), files, w));
    out.push(spec("git.contributing_present").measured(presence(contributing), files, w));
    out.push(spec("git.docs_folder_present").measured(presence(further_docs), files, w));
    let basics = [readme, contributing, further_docs].iter().filter(|b| **b).count();
    out.push(spec("git.docs_basics").measured(basics as f64, files, w));
    out.push(spec("git.docs_files").measured(living.len() as f64, files, w));
    out.push(with_concentration(spec("git.docs_share_of_commits").measured(
        share(h.totals.docs_commits, h.eligible),
        h.eligible,
        w,
    )));
    out.push(freshness(inv, h, w, shallow));
    let owned_candidates: Vec<usize> = (0..inv.paths.len())
        .filter(|i| inv.classes[*i].living_doc() || inv.is_decision(*i as u32))
        .collect();
    out.push(spec("git.codeowners_present").measured(presence(inv.codeowners.is_some()), files, w));
    let owned_sample = owned_candidates.len() as u64;
    if owned_candidates.is_empty() {
        out.push(spec("git.docs_owned_share").no_data("no documentation files at HEAD", 0, w));
    } else {
        let owned = match &inv.codeowners {
            Some(co) => owned_candidates
                .iter()
                .filter(|i| co.owns(inv.paths[**i].as_bstr()))
                .count() as u64,
            None => 0,
        };
        let mut m = spec("git.docs_owned_share").measured(share(owned, owned_sample), owned_sample, w);
        if inv.codeowners.is_none() {
            m.confidence
                .push("there is no CODEOWNERS file, so no document has an owner here".into());
        }
        out.push(m);
    }

    // Decisions.
    let records = inv.decisions.len() as u64;
    out.push(spec("git.decision_records").measured(records as f64, files, w));
    out.push(spec("git.decision_records_added").measured(h.totals.decisions_added.len() as f64, records, w));
    let latest_record = inv.decisions.iter().filter_map(|(i, _)| h.last_change.get(*i)).max();
    match latest_record {
        Some(t) => {
            out.push(spec("git.decision_record_age_days").measured(days(w.until.unix_timestamp() - t), records, w))
        }
        None if records == 0 => {
            out.push(spec("git.decision_record_age_days").no_data("no decision records at HEAD", 0, w))
        }
        None => out.push(spec("git.decision_record_age_days").no_data(
            "the last change of the decision records is not in the history that was read (shallow clone?)",
            records,
            w,
        )),
    }
    if records == 0 {
        out.push(spec("git.decision_records_with_status_share").no_data("no decision records at HEAD", 0, w));
    } else {
        let with_status = inv.decisions.iter().filter(|(_, s)| *s).count() as u64;
        out.push(spec("git.decision_records_with_status_share").measured(share(with_status, records), records, w));
    }
    out.push(with_concentration(
        spec("git.commits_linking_decision_or_issue").measured(share(h.linking_context, h.eligible), h.eligible, w),
    ));

    // Work tracking.
    out.push(with_concentration(spec("git.commits_referencing_issue").measured(
        share(h.referencing_issue, h.eligible),
        h.eligible,
        w,
    )));
    let issue_template = inv.classes.iter().any(|c| c.issue_template);
    let pr_template = inv.classes.iter().any(|c| c.pr_template);
    out.push(spec("git.issue_template_present").measured(presence(issue_template), files, w));
    out.push(spec("git.pr_template_present").measured(presence(pr_template), files, w));
    out.push(spec("git.tracking_templates").measured(
        (u8::from(issue_template) + u8::from(pr_template)) as f64,
        files,
        w,
    ));
    out
}

/// Median lag of documentation behind the code beside it.
fn freshness(inv: &Inventory, h: &History, w: Window, shallow: bool) -> Metric {
    let spec = spec("git.docs_freshness_lag_days");
    // Latest code change per folder, every ancestor folder included ("" is
    // the whole repository).
    let mut code_by_dir: HashMap<&[u8], i64> = HashMap::new();
    for (i, path) in inv.paths.iter().enumerate() {
        if !inv.classes[i].code() {
            continue;
        }
        let Some(t) = h.last_change.get(i as u32) else { continue };
        let mut dir: &[u8] = path.as_slice();
        loop {
            dir = match dir.rfind_byte(b'/') {
                Some(pos) => &dir[..pos],
                None => &[],
            };
            let slot = code_by_dir.entry(dir).or_insert(t);
            *slot = (*slot).max(t);
            if dir.is_empty() {
                break;
            }
        }
    }
    let docs_dirs = ["docs", "doc", "documentation", "handbook", "wiki"];
    let mut lags = Vec::new();
    let mut unknown = 0u64;
    let mut docs = 0u64;
    for (i, path) in inv.paths.iter().enumerate() {
        if !inv.classes[i].living_doc() {
            continue;
        }
        docs += 1;
        let Some(doc_time) = h.last_change.get(i as u32) else {
            unknown += 1;
            continue;
        };
        let dir: &[u8] = path.rfind_byte(b'/').map_or(&[], |pos| &path[..pos]);
        let in_docs_folder = dir
            .split(|b| *b == b'/')
            .any(|part| docs_dirs.iter().any(|d| part.eq_ignore_ascii_case(d.as_bytes())));
        let beside: &[u8] = if in_docs_folder { &[] } else { dir };
        if let Some(code_time) = code_by_dir.get(beside) {
            lags.push(days(code_time - doc_time));
        }
    }
    let sample = lags.len() as u64;
    let mut metric = match median(&mut lags) {
        Some(m) => spec.measured(m, sample, w),
        None if docs == 0 => spec.no_data("no documentation files at HEAD", 0, w),
        None => spec.no_data(
            "no documentation file has code beside it with a known last change",
            0,
            w,
        ),
    };
    if unknown > 0 {
        metric.confidence.push(format!(
            "{unknown} of {docs} documents have no last change in the history read{}",
            if shallow { " (shallow clone)" } else { "" }
        ));
    }
    metric
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_markers_read_front_matter_and_headings() {
        let madr = "---\nstatus: accepted\ndate: 2024-01-02\ndeciders: ada, bob\n---\n# Use PostgreSQL\n";
        assert_eq!(
            decision_markers(madr),
            DecisionMarkers {
                is_record: true,
                has_status: true
            }
        );
        let nygard = "# ADR 3: Use Rust\n\n## Status\n\nAccepted\n\n## Context\n";
        assert_eq!(
            decision_markers(nygard),
            DecisionMarkers {
                is_record: true,
                has_status: true
            }
        );
        let plain = "# Setup guide\n\nRun the thing. The status of the build is shown.\n";
        assert_eq!(decision_markers(plain), DecisionMarkers::default());
        let statusless = "# 1. Record architecture decisions\n\nDate: 2024-01-01\n\nWe will…";
        assert!(!decision_markers(statusless).has_status);
        assert!(decision_markers("* Status: proposed\n").has_status);
    }

    #[test]
    fn medians_average_the_middle_pair() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
