//! Change over time: a team's record — its shown rounds and its
//! self-assessments — each result compared with the one before it of the
//! same kind.
//!
//! A round is the team's view (the median of its respondents); a
//! self-assessment is one person's. They are kept as two series and never
//! compared with each other. Within a series, comparisons happen only
//! between results of the same model lineage and mode: across a change of
//! questionnaire version the entry says "model changed", and across a switch
//! between quick and detailed mode it says "mode changed" — a change of
//! instrument, not a drop — instead of showing a delta.

use asyncmm_model::{AreaId, Level};
use serde::Serialize;

use crate::answers::Mode;
use crate::assessment::{AssessmentId, ModelRef};
use crate::org::RoundId;
use crate::scoring::Score;

/// Where a result in a team's record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Source {
    /// A closed round's shown result: the team's view.
    Round(RoundId),
    /// A self-assessment: one person's view.
    Assessment(AssessmentId),
}

impl Source {
    fn same_kind(self, other: Source) -> bool {
        matches!(
            (self, other),
            (Source::Round(_), Source::Round(_)) | (Source::Assessment(_), Source::Assessment(_))
        )
    }
}

/// One area of one result: its level and score (a round's median), when the
/// area was assessed and shown.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaPoint {
    pub area: AreaId,
    pub value: Option<(Level, Score)>,
}

/// One result in a team's record, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub source: Source,
    pub model: ModelRef,
    /// What makes two model versions comparable (same id and lineage: a
    /// wording revision keeps it).
    pub lineage: String,
    pub mode: Mode,
    pub areas: Vec<AreaPoint>,
    pub mean_score: Option<Score>,
}

/// Direction of an area's change since the previous comparable result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Same,
}

/// Why an entry has no deltas although an earlier result of its kind exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Break {
    /// Another questionnaire (model id or non-revision version).
    ModelChanged,
    /// Quick and detailed mode measure differently.
    ModeChanged,
}

/// One area in one history entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaChange {
    pub area: AreaId,
    pub level: Option<Level>,
    pub score: Option<Score>,
    /// Score change since the previous comparable result.
    pub delta: Option<f64>,
    pub trend: Option<Trend>,
    /// The level dropped since the previous comparable result.
    pub regression: bool,
}

/// One result in a team's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub source: Source,
    pub model: ModelRef,
    pub mode: Mode,
    /// The result this one is compared with (the previous one of its kind,
    /// when comparable).
    pub compared_with: Option<Source>,
    /// The previous result of its kind exists but isn't comparable.
    pub break_: Option<Break>,
    pub areas: Vec<AreaChange>,
    pub mean_score: Option<Score>,
}

/// A score change smaller than this is shown as unchanged, so rounding noise
/// does not draw arrows.
const SAME_EPSILON: f64 = 0.005;

/// Builds the history from a team's results ordered oldest first.
pub fn history(points: &[Point]) -> Vec<HistoryEntry> {
    points
        .iter()
        .enumerate()
        .map(|(at, point)| {
            let previous = points[..at].iter().rev().find(|p| p.source.same_kind(point.source));
            let break_ = previous.and_then(|p| {
                if p.lineage != point.lineage {
                    Some(Break::ModelChanged)
                } else if p.mode != point.mode {
                    Some(Break::ModeChanged)
                } else {
                    None
                }
            });
            let comparable = previous.filter(|_| break_.is_none());
            let areas = point
                .areas
                .iter()
                .map(|area| {
                    let now = area.value;
                    let before = comparable
                        .and_then(|p| p.areas.iter().find(|a| a.area == area.area))
                        .and_then(|a| a.value);
                    let (delta, trend, regression) = match (now, before) {
                        (Some((level, score)), Some((was_level, was_score))) => {
                            let delta = score.value() - was_score.value();
                            let trend = if delta > SAME_EPSILON {
                                Trend::Up
                            } else if delta < -SAME_EPSILON {
                                Trend::Down
                            } else {
                                Trend::Same
                            };
                            (Some(delta), Some(trend), level < was_level)
                        }
                        _ => (None, None, false),
                    };
                    AreaChange {
                        area: area.area.clone(),
                        level: now.map(|(l, _)| l),
                        score: now.map(|(_, s)| s),
                        delta,
                        trend,
                        regression,
                    }
                })
                .collect();
            HistoryEntry {
                source: point.source,
                model: point.model.clone(),
                mode: point.mode,
                compared_with: comparable.map(|p| p.source),
                break_,
                areas,
                mean_score: point.mean_score,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(source: Source, version: &str, mode: Mode, level: u8, score: f64) -> Point {
        Point {
            source,
            model: ModelRef {
                id: "m".into(),
                version: version.into(),
            },
            lineage: if version.starts_with('2') { "m@2" } else { "m@1" }.into(),
            mode,
            areas: vec![AreaPoint {
                area: AreaId::parse("docs").expect("id"),
                value: Some((Level::new(level).expect("level"), Score::new(score))),
            }],
            mean_score: Some(Score::new(score)),
        }
    }

    #[test]
    fn rounds_and_assessments_are_two_series() {
        let points = [
            point(Source::Round(RoundId(1)), "1.0.0", Mode::Quick, 1, 1.0),
            point(Source::Assessment(AssessmentId(7)), "1.0.0", Mode::Quick, 3, 3.0),
            point(Source::Round(RoundId(2)), "1.1.0", Mode::Quick, 2, 2.0),
        ];
        let h = history(&points);
        assert_eq!(h[0].compared_with, None);
        // The assessment is not compared with the round before it.
        assert_eq!(h[1].compared_with, None);
        assert_eq!(h[1].areas[0].delta, None);
        // The second round compares with the first (same lineage), not with
        // the assessment in between.
        assert_eq!(h[2].compared_with, Some(Source::Round(RoundId(1))));
        assert_eq!(h[2].areas[0].delta, Some(1.0));
        assert_eq!(h[2].areas[0].trend, Some(Trend::Up));
    }

    #[test]
    fn a_mode_change_is_not_a_drop() {
        let points = [
            point(Source::Round(RoundId(1)), "1.0.0", Mode::Quick, 3, 3.0),
            point(Source::Round(RoundId(2)), "1.0.0", Mode::Detailed, 2, 2.4),
            point(Source::Round(RoundId(3)), "2.0.0", Mode::Detailed, 1, 1.0),
        ];
        let h = history(&points);
        assert_eq!(h[1].break_, Some(Break::ModeChanged));
        assert_eq!(h[1].areas[0].delta, None);
        assert!(!h[1].areas[0].regression);
        assert_eq!(h[2].break_, Some(Break::ModelChanged));
        assert!(!h[2].areas[0].regression);
    }

    #[test]
    fn a_lower_level_is_a_regression() {
        let points = [
            point(Source::Assessment(AssessmentId(1)), "1.0.0", Mode::Detailed, 2, 2.1),
            point(Source::Assessment(AssessmentId(2)), "1.0.0", Mode::Detailed, 1, 1.3),
        ];
        let h = history(&points);
        assert!(h[1].areas[0].regression);
        assert_eq!(h[1].areas[0].trend, Some(Trend::Down));
    }
}
