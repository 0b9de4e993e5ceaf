//! An assessment as it is kept: who (which team), when, with which model
//! version, and the answers. The store persists exactly this.

use std::fmt;

use time::OffsetDateTime;

use crate::answers::{Answers, TeamName};

/// The database id of a stored assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct AssessmentId(pub i64);

impl fmt::Display for AssessmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The model an assessment was taken with. Results of different versions are
/// never mixed, so both parts are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ModelRef {
    pub id: String,
    pub version: String,
}

impl ModelRef {
    pub fn of(model: &asyncmm_model::Model) -> Self {
        ModelRef {
            id: model.id.clone(),
            version: model.version.clone(),
        }
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.id, self.version)
    }
}

/// An assessment ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAssessment {
    pub team: TeamName,
    pub model: ModelRef,
    pub taken_at: OffsetDateTime,
    pub answers: Answers,
}

/// An assessment read back from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAssessment {
    pub id: AssessmentId,
    pub team: TeamName,
    pub model: ModelRef,
    pub taken_at: OffsetDateTime,
    pub answers: Answers,
}
