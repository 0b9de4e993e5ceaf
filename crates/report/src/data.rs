//! The report data structures: everything a renderer needs, already resolved
//! to names and texts, and the documented JSON shape (`schema` field) that
//! machines read. Renderers never look at the model or scoring themselves.

use asyncmm_core::history::{Break, HistoryEntry, Source, Trend};
use asyncmm_core::{AssessmentResult, Mode, Polarity, StoredAssessment};
use asyncmm_model::{Level, Model};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// Version tag of the JSON shape of [`AssessmentReport`].
pub const REPORT_SCHEMA: &str = "asyncmm.report/1";
/// Version tag of the JSON shape of [`HistoryReport`].
pub const HISTORY_SCHEMA: &str = "asyncmm.history/2";

/// How many "holding back" items the human-readable formats show per area.
pub const HOLDING_BACK_SHOWN: usize = 3;

/// The model a result was recorded with, and its full credit (see
/// [`crate::credit`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    pub id: String,
    pub version: String,
    pub title: String,
    pub source_title: String,
    pub source_author: String,
    pub source_url: String,
    pub license: String,
    pub license_url: String,
    /// The work the source itself adapts, when the model names one.
    pub source_adapted_from: Option<String>,
    pub source_adapted_from_url: Option<String>,
    /// How the model differs from its source.
    pub source_changes: String,
    /// The version this one is a wording revision of.
    pub revises: Option<String>,
}

impl ModelInfo {
    pub fn of(model: &Model) -> Self {
        ModelInfo {
            id: model.id.clone(),
            version: model.version.clone(),
            title: model.title.clone(),
            source_title: model.source.title.clone(),
            source_author: model.source.author.clone(),
            source_url: model.source.url.clone(),
            license: model.source.license.clone(),
            license_url: model.source.license_url.clone(),
            source_adapted_from: model.source.adapted_from.clone(),
            source_adapted_from_url: model.source.adapted_from_url.clone(),
            source_changes: model.source.changes.clone(),
            revises: model.revises.clone(),
        }
    }

    /// Each distinct model of `models` once, in order of first use: the
    /// credits of a report whose data was recorded with several versions.
    pub fn distinct<'a>(models: impl IntoIterator<Item = &'a Model>) -> Vec<ModelInfo> {
        let mut out: Vec<ModelInfo> = Vec::new();
        for model in models {
            if !out.iter().any(|m| m.id == model.id && m.version == model.version) {
                out.push(ModelInfo::of(model));
            }
        }
        out
    }

    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }
}

/// Which assessment a report is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentMeta {
    pub id: i64,
    pub team: String,
    pub mode: Mode,
    /// RFC 3339, UTC.
    pub taken_at: String,
}

impl AssessmentMeta {
    pub fn of(stored: &StoredAssessment) -> Self {
        AssessmentMeta {
            id: stored.id.0,
            team: stored.team.as_str().to_string(),
            mode: stored.answers.mode(),
            taken_at: rfc3339(stored.taken_at),
        }
    }

    /// The date part of `taken_at`, for headings.
    pub fn date(&self) -> &str {
        self.taken_at.get(..10).unwrap_or(&self.taken_at)
    }
}

pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelRef {
    pub level: u8,
    pub name: String,
}

