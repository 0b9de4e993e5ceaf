//! Models and self-assessments: registering a model's text (read back
//! through a cache, see [`ModelTexts`]), saving a batch of assessments
//! whole, and reading them back.

use std::collections::HashMap;
use std::sync::Mutex;

use asyncmm_core::{Answers, AssessmentId, ModelRef, NewAssessment, StoredAssessment, TeamName};
use sqlx::FromRow;

use super::stamp::{ReadStamp, Stamp};
use super::{Conn, Database, bulk, on};
use crate::record::{self, Header, Row};
use crate::{StoreError, TeamSummary};

const SELECT_ASSESSMENTS: &str = "SELECT id, team, model_id, model_version, mode, taken_at FROM assessments";

#[derive(FromRow)]
struct AssessmentRow {
    id: i64,
    team: String,
    model_id: String,
    model_version: String,
    mode: String,
    taken_at: ReadStamp,
}

impl AssessmentRow {
    fn header(self) -> Result<Header, StoreError> {
        let taken_at = self
            .taken_at
            .0
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

async fn answers_of(mut conn: Conn<'_>, header: Header) -> Result<StoredAssessment, StoreError> {
    let answers: Vec<(String, Option<i16>)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT item, value FROM answers WHERE assessment_id = $1")
            .bind(header.id)
            .fetch_all(&mut *c)
            .await
    })?;
    record::assemble(header, answers)
}

