//! The one error type of every use case, typed so each front end can react
//! without reading messages: the command line prints the message (and adds
//! its own hints about flags), the web maps each variant to an HTTP status
//! in one place. Messages never name command-line flags.

use asyncmm_core::RoundId;
use asyncmm_store::{Refusal, StoreError};

use crate::input::{AnswersFileError, ImportError};

/// Why a use case did not happen. In every case nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Something named does not exist. `suggestions` are the nearest
    /// existing names, if any (a mistyped team name).
    #[error("{what} does not exist{}", suggestion_text(.suggestions))]
    NotFound { what: String, suggestions: Vec<String> },

    /// Several teams hold data and none was named.
    #[error("several teams hold data ({}); name the one you mean", .teams.join(", "))]
    TeamNotGiven { teams: Vec<String> },

    /// Nothing is stored yet to work on.
    #[error("{0}")]
    NothingYet(String),

    /// The round takes no answers (closed, or not open yet).
    #[error("{0}")]
    RoundClosed(Refusal),

    /// The respondent token was never issued, or not for this round (the
    /// same answer either way, so nothing about other rounds is revealed).
    #[error(
        "this respondent token is not valid: check that it was copied whole (it was never issued, or the round was \
         deleted)"
    )]
    TokenUnknown,

    /// The shared link was never given, or was replaced by a newer one.
    #[error("this shared link is not valid: check that it was copied whole (it may have been replaced by a newer one)")]
    SharedLinkUnknown,

    /// The token answered before its round closed; its answers are final.
    #[error("{0}")]
    TokenSpent(Refusal),

    /// k can't change once a response arrived.
    #[error("{0}")]
    KFixed(Refusal),

    /// The round can't be reopened (published, or not closed).
    #[error("{0}")]
    ReopenRefused(Refusal),

    /// An answers file or typed value is wrong; the message names the file
    /// and the line and column, or the value.
    #[error(transparent)]
    Answers(#[from] AnswersFileError),

    /// An import file is wrong; the message names the file, row and column.
    #[error(transparent)]
    Import(#[from] ImportError),

    /// A value given by the user is not valid (a level, an area, a date, a
    /// model file, a team name …). `what` says which value.
    #[error("{}", invalid_text(.what, .message))]
    Invalid { what: String, message: String },

    /// The operation contradicts what is stored (a name taken, a duplicate
    /// action, a round rule other than the ones above).
    #[error("{0}")]
    Conflict(String),

    /// Signing in failed, or the action needs a signed-in person. The
    /// message never says whether the name or the password was wrong.
    #[error("{0}")]
    Unauthorized(String),

    /// The signed-in person's role does not allow this, or the team is not
    /// one of theirs (the same answer either way, so nothing is revealed).
    #[error("{0}")]
    Forbidden(String),

    /// Storage failed (unreachable database, corrupt data, …).
    #[error(transparent)]
    Storage(StoreError),
}

fn invalid_text(what: &str, message: &str) -> String {
    if what.is_empty() {
        message.to_string()
    } else {
        format!("{what}: {message}")
    }
}

fn suggestion_text(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" — did you mean \"{one}\"?"),
        many => {
            let quoted: Vec<String> = many.iter().map(|s| format!("\"{s}\"")).collect();
            format!(" — did you mean one of {}?", quoted.join(", "))
        }
    }
}

impl AppError {
    pub fn invalid(what: impl Into<String>, message: impl ToString) -> AppError {
        AppError::Invalid {
            what: what.into(),
            message: message.to_string(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::NotFound {
            what: what.into(),
            suggestions: Vec::new(),
        }
    }

    pub(crate) fn round_not_found(id: RoundId) -> AppError {
        AppError::not_found(format!("round {id}"))
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> AppError {
        match refusal {
            Refusal::RoundClosed { .. } | Refusal::NotOpenYet { .. } => AppError::RoundClosed(refusal),
            Refusal::TokenSpent { .. } => AppError::TokenSpent(refusal),
            Refusal::KFixed { .. } => AppError::KFixed(refusal),
            Refusal::ReopenPublished { .. } | Refusal::NotClosed { .. } => AppError::ReopenRefused(refusal),
            other => AppError::Conflict(other.to_string()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Refused(refusal) => refusal.into(),
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::Invalid(message) => AppError::invalid("", message),
            other => AppError::Storage(other),
        }
    }
}

impl From<asyncmm_core::AnswerError> for AppError {
    fn from(e: asyncmm_core::AnswerError) -> AppError {
        AppError::invalid("answers", e)
    }
}
