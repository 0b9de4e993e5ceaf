//! Teams, rounds, tokens and anonymous responses on SQLite: the SQL only.
//! The rules (what is refused when, and the messages) and the anonymity
//! notes live in `crate::org`, shared with PostgreSQL.
//!
//! Every write takes the process's write lock and `BEGIN IMMEDIATE` (see the
//! parent module), so the checks a write makes inside its transaction still
//! hold when it commits: no other writer can slip in between.

use std::collections::HashMap;

use asyncmm_core::{Answers, Intake, K, NewRound, Responses, Round, RoundId, Team, TeamName, TokenHash};
use sqlx::{FromRow, QueryBuilder, Row as _, Sqlite, SqliteConnection};
use time::Date;

use super::SqliteStore;
use crate::org::{self, NewResponses, ResponseGroups, RoundRow};
use crate::{StoreError, SubmitOutcome};

/// Rows per multi-row INSERT: SQLite allows at most 32,766 bound values per
/// statement; answers take 4 each, responses 3, tokens 2.
const ANSWER_ROWS_PER_INSERT: usize = 8_000;
const RESPONSE_ROWS_PER_INSERT: usize = 10_000;
const TOKEN_ROWS_PER_INSERT: usize = 10_000;

const SELECT_TEAMS: &str = "SELECT id, name, parent_id, archived FROM teams";

/// A round with its team's current name and its number of responses.
const ROUND_COLUMNS: &str = "r.id, t.name AS team, r.model_id, r.model_version, r.mode, r.k, r.opens_on, \
     r.closes_on, r.closed_on, r.published, r.intake, \
     (SELECT COUNT(*) FROM responses s WHERE s.round_id = r.id) AS responses";

#[derive(FromRow)]
struct TeamRow {
    id: i64,
    name: String,
    parent_id: Option<i64>,
    archived: bool,
}

impl TeamRow {
    fn into_team(self) -> Result<Team, StoreError> {
        org::team(self.id, self.name, self.parent_id, self.archived)
    }
}

#[derive(FromRow)]
struct SqliteRoundRow {
    id: i64,
    team: String,
    model_id: String,
    model_version: String,
    mode: String,
    k: i64,
    opens_on: String,
    closes_on: Option<String>,
    closed_on: Option<String>,
    published: bool,
    intake: Option<String>,
    responses: i64,
}

impl SqliteRoundRow {
    fn into_round(self) -> Result<Round, StoreError> {
        let context = format!("round {}", self.id);
        let day = |text: Option<String>| text.map(|t| org::parse_day(&t, &context)).transpose();
        let opens_on = org::parse_day(&self.opens_on, &context)?;
        let closes_on = day(self.closes_on)?;
        let closed_on = day(self.closed_on)?;
        RoundRow {
            id: self.id,
            team: self.team,
            model_id: self.model_id,
            model_version: self.model_version,
            mode: self.mode,
            k: self.k,
            opens_on,
            closes_on,
            closed_on,
            published: self.published,
            intake: self.intake,
            responses: self.responses,
        }
        .into_round()
    }
}

async fn team_by_name(conn: &mut SqliteConnection, name: &TeamName) -> Result<Team, StoreError> {
    let row: Option<TeamRow> = sqlx::query_as(&format!("{SELECT_TEAMS} WHERE name = ?"))
        .bind(name.as_str())
        .fetch_optional(conn)
        .await?;
    row.ok_or_else(|| org::team_not_found(name))?.into_team()
}

