//! What every handler shares: the store and the server's settings. One
//! cloneable value, no global state.

use std::sync::Arc;

use asyncmm_app::{App, AppError, Caller, Respondent};
use asyncmm_store::Store;
use time::OffsetDateTime;

use crate::auth::{LoginLimiter, ShareLimiter};

/// The server's shared state.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Arc<dyn Store>,
    /// Cookies get `Secure` when the site is served over https.
    pub secure_cookies: bool,
    /// The address people reach the site at, for links handed out.
    pub public_url: Arc<str>,
    pub limiter: Arc<LoginLimiter>,
    pub share_limiter: Arc<ShareLimiter>,
}

impl AppState {
    /// The use cases, bound to the store at this moment.
    pub async fn app(&self) -> Result<App<'_>, AppError> {
        App::new(self.store.as_ref(), OffsetDateTime::now_utc()).await
    }

    /// The respondent's use cases, bound to the store at this moment: what
    /// a respondent's link reaches (see [`Respondent`] for why it doesn't
    /// seal rounds first).
    pub fn respondent(&self) -> Respondent<'_> {
        Respondent::new(self.store.as_ref(), OffsetDateTime::now_utc())
    }

    /// Who a request comes from (see [`Caller`] for why it doesn't seal
    /// rounds first: the handler's own [`AppState::app`] does).
    pub fn caller(&self) -> Caller<'_> {
        Caller::new(self.store.as_ref(), OffsetDateTime::now_utc())
    }
}
