//! Form bodies as ordered `(name, value)` pairs, so a field sent twice is
//! seen (and refused by the parser) instead of silently overwritten.

use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// The largest form accepted: a detailed page of answers is a few kB.
pub(crate) const MAX_FORM: usize = 256 * 1024;

pub(crate) struct Fields(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if bytes.len() > MAX_FORM {
            return Err(WebError::BadRequest("the form is too large".to_string()).into_response());
        }
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map(Fields)
            .map_err(|_| WebError::BadRequest("the form could not be read".to_string()).into_response())
    }
}

/// One option of a `<select>`.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}
