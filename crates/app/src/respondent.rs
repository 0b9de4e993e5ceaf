//! The use cases a respondent's link reaches — the questionnaire, saving a
//! page, a whole submission, a shared link — and nothing else.
//!
//! [`App::new`] seals rounds that closed by date before anything reads
//! rounds, so no result is read while a closed round's token links exist.
//! None of these use cases shows a result, a count or another token's
//! answers, and each refuses a round past its closing day by its date
//! whether or not it is sealed yet, so [`Respondent`] skips that check: it
//! is a read of every unsealed round on each of the web server's most
//! frequent requests. Sealing still happens before any result is read (every
//! other use case goes through [`App::new`]); the web server also seals on a
//! timer, so links of rounds that closed by date go within a minute even
//! when nobody reads anything.

use asyncmm_core::{Answers, Token};
use asyncmm_store::{Store, SubmitOutcome};
use time::OffsetDateTime;

use crate::rounds::{Invitation, SharedRound};
use crate::{App, AppError, Random};

/// The respondent's use cases, bound to one store and one moment.
pub struct Respondent<'a> {
    app: App<'a>,
}

impl<'a> Respondent<'a> {
    /// Binds the respondent's use cases to `store` at `now` (UTC), without
    /// sealing (see the module docs).
    pub fn new(store: &'a dyn Store, now: OffsetDateTime) -> Respondent<'a> {
        Respondent {
            app: App::unsealed(store, now),
        }
    }

    /// See [`App::invitation`].
    pub async fn invitation(&self, token: &str) -> Result<Invitation, AppError> {
        self.app.invitation(token).await
    }

    /// See [`App::own_answers`].
    pub async fn own_answers(&self, token: &str) -> Result<Option<Answers>, AppError> {
        self.app.own_answers(token).await
    }

    /// See [`App::save_page`].
    pub async fn save_page(
        &self,
        invitation: &Invitation,
        token: &str,
        page: Answers,
    ) -> Result<Option<SubmitOutcome>, AppError> {
        self.app.save_page(invitation, token, page).await
    }

    /// See [`App::respond`].
    pub async fn respond(&self, token: &str, answers: &Answers) -> Result<SubmitOutcome, AppError> {
        self.app.respond(token, answers).await
    }

    /// See [`App::shared_round`].
    pub async fn shared_round(&self, secret: &str) -> Result<SharedRound, AppError> {
        self.app.shared_round(secret).await
    }

    /// See [`App::kept_shared_token`].
    pub async fn kept_shared_token(&self, shared: &SharedRound, kept: Option<&str>) -> Result<Option<Token>, AppError> {
        self.app.kept_shared_token(shared, kept).await
    }

    /// See [`App::issue_shared_token`].
    pub async fn issue_shared_token(&self, secret: &str, random: &mut dyn Random) -> Result<Token, AppError> {
        self.app.issue_shared_token(secret, random).await
    }
}