async fn team_exists(conn: &mut SqliteConnection, name: &TeamName) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM teams WHERE name = ?")
        .bind(name.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

async fn round_by_id(conn: &mut SqliteConnection, id: RoundId) -> Result<Round, StoreError> {
    let row: Option<SqliteRoundRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM rounds r JOIN teams t ON t.id = r.team_id WHERE r.id = ?"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    row.ok_or_else(|| org::round_not_found(id))?.into_round()
}

async fn insert_tokens(conn: &mut SqliteConnection, round: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError> {
    for chunk in tokens.chunks(TOKEN_ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO tokens (hash, round_id) ");
        insert.push_values(chunk, |mut values, hash| {
            values.push_bind(org::hash_bytes(hash)).push_bind(round.0);
        });
        insert
            .build()
            .execute(&mut *conn)
            .await
            .map_err(|e| org::unique_or(e, || org::tokens_taken(round)))?;
    }
    Ok(())
}

async fn insert_responses(
    conn: &mut SqliteConnection,
    round: RoundId,
    responses: &NewResponses,
    day: &str,
) -> Result<(), StoreError> {
    for chunk in responses.ids.chunks(RESPONSE_ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO responses (id, round_id, submitted_on) ");
        insert.push_values(chunk, |mut values, id| {
            values.push_bind(*id).push_bind(round.0).push_bind(day);
        });
        insert.build().execute(&mut *conn).await?;
    }
    let mut answers = responses.chunks();
    loop {
        let chunk = answers.next_chunk(ANSWER_ROWS_PER_INSERT);
        if chunk.is_empty() {
            break;
        }
        let mut insert =
            QueryBuilder::<Sqlite>::new("INSERT INTO response_answers (round_id, response_id, item, value) ");
        insert.push_values(chunk, |mut values, (response, item, value)| {
            values
                .push_bind(round.0)
                .push_bind(response)
                .push_bind(item)
                .push_bind(value);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

async fn set_intake(conn: &mut SqliteConnection, round: RoundId, intake: Intake) -> Result<(), StoreError> {
    sqlx::query("UPDATE rounds SET intake = ? WHERE id = ?")
        .bind(intake.as_str())
        .bind(round.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Seals a closed round inside the caller's transaction: tokens that
/// answered are spent and unlinked, responses dated to the closing day (see
/// `crate::org`).
async fn seal(conn: &mut SqliteConnection, round: &Round, today: Date) -> Result<(), StoreError> {
    let day = org::day_text(org::closing_day(round, today))?;
    sqlx::query("UPDATE tokens SET spent = 1, response_id = NULL WHERE round_id = ? AND response_id IS NOT NULL")
        .bind(round.id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE responses SET submitted_on = ? WHERE round_id = ?")
        .bind(&day)
        .bind(round.id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE rounds SET sealed = 1 WHERE id = ?")
        .bind(round.id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `[1,2,3]`: a list of ids bound as one value and read with `json_each`,
/// so a thousand rounds take one statement instead of a thousand
/// placeholders.
fn json_ids(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

impl SqliteStore {
    pub(super) async fn insert_team(&self, name: &TeamName, parent: Option<&TeamName>) -> Result<Team, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let parent_id = match parent {
            Some(parent) => {
                let parent = team_by_name(&mut tx, parent).await?;
                if parent.archived {
                    return Err(org::team_archived(&parent.name, "no team can be added under it"));
                }
                Some(parent.id.0)
            }
            None => None,
        };
        if team_exists(&mut tx, name).await? {
            return Err(org::team_exists(name));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO teams (name, parent_id) VALUES (?, ?) RETURNING id")
            .bind(name.as_str())
            .bind(parent_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| org::unique_or(e, || org::team_exists(name)))?;
        tx.commit().await?;
        org::team(id, name.to_string(), parent_id, false)
    }

    pub(super) async fn team_named(&self, name: &TeamName) -> Result<Team, StoreError> {
        let mut conn = self.pool.acquire().await?;
        team_by_name(&mut conn, name).await
    }

    pub(super) async fn org_teams(&self, include_archived: bool) -> Result<Vec<Team>, StoreError> {
        let sql = if include_archived {
            SELECT_TEAMS.to_string()
        } else {
            format!("{SELECT_TEAMS} WHERE archived = 0")
        };
        let rows: Vec<TeamRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        let mut teams = rows
            .into_iter()
            .map(TeamRow::into_team)
            .collect::<Result<Vec<_>, _>>()?;
        org::sort_teams(&mut teams);
        Ok(teams)
    }

    pub(super) async fn rename(&self, from: &TeamName, to: &TeamName) -> Result<Team, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut team = team_by_name(&mut tx, from).await?;
        if from == to {
            return Ok(team);
        }
        if team_exists(&mut tx, to).await? {
            return Err(org::team_exists(to));
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM assessments WHERE team = ? LIMIT 1")
            .bind(to.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(org::assessments_under(from, to));
        }
        sqlx::query("UPDATE teams SET name = ? WHERE id = ?")
            .bind(to.as_str())
            .bind(team.id.0)
            .execute(&mut *tx)
            .await?;
        // The history follows the team: its self-assessments keep the team
        // as text.
        sqlx::query("UPDATE assessments SET team = ? WHERE team = ?")
            .bind(to.as_str())
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
        // Its plans follow it too (kept by name, like self-assessments).
        for table in ["goals", "actions"] {
            sqlx::query(&format!("UPDATE {table} SET team = ? WHERE team = ?"))
                .bind(to.as_str())
                .bind(from.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        team.name = to.clone();
        Ok(team)
    }

    pub(super) async fn move_under(&self, name: &TeamName, new_parent: Option<&TeamName>) -> Result<Team, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut team = team_by_name(&mut tx, name).await?;
        let parent_id = match new_parent {
            Some(parent_name) => {
                let parent = team_by_name(&mut tx, parent_name).await?;
                if parent.archived {
                    return Err(org::team_archived(&parent.name, "no team can be moved under it"));
                }
                // Walk up from the new parent: meeting the team means the
                // parent is inside it. UNION (not ALL) stops even on a
                // cycle already in the data.
                let inside: Option<i64> = sqlx::query_scalar(
                    "WITH RECURSIVE up (id, parent_id) AS ( \
                         SELECT id, parent_id FROM teams WHERE id = ? \
                         UNION SELECT t.id, t.parent_id FROM teams t JOIN up ON t.id = up.parent_id) \
                     SELECT 1 FROM up WHERE id = ?",
                )
                .bind(parent.id.0)
                .bind(team.id.0)
                .fetch_optional(&mut *tx)
                .await?;
                if inside.is_some() {
                    return Err(org::cycle(name, parent_name));
                }
                Some(parent.id)
            }
            None => None,
        };
        sqlx::query("UPDATE teams SET parent_id = ? WHERE id = ?")
            .bind(parent_id.map(|p| p.0))
            .bind(team.id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        team.parent = parent_id;
        Ok(team)
    }

    pub(super) async fn archive(&self, name: &TeamName) -> Result<Team, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut team = team_by_name(&mut tx, name).await?;
        let children: Vec<String> = sqlx::query_scalar("SELECT name FROM teams WHERE parent_id = ? AND archived = 0")
            .bind(team.id.0)
            .fetch_all(&mut *tx)
            .await?;
        org::check_archive(&team, &children)?;
        sqlx::query("UPDATE teams SET archived = 1 WHERE id = ?")
            .bind(team.id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        team.archived = true;
        Ok(team)
    }

    pub(super) async fn insert_round(&self, new: &NewRound, tokens: &[TokenHash]) -> Result<Round, StoreError> {
        org::check_round_dates(new.opens_on, new.closes_on)?;
        let k = org::k_value(new.k)?;
        let opens_on = org::day_text(new.opens_on)?;
        let closes_on = new.closes_on.map(org::day_text).transpose()?;

        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let team = team_by_name(&mut tx, &new.team).await?;
        if team.archived {
            return Err(org::team_archived(
                &team.name,
                "rounds can only be opened for active teams",
            ));
        }
        let registered: Option<i64> = sqlx::query_scalar("SELECT 1 FROM models WHERE model_id = ? AND version = ?")
            .bind(&new.model.id)
            .bind(&new.model.version)
            .fetch_optional(&mut *tx)
            .await?;
        if registered.is_none() {
            return Err(org::unregistered_model(&new.model, &new.team));
        }
        let intake = (!tokens.is_empty()).then_some(Intake::Tokens);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rounds (team_id, model_id, model_version, mode, k, opens_on, closes_on, intake) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(team.id.0)
        .bind(&new.model.id)
        .bind(&new.model.version)
        .bind(new.mode.as_str())
        .bind(k)
        .bind(&opens_on)
        .bind(&closes_on)
        .bind(intake.map(Intake::as_str))
        .fetch_one(&mut *tx)
        .await?;
        insert_tokens(&mut tx, RoundId(id), tokens).await?;
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
        let mut conn = self.pool.acquire().await?;
        round_by_id(&mut conn, id).await
    }

    pub(super) async fn round_list(&self, team: Option<&TeamName>) -> Result<Vec<Round>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let select = format!("SELECT {ROUND_COLUMNS} FROM rounds r JOIN teams t ON t.id = r.team_id");
        let rows: Vec<SqliteRoundRow> = match team {
            Some(name) => {
                let team = team_by_name(&mut conn, name).await?;
                sqlx::query_as(&format!("{select} WHERE r.team_id = ? ORDER BY r.opens_on, r.id"))
                    .bind(team.id.0)
                    .fetch_all(&mut *conn)
                    .await?
            }
            None => {
                sqlx::query_as(&format!("{select} ORDER BY r.opens_on, r.id"))
                    .fetch_all(&mut *conn)
                    .await?
            }
        };
        rows.into_iter().map(SqliteRoundRow::into_round).collect()
    }

    pub(super) async fn latest_rounds(&self) -> Result<Vec<Round>, StoreError> {
        // One index probe per team (rounds_team_opens_on, newest first).
        let rows: Vec<SqliteRoundRow> = sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM teams t JOIN rounds r ON r.id = ( \
                 SELECT r2.id FROM rounds r2 WHERE r2.team_id = t.id \
                 ORDER BY r2.opens_on DESC, r2.id DESC LIMIT 1) \
             WHERE t.archived = 0"
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut rounds = rows
            .into_iter()
            .map(SqliteRoundRow::into_round)
            .collect::<Result<Vec<_>, _>>()?;
        rounds.sort_by(|a, b| a.team.cmp(&b.team));
        Ok(rounds)
    }

    pub(super) async fn change_k(&self, id: RoundId, k: K) -> Result<Round, StoreError> {
        let stored_k = org::k_value(k)?;
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut round = round_by_id(&mut tx, id).await?;
        org::check_k_change(&round)?;
        sqlx::query("UPDATE rounds SET k = ? WHERE id = ?")
            .bind(stored_k)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        round.k = k;
        Ok(round)
    }

    pub(super) async fn close(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        let day = org::day_text(org::check_date(on, "the closing day")?)?;
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut round = round_by_id(&mut tx, id).await?;
        org::check_close(&round, on)?;
        sqlx::query("UPDATE rounds SET closed_on = ? WHERE id = ?")
            .bind(&day)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        round.closed_on = Some(on);
        seal(&mut tx, &round, on).await?;
        tx.commit().await?;
        Ok(round)
    }

    pub(super) async fn seal_closed(&self, today: Date) -> Result<Vec<RoundId>, StoreError> {
        let day = org::day_text(org::check_date(today, "today")?)?;
        let pending = "SELECT id FROM rounds WHERE sealed = 0 AND (closed_on IS NOT NULL OR closes_on < ?)";
        let waiting: Vec<i64> = sqlx::query_scalar(pending).bind(&day).fetch_all(&self.pool).await?;
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Read again under the lock: another process may have sealed them.
        let waiting: Vec<i64> = sqlx::query_scalar(pending).bind(&day).fetch_all(&mut *tx).await?;
        let mut sealed = Vec::with_capacity(waiting.len());
        for id in waiting {
            let round = round_by_id(&mut tx, RoundId(id)).await?;
            seal(&mut tx, &round, today).await?;
            sealed.push(round.id);
        }
        tx.commit().await?;
        Ok(sealed)
    }

    pub(super) async fn reopen(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut round = round_by_id(&mut tx, id).await?;
        let closes_on = org::check_reopen(&round, on)?;
        sqlx::query("UPDATE rounds SET closed_on = NULL, closes_on = ?, sealed = 0 WHERE id = ?")
            .bind(closes_on.map(org::day_text).transpose()?)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        round.closed_on = None;
        round.closes_on = closes_on;
        Ok(round)
    }

    pub(super) async fn publish(&self, id: RoundId) -> Result<Round, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut round = round_by_id(&mut tx, id).await?;
        sqlx::query("UPDATE rounds SET published = 1 WHERE id = ?")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        round.published = true;
        Ok(round)
    }

    pub(super) async fn publish_many(&self, ids: &[RoundId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let list = json_ids(&ids.iter().map(|id| id.0).collect::<Vec<_>>());
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE rounds SET published = 1 WHERE id IN (SELECT value FROM json_each(?))")
            .bind(&list)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn issue_tokens(&self, id: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let round = round_by_id(&mut tx, id).await?;
        org::check_add_tokens(&round)?;
        insert_tokens(&mut tx, id, tokens).await?;
        if round.intake.is_none() && !tokens.is_empty() {
            set_intake(&mut tx, id, Intake::Tokens).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn submit(
        &self,
        id: RoundId,
        token: &TokenHash,
        answers: &Answers,
        today: Date,
    ) -> Result<SubmitOutcome, StoreError> {
        let day = org::day_text(org::check_date(today, "the day of the response")?)?;
        let response = NewResponses::prepare(std::slice::from_ref(answers))?;
        let hash = org::hash_bytes(token);

        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let round = round_by_id(&mut tx, id).await?;
        let token_row: Option<(Option<i64>, bool)> =
            sqlx::query_as("SELECT response_id, spent FROM tokens WHERE hash = ? AND round_id = ?")
                .bind(&hash)
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((previous, spent)) = token_row else {
            return Err(org::unknown_token(id));
        };
        org::check_open(&round, today)?;
        if spent {
            return Err(org::Refusal::TokenSpent { round: id }.into());
        }
        org::check_submit(&round, answers)?;
        if let Some(previous) = previous {
            // A revision replaces the whole response; its answers go with it
            // (ON DELETE CASCADE) and the token's link is re-pointed below.
            sqlx::query("DELETE FROM responses WHERE id = ?")
                .bind(previous)
                .execute(&mut *tx)
                .await?;
        }
        insert_responses(&mut tx, id, &response, &day).await?;
        sqlx::query("UPDATE tokens SET response_id = ? WHERE hash = ?")
            .bind(response.ids.first().copied())
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(match previous {
            Some(_) => SubmitOutcome::Revised,
            None => SubmitOutcome::Created,
        })
    }

    pub(super) async fn import(&self, id: RoundId, responses: &[Answers], today: Date) -> Result<usize, StoreError> {
        let day = org::day_text(org::check_date(today, "the day of the import")?)?;
        let prepared = NewResponses::prepare(responses)?;
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let round = round_by_id(&mut tx, id).await?;
        org::check_import(&round, responses)?;
        insert_responses(&mut tx, id, &prepared, &day).await?;
        if round.intake.is_none() {
            set_intake(&mut tx, id, Intake::Import).await?;
        }
        tx.commit().await?;
        Ok(responses.len())
    }

    pub(super) async fn answers_of_round(&self, id: RoundId) -> Result<Responses, StoreError> {
        let mut groups = self.answers_of(&[id]).await?;
        Ok(groups.remove(&id).unwrap_or_default())
    }

    pub(super) async fn answers_of(&self, ids: &[RoundId]) -> Result<HashMap<RoundId, Responses>, StoreError> {
        let mut wanted: Vec<i64> = ids.iter().map(|id| id.0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let list = json_ids(&wanted);
        // One connection for both queries: a single read transaction isn't
        // needed (responses never move between rounds), but it saves a
        // pool round trip.
        let mut conn = self.pool.acquire().await?;
        let modes: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, mode FROM rounds WHERE id IN (SELECT value FROM json_each(?))")
                .bind(&list)
                .fetch_all(&mut *conn)
                .await?;
        let modes = org::round_modes(&wanted, modes)?;
        let mut groups = ResponseGroups::new(modes);
        // One row per response (see `org::SQLITE_PACKED_ANSWERS`), in
        // primary-key order: each round is one range of the key, grouped
        // without a sort, and the random response ids make the order stable
        // but meaningless.
        let rows = sqlx::query(&format!(
            "SELECT round_id, {} FROM response_answers WHERE round_id IN (SELECT value FROM json_each(?)) \
             GROUP BY round_id, response_id ORDER BY round_id, response_id",
            org::SQLITE_PACKED_ANSWERS
        ))
        .bind(&list)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            groups.push(row.try_get(0)?, row.try_get::<&str, _>(1)?)?;
        }
        Ok(groups.finish())
    }
}
