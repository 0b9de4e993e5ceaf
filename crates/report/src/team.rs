//! Team and organisation reports: a round's result (distribution,
//! disagreement, explanation from the team's mean answers, change since the
//! previous round) and the org view (teams × areas, roll-ups).
//!
//! These structures are built only from values that passed the anonymity
//! gate in `asyncmm_core::anonymity`; a hidden group carries its count and
//! the reason, never numbers.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use asyncmm_core::anonymity::{GroupView, HiddenReason, LeftOut, NodeRollup, Rollup, RollupRule, Shown};
use asyncmm_core::{Intake, Mode, Round, RoundState, Team};
use asyncmm_model::{Level, Model};
use serde::Serialize;
use time::Date;

use crate::csv::field;
use crate::data::{GapReport, LevelRef, ModelInfo, gap_reports, round2, score_text, shown_score};
use crate::markdown::escape;
use crate::text::{Style, wrap};

pub const ROUND_SCHEMA: &str = "asyncmm.round/2";
pub const ORG_SCHEMA: &str = "asyncmm.org/2";

/// Why nothing is shown for a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HiddenInfo {
    pub n: u64,
    pub k: u16,
    pub reason: HiddenReason,
}

impl HiddenInfo {
    fn of<T>(shown: &Shown<T>) -> Option<HiddenInfo> {
        match shown {
            Shown::Hidden { n, k, reason } => Some(HiddenInfo {
                n: *n,
                k: k.get(),
                reason: *reason,
            }),
            Shown::Visible { .. } => None,
        }
    }

    /// Why it is hidden, in words (every hidden cell says why).
    pub fn text(&self) -> String {
        match self.reason {
            HiddenReason::RoundOpen => format!(
                "open: {} so far; results show once the round closes",
                responses_text(self.n)
            ),
            HiddenReason::NoResponses => "no responses".to_string(),
            HiddenReason::TooFewResponses => format!("hidden: {} < k = {}", responses_text(self.n), self.k),
            HiddenReason::TooFewAnswers => format!("hidden: fewer than k = {} gave an answer", self.k),
            HiddenReason::NoVisibleTeams => {
                format!(
                    "hidden: no team here has the k = {} responses to be shown on its own",
                    self.k
                )
            }
        }
    }

    /// A short form for table cells.
    pub fn short(&self) -> &'static str {
        match self.reason {
            HiddenReason::RoundOpen => "open",
            HiddenReason::NoResponses => "none",
            HiddenReason::TooFewResponses | HiddenReason::TooFewAnswers | HiddenReason::NoVisibleTeams => "n<k",
        }
    }
}

fn responses_text(n: u64) -> String {
    if n == 1 {
        "1 response".to_string()
    } else {
        format!("{n} responses")
    }
}

/// A round as lists and status lines show it: its settings and how many
/// responses it has, never what they say. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundMeta {
    pub id: i64,
    pub team: String,
    pub model: String,
    pub mode: Mode,
    pub k: u16,
    pub state: RoundState,
    pub opens_on: String,
    pub closes_on: Option<String>,
    /// Closed by hand on this day.
    pub closed_on: Option<String>,
    /// A result was shown: it can't be reopened.
    pub published: bool,
    /// Where responses come from: `tokens`, `import`, or `null` (not yet
    /// decided).
    pub intake: Option<Intake>,
    pub responses: u64,
}

impl RoundMeta {
    pub fn of(round: &Round, today: Date) -> Self {
        RoundMeta {
            id: round.id.0,
            team: round.team.to_string(),
            model: round.model.to_string(),
            mode: round.mode,
            k: round.k.get(),
            state: round.state(today),
            opens_on: round.opens_on.to_string(),
            closes_on: round.closes_on.map(|d| d.to_string()),
            closed_on: round.closed_on.map(|d| d.to_string()),
            published: round.published,
            intake: round.intake,
            responses: round.responses,
        }
    }

    /// One line: "round 3 · Web · detailed mode · k = 5 · open · …".
    pub fn line(&self) -> String {
        let state = match self.state {
            RoundState::Open => "open",
            RoundState::Closed => "closed",
        };
        let closes = self
            .closes_on
            .as_ref()
            .map_or_else(String::new, |d| format!(", closes after {d}"));
        let published = if self.published { " · published" } else { "" };
        format!(
            "round {} · {} · {} mode · k = {} · {state}{published} · opened {}{closes} · {} · model {}",
            self.id,
            self.team,
            self.mode,
            self.k,
            self.opens_on,
            responses_text(self.responses),
            self.model
        )
    }
}

