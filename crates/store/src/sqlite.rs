//! The SQLite backend: asyncmm's default, one file in the user's data
//! directory, nothing to install or run.
//!
//! This module owns opening that file safely (creating it and its directory,
//! WAL journal, a busy timeout, foreign keys on), turning SQLite's error
//! codes into messages that name the file and the fix, and the SQL for the
//! [`Store`] operations. Its schema lives in `migrations/sqlite`.
//!
//! Writers: SQLite allows one writer at a time. Every write transaction starts
//! with `BEGIN IMMEDIATE`, so it takes the write lock up front and waits (up
//! to the busy timeout) for another process instead of failing half-way, and
//! writers inside this process queue on a mutex rather than spin in SQLite's
//! busy handler.

mod export;
mod org;
mod plan;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use asyncmm_core::plan::{Action, ActionId, ActionUpdate, Goal, NewAction};
use asyncmm_core::{
    Answers, AssessmentId, K, ModelRef, NewAssessment, NewRound, Responses, Round, RoundId, StoredAssessment, Team,
    TeamName, TokenHash,
};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, FromRow, QueryBuilder, Sqlite};
use time::Date;
use tokio::sync::Mutex;

use crate::record::{self, AnswerChunks, Header, Row};
use crate::{ExportDocument, Store, StoreError, SubmitOutcome, TeamSummary, TokenStatus};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Rows per multi-row INSERT. SQLite allows at most 32,766 bound values per
/// statement; answers take 3 each, assessments 6.
const ANSWER_ROWS_PER_INSERT: usize = 10_000;
const ASSESSMENT_ROWS_PER_INSERT: usize = 5_000;

/// Connections in the pool: readers run in parallel under WAL, writers take
/// turns anyway.
const POOL_SIZE: u32 = 8;

