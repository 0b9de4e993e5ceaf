//! Rule sets: the data that maps a metric to a suggested maturity level.
//!
//! Rules live in a TOML file of their own, keyed to the model's area ids, so
//! a team can change a threshold without changing the questionnaire (and
//! its version, which history comparisons depend on). Every threshold is in
//! the file; none is in the code. A file is checked in full and every
//! problem is reported as `file:line:column: what is wrong`, like model files.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

use asyncmm_model::{AreaId, Level, LineIndex, Model, Problem, StatementId, line_column};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Spanned;

use crate::catalog;
use crate::metric::{IdError, MetricId, Unit};

/// The default rule set shipped inside the binary.
pub const DEFAULT_RULES_TOML: &str = include_str!("../../../rules/evidence.toml");

/// The name used for the embedded rule set in messages.
pub const DEFAULT_RULES_ORIGIN: &str = "<embedded>/rules/evidence.toml";

/// The id of a rule, e.g. `documentation.docs-in-commits`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(String);

impl RuleId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let mut chars = s.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
            && s.len() <= 96;
        if ok {
            Ok(RuleId(s.to_string()))
        } else {
            Err(IdError::BadRuleId(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RuleId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Which way a metric gets better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// The values at which a metric reaches levels 1, 2 and 3. Ordered in the
/// rule's direction (ascending when higher is better), which parsing checks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Thresholds([f64; 3]);

impl Thresholds {
    pub fn new(values: [f64; 3], direction: Direction) -> Option<Self> {
        let finite = values.iter().all(|v| v.is_finite());
        let ordered = match direction {
            Direction::HigherIsBetter => values[0] <= values[1] && values[1] <= values[2],
            Direction::LowerIsBetter => values[0] >= values[1] && values[1] >= values[2],
        };
        (finite && ordered).then_some(Thresholds(values))
    }

    pub fn values(&self) -> [f64; 3] {
        self.0
    }

    /// The highest level whose threshold the value reaches; 0 when it
    /// reaches none.
    pub fn level(&self, value: f64, direction: Direction) -> Level {
        let reached = self
            .0
            .iter()
            .take_while(|t| match direction {
                Direction::HigherIsBetter => value >= **t,
                Direction::LowerIsBetter => value <= **t,
            })
            .count();
        Level::ALL[reached]
    }
}

/// One rule: a metric, the area it speaks for and its thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: RuleId,
    pub area: AreaId,
    pub metric: MetricId,
    pub direction: Direction,
    pub levels: Thresholds,
    /// The smallest sample the metric needs for this rule to count.
    pub min_sample: u64,
    pub rationale: String,
    /// The model's statements an action on this rule's finding works
    /// towards (e.g. replacing a meeting that could be written): what
    /// `plan suggest` links such an action to. Optional.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementId>,
}

impl Rule {
    pub fn suggest(&self, value: f64) -> Level {
        self.levels.level(value, self.direction)
    }
}

/// A checked rule set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    pub id: String,
    pub version: String,
    pub description: String,
    pub rules: Vec<Rule>,
}

impl RuleSet {
    pub fn rule(&self, id: &RuleId) -> Option<&Rule> {
        self.rules.iter().find(|r| &r.id == id)
    }
}

/// Every problem found in a rule file; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RulesError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rule_set: RawHeader,
    rules: Spanned<Vec<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: Spanned<String>,
    version: Spanned<String>,
    #[serde(default)]
    description: String,
    min_sample: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    area: Spanned<String>,
    metric: Spanned<String>,
    direction: Spanned<Direction>,
    levels: Spanned<Vec<Spanned<f64>>>,
    min_sample: Option<Spanned<i64>>,
    rationale: Spanned<String>,
    #[serde(default)]
    statements: Vec<Spanned<String>>,
}

struct Problems<'a> {
    origin: &'a str,
    lines: LineIndex<'a>,
    found: Vec<Problem>,
}

impl Problems<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = self.lines.line_column(span.start);
        self.found.push(Problem {
            origin: self.origin.to_string(),
            line,
            column,
            message: message.into(),
        });
    }
}

/// The embedded default rule set, checked against `model`.
pub fn default_rules(model: &Model) -> Result<RuleSet, RulesError> {
    parse_rules(DEFAULT_RULES_TOML, DEFAULT_RULES_ORIGIN, model)
}

