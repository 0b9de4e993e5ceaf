//! Evidence from real artefacts: scanners read a source (a git repository,
//! GitHub issues and pull requests, a Slack export, calendars) and return named [metrics](metric::Metric);
//! a [rule set](rules::RuleSet) (data, not code) maps metrics to suggested
//! maturity levels per area of the model; [evaluation](evaluate) combines
//! them and [waivers](evaluate::Waiver) mark disputed rules.
//!
//! Scanners return data and never print: progress goes through the
//! [`Progress`] trait, and rendering lives in [`render`]. Results serialize
//! to one stable JSON document ([`EvidenceReport`]) with a `schema` field,
//! ready to be stored.
#![forbid(unsafe_code)]

pub mod calendar;
pub mod catalog;
pub mod evaluate;
pub mod metric;
pub mod rules;

pub use evaluate::{AreaEvidence, COMBINATION, Evaluation, RuleOutcome, RuleSetRef, Waiver, apply_waivers, evaluate};
pub use metric::{
    IdError, Metric, MetricId, Note, NoteKind, People, Person, Scan, SourceKind, Unit, Window, WritableMeeting,
};
pub use rules::{
    DEFAULT_RULES_ORIGIN, DEFAULT_RULES_TOML, Direction, Rule, RuleId, RuleSet, RulesError, Thresholds, default_rules,
    parse_rules,
};
pub mod config;
pub mod git;
pub mod github;
pub mod hours;
pub mod paths;
mod pipeline;
pub mod privacy;
pub mod progress;
pub mod refs;
pub mod render;
pub mod since;
pub mod slack;
pub mod sources;

pub use progress::{Progress, Silent};
pub use render::{EvidenceReport, SCHEMA};
