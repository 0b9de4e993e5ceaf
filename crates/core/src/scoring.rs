//! The one scoring rule of asyncmm (PRODUCT.md, "Scoring").
//!
//! Answers are compared with the answer pattern a team at each level would
//! give (the model's ideal profiles). Distances are computed with exact
//! rational numbers because ties between levels are meaningful ("ties go to
//! the lower level") and floating-point rounding would break them; only the
//! continuous score, which is a weighted mean, uses floating point.

use asyncmm_model::{Area, AreaId, Level, Model, Scoring, StatementId};
use num_rational::Ratio;
use num_traits::{Signed, ToPrimitive, Zero};
use serde::Serialize;

use crate::answers::{Agreement, Answer, Answers, DetailedAnswers, QuickAnswers};

/// An exact non-negative rational distance.
pub type Distance = Ratio<i64>;

/// A continuous score between 0 and 3.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Score(f64);

impl Score {
    /// Scores are always within 0–3; values outside are clamped so a
    /// `Score` can't hold anything else.
    pub fn new(value: f64) -> Score {
        if value.is_nan() {
            Score(0.0)
        } else {
            Score(value.clamp(0.0, 3.0))
        }
    }

    pub fn value(self) -> f64 {
        self.0
    }

    /// The level nearest to this score; x.5 rounds down.
    pub fn nearest_level(self) -> Level {
        let rounded = (self.0 - 0.5).ceil().clamp(0.0, 3.0);
        // The clamp keeps the value within 0..=3, so the cast can't truncate.
        Level::new(rounded as u8).unwrap_or(Level::MIN)
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

/// Whether higher-level teams agree more (a practice) or less (a deficit)
/// with statements of a level, read from the model's profiles so custom
/// models stay consistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    Practice,
    Deficit,
}

pub fn polarity(scoring: &Scoring, statement_level: Level) -> Polarity {
    let top = scoring.profile(Level::MAX).expected(statement_level);
    let bottom = scoring.profile(Level::MIN).expected(statement_level);
    if top > bottom {
        Polarity::Practice
    } else {
        Polarity::Deficit
    }
}

/// How well the answers match each level's profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelFit {
    /// d(ℓ): mean absolute gap between answers and level ℓ's profile.
    #[serde(serialize_with = "serialize_distances")]
    pub distances: [Distance; Level::COUNT],
}

/// Exact distances are written as `"n/d"` strings so no precision is lost.
fn serialize_distances<S: serde::Serializer>(d: &[Distance; Level::COUNT], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(d.len()))?;
    for x in d {
        seq.serialize_element(&x.to_string())?;
    }
    seq.end()
}

impl LevelFit {
    pub fn distance(&self, level: Level) -> Distance {
        self.distances[level.index()]
    }

    /// 1 − d(ℓ)/3, shown as bars.
    pub fn fit(&self, level: Level) -> f64 {
        1.0 - ratio_to_f64(self.distance(level)) / 3.0
    }
}

/// One statement that keeps an area from the next level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub statement: StatementId,
    pub polarity: Polarity,
    /// Mean agreement given (a single answer for one respondent).
    pub answered: f64,
    /// Agreement the target level's profile expects.
    pub expected: u8,
}

impl Gap {
    pub fn size(&self) -> f64 {
        (self.answered - f64::from(self.expected)).abs()
    }
}

/// The scored result of an assessed area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaScore {
    pub level: Level,
    pub score: Score,
    /// Present in detailed mode only.
    pub fit: Option<LevelFit>,
    /// No profile lies within one agreement point on average.
    pub inconsistent: bool,
    /// Fewer than half of the area's statements were answered.
    pub low_confidence: bool,
    /// The level the explanation aims at: the next one, or the top.
    pub target: Level,
    /// What holds the area back, largest gap first.
    pub holding_back: Vec<Gap>,
}

/// Result for one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaResult {
    pub area: AreaId,
    pub answered: usize,
    pub total: usize,
    /// `None` when nothing in the area was answered.
    pub scored: Option<AreaScore>,
}

