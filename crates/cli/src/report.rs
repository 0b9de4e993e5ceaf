//! `asyncmm report`, `asyncmm history` and `asyncmm chart`: asks the
//! application layer for the result (every value already through the
//! anonymity gate) and picks the renderer the flags name.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use asyncmm_app::App;
use asyncmm_app::record::CurrentReport;
use asyncmm_app::results::ORG_ROUNDS_PER_PART;
use asyncmm_report::data::HistoryReport;
use asyncmm_report::plan::PlanReport;
use asyncmm_report::team::{self, RoundReport};
use asyncmm_report::{Style, csv, html, markdown, perception, summary, svg, text, to_json};

use crate::args::{ChartArgs, ChartKind, HistoryArgs, HistoryFormat, ReportArgs, ReportFormat};
use crate::output::{Access, AtomicFile, emit};
use crate::ui::{VisibleLines, style_for};

/// The goals of a plan as radar targets: area id and target level.
fn targets(plan: &PlanReport) -> Vec<(String, f64)> {
    plan.goals
        .iter()
        .map(|g| (g.progress.area.to_string(), f64::from(g.progress.target.number())))
        .collect()
}

fn render_round(report: &RoundReport, format: ReportFormat, style: Style) -> Result<String> {
    Ok(match format {
        ReportFormat::Text => team::render_round_text(report, style),
        ReportFormat::Md => team::render_round_markdown(report),
        ReportFormat::Json => to_json(report)?,
        ReportFormat::Csv => team::render_round_csv(report),
        ReportFormat::Html => html::render_round_html(report),
    })
}

pub async fn report_command(app: &App<'_>, args: &ReportArgs) -> Result<()> {
    let style = style_for(args.output.as_deref());
    let out = if args.evidence {
        let team = args.team.as_deref().unwrap_or_default();
        let rules = crate::evidence::read_rules(args.rules.as_deref())?;
        let report = app
            .perception(team, rules.as_ref().map(|(t, n)| (t.as_str(), n.as_str())))
            .await?;
        match args.format {
            ReportFormat::Text => perception::render_text(&report),
            ReportFormat::Md => perception::render_markdown(&report),
            ReportFormat::Json => to_json(&report)?,
            ReportFormat::Html => perception::render_html(&report),
            ReportFormat::Csv => bail!("perception vs evidence has no CSV form; use --format json"),
        }
    } else if let Some(round) = args.round {
        render_round(&app.round_report(round).await?, args.format, style)?
    } else if args.org && args.summary {
        let summary = app.org_summary(args.top).await?;
        match args.format {
            ReportFormat::Text => summary::render_summary_text(&summary),
            ReportFormat::Md => summary::render_summary_markdown(&summary),
            ReportFormat::Json => to_json(&summary)?,
            ReportFormat::Html => summary::render_summary_html(&summary),
            ReportFormat::Csv => bail!(
                "the org summary has no CSV form; use --format json (or `report --org --format csv` for every round)"
            ),
        }
    } else if args.org {
        match args.format {
            ReportFormat::Csv => return org_csv_command(app, args.output.as_deref()).await,
            format => {
                let report = app.org_report().await?;
                match format {
                    ReportFormat::Text => team::render_org_text(&report),
                    ReportFormat::Md => team::render_org_markdown(&report),
                    ReportFormat::Json => to_json(&report)?,
                    ReportFormat::Html => html::render_org_html(&report),
                    ReportFormat::Csv => team::render_org_csv(&report),
                }
            }
        }
    } else if let Some(id) = args.assessment {
        let report = app.assessment_report(id).await?;
        match args.format {
            ReportFormat::Text => text::render_report(&report, style),
            ReportFormat::Md => markdown::render_report(&report),
            ReportFormat::Json => to_json(&report)?,
            ReportFormat::Csv => csv::render_report(&report),
            ReportFormat::Html => {
                let team = report.assessment.team.clone();
                let history = app.history(Some(&team)).await?;
                let plan = app.plan_report(&team).await?;
                html::render_report_html(&report, Some(&history), Some(&targets(&plan)), Some(&plan))
            }
        }
    } else {
        let report = app.team_report(args.team.as_deref()).await?;
        if let (Some(newer), ReportFormat::Text) = (&report.newer_self_assessment, args.format) {
            eprintln!(
                "note: {newer} is newer, but it is one person's view; the team's current result is its newest round \
                 (see it with `asyncmm report --assessment {}`)",
                newer.trim_start_matches("assessment #")
            );
        }
        match (&report.current, args.format) {
            (CurrentReport::Round(round), ReportFormat::Html) => {
                let plan = app.plan_report(report.team.as_str()).await?;
                html::render_team_round_html(round, &report.history, Some(&targets(&plan)), Some(&plan))
            }
            (CurrentReport::Round(round), format) => render_round(round, format, style)?,
            (CurrentReport::Assessment(a), ReportFormat::Text) => text::render_report(a, style),
            (CurrentReport::Assessment(a), ReportFormat::Md) => markdown::render_report(a),
            (CurrentReport::Assessment(a), ReportFormat::Json) => to_json(a)?,
            (CurrentReport::Assessment(a), ReportFormat::Csv) => csv::render_report(a),
            (CurrentReport::Assessment(a), ReportFormat::Html) => {
                let plan = app.plan_report(report.team.as_str()).await?;
                html::render_report_html(a, Some(&report.history), Some(&targets(&plan)), Some(&plan))
            }
        }
    };
    emit(&out, args.output.as_deref())
}

