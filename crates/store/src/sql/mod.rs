//! The one implementation of [`Store`] for both databases.
//!
//! Every operation is written once, here and in this module's children
//! (`assessments`, `teams`, `rounds`, `plans`, `backup`), with SQL that both
//! SQLite and PostgreSQL accept: numbered `$N` placeholders (sqlx's SQLite
//! driver binds them by number), days bound as `time::Date` (SQLite keeps
//! them as `YYYY-MM-DD` text, PostgreSQL as `DATE`), timestamps through
//! [`stamp::Stamp`], `TRUE`/`FALSE`, and `CAST(… AS BIGINT)` where the two
//! would decode a column to different integer types.
//!
//! What really differs lives behind [`Database`]'s backend methods and the
//! `bulk` module: how a write transaction takes its lock (SQLite: the
//! process's writer mutex and `BEGIN IMMEDIATE`; PostgreSQL: row locks, which
//! [`Database::lock`] adds to a `SELECT`), bulk inserts (multi-row `INSERT`
//! vs. `UNNEST` of whole columns), how ids are reserved, lists bound as one
//! parameter, and how errors are phrased. The `on!` macro runs one sqlx call
//! on whichever connection a [`Conn`] holds, so a query is written once and
//! compiled for both drivers.
//!
//! The shared conformance suite (`tests/conformance.rs`) holds both backends
//! to the same behaviour.

mod accounts;
mod api_tokens;
mod assessments;
mod backup;
mod bulk;
mod evidence;
mod group_commit;
mod import;
mod kept;
mod plans;
mod rounds;
pub(crate) mod stamp;

pub(crate) use group_commit::Saves;
pub use import::{Import, ImportBatch};
mod teams;

use std::collections::HashMap;

use async_trait::async_trait;
use asyncmm_core::TeamId;
use asyncmm_core::account::{Role, User, UserId};
use asyncmm_core::plan::{Action, ActionId, ActionUpdate, Goal, NewAction};
use asyncmm_core::{
    Answers, AssessmentId, GroupResult, K, ModelRef, NewAssessment, NewRound, Responses, Round, RoundId,
    StoredAssessment, Team, TeamName, TokenHash,
};
use asyncmm_model::AreaId;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};
use time::{Date, OffsetDateTime};
use tokio::sync::MutexGuard;

use crate::evidence::{EvidenceWaiver, NewEvidence, StoredEvidence};
use crate::{
    ExportDocument, NewInvite, PostgresStore, SqliteStore, Store, StoreError, SubmitOutcome, TeamSummary, TokenRound,
    TokenStatus,
};

/// Runs `$body` with `$c` bound to the connection `$conn` holds, whichever
/// backend it is: the body is written once and compiled for both drivers.
macro_rules! on {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::sql::Conn::Sqlite($c) => $body,
            $crate::sql::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

/// A connection of either backend, borrowed from a transaction or a pool.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    /// A shorter borrow of the same connection, for the next statement.
    pub(crate) fn re(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }

    pub(crate) fn is_sqlite(&self) -> bool {
        matches!(self, Conn::Sqlite(_))
    }
}

