//! A team's plan page: its goals with their one status, the actions the
//! model suggests from what holds the team back (what `asyncmm plan
//! suggest` offers), and the team's actions with owner, link and status.
//!
//! Every rule (which candidates, a goal's status, what a valid link is)
//! lives in the application layer's plan use cases, the ones the command
//! line calls; this module reads forms and lays pages out. Anyone who may
//! see the team reads its plan; its leads and admins change it.

use askama::Template;
use asyncmm_app::plans::{ActionEdit, SuggestRequest};
use asyncmm_app::{AppError, LoadedModel};
use asyncmm_core::Team;
use asyncmm_core::plan::{Action, Projection, day_text};
use asyncmm_model::Model;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::{Signed, field};
use crate::error::WebError;
use crate::form::{Choice, Fields};
use crate::names::segment;
use crate::pages::{Chrome, render};
use crate::state::AppState;

/// One goal as the page shows it.
struct GoalRow {
    area_id: String,
    area: String,
    baseline: String,
    current: String,
    target: String,
    by: String,
    /// `met`, `on track`, `at risk`, `missed`: also the badge's class.
    status: &'static str,
    /// Why a goal is at risk, and a regression since the previous result.
    why: String,
    projected: String,
    projected_note: String,
}

/// A candidate action as offered; `number` is what accepting it sends.
struct SuggestionRow {
    number: usize,
    area: String,
    title: String,
    statements: String,
    note: String,
    planned: Option<i64>,
}

struct ActionRow {
    id: i64,
    title: String,
    owner: String,
    link: Option<String>,
    status: &'static str,
    statements: String,
    created_on: String,
    choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    team: String,
    team_href: String,
    href: String,
    can_write: bool,
    current_from: Option<String>,
    regressions: Vec<String>,
    goals: Vec<GoalRow>,
    suggestions: Vec<SuggestionRow>,
    suggestions_from: Option<String>,
    /// Why there are no suggestions, when there are none.
    no_suggestions: String,
    actions: Vec<ActionRow>,
    areas: Vec<Choice>,
    levels: Vec<Choice>,
    error: Option<String>,
}

const STATUSES: [&str; 4] = ["todo", "doing", "done", "dropped"];

fn area_name(model: &Model, id: &str) -> String {
    model
        .areas
        .iter()
        .find(|a| a.id.as_str() == id)
        .map_or_else(|| id.to_string(), |a| a.name.clone())
}

fn level_text(level: Option<asyncmm_model::Level>) -> String {
    level.map_or_else(|| "–".to_string(), |l| l.number().to_string())
}

fn action_row(action: &Action) -> ActionRow {
    ActionRow {
        id: action.id.0,
        title: action.title.clone(),
        owner: action.owner.clone().unwrap_or_default(),
        link: action.link.as_ref().map(|l| l.as_str().to_string()),
        status: action.status.as_str(),
        statements: action
            .statements
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        created_on: day_text(action.created_on),
        choices: STATUSES
            .iter()
            .map(|s| Choice::new(*s, *s, *s == action.status.as_str()))
            .collect(),
    }
}