/// The five area levels, their mean score and the weakest area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overall {
    pub mean_score: Option<Score>,
    pub weakest: Option<AreaId>,
    pub assessed_areas: usize,
}

/// The explained result of one set of answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentResult {
    pub areas: Vec<AreaResult>,
    pub overall: Overall,
}

impl AssessmentResult {
    pub fn area(&self, id: &AreaId) -> Option<&AreaResult> {
        self.areas.iter().find(|a| &a.area == id)
    }
}

fn ratio_to_f64(r: Distance) -> f64 {
    r.to_f64().unwrap_or(f64::MAX)
}

/// Mean agreement per statement level, over the answered statements only.
fn level_means(area: &Area, answer_of: impl Fn(&StatementId) -> Option<Ratio<i64>>) -> [Option<Ratio<i64>>; 4] {
    let mut sums = [Ratio::zero(); 4];
    let mut counts = [0_i64; 4];
    for statement in &area.statements {
        if let Some(value) = answer_of(&statement.id) {
            let i = statement.level().index();
            sums[i] += value;
            counts[i] += 1;
        }
    }
    let mut means = [None; 4];
    for i in 0..Level::COUNT {
        if counts[i] > 0 {
            means[i] = Some(sums[i] / Ratio::from_integer(counts[i]));
        }
    }
    means
}

/// d(ℓ) for every ℓ; `None` when no level has answers.
pub fn distances(scoring: &Scoring, means: &[Option<Ratio<i64>>; 4]) -> Option<[Distance; 4]> {
    let answered_levels = means.iter().flatten().count();
    if answered_levels == 0 {
        return None;
    }
    let divisor = Ratio::from_integer(i64::try_from(answered_levels).unwrap_or(1));
    let mut out = [Ratio::zero(); 4];
    for team_level in Level::ALL {
        let profile = scoring.profile(team_level);
        let mut total = Ratio::zero();
        for statement_level in Level::ALL {
            if let Some(mean) = means[statement_level.index()] {
                let ideal = Ratio::from_integer(i64::from(profile.expected(statement_level)));
                total += (mean - ideal).abs();
            }
        }
        out[team_level.index()] = total / divisor;
    }
    Some(out)
}

/// Level = argmin d, ties to the lower level.
pub fn closest_level(d: &[Distance; 4]) -> Level {
    let mut best = Level::MIN;
    for level in Level::ALL {
        if d[level.index()] < d[best.index()] {
            best = level;
        }
    }
    best
}

/// Expected level under weights exp(−β·d), kept within half a level of `level`.
pub fn continuous_score(beta: f64, d: &[Distance; 4], level: Level) -> Score {
    let as_f64 = d.map(ratio_to_f64);
    // Shifting by the smallest distance keeps every weight in (0, 1] so the
    // sum can't underflow to zero; the ratio is unchanged.
    let min = as_f64.iter().copied().fold(f64::INFINITY, f64::min);
    let mut weighted = 0.0;
    let mut total = 0.0;
    for l in Level::ALL {
        let w = (-beta * (as_f64[l.index()] - min)).exp();
        weighted += f64::from(l.number()) * w;
        total += w;
    }
    let expected = weighted / total;
    let centre = f64::from(level.number());
    Score::new(expected.clamp(centre - 0.5, centre + 0.5))
}

/// Scores one area of a detailed assessment given a function that yields the
/// (possibly averaged) agreement per statement. Shared by single respondents
/// and team means.
pub fn score_area_with(
    scoring: &Scoring,
    area: &Area,
    answer_of: impl Fn(&StatementId) -> Option<Ratio<i64>>,
) -> AreaResult {
    let total = area.statements.len();
    let answered = area.statements.iter().filter(|s| answer_of(&s.id).is_some()).count();
    let means = level_means(area, &answer_of);
    let Some(d) = distances(scoring, &means) else {
        return AreaResult {
            area: area.id.clone(),
            answered,
            total,
            scored: None,
        };
    };
    let level = closest_level(&d);
    let score = continuous_score(scoring.beta, &d, level);
    let target = level.next().unwrap_or(level);
    let holding_back = gaps(scoring, area, target, &answer_of);
    AreaResult {
        area: area.id.clone(),
        answered,
        total,
        scored: Some(AreaScore {
            level,
            score,
            inconsistent: d[level.index()] > Ratio::from_integer(1),
            low_confidence: answered * 2 < total,
            fit: Some(LevelFit { distances: d }),
            target,
            holding_back,
        }),
    }
}

