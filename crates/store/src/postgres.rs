//! The PostgreSQL backend: for teams that run several `asyncmm serve`
//! instances behind a load balancer, or already operate PostgreSQL.
//!
//! This module owns connecting (with errors that name the server, the
//! database and the fix, and never the password), the optional dedicated
//! schema, and the SQL for the [`Store`] operations. Its schema lives in
//! `migrations/postgres`. Bulk writes send whole columns as arrays and insert
//! them with `UNNEST`, one statement per large chunk instead of one per row.

mod export;
mod org;
mod plan;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use asyncmm_core::plan::{Action, ActionId, ActionUpdate, Goal, NewAction};
use asyncmm_core::{
    Answers, AssessmentId, K, ModelRef, NewAssessment, NewRound, Responses, Round, RoundId, StoredAssessment, Team,
    TeamName, TokenHash,
};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, FromRow};
use time::{Date, OffsetDateTime};

use crate::location::{redact, scrub};
use crate::record::{self, AnswerChunks, Header, Row};
use crate::{ExportDocument, Store, StoreError, SubmitOutcome, TeamSummary, TokenStatus};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long the first connection may take before the server counts as
/// unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an operation waits for a pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

const POOL_SIZE: u32 = 10;

/// Rows per `INSERT … SELECT FROM UNNEST(…)`: big enough that per-statement
/// costs vanish, small enough to keep each message a few megabytes.
const ROWS_PER_INSERT: usize = 100_000;

/// An asyncmm database in PostgreSQL.
pub struct PostgresStore {
    pool: PgPool,
    /// `host:port`, for messages.
    place: String,
}

impl PostgresStore {
    /// Connects to the database `url` names, with the tables in `schema`
    /// (created if missing) when given, else wherever the URL's
    /// `search_path` puts them (normally `public`), and brings the schema up
    /// to date.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<PostgresStore, StoreError> {
        let shown = redact(url);
        let mut options = PgConnectOptions::from_str(url).map_err(|e| {
            StoreError::Config(format!(
                "{shown} is not a valid PostgreSQL URL ({}); {}",
                scrub(&e.to_string(), url),
                crate::location::ACCEPTED_FORMS
            ))
        })?;
        if let Some(schema) = schema {
            check_schema_name(schema)?;
            options = options.options([("search_path", schema)]);
        }
        let target = Target {
            place: format!("{}:{}", options.get_host(), options.get_port()),
            host: options.get_host().to_string(),
            port: options.get_port(),
            database: options
                .get_database()
                .unwrap_or_else(|| options.get_username())
                .to_string(),
            user: options.get_username().to_string(),
            shown,
        };

