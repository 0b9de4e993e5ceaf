//! The organisation's trends: each group's median per area, quarter by
//! quarter, from the application layer's org view of each quarter (the
//! same gate and roll-ups as the org page), so a cell is hidden wherever
//! k is not met. Admins and viewers only, like the org page.

use std::collections::HashMap;

use askama::Template;
use asyncmm_report::team::OrgRollupRow;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::auth::Signed;
use crate::error::WebError;
use crate::org::{KeyedRollup, RollupKey, median_rollups, pools_nothing, rollup_label};
use crate::pages::{Chrome, render};
use crate::state::AppState;
use crate::teams::tree;

struct Cell {
    text: String,
    hidden: bool,
    title: String,
}

struct Line {
    quarter: String,
    cells: Vec<Cell>,
    note: String,
}

struct Group {
    name: String,
    depth: usize,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "trends.html")]
struct TrendsPage {
    chrome: Chrome,
    areas: Vec<String>,
    groups: Vec<Group>,
}

/// A group's row of one quarter, its cells in the order of `areas` (ids).
fn line(quarter: &str, row: Option<&OrgRollupRow>, areas: &[String]) -> Line {
    let Some(row) = row else {
        return Line {
            quarter: quarter.to_string(),
            cells: areas
                .iter()
                .map(|_| Cell {
                    text: "–".to_string(),
                    hidden: false,
                    title: "no round this quarter".to_string(),
                })
                .collect(),
            note: "no round this quarter".to_string(),
        };
    };
    let cells = areas
        .iter()
        .map(|area| match row.cells.iter().find(|c| &c.area == area) {
            Some(c) => match (&c.hidden, &row.hidden, c.median) {
                (Some(h), _, _) | (None, Some(h), _) => Cell {
                    text: "hidden".to_string(),
                    hidden: true,
                    title: h.text(),
                },
                (None, None, Some(m)) => Cell {
                    text: format!("{m:.2}"),
                    hidden: false,
                    title: c.level.map_or_else(String::new, |l| format!("level {l}")),
                },
                (None, None, None) => Cell {
                    text: "–".to_string(),
                    hidden: false,
                    title: String::new(),
                },
            },
            None => Cell {
                text: "–".to_string(),
                hidden: false,
                title: "not in this quarter's questionnaire".to_string(),
            },
        })
        .collect();
    Line {
        quarter: quarter.to_string(),
        cells,
        note: row
            .hidden
            .as_ref()
            .map(|h| h.text())
            .or_else(|| row.left_out.clone())
            .unwrap_or_else(|| format!("{} respondents", row.respondents)),
    }
}

async fn trends(State(state): State<AppState>, signed: Signed) -> Result<Response, WebError> {
    if !signed.user().role.sees_all_teams() {
        return Err(WebError::Forbidden);
    }
    let app = state.app().await?;
    let periods = app.org_trends().await?;
    let teams = app.visible_teams(signed.user(), false).await?;
    let (area_ids, areas): (Vec<String>, Vec<String>) = periods
        .last()
        .map(|p| p.report.areas.iter().map(|a| (a.id.clone(), a.name.clone())).unzip())
        .unwrap_or_default();
    // Per quarter, the group rows of its median-of-medians roll-ups, one
    // per model version and mode; a group gets a line for each of those
    // with rounds under it in some quarter (labelled when there are
    // several), or one empty line when it has none.
    let quarters: Vec<(&str, Vec<KeyedRollup<'_>>)> = periods
        .iter()
        .map(|p| (p.quarter.as_str(), median_rollups(&p.report)))
        .collect();
    let mut keys: Vec<RollupKey<'_>> = Vec::new();
    for (_, rollups) in &quarters {
        for (key, _) in rollups {
            if !keys.contains(key) {
                keys.push(*key);
            }
        }
    }
    let mut groups = Vec::new();
    let mut add = |node: &str, name: &str, depth: usize| {
        let pooled: Vec<RollupKey<'_>> = keys
            .iter()
            .copied()
            .filter(|key| {
                quarters
                    .iter()
                    .any(|(_, rollups)| row_of(node, *key, rollups).is_some_and(|r| !pools_nothing(r)))
            })
            .collect();
        let shown: Vec<(RollupKey<'_>, String)> = if pooled.is_empty() {
            keys.first().map(|key| (*key, String::new())).into_iter().collect()
        } else {
            pooled.iter().map(|key| (*key, rollup_label(*key, &keys))).collect()
        };
        for (key, label) in shown {
            let label = label.trim_start_matches(", ");
            groups.push(Group {
                name: if label.is_empty() {
                    name.to_string()
                } else {
                    format!("{name} ({label})")
                },
                depth,
                lines: quarters
                    .iter()
                    .map(|(quarter, rollups)| line(quarter, row_of(node, key, rollups), &area_ids))
                    .collect(),
            });
        }
    };
    if !periods.is_empty() {
        add("organisation", "Organisation", 0);
        for node in tree(&teams).into_iter().filter(|n| n.has_children) {
            add(&node.name, &node.name, node.depth + 1);
        }
    }
    Ok(render(&TrendsPage {
        chrome: Chrome::of(&signed.0),
        areas,
        groups,
    })?
    .into_response())
}

/// A node's row in one quarter's roll-up for `key`, if that quarter has it.
fn row_of<'r>(
    node: &str,
    key: RollupKey<'_>,
    rollups: &[(RollupKey<'_>, HashMap<&str, &'r OrgRollupRow>)],
) -> Option<&'r OrgRollupRow> {
    rollups
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, rows)| rows.get(node).copied())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/org/trends", get(trends))
}
