//! The PostgreSQL side of export and import: reading every table into
//! [`Tables`] in one repeatable-read snapshot and writing them into an empty
//! database in one transaction that locks every table first, then moving the
//! identity sequences past the imported ids. The document itself and the anonymity rules are in the
//! crate's `export` module.

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use super::PostgresStore;
use crate::StoreError;
use crate::export::{self, ActionRow, AssessmentRow, ExportDocument, GoalRow, RoundRow, Tables, TeamRow};

impl PostgresStore {
    pub(super) async fn export_tables(&self) -> Result<ExportDocument, StoreError> {
        // One snapshot for every table, so the export is consistent.
        let mut tx = self.pool.begin().await?;
        let conn: &mut PgConnection = &mut tx;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *conn)
            .await?;
        let mut t = Tables {
            models: sqlx::query_as("SELECT model_id, version, source FROM models")
                .fetch_all(&mut *conn)
                .await?,
            ..Tables::default()
        };
        let teams: Vec<(i64, String, Option<i64>, bool)> =
            sqlx::query_as("SELECT id, name, parent_id, archived FROM teams")
                .fetch_all(&mut *conn)
                .await?;
        t.teams = teams
            .into_iter()
            .map(|(id, name, parent, archived)| TeamRow {
                id,
                name,
                parent,
                archived,
            })
            .collect();
        let assessments: Vec<(i64, String, String, String, String, OffsetDateTime)> =
            sqlx::query_as("SELECT id, team, model_id, model_version, mode, taken_at FROM assessments")
                .fetch_all(&mut *conn)
                .await?;
        for (id, team, model_id, model_version, mode, taken_at) in assessments {
            t.assessments.push(AssessmentRow {
                id,
                team,
                model_id,
                model_version,
                mode,
                taken_at,
            });
        }
        t.answers = sqlx::query_as("SELECT assessment_id, item, value FROM answers")
            .fetch_all(&mut *conn)
            .await?;
        type RoundTuple = (
            i64,
            i64,
            String,
            String,
            String,
            i64,
            Date,
            Option<Date>,
            Option<Date>,
            bool,
            Option<String>,
            bool,
        );
        let rounds: Vec<RoundTuple> = sqlx::query_as(
            "SELECT id, team_id, model_id, model_version, mode, k::bigint, opens_on, closes_on, closed_on, published, \
             intake, sealed FROM rounds",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (id, team, model_id, model_version, mode, k, opens_on, closes_on, closed_on, published, intake, sealed) in
            rounds
        {
            t.rounds.push(RoundRow {
                id,
                team,
                model_id,
                model_version,
                mode,
                k,
                opens_on,
                closes_on,
                closed_on,
                published,
                intake,
                sealed,
            });
        }
        t.responses = sqlx::query_as("SELECT id, round_id, submitted_on FROM responses")
            .fetch_all(&mut *conn)
            .await?;
        t.response_answers = sqlx::query_as("SELECT round_id, response_id, item, value FROM response_answers")
            .fetch_all(&mut *conn)
            .await?;
        t.tokens = sqlx::query_as("SELECT hash, round_id, response_id, spent FROM tokens")
            .fetch_all(&mut *conn)
            .await?;
        let goals: Vec<(String, String, i16, Date, Option<i16>, Date)> =
            sqlx::query_as("SELECT team, area, target, by_date, baseline, set_on FROM goals")
                .fetch_all(&mut *conn)
                .await?;
        for (team, area, target, by, baseline, set_on) in goals {
            t.goals.push(GoalRow {
                by,
                set_on,
                team,
                area,
                target,
                baseline,
            });
        }
        let actions: Vec<ActionTuple> =
            sqlx::query_as("SELECT id, team, title, owner, link, status, created_on FROM actions")
                .fetch_all(&mut *conn)
                .await?;
        for (id, team, title, owner, link, status, created_on) in actions {
            t.actions.push(ActionRow {
                created_on,
                id,
                team,
                title,
                owner,
                link,
                status,
            });
        }
        t.action_statements = sqlx::query_as("SELECT action_id, position::bigint, statement FROM action_statements")
            .fetch_all(&mut *conn)
            .await?;
        tx.commit().await?;
        t.into_document(OffsetDateTime::now_utc())
    }

