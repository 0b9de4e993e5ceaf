//! The Slack scanner: where a team's conversation happens (public channels,
//! private channels, group and direct messages), whether it uses threads,
//! points to durable places, interrupts everyone, writes outside working
//! hours, and keeps written status updates — from a workspace export.
//!
//! An export holds `users.json`, `channels.json` (public channels) and, on
//! plans that export them, `groups.json` (private channels), `mpims.json`
//! (group DMs) and `dms.json`, plus one folder per conversation with one
//! JSON file per day. The scanner reads it one file at a time through
//! [`archive`], which refuses unsafe archives; a day file that isn't valid
//! JSON is skipped with its position and listed at the end.
//!
//! Message text is read in memory only to find links and `@here`/`@channel`;
//! nothing of it is kept, and people appear only as pseudonymous ids.
//! Day files are taken from the export and counted in order on one thread,
//! and unpacked and parsed on the others. Memory holds the user list, a bounded number of day files
//! in flight and one small record per open thread, so it stays flat however
//! many days the export spans.

pub mod archive;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde::de::IgnoredAny;
use time::OffsetDateTime;

use crate::catalog;
use crate::config::EvidenceConfig;
use crate::hours::{WorkingHours, is_weekend};
use crate::metric::{Metric, Note, Scan, SourceKind, Window};
use crate::pipeline;
use crate::privacy::Privacy;
use crate::progress::Progress;
use archive::{ArchiveError, ArchiveLimits, Export};

/// Why an export could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{path}: no channels.json or users.json found: this is not a Slack workspace export")]
    NotSlack { path: String },
    #[error("{path}:{entry}:{line}:{column}: {message}")]
    Metadata {
        path: String,
        entry: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "no messages by people between {since} and {until} in {path} ({skipped} day files skipped): nothing to measure; widen the window with --since"
    )]
    NothingInWindow {
        path: String,
        since: String,
        until: String,
        skipped: usize,
    },
}

/// What a Slack scan needs besides the export.
#[derive(Debug, Clone)]
pub struct SlackSettings {
    pub window: Window,
    pub config: EvidenceConfig,
    pub working_hours: WorkingHours,
    pub limits: ArchiveLimits,
    pub now: OffsetDateTime,
}

/// Where a message was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Public,
    Private,
    GroupDm,
    Dm,
}

/// A day file that could not be read, with where it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub entry: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Deserialize)]
struct RawUser {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    is_app_user: bool,
    #[serde(default)]
    tz: Option<String>,
    #[serde(default)]
    tz_offset: Option<i64>,
}

#[derive(Deserialize)]
struct RawConversation {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Only the fields the metrics need; the text is borrowed from the day
/// file's bytes and dropped with them.
#[derive(Deserialize)]
struct Message<'a> {
    #[serde(default, borrow)]
    ts: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    user: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    thread_ts: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    subtype: Option<Cow<'a, str>>,
    #[serde(default)]
    bot_id: Option<IgnoredAny>,
}

/// A user's clock: an IANA zone when users.json names a known one, else the
/// fixed offset it gives.
#[derive(Debug, Clone, Copy)]
enum Clock {
    Zone(chrono_tz::Tz),
    Offset(FixedOffset),
}

impl Clock {
    fn local(&self, utc: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Clock::Zone(tz) => utc.with_timezone(tz).naive_local(),
            Clock::Offset(off) => utc.with_timezone(off).naive_local(),
        }
    }
}

struct UserInfo {
    id: String,
    bot: bool,
    clock: Option<Clock>,
    name: Option<String>,
}

/// Subtypes of messages that people write; every other subtype is a system
/// message (joins, topic changes, pins…) or an integration's.
const PEOPLE_SUBTYPES: &[&str] = &["thread_broadcast", "me_message", "file_share", "reply_broadcast"];

/// `1704189600.000200` as microseconds.
fn parse_ts(ts: &str) -> Option<i64> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, ""));
    let secs: i64 = secs.parse().ok()?;
    let frac = frac.get(..6.min(frac.len())).unwrap_or("");
    let mut micros: i64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    for _ in frac.len()..6 {
        micros *= 10;
    }
    secs.checked_mul(1_000_000)?.checked_add(micros)
}

