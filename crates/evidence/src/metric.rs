//! What a scanner returns: named metrics with their value, unit, sample size,
//! time window, the heuristic that produced them and how far they can be
//! trusted.
//!
//! Every scanner (git, GitHub, and later chat and calendars) speaks this one
//! vocabulary, so rules, reports and storage never need to know which
//! scanner produced a figure. The [catalog](crate::catalog) lists every metric
//! a scanner of this crate can produce, with its fixed heuristic text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

/// Why a metric or source id was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error(
        "metric id {0:?} must look like `source.name` (lowercase letters, digits and '_'), e.g. `git.docs_share_of_commits`"
    )]
    BadMetricId(String),
    #[error("rule id {0:?} must start with a lowercase letter and use only lowercase letters, digits, '-', '_' or '.'")]
    BadRuleId(String),
}

fn is_word(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The name of a metric: `source.name`, e.g. `git.docs_share_of_commits`.
/// The part before the dot is the [`SourceKind`] that produces it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricId(String);

impl MetricId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        match s.split_once('.') {
            Some((source, name)) if is_word(source) && is_word(name) && s.len() <= 96 => Ok(MetricId(s.to_string())),
            _ => Err(IdError::BadMetricId(s.to_string())),
        }
    }

    /// An id from this crate's catalogue, whose spelling a test checks.
    pub(crate) fn known(s: &'static str) -> Self {
        MetricId(s.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The source part (`git` of `git.docs_share_of_commits`).
    pub fn source(&self) -> &str {
        self.0.split_once('.').map_or(self.0.as_str(), |(s, _)| s)
    }
}

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for MetricId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MetricId::parse(s)
    }
}

impl Serialize for MetricId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MetricId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        MetricId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Which kind of artefact a scan read. New scanners add a variant; the
/// serialized name is the metric id prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Git,
    Github,
    Slack,
    Calendar,
}

impl SourceKind {
    pub const ALL: [SourceKind; 4] = [
        SourceKind::Git,
        SourceKind::Github,
        SourceKind::Slack,
        SourceKind::Calendar,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Git => "git",
            SourceKind::Github => "github",
            SourceKind::Slack => "slack",
            SourceKind::Calendar => "calendar",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a metric's value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fraction between 0 and 1 (shown as a percentage).
    Share,
    /// A whole number of things.
    Count,
    /// 0 (absent) or 1 (present).
    Presence,
    Days,
    Hours,
    /// A number of people (a median of people per thread, say).
    People,
    /// A small number per something (per person-week, say): two decimals.
    Rate,
}

impl Unit {
    /// The value written for a person: `42%`, `3`, `yes`, `12.5 days`.
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Share => format!("{:.0}%", (value * 100.0).round()),
            Unit::Count => format!("{value:.0}"),
            Unit::Presence => if value >= 0.5 { "yes" } else { "no" }.to_string(),
            Unit::Days => format!("{} days", trim_number(value)),
            Unit::Hours => format!("{} h", trim_number(value)),
            Unit::People => trim_number(value),
            Unit::Rate => format!("{value:.2}"),
        }
    }
}

/// One decimal at most, none when the value is whole.
pub(crate) fn trim_number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// A half-open time interval `[since, until)` that activity is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

impl Window {
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.since <= t && t < self.until
    }

    /// The last day inside the window (its end is exclusive).
    pub fn last_day(&self) -> time::Date {
        (self.until - time::Duration::seconds(1)).date()
    }

    /// `contains` for a Unix timestamp in seconds.
    pub fn contains_unix(&self, seconds: i64) -> bool {
        self.since.unix_timestamp() <= seconds && seconds < self.until.unix_timestamp()
    }
}

/// One measured figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub id: MetricId,
    /// `None` when nothing could be measured; [`Metric::no_data`] says why.
    pub value: Option<f64>,
    pub unit: Unit,
    /// How many things the value was computed over (commits, PRs, files…).
    pub sample: u64,
    /// What `sample` counts, e.g. `commits`.
    pub sample_of: String,
    /// The interval of activity this figure covers; `None` for a snapshot
    /// (what the repository holds now).
    pub window: Option<Window>,
    /// How the figure is computed, in one sentence.
    pub heuristic: String,
    /// How the heuristic can be fooled, plus anything about this particular
    /// run that weakens the figure (a shallow clone, one dominant author).
    pub confidence: Vec<String>,
    /// Why there is no value, when there is none.
    pub no_data: Option<String>,
}