/// How a team answered one statement; only when at least k gave an
/// agreement, otherwise `hidden` says so and the numbers are empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementSpread {
    pub statement: String,
    pub text: String,
    pub hidden: Option<HiddenInfo>,
    /// Respondents per agreement 0..3.
    pub agreement: Option<[u64; 4]>,
    pub dont_know: Option<u64>,
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundArea {
    pub id: String,
    pub name: String,
    pub hidden: Option<HiddenInfo>,
    pub n: u64,
    pub level: Option<LevelRef>,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub iqr: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Respondents per level 0..3.
    pub levels: [u64; 4],
    pub disagreement: bool,
    pub inconsistent_respondents: u64,
    /// Towards the next level, from the team's mean answer per statement.
    pub target: Option<LevelRef>,
    pub holding_back: Vec<GapReport>,
    pub statements: Vec<StatementSpread>,
    /// Change of the median since the previous round (same model and mode).
    pub previous_median: Option<f64>,
    pub delta: Option<f64>,
    pub regression: bool,
}

/// A round's team result, or why it is hidden.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundReport {
    pub schema: &'static str,
    pub model: ModelInfo,
    pub round: RoundMeta,
    pub hidden: Option<HiddenInfo>,
    /// The round compared with, when it used the same model and mode and
    /// its result could be shown.
    pub previous_round: Option<i64>,
    pub areas: Vec<RoundArea>,
}

impl RoundReport {
    pub fn build(
        model: &Model,
        round: &Round,
        today: Date,
        shown: &Shown<GroupView>,
        previous: Option<(&Round, &Shown<GroupView>)>,
    ) -> Self {
        let previous = previous.and_then(|(r, s)| s.value().map(|v| (r, v)));
        let areas = match shown.value() {
            None => Vec::new(),
            Some(view) => model
                .areas
                .iter()
                .filter_map(|area| {
                    let cell = view.areas.iter().find(|a| match a {
                        Shown::Visible { value, .. } => value.area == area.id,
                        Shown::Hidden { .. } => false,
                    });
                    let position = model.areas.iter().position(|a| a.id == area.id)?;
                    let cell = cell.or_else(|| view.areas.get(position))?;
                    let before = previous
                        .and_then(|(_, v)| v.areas.get(position))
                        .and_then(Shown::value)
                        .filter(|a| a.area == area.id);
                    let mut out = RoundArea {
                        id: area.id.to_string(),
                        name: area.name.clone(),
                        hidden: HiddenInfo::of(cell),
                        n: cell.n(),
                        level: None,
                        median: None,
                        q1: None,
                        q3: None,
                        iqr: None,
                        min: None,
                        max: None,
                        levels: [0; 4],
                        disagreement: false,
                        inconsistent_respondents: 0,
                        target: None,
                        holding_back: Vec::new(),
                        statements: Vec::new(),
                        previous_median: None,
                        delta: None,
                        regression: false,
                    };
                    if let Some(agg) = cell.value() {
                        let s = &agg.summary;
                        out.level = Some(LevelRef::of(model, s.level));
                        out.median = Some(shown_score(s.spread.median.value()));
                        out.q1 = Some(round2(s.spread.q1.value()));
                        out.q3 = Some(round2(s.spread.q3.value()));
                        out.iqr = Some(round2(s.spread.iqr));
                        out.min = Some(round2(s.spread.min.value()));
                        out.max = Some(round2(s.spread.max.value()));
                        out.levels = s.levels;
                        out.disagreement = s.disagreement;
                        out.inconsistent_respondents = agg.inconsistent;
                        if let Some(scored) = agg.explanation.as_ref().and_then(|e| e.scored.as_ref()) {
                            out.target = Some(LevelRef::of(model, scored.target));
                            out.holding_back = gap_reports(model, &scored.holding_back);
                        }
                        out.statements = agg
                            .statements
                            .iter()
                            .flatten()
                            .zip(&area.statements)
                            .map(|(shown, statement)| {
                                let value = shown.value();
                                StatementSpread {
                                    statement: statement.id.to_string(),
                                    text: statement.text.clone(),
                                    hidden: HiddenInfo::of(shown),
                                    agreement: value.map(|st| st.agreement),
                                    dont_know: value.map(|st| st.dont_know),
                                    mean: value
                                        .and_then(|st| st.mean)
                                        .and_then(|m| num_to_f64(m.numer(), m.denom()))
                                        .map(round2),
                                }
                            })
                            .collect();
                        if let Some(before) = before {
                            let then = before.summary.spread.median.value();
                            out.previous_median = Some(round2(then));
                            out.delta = Some(round2(s.spread.median.value() - then));
                            out.regression = s.level < before.summary.level;
                        }
                    }
                    Some(out)
                })
                .collect(),
        };
        RoundReport {
            schema: ROUND_SCHEMA,
            model: ModelInfo::of(model),
            round: RoundMeta::of(round, today),
            hidden: HiddenInfo::of(shown),
            previous_round: previous.map(|(r, _)| r.id.0),
            areas,
        }
    }
}