/// A write transaction. On SQLite it also holds the process's writer lock,
/// so writers of one process queue here instead of spinning in SQLite's busy
/// handler. Dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx<'a> {
    /// The writer lock is `None` for a read-only snapshot.
    Sqlite(Option<MutexGuard<'a, ()>>, Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx<'_> {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(_, tx) => Conn::Sqlite(tx),
            Tx::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(_guard, tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// A pooled connection for reads.
pub(crate) enum Reader {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Reader {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Reader::Sqlite(c) => Conn::Sqlite(c),
            Reader::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// An asyncmm database: SQLite or PostgreSQL, behind one [`Store`].
pub struct Database {
    backend: Backend,
    /// Model texts read before, by `id@version`: every page a respondent
    /// saves reads its round's model, and a stored text never changes (see
    /// [`Store::register_model`]), so each is read from the database once.
    models: assessments::ModelTexts,
}

pub(crate) enum Backend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl From<SqliteStore> for Database {
    fn from(store: SqliteStore) -> Database {
        Database {
            backend: Backend::Sqlite(store),
            models: assessments::ModelTexts::default(),
        }
    }
}

impl From<PostgresStore> for Database {
    fn from(store: PostgresStore) -> Database {
        Database {
            backend: Backend::Postgres(store),
            models: assessments::ModelTexts::default(),
        }
    }
}

/// Row locks: PostgreSQL's locking clauses for a `SELECT` in a write
/// transaction. SQLite's `BEGIN IMMEDIATE` already locks the whole database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    Share,
    Update,
}

impl Database {
    /// Begins a write transaction (see [`Tx`]).
    pub(crate) async fn write(&self) -> Result<Tx<'_>, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => {
                let guard = s.write_lock.lock().await;
                let tx = s.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(Tx::Sqlite(Some(guard), tx))
            }
            Backend::Postgres(p) => Ok(Tx::Postgres(p.pool.begin().await?)),
        }
    }

    /// A read-only transaction: one consistent snapshot (an export).
    pub(crate) async fn snapshot(&self) -> Result<Tx<'_>, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => {
                // A deferred transaction reads one snapshot under WAL and
                // takes no write lock.
                Ok(Tx::Sqlite(None, s.pool.begin().await?))
            }
            Backend::Postgres(p) => {
                let mut tx = p.pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await
                    .map(|done| done.rows_affected())?;
                Ok(Tx::Postgres(tx))
            }
        }
    }

    /// A pooled connection for reads.
    pub(crate) async fn read(&self) -> Result<Reader, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => Ok(Reader::Sqlite(s.pool.acquire().await?)),
            Backend::Postgres(p) => Ok(Reader::Postgres(p.pool.acquire().await?)),
        }
    }

    /// The locking clause to append to a `SELECT` of a write transaction:
    /// empty on SQLite.
    pub(crate) fn lock(&self, lock: Lock) -> &'static str {
        match (&self.backend, lock) {
            (Backend::Sqlite(_), _) => "",
            (Backend::Postgres(_), Lock::Share) => " FOR SHARE",
            (Backend::Postgres(_), Lock::Update) => " FOR UPDATE",
        }
    }

    /// Serialises changes to the team structure on PostgreSQL (SHARE ROW
    /// EXCLUSIVE conflicts with itself and with row writes, not with reads or
    /// row locks, so rounds and responses are not held up). On SQLite the
    /// write transaction already excludes every other writer.
    pub(crate) async fn lock_teams(&self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        if let Tx::Postgres(tx) = tx {
            sqlx::query("LOCK TABLE teams IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **tx)
                .await
                .map(|done| done.rows_affected())?;
        }
        Ok(())
    }

    /// Names the database and the fix in errors a person can act on, never
    /// a password.
    fn explain(&self, e: StoreError) -> StoreError {
        if let StoreError::Database(sqlx::Error::ColumnDecode { index, source }) = &e {
            return StoreError::Corrupt(format!("a stored value in column {index} can't be read: {source}"));
        }
        match &self.backend {
            Backend::Sqlite(s) => crate::sqlite::explain(e, &s.path),
            Backend::Postgres(p) => p.explain(e),
        }
    }

    /// Where the database is, for messages.
    pub(crate) fn place(&self) -> String {
        match &self.backend {
            Backend::Sqlite(s) => s.path.display().to_string(),
            Backend::Postgres(p) => p.place.clone(),
        }
    }
}

/// Every operation's error goes through [`Database::explain`].
pub(crate) trait Explained<T> {
    fn explained(self, db: &Database) -> Result<T, StoreError>;
}

impl<T> Explained<T> for Result<T, StoreError> {
    fn explained(self, db: &Database) -> Result<T, StoreError> {
        self.map_err(|e| db.explain(e))
    }
}

