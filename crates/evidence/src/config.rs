//! Where a team keeps things, and who its bots are: the `[evidence]` table of
//! a repository's `.asyncmm.toml`, merged with built-in defaults and with
//! what the command line adds.
//!
//! Teams differ: one keeps decisions in `handbook/decisions/`, another
//! tracks work under `OPS-123` keys. The defaults cover the usual places;
//! the file names the team's own, so a team isn't scored as having none.
//! Problems in the file are reported with `file:line:column`.

use std::ops::Range;

use asyncmm_model::{Problem, line_column};
use serde::Deserialize;
use toml::Spanned;

use crate::refs::{DEFAULT_IGNORED_KEYS, RefOptions};
use crate::rules::RulesError;

/// The name of the per-repository settings file.
pub const CONFIG_FILE: &str = ".asyncmm.toml";

/// Documentation: folders and file types that hold prose.
pub const DEFAULT_DOCS: &[&str] = &[
    "README*",
    "**/README*",
    "CONTRIBUTING*",
    "**/CONTRIBUTING*",
    "docs/**",
    "doc/**",
    "documentation/**",
    "handbook/**",
    "wiki/**",
    "**/*.md",
    "**/*.mdx",
    "**/*.markdown",
    "**/*.rst",
    "**/*.adoc",
];

/// Decision records: the folder names used by ADR tools and RFC processes.
pub const DEFAULT_DECISIONS: &[&str] = &[
    "**/adr/**",
    "**/adrs/**",
    "**/decisions/**",
    "**/decision-records/**",
    "**/architecture-decisions/**",
    "**/architecture/decisions/**",
    "**/rfcs/**",
];

pub const DEFAULT_ISSUE_TEMPLATES: &[&str] = &[
    ".github/ISSUE_TEMPLATE/**",
    ".github/ISSUE_TEMPLATE*",
    "ISSUE_TEMPLATE*",
    "docs/ISSUE_TEMPLATE*",
    ".gitlab/issue_templates/**",
];

pub const DEFAULT_PR_TEMPLATES: &[&str] = &[
    ".github/PULL_REQUEST_TEMPLATE/**",
    ".github/PULL_REQUEST_TEMPLATE*",
    "PULL_REQUEST_TEMPLATE*",
    "docs/PULL_REQUEST_TEMPLATE*",
    ".gitlab/merge_request_templates/**",
];

/// Substrings of a name, e-mail address or login that mark a bot.
pub const DEFAULT_BOTS: &[&str] = &[
    "[bot]",
    "dependabot",
    "renovate",
    "github-actions",
    "noreply@github.com",
];

/// Parts of a URL that mark a durable place: issue trackers, docs, wikis,
/// recorded meetings. A chat message linking one points the conversation to
/// where the work is written down.
pub const DEFAULT_DURABLE_LINKS: &[&str] = &[
    "/issues/",
    "/pull/",
    "/merge_requests/",
    "/browse/",
    "/wiki",
    "atlassian.net",
    "linear.app/",
    "notion.so/",
    "notion.site/",
    "docs.google.com/",
    "coda.io/",
    "sharepoint.com/",
    "dropbox.com/paper",
    "quip.com/",
    "confluence",
    "loom.com/share",
    "zoom.us/rec",
    "/recording",
];

/// Words in a channel name that mark a place for written status updates.
pub const DEFAULT_STATUS_CHANNELS: &[&str] = &[
    "standup", "stand-up", "status", "updates", "check-in", "checkin", "daily",
];

/// Words in a meeting title that mark a status, stand-up or sync meeting.
pub const DEFAULT_STATUS_MEETINGS: &[&str] = &[
    "standup", "stand-up", "stand up", "daily", "status", "sync", "check-in", "checkin", "scrum", "weekly", "update",
];

pub const DEFAULT_DECISION_LABELS: &[&str] = &["decision", "rfc", "adr"];

/// How many characters of the author's own words make a pull request
/// description (after template comments, headings and checklists go).
pub const DEFAULT_MIN_DESCRIPTION_CHARS: usize = 40;

/// The settings every scanner reads, defaults included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceConfig {
    pub docs: Vec<String>,
    pub decisions: Vec<String>,
    pub issue_templates: Vec<String>,
    pub pr_templates: Vec<String>,
    pub bots: Vec<String>,
    pub references: RefOptions,
    pub decision_labels: Vec<String>,
    pub min_description_chars: usize,
    pub durable_links: Vec<String>,
    pub status_channels: Vec<String>,
    pub status_meetings: Vec<String>,
    /// Attendees from which a meeting counts as large.
    pub large_meeting_attendees: usize,
    /// Attendees from which a recurring meeting without an agenda is listed
    /// as one that could be a written update.
    pub writable_min_attendees: usize,
    /// The shortest free block, in minutes, that makes a day a focus day.
    pub focus_block_minutes: u32,
}

