//! A team's record: its shown rounds (closed, at least k responses) and its
//! self-assessments, each marked as what it is — the history, the trend and
//! radar charts, the team report, and "where does the team stand now".
//!
//! "Now" is the team's newest shown round, else its newest self-assessment:
//! a round is the team's view, a self-assessment one person's, so a lead's
//! own quick check never overrides what the team said. Plans and the CI gate
//! use the same rule, so they never disagree about where a team stands.
//!
//! Comparisons stay within one kind (round with round, self-assessment with
//! self-assessment) and one model lineage and mode; a switch between quick
//! and detailed mode is reported as a change of instrument, not a drop
//! (`asyncmm_core::history`).

use asyncmm_core::history::{AreaPoint, Point, Source, history};
use asyncmm_core::plan::{Standing, agreement_of};
use asyncmm_core::{Answers, GroupView, Round, RoundState, StoredAssessment, TeamName, assess};
use asyncmm_model::{AreaId, Level, Model};
use asyncmm_report::data::{AssessmentMeta, AssessmentReport, HistoryReport, HistoryRow, RoundSpread};
use asyncmm_report::team::RoundReport;
use asyncmm_store::StoreError;
use time::Date;

use crate::models::{StoredModels, lineage, stored_model};
use crate::results::ShownRound;
use crate::{App, AppError};

/// One shown result of a team, with what is needed to explain it.
#[derive(Debug)]
pub struct RecordEntry {
    pub source: Source,
    /// The day it speaks for: a round's closing day, an assessment's day.
    pub date: Date,
    pub model: Model,
    pub standings: Vec<Standing>,
    pub detail: Detail,
}

/// What the entry is.
#[derive(Debug)]
pub enum Detail {
    Round(Box<ShownRound>),
    Assessment(Box<StoredAssessment>),
}

impl RecordEntry {
    /// "round 3" or "assessment #12".
    pub fn label(&self) -> String {
        source_label(self.source)
    }

    pub fn level(&self, area: &AreaId) -> Option<Level> {
        self.standings.iter().find(|s| &s.area == area).map(|s| s.level)
    }
}

pub fn source_label(source: Source) -> String {
    match source {
        Source::Round(id) => format!("round {id}"),
        Source::Assessment(id) => format!("assessment #{}", id.0),
    }
}

/// Where a team stands now, and what it is compared with.
#[derive(Debug)]
pub struct Current {
    pub entry: RecordEntry,
    /// The previous result of the same kind, model lineage and mode.
    pub previous: Option<RecordEntry>,
}

/// A team's record, oldest first.
#[derive(Debug)]
pub struct TeamRecord {
    pub team: TeamName,
    pub entries: Vec<RecordEntry>,
}

impl TeamRecord {
    /// The newest shown round, else the newest self-assessment, with the
    /// previous comparable result of the same kind.
    pub fn current(self) -> Option<Current> {
        let mut entries = self.entries;
        let at = entries
            .iter()
            .rposition(|e| matches!(e.source, Source::Round(_)))
            .or_else(|| entries.len().checked_sub(1))?;
        let previous_at = entries[..at].iter().rposition(|e| comparable(e, &entries[at]));
        let entry = entries.remove(at);
        let previous = previous_at.map(|i| entries.remove(i));
        Some(Current { entry, previous })
    }
}

fn mode_of(entry: &RecordEntry) -> asyncmm_core::Mode {
    match &entry.detail {
        Detail::Round(r) => r.round.mode,
        Detail::Assessment(a) => a.answers.mode(),
    }
}

/// Same kind, same lineage, same mode.
fn comparable(a: &RecordEntry, b: &RecordEntry) -> bool {
    let same_kind = matches!(
        (a.source, b.source),
        (Source::Round(_), Source::Round(_)) | (Source::Assessment(_), Source::Assessment(_))
    );
    same_kind && lineage(&a.model) == lineage(&b.model) && mode_of(a) == mode_of(b)
}

/// The standings of a shown round: median level and score per visible
/// area, and the team's mean answer per shown statement.
pub(crate) fn round_standings(view: &GroupView) -> Vec<Standing> {
    view.areas
        .iter()
        .filter_map(|a| a.value())
        .map(|a| Standing {
            area: a.area.clone(),
            level: a.summary.level,
            score: a.summary.spread.median,
            split: a.summary.disagreement,
            agreement: a.statements.as_ref().map(|stmts| {
                stmts
                    .iter()
                    .filter_map(|s| s.value())
                    .filter_map(|s| Some((s.statement.clone(), s.mean?)))
                    .collect()
            }),
        })
        .collect()
}

