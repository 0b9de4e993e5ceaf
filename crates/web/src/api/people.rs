//! `/api/v1/people`: the accounts of the site, for admins, as the People
//! page lists them (name and role, never a password or a session).
//!
//! Invitations are made on the People page only, never through the API,
//! for the reason API tokens are made on the Account page only: a leaked
//! token must not be able to mint lasting access (a new admin account
//! would outlive the token's revocation).

use asyncmm_core::account::User;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::extract::{Caller, Paging};
use crate::api::problem::{ApiError, Problem};
use crate::state::AppState;

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PersonOut {
    pub id: i64,
    pub name: String,
    /// `admin`, `lead` or `viewer`.
    pub role: String,
}

/// One page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PersonPage {
    pub items: Vec<PersonOut>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub pages: u32,
}

impl From<User> for PersonOut {
    fn from(u: User) -> PersonOut {
        PersonOut {
            id: u.id.0,
            name: u.name,
            role: u.role.as_str().to_string(),
        }
    }
}

/// The site's accounts (admins only), in the People page's order.
#[utoipa::path(
    get,
    path = "/api/v1/people",
    tag = "people",
    params(Paging),
    responses(
        (status = 200, description = "One page of accounts", body = PersonPage, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
        (status = 400, description = "A bad page number or size", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn list_people(
    caller: Caller,
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let people: Vec<PersonOut> = state
        .app()
        .await?
        .accounts(caller.user())
        .await?
        .into_iter()
        .map(PersonOut::from)
        .collect();
    paging.respond(people, &uri)
}
