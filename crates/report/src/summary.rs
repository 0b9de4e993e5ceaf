//! The org summary: one page that answers "which teams need help, and
//! where?" for a director, built from the same gated results as the org
//! view (`asyncmm report --org --summary`, and the web's org page).
//!
//! It holds the areas and teams that need attention (lowest levels, the
//! biggest drops since each team's previous closed round, areas a team is
//! split on), the change since the previous round per group of the team
//! tree, goals and action progress per team, and how many teams are hidden
//! and why. Every number comes from a result that passed the anonymity gate
//! (`asyncmm_core::anonymity`): a team whose round is open or below k adds
//! only its name and count to the "hidden" tally, never a value. Lists are
//! cut to the first [`OrgSummary::top`] entries so the page stays readable
//! for an organisation of a thousand teams; each list says how many there
//! are in all.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use asyncmm_core::anonymity::{GroupView, HiddenReason, Shown};
use asyncmm_core::plan::{ActionStatus, GoalStatus};
use asyncmm_core::{Round, Team, TeamId};
use asyncmm_model::{Level, Model};
use serde::Serialize;

use crate::data::{ModelInfo, round2, score_text, shown_score};
use crate::markdown::escape;
use crate::plan::PlanReport;
use crate::svg;
use crate::team::AreaName;

pub const SUMMARY_SCHEMA: &str = "asyncmm.org-summary/1";

/// Entries each list keeps unless asked otherwise.
pub const SUMMARY_TOP: usize = 10;

/// Areas a team in the attention list names: its weakest two.
pub const WEAKEST_SHOWN: usize = 2;

/// A change smaller than this (in median score) counts as no change, as in
/// the round report.
const STILL: f64 = 0.005;

/// One team as the application layer hands it over: its newest closed
/// round and the previous comparable closed round (same mode, comparable
/// model), each with its gated result; its newest open round; its plan.
pub struct SummaryTeam<'a> {
    pub team: &'a Team,
    pub current: Option<(&'a Round, &'a Shown<GroupView>)>,
    pub previous: Option<(&'a Round, &'a Shown<GroupView>)>,
    pub open: Option<&'a Round>,
    pub plan: Option<&'a PlanReport>,
}

/// Why a team shows no result in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenKind {
    /// Its only rounds are still open: results show once one closes.
    RoundOpen,
    /// Its newest closed round has fewer than k responses.
    BelowK,
    /// No round yet.
    NoRounds,
}

impl HiddenKind {
    pub fn text(self) -> &'static str {
        match self {
            HiddenKind::RoundOpen => "round still open (results show once it closes)",
            HiddenKind::BelowK => "fewer than k responses in the newest closed round",
            HiddenKind::NoRounds => "no round yet",
        }
    }
}

/// Teams hidden for one reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HiddenTeams {
    pub reason: HiddenKind,
    pub count: u64,
    /// Every such team, by name (names and counts are never secret).
    pub teams: Vec<String>,
}

/// How many teams the summary covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Teams in the organisation (groups count only when they hold a round).
    pub teams: u64,
    /// Teams whose newest closed round is shown.
    pub shown: u64,
    pub hidden: Vec<HiddenTeams>,
    /// Shown teams that also have a newer round still open.
    pub newer_round_open: u64,
}

/// One area across every shown team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaOverview {
    pub area: String,
    pub name: String,
    /// Teams with this area shown.
    pub teams: u64,
    /// Teams per team level 0..3.
    pub levels: [u64; 4],
    /// Teams split on the area (IQR ≥ 1).
    pub split: u64,
    /// Teams whose median dropped since their previous round.
    pub dropped: u64,
    /// Median of the shown teams' medians.
    pub median: Option<f64>,
}

/// A team's area as the attention list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaStanding {
    pub area: String,
    pub name: String,
    pub level: u8,
    pub level_name: String,
    pub median: f64,
    pub split: bool,
}