/// Defaults of the calendar settings.
pub const DEFAULT_LARGE_MEETING_ATTENDEES: usize = 8;
pub const DEFAULT_WRITABLE_MIN_ATTENDEES: usize = 5;
pub const DEFAULT_FOCUS_BLOCK_MINUTES: u32 = 120;

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        EvidenceConfig {
            docs: owned(DEFAULT_DOCS),
            decisions: owned(DEFAULT_DECISIONS),
            issue_templates: owned(DEFAULT_ISSUE_TEMPLATES),
            pr_templates: owned(DEFAULT_PR_TEMPLATES),
            bots: owned(DEFAULT_BOTS),
            references: RefOptions {
                tracker_keys: Vec::new(),
                ignored_keys: owned(DEFAULT_IGNORED_KEYS),
            },
            decision_labels: owned(DEFAULT_DECISION_LABELS),
            min_description_chars: DEFAULT_MIN_DESCRIPTION_CHARS,
            durable_links: owned(DEFAULT_DURABLE_LINKS),
            status_channels: owned(DEFAULT_STATUS_CHANNELS),
            status_meetings: owned(DEFAULT_STATUS_MEETINGS),
            large_meeting_attendees: DEFAULT_LARGE_MEETING_ATTENDEES,
            writable_min_attendees: DEFAULT_WRITABLE_MIN_ATTENDEES,
            focus_block_minutes: DEFAULT_FOCUS_BLOCK_MINUTES,
        }
    }
}

impl EvidenceConfig {
    /// Whether a name, e-mail address or login belongs to a bot.
    pub fn is_bot(&self, who: &str) -> bool {
        let who = who.to_lowercase();
        self.bots.iter().any(|p| who.contains(&p.to_lowercase()))
    }
}

#[derive(Deserialize)]
struct RawFile {
    evidence: Option<RawEvidence>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    /// `false` drops the built-in lists: only the file's own entries count.
    #[serde(default)]
    defaults: Option<bool>,
    #[serde(default)]
    docs: Vec<Spanned<String>>,
    #[serde(default)]
    decisions: Vec<Spanned<String>>,
    #[serde(default)]
    issue_templates: Vec<Spanned<String>>,
    #[serde(default)]
    pr_templates: Vec<Spanned<String>>,
    #[serde(default)]
    bots: Vec<Spanned<String>>,
    #[serde(default)]
    tracker_keys: Vec<Spanned<String>>,
    #[serde(default)]
    ignored_keys: Vec<Spanned<String>>,
    #[serde(default)]
    decision_labels: Vec<Spanned<String>>,
    min_description_chars: Option<Spanned<i64>>,
    #[serde(default)]
    durable_links: Vec<Spanned<String>>,
    #[serde(default)]
    status_channels: Vec<Spanned<String>>,
    #[serde(default)]
    status_meetings: Vec<Spanned<String>>,
    large_meeting_attendees: Option<Spanned<i64>>,
    writable_min_attendees: Option<Spanned<i64>>,
    focus_block_minutes: Option<Spanned<i64>>,
}

fn problem(source: &str, origin: &str, span: Range<usize>, message: impl Into<String>) -> Problem {
    let (line, column) = line_column(source, span.start);
    Problem {
        origin: origin.to_string(),
        line,
        column,
        message: message.into(),
    }
}