/// What the text of a message says, without keeping it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TextSignals {
    pub durable_link: bool,
    pub broadcast: bool,
}

/// Finds links to durable places and `@here`/`@channel`/`@everyone` in a
/// message as Slack stores it (`<https://…|label>`, `<!here>`).
pub fn classify_text(text: &str, durable: &[String]) -> TextSignals {
    let mut signals = TextSignals::default();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let close = rest.find('>').unwrap_or(rest.len());
        let inner = &rest[..close];
        if inner.starts_with("!here") || inner.starts_with("!channel") || inner.starts_with("!everyone") {
            signals.broadcast = true;
        } else if inner.starts_with("http://") || inner.starts_with("https://") {
            let url = inner.split('|').next().unwrap_or(inner).to_lowercase();
            if durable.iter().any(|d| url.contains(d.as_str())) {
                signals.durable_link = true;
            }
        }
    }
    signals
}

fn lower(list: &[String]) -> Vec<String> {
    list.iter().map(|s| s.to_lowercase()).collect()
}

/// One day file read on this thread, to be parsed on another.
struct DayJob<'a> {
    entry: &'a str,
    conversation: u32,
    kind: Kind,
    status: bool,
    packed: archive::Packed,
}

/// Who wrote a message: a position in the user list, or an id the list
/// doesn't hold (kept with the day, interned when counted).
#[derive(Debug, Clone, Copy)]
enum Sender {
    Listed(u32),
    Unlisted(u32),
}

/// What counting needs of one message by a person, decided while parsing.
#[derive(Debug, Clone, Copy)]
struct Seen {
    ts: i64,
    thread: Option<i64>,
    sender: Sender,
    in_window: bool,
    durable: bool,
    broadcast: bool,
    /// `None` when the sender has no time zone.
    when: Option<LocalTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocalTime {
    Working,
    OffHours,
    Weekend,
}

/// A parsed day file: its messages by people, or why it was skipped.
struct Day {
    conversation: u32,
    kind: Kind,
    status: bool,
    outcome: Result<Parsed, Unread>,
}

/// A day file's messages by people, the ids of senders users.json doesn't
/// list, and its size unpacked.
struct Parsed {
    seen: Vec<Seen>,
    unlisted: Vec<String>,
    bytes: u64,
}

/// Why a day file gave no messages: not JSON (skipped, the scan goes on) or
/// not safely readable (the scan stops, as for any unsafe export).
enum Unread {
    Skipped(Skipped),
    Refused(ArchiveError),
}

/// What every parsing thread shares: read-only facts about the export.
struct DayReader<'a> {
    user_index: &'a HashMap<String, u32>,
    users: &'a [UserInfo],
    durable: &'a [String],
    hours: WorkingHours,
    since_us: i64,
    until_us: i64,
}

