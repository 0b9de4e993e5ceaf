//! Personal API tokens: stored as the hash of their secret with a short
//! prefix, listed for their owner, found by hash while unrevoked, revoked
//! by their owner only.

use asyncmm_core::TokenHash;
use asyncmm_core::account::{User, UserId};
use sqlx::FromRow;
use time::{Duration, OffsetDateTime};

use super::stamp::Stamp;
use super::{Database, on};
use crate::{ApiToken, Listed, NewApiToken, StoreError, Window};

/// A token's last use is noted at most this often.
const USE_GRANULARITY: Duration = Duration::minutes(1);

#[derive(FromRow)]
struct TokenColumns {
    id: i64,
    user_id: i64,
    name: String,
    prefix: String,
    created_at: Stamp,
    last_used_at: Option<Stamp>,
    revoked_at: Option<Stamp>,
}

impl From<TokenColumns> for ApiToken {
    fn from(c: TokenColumns) -> ApiToken {
        ApiToken {
            id: c.id,
            user: UserId(c.user_id),
            name: c.name,
            prefix: c.prefix,
            created_at: c.created_at.0,
            last_used_at: c.last_used_at.map(|s| s.0),
            revoked_at: c.revoked_at.map(|s| s.0),
        }
    }
}

const COLUMNS: &str = "id, user_id, name, prefix, created_at, last_used_at, revoked_at";

impl Database {
    pub(super) async fn insert_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        let mut tx = self.write().await?;
        let taken: Option<i64> = on!(tx.conn(), |c| {
            sqlx::query_scalar("SELECT id FROM api_tokens WHERE hash = $1")
                .bind(token.hash.0.as_slice())
                .fetch_optional(&mut *c)
                .await
        })?;
        if taken.is_some() {
            return Err(StoreError::Conflict("this API token exists already".to_string()));
        }
        let row: TokenColumns = on!(tx.conn(), |c| {
            sqlx::query_as(&format!(
                "INSERT INTO api_tokens (user_id, name, prefix, hash, created_at) VALUES ($1, $2, $3, $4, $5) \
                 RETURNING {COLUMNS}"
            ))
            .bind(token.user.0)
            .bind(&token.name)
            .bind(&token.prefix)
            .bind(token.hash.0.as_slice())
            .bind(Stamp(token.created_at))
            .fetch_one(&mut *c)
            .await
        })?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub(super) async fn user_of_api_token(
        &self,
        hash: &TokenHash,
        now: OffsetDateTime,
    ) -> Result<Option<User>, StoreError> {
        let row: Option<(i64, String, String, Option<Stamp>)> = {
            let mut reader = self.read().await?;
            on!(reader.conn(), |c| {
                sqlx::query_as(
                    "SELECT u.id, u.name, u.role, t.last_used_at FROM api_tokens t \
                     JOIN web_users u ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_at IS NULL",
                )
                .bind(hash.0.as_slice())
                .fetch_optional(&mut *c)
                .await
            })?
        };
        let Some((id, name, role, last_used)) = row else {
            return Ok(None);
        };
        if last_used.is_none_or(|l| l.0 + USE_GRANULARITY <= now) {
            let mut tx = self.write().await?;
            on!(tx.conn(), |c| {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE hash = $2")
                    .bind(Stamp(now))
                    .bind(hash.0.as_slice())
                    .execute(&mut *c)
                    .await
                    .map(|done| done.rows_affected())
            })?;
            tx.commit().await?;
        }
        let role = asyncmm_core::account::Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(User {
            id: UserId(id),
            name,
            role,
        }))
    }

    pub(super) async fn api_tokens_of_user(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        let mut reader = self.read().await?;
        let rows: Vec<TokenColumns> = on!(reader.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
            ))
            .bind(user.0)
            .fetch_all(&mut *c)
            .await
        })?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    /// A window of [`Database::api_tokens_of_user`] and the number of the
    /// person's tokens, from one snapshot.
    pub(super) async fn api_tokens_of_user_window(
        &self,
        user: UserId,
        window: Window,
    ) -> Result<Listed<ApiToken>, StoreError> {
        let mut tx = self.snapshot().await?;
        let total: i64 = on!(tx.conn(), |c| {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM api_tokens WHERE user_id = $1")
                .bind(user.0)
                .fetch_one(&mut *c)
                .await
        })?;
        let rows: Vec<TokenColumns> = on!(tx.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC \
                 LIMIT $2 OFFSET $3"
            ))
            .bind(user.0)
            .bind(i64::from(window.limit))
            .bind(i64::try_from(window.offset).unwrap_or(i64::MAX))
            .fetch_all(&mut *c)
            .await
        })?;
        tx.commit().await?;
        Ok(Listed {
            items: rows.into_iter().map(ApiToken::from).collect(),
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    pub(super) async fn revoke_token_of(
        &self,
        user: UserId,
        id: i64,
        now: OffsetDateTime,
    ) -> Result<ApiToken, StoreError> {
        let mut tx = self.write().await?;
        on!(tx.conn(), |c| {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(Stamp(now))
                .bind(id)
                .bind(user.0)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        let row: Option<TokenColumns> = on!(tx.conn(), |c| {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM api_tokens WHERE id = $1 AND user_id = $2"
            ))
            .bind(id)
            .bind(user.0)
            .fetch_optional(&mut *c)
            .await
        })?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(format!("API token #{id}")));
        };
        tx.commit().await?;
        Ok(row.into())
    }
}
