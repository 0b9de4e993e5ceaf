//! Rounds, respondent tokens and anonymous responses: open, close (sealing),
//! reopen, k, tokens, answers by token, imports, and reading responses back
//! for aggregation. The rules and messages are in `crate::org`, with what
//! the schema promises about anonymity.

use std::collections::HashMap;

use asyncmm_core::{Answers, Intake, K, NewRound, Responses, Round, RoundId, RoundState, TeamName, TokenHash};
use sqlx::FromRow;
use time::Date;

use super::teams::team_by_name;
use super::{Backend, Conn, Database, Lock, bulk, group_commit, kept, on};
use crate::org::{self, NewResponses, ResponseGroups, RoundRow};
use crate::{Refusal, StoreError, SubmitOutcome, TokenRound, TokenStatus};

/// A round with its team's current name and its number of responses.
pub(super) const ROUND_COLUMNS: &str = "r.id, t.name AS team, r.model_id, r.model_version, r.mode, r.k, r.opens_on, \
     r.closes_on, r.closed_on, r.published, r.intake, \
     (SELECT COUNT(*) FROM responses s WHERE s.round_id = r.id) AS responses";

#[derive(FromRow)]
pub(super) struct RoundColumns {
    id: i64,
    team: String,
    model_id: String,
    model_version: String,
    mode: String,
    k: i16,
    opens_on: Date,
    closes_on: Option<Date>,
    closed_on: Option<Date>,
    published: bool,
    intake: Option<String>,
    responses: i64,
}

impl RoundColumns {
    pub(super) fn into_round(self) -> Result<Round, StoreError> {
        RoundRow {
            id: self.id,
            team: self.team,
            model_id: self.model_id,
            model_version: self.model_version,
            mode: self.mode,
            k: i64::from(self.k),
            opens_on: self.opens_on,
            closes_on: self.closes_on,
            closed_on: self.closed_on,
            published: self.published,
            intake: self.intake,
            responses: self.responses,
        }
        .into_round()
    }
}

/// A token's round with the token's own columns.
#[derive(FromRow)]
struct TokenRoundColumns {
    #[sqlx(flatten)]
    round: RoundColumns,
    token_response: Option<i64>,
    token_spent: bool,
}

impl TokenRoundColumns {
    fn status(&self) -> TokenStatus {
        TokenStatus {
            round: RoundId(self.round.id),
            answered: self.token_response.is_some(),
            spent: self.token_spent,
        }
    }
}

/// [`TokenRoundColumns`] with one of the token's answers, if it has any.
#[derive(FromRow)]
struct TokenAnswerRow {
    #[sqlx(flatten)]
    token: TokenRoundColumns,
    answer_item: Option<String>,
    answer_value: Option<i16>,
}

pub(super) async fn round_by_id(conn: Conn<'_>, id: RoundId) -> Result<Round, StoreError> {
    let row: Option<RoundColumns> = on!(conn, |c| {
        sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds r JOIN teams t ON t.id = r.team_id WHERE r.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await
    })?;
    row.ok_or_else(|| org::round_not_found(id))?.into_round()
}