impl Metric {
    pub fn has_value(&self) -> bool {
        self.value.is_some()
    }
}

/// Something a person should know about a scan as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub kind: NoteKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Facts about the input (what was read, what was found).
    Info,
    /// Something that makes figures less complete or less reliable.
    Warning,
}

impl Note {
    pub fn info(message: impl Into<String>) -> Self {
        Note {
            kind: NoteKind::Info,
            message: message.into(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Note {
            kind: NoteKind::Warning,
            message: message.into(),
        }
    }
}

/// The people behind a scan's activity: how many, and the most active few
/// as pseudonymous ids (names only when asked for, for a local run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct People {
    /// Distinct people after merging identities and leaving out bots.
    pub count: u64,
    /// The anonymity threshold in force: `top` is empty below it.
    pub k: u16,
    /// What an entry of `top` counts (commits, comments…).
    pub activity_of: String,
    /// The most active people, most active first.
    pub top: Vec<Person>,
}

/// One person in [`People::top`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Salted hash of the person's identity; stable for one salt.
    pub id: String,
    /// The person's name, only with `show_names` on a local run.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    pub activity: u64,
    pub share: f64,
}

/// A recurring meeting with many attendees and no agenda: a candidate to
/// replace with a written update. Only calendar scans find them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WritableMeeting {
    /// Salted hash of the meeting's identity; stable for one salt, so the
    /// same meeting keeps its id across a team's saved scans.
    pub id: String,
    /// The meeting's title, only with `show_names` on a local run (such a
    /// scan is never saved).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub title: Option<String>,
    pub attendees: u32,
    /// Attendees × hours, per week of the window, over the calendars read.
    pub person_hours_per_week: f64,
}

impl WritableMeeting {
    /// How the meeting is named in text: its title and id on a local run
    /// with names, otherwise only the id.
    pub fn label(&self) -> String {
        match &self.title {
            Some(title) => format!("{title} (meeting {})", self.id),
            None => format!("meeting {}", self.id),
        }
    }
}

/// Everything one scanner found in one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scan {
    pub source: SourceKind,
    /// What was read: a repository path, `owner/name`, an export file.
    pub subject: String,
    pub window: Window,
    #[serde(with = "time::serde::rfc3339")]
    pub scanned_at: OffsetDateTime,
    pub metrics: Vec<Metric>,
    pub notes: Vec<Note>,
    pub people: Option<People>,
    /// Meetings that could be written, most person-hours first (calendar
    /// scans; empty for other sources and in scans saved before they were
    /// kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writable_meetings: Vec<WritableMeeting>,
}

impl Scan {
    pub fn metric(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id.as_str() == id)
    }

    /// Whether at least one metric has a value: a scan where none has
    /// measured nothing and is reported as a failure.
    pub fn measured_anything(&self) -> bool {
        self.metrics.iter().any(Metric::has_value)
    }

    /// Whether the scan carries anyone's name or a meeting's title, which
    /// only a local run with names does and which is never saved.
    pub fn shows_names(&self) -> bool {
        self.people
            .as_ref()
            .is_some_and(|p| p.top.iter().any(|person| person.name.is_some()))
            || self.writable_meetings.iter().any(|m| m.title.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_ids_need_a_source_and_a_name() {
        let id = MetricId::parse("git.docs_share_of_commits").expect("valid");
        assert_eq!(id.source(), "git");
        for bad in ["git", "git.", ".x", "Git.x", "git.docs-share", "git.a.b", ""] {
            assert!(MetricId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn units_format_for_people() {
        assert_eq!(Unit::Share.format(0.125), "13%");
        assert_eq!(Unit::Presence.format(1.0), "yes");
        assert_eq!(Unit::Days.format(12.0), "12 days");
        assert_eq!(Unit::Hours.format(3.25), "3.3 h");
    }
}
