//! Every use case of asyncmm, over the store: what the command line and the
//! web server both call, so a rule can't differ by where it is used.
//!
//! An [`App`] holds the store and today's date; each module adds the use
//! cases of one part of the product as methods:
//!
//! | module | use cases |
//! | --- | --- |
//! | [`accounts`] | web accounts: set-up link, invitations, sign-in, sessions, who may see which team |
//! | [`api_tokens`] | personal API tokens: make (secret shown once), list, revoke, authenticate |
//! | [`caller`] | who a web request comes from (session or API token), without sealing first |
//! | [`teams`] | which team a name means; add, list, rename, move, archive |
//! | [`assess`] | self-assessments: save, explain, correct, remove |
//! | [`rounds`] | open, close, reopen, tokens, k, import, respond, status |
//! | [`results`] | a round's result and the org view, through the anonymity gate |
//! | [`summary`] | the org summary: teams and areas that need attention, change per group, plans |
//! | [`record`] | a team's record: its rounds and self-assessments over time |
//! | [`plans`] | goals, actions, suggestions, progress and projection |
//! | [`check`] | the CI gate's verdict |
//! | [`demo`] | a demo organisation seeded into a fresh database |
//! | [`evidence`] | saved scans, waivers, evidence history, perception vs evidence |
//! | [`backup`] | export and import of everything |
//! | [`input`] | answers files and imports, parsed by one set of rules |
//!
//! Use cases return report data (the structures of `asyncmm-report`) or
//! plain values, and [`AppError`] on failure; they never print. Anonymity
//! rules that span several commands live here: a round's result shows only
//! once it is closed, any output that shows it publishes it, and closed
//! rounds are sealed (their token links removed) before anything reads them.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod api_tokens;
pub mod assess;
pub mod backup;
pub mod caller;
pub mod check;
pub mod demo;
mod error;
pub mod evidence;
pub mod input;
pub mod models;
pub mod plans;
pub mod record;
pub mod respondent;
pub mod results;
pub mod rounds;
pub mod summary;
pub mod teams;

use asyncmm_store::Store;
use time::{Date, OffsetDateTime};

/// A window of a long list and the list's length, read by the database.
pub use asyncmm_store::{Listed, Window};
pub use caller::Caller;
pub use error::AppError;
pub use models::LoadedModel;
pub use respondent::Respondent;

/// Where random bytes come from: the operating system in production, a
/// seeded source in tests.
pub trait Random: Send {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), AppError>;
}

/// The operating system's random number generator.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), AppError> {
        getrandom::getrandom(bytes)
            .map_err(|e| AppError::Conflict(format!("the system's random number generator failed: {e}")))
    }
}

/// The use cases, bound to one store and one moment.
pub struct App<'a> {
    store: &'a dyn Store,
    today: Date,
    now: OffsetDateTime,
}

impl<'a> App<'a> {
    /// Binds the use cases to `store` at `now` (UTC; its date is "today"
    /// for every round rule). Seals rounds that closed by date since the
    /// last use, so no result of a closed round is ever read while its
    /// token links still exist.
    pub async fn new(store: &'a dyn Store, now: OffsetDateTime) -> Result<App<'a>, AppError> {
        let app = App::unsealed(store, now);
        store.seal_closed_rounds(app.today).await?;
        Ok(app)
    }

    /// Binds the use cases without sealing: only for [`Respondent`], whose
    /// use cases never read a result.
    fn unsealed(store: &'a dyn Store, now: OffsetDateTime) -> App<'a> {
        let now = now.to_offset(time::UtcOffset::UTC);
        App {
            store,
            today: now.date(),
            now,
        }
    }

    pub fn today(&self) -> Date {
        self.today
    }
}
