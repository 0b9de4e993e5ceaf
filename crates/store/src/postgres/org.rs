//! Teams, rounds, tokens and anonymous responses on PostgreSQL: the SQL and
//! the locks. The rules (what is refused when, and the messages) and the
//! anonymity notes live in `crate::org`, shared with SQLite.
//!
//! Several `asyncmm serve` instances may write at once, so every check that
//! a write relies on is protected by a lock taken before it (at READ
//! COMMITTED, each statement then sees what the lock holder committed):
//!
//! - Changes to the team structure (add, rename, move, archive) take a
//!   table lock that only they conflict with, so a move can't create a cycle
//!   with a concurrent move, nor a team land under a group being archived.
//! - A response or an import holds its round `FOR SHARE` (many respondents
//!   at once), and closing, reopening, publishing or changing k holds it
//!   `FOR UPDATE`: k can't change after a response slipped in, and no
//!   response lands in a round that was just closed.
//! - A submission holds its token `FOR UPDATE`, so two submissions with the
//!   same token take turns and the second revises the first.

use std::collections::HashMap;

use asyncmm_core::{Answers, Intake, K, NewRound, Responses, Round, RoundId, Team, TeamName, TokenHash};
use sqlx::{FromRow, PgConnection, Row as _};
use time::Date;

use super::{PostgresStore, ROWS_PER_INSERT};
use crate::org::{self, NewResponses, ResponseGroups, RoundRow};
use crate::{StoreError, SubmitOutcome};

const SELECT_TEAMS: &str = "SELECT id, name, parent_id, archived FROM teams";

/// A round with its team's current name and its number of responses.
const ROUND_COLUMNS: &str = "r.id, t.name AS team, r.model_id, r.model_version, r.mode, r.k, r.opens_on, \
     r.closes_on, r.closed_on, r.published, r.intake, \
     (SELECT COUNT(*) FROM responses s WHERE s.round_id = r.id) AS responses";

