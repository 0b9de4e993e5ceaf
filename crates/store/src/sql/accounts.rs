//! Web accounts: people, one-time invitations, server-side sessions, and
//! which teams a lead leads. Secrets (invitation links, session cookies)
//! are kept as hashes only; passwords arrive already hashed.

use asyncmm_core::account::{Role, User, UserId};
use asyncmm_core::{Answers, Mode, TeamId, TokenHash};
use sqlx::FromRow;
use time::OffsetDateTime;

use super::stamp::Stamp;
use super::{Conn, Database, on};
use crate::{NewInvite, StoreError};

#[derive(FromRow)]
struct UserColumns {
    id: i64,
    name: String,
    role: String,
}

impl UserColumns {
    fn into_user(self) -> Result<User, StoreError> {
        let role = Role::parse(&self.role).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(User {
            id: UserId(self.id),
            name: self.name,
            role,
        })
    }
}

async fn insert_user(
    mut conn: Conn<'_>,
    name: &str,
    role: Role,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<User, StoreError> {
    let taken: Option<i64> = on!(conn.re(), |c| {
        sqlx::query_scalar("SELECT id FROM web_users WHERE lower(name) = lower($1)")
            .bind(name)
            .fetch_optional(&mut *c)
            .await
    })?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "the name \"{name}\" is taken; choose another"
        )));
    }
    let id: i64 = on!(conn, |c| {
        sqlx::query_scalar(
            "INSERT INTO web_users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(Stamp(now))
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(User {
        id: UserId(id),
        name: name.to_string(),
        role,
    })
}

impl Database {
    /// A token's own answers while it is linked to its response.
    pub(super) async fn answers_of_token(&self, token: &TokenHash) -> Result<Option<Answers>, StoreError> {
        let mut reader = self.read().await?;
        // One statement: a respondent's every save reads this. The answers
        // are joined on the whole key of `response_answers` (round and
        // response), so the primary key finds them; joined on the response
        // alone, every answer of every round was scanned.
        let rows: Vec<(String, Option<String>, Option<i16>)> = on!(reader.conn(), |c| {
            sqlx::query_as(
                "SELECT r.mode, a.item, CAST(a.value AS SMALLINT) FROM tokens t \
                 JOIN rounds r ON r.id = t.round_id \
                 LEFT JOIN response_answers a ON a.round_id = t.round_id AND a.response_id = t.response_id \
                 WHERE t.hash = $1 AND t.response_id IS NOT NULL ORDER BY a.item",
            )
            .bind(token.0.as_slice())
            .fetch_all(&mut *c)
            .await
        })?;
        let Some((mode, _, _)) = rows.first() else {
            return Ok(None);
        };
        let mode = Mode::parse(mode).ok_or_else(|| StoreError::Corrupt(format!("unknown mode \"{mode}\"")))?;
        let answers = rows
            .iter()
            .filter_map(|(_, item, value)| item.as_deref().map(|item| (item, *value)));
        Answers::from_rows(mode, answers)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub(super) async fn count_users(&self) -> Result<u64, StoreError> {
        let mut reader = self.read().await?;
        let n: i64 = on!(reader.conn(), |c| {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM web_users")
                .fetch_one(&mut *c)
                .await
        })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub(super) async fn insert_invite(&self, invite: &NewInvite) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on!(tx.conn(), |c| {
            sqlx::query("INSERT INTO web_invites (hash, role, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(invite.hash.0.as_slice())
                .bind(invite.role.as_str())
                .bind(Stamp(invite.created_at))
                .bind(Stamp(invite.expires_at))
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await
    }

    pub(super) async fn invite_role_at(
        &self,
        hash: &TokenHash,
        now: OffsetDateTime,
    ) -> Result<Option<Role>, StoreError> {
        let mut reader = self.read().await?;
        let row: Option<(String, Stamp, Option<Stamp>)> = on!(reader.conn(), |c| {
            sqlx::query_as("SELECT role, expires_at, used_at FROM web_invites WHERE hash = $1")
                .bind(hash.0.as_slice())
                .fetch_optional(&mut *c)
                .await
        })?;
        match row {
            Some((role, expires, None)) if expires.0 > now => Ok(Some(
                Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            )),
            _ => Ok(None),
        }
    }

    pub(super) async fn use_invite(
        &self,
        hash: &TokenHash,
        name: &str,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> Result<User, StoreError> {
        let mut tx = self.write().await?;
        let lock = self.lock(super::Lock::Update);
        let row: Option<(String, Stamp, Option<Stamp>)> = on!(tx.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT role, expires_at, used_at FROM web_invites WHERE hash = $1{lock}"
            ))
            .bind(hash.0.as_slice())
            .fetch_optional(&mut *c)
            .await
        })?;
        let role = match row {
            Some((role, expires, None)) if expires.0 > now => {
                Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?
            }
            _ => {
                return Err(StoreError::NotFound(
                    "this invitation (it was used, has expired or never existed)".into(),
                ));
            }
        };
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE web_invites SET used_at = $1 WHERE hash = $2")
                .bind(Stamp(now))
                .bind(hash.0.as_slice())
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        let user = insert_user(tx.conn(), name, role, password_hash, now).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub(super) async fn login_user(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let mut reader = self.read().await?;
        let row: Option<(i64, String, String, String)> = on!(reader.conn(), |c| {
            sqlx::query_as("SELECT id, name, role, password_hash FROM web_users WHERE lower(name) = lower($1)")
                .bind(name)
                .fetch_optional(&mut *c)
                .await
        })?;
        row.map(|(id, name, role, hash)| Ok((UserColumns { id, name, role }.into_user()?, hash)))
            .transpose()
    }

    pub(super) async fn user_list(&self) -> Result<Vec<User>, StoreError> {
        let mut reader = self.read().await?;
        let rows: Vec<UserColumns> = on!(reader.conn(), |c| {
            sqlx::query_as("SELECT id, name, role FROM web_users ORDER BY lower(name), id")
                .fetch_all(&mut *c)
                .await
        })?;
        rows.into_iter().map(UserColumns::into_user).collect()
    }

    pub(super) async fn insert_session(
        &self,
        hash: &TokenHash,
        user: UserId,
        csrf: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        // Expired sessions go when a new one comes, so the table stays small.
        on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                .bind(Stamp(now))
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        on!(tx.conn(), |c| {
            sqlx::query(
                "INSERT INTO web_sessions (hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hash.0.as_slice())
            .bind(user.0)
            .bind(csrf)
            .bind(Stamp(now))
            .bind(Stamp(expires_at))
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
        tx.commit().await
    }

    pub(super) async fn session_of(
        &self,
        hash: &TokenHash,
        now: OffsetDateTime,
    ) -> Result<Option<(User, String)>, StoreError> {
        let mut reader = self.read().await?;
        let row: Option<(i64, String, String, String)> = on!(reader.conn(), |c| {
            sqlx::query_as(
                "SELECT u.id, u.name, u.role, s.csrf FROM web_sessions s JOIN web_users u ON u.id = s.user_id \
                 WHERE s.hash = $1 AND s.expires_at > $2",
            )
            .bind(hash.0.as_slice())
            .bind(Stamp(now))
            .fetch_optional(&mut *c)
            .await
        })?;
        row.map(|(id, name, role, csrf)| Ok((UserColumns { id, name, role }.into_user()?, csrf)))
            .transpose()
    }

    pub(super) async fn remove_session(&self, hash: &TokenHash) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM web_sessions WHERE hash = $1")
                .bind(hash.0.as_slice())
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await
    }

    pub(super) async fn remove_sessions_of(&self, user: UserId) -> Result<u64, StoreError> {
        let mut tx = self.write().await?;
        let n = on!(tx.conn(), |c| {
            sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
                .bind(user.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await?;
        Ok(n)
    }

    pub(super) async fn insert_team_lead(&self, team: TeamId, user: UserId) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        on!(tx.conn(), |c| {
            sqlx::query("INSERT INTO web_team_leads (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(team.0)
                .bind(user.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await
    }

    pub(super) async fn teams_led(&self, user: UserId) -> Result<Vec<TeamId>, StoreError> {
        let mut reader = self.read().await?;
        let ids: Vec<i64> = on!(reader.conn(), |c| {
            sqlx::query_scalar("SELECT team_id FROM web_team_leads WHERE user_id = $1 ORDER BY team_id")
                .bind(user.0)
                .fetch_all(&mut *c)
                .await
        })?;
        Ok(ids.into_iter().map(TeamId).collect())
    }
}