fn num_to_f64(n: &i64, d: &i64) -> Option<f64> {
    (*d != 0).then(|| *n as f64 / *d as f64)
}

fn opt2(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

/// A median next to its level: as many decimals as keep it on its level's
/// side of the half.
fn median_text(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), score_text)
}

fn level_counts(levels: &[u64; 4]) -> String {
    Level::ALL
        .iter()
        .map(|l| format!("L{}:{}", l.number(), levels[l.index()]))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn render_round_text(report: &RoundReport, style: Style) -> String {
    let mut out = String::new();
    let r = &report.round;
    let _ = writeln!(
        out,
        "Round {} — {} ({} mode, k = {}, {} responses, {})",
        r.id,
        r.team,
        r.mode,
        r.k,
        r.responses,
        match r.state {
            RoundState::Open => "open",
            RoundState::Closed => "closed",
        }
    );
    if let Some(hidden) = &report.hidden {
        let _ = writeln!(out, "{}", hidden.text());
        let _ = writeln!(
            out,
            "Results appear once at least k people have answered; nobody's answers are shown alone."
        );
        return out;
    }
    if let Some(prev) = report.previous_round {
        let _ = writeln!(out, "compared with round {prev}");
    }
    for area in &report.areas {
        out.push('\n');
        let _ = write!(out, "{:<24} ", area.name);
        if let Some(hidden) = &area.hidden {
            let _ = writeln!(out, "{}", hidden.text());
            continue;
        }
        let split = if area.disagreement { ", split" } else { "" };
        let level = area
            .level
            .as_ref()
            .map_or_else(String::new, |l| format!("{} ({}{split})", l.name, l.level));
        let delta = match (area.delta, area.regression) {
            (Some(d), true) => format!("  {d:+.2} ▼ regression"),
            (Some(d), false) if d > 0.005 => format!("  {d:+.2} ▲"),
            (Some(d), false) if d < -0.005 => format!("  {d:+.2} ▼"),
            (Some(_), false) => "  =".to_string(),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "{level:<14} median {}  n = {}{delta}",
            median_text(area.median),
            area.n
        );
        let _ = writeln!(
            out,
            "  spread of individual scores: lowest {} · lower quartile (Q1) {} · upper quartile (Q3) {} · highest {} · \
             middle-half spread (IQR) {}   people per level {}",
            opt2(area.min),
            opt2(area.q1),
            opt2(area.q3),
            opt2(area.max),
            opt2(area.iqr),
            level_counts(&area.levels)
        );
        if area.disagreement {
            let _ = writeln!(
                out,
                "  ! split: the middle half of the team spans a level or more, so level {} is not settled — talk it through",
                area.level.as_ref().map_or(0, |l| l.level)
            );
        }
        if let (Some(target), false) = (&area.target, area.holding_back.is_empty()) {
            let _ = writeln!(out, "  to reach {} (from the team's mean answers):", target.name);
            for gap in area.holding_back.iter().take(crate::data::HOLDING_BACK_SHOWN) {
                let _ = writeln!(
                    out,
                    "  - [{}] {} (mean {:.2}, {} expects {})",
                    gap.statement,
                    gap.kind.describe(),
                    gap.answered,
                    target.name,
                    gap.expected
                );
                let _ = writeln!(out, "    {}", wrap(&gap.text, 76, "    "));
                let _ = writeln!(
                    out,
                    "    {} {}",
                    style_try(style),
                    wrap(&gap.suggestion, 71, "         ")
                );
            }
        }
    }
    let _ = writeln!(out, "\n{}", wrap(ROUND_LEGEND, 78, ""));
    out
}

/// The plain words for the statistics, under a round's text and Markdown.
pub const ROUND_LEGEND: &str = "Median: the middle person's score (0–3). Quartiles: a quarter of the team \
scored at or below Q1, a quarter at or above Q3. IQR = Q3 − Q1, the spread of the middle half: 1 or more means \
the team is split (marked !) and its level is not settled.";

fn style_try(style: Style) -> String {
    if style.color {
        "\x1b[2mtry:\x1b[0m".to_string()
    } else {
        "try:".to_string()
    }
}

pub fn render_round_markdown(report: &RoundReport) -> String {
    let mut out = String::new();
    let r = &report.round;
    let _ = writeln!(
        out,
        "## Round {}: {} ({} mode, {} responses)\n",
        r.id,
        escape(&r.team),
        r.mode,
        r.responses
    );
    if let Some(hidden) = &report.hidden {
        let _ = writeln!(out, "_{}_", hidden.text());
        return out;
    }
    let _ = writeln!(
        out,
        "| Area | Level | Median score | Middle-half spread (IQR) | Lowest–highest | People per level | Change |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---|---|---|");
    for area in &report.areas {
        if let Some(hidden) = &area.hidden {
            let _ = writeln!(out, "| {} | {} | | | | | |", escape(&area.name), hidden.text());
            continue;
        }
        let level = area
            .level
            .as_ref()
            .map_or_else(String::new, |l| format!("{} {}", l.level, l.name));
        let flag = if area.disagreement { " ! split" } else { "" };
        let change = match area.delta {
            Some(d) if area.regression => format!("{d:+.2} ⚠ regression"),
            Some(d) => format!("{d:+.2}"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {level}{flag} | {} | {} | {}–{} | {} | {change} |",
            escape(&area.name),
            median_text(area.median),
            opt2(area.iqr),
            opt2(area.min),
            opt2(area.max),
            level_counts(&area.levels)
        );
    }
    let _ = writeln!(out, "\n{ROUND_LEGEND}");
    for area in report.areas.iter().filter(|a| !a.holding_back.is_empty()) {
        if let Some(target) = &area.target {
            let _ = writeln!(out, "\n### {} → {}\n", escape(&area.name), escape(&target.name));
            for gap in area.holding_back.iter().take(crate::data::HOLDING_BACK_SHOWN) {
                let _ = writeln!(
                    out,
                    "- [ ] `{}` {} — *mean {:.2}, expects {}*  \n  Try: {}",
                    gap.statement,
                    escape(&gap.text),
                    gap.answered,
                    gap.expected,
                    escape(&gap.suggestion)
                );
            }
        }
    }
    out
}

pub const ROUND_CSV_HEADER: &str =
    "round,team,mode,area,hidden,n,level,level_name,median,q1,q3,iqr,min,max,disagreement,delta,regression";

pub fn render_round_csv(report: &RoundReport) -> String {
    let mut out = format!("{ROUND_CSV_HEADER}\n");
    let r = &report.round;
    let csv_opt = |x: Option<f64>| x.map_or_else(String::new, |v| format!("{v:.2}"));
    for area in &report.areas {
        let row = [
            r.id.to_string(),
            field(&r.team),
            r.mode.to_string(),
            field(&area.id),
            area.hidden.is_some().to_string(),
            area.n.to_string(),
            area.level.as_ref().map_or_else(String::new, |l| l.level.to_string()),
            area.level.as_ref().map_or_else(String::new, |l| field(&l.name)),
            csv_opt(area.median),
            csv_opt(area.q1),
            csv_opt(area.q3),
            csv_opt(area.iqr),
            csv_opt(area.min),
            csv_opt(area.max),
            area.disagreement.to_string(),
            area.delta.map_or_else(String::new, |d| format!("{d:+.2}")),
            area.regression.to_string(),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    if report.areas.is_empty()
        && let Some(h) = &report.hidden
    {
        let _ = writeln!(
            out,
            "{},{},{},,true,{},,,,,,,,,false,,false",
            r.id,
            field(&r.team),
            r.mode,
            h.n
        );
    }
    out
}

/// One cell of the org table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgCell {
    pub area: String,
    pub hidden: Option<HiddenInfo>,
    pub level: Option<u8>,
    pub median: Option<f64>,
    pub iqr: Option<f64>,
    pub disagreement: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgTeamRow {
    pub team: String,
    pub parent: Option<String>,
    pub round: i64,
    pub opens_on: String,
    pub model: String,
    pub mode: Mode,
    pub responses: u64,
    pub hidden: Option<HiddenInfo>,
    pub cells: Vec<OrgCell>,
    /// A newer round of the team that is still open: only its count.
    pub open_round: Option<OpenRound>,
}

/// A round still open: its id and how many have answered so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenRound {
    pub round: i64,
    pub responses: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgRollupRow {
    /// `organisation` or the group's name.
    pub node: String,
    pub hidden: Option<HiddenInfo>,
    /// Respondents behind the row (when shown).
    pub respondents: u64,
    /// What the rule left out, and why, in words ("excludes 1 team (Mobile),
    /// 3 responses, below k").
    pub left_out: Option<String>,
    pub cells: Vec<OrgCell>,
}

/// One team's row as the application layer hands it over: the round shown
/// (or hidden), and a newer open round if there is one.
pub struct OrgRow<'a> {
    pub round: &'a Round,
    pub shown: &'a Shown<GroupView>,
    pub open_round: Option<&'a Round>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgRollup {
    pub model: String,
    pub mode: Mode,
    pub rule: RollupRule,
    pub rows: Vec<OrgRollupRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaName {
    pub id: String,
    pub name: String,
}

/// Every team's latest round and the roll-ups, per model version and mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgReport {
    pub schema: &'static str,
    /// Areas in model order.
    pub areas: Vec<AreaName>,
    /// Level names, by number (0 Unaware … 3 Optimizing with the default model).
    pub levels: Vec<String>,
    pub teams: Vec<OrgTeamRow>,
    pub rollups: Vec<OrgRollup>,
    /// Teams that have no round yet.
    pub teams_without_rounds: Vec<String>,
    /// Every model version the rounds were recorded with (the layout model
    /// when there are none): whose credit the report carries.
    pub models: Vec<ModelInfo>,
}

impl OrgReport {
    /// `rows` holds each team's round with its gated result; `model` lays
    /// the report out, `recorded` are the models the rounds were taken with.
    pub fn build(model: &Model, recorded: &[Model], teams: &[Team], rows: &[OrgRow<'_>], rollups: &[Rollup]) -> Self {
        // Maps keep the build linear in the number of teams.
        let by_id: HashMap<asyncmm_core::TeamId, &Team> = teams.iter().map(|t| (t.id, t)).collect();
        let by_name: HashMap<&str, &Team> = teams.iter().map(|t| (t.name.as_str(), t)).collect();
        let parents: HashSet<asyncmm_core::TeamId> = teams.iter().filter_map(|t| t.parent).collect();
        let name_of = |id: asyncmm_core::TeamId| by_id.get(&id).map(|t| t.name.to_string());
        let areas: Vec<AreaName> = model
            .areas
            .iter()
            .map(|a| AreaName {
                id: a.id.to_string(),
                name: a.name.clone(),
            })
            .collect();
        let team_rows: Vec<OrgTeamRow> = rows
            .iter()
            .map(
                |OrgRow {
                     round,
                     shown,
                     open_round,
                 }| {
                    let cells = match shown.value() {
                        None => Vec::new(),
                        Some(view) => view
                            .areas
                            .iter()
                            .zip(&model.areas)
                            .map(|(cell, area)| OrgCell {
                                area: area.id.to_string(),
                                hidden: HiddenInfo::of(cell),
                                level: cell.value().map(|a| a.summary.level.number()),
                                median: cell.value().map(|a| shown_score(a.summary.spread.median.value())),
                                iqr: cell.value().map(|a| round2(a.summary.spread.iqr)),
                                disagreement: cell.value().is_some_and(|a| a.summary.disagreement),
                            })
                            .collect(),
                    };
                    let parent = by_name
                        .get(round.team.as_str())
                        .and_then(|t| t.parent)
                        .and_then(name_of);
                    OrgTeamRow {
                        team: round.team.to_string(),
                        parent,
                        round: round.id.0,
                        opens_on: round.opens_on.to_string(),
                        model: round.model.to_string(),
                        mode: round.mode,
                        responses: round.responses,
                        hidden: HiddenInfo::of(shown),
                        cells,
                        open_round: open_round.map(|o| OpenRound {
                            round: o.id.0,
                            responses: o.responses,
                        }),
                    }
                },
            )
            .collect();
        let rollup_rows = rollups
            .iter()
            .map(|r| {
                let node_row = |node: &NodeRollup, name: String| OrgRollupRow {
                    node: name,
                    hidden: HiddenInfo::of(&node.result),
                    respondents: node.result.value().map_or(0, |_| node.result.n()),
                    left_out: node
                        .result
                        .value()
                        .and_then(|v| left_out_text(&v.left_out, r.rule, node.k, &name_of)),
                    cells: node
                        .result
                        .value()
                        .map(|v| {
                            v.areas
                                .iter()
                                .zip(&model.areas)
                                .map(|(cell, area)| {
                                    let summary = cell.value().map(|a| &a.summary);
                                    OrgCell {
                                        area: area.id.to_string(),
                                        hidden: HiddenInfo::of(cell),
                                        level: summary.map(|s| s.level.number()),
                                        median: summary.map(|s| shown_score(s.spread.median.value())),
                                        iqr: summary.map(|s| round2(s.spread.iqr)),
                                        disagreement: summary.is_some_and(|s| s.disagreement),
                                    }
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                };
                let mut rows = vec![node_row(&r.organisation, "organisation".to_string())];
                for group in &r.groups {
                    if let asyncmm_core::anonymity::Node::Group(id) = group.node
                        && parents.contains(&id)
                    {
                        rows.push(node_row(
                            group,
                            name_of(id).unwrap_or_else(|| format!("group {}", id.0)),
                        ));
                    }
                }
                OrgRollup {
                    model: lineage_text(&r.model, &r.versions),
                    mode: r.mode,
                    rule: r.rule,
                    rows,
                }
            })
            .collect();
        let with_rounds: HashSet<&str> = rows.iter().map(|r| r.round.team.as_str()).collect();
        let models = if recorded.is_empty() {
            vec![ModelInfo::of(model)]
        } else {
            ModelInfo::distinct(recorded)
        };
        OrgReport {
            models,
            schema: ORG_SCHEMA,
            levels: Level::ALL
                .iter()
                .map(|l| {
                    model
                        .levels
                        .iter()
                        .find(|i| i.level == *l)
                        .map_or_else(|| l.number().to_string(), |i| i.name.clone())
                })
                .collect(),
            areas,
            teams: team_rows,
            rollups: rollup_rows,
            teams_without_rounds: teams
                .iter()
                .filter(|t| !t.archived && !with_rounds.contains(&t.name.as_str()))
                .filter(|t| !parents.contains(&t.id))
                .map(|t| t.name.to_string())
                .collect(),
        }
    }
}

/// "async-communications@1.0.0" or, when later wording revisions are
/// rolled up with it, "async-communications@1.0.0 (wording revised in
/// 1.1.0)".
pub fn lineage_text(lineage: &asyncmm_core::ModelRef, versions: &[String]) -> String {
    let later: Vec<&str> = versions
        .iter()
        .map(String::as_str)
        .filter(|v| *v != lineage.version)
        .collect();
    if later.is_empty() {
        lineage.to_string()
    } else {
        format!("{lineage} (wording revised in {})", later.join(", "))
    }
}

/// "excludes 1 team (Mobile), 3 responses, below k = 5".
fn left_out_text(
    left_out: &LeftOut,
    rule: RollupRule,
    k: asyncmm_core::K,
    name_of: &dyn Fn(asyncmm_core::TeamId) -> Option<String>,
) -> Option<String> {
    if left_out.is_empty() {
        return None;
    }
    let names: Vec<String> = left_out
        .teams
        .iter()
        .map(|id| name_of(*id).unwrap_or_else(|| format!("team {}", id.0)))
        .collect();
    let teams = if names.len() == 1 { "team" } else { "teams" };
    let why = match rule {
        RollupRule::PooledRespondents => format!("below k = {k}: including them would reveal them by difference"),
        RollupRule::MedianOfTeamMedians => format!("not shown on their own (below k = {k})"),
    };
    Some(format!(
        "excludes {} {teams} ({}), {}, {why}",
        names.len(),
        names.join(", "),
        responses_text(left_out.respondents)
    ))
}

/// "2 Defined (2.01)", with "! split" when the team disagrees.
fn cell_text(cell: Option<&OrgCell>, levels: &[String]) -> String {
    match cell {
        None => "–".to_string(),
        Some(OrgCell { hidden: Some(h), .. }) => h.short().to_string(),
        Some(c) => {
            let mark = if c.disagreement { " ! split" } else { "" };
            c.level.map_or_else(
                || "–".to_string(),
                |l| {
                    let name = levels.get(usize::from(l)).map_or("", String::as_str);
                    format!("{l} {name} ({}){mark}", median_text(c.median))
                },
            )
        }
    }
}

fn row_cells(report: &OrgReport, cells: &[OrgCell], hidden: Option<&HiddenInfo>) -> Vec<String> {
    report
        .areas
        .iter()
        .map(|AreaName { id, .. }| match hidden {
            Some(h) => h.short().to_string(),
            None => cell_text(cells.iter().find(|c| &c.area == id), &report.levels),
        })
        .collect()
}

/// What the short cell marks mean, for the legend under each table.
const HIDDEN_LEGEND: &str = "open = round still open (only its count shows), n<k = hidden: fewer than k answered, \
                             none = no responses";

/// "Web: round 7 is open, 6 responses so far" for every team with a newer
/// open round.
fn open_round_notes(report: &OrgReport) -> Vec<String> {
    report
        .teams
        .iter()
        .filter_map(|row| {
            let open = row.open_round.as_ref()?;
            Some(format!(
                "{}: round {} is open, {} so far (shown once it closes)",
                row.team,
                open.round,
                responses_text(open.responses)
            ))
        })
        .collect()
}

fn rule_text(rule: RollupRule) -> &'static str {
    match rule {
        RollupRule::MedianOfTeamMedians => "median of team medians (visible teams only)",
        RollupRule::PooledRespondents => "all respondents pooled",
    }
}

pub fn render_org_text(report: &OrgReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Organisation: latest closed round of each team — level (median score); ! split = the team disagrees \
         (the middle half of its scores spans a level or more, IQR ≥ 1), so the level is not settled\n{HIDDEN_LEGEND}\n"
    );
    // Columns as wide as their widest entry: names are never cut.
    let rows: Vec<Vec<String>> = report
        .teams
        .iter()
        .map(|row| row_cells(report, &row.cells, row.hidden.as_ref()))
        .collect();
    let team_w = report
        .teams
        .iter()
        .map(|r| r.team.chars().count())
        .chain(std::iter::once(4))
        .max()
        .unwrap_or(4);
    let widths: Vec<usize> = report
        .areas
        .iter()
        .enumerate()
        .map(|(j, a)| {
            rows.iter()
                .filter_map(|r| r.get(j))
                .map(|c| c.chars().count())
                .chain(std::iter::once(a.name.chars().count()))
                .max()
                .unwrap_or(1)
        })
        .collect();
    let _ = write!(out, "{:<team_w$} {:>4}", "team", "n");
    for (AreaName { name, .. }, w) in report.areas.iter().zip(&widths) {
        let _ = write!(out, "  {name:<w$}");
    }
    out.push('\n');
    for (row, cells) in report.teams.iter().zip(&rows) {
        let _ = write!(out, "{:<team_w$} {:>4}", row.team, row.responses);
        for (cell, w) in cells.iter().zip(&widths) {
            let _ = write!(out, "  {cell:<w$}");
        }
        out.push('\n');
    }
    for rollup in &report.rollups {
        let _ = writeln!(
            out,
            "\nRoll-up for {} ({} mode): {}",
            rollup.model,
            rollup.mode,
            rule_text(rollup.rule)
        );
        let node_w = rollup.rows.iter().map(|r| r.node.chars().count()).max().unwrap_or(12);
        for row in &rollup.rows {
            let _ = write!(out, "{:<node_w$}", row.node);
            for (j, cell) in row_cells(report, &row.cells, row.hidden.as_ref()).iter().enumerate() {
                let name = report.areas.get(j).map_or("", |a| a.name.as_str());
                let _ = write!(out, "  {name}: {cell};");
            }
            out.push('\n');
            if let Some(left_out) = &row.left_out {
                let _ = writeln!(out, "  ↳ {left_out}");
            }
        }
    }
    for note in open_round_notes(report) {
        let _ = writeln!(out, "\n{note}");
    }
    if !report.teams_without_rounds.is_empty() {
        let _ = writeln!(out, "\nno round yet: {}", report.teams_without_rounds.join(", "));
    }
    out
}

pub fn render_org_markdown(report: &OrgReport) -> String {
    let mut out = String::from("## Organisation: latest closed round of each team\n\n");
    let _ = write!(out, "| Team | n |");
    for AreaName { name, .. } in &report.areas {
        let _ = write!(out, " {} |", escape(name));
    }
    let _ = write!(out, "\n|---|---:|");
    for _ in &report.areas {
        out.push_str("---|");
    }
    out.push('\n');
    for row in &report.teams {
        let _ = write!(out, "| {} | {} |", escape(&row.team), row.responses);
        for cell in row_cells(report, &row.cells, row.hidden.as_ref()) {
            let _ = write!(out, " {} |", escape(&cell));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\nCells: level (median score); ! split = the team disagrees (the middle half of its scores spans a level \
         or more, IQR ≥ 1), so the level is not settled; {HIDDEN_LEGEND}."
    );
    for note in open_round_notes(report) {
        let _ = writeln!(out, "\n- {}", escape(&note));
    }
    for rollup in &report.rollups {
        let _ = writeln!(
            out,
            "\n### Roll-up: `{}`, {} mode — {}\n",
            rollup.model,
            rollup.mode,
            rule_text(rollup.rule)
        );
        let _ = write!(out, "| Group |");
        for AreaName { name, .. } in &report.areas {
            let _ = write!(out, " {} |", escape(name));
        }
        let _ = write!(out, "\n|---|");
        for _ in &report.areas {
            out.push_str("---|");
        }
        out.push('\n');
        for row in &rollup.rows {
            let _ = write!(out, "| {} |", escape(&row.node));
            for cell in row_cells(report, &row.cells, row.hidden.as_ref()) {
                let _ = write!(out, " {} |", escape(&cell));
            }
            out.push('\n');
        }
        let notes: Vec<String> = rollup
            .rows
            .iter()
            .filter_map(|r| Some(format!("- {}: {}", escape(&r.node), escape(r.left_out.as_ref()?))))
            .collect();
        if !notes.is_empty() {
            let _ = writeln!(out, "\n{}", notes.join("\n"));
        }
    }
    out
}

pub const ORG_CSV_HEADER: &str =
    "team,parent,round,opens_on,model,mode,responses,area,hidden,hidden_reason,level,median,iqr,disagreement";

/// Tidy rows: one per team × round × area of the rounds in the report,
/// under [`ORG_CSV_HEADER`].
pub fn render_org_csv(report: &OrgReport) -> String {
    let mut out = format!("{ORG_CSV_HEADER}\n");
    out.push_str(&render_org_csv_rows(report));
    out
}

/// The rows of [`render_org_csv`] without the header: a report handed over
/// in parts (every round of a large organisation) is the header, then each
/// part's rows.
pub fn render_org_csv_rows(report: &OrgReport) -> String {
    let mut out = String::new();
    for row in &report.teams {
        for AreaName { id, .. } in &report.areas {
            let cell = row.cells.iter().find(|c| &c.area == id);
            let hidden = row.hidden.is_some() || cell.is_none_or(|c| c.hidden.is_some());
            let reason = row
                .hidden
                .as_ref()
                .or_else(|| cell.and_then(|c| c.hidden.as_ref()))
                .and_then(|h| serde_json::to_value(h.reason).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let values = [
                field(&row.team),
                row.parent.as_deref().map_or_else(String::new, field),
                row.round.to_string(),
                row.opens_on.clone(),
                field(&row.model),
                row.mode.to_string(),
                row.responses.to_string(),
                field(id),
                hidden.to_string(),
                reason,
                cell.and_then(|c| c.level).map_or_else(String::new, |l| l.to_string()),
                cell.and_then(|c| c.median)
                    .map_or_else(String::new, |m| format!("{m:.2}")),
                cell.and_then(|c| c.iqr).map_or_else(String::new, |m| format!("{m:.2}")),
                cell.is_some_and(|c| c.disagreement).to_string(),
            ];
            out.push_str(&values.join(","));
            out.push('\n');
        }
    }
    out
}
