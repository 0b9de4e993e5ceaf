//! Perception vs evidence: per area of the model, the level the team's
//! survey gives next to the level its artefacts suggest, the evidence rules
//! that fired with their values, and a plain sentence where the two differ
//! by a level or more. One structure ([`PerceptionReport`]), rendered as
//! text, Markdown and HTML here and as JSON by [`crate::to_json`].
//!
//! The structure is built by the application layer, which decides what the
//! survey level is (the newest shown round, through the anonymity gate) and
//! evaluates the saved evidence; this module only words and draws it.

use std::fmt::Write as _;

use serde::Serialize;

use crate::data::ModelInfo;
use crate::markdown::escape as md;

/// The schema name of the JSON document.
pub const SCHEMA: &str = "asyncmm.perception/1";

/// A level with its name in the model: `2 Defined`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelName {
    pub number: u8,
    pub name: String,
}

impl std::fmt::Display for LevelName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.number, self.name)
    }
}

/// A waiver in force on a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverNote {
    pub reason: String,
    /// The last day it holds, `YYYY-MM-DD`.
    pub until: String,
}

/// A rule that had data and suggested a level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FiredRule {
    pub rule: String,
    pub metric: String,
    pub value: f64,
    /// The value for a person: `12%`, `3 days`.
    pub value_text: String,
    pub suggested: LevelName,
    pub rationale: String,
    /// Set when the team waived the rule: it is shown, and left out of
    /// the area's evidence level.
    pub waived: Option<WaiverNote>,
}

/// One area: both levels, the rules behind the evidence, and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerceptionArea {
    pub area: String,
    pub name: String,
    pub survey: Option<LevelName>,
    pub evidence: Option<LevelName>,
    /// Rules of the rule set for this area, and those that had data and
    /// were not waived.
    pub rules: u32,
    pub rules_with_data: u32,
    pub fired: Vec<FiredRule>,
    /// Evidence level minus survey level, when both exist.
    pub gap: Option<i16>,
    /// `gap` is a level or more either way.
    pub flagged: bool,
    /// The comparison in one plain sentence.
    pub verdict: String,
}

impl PerceptionArea {
    /// An area with its gap and verdict worked out. `has_survey` says
    /// whether the team has a shown survey result at all (an area may still
    /// lack a level in it).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        area: &str,
        name: &str,
        survey: Option<LevelName>,
        evidence: Option<LevelName>,
        rules: u32,
        rules_with_data: u32,
        fired: Vec<FiredRule>,
        has_survey: bool,
    ) -> PerceptionArea {
        let gap = match (&survey, &evidence) {
            (Some(s), Some(e)) => Some(i16::from(e.number) - i16::from(s.number)),
            _ => None,
        };
        let flagged = gap.is_some_and(|g| g.abs() >= 1);
        let verdict = verdict(name, survey.as_ref(), evidence.as_ref(), rules, &fired, has_survey);
        PerceptionArea {
            area: area.to_string(),
            name: name.to_string(),
            survey,
            evidence,
            rules,
            rules_with_data,
            fired,
            gap,
            flagged,
            verdict,
        }
    }
}

/// The rules that set the evidence level: those not waived that suggest
/// exactly it, at most two.
fn because(evidence: &LevelName, fired: &[FiredRule]) -> String {
    let reasons: Vec<String> = fired
        .iter()
        .filter(|r| r.waived.is_none() && r.suggested.number == evidence.number)
        .take(2)
        .map(|r| format!("{} is {} (rule {})", r.metric, r.value_text, r.rule))
        .collect();
    if reasons.is_empty() {
        String::new()
    } else {
        format!(" because {}", reasons.join(" and "))
    }
}

fn verdict(
    name: &str,
    survey: Option<&LevelName>,
    evidence: Option<&LevelName>,
    rules: u32,
    fired: &[FiredRule],
    has_survey: bool,
) -> String {
    match (survey, evidence) {
        (_, None) if rules == 0 => format!("No evidence for {name}: the rule set has no rules for this area."),
        (_, None) if fired.iter().any(|r| r.waived.is_some()) => {
            format!("No evidence for {name}: every rule that had data is waived.")
        }
        (_, None) => format!("No evidence for {name}: none of its {rules} rules had data."),
        (None, Some(e)) if has_survey => format!(
            "The survey shows no level for {name}; the evidence suggests {e}{}.",
            because(e, fired)
        ),
        (None, Some(e)) => format!(
            "No survey result to compare with (no closed round with enough responses); the evidence suggests {e}{}.",
            because(e, fired)
        ),
        (Some(s), Some(e)) if s.number == e.number => {
            format!("The team rates {name} {s} and the evidence agrees.")
        }
        (Some(s), Some(e)) => format!(
            "The team rates {name} {s}; the evidence suggests {e}{}.",
            because(e, fired)
        ),
    }
}

