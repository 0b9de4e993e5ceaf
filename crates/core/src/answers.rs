//! What a respondent said: agreement per statement (detailed mode) or a level
//! per area (quick mode), checked against the model they answered.

use std::collections::BTreeMap;
use std::fmt;

use asyncmm_model::{AreaId, Level, Model, StatementId};
use asyncmm_text::{Line, TextError};
use serde::{Deserialize, Serialize};

/// Agreement with a statement: 0 not true for us … 3 fully true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct Agreement(u8);

impl Agreement {
    pub const MAX: u8 = 3;
    pub const ALL: [Agreement; 4] = [Agreement(0), Agreement(1), Agreement(2), Agreement(3)];

    pub fn new(value: u8) -> Result<Self, AnswerError> {
        if value <= Self::MAX {
            Ok(Agreement(value))
        } else {
            Err(AnswerError::AgreementOutOfRange(i64::from(value)))
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// Words shown next to each point of the scale.
    pub fn label(self) -> &'static str {
        match self.0 {
            0 => "not true for us",
            1 => "a little true",
            2 => "mostly true",
            _ => "fully true",
        }
    }
}

impl TryFrom<i64> for Agreement {
    type Error = AnswerError;
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        u8::try_from(v)
            .ok()
            .and_then(|v| Agreement::new(v).ok())
            .ok_or(AnswerError::AgreementOutOfRange(v))
    }
}

impl From<Agreement> for u8 {
    fn from(a: Agreement) -> u8 {
        a.0
    }
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One detailed answer: an agreement, or "don't know" (left out of scoring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    Agree(Agreement),
    DontKnow,
}

impl Answer {
    pub fn agreement(self) -> Option<Agreement> {
        match self {
            Answer::Agree(a) => Some(a),
            Answer::DontKnow => None,
        }
    }
}

/// Problems with answers, named so the caller can point at the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("agreement must be 0, 1, 2 or 3 (or \"dont_know\"), got {0}")]
    AgreementOutOfRange(i64),
    #[error("statement {0} is not in model {1}")]
    UnknownStatement(StatementId, String),
    #[error("area {0} is not in model {1}")]
    UnknownArea(AreaId, String),
    #[error("no answers given")]
    Empty,
    #[error("answer item {item:?}: {message}")]
    BadItem { item: String, message: String },
    #[error("{what} {value:?} for {item} is not 0-3")]
    BadValue {
        what: &'static str,
        item: String,
        value: Option<i16>,
    },
    #[error("team name {given:?}: {problem}")]
    BadTeamName { given: String, problem: TextError },
}

/// Agreement per statement of one model; statements not present count as
/// not answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DetailedAnswers(BTreeMap<StatementId, Answer>);

impl DetailedAnswers {
    /// Checks every id against the model. A later answer to the same
    /// statement replaces an earlier one.
    pub fn for_model(
        model: &Model,
        answers: impl IntoIterator<Item = (StatementId, Answer)>,
    ) -> Result<Self, AnswerError> {
        let mut map = BTreeMap::new();
        for (id, answer) in answers {
            if model.statement(&id).is_none() {
                return Err(AnswerError::UnknownStatement(id, model.key()));
            }
            map.insert(id, answer);
        }
        if map.is_empty() {
            return Err(AnswerError::Empty);
        }
        Ok(DetailedAnswers(map))
    }

    /// Answers without a model check, for scoring code that has already
    /// checked them or tests that build them directly.
    pub fn from_map(map: BTreeMap<StatementId, Answer>) -> Self {
        DetailedAnswers(map)
    }