/// Parse and check a rule file. `origin` names the file in messages; the
/// areas the rules speak for must exist in `model`.
pub fn parse_rules(source: &str, origin: &str, model: &Model) -> Result<RuleSet, RulesError> {
    let raw: RawFile = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(source, s.start));
            return Err(RulesError {
                problems: vec![Problem {
                    origin: origin.to_string(),
                    line,
                    column,
                    message: e.message().trim().to_string(),
                }],
            });
        }
    };
    let mut p = Problems {
        origin,
        lines: LineIndex::new(source),
        found: Vec::new(),
    };
    let id = raw.rule_set.id.get_ref().trim().to_string();
    if id.is_empty() {
        p.at(raw.rule_set.id.span(), "rule set id is empty");
    }
    let version = raw.rule_set.version.get_ref().trim().to_string();
    if version.is_empty() {
        p.at(raw.rule_set.version.span(), "rule set version is empty");
    }
    let default_min = sample_size(&raw.rule_set.min_sample, &mut p).unwrap_or(1);
    if raw.rules.get_ref().is_empty() {
        p.at(raw.rules.span(), "a rule set needs at least one [[rules]] entry");
    }
    let areas: Vec<&AreaId> = model.areas.iter().map(|a| &a.id).collect();
    let mut seen = BTreeSet::new();
    let mut rules = Vec::new();
    for raw_rule in raw.rules.get_ref() {
        if let Some(rule) = build_rule(raw_rule, default_min, &areas, model, &mut seen, &mut p) {
            rules.push(rule);
        }
    }
    if p.found.is_empty() {
        Ok(RuleSet {
            id,
            version,
            description: raw.rule_set.description.trim().to_string(),
            rules,
        })
    } else {
        Err(RulesError { problems: p.found })
    }
}

fn sample_size(value: &Spanned<i64>, p: &mut Problems<'_>) -> Option<u64> {
    match u64::try_from(*value.get_ref()) {
        Ok(n) => Some(n),
        Err(_) => {
            p.at(
                value.span(),
                format!("min_sample must be 0 or more, got {}", value.get_ref()),
            );
            None
        }
    }
}

fn build_rule(
    raw: &RawRule,
    default_min: u64,
    areas: &[&AreaId],
    model: &Model,
    seen: &mut BTreeSet<RuleId>,
    p: &mut Problems<'_>,
) -> Option<Rule> {
    let id = RuleId::parse(raw.id.get_ref().trim())
        .map_err(|e| p.at(raw.id.span(), e.to_string()))
        .ok();
    if let Some(id) = &id
        && !seen.insert(id.clone())
    {
        p.at(raw.id.span(), format!("duplicate rule id \"{id}\""));
    }
    let area = match AreaId::parse(raw.area.get_ref().trim()) {
        Ok(area) if areas.contains(&&area) => Some(area),
        Ok(area) => {
            let known: Vec<&str> = areas.iter().map(|a| a.as_str()).collect();
            p.at(
                raw.area.span(),
                format!("area \"{area}\" is not in the model (its areas: {})", known.join(", ")),
            );
            None
        }
        Err(e) => {
            p.at(raw.area.span(), e.to_string());
            None
        }
    };
    let metric_text = raw.metric.get_ref().trim();
    let metric = match MetricId::parse(metric_text) {
        Ok(metric) => {
            if catalog::spec(metric.as_str()).is_none() {
                p.at(
                    raw.metric.span(),
                    format!(
                        "unknown metric \"{metric}\": no scanner produces it (`asyncmm scan --help` lists the sources; docs/evidence.md lists every metric)"
                    ),
                );
            }
            Some(metric)
        }
        Err(e) => {
            p.at(raw.metric.span(), e.to_string());
            None
        }
    };
    let direction = *raw.direction.get_ref();
    let levels = build_levels(raw, direction, metric.as_ref(), p);
    let min_sample = match &raw.min_sample {
        Some(value) => sample_size(value, p),
        None => Some(default_min),
    };
    let rationale = raw.rationale.get_ref().trim().to_string();
    if rationale.is_empty() {
        p.at(
            raw.rationale.span(),
            "rationale is empty: say in one line why the rule holds",
        );
    } else if rationale.contains('\n') {
        p.at(raw.rationale.span(), "rationale must be one line");
    }
    let mut statements = Vec::new();
    for value in &raw.statements {
        let text = value.get_ref().trim();
        match StatementId::parse(text) {
            Ok(statement) if model.statement(&statement).is_none() => {
                p.at(value.span(), format!("statement \"{statement}\" is not in the model"));
            }
            Ok(statement) if area.as_ref().is_some_and(|a| statement.area() != a) => {
                p.at(
                    value.span(),
                    format!(
                        "statement \"{statement}\" belongs to another area than the rule's ({})",
                        area.as_ref().map_or("", AreaId::as_str)
                    ),
                );
            }
            Ok(statement) => statements.push(statement),
            Err(e) => p.at(value.span(), e.to_string()),
        }
    }
    Some(Rule {
        id: id?,
        area: area?,
        metric: metric?,
        direction,
        levels: levels?,
        min_sample: min_sample?,
        rationale,
        statements,
    })
}