/// `report --org --format csv`: every round of every team, written part by
/// part as the application layer gates them (see `App::org_rounds`), so
/// memory holds one part of rounds whatever the organisation's size. The
/// bytes are those of the whole report rendered at once. A file is put in
/// place once complete; standard output gets the terminal escapes of every
/// other output, a line at a time, and a closed pipe ends it quietly.
async fn org_csv_command(app: &App<'_>, output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => {
            let mut file = AtomicFile::create(path, Access::Usual)?;
            let mut out = VisibleLines::new(file.writer());
            write_org_csv(app, &mut out, &path.display().to_string()).await?;
            drop(out);
            file.commit()?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => {
            let mut out = VisibleLines::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()));
            match write_org_csv(app, &mut out, "to standard output").await {
                // A closed pipe (`asyncmm report --org --format csv | head`) is not an error worth reporting.
                Err(e)
                    if e.downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
                {
                    Ok(())
                }
                other => other,
            }
        }
    }
}

/// The org CSV's header, then each part's rows as soon as it is gated;
/// `destination` names where they go in a write error.
async fn write_org_csv(app: &App<'_>, out: &mut impl Write, destination: &str) -> Result<()> {
    let failed = || format!("could not write {destination}");
    out.write_all(team::ORG_CSV_HEADER.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .with_context(failed)?;
    app.org_rounds(ORG_ROUNDS_PER_PART, |part| -> Result<()> {
        out.write_all(team::render_org_csv_rows(&part).as_bytes())
            .with_context(failed)
    })
    .await?;
    out.flush().with_context(failed)
}

pub async fn history_command(app: &App<'_>, args: &HistoryArgs) -> Result<()> {
    let report: HistoryReport = app.history(args.team.as_deref()).await?;
    let out = match args.format {
        HistoryFormat::Text => text::render_history(&report, style_for(args.output.as_deref())),
        HistoryFormat::Md => markdown::render_history(&report),
        HistoryFormat::Json => to_json(&report)?,
        HistoryFormat::Csv => csv::render_history(&report),
        HistoryFormat::Html => html::render_history_html(&report),
    };
    emit(&out, args.output.as_deref())
}

pub async fn chart_command(app: &App<'_>, args: &ChartArgs) -> Result<()> {
    let svg = match args.kind {
        ChartKind::Radar => {
            let history = app.history(args.team.as_deref()).await?;
            let plan = app.plan_report(&history.team).await?;
            svg::history_radar(&history, Some(&targets(&plan)))
        }
        ChartKind::Trend => svg::history_trend(&app.history(args.team.as_deref()).await?),
        ChartKind::Heatmap => {
            if args.team.is_some() {
                bail!("the heat map shows every team; drop --team");
            }
            svg::org_heatmap(&app.org_report().await?)
        }
    };
    emit(&svg, args.output.as_deref())
}
