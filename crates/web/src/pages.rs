//! The site's pages, one module per part of it, merged into one router;
//! and what every page shares: the header's signed-in person and form
//! token, and the model's credit in the footer.

use std::sync::OnceLock;

use askama::Template;
use asyncmm_app::accounts::SignedIn;
use asyncmm_core::account::User;
use axum::Router;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::error::WebError;
use crate::state::AppState;

/// What the page frame needs: who is signed in (for the menu) and the
/// session's form token (for the sign-out button).
#[derive(Debug, Clone, Default)]
pub(crate) struct Chrome {
    pub user: Option<User>,
    pub csrf: String,
}

impl Chrome {
    pub fn of(signed: &SignedIn) -> Chrome {
        Chrome {
            user: Some(signed.user.clone()),
            csrf: signed.csrf.clone(),
        }
    }

    /// The credit the model's licence asks for, as the report crate words
    /// and escapes it.
    pub fn credit(&self) -> &'static str {
        static CREDIT: OnceLock<String> = OnceLock::new();
        CREDIT.get_or_init(|| match asyncmm_app::LoadedModel::embedded() {
            Ok(loaded) => asyncmm_report::credit::html(&asyncmm_report::data::ModelInfo::of(&loaded.model)),
            Err(_) => String::new(),
        })
    }
}

/// Renders a template into a page.
pub(crate) fn render(template: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(template.render()?))
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
}

async fn home(state: axum::extract::State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    if crate::auth::signed_in(&headers, &state).await?.is_some() {
        return Ok(Redirect::to("/teams").into_response());
    }
    Ok(render(&Home {
        chrome: Chrome::default(),
    })?
    .into_response())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(crate::account::router())
        .merge(crate::respond::router())
        .merge(crate::teams::router())
        .merge(crate::plans::router())
        .merge(crate::rounds::router())
        .merge(crate::org::router())
        .merge(crate::trends::router())
}
