//! The organisation's view for admins and viewers: the org summary (which
//! teams need help, and where), then every team's newest result grouped
//! by the team tree — each group foldable (`<details>`, so it works
//! without JavaScript), its roll-up row first, names in natural order —
//! filtered by area or level through a plain GET form, and the heat map.
//!
//! Results come from the same use cases as `asyncmm report --org` and
//! `--summary`, already through the anonymity gate: a hidden cell has no
//! level or median here, so no filter or fold can bring it back.

use std::collections::{HashMap, HashSet};

use askama::Template;
use asyncmm_core::{Mode, RollupRule, Team, TeamId};
use asyncmm_report::summary::{HiddenTeams, OrgSummary};
use asyncmm_report::team::{HiddenInfo, OrgCell, OrgReport, OrgRollupRow, OrgTeamRow};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::Signed;
use crate::error::WebError;
use crate::form::Choice;
use crate::names::{natural, segment};
use crate::pages::{Chrome, render};
use crate::state::AppState;

/// Above this many teams, groups below the top level start folded.
const FOLD_ABOVE: usize = 60;

struct Cell {
    text: String,
    hidden: bool,
    title: String,
}

struct Row {
    name: String,
    href: Option<String>,
    rollup: bool,
    note: String,
    cells: Vec<Cell>,
}

/// The org table as a sequence: a group opens (a `<details>`), shows its
/// rows, holds its subgroups, and closes.
enum Block {
    Open(GroupHead),
    Rows(Vec<Row>),
    Close,
}

/// What a group's `<summary>` says.
struct GroupHead {
    name: String,
    depth: usize,
    open: bool,
    /// Teams below the group, at any depth.
    teams: usize,
    /// The roll-up in one line, for a folded group.
    brief: String,
}

/// What the filter form asks for.
#[derive(Debug, Default, Deserialize)]
struct Filter {
    /// An area id: only its column, and the level filter looks only there.
    #[serde(default)]
    area: String,
    /// A level 0–3: only teams at that level (in the area, or in any area).
    #[serde(default)]
    level: String,
    /// `all`: every group open.
    #[serde(default)]
    open: String,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    chrome: Chrome,
    summary: OrgSummary,
    /// Teams without a shown result, one line per reason.
    hidden: Vec<String>,
    areas: Vec<String>,
    area_choices: Vec<Choice>,
    level_choices: Vec<Choice>,
    chosen_area: String,
    chosen_level: Option<u8>,
    open_all: bool,
    filtered: bool,
    matches: usize,
    blocks: Vec<Block>,
    heatmap: Option<String>,
    without_rounds: Vec<String>,
}

fn cell(c: &OrgCell) -> Cell {
    match (&c.hidden, c.median) {
        (Some(h), _) => Cell {
            text: "hidden".to_string(),
            hidden: true,
            title: h.text(),
        },
        (None, Some(m)) => Cell {
            text: format!("{m:.2}{}", if c.disagreement { " !" } else { "" }),
            hidden: false,
            title: c.level.map_or_else(String::new, |l| format!("level {l}")),
        },
        (None, None) => Cell {
            text: "–".to_string(),
            hidden: false,
            title: String::new(),
        },
    }
}

/// How the table is cut: which area columns, which level.
struct Cut {
    columns: Vec<usize>,
    level: Option<u8>,
}

impl Cut {
    /// The chosen columns' cells; a row hidden as a whole (its cells left
    /// out) shows every column as hidden, saying why.
    fn cells(&self, cells: &[OrgCell], hidden: Option<&HiddenInfo>) -> Vec<Cell> {
        self.columns
            .iter()
            .map(|i| match (cells.get(*i), hidden) {
                (_, Some(h)) => Cell {
                    text: "hidden".to_string(),
                    hidden: true,
                    title: h.text(),
                },
                (Some(c), None) => cell(c),
                (None, None) => cell(&OrgCell {
                    area: String::new(),
                    hidden: None,
                    level: None,
                    median: None,
                    iqr: None,
                    disagreement: false,
                }),
            })
            .collect()
    }

