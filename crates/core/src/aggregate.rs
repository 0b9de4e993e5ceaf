//! A team's result from many respondents of one round (PRODUCT.md, "Teams").
//!
//! This module owns how many answers become one team result: every response
//! is scored with [`scoring::assess`] (there is one definition of scoring),
//! then each area is summarised by the spread of the respondents' scores and
//! the distribution of their levels. In detailed mode it also counts the
//! answers per statement and explains the area from the team's *mean answer*
//! per statement, through the same [`scoring::score_area_with`] that explains
//! one person's answers.
//!
//! # Quartiles
//! Quartiles and the median use linear interpolation between closest ranks
//! (spreadsheet `QUARTILE.INC`, R's type 7): for `n` sorted values
//! `x[0] ≤ … ≤ x[n−1]` the `p`-quantile sits at position `h = (n − 1)·p`
//! and is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`. The median of an even
//! count is therefore the mean of the middle two. One method everywhere, so a
//! team's IQR and an org roll-up's IQR mean the same thing.
//!
//! # What is not public
//! The answers of a round arrive as [`Responses`], which nothing outside
//! this crate can read back: the store hands them over, and the only thing
//! done with them is [`aggregate`].
//!
//! A [`GroupResult`] is opaque outside this crate apart from its counts: the
//! aggregate values are reached only through [`crate::anonymity`], which
//! decides whether a group (and each of its areas) has enough respondents to
//! be shown. The per-respondent scores it keeps for pooled roll-ups are
//! readable only inside this crate and never printed, because a single
//! person's score must never reach a screen. The one serialized form is the
//! [`KeptResult`] the store keeps for a closed round, which
//! is read back only into a `GroupResult` and gated again (the `kept`
//! module).

mod kept;

use std::fmt;

use asyncmm_model::{Area, AreaId, Level, Model, StatementId};
use num_rational::Ratio;
use num_traits::ToPrimitive;
use serde::Serialize;

use crate::anonymity::Shown;
use crate::answers::{Answer, Answers, Mode};
use crate::assessment::ModelRef;
use crate::scoring::{self, AreaResult, AreaScore, AssessmentResult, Score};

pub use kept::{KEPT_FORMAT, Kept, KeptError, KeptResult, KeptSummary, StatementCounts};

/// The answers of a round's responses, on their way from the store to
/// [`aggregate`]. They can be built from answers (the store builds them,
/// tests build expected values) and compared, but not read back outside
/// this crate, so no caller can print one person's answers by accident.
/// `Debug` shows only the count. Equality ignores order: the order of
/// responses means nothing.
#[derive(Clone, Default)]
pub struct Responses(Vec<Answers>);

impl Responses {
    pub fn new(answers: Vec<Answers>) -> Responses {
        Responses(answers)
    }

    /// How many responses there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds one response (the store collects a round's responses one by one).
    pub fn push(&mut self, answers: Answers) {
        self.0.push(answers);
    }

    pub(crate) fn answers(&self) -> &[Answers] {
        &self.0
    }

    /// The answers in a canonical order, for order-free comparison.
    fn canonical(&self) -> Vec<Vec<(String, Option<u8>)>> {
        let mut all: Vec<Vec<(String, Option<u8>)>> = self.0.iter().map(Answers::canonical_pairs).collect();
        all.sort();
        all
    }
}

impl PartialEq for Responses {
    fn eq(&self, other: &Responses) -> bool {
        self.0.len() == other.0.len() && self.canonical() == other.canonical()
    }
}

impl fmt::Debug for Responses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Responses(<{} hidden>)", self.0.len())
    }
}

impl From<Vec<Answers>> for Responses {
    fn from(answers: Vec<Answers>) -> Responses {
        Responses(answers)
    }
}

/// Why answers could not be aggregated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    #[error(
        "response {index} was answered in {found} mode but the round is in {expected} mode: one round has one mode"
    )]
    ModeMismatch { index: usize, expected: Mode, found: Mode },
}

