//! `/api/v1/tokens`: the caller's own API tokens, listed (never a secret)
//! and revoked, e.g. by a script that retires its own token. Tokens are
//! made on the Account page only, so a token can't breed others. The list
//! is paged by the database.

use asyncmm_app::Listed;
use asyncmm_store::ApiToken;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::api::extract::{Caller, Paging};
use crate::api::problem::{ApiError, Problem};
use crate::state::AppState;

/// An API token as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenOut {
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// The secret's first characters (`amm_` and 4 more).
    pub prefix: String,
    /// RFC 3339 times, UTC.
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// One page of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenPage {
    pub items: Vec<TokenOut>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub pages: u32,
}

fn moment(at: time::OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

impl From<ApiToken> for TokenOut {
    fn from(t: ApiToken) -> TokenOut {
        TokenOut {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: moment(t.created_at),
            last_used_at: t.last_used_at.map(moment),
            revoked_at: t.revoked_at.map(moment),
        }
    }
}

/// The caller's API tokens, newest first, revoked ones included.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "tokens",
    params(Paging),
    responses(
        (status = 200, description = "One page of the caller's tokens", body = TokenPage, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        (status = 400, description = "A bad page number or size", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn list_tokens(
    caller: Caller,
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let window = paging.window()?;
    let listed = state.app().await?.api_token_window(caller.user(), window).await?;
    let tokens = Listed {
        items: listed.items.into_iter().map(TokenOut::from).collect::<Vec<TokenOut>>(),
        total: listed.total,
    };
    paging.respond_listed(tokens, &uri)
}

/// Revokes one of the caller's tokens (the one in use, too): from then on
/// it gets 401.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "tokens",
    params(("id" = i64, Path, description = "The token's number")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The caller has no such token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn revoke_token(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| ApiError::NotFound(format!("API token \"{id}\" does not exist")))?;
    state.app().await?.revoke_api_token(caller.user(), id).await?;
    tracing::info!(
        user = caller.user().id.0,
        token = id,
        "API token revoked through the API"
    );
    Ok(StatusCode::NO_CONTENT)
}
