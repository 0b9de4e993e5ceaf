//! The validated model: areas, levels, statements, scoring parameters, and
//! the notes that say how the model differs from its source and from its
//! earlier versions.
//!
//! A `Model` only exists once its file passed every check in
//! [`crate::parse`], so code downstream can index levels and profiles
//! without re-checking them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::ids::{AreaId, Level, StatementId};
use crate::parse::Problem;

/// Where the model's content comes from, shown wherever the model is shown.
/// A CC-BY licence asks for all of it: author, link, licence and a note of
/// what was changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub title: String,
    pub author: String,
    pub license: String,
    pub license_url: String,
    pub url: String,
    /// The work the source itself adapts, when it names one.
    pub adapted_from: Option<String>,
    pub adapted_from_url: Option<String>,
    /// How this model differs from the source, in a few sentences; the
    /// item-by-item notes are [`Model::changes`].
    pub changes: String,
}

/// Name and one-line meaning of a level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelInfo {
    pub level: Level,
    pub name: String,
    pub meaning: String,
}

/// Agreement on the 0–3 scale a team at some level is expected to give to the
/// statements of each level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Profile(pub [u8; Level::COUNT]);

impl Profile {
    pub fn expected(&self, statement_level: Level) -> u8 {
        self.0[statement_level.index()]
    }
}

/// Parameters of the scoring rule, kept in the model so custom models can
/// change them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scoring {
    /// Sharpness of the weighting `exp(-beta * d)` behind the continuous score.
    pub beta: f64,
    /// `profiles[team level]` is the answer pattern of a team at that level.
    pub profiles: [Profile; Level::COUNT],
}

impl Scoring {
    pub fn profile(&self, team_level: Level) -> &Profile {
        &self.profiles[team_level.index()]
    }
}

/// One assessable statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    pub id: StatementId,
    pub text: String,
    /// One concrete thing a team can do to make a practice true or remove a
    /// deficit; the seed of candidate actions in plans.
    pub suggestion: String,
    /// Guidance shown wherever the statement is asked, e.g. when to answer
    /// "don't know".
    pub hint: Option<String>,
}

impl Statement {
    pub fn level(&self) -> Level {
        self.id.level()
    }
}

/// One area of the model with its statements in model order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    pub id: AreaId,
    pub name: String,
    pub intro: String,
    pub statements: Vec<Statement>,
}

impl Area {
    pub fn statements_at(&self, level: Level) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(move |s| s.level() == level)
    }
}

/// What a change note is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeTarget {
    Statement(StatementId),
    Area(AreaId),
    Level(Level),
}

impl ChangeTarget {
    /// `level.2`, `documentation`, or `documentation.2.1`; the form used in
    /// the model file's `id` key.
    pub fn parse(s: &str) -> Option<ChangeTarget> {
        if let Some(level) = s.strip_prefix("level.") {
            return level.parse().ok().map(ChangeTarget::Level);
        }
        StatementId::parse(s)
            .map(ChangeTarget::Statement)
            .or_else(|_| AreaId::parse(s).map(ChangeTarget::Area))
            .ok()
    }

    /// The parts of this kind of target a note can be about; the first is
    /// the default.
    pub fn parts(&self) -> &'static [ChangePart] {
        match self {
            ChangeTarget::Statement(_) => &[ChangePart::Text, ChangePart::Suggestion, ChangePart::Hint],
            ChangeTarget::Area(_) => &[ChangePart::Intro, ChangePart::Name],
            ChangeTarget::Level(_) => &[ChangePart::Meaning, ChangePart::Name],
        }
    }
}

impl fmt::Display for ChangeTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeTarget::Statement(id) => write!(f, "{id}"),
            ChangeTarget::Area(id) => write!(f, "{id}"),
            ChangeTarget::Level(level) => write!(f, "level.{level}"),
        }
    }
}

impl Serialize for ChangeTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Which text of a statement, area or level a change note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangePart {
    Text,
    Suggestion,
    Hint,
    Name,
    Intro,
    Meaning,
}

impl ChangePart {
    pub const ALL: [ChangePart; 6] = [
        ChangePart::Text,
        ChangePart::Suggestion,
        ChangePart::Hint,
        ChangePart::Name,
        ChangePart::Intro,
        ChangePart::Meaning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangePart::Text => "text",
            ChangePart::Suggestion => "suggestion",
            ChangePart::Hint => "hint",
            ChangePart::Name => "name",
            ChangePart::Intro => "intro",
            ChangePart::Meaning => "meaning",
        }
    }
}