impl LevelRef {
    pub fn of(model: &Model, level: Level) -> Self {
        LevelRef {
            level: level.number(),
            name: model.level_name(level).to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitReport {
    pub level: u8,
    pub name: String,
    /// Exact distance to the level's profile, as `"n/d"`.
    pub distance: String,
    /// 1 − distance/3, between 0 and 1.
    pub fit: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// A practice of a higher level is not yet true enough.
    PracticeNotYetTrue,
    /// A deficit is still agreed with more than the target level allows.
    DeficitStillAgreed,
}

impl GapKind {
    /// How the human-readable formats say it.
    pub fn describe(self) -> &'static str {
        match self {
            GapKind::PracticeNotYetTrue => "not yet true",
            GapKind::DeficitStillAgreed => "still true",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapReport {
    pub statement: String,
    pub text: String,
    pub kind: GapKind,
    pub answered: f64,
    pub expected: u8,
    pub suggestion: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementRef {
    pub statement: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaReport {
    pub id: String,
    pub name: String,
    /// `assessed` or `not_assessed`.
    pub status: &'static str,
    pub level: Option<LevelRef>,
    /// Rounded to two decimals.
    pub score: Option<f64>,
    pub answered: usize,
    pub total: usize,
    pub inconsistent: bool,
    pub low_confidence: bool,
    /// Detailed mode only.
    pub fit: Vec<FitReport>,
    /// The level the explanation aims at (the next one, or the top).
    pub target: Option<LevelRef>,
    /// What holds the area back, largest gap first (detailed mode).
    pub holding_back: Vec<GapReport>,
    /// What the target level looks like (quick mode, where there are no
    /// statement answers to compare).
    pub target_statements: Vec<StatementRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallReport {
    pub mean_score: Option<f64>,
    pub weakest: Option<String>,
    pub weakest_name: Option<String>,
    /// Names of every area sharing the lowest score (more than one when
    /// they tie, common in quick mode): a report names them all.
    pub weakest_tied: Vec<String>,
    pub assessed_areas: usize,
    pub total_areas: usize,
}

impl OverallReport {
    /// "weakest area: Meetings", or "weakest areas (tied): Documentation,
    /// Meetings and Work tracking" when several share the lowest score.
    pub fn weakest_text(&self) -> Option<String> {
        match self.weakest_tied.as_slice() {
            [] | [_] => self.weakest_name.as_ref().map(|w| format!("weakest area: {w}")),
            [first @ .., last] => Some(format!("weakest areas (tied): {} and {last}", first.join(", "))),
        }
    }
}

/// One explained result: the input of every report renderer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentReport {
    pub schema: &'static str,
    pub model: ModelInfo,
    pub assessment: AssessmentMeta,
    pub areas: Vec<AreaReport>,
    pub overall: OverallReport,
}

/// What holds an area back, resolved to texts and suggestions.
pub fn gap_reports(model: &Model, gaps: &[asyncmm_core::Gap]) -> Vec<GapReport> {
    gaps.iter()
        .filter_map(|g| {
            let statement = model.statement(&g.statement)?;
            Some(GapReport {
                statement: g.statement.to_string(),
                text: statement.text.clone(),
                kind: match g.polarity {
                    Polarity::Practice => GapKind::PracticeNotYetTrue,
                    Polarity::Deficit => GapKind::DeficitStillAgreed,
                },
                answered: round2(g.answered),
                expected: g.expected,
                suggestion: statement.suggestion.clone(),
            })
        })
        .collect()
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The level a score reads as: the nearest, x.5 rounding down (the rule of
/// team levels).
fn nearest_level(x: f64) -> f64 {
    (x - 0.5).ceil().clamp(0.0, 3.0)
}

/// How many decimals a score needs so that, shown next to its level, it
/// doesn't seem to contradict it: two, or more when rounding to two would
/// land on the other side of a half (a median of 1.505 is level 2, but
/// "1.50" reads as level 1).
fn score_decimals(x: f64) -> usize {
    (2..=4)
        .find(|&d| {
            let shown: f64 = format!("{x:.d$}").parse().unwrap_or(x);
            nearest_level(shown) == nearest_level(x)
        })
        .unwrap_or(4)
}

/// A score rounded for display, keeping the digits its level needs (see
/// [`score_text`]).
pub fn shown_score(x: f64) -> f64 {
    let d = score_decimals(x);
    format!("{x:.d$}").parse().unwrap_or(x)
}

/// A score as text: two decimals, or as many as keep it on the side of the
/// half its level is on.
pub fn score_text(x: f64) -> String {
    let d = score_decimals(x);
    format!("{x:.d$}")
}

/// What the report texts call the statistics, in plain words.
pub mod words {
    /// Q1.
    pub const Q1: &str = "lower quartile (Q1: a quarter of the team scored at or below it)";
    /// Q3.
    pub const Q3: &str = "upper quartile (Q3: a quarter scored at or above it)";
    /// IQR.
    pub const IQR: &str = "spread of the middle half (IQR, Q3 − Q1; 1 or more = the team is split)";
    /// Fit.
    pub const FIT: &str = "fit (how closely the answers match each level's pattern: 1 = exactly, 0 = not at all)";
}

impl AssessmentReport {
    pub fn build(model: &Model, meta: AssessmentMeta, result: &AssessmentResult) -> Self {
        let areas = model
            .areas
            .iter()
            .map(|area| {
                let found = result.area(&area.id);
                let scored = found.and_then(|r| r.scored.as_ref());
                let fit = scored
                    .and_then(|s| s.fit.as_ref())
                    .map(|fit| {
                        Level::ALL
                            .iter()
                            .map(|&l| FitReport {
                                level: l.number(),
                                name: model.level_name(l).to_string(),
                                distance: fit.distance(l).to_string(),
                                fit: round2(fit.fit(l)),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let holding_back = scored.map(|s| gap_reports(model, &s.holding_back)).unwrap_or_default();
                let target_statements = match (meta.mode, scored) {
                    (Mode::Quick, Some(s)) if s.target != s.level => area
                        .statements_at(s.target)
                        .map(|st| StatementRef {
                            statement: st.id.to_string(),
                            text: st.text.clone(),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                AreaReport {
                    id: area.id.to_string(),
                    name: area.name.clone(),
                    status: if scored.is_some() { "assessed" } else { "not_assessed" },
                    level: scored.map(|s| LevelRef::of(model, s.level)),
                    score: scored.map(|s| round2(s.score.value())),
                    answered: found.map_or(0, |r| r.answered),
                    total: found.map_or(0, |r| r.total),
                    inconsistent: scored.is_some_and(|s| s.inconsistent),
                    low_confidence: scored.is_some_and(|s| s.low_confidence),
                    fit,
                    target: scored.map(|s| LevelRef::of(model, s.target)),
                    holding_back,
                    target_statements,
                }
            })
            .collect();
        let weakest = result.overall.weakest.as_ref();
        let lowest = result
            .areas
            .iter()
            .filter_map(|a| a.scored.as_ref().map(|s| s.score.value()))
            .fold(None::<f64>, |m, v| Some(m.map_or(v, |m| m.min(v))));
        let weakest_tied: Vec<String> = match lowest {
            Some(low) => result
                .areas
                .iter()
                .filter(|a| a.scored.as_ref().is_some_and(|s| s.score.value() == low))
                .filter_map(|a| model.area(&a.area).map(|m| m.name.clone()))
                .collect(),
            None => Vec::new(),
        };
        AssessmentReport {
            schema: REPORT_SCHEMA,
            model: ModelInfo::of(model),
            assessment: meta,
            areas,
            overall: OverallReport {
                mean_score: result.overall.mean_score.map(|s| round2(s.value())),
                weakest: weakest.map(ToString::to_string),
                weakest_name: weakest.and_then(|id| model.area(id)).map(|a| a.name.clone()),
                weakest_tied,
                assessed_areas: result.overall.assessed_areas,
                total_areas: model.areas.len(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaChangeReport {
    pub id: String,
    pub name: String,
    pub level: Option<LevelRef>,
    /// A self-assessment's score, or a round's median score.
    pub score: Option<f64>,
    /// A round's quartiles of respondents' scores (the middle half lies
    /// between them).
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    /// A round's respondents disagree (IQR ≥ 1).
    pub disagreement: bool,
    pub delta: Option<f64>,
    pub trend: Option<Trend>,
    pub regression: bool,
}

/// Where a history entry comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistorySource {
    /// `round` (the team's view) or `assessment` (one person's).
    pub kind: &'static str,
    pub id: i64,
    /// "round 3" or "assessment #12".
    pub label: String,
    /// The day it speaks for (a round's closing day), `YYYY-MM-DD`.
    pub date: String,
    /// Respondents (1 for a self-assessment).
    pub respondents: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntryReport {
    pub source: HistorySource,
    pub model: String,
    pub mode: Mode,
    /// The earlier result of the same kind this one is compared with.
    pub compared_with: Option<String>,
    /// Why it is not compared with the earlier result of its kind: the
    /// questionnaire or the mode changed (a change of instrument, not a
    /// drop).
    #[serde(rename = "break")]
    pub break_: Option<Break>,
    /// Compared across a wording revision of the questionnaire: the version
    /// of this entry, which rewords the one compared with (same ids and
    /// scoring, so the results compare).
    pub wording_revised_in: Option<String>,
    pub mean_score: Option<f64>,
    pub areas: Vec<AreaChangeReport>,
}

impl HistoryEntryReport {
    pub fn is_round(&self) -> bool {
        self.source.kind == "round"
    }

    /// "round 3 · team view of 7 · 2026-10-01" or "assessment #12 · self-assessment · 2026-11-20".
    pub fn heading(&self) -> String {
        let who = if self.is_round() {
            format!("team round, {} responses", self.source.respondents)
        } else {
            "self-assessment".to_string()
        };
        format!("{} · {who} · {}", self.source.label, self.source.date)
    }

    /// "compared with round 1" (and "wording revised in 1.1.0" across a
    /// revision), when it is compared.
    pub fn compared_text(&self) -> Option<String> {
        let with = self.compared_with.as_ref()?;
        Some(match &self.wording_revised_in {
            Some(version) => format!("compared with {with} (wording revised in {version})"),
            None => format!("compared with {with}"),
        })
    }

    /// Why there are no changes although an earlier result of its kind
    /// exists, in words.
    pub fn break_text(&self) -> Option<&'static str> {
        match self.break_? {
            Break::ModelChanged => Some("another questionnaire version than before: not compared"),
            Break::ModeChanged => {
                Some("quick and detailed mode measure differently: a change of instrument, not compared")
            }
        }
    }
}

/// A team's record oldest first: its shown rounds and self-assessments, each
/// compared with the previous one of its kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryReport {
    pub schema: &'static str,
    pub team: String,
    pub entries: Vec<HistoryEntryReport>,
    /// Every model version the entries were recorded with, oldest use
    /// first: whose credit the report carries.
    pub models: Vec<ModelInfo>,
}

/// A round's spread in one area, for a history entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundSpread {
    pub q1: f64,
    pub q3: f64,
    pub disagreement: bool,
}

/// One entry of a team's record as the application layer hands it over.
pub struct HistoryRow<'a> {
    pub source: Source,
    pub label: String,
    pub date: Date,
    pub respondents: u64,
    pub compared_with: Option<String>,
    pub model: &'a Model,
    pub entry: HistoryEntry,
    /// Per area of `model`, in model order: a round's spread.
    pub spreads: Vec<Option<RoundSpread>>,
}

impl HistoryReport {
    pub fn build<'a>(team: &str, rows: impl IntoIterator<Item = HistoryRow<'a>>) -> Self {
        let rows: Vec<HistoryRow<'a>> = rows.into_iter().collect();
        let models = ModelInfo::distinct(rows.iter().map(|row| row.model));
        let entries = rows
            .into_iter()
            .map(|row| {
                let model = row.model;
                let (kind, id) = match row.source {
                    Source::Round(id) => ("round", id.0),
                    Source::Assessment(id) => ("assessment", id.0),
                };
                HistoryEntryReport {
                    source: HistorySource {
                        kind,
                        id,
                        label: row.label,
                        date: row.date.to_string(),
                        respondents: row.respondents,
                    },
                    model: row.entry.model.to_string(),
                    mode: row.entry.mode,
                    compared_with: row.compared_with,
                    break_: row.entry.break_,
                    wording_revised_in: None,
                    mean_score: row.entry.mean_score.map(|s| round2(s.value())),
                    areas: row
                        .entry
                        .areas
                        .iter()
                        .map(|change| {
                            let spread = model
                                .areas
                                .iter()
                                .position(|a| a.id == change.area)
                                .and_then(|i| row.spreads.get(i).copied().flatten());
                            AreaChangeReport {
                                id: change.area.to_string(),
                                name: model
                                    .area(&change.area)
                                    .map_or_else(|| change.area.to_string(), |a| a.name.clone()),
                                level: change.level.map(|l| LevelRef::of(model, l)),
                                score: change.score.map(|s| round2(s.value())),
                                q1: spread.map(|s| round2(s.q1)),
                                q3: spread.map(|s| round2(s.q3)),
                                disagreement: spread.is_some_and(|s| s.disagreement),
                                delta: change.delta.map(round2),
                                trend: change.trend,
                                regression: change.regression,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        // Mark comparisons across a wording revision.
        let mut entries: Vec<HistoryEntryReport> = entries;
        for i in 0..entries.len() {
            let revised = entries[i].compared_with.as_ref().and_then(|with| {
                let earlier = entries[..i].iter().find(|e| &e.source.label == with)?;
                (earlier.model != entries[i].model).then(|| {
                    entries[i]
                        .model
                        .rsplit_once('@')
                        .map_or(String::new(), |(_, v)| v.to_string())
                })
            });
            entries[i].wording_revised_in = revised;
        }
        HistoryReport {
            schema: HISTORY_SCHEMA,
            team: team.to_string(),
            entries,
            models,
        }
    }
}