/// A team among the lowest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamAttention {
    pub team: String,
    pub group: Option<String>,
    pub round: i64,
    /// Mean of the team's shown area medians: what the list is sorted by.
    pub mean: f64,
    /// The areas at the team's lowest level, lowest median first, at most
    /// [`WEAKEST_SHOWN`].
    pub weakest: Vec<AreaStanding>,
    /// Further areas at that level, not listed.
    pub more_at_lowest: u64,
    pub drops: u64,
    pub splits: u64,
}

/// An area whose median dropped since the team's previous round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaDrop {
    pub team: String,
    pub group: Option<String>,
    pub area: String,
    pub name: String,
    pub round: i64,
    pub previous_round: i64,
    pub before: f64,
    pub now: f64,
    pub delta: f64,
    pub level_before: u8,
    pub level_now: u8,
    /// The level itself dropped, not only the median.
    pub level_dropped: bool,
}

/// An area a team disagrees on: its level is not settled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaSplit {
    pub team: String,
    pub group: Option<String>,
    pub area: String,
    pub name: String,
    pub round: i64,
    pub level: u8,
    pub median: f64,
    pub iqr: f64,
    /// Respondents per level 0..3.
    pub levels: [u64; 4],
}

/// One area of a group's change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaChange {
    pub area: String,
    /// Teams with the area shown in both rounds.
    pub teams: u64,
    /// Median of those teams' changes of median score.
    pub median_change: Option<f64>,
    pub up: u64,
    pub down: u64,
}

/// Change since the previous round for one group of the team tree (or the
/// whole organisation), from the changes of the shown teams below it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupChange {
    /// `organisation` or the group's name.
    pub group: String,
    /// Teams below the group.
    pub teams: u64,
    /// Teams below it with a shown round and a shown previous one.
    pub compared: u64,
    pub areas: Vec<AreaChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GoalCounts {
    pub met: u64,
    pub on_track: u64,
    pub at_risk: u64,
    pub missed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionCounts {
    pub todo: u64,
    pub doing: u64,
    pub done: u64,
    pub dropped: u64,
}

/// A goal that needs a look: at risk (with why) or missed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalNote {
    pub area: String,
    pub target: u8,
    pub status: String,
}

/// One team's plan in numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamPlan {
    pub team: String,
    pub group: Option<String>,
    pub goals: GoalCounts,
    pub actions: ActionCounts,
    pub needs_a_look: Vec<GoalNote>,
}

/// A list cut to the first entries, with how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Top<T> {
    pub total: u64,
    pub items: Vec<T>,
}

impl<T> Top<T> {
    fn of(mut all: Vec<T>, top: usize) -> Top<T> {
        let total = all.len() as u64;
        all.truncate(top);
        Top { total, items: all }
    }

    /// "showing 10 of 312", or nothing when everything is shown.
    pub fn more(&self) -> Option<String> {
        let shown = self.items.len() as u64;
        (self.total > shown).then(|| format!("showing {shown} of {}", self.total))
    }
}

/// The org summary (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgSummary {
    pub schema: &'static str,
    /// The day the summary was made (`YYYY-MM-DD`).
    pub as_of: String,
    pub areas: Vec<AreaName>,
    pub levels: Vec<String>,
    /// How many entries each list keeps.
    pub top: usize,
    pub coverage: Coverage,
    pub area_overview: Vec<AreaOverview>,
    pub lowest: Top<TeamAttention>,
    pub drops: Top<AreaDrop>,
    pub splits: Top<AreaSplit>,
    pub groups: Vec<GroupChange>,
    pub goals: GoalCounts,
    pub actions: ActionCounts,
    pub plans: Top<TeamPlan>,
    pub models: Vec<ModelInfo>,
}

/// A shown area of a shown round: (area index, median, level, iqr, levels).
struct Cell {
    index: usize,
    median: f64,
    level: Level,
    iqr: f64,
    split: bool,
    levels: [u64; 4],
}

fn cells(model: &Model, shown: &Shown<GroupView>) -> Vec<Cell> {
    let Some(view) = shown.value() else {
        return Vec::new();
    };
    model
        .areas
        .iter()
        .enumerate()
        .filter_map(|(index, area)| {
            // By id, so a round of a model with other areas never lands in
            // the wrong column.
            let agg = view.areas.iter().filter_map(Shown::value).find(|a| a.area == area.id)?;
            let s = &agg.summary;
            Some(Cell {
                index,
                median: s.spread.median.value(),
                level: s.level,
                iqr: s.spread.iqr,
                split: s.disagreement,
                levels: s.levels,
            })
        })
        .collect()
}

