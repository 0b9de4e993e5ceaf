//! Rounds through the API: a team's rounds (newest first, paged by the
//! database), opening one (the respondent links are in the answer, once),
//! one round's status, changing its k, closing and reopening it, giving it
//! a (new) shared link, issuing more personal links, and its result. While
//! a round is open only its response count is served; its result comes
//! from the same use case as the round page, which gates it (closed rounds
//! only, at least k respondents) and publishes it. Which change is allowed
//! when (k fixed once a response arrived, no reopening once published, no
//! links for a closed round) is the application layer's to say, as for the
//! round page; a refusal is a 409 with its reason.

use asyncmm_app::{App, Listed, LoadedModel, OsRandom};
use asyncmm_core::{Mode, RoundState, Token};
use asyncmm_report::team::RoundMeta;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::extract::{Caller, Paging};
use crate::api::problem::{ApiError, Problem};
use crate::state::AppState;

/// A round: its settings and how many responded, never its answers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoundOut {
    pub id: i64,
    pub team: String,
    /// The questionnaire it was taken with (`id@version`).
    pub model: String,
    /// `quick` or `detailed`.
    pub mode: String,
    /// The anonymity threshold.
    pub k: u16,
    /// `open` or `closed`.
    pub state: String,
    /// Days as `YYYY-MM-DD`.
    pub opens_on: String,
    pub closes_on: Option<String>,
    pub closed_on: Option<String>,
    /// A result was shown: the round can't be reopened.
    pub published: bool,
    /// Where responses come from: `tokens`, `import`, or none yet.
    pub intake: Option<String>,
    pub responses: u64,
}

/// The text serde gives a unit enum variant (`"open"`, `"quick"`).
fn text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

impl From<RoundMeta> for RoundOut {
    fn from(m: RoundMeta) -> RoundOut {
        RoundOut {
            id: m.id,
            team: m.team,
            model: m.model,
            mode: text(&m.mode),
            k: m.k,
            state: text(&m.state),
            opens_on: m.opens_on,
            closes_on: m.closes_on,
            closed_on: m.closed_on,
            published: m.published,
            intake: m.intake.as_ref().map(text),
            responses: m.responses,
        }
    }
}

/// One page of rounds.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RoundPage {
    pub items: Vec<RoundOut>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub pages: u32,
}

/// A round to open.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct NewRound {
    /// `quick` (one question per area, default) or `detailed`.
    #[serde(default)]
    pub mode: Option<String>,
    /// The anonymity threshold, at least 3 (default 5).
    #[serde(default)]
    pub k: Option<i64>,
    /// The last day answers are taken, `YYYY-MM-DD` (default: until closed).
    #[serde(default)]
    pub closes: Option<String>,
    /// How many personal respondent links to make (default 10; 0 with a
    /// shared link).
    #[serde(default)]
    pub links: Option<u32>,
    /// Also give the round one shared link (default false), as the team
    /// page's "one shared link" does.
    #[serde(default)]
    pub shared: bool,
}

/// What to change in a round.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RoundChange {
    /// The anonymity threshold, at least 3; fixed once the first response
    /// arrived.
    pub k: i64,
}

/// How many more personal links to issue.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct MoreLinks {
    /// 1–10000.
    pub count: u32,
}

/// Personal links just issued for an open round: shown this once, kept
/// nowhere.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LinksOut {
    pub round: RoundOut,
    /// One link per respondent; hand each to one person.
    pub links: Vec<String>,
}

/// A round's new shared link: shown this once (only its hash is kept).
/// Any earlier shared link of the round stopped working.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SharedOut {
    pub round: RoundOut,
    /// `…/s/<secret>`: each browser that opens it gets its own answer link.
    pub link: String,
}

/// A round just opened, with its respondent links: shown this once, kept
/// nowhere.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OpenedOut {
    pub round: RoundOut,
    /// One link per respondent; hand each to one person.
    pub links: Vec<String>,
    /// The round's shared link, when one was asked for (shown only now).
    pub shared_link: Option<String>,
    /// The team's open actions, to review as the round starts.
    pub open_actions: Vec<String>,
}

/// A round's result: the report the round page shows, as JSON.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct RoundResult(#[allow(dead_code)] serde_json::Value);

fn round_id(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse()
        .map_err(|_| ApiError::NotFound(format!("round \"{text}\" does not exist")))
}