/// An asyncmm database in an SQLite file (or in memory).
pub struct SqliteStore {
    pool: SqlitePool,
    /// Writers of this process take turns here; see the module docs.
    write_lock: Mutex<()>,
    /// The file, for messages (`:memory:` for an in-memory database).
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path`, with its
    /// directory, and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        prepare_directory(path)?;
        if path.is_dir() {
            return Err(StoreError::Config(format!(
                "{} is a directory, not an SQLite database file; pass --database with the path of a file",
                path.display()
            )));
        }
        let options = common_options()
            .filename(path)
            .create_if_missing(true)
            // WAL lets readers (e.g. a report) run while an assessment is
            // being written; with WAL, NORMAL sync can't corrupt the file,
            // at worst the last commit is lost on power failure.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);

        // One connection first, so a bad file fails here with a clear
        // message instead of later inside the pool.
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| explain(StoreError::Database(e), path))?;
        MIGRATOR
            .run(&mut conn)
            .await
            .map_err(|e| explain(migrate_error(e, path), path))?;
        conn.close().await.map_err(|e| explain(StoreError::Database(e), path))?;

        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_lazy_with(options);
        Ok(SqliteStore {
            pool,
            write_lock: Mutex::new(()),
            path: path.to_path_buf(),
        })
    }

    /// A throwaway database that lives as long as this store, for trying
    /// things out and for tests.
    pub async fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        let options = common_options_on(options);
        // One connection that never closes: the database exists only as long
        // as a connection to it does, and several connections to a shared
        // in-memory database hit table locks that the busy timeout does not
        // cover.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore {
            pool,
            write_lock: Mutex::new(()),
            path: PathBuf::from(":memory:"),
        })
    }

    /// The database file (`:memory:` for an in-memory database).
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn save_rows(&self, rows: &[Row<'_>]) -> Result<Vec<AssessmentId>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // Formatted before taking the lock: it can fail, and costs time.
        let taken_at: Vec<String> = rows.iter().map(Row::taken_at_text).collect::<Result<_, _>>()?;

        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (model, index) in record::distinct_models(rows) {
            let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM models WHERE model_id = ? AND version = ?")
                .bind(&model.id)
                .bind(&model.version)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                // Dropping `tx` rolls back: nothing of the batch is kept.
                return Err(record::unregistered(rows, index));
            }
        }

        // Ids are given explicitly so they follow the batch order: the
        // immediate transaction holds the write lock, so nobody else can take
        // them in between (and SQLite does not promise an order for the rows
        // of a multi-row INSERT … RETURNING).
        let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM assessments")
            .fetch_one(&mut *tx)
            .await?;
        let ids: Vec<i64> = (first..).take(rows.len()).collect();

        for start in (0..rows.len()).step_by(ASSESSMENT_ROWS_PER_INSERT) {
            let end = rows.len().min(start + ASSESSMENT_ROWS_PER_INSERT);
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO assessments (id, team, model_id, model_version, mode, taken_at) ",
            );
            insert.push_values(start..end, |mut values, i| {
                let row = &rows[i];
                values
                    .push_bind(ids[i])
                    .push_bind(row.team)
                    .push_bind(row.model.id.as_str())
                    .push_bind(row.model.version.as_str())
                    .push_bind(row.mode)
                    .push_bind(taken_at[i].as_str());
            });
            insert.build().execute(&mut *tx).await?;
        }

        let mut answers = AnswerChunks::new(rows, &ids);
        loop {
            let chunk = answers.next_chunk(ANSWER_ROWS_PER_INSERT);
            if chunk.is_empty() {
                break;
            }
            let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO answers (assessment_id, item, value) ");
            insert.push_values(chunk, |mut values, (id, item, value)| {
                values.push_bind(id).push_bind(item).push_bind(value);
            });
            insert.build().execute(&mut *tx).await?;
        }

        tx.commit().await?;
        Ok(ids.into_iter().map(AssessmentId).collect())
    }

    async fn register(&self, model: &ModelRef, source: &str) -> Result<(), StoreError> {
        let _writer = self.write_lock.lock().await;
        let inserted = sqlx::query(
            "INSERT INTO models (model_id, version, source) VALUES (?, ?, ?) \
             ON CONFLICT (model_id, version) DO NOTHING",
        )
        .bind(&model.id)
        .bind(&model.version)
        .bind(source)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 0 && self.source(model).await?.as_deref() != Some(source) {
            return Err(record::model_conflict(model));
        }
        Ok(())
    }

    async fn source(&self, model: &ModelRef) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT source FROM models WHERE model_id = ? AND version = ?")
                .bind(&model.id)
                .bind(&model.version)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn one(&self, id: AssessmentId) -> Result<StoredAssessment, StoreError> {
        let row: Option<AssessmentRow> = sqlx::query_as(&format!("{SELECT_ASSESSMENTS} WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        let header = row
            .ok_or_else(|| StoreError::NotFound(format!("assessment {id}")))?
            .header()?;
        self.with_answers(header).await
    }

    async fn with_answers(&self, header: Header) -> Result<StoredAssessment, StoreError> {
        let answers: Vec<(String, Option<i16>)> =
            sqlx::query_as("SELECT item, value FROM answers WHERE assessment_id = ?")
                .bind(header.id)
                .fetch_all(&self.pool)
                .await?;
        record::assemble(header, answers)
    }

    async fn history(&self, team: &TeamName) -> Result<Vec<StoredAssessment>, StoreError> {
        let rows: Vec<AssessmentRow> =
            sqlx::query_as(&format!("{SELECT_ASSESSMENTS} WHERE team = ? ORDER BY taken_at, id"))
                .bind(team.as_str())
                .fetch_all(&self.pool)
                .await?;
        let headers = rows
            .into_iter()
            .map(AssessmentRow::header)
            .collect::<Result<Vec<_>, _>>()?;
        // All answers of the team in one query rather than one per assessment.
        let answers: Vec<(i64, String, Option<i16>)> = sqlx::query_as(
            "SELECT a.assessment_id, a.item, a.value FROM answers a \
             JOIN assessments s ON s.id = a.assessment_id WHERE s.team = ?",
        )
        .bind(team.as_str())
        .fetch_all(&self.pool)
        .await?;
        record::assemble_all(headers, answers)
    }

    async fn latest(&self, team: &TeamName) -> Result<Option<StoredAssessment>, StoreError> {
        let row: Option<AssessmentRow> = sqlx::query_as(&format!(
            "{SELECT_ASSESSMENTS} WHERE team = ? ORDER BY taken_at DESC, id DESC LIMIT 1"
        ))
        .bind(team.as_str())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.with_answers(row.header()?).await?)),
            None => Ok(None),
        }
    }

    async fn team_list(&self) -> Result<Vec<TeamSummary>, StoreError> {
        let rows: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT team, COUNT(*), MAX(taken_at) FROM assessments GROUP BY team")
                .fetch_all(&self.pool)
                .await?;
        let mut teams = rows
            .into_iter()
            .map(|(team, count, last)| {
                let last = record::parse_sqlite_timestamp(&last)
                    .map_err(|e| StoreError::Corrupt(format!("team {team:?}: {e}")))?;
                record::team_summary(team, count, last)
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Sorted here, not in SQL, so the order is the same byte order as
        // `TeamName`'s on every backend, whatever the database collation.
        teams.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(teams)
    }
}

const SELECT_ASSESSMENTS: &str = "SELECT id, team, model_id, model_version, mode, taken_at FROM assessments";

#[derive(FromRow)]
struct AssessmentRow {
    id: i64,
    team: String,
    model_id: String,
    model_version: String,
    mode: String,
    taken_at: String,
}

impl AssessmentRow {
    fn header(self) -> Result<Header, StoreError> {
        let taken_at = record::parse_sqlite_timestamp(&self.taken_at)
            .map_err(|e| StoreError::Corrupt(format!("assessment {}: {e}", self.id)))?;
        Ok(Header {
            id: self.id,
            team: self.team,
            model_id: self.model_id,
            model_version: self.model_version,
            mode: self.mode,
            taken_at,
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        let _writer = self.write_lock.lock().await;
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| explain(migrate_error(e, &self.path), &self.path))
    }

    async fn register_model(&self, model: &ModelRef, source_toml: &str) -> Result<(), StoreError> {
        self.register(model, source_toml)
            .await
            .map_err(|e| explain(e, &self.path))
    }

    async fn model_source(&self, model: &ModelRef) -> Result<Option<String>, StoreError> {
        self.source(model).await.map_err(|e| explain(e, &self.path))
    }

    async fn save_assessment(&self, assessment: &NewAssessment) -> Result<AssessmentId, StoreError> {
        let rows = [Row::from_assessment(assessment)?];
        let ids = self.save_rows(&rows).await.map_err(|e| explain(e, &self.path))?;
        ids.into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("saving an assessment returned no id".to_string()))
    }

    async fn save_assessments(&self, batch: &[NewAssessment]) -> Result<Vec<AssessmentId>, StoreError> {
        let rows = batch.iter().map(Row::from_assessment).collect::<Result<Vec<_>, _>>()?;
        self.save_rows(&rows).await.map_err(|e| explain(e, &self.path))
    }

    async fn assessment(&self, id: AssessmentId) -> Result<StoredAssessment, StoreError> {
        self.one(id).await.map_err(|e| explain(e, &self.path))
    }

    async fn team_assessments(&self, team: &TeamName) -> Result<Vec<StoredAssessment>, StoreError> {
        self.history(team).await.map_err(|e| explain(e, &self.path))
    }

    async fn latest_assessment(&self, team: &TeamName) -> Result<Option<StoredAssessment>, StoreError> {
        self.latest(team).await.map_err(|e| explain(e, &self.path))
    }

    async fn teams(&self) -> Result<Vec<TeamSummary>, StoreError> {
        self.team_list().await.map_err(|e| explain(e, &self.path))
    }

    async fn create_team(&self, name: &TeamName, parent: Option<&TeamName>) -> Result<Team, StoreError> {
        self.insert_team(name, parent).await.map_err(|e| explain(e, &self.path))
    }

    async fn team(&self, name: &TeamName) -> Result<Team, StoreError> {
        self.team_named(name).await.map_err(|e| explain(e, &self.path))
    }

    async fn teams_in_org(&self, include_archived: bool) -> Result<Vec<Team>, StoreError> {
        self.org_teams(include_archived)
            .await
            .map_err(|e| explain(e, &self.path))
    }

    async fn rename_team(&self, from: &TeamName, to: &TeamName) -> Result<Team, StoreError> {
        self.rename(from, to).await.map_err(|e| explain(e, &self.path))
    }

    async fn move_team(&self, team: &TeamName, new_parent: Option<&TeamName>) -> Result<Team, StoreError> {
        self.move_under(team, new_parent)
            .await
            .map_err(|e| explain(e, &self.path))
    }

    async fn archive_team(&self, team: &TeamName) -> Result<Team, StoreError> {
        self.archive(team).await.map_err(|e| explain(e, &self.path))
    }

    async fn open_round(&self, round: &NewRound, tokens: &[TokenHash]) -> Result<Round, StoreError> {
        self.insert_round(round, tokens)
            .await
            .map_err(|e| explain(e, &self.path))
    }

    async fn round(&self, id: RoundId) -> Result<Round, StoreError> {
        self.round_with_id(id).await.map_err(|e| explain(e, &self.path))
    }

    async fn rounds(&self, team: Option<&TeamName>) -> Result<Vec<Round>, StoreError> {
        self.round_list(team).await.map_err(|e| explain(e, &self.path))
    }

    async fn latest_round_per_team(&self) -> Result<Vec<Round>, StoreError> {
        self.latest_rounds().await.map_err(|e| explain(e, &self.path))
    }

    async fn set_round_k(&self, id: RoundId, k: K) -> Result<Round, StoreError> {
        self.change_k(id, k).await.map_err(|e| explain(e, &self.path))
    }

    async fn close_round(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        self.close(id, on).await.map_err(|e| explain(e, &self.path))
    }

    async fn publish_rounds(&self, ids: &[RoundId]) -> Result<(), StoreError> {
        self.publish_many(ids).await
    }

    async fn seal_closed_rounds(&self, today: Date) -> Result<Vec<RoundId>, StoreError> {
        self.seal_closed(today).await
    }

    async fn reopen_round(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        self.reopen(id, on).await.map_err(|e| explain(e, &self.path))
    }

    async fn mark_published(&self, id: RoundId) -> Result<Round, StoreError> {
        self.publish(id).await.map_err(|e| explain(e, &self.path))
    }

    async fn round_for_token(&self, token: &TokenHash) -> Result<RoundId, StoreError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT round_id FROM tokens WHERE hash = ?")
            .bind(token.0.as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| explain(StoreError::from(e), &self.path))?;
        found
            .map(RoundId)
            .ok_or_else(|| StoreError::NotFound("respondent token".to_string()))
    }

    async fn token_status(&self, token: &TokenHash) -> Result<TokenStatus, StoreError> {
        let found: Option<(i64, Option<i64>, bool)> =
            sqlx::query_as("SELECT round_id, response_id, spent FROM tokens WHERE hash = ?")
                .bind(token.0.as_slice())
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| explain(StoreError::from(e), &self.path))?;
        let (round, response, spent) = found.ok_or_else(|| StoreError::NotFound("respondent token".to_string()))?;
        Ok(TokenStatus {
            round: RoundId(round),
            answered: response.is_some(),
            spent,
        })
    }

    async fn add_tokens(&self, id: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError> {
        self.issue_tokens(id, tokens).await.map_err(|e| explain(e, &self.path))
    }

    async fn submit_response(
        &self,
        round: RoundId,
        token: &TokenHash,
        answers: &Answers,
        today: Date,
    ) -> Result<SubmitOutcome, StoreError> {
        self.submit(round, token, answers, today)
            .await
            .map_err(|e| explain(e, &self.path))
    }

    async fn import_responses(&self, round: RoundId, responses: &[Answers], today: Date) -> Result<usize, StoreError> {
        self.import(round, responses, today)
            .await
            .map_err(|e| explain(e, &self.path))
    }

    async fn round_responses(&self, round: RoundId) -> Result<Responses, StoreError> {
        self.answers_of_round(round).await.map_err(|e| explain(e, &self.path))
    }

    async fn responses_for_rounds(&self, rounds: &[RoundId]) -> Result<HashMap<RoundId, Responses>, StoreError> {
        self.answers_of(rounds).await.map_err(|e| explain(e, &self.path))
    }

    async fn set_goal(&self, goal: &Goal) -> Result<(), StoreError> {
        self.upsert_goal(goal).await.map_err(|e| explain(e, &self.path))
    }

    async fn goals(&self, team: &TeamName) -> Result<Vec<Goal>, StoreError> {
        self.team_goals(team).await.map_err(|e| explain(e, &self.path))
    }

    async fn add_action(&self, action: &NewAction) -> Result<Action, StoreError> {
        self.insert_action(action).await.map_err(|e| explain(e, &self.path))
    }

    async fn update_action(&self, id: ActionId, update: &ActionUpdate) -> Result<Action, StoreError> {
        self.change_action(id, update).await.map_err(|e| explain(e, &self.path))
    }

    async fn actions(&self, team: &TeamName) -> Result<Vec<Action>, StoreError> {
        self.team_actions(team).await.map_err(|e| explain(e, &self.path))
    }

    async fn export_all(&self) -> Result<ExportDocument, StoreError> {
        self.export_tables().await.map_err(|e| explain(e, &self.path))
    }

    async fn import_all(&self, document: &ExportDocument) -> Result<(), StoreError> {
        self.import_tables(document).await.map_err(|e| explain(e, &self.path))
    }
}

/// Settings every connection gets, file or memory.
fn common_options() -> SqliteConnectOptions {
    common_options_on(SqliteConnectOptions::new())
}

fn common_options_on(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        // 16 MiB of page cache (negative = KiB) instead of 2 MiB: large
        // batches touch many index pages.
        .pragma("cache_size", "-16384")
}

/// Creates the database's directory if it is missing, with an error that
/// names it. (Blocking file-system calls, once at start-up.)
fn prepare_directory(path: &Path) -> Result<(), StoreError> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        StoreError::Config(format!(
            "cannot create the directory {} for the database {}: {e}; pass --database with a location you can \
             write to, or fix the directory's permissions",
            dir.display(),
            path.display()
        ))
    })
}

/// Unwraps the SQL error inside a migration error so [`explain`] can name it
/// (a file that is not a database often only fails here), and phrases the
/// version mismatches.
fn migrate_error(e: MigrateError, path: &Path) -> StoreError {
    match e {
        MigrateError::Execute(e) => StoreError::Database(e),
        MigrateError::VersionMissing(version) => StoreError::Config(format!(
            "the database {} was set up by a newer asyncmm (it has migration {version}, unknown to this \
             version); upgrade asyncmm or pass --database with another file",
            path.display()
        )),
        other => StoreError::Migrate(other),
    }
}

/// Names the file and the fix for SQLite errors that a person can act on.
fn explain(e: StoreError, path: &Path) -> StoreError {
    let StoreError::Database(sqlx_error) = e else {
        return e;
    };
    let shown = path.display();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.display().to_string(),
        _ => ".".to_string(),
    };
    match &sqlx_error {
        sqlx::Error::Database(db) => {
            let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0);
            let message = db.message();
            // Primary result codes (the low byte of extended codes), see
            // https://www.sqlite.org/rescode.html.
            match code & 0xff {
                26 => StoreError::Config(format!(
                    "{shown} is not an SQLite database; pass --database with the path of an asyncmm database \
                     (or of a file to create), or move this file away"
                )),
                11 => StoreError::Corrupt(format!(
                    "the SQLite database {shown} is damaged ({message}); restore it from a backup"
                )),
                14 => StoreError::Config(format!(
                    "cannot open or create the SQLite database {shown} ({message}); make sure the directory {dir} \
                     exists and is writable, or pass --database with another location"
                )),
                8 => StoreError::Config(format!(
                    "cannot write to the SQLite database {shown} ({message}); fix the permissions of the file and \
                     of its directory {dir} (SQLite writes -wal and -shm files beside it), or pass --database \
                     with another location"
                )),
                5 | 6 => StoreError::Unavailable(format!(
                    "the SQLite database {shown} stayed locked by another writer for more than {} s; try again \
                     when the other asyncmm command has finished",
                    BUSY_TIMEOUT.as_secs()
                )),
                13 => StoreError::Unavailable(format!(
                    "the disk holding the SQLite database {shown} is full ({message}); free some space"
                )),
                _ => StoreError::Database(sqlx_error),
            }
        }
        sqlx::Error::Io(io) => StoreError::Config(format!("cannot use the SQLite database {shown}: {io}")),
        _ => StoreError::Database(sqlx_error),
    }
}
