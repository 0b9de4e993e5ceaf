//! `/api/v1/teams`: the teams a caller may see (admins and viewers: all;
//! leads: the teams they lead and those inside them), adding one (inside
//! another, too), reading one, its history across rounds, archiving one.
//! The same use cases as the teams pages.
//!
//! The team list is paged in memory, not by the database: which teams a
//! lead sees is a walk up the team tree, and the natural order of names
//! ("Team 2" before "Team 10", case-insensitive, by Unicode lowercase) is
//! not a collation SQLite and PostgreSQL share. An organisation has
//! hundreds of teams, not millions, so one read of them all is cheap.

use std::collections::HashMap;

use asyncmm_core::{Team, TeamId};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::{Caller, Paging};
use crate::api::problem::{ApiError, Problem};
use crate::names::natural;
use crate::state::AppState;

/// A team of the organisation.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeamOut {
    pub name: String,
    /// The team it belongs to, when the caller may see that one too.
    pub parent: Option<String>,
    /// Archived teams keep their history and take no new rounds.
    pub archived: bool,
}

/// One page of teams.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeamPage {
    pub items: Vec<TeamOut>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub pages: u32,
}

/// A team to add.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct NewTeam {
    pub name: String,
    /// The team to put it in (a lead may only use a team they lead).
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TeamQuery {
    /// The page, from 1 (default 1).
    #[param(minimum = 1)]
    page: Option<u32>,
    /// Items per page, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// Include archived teams (default false).
    #[serde(default)]
    archived: bool,
}

/// `team` as the caller sees it: its parent is named only when visible.
pub(crate) fn team_out(team: &Team, visible: &HashMap<TeamId, &Team>) -> TeamOut {
    TeamOut {
        name: team.name.as_str().to_string(),
        parent: team
            .parent
            .and_then(|p| visible.get(&p))
            .map(|p| p.name.as_str().to_string()),
        archived: team.archived,
    }
}

/// The team `name` as the caller sees it.
async fn shown(state: &AppState, caller: &Caller, team: &Team) -> Result<TeamOut, ApiError> {
    let visible = state.app().await?.visible_teams(caller.user(), true).await?;
    let by_id: HashMap<TeamId, &Team> = visible.iter().map(|t| (t.id, t)).collect();
    Ok(team_out(team, &by_id))
}

/// The teams the caller may see, in natural order of their names.
#[utoipa::path(
    get,
    path = "/api/v1/teams",
    tag = "teams",
    params(TeamQuery),
    responses(
        (status = 200, description = "One page of teams; a `Link` header points to the other pages", body = TeamPage, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        (status = 400, description = "A bad page number or size", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn list_teams(
    caller: Caller,
    State(state): State<AppState>,
    Query(query): Query<TeamQuery>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    // Every visible team (a parent may be archived), read once; the list
    // leaves out archived ones unless asked.
    let all = app.visible_teams(caller.user(), true).await?;
    let by_id: HashMap<TeamId, &Team> = all.iter().map(|t| (t.id, t)).collect();
    let mut teams: Vec<&Team> = all.iter().filter(|t| query.archived || !t.archived).collect();
    teams.sort_by(|a, b| natural(a.name.as_str(), b.name.as_str()));
    let items: Vec<TeamOut> = teams.iter().map(|t| team_out(t, &by_id)).collect();
    Paging {
        page: query.page,
        per_page: query.per_page,
    }
    .respond(items, &uri)
}

/// Adds a team. A lead leads the teams they add.
#[utoipa::path(
    post,
    path = "/api/v1/teams",
    tag = "teams",
    request_body = NewTeam,
    responses(
        (status = 201, description = "The team was added", body = TeamOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Viewers add nothing; a lead may only add inside their teams", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The name is not valid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn create_team(
    caller: Caller,
    State(state): State<AppState>,
    Json(new): Json<NewTeam>,
) -> Result<Response, ApiError> {
    let parent = new.parent.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let team = state.app().await?.add_team_as(caller.user(), &new.name, parent).await?;
    tracing::info!(user = caller.user().id.0, "team added through the API");
    Ok((StatusCode::CREATED, Json(shown(&state, &caller, &team).await?)).into_response())
}

/// One team the caller may see.
#[utoipa::path(
    get,
    path = "/api/v1/teams/{name}",
    tag = "teams",
    params(("name" = String, Path, description = "The team's name")),
    responses(
        (status = 200, description = "The team", body = TeamOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the caller's teams (or no such team)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn get_team(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<TeamOut>, ApiError> {
    let team = state.app().await?.team_for(caller.user(), &name).await?;
    Ok(Json(shown(&state, &caller, &team).await?))
}

/// Archives a team: it keeps its history and takes no new rounds.
#[utoipa::path(
    post,
    path = "/api/v1/teams/{name}/archive",
    tag = "teams",
    params(("name" = String, Path, description = "The team's name")),
    responses(
        (status = 200, description = "The archived team", body = TeamOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The team can't be archived now (e.g. it has an open round)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn archive_team(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<TeamOut>, ApiError> {
    let app = state.app().await?;
    let team = app.team_to_change(caller.user(), &name).await?;
    let archived = app.archive_team(team.name.as_str()).await?;
    Ok(Json(shown(&state, &caller, &archived).await?))
}

/// A team's history: its shown rounds and self-assessments, oldest first.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct HistoryOut(#[allow(dead_code)] serde_json::Value);

/// The team's history across rounds, as the team page's radar and trend
/// draw it (`asyncmm history --format json`): per entry the level and
/// median per area, compared with the previous entry of its kind. Only
/// closed rounds with at least k respondents appear; showing them here
/// publishes them, as the team page does.
#[utoipa::path(
    get,
    path = "/api/v1/teams/{name}/history",
    tag = "teams",
    params(("name" = String, Path, description = "The team's name")),
    responses(
        (status = 200, description = "The history, oldest first", body = HistoryOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the caller's teams (or no such team)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No result yet: no round closed with at least k respondents, no self-assessment", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn team_history(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    let team = app.team_for(caller.user(), &name).await?;
    Ok(Json(app.history(Some(team.name.as_str())).await?).into_response())
}