    /// A team row is kept when no level is asked for, or when a shown cell
    /// in the chosen columns is at that level (hidden cells have none).
    fn keeps(&self, cells: &[OrgCell]) -> bool {
        match self.level {
            None => true,
            Some(level) => self
                .columns
                .iter()
                .filter_map(|i| cells.get(*i))
                .any(|c| c.hidden.is_none() && c.level == Some(level)),
        }
    }

    fn brief(&self, areas: &[String], row: &OrgRollupRow) -> String {
        if let Some(h) = &row.hidden {
            return h.text();
        }
        self.columns
            .iter()
            .filter_map(|i| Some((areas.get(*i)?, row.cells.get(*i)?)))
            .map(|(name, c)| match (&c.hidden, c.median) {
                (None, Some(m)) => format!("{name} {m:.2}"),
                _ => format!("{name} hidden"),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

fn team_row(team: &OrgTeamRow, cut: &Cut) -> Row {
    Row {
        name: team.team.clone(),
        href: Some(format!("/rounds/{}", team.round)),
        rollup: false,
        note: match (&team.hidden, &team.open_round) {
            (Some(h), _) => h.text(),
            (None, Some(open)) => format!("round {} open: {} so far", open.round, open.responses),
            (None, None) => format!("round {} · {} responses", team.round, team.responses),
        },
        cells: cut.cells(&team.cells, team.hidden.as_ref()),
    }
}

fn rollup_row(name: String, href: Option<String>, row: &OrgRollupRow, cut: &Cut) -> Row {
    Row {
        name,
        href,
        rollup: true,
        note: row
            .hidden
            .as_ref()
            .map(|h| h.text())
            .or_else(|| row.left_out.clone())
            .unwrap_or_default(),
        cells: cut.cells(&row.cells, row.hidden.as_ref()),
    }
}

/// One roll-up of an org report: the model version and the mode whose
/// rounds it pools (quick levels and detailed scores are never pooled).
pub(crate) type RollupKey<'a> = (&'a str, Mode);

/// One roll-up's group rows by node, with what it pools.
pub(crate) type KeyedRollup<'a> = (RollupKey<'a>, HashMap<&'a str, &'a OrgRollupRow>);

/// The group rows of each roll-up by the median of team medians, with what
/// it pools, in the report's order.
pub(crate) fn median_rollups(report: &OrgReport) -> Vec<KeyedRollup<'_>> {
    report
        .rollups
        .iter()
        .filter(|r| r.rule == RollupRule::MedianOfTeamMedians)
        .map(|r| {
            (
                (r.model.as_str(), r.mode),
                r.rows.iter().map(|row| (row.node.as_str(), row)).collect(),
            )
        })
        .collect()
}

/// A roll-up row that pools nothing: no round of its model version and
/// mode under the node.
pub(crate) fn pools_nothing(row: &OrgRollupRow) -> bool {
    row.hidden.as_ref().is_some_and(|h| h.n == 0)
}

/// How a roll-up row names what it pools, when the organisation has more
/// than one roll-up: the mode, and the model version too when those differ.
pub(crate) fn rollup_label(key: RollupKey<'_>, keys: &[RollupKey<'_>]) -> String {
    if keys.len() < 2 {
        String::new()
    } else if keys.iter().all(|(model, _)| *model == key.0) {
        format!(", {}", key.1)
    } else {
        format!(", {} · {}", key.1, key.0)
    }
}

/// Per node, its roll-up rows: one for each model version and mode with
/// rounds under it, labelled (see [`rollup_label`]); a node with rounds in
/// none gets the first roll-up's row, which says why it is empty.
fn group_rows(report: &OrgReport) -> HashMap<&str, Vec<(String, &OrgRollupRow)>> {
    let rollups = median_rollups(report);
    let keys: Vec<RollupKey<'_>> = rollups.iter().map(|(key, _)| *key).collect();
    let mut by_node: HashMap<&str, Vec<(String, &OrgRollupRow)>> = HashMap::new();
    for (key, rows) in &rollups {
        for (node, row) in rows {
            if !pools_nothing(row) {
                by_node.entry(node).or_default().push((rollup_label(*key, &keys), *row));
            }
        }
    }
    if let Some((_, first)) = rollups.first() {
        for (node, row) in first {
            by_node.entry(node).or_insert_with(|| vec![(String::new(), *row)]);
        }
    }
    by_node
}