fn median_of(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

impl OrgSummary {
    /// `model` lays the summary out (areas, level names); `recorded` are the
    /// models the rounds were taken with; `teams` is the organisation tree;
    /// `entries` holds one [`SummaryTeam`] per team in `teams`.
    pub fn build(
        model: &Model,
        recorded: &[Model],
        teams: &[Team],
        entries: &[SummaryTeam<'_>],
        as_of: time::Date,
        top: usize,
    ) -> OrgSummary {
        let by_id: HashMap<TeamId, &Team> = teams.iter().map(|t| (t.id, t)).collect();
        let parents: HashSet<TeamId> = teams.iter().filter_map(|t| t.parent).collect();
        let group_of = |team: &Team| team.parent.and_then(|p| by_id.get(&p)).map(|t| t.name.to_string());
        let level_name = |level: Level| {
            model
                .levels
                .iter()
                .find(|i| i.level == level)
                .map_or_else(|| level.number().to_string(), |i| i.name.clone())
        };
        let areas: Vec<AreaName> = model
            .areas
            .iter()
            .map(|a| AreaName {
                id: a.id.to_string(),
                name: a.name.clone(),
            })
            .collect();

        let mut hidden: Vec<HiddenTeams> = [HiddenKind::RoundOpen, HiddenKind::BelowK, HiddenKind::NoRounds]
            .into_iter()
            .map(|reason| HiddenTeams {
                reason,
                count: 0,
                teams: Vec::new(),
            })
            .collect();
        let mut hide = |kind: HiddenKind, name: String| {
            if let Some(h) = hidden.iter_mut().find(|h| h.reason == kind) {
                h.count += 1;
                h.teams.push(name);
            }
        };
        let mut counted = 0u64;
        let mut shown_teams = 0u64;
        let mut newer_open = 0u64;
        let mut overview: Vec<AreaOverview> = areas
            .iter()
            .map(|a| AreaOverview {
                area: a.id.clone(),
                name: a.name.clone(),
                teams: 0,
                levels: [0; 4],
                split: 0,
                dropped: 0,
                median: None,
            })
            .collect();
        let mut medians: Vec<Vec<f64>> = vec![Vec::new(); areas.len()];
        let mut lowest = Vec::new();
        let mut drops = Vec::new();
        let mut splits = Vec::new();
        // Per team id: its change per area (for the group roll-up).
        let mut changes: HashMap<TeamId, Vec<Option<f64>>> = HashMap::new();
        let mut plans = Vec::new();
        let mut goal_total = GoalCounts::default();
        let mut action_total = ActionCounts::default();

        for entry in entries {
            let team = entry.team;
            let name = team.name.to_string();
            let group = group_of(team);
            let has_round = entry.current.is_some() || entry.open.is_some();
            // A group without a round of its own is not a team here.
            if parents.contains(&team.id) && !has_round {
                continue;
            }
            counted += 1;
            if let Some(plan) = entry.plan.filter(|p| !p.is_empty()) {
                let mut goals = GoalCounts::default();
                let mut needs_a_look = Vec::new();
                for goal in &plan.goals {
                    let p = &goal.progress;
                    match &p.status {
                        GoalStatus::Met => goals.met += 1,
                        GoalStatus::OnTrack => goals.on_track += 1,
                        GoalStatus::AtRisk { .. } => goals.at_risk += 1,
                        GoalStatus::Missed => goals.missed += 1,
                    }
                    if matches!(p.status, GoalStatus::AtRisk { .. } | GoalStatus::Missed) {
                        needs_a_look.push(GoalNote {
                            area: model
                                .area(&p.area)
                                .map_or_else(|| p.area.to_string(), |a| a.name.clone()),
                            target: p.target.number(),
                            status: p.status.to_string(),
                        });
                    }
                }
                let mut actions = ActionCounts::default();
                for action in &plan.actions {
                    match action.status {
                        ActionStatus::Todo => actions.todo += 1,
                        ActionStatus::Doing => actions.doing += 1,
                        ActionStatus::Done => actions.done += 1,
                        ActionStatus::Dropped => actions.dropped += 1,
                    }
                }
                goal_total.met += goals.met;
                goal_total.on_track += goals.on_track;
                goal_total.at_risk += goals.at_risk;
                goal_total.missed += goals.missed;
                action_total.todo += actions.todo;
                action_total.doing += actions.doing;
                action_total.done += actions.done;
                action_total.dropped += actions.dropped;
                plans.push(TeamPlan {
                    team: name.clone(),
                    group: group.clone(),
                    goals,
                    actions,
                    needs_a_look,
                });
            }
            let Some((round, shown)) = entry.current else {
                hide(
                    if entry.open.is_some() {
                        HiddenKind::RoundOpen
                    } else {
                        HiddenKind::NoRounds
                    },
                    name,
                );
                continue;
            };
            if !shown.is_visible() {
                // Only a closed round is ever `current`, so it is hidden by k.
                let kind = match shown.hidden_reason() {
                    Some(HiddenReason::RoundOpen) => HiddenKind::RoundOpen,
                    _ => HiddenKind::BelowK,
                };
                hide(kind, name);
                continue;
            }
            shown_teams += 1;
            if entry.open.is_some_and(|o| o.id != round.id) {
                newer_open += 1;
            }
            let now = cells(model, shown);
            let before = entry
                .previous
                .filter(|(p, s)| p.id != round.id && s.is_visible())
                .map(|(p, s)| (p, cells(model, s)));
            let mut team_changes = vec![None; areas.len()];
            let mut team_drops = 0;
            let mut team_splits = 0;
            for cell in &now {
                let Some(area) = areas.get(cell.index) else {
                    continue;
                };
                let o = &mut overview[cell.index];
                o.teams += 1;
                o.levels[cell.level.index()] += 1;
                medians[cell.index].push(cell.median);
                if cell.split {
                    o.split += 1;
                    team_splits += 1;
                    splits.push(AreaSplit {
                        team: name.clone(),
                        group: group.clone(),
                        area: area.id.clone(),
                        name: area.name.clone(),
                        round: round.id.0,
                        level: cell.level.number(),
                        median: shown_score(cell.median),
                        iqr: round2(cell.iqr),
                        levels: cell.levels,
                    });
                }
                let earlier = before
                    .as_ref()
                    .and_then(|(p, b)| b.iter().find(|c| c.index == cell.index).map(|c| (*p, c)));
                if let Some((previous, then)) = earlier {
                    let delta = cell.median - then.median;
                    team_changes[cell.index] = Some(delta);
                    if delta < -STILL {
                        o.dropped += 1;
                        team_drops += 1;
                        drops.push(AreaDrop {
                            team: name.clone(),
                            group: group.clone(),
                            area: area.id.clone(),
                            name: area.name.clone(),
                            round: round.id.0,
                            previous_round: previous.id.0,
                            before: shown_score(then.median),
                            now: shown_score(cell.median),
                            delta: round2(delta),
                            level_before: then.level.number(),
                            level_now: cell.level.number(),
                            level_dropped: cell.level < then.level,
                        });
                    }
                }
            }
            if before.is_some() {
                changes.insert(team.id, team_changes);
            }
            if let Some(low) = now.iter().map(|c| c.level).min() {
                let mut weakest: Vec<&Cell> = now.iter().filter(|c| c.level == low).collect();
                weakest.sort_by(|a, b| a.median.partial_cmp(&b.median).unwrap_or(Ordering::Equal));
                let mean = now.iter().map(|c| c.median).sum::<f64>() / now.len() as f64;
                lowest.push(TeamAttention {
                    team: name.clone(),
                    group: group.clone(),
                    round: round.id.0,
                    mean: round2(mean),
                    more_at_lowest: weakest.len().saturating_sub(WEAKEST_SHOWN) as u64,
                    weakest: weakest
                        .iter()
                        .take(WEAKEST_SHOWN)
                        .filter_map(|c| {
                            let area = areas.get(c.index)?;
                            Some(AreaStanding {
                                area: area.id.clone(),
                                name: area.name.clone(),
                                level: c.level.number(),
                                level_name: level_name(c.level),
                                median: shown_score(c.median),
                                split: c.split,
                            })
                        })
                        .collect(),
                    drops: team_drops,
                    splits: team_splits,
                });
            }
        }
        for (o, m) in overview.iter_mut().zip(medians.iter_mut()) {
            o.median = median_of(m).map(shown_score);
        }
        lowest.sort_by(|a, b| {
            a.mean
                .partial_cmp(&b.mean)
                .unwrap_or(Ordering::Equal)
                .then_with(|| b.drops.cmp(&a.drops))
                .then_with(|| a.team.cmp(&b.team))
        });
        drops.sort_by(|a, b| {
            a.delta
                .partial_cmp(&b.delta)
                .unwrap_or(Ordering::Equal)
                .then_with(|| b.level_dropped.cmp(&a.level_dropped))
                .then_with(|| a.team.cmp(&b.team))
                .then_with(|| a.area.cmp(&b.area))
        });
        splits.sort_by(|a, b| {
            b.iqr
                .partial_cmp(&a.iqr)
                .unwrap_or(Ordering::Equal)
                .then_with(|| a.team.cmp(&b.team))
                .then_with(|| a.area.cmp(&b.area))
        });
        plans.sort_by(|a, b| {
            (b.goals.missed, b.goals.at_risk)
                .cmp(&(a.goals.missed, a.goals.at_risk))
                .then_with(|| a.team.cmp(&b.team))
        });

        let groups = group_changes(teams, &parents, entries, &changes, &areas);
        let models = if recorded.is_empty() {
            vec![ModelInfo::of(model)]
        } else {
            ModelInfo::distinct(recorded)
        };
        OrgSummary {
            schema: SUMMARY_SCHEMA,
            as_of: as_of.to_string(),
            levels: Level::ALL.iter().map(|l| level_name(*l)).collect(),
            areas,
            top,
            coverage: Coverage {
                teams: counted,
                shown: shown_teams,
                hidden,
                newer_round_open: newer_open,
            },
            area_overview: overview,
            lowest: Top::of(lowest, top),
            drops: Top::of(drops, top),
            splits: Top::of(splits, top),
            groups,
            goals: goal_total,
            actions: action_total,
            plans: Top::of(plans, top),
            models,
        }
    }

    /// Teams hidden, in all.
    pub fn hidden_count(&self) -> u64 {
        self.coverage.hidden.iter().map(|h| h.count).sum()
    }
}

/// The organisation and every group of the tree, each over the teams below
/// it (at any depth) that were compared with their previous round.
fn group_changes(
    teams: &[Team],
    parents: &HashSet<TeamId>,
    entries: &[SummaryTeam<'_>],
    changes: &HashMap<TeamId, Vec<Option<f64>>>,
    areas: &[AreaName],
) -> Vec<GroupChange> {
    let by_id: HashMap<TeamId, &Team> = teams.iter().map(|t| (t.id, t)).collect();
    let counted: Vec<&Team> = entries
        .iter()
        .filter(|e| !parents.contains(&e.team.id) || e.current.is_some() || e.open.is_some())
        .map(|e| e.team)
        .collect();
    // Each counted team adds itself to every ancestor; a guard stops a
    // (refused elsewhere) cycle from looping.
    let mut below: HashMap<TeamId, Vec<TeamId>> = HashMap::new();
    for team in &counted {
        let mut seen = HashSet::new();
        let mut at = team.parent;
        while let Some(p) = at {
            if !seen.insert(p) {
                break;
            }
            below.entry(p).or_default().push(team.id);
            at = by_id.get(&p).and_then(|t| t.parent);
        }
    }
    let change_of = |name: String, members: &[TeamId]| {
        let compared: Vec<&Vec<Option<f64>>> = members.iter().filter_map(|id| changes.get(id)).collect();
        GroupChange {
            group: name,
            teams: members.len() as u64,
            compared: compared.len() as u64,
            areas: areas
                .iter()
                .enumerate()
                .map(|(i, area)| {
                    let mut deltas: Vec<f64> = compared.iter().filter_map(|c| c.get(i).copied().flatten()).collect();
                    AreaChange {
                        area: area.id.clone(),
                        teams: deltas.len() as u64,
                        up: deltas.iter().filter(|d| **d > STILL).count() as u64,
                        down: deltas.iter().filter(|d| **d < -STILL).count() as u64,
                        median_change: median_of(&mut deltas).map(round2),
                    }
                })
                .collect(),
        }
    };
    let all: Vec<TeamId> = counted.iter().map(|t| t.id).collect();
    let mut out = vec![change_of("organisation".to_string(), &all)];
    let mut groups: Vec<(&Team, &Vec<TeamId>)> = below
        .iter()
        .filter_map(|(id, members)| Some((*by_id.get(id)?, members)))
        .collect();
    groups.sort_by(|a, b| a.0.name.as_str().cmp(b.0.name.as_str()));
    for (group, members) in groups {
        out.push(change_of(group.name.to_string(), members));
    }
    out
}

/// "+0.12", "−0.30", or "±0" for no change (never "-0.00").
fn signed(x: f64) -> String {
    if x.abs() < STILL {
        "±0".to_string()
    } else {
        format!("{x:+.2}")
    }
}

fn change_text(c: &AreaChange) -> String {
    match c.median_change {
        None => "–".to_string(),
        Some(m) => format!("{} ({}↑ {}↓ of {})", signed(m), c.up, c.down, c.teams),
    }
}

fn weakest_text(t: &TeamAttention) -> String {
    let more = (t.more_at_lowest > 0).then(|| format!("{} more at the same level", t.more_at_lowest));
    t.weakest
        .iter()
        .map(|w| {
            format!(
                "{} {} {} ({}){}",
                w.name,
                w.level,
                w.level_name,
                score_text(w.median),
                if w.split { " ! split" } else { "" }
            )
        })
        .chain(more)
        .collect::<Vec<_>>()
        .join("; ")
}

/// "1 met, 2 at risk": the counts that aren't zero, or "none".
fn counts(parts: &[(u64, &str)]) -> String {
    let said: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if said.is_empty() {
        "none".to_string()
    } else {
        said.join(", ")
    }
}

fn goals_text(g: &GoalCounts) -> String {
    counts(&[
        (g.met, "met"),
        (g.on_track, "on track"),
        (g.at_risk, "at risk"),
        (g.missed, "missed"),
    ])
}

fn actions_text(a: &ActionCounts) -> String {
    counts(&[
        (a.done, "done"),
        (a.doing, "doing"),
        (a.todo, "to do"),
        (a.dropped, "dropped"),
    ])
}

fn levels_text(levels: &[u64; 4]) -> String {
    levels
        .iter()
        .enumerate()
        .map(|(l, n)| format!("L{l}:{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The plain words under the summary, in every format.
pub const SUMMARY_LEGEND: &str = "Levels are team levels (the level nearest the team's median score). A drop \
compares a team's newest closed round with its previous closed round of the same mode and questionnaire. Split: \
the middle half of the team's scores spans a level or more (IQR ≥ 1), so its level is not settled. Only closed \
rounds with at least k responses are counted; hidden teams add their name to the tally, never a result.";

fn hidden_line(h: &HiddenTeams, top: usize) -> String {
    let names: Vec<&str> = h.teams.iter().take(top).map(String::as_str).collect();
    let more = h.teams.len().saturating_sub(top);
    let mut text = names.join(", ");
    if more > 0 {
        let _ = write!(text, " and {more} more");
    }
    text
}

pub fn render_summary_markdown(s: &OrgSummary) -> String {
    let mut out = String::from("# Organisation summary\n\n");
    let _ = writeln!(
        out,
        "As of {}: {} teams, {} shown, {} hidden.\n",
        s.as_of,
        s.coverage.teams,
        s.coverage.shown,
        s.hidden_count()
    );
    out.push_str("## Areas across the organisation\n\n");
    out.push_str("| Area | Teams shown | Teams per level | Split | Dropped | Median of team medians |\n");
    out.push_str("|---|---:|---|---:|---:|---:|\n");
    for a in &s.area_overview {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape(&a.name),
            a.teams,
            levels_text(&a.levels),
            a.split,
            a.dropped,
            a.median.map_or_else(|| "–".to_string(), score_text)
        );
    }
    out.push_str("\n## Teams with the lowest levels\n\n");
    if s.lowest.items.is_empty() {
        out.push_str("No team is shown yet.\n");
    } else {
        out.push_str(
            "| Team | Group | Mean of area medians | Weakest areas | Drops | Splits |\n|---|---|---:|---|---:|---:|\n",
        );
        for t in &s.lowest.items {
            let _ = writeln!(
                out,
                "| {} | {} | {:.2} | {} | {} | {} |",
                escape(&t.team),
                escape(t.group.as_deref().unwrap_or("–")),
                t.mean,
                escape(&weakest_text(t)),
                t.drops,
                t.splits
            );
        }
    }
    if let Some(more) = s.lowest.more() {
        let _ = writeln!(out, "\n_{more}_");
    }
    out.push_str("\n## Biggest drops since the previous round\n\n");
    if s.drops.items.is_empty() {
        out.push_str("No shown area dropped since its team's previous round.\n");
    } else {
        out.push_str("| Team | Area | Before → now | Change | Level |\n|---|---|---|---:|---|\n");
        for d in &s.drops.items {
            let level = if d.level_dropped {
                format!("{} → {} ▼", d.level_before, d.level_now)
            } else {
                format!("{} (kept)", d.level_now)
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} → {} (rounds {} → {}) | {:+.2} | {level} |",
                escape(&d.team),
                escape(&d.name),
                score_text(d.before),
                score_text(d.now),
                d.previous_round,
                d.round,
                d.delta
            );
        }
    }
    if let Some(more) = s.drops.more() {
        let _ = writeln!(out, "\n_{more}_");
    }
    out.push_str("\n## Split areas: the team disagrees\n\n");
    if s.splits.items.is_empty() {
        out.push_str("No shown team is split on an area.\n");
    } else {
        out.push_str(
            "| Team | Area | Level (median) | Middle-half spread (IQR) | People per level |\n|---|---|---|---:|---|\n",
        );
        for p in &s.splits.items {
            let _ = writeln!(
                out,
                "| {} | {} | {} ({}) ! split | {:.2} | {} |",
                escape(&p.team),
                escape(&p.name),
                p.level,
                score_text(p.median),
                p.iqr,
                levels_text(&p.levels)
            );
        }
    }
    if let Some(more) = s.splits.more() {
        let _ = writeln!(out, "\n_{more}_");
    }
    out.push_str("\n## Change since the previous round, by group\n\n");
    out.push_str("Median change of the median score of the teams compared (teams up ↑, down ↓, of compared).\n\n| Group | Teams | Compared |");
    for a in &s.areas {
        let _ = write!(out, " {} |", escape(&a.name));
    }
    out.push_str("\n|---|---:|---:|");
    for _ in &s.areas {
        out.push_str("---|");
    }
    out.push('\n');
    for g in &s.groups {
        let _ = write!(out, "| {} | {} | {} |", escape(&g.group), g.teams, g.compared);
        for c in &g.areas {
            let _ = write!(out, " {} |", change_text(c));
        }
        out.push('\n');
    }
    out.push_str("\n## Goals and actions\n\n");
    let _ = writeln!(
        out,
        "Goals: {}. Actions: {}.\n",
        goals_text(&s.goals),
        actions_text(&s.actions)
    );
    if !s.plans.items.is_empty() {
        out.push_str("| Team | Goals | Actions | Needs a look |\n|---|---|---|---|\n");
        for p in &s.plans.items {
            let notes: Vec<String> = p
                .needs_a_look
                .iter()
                .map(|n| format!("{} to level {}: {}", n.area, n.target, n.status))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape(&p.team),
                goals_text(&p.goals),
                actions_text(&p.actions),
                escape(&notes.join("; "))
            );
        }
        if let Some(more) = s.plans.more() {
            let _ = writeln!(out, "\n_{more} teams with a plan_");
        }
    }
    out.push_str("\n## Hidden teams\n\n");
    if s.hidden_count() == 0 {
        out.push_str("None: every team's newest closed round is shown.\n");
    }
    for h in s.coverage.hidden.iter().filter(|h| h.count > 0) {
        let _ = writeln!(
            out,
            "- {} {}: {}",
            h.count,
            h.reason.text(),
            escape(&hidden_line(h, s.top))
        );
    }
    if s.coverage.newer_round_open > 0 {
        let _ = writeln!(
            out,
            "\n{} shown teams also have a newer round still open (shown once it closes).",
            s.coverage.newer_round_open
        );
    }
    let _ = writeln!(out, "\n{SUMMARY_LEGEND}");
    out
}

/// Plain text for the terminal: the Markdown, which reads as text.
pub fn render_summary_text(s: &OrgSummary) -> String {
    render_summary_markdown(s)
}

/// One level's part of the teams-per-level bar.
struct LevelPart<'a> {
    level: usize,
    name: &'a str,
    count: u64,
    /// Percent of the bar.
    width: f64,
    fill: &'static str,
    text: &'static str,
}

fn total(levels: &[u64; 4]) -> u64 {
    levels.iter().sum()
}

fn level_name<'a>(names: &'a [String], level: &u8) -> &'a str {
    names.get(usize::from(*level)).map_or("", String::as_str)
}