impl DayReader<'_> {
    /// Parses one day file; the text of each message is looked at here and
    /// dropped with the file's bytes.
    fn read(&self, job: DayJob<'_>) -> Day {
        let outcome = DAY_BYTES.with_borrow_mut(|bytes| match job.packed.unpack(bytes) {
            Err(e) => Err(Unread::Refused(e)),
            Ok(()) => {
                let mut unlisted: Vec<String> = Vec::new();
                let mut deserializer = serde_json::Deserializer::from_slice(bytes);
                let messages = DayMessages {
                    reader: self,
                    unlisted: &mut unlisted,
                };
                match serde::de::DeserializeSeed::deserialize(messages, &mut deserializer)
                    .and_then(|seen| deserializer.end().map(|()| seen))
                {
                    Ok(seen) => Ok(Parsed {
                        seen,
                        unlisted,
                        bytes: bytes.len() as u64,
                    }),
                    Err(e) => Err(Unread::Skipped(Skipped {
                        entry: job.entry.to_string(),
                        line: e.line(),
                        column: e.column().max(1),
                        message: e.to_string().split(" at line").next().unwrap_or("").to_string(),
                    })),
                }
            }
        });
        Day {
            conversation: job.conversation,
            kind: job.kind,
            status: job.status,
            outcome,
        }
    }

    fn see(&self, m: &Message<'_>, unlisted: &mut Vec<String>) -> Option<Seen> {
        let ts = m.ts.as_deref().and_then(parse_ts)?;
        let user = m.user.as_deref()?;
        let position = self.user_index.get(user).copied();
        let listed = position.map(|i| &self.users[i as usize]);
        if m.bot_id.is_some()
            || m.subtype.as_deref().is_some_and(|s| !PEOPLE_SUBTYPES.contains(&s))
            || listed.is_some_and(|u| u.bot)
            || user == "USLACKBOT"
        {
            return None;
        }
        let sender = match position {
            Some(i) => Sender::Listed(i),
            None => {
                let at = unlisted.iter().position(|u| u == user).unwrap_or_else(|| {
                    unlisted.push(user.to_string());
                    unlisted.len() - 1
                });
                Sender::Unlisted(u32::try_from(at).unwrap_or(u32::MAX))
            }
        };
        let in_window = (self.since_us..self.until_us).contains(&ts);
        let signals = match m.text.as_deref() {
            Some(text) if in_window => classify_text(text, self.durable),
            _ => TextSignals::default(),
        };
        let when = if in_window {
            listed
                .and_then(|u| u.clock)
                .and_then(|clock| Utc.timestamp_micros(ts).single().map(|utc| clock.local(utc)))
                .map(|local| {
                    if is_weekend(local) {
                        LocalTime::Weekend
                    } else if self.hours.contains(local) {
                        LocalTime::Working
                    } else {
                        LocalTime::OffHours
                    }
                })
        } else {
            None
        };
        Some(Seen {
            ts,
            thread: m.thread_ts.as_deref().and_then(parse_ts),
            sender,
            in_window,
            durable: signals.durable_link,
            broadcast: signals.broadcast,
            when,
        })
    }
}

thread_local! {
    /// The day file being parsed on this thread, unpacked; reused from file
    /// to file, since a message borrows its text from it only while seen.
    static DAY_BYTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A day file's array of messages, each looked at as it is parsed rather
/// than collected first.
struct DayMessages<'r, 'u> {
    reader: &'r DayReader<'r>,
    unlisted: &'u mut Vec<String>,
}

impl<'de> serde::de::DeserializeSeed<'de> for DayMessages<'_, '_> {
    type Value = Vec<Seen>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Seen>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for DayMessages<'_, '_> {
    type Value = Vec<Seen>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of messages")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Seen>, A::Error> {
        let mut seen = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(message) = seq.next_element::<Message<'de>>()? {
            seen.extend(self.reader.see(&message, self.unlisted));
        }
        Ok(seen)
    }
}

/// Everything counted while reading, a few numbers per conversation kind.
#[derive(Default)]
struct Tally {
    by_kind: [u64; 4],
    messages: u64,
    replies: u64,
    durable: u64,
    broadcasts: u64,
    timed: u64,
    off_hours: u64,
    weekend: u64,
    /// Messages in the window per listed user (by position).
    listed_senders: Vec<u64>,
    /// Messages in the window per user id that users.json doesn't list.
    unlisted_senders: HashMap<String, u64>,
    /// Open threads: (conversation, parent ts) → (parent author, parent ts).
    threads: HashMap<(u32, i64), (u32, i64)>,
    waits: Vec<f64>,
    responders: HashSet<u32>,
    status_weeks: HashSet<i64>,
    status_channels: u64,
    day_files: u64,
    /// Day files' bytes, unpacked.
    bytes: u64,
    skipped: Vec<Skipped>,
    /// Ids for unlisted users, after the listed ones.
    unlisted_ids: HashMap<String, u32>,
}

