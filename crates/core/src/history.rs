//! Change over time: each assessment of a team compared with the one before.
//!
//! Comparisons only happen between assessments taken with the same model id
//! and version; across versions the entry says so instead of showing a delta,
//! because statements and thresholds may have changed meaning.

use asyncmm_model::{AreaId, Level};
use serde::Serialize;

use crate::assessment::{AssessmentId, ModelRef};
use crate::scoring::{AssessmentResult, Score};

/// Direction of an area's change since the previous assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Same,
}

/// One area in one history entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaChange {
    pub area: AreaId,
    pub level: Option<Level>,
    pub score: Option<Score>,
    /// Score change since the previous comparable assessment.
    pub delta: Option<f64>,
    pub trend: Option<Trend>,
    /// The level dropped since the previous comparable assessment.
    pub regression: bool,
}

/// One assessment in a team's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub assessment: AssessmentId,
    pub model: ModelRef,
    /// The previous assessment used another model version, so no deltas.
    pub model_changed: bool,
    pub areas: Vec<AreaChange>,
    pub mean_score: Option<Score>,
}

/// A score change smaller than this is shown as unchanged, so rounding noise
/// does not draw arrows.
const SAME_EPSILON: f64 = 0.005;

/// Builds the history from assessments ordered oldest first.
pub fn history<'a>(
    entries: impl IntoIterator<Item = (AssessmentId, &'a ModelRef, &'a AssessmentResult)>,
) -> Vec<HistoryEntry> {
    let mut out: Vec<HistoryEntry> = Vec::new();
    let mut previous: Option<(&ModelRef, &AssessmentResult)> = None;
    for (id, model, result) in entries {
        let comparable = previous.filter(|(m, _)| *m == model).map(|(_, r)| r);
        let areas = result
            .areas
            .iter()
            .map(|area| {
                let now = area.scored.as_ref();
                let before = comparable
                    .and_then(|r| r.area(&area.area))
                    .and_then(|a| a.scored.as_ref());
                let (delta, trend, regression) = match (now, before) {
                    (Some(n), Some(b)) => {
                        let delta = n.score.value() - b.score.value();
                        let trend = if delta > SAME_EPSILON {
                            Trend::Up
                        } else if delta < -SAME_EPSILON {
                            Trend::Down
                        } else {
                            Trend::Same
                        };
                        (Some(delta), Some(trend), n.level < b.level)
                    }
                    _ => (None, None, false),
                };
                AreaChange {
                    area: area.area.clone(),
                    level: now.map(|s| s.level),
                    score: now.map(|s| s.score),
                    delta,
                    trend,
                    regression,
                }
            })
            .collect();
        out.push(HistoryEntry {
            assessment: id,
            model: model.clone(),
            model_changed: previous.is_some() && comparable.is_none(),
            areas,
            mean_score: result.overall.mean_score,
        });
        previous = Some((model, result));
    }
    out
}