/// Checks that the caller may change round `id` (its team's leads and
/// admins), as the round page does: another team's round is 403, a round
/// that does not exist 404.
async fn round_to_change(app: &App<'_>, caller: &Caller, id: i64) -> Result<(), ApiError> {
    let team = app.round_team_for(caller.user(), id).await?;
    app.team_to_change(caller.user(), team.as_str()).await?;
    Ok(())
}

/// A respondent link of this site.
fn respondent_link(state: &AppState, token: &Token) -> String {
    format!("{}/r/{}", state.public_url, token.reveal())
}

/// A shared link of this site.
fn shared_link(state: &AppState, secret: &Token) -> String {
    format!("{}/s/{}", state.public_url, secret.reveal())
}

/// A team's rounds, newest first, with their response counts.
#[utoipa::path(
    get,
    path = "/api/v1/teams/{name}/rounds",
    tag = "rounds",
    params(("name" = String, Path, description = "The team's name"), Paging),
    responses(
        (status = 200, description = "One page of rounds; a `Link` header points to the other pages", body = RoundPage, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        (status = 400, description = "A bad page number or size", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not one of the caller's teams", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn list_rounds(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(paging): Query<Paging>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    let team = app.team_for(caller.user(), &name).await?;
    let listed = app.round_window(team.name.as_str(), paging.window()?).await?;
    let rounds = Listed {
        items: listed.items.into_iter().map(RoundOut::from).collect::<Vec<RoundOut>>(),
        total: listed.total,
    };
    paging.respond_listed(rounds, &uri)
}

/// Opens a round for a team and makes its respondent links.
#[utoipa::path(
    post,
    path = "/api/v1/teams/{name}/rounds",
    tag = "rounds",
    params(("name" = String, Path, description = "The team's name")),
    request_body = NewRound,
    responses(
        (status = 201, description = "The round, and its links (shown only now)", body = OpenedOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The team can't take a round now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A setting is not valid (mode, k, date, number of links)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn open_round(
    caller: Caller,
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(new): Json<NewRound>,
) -> Result<Response, ApiError> {
    let app = state.app().await?;
    let team = app.team_to_change(caller.user(), &name).await?;
    let mode_text = new.mode.as_deref().unwrap_or("quick");
    let mode = Mode::parse(mode_text)
        .ok_or_else(|| ApiError::App(asyncmm_app::AppError::invalid("mode", "the mode is quick or detailed")))?;
    let closes = new.closes.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let model = LoadedModel::embedded()?;
    let opened = app
        .open_round(
            team.name.as_str(),
            mode,
            new.k.unwrap_or(5),
            closes,
            new.links.unwrap_or(10),
            &model,
            &mut OsRandom,
        )
        .await?;
    let shared = if new.shared {
        Some(shared_link(
            &state,
            &app.share_round(opened.round.id.0, &mut OsRandom).await?,
        ))
    } else {
        None
    };
    tracing::info!(
        round = opened.round.id.0,
        links = opened.tokens.len(),
        shared = shared.is_some(),
        "round opened through the API"
    );
    let body = OpenedOut {
        round: app.round_meta(&opened.round).into(),
        links: opened.tokens.iter().map(|t| respondent_link(&state, t)).collect(),
        shared_link: shared,
        open_actions: opened.open_actions.iter().map(|a| a.title.clone()).collect(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// One round: its settings and response count.
#[utoipa::path(
    get,
    path = "/api/v1/rounds/{id}",
    tag = "rounds",
    params(("id" = i64, Path, description = "The round's number")),
    responses(
        (status = 200, description = "The round", body = RoundOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a round of the caller's teams", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn get_round(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RoundOut>, ApiError> {
    let id = round_id(&id)?;
    let app = state.app().await?;
    app.round_team_for(caller.user(), id).await?;
    Ok(Json(app.round_status(id).await?.into()))
}

/// Closes a round today: no answer can be given or changed any more.
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{id}/close",
    tag = "rounds",
    params(("id" = i64, Path, description = "The round's number")),
    responses(
        (status = 200, description = "The closed round", body = RoundOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The round is closed already", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn close_round(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RoundOut>, ApiError> {
    let id = round_id(&id)?;
    let app = state.app().await?;
    round_to_change(&app, &caller, id).await?;
    let round = app.close_round(id).await?;
    tracing::info!(round = id, "round closed through the API");
    Ok(Json(app.round_meta(&round).into()))
}

/// Changes a round's k (before its first response), as the round page
/// does.
#[utoipa::path(
    patch,
    path = "/api/v1/rounds/{id}",
    tag = "rounds",
    params(("id" = i64, Path, description = "The round's number")),
    request_body = RoundChange,
    responses(
        (status = 200, description = "The round as changed", body = RoundOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "k is fixed: the round has a response", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "k below 3", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn change_round(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(change): Json<RoundChange>,
) -> Result<Json<RoundOut>, ApiError> {
    let id = round_id(&id)?;
    let app = state.app().await?;
    round_to_change(&app, &caller, id).await?;
    let round = app.set_k(id, change.k).await?;
    tracing::info!(round = id, "k changed through the API");
    Ok(Json(app.round_meta(&round).into()))
}

/// Reopens a closed round whose result was never shown: its links work
/// again for those who have not answered.
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{id}/reopen",
    tag = "rounds",
    params(("id" = i64, Path, description = "The round's number")),
    responses(
        (status = 200, description = "The reopened round", body = RoundOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The round is open, or its result was shown (published)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn reopen_round(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RoundOut>, ApiError> {
    let id = round_id(&id)?;
    let app = state.app().await?;
    round_to_change(&app, &caller, id).await?;
    let round = app.reopen_round(id).await?;
    tracing::info!(round = id, "round reopened through the API");
    Ok(Json(app.round_meta(&round).into()))
}

/// Gives an open round a shared link. A round that had one gets a new one
/// instead: **the old link stops working at once** (answer links it
/// handed out keep working). Use it when a link went to the wrong place.
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{id}/shared-link",
    tag = "rounds",
    params(("id" = i64, Path, description = "The round's number")),
    responses(
        (status = 201, description = "The new shared link (shown only now)", body = SharedOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The round is closed, published, or takes imported responses", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn share_round(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = round_id(&id)?;
    let app = state.app().await?;
    round_to_change(&app, &caller, id).await?;
    let secret = app.share_round(id, &mut OsRandom).await?;
    tracing::info!(round = id, "shared link made through the API");
    let body = SharedOut {
        round: app.round_status(id).await?.into(),
        link: shared_link(&state, &secret),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Issues more personal links for an open round (the ones given before
/// keep working).
#[utoipa::path(
    post,
    path = "/api/v1/rounds/{id}/links",
    tag = "rounds",
    params(("id" = i64, Path, description = "The round's number")),
    request_body = MoreLinks,
    responses(
        (status = 201, description = "The new links (shown only now)", body = LinksOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The round is closed, published, or takes imported responses", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A count outside 1–10000", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn issue_links(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(more): Json<MoreLinks>,
) -> Result<Response, ApiError> {
    let id = round_id(&id)?;
    let app = state.app().await?;
    round_to_change(&app, &caller, id).await?;
    if more.count == 0 {
        return Err(ApiError::App(asyncmm_app::AppError::invalid(
            "count",
            "ask for at least one link",
        )));
    }
    let (round, tokens) = app.issue_tokens(id, more.count, &mut OsRandom).await?;
    tracing::info!(round = id, links = tokens.len(), "links issued through the API");
    let body = LinksOut {
        round: app.round_status(round.id.0).await?.into(),
        links: tokens.iter().map(|t| respondent_link(&state, t)).collect(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A closed round's result, as the round page shows it: areas hidden below
/// k stay hidden (their `hidden` field says why). An open round has no
/// result yet (409, with its response count).
#[utoipa::path(
    get,
    path = "/api/v1/rounds/{id}/results",
    tag = "rounds",
    params(("id" = i64, Path, description = "The round's number")),
    responses(
        (status = 200, description = "The round's report: medians, spread, levels and what holds each area back", body = RoundResult),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a round of the caller's teams", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such round", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The round is still open: its result shows once it closes", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn round_results(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = round_id(&id)?;
    let app = state.app().await?;
    app.round_team_for(caller.user(), id).await?;
    let status = app.round_status(id).await?;
    if status.state == RoundState::Open {
        return Err(ApiError::Conflict(format!(
            "round {id} is open: its result shows once it closes ({} responses so far)",
            status.responses
        )));
    }
    let report = app.round_report(id).await?;
    Ok(Json(report).into_response())
}
