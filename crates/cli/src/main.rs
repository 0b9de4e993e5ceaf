//! The `asyncmm` binary: parses arguments, opens the store, and hands each
//! command to its module, which calls the application layer
//! (`asyncmm-app`) and picks a renderer (`asyncmm-report`). No rule lives
//! here. Errors are printed as one `error:` line (plus the lines of a
//! multi-problem error such as a broken model, and a hint where the command
//! line can help) with exit code 1; a cancelled questionnaire exits with 130.
#![forbid(unsafe_code)]

mod args;
mod assess;
mod backup;
mod check;
mod demo;
mod evidence;
mod output;
mod plan;
mod prompt;
mod report;
mod rounds;
mod scan;
mod serve;
mod ui;

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use asyncmm_app::{App, AppError};
use clap::Parser;
use time::OffsetDateTime;

use args::{Cli, Command, ModelCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")
        .and_then(|rt| rt.block_on(dispatch(cli)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<ui::Cancelled>() => {
            eprintln!("{e}");
            ExitCode::from(130)
        }
        Err(e) => {
            ui::eprint_line(&format!("error: {e:#}"));
            if let Some(hint) = e.downcast_ref::<AppError>().and_then(hint) {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

/// What the command line can add to an application error: the flag that
/// fixes it.
fn hint(e: &AppError) -> Option<&'static str> {
    match e {
        AppError::TeamNotGiven { .. } => Some("pass --team NAME"),
        AppError::NothingYet(_) => {
            Some("assess a team with `asyncmm assess`, or run a round with `asyncmm round open`")
        }
        AppError::NotFound { what, .. } if what.contains("(a new team name this close") => {
            Some("pass --new-team to create it anyway")
        }
        AppError::Import(e) if e.message.contains("name it as a column to ignore") => {
            Some("pass --ignore-column HEADER for each column that holds no answers")
        }
        _ => None,
    }
}

/// The database named by `--database` / `ASYNCMM_DATABASE_URL`, or the
/// default SQLite file in the user's data directory.
fn database_url(cli: &Cli) -> Result<String> {
    if let Some(url) = &cli.database {
        return Ok(url.clone());
    }
    let path = asyncmm_store::default_database_path()
        .ok_or_else(|| anyhow!("could not find a data directory for the default database; pass --database PATH"))?;
    Ok(path.display().to_string())
}

async fn dispatch(cli: Cli) -> Result<()> {
    // Model commands need no database, so they work before any set-up.
    if let Command::Model(model) = &cli.command {
        return match model {
            ModelCommand::Show { model, format } => assess::model_show(model.as_deref(), *format),
            ModelCommand::Validate { file, revises } => assess::model_validate(file, revises.as_deref()),
        };
    }
    if let Command::Scan(scan) = &cli.command {
        // Only a scan for a team opens the database.
        return scan::run(scan, &|| database_url(&cli)).await;
    }
    let url = database_url(&cli)?;
    // The file is read and checked before the database is opened, so a bad
    // file doesn't even create one.
    if let Command::Import(args) = &cli.command {
        let checked = backup::check_import(&args.file).await?;
        let store = asyncmm_store::connect(&url).await?;
        let app = App::new(store.as_ref(), OffsetDateTime::now_utc()).await?;
        return backup::import_command(&app, &checked, &args.file, &url).await;
    }
    let store = asyncmm_store::connect(&url).await?;
    if let Command::Serve(args) = &cli.command {
        return serve::serve_command(store, args).await;
    }
    if let Command::Migrate = &cli.command {
        store.migrate().await?;
        return ui::print("database is up to date\n");
    }
    let app = App::new(store.as_ref(), OffsetDateTime::now_utc()).await?;
    match &cli.command {
        Command::Assess(args) => assess::assess_command(&app, args).await,
        Command::Report(args) => report::report_command(&app, args).await,
        Command::Assessment(command) => assess::assessment_command(&app, command).await,
        Command::History(args) => report::history_command(&app, args).await,
        Command::Chart(args) => report::chart_command(&app, args).await,
        Command::Team(command) => rounds::team_command(&app, command).await,
        Command::Round(command) => rounds::round_command(&app, command).await,
        Command::Respond(args) => rounds::respond_command(&app, args).await,
        Command::Plan(command) => plan::plan_command(&app, command).await,
        Command::Check(args) => check::check_command(&app, args).await,
        Command::Demo => demo::demo_command(&app, cli.database.as_deref()).await,
        Command::Export(args) => backup::export_command(&app, args).await,
        Command::Evidence(command) => evidence::evidence_command(&app, command).await,
        Command::Model(_) | Command::Import(_) | Command::Migrate | Command::Scan(_) | Command::Serve(_) => Ok(()),
    }
}