/// The standings of one self-assessment.
pub(crate) fn assessment_standings(model: &Model, answers: &Answers) -> Vec<Standing> {
    let agreement = agreement_of(answers);
    assess(model, answers)
        .areas
        .into_iter()
        .filter_map(|a| {
            let scored = a.scored?;
            let agreement = agreement.as_ref().map(|all| {
                all.iter()
                    .filter(|(id, _)| id.area() == &a.area)
                    .map(|(id, v)| (id.clone(), *v))
                    .collect()
            });
            Some(Standing {
                area: a.area,
                level: scored.level,
                score: scored.score,
                agreement,
                split: false,
            })
        })
        .collect()
}

/// The last day a closed round was open.
fn closing_day(round: &Round, today: Date) -> Date {
    match (round.closed_on, round.closes_on) {
        (Some(closed), _) => closed,
        (None, Some(closes)) => closes,
        (None, None) => today,
    }
}

impl App<'_> {
    /// The team's shown rounds and self-assessments, oldest first. Showing a
    /// round's result here publishes it, as everywhere.
    pub async fn team_record(&self, team: &TeamName) -> Result<TeamRecord, AppError> {
        let rounds: Vec<Round> = match self.store.rounds(Some(team)).await {
            Ok(rounds) => rounds,
            Err(StoreError::NotFound(_)) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let mut entries: Vec<RecordEntry> = Vec::new();
        for round in rounds.iter().filter(|r| r.state(self.today) == RoundState::Closed) {
            let model = stored_model(self.store, &round.model).await?;
            let shown = self.shown(round, &model).await?;
            let Some(view) = shown.view.value() else {
                continue;
            };
            entries.push(RecordEntry {
                source: Source::Round(round.id),
                date: closing_day(round, self.today),
                standings: round_standings(view),
                model,
                detail: Detail::Round(Box::new(shown)),
            });
        }
        let assessments = self.store.team_assessments(team).await?;
        let models = StoredModels::load(self.store, assessments.iter().map(|a| &a.model).collect()).await?;
        for a in assessments {
            let model = models.get(&a.model)?.clone();
            entries.push(RecordEntry {
                source: Source::Assessment(a.id),
                date: a.taken_at.date(),
                standings: assessment_standings(&model, &a.answers),
                model,
                detail: Detail::Assessment(Box::new(a)),
            });
        }
        // Stable: rounds (already in opening order) before assessments of
        // the same day.
        entries.sort_by_key(|e| e.date);
        Ok(TeamRecord {
            team: team.clone(),
            entries,
        })
    }

    /// Where the team stands now (see the module doc); `None` when it has
    /// no shown round and no self-assessment.
    pub async fn current(&self, team: &TeamName) -> Result<Option<Current>, AppError> {
        Ok(self.team_record(team).await?.current())
    }

    /// The team's history: every entry compared with the previous one of
    /// its kind.
    pub async fn history(&self, team: Option<&str>) -> Result<HistoryReport, AppError> {
        let team = self.resolve_team(team).await?;
        let record = self.team_record(&team).await?;
        if record.entries.is_empty() {
            return Err(no_results(&team));
        }
        Ok(history_report(&record))
    }

    /// The explained result of one self-assessment.
    pub async fn assessment_report(&self, id: i64) -> Result<AssessmentReport, AppError> {
        let stored = match self.store.assessment(asyncmm_core::AssessmentId(id)).await {
            Ok(stored) => stored,
            Err(StoreError::NotFound(_)) => return Err(AppError::not_found(format!("assessment #{id}"))),
            Err(e) => return Err(e.into()),
        };
        let model = stored_model(self.store, &stored.model).await?;
        Ok(explain_assessment(&model, &stored))
    }

    /// The team's current result as its report: a round report or a
    /// self-assessment report, whichever "now" is.
    pub async fn team_report(&self, team: Option<&str>) -> Result<TeamReport, AppError> {
        let team = self.resolve_team(team).await?;
        let record = self.team_record(&team).await?;
        if record.entries.is_empty() {
            return Err(no_results(&team));
        }
        let history = history_report(&record);
        let newer_assessment = match (
            record
                .entries
                .iter()
                .rposition(|e| matches!(e.source, Source::Round(_))),
            record.entries.last(),
        ) {
            (Some(round_at), Some(last)) if round_at + 1 < record.entries.len() => Some(last.label()),
            _ => None,
        };
        let Some(current) = record.current() else {
            return Err(no_results(&team));
        };
        let current_report = match &current.entry.detail {
            Detail::Round(shown) => {
                let previous = current.previous.as_ref().and_then(|p| match &p.detail {
                    Detail::Round(prev) => Some((&prev.round, &prev.view)),
                    Detail::Assessment(_) => None,
                });
                CurrentReport::Round(Box::new(RoundReport::build(
                    &current.entry.model,
                    &shown.round,
                    self.today,
                    &shown.view,
                    previous,
                )))
            }
            Detail::Assessment(stored) => {
                CurrentReport::Assessment(Box::new(explain_assessment(&current.entry.model, stored)))
            }
        };
        Ok(TeamReport {
            team,
            current: current_report,
            previous_from: current.previous.as_ref().map(RecordEntry::label),
            newer_self_assessment: newer_assessment,
            history,
        })
    }
}

