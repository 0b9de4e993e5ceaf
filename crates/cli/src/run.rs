//! Wiring: each command reads its inputs, calls the domain crates and the
//! store, and hands the result to a renderer. No rule lives here.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use asyncmm_core::history::history;
use asyncmm_core::{Answers, AssessmentId, ModelRef, NewAssessment, StoredAssessment, TeamName, assess};
use asyncmm_model::Model;
use asyncmm_report::{
    AssessmentMeta, AssessmentReport, HistoryReport, PlanReport, Style, csv, html, markdown, text, to_json,
};
use asyncmm_store::{Store, StoreError};
use time::OffsetDateTime;

use crate::args::{AssessArgs, HistoryArgs, HistoryFormat, ModelFormat, ReportArgs, ReportFormat};
use crate::{answers_file, prompt};

/// A user-facing stop that is not a failure of the program: the user
/// cancelled, so the process exits with 130 like an interrupted shell command.
#[derive(Debug, thiserror::Error)]
#[error("cancelled: nothing was stored")]
pub struct Cancelled;

/// Colour only on a terminal, and never when `NO_COLOR` is set (no-color.org).
pub fn style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Style {
        color: !no_color && std::io::stdout().is_terminal(),
    }
}

pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`asyncmm history | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("could not write to standard output"),
    }
}

/// Reads a model file, or returns the embedded default; also returns the
/// exact text so the store can keep it with the assessments.
pub fn load_model(path: Option<&Path>) -> Result<(Model, String)> {
    match path {
        None => {
            let model = asyncmm_model::default_model().map_err(|e| anyhow!("{e}"))?;
            Ok((model, asyncmm_model::DEFAULT_MODEL_TOML.to_string()))
        }
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read model file {}", path.display()))?;
            let model = asyncmm_model::parse(&text, &path.display().to_string()).map_err(|e| anyhow!("{e}"))?;
            Ok((model, text))
        }
    }
}

/// The model an assessment was stored with, parsed from the text kept in
/// the store, so old results render with their own model version.
pub async fn stored_model(store: &dyn Store, model: &ModelRef) -> Result<Model> {
    let text = store
        .model_source(model)
        .await?
        .ok_or_else(|| anyhow!("model {model} is not in the database; the data is incomplete"))?;
    asyncmm_model::parse(&text, &format!("<stored model {model}>")).map_err(|e| anyhow!("{e}"))
}

pub async fn assess_command(store: &dyn Store, args: &AssessArgs) -> Result<()> {
    let (model, model_text) = load_model(args.model.as_deref())?;
    let cli_team = args.team.as_deref().map(TeamName::parse).transpose()?;
    let (team, answers) = match &args.answers {
        Some(path) => {
            let file = answers_file::read(path, &model)?;
            let team = cli_team.or(file.team).ok_or_else(|| {
                anyhow!(
                    "no team given: pass --team NAME or set `team = \"...\"` in {}",
                    path.display()
                )
            })?;
            (team, file.answers)
        }
        None => {
            if !std::io::stdin().is_terminal() {
                bail!(
                    "standard input is not a terminal, so asyncmm can't ask questions; \
                     pass --answers FILE to answer from a file (see examples/answers-detailed.toml)"
                );
            }
            ask(&model, cli_team, args.detailed)?
        }
    };
    // Registering is idempotent, so it may stay even if the save below fails.
    store.register_model(&ModelRef::of(&model), &model_text).await?;
    let new = NewAssessment {
        team,
        model: ModelRef::of(&model),
        taken_at: OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc()),
        answers,
    };
    let id = store.save_assessment(&new).await?;
    let stored = StoredAssessment {
        id,
        team: new.team,
        model: new.model,
        taken_at: new.taken_at,
        answers: new.answers,
    };
    render_report(&model, &stored, args.format, None, None, None, None)?;
    if args.format == ReportFormat::Text {
        eprintln!(
            "saved as assessment #{id}; see changes over time with `asyncmm history --team \"{}\"`",
            stored.team
        );
    }
    Ok(())
}

/// Ctrl-C, Esc or end of input in a prompt: the caller stores nothing.
pub fn cancelled(e: prompt::PromptError) -> anyhow::Error {
    if matches!(e, prompt::PromptError::Cancelled) {
        Cancelled.into()
    } else {
        e.into()
    }
}

fn ask(model: &Model, team: Option<TeamName>, detailed: bool) -> Result<(TeamName, Answers)> {
    let team = match team {
        Some(t) => t,
        None => prompt::ask_team(None).map_err(cancelled)?,
    };
    let answers = if detailed {
        Answers::Detailed(prompt::ask_detailed(model).map_err(cancelled)?)
    } else {
        Answers::Quick(prompt::ask_quick(model).map_err(cancelled)?)
    };
    Ok((team, answers))
}

/// The explained result of one stored assessment: what every renderer and
/// chart of an assessment reads.
pub fn assessment_report(model: &Model, stored: &StoredAssessment) -> AssessmentReport {
    let result = assess(model, &stored.answers);
    AssessmentReport::build(model, AssessmentMeta::of(stored), &result)
}

/// The team's goals as radar targets: area id and target level.
pub async fn goal_targets(store: &dyn Store, team: &TeamName) -> Result<Vec<(String, f64)>> {
    Ok(store
        .goals(team)
        .await?
        .into_iter()
        .map(|g| (g.area.to_string(), f64::from(g.target.number())))
        .collect())
}