/// Removes an assessment's answers (a correction replaces them, a deletion
/// removes them before the assessment: SQLite enforces the cascade only with
/// its foreign key switch on).
async fn delete_answers(conn: Conn<'_>, id: AssessmentId) -> Result<(), StoreError> {
    on!(conn, |c| {
        sqlx::query("DELETE FROM answers WHERE assessment_id = $1")
            .bind(id.0)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Model texts already read, by `id@version`. Exact as a cache: a model's
/// row is only ever inserted — registering other text under a stored key is
/// refused, nothing updates or deletes it, and a backup is only imported
/// into an empty database — so a text once read stays what the database
/// holds. Only texts read outside a transaction (committed) are kept.
#[derive(Default)]
pub(super) struct ModelTexts(Mutex<HashMap<ModelRef, String>>);

/// Distinct model versions kept; a database holds a handful, so reaching
/// this means something unusual and the cache starts over rather than
/// growing.
const MOST_KEPT_MODELS: usize = 64;

impl ModelTexts {
    fn get(&self, model: &ModelRef) -> Option<String> {
        self.0.lock().ok()?.get(model).cloned()
    }

    fn keep(&self, model: &ModelRef, text: &str) {
        if let Ok(mut kept) = self.0.lock() {
            if kept.len() >= MOST_KEPT_MODELS {
                kept.clear();
            }
            kept.insert(model.clone(), text.to_string());
        }
    }
}

async fn model_text(conn: Conn<'_>, model: &ModelRef) -> Result<Option<String>, StoreError> {
    Ok(on!(conn, |c| {
        sqlx::query_scalar("SELECT source FROM models WHERE model_id = $1 AND version = $2")
            .bind(&model.id)
            .bind(&model.version)
            .fetch_optional(&mut *c)
            .await
    })?)
}

impl Database {
    pub(super) async fn register(&self, model: &ModelRef, source: &str) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let inserted = on!(tx.conn(), |c| {
            sqlx::query(
                "INSERT INTO models (model_id, version, source) VALUES ($1, $2, $3) \
                 ON CONFLICT (model_id, version) DO NOTHING",
            )
            .bind(&model.id)
            .bind(&model.version)
            .bind(source)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
        if inserted == 0 && model_text(tx.conn(), model).await?.as_deref() != Some(source) {
            return Err(record::model_conflict(model));
        }
        tx.commit().await
    }

    pub(super) async fn source(&self, model: &ModelRef) -> Result<Option<String>, StoreError> {
        if let Some(text) = self.models.get(model) {
            return Ok(Some(text));
        }
        let mut reader = self.read().await?;
        let text = model_text(reader.conn(), model).await?;
        if let Some(text) = &text {
            self.models.keep(model, text);
        }
        Ok(text)
    }

    pub(super) async fn save_assessments_whole(
        &self,
        batch: &[NewAssessment],
    ) -> Result<Vec<AssessmentId>, StoreError> {
        let rows = batch.iter().map(Row::from_assessment).collect::<Result<Vec<_>, _>>()?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write().await?;
        for (model, index) in record::distinct_models(&rows) {
            let found: Option<i32> = on!(tx.conn(), |c| {
                sqlx::query_scalar("SELECT 1 FROM models WHERE model_id = $1 AND version = $2")
                    .bind(&model.id)
                    .bind(&model.version)
                    .fetch_optional(&mut *c)
                    .await
            })?;
            if found.is_none() {
                // Dropping `tx` rolls back: nothing of the batch is kept.
                return Err(record::unregistered(&rows, index));
            }
        }
        let ids = bulk::reserve_assessment_ids(tx.conn(), rows.len()).await?;
        bulk::insert_assessments(tx.conn(), &rows, &ids).await?;
        tx.commit().await?;
        Ok(ids.into_iter().map(AssessmentId).collect())
    }

    pub(super) async fn one_assessment(&self, id: AssessmentId) -> Result<StoredAssessment, StoreError> {
        let mut reader = self.read().await?;
        let row: Option<AssessmentRow> = on!(reader.conn(), |c| {
            sqlx::query_as(&format!("{SELECT_ASSESSMENTS} WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await
        })?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("assessment {id}")))?;
        answers_of(reader.conn(), row.header()?).await
    }

    pub(super) async fn replace_answers(&self, id: AssessmentId, answers: &Answers) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let mode: Option<String> = on!(tx.conn(), |c| {
            sqlx::query_scalar("SELECT mode FROM assessments WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await
        })?;
        let mode = mode.ok_or_else(|| StoreError::NotFound(format!("assessment {id}")))?;
        if mode != answers.mode().as_str() {
            return Err(StoreError::Conflict(format!(
                "assessment {id} was taken in {mode} mode; a correction must use the same mode"
            )));
        }
        delete_answers(tx.conn(), id).await?;
        for (item, value) in record::answer_rows(answers) {
            on!(tx.conn(), |c| {
                sqlx::query("INSERT INTO answers (assessment_id, item, value) VALUES ($1, $2, $3)")
                    .bind(id.0)
                    .bind(&item)
                    .bind(value)
                    .execute(&mut *c)
                    .await
                    .map(|done| done.rows_affected())
            })?;
        }
        tx.commit().await
    }

    pub(super) async fn delete_assessment(&self, id: AssessmentId) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        // Answers first (see `delete_answers`).
        delete_answers(tx.conn(), id).await?;
        let removed = on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM assessments WHERE id = $1")
                .bind(id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        if removed == 0 {
            return Err(StoreError::NotFound(format!("assessment {id}")));
        }
        tx.commit().await
    }

    pub(super) async fn history(&self, team: &TeamName) -> Result<Vec<StoredAssessment>, StoreError> {
        let mut reader = self.read().await?;
        let rows: Vec<AssessmentRow> = on!(reader.conn(), |c| {
            sqlx::query_as(&format!("{SELECT_ASSESSMENTS} WHERE team = $1 ORDER BY taken_at, id"))
                .bind(team.as_str())
                .fetch_all(&mut *c)
                .await
        })?;
        let headers = rows.into_iter().map(AssessmentRow::header).collect::<Result<_, _>>()?;
        // All answers of the team in one query rather than one per assessment.
        let answers: Vec<(i64, String, Option<i16>)> = on!(reader.conn(), |c| {
            sqlx::query_as(
                "SELECT a.assessment_id, a.item, a.value FROM answers a \
                 JOIN assessments s ON s.id = a.assessment_id WHERE s.team = $1",
            )
            .bind(team.as_str())
            .fetch_all(&mut *c)
            .await
        })?;
        record::assemble_all(headers, answers)
    }

    pub(super) async fn latest(&self, team: &TeamName) -> Result<Option<StoredAssessment>, StoreError> {
        let mut reader = self.read().await?;
        let row: Option<AssessmentRow> = on!(reader.conn(), |c| {
            sqlx::query_as(&format!(
                "{SELECT_ASSESSMENTS} WHERE team = $1 ORDER BY taken_at DESC, id DESC LIMIT 1"
            ))
            .bind(team.as_str())
            .fetch_optional(&mut *c)
            .await
        })?;
        match row {
            Some(row) => Ok(Some(answers_of(reader.conn(), row.header()?).await?)),
            None => Ok(None),
        }
    }

    pub(super) async fn team_list(&self) -> Result<Vec<TeamSummary>, StoreError> {
        let mut reader = self.read().await?;
        let rows: Vec<(String, i64, Stamp)> = on!(reader.conn(), |c| {
            sqlx::query_as("SELECT team, COUNT(*), MAX(taken_at) FROM assessments GROUP BY team")
                .fetch_all(&mut *c)
                .await
        })?;
        let mut teams = rows
            .into_iter()
            .map(|(team, count, last)| record::team_summary(team, count, last.0))
            .collect::<Result<Vec<_>, _>>()?;
        // Sorted here, not in SQL: the database collation would order names
        // differently from `TeamName` (byte order) on PostgreSQL.
        teams.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(teams)
    }
}