/// Taken first by every change to the team structure; see the module docs.
/// SHARE ROW EXCLUSIVE conflicts with itself and with row writes, not with
/// reads or row locks, so rounds and responses are not held up.
const LOCK_TEAMS: &str = "LOCK TABLE teams IN SHARE ROW EXCLUSIVE MODE";

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
struct PgRoundRow {
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

impl PgRoundRow {
    fn into_round(self) -> Result<Round, StoreError> {
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

/// A team by name; `lock` is `""`, `" FOR SHARE"` or `" FOR UPDATE"`.
async fn team_by_name(conn: &mut PgConnection, name: &TeamName, lock: &str) -> Result<Team, StoreError> {
    let row: Option<TeamRow> = sqlx::query_as(&format!("{SELECT_TEAMS} WHERE name = $1{lock}"))
        .bind(name.as_str())
        .fetch_optional(conn)
        .await?;
    row.ok_or_else(|| org::team_not_found(name))?.into_team()
}

async fn team_exists(conn: &mut PgConnection, name: &TeamName) -> Result<bool, StoreError> {
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM teams WHERE name = $1")
        .bind(name.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Locks a round's row (`lock` is `"FOR SHARE"` or `"FOR UPDATE"`) and reads
/// the round after the lock is held, so its response count is current.
async fn lock_round(conn: &mut PgConnection, id: RoundId, lock: &str) -> Result<Round, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(&format!("SELECT id FROM rounds WHERE id = $1 {lock}"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Err(org::round_not_found(id));
    }
    round_by_id(conn, id).await
}

async fn round_by_id(conn: &mut PgConnection, id: RoundId) -> Result<Round, StoreError> {
    let row: Option<PgRoundRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM rounds r JOIN teams t ON t.id = r.team_id WHERE r.id = $1"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    row.ok_or_else(|| org::round_not_found(id))?.into_round()
}

async fn insert_tokens(conn: &mut PgConnection, round: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError> {
    for chunk in tokens.chunks(ROWS_PER_INSERT) {
        let hashes: Vec<Vec<u8>> = chunk.iter().map(org::hash_bytes).collect();
        sqlx::query("INSERT INTO tokens (hash, round_id) SELECT h, $2 FROM UNNEST($1::bytea[]) AS u (h)")
            .bind(&hashes)
            .bind(round.0)
            .execute(&mut *conn)
            .await
            .map_err(|e| org::unique_or(e, || org::tokens_taken(round)))?;
    }
    Ok(())
}

/// Whole columns as arrays, inserted with `UNNEST`: one statement per
/// 100,000 rows instead of one per row.
async fn set_intake(conn: &mut PgConnection, round: RoundId, intake: Intake) -> Result<(), StoreError> {
    sqlx::query("UPDATE rounds SET intake = $1 WHERE id = $2")
        .bind(intake.as_str())
        .bind(round.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Seals a closed round inside the caller's transaction: tokens that
/// answered are spent and unlinked, responses dated to the closing day (see
/// `crate::org`).
async fn seal(conn: &mut PgConnection, round: &Round, today: Date) -> Result<(), StoreError> {
    let day = org::check_date(org::closing_day(round, today), "the closing day")?;
    sqlx::query("UPDATE tokens SET spent = true, response_id = NULL WHERE round_id = $1 AND response_id IS NOT NULL")
        .bind(round.id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE responses SET submitted_on = $1 WHERE round_id = $2")
        .bind(day)
        .bind(round.id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE rounds SET sealed = true WHERE id = $1")
        .bind(round.id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn insert_responses(
    conn: &mut PgConnection,
    round: RoundId,
    responses: &NewResponses,
    day: Date,
) -> Result<(), StoreError> {
    for chunk in responses.ids.chunks(ROWS_PER_INSERT) {
        sqlx::query(
            "INSERT INTO responses (id, round_id, submitted_on) \
             SELECT id, $2, $3 FROM UNNEST($1::bigint[]) AS u (id)",
        )
        .bind(chunk)
        .bind(round.0)
        .bind(day)
        .execute(&mut *conn)
        .await?;
    }
    let mut answers = responses.chunks();
    let mut response_ids = Vec::new();
    let mut items = Vec::new();
    let mut values = Vec::new();
    loop {
        let chunk = answers.next_chunk(ROWS_PER_INSERT);
        if chunk.is_empty() {
            break;
        }
        response_ids.clear();
        items.clear();
        values.clear();
        for (response, item, value) in chunk {
            response_ids.push(response);
            items.push(item);
            values.push(value);
        }
        sqlx::query(
            "INSERT INTO response_answers (round_id, response_id, item, value) \
             SELECT $1, u.* FROM UNNEST($2::bigint[], $3::text[], $4::smallint[]) AS u",
        )
        .bind(round.0)
        .bind(&response_ids)
        .bind(&items)
        .bind(&values)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl PostgresStore {
    pub(super) async fn insert_team(&self, name: &TeamName, parent: Option<&TeamName>) -> Result<Team, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(LOCK_TEAMS).execute(&mut *tx).await?;
        let parent_id = match parent {
            Some(parent) => {
                let parent = team_by_name(&mut tx, parent, "").await?;
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
        let id: i64 = sqlx::query_scalar("INSERT INTO teams (name, parent_id) VALUES ($1, $2) RETURNING id")
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
        team_by_name(&mut conn, name, "").await
    }

    pub(super) async fn org_teams(&self, include_archived: bool) -> Result<Vec<Team>, StoreError> {
        let sql = if include_archived {
            SELECT_TEAMS.to_string()
        } else {
            format!("{SELECT_TEAMS} WHERE NOT archived")
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(LOCK_TEAMS).execute(&mut *tx).await?;
        let mut team = team_by_name(&mut tx, from, "").await?;
        if from == to {
            return Ok(team);
        }
        if team_exists(&mut tx, to).await? {
            return Err(org::team_exists(to));
        }
        let taken: Option<i32> = sqlx::query_scalar("SELECT 1 FROM assessments WHERE team = $1 LIMIT 1")
            .bind(to.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(org::assessments_under(from, to));
        }
        sqlx::query("UPDATE teams SET name = $1 WHERE id = $2")
            .bind(to.as_str())
            .bind(team.id.0)
            .execute(&mut *tx)
            .await
            .map_err(|e| org::unique_or(e, || org::team_exists(to)))?;
        // The history follows the team: its self-assessments keep the team
        // as text.
        sqlx::query("UPDATE assessments SET team = $1 WHERE team = $2")
            .bind(to.as_str())
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
        // Its plans follow it too (kept by name, like self-assessments).
        for table in ["goals", "actions"] {
            sqlx::query(&format!("UPDATE {table} SET team = $1 WHERE team = $2"))
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(LOCK_TEAMS).execute(&mut *tx).await?;
        let mut team = team_by_name(&mut tx, name, "").await?;
        let parent_id = match new_parent {
            Some(parent_name) => {
                let parent = team_by_name(&mut tx, parent_name, "").await?;
                if parent.archived {
                    return Err(org::team_archived(&parent.name, "no team can be moved under it"));
                }
                // Walk up from the new parent: meeting the team means the
                // parent is inside it. UNION (not ALL) stops even on a
                // cycle already in the data.
                let inside: Option<i32> = sqlx::query_scalar(
                    "WITH RECURSIVE up (id, parent_id) AS ( \
                         SELECT id, parent_id FROM teams WHERE id = $1 \
                         UNION SELECT t.id, t.parent_id FROM teams t JOIN up ON t.id = up.parent_id) \
                     SELECT 1 FROM up WHERE id = $2",
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
        sqlx::query("UPDATE teams SET parent_id = $1 WHERE id = $2")
            .bind(parent_id.map(|p| p.0))
            .bind(team.id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        team.parent = parent_id;
        Ok(team)
    }

    pub(super) async fn archive(&self, name: &TeamName) -> Result<Team, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(LOCK_TEAMS).execute(&mut *tx).await?;
        // FOR UPDATE: a round being opened for this team holds it FOR SHARE,
        // so it either finishes first or sees the team archived.
        let mut team = team_by_name(&mut tx, name, " FOR UPDATE").await?;
        let children: Vec<String> = sqlx::query_scalar("SELECT name FROM teams WHERE parent_id = $1 AND NOT archived")
            .bind(team.id.0)
            .fetch_all(&mut *tx)
            .await?;
        org::check_archive(&team, &children)?;
        sqlx::query("UPDATE teams SET archived = true WHERE id = $1")
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
        let mut tx = self.pool.begin().await?;
        let team = team_by_name(&mut tx, &new.team, " FOR SHARE").await?;
        if team.archived {
            return Err(org::team_archived(
                &team.name,
                "rounds can only be opened for active teams",
            ));
        }
        let registered: Option<i32> = sqlx::query_scalar("SELECT 1 FROM models WHERE model_id = $1 AND version = $2")
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
        let rows: Vec<PgRoundRow> = match team {
            Some(name) => {
                let team = team_by_name(&mut conn, name, "").await?;
                sqlx::query_as(&format!("{select} WHERE r.team_id = $1 ORDER BY r.opens_on, r.id"))
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
        rows.into_iter().map(PgRoundRow::into_round).collect()
    }

    pub(super) async fn latest_rounds(&self) -> Result<Vec<Round>, StoreError> {
        // One index probe per team (rounds_team_opens_on, newest first).
        let rows: Vec<PgRoundRow> = sqlx::query_as(&format!(
            "SELECT {ROUND_COLUMNS} FROM teams t JOIN rounds r ON r.id = ( \
                 SELECT r2.id FROM rounds r2 WHERE r2.team_id = t.id \
                 ORDER BY r2.opens_on DESC, r2.id DESC LIMIT 1) \
             WHERE NOT t.archived"
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut rounds = rows
            .into_iter()
            .map(PgRoundRow::into_round)
            .collect::<Result<Vec<_>, _>>()?;
        rounds.sort_by(|a, b| a.team.cmp(&b.team));
        Ok(rounds)
    }

    pub(super) async fn change_k(&self, id: RoundId, k: K) -> Result<Round, StoreError> {
        let stored_k = org::k_value(k)?;
        let mut tx = self.pool.begin().await?;
        let mut round = lock_round(&mut tx, id, "FOR UPDATE").await?;
        org::check_k_change(&round)?;
        sqlx::query("UPDATE rounds SET k = $1 WHERE id = $2")
            .bind(stored_k)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        round.k = k;
        Ok(round)
    }

    pub(super) async fn close(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        org::check_date(on, "the closing day")?;
        let mut tx = self.pool.begin().await?;
        let mut round = lock_round(&mut tx, id, "FOR UPDATE").await?;
        org::check_close(&round, on)?;
        sqlx::query("UPDATE rounds SET closed_on = $1 WHERE id = $2")
            .bind(on)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        round.closed_on = Some(on);
        seal(&mut tx, &round, on).await?;
        tx.commit().await?;
        Ok(round)
    }

    pub(super) async fn seal_closed(&self, today: Date) -> Result<Vec<RoundId>, StoreError> {
        org::check_date(today, "today")?;
        let pending =
            "SELECT id FROM rounds WHERE NOT sealed AND (closed_on IS NOT NULL OR closes_on < $1) ORDER BY id";
        let waiting: Vec<i64> = sqlx::query_scalar(pending).bind(today).fetch_all(&self.pool).await?;
        if waiting.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let mut sealed = Vec::with_capacity(waiting.len());
        for id in waiting {
            // Locked and read again: another instance may have sealed it.
            let round = lock_round(&mut tx, RoundId(id), "FOR UPDATE").await?;
            let done: bool = sqlx::query_scalar("SELECT sealed FROM rounds WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if !done {
                seal(&mut tx, &round, today).await?;
                sealed.push(round.id);
            }
        }
        tx.commit().await?;
        Ok(sealed)
    }

    pub(super) async fn reopen(&self, id: RoundId, on: Date) -> Result<Round, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut round = lock_round(&mut tx, id, "FOR UPDATE").await?;
        let closes_on = org::check_reopen(&round, on)?;
        sqlx::query("UPDATE rounds SET closed_on = NULL, closes_on = $1, sealed = false WHERE id = $2")
            .bind(closes_on)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        round.closed_on = None;
        round.closes_on = closes_on;
        Ok(round)
    }

    pub(super) async fn publish(&self, id: RoundId) -> Result<Round, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut round = lock_round(&mut tx, id, "FOR UPDATE").await?;
        sqlx::query("UPDATE rounds SET published = true WHERE id = $1")
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
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        sqlx::query("UPDATE rounds SET published = true WHERE id = ANY($1)")
            .bind(&ids)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) async fn issue_tokens(&self, id: RoundId, tokens: &[TokenHash]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let round = lock_round(&mut tx, id, "FOR UPDATE").await?;
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
        org::check_date(today, "the day of the response")?;
        let response = NewResponses::prepare(std::slice::from_ref(answers))?;
        let hash = org::hash_bytes(token);

        let mut tx = self.pool.begin().await?;
        let round = lock_round(&mut tx, id, "FOR SHARE").await?;
        let token_row: Option<(Option<i64>, bool)> =
            sqlx::query_as("SELECT response_id, spent FROM tokens WHERE hash = $1 AND round_id = $2 FOR UPDATE")
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
            sqlx::query("DELETE FROM responses WHERE id = $1")
                .bind(previous)
                .execute(&mut *tx)
                .await?;
        }
        insert_responses(&mut tx, id, &response, today).await?;
        sqlx::query("UPDATE tokens SET response_id = $1 WHERE hash = $2")
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
        org::check_date(today, "the day of the import")?;
        let prepared = NewResponses::prepare(responses)?;
        let mut tx = self.pool.begin().await?;
        let round = lock_round(&mut tx, id, "FOR UPDATE").await?;
        org::check_import(&round, responses)?;
        insert_responses(&mut tx, id, &prepared, today).await?;
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
        let mut conn = self.pool.acquire().await?;
        let modes: Vec<(i64, String)> = sqlx::query_as("SELECT id, mode FROM rounds WHERE id = ANY($1)")
            .bind(&wanted)
            .fetch_all(&mut *conn)
            .await?;
        let modes = org::round_modes(&wanted, modes)?;
        let mut groups = ResponseGroups::new(modes);
        // One row per response (see `org::POSTGRES_PACKED_ANSWERS`), in
        // primary-key order: each round is one range of the key, grouped
        // without a sort, and the random response ids make the order stable
        // but meaningless.
        let rows = sqlx::query(&format!(
            "SELECT round_id, {} FROM response_answers WHERE round_id = ANY($1) \
             GROUP BY round_id, response_id ORDER BY round_id, response_id",
            org::POSTGRES_PACKED_ANSWERS
        ))
        .bind(&wanted)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            groups.push(row.try_get(0)?, row.try_get::<&str, _>(1)?)?;
        }
        Ok(groups.finish())
    }
}