/// The `p`-quantile (0 ≤ p ≤ 1) of ascending `sorted` values, by linear
/// interpolation between closest ranks (R type 7). `None` for no values.
pub fn quantile(sorted: &[Score], p: f64) -> Option<Score> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let floor = h.floor();
    // `h` lies within 0..=last, so the cast can't truncate.
    let lo = floor as usize;
    let low = sorted.get(lo)?.value();
    let Some(high) = sorted.get(lo + 1).map(|s| s.value()) else {
        return Some(Score::new(low));
    };
    // Rounding in `low + f·(high − low)` could step a hair outside the
    // bracket; clamping keeps min ≤ q1 ≤ median ≤ q3 ≤ max exact.
    let value = (low + (h - floor) * (high - low)).clamp(low, high);
    Some(Score::new(value))
}

/// Min, quartiles and max of a set of scores (method: see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub min: Score,
    pub q1: Score,
    pub median: Score,
    pub q3: Score,
    pub max: Score,
    /// q3 − q1.
    pub iqr: f64,
}

impl Spread {
    /// The spread of `scores` in any order; `None` when there are none.
    pub fn of(scores: &[Score]) -> Option<Spread> {
        let mut sorted = scores.to_vec();
        sort_scores(&mut sorted);
        Spread::of_sorted(&sorted)
    }

    fn of_sorted(sorted: &[Score]) -> Option<Spread> {
        let q1 = quantile(sorted, 0.25)?;
        let q3 = quantile(sorted, 0.75)?;
        Some(Spread {
            min: *sorted.first()?,
            q1,
            median: quantile(sorted, 0.5)?,
            q3,
            max: *sorted.last()?,
            iqr: q3.value() - q1.value(),
        })
    }
}

/// Scores are never NaN (`Score::new` maps NaN to 0), so this total order is
/// the numeric order; sorting also forgets the order responses arrived in.
pub(crate) fn sort_scores(scores: &mut [Score]) {
    scores.sort_by(|a, b| a.value().total_cmp(&b.value()));
}

/// What a group's scores in one area say: their spread, the level nearest
/// the median and whether the group disagrees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub spread: Spread,
    /// The level nearest the median score; x.5 rounds down.
    pub level: Level,
    /// IQR ≥ 1: the middle half spans a whole level or more.
    pub disagreement: bool,
    /// How many of the summarised units sit at each level (index = level).
    pub levels: [u64; Level::COUNT],
}

impl Summary {
    /// `sorted` must be ascending; `None` when empty.
    pub(crate) fn of_sorted(sorted: &[Score], levels: [u64; Level::COUNT]) -> Option<Summary> {
        let spread = Spread::of_sorted(sorted)?;
        Some(Summary {
            spread,
            level: spread.median.nearest_level(),
            disagreement: spread.iqr >= 1.0,
            levels,
        })
    }
}

/// How a group answered one statement (detailed mode).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementAggregate {
    pub statement: StatementId,
    /// Respondents per agreement 0, 1, 2, 3.
    pub agreement: [u64; 4],
    pub dont_know: u64,
    /// Exact mean agreement of those who gave one (sum ÷ count); `None`
    /// when everybody said "don't know" or skipped it.
    #[serde(serialize_with = "serialize_mean")]
    pub mean: Option<Ratio<i64>>,
}

impl StatementAggregate {
    /// Respondents who gave an agreement (not "don't know").
    pub fn answered(&self) -> u64 {
        self.agreement.iter().sum()
    }
}

fn serialize_mean<S: serde::Serializer>(mean: &Option<Ratio<i64>>, s: S) -> Result<S::Ok, S::Error> {
    match mean.and_then(|m| m.to_f64()) {
        Some(v) => s.serialize_some(&v),
        None => s.serialize_none(),
    }
}

/// A group's result in one area, as shown once anonymity allows it. Built
/// only by [`crate::anonymity`], which gates each statement on its own count
/// and explains the area from the statements it shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaAggregate {
    pub area: AreaId,
    /// Respondents whose area was assessed (answered at least one statement
    /// or picked a level).
    pub n: u64,
    #[serde(flatten)]
    pub summary: Summary,
    /// Respondents whose answers in this area fit no level profile.
    pub inconsistent: u64,
    /// Respondents who answered fewer than half of the area's statements.
    pub low_confidence: u64,
    /// Detailed mode only, in model order: each statement's answers, shown
    /// only when at least k respondents gave an agreement (not "don't
    /// know"); otherwise hidden with the number who did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statements: Option<Vec<Shown<StatementAggregate>>>,
    /// Detailed mode only: the scoring rule applied to the team's mean answer
    /// per statement — fit per level and what holds the team back — over
    /// the statements shown above only (a hidden statement's mean could be
    /// worked back out of the fit). Its level can differ from
    /// `summary.level` (nearest the median of individual scores): one
    /// describes the team's middle member, the other its average answer
    /// pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<AreaResult>,
    /// The mean answers were rounded to 1/720720 before explaining, because
    /// their exact common denominator was too large for 64-bit arithmetic
    /// (see [`EXACT_DENOMINATOR_LIMIT`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub explanation_rounded: bool,
}

