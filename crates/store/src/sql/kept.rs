//! Kept results of closed rounds (the `round_results` table): read many at
//! once, written many at once, and removed whenever a round's responses or
//! k may change.
//!
//! Consistency with the rounds is enforced here, in SQL, not left to the
//! caller: a result is written only while its round is sealed (closed) and
//! has exactly as many responses as the result was aggregated from, and it
//! is read back only while both still hold. Reopening a round, changing its
//! k, submitting or importing responses delete the row in their own
//! transaction (see `rounds`), so even a result written by a process that
//! aggregated before the change can't outlive it: either the write sees the
//! change and is skipped, or the change comes after and deletes it.

use std::collections::HashMap;

use asyncmm_core::{GroupResult, KeptResult, KeptSummary, RoundId};
use sqlx::{Postgres, Sqlite};

use super::{Conn, Database, bulk, on};
use crate::StoreError;

/// Rows per `INSERT`: three bound values each, a few kilobytes of JSON per
/// row.
const ROWS_PER_INSERT: usize = 500;

/// The condition a kept row must meet, for the round `round_id` of a row
/// with `responses`: see the module doc.
const STILL_VALID: &str = "EXISTS (SELECT 1 FROM rounds r WHERE r.id = {round} AND r.sealed = TRUE) \
     AND {responses} = (SELECT COUNT(*) FROM responses s WHERE s.round_id = {round})";

fn still_valid(round: &str, responses: &str) -> String {
    STILL_VALID.replace("{round}", round).replace("{responses}", responses)
}

/// Removes what is kept for a round, inside the caller's transaction.
pub(super) async fn forget(conn: Conn<'_>, round: RoundId) -> Result<(), StoreError> {
    on!(conn, |c| {
        sqlx::query("DELETE FROM round_results WHERE round_id = $1")
            .bind(round.0)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// A kept row read whole; `None` when it can't be read (see `read_kept`).
pub(super) fn whole(text: &str) -> Option<GroupResult> {
    serde_json::from_str::<KeptResult>(text).ok()?.restore().ok()
}

/// A kept row read without its statement counts (`Store::kept_summaries`).
pub(super) fn summary(text: &str) -> Option<GroupResult> {
    serde_json::from_str::<KeptSummary>(text).ok()?.restore().ok()
}

impl Database {
    pub(super) async fn read_kept(
        &self,
        rounds: &[RoundId],
        decode: fn(&str) -> Option<GroupResult>,
    ) -> Result<HashMap<RoundId, GroupResult>, StoreError> {
        let mut wanted: Vec<i64> = rounds.iter().map(|id| id.0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let valid = still_valid("k.round_id", "k.responses");
        let mut reader = self.read().await?;
        let rows: Vec<(i64, String)> = match reader.conn() {
            Conn::Sqlite(c) => {
                sqlx::query_as::<Sqlite, (i64, String)>(&format!(
                    "SELECT k.round_id, k.result FROM round_results k \
                     WHERE k.round_id IN (SELECT value FROM json_each($1)) AND {valid}"
                ))
                .bind(bulk::json_ids(&wanted))
                .fetch_all(&mut *c)
                .await?
            }
            Conn::Postgres(c) => {
                sqlx::query_as::<Postgres, (i64, String)>(&format!(
                    "SELECT k.round_id, k.result FROM round_results k WHERE k.round_id = ANY($1) AND {valid}"
                ))
                .bind(&wanted)
                .fetch_all(&mut *c)
                .await?
            }
        };
        let mut kept = HashMap::with_capacity(rows.len());
        for (round, text) in rows {
            // A row that can't be read is only a missed shortcut: the round
            // is aggregated again and its row replaced.
            if let Some(result) = decode(&text) {
                kept.insert(RoundId(round), result);
            }
        }
        Ok(kept)
    }

    pub(super) async fn write_kept(&self, results: &[(RoundId, &GroupResult)]) -> Result<usize, StoreError> {
        if results.is_empty() {
            return Ok(0);
        }
        let rows = results
            .iter()
            .map(|(round, result)| {
                let responses = i64::try_from(result.respondents())
                    .map_err(|_| StoreError::Invalid(format!("round {round}: too many responses")))?;
                let text = serde_json::to_string(&result.keep())
                    .map_err(|e| StoreError::Invalid(format!("round {round}: its result can't be kept: {e}")))?;
                Ok((round.0, responses, text))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let valid = still_valid("v.column1", "v.column2");
        let mut kept = 0;
        let mut tx = self.write().await?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect();
            // The WHERE clause also tells SQLite's parser that ON CONFLICT
            // belongs to the INSERT, not to a join.
            let sql = format!(
                "INSERT INTO round_results (round_id, responses, result) \
                 SELECT v.column1, v.column2, v.column3 FROM (VALUES {}) AS v WHERE {valid} \
                 ON CONFLICT (round_id) DO UPDATE SET responses = excluded.responses, result = excluded.result",
                values.join(", ")
            );
            let done = on!(tx.conn(), |c| {
                let mut query = sqlx::query(&sql);
                for (round, responses, text) in chunk {
                    query = query.bind(*round).bind(*responses).bind(text.as_str());
                }
                query.execute(&mut *c).await.map(|done| done.rows_affected())
            })?;
            kept += usize::try_from(done).unwrap_or(usize::MAX);
        }
        tx.commit().await?;
        Ok(kept)
    }
}
