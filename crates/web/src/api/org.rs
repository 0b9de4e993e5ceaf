//! The organisation through the API: who the caller is, the org summary,
//! the org report (every team's newest result and the group roll-ups, the
//! table and heat map of the org page) and the trends per quarter (the
//! trends page) — admins and viewers, as on those pages — and the export
//! of everything (admins only, the document `asyncmm export` writes). Every
//! figure comes through the application layer's anonymity gate.

use asyncmm_report::team::OrgReport;
use axum::Json;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::extract::Caller;
use crate::api::problem::{ApiError, Problem};
use crate::state::AppState;

/// The person a token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Me {
    pub name: String,
    /// `admin`, `lead` or `viewer`.
    pub role: String,
}

/// The org summary: teams and areas that need attention, change per group,
/// plans; hidden teams say why.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct SummaryOut(#[allow(dead_code)] serde_json::Value);

/// Everything stored, as `asyncmm export` writes it (teams, rounds,
/// responses without any link to a person, plans, evidence).
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct ExportOut(#[allow(dead_code)] serde_json::Value);

/// Who the token belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "org",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        name: caller.user().name.clone(),
        role: caller.user().role.as_str().to_string(),
    })
}

/// The organisation's summary (admins and viewers).
#[utoipa::path(
    get,
    path = "/api/v1/org/summary",
    tag = "org",
    responses(
        (status = 200, description = "The summary", body = SummaryOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Leads see their own teams only", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn summary(caller: Caller, State(state): State<AppState>) -> Result<Response, ApiError> {
    org_reader(&caller)?;
    let summary = state.app().await?.org_summary(None).await?;
    Ok(Json(summary).into_response())
}

/// The org report: every active team's newest closed round through the
/// gate, and the roll-ups per group by both rules.
#[derive(Debug, ToSchema)]
#[schema(value_type = Object)]
pub(crate) struct OrgReportOut(#[allow(dead_code)] serde_json::Value);

/// One quarter of the trends: the org report of the rounds opened in it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PeriodOut {
    /// `2026 Q3`.
    pub quarter: String,
    /// The org report of that quarter's rounds (each team's newest closed
    /// round opened in it).
    #[schema(value_type = Object)]
    pub report: OrgReport,
}

/// The organisation's trends, oldest quarter first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TrendsOut {
    pub periods: Vec<PeriodOut>,
}

/// Only admins and viewers see the whole organisation.
fn org_reader(caller: &Caller) -> Result<(), ApiError> {
    if caller.user().role.sees_all_teams() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "the organisation's view is for admins and viewers".to_string(),
        ))
    }
}

/// The organisation's report (admins and viewers): what the org page's
/// grouped table and heat map show, as `asyncmm report --org --format
/// json` gives it. A hidden cell or team says why, never what.
#[utoipa::path(
    get,
    path = "/api/v1/org/report",
    tag = "org",
    responses(
        (status = 200, description = "The org report", body = OrgReportOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Leads see their own teams only", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn report(caller: Caller, State(state): State<AppState>) -> Result<Response, ApiError> {
    org_reader(&caller)?;
    let report = state.app().await?.org_report().await?;
    Ok(Json(report).into_response())
}

/// The organisation's trends quarter by quarter (admins and viewers), as
/// the trends page shows them: each group's median per area, hidden
/// wherever k is not met.
#[utoipa::path(
    get,
    path = "/api/v1/org/trends",
    tag = "org",
    responses(
        (status = 200, description = "One org report per quarter, oldest first", body = TrendsOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Leads see their own teams only", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn trends(caller: Caller, State(state): State<AppState>) -> Result<Json<TrendsOut>, ApiError> {
    org_reader(&caller)?;
    let periods = state.app().await?.org_trends().await?;
    Ok(Json(TrendsOut {
        periods: periods
            .into_iter()
            .map(|p| PeriodOut {
                quarter: p.quarter,
                report: p.report,
            })
            .collect(),
    }))
}

/// Everything stored, as one export document (admins only).
#[utoipa::path(
    get,
    path = "/api/v1/export",
    tag = "org",
    responses(
        (status = 200, description = "The export document", body = ExportOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn export(caller: Caller, State(state): State<AppState>) -> Result<Response, ApiError> {
    caller.admin()?;
    let mut bytes = Vec::new();
    state.app().await?.export_to(&mut bytes).await?;
    tracing::info!(user = caller.user().id.0, bytes = bytes.len(), "export through the API");
    Ok((
        [
            (CONTENT_TYPE, "application/json"),
            (CONTENT_DISPOSITION, "attachment; filename=\"asyncmm-export.json\""),
        ],
        bytes,
    )
        .into_response())
}