        // One connection first, without the pool's retries, so that a wrong
        // host or database fails at once with its own message.
        let mut conn = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "the PostgreSQL server at {} ({}) did not answer within {} s; check that it is running and \
                     reachable from here",
                    target.place,
                    target.shown,
                    CONNECT_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| target.connect_error(e, url))?;
        if let Some(schema) = schema {
            // The name was checked to be a plain identifier, so quoting it is
            // enough.
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                .execute(&mut conn)
                .await?;
        }
        MIGRATOR.run(&mut conn).await.map_err(|e| migrate_error(e, &target))?;
        conn.close().await?;

        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(PostgresStore {
            pool,
            place: target.place,
        })
    }

    /// Turns lost connections into a message naming the server.
    fn explain(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Database(sqlx::Error::PoolTimedOut) => StoreError::Unavailable(format!(
                "no connection to the PostgreSQL server at {} within {} s; check that it is running and not \
                 out of connections",
                self.place,
                ACQUIRE_TIMEOUT.as_secs()
            )),
            StoreError::Database(sqlx::Error::Io(io)) => StoreError::Unavailable(format!(
                "lost the connection to the PostgreSQL server at {} ({io}); try again",
                self.place
            )),
            other => other,
        }
    }

    async fn save_rows(&self, rows: &[Row<'_>]) -> Result<Vec<AssessmentId>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        for (model, index) in record::distinct_models(rows) {
            let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM models WHERE model_id = $1 AND version = $2")
                .bind(&model.id)
                .bind(&model.version)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                // Dropping `tx` rolls back: nothing of the batch is kept.
                return Err(record::unregistered(rows, index));
            }
        }

        // Ids are reserved from the identity's sequence first and inserted
        // explicitly, so they follow the batch order (PostgreSQL does not
        // promise an order for RETURNING). Concurrent batches may interleave
        // their numbers; each batch's ids still increase along it.
        let count = i64::try_from(rows.len()).map_err(|_| StoreError::Invalid("batch too large".to_string()))?;
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "SELECT nextval(pg_get_serial_sequence('assessments', 'id')) FROM generate_series(1, $1)",
        )
        .bind(count)
        .fetch_all(&mut *tx)
        .await?;
        ids.sort_unstable();

        for (row_chunk, id_chunk) in rows.chunks(ROWS_PER_INSERT).zip(ids.chunks(ROWS_PER_INSERT)) {
            let teams: Vec<&str> = row_chunk.iter().map(|r| r.team).collect();
            let model_ids: Vec<&str> = row_chunk.iter().map(|r| r.model.id.as_str()).collect();
            let versions: Vec<&str> = row_chunk.iter().map(|r| r.model.version.as_str()).collect();
            let modes: Vec<&str> = row_chunk.iter().map(|r| r.mode).collect();
            let taken_at: Vec<OffsetDateTime> = row_chunk.iter().map(|r| r.taken_at).collect();
            sqlx::query(
                "INSERT INTO assessments (id, team, model_id, model_version, mode, taken_at) \
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
                 $6::timestamptz[])",
            )
            .bind(id_chunk)
            .bind(&teams)
            .bind(&model_ids)
            .bind(&versions)
            .bind(&modes)
            .bind(&taken_at)
            .execute(&mut *tx)
            .await?;
        }

        let mut answers = AnswerChunks::new(rows, &ids);
        let mut assessment_ids = Vec::with_capacity(ROWS_PER_INSERT);
        let mut items = Vec::with_capacity(ROWS_PER_INSERT);
        let mut values = Vec::with_capacity(ROWS_PER_INSERT);
        loop {
            let chunk = answers.next_chunk(ROWS_PER_INSERT);
            if chunk.is_empty() {
                break;
            }
            assessment_ids.clear();
            items.clear();
            values.clear();
            for (id, item, value) in chunk {
                assessment_ids.push(id);
                items.push(item);
                values.push(value);
            }
            sqlx::query(
                "INSERT INTO answers (assessment_id, item, value) \
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::smallint[])",
            )
            .bind(&assessment_ids)
            .bind(&items)
            .bind(&values)
            .execute(&mut *tx)
            .await?;
        }

        tx.commit().await?;
        Ok(ids.into_iter().map(AssessmentId).collect())
    }

    async fn register(&self, model: &ModelRef, source: &str) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO models (model_id, version, source) VALUES ($1, $2, $3) \
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
            sqlx::query_scalar("SELECT source FROM models WHERE model_id = $1 AND version = $2")
                .bind(&model.id)
                .bind(&model.version)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn one(&self, id: AssessmentId) -> Result<StoredAssessment, StoreError> {
        let row: Option<AssessmentRow> = sqlx::query_as(&format!("{SELECT_ASSESSMENTS} WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("assessment {id}")))?;
        self.with_answers(row.header()).await
    }

    async fn with_answers(&self, header: Header) -> Result<StoredAssessment, StoreError> {
        let answers: Vec<(String, Option<i16>)> =
            sqlx::query_as("SELECT item, value FROM answers WHERE assessment_id = $1")
                .bind(header.id)
                .fetch_all(&self.pool)
                .await?;
        record::assemble(header, answers)
    }

    async fn history(&self, team: &TeamName) -> Result<Vec<StoredAssessment>, StoreError> {
        let rows: Vec<AssessmentRow> =
            sqlx::query_as(&format!("{SELECT_ASSESSMENTS} WHERE team = $1 ORDER BY taken_at, id"))
                .bind(team.as_str())
                .fetch_all(&self.pool)
                .await?;
        let headers = rows.into_iter().map(AssessmentRow::header).collect();
        // All answers of the team in one query rather than one per assessment.
        let answers: Vec<(i64, String, Option<i16>)> = sqlx::query_as(
            "SELECT a.assessment_id, a.item, a.value FROM answers a \
             JOIN assessments s ON s.id = a.assessment_id WHERE s.team = $1",
        )
        .bind(team.as_str())
        .fetch_all(&self.pool)
        .await?;
        record::assemble_all(headers, answers)
    }

    async fn latest(&self, team: &TeamName) -> Result<Option<StoredAssessment>, StoreError> {
        let row: Option<AssessmentRow> = sqlx::query_as(&format!(
            "{SELECT_ASSESSMENTS} WHERE team = $1 ORDER BY taken_at DESC, id DESC LIMIT 1"
        ))
        .bind(team.as_str())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.with_answers(row.header()).await?)),
            None => Ok(None),
        }
    }

    async fn team_list(&self) -> Result<Vec<TeamSummary>, StoreError> {
        let rows: Vec<(String, i64, OffsetDateTime)> =
            sqlx::query_as("SELECT team, COUNT(*), MAX(taken_at) FROM assessments GROUP BY team")
                .fetch_all(&self.pool)
                .await?;
        let mut teams = rows
            .into_iter()
            .map(|(team, count, last)| record::team_summary(team, count, last))
            .collect::<Result<Vec<_>, _>>()?;
        // Sorted here, not in SQL: the database collation (e.g. en_US) would
        // order names differently from SQLite and from `TeamName`.
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
    taken_at: OffsetDateTime,
}

