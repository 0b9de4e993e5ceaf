//! The SQLite side of export and import: reading every table into
//! [`Tables`] and writing them into an empty database in one immediate
//! transaction. The document itself and the anonymity rules are in the
//! crate's `export` module.

use sqlx::SqliteConnection;
use time::OffsetDateTime;

use super::SqliteStore;
use crate::StoreError;
use crate::export::{self, ActionRow, AssessmentRow, ExportDocument, GoalRow, RoundRow, Tables, TeamRow};
use crate::org::{day_text, parse_day};
use crate::record;

impl SqliteStore {
    pub(super) async fn export_tables(&self) -> Result<ExportDocument, StoreError> {
        // One read transaction, so the export is one consistent snapshot.
        let mut tx = self.pool.begin().await?;
        let conn: &mut SqliteConnection = &mut tx;
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
        let assessments: Vec<(i64, String, String, String, String, String)> =
            sqlx::query_as("SELECT id, team, model_id, model_version, mode, taken_at FROM assessments")
                .fetch_all(&mut *conn)
                .await?;
        for (id, team, model_id, model_version, mode, taken_at) in assessments {
            let taken_at = record::parse_sqlite_timestamp(&taken_at)
                .map_err(|e| StoreError::Corrupt(format!("assessment {id}: {e}")))?;
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
            String,
            Option<String>,
            Option<String>,
            bool,
            Option<String>,
            bool,
        );
        let rounds: Vec<RoundTuple> = sqlx::query_as(
            "SELECT id, team_id, model_id, model_version, mode, k, opens_on, closes_on, closed_on, published, \
             intake, sealed FROM rounds",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (id, team, model_id, model_version, mode, k, opens_on, closes_on, closed_on, published, intake, sealed) in
            rounds
        {
            let what = format!("round {id}");
            t.rounds.push(RoundRow {
                id,
                team,
                model_id,
                model_version,
                mode,
                k,
                opens_on: parse_day(&opens_on, &what)?,
                closes_on: closes_on.as_deref().map(|d| parse_day(d, &what)).transpose()?,
                closed_on: closed_on.as_deref().map(|d| parse_day(d, &what)).transpose()?,
                published,
                intake,
                sealed,
            });
        }
        let responses: Vec<(i64, i64, String)> = sqlx::query_as("SELECT id, round_id, submitted_on FROM responses")
            .fetch_all(&mut *conn)
            .await?;
        for (id, round, day) in responses {
            t.responses
                .push((id, round, parse_day(&day, &format!("a response of round {round}"))?));
        }
        t.response_answers = sqlx::query_as("SELECT round_id, response_id, item, value FROM response_answers")
            .fetch_all(&mut *conn)
            .await?;
        t.tokens = sqlx::query_as("SELECT hash, round_id, response_id, spent FROM tokens")
            .fetch_all(&mut *conn)
            .await?;
        let goals: Vec<(String, String, i16, String, Option<i16>, String)> =
            sqlx::query_as("SELECT team, area, target, by_date, baseline, set_on FROM goals")
                .fetch_all(&mut *conn)
                .await?;
        for (team, area, target, by, baseline, set_on) in goals {
            let what = format!("goal of team {team} for {area}");
            t.goals.push(GoalRow {
                by: parse_day(&by, &what)?,
                set_on: parse_day(&set_on, &what)?,
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
                created_on: parse_day(&created_on, &format!("action {id}"))?,
                id,
                team,
                title,
                owner,
                link,
                status,
            });
        }
        t.action_statements = sqlx::query_as("SELECT action_id, position, statement FROM action_statements")
            .fetch_all(&mut *conn)
            .await?;
        tx.commit().await?;
        t.into_document(OffsetDateTime::now_utc())
    }

    pub(super) async fn import_tables(&self, doc: &ExportDocument) -> Result<(), StoreError> {
        let t = Tables::from_document(doc)?;
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let conn: &mut SqliteConnection = &mut tx;
        let rows: i64 = sqlx::query_scalar(export::COUNT_ALL).fetch_one(&mut *conn).await?;
        if rows > 0 {
            return Err(export::not_empty(&self.path.display().to_string()));
        }
        // Any error below drops `tx`, which rolls everything back.
        for (id, version, source) in &t.models {
            sqlx::query("INSERT INTO models (model_id, version, source) VALUES (?, ?, ?)")
                .bind(id)
                .bind(version)
                .bind(source)
                .execute(&mut *conn)
                .await?;
        }
        for team in &t.teams {
            sqlx::query("INSERT INTO teams (id, name, archived) VALUES (?, ?, ?)")
                .bind(team.id)
                .bind(&team.name)
                .bind(team.archived)
                .execute(&mut *conn)
                .await?;
        }
        for team in t.teams.iter().filter(|t| t.parent.is_some()) {
            sqlx::query("UPDATE teams SET parent_id = ? WHERE id = ?")
                .bind(team.parent)
                .bind(team.id)
                .execute(&mut *conn)
                .await?;
        }
        for a in &t.assessments {
            sqlx::query(
                "INSERT INTO assessments (id, team, model_id, model_version, mode, taken_at) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(a.id)
            .bind(&a.team)
            .bind(&a.model_id)
            .bind(&a.model_version)
            .bind(&a.mode)
            .bind(export::timestamp(a.taken_at)?)
            .execute(&mut *conn)
            .await?;
        }
        for (id, item, value) in &t.answers {
            sqlx::query("INSERT INTO answers (assessment_id, item, value) VALUES (?, ?, ?)")
                .bind(id)
                .bind(item)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
        for r in &t.rounds {
            sqlx::query(
                "INSERT INTO rounds (id, team_id, model_id, model_version, mode, k, opens_on, closes_on, closed_on, \
                 published, intake, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(r.id)
            .bind(r.team)
            .bind(&r.model_id)
            .bind(&r.model_version)
            .bind(&r.mode)
            .bind(r.k)
            .bind(day_text(r.opens_on)?)
            .bind(r.closes_on.map(day_text).transpose()?)
            .bind(r.closed_on.map(day_text).transpose()?)
            .bind(r.published)
            .bind(&r.intake)
            .bind(r.sealed)
            .execute(&mut *conn)
            .await?;
        }
        for (id, round, day) in &t.responses {
            sqlx::query("INSERT INTO responses (id, round_id, submitted_on) VALUES (?, ?, ?)")
                .bind(id)
                .bind(round)
                .bind(day_text(*day)?)
                .execute(&mut *conn)
                .await?;
        }
        for (round, response, item, value) in &t.response_answers {
            sqlx::query("INSERT INTO response_answers (round_id, response_id, item, value) VALUES (?, ?, ?, ?)")
                .bind(round)
                .bind(response)
                .bind(item)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
        for (hash, round, response, spent) in &t.tokens {
            sqlx::query("INSERT INTO tokens (hash, round_id, response_id, spent) VALUES (?, ?, ?, ?)")
                .bind(hash.as_slice())
                .bind(round)
                .bind(response)
                .bind(spent)
                .execute(&mut *conn)
                .await?;
        }
        for g in &t.goals {
            sqlx::query("INSERT INTO goals (team, area, target, by_date, baseline, set_on) VALUES (?, ?, ?, ?, ?, ?)")
                .bind(&g.team)
                .bind(&g.area)
                .bind(g.target)
                .bind(day_text(g.by)?)
                .bind(g.baseline)
                .bind(day_text(g.set_on)?)
                .execute(&mut *conn)
                .await?;
        }
        for a in &t.actions {
            sqlx::query(
                "INSERT INTO actions (id, team, title, owner, link, status, created_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(a.id)
            .bind(&a.team)
            .bind(&a.title)
            .bind(&a.owner)
            .bind(&a.link)
            .bind(&a.status)
            .bind(day_text(a.created_on)?)
            .execute(&mut *conn)
            .await?;
        }
        for (id, position, statement) in &t.action_statements {
            sqlx::query("INSERT INTO action_statements (action_id, position, statement) VALUES (?, ?, ?)")
                .bind(id)
                .bind(position)
                .bind(statement)
                .execute(&mut *conn)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// `(id, team, title, owner, link, status, created_on)` of an `actions` row.
type ActionTuple = (i64, String, String, Option<String>, Option<String>, String, String);
