//! `asyncmm export` and `asyncmm import`: a backup of everything stored,
//! and the way to move between SQLite and PostgreSQL. The document's shape
//! and what it reveals live in the store crate; this module reads and
//! writes files and names them.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use asyncmm_app::backup::{CheckedFile, check_file};
use asyncmm_app::{App, AppError};
use asyncmm_store::{StoreError, redact};

use crate::args::ExportArgs;
use crate::output::{Access, AtomicFile};
use crate::ui::VisibleLines;

/// Writes the export as it is read from the store, so memory stays flat
/// whatever the database's size: into a file readable by its owner only
/// (put in place once complete), or to standard output with the terminal
/// escapes of every other output.
pub async fn export_command(app: &App<'_>, args: &ExportArgs) -> Result<()> {
    match args.output.as_deref() {
        Some(path) => {
            let mut file = AtomicFile::create(path, Access::OwnerOnly)?;
            app.export_to(file.writer()).await?;
            file.writer()
                .write_all(b"\n")
                .with_context(|| format!("could not write {}", path.display()))?;
            file.commit()?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => {
            let mut out = VisibleLines::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()));
            let written = app.export_to(&mut out).await;
            let written = written.and_then(|()| {
                out.write_all(b"\n")
                    .and_then(|()| out.flush())
                    .map_err(|e| AppError::Storage(StoreError::Write(e)))
            });
            match written {
                // A closed pipe (`asyncmm export | head`) is not an error worth reporting.
                Err(AppError::Storage(StoreError::Write(e))) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => Ok(other?),
            }
        }
    }
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
        "imported {} into {}: {} models, {} teams, {} assessments, {} rounds with {} responses, {} goals, {} actions, \
         {} people with {} API tokens, {} invitations",
        file.display(),
        redact(url),
        done.models,
        done.teams,
        done.assessments,
        done.rounds,
        done.responses,
        done.goals,
        done.actions,
        done.people,
        done.api_tokens,
        done.invitations
    );
    if done.people > 0 {
        eprintln!("the web app's people can sign in with their passwords again; every session ended with the export");
    }
    // The import is complete here; keeping results only spares the first
    // org view the work, so a failure is a warning, not a failed import.
    match app.keep_closed_results().await {
        Ok(0) => {}
        Ok(kept) => eprintln!("kept the results of {kept} closed rounds for the org views"),
        Err(e) => eprintln!("warning: the results of closed rounds will be computed at their first view: {e}"),
    }
    Ok(())
}