impl fmt::Display for ChangePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change note: what a version of the model changed, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The model version that made the change.
    pub version: String,
    #[serde(rename = "id")]
    pub target: ChangeTarget,
    pub part: ChangePart,
    pub reason: String,
    /// For a source bullet that holds two claims: the claim this item no
    /// longer asks, and where the model still covers it.
    pub left_out: Option<String>,
}

/// A 1-based line and column in a model file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Where the values that a revision must keep sit in the model's file, so
/// a refused revision can point at them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Places {
    pub origin: String,
    pub model_id: Pos,
    pub version: Pos,
    pub revises: Option<Pos>,
    pub level_names: [Pos; Level::COUNT],
    pub beta: Pos,
    pub profiles: [[Pos; Level::COUNT]; Level::COUNT],
    pub areas: BTreeMap<AreaId, Pos>,
    pub statements: BTreeMap<StatementId, Pos>,
}

impl Places {
    pub fn problem(&self, at: Pos, message: impl Into<String>) -> Problem {
        Problem {
            origin: self.origin.clone(),
            line: at.line,
            column: at.column,
            message: message.into(),
        }
    }
}

/// Where a value sits in its file is not part of what the model says: two
/// models with the same content are equal however their files are laid out.
impl PartialEq for Places {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A complete, validated maturity model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    pub id: String,
    pub version: String,
    /// The version this one is a wording revision of: the first version of
    /// its comparable line (see [`Model::lineage`]).
    pub revises: Option<String>,
    pub title: String,
    pub description: String,
    pub source: Source,
    pub levels: [LevelInfo; Level::COUNT],
    pub scoring: Scoring,
    pub areas: Vec<Area>,
    /// Change notes, oldest first as written in the file.
    pub changes: Vec<Change>,
    #[serde(skip)]
    pub(crate) statement_index: BTreeMap<StatementId, (usize, usize)>,
    #[serde(skip)]
    pub(crate) places: Places,
}

impl Model {
    /// `id@version`, the key under which assessments record the model.
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    pub fn level_info(&self, level: Level) -> &LevelInfo {
        &self.levels[level.index()]
    }

    pub fn level_name(&self, level: Level) -> &str {
        &self.level_info(level).name
    }

    pub fn area(&self, id: &AreaId) -> Option<&Area> {
        self.areas.iter().find(|a| &a.id == id)
    }

    pub fn statement(&self, id: &StatementId) -> Option<&Statement> {
        let (a, s) = *self.statement_index.get(id)?;
        self.areas.get(a)?.statements.get(s)
    }

    pub fn statement_count(&self) -> usize {
        self.areas.iter().map(|a| a.statements.len()).sum()
    }

    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.areas.iter().flat_map(|a| a.statements.iter())
    }

    /// The change notes a given version made.
    pub fn changes_in<'a>(&'a self, version: &'a str) -> impl Iterator<Item = &'a Change> {
        self.changes.iter().filter(move |c| c.version == version)
    }

    /// The statements whose text any version changed, each once, in model
    /// order.
    pub fn reworded_statements(&self) -> Vec<&StatementId> {
        self.statements()
            .map(|s| &s.id)
            .filter(|id| {
                self.changes
                    .iter()
                    .any(|c| c.part == ChangePart::Text && c.target == ChangeTarget::Statement((*id).clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn change_targets_round_trip(area in "[a-z][a-z0-9_-]{0,20}", level in 0u8..4, n in 1u16..100, kind in 0u8..3) {
            let text = match kind {
                0 => format!("{area}.{level}.{n}"),
                1 => area.clone(),
                _ => format!("level.{level}"),
            };
            let target = ChangeTarget::parse(&text).expect("valid target");
            prop_assert_eq!(target.to_string(), text);
            let is_kind = match kind {
                0 => matches!(target, ChangeTarget::Statement(_)),
                1 => matches!(target, ChangeTarget::Area(_)),
                _ => matches!(target, ChangeTarget::Level(_)),
            };
            prop_assert!(is_kind);
        }

        #[test]
        fn change_target_parser_never_panics(s in ".{0,40}") {
            let _ = ChangeTarget::parse(&s);
        }
    }

    #[test]
    fn malformed_change_targets_are_refused() {
        for bad in ["", "level.4", "level.x", "Docs", "docs.2", "docs.9.1", "level"] {
            let parsed = ChangeTarget::parse(bad);
            // `level` on its own is a valid area id.
            if bad == "level" {
                assert!(matches!(parsed, Some(ChangeTarget::Area(_))));
            } else {
                assert_eq!(parsed, None, "{bad:?}");
            }
        }
    }
}
