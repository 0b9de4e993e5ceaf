//! Self-assessments: one person's answers for a team, stored with the exact
//! model version they answered, explained, and corrected or removed.

use asyncmm_core::{Answers, AssessmentId, ModelRef, NewAssessment, StoredAssessment};
use asyncmm_model::Model;
use asyncmm_report::data::AssessmentReport;
use asyncmm_store::StoreError;

use crate::models::{LoadedModel, stored_model};
use crate::record::explain_assessment;
use crate::teams::Resolved;
use crate::{App, AppError};

/// A stored self-assessment and its explained result.
#[derive(Debug)]
pub struct Assessed {
    pub stored: StoredAssessment,
    /// The team name was new (not in the organisation and never assessed).
    pub new_team: bool,
    pub report: AssessmentReport,
}

impl App<'_> {
    /// Stores a self-assessment of `team` (an existing team matched
    /// case-insensitively, or a new name; a new name one slip away from an
    /// existing one is refused unless `allow_similar`).
    pub async fn assess(
        &self,
        team: &str,
        allow_similar: bool,
        model: &LoadedModel,
        answers: Answers,
    ) -> Result<Assessed, AppError> {
        if answers.is_blank() {
            return Err(AppError::invalid(
                "answers",
                "every answer is \"don't know\", which counts as no response: give at least one answer",
            ));
        }
        let resolved = self.team_for_new_data(team, allow_similar).await?;
        let new_team = matches!(resolved, Resolved::New(_));
        // Registering is idempotent, so it may stay even if the save fails.
        crate::models::register(self.store, model).await?;
        let new = NewAssessment {
            team: resolved.into_name(),
            model: ModelRef::of(&model.model),
            taken_at: self.now.replace_nanosecond(0).unwrap_or(self.now),
            answers,
        };
        let id = self.store.save_assessment(&new).await?;
        let stored = StoredAssessment {
            id,
            team: new.team,
            model: new.model,
            taken_at: new.taken_at,
            answers: new.answers,
        };
        let report = explain_assessment(&model.model, &stored);
        Ok(Assessed {
            stored,
            new_team,
            report,
        })
    }
}

impl App<'_> {
    /// A stored self-assessment and the model version it was taken with
    /// (what a correction's answers are read against).
    pub async fn stored_assessment(&self, id: i64) -> Result<(StoredAssessment, Model), AppError> {
        let stored = match self.store.assessment(AssessmentId(id)).await {
            Ok(stored) => stored,
            Err(StoreError::NotFound(_)) => return Err(AppError::not_found(format!("assessment #{id}"))),
            Err(e) => return Err(e.into()),
        };
        let model = stored_model(self.store, &stored.model).await?;
        Ok((stored, model))
    }

    /// Replaces the answers of a self-assessment (a slip corrected), keeping
    /// its team, model version and date. Rounds are not self-assessments:
    /// their responses follow the round's own rules and can't be changed here.
    pub async fn correct_assessment(&self, id: i64, answers: Answers) -> Result<Assessed, AppError> {
        let (stored, model) = self.stored_assessment(id).await?;
        if answers.is_blank() {
            return Err(AppError::invalid(
                "answers",
                "every answer is \"don't know\", which counts as no response: give at least one answer, or remove \
                 the assessment instead",
            ));
        }
        if answers.mode() != stored.answers.mode() {
            return Err(AppError::invalid(
                "answers",
                format!(
                    "assessment #{id} was taken in {} mode; correct it with {} answers",
                    stored.answers.mode(),
                    stored.answers.mode()
                ),
            ));
        }
        self.store.replace_assessment_answers(stored.id, &answers).await?;
        let stored = StoredAssessment { answers, ..stored };
        let report = explain_assessment(&model, &stored);
        Ok(Assessed {
            stored,
            new_team: false,
            report,
        })
    }

    /// Removes a self-assessment for good; returns what was removed.
    pub async fn remove_assessment(&self, id: i64) -> Result<StoredAssessment, AppError> {
        let (stored, _) = self.stored_assessment(id).await?;
        self.store.remove_assessment(stored.id).await?;
        Ok(stored)
    }
}
