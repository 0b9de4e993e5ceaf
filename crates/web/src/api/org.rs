//! The organisation through the API: who the caller is, the org summary,
//! the org report (every team's newest result and the group roll-ups, the
//! table and heat map of the org page) and the trends per quarter (the
//! trends page) — admins and viewers, as on those pages — and the export
//! of everything (admins only, the document `asyncmm export` writes,
//! streamed: the body is sent while the store is read, so the server's
//! memory stays flat whatever the database's size). Every figure comes
//! through the application layer's anonymity gate.

use std::pin::Pin;
use std::task::{Context, Poll};

use asyncmm_app::AppError;
use asyncmm_app::backup::{ExportStream, export_stream};
use asyncmm_report::team::OrgReport;
use axum::Json;
use axum::body::Body;
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

/// Everything stored, as `asyncmm export --output FILE` writes it (teams,
/// rounds, responses without any link to a person, plans, evidence, web
/// accounts with hashes of their passwords and tokens; no sessions).
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

/// Everything stored, as one export document (admins only), streamed:
/// the same bytes as `asyncmm export --output FILE`. A failure before the
/// first bytes is a problem document; one part-way through (rare: the
/// database went away) can only cut the connection, so the client sees an
/// incomplete body rather than a truncated document that looks whole.
#[utoipa::path(
    get,
    path = "/api/v1/export",
    tag = "org",
    responses(
        (status = 200, description = "The export document, sent as it is made (chunked)", body = ExportOut),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn export(caller: Caller, State(state): State<AppState>) -> Result<Response, ApiError> {
    caller.admin()?;
    let mut stream = export_stream(state.store.clone(), time::OffsetDateTime::now_utc())?;
    // Wait for the first chunk, so an export that can't even start gets
    // its proper status instead of a cut connection.
    let first = match stream.next().await {
        Some(Ok(chunk)) => Some(chunk),
        Some(Err(e)) => return Err(e.into()),
        None => None,
    };
    tracing::info!(user = caller.user().id.0, "export through the API");
    let body = Body::from_stream(Chunks {
        first,
        rest: stream,
        sent: 0,
    });
    Ok((
        [
            (CONTENT_TYPE, "application/json"),
            (CONTENT_DISPOSITION, "attachment; filename=\"asyncmm-export.json\""),
        ],
        body,
    )
        .into_response())
}

/// The export's chunks as an HTTP body's stream; an error part-way is
/// logged here (the client only sees the connection cut).
struct Chunks {
    first: Option<Vec<u8>>,
    rest: ExportStream,
    sent: usize,
}

impl futures_core::Stream for Chunks {
    type Item = Result<Vec<u8>, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(chunk) = self.first.take() {
            self.sent += chunk.len();
            return Poll::Ready(Some(Ok(chunk)));
        }
        match self.rest.poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.sent += chunk.len();
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                tracing::error!(error = %e, bytes = self.sent, "the export through the API failed part-way");
                Poll::Ready(Some(Err(std::io::Error::other(interrupted(&e)))))
            }
            Poll::Ready(None) => {
                tracing::info!(bytes = self.sent, "export through the API sent");
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// What the body's error says (it only reaches the server's log and the
/// connection layer, never the client).
fn interrupted(e: &AppError) -> String {
    format!("the export stopped part-way: {e}")
}
