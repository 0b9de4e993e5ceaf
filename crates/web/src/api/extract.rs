//! What every API handler reads from a request besides its own fields:
//! who is calling (a personal API token in `Authorization: Bearer …`,
//! nothing else), and which page of a list they want.
//!
//! Session cookies do not authenticate the API: a browser sends them to
//! any site's requests, and the API takes no form token, so accepting them
//! would let another site act for a signed-in person.

use asyncmm_app::{Listed, Window};
use asyncmm_core::account::{Role, User};
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, LINK};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::api::problem::ApiError;
use crate::state::AppState;

/// The person a valid API token belongs to.
pub(crate) struct Caller(pub User);

impl Caller {
    pub fn user(&self) -> &User {
        &self.0
    }

    /// Only admins pass.
    pub fn admin(&self) -> Result<(), ApiError> {
        if self.0.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden("only admins may do this".to_string()))
        }
    }
}

/// The secret of an `Authorization: Bearer …` header.
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthorized(
            "this request needs an API token: send it as \"Authorization: Bearer <token>\"".to_string(),
        )
    })?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header could not be read".to_string()))?;
    match text.trim().split_once(' ') {
        Some((scheme, secret)) if scheme.eq_ignore_ascii_case("bearer") && !secret.trim().is_empty() => {
            Ok(secret.trim())
        }
        _ => Err(ApiError::Unauthorized(
            "the Authorization header must be \"Bearer <token>\"".to_string(),
        )),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = bearer(parts)?;
        match state.caller().api_user(secret).await? {
            Some(user) => Ok(Caller(user)),
            None => Err(ApiError::Unauthorized(
                "this API token is not valid: it was revoked, or never existed".to_string(),
            )),
        }
    }
}

/// Which page of a list: `page` counts from 1 (default 1), `per_page`
/// items per page, 1–100 (default 50).
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Paging {
    /// The page, from 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Items per page, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

pub(crate) const DEFAULT_PER_PAGE: u32 = 50;
pub(crate) const MAX_PER_PAGE: u32 = 100;

/// One page of a list, with where it sits in the whole.
#[derive(Debug, Serialize)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// Items in the whole list.
    pub total: u64,
    /// Pages in the whole list (at least 1).
    pub pages: u32,
}

impl Paging {
    /// The checked page number and size.
    fn checked(self) -> Result<(u32, u32), ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(ApiError::BadRequest("page counts from 1".to_string()));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(ApiError::BadRequest(format!(
                "per_page is between 1 and {MAX_PER_PAGE}"
            )));
        }
        Ok((page, per_page))
    }

    /// The part of a list the page asked for covers, for the database to
    /// read (checked: a bad page or size is 400).
    pub fn window(self) -> Result<Window, ApiError> {
        let (page, per_page) = self.checked()?;
        Ok(Window {
            offset: u64::from(page - 1) * u64::from(per_page),
            limit: per_page,
        })
    }

    /// The page of `items` (the whole list) asked for, as
    /// [`Paging::respond_listed`] answers it. For lists that must be sorted
    /// in memory; lists the database can page are read with
    /// [`Paging::window`].
    pub fn respond<T: Serialize>(self, items: Vec<T>, uri: &Uri) -> Result<Response, ApiError> {
        let window = self.window()?;
        let total = items.len() as u64;
        let start = usize::try_from(window.offset).unwrap_or(usize::MAX);
        let items: Vec<T> = items.into_iter().skip(start).take(window.limit as usize).collect();
        self.respond_listed(Listed { items, total }, uri)
    }

    /// `listed`, the page asked for (as [`Paging::window`] gave it) of a
    /// list of `listed.total` items, as a JSON body with a `Link` header
    /// (RFC 8288: `first`, `prev`, `next`, `last`) built from `uri`, so
    /// other query parameters carry over. A page past the end is empty.
    pub fn respond_listed<T: Serialize>(self, listed: Listed<T>, uri: &Uri) -> Result<Response, ApiError> {
        let (page, per_page) = self.checked()?;
        let Listed { items, total } = listed;
        let pages = u32::try_from(total.div_ceil(u64::from(per_page)).max(1)).unwrap_or(u32::MAX);
        let link = |n: u32, rel: &str| format!("<{}>; rel=\"{rel}\"", page_uri(uri, n, per_page));
        let mut links = vec![link(1, "first")];
        if page > 1 {
            links.push(link((page - 1).min(pages), "prev"));
        }
        if page < pages {
            links.push(link(page + 1, "next"));
        }
        links.push(link(pages, "last"));
        let body = Page {
            items,
            page,
            per_page,
            total,
            pages,
        };
        let mut response = Json(body).into_response();
        if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
            response.headers_mut().insert(LINK, value);
        }
        Ok(response)
    }
}

/// `uri` with its `page` and `per_page` replaced.
fn page_uri(uri: &Uri, page: u32, per_page: u32) -> String {
    let mut query: Vec<(String, String)> = uri
        .query()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default();
    query.retain(|(k, _)| k != "page" && k != "per_page");
    query.push(("page".to_string(), page.to_string()));
    query.push(("per_page".to_string(), per_page.to_string()));
    let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
    format!("{}?{encoded}", uri.path())
}
