//! The scan file `asyncmm scan all --config scan.toml` reads: which sources
//! to measure for one team (repositories, GitHub, a Slack export,
//! calendars) and how, so a quarterly evidence run is one command that
//! anyone on the team can repeat.
//!
//! The file's `[scan]` table names the sources; an `[evidence]` table in
//! the same file (see [`crate::config`]) holds the team's places, bots and
//! keywords for all of them. Paths are relative to the file's folder. Every
//! value is checked here, before any source is read, and problems are
//! reported with `file:line:column` like the model and rule files. Parsing
//! does no I/O: the caller reads the file and resolves nothing but paths.

use std::ops::Range;
use std::path::{Path, PathBuf};

use asyncmm_model::{Problem, line_column};
use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use crate::calendar::ics;
use crate::hours::WorkingHours;
use crate::rules::RulesError;

/// Everything a scan file asks for, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanSources {
    /// The team the evidence is about, unless the command line names one.
    pub team: Option<String>,
    /// The window's start for every source, unless the command line gives
    /// one; `None` keeps each source's usual span.
    pub since: Option<String>,
    /// Whether the file has an `[evidence]` table: then its settings apply
    /// to every source, instead of a repository's own `.asyncmm.toml`.
    pub has_evidence_table: bool,
    pub sources: Vec<Source>,
}

/// One source to measure, with its own settings.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Git {
        path: PathBuf,
        docs: Vec<String>,
        decisions: Vec<String>,
    },
    Github {
        from: GithubFrom,
        decision_labels: Vec<String>,
    },
    Slack {
        export: PathBuf,
        working_hours: WorkingHours,
        max_unpacked_gib: u64,
    },
    Calendar {
        paths: Vec<PathBuf>,
        working_hours: WorkingHours,
        zone: Tz,
    },
}

/// Where GitHub issues and pull requests come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GithubFrom {
    /// A folder of exported JSON files.
    Files(PathBuf),
    /// One repository, live (`owner/name`).
    Repo(String),
    /// Every repository of an organisation, live.
    Org(String),
}

impl Source {
    /// A short label for progress and messages: the kind and what is read.
    pub fn label(&self) -> String {
        match self {
            Source::Git { path, .. } => format!("git {}", path.display()),
            Source::Github { from, .. } => match from {
                GithubFrom::Files(dir) => format!("github {}", dir.display()),
                GithubFrom::Repo(repo) => format!("github {repo}"),
                GithubFrom::Org(org) => format!("github org {org}"),
            },
            Source::Slack { export, .. } => format!("slack {}", export.display()),
            Source::Calendar { paths, .. } => match paths.as_slice() {
                [one] => format!("calendar {}", one.display()),
                many => format!("calendar ({} paths)", many.len()),
            },
        }
    }
}

/// The zip-bomb guard of a Slack source when the file gives none, as on
/// the command line.
pub const DEFAULT_MAX_UNPACKED_GIB: u64 = 64;

#[derive(Deserialize)]
struct RawFile {
    scan: Option<Spanned<RawScan>>,
    evidence: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    team: Option<Spanned<String>>,
    since: Option<Spanned<String>>,
    #[serde(default)]
    git: Vec<RawGit>,
    #[serde(default)]
    github: Vec<Spanned<RawGithub>>,
    #[serde(default)]
    slack: Vec<RawSlack>,
    #[serde(default)]
    calendar: Vec<Spanned<RawCalendar>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGit {
    path: Spanned<String>,
    #[serde(default)]
    docs: Vec<String>,
    #[serde(default)]
    decisions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGithub {
    from: Option<Spanned<String>>,
    repo: Option<Spanned<String>>,
    org: Option<Spanned<String>>,
    #[serde(default)]
    decision_labels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlack {
    export: Spanned<String>,
    working_hours: Option<Spanned<String>>,
    max_unpacked_gib: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    paths: Spanned<Vec<Spanned<String>>>,
    working_hours: Option<Spanned<String>>,
    zone: Option<Spanned<String>>,
}

struct Problems<'a> {
    source: &'a str,
    origin: &'a str,
    found: Vec<Problem>,
}

impl Problems<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = line_column(self.source, span.start);
        self.found.push(Problem {
            origin: self.origin.to_string(),
            line,
            column,
            message: message.into(),
        });
    }

