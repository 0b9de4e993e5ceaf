//! One mapping from what went wrong to the page and status a person sees.
//! Internal errors are logged with the request's id and never shown: the
//! page says only that something failed.

use askama::Template;
use asyncmm_app::AppError;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::pages::Chrome;

/// Why a request did not succeed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("this page does not exist")]
    NotFound,
    #[error("you may not do this")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    #[error("this form has expired or did not come from this site; go back, reload the page and send it again")]
    BadForm,
    #[error("too many failed attempts; wait a quarter of an hour and try again")]
    TooMany,
    #[error(
        "too many answer links were handed out to your network in the last quarter of an hour; wait a little and \
         open the shared link again"
    )]
    TooManyLinks,
    #[error("the page could not be drawn: {0}")]
    Template(#[from] askama::Error),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    title: &'a str,
    message: String,
}

impl WebError {
    fn status_and_title(&self) -> (StatusCode, &'static str) {
        match self {
            WebError::NotFound => (StatusCode::NOT_FOUND, "Not found"),
            WebError::Forbidden => (StatusCode::FORBIDDEN, "Not allowed"),
            WebError::BadRequest(_) => (StatusCode::BAD_REQUEST, "Please check your input"),
            WebError::BadForm => (StatusCode::FORBIDDEN, "Please send the form again"),
            WebError::TooMany | WebError::TooManyLinks => (StatusCode::TOO_MANY_REQUESTS, "Please wait"),
            WebError::Template(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong"),
            WebError::App(e) => match e {
                AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "Not found"),
                AppError::TokenUnknown | AppError::SharedLinkUnknown => {
                    (StatusCode::NOT_FOUND, "This link is not valid")
                }
                AppError::RoundClosed(_) => (StatusCode::GONE, "This round is closed"),
                AppError::TokenSpent(_) => (StatusCode::GONE, "Your answers are final"),
                AppError::Answers(_) | AppError::Import(_) | AppError::Invalid { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "Please check your input")
                }
                AppError::TeamNotGiven { .. }
                | AppError::NothingYet(_)
                | AppError::KFixed(_)
                | AppError::ReopenRefused(_)
                | AppError::Conflict(_) => (StatusCode::CONFLICT, "That can't be done now"),
                AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Not signed in"),
                AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "Not allowed"),
                AppError::Storage(_) => (StatusCode::SERVICE_UNAVAILABLE, "Something went wrong"),
            },
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title) = self.status_and_title();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "The request could not be completed. Please try again later; the server's log has the details.".to_string()
        } else {
            sentence(&self.to_string())
        };
        let body = ErrorPage {
            chrome: Chrome::default(),
            title,
            message,
        }
        .render()
        .unwrap_or_else(|_| "Something went wrong".to_string());
        (status, Html(body)).into_response()
    }
}

/// A message as a sentence: capital first letter, full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

pub(crate) async fn not_found() -> WebError {
    WebError::NotFound
}
