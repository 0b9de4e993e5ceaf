//! A team's improvement plan as every renderer reads it: goals with
//! progress, regressions since the previous comparable result, and actions.
//! The CLI builds it (it decides which result is "current"); `plan show`
//! renders it as text, Markdown or JSON, the HTML team report as a section.

use asyncmm_core::TeamName;
use asyncmm_core::plan::{Action, Progress, day_text};
use asyncmm_model::{AreaId, Level};
use serde::Serialize;
use time::Date;

/// One goal and how it is going.
#[derive(Debug, Clone, Serialize)]
pub struct GoalReport {
    #[serde(flatten)]
    pub progress: Progress,
    #[serde(serialize_with = "serialize_day")]
    pub set_on: Date,
    /// The area's level in the previous comparable result, when known.
    pub previous: Option<Level>,
    /// The level dropped since the previous comparable result.
    pub regressed: bool,
}

/// An area whose level dropped since the previous comparable result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regression {
    pub area: AreaId,
    pub previous: Level,
    pub current: Level,
}

fn serialize_day<S: serde::Serializer>(day: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&day_text(*day))
}

/// A team's plan: what `plan show --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub schema: &'static str,
    pub team: TeamName,
    /// Which result "current" comes from; `None` when the team has none.
    pub current_from: Option<String>,
    /// The previous comparable result (round of the same model and mode, or
    /// self-assessment of the same model); `None` when there is none.
    pub previous_from: Option<String>,
    /// Areas whose level dropped since `previous_from`, in model order.
    pub regressions: Vec<Regression>,
    pub goals: Vec<GoalReport>,
    pub actions: Vec<Action>,
}

impl PlanReport {
    /// Nothing to show: no goal and no action.
    pub fn is_empty(&self) -> bool {
        self.goals.is_empty() && self.actions.is_empty()
    }
}