    /// A path as written, joined to the scan file's folder when relative.
    fn path(&mut self, value: &Spanned<String>, base: &Path, what: &str) -> PathBuf {
        let text = value.get_ref().trim();
        if text.is_empty() {
            self.at(value.span(), format!("{what} is empty"));
        }
        let path = Path::new(text);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            base.join(path)
        }
    }

    fn hours(&mut self, value: Option<&Spanned<String>>) -> WorkingHours {
        let Some(value) = value else {
            return WorkingHours::DEFAULT;
        };
        WorkingHours::parse(value.get_ref()).unwrap_or_else(|e| {
            self.at(value.span(), e.to_string());
            WorkingHours::DEFAULT
        })
    }
}

/// Reads a scan file's `[scan]` table; `base` is the folder relative paths
/// start from (the file's own folder).
pub fn parse_sources(source: &str, origin: &str, base: &Path) -> Result<ScanSources, RulesError> {
    let mut problems = Problems {
        source,
        origin,
        found: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            problems.at(e.span().unwrap_or(0..0), e.message().trim().to_string());
            return Err(RulesError {
                problems: problems.found,
            });
        }
    };
    let Some(scan) = raw.scan else {
        problems.at(
            0..0,
            "no [scan] table: name the sources to read, e.g. [[scan.git]] path = \".\" (see docs/evidence.md)",
        );
        return Err(RulesError {
            problems: problems.found,
        });
    };
    let scan_span = scan.span();
    let scan = scan.into_inner();
    let mut sources = Vec::new();
    for git in &scan.git {
        sources.push(Source::Git {
            path: problems.path(&git.path, base, "path"),
            docs: git.docs.clone(),
            decisions: git.decisions.clone(),
        });
    }
    for github in &scan.github {
        let span = github.span();
        let github = github.get_ref();
        let given: Vec<&str> = [("from", &github.from), ("repo", &github.repo), ("org", &github.org)]
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(name, _)| *name)
            .collect();
        let from = match (&github.from, &github.repo, &github.org) {
            (Some(dir), None, None) => Some(GithubFrom::Files(problems.path(dir, base, "from"))),
            (None, Some(repo), None) => {
                let text = repo.get_ref().trim();
                match text.split_once('/') {
                    Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {
                        Some(GithubFrom::Repo(text.to_string()))
                    }
                    _ => {
                        problems.at(repo.span(), format!("repo {text:?} must look like owner/name"));
                        None
                    }
                }
            }
            (None, None, Some(org)) => {
                let text = org.get_ref().trim();
                if text.is_empty() {
                    problems.at(org.span(), "org is empty");
                }
                Some(GithubFrom::Org(text.to_string()))
            }
            _ => {
                let found = if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(" and ")
                };
                problems.at(
                    span,
                    format!("a [[scan.github]] source needs exactly one of from, repo or org (found {found})"),
                );
                None
            }
        };
        if let Some(from) = from {
            sources.push(Source::Github {
                from,
                decision_labels: github.decision_labels.clone(),
            });
        }
    }
    for slack in &scan.slack {
        let export = problems.path(&slack.export, base, "export");
        let working_hours = problems.hours(slack.working_hours.as_ref());
        let max_unpacked_gib = match &slack.max_unpacked_gib {
            None => DEFAULT_MAX_UNPACKED_GIB,
            Some(value) => match u64::try_from(*value.get_ref()) {
                Ok(n) if (1..=1024).contains(&n) => n,
                _ => {
                    problems.at(
                        value.span(),
                        format!("max_unpacked_gib must be between 1 and 1024, got {}", value.get_ref()),
                    );
                    DEFAULT_MAX_UNPACKED_GIB
                }
            },
        };
        sources.push(Source::Slack {
            export,
            working_hours,
            max_unpacked_gib,
        });
    }
    for calendar in &scan.calendar {
        let span = calendar.span();
        let calendar = calendar.get_ref();
        if calendar.paths.get_ref().is_empty() {
            problems.at(span.clone(), "paths is empty: name .ics files or folders");
        }
        let paths = calendar
            .paths
            .get_ref()
            .iter()
            .map(|p| problems.path(p, base, "a path"))
            .collect();
        let working_hours = problems.hours(calendar.working_hours.as_ref());
        let zone = match &calendar.zone {
            None => Tz::UTC,
            Some(value) => ics::zone(value.get_ref()).unwrap_or_else(|| {
                problems.at(
                    value.span(),
                    format!(
                        "zone {:?} is not a time zone name such as Europe/Berlin",
                        value.get_ref()
                    ),
                );
                Tz::UTC
            }),
        };
        sources.push(Source::Calendar {
            paths,
            working_hours,
            zone,
        });
    }
    if sources.is_empty() && problems.found.is_empty() {
        problems.at(
            scan_span,
            "the [scan] table names no source: add [[scan.git]], [[scan.github]], [[scan.slack]] or [[scan.calendar]]",
        );
    }
    let team = scan.team.as_ref().map(|t| {
        let text = t.get_ref().trim();
        if text.is_empty() {
            problems.at(t.span(), "team is empty");
        }
        text.to_string()
    });
    let since = scan.since.as_ref().map(|s| s.get_ref().trim().to_string());
    if !problems.found.is_empty() {
        return Err(RulesError {
            problems: problems.found,
        });
    }
    Ok(ScanSources {
        team,
        since,
        has_evidence_table: raw.evidence.is_some(),
        sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ScanSources, RulesError> {
        parse_sources(text, "scan.toml", Path::new("/teams/platform"))
    }

    #[test]
    fn reads_every_kind_of_source_with_paths_from_the_files_folder() {
        let sources = parse(
            r#"
[scan]
team = "Platform"
since = "120d"

[[scan.git]]
path = "../api"
docs = ["manual/**"]

[[scan.git]]
path = "/srv/web"

[[scan.github]]
repo = "acme/api"
decision_labels = ["proposal"]

[[scan.slack]]
export = "slack.zip"
working_hours = "08:00-16:00"

[[scan.calendar]]
paths = ["calendars", "lead.ics"]
zone = "W. Europe Standard Time"

[evidence]
bots = ["ci-runner"]
"#,
        )
        .expect("valid scan file");
        assert_eq!(sources.team.as_deref(), Some("Platform"));
        assert_eq!(sources.since.as_deref(), Some("120d"));
        assert!(sources.has_evidence_table);
        assert_eq!(sources.sources.len(), 5);
        assert_eq!(
            sources.sources[0],
            Source::Git {
                path: PathBuf::from("/teams/platform/../api"),
                docs: vec!["manual/**".into()],
                decisions: vec![],
            }
        );
        assert_eq!(sources.sources[1].label(), "git /srv/web");
        assert_eq!(
            sources.sources[2],
            Source::Github {
                from: GithubFrom::Repo("acme/api".into()),
                decision_labels: vec!["proposal".into()],
            }
        );
        match &sources.sources[3] {
            Source::Slack {
                export,
                working_hours,
                max_unpacked_gib,
            } => {
                assert_eq!(export, &PathBuf::from("/teams/platform/slack.zip"));
                assert_eq!(Some(*working_hours), WorkingHours::parse("08:00-16:00").ok());
                assert_eq!(*max_unpacked_gib, DEFAULT_MAX_UNPACKED_GIB);
            }
            other => panic!("expected slack, got {other:?}"),
        }
        match &sources.sources[4] {
            Source::Calendar { paths, zone, .. } => {
                assert_eq!(paths.len(), 2);
                assert_eq!(paths[1], PathBuf::from("/teams/platform/lead.ics"));
                assert_eq!(*zone, chrono_tz::Europe::Berlin);
            }
            other => panic!("expected calendar, got {other:?}"),
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let err = parse(
            r#"[scan]
[[scan.github]]
from = "exports"
repo = "acme/api"

[[scan.slack]]
export = "s.zip"
working_hours = "17:00-09:00"

[[scan.calendar]]
paths = ["c"]
zone = "Mars/Olympus"
"#,
        )
        .expect_err("three problems");
        let text = err.to_string();
        assert_eq!(err.problems.len(), 3, "{text}");
        assert!(
            text.contains("scan.toml:2:1") && text.contains("exactly one of from, repo or org (found from and repo)"),
            "{text}"
        );
        assert!(
            text.contains("scan.toml:8:17") && text.contains("09:00-17:00"),
            "{text}"
        );
        assert!(
            text.contains("scan.toml:12:8") && text.contains("Mars/Olympus"),
            "{text}"
        );
    }

    #[test]
    fn unknown_keys_a_missing_table_and_no_sources_are_refused() {
        let typo = parse("[scan]\n[[scan.git]]\npaht = \".\"\n").expect_err("unknown key");
        assert!(typo.to_string().contains("scan.toml:3:1"), "{typo}");
        let none = parse("[evidence]\nbots = []\n").expect_err("no [scan]");
        assert!(none.to_string().contains("no [scan] table"), "{none}");
        let empty = parse("[scan]\nteam = \"A\"\n").expect_err("no sources");
        assert!(empty.to_string().contains("names no source"), "{empty}");
        let repo = parse("[scan]\n[[scan.github]]\nrepo = \"just-a-name\"\n").expect_err("bad repo");
        assert!(
            repo.to_string().contains("scan.toml:3:8") && repo.to_string().contains("owner/name"),
            "{repo}"
        );
    }
}
