//! Signing in and out, the set-up link and invitations, the people page
//! where admins invite others, and everyone's account page, where they
//! make and revoke their personal API tokens.

use std::net::SocketAddr;

use askama::Template;
use asyncmm_app::OsRandom;
use asyncmm_app::accounts::{MIN_PASSWORD, SESSION_LIFETIME, SessionStart};
use asyncmm_core::account::{Role, User};
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::{self, SESSION_COOKIE, Signed, check_form_token, field, form_token, set_cookie, with_cookies};
use crate::error::WebError;
use crate::form::Fields;
use crate::pages::{Chrome, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    name: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    chrome: Chrome,
    csrf: String,
    role: Role,
    first: bool,
    name: String,
    error: Option<String>,
    min_password: usize,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    chrome: Chrome,
    people: Vec<User>,
    roles: [Role; 3],
    link: Option<(Role, String)>,
}

/// An API token as the account page lists it.
struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    role: Role,
    tokens: Vec<TokenRow>,
    /// A token just made: its secret, shown this once.
    secret: Option<String>,
    error: Option<String>,
}

fn moment(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| at.date().to_string())
}

async fn account_page(
    state: &AppState,
    signed: &Signed,
    secret: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let tokens = state
        .app()
        .await?
        .api_tokens(signed.user())
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: moment(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "never".to_string(), moment),
            revoked: t.revoked_at.map(moment),
        })
        .collect();
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = render(&AccountPage {
        chrome: Chrome::of(&signed.0),
        role: signed.user().role,
        tokens,
        secret,
        error,
    })?;
    Ok((status, page).into_response())
}

async fn account(State(state): State<AppState>, signed: Signed) -> Result<Response, WebError> {
    account_page(&state, &signed, None, None).await
}

