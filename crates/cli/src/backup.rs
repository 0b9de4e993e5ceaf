//! `asyncmm export` and `asyncmm import`: a backup of everything stored, and
//! the way to move between SQLite and PostgreSQL. The document's shape, what
//! it reveals (token hashes with the response each last submitted, exactly
//! as the database keeps them) and the import rules live in the store crate
//! (`asyncmm_store::ExportDocument`); this module reads and writes files and
//! names them in errors.

use std::path::Path;

use anyhow::{Context, Result};
use asyncmm_store::{ExportDocument, Store, redact};

use crate::args::ExportArgs;
use crate::output::emit;

pub async fn export_command(store: &dyn Store, args: &ExportArgs) -> Result<()> {
    let document = store.export_all().await?;
    let mut text = document.to_json()?;
    text.push('\n');
    emit(&text, args.output.as_deref())
}

/// Reads and checks an export file: the error names the file, and the line
/// and column of a syntax or shape error, or the versions when the file is
/// newer than this asyncmm.
pub fn read_document(file: &Path) -> Result<ExportDocument> {
    let text = std::fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))?;
    ExportDocument::from_json(&text).with_context(|| format!("cannot import {}", file.display()))
}

pub async fn import_command(store: &dyn Store, document: &ExportDocument, file: &Path, url: &str) -> Result<()> {
    store
        .import_all(document)
        .await
        .with_context(|| format!("cannot import {}", file.display()))?;
    let responses: usize = document.rounds.iter().map(|r| r.responses.len()).sum();
    eprintln!(
        "imported {} into {}: {} models, {} teams, {} assessments, {} rounds with {} responses, {} goals, {} actions",
        file.display(),
        redact(url),
        document.models.len(),
        document.teams.len(),
        document.assessments.len(),
        document.rounds.len(),
        responses,
        document.goals.len(),
        document.actions.len()
    );
    Ok(())
}