/// Where the two sides come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceSource {
    /// The saved scan's id.
    pub id: i64,
    pub source: String,
    pub subject: String,
    pub scanned_on: String,
    /// The window of activity it covers, `YYYY-MM-DD to YYYY-MM-DD`.
    pub window: String,
}

/// Perception vs evidence for one team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerceptionReport {
    pub schema: &'static str,
    pub team: String,
    /// The shown round the survey levels come from, if any.
    pub survey_from: Option<String>,
    /// The newest saved scan of each source.
    pub evidence_from: Vec<EvidenceSource>,
    /// `id vVERSION` of the rule set.
    pub rule_set: String,
    /// How an area's evidence level is combined from its rules.
    pub combination: String,
    pub areas: Vec<PerceptionArea>,
    /// The model the areas and levels come from, credited in every format.
    pub model: ModelInfo,
}

impl PerceptionReport {
    /// Areas where survey and evidence differ by a level or more.
    pub fn gaps(&self) -> usize {
        self.areas.iter().filter(|a| a.flagged).count()
    }
}

fn opt(level: Option<&LevelName>, none: &str) -> String {
    level.map_or_else(|| none.to_string(), ToString::to_string)
}

fn rule_line(r: &FiredRule) -> String {
    let mut line = format!("{} = {} → level {} ({})", r.metric, r.value_text, r.suggested, r.rule);
    if let Some(w) = &r.waived {
        let _ = write!(line, " — WAIVED until {}: {}", w.until, w.reason);
    }
    line
}

fn sources_text(report: &PerceptionReport) -> Vec<String> {
    report
        .evidence_from
        .iter()
        .map(|s| {
            format!(
                "{} scan of {} saved {} (window {})",
                s.source, s.subject, s.scanned_on, s.window
            )
        })
        .collect()
}

/// The report for a terminal.
pub fn render_text(report: &PerceptionReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Perception vs evidence: {}", report.team);
    let _ = writeln!(
        out,
        "Survey: {}",
        report
            .survey_from
            .as_deref()
            .unwrap_or("no closed round with enough responses")
    );
    if report.evidence_from.is_empty() {
        let _ = writeln!(out, "Evidence: none saved (save a scan with `--team` and `--save`)");
    }
    for s in sources_text(report) {
        let _ = writeln!(out, "Evidence: {s}");
    }
    let _ = writeln!(out, "Rule set: {}\n", report.rule_set);
    let _ = writeln!(out, "  {:<24} {:<16} {:<16} gap", "area", "survey", "evidence");
    for a in &report.areas {
        let gap = match a.gap {
            Some(g) if a.flagged => format!("{g:+}  <- gap"),
            Some(g) => format!("{g:+}"),
            None => "–".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<24} {:<16} {:<16} {gap}",
            a.name,
            opt(a.survey.as_ref(), "–"),
            opt(a.evidence.as_ref(), "no evidence")
        );
    }
    for a in &report.areas {
        let _ = writeln!(out, "\n{}", a.name);
        let _ = writeln!(out, "  {}", a.verdict);
        if a.rules > 0 {
            let _ = writeln!(out, "  {} of {} rules had data", a.rules_with_data, a.rules);
        }
        for r in &a.fired {
            let _ = writeln!(out, "  - {}", rule_line(r));
        }
    }
    let _ = writeln!(out, "\nAn area's evidence level is {}.", report.combination);
    let _ = writeln!(out, "\n{}", crate::credit::text(&report.model));
    out
}

/// The report as Markdown.
pub fn render_markdown(report: &PerceptionReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Perception vs evidence: {}\n", md(&report.team));
    let _ = writeln!(
        out,
        "- Survey: {}",
        md(report
            .survey_from
            .as_deref()
            .unwrap_or("no closed round with enough responses"))
    );
    if report.evidence_from.is_empty() {
        let _ = writeln!(out, "- Evidence: none saved");
    }
    for s in sources_text(report) {
        let _ = writeln!(out, "- Evidence: {}", md(&s));
    }
    let _ = writeln!(out, "- Rule set: {}\n", md(&report.rule_set));
    let _ = writeln!(out, "| Area | Survey | Evidence | Gap |\n|---|---|---|---|");
    for a in &report.areas {
        let gap = match a.gap {
            Some(g) if a.flagged => format!("**{g:+}**"),
            Some(g) => format!("{g:+}"),
            None => "–".to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {gap} |",
            md(&a.name),
            md(&opt(a.survey.as_ref(), "–")),
            md(&opt(a.evidence.as_ref(), "no evidence"))
        );
    }
    for a in &report.areas {
        let _ = writeln!(out, "\n## {}\n\n{}\n", md(&a.name), md(&a.verdict));
        for r in &a.fired {
            let _ = writeln!(out, "- {}", md(&rule_line(r)));
        }
    }
    let _ = writeln!(out, "\nAn area's evidence level is {}.", md(&report.combination));
    let _ = writeln!(out, "\n{}", crate::credit::markdown(&report.model));
    out
}

