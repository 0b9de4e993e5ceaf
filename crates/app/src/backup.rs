//! Export and import of everything stored, as one versioned JSON document
//! (its shape and anonymity notes: `asyncmm_store::ExportDocument`). An
//! import goes only into an empty database, all or nothing.

use asyncmm_store::ExportDocument;

use crate::{App, AppError};

/// What an import brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub models: usize,
    pub teams: usize,
    pub assessments: usize,
    pub rounds: usize,
    pub responses: usize,
    pub goals: usize,
    pub actions: usize,
}

/// Reads and checks an export document's text; `file` names it in errors
/// (with the line and column of a syntax or shape error). Nothing is opened
/// or stored: a bad file is refused before any database is touched.
pub fn read_document(text: &str, file: &str) -> Result<ExportDocument, AppError> {
    ExportDocument::from_json(text).map_err(|e| AppError::invalid(format!("cannot import {file}"), e))
}

impl App<'_> {
    pub async fn export(&self) -> Result<ExportDocument, AppError> {
        Ok(self.store.export_all().await?)
    }

    /// Writes a document (checked by [`read_document`]) into this empty
    /// database, all or nothing.
    pub async fn import(&self, document: &ExportDocument) -> Result<Imported, AppError> {
        self.store.import_all(document).await?;
        Ok(Imported {
            models: document.models.len(),
            teams: document.teams.len(),
            assessments: document.assessments.len(),
            rounds: document.rounds.len(),
            responses: document.rounds.iter().map(|r| r.responses.len()).sum(),
            goals: document.goals.len(),
            actions: document.actions.len(),
        })
    }
}
