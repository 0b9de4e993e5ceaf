//! The command line: every command, flag and format, parsed by clap into
//! plain values. Nothing here touches files or the database.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// How asynchronous is your team's communication, what to improve next, and
/// did it improve? Based on the async communications maturity model
/// (CC-BY-4.0).
#[derive(Debug, Parser)]
#[command(name = "asyncmm", version, about, long_about = None)]
pub struct Cli {
    /// Database: an SQLite file path (default: asyncmm.db in your data
    /// directory) or a postgres:// URL.
    #[arg(
        long,
        global = true,
        env = "ASYNCMM_DATABASE_URL",
        value_name = "PATH|URL",
        hide_env_values = true
    )]
    pub database: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess a team: answer in the terminal, or from a file with --answers.
    Assess(AssessArgs),
    /// Show the explained result of an assessment (the team's latest by default).
    Report(ReportArgs),
    /// Show every assessment of a team, oldest first, with changes.
    History(HistoryArgs),
    /// Show or check a maturity model.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Create or upgrade the database schema (also done automatically).
    Migrate,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The team being assessed (asked for when omitted).
    #[arg(long)]
    pub team: Option<String>,
    /// Rate every statement (60 with the default model) instead of picking a
    /// level per area.
    #[arg(long)]
    pub detailed: bool,
    /// Read answers from a TOML or JSON file instead of asking (see
    /// examples/answers-detailed.toml).
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Use this model file instead of the embedded default.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Format of the result printed at the end.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Team whose latest assessment to show (may be omitted when only one
    /// team is stored).
    #[arg(long)]
    pub team: Option<String>,
    /// A specific assessment by id.
    #[arg(long, value_name = "ID", conflicts_with = "team")]
    pub assessment: Option<i64>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Team whose history to show (may be omitted when only one team is stored).
    #[arg(long)]
    pub team: Option<String>,
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Print a model: levels, areas and every statement with its id.
    Show {
        /// A model file (default: the embedded model).
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ModelFormat::Text)]
        format: ModelFormat,
    },
    /// Check a model file; prints every problem as file:line:column.
    Validate {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Md,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Text,
    Md,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelFormat {
    Text,
    Md,
    Json,
}
