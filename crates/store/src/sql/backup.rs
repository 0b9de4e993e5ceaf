//! Export and import of everything: reading every table into [`Tables`] in
//! one consistent snapshot, and writing them into an empty database in one
//! transaction. The document itself and what it means for anonymity are in
//! the crate's `export` module.

use time::{Date, OffsetDateTime};

use super::stamp::Stamp;
use super::{Conn, Database, on};
use crate::StoreError;
use crate::export::{ActionRow, AssessmentRow, ExportDocument, GoalRow, RoundRow, Tables, TeamRow};

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
    t.action_statements = on!(conn.re(), |c| {
        sqlx::query_as("SELECT action_id, CAST(position AS BIGINT), statement FROM action_statements")
            .fetch_all(&mut *c)
            .await
    })?;
    t.salt = on!(conn.re(), |c| {
        sqlx::query_scalar("SELECT salt FROM evidence_salt WHERE id = 1")
            .fetch_optional(&mut *c)
            .await
    })?;
    let evidence: Vec<(i64, String, Stamp, String, String, String)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT id, team, scanned_at, source, subject, document FROM evidence")
            .fetch_all(&mut *c)
            .await
    })?;
    t.evidence = evidence
        .into_iter()
        .map(|(id, team, at, source, subject, document)| (id, team, at.0, source, subject, document))
        .collect();
    t.waivers = on!(conn, |c| {
        sqlx::query_as("SELECT team, rule, reason, until_day, set_on FROM evidence_waivers")
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(t)
}

impl Database {
    pub(super) async fn export_tables(&self) -> Result<ExportDocument, StoreError> {
        let mut tx = self.snapshot().await?;
        let tables = read_tables(tx.conn()).await?;
        tx.commit().await?;
        tables.into_document(OffsetDateTime::now_utc())
    }
}
