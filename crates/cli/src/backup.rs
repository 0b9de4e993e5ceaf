//! `asyncmm export` and `asyncmm import`: a backup of everything stored,
//! and the way to move between SQLite and PostgreSQL. The document's shape
//! and what it reveals live in the store crate; this module reads and
//! writes files and names them.

use std::path::Path;

use anyhow::{Context, Result};
use asyncmm_app::App;
use asyncmm_app::backup::read_document as parse_document;
use asyncmm_store::{ExportDocument, redact};

use crate::args::ExportArgs;
use crate::output::emit_private;

pub async fn export_command(app: &App<'_>, args: &ExportArgs) -> Result<()> {
    let document = app.export().await?;
    let mut text = document.to_json()?;
    text.push('\n');
    emit_private(&text, args.output.as_deref())
}

/// Reads and checks an export file before any database is opened.
pub fn read_document(file: &Path) -> Result<ExportDocument> {
    let text = std::fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))?;
    Ok(parse_document(&text, &file.display().to_string())?)
}

pub async fn import_command(app: &App<'_>, document: &ExportDocument, file: &Path, url: &str) -> Result<()> {
    let done = app
        .import(document)
        .await
        .with_context(|| format!("cannot import {}", file.display()))?;
    eprintln!(
        "imported {} into {}: {} models, {} teams, {} assessments, {} rounds with {} responses, {} goals, {} actions",
        file.display(),
        redact(url),
        done.models,
        done.teams,
        done.assessments,
        done.rounds,
        done.responses,
        done.goals,
        done.actions
    );
    Ok(())
}
