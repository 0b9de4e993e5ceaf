//! The evidence document ([`EvidenceReport`], stable JSON with a `schema`
//! field) and its renderers: text for a person, JSON for machines. Both are
//! fed the same document, so they can't disagree.

use std::fmt::Write as _;

use asyncmm_model::Model;
use serde::{Deserialize, Serialize};

use crate::evaluate::{Evaluation, RuleOutcome};
use crate::metric::{Metric, NoteKind, Scan, SourceKind, Unit, trim_number};
use crate::rules::Direction;

/// The schema name of the JSON document; bumped when its shape changes in
/// a way readers must know about.
pub const SCHEMA: &str = "asyncmm.evidence/1";

/// Everything one evidence run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceReport {
    pub schema: String,
    pub scans: Vec<Scan>,
    pub evaluation: Evaluation,
}

impl EvidenceReport {
    pub fn new(scans: Vec<Scan>, evaluation: Evaluation) -> Self {
        EvidenceReport {
            schema: SCHEMA.to_string(),
            scans,
            evaluation,
        }
    }
}

/// The document as pretty JSON (ends with a newline).
pub fn json(report: &EvidenceReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

fn level_name(model: &Model, level: asyncmm_model::Level) -> String {
    format!("{} {}", level.number(), model.levels[level.index()].name)
}

fn value_text(value: Option<f64>, unit: Option<Unit>) -> String {
    match (value, unit) {
        (Some(v), Some(u)) => u.format(v),
        (Some(v), None) => trim_number(v),
        (None, _) => "–".to_string(),
    }
}

fn thresholds_text(outcome: &RuleOutcome) -> String {
    let unit = outcome.unit.unwrap_or(Unit::Count);
    let values: Vec<String> = outcome.levels.values().iter().map(|v| unit.format(*v)).collect();
    let sign = match outcome.direction {
        Direction::HigherIsBetter => "≥",
        Direction::LowerIsBetter => "≤",
    };
    format!("1 {sign} {}, 2 {sign} {}, 3 {sign} {}", values[0], values[1], values[2])
}

fn metric_line(out: &mut String, m: &Metric) {
    let value = match m.value {
        Some(v) => m.unit.format(v),
        None => "no data".to_string(),
    };
    let _ = writeln!(
        out,
        "  {:<42} {:>10}   over {} {}",
        m.id.as_str(),
        value,
        m.sample,
        m.sample_of
    );
    if let Some(reason) = &m.no_data {
        let _ = writeln!(out, "      no data: {reason}");
    }
}

/// The document for a person.
pub fn text(report: &EvidenceReport, model: &Model) -> String {
    let mut out = String::new();
    let e = &report.evaluation;
    for scan in &report.scans {
        let _ = writeln!(out, "Evidence from {}: {}", scan.source, scan.subject);
        // Only a repository has a state beside its activity.
        let held = match scan.source {
            SourceKind::Git => "; what a repository holds is read at HEAD",
            _ => "",
        };
        let _ = writeln!(
            out,
            "Window: {} to {} (activity counted in this window{held})",
            scan.window.since.date(),
            scan.window.last_day()
        );
    }
    let _ = writeln!(
        out,
        "\nSuggested levels per area (rule set {} v{})",
        e.rule_set.id, e.rule_set.version
    );
    for area in &e.areas {
        let level = area
            .level
            .map_or_else(|| "no evidence".to_string(), |l| level_name(model, l));
        let coverage = if area.rules == 0 {
            "no rules for this area yet".to_string()
        } else {
            let mut c = format!("{} of {} rules had data", area.rules_with_data, area.rules);
            if area.rules_waived > 0 {
                let _ = write!(c, ", {} waived", area.rules_waived);
            }
            c
        };
        let _ = writeln!(out, "  {:<24} {:<14} {}", area.name, level, coverage);
    }
    let _ = writeln!(out, "  An area's level is {}.", e.combination);

    let _ = writeln!(out, "\nRules");
    for area in &e.areas {
        let rules: Vec<&RuleOutcome> = e.rules.iter().filter(|r| r.area == area.area).collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {}", area.name);
        for r in rules {
            let suggested = r.suggested.map_or_else(|| "–".to_string(), |l| format!("level {l}"));
            let _ = writeln!(
                out,
                "    {:<44} {:<8} {} = {}",
                r.rule.as_str(),
                suggested,
                r.metric,
                value_text(r.value, r.unit)
            );
            let _ = writeln!(
                out,
                "        thresholds: {}; sample {} (needs {})",
                thresholds_text(r),
                r.sample,
                r.min_sample
            );
            if let Some(w) = &r.waived {
                let _ = writeln!(out, "        WAIVED until {}: {}", w.until, w.reason);
            }
            if let Some(reason) = &r.no_data {
                let _ = writeln!(out, "        no data: {reason}");
            }
            let _ = writeln!(out, "        why: {}", r.rationale);
            if let Some(h) = &r.heuristic {
                let _ = writeln!(out, "        how: {h}");
            }
            for c in &r.confidence {
                let _ = writeln!(out, "        caution: {c}");
            }
        }
    }

    for scan in &report.scans {
        let _ = writeln!(out, "\nAll {} metrics", scan.source);
        for m in &scan.metrics {
            metric_line(&mut out, m);
        }
        if let Some(people) = &scan.people {
            let _ = write!(out, "\nPeople: {} ({} counted)", people.count, people.activity_of);
            if people.top.is_empty() {
                let _ = writeln!(
                    out,
                    "; the most active are listed only with at least k = {} people",
                    people.k
                );
            } else {
                let _ = writeln!(out, "; the most active:");
                for p in &people.top {
                    let who = p
                        .name
                        .as_deref()
                        .map_or_else(|| p.id.clone(), |n| format!("{n} ({})", p.id));
                    let _ = writeln!(out, "  {who:<40} {:>6} ({:.0}%)", p.activity, p.share * 100.0);
                }
            }
        }
        if !scan.notes.is_empty() {
            let _ = writeln!(out, "\nNotes");
            for n in &scan.notes {
                let mark = match n.kind {
                    NoteKind::Info => "-",
                    NoteKind::Warning => "!",
                };
                let _ = writeln!(out, "  {mark} {}", n.message);
            }
        }
    }
    out
}
