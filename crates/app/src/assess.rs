//! Self-assessments: one person's answers for a team, stored with the exact
//! model version they answered, and explained.

use asyncmm_core::{Answers, ModelRef, NewAssessment, StoredAssessment};
use asyncmm_report::data::AssessmentReport;

use crate::models::LoadedModel;
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