/// The report laid along the team tree.
struct Layout<'a> {
    children: HashMap<Option<TeamId>, Vec<&'a Team>>,
    team_rows: HashMap<&'a str, &'a OrgTeamRow>,
    group_rows: HashMap<&'a str, Vec<(String, &'a OrgRollupRow)>>,
    areas: Vec<String>,
    cut: Cut,
    open_depth: usize,
    matches: usize,
}

impl<'a> Layout<'a> {
    fn new(report: &'a OrgReport, teams: &'a [Team], cut: Cut, open_depth: usize) -> Layout<'a> {
        let ids: HashSet<TeamId> = teams.iter().map(|t| t.id).collect();
        let mut children: HashMap<Option<TeamId>, Vec<&Team>> = HashMap::new();
        for team in teams {
            children
                .entry(team.parent.filter(|p| ids.contains(p)))
                .or_default()
                .push(team);
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| natural(a.name.as_str(), b.name.as_str()));
        }
        Layout {
            children,
            team_rows: report.teams.iter().map(|t| (t.team.as_str(), t)).collect(),
            group_rows: group_rows(report),
            areas: report.areas.iter().map(|a| a.name.clone()).collect(),
            cut,
            open_depth,
            matches: 0,
        }
    }

    fn is_group(&self, team: &Team) -> bool {
        self.children.get(&Some(team.id)).is_some_and(|k| !k.is_empty())
    }

    /// The rows of the teams directly under `parent` that are not groups
    /// (and the group's own round, first), kept by the level filter.
    fn leaf_rows(&mut self, own: Option<&'a Team>, parent: Option<TeamId>) -> Vec<Row> {
        let kids: Vec<&'a Team> = self.children.get(&parent).cloned().unwrap_or_default();
        let list: Vec<&'a Team> = own
            .into_iter()
            .chain(kids.into_iter().filter(|t| !self.is_group(t)))
            .collect();
        let mut rows = Vec::new();
        for team in list {
            if let Some(row) = self.team_rows.get(team.name.as_str()).copied()
                && self.cut.keeps(&row.cells)
            {
                self.matches += 1;
                rows.push(team_row(row, &self.cut));
            }
        }
        rows
    }

    /// Teams below a group at any depth, the group itself not counted.
    fn size(&self, id: TeamId) -> usize {
        self.children
            .get(&Some(id))
            .map_or(0, |kids| kids.iter().map(|k| 1 + self.size(k.id)).sum())
    }

    /// A group's blocks, or nothing when a level is asked for and none of
    /// its teams is at it.
    fn group(&mut self, group: &'a Team, depth: usize) -> Vec<Block> {
        let before = self.matches;
        let mut rows = Vec::new();
        let rollups = self.group_rows.get(group.name.as_str()).cloned().unwrap_or_default();
        let href = format!("/teams/{}", segment(group.name.as_str()));
        for (label, r) in &rollups {
            rows.push(rollup_row(
                format!("{} (roll-up{label})", group.name),
                Some(href.clone()),
                r,
                &self.cut,
            ));
        }
        let rollup = rollups.first().map(|(_, r)| *r);
        rows.extend(self.leaf_rows(Some(group), Some(group.id)));
        let subgroups: Vec<&Team> = self
            .children
            .get(&Some(group.id))
            .map(|kids| kids.iter().copied().filter(|t| self.is_group(t)).collect())
            .unwrap_or_default();
        let mut inner = Vec::new();
        for sub in subgroups {
            inner.extend(self.group(sub, depth + 1));
        }
        if self.cut.level.is_some() && self.matches == before {
            return Vec::new();
        }
        let mut blocks = vec![Block::Open(GroupHead {
            name: group.name.to_string(),
            depth,
            open: depth < self.open_depth,
            teams: self.size(group.id),
            brief: rollup.map_or_else(String::new, |r| self.cut.brief(&self.areas, r)),
        })];
        blocks.push(Block::Rows(rows));
        blocks.extend(inner);
        blocks.push(Block::Close);
        blocks
    }

    fn blocks(mut self) -> (Vec<Block>, usize) {
        let mut top = Vec::new();
        for (label, org) in self.group_rows.get("organisation").cloned().unwrap_or_default() {
            top.push(rollup_row(
                format!("Organisation (roll-up{label})"),
                None,
                org,
                &self.cut,
            ));
        }
        top.extend(self.leaf_rows(None, None));
        let groups: Vec<&Team> = self
            .children
            .get(&None)
            .map(|roots| roots.iter().copied().filter(|t| self.is_group(t)).collect())
            .unwrap_or_default();
        let mut blocks = vec![Block::Rows(top)];
        for group in groups {
            blocks.extend(self.group(group, 0));
        }
        (blocks, self.matches)
    }
}