/// The team's current result, as one of the two report shapes.
#[derive(Debug)]
pub enum CurrentReport {
    Round(Box<RoundReport>),
    Assessment(Box<AssessmentReport>),
}

/// What `report --team` shows.
#[derive(Debug)]
pub struct TeamReport {
    pub team: TeamName,
    pub current: CurrentReport,
    /// The result the current one is compared with.
    pub previous_from: Option<String>,
    /// A self-assessment newer than the round shown as current (it is one
    /// person's view, so it doesn't replace the team's).
    pub newer_self_assessment: Option<String>,
    pub history: HistoryReport,
}

fn no_results(team: &TeamName) -> AppError {
    AppError::NothingYet(format!(
        "team \"{team}\" has no results yet: no closed round with enough responses to show, and no self-assessment"
    ))
}

pub(crate) fn explain_assessment(model: &Model, stored: &StoredAssessment) -> AssessmentReport {
    let result = assess(model, &stored.answers);
    AssessmentReport::build(model, AssessmentMeta::of(stored), &result)
}

/// The history of a record, in the report crate's shape.
pub(crate) fn history_report(record: &TeamRecord) -> HistoryReport {
    let points: Vec<Point> = record
        .entries
        .iter()
        .map(|e| Point {
            source: e.source,
            model: asyncmm_core::ModelRef::of(&e.model),
            lineage: lineage(&e.model),
            mode: mode_of(e),
            areas: e
                .model
                .areas
                .iter()
                .map(|a| AreaPoint {
                    area: a.id.clone(),
                    value: e.standings.iter().find(|s| s.area == a.id).map(|s| (s.level, s.score)),
                })
                .collect(),
            mean_score: mean_score(&e.standings),
        })
        .collect();
    let changes = history(&points);
    let rows = record.entries.iter().zip(changes).map(|(entry, change)| {
        let (respondents, spreads) = match &entry.detail {
            Detail::Round(shown) => {
                let view = shown.view.value();
                let spreads = entry
                    .model
                    .areas
                    .iter()
                    .map(|area| {
                        view.and_then(|v| {
                            v.areas
                                .iter()
                                .filter_map(|a| a.value())
                                .find(|a| a.area == area.id)
                                .map(|a| RoundSpread {
                                    q1: a.summary.spread.q1.value(),
                                    q3: a.summary.spread.q3.value(),
                                    disagreement: a.summary.disagreement,
                                })
                        })
                    })
                    .collect();
                (shown.view.n(), spreads)
            }
            Detail::Assessment(_) => (1, vec![None; entry.model.areas.len()]),
        };
        HistoryRow {
            source: entry.source,
            label: entry.label(),
            date: entry.date,
            respondents,
            compared_with: change.compared_with.map(source_label),
            model: &entry.model,
            entry: change,
            spreads,
        }
    });
    HistoryReport::build(record.team.as_str(), rows)
}

/// The mean of the area scores, as the overall result uses.
fn mean_score(standings: &[Standing]) -> Option<asyncmm_core::Score> {
    if standings.is_empty() {
        return None;
    }
    let sum: f64 = standings.iter().map(|s| s.score.value()).sum();
    Some(asyncmm_core::Score::new(sum / standings.len() as f64))
}
