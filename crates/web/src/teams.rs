//! Team pages: the organisation's teams as a tree (create, nest, archive),
//! and one team's page with its rounds, a form to open a round, its
//! history (radar and trend from the report crate) and its plan.

use std::collections::HashMap;

use askama::Template;
use asyncmm_app::{AppError, LoadedModel, OsRandom};
use asyncmm_core::{Mode, Team, TeamId};
use asyncmm_report::team::RoundMeta;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::{Signed, field};
use crate::error::WebError;
use crate::form::Fields;
use crate::names::{natural, segment};
use crate::pages::{Chrome, render};
use crate::state::AppState;

/// A team in the tree, with its depth for indentation.
pub(crate) struct TreeRow {
    pub name: String,
    pub href: String,
    pub depth: usize,
    pub archived: bool,
    pub has_children: bool,
}

/// Teams as a tree: each team under its parent, siblings in natural order.
/// A team whose parent is not visible is shown at the top.
pub(crate) fn tree(teams: &[Team]) -> Vec<TreeRow> {
    let ids: std::collections::HashSet<TeamId> = teams.iter().map(|t| t.id).collect();
    let mut children: HashMap<Option<TeamId>, Vec<&Team>> = HashMap::new();
    for team in teams {
        let parent = team.parent.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(team);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| natural(a.name.as_str(), b.name.as_str()));
    }
    let mut out = Vec::with_capacity(teams.len());
    let mut stack: Vec<(&Team, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|t| (*t, 0)).collect())
        .unwrap_or_default();
    while let Some((team, depth)) = stack.pop() {
        let kids = children.get(&Some(team.id));
        out.push(TreeRow {
            name: team.name.as_str().to_string(),
            href: format!("/teams/{}", segment(team.name.as_str())),
            depth,
            archived: team.archived,
            has_children: kids.is_some_and(|k| !k.is_empty()),
        });
        if let Some(kids) = kids {
            stack.extend(kids.iter().rev().map(|t| (*t, depth + 1)));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    chrome: Chrome,
    rows: Vec<TreeRow>,
    can_write: bool,
    error: Option<String>,
}

struct RoundRow {
    meta: RoundMeta,
    open: bool,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    chrome: Chrome,
    name: String,
    href: String,
    archived: bool,
    can_write: bool,
    rounds: Vec<RoundRow>,
    radar: Option<String>,
    trend: Option<String>,
    error: Option<String>,
}

async fn teams_page(state: &AppState, signed: &Signed, error: Option<String>) -> Result<Response, WebError> {
    let app = state.app().await?;
    let teams = app.visible_teams(signed.user(), false).await?;
    Ok(render(&TeamsPage {
        chrome: Chrome::of(&signed.0),
        rows: tree(&teams),
        can_write: signed.user().role.can_write(),
        error,
    })?
    .into_response())
}

async fn teams(State(state): State<AppState>, signed: Signed) -> Result<Response, WebError> {
    teams_page(&state, &signed, None).await
}

/// Errors a person can fix by changing the form: shown on the form's page.
fn fixable(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid { .. } | AppError::Conflict(_) | AppError::NotFound { .. } | AppError::KFixed(_)
    )
}