/// Statements whose answers keep the area from `target`: practices agreed
/// with less than the target expects and deficits agreed with more.
fn gaps(
    scoring: &Scoring,
    area: &Area,
    target: Level,
    answer_of: &impl Fn(&StatementId) -> Option<Ratio<i64>>,
) -> Vec<Gap> {
    let profile = scoring.profile(target);
    let mut out: Vec<(usize, Gap)> = area
        .statements
        .iter()
        .enumerate()
        .filter_map(|(order, s)| {
            let value = answer_of(&s.id)?;
            let expected = profile.expected(s.level());
            let expected_ratio = Ratio::from_integer(i64::from(expected));
            let polarity = polarity(scoring, s.level());
            let holds_back = match polarity {
                Polarity::Practice => value < expected_ratio,
                Polarity::Deficit => value > expected_ratio,
            };
            holds_back.then(|| {
                (
                    order,
                    Gap {
                        statement: s.id.clone(),
                        polarity,
                        answered: ratio_to_f64(value),
                        expected,
                    },
                )
            })
        })
        .collect();
    out.sort_by(|(oa, a), (ob, b)| b.size().total_cmp(&a.size()).then(oa.cmp(ob)));
    out.into_iter().map(|(_, g)| g).collect()
}

/// Scores one area of one respondent's detailed answers.
pub fn score_area(scoring: &Scoring, area: &Area, answers: &DetailedAnswers) -> AreaResult {
    score_area_with(scoring, area, |id| {
        answers
            .get(id)
            .and_then(Answer::agreement)
            .map(|a: Agreement| Ratio::from_integer(i64::from(a.value())))
    })
}

/// Quick mode: the picked level is the score.
pub fn score_quick_area(area: &Area, answers: &QuickAnswers) -> AreaResult {
    let scored = answers.get(&area.id).map(|level| AreaScore {
        level,
        score: Score::new(f64::from(level.number())),
        fit: None,
        inconsistent: false,
        low_confidence: false,
        target: level.next().unwrap_or(level),
        holding_back: Vec::new(),
    });
    AreaResult {
        area: area.id.clone(),
        answered: usize::from(scored.is_some()),
        total: 1,
        scored,
    }
}

/// The overall view of a set of area results.
pub fn overall(areas: &[AreaResult]) -> Overall {
    let scored: Vec<(&AreaId, Score)> = areas
        .iter()
        .filter_map(|a| a.scored.as_ref().map(|s| (&a.area, s.score)))
        .collect();
    let mean_score = (!scored.is_empty())
        .then(|| Score::new(scored.iter().map(|(_, s)| s.value()).sum::<f64>() / scored.len() as f64));
    // Ties go to the area listed first in the model.
    let weakest = scored
        .iter()
        .fold(None::<(&AreaId, Score)>, |best, &(id, s)| match best {
            Some((_, b)) if b.value() <= s.value() => best,
            _ => Some((id, s)),
        })
        .map(|(id, _)| id.clone());
    Overall {
        mean_score,
        weakest,
        assessed_areas: scored.len(),
    }
}

/// Scores a whole assessment against its model.
pub fn assess(model: &Model, answers: &Answers) -> AssessmentResult {
    let areas: Vec<AreaResult> = model
        .areas
        .iter()
        .map(|area| match answers {
            Answers::Quick(q) => score_quick_area(area, q),
            Answers::Detailed(d) => score_area(&model.scoring, area, d),
        })
        .collect();
    let overall = overall(&areas);
    AssessmentResult { areas, overall }
}