    pub(super) async fn import_tables(&self, doc: &ExportDocument) -> Result<(), StoreError> {
        let t = Tables::from_document(doc)?;
        let mut tx = self.pool.begin().await?;
        let conn: &mut PgConnection = &mut tx;
        // Nobody else writes until the import is committed or rolled back,
        // so the emptiness check below stays true.
        sqlx::query(
            "LOCK TABLE models, assessments, answers, teams, rounds, responses, response_answers, tokens, goals, \
             actions, action_statements IN EXCLUSIVE MODE",
        )
        .execute(&mut *conn)
        .await?;
        let rows: i64 = sqlx::query_scalar(export::COUNT_ALL).fetch_one(&mut *conn).await?;
        if rows > 0 {
            return Err(export::not_empty(&self.place));
        }
        // Any error below drops `tx`, which rolls everything back.
        for (id, version, source) in &t.models {
            sqlx::query("INSERT INTO models (model_id, version, source) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(version)
                .bind(source)
                .execute(&mut *conn)
                .await?;
        }
        for team in &t.teams {
            sqlx::query("INSERT INTO teams (id, name, archived) VALUES ($1, $2, $3)")
                .bind(team.id)
                .bind(&team.name)
                .bind(team.archived)
                .execute(&mut *conn)
                .await?;
        }
        for team in t.teams.iter().filter(|t| t.parent.is_some()) {
            sqlx::query("UPDATE teams SET parent_id = $1 WHERE id = $2")
                .bind(team.parent)
                .bind(team.id)
                .execute(&mut *conn)
                .await?;
        }
        for a in &t.assessments {
            sqlx::query(
                "INSERT INTO assessments (id, team, model_id, model_version, mode, taken_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(a.id)
            .bind(&a.team)
            .bind(&a.model_id)
            .bind(&a.model_version)
            .bind(&a.mode)
            .bind(a.taken_at)
            .execute(&mut *conn)
            .await?;
        }
        for (id, item, value) in &t.answers {
            sqlx::query("INSERT INTO answers (assessment_id, item, value) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(item)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
        for r in &t.rounds {
            sqlx::query(
                "INSERT INTO rounds (id, team_id, model_id, model_version, mode, k, opens_on, closes_on, closed_on, \
                 published, intake, sealed) VALUES ($1, $2, $3, $4, $5, $6::smallint, $7, $8, $9, $10, $11, $12)",
            )
            .bind(r.id)
            .bind(r.team)
            .bind(&r.model_id)
            .bind(&r.model_version)
            .bind(&r.mode)
            .bind(r.k)
            .bind(r.opens_on)
            .bind(r.closes_on)
            .bind(r.closed_on)
            .bind(r.published)
            .bind(&r.intake)
            .bind(r.sealed)
            .execute(&mut *conn)
            .await?;
        }
        for (id, round, day) in &t.responses {
            sqlx::query("INSERT INTO responses (id, round_id, submitted_on) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(round)
                .bind(day)
                .execute(&mut *conn)
                .await?;
        }
        for (round, response, item, value) in &t.response_answers {
            sqlx::query("INSERT INTO response_answers (round_id, response_id, item, value) VALUES ($1, $2, $3, $4)")
                .bind(round)
                .bind(response)
                .bind(item)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
        for (hash, round, response, spent) in &t.tokens {
            sqlx::query("INSERT INTO tokens (hash, round_id, response_id, spent) VALUES ($1, $2, $3, $4)")
                .bind(hash.as_slice())
                .bind(round)
                .bind(response)
                .bind(spent)
                .execute(&mut *conn)
                .await?;
        }
        for g in &t.goals {
            sqlx::query(
                "INSERT INTO goals (team, area, target, by_date, baseline, set_on) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&g.team)
            .bind(&g.area)
            .bind(g.target)
            .bind(g.by)
            .bind(g.baseline)
            .bind(g.set_on)
            .execute(&mut *conn)
            .await?;
        }
        for a in &t.actions {
            sqlx::query(
                "INSERT INTO actions (id, team, title, owner, link, status, created_on) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.id)
            .bind(&a.team)
            .bind(&a.title)
            .bind(&a.owner)
            .bind(&a.link)
            .bind(&a.status)
            .bind(a.created_on)
            .execute(&mut *conn)
            .await?;
        }
        for (id, position, statement) in &t.action_statements {
            sqlx::query("INSERT INTO action_statements (action_id, position, statement) VALUES ($1, $2::integer, $3)")
                .bind(id)
                .bind(position)
                .bind(statement)
                .execute(&mut *conn)
                .await?;
        }
        // Ids to come must not clash with the imported ones.
        for table in ["assessments", "teams", "rounds", "actions"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, \
                 false)"
            ))
            .execute(&mut *conn)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// `(id, team, title, owner, link, status, created_on)` of an `actions` row.
type ActionTuple = (i64, String, String, Option<String>, Option<String>, String, Date);