    pub fn get(&self, id: &StatementId) -> Option<Answer> {
        self.0.get(id).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&StatementId, Answer)> {
        self.0.iter().map(|(k, v)| (k, *v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn set(&mut self, id: StatementId, answer: Answer) {
        self.0.insert(id, answer);
    }
}

/// The level picked per area (quick mode); areas not present are not assessed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuickAnswers(BTreeMap<AreaId, Level>);

impl QuickAnswers {
    pub fn for_model(model: &Model, answers: impl IntoIterator<Item = (AreaId, Level)>) -> Result<Self, AnswerError> {
        let mut map = BTreeMap::new();
        for (area, level) in answers {
            if model.area(&area).is_none() {
                return Err(AnswerError::UnknownArea(area, model.key()));
            }
            map.insert(area, level);
        }
        if map.is_empty() {
            return Err(AnswerError::Empty);
        }
        Ok(QuickAnswers(map))
    }

    /// Answers without a model check, for code that has already checked them
    /// (the store reading back what it saved) or tests that build them directly.
    pub fn from_map(map: BTreeMap<AreaId, Level>) -> Self {
        QuickAnswers(map)
    }

    pub fn get(&self, area: &AreaId) -> Option<Level> {
        self.0.get(area).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&AreaId, Level)> {
        self.0.iter().map(|(k, v)| (k, *v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How an assessment was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Quick,
    Detailed,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Detailed => "detailed",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "quick" => Some(Mode::Quick),
            "detailed" => Some(Mode::Detailed),
            _ => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// All answers of one assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answers {
    Quick(QuickAnswers),
    Detailed(DetailedAnswers),
}

impl Answers {
    /// Answers from the `(item, value)` rows in which the store keeps them
    /// and an export writes them: area id and level (0-3) in quick mode,
    /// statement id and agreement (0-3, `None` = don't know) in detailed
    /// mode. A later row for the same item replaces an earlier one. Ids are
    /// not checked against a model here; see [`Answers::check_against`].
    pub fn from_rows<S: AsRef<str>>(
        mode: Mode,
        rows: impl IntoIterator<Item = (S, Option<i16>)>,
    ) -> Result<Answers, AnswerError> {
        let level_of = |value: Option<i16>| value.and_then(|v| u8::try_from(v).ok());
        match mode {
            Mode::Quick => {
                let mut map = BTreeMap::new();
                for (item, value) in rows {
                    let item = item.as_ref();
                    let area = AreaId::parse(item).map_err(|e| AnswerError::BadItem {
                        item: item.to_string(),
                        message: e.to_string(),
                    })?;
                    let level =
                        level_of(value)
                            .and_then(|v| Level::new(v).ok())
                            .ok_or_else(|| AnswerError::BadValue {
                                what: "level",
                                item: format!("area {item}"),
                                value,
                            })?;
                    map.insert(area, level);
                }
                Ok(Answers::Quick(QuickAnswers(map)))
            }
            Mode::Detailed => {
                let mut map = BTreeMap::new();
                for (item, value) in rows {
                    let item = item.as_ref();
                    let statement = StatementId::parse(item).map_err(|e| AnswerError::BadItem {
                        item: item.to_string(),
                        message: e.to_string(),
                    })?;
                    let answer = match value {
                        None => Answer::DontKnow,
                        Some(_) => level_of(value)
                            .and_then(|v| Agreement::new(v).ok())
                            .map(Answer::Agree)
                            .ok_or_else(|| AnswerError::BadValue {
                                what: "agreement",
                                item: format!("statement {item}"),
                                value,
                            })?,
                    };
                    map.insert(statement, answer);
                }
                Ok(Answers::Detailed(DetailedAnswers(map)))
            }
        }
    }

    /// Every area or statement answered is one of `model`'s.
    pub fn check_against(&self, model: &Model) -> Result<(), AnswerError> {
        match self {
            Answers::Quick(q) => match q.iter().find(|(area, _)| model.area(area).is_none()) {
                Some((area, _)) => Err(AnswerError::UnknownArea(area.clone(), model.key())),
                None => Ok(()),
            },
            Answers::Detailed(d) => match d.iter().find(|(statement, _)| model.statement(statement).is_none()) {
                Some((statement, _)) => Err(AnswerError::UnknownStatement(statement.clone(), model.key())),
                None => Ok(()),
            },
        }
    }

    pub fn mode(&self) -> Mode {
        match self {
            Answers::Quick(_) => Mode::Quick,
            Answers::Detailed(_) => Mode::Detailed,
        }
    }

    /// Number of stored answer rows (areas or statements).
    pub fn len(&self) -> usize {
        match self {
            Answers::Quick(q) => q.len(),
            Answers::Detailed(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// No answer that says anything: nothing given, or "don't know" to
    /// everything. The one rule for an empty response everywhere (answers
    /// files, imports, the web form, the store): a blank response is no
    /// response, so it is refused rather than counted.
    pub fn is_blank(&self) -> bool {
        match self {
            Answers::Quick(q) => q.is_empty(),
            Answers::Detailed(d) => d.iter().all(|(_, a)| a == Answer::DontKnow),
        }
    }

    /// (item, value) pairs in item order, `None` for "don't know": a form
    /// that compares and sorts the same whatever the mode.
    pub(crate) fn canonical_pairs(&self) -> Vec<(String, Option<u8>)> {
        match self {
            Answers::Quick(q) => q.iter().map(|(a, l)| (a.to_string(), Some(l.number()))).collect(),
            Answers::Detailed(d) => d
                .iter()
                .map(|(s, a)| (s.to_string(), a.agreement().map(Agreement::value)))
                .collect(),
        }
    }
}

/// The name of a team, as typed by its lead: one line of text by the one
/// text rule ([`asyncmm_text`]), so two names that look the same are the
/// same name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct TeamName(String);

impl TeamName {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 100;

    pub fn parse(s: &str) -> Result<Self, AnswerError> {
        match Line::parse(s, Self::MAX_CHARS) {
            Ok(line) => Ok(TeamName(line.into_string())),
            Err(problem) => Err(AnswerError::BadTeamName {
                given: s.to_string(),
                problem,
            }),
        }
    }

    /// A name read back from the store, kept exactly as stored: a database
    /// written before the text rule (or by hand) may hold a name the rule
    /// now refuses, and its results must stay readable under that very name
    /// (output escapes what must not reach a terminal). Only emptiness is
    /// refused, as no version ever stored an empty name.
    pub fn stored(s: &str) -> Result<Self, AnswerError> {
        if s.trim().is_empty() {
            return Err(AnswerError::BadTeamName {
                given: s.to_string(),
                problem: TextError::Empty,
            });
        }
        Ok(TeamName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TeamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_range() {
        assert!(Agreement::new(3).is_ok());
        assert_eq!(Agreement::new(4), Err(AnswerError::AgreementOutOfRange(4)));
        assert!(Agreement::try_from(-1).is_err());
    }

    #[test]
    fn team_name_rules() {
        assert_eq!(TeamName::parse("  Platform ").expect("valid").as_str(), "Platform");
        assert!(TeamName::parse("").is_err());
        assert!(TeamName::parse("   ").is_err());
        assert!(TeamName::parse("a\u{7}b").is_err());
        assert!(TeamName::parse(&"x".repeat(101)).is_err());
        assert_eq!(
            TeamName::parse("Web\u{200b}").expect_err("invisible").to_string(),
            "team name \"Web\\u{200b}\": character U+200B (zero-width space) at position 4 is not allowed: invisible \
             characters make texts that look the same differ"
        );
        assert_eq!(TeamName::parse("Cafe\u{301}"), TeamName::parse("Caf\u{e9}"));
        assert_eq!(TeamName::stored("Web\u{200b}").expect("stored").as_str(), "Web\u{200b}");
        assert!(TeamName::stored(" ").is_err());
    }
}
