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

// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess a team: answer in the terminal, or from a file with --answers.
    Assess(AssessArgs),
    /// Show the explained result of an assessment (the team's latest by default).
    Report(ReportArgs),
    /// Correct or remove a stored self-assessment (rounds keep their own rules).
    #[command(subcommand)]
    Assessment(AssessmentCommand),
    /// Show every assessment of a team, oldest first, with changes.
    History(HistoryArgs),
    /// Show or check a maturity model.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Manage the organisation's teams and groups.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Run a team assessment round: many anonymous respondents.
    #[command(subcommand)]
    Round(RoundCommand),
    /// Answer a round with the one-time token you were given.
    Respond(RespondArgs),
    /// Improvement plans: goals, actions, suggestions and progress.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Draw an SVG chart: radar, trend or org heat map.
    Chart(ChartArgs),
    /// CI gate: exit non-zero when the team's latest result is below the bar.
    Check(CheckArgs),
    /// Create or upgrade the database schema (also done automatically).
    Migrate,
    /// Run the web server: pages for leads, respondents and org leaders.
    Serve(ServeArgs),
    /// Fill a fresh database with a demo organisation to look around in.
    ///
    /// Creates groups and teams, three quarters of closed rounds (some
    /// below k, which show nothing), one open round, quarterly
    /// self-assessments, goals and actions, so every report and page has
    /// data. A database that already holds a team is refused unchanged.
    Demo,
    /// Back up everything stored as one JSON document (stdout by default).
    Export(ExportArgs),
    /// Restore an export into an empty database, all or nothing.
    ///
    /// Restores a document written by `asyncmm export` (models, teams,
    /// assessments, rounds with their responses and token hashes, goals and
    /// actions), keeping its ids, into the database given by --database.
    /// The target must be empty (a new SQLite file, or a PostgreSQL database
    /// asyncmm has not written to): merging into existing data is refused,
    /// which keeps the semantics safe and simple. Everything is written in
    /// one transaction: on any error nothing is stored.
    Import(ImportArgs),
    /// Measure practice from real artefacts (git, GitHub, Slack, calendars) and suggest levels.
    #[command(subcommand)]
    Scan(crate::scan::ScanCommand),
    /// A team's waivers of evidence rules and its saved evidence.
    #[command(subcommand)]
    Evidence(crate::evidence::EvidenceCommand),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write the document to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The file of `asyncmm import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export document (JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR:PORT")]
    pub bind: std::net::SocketAddr,
    /// The address people reach the site at (e.g. https://asyncmm.example.org),
    /// used in the links handed out; https makes cookies Secure.
    #[arg(long, env = "ASYNCMM_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Add a team, optionally inside a group (a group is a team with teams in it).
    Add {
        name: String,
        #[arg(long, value_name = "GROUP")]
        parent: Option<String>,
    },
    /// List teams as a tree.
    List {
        /// Include archived teams.
        #[arg(long)]
        archived: bool,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Rename a team; its history follows.
    Rename { from: String, to: String },
    /// Move a team into another group, or to the top with --no-parent.
    Move {
        name: String,
        #[arg(long, value_name = "GROUP", required_unless_present = "no_parent")]
        parent: Option<String>,
        #[arg(long, conflicts_with = "parent")]
        no_parent: bool,
    },
    /// Archive a team: it leaves listings and reports, its history is kept.
    Archive { name: String },
}

#[derive(Debug, Subcommand)]
pub enum RoundCommand {
    /// Open a round for a team and issue respondent tokens.
    Open(RoundOpenArgs),
    /// List rounds, oldest first.
    List {
        #[arg(long)]
        team: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// How many responses a round has so far (never who).
    Status {
        id: i64,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Close a round now: no answer can be given or changed any more, and
    /// tokens are no longer linked to responses.
    Close {
        id: i64,
        /// Close even with fewer than k responses (the result then stays hidden).
        #[arg(long)]
        yes: bool,
    },
    /// Reopen a closed round (only while no result was published).
    Reopen { id: i64 },
    /// Issue more respondent tokens for a round.
    Tokens {
        id: i64,
        /// How many tokens to issue.
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// Write the tokens to this CSV file (for mail merge) instead of printing them.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Change k before the first response arrives.
    SetK { id: i64, k: i64 },
    /// Import responses collected in a form tool (CSV or JSON); all or nothing.
    Import {
        id: i64,
        file: PathBuf,
        /// A CSV column that holds no answers (e.g. a form's timestamp); never stored.
        #[arg(long = "ignore-column", value_name = "HEADER")]
        ignore_columns: Vec<String>,
    },
    /// The questionnaire's header row to paste into a form tool: one column
    /// per statement (detailed) or area (quick), headed with its id and
    /// text; `round import` reads the answers back by the id.
    Template {
        #[arg(long, value_enum, default_value_t = ModeArg::Quick)]
        mode: ModeArg,
        #[arg(long, value_enum, default_value_t = TemplateFormat::Csv)]
        format: TemplateFormat,
        /// Use this model file instead of the embedded default.
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// Write the template to this file instead of printing it.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateFormat {
    Csv,
}

#[derive(Debug, Args)]
pub struct RoundOpenArgs {
    #[arg(long)]
    pub team: String,
    /// Rate every statement instead of picking a level per area.
    #[arg(long, value_enum, default_value_t = ModeArg::Quick)]
    pub mode: ModeArg,
    /// Anonymity threshold: results show only with at least k responses (minimum 3).
    #[arg(long, default_value_t = 5)]
    pub k: i64,
    /// Closing date (YYYY-MM-DD); the round closes after this day.
    #[arg(long, value_name = "DATE")]
    pub closes: Option<String>,
    /// Number of one-time respondent tokens to issue.
    #[arg(long, default_value_t = 0)]
    pub tokens: u32,
    /// Write the tokens to this CSV file (for mail merge) instead of printing them.
    #[arg(long, value_name = "FILE")]
    pub tokens_csv: Option<PathBuf>,
    /// Use this model file instead of the embedded default.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long)]
    pub team: String,
    /// Minimum levels: `documentation=2,meetings=1`, or a bare level for every area.
    #[arg(long, value_name = "AREA=LEVEL,...", required_unless_present = "against_goals")]
    pub min_level: Option<String>,
    /// Also require the target level of every goal whose date has come
    /// (goals not yet due are listed, not enforced).
    #[arg(long)]
    pub against_goals: bool,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct RespondArgs {
    /// The one-time token from your invitation. Better kept off the command
    /// line (where `ps` and the shell history show it): pass `-` to read it
    /// from the first line of standard input, or set ASYNCMM_TOKEN.
    #[arg(env = "ASYNCMM_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Read the answers from a file instead of asking.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Quick,
    Detailed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The team being assessed (asked for when omitted).
    #[arg(long)]
    pub team: Option<String>,
    /// Create the team even though its name is close to an existing one.
    #[arg(long)]
    pub new_team: bool,
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

#[derive(Debug, Subcommand)]
pub enum AssessmentCommand {
    /// Replace the answers of a self-assessment: asked again in the
    /// terminal, or read from --answers. Its team, date and model version
    /// stay.
    Correct {
        /// The assessment's number (`asyncmm history` lists them).
        id: i64,
        /// Read the corrected answers from a TOML or JSON file.
        #[arg(long, value_name = "FILE")]
        answers: Option<PathBuf>,
        /// Replace without asking (for scripts).
        #[arg(long)]
        yes: bool,
    },
    /// Remove a self-assessment for good.
    Remove {
        /// The assessment's number (`asyncmm history` lists them).
        id: i64,
        /// Remove without asking (for scripts).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Team whose latest assessment to show (may be omitted when only one
    /// team is stored).
    #[arg(long)]
    pub team: Option<String>,
    /// A specific assessment by id.
    #[arg(long, value_name = "ID", conflicts_with_all = ["team", "round", "org"])]
    pub assessment: Option<i64>,
    /// A round's team result: distribution, disagreement, explanation.
    #[arg(long, value_name = "ID", conflicts_with_all = ["team", "org"])]
    pub round: Option<i64>,
    /// Every team's latest round: teams × areas.
    #[arg(long, conflicts_with = "team")]
    pub org: bool,
    /// With --org: one page for a director: the teams and areas that need
    /// attention, change per group since the previous round, goals and
    /// actions per team, and how many teams are hidden and why.
    #[arg(long, requires = "org")]
    pub summary: bool,
    /// With --summary: entries per list (default 10).
    #[arg(long, value_name = "N", requires = "summary")]
    pub top: Option<usize>,
    /// Perception vs evidence: the team's survey level next to the level
    /// its saved evidence suggests, per area (needs --team).
    #[arg(long, requires = "team")]
    pub evidence: bool,
    /// Evidence rule set (TOML) for --evidence instead of the embedded default.
    #[arg(long, value_name = "FILE", requires = "evidence")]
    pub rules: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to this file (replaced whole, never half-written)
    /// instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Team whose history to show (may be omitted when only one team is stored).
    #[arg(long)]
    pub team: Option<String>,
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
    /// Write the history to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// radar: the team's latest assessment vs the previous one; trend: the
    /// team's history; heatmap: every team's latest round × areas.
    #[arg(value_enum)]
    pub kind: ChartKind,
    /// Team to chart (radar and trend; may be omitted when only one team is stored).
    #[arg(long)]
    pub team: Option<String>,
    /// Write the SVG to this file instead of printing it.
    #[arg(long, value_name = "FILE.svg")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartKind {
    Radar,
    Trend,
    Heatmap,
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
    ///
    /// A file that declares `revises = "VERSION"` is also checked as a
    /// wording revision of that version (same ids, levels, level names,
    /// scoring profiles and beta): against the built-in copy when the binary
    /// carries it, otherwise against the file given with --revises.
    Validate {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The earlier version FILE revises, as a model file.
        #[arg(long, value_name = "EARLIER")]
        revises: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Md,
    Json,
    /// Org and round reports only: tidy rows for spreadsheets.
    Csv,
    /// One self-contained page with charts (use with --output).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Text,
    Md,
    Json,
    Csv,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelFormat {
    Text,
    Md,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Set a team's goals.
    #[command(subcommand)]
    Goal(GoalCommand),
    /// Goals with baseline → current → target, on track, projected; and actions.
    Show {
        #[arg(long)]
        team: String,
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
    },
    /// Propose numbered candidate actions from what holds the team back.
    Suggest {
        #[arg(long)]
        team: String,
        /// Only this area (id or name, e.g. "Decision making").
        #[arg(long)]
        area: Option<String>,
        /// At most this many new candidates per area (default 3; 0 for all).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Store these candidates (by number, as listed with the same --area
        /// and --limit, e.g. 1,3) as todo actions.
        #[arg(long, value_name = "N,M,...")]
        accept: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Add, update or list actions.
    #[command(subcommand)]
    Action(ActionCommand),
}

#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Set (or replace) the goal for one area: a target level by a date.
    Set {
        #[arg(long)]
        team: String,
        /// Area id or name, e.g. meetings or "Decision making".
        #[arg(long)]
        area: String,
        /// Target level: 0-3 or a name, e.g. 2 or Defined.
        #[arg(long)]
        level: String,
        /// Target date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        by: String,
    },
    /// List a team's goals with their status.
    List {
        #[arg(long)]
        team: String,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Remove a team's goal for one area.
    Remove {
        #[arg(long)]
        team: String,
        /// Area id or name.
        #[arg(long)]
        area: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add an action, addressing statements or free-form.
    Add {
        #[arg(long)]
        team: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        owner: Option<String>,
        /// Where the work lives (an http or https URL).
        #[arg(long, value_name = "URL")]
        link: Option<String>,
        /// A statement id the action addresses, e.g. meetings.2.1 (repeatable;
        /// optional: an action without one is free-form and can't move a projection).
        #[arg(long = "statement", value_name = "ID")]
        statements: Vec<String>,
    },
    /// Remove an action (to keep it on record as abandoned, set its status to dropped).
    Remove { id: i64 },
    /// Change an action's status, link or owner.
    Update {
        id: i64,
        /// todo, doing, done or dropped.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_name = "URL")]
        link: Option<String>,
        #[arg(long)]
        owner: Option<String>,
    },
    /// List a team's actions, oldest first.
    List {
        #[arg(long)]
        team: String,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Md,
    Json,
}