/// Per-respondent scores of one area, ascending. Kept only so roll-ups can
/// pool respondents; `Debug` shows the count alone so a log line can't leak
/// a person's score.
#[derive(Clone, PartialEq)]
pub(crate) struct RespondentScores(Vec<Score>);

impl fmt::Debug for RespondentScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RespondentScores(<{} hidden>)", self.0.len())
    }
}

/// One area of a [`GroupResult`], before anonymity decides what of it shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AreaData {
    pub(crate) area: AreaId,
    pub(crate) n: u64,
    /// `None` exactly when `n == 0`: an area nobody was assessed in has no
    /// result, not an empty one.
    pub(crate) summary: Option<Summary>,
    pub(crate) inconsistent: u64,
    pub(crate) low_confidence: u64,
    /// Detailed mode only, in model order, ungated.
    pub(crate) statements: Option<Vec<StatementAggregate>>,
    scores: RespondentScores,
}

impl AreaData {
    /// Individual scores, ascending. Only roll-up code may call this, and
    /// only to pool them into a larger group's summary; they must never be
    /// shown one by one.
    pub(crate) fn respondent_scores(&self) -> &[Score] {
        &self.scores.0
    }
}

/// The result of one round: many respondents, one model version, one mode.
///
/// Built only by [`aggregate`]. Only counts are readable here; the values go
/// through [`crate::anonymity::show_round`] or [`crate::anonymity::rollup`].
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    model: ModelRef,
    /// The model's comparable line (`id@first version`): rounds of one
    /// lineage and mode roll up together.
    lineage: String,
    mode: Mode,
    respondents: u64,
    areas: Vec<AreaData>,
}

impl GroupResult {
    pub fn model(&self) -> &ModelRef {
        &self.model
    }