/// The plan page of a team this person may see, with `error` over the
/// forms when a change was refused.
async fn plan_page(state: &AppState, signed: &Signed, name: &str, error: Option<String>) -> Result<Response, WebError> {
    let app = state.app().await?;
    let team = app.team_for(signed.user(), name).await?;
    let plan = app.plan_report(team.name.as_str()).await?;
    let model = LoadedModel::embedded()?.model;
    let (suggestions, suggestions_from, no_suggestions) =
        match app.suggestions(team.name.as_str(), &SuggestRequest::default()).await {
            Ok(s) => {
                let mut rows: Vec<SuggestionRow> = s
                    .candidates
                    .iter()
                    .enumerate()
                    .map(|(i, c)| SuggestionRow {
                        number: i + 1,
                        area: area_name(&model, c.area.as_str()),
                        title: c.title.clone(),
                        statements: c.statement.to_string(),
                        note: match (c.goal, c.split) {
                            (true, true) => "goal area · the team is split here".to_string(),
                            (true, false) => "goal area".to_string(),
                            (false, true) => "the team is split here".to_string(),
                            (false, false) => String::new(),
                        },
                        planned: c.planned.map(|a| a.0),
                    })
                    .collect();
                let first = rows.len();
                rows.extend(s.meetings.iter().enumerate().map(|(i, m)| {
                    SuggestionRow {
                        number: first + i + 1,
                        area: "Meetings".to_string(),
                        title: m.title.clone(),
                        statements: m
                            .statements
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        note: format!("from the calendar scan of {}", day_text(m.scanned_on)),
                        planned: m.planned.map(|a| a.0),
                    }
                }));
                let none = if rows.is_empty() {
                    "Nothing holds the team back that an action could address: every candidate is planned."
                } else {
                    ""
                };
                (rows, Some(s.from), none.to_string())
            }
            Err(AppError::NothingYet(_)) => (
                Vec::new(),
                None,
                "Suggestions come from the team's result: they show once a round has closed with at least k responses."
                    .to_string(),
            ),
            Err(e) => return Err(e.into()),
        };
    let goals = plan
        .goals
        .iter()
        .map(|g| {
            let p = &g.progress;
            let mut why = match &p.status {
                asyncmm_core::plan::GoalStatus::AtRisk { reason } => reason.clone(),
                _ => String::new(),
            };
            if p.split && !why.contains("split") {
                why.push_str(if why.is_empty() { "" } else { "; " });
                why.push_str("the team is split on this area, so its level is not settled");
            }
            if let (true, Some(was), Some(from)) = (g.regressed, g.previous, &plan.previous_from) {
                why.push_str(if why.is_empty() { "" } else { "; " });
                why.push_str(&format!("regression since {from} (was {})", was.number()));
            }
            let (projected, projected_note) = match &p.projected {
                Projection::Computed { level, score } => (level.number().to_string(), format!("score {score}")),
                Projection::NotComputable { reason } => ("–".to_string(), reason.clone()),
            };
            GoalRow {
                area_id: p.area.to_string(),
                area: area_name(&model, p.area.as_str()),
                baseline: level_text(p.baseline),
                current: level_text(p.current),
                target: p.target.number().to_string(),
                by: day_text(p.by),
                status: p.status.label(),
                why,
                projected,
                projected_note,
            }
        })
        .collect();
    let regressions = plan
        .regressions
        .iter()
        .map(|r| {
            format!(
                "{}: level {} → {}",
                area_name(&model, r.area.as_str()),
                r.previous.number(),
                r.current.number()
            )
        })
        .collect();
    let href = team_href(&team);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = render(&PlanPage {
        chrome: Chrome::of(&signed.0),
        team: team.name.as_str().to_string(),
        team_href: href.clone(),
        href: format!("{href}/plan"),
        can_write: signed.user().role.can_write() && !team.archived,
        current_from: plan.current_from.clone(),
        regressions,
        goals,
        suggestions,
        suggestions_from,
        no_suggestions,
        actions: plan.actions.iter().map(action_row).collect(),
        areas: model
            .areas
            .iter()
            .map(|a| Choice::new(a.id.to_string(), a.name.clone(), false))
            .collect(),
        levels: model
            .levels
            .iter()
            .map(|l| {
                let n = l.level.number();
                Choice::new(n.to_string(), format!("{n} — {}", l.name), n == 2)
            })
            .collect(),
        error,
    })?;
    Ok((status, page).into_response())
}

fn team_href(team: &Team) -> String {
    format!("/teams/{}", segment(team.name.as_str()))
}

/// Errors a person can fix by changing the form: shown on the plan page.
fn fixable(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid { .. } | AppError::Conflict(_) | AppError::NotFound { .. } | AppError::NothingYet(_)
    )
}

