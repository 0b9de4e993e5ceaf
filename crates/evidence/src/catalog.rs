//! The catalogue of every metric the scanners of this crate produce: its
//! unit, what its sample counts, the heuristic behind it and the ways that
//! heuristic can be fooled.
//!
//! One list serves two purposes: scanners build their [`Metric`]s from it
//! (so a figure always carries the same explanation), and rule files are
//! checked against it (so a misspelt metric in a rule is an error, not a rule
//! that silently never has data). A new scanner adds its entries here.

use crate::metric::{Metric, MetricId, Unit, Window};

/// The fixed description of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricSpec {
    pub id: &'static str,
    pub unit: Unit,
    /// What the sample counts.
    pub sample_of: &'static str,
    /// Whether the figure covers the scan's time window (else: a snapshot).
    pub windowed: bool,
    pub heuristic: &'static str,
    /// How the heuristic can be fooled; empty when it measures a plain fact.
    pub caveat: &'static str,
}

impl MetricSpec {
    /// A metric with a value.
    pub fn measured(&self, value: f64, sample: u64, window: Window) -> Metric {
        let mut metric = self.empty(window);
        metric.value = Some(value);
        metric.sample = sample;
        metric
    }

    /// A metric without a value, saying why.
    pub fn no_data(&self, reason: impl Into<String>, sample: u64, window: Window) -> Metric {
        let mut metric = self.empty(window);
        metric.no_data = Some(reason.into());
        metric.sample = sample;
        metric
    }

    fn empty(&self, window: Window) -> Metric {
        Metric {
            // The catalogue's ids are checked by a test.
            id: MetricId::known(self.id),
            value: None,
            unit: self.unit,
            sample: 0,
            sample_of: self.sample_of.to_string(),
            window: self.windowed.then_some(window),
            heuristic: self.heuristic.to_string(),
            confidence: if self.caveat.is_empty() {
                Vec::new()
            } else {
                vec![self.caveat.to_string()]
            },
            no_data: None,
        }
    }
}

/// The spec of a known metric.
pub fn spec(id: &str) -> Option<&'static MetricSpec> {
    CATALOG.iter().find(|m| m.id == id)
}

/// Every metric this crate's scanners produce.
pub fn all() -> &'static [MetricSpec] {
    CATALOG
}

const BOTS: &str = "bots are recognised by name patterns; a bot with a person-like name is counted as a person";

