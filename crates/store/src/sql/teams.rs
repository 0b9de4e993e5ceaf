//! The organisation's teams and groups: add, read, rename, move, archive.
//! The rules (what is refused when, and the messages) are in `crate::org`.

use asyncmm_core::{Team, TeamId, TeamName};
use sqlx::FromRow;

use super::{Conn, Database, on};
use crate::StoreError;
use crate::org;

const SELECT_TEAMS: &str = "SELECT id, name, parent_id, archived FROM teams";

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

/// A team by name; `lock` is a locking clause from [`Database::lock`] (or
/// empty).
pub(super) async fn team_by_name(conn: Conn<'_>, name: &TeamName, lock: &str) -> Result<Team, StoreError> {
    let row: Option<TeamRow> = on!(conn, |c| {
        sqlx::query_as(&format!("{SELECT_TEAMS} WHERE name = $1{lock}"))
            .bind(name.as_str())
            .fetch_optional(&mut *c)
            .await
    })?;
    row.ok_or_else(|| org::team_not_found(name))?.into_team()
}

async fn team_exists(conn: Conn<'_>, name: &TeamName) -> Result<bool, StoreError> {
    let found: Option<i32> = on!(conn, |c| {
        sqlx::query_scalar("SELECT 1 FROM teams WHERE name = $1")
            .bind(name.as_str())
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(found.is_some())
}

impl Database {
    pub(super) async fn insert_team(&self, name: &TeamName, parent: Option<&TeamName>) -> Result<Team, StoreError> {
        let mut tx = self.write().await?;
        self.lock_teams(&mut tx).await?;
        let parent_id = match parent {
            Some(parent) => {
                let parent = team_by_name(tx.conn(), parent, "").await?;
                if parent.archived {
                    return Err(org::team_archived(&parent.name, "no team can be added under it"));
                }
                Some(parent.id.0)
            }
            None => None,
        };
        if team_exists(tx.conn(), name).await? {
            return Err(org::team_exists(name));
        }
        let id: i64 = on!(tx.conn(), |c| {
            sqlx::query_scalar("INSERT INTO teams (name, parent_id) VALUES ($1, $2) RETURNING id")
                .bind(name.as_str())
                .bind(parent_id)
                .fetch_one(&mut *c)
                .await
        })
        .map_err(|e| org::unique_or(e, || org::team_exists(name)))?;
        tx.commit().await?;
        org::team(id, name.to_string(), parent_id, false)
    }

    pub(super) async fn team_named(&self, name: &TeamName) -> Result<Team, StoreError> {
        let mut reader = self.read().await?;
        team_by_name(reader.conn(), name, "").await
    }

    pub(super) async fn org_teams(&self, include_archived: bool) -> Result<Vec<Team>, StoreError> {
        let sql = if include_archived {
            SELECT_TEAMS.to_string()
        } else {
            format!("{SELECT_TEAMS} WHERE archived = FALSE")
        };
        let mut reader = self.read().await?;
        let rows: Vec<TeamRow> = on!(reader.conn(), |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
        let mut teams = rows
            .into_iter()
            .map(TeamRow::into_team)
            .collect::<Result<Vec<_>, _>>()?;
        org::sort_teams(&mut teams);
        Ok(teams)
    }

    pub(super) async fn rename(&self, from: &TeamName, to: &TeamName) -> Result<Team, StoreError> {
        let mut tx = self.write().await?;
        self.lock_teams(&mut tx).await?;
        let mut team = team_by_name(tx.conn(), from, "").await?;
        if from == to {
            return Ok(team);
        }
        if team_exists(tx.conn(), to).await? {
            return Err(org::team_exists(to));
        }
        let taken: Option<i32> = on!(tx.conn(), |c| {
            sqlx::query_scalar("SELECT 1 FROM assessments WHERE team = $1 LIMIT 1")
                .bind(to.as_str())
                .fetch_optional(&mut *c)
                .await
        })?;
        if taken.is_some() {
            return Err(org::assessments_under(from, to));
        }
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE teams SET name = $1 WHERE id = $2")
                .bind(to.as_str())
                .bind(team.id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(|e| org::unique_or(e, || org::team_exists(to)))?;
        // The history follows the team: its self-assessments, goals,
        // actions, saved evidence and waivers keep the team as text.
        for table in ["assessments", "goals", "actions", "evidence", "evidence_waivers"] {
            on!(tx.conn(), |c| {
                sqlx::query(&format!("UPDATE {table} SET team = $1 WHERE team = $2"))
                    .bind(to.as_str())
                    .bind(from.as_str())
                    .execute(&mut *c)
                    .await
                    .map(|done| done.rows_affected())
            })?;
        }
        tx.commit().await?;
        team.name = to.clone();
        Ok(team)
    }

    pub(super) async fn move_under(&self, name: &TeamName, new_parent: Option<&TeamName>) -> Result<Team, StoreError> {
        let mut tx = self.write().await?;
        self.lock_teams(&mut tx).await?;
        let mut team = team_by_name(tx.conn(), name, "").await?;
        let parent_id = match new_parent {
            Some(parent_name) => {
                let parent = team_by_name(tx.conn(), parent_name, "").await?;
                if parent.archived {
                    return Err(org::team_archived(&parent.name, "no team can be moved under it"));
                }
                // Walk up from the new parent: meeting the team means the
                // parent is inside it. UNION (not ALL) stops even on a cycle
                // already in the data.
                let inside: Option<i32> = on!(tx.conn(), |c| {
                    sqlx::query_scalar(
                        "WITH RECURSIVE up (id, parent_id) AS ( \
                             SELECT id, parent_id FROM teams WHERE id = $1 \
                             UNION SELECT t.id, t.parent_id FROM teams t JOIN up ON t.id = up.parent_id) \
                         SELECT 1 FROM up WHERE id = $2",
                    )
                    .bind(parent.id.0)
                    .bind(team.id.0)
                    .fetch_optional(&mut *c)
                    .await
                })?;
                if inside.is_some() {
                    return Err(org::cycle(name, parent_name));
                }
                Some(parent.id)
            }
            None => None,
        };
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE teams SET parent_id = $1 WHERE id = $2")
                .bind(parent_id.map(|p: TeamId| p.0))
                .bind(team.id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await?;
        team.parent = parent_id;
        Ok(team)
    }

    pub(super) async fn archive(&self, name: &TeamName) -> Result<Team, StoreError> {
        let mut tx = self.write().await?;
        self.lock_teams(&mut tx).await?;
        let mut team = team_by_name(tx.conn(), name, "").await?;
        let children: Vec<String> = on!(tx.conn(), |c| {
            sqlx::query_scalar("SELECT name FROM teams WHERE parent_id = $1 AND archived = FALSE")
                .bind(team.id.0)
                .fetch_all(&mut *c)
                .await
        })?;
        org::check_archive(&team, &children)?;
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE teams SET archived = TRUE WHERE id = $1")
                .bind(team.id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await?;
        team.archived = true;
        Ok(team)
    }
}