async fn create_token(
    State(state): State<AppState>,
    signed: Signed,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    let name = field(&fields, "name").unwrap_or_default();
    let made = state
        .app()
        .await?
        .create_api_token(signed.user(), name, &mut OsRandom)
        .await;
    match made {
        Ok(made) => {
            tracing::info!(user = signed.user().id.0, token = made.token.id, "API token created");
            account_page(&state, &signed, Some(made.secret), None).await
        }
        Err(e @ (asyncmm_app::AppError::Invalid { .. } | asyncmm_app::AppError::Conflict(_))) => {
            account_page(&state, &signed, None, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    state.app().await?.revoke_api_token(signed.user(), id).await?;
    tracing::info!(user = signed.user().id.0, token = id, "API token revoked");
    Ok(Redirect::to("/account").into_response())
}

fn login_page(
    headers: &HeaderMap,
    state: &AppState,
    name: String,
    error: Option<String>,
) -> Result<Response, WebError> {
    let (csrf, cookie) = form_token(headers, state)?;
    let page = render(&LoginPage {
        chrome: Chrome::default(),
        csrf,
        name,
        error,
    })?;
    Ok(with_cookies(page.into_response(), cookie))
}

async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    if auth::signed_in(&headers, &state).await?.is_some() {
        return Ok(Redirect::to("/teams").into_response());
    }
    login_page(&headers, &state, String::new(), None)
}

fn session_cookie(state: &AppState, start: &SessionStart) -> axum::http::HeaderValue {
    set_cookie(
        state,
        SESSION_COOKIE,
        &start.secret.reveal(),
        SESSION_LIFETIME.whole_seconds(),
    )
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    check_form_token(&headers, &fields)?;
    let name = field(&fields, "name").unwrap_or_default().to_string();
    let password = field(&fields, "password").unwrap_or_default();
    let ip = Some(peer.ip());
    if !state.limiter.allows(ip, &name) {
        return Err(WebError::TooMany);
    }
    let app = state.app().await?;
    match app.sign_in(&name, password, &mut OsRandom).await {
        Ok(start) => {
            state.limiter.succeeded(ip, &name);
            tracing::info!(user = start.user.id.0, "signed in");
            Ok(with_cookies(
                Redirect::to("/teams").into_response(),
                [session_cookie(&state, &start)],
            ))
        }
        Err(asyncmm_app::AppError::Unauthorized(message)) => {
            state.limiter.failed(ip, &name);
            let mut response = login_page(&headers, &state, name, Some(message))?;
            *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed: Signed,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    if let Some(secret) = auth::cookie(&headers, SESSION_COOKIE) {
        state.app().await?.sign_out(&secret).await?;
    }
    Ok(with_cookies(
        Redirect::to("/login").into_response(),
        [set_cookie(&state, SESSION_COOKIE, "", 0)],
    ))
}

async fn logout_everywhere(
    State(state): State<AppState>,
    signed: Signed,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    signed.check(&fields)?;
    state.app().await?.sign_out_everywhere(signed.user()).await?;
    Ok(with_cookies(
        Redirect::to("/login").into_response(),
        [set_cookie(&state, SESSION_COOKIE, "", 0)],
    ))
}

async fn invite_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Result<Response, WebError> {
    let app = state.app().await?;
    let role = app.invitation_role(&secret).await?;
    let first = app.setup_needed().await?;
    let (csrf, cookie) = form_token(&headers, &state)?;
    let page = render(&InvitePage {
        chrome: Chrome::default(),
        csrf,
        role,
        first,
        name: String::new(),
        error: None,
        min_password: MIN_PASSWORD,
    })?;
    Ok(with_cookies(page.into_response(), cookie))
}

async fn accept_invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Fields(fields): Fields,
) -> Result<Response, WebError> {
    check_form_token(&headers, &fields)?;
    let app = state.app().await?;
    let name = field(&fields, "name").unwrap_or_default();
    let password = field(&fields, "password").unwrap_or_default();
    let repeated = field(&fields, "repeat").unwrap_or_default();
    match app
        .accept_invite(&secret, name, password, repeated, &mut OsRandom)
        .await
    {
        Ok(start) => {
            tracing::info!(user = start.user.id.0, role = %start.user.role, "account created from an invitation");
            Ok(with_cookies(
                Redirect::to("/teams").into_response(),
                [session_cookie(&state, &start)],
            ))
        }
        Err(e @ (asyncmm_app::AppError::Invalid { .. } | asyncmm_app::AppError::Conflict(_))) => {
            let role = app.invitation_role(&secret).await?;
            let first = app.setup_needed().await?;
            let (csrf, cookie) = form_token(&headers, &state)?;
            let page = render(&InvitePage {
                chrome: Chrome::default(),
                csrf,
                role,
                first,
                name: name.to_string(),
                error: Some(e.to_string()),
                min_password: MIN_PASSWORD,
            })?;
            let mut response = with_cookies(page.into_response(), cookie);
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

async fn people(State(state): State<AppState>, signed: Signed) -> Result<Response, WebError> {
    signed.admin()?;
    let people = state.app().await?.accounts(signed.user()).await?;
    Ok(render(&PeoplePage {
        chrome: Chrome::of(&signed.0),
        people,
        roles: Role::ALL,
        link: None,
    })?
    .into_response())
}

async fn invite(State(state): State<AppState>, signed: Signed, Fields(fields): Fields) -> Result<Response, WebError> {
    signed.check(&fields)?;
    signed.admin()?;
    let role =
        Role::parse(field(&fields, "role").unwrap_or_default()).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let app = state.app().await?;
    let token = app.invite(signed.user(), role, &mut OsRandom).await?;
    let people = app.accounts(signed.user()).await?;
    Ok(render(&PeoplePage {
        chrome: Chrome::of(&signed.0),
        people,
        roles: Role::ALL,
        link: Some((role, format!("{}/invite/{}", state.public_url, token.reveal()))),
    })?
    .into_response())
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/logout/everywhere", post(logout_everywhere))
        .route("/invite/{secret}", get(invite_form).post(accept_invite))
        .route("/people", get(people))
        .route("/people/invite", post(invite))
        .route("/account", get(account))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}
