//! Evaluation: rules applied to measured metrics give each rule a suggested
//! level, and each area of the model a combined evidence level and a
//! coverage. Waivers mark disputed rules without hiding them.
//!
//! This is pure: no I/O, no clock (the caller passes "today" for waivers),
//! so the CLI, the web and stored results all agree.

use asyncmm_model::{AreaId, Level, Model};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::metric::{Metric, MetricId, Scan, Unit};
use crate::rules::{Direction, Rule, RuleId, RuleSet, Thresholds};

/// How an area's evidence level is combined from its rules; shown with
/// every result so nobody has to guess.
pub const COMBINATION: &str = "the median of the suggested levels of the area's rules that had data and are not waived; with an even number of them, the lower of the two middle ones";

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// Which rule set an evaluation used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSetRef {
    pub id: String,
    pub version: String,
}

/// A waiver: a team disputes a rule's finding until a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    pub rule: RuleId,
    pub reason: String,
    /// The last day the waiver holds.
    #[serde(with = "iso_date")]
    pub until: Date,
}

impl Waiver {
    pub fn is_active(&self, today: Date) -> bool {
        today <= self.until
    }
}

/// What one rule made of its metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOutcome {
    pub rule: RuleId,
    pub area: AreaId,
    pub metric: MetricId,
    pub direction: Direction,
    pub levels: Thresholds,
    pub rationale: String,
    /// The metric's value, when it had one.
    pub value: Option<f64>,
    pub unit: Option<Unit>,
    pub sample: u64,
    pub min_sample: u64,
    /// How the metric was computed, and how far to trust it.
    pub heuristic: Option<String>,
    pub confidence: Vec<String>,
    /// The level the metric's value reaches; `None` without usable data.
    pub suggested: Option<Level>,
    /// Why the rule had no usable data.
    pub no_data: Option<String>,
    /// The waiver in force, if the team disputes this rule.
    pub waived: Option<Waiver>,
}

impl RuleOutcome {
    /// Whether the rule takes part in its area's level.
    pub fn counts(&self) -> bool {
        self.suggested.is_some() && self.waived.is_none()
    }
}

/// The evidence for one area of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaEvidence {
    pub area: AreaId,
    pub name: String,
    /// The combined level; `None` when no rule of the area counts.
    pub level: Option<Level>,
    /// Rules of the rule set for this area.
    pub rules: u32,
    /// Rules that had usable data and were not waived.
    pub rules_with_data: u32,
    pub rules_waived: u32,
}

impl AreaEvidence {
    /// Rules with data ÷ rules; `None` when the area has no rules.
    pub fn coverage(&self) -> Option<f64> {
        (self.rules > 0).then(|| f64::from(self.rules_with_data) / f64::from(self.rules))
    }
}

/// Rules applied to scans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub rule_set: RuleSetRef,
    pub model_id: String,
    pub combination: String,
    pub rules: Vec<RuleOutcome>,
    /// Every area of the model, in the model's order, with or without rules.
    pub areas: Vec<AreaEvidence>,
}

/// Finds a rule's metric among the scans: the first with a value, else the
/// first at all (for its "no data" reason).
fn find_metric<'a>(scans: &'a [Scan], id: &MetricId) -> Option<&'a Metric> {
    let mut all = scans.iter().flat_map(|s| s.metrics.iter()).filter(|m| &m.id == id);
    let first = all.clone().next();
    all.find(|m| m.value.is_some()).or(first)
}

fn outcome(rule: &Rule, scans: &[Scan]) -> RuleOutcome {
    let metric = find_metric(scans, &rule.metric);
    let spec = crate::catalog::spec(rule.metric.as_str());
    let mut out = RuleOutcome {
        rule: rule.id.clone(),
        area: rule.area.clone(),
        metric: rule.metric.clone(),
        direction: rule.direction,
        levels: rule.levels,
        rationale: rule.rationale.clone(),
        value: None,
        unit: metric.map(|m| m.unit).or_else(|| spec.map(|s| s.unit)),
        sample: metric.map_or(0, |m| m.sample),
        min_sample: rule.min_sample,
        heuristic: metric
            .map(|m| m.heuristic.clone())
            .or_else(|| spec.map(|s| s.heuristic.to_string())),
        confidence: metric.map(|m| m.confidence.clone()).unwrap_or_default(),
        suggested: None,
        no_data: None,
        waived: None,
    };
    match metric {
        None => {
            out.no_data = Some(format!(
                "no scan measured {} (it comes from a {} scan)",
                rule.metric,
                rule.metric.source()
            ));
        }
        Some(m) => match m.value {
            None => {
                out.no_data = Some(m.no_data.clone().unwrap_or_else(|| "not measured".to_string()));
            }
            Some(value) => {
                out.value = Some(value);
                if m.sample < rule.min_sample {
                    out.no_data = Some(format!(
                        "sample too small: {} {} (the rule needs at least {})",
                        m.sample, m.sample_of, rule.min_sample
                    ));
                } else {
                    out.suggested = Some(rule.suggest(value));
                }
            }
        },
    }
    out
}

