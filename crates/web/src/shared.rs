//! A round's shared link (`/s/{secret}`): instead of one personal link per
//! person, one link for everybody. Each browser that opens it gets its own
//! anonymous answer link, issued by the application layer and kept in an
//! `HttpOnly`, `SameSite=Lax` cookie scoped to `/s/`, so the same browser
//! comes back to its own answers. New links are rate-limited per client
//! address, and the page says plainly what a shared link can't prevent:
//! one person answering twice.

use std::net::SocketAddr;

use askama::Template;
use asyncmm_app::OsRandom;
use asyncmm_app::rounds::SharedRound;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::auth::{cookie, set_cookie_at, with_cookies};
use crate::error::WebError;
use crate::pages::{Chrome, render};
use crate::state::AppState;

/// How long a browser keeps its answer link: longer than any round runs.
const KEEP_SECONDS: i64 = 60 * 60 * 24 * 120;

#[derive(Template)]
#[template(path = "shared.html")]
struct SharedPage {
    chrome: Chrome,
    team: String,
    round: i64,
    token: String,
    notice: &'static str,
    came_back: bool,
}

/// The cookie that keeps a browser's answer link for one round.
fn cookie_name(round: i64) -> String {
    format!("asyncmm_shared_{round}")
}

async fn shared(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Result<Response, WebError> {
    let app = state.respondent();
    let shared = app.shared_round(&secret).await?;
    let name = cookie_name(shared.round.id.0);
    let kept = cookie(&headers, &name);
    let (token, came_back) = match app.kept_shared_token(&shared, kept.as_deref()).await? {
        Some(token) => (token, true),
        None => {
            let ip = Some(peer.ip());
            if !state.share_limiter.allows(ip) {
                return Err(WebError::TooManyLinks);
            }
            let token = app.issue_shared_token(&secret, &mut OsRandom).await?;
            state.share_limiter.issued(ip);
            tracing::info!(round = shared.round.id.0, "answer link issued by a shared link");
            (token, false)
        }
    };
    let token = token.reveal();
    let page = render(&SharedPage {
        chrome: Chrome::default(),
        team: shared.team.as_str().to_string(),
        round: shared.round.id.0,
        token: token.clone(),
        notice: SharedRound::NOTICE,
        came_back,
    })?;
    let keep = set_cookie_at(&state, "/s/", &name, &token, KEEP_SECONDS);
    Ok(with_cookies(page.into_response(), [keep]))
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/s/{secret}", get(shared))
}