impl Tally {
    /// Counts one day file's messages; days come in reading order, so a
    /// thread's parent is counted before its replies.
    fn count(
        &mut self,
        day: Day,
        reader: &DayReader<'_>,
        status_folders: &mut HashSet<u32>,
    ) -> Result<(), ArchiveError> {
        self.day_files += 1;
        let Parsed { seen, unlisted, bytes } = match day.outcome {
            Ok(parsed) => parsed,
            Err(Unread::Skipped(skipped)) => {
                self.skipped.push(skipped);
                return Ok(());
            }
            Err(Unread::Refused(e)) => return Err(e),
        };
        self.bytes += bytes;
        if self.listed_senders.len() < reader.users.len() {
            self.listed_senders.resize(reader.users.len(), 0);
        }
        let first_unlisted = u32::try_from(reader.users.len()).unwrap_or(u32::MAX);
        for m in &seen {
            let who = match m.sender {
                Sender::Listed(i) => i,
                Sender::Unlisted(i) => {
                    let id = &unlisted[i as usize];
                    match self.unlisted_ids.get(id) {
                        Some(&known) => known,
                        None => {
                            let next = first_unlisted
                                .saturating_add(u32::try_from(self.unlisted_ids.len()).unwrap_or(u32::MAX));
                            self.unlisted_ids.insert(id.clone(), next);
                            next
                        }
                    }
                }
            };
            let ts = m.ts;
            // Response times: a parent opens a thread, the first reply by
            // someone else closes it.
            match m.thread {
                Some(t) if t == ts && m.in_window => {
                    self.threads.insert((day.conversation, ts), (who, ts));
                }
                // A thread opened outside the window is not timed.
                Some(t) if t == ts => {}
                Some(t) => {
                    if let Some((author, at)) = self.threads.get(&(day.conversation, t)).copied()
                        && author != who
                    {
                        self.threads.remove(&(day.conversation, t));
                        self.waits.push(((ts - at) as f64 / 3.6e9).max(0.0));
                        self.responders.insert(who);
                    }
                }
                None => {}
            }
            if !m.in_window {
                continue;
            }
            self.messages += 1;
            self.by_kind[kind_index(day.kind)] += 1;
            match m.sender {
                Sender::Listed(i) => self.listed_senders[i as usize] += 1,
                Sender::Unlisted(i) => *self.unlisted_senders.entry(unlisted[i as usize].clone()).or_insert(0) += 1,
            }
            if m.thread.is_some_and(|t| t != ts) {
                self.replies += 1;
            }
            self.durable += u64::from(m.durable);
            self.broadcasts += u64::from(m.broadcast);
            if let Some(when) = m.when {
                self.timed += 1;
                match when {
                    LocalTime::Weekend => self.weekend += 1,
                    LocalTime::OffHours => self.off_hours += 1,
                    LocalTime::Working => {}
                }
            }
            if day.status {
                status_folders.insert(day.conversation);
                self.status_weeks
                    .insert((ts - reader.since_us) / (7 * 86_400 * 1_000_000));
            }
        }
        Ok(())
    }

    /// How many people wrote in the window.
    fn people(&self) -> u64 {
        (self.listed_senders.iter().filter(|&&c| c > 0).count() + self.unlisted_senders.len()) as u64
    }

    /// Messages in the window per Slack user id, for everyone who wrote one.
    fn senders(&self, users: &[UserInfo]) -> HashMap<String, u64> {
        let mut senders = self.unlisted_senders.clone();
        for (user, &count) in users.iter().zip(&self.listed_senders) {
            if count > 0 {
                senders.insert(user.id.clone(), count);
            }
        }
        senders
    }
}

fn kind_index(kind: Kind) -> usize {
    match kind {
        Kind::Public => 0,
        Kind::Private => 1,
        Kind::GroupDm => 2,
        Kind::Dm => 3,
    }
}

struct Conversation {
    kind: Kind,
    status: bool,
}

fn parse_metadata<T: for<'de> Deserialize<'de>>(bytes: &[u8], path: &str, entry: &str) -> Result<Vec<T>, SlackError> {
    serde_json::from_slice(bytes).map_err(|e| SlackError::Metadata {
        path: path.to_string(),
        entry: entry.to_string(),
        line: e.line(),
        column: e.column().max(1),
        message: e.to_string().split(" at line").next().unwrap_or("").to_string(),
    })
}

