//! `asyncmm export` and `asyncmm import`: a backup of everything stored,
//! and the way to move between SQLite and PostgreSQL. The document's shape
//! and what it reveals live in the store crate; this module reads and
//! writes files and names them.

use std::path::Path;

use anyhow::{Context, Result};
use asyncmm_app::App;
use asyncmm_app::backup::{CheckedFile, check_file};
use asyncmm_store::redact;

use crate::args::ExportArgs;
use crate::output::emit_private;

pub async fn export_command(app: &App<'_>, args: &ExportArgs) -> Result<()> {
    let document = app.export().await?;
    let mut text = document.to_json()?;
    text.push('\n');
    emit_private(&text, args.output.as_deref())
}

/// Reads and checks a whole export file before any database is opened (a
/// bad file doesn't even create one); memory stays small whatever its size.
pub async fn check_import(file: &Path) -> Result<CheckedFile> {
    let path = file.to_path_buf();
    let checked = tokio::task::spawn_blocking(move || check_file(&path))
        .await
        .context("the import check stopped unexpectedly")??;
    Ok(checked)
}

pub async fn import_command(app: &App<'_>, checked: &CheckedFile, file: &Path, url: &str) -> Result<()> {
    let done = app
        .import_file(checked)
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
