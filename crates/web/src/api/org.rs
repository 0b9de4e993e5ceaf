//! The organisation through the API: who the caller is, the org summary
//! (admins and viewers, as on the org page) and the export of everything
//! (admins only, the document `asyncmm export` writes).

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
    if !caller.user().role.sees_all_teams() {
        return Err(ApiError::Forbidden(
            "the organisation's view is for admins and viewers".to_string(),
        ));
    }
    let summary = state.app().await?.org_summary(None).await?;
    Ok(Json(summary).into_response())
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