/// The lower median of levels; `None` for none.
pub fn combine(mut levels: Vec<Level>) -> Option<Level> {
    if levels.is_empty() {
        return None;
    }
    levels.sort();
    levels.get((levels.len() - 1) / 2).copied()
}

fn area_evidence(model: &Model, outcomes: &[RuleOutcome]) -> Vec<AreaEvidence> {
    model
        .areas
        .iter()
        .map(|area| {
            let mine: Vec<&RuleOutcome> = outcomes.iter().filter(|o| o.area == area.id).collect();
            let counted: Vec<Level> = mine.iter().filter(|o| o.counts()).filter_map(|o| o.suggested).collect();
            let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            AreaEvidence {
                area: area.id.clone(),
                name: area.name.clone(),
                rules: count(mine.len()),
                rules_with_data: count(counted.len()),
                rules_waived: count(mine.iter().filter(|o| o.waived.is_some()).count()),
                level: combine(counted),
            }
        })
        .collect()
}

/// Applies every rule of `rules` to the metrics of `scans`.
pub fn evaluate(rules: &RuleSet, scans: &[Scan], model: &Model) -> Evaluation {
    let outcomes: Vec<RuleOutcome> = rules.rules.iter().map(|r| outcome(r, scans)).collect();
    Evaluation {
        rule_set: RuleSetRef {
            id: rules.id.clone(),
            version: rules.version.clone(),
        },
        model_id: model.id.clone(),
        combination: COMBINATION.to_string(),
        areas: area_evidence(model, &outcomes),
        rules: outcomes,
    }
}

