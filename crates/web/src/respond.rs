//! The respondent's pages: a personal link opens a short introduction
//! (what this is, that answers are anonymous and what k means, the model's
//! credit), then one page per area — level cards in quick mode, the area's
//! statements on the 0–3 scale with "don't know" in detailed mode. Every
//! page is saved when it is sent, so a closed tab loses nothing, and the
//! answers can be revised until the round closes. No account, no cookie
//! but the form token.

use askama::Template;
use asyncmm_app::input::form::{AREA_FIELD, STATEMENT_FIELD, parse_page};
use asyncmm_core::{Agreement, Answer, Answers, Mode};
use asyncmm_model::{Level, Model};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::auth::{check_form_token, field, form_token, with_cookies};
use crate::error::WebError;
use crate::form::Fields;
use crate::pages::{Chrome, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "respond_intro.html")]
struct Intro {
    chrome: Chrome,
    token: String,
    team: String,
    quick: bool,
    k: u16,
    pages: usize,
    answered_before: bool,
    credit: String,
}

/// One choice on a page: a level card or a point of the scale.
struct Choice {
    value: String,
    title: String,
    lines: Vec<String>,
    checked: bool,
}

struct Question {
    field: String,
    text: String,
    hint: Option<String>,
    choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "respond_page.html")]
struct Page {
    chrome: Chrome,
    csrf: String,
    token: String,
    team: String,
    area: String,
    intro: String,
    quick: bool,
    number: usize,
    pages: usize,
    /// Each page's area name, for the step list.
    steps: Vec<String>,
    questions: Vec<Question>,
}

#[derive(Template)]
#[template(path = "respond_done.html")]
struct Done {
    chrome: Chrome,
    token: String,
    team: String,
    answered: usize,
    total: usize,
}

async fn intro(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    let app = state.respondent();
    let invitation = app.invitation(&token).await?;
    let info = asyncmm_report::data::ModelInfo::of(&invitation.model);
    Ok(render(&Intro {
        chrome: Chrome::default(),
        token,
        team: invitation.team.as_str().to_string(),
        quick: invitation.round.mode == Mode::Quick,
        k: invitation.round.k.get(),
        pages: invitation.model.areas.len(),
        answered_before: invitation.answered_before,
        credit: asyncmm_report::credit::html(&info),
    })?
    .into_response())
}

fn questions(model: &Model, area_index: usize, mode: Mode, earlier: Option<&Answers>) -> Vec<Question> {
    let Some(area) = model.areas.get(area_index) else {
        return Vec::new();
    };
    match mode {
        Mode::Quick => {
            let chosen = match earlier {
                Some(Answers::Quick(q)) => q.get(&area.id),
                _ => None,
            };
            vec![Question {
                field: format!("{AREA_FIELD}{}", area.id),
                text: format!("Which level describes {} in your team best?", area.name),
                hint: None,
                choices: Level::ALL
                    .iter()
                    .map(|&level| Choice {
                        value: level.number().to_string(),
                        title: format!("Level {} — {}", level.number(), model.level_name(level)),
                        lines: area.statements_at(level).map(|s| s.text.clone()).collect(),
                        checked: chosen == Some(level),
                    })
                    .collect(),
            }]
        }
        Mode::Detailed => area
            .statements
            .iter()
            .map(|statement| {
                let given = match earlier {
                    Some(Answers::Detailed(d)) => d.get(&statement.id),
                    _ => None,
                };
                let mut choices: Vec<Choice> = (0..=3u8)
                    .filter_map(|v| Agreement::new(v).ok())
                    .map(|a| Choice {
                        value: a.value().to_string(),
                        title: format!("{} {}", a.value(), a.label()),
                        lines: Vec::new(),
                        checked: given == Some(Answer::Agree(a)),
                    })
                    .collect();
                choices.push(Choice {
                    value: asyncmm_app::input::DONT_KNOW.to_string(),
                    title: "don't know".to_string(),
                    lines: Vec::new(),
                    checked: given == Some(Answer::DontKnow),
                });
                Question {
                    field: format!("{STATEMENT_FIELD}{}", statement.id),
                    text: statement.text.clone(),
                    hint: statement.hint.clone(),
                    choices,
                }
            })
            .collect(),
    }
}

async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((token, number)): Path<(String, usize)>,
) -> Result<Response, WebError> {
    let app = state.respondent();
    let invitation = app.invitation(&token).await?;
    let model = &invitation.model;
    let pages = model.areas.len();
    if number == 0 || number > pages {
        return Err(WebError::NotFound);
    }
    let area = &model.areas[number - 1];
    let (csrf, cookie) = form_token(&headers, &state)?;
    let page = render(&Page {
        chrome: Chrome::default(),
        csrf,
        team: invitation.team.as_str().to_string(),
        area: area.name.clone(),
        intro: area.intro.clone(),
        quick: invitation.round.mode == Mode::Quick,
        number,
        pages,
        steps: model.areas.iter().map(|a| a.name.clone()).collect(),
        questions: questions(model, number - 1, invitation.round.mode, invitation.answers.as_ref()),
        token,
    })?;
    Ok(with_cookies(page.into_response(), cookie))
}

async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((token, number)): Path<(String, usize)>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    check_form_token(&headers, &fields)?;
    let app = state.respondent();
    let invitation = app.invitation(&token).await?;
    let pages = invitation.model.areas.len();
    if number == 0 || number > pages {
        return Err(WebError::NotFound);
    }
    let answers = parse_page(&invitation.model, invitation.round.mode, &fields)?;
    app.save_page(&invitation, &token, answers).await?;
    let next = match field(&fields, "go") {
        Some("back") if number > 1 => format!("/r/{token}/{}", number - 1),
        Some("back") => format!("/r/{token}"),
        _ if number < pages => format!("/r/{token}/{}", number + 1),
        _ => format!("/r/{token}/done"),
    };
    Ok(Redirect::to(&next).into_response())
}

async fn done(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    let app = state.respondent();
    let invitation = app.invitation(&token).await?;
    let answered = invitation.answers.as_ref().map_or(0, |a| a.len());
    let total = match invitation.round.mode {
        Mode::Quick => invitation.model.areas.len(),
        Mode::Detailed => invitation.model.areas.iter().map(|a| a.statements.len()).sum(),
    };
    Ok(render(&Done {
        chrome: Chrome::default(),
        token,
        team: invitation.team.as_str().to_string(),
        answered,
        total,
    })?
    .into_response())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/r/{token}", get(intro))
        .route("/r/{token}/done", get(done))
        .route("/r/{token}/{number}", get(page).post(save))
}
