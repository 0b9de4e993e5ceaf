//! The `asyncmm` binary: parses arguments, opens the store, and hands each
//! command to [`run`]. Errors are printed as one `error:` line (plus the
//! lines of a multi-problem error such as a broken model) with exit code 1;
//! a cancelled questionnaire exits with 130.
#![forbid(unsafe_code)]

mod answers_file;
mod args;
mod backup;
mod chart;
mod check;
mod import;
mod output;
mod plan;
mod prompt;
mod rounds;
mod run;
mod scan;

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::Parser;

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
        Err(e) if e.is::<run::Cancelled>() => {
            eprintln!("{e}");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
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
            ModelCommand::Show { model, format } => run::model_show(model.as_deref(), *format),
            ModelCommand::Validate { file } => run::model_validate(file),
        };
    }
    if let Command::Scan(scan) = &cli.command {
        return scan::run(scan);
    }
    let url = database_url(&cli)?;
    // The file is read and checked before the database is opened, so a bad
    // file doesn't even create one.
    if let Command::Import(args) = &cli.command {
        let document = backup::read_document(&args.file)?;
        let store = asyncmm_store::connect(&url).await?;
        return backup::import_command(store.as_ref(), &document, &args.file, &url).await;
    }
    let store = asyncmm_store::connect(&url).await?;
    match &cli.command {
        Command::Assess(args) => run::assess_command(store.as_ref(), args).await,
        Command::Report(args) => run::report_command(store.as_ref(), args).await,
        Command::History(args) => run::history_command(store.as_ref(), args).await,
        Command::Team(command) => rounds::team_command(store.as_ref(), command).await,
        Command::Round(command) => rounds::round_command(store.as_ref(), command).await,
        Command::Respond(args) => rounds::respond_command(store.as_ref(), args).await,
        Command::Plan(command) => plan::plan_command(store.as_ref(), command).await,
        Command::Chart(args) => chart::chart_command(store.as_ref(), args).await,
        Command::Check(args) => check::check_command(store.as_ref(), args).await,
        Command::Migrate => {
            store.migrate().await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Export(args) => backup::export_command(store.as_ref(), args).await,
        Command::Model(_) | Command::Import(_) | Command::Scan(_) => Ok(()),
    }
}
