//! Answering a round through the API: what the respondent pages do, for a
//! program. The personal respondent token in the path is the credential,
//! as on the pages (`/r/{token}`): no account and no API token, and a
//! bearer token sent along grants nothing here. A token reaches its own
//! round and its own answers only, never another respondent's answers and
//! never a result; the round's response count is not shown either.
//!
//! `GET` is the questionnaire as the pages show it (the areas with their
//! level cards in quick mode, their statements on the 0–3 scale in
//! detailed mode), what k means and the answers this token gave so far.
//! `PUT` takes the token's whole answers in the answers-file format of
//! `asyncmm respond --answers`, parsed by the same parser, and stores them
//! at once through the same use case as the pages: all or nothing, and a
//! later `PUT` replaces them until the round closes.
//!
//! Like the pages, these routes rely on the token being unguessable (the
//! same tokens, drawn from the OS's random source) rather than on a rate
//! limit, and the token never reaches the log: the request span shows the
//! path with it replaced.

use std::collections::BTreeMap;

use asyncmm_app::AppError;
use asyncmm_app::input::{AnswersFileError, DONT_KNOW, answers_file};
use asyncmm_app::rounds::Invitation;
use asyncmm_core::{Agreement, Answer, Answers, Mode};
use asyncmm_model::Level;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::problem::{ApiError, Problem, problem};
use crate::state::AppState;

/// The name the parser gives the body in its messages (its extension
/// picks JSON); messages show it as "request body".
const BODY_NAME: &str = "body.json";

/// A round as the holder of one respondent token sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "team": "Platform",
    "mode": "quick",
    "open": true,
    "closes_on": "2027-01-15",
    "k": 5,
    "k_means": "Results are shown only for groups of at least k = 5 people, and only after the round closes.",
    "areas": [{"id": "documentation", "name": "Documentation", "intro": "…",
               "question": "Which level describes Documentation in your team best?",
               "levels": [{"level": 0, "name": "…", "statements": ["…"]}]}],
    "answered_before": true,
    "answers": {"mode": "quick", "answers": {"documentation": 2}}
}))]
pub(crate) struct RespondentRound {
    /// The team the round is for.
    pub team: String,
    /// `quick` (one level per area) or `detailed` (0–3 or `dont_know` per statement).
    pub mode: String,
    /// Whether the round takes answers: always `true` here, as a token of a
    /// closed round gets 409 instead.
    pub open: bool,
    /// The last day answers are taken (`YYYY-MM-DD`), if the round has one.
    pub closes_on: Option<String>,
    /// The anonymity threshold.
    pub k: u16,
    /// What k means for the respondent's answers.
    pub k_means: String,
    /// The questionnaire, area by area, as the pages show it.
    pub areas: Vec<AreaOut>,
    /// The answer scale of detailed mode (empty in quick mode).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scale: Vec<ScalePoint>,
    /// The token answered before: `answers` holds what it gave.
    pub answered_before: bool,
    /// This token's own answers so far, in the shape `PUT` takes; `null`
    /// before the first answer.
    pub answers: Option<AnswersBody>,
}

/// One area of the questionnaire.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AreaOut {
    /// The id answers use in quick mode.
    pub id: String,
    pub name: String,
    pub intro: String,
    /// Quick mode: the question asked for this area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Quick mode: the level cards to choose from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<LevelCard>,
    /// Detailed mode: the statements to rate.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementOut>,
}

/// A level card of quick mode: the level and what it looks like.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LevelCard {
    /// 0–3, the value to answer with.
    pub level: u8,
    pub name: String,
    /// The statements that describe a team at this level.
    pub statements: Vec<String>,
}

/// A statement of detailed mode.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StatementOut {
    /// The id answers use, e.g. `documentation.2.1`.
    pub id: String,
    pub text: String,
    /// Guidance, e.g. when to answer "don't know".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// A point of detailed mode's scale.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScalePoint {
    /// `0`–`3`, or `"dont_know"`.
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
    pub label: String,
}

/// A token's whole answers, in the answers-file format of
/// `asyncmm respond --answers`: `mode` and `answers`, which maps area ids
/// to a level 0–3 (quick) or statement ids to 0–3 or `"dont_know"`
/// (detailed). Items left out are not answered; at least one real answer
/// is needed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"mode": "detailed", "answers": {"documentation.2.1": 3, "meetings.3.2": "dont_know"}}))]
pub(crate) struct AnswersBody {
    /// `quick` or `detailed`, as the round asks.
    pub mode: String,
    /// Area id → level (quick), or statement id → 0–3 or `"dont_know"` (detailed).
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
}

/// The token's round after a `PUT`, and whether it replaced earlier answers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Submitted {
    /// `true` when the token had answered before and its answers were replaced.
    pub revised: bool,
    pub round: RespondentRound,
}

fn mode_text(mode: Mode) -> String {
    match mode {
        Mode::Quick => "quick",
        Mode::Detailed => "detailed",
    }
    .to_string()
}

fn answers_body(answers: &Answers) -> AnswersBody {
    let answers_map = match answers {
        Answers::Quick(q) => q
            .iter()
            .map(|(area, level)| (area.to_string(), serde_json::Value::from(level.number())))
            .collect(),
        Answers::Detailed(d) => d
            .iter()
            .map(|(statement, answer)| {
                let value = match answer {
                    Answer::Agree(a) => serde_json::Value::from(a.value()),
                    Answer::DontKnow => serde_json::Value::from(DONT_KNOW),
                };
                (statement.to_string(), value)
            })
            .collect(),
    };
    AnswersBody {
        mode: mode_text(answers.mode()),
        answers: answers_map,
    }
}

