//! A team's plan through the API: read it (goals with their progress and
//! the actions), set or remove a goal, read the suggested actions and
//! accept one, add an action, change (its title too) or remove one. Anyone
//! who may see the team reads its plan and suggestions; its leads and
//! admins change it. An action is reached through its team only: an id of
//! another team's action is "not found" here, like one that never existed.
//! Titles, owners and links are read by the application layer's rules, the
//! ones the plan page and the command line use.

use asyncmm_app::plans::{ActionEdit, SuggestRequest};
use asyncmm_app::{App, AppError};
use asyncmm_core::Team;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::Caller;
use crate::api::problem::{ApiError, Problem};
use crate::state::AppState;

/// A team's plan: goals (baseline, current, target, status, projection),
/// regressions and actions, as `asyncmm plan show --format json` gives it.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct PlanOut(#[allow(dead_code)] serde_json::Value);

/// A goal to set (or replace) for one area.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct NewGoal {
    /// The area, by id (`documentation`) or name.
    pub area: String,
    /// The level to reach, 0–3.
    pub level: u8,
    /// The day to reach it by, `YYYY-MM-DD`.
    pub by: String,
}

/// The suggested actions: candidates from what holds the team back in its
/// current result (goal areas first), and meetings a calendar scan found
/// that could be written, as `asyncmm plan suggest --format json` gives
/// them. Accept one by its place in `candidates` followed by `meetings`,
/// counting from 1.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct SuggestionsOut(#[allow(dead_code)] serde_json::Value);

/// A suggestion to plan as an action.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AcceptSuggestion {
    /// Its number, from 1: its place in `candidates` followed by
    /// `meetings`.
    pub number: usize,
    /// Its title as listed: if the suggestions changed since they were
    /// read, nothing is added (409).
    pub title: String,
}

/// A goal as stored, with notes about it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GoalOut {
    pub team: String,
    pub area: String,
    pub target: u8,
    pub by: String,
    /// The area's level when the goal was set, if there was a result.
    pub baseline: Option<u8>,
    /// Where the baseline came from (`round 3`).
    pub baseline_from: Option<String>,
    /// Not refusals: things to know (the team is at the level already …).
    pub warnings: Vec<String>,
}

/// An action to add.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct NewAction {
    pub title: String,
    #[serde(default)]
    pub owner: Option<String>,
    /// A URL to an issue or a document.
    #[serde(default)]
    pub link: Option<String>,
    /// The statement ids it addresses (`documentation.2.1`).
    #[serde(default)]
    pub statements: Vec<String>,
}

/// What to change in an action; at least one field.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ActionChange {
    /// A new title (1–500 characters, as when adding one); refused when
    /// another open action of the team has that title for the same
    /// statements.
    #[serde(default)]
    pub title: Option<String>,
    /// `todo`, `doing`, `done` or `dropped`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
}

/// An action: id, team, title, owner, link, status, statements, created_on.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct ActionOut(#[allow(dead_code)] serde_json::Value);

/// The team a request changes: the caller's to change, and not archived.
async fn team_to_change(app: &App<'_>, caller: &Caller, name: &str) -> Result<Team, ApiError> {
    let team = app.team_to_change(caller.user(), name).await?;
    if team.archived {
        return Err(ApiError::Conflict(format!(
            "team \"{}\" is archived; its plan is kept as it was",
            team.name
        )));
    }
    Ok(team)
}

fn action_id(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::NotFound(format!("action \"{text}\" does not exist")))
}