#[derive(askama::Template)]
#[template(path = "perception.html")]
struct PerceptionPage<'a> {
    title: String,
    credits: Vec<crate::credit::HtmlCredit<'a>>,
    report: &'a PerceptionReport,
    survey: &'a str,
    sources: Vec<String>,
}

/// The report as one self-contained HTML page (see [`crate::html`]).
pub fn render_html(report: &PerceptionReport) -> String {
    crate::html::render(&PerceptionPage {
        title: format!("Perception vs evidence: {}", report.team),
        credits: vec![crate::credit::HtmlCredit::of(&report.model)],
        report,
        survey: report
            .survey_from
            .as_deref()
            .unwrap_or("no closed round with enough responses"),
        sources: sources_text(report),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(n: u8, name: &str) -> LevelName {
        LevelName {
            number: n,
            name: name.to_string(),
        }
    }

    fn fired(rule: &str, metric: &str, text: &str, n: u8, waived: bool) -> FiredRule {
        FiredRule {
            rule: rule.into(),
            metric: metric.into(),
            value: 0.12,
            value_text: text.into(),
            suggested: level(n, if n == 1 { "Initial" } else { "Defined" }),
            rationale: "r".into(),
            waived: waived.then(|| WaiverNote {
                reason: "tickets in Jira".into(),
                until: "2026-12-31".into(),
            }),
        }
    }

    #[test]
    fn a_gap_of_a_level_is_flagged_in_a_plain_sentence() {
        let a = PerceptionArea::new(
            "work-tracking",
            "Work tracking",
            Some(level(2, "Defined")),
            Some(level(1, "Initial")),
            2,
            2,
            vec![fired("wt.prs", "github.merged_prs_linked_share", "12%", 1, false)],
            true,
        );
        assert_eq!(a.gap, Some(-1));
        assert!(a.flagged);
        assert_eq!(
            a.verdict,
            "The team rates Work tracking 2 Defined; the evidence suggests 1 Initial because \
             github.merged_prs_linked_share is 12% (rule wt.prs)."
        );
    }

    #[test]
    fn no_evidence_and_agreement_are_said_so() {
        let none = PerceptionArea::new(
            "meetings",
            "Meetings",
            Some(level(2, "Defined")),
            None,
            0,
            0,
            vec![],
            true,
        );
        assert!(!none.flagged);
        assert_eq!(
            none.verdict,
            "No evidence for Meetings: the rule set has no rules for this area."
        );
        let waived = PerceptionArea::new(
            "work-tracking",
            "Work tracking",
            None,
            None,
            1,
            0,
            vec![fired("wt.prs", "m.x", "12%", 1, true)],
            false,
        );
        assert!(waived.verdict.contains("waived"), "{}", waived.verdict);
        let same = PerceptionArea::new(
            "documentation",
            "Documentation",
            Some(level(2, "Defined")),
            Some(level(2, "Defined")),
            1,
            1,
            vec![],
            true,
        );
        assert_eq!(same.gap, Some(0));
        assert!(!same.flagged);
        assert!(same.verdict.contains("agrees"));
    }

    #[test]
    fn html_escapes_every_text_once_and_isolates_the_team() {
        let area = PerceptionArea::new(
            "work-tracking",
            "Work tracking",
            Some(level(2, "Defined")),
            Some(level(1, "Initial")),
            2,
            2,
            vec![fired("wt.prs", "github.merged_prs_linked_share", "<12%>", 1, false)],
            true,
        );
        let report = PerceptionReport {
            schema: SCHEMA,
            team: "<i>Web</i> & 'فريق'".to_string(),
            survey_from: None,
            evidence_from: vec![],
            rule_set: "rules \"A\"".to_string(),
            combination: "the lowest".to_string(),
            areas: vec![area],
            model: ModelInfo::of(&asyncmm_model::default_model().expect("default model")),
        };
        let html = render_html(&report);
        let team = "&#60;i&#62;Web&#60;/i&#62; &#38; &#39;فريق&#39;";
        assert!(
            html.contains(&format!("<title>Perception vs evidence: {team}</title>")),
            "{html}"
        );
        assert!(
            html.contains(&format!("<h1>Perception vs evidence: <bdi>{team}</bdi></h1>")),
            "{html}"
        );
        assert!(
            html.contains("Survey: no closed round with enough responses<br/>"),
            "{html}"
        );
        assert!(html.contains("Evidence: none saved<br/>"), "{html}");
        assert!(html.contains("Rule set: rules &#34;A&#34;</p>"), "{html}");
        assert!(html.contains("<td><span class=\"flag\">-1</span></td>"), "{html}");
        assert!(
            html.contains("github.merged_prs_linked_share = &#60;12%&#62; → level 1 Initial (wt.prs)"),
            "{html}"
        );
        assert!(!html.contains("<i>") && !html.contains("&amp;#"), "{html}");
        let rest = html.strip_prefix("<!DOCTYPE html>\n").expect("doctype");
        roxmltree::Document::parse(rest).unwrap_or_else(|e| panic!("broken markup: {e}\n{html}"));
    }
}
