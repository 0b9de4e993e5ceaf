//! The organisation's view for admins and viewers: every team's newest
//! result (hidden where k is not met, as the application layer gates it),
//! grouped by the team tree with each group's roll-up row first, names in
//! natural order, and the heat map from the report crate.

use std::collections::HashMap;

use askama::Template;
use asyncmm_report::team::{OrgCell, OrgReport};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::auth::Signed;
use crate::error::WebError;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use crate::teams::tree;

struct Cell {
    text: String,
    hidden: bool,
    title: String,
}

struct Row {
    name: String,
    href: Option<String>,
    depth: usize,
    rollup: bool,
    note: String,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    chrome: Chrome,
    areas: Vec<String>,
    rows: Vec<Row>,
    heatmap: Option<String>,
    without_rounds: Vec<String>,
}

fn cells(cells: &[OrgCell]) -> Vec<Cell> {
    cells
        .iter()
        .map(|c| match (&c.hidden, c.median) {
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
        })
        .collect()
}

/// The report's rows laid out along the team tree: a group's roll-up row
/// (median of its teams' medians) comes first, then its teams.
fn rows(report: &OrgReport, teams: &[asyncmm_core::Team]) -> Vec<Row> {
    let rollup = report.rollups.first();
    let group_rows: HashMap<&str, _> = rollup
        .map(|r| r.rows.iter().map(|row| (row.node.as_str(), row)).collect())
        .unwrap_or_default();
    let team_rows: HashMap<&str, _> = report.teams.iter().map(|t| (t.team.as_str(), t)).collect();
    let mut out = Vec::new();
    if let Some(org) = group_rows.get("organisation") {
        out.push(Row {
            name: "Organisation".to_string(),
            href: None,
            depth: 0,
            rollup: true,
            note: org.left_out.clone().unwrap_or_default(),
            cells: cells(&org.cells),
        });
    }
    for node in tree(teams) {
        if let Some(group) = group_rows.get(node.name.as_str()).filter(|_| node.has_children) {
            out.push(Row {
                name: format!("{} (group)", node.name),
                href: Some(node.href.clone()),
                depth: node.depth,
                rollup: true,
                note: group.left_out.clone().unwrap_or_default(),
                cells: cells(&group.cells),
            });
        }
        if let Some(team) = team_rows.get(node.name.as_str()) {
            out.push(Row {
                name: node.name.clone(),
                href: Some(format!("/rounds/{}", team.round)),
                depth: node.depth + usize::from(node.has_children),
                rollup: false,
                note: match (&team.hidden, &team.open_round) {
                    (Some(h), _) => h.text(),
                    (None, Some(open)) => format!("round {} open: {} so far", open.round, open.responses),
                    (None, None) => format!("round {} · {} responses", team.round, team.responses),
                },
                cells: cells(&team.cells),
            });
        }
    }
    out
}

async fn org(State(state): State<AppState>, signed: Signed) -> Result<Response, WebError> {
    if !signed.user().role.sees_all_teams() {
        return Err(WebError::Forbidden);
    }
    let app = state.app().await?;
    let report = app.org_report().await?;
    let teams = app.visible_teams(signed.user(), false).await?;
    let rows = rows(&report, &teams);
    let heatmap = (!report.teams.is_empty()).then(|| asyncmm_report::svg::org_heatmap(&report));
    Ok(render(&OrgPage {
        chrome: Chrome::of(&signed.0),
        areas: report.areas.iter().map(|a| a.name.clone()).collect(),
        rows,
        heatmap,
        without_rounds: report.teams_without_rounds.clone(),
    })?
    .into_response())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/org", get(org))
}
