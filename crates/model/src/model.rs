//! The validated model: areas, levels, statements and scoring parameters.
//!
//! A `Model` only exists once its file passed every check in
//! [`crate::parse`], so code downstream can index levels and profiles
//! without re-checking them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ids::{AreaId, Level, StatementId};

/// Where the model's content comes from, shown wherever the model is shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub title: String,
    pub author: String,
    pub license: String,
    pub license_url: String,
    pub url: String,
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

/// A complete, validated maturity model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    pub source: Source,
    pub levels: [LevelInfo; Level::COUNT],
    pub scoring: Scoring,
    pub areas: Vec<Area>,
    #[serde(skip)]
    pub(crate) statement_index: BTreeMap<StatementId, (usize, usize)>,
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
}