static CATALOG: &[MetricSpec] = &[
    // --- git: activity
    MetricSpec {
        id: "git.commits",
        unit: Unit::Count,
        sample_of: "commits",
        windowed: true,
        heuristic: "non-merge commits reachable from HEAD whose committer date is in the window, bots left out",
        caveat: BOTS,
    },
    MetricSpec {
        id: "git.merge_commits",
        unit: Unit::Count,
        sample_of: "commits",
        windowed: true,
        heuristic: "merge commits in the window; they are left out of every share of commits, because their changes are already counted in the commits they merge",
        caveat: "",
    },
    MetricSpec {
        id: "git.contributors",
        unit: Unit::Count,
        sample_of: "commits",
        windowed: true,
        heuristic: "distinct authors of the window's commits after .mailmap merges their identities, bots left out",
        caveat: "one person committing under two identities that .mailmap doesn't join counts twice",
    },
    MetricSpec {
        id: "git.top_contributor_share",
        unit: Unit::Share,
        sample_of: "commits",
        windowed: true,
        heuristic: "share of the window's commits made by the most active author",
        caveat: "a figure about people: shown only when at least k people committed",
    },
    // --- git: documentation
    MetricSpec {
        id: "git.readme_present",
        unit: Unit::Presence,
        sample_of: "files",
        windowed: false,
        heuristic: "a README file at the top of the tree at HEAD",
        caveat: "presence says nothing about quality: an empty README counts",
    },
    MetricSpec {
        id: "git.contributing_present",
        unit: Unit::Presence,
        sample_of: "files",
        windowed: false,
        heuristic: "a CONTRIBUTING file at the top, in .github/ or in docs/ at HEAD",
        caveat: "presence says nothing about quality",
    },
    MetricSpec {
        id: "git.docs_folder_present",
        unit: Unit::Presence,
        sample_of: "files",
        windowed: false,
        heuristic: "at HEAD, documentation beyond README, CONTRIBUTING and boilerplate such as a changelog, licence or code of conduct (docs globs)",
        caveat: "",
    },
    MetricSpec {
        id: "git.docs_basics",
        unit: Unit::Count,
        sample_of: "files",
        windowed: false,
        heuristic: "how many of README, CONTRIBUTING and further documentation exist at HEAD (0-3)",
        caveat: "presence says nothing about quality",
    },
    MetricSpec {
        id: "git.docs_files",
        unit: Unit::Count,
        sample_of: "files",
        windowed: false,
        heuristic: "documentation files at HEAD (docs globs; decision records and templates not counted)",
        caveat: "",
    },
    MetricSpec {
        id: "git.docs_share_of_commits",
        unit: Unit::Share,
        sample_of: "commits",
        windowed: true,
        heuristic: "share of the window's non-merge commits by people that change at least one documentation file (docs globs)",
        caveat: "a typo fix counts like a new guide; one prolific author can move the share alone",
    },
    MetricSpec {
        id: "git.docs_freshness_lag_days",
        unit: Unit::Days,
        sample_of: "documents",
        windowed: false,
        heuristic: "median over documentation files at HEAD of how many days the code beside them (same folder and below; the whole repository for a docs folder or the top level) last changed after they did",
        caveat: "code changes that need no doc change (refactors, dependency bumps) also make docs look stale",
    },
    MetricSpec {
        id: "git.codeowners_present",
        unit: Unit::Presence,
        sample_of: "files",
        windowed: false,
        heuristic: "a CODEOWNERS file at the top, in .github/, docs/ or .gitlab/",
        caveat: "",
    },
    MetricSpec {
        id: "git.docs_owned_share",
        unit: Unit::Share,
        sample_of: "documents",
        windowed: false,
        heuristic: "share of documentation files at HEAD that CODEOWNERS assigns an owner to (last matching line wins, as on code hosts)",
        caveat: "an owner on paper is not a review process",
    },
    // --- git: decisions
    MetricSpec {
        id: "git.decision_records",
        unit: Unit::Count,
        sample_of: "files",
        windowed: false,
        heuristic: "decision records at HEAD: Markdown files in decision folders (decision globs) or with ADR front matter or an ADR title, index and template files left out",
        caveat: "decisions recorded elsewhere (issues, a wiki) are not seen here",
    },
    MetricSpec {
        id: "git.decision_records_added",
        unit: Unit::Count,
        sample_of: "files",
        windowed: true,
        heuristic: "decision records at HEAD that were added in the window",
        caveat: "",
    },
    MetricSpec {
        id: "git.decision_record_age_days",
        unit: Unit::Days,
        sample_of: "files",
        windowed: false,
        heuristic: "days from the last change to any decision record until the end of the window",
        caveat: "a typo fix in an old record makes the practice look recent",
    },
    MetricSpec {
        id: "git.decision_records_with_status_share",
        unit: Unit::Share,
        sample_of: "files",
        windowed: false,
        heuristic: "share of decision records that state a status (a `status:` field or a Status heading)",
        caveat: "",
    },
    MetricSpec {
        id: "git.commits_linking_decision_or_issue",
        unit: Unit::Share,
        sample_of: "commits",
        windowed: true,
        heuristic: "share of the window's non-merge commits by people whose message references an issue or ticket, or a decision record (ADR-12, adr/…, decisions/…)",
        caveat: "the (#123) that squash merges append names the pull request and is not counted; a reference can be copied without reading it",
    },
    // --- git: work tracking
    MetricSpec {
        id: "git.commits_referencing_issue",
        unit: Unit::Share,
        sample_of: "commits",
        windowed: true,
        heuristic: "share of the window's non-merge commits by people whose message references an issue or ticket: #123, owner/repo#123, tracker keys like ABC-123, issue URLs",
        caveat: "the (#123) that squash merges append names the pull request and is not counted; numbers like #1 in prose count",
    },
    MetricSpec {
        id: "git.issue_template_present",
        unit: Unit::Presence,
        sample_of: "files",
        windowed: false,
        heuristic: "an issue template at HEAD (templates globs)",
        caveat: "",
    },
    MetricSpec {
        id: "git.pr_template_present",
        unit: Unit::Presence,
        sample_of: "files",
        windowed: false,
        heuristic: "a pull/merge request template at HEAD (templates globs)",
        caveat: "",
    },
    MetricSpec {
        id: "git.tracking_templates",
        unit: Unit::Count,
        sample_of: "files",
        windowed: false,
        heuristic: "how many of an issue template and a pull request template exist at HEAD (0-2)",
        caveat: "",
    },
    // --- GitHub
    MetricSpec {
        id: "github.issues",
        unit: Unit::Count,
        sample_of: "issues",
        windowed: true,
        heuristic: "issues (not pull requests) opened in the window by people",
        caveat: BOTS,
    },
    MetricSpec {
        id: "github.pull_requests",
        unit: Unit::Count,
        sample_of: "pull requests",
        windowed: true,
        heuristic: "pull requests opened in the window by people",
        caveat: BOTS,
    },
    MetricSpec {
        id: "github.merged_pull_requests",
        unit: Unit::Count,
        sample_of: "pull requests",
        windowed: true,
        heuristic: "pull requests by people merged in the window",
        caveat: BOTS,
    },
    MetricSpec {
        id: "github.merged_prs_linked_share",
        unit: Unit::Share,
        sample_of: "pull requests",
        windowed: true,
        heuristic: "share of pull requests merged in the window whose title or description references an issue (closing keyword, #123 that is not a pull request, owner/repo#123, tracker key, issue URL)",
        caveat: "a #123 whose number is not in the data is assumed to be an issue",
    },
    MetricSpec {
        id: "github.prs_with_description_share",
        unit: Unit::Share,
        sample_of: "pull requests",
        windowed: true,
        heuristic: "share of pull requests opened in the window whose description has some of the author's own words once template comments, headings and checklists are removed",
        caveat: "length is not quality: a pasted log counts as a description",
    },
    MetricSpec {
        id: "github.issue_first_response_hours",
        unit: Unit::Hours,
        sample_of: "issues",
        windowed: true,
        heuristic: "median hours from opening an issue in the window to the first comment by someone else, over the issues that got one",
        caveat: "a figure about people: shown only when at least k people responded; issues never answered are not in the median (see github.issues_without_response_share)",
    },
    MetricSpec {
        id: "github.issues_without_response_share",
        unit: Unit::Share,
        sample_of: "issues",
        windowed: true,
        heuristic: "share of issues opened in the window that nobody but their author has commented on",
        caveat: "an issue closed as a duplicate without a word counts as unanswered",
    },
    MetricSpec {
        id: "github.pr_first_review_hours",
        unit: Unit::Hours,
        sample_of: "pull requests",
        windowed: true,
        heuristic: "median hours from opening a pull request in the window to its first review by someone else, over the pull requests that got one",
        caveat: "a figure about people: shown only when at least k people reviewed",
    },
    MetricSpec {
        id: "github.decision_issues",
        unit: Unit::Count,
        sample_of: "issues",
        windowed: true,
        heuristic: "issues and pull requests opened in the window carrying a decision label (decision, rfc, adr by default)",
        caveat: "teams that don't label decisions have none here",
    },
    MetricSpec {
        id: "github.decision_issues_linked_share",
        unit: Unit::Share,
        sample_of: "issues",
        windowed: true,
        heuristic: "share of decision-labelled issues that are linked to work: they reference another issue or pull request, or one references them",
        caveat: "",
    },
    MetricSpec {
        id: "github.thread_participants_median",
        unit: Unit::People,
        sample_of: "threads",
        windowed: true,
        heuristic: "median number of distinct people (author, commenters, reviewers) in the window's issues and pull requests that have any discussion",
        caveat: "a figure about people: shown only when at least k people took part",
    },
    MetricSpec {
        id: "github.participants",
        unit: Unit::Count,
        sample_of: "people",
        windowed: true,
        heuristic: "distinct people who opened, commented on or reviewed the window's issues and pull requests, bots left out",
        caveat: BOTS,
    },
    // --- Slack
    MetricSpec {
        id: "slack.messages",
        unit: Unit::Count,
        sample_of: "messages",
        windowed: true,
        heuristic: "messages by people in the window, bots, integrations and system messages (joins, topic changes) left out",
        caveat: BOTS,
    },
    MetricSpec {
        id: "slack.public_channel_share",
        unit: Unit::Share,
        sample_of: "messages",
        windowed: true,
        heuristic: "share of the window's messages posted in public channels (channels.json, and folders no list names)",
        caveat: "",
    },
    MetricSpec {
        id: "slack.private_channel_share",
        unit: Unit::Share,
        sample_of: "messages",
        windowed: true,
        heuristic: "share of the window's messages posted in private channels (groups.json)",
        caveat: "",
    },
    MetricSpec {
        id: "slack.group_dm_share",
        unit: Unit::Share,
        sample_of: "messages",
        windowed: true,
        heuristic: "share of the window's messages posted in group DMs (mpims.json)",
        caveat: "",
    },
    MetricSpec {
        id: "slack.dm_share",
        unit: Unit::Share,
        sample_of: "messages",
        windowed: true,
        heuristic: "share of the window's messages posted in direct messages between two people (dms.json)",
        caveat: "",
    },
    MetricSpec {
        id: "slack.thread_reply_share",
        unit: Unit::Share,
        sample_of: "messages",
        windowed: true,
        heuristic: "share of the window's messages that are replies in a thread rather than top-level messages",
        caveat: "a team that answers at the top level in a quiet channel looks thread-less",
    },
    MetricSpec {
        id: "slack.durable_link_share",
        unit: Unit::Share,
        sample_of: "messages",
        windowed: true,
        heuristic: "share of the window's messages that link a durable place: an issue tracker, docs, a wiki or a recorded meeting, by URL pattern",
        caveat: "a link is counted, not read: pointing to a doc is not the same as writing one",
    },
    MetricSpec {
        id: "slack.broadcasts_per_person_week",
        unit: Unit::Rate,
        sample_of: "people",
        windowed: true,
        heuristic: "@here, @channel and @everyone mentions in the window per person who wrote, per week",
        caveat: "an announcement channel where this is the norm raises the figure without interrupting anyone",
    },
    MetricSpec {
        id: "slack.off_hours_share",
        unit: Unit::Share,
        sample_of: "messages",
        windowed: true,
        heuristic: "share of the window's messages sent on a weekday outside the sender's working hours, in the sender's time zone from users.json",
        caveat: "the time zone is the one users.json holds at export time; someone who travelled or chose to work late is counted as pressure",
    },
    MetricSpec {
        id: "slack.weekend_share",
        unit: Unit::Share,
        sample_of: "messages",
        windowed: true,
        heuristic: "share of the window's messages sent on a Saturday or Sunday in the sender's time zone",
        caveat: "teams whose weekend is on other days are misread",
    },
    MetricSpec {
        id: "slack.thread_first_reply_hours",
        unit: Unit::Hours,
        sample_of: "threads",
        windowed: true,
        heuristic: "median hours from a thread's first message in the window to the first reply by someone else, over the threads that got one",
        caveat: "a figure about people: shown only when at least k people replied; questions answered outside the thread are not seen",
    },
    MetricSpec {
        id: "slack.status_update_weeks_share",
        unit: Unit::Share,
        sample_of: "weeks",
        windowed: true,
        heuristic: "share of the window's weeks with a message by a person in a status channel (a name holding standup, status, updates… ; see status_channels)",
        caveat: "one person posting counts the week; the channel name is the only sign of what it is for",
    },
    MetricSpec {
        id: "slack.people",
        unit: Unit::Count,
        sample_of: "people",
        windowed: true,
        heuristic: "distinct people who wrote in the window, bots left out; deleted users are kept under their id",
        caveat: BOTS,
    },
    // --- Calendars
    MetricSpec {
        id: "calendar.people",
        unit: Unit::Count,
        sample_of: "calendars",
        windowed: true,
        heuristic: "calendar files read, one per person (a team calendar counts as one)",
        caveat: "",
    },
    MetricSpec {
        id: "calendar.meeting_hours_per_person_week",
        unit: Unit::Hours,
        sample_of: "calendars",
        windowed: true,
        heuristic: "hours of meetings per calendar per week: timed events with someone else on them, not cancelled, not marked free, not declined by the owner; recurring events expanded over the window",
        caveat: "meetings accepted but skipped, and meetings kept off the calendar, are not seen",
    },
    MetricSpec {
        id: "calendar.recurring_meeting_share",
        unit: Unit::Share,
        sample_of: "meetings",
        windowed: true,
        heuristic: "share of meeting time in recurring meetings (an RRULE, RDATEs or overridden instances)",
        caveat: "",
    },
    MetricSpec {
        id: "calendar.status_meeting_hours_per_person_week",
        unit: Unit::Hours,
        sample_of: "calendars",
        windowed: true,
        heuristic: "hours per calendar per week in recurring meetings whose title names a status, stand-up or sync meeting",
        caveat: "the title is the only sign of what a meeting is for",
    },
    MetricSpec {
        id: "calendar.agenda_share",
        unit: Unit::Share,
        sample_of: "meetings",
        windowed: true,
        heuristic: "share of distinct meetings (by UID) whose description has some text of its own once join links, dial-ins and passcodes are removed",
        caveat: "an agenda kept in a linked doc counts only when the link is in the description",
    },
    MetricSpec {
        id: "calendar.large_meeting_share",
        unit: Unit::Share,
        sample_of: "meetings",
        windowed: true,
        heuristic: "share of distinct meetings with many attendees (rooms and resources not counted)",
        caveat: "a mailing list invited as one address counts as one attendee",
    },
    MetricSpec {
        id: "calendar.focus_day_share",
        unit: Unit::Share,
        sample_of: "days",
        windowed: true,
        heuristic: "share of the weekdays of the window, per calendar, with a free block inside working hours between meetings",
        caveat: "time off shows as free unless it is on the calendar as a meeting",
    },
    MetricSpec {
        id: "calendar.off_hours_meeting_share",
        unit: Unit::Share,
        sample_of: "meetings",
        windowed: true,
        heuristic: "share of meeting instances that start or end outside the calendar owner's working hours in the owner's time zone",
        caveat: "the owner's zone is the calendar's (X-WR-TIMEZONE) or the one most of its events use",
    },
    MetricSpec {
        id: "calendar.writable_meetings",
        unit: Unit::Count,
        sample_of: "meetings",
        windowed: true,
        heuristic: "recurring meetings with many attendees and no agenda: candidates to replace with a written update",
        caveat: "a meeting that exists for the conversation itself (a retro, a 1:1 group) can look the same",
    },
    MetricSpec {
        id: "calendar.writable_meeting_hours_per_person_week",
        unit: Unit::Hours,
        sample_of: "calendars",
        windowed: true,
        heuristic: "hours per calendar per week spent in meetings that could be written (see calendar.writable_meetings)",
        caveat: "",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_catalogue_id_parses_and_is_unique() {
        let mut seen = BTreeSet::new();
        for spec in all() {
            assert!(MetricId::parse(spec.id).is_ok(), "{}", spec.id);
            assert!(seen.insert(spec.id), "duplicate {}", spec.id);
            assert!(!spec.heuristic.is_empty());
        }
        assert!(spec("git.docs_share_of_commits").is_some());
        assert!(spec("git.nope").is_none());
    }
}