async fn create_team(
    State(state): State<AppState>,
    signed: Signed,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    let name = field(&fields, "name").unwrap_or_default();
    let parent = field(&fields, "parent").map(str::trim).filter(|p| !p.is_empty());
    let app = state.app().await?;
    match app.add_team_as(signed.user(), name, parent).await {
        Ok(team) => Ok(Redirect::to(&format!("/teams/{}", segment(team.name.as_str()))).into_response()),
        Err(e) if fixable(&e) => {
            let mut response = teams_page(&state, &signed, Some(e.to_string())).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

async fn team_page(state: &AppState, signed: &Signed, name: &str, error: Option<String>) -> Result<Response, WebError> {
    let app = state.app().await?;
    let team = app.team_for(signed.user(), name).await?;
    let rounds = app
        .round_list(Some(team.name.as_str()))
        .await?
        .into_iter()
        .rev()
        .map(|meta| RoundRow {
            open: meta.state == asyncmm_core::RoundState::Open,
            meta,
        })
        .collect();
    let history = match app.history(Some(team.name.as_str())).await {
        Ok(history) => Some(history),
        Err(AppError::NothingYet(_) | AppError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let (radar, trend) = match &history {
        Some(h) => (
            Some(asyncmm_report::svg::history_radar(h, None)),
            (h.entries.len() > 1).then(|| asyncmm_report::svg::history_trend(h)),
        ),
        None => (None, None),
    };
    Ok(render(&TeamPage {
        chrome: Chrome::of(&signed.0),
        href: format!("/teams/{}", segment(team.name.as_str())),
        name: team.name.as_str().to_string(),
        archived: team.archived,
        can_write: signed.user().role.can_write() && !team.archived,
        rounds,
        radar,
        trend,
        error,
    })?
    .into_response())
}

async fn team(State(state): State<AppState>, signed: Signed, Path(name): Path<String>) -> Result<Response, WebError> {
    team_page(&state, &signed, &name, None).await
}

async fn archive(
    State(state): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    let app = state.app().await?;
    let team = app.team_to_change(signed.user(), &name).await?;
    match app.archive_team(team.name.as_str()).await {
        Ok(_) => Ok(Redirect::to("/teams").into_response()),
        Err(e) if fixable(&e) => team_page(&state, &signed, &name, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "opened.html")]
struct OpenedPage {
    chrome: Chrome,
    team: String,
    team_href: String,
    round: i64,
    mode: Mode,
    k: u16,
    links: Vec<String>,
    shared: Option<String>,
    open_actions: Vec<String>,
}

async fn open_round(
    State(state): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    let app = state.app().await?;
    let team = app.team_to_change(signed.user(), &name).await?;
    let mode = Mode::parse(field(&fields, "mode").unwrap_or("quick"))
        .ok_or_else(|| WebError::BadRequest("the mode is quick or detailed".to_string()))?;
    let k: i64 = field(&fields, "k")
        .unwrap_or("5")
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("k is a whole number, at least 3".to_string()))?;
    let count: u32 = field(&fields, "tokens")
        .unwrap_or("10")
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("the number of links is a whole number".to_string()))?;
    let closes = field(&fields, "closes").map(str::trim).filter(|c| !c.is_empty());
    let shared = match field(&fields, "links").unwrap_or("personal") {
        "personal" => false,
        "shared" => true,
        _ => return Err(WebError::BadRequest("the links are personal or shared".to_string())),
    };
    let model = LoadedModel::embedded()?;
    let opened = match app
        .open_round(team.name.as_str(), mode, k, closes, count, &model, &mut OsRandom)
        .await
    {
        Ok(opened) => opened,
        Err(e) if fixable(&e) => return team_page(&state, &signed, &name, Some(e.to_string())).await,
        Err(e) => return Err(e.into()),
    };
    let shared = if shared {
        let secret = app.share_round(opened.round.id.0, &mut OsRandom).await?;
        Some(format!("{}/s/{}", state.public_url, secret.reveal()))
    } else {
        None
    };
    tracing::info!(
        round = opened.round.id.0,
        links = opened.tokens.len(),
        shared = shared.is_some(),
        "round opened"
    );
    Ok(render(&OpenedPage {
        chrome: Chrome::of(&signed.0),
        team_href: format!("/teams/{}", segment(team.name.as_str())),
        team: team.name.as_str().to_string(),
        round: opened.round.id.0,
        mode: opened.round.mode,
        k: opened.round.k.get(),
        links: opened
            .tokens
            .iter()
            .map(|t| format!("{}/r/{}", state.public_url, t.reveal()))
            .collect(),
        shared,
        open_actions: opened.open_actions.iter().map(|a| a.title.clone()).collect(),
    })?
    .into_response())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/teams", get(teams).post(create_team))
        .route("/teams/{name}", get(team))
        .route("/teams/{name}/archive", post(archive))
        .route("/teams/{name}/rounds", post(open_round))
}