/// Reads the `[evidence]` table of a settings file (other tables belong to
/// other parts of asyncmm and are left alone) on top of the defaults.
pub fn parse_config(source: &str, origin: &str) -> Result<EvidenceConfig, RulesError> {
    let raw: RawFile = toml::from_str(source).map_err(|e| RulesError {
        problems: vec![problem(
            source,
            origin,
            e.span().unwrap_or(0..0),
            e.message().trim().to_string(),
        )],
    })?;
    let raw = raw.evidence.unwrap_or_default();
    let mut problems = Vec::new();
    let keep = raw.defaults.unwrap_or(true);
    let mut config = if keep {
        EvidenceConfig::default()
    } else {
        EvidenceConfig {
            docs: Vec::new(),
            decisions: Vec::new(),
            issue_templates: Vec::new(),
            pr_templates: Vec::new(),
            bots: Vec::new(),
            references: RefOptions {
                tracker_keys: Vec::new(),
                ignored_keys: Vec::new(),
            },
            decision_labels: Vec::new(),
            min_description_chars: DEFAULT_MIN_DESCRIPTION_CHARS,
            durable_links: Vec::new(),
            status_channels: Vec::new(),
            status_meetings: Vec::new(),
            large_meeting_attendees: DEFAULT_LARGE_MEETING_ATTENDEES,
            writable_min_attendees: DEFAULT_WRITABLE_MIN_ATTENDEES,
            focus_block_minutes: DEFAULT_FOCUS_BLOCK_MINUTES,
        }
    };
    let mut add = |target: &mut Vec<String>, values: &[Spanned<String>], what: &str| {
        for value in values {
            let text = value.get_ref().trim();
            if text.is_empty() {
                problems.push(problem(source, origin, value.span(), format!("empty entry in {what}")));
            } else if !target.iter().any(|t| t == text) {
                target.push(text.to_string());
            }
        }
    };
    add(&mut config.docs, &raw.docs, "docs");
    add(&mut config.decisions, &raw.decisions, "decisions");
    add(&mut config.issue_templates, &raw.issue_templates, "issue_templates");
    add(&mut config.pr_templates, &raw.pr_templates, "pr_templates");
    add(&mut config.bots, &raw.bots, "bots");
    add(&mut config.references.tracker_keys, &raw.tracker_keys, "tracker_keys");
    add(&mut config.references.ignored_keys, &raw.ignored_keys, "ignored_keys");
    add(&mut config.decision_labels, &raw.decision_labels, "decision_labels");
    add(&mut config.durable_links, &raw.durable_links, "durable_links");
    add(&mut config.status_channels, &raw.status_channels, "status_channels");
    add(&mut config.status_meetings, &raw.status_meetings, "status_meetings");
    if let Some(chars) = &raw.min_description_chars {
        match usize::try_from(*chars.get_ref()) {
            Ok(n) if n <= 10_000 => config.min_description_chars = n,
            _ => problems.push(problem(
                source,
                origin,
                chars.span(),
                format!(
                    "min_description_chars must be between 0 and 10000, got {}",
                    chars.get_ref()
                ),
            )),
        }
    }
    let mut number = |value: &Option<Spanned<i64>>, name: &str, max: i64| -> Option<usize> {
        let v = value.as_ref()?;
        match usize::try_from(*v.get_ref()) {
            Ok(n) if n >= 1 && *v.get_ref() <= max => Some(n),
            _ => {
                problems.push(problem(
                    source,
                    origin,
                    v.span(),
                    format!("{name} must be between 1 and {max}, got {}", v.get_ref()),
                ));
                None
            }
        }
    };
    if let Some(n) = number(&raw.large_meeting_attendees, "large_meeting_attendees", 10_000) {
        config.large_meeting_attendees = n;
    }
    if let Some(n) = number(&raw.writable_min_attendees, "writable_min_attendees", 10_000) {
        config.writable_min_attendees = n;
    }
    if let Some(n) = number(&raw.focus_block_minutes, "focus_block_minutes", 24 * 60) {
        config.focus_block_minutes = u32::try_from(n).unwrap_or(120);
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(RulesError { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_extends_the_defaults() {
        let config = parse_config(
            "[other]\nx = 1\n[evidence]\ndecisions = [\"handbook/choices/**\"]\nbots = [\"ci-runner\"]\n",
            ".asyncmm.toml",
        )
        .expect("valid");
        assert!(config.decisions.contains(&"handbook/choices/**".to_string()));
        assert!(config.decisions.contains(&"**/adr/**".to_string()));
        assert!(config.is_bot("CI-Runner <ci@example.org>"));
        assert!(config.is_bot("dependabot[bot]"));
        assert!(!config.is_bot("Ada Lovelace"));
    }

    #[test]
    fn defaults_can_be_dropped() {
        let config = parse_config("[evidence]\ndefaults = false\ndocs = [\"manual/**\"]\n", "f").expect("valid");
        assert_eq!(config.docs, vec!["manual/**".to_string()]);
        assert!(config.bots.is_empty());
    }

    #[test]
    fn problems_have_positions() {
        let e = parse_config(
            "[evidence]\ndocs = [\"\"]\nmin_description_chars = -3\n",
            "team/.asyncmm.toml",
        )
        .expect_err("bad");
        let text = e.to_string();
        assert!(text.contains("team/.asyncmm.toml:2:9: empty entry in docs"), "{text}");
        assert!(
            text.contains("team/.asyncmm.toml:3:25: min_description_chars"),
            "{text}"
        );
        let e = parse_config("[evidence]\ndoc = []\n", "f").expect_err("unknown key");
        assert!(e.to_string().starts_with("f:2:1: unknown field `doc`"), "{e}");
    }
}