/// Marks the rules disputed by a waiver in force on `today` as waived (they
/// stay in the result with their values) and recomputes the areas without
/// them. Expired waivers have no effect; waivers already applied to
/// `evaluation` are replaced by `waivers`, so the function can be applied
/// again with a later date or another list.
pub fn apply_waivers(mut evaluation: Evaluation, waivers: &[Waiver], today: Date, model: &Model) -> Evaluation {
    for outcome in &mut evaluation.rules {
        outcome.waived = waivers
            .iter()
            .filter(|w| w.rule == outcome.rule && w.is_active(today))
            .max_by_key(|w| w.until)
            .cloned();
    }
    evaluation.areas = area_evidence(model, &evaluation.rules);
    evaluation
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::metric::{SourceKind, Window};
    use crate::rules::parse_rules;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn model() -> Model {
        asyncmm_model::default_model().expect("model")
    }

    fn window() -> Window {
        Window {
            since: datetime!(2024-01-01 0:00 UTC),
            until: datetime!(2024-07-01 0:00 UTC),
        }
    }

    fn scan(metrics: Vec<Metric>) -> Scan {
        Scan {
            source: SourceKind::Git,
            subject: "repo".into(),
            window: window(),
            scanned_at: datetime!(2024-07-01 0:00 UTC),
            metrics,
            notes: vec![],
            people: None,
            writable_meetings: Vec::new(),
        }
    }

    fn measured(id: &str, value: f64, sample: u64) -> Metric {
        catalog::spec(id).expect("known").measured(value, sample, window())
    }

    const RULES: &str = r#"
[rule_set]
id = "test"
version = "1"
min_sample = 10

[[rules]]
id = "docs.a"
area = "documentation"
metric = "git.docs_share_of_commits"
direction = "higher_is_better"
levels = [0.1, 0.2, 0.3]
rationale = "a"

[[rules]]
id = "docs.b"
area = "documentation"
metric = "git.docs_basics"
direction = "higher_is_better"
levels = [1, 2, 3]
min_sample = 0
rationale = "b"

[[rules]]
id = "docs.c"
area = "documentation"
metric = "git.docs_freshness_lag_days"
direction = "lower_is_better"
levels = [365, 90, 30]
min_sample = 1
rationale = "c"

[[rules]]
id = "decisions.a"
area = "decision-making"
metric = "github.decision_issues_linked_share"
direction = "higher_is_better"
levels = [0.25, 0.5, 0.8]
rationale = "d"
"#;

    fn rules() -> RuleSet {
        parse_rules(RULES, "test.toml", &model()).expect("valid")
    }

    #[test]
    fn rules_suggest_levels_and_areas_take_the_lower_median() {
        let scans = [scan(vec![
            measured("git.docs_share_of_commits", 0.25, 40),
            measured("git.docs_basics", 3.0, 3),
            measured("git.docs_freshness_lag_days", 100.0, 12),
        ])];
        let e = evaluate(&rules(), &scans, &model());
        let levels: Vec<Option<u8>> = e.rules.iter().map(|o| o.suggested.map(Level::number)).collect();
        assert_eq!(levels, vec![Some(2), Some(3), Some(1), None]);
        let docs = &e.areas[0];
        assert_eq!(docs.area.as_str(), "documentation");
        assert_eq!(docs.level.map(Level::number), Some(2));
        assert_eq!((docs.rules, docs.rules_with_data), (3, 3));
        let decisions = &e.areas[1];
        assert_eq!(decisions.level, None);
        assert_eq!(decisions.coverage(), Some(0.0));
        assert!(e.rules[3].no_data.as_deref().unwrap_or("").contains("github scan"));
        // Areas without rules are still listed, with no coverage at all.
        assert_eq!(e.areas.len(), 5);
        assert_eq!(e.areas[3].coverage(), None);
    }

    #[test]
    fn a_small_sample_or_a_missing_value_is_no_data() {
        let no_value =
            catalog::spec("git.docs_freshness_lag_days")
                .expect("known")
                .no_data("no documentation files", 0, window());
        let scans = [scan(vec![measured("git.docs_share_of_commits", 0.9, 9), no_value])];
        let e = evaluate(&rules(), &scans, &model());
        assert_eq!(e.rules[0].suggested, None);
        assert_eq!(e.rules[0].value, Some(0.9));
        assert!(e.rules[0].no_data.as_deref().unwrap_or("").contains("at least 10"));
        assert_eq!(e.rules[2].no_data.as_deref(), Some("no documentation files"));
    }

    #[test]
    fn waivers_mark_rules_until_they_expire() {
        let scans = [scan(vec![
            measured("git.docs_share_of_commits", 0.0, 40),
            measured("git.docs_basics", 3.0, 3),
            measured("git.docs_freshness_lag_days", 0.0, 12),
        ])];
        let e = evaluate(&rules(), &scans, &model());
        assert_eq!(e.areas[0].level.map(Level::number), Some(3));
        let waiver = Waiver {
            rule: RuleId::parse("docs.b").expect("id"),
            reason: "templates live in the org repo".into(),
            until: date!(2024 - 09 - 30),
        };
        let waived = apply_waivers(
            e.clone(),
            std::slice::from_ref(&waiver),
            date!(2024 - 09 - 30),
            &model(),
        );
        let b = &waived.rules[1];
        assert_eq!(b.waived.as_ref(), Some(&waiver));
        assert_eq!(
            b.suggested.map(Level::number),
            Some(3),
            "a waived rule keeps its finding"
        );
        assert_eq!(waived.areas[0].rules_waived, 1);
        assert_eq!(waived.areas[0].rules_with_data, 2);
        // Levels 0 and 3 left: the lower middle one.
        assert_eq!(waived.areas[0].level.map(Level::number), Some(0));
        let expired = apply_waivers(waived, &[waiver], date!(2024 - 10 - 01), &model());
        assert!(expired.rules[1].waived.is_none());
        assert_eq!(expired, e);
    }

    #[test]
    fn the_json_shape_round_trips() {
        let scans = [scan(vec![measured("git.docs_share_of_commits", 0.25, 40)])];
        let e = evaluate(&rules(), &scans, &model());
        let json = serde_json::to_string(&e).expect("json");
        let back: Evaluation = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, e);
    }

    proptest! {
        #[test]
        fn the_combined_level_lies_between_the_rules_levels(levels in proptest::collection::vec(0u8..4, 1..12)) {
            let levels: Vec<Level> = levels.into_iter().map(|n| Level::ALL[usize::from(n)]).collect();
            let combined = combine(levels.clone()).expect("some");
            let below = levels.iter().filter(|l| **l < combined).count();
            let above = levels.iter().filter(|l| **l > combined).count();
            prop_assert!(below <= levels.len() / 2);
            prop_assert!(above <= levels.len() / 2);
            prop_assert!(levels.contains(&combined));
        }

        #[test]
        fn a_better_value_never_suggests_a_lower_level(a in 0.0f64..1.0, b in 0.0f64..1.0) {
            let t = Thresholds::new([0.1, 0.4, 0.7], Direction::HigherIsBetter).expect("ordered");
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(t.level(lo, Direction::HigherIsBetter) <= t.level(hi, Direction::HigherIsBetter));
            let d = Thresholds::new([0.7, 0.4, 0.1], Direction::LowerIsBetter).expect("ordered");
            prop_assert!(d.level(hi, Direction::LowerIsBetter) <= d.level(lo, Direction::LowerIsBetter));
        }
    }
}
