//! Every API error as an RFC 9457 problem document
//! (`application/problem+json`): `type` (always `about:blank`, so `title`
//! is the status's own phrase), `title`, `status` and a `detail` a person
//! can act on. Use-case errors map to statuses here, in one `match`, the
//! way the pages map them; internal errors are logged and never described.
//!
//! Errors that axum's extractors raise before a handler runs (a body that
//! is not JSON, a query that does not parse, a method the path does not
//! take) are turned into the same shape by [`problems_only`], so a client
//! never gets another kind of error body from `/api/v1`.

use asyncmm_app::AppError;
use axum::Json;
use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// An error, as RFC 9457 describes it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
    "detail": "this team is not one of yours"
}))]
pub(crate) struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status's phrase, e.g. `Not Found`.
    pub title: String,
    /// The HTTP status code, repeated.
    pub status: u16,
    /// What went wrong, for a person to read.
    pub detail: String,
}

/// Why an API request did not succeed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),
    /// No token, or one that is malformed, unknown or revoked.
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// The request is understood but contradicts the state of things.
    #[error("{0}")]
    Conflict(String),
    /// A value in the request is not valid; the message names it.
    #[error("{0}")]
    Unprocessable(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::App(e) => match e {
                AppError::NotFound { .. } | AppError::TokenUnknown | AppError::SharedLinkUnknown => {
                    StatusCode::NOT_FOUND
                }
                AppError::Answers(_) | AppError::Import(_) | AppError::Invalid { .. } => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                AppError::RoundClosed(_)
                | AppError::TokenSpent(_)
                | AppError::TeamNotGiven { .. }
                | AppError::NothingYet(_)
                | AppError::KFixed(_)
                | AppError::ReopenRefused(_)
                | AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
            },
        }
    }
}

/// A problem response with `status` and `detail`.
pub(crate) fn problem(status: StatusCode, detail: String) -> Response {
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail,
    };
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"asyncmm\""));
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = if status.is_server_error() {
            tracing::error!(error = %self, "API request failed");
            "the request could not be completed; the server's log has the details".to_string()
        } else {
            self.to_string()
        };
        problem(status, detail)
    }
}

/// Makes every error response of the API a problem document: one that a
/// handler made is left alone; one from axum (a rejected body, query or
/// path, a method not allowed) keeps its status and its message becomes
/// the detail.
pub(crate) async fn problems_only(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let detail = if text.is_empty() || status.is_server_error() {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => "this address does not take that method".to_string(),
            _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
        }
    } else {
        text
    };
    let mut fixed = problem(status, detail);
    if let Some(allow) = parts.headers.get(axum::http::header::ALLOW) {
        fixed.headers_mut().insert(axum::http::header::ALLOW, allow.clone());
    }
    fixed
}

/// Unknown addresses under `/api/v1`.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound("there is no such address in the API; see /api/v1/openapi.json".to_string())
}
