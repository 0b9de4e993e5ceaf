//! Saved evidence as the store keeps it: scans of a team's artefacts (an
//! opaque JSON document per scan, with when, which source and what was
//! read), the team's waivers of evidence rules, and the organisation's
//! pseudonym salt.
//!
//! The store doesn't read the documents: what a scan holds, and that it
//! holds no names or message text, is the evidence crate's and the
//! application layer's business. Keeping them opaque means a new scanner
//! needs no new table.

use asyncmm_core::TeamName;
use time::{Date, OffsetDateTime};

/// The id of a saved scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EvidenceId(pub i64);

impl std::fmt::Display for EvidenceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A scan to save for a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub team: TeamName,
    /// When the scan ran; its UTC day is the day the evidence speaks for.
    pub scanned_at: OffsetDateTime,
    /// The kind of source (`git`, `github` …).
    pub source: String,
    /// What was read (a repository path, `owner/name`).
    pub subject: String,
    /// The scan as JSON.
    pub document: String,
}

/// A saved scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvidence {
    pub id: EvidenceId,
    pub team: TeamName,
    /// Microseconds, UTC, as every stored time.
    pub scanned_at: OffsetDateTime,
    pub source: String,
    pub subject: String,
    pub document: String,
}

/// A team's waiver of one evidence rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceWaiver {
    pub team: TeamName,
    /// The rule's id, as in the rule set.
    pub rule: String,
    pub reason: String,
    /// The last day the waiver holds.
    pub until: Date,
    /// The day it was set (or last changed).
    pub set_on: Date,
}