    pub fn lineage(&self) -> &str {
        &self.lineage
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Number of responses aggregated.
    pub fn respondents(&self) -> u64 {
        self.respondents
    }

    /// Respondents assessed in `area`; 0 for an area not in the model.
    pub fn area_n(&self, area: &AreaId) -> u64 {
        self.areas.iter().find(|a| &a.area == area).map_or(0, |a| a.n)
    }

    pub(crate) fn areas(&self) -> &[AreaData] {
        &self.areas
    }
}

/// Aggregates the responses of one round, answered with `model` in `mode`.
///
/// Every response must be in `mode`: mixing quick and detailed answers would
/// summarise two different instruments as one.
pub fn aggregate(model: &Model, mode: Mode, responses: &Responses) -> Result<GroupResult, AggregateError> {
    let responses = responses.answers();
    if let Some((index, found)) = responses
        .iter()
        .map(Answers::mode)
        .enumerate()
        .find(|(_, m)| *m != mode)
    {
        return Err(AggregateError::ModeMismatch {
            index,
            expected: mode,
            found,
        });
    }
    let results: Vec<AssessmentResult> = responses.iter().map(|r| scoring::assess(model, r)).collect();
    let areas = model
        .areas
        .iter()
        .map(|area| aggregate_area(area, responses, &results))
        .collect();
    Ok(GroupResult {
        model: ModelRef::of(model),
        lineage: model.lineage().to_string(),
        mode,
        respondents: count(responses.len()),
        areas,
    })
}

fn aggregate_area(area: &Area, responses: &[Answers], results: &[AssessmentResult]) -> AreaData {
    let scored: Vec<&AreaScore> = results
        .iter()
        .filter_map(|r| r.area(&area.id))
        .filter_map(|a| a.scored.as_ref())
        .collect();
    let mut scores: Vec<Score> = scored.iter().map(|s| s.score).collect();
    sort_scores(&mut scores);
    let mut levels = [0u64; Level::COUNT];
    for s in &scored {
        levels[s.level.index()] += 1;
    }
    let n = count(scored.len());
    AreaData {
        area: area.id.clone(),
        n,
        summary: Summary::of_sorted(&scores, levels),
        inconsistent: count(scored.iter().filter(|s| s.inconsistent).count()),
        low_confidence: count(scored.iter().filter(|s| s.low_confidence).count()),
        statements: detailed_only(responses).map(|detailed| statement_aggregates(area, &detailed)),
        scores: RespondentScores(scores),
    }
}

/// The detailed answers, or `None` in quick mode. `aggregate` has already
/// checked that all responses share one mode.
fn detailed_only(responses: &[Answers]) -> Option<Vec<&crate::answers::DetailedAnswers>> {
    responses
        .iter()
        .map(|r| match r {
            Answers::Detailed(d) => Some(d),
            Answers::Quick(_) => None,
        })
        .collect()
}

fn statement_aggregates(area: &Area, responses: &[&crate::answers::DetailedAnswers]) -> Vec<StatementAggregate> {
    area.statements
        .iter()
        .map(|statement| {
            let mut agreement = [0u64; 4];
            let mut dont_know = 0;
            let mut sum: i64 = 0;
            let mut answered: i64 = 0;
            for response in responses {
                match response.get(&statement.id) {
                    Some(Answer::Agree(a)) => {
                        agreement[usize::from(a.value())] += 1;
                        sum += i64::from(a.value());
                        answered += 1;
                    }
                    Some(Answer::DontKnow) => dont_know += 1,
                    None => {}
                }
            }
            StatementAggregate {
                statement: statement.id.clone(),
                agreement,
                dont_know,
                mean: (answered > 0).then(|| Ratio::new(sum, answered)),
            }
        })
        .collect()
}

/// The largest common denominator of an area's mean answers that scoring can
/// handle exactly. Scoring's intermediate values stay below ~72 × this
/// common denominator (level means multiply it by at most 3, distances by at
/// most 4 more, numerators by at most 12), so 2^55 leaves i64 headroom. Any
/// team of up to 40 respondents stays far below it in practice; only large
/// groups with "don't know" patterns that give many coprime counts reach it.
pub const EXACT_DENOMINATOR_LIMIT: u128 = 1 << 55;

/// The grid mean answers are rounded to when exact arithmetic would
/// overflow: lcm(1..=16), so every rounded mean of up to 16 answers is
/// still exact and the error is below 1e-6 otherwise.
const ROUNDING_DENOMINATOR: i64 = 720_720;

/// The scoring rule applied to the team's mean answer per statement, over
/// `statements` (the ones anonymity lets show). Returns whether the means had
/// to be rounded.
pub(crate) fn explain(model: &Model, area: &Area, statements: &[&StatementAggregate]) -> (AreaResult, bool) {
    let mut common: Option<u128> = Some(1);
    for mean in statements.iter().filter_map(|s| s.mean) {
        common = common.and_then(|c| lcm(c, mean.denom().unsigned_abs().into()));
    }
    let exact = common.is_some_and(|c| c <= EXACT_DENOMINATOR_LIMIT);
    let mean_of = |id: &StatementId| {
        let mean = statements.iter().find(|s| &s.statement == id)?.mean?;
        Some(if exact { mean } else { round_to_grid(mean) })
    };
    (scoring::score_area_with(&model.scoring, area, mean_of), !exact)
}

fn round_to_grid(mean: Ratio<i64>) -> Ratio<i64> {
    // Means are 0..=3, so these i128 products can't overflow and the result
    // fits i64 again.
    let numer = i128::from(*mean.numer());
    let denom = i128::from(*mean.denom());
    let grid = i128::from(ROUNDING_DENOMINATOR);
    let rounded = (2 * numer * grid + denom).div_euclid(2 * denom);
    Ratio::new(i64::try_from(rounded).unwrap_or(0), ROUNDING_DENOMINATOR)
}

fn lcm(a: u128, b: u128) -> Option<u128> {
    if a == 0 || b == 0 {
        return Some(0);
    }
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    (a / x).checked_mul(b)
}

pub(crate) fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
