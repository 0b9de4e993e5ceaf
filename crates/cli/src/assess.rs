//! `asyncmm assess`, `asyncmm assessment` and `asyncmm model`: reads the
//! questionnaire's answers (in the terminal or from a file), hands them to
//! the application layer and prints the explained result; corrects or
//! removes a stored self-assessment after asking.

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use asyncmm_app::input::{MAX_MODEL_FILE, answers_file, read_text};
use asyncmm_app::{App, LoadedModel};
use asyncmm_core::Answers;
use asyncmm_report::{csv, html, markdown, text, to_json};

use crate::args::{AssessArgs, AssessmentCommand, ModelFormat, ReportFormat};
use crate::output::emit;
use crate::prompt;
use crate::ui::{cancelled, print, require_terminal, style};

/// Reads a model file, or returns the embedded default.
pub fn load_model(path: Option<&Path>) -> Result<LoadedModel> {
    match path {
        None => Ok(LoadedModel::embedded()?),
        Some(path) => {
            let text = read_text(path, "model file", MAX_MODEL_FILE)?;
            Ok(LoadedModel::parse(&text, &path.display().to_string())?)
        }
    }
}

pub async fn assess_command(app: &App<'_>, args: &AssessArgs) -> Result<()> {
    let model = load_model(args.model.as_deref())?;
    let (team, answers) = match &args.answers {
        Some(path) => {
            let file = answers_file::read(path, &model.model)?;
            let team = args.team.clone().or(file.team.map(|t| t.to_string())).ok_or_else(|| {
                anyhow!(
                    "no team given: pass --team NAME or set `team = \"...\"` in {}",
                    path.display()
                )
            })?;
            (team, file.answers)
        }
        None => {
            require_terminal()?;
            let team = match &args.team {
                Some(t) => t.clone(),
                None => prompt::ask_team(None).map_err(cancelled)?.to_string(),
            };
            let answers = if args.detailed {
                Answers::Detailed(prompt::ask_detailed(&model.model).map_err(cancelled)?)
            } else {
                Answers::Quick(prompt::ask_quick(&model.model).map_err(cancelled)?)
            };
            (team, answers)
        }
    };
    let assessed = app.assess(&team, args.new_team, &model, answers).await?;
    let report = &assessed.report;
    let out = match args.format {
        ReportFormat::Text => text::render_report(report, style()),
        ReportFormat::Md => markdown::render_report(report),
        ReportFormat::Json => to_json(report)?,
        ReportFormat::Csv => csv::render_report(report),
        ReportFormat::Html => html::render_report_html(report, None, None, None),
    };
    emit(&out, None)?;
    if args.format == ReportFormat::Text {
        let new = if assessed.new_team { " (a new team)" } else { "" };
        eprintln!(
            "saved as assessment #{} of \"{}\"{new}; see changes over time with `asyncmm history --team \"{}\"`",
            assessed.stored.id.0, assessed.stored.team, assessed.stored.team
        );
    }
    Ok(())
}

/// "assessment #3 of \"Web\" (quick mode, taken 2026-11-30)".
fn describe(stored: &asyncmm_core::StoredAssessment) -> String {
    format!(
        "assessment #{} of \"{}\" ({} mode, taken {})",
        stored.id.0,
        stored.team,
        stored.answers.mode(),
        stored.taken_at.date()
    )
}

pub async fn assessment_command(app: &App<'_>, command: &AssessmentCommand) -> Result<()> {
    match command {
        AssessmentCommand::Correct { id, answers, yes } => {
            let (stored, model) = app.stored_assessment(*id).await?;
            let corrected = match answers {
                Some(path) => answers_file::read(path, &model)?.answers,
                None => {
                    require_terminal()?;
                    eprintln!("Correcting {}: answer again.", describe(&stored));
                    match stored.answers.mode() {
                        asyncmm_core::Mode::Detailed => {
                            Answers::Detailed(prompt::ask_detailed(&model).map_err(cancelled)?)
                        }
                        asyncmm_core::Mode::Quick => Answers::Quick(prompt::ask_quick(&model).map_err(cancelled)?),
                    }
                }
            };
            if !yes && !crate::rounds::confirm(&format!("Replace the answers of {}?", describe(&stored)))? {
                bail!(
                    "{} was not changed; pass --yes to replace its answers",
                    describe(&stored)
                );
            }
            let assessed = app.correct_assessment(*id, corrected).await?;
            emit(&text::render_report(&assessed.report, style()), None)?;
            eprintln!("corrected {}", describe(&assessed.stored));
            Ok(())
        }
        AssessmentCommand::Remove { id, yes } => {
            let (stored, _) = app.stored_assessment(*id).await?;
            if !yes && !crate::rounds::confirm(&format!("Remove {} for good?", describe(&stored)))? {
                bail!("{} was not removed; pass --yes to remove it", describe(&stored));
            }
            let removed = app.remove_assessment(*id).await?;
            print(&format!("removed {}\n", describe(&removed)))
        }
    }
}

pub fn model_show(path: Option<&Path>, format: ModelFormat) -> Result<()> {
    let model = load_model(path)?.model;
    let out = match format {
        ModelFormat::Text => text::render_model(&model),
        ModelFormat::Md => markdown::render_model(&model),
        ModelFormat::Json => to_json(&model)?,
    };
    print(&out)
}

/// `model validate FILE [--revises EARLIER]`: every problem with its place;
/// a model that declares itself a wording revision is checked against the
/// version it revises (built in, or the file given).
pub fn model_validate(path: &Path, earlier: Option<&Path>) -> Result<()> {
    let model = load_model(Some(path))?.model;
    let base = match earlier {
        Some(earlier) => Some(load_model(Some(earlier))?.model),
        None => asyncmm_model::builtin_base(&model).map_err(|e| {
            anyhow!(
                "{e}; check it against the earlier model file with `asyncmm model validate {} --revises EARLIER.toml`",
                path.display()
            )
        })?,
    };
    if let Some(base) = &base {
        asyncmm_model::check_revision(base, &model).map_err(|e| anyhow!("{e}"))?;
    }
    let mut out = format!(
        "{}: valid model {} with {} areas and {} statements\n",
        path.display(),
        model.key(),
        model.areas.len(),
        model.statement_count()
    );
    if let Some(base) = &base {
        out.push_str(&format!(
            "{}: a wording revision of {} (same ids, levels and scoring), so their results compare\n",
            path.display(),
            base.key()
        ));
    }
    print(&out)
}
