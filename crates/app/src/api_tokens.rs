//! Personal API tokens as use cases: a signed-in person makes a token for
//! a program (the secret is handed out once), lists their tokens (never a
//! secret), and revokes one; the JSON API finds the person a token
//! belongs to.
//!
//! A token's secret is `amm_` and 160 random bits (32 base32 characters).
//! Only its SHA-256 is stored, with the first characters ([`PREFIX_LEN`])
//! so its owner can tell tokens apart: a copy of the database lets nobody
//! in, and the prefix gives away 20 of the 160 bits.

use asyncmm_core::Token;
use asyncmm_core::account::User;
use asyncmm_store::{ApiToken, Listed, NewApiToken, Window};

use crate::accounts::parse_name;
use crate::{App, AppError, Random};

/// What every API token's secret starts with, so a leaked one is easy to
/// recognise (and to search for in logs and repositories).
pub const SECRET_START: &str = "amm_";
/// How much of a secret is kept and shown: `amm_` and 4 characters.
pub const PREFIX_LEN: usize = SECRET_START.len() + 4;
/// How many unrevoked tokens one person may hold.
pub const MAX_ACTIVE: usize = 20;

/// A token just made: the secret (shown once, kept nowhere) and the token.
#[derive(Debug)]
pub struct NewToken {
    pub secret: String,
    pub token: ApiToken,
}

impl App<'_> {
    /// Makes an API token for `user`, named `name` (what it is for). The
    /// secret is in the result only.
    pub async fn create_api_token(
        &self,
        user: &User,
        name: &str,
        random: &mut dyn Random,
    ) -> Result<NewToken, AppError> {
        let name = parse_name(name).map_err(|e| match e {
            AppError::Invalid { message, .. } => AppError::invalid("token name", message),
            other => other,
        })?;
        let active = self
            .store
            .api_tokens_of(user.id)
            .await?
            .iter()
            .filter(|t| t.revoked_at.is_none())
            .count();
        if active >= MAX_ACTIVE {
            return Err(AppError::Conflict(format!(
                "you hold {MAX_ACTIVE} API tokens already; revoke one you no longer use first"
            )));
        }
        let mut bytes = [0u8; Token::BYTES];
        random.fill(&mut bytes)?;
        let token = Token::from_random_bytes(bytes);
        let secret = format!("{SECRET_START}{}", token.reveal());
        let stored = self
            .store
            .create_api_token(&NewApiToken {
                user: user.id,
                name,
                prefix: secret.chars().take(PREFIX_LEN).collect(),
                hash: token.hash(),
                created_at: self.now,
            })
            .await?;
        Ok(NewToken { secret, token: stored })
    }

    /// The API tokens of `user`, revoked ones included, newest first.
    pub async fn api_tokens(&self, user: &User) -> Result<Vec<ApiToken>, AppError> {
        Ok(self.store.api_tokens_of(user.id).await?)
    }

    /// One window of [`App::api_tokens`], read by the database, with the
    /// number of the person's tokens.
    pub async fn api_token_window(&self, user: &User, window: Window) -> Result<Listed<ApiToken>, AppError> {
        Ok(self.store.api_tokens_window(user.id, window).await?)
    }

    /// Revokes one of `user`'s tokens; another person's token is "not
    /// found", like one that never existed.
    pub async fn revoke_api_token(&self, user: &User, id: i64) -> Result<ApiToken, AppError> {
        Ok(self.store.revoke_api_token(user.id, id, self.now).await?)
    }

    /// The person an API token's secret belongs to, if it is valid and not
    /// revoked. Anything else (malformed, unknown, revoked) is `None`.
    pub async fn api_user(&self, secret: &str) -> Result<Option<User>, AppError> {
        let Some(token) = secret
            .trim()
            .strip_prefix(SECRET_START)
            .and_then(|rest| Token::parse(rest).ok())
        else {
            return Ok(None);
        };
        Ok(self.store.api_token_user(&token.hash(), self.now).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_marker_and_four_characters() {
        assert_eq!(PREFIX_LEN, 8);
        let secret = format!("{SECRET_START}{}", Token::from_random_bytes([7; Token::BYTES]).reveal());
        assert_eq!(secret.len(), 36);
        let prefix: String = secret.chars().take(PREFIX_LEN).collect();
        assert!(secret.starts_with(&prefix) && prefix.starts_with("amm_"));
    }
}