/// After a change: back to the plan, or the plan with what went wrong.
async fn after<T>(
    state: &AppState,
    signed: &Signed,
    team: &Team,
    outcome: Result<T, AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("{}/plan", team_href(team))).into_response()),
        Err(e) if fixable(&e) => plan_page(state, signed, team.name.as_str(), Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

async fn plan(State(state): State<AppState>, signed: Signed, Path(name): Path<String>) -> Result<Response, WebError> {
    plan_page(&state, &signed, &name, None).await
}

/// The team a form changes, once its token and the person's right to
/// change the team are checked.
async fn team_to_change(
    state: &AppState,
    signed: &Signed,
    name: &str,
    fields: &[(String, String)],
) -> Result<Team, WebError> {
    signed.check(fields)?;
    let team = state.app().await?.team_to_change(signed.user(), name).await?;
    if team.archived {
        return Err(WebError::App(AppError::Conflict(format!(
            "team \"{}\" is archived; its plan is kept as it was",
            team.name
        ))));
    }
    Ok(team)
}

async fn set_goal(
    State(state): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    let team = team_to_change(&state, &signed, &name, &fields).await?;
    let app = state.app().await?;
    let outcome = app
        .set_goal(
            team.name.as_str(),
            field(&fields, "area").unwrap_or_default(),
            field(&fields, "level").unwrap_or_default(),
            field(&fields, "by").unwrap_or_default(),
        )
        .await;
    after(&state, &signed, &team, outcome).await
}

async fn remove_goal(
    State(state): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    let team = team_to_change(&state, &signed, &name, &fields).await?;
    let app = state.app().await?;
    let outcome = app
        .remove_goal(team.name.as_str(), field(&fields, "area").unwrap_or_default())
        .await;
    after(&state, &signed, &team, outcome).await
}

/// An optional text field: absent or blank is `None`.
fn optional<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    field(fields, name).map(str::trim).filter(|v| !v.is_empty())
}

/// Adds an action: free-form (title, owner, link), or a suggestion by its
/// number, as `plan suggest --accept` does. The suggestion's title is sent
/// too, so a page shown before the suggestions changed can't add another.
async fn add_action(
    State(state): State<AppState>,
    signed: Signed,
    Path(name): Path<String>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    let team = team_to_change(&state, &signed, &name, &fields).await?;
    let app = state.app().await?;
    let outcome = match optional(&fields, "suggestion") {
        Some(number) => {
            let number: usize = number
                .parse()
                .map_err(|_| WebError::BadRequest("a suggestion is chosen by its number".to_string()))?;
            let title = field(&fields, "title").unwrap_or_default();
            match app.accept_suggestion(team.name.as_str(), number, title).await {
                Err(AppError::Conflict(_)) => {
                    return plan_page(
                        &state,
                        &signed,
                        team.name.as_str(),
                        Some(
                            "The suggestions changed since the page was shown; nothing was added. Choose again below."
                                .to_string(),
                        ),
                    )
                    .await;
                }
                other => other.map(|_| ()),
            }
        }
        None => app
            .add_action(
                team.name.as_str(),
                field(&fields, "title").unwrap_or_default(),
                optional(&fields, "owner"),
                optional(&fields, "link"),
                &[],
            )
            .await
            .map(|_| ()),
    };
    after(&state, &signed, &team, outcome).await
}

async fn update_action(
    State(state): State<AppState>,
    signed: Signed,
    Path((name, id)): Path<(String, i64)>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    let team = team_to_change(&state, &signed, &name, &fields).await?;
    let app = state.app().await?;
    let outcome = app
        .edit_team_action(
            team.name.as_str(),
            id,
            ActionEdit {
                title: optional(&fields, "title"),
                status: optional(&fields, "status"),
                link: optional(&fields, "link"),
                owner: optional(&fields, "owner"),
            },
        )
        .await;
    after(&state, &signed, &team, unknown_is_404(outcome)?).await
}

/// An action that is not the team's (or no longer exists) is a missing
/// page, not a form to correct.
fn unknown_is_404<T>(outcome: Result<T, AppError>) -> Result<Result<T, AppError>, WebError> {
    match outcome {
        Err(AppError::NotFound { .. }) => Err(WebError::NotFound),
        other => Ok(other),
    }
}

async fn remove_action(
    State(state): State<AppState>,
    signed: Signed,
    Path((name, id)): Path<(String, i64)>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    let team = team_to_change(&state, &signed, &name, &fields).await?;
    let outcome = state.app().await?.remove_team_action(team.name.as_str(), id).await;
    after(&state, &signed, &team, unknown_is_404(outcome)?).await
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/teams/{name}/plan", get(plan))
        .route("/teams/{name}/plan/goals", post(set_goal))
        .route("/teams/{name}/plan/goals/remove", post(remove_goal))
        .route("/teams/{name}/plan/actions", post(add_action))
        .route("/teams/{name}/plan/actions/{id}", post(update_action))
        .route("/teams/{name}/plan/actions/{id}/remove", post(remove_action))
}