#[async_trait]
impl Store for Database {
    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => s.migrate().await,
            Backend::Postgres(p) => p.migrate().await,
        }
        .explained(self)
    }

    async fn register_model(&self, model: &ModelRef, source_toml: &str) -> Result<(), StoreError> {
        self.register(model, source_toml).await.explained(self)
    }

    async fn model_source(&self, model: &ModelRef) -> Result<Option<String>, StoreError> {
        self.source(model).await.explained(self)
    }

    async fn save_assessment(&self, assessment: &NewAssessment) -> Result<AssessmentId, StoreError> {
        let ids = self
            .save_assessments_whole(std::slice::from_ref(assessment))
            .await
            .explained(self)?;
        ids.into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("saving an assessment returned no id".to_string()))
    }

    async fn save_assessments(&self, batch: &[NewAssessment]) -> Result<Vec<AssessmentId>, StoreError> {
        self.save_assessments_whole(batch).await.explained(self)
    }

    async fn assessment(&self, id: AssessmentId) -> Result<StoredAssessment, StoreError> {
        self.one_assessment(id).await.explained(self)
    }

    async fn team_assessments(&self, team: &TeamName) -> Result<Vec<StoredAssessment>, StoreError> {
        self.history(team).await.explained(self)
    }

    async fn replace_assessment_answers(&self, id: AssessmentId, answers: &Answers) -> Result<(), StoreError> {
        self.replace_answers(id, answers).await.explained(self)
    }

    async fn remove_assessment(&self, id: AssessmentId) -> Result<(), StoreError> {
        self.delete_assessment(id).await.explained(self)
    }

    async fn latest_assessment(&self, team: &TeamName) -> Result<Option<StoredAssessment>, StoreError> {
        self.latest(team).await.explained(self)
    }

    async fn teams(&self) -> Result<Vec<TeamSummary>, StoreError> {
        self.team_list().await.explained(self)
    }

    async fn create_team(&self, name: &TeamName, parent: Option<&TeamName>) -> Result<Team, StoreError> {
        self.insert_team(name, parent).await.explained(self)
    }

    async fn team(&self, name: &TeamName) -> Result<Team, StoreError> {
        self.team_named(name).await.explained(self)
    }

    async fn teams_in_org(&self, include_archived: bool) -> Result<Vec<Team>, StoreError> {
        self.org_teams(include_archived).await.explained(self)
    }

    async fn rename_team(&self, from: &TeamName, to: &TeamName) -> Result<Team, StoreError> {
        self.rename(from, to).await.explained(self)
    }

    async fn move_team(&self, team: &TeamName, new_parent: Option<&TeamName>) -> Result<Team, StoreError> {
        self.move_under(team, new_parent).await.explained(self)
    }

    async fn archive_team(&self, team: &TeamName) -> Result<Team, StoreError> {
        self.archive(team).await.explained(self)
    }

    async fn open_round(&self, round: &NewRound, tokens: &[TokenHash]) -> Result<Round, StoreError> {
        self.insert_round(round, tokens).await.explained(self)
    }

    async fn round(&self, id: RoundId) -> Result<Round, StoreError> {
        self.round_with_id(id).await.explained(self)
    }

    async fn rounds(&self, team: Option<&TeamName>) -> Result<Vec<Round>, StoreError> {
        self.round_list(team).await.explained(self)
    }

    async fn rounds_window(&self, team: &TeamName, window: crate::Window) -> Result<crate::Listed<Round>, StoreError> {
        self.round_window(team, window).await.explained(self)
    }

    async fn latest_round_per_team(&self) -> Result<Vec<Round>, StoreError> {
        self.latest_rounds().await.explained(self)
    }

    async fn set_round_k(&self, id: RoundId, k: K) -> Result<Round, StoreError> {
        self.change_k(id, k).await.explained(self)
    }

    async fn close_round(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        self.close(id, on).await.explained(self)
    }

    async fn seal_closed_rounds(&self, today: Date) -> Result<Vec<RoundId>, StoreError> {
        self.seal_closed(today).await.explained(self)
    }

    async fn reopen_round(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        self.reopen(id, on).await.explained(self)
    }

    async fn mark_published(&self, id: RoundId) -> Result<Round, StoreError> {
        self.publish(id).await.explained(self)
    }

    async fn publish_rounds(&self, ids: &[RoundId]) -> Result<(), StoreError> {
        self.publish_many(ids).await.explained(self)
    }

    async fn add_tokens(&self, id: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError> {
        self.issue_tokens(id, tokens).await.explained(self)
    }

    async fn set_shared_link(&self, id: RoundId, link: &TokenHash, today: Date) -> Result<(), StoreError> {
        self.share(id, link, today).await.explained(self)
    }

    async fn round_for_shared_link(&self, link: &TokenHash) -> Result<RoundId, StoreError> {
        self.shared_link_round(link).await.explained(self)
    }

    async fn round_for_token(&self, token: &TokenHash) -> Result<RoundId, StoreError> {
        Ok(self.token_state(token).await.explained(self)?.round)
    }

    async fn token_status(&self, token: &TokenHash) -> Result<TokenStatus, StoreError> {
        self.token_state(token).await.explained(self)
    }

    async fn token_round(&self, token: &TokenHash) -> Result<TokenRound, StoreError> {
        self.token_with_round(token).await.explained(self)
    }

    async fn submit_response(
        &self,
        round: RoundId,
        token: &TokenHash,
        answers: &Answers,
        today: Date,
    ) -> Result<SubmitOutcome, StoreError> {
        self.submit(round, token, answers, today).await.explained(self)
    }

    async fn import_responses(&self, round: RoundId, responses: &[Answers], today: Date) -> Result<usize, StoreError> {
        self.import(round, responses, today).await.explained(self)
    }

    async fn round_responses(&self, round: RoundId) -> Result<Responses, StoreError> {
        let mut groups = self.answers_of(&[round]).await.explained(self)?;
        Ok(groups.remove(&round).unwrap_or_default())
    }

    async fn responses_for_rounds(&self, rounds: &[RoundId]) -> Result<HashMap<RoundId, Responses>, StoreError> {
        self.answers_of(rounds).await.explained(self)
    }

    async fn kept_results(&self, rounds: &[RoundId]) -> Result<HashMap<RoundId, GroupResult>, StoreError> {
        self.read_kept(rounds, kept::whole).await.explained(self)
    }

    async fn kept_summaries(&self, rounds: &[RoundId]) -> Result<HashMap<RoundId, GroupResult>, StoreError> {
        self.read_kept(rounds, kept::summary).await.explained(self)
    }

    async fn keep_results(&self, results: &[(RoundId, &GroupResult)]) -> Result<usize, StoreError> {
        self.write_kept(results).await.explained(self)
    }

    async fn set_goal(&self, goal: &Goal) -> Result<(), StoreError> {
        self.upsert_goal(goal).await.explained(self)
    }

    async fn goals(&self, team: &TeamName) -> Result<Vec<Goal>, StoreError> {
        self.team_goals(team).await.explained(self)
    }

    async fn add_action(&self, action: &NewAction) -> Result<Action, StoreError> {
        self.insert_action(action).await.explained(self)
    }

    async fn update_action(&self, id: ActionId, update: &ActionUpdate) -> Result<Action, StoreError> {
        self.change_action(id, update).await.explained(self)
    }

    async fn actions(&self, team: &TeamName) -> Result<Vec<Action>, StoreError> {
        self.team_actions(team).await.explained(self)
    }

    async fn teams_with_plans(&self) -> Result<Vec<String>, StoreError> {
        self.planning_teams().await.explained(self)
    }

    async fn evidence_salt(&self, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.salt(fresh).await.explained(self)
    }

    async fn save_evidence(&self, evidence: &NewEvidence) -> Result<StoredEvidence, StoreError> {
        self.insert_evidence(evidence).await.explained(self)
    }

    async fn team_evidence(&self, team: &TeamName) -> Result<Vec<StoredEvidence>, StoreError> {
        self.evidence_of(team).await.explained(self)
    }

    async fn set_waiver(&self, waiver: &EvidenceWaiver) -> Result<(), StoreError> {
        self.upsert_waiver(waiver).await.explained(self)
    }

    async fn waivers(&self, team: &TeamName) -> Result<Vec<EvidenceWaiver>, StoreError> {
        self.team_waivers(team).await.explained(self)
    }

    async fn remove_waiver(&self, team: &TeamName, rule: &str) -> Result<(), StoreError> {
        self.delete_waiver(team, rule).await.explained(self)
    }

    async fn remove_goal(&self, team: &TeamName, area: &AreaId) -> Result<(), StoreError> {
        self.delete_goal(team, area).await.explained(self)
    }

    async fn remove_action(&self, id: ActionId) -> Result<Action, StoreError> {
        self.delete_action(id).await.explained(self)
    }

    async fn token_answers(&self, token: &TokenHash) -> Result<Option<Answers>, StoreError> {
        self.answers_of_token(token).await.explained(self)
    }

    async fn user_count(&self) -> Result<u64, StoreError> {
        self.count_users().await.explained(self)
    }

    async fn create_invite(&self, invite: &NewInvite) -> Result<(), StoreError> {
        self.insert_invite(invite).await.explained(self)
    }

    async fn invite_role(&self, hash: &TokenHash, now: OffsetDateTime) -> Result<Option<Role>, StoreError> {
        self.invite_role_at(hash, now).await.explained(self)
    }

    async fn accept_invite(
        &self,
        hash: &TokenHash,
        name: &str,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> Result<User, StoreError> {
        self.use_invite(hash, name, password_hash, now).await.explained(self)
    }

    async fn user_for_login(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        self.login_user(name).await.explained(self)
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        self.user_list().await.explained(self)
    }

    async fn create_session(
        &self,
        hash: &TokenHash,
        user: UserId,
        csrf: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.insert_session(hash, user, csrf, now, expires_at)
            .await
            .explained(self)
    }

    async fn session(&self, hash: &TokenHash, now: OffsetDateTime) -> Result<Option<(User, String)>, StoreError> {
        self.session_of(hash, now).await.explained(self)
    }

    async fn delete_session(&self, hash: &TokenHash) -> Result<(), StoreError> {
        self.remove_session(hash).await.explained(self)
    }

    async fn delete_sessions_of(&self, user: UserId) -> Result<u64, StoreError> {
        self.remove_sessions_of(user).await.explained(self)
    }

    async fn add_team_lead(&self, team: TeamId, user: UserId) -> Result<(), StoreError> {
        self.insert_team_lead(team, user).await.explained(self)
    }

    async fn teams_led_by(&self, user: UserId) -> Result<Vec<TeamId>, StoreError> {
        self.teams_led(user).await.explained(self)
    }

    async fn create_api_token(&self, token: &crate::NewApiToken) -> Result<crate::ApiToken, StoreError> {
        self.insert_api_token(token).await.explained(self)
    }

    async fn api_token_user(&self, hash: &TokenHash, now: OffsetDateTime) -> Result<Option<User>, StoreError> {
        self.user_of_api_token(hash, now).await.explained(self)
    }

    async fn api_tokens_of(&self, user: UserId) -> Result<Vec<crate::ApiToken>, StoreError> {
        self.api_tokens_of_user(user).await.explained(self)
    }

    async fn api_tokens_window(
        &self,
        user: UserId,
        window: crate::Window,
    ) -> Result<crate::Listed<crate::ApiToken>, StoreError> {
        self.api_tokens_of_user_window(user, window).await.explained(self)
    }

    async fn revoke_api_token(
        &self,
        user: UserId,
        id: i64,
        now: OffsetDateTime,
    ) -> Result<crate::ApiToken, StoreError> {
        self.revoke_token_of(user, id, now).await.explained(self)
    }

    async fn export_all(&self) -> Result<ExportDocument, StoreError> {
        let mut collect = crate::export::Collect::default();
        self.export_into(&mut collect).await.explained(self)?;
        Ok(collect.document)
    }

    async fn export_to(
        &self,
        sink: &mut (dyn crate::PartSink<Error = std::io::Error> + Send),
    ) -> Result<(), StoreError> {
        self.export_into(sink).await.explained(self)
    }

    async fn import_all(&self, document: &ExportDocument) -> Result<(), StoreError> {
        self.import_document(document).await.explained(self)
    }

    async fn begin_import(&self) -> Result<Box<dyn Import + '_>, StoreError> {
        Ok(Box::new(self.start_import().await.explained(self)?))
    }
}
