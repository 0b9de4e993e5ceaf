//! Storage of asyncmm's data behind one trait, with an SQLite backend (the
//! embedded default) and a PostgreSQL backend (for several instances).
//!
//! This crate owns where assessments and the models they were taken with are
//! kept: the [`Store`] trait that the CLI and the web server program against,
//! the two backends ([`SqliteStore`], [`PostgresStore`]), their migrations
//! (`migrations/sqlite`, `migrations/postgres`, embedded in the binary and run
//! on connect), and [`connect`], which turns the `--database` /
//! `ASYNCMM_DATABASE_URL` value into a ready store.
//!
//! Both backends keep the same schema shape and must behave the same; the
//! shared conformance suite in `tests/conformance.rs` is what holds them to
//! that. Queries are checked at run time (never the compile-time `query!`
//! macros), so building needs no database.
//!
//! Errors are [`StoreError`]s phrased for the person who has to fix them, and
//! no message ever contains a database password: every URL shown goes through
//! [`redact`].
#![forbid(unsafe_code)]

mod location;
pub mod postgres;
mod record;
pub mod sqlite;

use std::path::PathBuf;

use async_trait::async_trait;
use asyncmm_core::{AssessmentId, ModelRef, NewAssessment, StoredAssessment, TeamName};
use time::OffsetDateTime;

pub use location::redact;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use location::Location;

/// A team that has at least one stored assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSummary {
    pub name: TeamName,
    pub assessments: u64,
    pub last_taken_at: OffsetDateTime,
}

/// What can go wrong in storage, phrased for the person who has to fix it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    /// The data contradicts what is stored (a model changed under the same
    /// version, an assessment of a model that is not registered).
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database location is wrong or unusable (bad URL, not an SQLite
    /// file, a directory that can't be written, a database that does not
    /// exist, a refused login). Fixed by changing `--database` or the
    /// environment.
    #[error("{0}")]
    Config(String),
    /// The database server can't be reached right now (refused, timed out);
    /// retrying later may work.
    #[error("{0}")]
    Unavailable(String),
    /// A value that the store can't represent faithfully (e.g. a timestamp
    /// outside the years 0–9999).
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The storage operations every backend provides with the same behaviour,
/// checked by the shared conformance suite.
#[async_trait]
pub trait Store: Send + Sync {
    /// Applies pending migrations (also done by `connect`).
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Records the exact text of a model under `id@version`. Registering the
    /// same text again is a no-op; different text under a stored key is a
    /// `Conflict` (a changed model needs a new version).
    async fn register_model(&self, model: &ModelRef, source_toml: &str) -> Result<(), StoreError>;

    /// The text a model was registered with.
    async fn model_source(&self, model: &ModelRef) -> Result<Option<String>, StoreError>;

    /// Stores one assessment whole, in one transaction. Its model must be
    /// registered, otherwise the result is a `Conflict` and nothing is stored.
    ///
    /// `taken_at` is kept in UTC with microsecond precision (finer digits are
    /// dropped), the same on every backend.
    async fn save_assessment(&self, assessment: &NewAssessment) -> Result<AssessmentId, StoreError>;

    /// Stores many assessments in one transaction: all or nothing. The ids
    /// come back in the order of `batch` and increase along it.
    async fn save_assessments(&self, batch: &[NewAssessment]) -> Result<Vec<AssessmentId>, StoreError>;

    /// One stored assessment; `NotFound` if there is none with this id.
    async fn assessment(&self, id: AssessmentId) -> Result<StoredAssessment, StoreError>;

    /// Every assessment of a team, oldest first (ties by id).
    async fn team_assessments(&self, team: &TeamName) -> Result<Vec<StoredAssessment>, StoreError>;

    /// The newest assessment of a team (ties: the one stored last).
    async fn latest_assessment(&self, team: &TeamName) -> Result<Option<StoredAssessment>, StoreError>;

    /// Teams with assessments, by name.
    async fn teams(&self) -> Result<Vec<TeamSummary>, StoreError>;
}

/// Opens the store that `url` names and brings its schema up to date.
///
/// Accepted forms: `postgres://…` or `postgresql://…` (PostgreSQL),
/// `sqlite://PATH`, `sqlite:PATH` or a plain file path (SQLite; the file and
/// its directory are created if missing), and `sqlite::memory:` (a throwaway
/// in-memory database). Anything else is a [`StoreError::Config`].
pub async fn connect(url: &str) -> Result<Box<dyn Store>, StoreError> {
    match Location::parse(url)? {
        Location::SqliteFile(path) => Ok(Box::new(SqliteStore::open(&path).await?)),
        Location::SqliteMemory => Ok(Box::new(SqliteStore::open_in_memory().await?)),
        Location::Postgres => Ok(Box::new(PostgresStore::connect(url, None).await?)),
    }
}

/// Opens a PostgreSQL store whose tables live in `schema` (created if
/// missing) instead of the default `public`, so several asyncmm databases —
/// or test runs — can share one PostgreSQL database.
///
/// `schema` must be a plain identifier: lowercase letters, digits and `_`,
/// starting with a letter or `_`.
pub async fn connect_postgres_in_schema(url: &str, schema: &str) -> Result<Box<dyn Store>, StoreError> {
    match Location::parse(url)? {
        Location::Postgres => Ok(Box::new(PostgresStore::connect(url, Some(schema)).await?)),
        _ => Err(StoreError::Config(format!(
            "{} is not a PostgreSQL URL; a schema can only be chosen with postgres://…",
            redact(url)
        ))),
    }
}

/// Where the SQLite database lives when no `--database` is given: the user's
/// data directory (e.g. `~/.local/share/asyncmm/asyncmm.db` on Linux).
/// `None` when the platform reports no home directory.
pub fn default_database_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "asyncmm").map(|dirs| dirs.data_dir().join("asyncmm.db"))
}
