//! A round's page: while open, its response count and the close button
//! (with the warning when fewer than k answered); once closed, its result
//! as the application layer gates it, with the radar chart inline. Also
//! the download of the personal links as CSV, made from the links the
//! browser was shown (the server keeps no copy). Its leads and admins also
//! reopen a closed round and change k here; the application layer decides
//! whether that is allowed (a published round can't be reopened, k is
//! fixed once a response arrived), and a refusal is shown on the page.
//! While a round is open they also give it a shared link, or a new one
//! that replaces the earlier link (which stops working at once): the new
//! link is shown on the round page that once, like the links of a round
//! just opened.

use askama::Template;
use asyncmm_app::{AppError, OsRandom};
use asyncmm_report::data::HOLDING_BACK_SHOWN;
use asyncmm_report::svg::{self, Series};
use asyncmm_report::team::{AreaName, RoundArea, RoundReport};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::{Signed, field};
use crate::error::WebError;
use crate::form::Fields;
use crate::names::segment;
use crate::pages::{Chrome, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage {
    chrome: Chrome,
    team: String,
    team_href: String,
    report: RoundReport,
    open: bool,
    can_write: bool,
    warning: Option<String>,
    hidden: Option<String>,
    radar: Option<String>,
    areas: Vec<AreaView>,
    credit: String,
    /// Why a change asked for on this page was refused.
    error: Option<String>,
    /// A shared link just made: shown this once.
    shared: Option<String>,
}

struct AreaView {
    area: RoundArea,
    hidden: Option<String>,
    gaps_shown: usize,
}

fn two(value: &Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

async fn round(State(state): State<AppState>, signed: Signed, Path(id): Path<i64>) -> Result<Response, WebError> {
    round_page(&state, &signed, id, None, None).await
}

/// The round page of a round this person may see, with `error` above it
/// (and status 422) when a change was refused, and a shared link `shared`
/// just made.
async fn round_page(
    state: &AppState,
    signed: &Signed,
    id: i64,
    error: Option<String>,
    shared: Option<String>,
) -> Result<Response, WebError> {
    let app = state.app().await?;
    let team = app.round_team_for(signed.user(), id).await?;
    let status = app.round_status(id).await?;
    let open = status.state == asyncmm_core::RoundState::Open;
    let can_write = signed.user().role.can_write();
    let warning = if open && can_write {
        app.close_check(id).await?.warning()
    } else {
        None
    };
    // The report of an open round holds only its count; of a closed one,
    // its result (and showing it publishes it).
    let report = app.round_report(id).await?;
    let radar = (!report.areas.is_empty() && report.hidden.is_none()).then(|| {
        let names: Vec<AreaName> = report
            .areas
            .iter()
            .map(|a| AreaName {
                id: a.id.clone(),
                name: a.name.clone(),
            })
            .collect();
        let mut series = vec![Series {
            label: format!("round {} median", report.round.id),
            values: report
                .areas
                .iter()
                .filter_map(|a| a.median.map(|m| (a.id.clone(), m)))
                .collect(),
        }];
        if let Some(previous) = report.previous_round {
            series.push(Series {
                label: format!("round {previous} median"),
                values: report
                    .areas
                    .iter()
                    .filter_map(|a| a.previous_median.map(|m| (a.id.clone(), m)))
                    .collect(),
            });
        }
        svg::radar(
            &format!("{} — median score per area", report.round.team),
            &names,
            &series,
        )
    });
    let areas = report
        .areas
        .iter()
        .map(|a| AreaView {
            hidden: a.hidden.as_ref().map(|h| h.text()),
            gaps_shown: a.holding_back.len().min(HOLDING_BACK_SHOWN),
            area: a.clone(),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = render(&RoundPage {
        chrome: Chrome::of(&signed.0),
        team_href: format!("/teams/{}", segment(team.as_str())),
        team: team.as_str().to_string(),
        open,
        can_write,
        warning,
        hidden: report.hidden.as_ref().map(|h| h.text()),
        radar,
        areas,
        credit: asyncmm_report::credit::html(&report.model),
        report,
        error,
        shared,
    })?;
    Ok((status, page).into_response())
}

/// Refusals a lead can read and act on: shown on the round page.
fn refused(e: &AppError) -> bool {
    matches!(
        e,
        AppError::ReopenRefused(_)
            | AppError::KFixed(_)
            | AppError::Invalid { .. }
            | AppError::Conflict(_)
            | AppError::RoundClosed(_)
    )
}

/// After a change: back to the round, or the round with the refusal.
async fn after<T>(
    state: &AppState,
    signed: &Signed,
    id: i64,
    outcome: Result<T, AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        Err(e) if refused(&e) => round_page(state, signed, id, Some(e.to_string()), None).await,
        Err(e) => Err(e.into()),
    }
}

/// Checks the form's token and that this person may change the round's
/// team (its leads and admins).
async fn round_to_change(
    state: &AppState,
    signed: &Signed,
    id: i64,
    fields: &[(String, String)],
) -> Result<(), WebError> {
    signed.check(fields)?;
    let app = state.app().await?;
    let team = app.round_team_for(signed.user(), id).await?;
    app.team_to_change(signed.user(), team.as_str()).await?;
    Ok(())
}

async fn reopen(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    round_to_change(&state, &signed, id, &fields).await?;
    let outcome = state.app().await?.reopen_round(id).await;
    if outcome.is_ok() {
        tracing::info!(round = id, "round reopened");
    }
    after(&state, &signed, id, outcome).await
}

async fn set_k(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    round_to_change(&state, &signed, id, &fields).await?;
    let text = field(&fields, "k").unwrap_or_default().trim();
    let outcome = match text.parse::<i64>() {
        Ok(k) => state.app().await?.set_k(id, k).await,
        Err(_) => Err(AppError::invalid("k", format!("{text:?} is not a whole number"))),
    };
    after(&state, &signed, id, outcome).await
}

/// Gives the open round a shared link, replacing its earlier one (which
/// stops working): the round page shows the new link this once.
async fn share(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    round_to_change(&state, &signed, id, &fields).await?;
    match state.app().await?.share_round(id, &mut OsRandom).await {
        Ok(secret) => {
            tracing::info!(round = id, "shared link made");
            let link = format!("{}/s/{}", state.public_url, secret.reveal());
            round_page(&state, &signed, id, None, Some(link)).await
        }
        Err(e) if refused(&e) => round_page(&state, &signed, id, Some(e.to_string()), None).await,
        Err(e) => Err(e.into()),
    }
}

async fn close(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    let app = state.app().await?;
    let team = app.round_team_for(signed.user(), id).await?;
    app.team_to_change(signed.user(), team.as_str()).await?;
    app.close_round(id).await?;
    tracing::info!(round = id, "round closed");
    Ok(Redirect::to(&format!("/rounds/{id}")).into_response())
}

/// The links the browser posts back, as a CSV file: one link per row.
async fn links_csv(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    let app = state.app().await?;
    let team = app.round_team_for(signed.user(), id).await?;
    app.team_to_change(signed.user(), team.as_str()).await?;
    let prefix = format!("{}/r/", state.public_url);
    let mut csv = String::from("link\r\n");
    for (key, value) in &fields {
        // Only links of this site's shape go into the file: a posted
        // value can't put a formula or another address into it.
        if key == "link"
            && let Some(token) = value.strip_prefix(&prefix)
            && asyncmm_core::Token::parse(token).is_ok()
        {
            csv.push_str(value);
            csv.push_str("\r\n");
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"round-{id}-links.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/rounds/{id}", get(round))
        .route("/rounds/{id}/close", post(close))
        .route("/rounds/{id}/reopen", post(reopen))
        .route("/rounds/{id}/k", post(set_k))
        .route("/rounds/{id}/share", post(share))
        .route("/rounds/{id}/links.csv", post(links_csv))
}

// Templates call these.
impl AreaView {
    fn median(&self) -> String {
        two(&self.area.median)
    }
    fn spread(&self) -> String {
        format!(
            "min {} · Q1 {} · Q3 {} · max {} · IQR {}",
            two(&self.area.min),
            two(&self.area.q1),
            two(&self.area.q3),
            two(&self.area.max),
            two(&self.area.iqr)
        )
    }
    fn gaps(&self) -> &[asyncmm_report::data::GapReport] {
        &self.area.holding_back[..self.gaps_shown]
    }
    fn change(&self) -> Option<String> {
        self.area.delta.map(|d| format!("{d:+.2}"))
    }
}
