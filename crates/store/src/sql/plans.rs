//! Goals and actions (improvement plans). Row conversion is in
//! `crate::plan`.

use std::collections::HashMap;

use asyncmm_core::TeamName;
use asyncmm_core::plan::{Action, ActionId, ActionUpdate, Goal, NewAction};
use asyncmm_model::AreaId;
use sqlx::FromRow;
use time::Date;

use super::{Conn, Database, on};
use crate::StoreError;
use crate::plan::{ActionRow, GoalRow, action_not_found};

const ACTION_COLUMNS: &str = "id, team, title, owner, link, status, created_on";

#[derive(FromRow)]
struct GoalColumns {
    team: String,
    area: String,
    target: i16,
    by_date: Date,
    baseline: Option<i16>,
    set_on: Date,
}

#[derive(FromRow)]
struct ActionColumns {
    id: i64,
    team: String,
    title: String,
    owner: Option<String>,
    link: Option<String>,
    status: String,
    created_on: Date,
}

impl ActionColumns {
    fn into_row(self) -> ActionRow {
        ActionRow {
            id: self.id,
            team: self.team,
            title: self.title,
            owner: self.owner,
            link: self.link,
            status: self.status,
            created_on: self.created_on,
        }
    }
}

/// The statements of the given actions (of one team, or one action), each
/// list in its stored order.
async fn statements_of(
    conn: Conn<'_>,
    team: Option<&str>,
    id: Option<i64>,
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    let rows: Vec<(i64, String)> = on!(conn, |c| {
        sqlx::query_as(
            "SELECT s.action_id, s.statement FROM action_statements s JOIN actions a ON a.id = s.action_id \
             WHERE (CAST($1 AS TEXT) IS NULL OR a.team = $1) AND (CAST($2 AS BIGINT) IS NULL OR a.id = $2) \
             ORDER BY s.action_id, s.position",
        )
        .bind(team)
        .bind(id)
        .fetch_all(&mut *c)
        .await
    })?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (action, statement) in rows {
        out.entry(action).or_default().push(statement);
    }
    Ok(out)
}