/// A team's plan.
#[utoipa::path(
    get,
    path = "/api/v1/teams/{name}/plan",
    tag = "plans",
    params(("name" = String, Path, description = "The team's name")),
    responses(
        (status = 200, description = "The plan", body = PlanOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the caller's teams", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn get_plan(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    let team = app.team_for(caller.user(), &name).await?;
    Ok(Json(app.plan_report(team.name.as_str()).await?).into_response())
}

/// Sets the team's goal for an area (replacing an earlier one).
#[utoipa::path(
    post,
    path = "/api/v1/teams/{name}/plan/goals",
    tag = "plans",
    params(("name" = String, Path, description = "The team's name")),
    request_body = NewGoal,
    responses(
        (status = 201, description = "The goal", body = GoalOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The team is archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown area, a level outside 0–3, a bad date", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn add_goal(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(goal): Json<NewGoal>,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    let team = team_to_change(&app, &caller, &name).await?;
    let set = app
        .set_goal(team.name.as_str(), &goal.area, &goal.level.to_string(), &goal.by)
        .await?;
    let body = GoalOut {
        team: set.goal.team.as_str().to_string(),
        area: set.goal.area.to_string(),
        target: set.goal.target.number(),
        by: set.goal.by.to_string(),
        baseline: set.goal.baseline.map(|l| l.number()),
        baseline_from: set.baseline_from,
        warnings: set.warnings,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Removes the team's goal for an area.
#[utoipa::path(
    delete,
    path = "/api/v1/teams/{name}/plan/goals/{area}",
    tag = "plans",
    params(
        ("name" = String, Path, description = "The team's name"),
        ("area" = String, Path, description = "The area, by id (`documentation`) or name"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The team has no goal for that area", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The team is archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown area", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn remove_goal(
    caller: Caller,
    State(state): State<AppState>,
    Path((name, area)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let app = state.app().await?;
    let team = team_to_change(&app, &caller, &name).await?;
    app.remove_goal(team.name.as_str(), &area).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The actions suggested for the team, as the plan page offers them.
#[utoipa::path(
    get,
    path = "/api/v1/teams/{name}/plan/suggestions",
    tag = "plans",
    params(("name" = String, Path, description = "The team's name")),
    responses(
        (status = 200, description = "The suggestions (`planned` names the action that plans one already)", body = SuggestionsOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the caller's teams", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No result yet to suggest from", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn suggestions(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    let team = app.team_for(caller.user(), &name).await?;
    let offered = app.suggestions(team.name.as_str(), &SuggestRequest::default()).await?;
    Ok(Json(offered).into_response())
}

/// Plans one suggestion as a `todo` action, as the plan page's "Add as
/// action" does.
#[utoipa::path(
    post,
    path = "/api/v1/teams/{name}/plan/suggestions/accept",
    tag = "plans",
    params(("name" = String, Path, description = "The team's name")),
    request_body = AcceptSuggestion,
    responses(
        (status = 201, description = "The action", body = ActionOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The suggestions changed since they were read (nothing was added), there is no result to suggest from, or the team is archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The suggestion is planned already", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn accept_suggestion(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(accept): Json<AcceptSuggestion>,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    let team = team_to_change(&app, &caller, &name).await?;
    let added = app
        .accept_suggestion(team.name.as_str(), accept.number, &accept.title)
        .await?;
    let action = added
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Conflict("nothing was added".to_string()))?;
    Ok((StatusCode::CREATED, Json(action)).into_response())
}

/// Adds an action to the team's plan.
#[utoipa::path(
    post,
    path = "/api/v1/teams/{name}/plan/actions",
    tag = "plans",
    params(("name" = String, Path, description = "The team's name")),
    request_body = NewAction,
    responses(
        (status = 201, description = "The action", body = ActionOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The team is archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad title, link or statement id, or the same action is planned already", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn add_action(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(action): Json<NewAction>,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    let team = team_to_change(&app, &caller, &name).await?;
    let added = app
        .add_action(
            team.name.as_str(),
            &action.title,
            action.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()),
            action.link.as_deref().map(str::trim).filter(|l| !l.is_empty()),
            &action.statements,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

/// Changes an action's title, status, link or owner, all or nothing.
#[utoipa::path(
    patch,
    path = "/api/v1/teams/{name}/plan/actions/{id}",
    tag = "plans",
    params(
        ("name" = String, Path, description = "The team's name"),
        ("id" = i64, Path, description = "The action's number"),
    ),
    request_body = ActionChange,
    responses(
        (status = 200, description = "The action as changed", body = ActionOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The team has no such action", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing to change, or a bad title, status, link or owner, or the title of another action", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn update_action(
    caller: Caller,
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    Json(change): Json<ActionChange>,
) -> Result<Response, ApiError> {
    let id = action_id(&id)?;
    let app = state.app().await?;
    let team = team_to_change(&app, &caller, &name).await?;
    let changed = app
        .edit_team_action(
            team.name.as_str(),
            id,
            ActionEdit {
                title: change.title.as_deref(),
                status: change.status.as_deref(),
                link: change.link.as_deref(),
                owner: change.owner.as_deref(),
            },
        )
        .await?;
    Ok(Json(changed).into_response())
}

/// Removes an action (to stop tracking it; status `dropped` keeps it on
/// record).
#[utoipa::path(
    delete,
    path = "/api/v1/teams/{name}/plan/actions/{id}",
    tag = "plans",
    params(
        ("name" = String, Path, description = "The team's name"),
        ("id" = i64, Path, description = "The action's number"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The team has no such action", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn remove_action(
    caller: Caller,
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = action_id(&id)?;
    let app = state.app().await?;
    let team = team_to_change(&app, &caller, &name).await?;
    match app.remove_team_action(team.name.as_str(), id).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(e @ AppError::NotFound { .. }) => Err(ApiError::NotFound(e.to_string())),
        Err(e) => Err(e.into()),
    }
}