/// The round of `invitation` with the token's own `answers`, as the
/// respondent pages show it.
fn respondent_round(invitation: &Invitation, answers: Option<&Answers>) -> RespondentRound {
    let model = &invitation.model;
    let mode = invitation.round.mode;
    let k = invitation.round.k.get();
    let areas = model
        .areas
        .iter()
        .map(|area| match mode {
            Mode::Quick => AreaOut {
                id: area.id.to_string(),
                name: area.name.clone(),
                intro: area.intro.clone(),
                question: Some(format!("Which level describes {} in your team best?", area.name)),
                levels: Level::ALL
                    .iter()
                    .map(|&level| LevelCard {
                        level: level.number(),
                        name: model.level_name(level).to_string(),
                        statements: area.statements_at(level).map(|s| s.text.clone()).collect(),
                    })
                    .collect(),
                statements: Vec::new(),
            },
            Mode::Detailed => AreaOut {
                id: area.id.to_string(),
                name: area.name.clone(),
                intro: area.intro.clone(),
                question: None,
                levels: Vec::new(),
                statements: area
                    .statements
                    .iter()
                    .map(|s| StatementOut {
                        id: s.id.to_string(),
                        text: s.text.clone(),
                        hint: s.hint.clone(),
                    })
                    .collect(),
            },
        })
        .collect();
    let scale = match mode {
        Mode::Quick => Vec::new(),
        Mode::Detailed => (0..=3u8)
            .filter_map(|v| Agreement::new(v).ok())
            .map(|a| ScalePoint {
                value: serde_json::Value::from(a.value()),
                label: a.label().to_string(),
            })
            .chain(std::iter::once(ScalePoint {
                value: serde_json::Value::from(DONT_KNOW),
                label: "don't know".to_string(),
            }))
            .collect(),
    };
    RespondentRound {
        team: invitation.team.as_str().to_string(),
        mode: mode_text(mode),
        open: true,
        closes_on: invitation.round.closes_on.map(|d| d.to_string()),
        k,
        k_means: format!(
            "Your answers are anonymous: results are shown only for groups of at least k = {k} people, and only \
             after the round closes, so no one can work out what one person said. You can change your answers \
             until the round closes."
        ),
        areas,
        scale,
        answered_before: answers.is_some(),
        answers: answers.map(answers_body),
    }
}

/// The token's round: the questionnaire as the respondent pages show it,
/// what k means, and the answers this token gave so far (only its own).
#[utoipa::path(
    get,
    path = "/api/v1/respond/{token}",
    tag = "respond",
    security(()),
    params(("token" = String, Path, description = "The personal respondent token (the last part of the respondent's link `/r/{token}`)")),
    responses(
        (status = 200, description = "The round as this token's holder sees it", body = RespondentRound),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The round is closed (or not open yet), or the token's answers are final", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn get_respond(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<RespondentRound>, ApiError> {
    let app = state.respondent();
    let invitation = app.invitation(&token).await?;
    Ok(Json(respondent_round(&invitation, invitation.answers.as_ref())))
}

/// An answers-file error as the API reports it: the body is named
/// "request body"; a body that is not a JSON object is 400, a value that
/// is not valid 422.
fn body_error(error: AnswersFileError) -> ApiError {
    let detail = error.to_string().replacen(BODY_NAME, "request body", 1);
    match error {
        AnswersFileError::Syntax { .. } | AnswersFileError::NotATable { .. } | AnswersFileError::Read { .. } => {
            ApiError::BadRequest(detail)
        }
        _ => ApiError::Unprocessable(detail),
    }
}

/// Submits or revises this token's whole answers: they replace whatever
/// the token gave before, until the round closes. All or nothing: a body
/// with any wrong item stores nothing.
#[utoipa::path(
    put,
    path = "/api/v1/respond/{token}",
    tag = "respond",
    security(()),
    params(("token" = String, Path, description = "The personal respondent token (the last part of the respondent's link `/r/{token}`)")),
    request_body(content = AnswersBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Stored; the round with the answers now held", body = Submitted),
        (status = 400, description = "The body is not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The round is closed (or not open yet), or the token's answers are final", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An answer is not valid (the detail names it): an unknown id, a value out of range, the other mode, no real answer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn put_respond(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    if !is_json(&headers) {
        return Ok(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the answers as JSON, with \"Content-Type: application/json\"".to_string(),
        ));
    }
    let app = state.respondent();
    let invitation = app.invitation(&token).await?;
    let parsed = answers_file::parse(&body, BODY_NAME, &invitation.model).map_err(body_error)?;
    if let Some(team) = &parsed.team
        && team != &invitation.team
    {
        return Err(ApiError::Unprocessable(format!(
            "team: this token answers for {}, not {}",
            invitation.team.as_str(),
            team.as_str()
        )));
    }
    if parsed.answers.mode() != invitation.round.mode {
        return Err(ApiError::App(AppError::invalid(
            "mode",
            format!(
                "this round asks for {} answers, these are {} answers",
                mode_text(invitation.round.mode),
                mode_text(parsed.answers.mode())
            ),
        )));
    }
    let outcome = app.respond(&token, &parsed.answers).await?;
    let answers = app.own_answers(&token).await?;
    Ok(Json(Submitted {
        revised: matches!(outcome, asyncmm_store::SubmitOutcome::Revised),
        round: respondent_round(&invitation, answers.as_ref()),
    })
    .into_response())
}

/// The request says its body is JSON (`application/json` or `…+json`), as
/// the API's other bodies must.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}