async fn action_by_id(mut conn: Conn<'_>, id: ActionId) -> Result<Action, StoreError> {
    let row: Option<ActionColumns> = on!(conn.re(), |c| {
        sqlx::query_as(&format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await
    })?;
    let row = row.ok_or_else(|| action_not_found(id))?;
    let statements = statements_of(conn, None, Some(id.0)).await?;
    row.into_row()
        .into_action(statements.get(&id.0).map_or(&[][..], Vec::as_slice))
}

impl Database {
    pub(super) async fn upsert_goal(&self, goal: &Goal) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on!(tx.conn(), |c| {
            sqlx::query(
                "INSERT INTO goals (team, area, target, by_date, baseline, set_on) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (team, area) DO UPDATE SET target = excluded.target, by_date = excluded.by_date, \
                 baseline = excluded.baseline, set_on = excluded.set_on",
            )
            .bind(goal.team.as_str())
            .bind(goal.area.as_str())
            .bind(i16::from(goal.target.number()))
            .bind(goal.by)
            .bind(goal.baseline.map(|b| i16::from(b.number())))
            .bind(goal.set_on)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
        tx.commit().await
    }

    pub(super) async fn team_goals(&self, team: &TeamName) -> Result<Vec<Goal>, StoreError> {
        let mut reader = self.read().await?;
        let rows: Vec<GoalColumns> = on!(reader.conn(), |c| {
            sqlx::query_as(
                "SELECT team, area, target, by_date, baseline, set_on FROM goals WHERE team = $1 ORDER BY area",
            )
            .bind(team.as_str())
            .fetch_all(&mut *c)
            .await
        })?;
        rows.into_iter()
            .map(|r| {
                GoalRow {
                    team: r.team,
                    area: r.area,
                    target: i64::from(r.target),
                    by: r.by_date,
                    baseline: r.baseline.map(i64::from),
                    set_on: r.set_on,
                }
                .into_goal()
            })
            .collect()
    }

    pub(super) async fn planning_teams(&self) -> Result<Vec<String>, StoreError> {
        let mut reader = self.read().await?;
        let teams: Vec<String> = on!(reader.conn(), |c| {
            sqlx::query_scalar("SELECT team FROM goals UNION SELECT team FROM actions ORDER BY 1")
                .fetch_all(&mut *c)
                .await
        })?;
        Ok(teams)
    }

    pub(super) async fn insert_action(&self, new: &NewAction) -> Result<Action, StoreError> {
        let mut tx = self.write().await?;
        let id: i64 = on!(tx.conn(), |c| {
            sqlx::query_scalar(
                "INSERT INTO actions (team, title, owner, link, status, created_on) VALUES ($1, $2, $3, $4, $5, $6) \
                 RETURNING id",
            )
            .bind(new.team.as_str())
            .bind(&new.title)
            .bind(new.owner.as_deref())
            .bind(new.link.as_ref().map(|l| l.as_str()))
            .bind(new.status.as_str())
            .bind(new.created_on)
            .fetch_one(&mut *c)
            .await
        })?;
        for (position, statement) in new.statements.iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            on!(tx.conn(), |c| {
                sqlx::query("INSERT INTO action_statements (action_id, position, statement) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(position)
                    .bind(statement.to_string())
                    .execute(&mut *c)
                    .await
                    .map(|done| done.rows_affected())
            })?;
        }
        let action = action_by_id(tx.conn(), ActionId(id)).await?;
        tx.commit().await?;
        Ok(action)
    }

    pub(super) async fn change_action(&self, id: ActionId, update: &ActionUpdate) -> Result<Action, StoreError> {
        let mut tx = self.write().await?;
        // Read first so an unknown id is `NotFound`, not a silent no-op.
        action_by_id(tx.conn(), id).await?;
        on!(tx.conn(), |c| {
            sqlx::query(
                "UPDATE actions SET status = COALESCE($1, status), link = COALESCE($2, link), \
                 owner = COALESCE($3, owner), title = COALESCE($4, title) WHERE id = $5",
            )
            .bind(update.status.map(|s| s.as_str()))
            .bind(update.link.as_ref().map(|l| l.as_str()))
            .bind(update.owner.as_deref())
            .bind(update.title.as_deref())
            .bind(id.0)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
        let action = action_by_id(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(action)
    }

    /// Removes a team's goal for an area; `NotFound` when it has none.
    pub(super) async fn delete_goal(&self, team: &TeamName, area: &AreaId) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let removed = on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM goals WHERE team = $1 AND area = $2")
                .bind(team.as_str())
                .bind(area.as_str())
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        if removed == 0 {
            return Err(StoreError::NotFound(format!("goal of team {team} for {area}")));
        }
        tx.commit().await
    }

    /// Removes an action with its statements; returns it as it was.
    pub(super) async fn delete_action(&self, id: ActionId) -> Result<Action, StoreError> {
        let mut tx = self.write().await?;
        let action = action_by_id(tx.conn(), id).await?;
        // Explicitly, not by cascade: SQLite enforces foreign keys only
        // when the connection asks for it.
        on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM action_statements WHERE action_id = $1")
                .bind(id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM actions WHERE id = $1")
                .bind(id.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await?;
        Ok(action)
    }

    pub(super) async fn team_actions(&self, team: &TeamName) -> Result<Vec<Action>, StoreError> {
        let mut reader = self.read().await?;
        let rows: Vec<ActionColumns> = on!(reader.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT {ACTION_COLUMNS} FROM actions WHERE team = $1 ORDER BY id"
            ))
            .bind(team.as_str())
            .fetch_all(&mut *c)
            .await
        })?;
        let statements = statements_of(reader.conn(), Some(team.as_str()), None).await?;
        rows.into_iter()
            .map(|r| {
                let id = r.id;
                r.into_row()
                    .into_action(statements.get(&id).map_or(&[][..], Vec::as_slice))
            })
            .collect()
    }
}
