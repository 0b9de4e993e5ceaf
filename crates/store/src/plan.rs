//! Goals and actions (improvement plans): what both backends share — turning
//! stored rows back into domain values, so a row that no longer parses is
//! reported as `Corrupt` the same way on SQLite and PostgreSQL.
//!
//! Teams are kept by name (text), like self-assessments, so a team that only
//! self-assesses can plan too. Renaming an organisation team carries its
//! goals and actions along (see the backends' `rename`).

use asyncmm_core::TeamName;
use asyncmm_core::plan::{Action, ActionId, ActionStatus, Goal, Link};
use asyncmm_model::{AreaId, Level, StatementId};
use time::Date;

use crate::StoreError;

/// A goal row with its days already read by the backend.
pub(crate) struct GoalRow {
    pub team: String,
    pub area: String,
    pub target: i64,
    pub by: Date,
    pub baseline: Option<i64>,
    pub set_on: Date,
}

fn level(value: i64, context: &str) -> Result<Level, StoreError> {
    u8::try_from(value)
        .ok()
        .and_then(|n| Level::new(n).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("{context}: level {value} is not 0-3")))
}

fn team(text: &str, context: &str) -> Result<TeamName, StoreError> {
    TeamName::stored(text).map_err(|e| StoreError::Corrupt(format!("{context}: {e}")))
}

impl GoalRow {
    pub(crate) fn into_goal(self) -> Result<Goal, StoreError> {
        let context = format!("goal of team {:?} for {:?}", self.team, self.area);
        Ok(Goal {
            team: team(&self.team, &context)?,
            area: AreaId::parse(&self.area).map_err(|e| StoreError::Corrupt(format!("{context}: {e}")))?,
            target: level(self.target, &context)?,
            by: self.by,
            baseline: self.baseline.map(|b| level(b, &context)).transpose()?,
            set_on: self.set_on,
        })
    }
}

/// An action row with its days already read, and its statements in order.
pub(crate) struct ActionRow {
    pub id: i64,
    pub team: String,
    pub title: String,
    pub owner: Option<String>,
    pub link: Option<String>,
    pub status: String,
    pub created_on: Date,
}

impl ActionRow {
    pub(crate) fn into_action(self, statements: &[String]) -> Result<Action, StoreError> {
        let context = format!("action {}", self.id);
        let corrupt = |e: String| StoreError::Corrupt(format!("{context}: {e}"));
        Ok(Action {
            id: ActionId(self.id),
            team: team(&self.team, &context)?,
            title: self.title,
            owner: self.owner,
            link: self
                .link
                .map(|l| Link::parse(&l))
                .transpose()
                .map_err(|e| corrupt(e.to_string()))?,
            status: self
                .status
                .parse::<ActionStatus>()
                .map_err(|e| corrupt(e.to_string()))?,
            statements: statements
                .iter()
                .map(|s| StatementId::parse(s))
                .collect::<Result<_, _>>()
                .map_err(|e| corrupt(e.to_string()))?,
            created_on: self.created_on,
        })
    }
}

pub(crate) fn action_not_found(id: ActionId) -> StoreError {
    StoreError::NotFound(format!("action {id}"))
}
