//! Storage of asyncmm's data behind one trait, with an SQLite backend (the
//! embedded default) and a PostgreSQL backend (for several instances).
//!
//! This crate owns where assessments, the models they were taken with, the
//! organisation's teams, rounds and anonymous responses are kept, and their export and
//! import as one document (the `export` module): the [`Store`] trait that the CLI and the web server program against,
//! its one implementation for both databases ([`Database`], in `sql`), how
//! each backend is opened ([`SqliteStore`], [`PostgresStore`]), their migrations
//! (`migrations/sqlite`, `migrations/postgres`, embedded in the binary and run
//! on connect), and [`connect`], which turns the `--database` /
//! `ASYNCMM_DATABASE_URL` value into a ready store.
//!
//! Both backends keep the same schema shape and must behave the same; the
//! shared conformance suite in `tests/conformance.rs` is what holds them to
//! that. Queries are checked at run time (never the compile-time `query!`
//! macros), so building needs no database.
//!
//! What a stored response can and can't be linked to is documented in the
//! `org` module (`src/org.rs`), next to the rules every backend applies to
//! teams, rounds, tokens and responses.
//!
//! Errors are [`StoreError`]s phrased for the person who has to fix them, and
//! no message ever contains a database password: every URL shown goes through
//! [`redact`].
#![forbid(unsafe_code)]

mod evidence;
mod export;
mod location;
mod org;
mod plan;
pub mod postgres;
mod record;
mod sql;
pub mod sqlite;

use std::collections::HashMap;
use std::path::PathBuf;

use async_trait::async_trait;
use asyncmm_core::account::{Role, User, UserId};
use asyncmm_core::plan::{Action, ActionId, ActionUpdate, Goal, NewAction};
use asyncmm_core::{
    Answers, AssessmentId, GroupResult, K, ModelRef, NewAssessment, NewRound, Responses, Round, RoundId,
    StoredAssessment, Team, TeamId, TeamName, TokenHash,
};
use asyncmm_model::AreaId;
use time::{Date, OffsetDateTime};

pub use evidence::{EvidenceId, EvidenceWaiver, NewEvidence, StoredEvidence};
pub use export::{
    EXPORT_FORMAT, EXPORT_VERSION, ExportDocument, ExportHeader, ExportParseError, ExportPart, ExportedAccount,
    ExportedAction, ExportedAssessment, ExportedEvidence, ExportedGoal, ExportedModel, ExportedResponse, ExportedRound,
    ExportedTeam, ExportedToken, JsonWriter, PartSink, ReadError, Section, read_export,
};
pub use location::redact;
pub use org::Refusal;
pub use postgres::PostgresStore;
pub use sql::{Database, Import, ImportBatch};
pub use sqlite::SqliteStore;

use location::Location;

/// A team that has at least one stored assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSummary {
    pub name: TeamName,
    pub assessments: u64,
    pub last_taken_at: OffsetDateTime,
}

/// What a respondent token may still do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenStatus {
    pub round: RoundId,
    /// It submitted a response that it can still revise (round open).
    pub answered: bool,
    /// It answered before its round closed: it can't answer again.
    pub spent: bool,
}

/// A respondent token as its holder's pages need it: what it may still do,
/// its round, and the answers it can still revise.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRound {
    pub status: TokenStatus,
    pub round: Round,
    /// The answers this token gave so far while its round is open; `None`
    /// when it has not answered, or its round sealed the link.
    pub answers: Option<Answers>,
}

/// What a submitted response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// The token's first response.
    Created,
    /// The token had answered before; its previous answers were replaced.
    Revised,
}

/// A one-time invitation to create an account with a role (the set-up
/// link is one, for the first admin). Only the hash of its secret is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    pub hash: TokenHash,
    pub role: Role,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A personal API token about to be stored: only the hash of its secret,
/// and the secret's first characters so its owner can tell tokens apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub user: UserId,
    pub name: String,
    pub prefix: String,
    pub hash: TokenHash,
    pub created_at: OffsetDateTime,
}

/// A stored personal API token, as its owner sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user: UserId,
    pub name: String,
    pub prefix: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Which part of a list to read: skip `offset` items, then take at most
/// `limit`. Lists that can grow large are paged by the database, so a page
/// reads only its own rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    pub limit: u32,
}