/// "2 fewer than k responses …: Mobile, Web and 3 more".
fn hidden_line(h: &HiddenTeams, top: usize) -> String {
    let names: Vec<&str> = h.teams.iter().take(top).map(String::as_str).collect();
    let more = h.teams.len().saturating_sub(top);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("{} {}: {}{more}", h.count, h.reason.text(), names.join(", "))
}

async fn org(
    State(state): State<AppState>,
    signed: Signed,
    Query(filter): Query<Filter>,
) -> Result<Response, WebError> {
    if !signed.user().role.sees_all_teams() {
        return Err(WebError::Forbidden);
    }
    let app = state.app().await?;
    let (report, summary) = app.org_overview(None).await?;
    let teams = app.visible_teams(signed.user(), false).await?;
    let area = report.areas.iter().position(|a| a.id == filter.area.trim());
    let level = match filter.level.trim() {
        "" => None,
        text => Some(
            text.parse::<u8>()
                .ok()
                .filter(|l| usize::from(*l) < report.levels.len())
                .ok_or_else(|| WebError::BadRequest("a level is a number from 0 to 3".to_string()))?,
        ),
    };
    if area.is_none() && !filter.area.trim().is_empty() {
        return Err(WebError::BadRequest(format!(
            "{:?} is not an area of the model",
            filter.area.trim()
        )));
    }
    let cut = Cut {
        columns: match area {
            Some(i) => vec![i],
            None => (0..report.areas.len()).collect(),
        },
        level,
    };
    let filtered = area.is_some() || level.is_some();
    let open_all = filter.open == "all" || filtered || teams.len() <= FOLD_ABOVE;
    let open_depth = if open_all { usize::MAX } else { 1 };
    let (blocks, matches) = Layout::new(&report, &teams, cut, open_depth).blocks();
    let heatmap = (!report.teams.is_empty()).then(|| asyncmm_report::svg::org_heatmap(&report));
    Ok(render(&OrgPage {
        chrome: Chrome::of(&signed.0),
        areas: match area {
            Some(i) => vec![report.areas[i].name.clone()],
            None => report.areas.iter().map(|a| a.name.clone()).collect(),
        },
        area_choices: report
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| Choice::new(a.id.clone(), a.name.clone(), area == Some(i)))
            .collect(),
        level_choices: report
            .levels
            .iter()
            .enumerate()
            .map(|(n, name)| Choice::new(n.to_string(), format!("{n} {name}"), level.map(usize::from) == Some(n)))
            .collect(),
        chosen_area: area.map(|i| report.areas[i].id.clone()).unwrap_or_default(),
        chosen_level: level,
        open_all: filter.open == "all",
        filtered,
        matches,
        blocks,
        heatmap,
        without_rounds: report.teams_without_rounds.clone(),
        hidden: summary
            .coverage
            .hidden
            .iter()
            .map(|h| hidden_line(h, summary.top))
            .collect(),
        summary,
    })?
    .into_response())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/org", get(org))
}