impl AssessmentRow {
    fn header(self) -> Header {
        Header {
            id: self.id,
            team: self.team,
            model_id: self.model_id,
            model_version: self.model_version,
            mode: self.mode,
            taken_at: self.taken_at,
        }
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await.map_err(|e| self.explain(e.into()))
    }

    async fn register_model(&self, model: &ModelRef, source_toml: &str) -> Result<(), StoreError> {
        self.register(model, source_toml).await.map_err(|e| self.explain(e))
    }

    async fn model_source(&self, model: &ModelRef) -> Result<Option<String>, StoreError> {
        self.source(model).await.map_err(|e| self.explain(e))
    }

    async fn save_assessment(&self, assessment: &NewAssessment) -> Result<AssessmentId, StoreError> {
        let rows = [Row::from_assessment(assessment)?];
        let ids = self.save_rows(&rows).await.map_err(|e| self.explain(e))?;
        ids.into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("saving an assessment returned no id".to_string()))
    }

    async fn save_assessments(&self, batch: &[NewAssessment]) -> Result<Vec<AssessmentId>, StoreError> {
        let rows = batch.iter().map(Row::from_assessment).collect::<Result<Vec<_>, _>>()?;
        self.save_rows(&rows).await.map_err(|e| self.explain(e))
    }

    async fn assessment(&self, id: AssessmentId) -> Result<StoredAssessment, StoreError> {
        self.one(id).await.map_err(|e| self.explain(e))
    }

    async fn team_assessments(&self, team: &TeamName) -> Result<Vec<StoredAssessment>, StoreError> {
        self.history(team).await.map_err(|e| self.explain(e))
    }

    async fn latest_assessment(&self, team: &TeamName) -> Result<Option<StoredAssessment>, StoreError> {
        self.latest(team).await.map_err(|e| self.explain(e))
    }

    async fn teams(&self) -> Result<Vec<TeamSummary>, StoreError> {
        self.team_list().await.map_err(|e| self.explain(e))
    }

    async fn create_team(&self, name: &TeamName, parent: Option<&TeamName>) -> Result<Team, StoreError> {
        self.insert_team(name, parent).await.map_err(|e| self.explain(e))
    }

    async fn team(&self, name: &TeamName) -> Result<Team, StoreError> {
        self.team_named(name).await.map_err(|e| self.explain(e))
    }

    async fn teams_in_org(&self, include_archived: bool) -> Result<Vec<Team>, StoreError> {
        self.org_teams(include_archived).await.map_err(|e| self.explain(e))
    }

    async fn rename_team(&self, from: &TeamName, to: &TeamName) -> Result<Team, StoreError> {
        self.rename(from, to).await.map_err(|e| self.explain(e))
    }

    async fn move_team(&self, team: &TeamName, new_parent: Option<&TeamName>) -> Result<Team, StoreError> {
        self.move_under(team, new_parent).await.map_err(|e| self.explain(e))
    }

    async fn archive_team(&self, team: &TeamName) -> Result<Team, StoreError> {
        self.archive(team).await.map_err(|e| self.explain(e))
    }

    async fn open_round(&self, round: &NewRound, tokens: &[TokenHash]) -> Result<Round, StoreError> {
        self.insert_round(round, tokens).await.map_err(|e| self.explain(e))
    }

    async fn round(&self, id: RoundId) -> Result<Round, StoreError> {
        self.round_with_id(id).await.map_err(|e| self.explain(e))
    }

    async fn rounds(&self, team: Option<&TeamName>) -> Result<Vec<Round>, StoreError> {
        self.round_list(team).await.map_err(|e| self.explain(e))
    }

    async fn latest_round_per_team(&self) -> Result<Vec<Round>, StoreError> {
        self.latest_rounds().await.map_err(|e| self.explain(e))
    }

    async fn set_round_k(&self, id: RoundId, k: K) -> Result<Round, StoreError> {
        self.change_k(id, k).await.map_err(|e| self.explain(e))
    }

    async fn close_round(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        self.close(id, on).await.map_err(|e| self.explain(e))
    }

    async fn publish_rounds(&self, ids: &[RoundId]) -> Result<(), StoreError> {
        self.publish_many(ids).await
    }

    async fn seal_closed_rounds(&self, today: Date) -> Result<Vec<RoundId>, StoreError> {
        self.seal_closed(today).await
    }

    async fn reopen_round(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        self.reopen(id, on).await.map_err(|e| self.explain(e))
    }

    async fn mark_published(&self, id: RoundId) -> Result<Round, StoreError> {
        self.publish(id).await.map_err(|e| self.explain(e))
    }

    async fn round_for_token(&self, token: &TokenHash) -> Result<RoundId, StoreError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT round_id FROM tokens WHERE hash = $1")
            .bind(token.0.as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.explain(StoreError::from(e)))?;
        found
            .map(RoundId)
            .ok_or_else(|| StoreError::NotFound("respondent token".to_string()))
    }

    async fn token_status(&self, token: &TokenHash) -> Result<TokenStatus, StoreError> {
        let found: Option<(i64, Option<i64>, bool)> =
            sqlx::query_as("SELECT round_id, response_id, spent FROM tokens WHERE hash = $1")
                .bind(token.0.as_slice())
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.explain(StoreError::from(e)))?;
        let (round, response, spent) = found.ok_or_else(|| StoreError::NotFound("respondent token".to_string()))?;
        Ok(TokenStatus {
            round: RoundId(round),
            answered: response.is_some(),
            spent,
        })
    }

    async fn add_tokens(&self, id: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError> {
        self.issue_tokens(id, tokens).await.map_err(|e| self.explain(e))
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
            .map_err(|e| self.explain(e))
    }

    async fn import_responses(&self, round: RoundId, responses: &[Answers], today: Date) -> Result<usize, StoreError> {
        self.import(round, responses, today).await.map_err(|e| self.explain(e))
    }

    async fn round_responses(&self, round: RoundId) -> Result<Responses, StoreError> {
        self.answers_of_round(round).await.map_err(|e| self.explain(e))
    }

    async fn responses_for_rounds(&self, rounds: &[RoundId]) -> Result<HashMap<RoundId, Responses>, StoreError> {
        self.answers_of(rounds).await.map_err(|e| self.explain(e))
    }

    async fn set_goal(&self, goal: &Goal) -> Result<(), StoreError> {
        self.upsert_goal(goal).await.map_err(|e| self.explain(e))
    }

    async fn goals(&self, team: &TeamName) -> Result<Vec<Goal>, StoreError> {
        self.team_goals(team).await.map_err(|e| self.explain(e))
    }

    async fn add_action(&self, action: &NewAction) -> Result<Action, StoreError> {
        self.insert_action(action).await.map_err(|e| self.explain(e))
    }

    async fn update_action(&self, id: ActionId, update: &ActionUpdate) -> Result<Action, StoreError> {
        self.change_action(id, update).await.map_err(|e| self.explain(e))
    }

    async fn actions(&self, team: &TeamName) -> Result<Vec<Action>, StoreError> {
        self.team_actions(team).await.map_err(|e| self.explain(e))
    }

    async fn export_all(&self) -> Result<ExportDocument, StoreError> {
        self.export_tables().await.map_err(|e| self.explain(e))
    }

    async fn import_all(&self, document: &ExportDocument) -> Result<(), StoreError> {
        self.import_tables(document).await.map_err(|e| self.explain(e))
    }
}