/// Teams per level as one bar, weakest level first and darkest (the heat
/// map's scale), each part labelled with its count so it reads in
/// greyscale too.
fn level_parts<'a>(levels: &[u64; 4], names: &'a [String]) -> Vec<LevelPart<'a>> {
    let total = total(levels);
    levels
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(l, n)| LevelPart {
            level: l,
            name: names.get(l).map_or("", String::as_str),
            count: *n,
            width: (*n as f64) * 100.0 / total as f64,
            fill: svg::LEVEL_FILL[l],
            text: svg::LEVEL_TEXT[l],
        })
        .collect()
}

/// "0 Unaware 2 · 1 Initial 0 · …": the bar's numbers in words.
fn levels_named(levels: &[u64; 4], names: &[String]) -> String {
    levels
        .iter()
        .enumerate()
        .map(|(l, n)| format!("{l} {} {n}", names.get(l).map_or("", String::as_str)))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn median_text(median: &Option<f64>) -> String {
    median.map_or_else(|| "–".to_string(), score_text)
}

fn score(x: &f64) -> String {
    score_text(*x)
}

/// A group's change of one area: whether it is a drop, and the change.
fn change_cell(change: &AreaChange) -> Option<(bool, String)> {
    change.median_change.map(|m| (m < -STILL, signed(m)))
}

fn first<'a>(names: &'a [String], top: &usize) -> &'a [String] {
    &names[..names.len().min(*top)]
}

#[derive(askama::Template)]
#[template(path = "summary.html")]
struct SummaryPage<'a> {
    title: &'static str,
    credits: Vec<crate::credit::HtmlCredit<'a>>,
    s: &'a OrgSummary,
    legend: &'static str,
}

/// The summary as one self-contained page (see [`crate::html`]).
pub fn render_summary_html(s: &OrgSummary) -> String {
    crate::html::render(&SummaryPage {
        title: "Organisation summary",
        credits: s.models.iter().map(crate::credit::HtmlCredit::of).collect(),
        s,
        legend: SUMMARY_LEGEND,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keeps_the_first_and_counts_all() {
        let top = Top::of((0..25).collect::<Vec<u32>>(), 10);
        assert_eq!(top.items, (0..10).collect::<Vec<u32>>());
        assert_eq!(top.total, 25);
        assert_eq!(top.more().as_deref(), Some("showing 10 of 25"));
        assert_eq!(Top::of(vec![1], 10).more(), None);
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median_of(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_of(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median_of(&mut []), None);
    }
}