fn build_levels(
    raw: &RawRule,
    direction: Direction,
    metric: Option<&MetricId>,
    p: &mut Problems<'_>,
) -> Option<Thresholds> {
    let values = raw.levels.get_ref();
    let [a, b, c] = values.as_slice() else {
        p.at(
            raw.levels.span(),
            format!(
                "levels must list 3 thresholds (for levels 1, 2 and 3), found {}",
                values.len()
            ),
        );
        return None;
    };
    let unit = metric.and_then(|m| catalog::spec(m.as_str())).map(|s| s.unit);
    let mut ok = true;
    for value in [a, b, c] {
        let v = *value.get_ref();
        let bad = if !v.is_finite() {
            Some("a threshold must be a finite number".to_string())
        } else if matches!(unit, Some(Unit::Share | Unit::Presence)) && !(0.0..=1.0).contains(&v) {
            Some(format!(
                "{v} is not a share: thresholds of this metric lie between 0 and 1"
            ))
        } else if v < 0.0 {
            Some(format!("{v} is negative: this metric is never below 0"))
        } else {
            None
        };
        if let Some(message) = bad {
            p.at(value.span(), message);
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let thresholds = Thresholds::new([*a.get_ref(), *b.get_ref(), *c.get_ref()], direction);
    if thresholds.is_none() {
        let order = match direction {
            Direction::HigherIsBetter => "ascending (higher_is_better: level 3 needs the most)",
            Direction::LowerIsBetter => "descending (lower_is_better: level 3 needs the least)",
        };
        p.at(raw.levels.span(), format!("levels must be {order}"));
    }
    thresholds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        asyncmm_model::default_model().expect("default model")
    }

    #[test]
    fn the_default_rules_are_valid() {
        let rules = default_rules(&model()).expect("valid");
        assert!(rules.rules.len() >= 10);
        for rule in &rules.rules {
            assert!(catalog::spec(rule.metric.as_str()).is_some());
        }
    }

    #[test]
    fn thresholds_map_values_to_levels() {
        let up = Thresholds::new([0.1, 0.4, 0.7], Direction::HigherIsBetter).expect("ordered");
        assert_eq!(up.level(0.05, Direction::HigherIsBetter), Level::ALL[0]);
        assert_eq!(up.level(0.1, Direction::HigherIsBetter), Level::ALL[1]);
        assert_eq!(up.level(0.69, Direction::HigherIsBetter), Level::ALL[2]);
        assert_eq!(up.level(1.0, Direction::HigherIsBetter), Level::ALL[3]);
        let down = Thresholds::new([168.0, 48.0, 24.0], Direction::LowerIsBetter).expect("ordered");
        assert_eq!(down.level(200.0, Direction::LowerIsBetter), Level::ALL[0]);
        assert_eq!(down.level(48.0, Direction::LowerIsBetter), Level::ALL[2]);
        assert_eq!(down.level(3.0, Direction::LowerIsBetter), Level::ALL[3]);
        assert!(Thresholds::new([0.4, 0.1, 0.7], Direction::HigherIsBetter).is_none());
        assert!(Thresholds::new([1.0, 2.0, 3.0], Direction::LowerIsBetter).is_none());
    }
}