fn render_report(
    model: &Model,
    stored: &StoredAssessment,
    format: ReportFormat,
    history: Option<&HistoryReport>,
    targets: Option<&[(String, f64)]>,
    plan: Option<&PlanReport>,
    output: Option<&Path>,
) -> Result<()> {
    let report = assessment_report(model, stored);
    let out = match format {
        ReportFormat::Text => text::render_report(&report, style()),
        ReportFormat::Md => markdown::render_report(&report),
        ReportFormat::Json => to_json(&report)?,
        ReportFormat::Csv => csv::render_report(&report),
        ReportFormat::Html => html::render_report_html(&report, history, targets.filter(|t| !t.is_empty()), plan),
    };
    crate::output::emit(&out, output)
}

/// The team named on the command line, or the only stored team.
pub async fn resolve_team(store: &dyn Store, team: Option<&str>) -> Result<TeamName> {
    if let Some(name) = team {
        return Ok(TeamName::parse(name)?);
    }
    let teams = store.teams().await?;
    match teams.as_slice() {
        [] => bail!("no assessments stored yet: run `asyncmm assess` first"),
        [only] => Ok(only.name.clone()),
        many => {
            let names: Vec<&str> = many.iter().map(|t| t.name.as_str()).collect();
            bail!(
                "several teams are stored; pass --team with one of: {}",
                names.join(", ")
            )
        }
    }
}

pub async fn report_command(store: &dyn Store, args: &ReportArgs) -> Result<()> {
    if let Some(round) = args.round {
        return crate::rounds::round_report(store, round, args.format, args.output.as_deref()).await;
    }
    if args.org {
        return crate::rounds::org_report(store, args.format, args.output.as_deref()).await;
    }
    let stored = match args.assessment {
        Some(id) => store.assessment(AssessmentId(id)).await.map_err(|e| match e {
            StoreError::NotFound(_) => anyhow!("assessment #{id} does not exist"),
            other => other.into(),
        })?,
        None => {
            let team = resolve_team(store, args.team.as_deref()).await?;
            store
                .latest_assessment(&team)
                .await?
                .ok_or_else(|| anyhow!("team \"{team}\" has no assessments; run `asyncmm assess --team \"{team}\"`"))?
        }
    };
    let model = stored_model(store, &stored.model).await?;
    // The HTML page also shows the radar against the previous assessment
    // and the trend, both read from the team's history, and the team's plan.
    let (history, targets, plan) = match args.format {
        ReportFormat::Html => (
            Some(history_report(store, &stored.team).await?),
            Some(goal_targets(store, &stored.team).await?),
            Some(crate::plan::plan_report(store, &stored.team).await?),
        ),
        _ => (None, None, None),
    };
    render_report(
        &model,
        &stored,
        args.format,
        history.as_ref(),
        targets.as_deref(),
        plan.as_ref(),
        args.output.as_deref(),
    )
}

pub async fn history_command(store: &dyn Store, args: &HistoryArgs) -> Result<()> {
    let team = resolve_team(store, args.team.as_deref()).await?;
    let report = history_report(store, &team).await?;
    let out = match args.format {
        HistoryFormat::Text => text::render_history(&report, style()),
        HistoryFormat::Md => markdown::render_history(&report),
        HistoryFormat::Json => to_json(&report)?,
        HistoryFormat::Csv => csv::render_history(&report),
        HistoryFormat::Html => html::render_history_html(&report),
    };
    crate::output::emit(&out, args.output.as_deref())
}

/// The model versions a set of records was taken with, each read from the
/// store and parsed once however many records share it.
pub struct StoredModels(Vec<Model>);

impl StoredModels {
    pub async fn load<'a>(store: &dyn Store, refs: impl IntoIterator<Item = &'a ModelRef>) -> Result<StoredModels> {
        let mut models: Vec<Model> = Vec::new();
        for r in refs {
            if !models.iter().any(|m| &ModelRef::of(m) == r) {
                models.push(stored_model(store, r).await?);
            }
        }
        Ok(StoredModels(models))
    }

    pub fn get(&self, model: &ModelRef) -> Result<&Model> {
        self.0
            .iter()
            .find(|m| &ModelRef::of(m) == model)
            .ok_or_else(|| anyhow!("model {model} missing"))
    }

    /// Every model loaded, in order of first use.
    pub fn all(&self) -> &[Model] {
        &self.0
    }

    /// The model reports are laid out by: the first one loaded, else the
    /// embedded default.
    pub fn display(&self) -> Result<Model> {
        match self.0.first() {
            Some(m) => Ok(m.clone()),
            None => Ok(load_model(None)?.0),
        }
    }
}

/// A team's assessments oldest first, each scored with its own model version
/// and compared with the one before.
pub async fn history_report(store: &dyn Store, team: &TeamName) -> Result<HistoryReport> {
    let stored = store.team_assessments(team).await?;
    if stored.is_empty() {
        bail!("team \"{team}\" has no assessments; run `asyncmm assess --team \"{team}\"`");
    }
    let models = StoredModels::load(store, stored.iter().map(|a| &a.model)).await?;
    let mut scored = Vec::with_capacity(stored.len());
    for a in &stored {
        let model = models.get(&a.model)?;
        scored.push((a, model, assess(model, &a.answers)));
    }
    let entries = history(scored.iter().map(|(a, _, r)| (a.id, &a.model, r)));
    Ok(HistoryReport::build(
        team.as_str(),
        scored.iter().zip(entries).map(|((a, m, _), e)| (*a, *m, e)),
    ))
}

pub fn model_show(path: Option<&Path>, format: ModelFormat) -> Result<()> {
    let (model, _) = load_model(path)?;
    let out = match format {
        ModelFormat::Text => text::render_model(&model),
        ModelFormat::Md => markdown::render_model(&model),
        ModelFormat::Json => to_json(&model)?,
    };
    print(&out)
}

pub fn model_validate(path: &Path, earlier: Option<&Path>) -> Result<()> {
    let (model, _) = load_model(Some(path))?;
    let base = match earlier {
        Some(earlier) => Some(load_model(Some(earlier))?.0),
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