/// Only plain identifiers: the name ends up in SQL and in a connection
/// option, where anything else would need escaping.
fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let mut chars = schema.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && schema.len() <= 63 {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "PostgreSQL schema name {schema:?} must be 1-63 lowercase letters, digits or '_', not starting with a digit"
        )))
    }
}

/// What a connection attempt was aimed at, for its error messages.
struct Target {
    /// `host:port`.
    place: String,
    host: String,
    port: u16,
    database: String,
    user: String,
    /// The URL with its password hidden.
    shown: String,
}

impl Target {
    fn connect_error(&self, e: sqlx::Error, url: &str) -> StoreError {
        let Target {
            place,
            host,
            port,
            database,
            user,
            shown,
        } = self;
        match &e {
            sqlx::Error::Database(db) => {
                let message = scrub(db.message(), url);
                match db.code().as_deref() {
                    // invalid_catalog_name
                    Some("3D000") => StoreError::Config(format!(
                        "the PostgreSQL database \"{database}\" does not exist on {place} ({shown}); create it \
                         (e.g. `createdb -h {host} -p {port} -U {user} {database}`) or pass --database with an \
                         existing one"
                    )),
                    // invalid_password, invalid_authorization_specification
                    Some("28P01" | "28000") => StoreError::Config(format!(
                        "the PostgreSQL server at {place} refused the login of user \"{user}\" ({shown}): \
                         {message}; check the user name and password in the URL"
                    )),
                    _ => StoreError::Config(format!(
                        "cannot connect to the PostgreSQL database \"{database}\" at {place} ({shown}): {message}"
                    )),
                }
            }
            sqlx::Error::Io(io) => StoreError::Unavailable(format!(
                "cannot reach the PostgreSQL server at {place} ({shown}): {}; check that it is running and that \
                 the host and port are right",
                scrub(&io.to_string(), url)
            )),
            sqlx::Error::Tls(tls) => StoreError::Config(format!(
                "TLS with the PostgreSQL server at {place} failed ({shown}): {}; check the sslmode and \
                 certificates in the URL",
                scrub(&tls.to_string(), url)
            )),
            other => StoreError::Unavailable(format!(
                "cannot connect to the PostgreSQL server at {place} ({shown}): {}",
                scrub(&other.to_string(), url)
            )),
        }
    }
}

fn migrate_error(e: MigrateError, target: &Target) -> StoreError {
    match e {
        MigrateError::VersionMissing(version) => StoreError::Config(format!(
            "the PostgreSQL database \"{}\" at {} was set up by a newer asyncmm (it has migration {version}, \
             unknown to this version); upgrade asyncmm",
            target.database, target.place
        )),
        MigrateError::Execute(e) => StoreError::Database(e),
        other => StoreError::Migrate(other),
    }
}