/// Reads an export (a zip file or its unpacked folder) and measures it.
pub fn scan_slack(
    path: &Path,
    settings: &SlackSettings,
    privacy: &Privacy,
    progress: &dyn Progress,
) -> Result<Scan, SlackError> {
    let shown = path.display().to_string();
    let mut export = Export::open(path, settings.limits)?;
    // A zip made by compressing the unpacked folder has one folder around
    // everything: find the folder that holds channels.json or users.json.
    let root = export
        .entries()
        .iter()
        .filter(|e| e.name.ends_with("channels.json") || e.name.ends_with("users.json"))
        .map(|e| e.name.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/")))
        .min_by_key(|prefix| prefix.matches('/').count())
        .ok_or_else(|| SlackError::NotSlack { path: shown.clone() })?;
    let mut buf = Vec::new();

    // Users by position; `user_index` finds a Slack id's position.
    let mut users: Vec<UserInfo> = Vec::new();
    let mut user_index: HashMap<String, u32> = HashMap::new();
    let config = &settings.config;
    if let Some(entry) = export.find(&format!("{root}users.json")) {
        export.read(&entry, &mut buf)?;
        for u in parse_metadata::<RawUser>(&buf, &shown, &entry.name)? {
            let clock =
                u.tz.as_deref()
                    .and_then(|tz| tz.parse::<chrono_tz::Tz>().ok())
                    .map(Clock::Zone)
                    .or_else(|| {
                        u.tz_offset
                            .and_then(|s| i32::try_from(s).ok())
                            .and_then(FixedOffset::east_opt)
                            .map(Clock::Offset)
                    });
            let bot =
                u.is_bot || u.is_app_user || u.id == "USLACKBOT" || u.name.as_deref().is_some_and(|n| config.is_bot(n));
            let name = u.real_name.filter(|n| !n.is_empty()).or(u.name);
            let info = UserInfo {
                id: u.id.clone(),
                bot,
                clock,
                name,
            };
            // A repeated id: the later entry describes the user, as a map
            // keyed by id would have it.
            match user_index.get(&u.id) {
                Some(&earlier) => users[earlier as usize] = info,
                None => {
                    user_index.insert(u.id, u32::try_from(users.len()).unwrap_or(u32::MAX));
                    users.push(info);
                }
            }
        }
    }

    // Folder name → conversation; which kinds the export holds.
    let status_words = lower(&config.status_channels);
    let mut conversations: HashMap<String, Conversation> = HashMap::new();
    let mut present = [false; 4];
    for (file, kind) in [
        ("channels.json", Kind::Public),
        ("groups.json", Kind::Private),
        ("mpims.json", Kind::GroupDm),
        ("dms.json", Kind::Dm),
    ] {
        let Some(entry) = export.find(&format!("{root}{file}")) else {
            continue;
        };
        present[kind_index(kind)] = true;
        export.read(&entry, &mut buf)?;
        for c in parse_metadata::<RawConversation>(&buf, &shown, &entry.name)? {
            // DMs are exported under their id, the others under their name.
            let folder = match kind {
                Kind::Dm => c.id.clone(),
                _ => c.name.clone().or(c.id.clone()),
            };
            let Some(folder) = folder else { continue };
            let name = c.name.unwrap_or_default().to_lowercase();
            let status =
                matches!(kind, Kind::Public | Kind::Private) && status_words.iter().any(|w| name.contains(w.as_str()));
            conversations.insert(folder, Conversation { kind, status });
        }
    }
    let public_only = !present[1] && !present[2] && !present[3];

    let window = settings.window;
    let durable = lower(&config.durable_links);
    let reader = DayReader {
        user_index: &user_index,
        users: &users,
        durable: &durable,
        hours: settings.working_hours,
        since_us: window.since.unix_timestamp() * 1_000_000,
        until_us: window.until.unix_timestamp() * 1_000_000,
    };
    let mut tally = Tally::default();
    let mut unlisted: HashSet<String> = HashSet::new();
    let mut status_folders: HashSet<u32> = HashSet::new();

    let days: Vec<archive::Entry> = export
        .entries()
        .iter()
        .filter(|e| {
            e.name.ends_with(".json")
                && e.name
                    .strip_prefix(root.as_str())
                    .is_some_and(|rest| rest.matches('/').count() == 1)
        })
        .cloned()
        .collect();
    progress.stage("reading day files", Some(days.len() as u64));
    let mut folder_index: HashMap<String, u32> = HashMap::new();
    let mut pending = days.iter();
    // Day files are taken from the export and counted in order on this
    // thread, and unpacked and parsed on the others: that is the work.
    pipeline::in_order(
        pipeline::default_workers(),
        64,
        || {
            let Some(entry) = pending.next() else {
                return Ok(None);
            };
            progress.advance(1);
            let rest = &entry.name[root.len()..];
            let folder = rest.split_once('/').map_or(rest, |(folder, _day)| folder);
            let next = u32::try_from(folder_index.len()).unwrap_or(u32::MAX);
            let conversation = *folder_index.entry(folder.to_string()).or_insert(next);
            let (kind, status) = match conversations.get(folder) {
                Some(c) => (c.kind, c.status),
                None => {
                    // A folder no list names is read as a public channel
                    // (what Slack exports by default) and reported.
                    unlisted.insert(folder.to_string());
                    let name = folder.to_lowercase();
                    (Kind::Public, status_words.iter().any(|w| name.contains(w.as_str())))
                }
            };
            let packed = export.read_packed(entry)?;
            Ok(Some(DayJob {
                entry: entry.name.as_str(),
                conversation,
                kind,
                status,
                packed,
            }))
        },
        |job| reader.read(job),
        |day| Ok::<_, SlackError>(tally.count(day, &reader, &mut status_folders)?),
    )?;
    tally.status_channels = status_folders.len() as u64;

    if tally.messages == 0 {
        return Err(SlackError::NothingInWindow {
            path: shown,
            since: window.since.date().to_string(),
            until: window.last_day().to_string(),
            skipped: tally.skipped.len(),
        });
    }
    let mut notes = Vec::new();
    notes.push(Note::info(format!(
        "read {} day files ({} MB uncompressed) in {} conversations; {} messages by people in the window",
        tally.day_files,
        (export.bytes_read() + tally.bytes) / 1_000_000,
        folder_index.len(),
        tally.messages
    )));
    if public_only {
        notes.push(Note::warning(
            "the export holds public channels only (no groups.json, mpims.json or dms.json), as exports from most Slack plans do: the shares of private channels and DMs are unknown, and public-channel figures are not the whole picture",
        ));
    }
    if !unlisted.is_empty() {
        notes.push(Note::warning(format!(
            "{} conversation folders are named in none of channels.json, groups.json, mpims.json, dms.json: counted as public channels",
            unlisted.len()
        )));
    }
    if !tally.skipped.is_empty() {
        let mut text = format!(
            "skipped {} of {} day files that are not valid JSON (their messages are not counted):",
            tally.skipped.len(),
            tally.day_files
        );
        for s in tally.skipped.iter().take(20) {
            text.push_str(&format!("\n    {}:{}:{}: {}", s.entry, s.line, s.column, s.message));
        }
        if tally.skipped.len() > 20 {
            text.push_str(&format!("\n    and {} more", tally.skipped.len() - 20));
        }
        notes.push(Note::warning(text));
    }
    let metrics = measure(&tally, public_only, present, settings, privacy);
    let names: HashMap<String, String> = users
        .iter()
        .filter_map(|u| u.name.clone().map(|n| (u.id.clone(), n)))
        .collect();
    let people = privacy.people(&tally.senders(&users), &names, "messages");
    Ok(Scan {
        source: SourceKind::Slack,
        subject: shown,
        window,
        scanned_at: settings.now,
        metrics,
        notes,
        people: Some(people),
        writable_meetings: Vec::new(),
    })
}

fn spec(id: &str) -> &'static catalog::MetricSpec {
    // The ids below are in the catalogue; a test checks every one is produced.
    catalog::spec(id).unwrap_or(&catalog::all()[0])
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

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn measure(
    tally: &Tally,
    public_only: bool,
    present: [bool; 4],
    settings: &SlackSettings,
    privacy: &Privacy,
) -> Vec<Metric> {
    let w = settings.window;
    let n = tally.messages;
    let share = |part: u64| part as f64 / n as f64;
    let mut metrics = vec![spec("slack.messages").measured(n as f64, n, w)];
    for (id, index, file) in [
        ("slack.public_channel_share", 0, "channels.json"),
        ("slack.private_channel_share", 1, "groups.json"),
        ("slack.group_dm_share", 2, "mpims.json"),
        ("slack.dm_share", 3, "dms.json"),
    ] {
        metrics.push(if !present[index] && index > 0 {
            spec(id).no_data(format!("the export holds no {file}"), 0, w)
        } else {
            let mut m = spec(id).measured(share(tally.by_kind[index]), n, w);
            if public_only {
                m.confidence.push(
                    "the export holds public channels only: this share is of public messages, not of all messages"
                        .to_string(),
                );
            }
            m
        });
    }
    metrics.push(spec("slack.thread_reply_share").measured(share(tally.replies), n, w));
    metrics.push({
        let mut m = spec("slack.durable_link_share").measured(share(tally.durable), n, w);
        m.heuristic.push_str(&format!(
            " ({} URL patterns; see durable_links)",
            settings.config.durable_links.len()
        ));
        m
    });
    let people = tally.people();
    let weeks = (w.until - w.since).as_seconds_f64() / (7.0 * 86_400.0);
    metrics.push(spec("slack.broadcasts_per_person_week").measured(
        ((tally.broadcasts as f64 / (people as f64 * weeks)) * 100.0).round() / 100.0,
        people,
        w,
    ));
    let hours = settings.working_hours;
    if tally.timed == 0 {
        for id in ["slack.off_hours_share", "slack.weekend_share"] {
            metrics.push(spec(id).no_data("no sender has a time zone in users.json", 0, w));
        }
    } else {
        let mut m = spec("slack.off_hours_share").measured(tally.off_hours as f64 / tally.timed as f64, tally.timed, w);
        m.heuristic.push_str(&format!(" (working hours {hours})"));
        metrics.push(m);
        metrics.push(spec("slack.weekend_share").measured(tally.weekend as f64 / tally.timed as f64, tally.timed, w));
    }
    let mut waits = tally.waits.clone();
    let answered = waits.len() as u64;
    metrics.push(match median(&mut waits) {
        Some(_) if !privacy.allows(tally.responders.len() as u64) => spec("slack.thread_first_reply_hours").no_data(
            format!(
                "only {} replied; figures about people need at least k = {}",
                crate::privacy::people_count(tally.responders.len() as u64),
                privacy.k
            ),
            answered,
            w,
        ),
        Some(m) => spec("slack.thread_first_reply_hours").measured(round1(m), answered, w),
        None => spec("slack.thread_first_reply_hours").no_data("no thread started in the window got a reply", 0, w),
    });
    let window_weeks = (weeks.ceil() as u64).max(1);
    metrics.push(if tally.status_channels == 0 {
        spec("slack.status_update_weeks_share").no_data(
            format!(
                "no channel whose name holds {} has messages in the window",
                settings.config.status_channels.join(", ")
            ),
            window_weeks,
            w,
        )
    } else {
        spec("slack.status_update_weeks_share").measured(
            tally.status_weeks.len() as f64 / window_weeks as f64,
            window_weeks,
            w,
        )
    });
    metrics.push(spec("slack.people").measured(people as f64, people, w));
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_to_the_microsecond() {
        assert_eq!(parse_ts("1704189600.000200"), Some(1_704_189_600_000_200));
        assert_eq!(parse_ts("1704189600"), Some(1_704_189_600_000_000));
        assert_eq!(parse_ts("1704189600.5"), Some(1_704_189_600_500_000));
        assert_eq!(parse_ts("x.1"), None);
    }

    #[test]
    fn text_signals_come_from_slack_markup() {
        let durable = lower(&EvidenceConfig::default().durable_links);
        let s = classify_text("<!here> see <https://github.com/a/b/issues/3|the issue>", &durable);
        assert_eq!(
            s,
            TextSignals {
                durable_link: true,
                broadcast: true
            }
        );
        let s = classify_text("lunch? <https://example.org/menu> <@U1>", &durable);
        assert_eq!(s, TextSignals::default());
        assert!(classify_text("<<<!channel", &durable).broadcast);
    }
}
