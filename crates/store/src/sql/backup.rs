//! Export and import of everything: reading every table into [`Tables`] in
//! one consistent snapshot, and writing them into an empty database in one
//! transaction. The document itself and what it means for anonymity are in
//! the crate's `export` module.

use time::{Date, OffsetDateTime};

use super::stamp::Stamp;
use super::{Conn, Database, Tx, bulk, on};
use crate::StoreError;
use crate::export::{self, ActionRow, AssessmentRow, ExportDocument, GoalRow, RoundRow, Tables, TeamRow};

type RoundTuple = (
    i64,
    i64,
    String,
    String,
    String,
    i16,
    Date,
    Option<Date>,
    Option<Date>,
    bool,
    Option<String>,
    bool,
);

/// `(id, team, title, owner, link, status, created_on)` of an `actions` row.
type ActionTuple = (i64, String, String, Option<String>, Option<String>, String, Date);

/// Every table's rows.
async fn read_tables(mut conn: Conn<'_>) -> Result<Tables, StoreError> {
    let mut t = Tables {
        models: on!(conn.re(), |c| {
            sqlx::query_as("SELECT model_id, version, source FROM models")
                .fetch_all(&mut *c)
                .await
        })?,
        ..Tables::default()
    };
    let teams: Vec<(i64, String, Option<i64>, bool)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT id, name, parent_id, archived FROM teams")
            .fetch_all(&mut *c)
            .await
    })?;
    t.teams = teams
        .into_iter()
        .map(|(id, name, parent, archived)| TeamRow {
            id,
            name,
            parent,
            archived,
        })
        .collect();
    let assessments: Vec<(i64, String, String, String, String, Stamp)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT id, team, model_id, model_version, mode, taken_at FROM assessments")
            .fetch_all(&mut *c)
            .await
    })?;
    t.assessments = assessments
        .into_iter()
        .map(|(id, team, model_id, model_version, mode, taken_at)| AssessmentRow {
            id,
            team,
            model_id,
            model_version,
            mode,
            taken_at: taken_at.0,
        })
        .collect();
    t.answers = on!(conn.re(), |c| {
        sqlx::query_as("SELECT assessment_id, item, value FROM answers")
            .fetch_all(&mut *c)
            .await
    })?;
    let rounds: Vec<RoundTuple> = on!(conn.re(), |c| {
        sqlx::query_as(
            "SELECT id, team_id, model_id, model_version, mode, k, opens_on, closes_on, closed_on, published, \
             intake, sealed FROM rounds",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    for (id, team, model_id, model_version, mode, k, opens_on, closes_on, closed_on, published, intake, sealed) in
        rounds
    {
        t.rounds.push(RoundRow {
            id,
            team,
            model_id,
            model_version,
            mode,
            k: i64::from(k),
            opens_on,
            closes_on,
            closed_on,
            published,
            intake,
            sealed,
        });
    }
    t.responses = on!(conn.re(), |c| {
        sqlx::query_as("SELECT id, round_id, submitted_on FROM responses")
            .fetch_all(&mut *c)
            .await
    })?;
    t.response_answers = on!(conn.re(), |c| {
        sqlx::query_as("SELECT round_id, response_id, item, value FROM response_answers")
            .fetch_all(&mut *c)
            .await
    })?;
    t.tokens = on!(conn.re(), |c| {
        sqlx::query_as("SELECT hash, round_id, response_id, spent FROM tokens")
            .fetch_all(&mut *c)
            .await
    })?;
    let goals: Vec<(String, String, i16, Date, Option<i16>, Date)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT team, area, target, by_date, baseline, set_on FROM goals")
            .fetch_all(&mut *c)
            .await
    })?;
    t.goals = goals
        .into_iter()
        .map(|(team, area, target, by, baseline, set_on)| GoalRow {
            team,
            area,
            target,
            by,
            baseline,
            set_on,
        })
        .collect();
    let actions: Vec<ActionTuple> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT id, team, title, owner, link, status, created_on FROM actions")
            .fetch_all(&mut *c)
            .await
    })?;
    t.actions = actions
        .into_iter()
        .map(|(id, team, title, owner, link, status, created_on)| ActionRow {
            id,
            team,
            title,
            owner,
            link,
            status,
            created_on,
        })
        .collect();
    t.action_statements = on!(conn, |c| {
        sqlx::query_as("SELECT action_id, CAST(position AS BIGINT), statement FROM action_statements")
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(t)
}

/// Writes every table's rows, parents before what refers to them.
async fn write_tables(mut conn: Conn<'_>, t: &Tables) -> Result<(), StoreError> {
    for (id, version, source) in &t.models {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO models (model_id, version, source) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(version)
                .bind(source)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for team in &t.teams {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO teams (id, name, archived) VALUES ($1, $2, $3)")
                .bind(team.id)
                .bind(&team.name)
                .bind(team.archived)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for team in t.teams.iter().filter(|t| t.parent.is_some()) {
        on!(conn.re(), |c| {
            sqlx::query("UPDATE teams SET parent_id = $1 WHERE id = $2")
                .bind(team.parent)
                .bind(team.id)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for a in &t.assessments {
        on!(conn.re(), |c| {
            sqlx::query(
                "INSERT INTO assessments (id, team, model_id, model_version, mode, taken_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(a.id)
            .bind(&a.team)
            .bind(&a.model_id)
            .bind(&a.model_version)
            .bind(&a.mode)
            .bind(Stamp(a.taken_at))
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    for (id, item, value) in &t.answers {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO answers (assessment_id, item, value) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(item)
                .bind(value)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for r in &t.rounds {
        let k =
            i16::try_from(r.k).map_err(|_| StoreError::Invalid(format!("round {}: k = {} is too large", r.id, r.k)))?;
        on!(conn.re(), |c| {
            sqlx::query(
                "INSERT INTO rounds (id, team_id, model_id, model_version, mode, k, opens_on, closes_on, closed_on, \
                 published, intake, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(r.id)
            .bind(r.team)
            .bind(&r.model_id)
            .bind(&r.model_version)
            .bind(&r.mode)
            .bind(k)
            .bind(r.opens_on)
            .bind(r.closes_on)
            .bind(r.closed_on)
            .bind(r.published)
            .bind(&r.intake)
            .bind(r.sealed)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    for (id, round, day) in &t.responses {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO responses (id, round_id, submitted_on) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(round)
                .bind(day)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for (round, response, item, value) in &t.response_answers {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO response_answers (round_id, response_id, item, value) VALUES ($1, $2, $3, $4)")
                .bind(round)
                .bind(response)
                .bind(item)
                .bind(value)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for (hash, round, response, spent) in &t.tokens {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO tokens (hash, round_id, response_id, spent) VALUES ($1, $2, $3, $4)")
                .bind(hash.as_slice())
                .bind(round)
                .bind(response)
                .bind(spent)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for g in &t.goals {
        on!(conn.re(), |c| {
            sqlx::query(
                "INSERT INTO goals (team, area, target, by_date, baseline, set_on) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&g.team)
            .bind(&g.area)
            .bind(g.target)
            .bind(g.by)
            .bind(g.baseline)
            .bind(g.set_on)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    for a in &t.actions {
        on!(conn.re(), |c| {
            sqlx::query(
                "INSERT INTO actions (id, team, title, owner, link, status, created_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.id)
            .bind(&a.team)
            .bind(&a.title)
            .bind(&a.owner)
            .bind(&a.link)
            .bind(&a.status)
            .bind(a.created_on)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    for (id, position, statement) in &t.action_statements {
        let position =
            i32::try_from(*position).map_err(|_| StoreError::Invalid(format!("action {id}: position {position}")))?;
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO action_statements (action_id, position, statement) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(position)
                .bind(statement)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    bulk::move_sequences_past_imported_ids(conn).await
}

impl Database {
    pub(super) async fn export_tables(&self) -> Result<ExportDocument, StoreError> {
        let mut tx = self.snapshot().await?;
        let tables = read_tables(tx.conn()).await?;
        tx.commit().await?;
        tables.into_document(OffsetDateTime::now_utc())
    }

    pub(super) async fn import_tables(&self, doc: &ExportDocument) -> Result<(), StoreError> {
        let t = Tables::from_document(doc)?;
        let mut tx = self.write().await?;
        lock_every_table(&mut tx).await?;
        let rows: i64 = on!(tx.conn(), |c| sqlx::query_scalar(export::COUNT_ALL)
            .fetch_one(&mut *c)
            .await)?;
        if rows > 0 {
            return Err(export::not_empty(&self.place()));
        }
        // Any error below drops `tx`, which rolls everything back.
        write_tables(tx.conn(), &t).await?;
        tx.commit().await
    }
}

/// On PostgreSQL nobody else writes until the import is committed or rolled
/// back, so the emptiness check stays true (SQLite's immediate transaction
/// already excludes other writers).
async fn lock_every_table(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    if let Tx::Postgres(tx) = tx {
        sqlx::query(
            "LOCK TABLE models, assessments, answers, teams, rounds, responses, response_answers, tokens, goals, \
             actions, action_statements IN EXCLUSIVE MODE",
        )
        .execute(&mut **tx)
        .await
        .map(|done| done.rows_affected())?;
    }
    Ok(())
}
