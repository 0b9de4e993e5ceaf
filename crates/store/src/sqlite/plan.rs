//! Goals and actions on SQLite: the SQL only. Row conversion is shared with
//! PostgreSQL in `crate::plan`. Writes take the write lock and
//! `BEGIN IMMEDIATE` like every other write (see the parent module).

use std::collections::HashMap;

use asyncmm_core::TeamName;
use asyncmm_core::plan::{Action, ActionId, ActionUpdate, Goal, NewAction, day_text};
use sqlx::{FromRow, SqliteConnection};

use super::SqliteStore;
use crate::StoreError;
use crate::org;
use crate::plan::{ActionRow, GoalRow, action_not_found};

const ACTION_COLUMNS: &str = "id, team, title, owner, link, status, created_on";

#[derive(FromRow)]
struct SqliteGoalRow {
    team: String,
    area: String,
    target: i64,
    by_date: String,
    baseline: Option<i64>,
    set_on: String,
}

#[derive(FromRow)]
struct SqliteActionRow {
    id: i64,
    team: String,
    title: String,
    owner: Option<String>,
    link: Option<String>,
    status: String,
    created_on: String,
}

impl SqliteActionRow {
    fn into_row(self) -> Result<ActionRow, StoreError> {
        let created_on = org::parse_day(&self.created_on, &format!("action {}", self.id))?;
        Ok(ActionRow {
            id: self.id,
            team: self.team,
            title: self.title,
            owner: self.owner,
            link: self.link,
            status: self.status,
            created_on,
        })
    }
}

/// The statements of the given actions, each list in its stored order.
async fn statements_of(
    conn: &mut SqliteConnection,
    team: Option<&str>,
    id: Option<i64>,
) -> Result<HashMap<i64, Vec<String>>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.action_id, s.statement FROM action_statements s JOIN actions a ON a.id = s.action_id \
         WHERE (?1 IS NULL OR a.team = ?1) AND (?2 IS NULL OR a.id = ?2) ORDER BY s.action_id, s.position",
    )
    .bind(team)
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (action, statement) in rows {
        out.entry(action).or_default().push(statement);
    }
    Ok(out)
}

async fn action_by_id(conn: &mut SqliteConnection, id: ActionId) -> Result<Action, StoreError> {
    let row: Option<SqliteActionRow> = sqlx::query_as(&format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = ?"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    let row = row.ok_or_else(|| action_not_found(id))?;
    let statements = statements_of(conn, None, Some(id.0)).await?;
    row.into_row()?
        .into_action(statements.get(&id.0).map_or(&[][..], Vec::as_slice))
}

impl SqliteStore {
    pub(super) async fn upsert_goal(&self, goal: &Goal) -> Result<(), StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "INSERT INTO goals (team, area, target, by_date, baseline, set_on) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (team, area) DO UPDATE SET target = excluded.target, by_date = excluded.by_date, \
             baseline = excluded.baseline, set_on = excluded.set_on",
        )
        .bind(goal.team.as_str())
        .bind(goal.area.as_str())
        .bind(i64::from(goal.target.number()))
        .bind(day_text(goal.by))
        .bind(goal.baseline.map(|b| i64::from(b.number())))
        .bind(day_text(goal.set_on))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn team_goals(&self, team: &TeamName) -> Result<Vec<Goal>, StoreError> {
        let rows: Vec<SqliteGoalRow> = sqlx::query_as(
            "SELECT team, area, target, by_date, baseline, set_on FROM goals WHERE team = ? ORDER BY area",
        )
        .bind(team.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let context = format!("goal of team {:?} for {:?}", r.team, r.area);
                GoalRow {
                    by: org::parse_day(&r.by_date, &context)?,
                    set_on: org::parse_day(&r.set_on, &context)?,
                    team: r.team,
                    area: r.area,
                    target: r.target,
                    baseline: r.baseline,
                }
                .into_goal()
            })
            .collect()
    }

    pub(super) async fn insert_action(&self, new: &NewAction) -> Result<Action, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO actions (team, title, owner, link, status, created_on) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(new.team.as_str())
        .bind(&new.title)
        .bind(new.owner.as_deref())
        .bind(new.link.as_ref().map(|l| l.as_str()))
        .bind(new.status.as_str())
        .bind(day_text(new.created_on))
        .fetch_one(&mut *tx)
        .await?;
        for (position, statement) in new.statements.iter().enumerate() {
            sqlx::query("INSERT INTO action_statements (action_id, position, statement) VALUES (?, ?, ?)")
                .bind(id)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(statement.to_string())
                .execute(&mut *tx)
                .await?;
        }
        let action = action_by_id(&mut tx, ActionId(id)).await?;
        tx.commit().await?;
        Ok(action)
    }

    pub(super) async fn change_action(&self, id: ActionId, update: &ActionUpdate) -> Result<Action, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Read first so an unknown id is `NotFound`, not a silent no-op.
        action_by_id(&mut tx, id).await?;
        sqlx::query(
            "UPDATE actions SET status = COALESCE(?, status), link = COALESCE(?, link), owner = COALESCE(?, owner) \
             WHERE id = ?",
        )
        .bind(update.status.map(|s| s.as_str()))
        .bind(update.link.as_ref().map(|l| l.as_str()))
        .bind(update.owner.as_deref())
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let action = action_by_id(&mut tx, id).await?;
        tx.commit().await?;
        Ok(action)
    }

    pub(super) async fn team_actions(&self, team: &TeamName) -> Result<Vec<Action>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<SqliteActionRow> = sqlx::query_as(&format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE team = ? ORDER BY id"
        ))
        .bind(team.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let statements = statements_of(&mut conn, Some(team.as_str()), None).await?;
        rows.into_iter()
            .map(|r| {
                let id = r.id;
                r.into_row()?
                    .into_action(statements.get(&id).map_or(&[][..], Vec::as_slice))
            })
            .collect()
    }
}
