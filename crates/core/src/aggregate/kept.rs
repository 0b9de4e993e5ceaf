//! The form in which a closed round's [`GroupResult`] is kept by the store,
//! so views over many rounds read it instead of scoring every answer again.
//!
//! What is kept is the aggregate *before* the anonymity gate: counts, each
//! area's level distribution and its respondents' scores (ascending, tied
//! to nobody — the same information the pooled roll-up reads), and each
//! statement's answer counts. The gate ([`crate::anonymity::show_round`],
//! [`crate::anonymity::rollup`]) is applied every time a kept result is
//! read, with the round's k and state of that moment, exactly as for a
//! freshly computed one: nothing gated is ever kept, so nothing can show
//! that the gate would hide.
//!
//! Restoring gives back a result equal to the one kept: summaries are
//! recomputed from the kept scores by the same code that built them,
//! statement means from the counts (`sum ÷ answered`, exactly), and scores
//! travel as the bits of their `f64` so no digit is lost.
//!
//! Like [`GroupResult`], a [`KeptResult`] shows only its counts in `Debug`;
//! its serialized form is meant for the store (it lives beside the answers
//! it was computed from), never for a screen or a file a person reads.

use std::fmt;

use asyncmm_model::{AreaId, Level, StatementId};
use num_rational::Ratio;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::{AreaData, GroupResult, RespondentScores, StatementAggregate, Summary, sort_scores};
use crate::answers::Mode;
use crate::assessment::ModelRef;
use crate::scoring::Score;

/// The version of this form; a kept result of another version is not
/// restored (the round is aggregated again).
pub const KEPT_FORMAT: u32 = 1;

/// A [`GroupResult`] as the store keeps it (see the module doc). Built by
/// [`GroupResult::keep`], turned back by [`KeptResult::restore`].
pub type KeptResult = Kept<StatementCounts>;

/// A kept result read for the views that show summaries only (the org
/// views): its statement counts are skipped unread, so
/// [`KeptSummary::restore`] gives a [`GroupResult`] whose detailed areas
/// carry no statement aggregates. Such a result is for
/// [`crate::anonymity::show_round_brief`] and the roll-ups, which never
/// read statements; at 10,000 rounds the counts are most of what a view
/// would otherwise decode.
pub type KeptSummary = Kept<IgnoredAny>;

/// Detailed mode: `(statement, agreement 0–3 counts, don't know)`.
pub type StatementCounts = Vec<(StatementId, [u64; 4], u64)>;

/// The kept form, its statement counts read as `S` (see [`KeptResult`]
/// and [`KeptSummary`]).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Kept<S> {
    #[serde(rename = "f")]
    format: u32,
    model: String,
    version: String,
    lineage: String,
    mode: Mode,
    #[serde(rename = "n")]
    respondents: u64,
    areas: Vec<KeptArea<S>>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
struct KeptArea<S> {
    id: AreaId,
    n: u64,
    #[serde(rename = "inc")]
    inconsistent: u64,
    #[serde(rename = "low")]
    low_confidence: u64,
    levels: [u64; Level::COUNT],
    /// Respondents' scores, ascending, as `f64` bits.
    scores: Vec<u64>,
    /// Detailed mode: the statement counts ([`StatementCounts`] when read
    /// whole).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "st")]
    statements: Option<S>,
}

/// Why a kept result can't be restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeptError {
    #[error("a kept result of format {found}, expected {KEPT_FORMAT}")]
    Format { found: u32 },
    #[error("a kept result does not add up: {0}")]
    Inconsistent(&'static str),
}

impl<S> fmt::Debug for Kept<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "KeptResult({}@{}, {} respondents, <values hidden>)",
            self.model, self.version, self.respondents
        )
    }
}

impl<S> Kept<S> {
    /// Number of responses the result was aggregated from: the store keeps
    /// it beside the result, so a round whose responses changed since is
    /// never served its old result.
    pub fn respondents(&self) -> u64 {
        self.respondents
    }

    fn restore_with(
        self,
        statements: impl Fn(Option<S>) -> Option<Vec<StatementAggregate>>,
    ) -> Result<GroupResult, KeptError> {
        if self.format != KEPT_FORMAT {
            return Err(KeptError::Format { found: self.format });
        }
        let areas = self
            .areas
            .into_iter()
            .map(|area| area.restore(&statements))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(GroupResult {
            model: ModelRef {
                id: self.model,
                version: self.version,
            },
            lineage: self.lineage,
            mode: self.mode,
            respondents: self.respondents,
            areas,
        })
    }
}

impl KeptResult {
    /// The result as it was kept.
    pub fn restore(self) -> Result<GroupResult, KeptError> {
        self.restore_with(|counts| counts.map(restore_statements))
    }
}

impl KeptSummary {
    /// The result as it was kept, without statement aggregates (see
    /// [`KeptSummary`]).
    pub fn restore(self) -> Result<GroupResult, KeptError> {
        self.restore_with(|_| None)
    }
}

fn restore_statements(all: StatementCounts) -> Vec<StatementAggregate> {
    all.into_iter()
        .map(|(statement, agreement, dont_know)| {
            let answered: u64 = agreement.iter().sum();
            let sum: u64 = agreement.iter().zip(0u64..).map(|(count, value)| count * value).sum();
            let mean = match (i64::try_from(sum), i64::try_from(answered)) {
                (Ok(sum), Ok(answered)) if answered > 0 => Some(Ratio::new(sum, answered)),
                _ => None,
            };
            StatementAggregate {
                statement,
                agreement,
                dont_know,
                mean,
            }
        })
        .collect()
}

impl<S> KeptArea<S> {
    fn restore(self, statements: impl Fn(Option<S>) -> Option<Vec<StatementAggregate>>) -> Result<AreaData, KeptError> {
        let mut scores: Vec<Score> = self.scores.into_iter().map(|b| Score::new(f64::from_bits(b))).collect();
        if super::count(scores.len()) != self.n || self.levels.iter().sum::<u64>() != self.n {
            return Err(KeptError::Inconsistent("an area's counts differ"));
        }
        // Kept ascending; sorting again is cheap and makes that certain.
        sort_scores(&mut scores);
        let statements = statements(self.statements);
        Ok(AreaData {
            area: self.id,
            n: self.n,
            summary: Summary::of_sorted(&scores, self.levels),
            inconsistent: self.inconsistent,
            low_confidence: self.low_confidence,
            statements,
            scores: RespondentScores(scores),
        })
    }
}

impl GroupResult {
    /// This result in the form the store keeps (see the module doc).
    pub fn keep(&self) -> KeptResult {
        KeptResult {
            format: KEPT_FORMAT,
            model: self.model.id.clone(),
            version: self.model.version.clone(),
            lineage: self.lineage.clone(),
            mode: self.mode,
            respondents: self.respondents,
            areas: self
                .areas
                .iter()
                .map(|a| KeptArea {
                    id: a.area.clone(),
                    n: a.n,
                    inconsistent: a.inconsistent,
                    low_confidence: a.low_confidence,
                    levels: a.summary.as_ref().map_or([0; Level::COUNT], |s| s.levels),
                    scores: a.scores.0.iter().map(|s| s.value().to_bits()).collect(),
                    statements: a.statements.as_ref().map(|all| {
                        all.iter()
                            .map(|s| (s.statement.clone(), s.agreement, s.dont_know))
                            .collect()
                    }),
                })
                .collect(),
        }
    }
}
