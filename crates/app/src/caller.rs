//! Who is calling the web server: the person a session cookie or an API
//! token belongs to, and nothing else.
//!
//! Every signed-in page and API request asks this before its handler binds
//! its own use cases with [`App::new`], which seals rounds that closed by
//! date. Finding the caller reads accounts only — never a round or a
//! result — so it skips that sealing: one check per request instead of
//! two, and the handler's [`App::new`] still seals before anything it
//! shows is read.

use asyncmm_core::account::User;
use asyncmm_store::Store;
use time::OffsetDateTime;

use crate::accounts::SignedIn;
use crate::{App, AppError};

/// Finds callers, bound to one store and one moment.
pub struct Caller<'a> {
    app: App<'a>,
}

impl<'a> Caller<'a> {
    /// Binds to `store` at `now` (UTC), without sealing (see the module
    /// docs).
    pub fn new(store: &'a dyn Store, now: OffsetDateTime) -> Caller<'a> {
        Caller {
            app: App::unsealed(store, now),
        }
    }

    /// See [`App::signed_in`].
    pub async fn signed_in(&self, secret: &str) -> Result<Option<SignedIn>, AppError> {
        self.app.signed_in(secret).await
    }

    /// See [`App::api_user`].
    pub async fn api_user(&self, secret: &str) -> Result<Option<User>, AppError> {
        self.app.api_user(secret).await
    }
}