async fn set_intake(conn: Conn<'_>, round: RoundId, intake: Intake) -> Result<(), StoreError> {
    on!(conn, |c| {
        sqlx::query("UPDATE rounds SET intake = $1 WHERE id = $2")
            .bind(intake.as_str())
            .bind(round.0)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Seals a closed round inside the caller's transaction: tokens that
/// answered are spent and unlinked, responses dated to the closing day (see
/// `crate::org`).
async fn seal(mut conn: Conn<'_>, round: &Round, today: Date) -> Result<(), StoreError> {
    let day = org::check_date(org::closing_day(round, today), "the closing day")?;
    on!(conn.re(), |c| {
        sqlx::query(
            "UPDATE tokens SET spent = TRUE, response_id = NULL WHERE round_id = $1 AND response_id IS NOT NULL",
        )
        .bind(round.id.0)
        .execute(&mut *c)
        .await
        .map(|done| done.rows_affected())
    })?;
    on!(conn.re(), |c| {
        sqlx::query("UPDATE responses SET submitted_on = $1 WHERE round_id = $2")
            .bind(day)
            .bind(round.id.0)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
    })?;
    on!(conn, |c| {
        sqlx::query("UPDATE rounds SET sealed = TRUE WHERE id = $1")
            .bind(round.id.0)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

impl Database {
    /// A round read inside a write transaction, its row locked first on
    /// PostgreSQL (so its response count is current).
    async fn locked_round(&self, mut conn: Conn<'_>, id: RoundId, lock: Lock) -> Result<Round, StoreError> {
        let lock = self.lock(lock);
        if !lock.is_empty() {
            let found: Option<i64> = on!(conn.re(), |c| {
                sqlx::query_scalar(&format!("SELECT id FROM rounds WHERE id = $1{lock}"))
                    .bind(id.0)
                    .fetch_optional(&mut *c)
                    .await
            })?;
            if found.is_none() {
                return Err(org::round_not_found(id));
            }
        }
        round_by_id(conn, id).await
    }

    pub(super) async fn insert_round(&self, new: &NewRound, tokens: &[TokenHash]) -> Result<Round, StoreError> {
        org::check_round_dates(new.opens_on, new.closes_on)?;
        let k = org::k_value(new.k)?;
        let mut tx = self.write().await?;
        let team = team_by_name(tx.conn(), &new.team, self.lock(Lock::Share)).await?;
        if team.archived {
            return Err(org::team_archived(
                &team.name,
                "rounds can only be opened for active teams",
            ));
        }
        let registered: Option<i32> = on!(tx.conn(), |c| {
            sqlx::query_scalar("SELECT 1 FROM models WHERE model_id = $1 AND version = $2")
                .bind(&new.model.id)
                .bind(&new.model.version)
                .fetch_optional(&mut *c)
                .await
        })?;
        if registered.is_none() {
            return Err(org::unregistered_model(&new.model, &new.team));
        }
        let intake = (!tokens.is_empty()).then_some(Intake::Tokens);
        let id: i64 = on!(tx.conn(), |c| {
            sqlx::query_scalar(
                "INSERT INTO rounds (team_id, model_id, model_version, mode, k, opens_on, closes_on, intake) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(team.id.0)
            .bind(&new.model.id)
            .bind(&new.model.version)
            .bind(new.mode.as_str())
            .bind(k)
            .bind(new.opens_on)
            .bind(new.closes_on)
            .bind(intake.map(Intake::as_str))
            .fetch_one(&mut *c)
            .await
        })?;
        bulk::insert_tokens(tx.conn(), RoundId(id), tokens).await?;
        tx.commit().await?;
        Ok(Round {
            id: RoundId(id),
            team: team.name,
            model: new.model.clone(),
            mode: new.mode,
            k: new.k,
            opens_on: new.opens_on,
            closes_on: new.closes_on,
            closed_on: None,
            published: false,
            intake,
            responses: 0,
        })
    }

    pub(super) async fn round_with_id(&self, id: RoundId) -> Result<Round, StoreError> {
        let mut reader = self.read().await?;
        round_by_id(reader.conn(), id).await
    }

    pub(super) async fn round_list(&self, team: Option<&TeamName>) -> Result<Vec<Round>, StoreError> {
        let mut reader = self.read().await?;
        let select = format!("SELECT {ROUND_COLUMNS} FROM rounds r JOIN teams t ON t.id = r.team_id");
        let rows: Vec<RoundColumns> = match team {
            Some(name) => {
                let team = team_by_name(reader.conn(), name, "").await?;
                on!(reader.conn(), |c| {
                    sqlx::query_as(&format!("{select} WHERE r.team_id = $1 ORDER BY r.opens_on, r.id"))
                        .bind(team.id.0)
                        .fetch_all(&mut *c)
                        .await
                })?
            }
            None => on!(reader.conn(), |c| {
                sqlx::query_as(&format!("{select} ORDER BY r.opens_on, r.id"))
                    .fetch_all(&mut *c)
                    .await
            })?,
        };
        rows.into_iter().map(RoundColumns::into_round).collect()
    }

    /// A window of the team's rounds, newest first, and their number, from
    /// one snapshot: the database skips and limits, so a page reads only
    /// its own rows (rounds_team_opens_on serves the order).
    pub(super) async fn round_window(
        &self,
        team: &TeamName,
        window: crate::Window,
    ) -> Result<crate::Listed<Round>, StoreError> {
        let mut tx = self.snapshot().await?;
        let team = team_by_name(tx.conn(), team, "").await?;
        let total: i64 = on!(tx.conn(), |c| {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM rounds WHERE team_id = $1")
                .bind(team.id.0)
                .fetch_one(&mut *c)
                .await
        })?;
        let rows: Vec<RoundColumns> = on!(tx.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT {ROUND_COLUMNS} FROM rounds r JOIN teams t ON t.id = r.team_id WHERE r.team_id = $1 \
                 ORDER BY r.opens_on DESC, r.id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(team.id.0)
            .bind(i64::from(window.limit))
            .bind(i64::try_from(window.offset).unwrap_or(i64::MAX))
            .fetch_all(&mut *c)
            .await
        })?;
        tx.commit().await?;
        Ok(crate::Listed {
            items: rows
                .into_iter()
                .map(RoundColumns::into_round)
                .collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    pub(super) async fn latest_rounds(&self) -> Result<Vec<Round>, StoreError> {
        let mut reader = self.read().await?;
        // One index probe per team (rounds_team_opens_on, newest first).
        let rows: Vec<RoundColumns> = on!(reader.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT {ROUND_COLUMNS} FROM teams t JOIN rounds r ON r.id = ( \
                     SELECT r2.id FROM rounds r2 WHERE r2.team_id = t.id \
                     ORDER BY r2.opens_on DESC, r2.id DESC LIMIT 1) \
                 WHERE t.archived = FALSE"
            ))
            .fetch_all(&mut *c)
            .await
        })?;
        let mut rounds = rows
            .into_iter()
            .map(RoundColumns::into_round)
            .collect::<Result<Vec<_>, _>>()?;
        rounds.sort_by(|a, b| a.team.cmp(&b.team));
        Ok(rounds)
    }

    pub(super) async fn change_k(&self, id: RoundId, k: K) -> Result<Round, StoreError> {
        let stored_k = org::k_value(k)?;
        let mut tx = self.write().await?;
        let mut round = self.locked_round(tx.conn(), id, Lock::Update).await?;
        org::check_k_change(&round)?;
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE rounds SET k = $1 WHERE id = $2")
                .bind(stored_k)
                .bind(id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        kept::forget(tx.conn(), id).await?;
        tx.commit().await?;
        round.k = k;
        Ok(round)
    }

    pub(super) async fn close(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        org::check_date(on, "the closing day")?;
        let mut tx = self.write().await?;
        let mut round = self.locked_round(tx.conn(), id, Lock::Update).await?;
        org::check_close(&round, on)?;
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE rounds SET closed_on = $1 WHERE id = $2")
                .bind(on)
                .bind(id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        round.closed_on = Some(on);
        seal(tx.conn(), &round, on).await?;
        tx.commit().await?;
        Ok(round)
    }

    pub(super) async fn seal_closed(&self, today: Date) -> Result<Vec<RoundId>, StoreError> {
        org::check_date(today, "today")?;
        let pending = "SELECT id FROM rounds WHERE sealed = FALSE AND (closed_on IS NOT NULL OR closes_on < $1) \
                       ORDER BY id";
        // A cheap read first: nothing to seal (the usual case) takes no
        // write lock.
        let waiting: Vec<i64> = {
            let mut reader = self.read().await?;
            on!(reader.conn(), |c| sqlx::query_scalar(pending)
                .bind(today)
                .fetch_all(&mut *c)
                .await)?
        };
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write().await?;
        let mut sealed = Vec::with_capacity(waiting.len());
        for id in waiting {
            // Locked and read again: another process may have sealed it.
            let round = self.locked_round(tx.conn(), RoundId(id), Lock::Update).await?;
            let done: bool = on!(tx.conn(), |c| {
                sqlx::query_scalar("SELECT sealed FROM rounds WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *c)
                    .await
            })?;
            if !done {
                seal(tx.conn(), &round, today).await?;
                sealed.push(round.id);
            }
        }
        tx.commit().await?;
        Ok(sealed)
    }

    pub(super) async fn reopen(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        let mut tx = self.write().await?;
        let mut round = self.locked_round(tx.conn(), id, Lock::Update).await?;
        let closes_on = org::check_reopen(&round, on)?;
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE rounds SET closed_on = NULL, closes_on = $1, sealed = FALSE WHERE id = $2")
                .bind(closes_on)
                .bind(id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        kept::forget(tx.conn(), id).await?;
        tx.commit().await?;
        round.closed_on = None;
        round.closes_on = closes_on;
        Ok(round)
    }

    pub(super) async fn publish(&self, id: RoundId) -> Result<Round, StoreError> {
        let mut tx = self.write().await?;
        let mut round = self.locked_round(tx.conn(), id, Lock::Update).await?;
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE rounds SET published = TRUE WHERE id = $1")
                .bind(id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await?;
        round.published = true;
        Ok(round)
    }

    pub(super) async fn publish_many(&self, ids: &[RoundId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let mut tx = self.write().await?;
        bulk::publish_rounds(tx.conn(), &ids).await?;
        tx.commit().await
    }

    pub(super) async fn issue_tokens(&self, id: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let round = self.locked_round(tx.conn(), id, Lock::Update).await?;
        org::check_add_tokens(&round)?;
        bulk::insert_tokens(tx.conn(), id, tokens).await?;
        if round.intake.is_none() && !tokens.is_empty() {
            set_intake(tx.conn(), id, Intake::Tokens).await?;
        }
        tx.commit().await
    }

    pub(super) async fn share(&self, id: RoundId, link: &TokenHash, today: Date) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let round = self.locked_round(tx.conn(), id, Lock::Update).await?;
        org::check_add_tokens(&round)?;
        if round.state(today) == RoundState::Closed {
            return Err(Refusal::RoundClosed { round: id }.into());
        }
        on!(tx.conn(), |c| {
            sqlx::query(
                "INSERT INTO round_links (round_id, hash) VALUES ($1, $2) \
                 ON CONFLICT (round_id) DO UPDATE SET hash = excluded.hash",
            )
            .bind(id.0)
            .bind(link.0.as_slice())
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
        tx.commit().await
    }

    pub(super) async fn shared_link_round(&self, link: &TokenHash) -> Result<RoundId, StoreError> {
        let mut reader = self.read().await?;
        let found: Option<i64> = on!(reader.conn(), |c| {
            sqlx::query_scalar("SELECT round_id FROM round_links WHERE hash = $1")
                .bind(link.0.as_slice())
                .fetch_optional(&mut *c)
                .await
        })?;
        found
            .map(RoundId)
            .ok_or_else(|| StoreError::NotFound("shared link".to_string()))
    }

    pub(super) async fn token_state(&self, token: &TokenHash) -> Result<TokenStatus, StoreError> {
        let mut reader = self.read().await?;
        let found: Option<(i64, Option<i64>, bool)> = on!(reader.conn(), |c| {
            sqlx::query_as("SELECT round_id, response_id, spent FROM tokens WHERE hash = $1")
                .bind(token.0.as_slice())
                .fetch_optional(&mut *c)
                .await
        })?;
        let (round, response, spent) = found.ok_or_else(|| StoreError::NotFound("respondent token".to_string()))?;
        Ok(TokenStatus {
            round: RoundId(round),
            answered: response.is_some(),
            spent,
        })
    }

    pub(super) async fn token_with_round(&self, token: &TokenHash) -> Result<TokenRound, StoreError> {
        let mut reader = self.read().await?;
        // One statement: every page a respondent opens or saves reads it.
        // The token's row (with its round's, counted once) is materialised
        // before the answers are joined to it, so the count isn't repeated
        // per answer; the answers are found through the whole key of
        // `response_answers`.
        let rows: Vec<TokenAnswerRow> = on!(reader.conn(), |c| {
            sqlx::query_as(&format!(
                "WITH x AS MATERIALIZED (SELECT {ROUND_COLUMNS}, k.response_id AS token_response, \
                 k.spent AS token_spent FROM tokens k JOIN rounds r ON r.id = k.round_id \
                 JOIN teams t ON t.id = r.team_id WHERE k.hash = $1) \
                 SELECT x.*, a.item AS answer_item, CAST(a.value AS SMALLINT) AS answer_value FROM x \
                 LEFT JOIN response_answers a ON a.round_id = x.id AND a.response_id = x.token_response \
                 ORDER BY a.item"
            ))
            .bind(token.0.as_slice())
            .fetch_all(&mut *c)
            .await
        })?;
        let mut rows = rows.into_iter();
        let first = rows
            .next()
            .ok_or_else(|| StoreError::NotFound("respondent token".to_string()))?;
        let status = first.token.status();
        let answered = first.token.token_response.is_some();
        let first_answer = (first.answer_item, first.answer_value);
        let round = first.token.round.into_round()?;
        let answers = if answered {
            let given = std::iter::once(first_answer)
                .chain(rows.map(|row| (row.answer_item, row.answer_value)))
                .filter_map(|(item, value)| item.map(|item| (item, value)));
            Some(Answers::from_rows(round.mode, given).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        } else {
            None
        };
        Ok(TokenRound { status, round, answers })
    }

    pub(super) async fn submit(
        &self,
        id: RoundId,
        token: &TokenHash,
        answers: &Answers,
        today: Date,
    ) -> Result<SubmitOutcome, StoreError> {
        org::check_date(today, "the day of the response")?;
        let response = NewResponses::prepare(std::slice::from_ref(answers))?;
        let hash = org::hash_bytes(token);
        if let Backend::Sqlite(sqlite) = &self.backend {
            let save = group_commit::Save {
                round: id,
                hash,
                answers: answers.clone(),
                response,
                today,
            };
            return sqlite
                .saves
                .submit(&sqlite.pool, &sqlite.write_lock, sqlite.is_file(), save)
                .await;
        }

        let mut tx = self.write().await?;
        // PostgreSQL from here (SQLite's saves take turns in the writer
        // task above). The round and the token in one statement, both
        // locked: the round shared (a close or a change of k waits for this
        // response), the token for update (a second save of the same token
        // waits for this one).
        let lock = " FOR SHARE OF r FOR UPDATE OF k";
        let found: Option<TokenRoundColumns> = on!(tx.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT {ROUND_COLUMNS}, k.response_id AS token_response, k.spent AS token_spent \
                 FROM tokens k JOIN rounds r ON r.id = k.round_id JOIN teams t ON t.id = r.team_id \
                 WHERE k.hash = $1 AND k.round_id = $2{lock}"
            ))
            .bind(&hash)
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await
        })?;
        let Some(found) = found else {
            // Only to choose the message: a round that doesn't exist says
            // so, a token of another round is "unknown" like a made-up one.
            round_by_id(tx.conn(), id).await?;
            return Err(org::unknown_token(id));
        };
        let (previous, spent) = (found.token_response, found.token_spent);
        let round = found.round.into_round()?;
        org::check_open(&round, today)?;
        if spent {
            return Err(org::Refusal::TokenSpent { round: id }.into());
        }
        org::check_submit(&round, answers)?;
        // A revision replaces the whole response, its answers with it, and
        // the round's kept result (if any) goes in the same write.
        bulk::replace_response(tx.conn(), id, &hash, previous, &response, today).await?;
        tx.commit().await?;
        Ok(match previous {
            Some(_) => SubmitOutcome::Revised,
            None => SubmitOutcome::Created,
        })
    }

    pub(super) async fn import(&self, id: RoundId, responses: &[Answers], today: Date) -> Result<usize, StoreError> {
        org::check_date(today, "the day of the import")?;
        let prepared = NewResponses::prepare(responses)?;
        let mut tx = self.write().await?;
        let round = self.locked_round(tx.conn(), id, Lock::Update).await?;
        org::check_import(&round, responses)?;
        bulk::insert_responses(tx.conn(), id, &prepared, today).await?;
        if round.intake.is_none() {
            set_intake(tx.conn(), id, Intake::Import).await?;
        }
        kept::forget(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(responses.len())
    }

    pub(super) async fn answers_of(&self, ids: &[RoundId]) -> Result<HashMap<RoundId, Responses>, StoreError> {
        let mut wanted: Vec<i64> = ids.iter().map(|id| id.0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        // One connection for both queries: responses never move between
        // rounds, so no transaction is needed.
        let mut reader = self.read().await?;
        let modes = org::round_modes(&wanted, bulk::round_modes(reader.conn(), &wanted).await?)?;
        let mut groups = ResponseGroups::new(modes);
        for (round, packed) in bulk::packed_answers(reader.conn(), &wanted).await? {
            groups.push(round, &packed)?;
        }
        Ok(groups.finish())
    }
}