/// One part of a list, with the number of items in the whole list (read in
/// the same snapshot, so the two agree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub total: u64,
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
    /// A round's lifecycle rules refused the operation (closed, k fixed,
    /// published, tokens vs imports …); see [`Refusal`].
    #[error(transparent)]
    Refused(#[from] Refusal),
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
    /// An export's output could not be written (a full disk, a closed
    /// pipe).
    #[error("could not write the export: {0}")]
    Write(std::io::Error),
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

    /// Replaces the answers of a stored assessment (a correction), keeping
    /// its team, model version and time; the answers must be of the same
    /// mode. `NotFound` if there is none with this id. All or nothing.
    async fn replace_assessment_answers(&self, id: AssessmentId, answers: &Answers) -> Result<(), StoreError>;

    /// Removes a stored assessment and its answers; `NotFound` if there is
    /// none with this id.
    async fn remove_assessment(&self, id: AssessmentId) -> Result<(), StoreError>;

    /// The newest assessment of a team (ties: the one stored last).
    async fn latest_assessment(&self, team: &TeamName) -> Result<Option<StoredAssessment>, StoreError>;

    /// Teams with self-assessments (by the team text of the assessments,
    /// whether or not the team is in the organisation), by name. See
    /// [`Store::teams_in_org`] for the organisation's teams.
    async fn teams(&self) -> Result<Vec<TeamSummary>, StoreError>;

    // ------------------------------------------------------------ teams

    /// Adds a team to the organisation, under `parent` when given (a group).
    /// A name already taken (archived teams included) is a `Conflict`; an
    /// unknown parent is `NotFound`, an archived one a `Conflict`.
    /// Self-assessments already stored under `name` become this team's
    /// history.
    async fn create_team(&self, name: &TeamName, parent: Option<&TeamName>) -> Result<Team, StoreError>;

    /// One team, archived or not; `NotFound` if there is none by that name.
    async fn team(&self, name: &TeamName) -> Result<Team, StoreError>;

    /// The organisation's teams and groups, by name; archived ones only when
    /// `include_archived`.
    async fn teams_in_org(&self, include_archived: bool) -> Result<Vec<Team>, StoreError>;

    /// Renames a team; its rounds and its self-assessments follow it (one
    /// transaction). `to` taken by a team is a `Conflict`, and so is `to`
    /// carrying self-assessments of its own (the histories would merge).
    /// Renaming to the same name changes nothing.
    async fn rename_team(&self, from: &TeamName, to: &TeamName) -> Result<Team, StoreError>;

    /// Puts a team under another (or at the top with `None`). A move that
    /// would make a team its own ancestor is a `Conflict`, and so is moving
    /// under an archived team.
    async fn move_team(&self, team: &TeamName, new_parent: Option<&TeamName>) -> Result<Team, StoreError>;

    /// Archives a team: it leaves the listings and the org report, and its
    /// rounds and responses stay. Archiving twice, or archiving a group that
    /// still has active teams, is a `Conflict`.
    async fn archive_team(&self, team: &TeamName) -> Result<Team, StoreError>;

    // ------------------------------------------------------------ rounds

    /// Opens a round and issues its tokens (their hashes), in one
    /// transaction. The team must exist (`NotFound`) and not be archived,
    /// the model must be registered, and no token may have been issued
    /// before (each a `Conflict`, with nothing stored).
    async fn open_round(&self, round: &NewRound, tokens: &[TokenHash]) -> Result<Round, StoreError>;

    /// One round with its number of responses; `NotFound` if there is none.
    async fn round(&self, id: RoundId) -> Result<Round, StoreError>;

    /// The rounds of a team (`NotFound` if it doesn't exist), or of every
    /// team (archived ones included: it is history), oldest first (by
    /// opening date, then as opened).
    async fn rounds(&self, team: Option<&TeamName>) -> Result<Vec<Round>, StoreError>;

    /// One window of a team's rounds, newest first (the reverse of
    /// [`Store::rounds`]), and how many rounds the team has. `NotFound` if
    /// the team doesn't exist.
    async fn rounds_window(&self, team: &TeamName, window: Window) -> Result<Listed<Round>, StoreError>;

    /// The newest round (by opening date, then as opened) of every team that
    /// is not archived and has a round, by team name. Two queries at most,
    /// whatever the number of teams.
    async fn latest_round_per_team(&self) -> Result<Vec<Round>, StoreError>;

    /// Changes k; a `Conflict` once the round has any response ("k is fixed
    /// once the first response arrived").
    async fn set_round_k(&self, id: RoundId, k: K) -> Result<Round, StoreError>;

    /// Closes a round by hand on `on` and seals it in the same transaction
    /// (see [`Store::seal_closed_rounds`]). A round already closed on that
    /// day (by hand, or past its closing date) is refused.
    async fn close_round(&self, id: RoundId, on: Date) -> Result<Round, StoreError>;

    /// Seals every round that is closed on `today` and not sealed yet: each
    /// token that answered is marked spent and loses its link to the
    /// response (no revision is possible any more, and nobody can join
    /// responses to a token list), and every response's day becomes the
    /// round's closing day. Returns the rounds sealed now. Cheap when there
    /// is nothing to seal (one read, no write).
    async fn seal_closed_rounds(&self, today: Date) -> Result<Vec<RoundId>, StoreError>;

    /// Reopens a closed round on `on`: clears the manual close and a closing
    /// date that has passed (the round then stays open until closed by
    /// hand). Refused if its result was published or it isn't closed.
    /// Tokens spent before the close stay spent.
    async fn reopen_round(&self, id: RoundId, on: Date) -> Result<Round, StoreError>;

    /// Records that a result of the round was shown: from then on it can't
    /// be reopened, imported into or given new tokens. Idempotent.
    async fn mark_published(&self, id: RoundId) -> Result<Round, StoreError>;

    /// Marks many rounds published at once (an org view publishes every
    /// round it shows); unknown ids are ignored. One transaction.
    async fn publish_rounds(&self, ids: &[RoundId]) -> Result<(), StoreError>;

    /// Issues more tokens for a round (until its result is published).
    async fn add_tokens(&self, id: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError>;

    /// Gives the round a shared link: the hash of its secret, replacing an
    /// earlier link of the round (which stops working). Refused like
    /// [`Store::add_tokens`] (the link issues tokens), and for a round that
    /// is closed on `today`.
    async fn set_shared_link(&self, id: RoundId, link: &TokenHash, today: Date) -> Result<(), StoreError>;

    /// The round a shared link (the hash of its secret) is for, whatever
    /// the round's state. `NotFound` for a link never set or replaced.
    async fn round_for_shared_link(&self, link: &TokenHash) -> Result<RoundId, StoreError>;

    /// The round a token was issued for, so a respondent needs only the
    /// token. `NotFound` for a token that was never issued.
    async fn round_for_token(&self, token: &TokenHash) -> Result<RoundId, StoreError>;

    /// The round a token was issued for and whether it answered; only the
    /// token's holder can ask (it takes the hash of the token itself).
    /// `NotFound` for a token that was never issued.
    async fn token_status(&self, token: &TokenHash) -> Result<TokenStatus, StoreError>;

    /// [`Store::token_status`] with the token's round (as [`Store::round`]
    /// gives it) and its answers (as [`Store::token_answers`] gives them),
    /// in one read: every page a respondent opens or saves needs all three.
    /// `NotFound` for a token that was never issued.
    async fn token_round(&self, token: &TokenHash) -> Result<TokenRound, StoreError>;

    /// The answers a token gave so far, while it can still revise them (its
    /// round open): only the token's holder can ask (it takes the hash of
    /// the token itself). `None` when it has not answered or is sealed.
    async fn token_answers(&self, token: &TokenHash) -> Result<Option<Answers>, StoreError>;

    // ------------------------------------------------------------ responses

    /// Stores a respondent's answers, or replaces them if this token
    /// answered before (while the round is open). A token not issued for
    /// this round (unknown, or of another round — the same message, so
    /// nothing is revealed) is `NotFound`; a round not open on `today`, a
    /// token spent before a close, a round that takes imports or answers in
    /// the other mode are refused. Only the day is stored, and nothing that
    /// identifies the respondent (see the `org` module docs).
    async fn submit_response(
        &self,
        round: RoundId,
        token: &TokenHash,
        answers: &Answers,
        today: Date,
    ) -> Result<SubmitOutcome, StoreError>;

    /// Stores responses collected elsewhere (a form tool), without tokens:
    /// all or nothing, in one transaction. Allowed into open and closed
    /// rounds until the result is published, unless the round already has
    /// responses given with tokens; every response must be in the round's
    /// mode and not blank. Returns how many were stored.
    async fn import_responses(&self, round: RoundId, responses: &[Answers], today: Date) -> Result<usize, StoreError>;

    /// The answers of a round's responses, opaque to everything but
    /// aggregation: no ids, no dates, in an order that says nothing about
    /// who answered or when.
    async fn round_responses(&self, round: RoundId) -> Result<Responses, StoreError>;

    /// The answers of many rounds at once (the org report), in two queries
    /// whatever the number of rounds. Every round asked for has an entry;
    /// an unknown round is `NotFound`.
    async fn responses_for_rounds(&self, rounds: &[RoundId]) -> Result<HashMap<RoundId, Responses>, StoreError>;

    /// The kept results of closed rounds (see [`Store::keep_results`]) among
    /// `rounds`, in one query whatever their number. A round is left out
    /// when nothing is kept for it, when it is not closed and sealed, when
    /// its number of responses differs from the one its result was computed
    /// from, or when the kept form can't be read (e.g. kept by another
    /// version): the caller aggregates it again. The results are *not*
    /// gated; they go through the anonymity gate like fresh ones.
    async fn kept_results(&self, rounds: &[RoundId]) -> Result<HashMap<RoundId, GroupResult>, StoreError>;

    /// [`Store::kept_results`] read for views that show summaries only
    /// (the org views): the same rounds under the same conditions, each
    /// result without its statement aggregates
    /// (`asyncmm_core::KeptSummary`), which such views never read and
    /// which are most of what a kept result holds.
    async fn kept_summaries(&self, rounds: &[RoundId]) -> Result<HashMap<RoundId, GroupResult>, StoreError>;

    /// Keeps the aggregated results of closed rounds, replacing what was
    /// kept before. A result is kept only if, when written, its round is
    /// closed and sealed and has exactly `result.respondents()` responses;
    /// the others are skipped (the round changed since it was aggregated).
    /// Reopening a round, changing its k or adding responses removes its
    /// kept result in the same transaction. Returns how many were kept.
    async fn keep_results(&self, results: &[(RoundId, &GroupResult)]) -> Result<usize, StoreError>;

    // ------------------------------------------------------------ plans

    /// Sets a team's goal for an area, replacing the area's previous goal
    /// (one goal per team and area). Teams are kept by name, like
    /// self-assessments; the caller checks that the team is known.
    async fn set_goal(&self, goal: &Goal) -> Result<(), StoreError>;

    /// A team's goals, by area id.
    async fn goals(&self, team: &TeamName) -> Result<Vec<Goal>, StoreError>;

    /// Stores an action with its statements, in one transaction.
    async fn add_action(&self, action: &NewAction) -> Result<Action, StoreError>;

    /// Changes an action's status, link or owner (fields left `None` stay);
    /// `NotFound` for an unknown id, with nothing changed.
    async fn update_action(&self, id: ActionId, update: &ActionUpdate) -> Result<Action, StoreError>;

    /// A team's actions, oldest first, each with its statements in the order
    /// they were given.
    async fn actions(&self, team: &TeamName) -> Result<Vec<Action>, StoreError>;

    /// The names of the teams with at least one goal or action, sorted: the
    /// org views read the plans of these teams only, instead of asking
    /// every team of a large organisation for its (mostly empty) plan.
    async fn teams_with_plans(&self) -> Result<Vec<String>, StoreError>;

    // ------------------------------------------------------------ evidence

    /// The organisation's pseudonym salt: the one stored, or `fresh` (at
    /// least 16 random bytes) stored now if there is none yet. Drawn once,
    /// it never changes, so a person keeps one id across saved scans.
    async fn evidence_salt(&self, fresh: &[u8]) -> Result<Vec<u8>, StoreError>;

    /// Saves one scan for a team (kept by name, like self-assessments).
    /// `scanned_at` is kept in UTC to the microsecond; a time outside the
    /// years 0-9999 is `Invalid`.
    async fn save_evidence(&self, evidence: &NewEvidence) -> Result<StoredEvidence, StoreError>;

    /// A team's saved scans, oldest first (ties: as saved).
    async fn team_evidence(&self, team: &TeamName) -> Result<Vec<StoredEvidence>, StoreError>;

    /// Sets a team's waiver of a rule, replacing an earlier one of the same
    /// rule (one waiver per team and rule).
    async fn set_waiver(&self, waiver: &EvidenceWaiver) -> Result<(), StoreError>;

    /// A team's waivers, expired ones included (they say what was
    /// disputed), by rule id.
    async fn waivers(&self, team: &TeamName) -> Result<Vec<EvidenceWaiver>, StoreError>;

    /// Removes a team's waiver of a rule; `NotFound` when there is none.
    async fn remove_waiver(&self, team: &TeamName, rule: &str) -> Result<(), StoreError>;

    /// Removes a team's goal for an area; `NotFound` when there is none.
    async fn remove_goal(&self, team: &TeamName, area: &AreaId) -> Result<(), StoreError>;

    /// Removes an action and its statements, returning it as it was;
    /// `NotFound` for an unknown id, with nothing changed.
    async fn remove_action(&self, id: ActionId) -> Result<Action, StoreError>;

    // ------------------------------------------------------------ web accounts

    /// How many accounts exist (none: the site still needs setting up).
    async fn user_count(&self) -> Result<u64, StoreError>;

    /// Stores a one-time invitation.
    async fn create_invite(&self, invite: &NewInvite) -> Result<(), StoreError>;

    /// The role an invitation grants, if it is unused and unexpired at `now`.
    async fn invite_role(&self, hash: &TokenHash, now: OffsetDateTime) -> Result<Option<Role>, StoreError>;

    /// Creates the invited account and uses up the invitation, in one
    /// transaction. A used, expired or unknown invitation is `NotFound`; a
    /// name taken (whatever its case) is a `Conflict`; nothing is stored then.
    async fn accept_invite(
        &self,
        hash: &TokenHash,
        name: &str,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> Result<User, StoreError>;

    /// An account by name (whatever its case), with its password hash.
    async fn user_for_login(&self, name: &str) -> Result<Option<(User, String)>, StoreError>;

    /// Every account, by name.
    async fn users(&self) -> Result<Vec<User>, StoreError>;

    /// Stores a session of `user` with its form token; expired sessions of
    /// everyone are removed at the same time.
    async fn create_session(
        &self,
        hash: &TokenHash,
        user: UserId,
        csrf: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The account and form token of an unexpired session.
    async fn session(&self, hash: &TokenHash, now: OffsetDateTime) -> Result<Option<(User, String)>, StoreError>;

    /// Ends one session (unknown sessions are ignored).
    async fn delete_session(&self, hash: &TokenHash) -> Result<(), StoreError>;

    /// Ends every session of an account; returns how many ended.
    async fn delete_sessions_of(&self, user: UserId) -> Result<u64, StoreError>;

    /// Makes `user` a lead of `team` (idempotent).
    async fn add_team_lead(&self, team: TeamId, user: UserId) -> Result<(), StoreError>;

    /// The teams `user` leads, by id.
    async fn teams_led_by(&self, user: UserId) -> Result<Vec<TeamId>, StoreError>;

    /// Stores a personal API token; its hash is unique (`Conflict` if not).
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError>;

    /// The account an unrevoked API token belongs to, noting `now` as its
    /// last use (at most once a minute, so reads stay cheap).
    async fn api_token_user(&self, hash: &TokenHash, now: OffsetDateTime) -> Result<Option<User>, StoreError>;

    /// The API tokens of `user`, revoked ones included, newest first.
    async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError>;

    /// One window of [`Store::api_tokens_of`], in the same order, and how
    /// many tokens `user` has.
    async fn api_tokens_window(&self, user: UserId, window: Window) -> Result<Listed<ApiToken>, StoreError>;

    /// Revokes a token of `user` at `now` (a revoked one stays as it was);
    /// `NotFound` when `user` has no token with that id.
    async fn revoke_api_token(&self, user: UserId, id: i64, now: OffsetDateTime) -> Result<ApiToken, StoreError>;

    // ------------------------------------------------------------ export

    /// Everything stored, as one document (one consistent snapshot), in a
    /// stable order, so the same data gives the same document on every
    /// backend apart from `exported_at`. See the `export` module for what it
    /// holds and what that means for anonymity.
    async fn export_all(&self) -> Result<ExportDocument, StoreError>;

    /// The document of [`Store::export_all`], handed to `sink` part by part
    /// as it is read (header, every part in document order, the end of every
    /// section), so memory holds one page of rows whatever the database's
    /// size. A [`JsonWriter`] sink writes the same bytes as
    /// [`ExportDocument::to_json`]; its write errors come back as
    /// [`StoreError::Write`].
    async fn export_to(&self, sink: &mut (dyn PartSink<Error = std::io::Error> + Send)) -> Result<(), StoreError>;

    /// Writes a document into an empty database, all or nothing, in one
    /// transaction, keeping its ids. A database holding any data is a
    /// `Conflict`; a document of a newer format version, or with a bad day,
    /// time or token hash, is `Invalid`; rows the schema rejects fail the
    /// import. In every case nothing is stored.
    async fn import_all(&self, document: &ExportDocument) -> Result<(), StoreError>;

    /// Begins an import into this empty database, to be written batch by
    /// batch as a document is read (see [`read_export`]) and committed at
    /// the end: all or nothing, in one transaction, keeping the document's
    /// ids. A database holding any data is a `Conflict`. Memory holds one
    /// batch at a time, whatever the document's size.
    async fn begin_import(&self) -> Result<Box<dyn Import + '_>, StoreError>;
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
