//! `asyncmm scan`: measure practice from real artefacts (a git repository,
//! GitHub issues and pull requests, a Slack export, calendars) and suggest levels per area from the
//! evidence rule set. This module parses the scan flags, draws progress on
//! a terminal and picks the renderer; measuring and rendering live in the
//! evidence crate, saving and waivers in the application layer.
//!
//! Every scanner goes through [`ScanRun`]: [`ScanRun::prepare`] before it
//! (model, rules, privacy, and with `--team` the store, the organisation's
//! salt and the team's waivers) and [`ScanRun::finish`] after it (evaluate,
//! apply waivers, `--save`, print). A new source gets `--team` and `--save`
//! by flattening [`CommonArgs`] and calling the two. Without `--team` a scan
//! needs no database.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use asyncmm_app::input::{MAX_MODEL_FILE, MAX_SETTINGS_FILE, read_text};
use asyncmm_app::{App, OsRandom};
use asyncmm_core::{K, TeamName};
use asyncmm_evidence::calendar::{CalendarSettings, ics, scan_calendars};
use asyncmm_evidence::config::{EvidenceConfig, parse_config};
use asyncmm_evidence::git::{GitSettings, RepoFileLimits, scan_git};
use asyncmm_evidence::github::live::{ApiSettings, RealSleep, Target};
use asyncmm_evidence::github::{scan_files, scan_live};
use asyncmm_evidence::hours::WorkingHours;
use asyncmm_evidence::privacy::Privacy;
use asyncmm_evidence::since::parse_window;
use asyncmm_evidence::slack::archive::ArchiveLimits;
use asyncmm_evidence::slack::{SlackSettings, scan_slack};
use asyncmm_evidence::sources::{GithubFrom, Source, parse_sources};
use asyncmm_evidence::{
    EvidenceReport, Progress, RuleSet, Scan, SourceKind, Window, default_rules, evaluate, parse_rules, render,
};
use asyncmm_model::Model;
use asyncmm_store::Store;
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;

#[derive(Debug, Subcommand)]
pub enum ScanCommand {
    /// Measure a git repository: docs, decision records, issue references.
    ///
    /// Reads the tree at HEAD and the history reachable from it (never runs
    /// git). Where a team keeps docs, decisions and templates, and who its
    /// bots are, come from the repository's .asyncmm.toml ([evidence]
    /// table; see docs/evidence.md) or --config, plus --docs, --decisions
    /// and --bot.
    Git(GitArgs),
    /// Measure GitHub issues and pull requests, from exported JSON files
    /// (--from DIR) or live from the API (--repo owner/name or --org ORG,
    /// with GITHUB_TOKEN).
    Github(GithubArgs),
    /// Measure a Slack workspace export (the zip Slack sends, or its
    /// unpacked folder): where conversation happens, threads, links to
    /// durable places, @here/@channel, off-hours messages, status updates.
    /// Message text is never stored or printed.
    Slack(SlackArgs),
    /// Measure iCalendar files (one per team member, or a team calendar):
    /// meeting hours, recurring status meetings, agendas, large meetings,
    /// focus time, off-hours meetings, and meetings that could be written.
    /// Titles and descriptions are never stored or printed.
    Calendar(CalendarArgs),
    /// Measure every source a scan file names, for one team, in one go:
    /// repositories, GitHub, a Slack export and calendars, evaluated
    /// together into one report (--config scan.toml; see docs/evidence.md).
    All(AllArgs),
}

/// The team may come from the scan file, so `--save` doesn't need
/// `--team` here; the file's team is checked once it is read.
#[derive(Debug, Args)]
#[command(mut_arg("save", |arg| arg.requires(clap::builder::Resettable::<clap::Id>::Reset)))]
pub struct AllArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The GitHub API and rate-limit wait `scan all` uses for live sources.
const DEFAULT_API_URL: &str = "https://api.github.com";
const DEFAULT_MAX_WAIT: &str = "15m";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
}

/// Flags every scan takes.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Start of the window: a span back from --until (180d, 26w) or a date
    /// (2024-01-31) or an RFC 3339 time [default: 180d; calendars 90d]
    #[arg(long, value_name = "SPAN|DATE")]
    pub since: Option<String>,
    /// End of the window (default: now); a date includes that whole day.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Evidence rule set (TOML) instead of the embedded default.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// The maturity model the rules' areas refer to (default: embedded).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Show people's names next to their pseudonymous ids (local runs only).
    #[arg(long)]
    pub show_names: bool,
    /// Anonymity threshold: figures about people need at least k of them.
    #[arg(long, default_value_t = 5)]
    pub k: i64,
    /// Settings file ([evidence] table) instead of the repository's
    /// .asyncmm.toml; for `scan all`, the scan file ([scan] table).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A bot pattern (substring of name, e-mail or login), added to the defaults.
    #[arg(long = "bot", value_name = "PATTERN")]
    pub bots: Vec<String>,
    /// The team the evidence is about: its waivers are applied, and
    /// pseudonyms use the organisation's stored salt (needs the database).
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
    /// Save the scan as the team's evidence (counts and pseudonymous ids
    /// only; nothing is saved when the scan fails).
    #[arg(long, requires = "team", conflicts_with = "show_names")]
    pub save: bool,
}

/// Half a year of history, chat and issues shows a team's habits; a
/// calendar's recurring meetings show them within a quarter, and older
/// calendar entries are mostly meetings that no longer happen.
fn default_since(source: SourceKind) -> &'static str {
    match source {
        SourceKind::Calendar => "90d",
        _ => "180d",
    }
}

#[derive(Debug, Args)]
pub struct GitArgs {
    /// The repository (its working tree or a bare repository).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
    /// A documentation glob, added to the defaults (e.g. 'manual/**').
    #[arg(long = "docs", value_name = "GLOB")]
    pub docs: Vec<String>,
    /// A decision-record glob, added to the defaults (e.g. 'handbook/decisions/**').
    #[arg(long = "decisions", value_name = "GLOB")]
    pub decisions: Vec<String>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["from", "repo", "org"])))]
pub struct GithubArgs {
    /// A folder of JSON files from `gh api --paginate` (docs/github-export.md).
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// Read one repository live from the API.
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Read every repository of an organisation live (archived ones and forks left out).
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// The API address (GitHub Enterprise: https://HOST/api/v3).
    #[arg(
        long,
        env = "GITHUB_API_URL",
        default_value = DEFAULT_API_URL,
        value_name = "URL"
    )]
    pub api_url: String,
    /// The longest to wait in total for rate limits, in seconds (or 15m).
    #[arg(long, default_value = DEFAULT_MAX_WAIT, value_name = "DURATION")]
    pub max_wait: String,
    /// A label that marks a decision issue, added to decision, rfc, adr.
    #[arg(long = "decision-label", value_name = "LABEL")]
    pub decision_labels: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct SlackArgs {
    /// The export: a .zip file as Slack sends it, or the folder it unpacks to.
    #[arg(value_name = "EXPORT.zip|DIR")]
    pub export: PathBuf,
    /// Working hours in each sender's own time zone.
    #[arg(long, default_value = "09:00-17:00", value_name = "HH:MM-HH:MM")]
    pub working_hours: String,
    /// The most the export may unpack to, in GiB (zip bomb guard).
    #[arg(long, default_value_t = 64, value_name = "GIB")]
    pub max_unpacked_gib: u64,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// .ics files, or folders searched for them.
    #[arg(value_name = "FILE.ics|DIR", required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,
    /// Working hours in each calendar owner's time zone.
    #[arg(long, default_value = "09:00-17:00", value_name = "HH:MM-HH:MM")]
    pub working_hours: String,
    /// The time zone of calendars that name none (IANA name, e.g. Europe/Berlin).
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub zone: String,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Draws progress on standard error when it is a terminal; otherwise only
/// messages (rate-limit waits) are printed.
struct Display {
    bar: Option<ProgressBar>,
}

impl Display {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}: {pos} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Display { bar }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Display {
    fn stage(&self, name: &str, total: Option<u64>) {
        if let Some(bar) = &self.bar {
            bar.set_position(0);
            bar.set_length(total.unwrap_or(0));
            bar.set_message(name.to_string());
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    fn message(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }
}

fn load_model(path: Option<&Path>) -> Result<Model> {
    match path {
        None => asyncmm_model::default_model().map_err(|e| anyhow!("{e}")),
        Some(path) => {
            let text = read_text(path, "model file", MAX_MODEL_FILE)?;
            asyncmm_model::parse(&text, &path.display().to_string()).map_err(|e| anyhow!("{e}"))
        }
    }
}

fn load_rules(path: Option<&Path>, model: &Model) -> Result<RuleSet> {
    match path {
        None => default_rules(model).map_err(|e| anyhow!("{e}")),
        Some(path) => {
            let text = read_text(path, "rule file", MAX_SETTINGS_FILE)?;
            parse_rules(&text, &path.display().to_string(), model).map_err(|e| anyhow!("{e}"))
        }
    }
}

fn load_config(path: Option<&Path>) -> Result<Option<EvidenceConfig>> {
    let Some(path) = path else { return Ok(None) };
    let text = read_text(path, "settings file", MAX_SETTINGS_FILE)?;
    parse_config(&text, &path.display().to_string())
        .map(Some)
        .map_err(|e| anyhow!("{e}"))
}

/// Pseudonyms are salted per organisation: with a team named, the salt is
/// the one kept in the store; otherwise it comes from
/// ASYNCMM_PSEUDONYM_SALT, or is random so ids can't be joined across runs.
fn privacy(common: &CommonArgs, stored: Option<Vec<u8>>) -> Result<Privacy> {
    let k = K::new(common.k).map_err(|e| anyhow!("{e}"))?;
    let salt = match (stored, std::env::var("ASYNCMM_PSEUDONYM_SALT")) {
        (Some(salt), _) => salt,
        (None, Ok(salt)) if !salt.is_empty() => salt.into_bytes(),
        _ => {
            let mut bytes = [0u8; 16];
            getrandom::getrandom(&mut bytes).map_err(|e| anyhow!("could not draw a random salt: {e}"))?;
            bytes.to_vec()
        }
    };
    Ok(Privacy::new(salt, k, common.show_names))
}

fn parse_wait(text: &str) -> Result<Duration> {
    let text = text.trim();
    let (number, factor) = match text.strip_suffix('m') {
        Some(n) => (n, 60),
        None => (text.strip_suffix('s').unwrap_or(text), 1),
    };
    number
        .parse::<u64>()
        .map(|n| Duration::from_secs(n * factor))
        .map_err(|_| anyhow!("--max-wait {text:?} is not a duration: use seconds (90, 90s) or minutes (15m)"))
}

/// A team and the store its evidence lives in.
struct TeamStore {
    store: Box<dyn Store>,
    team: TeamName,
}

/// What every scan needs before and after it runs, whatever its source.
struct ScanRun<'c> {
    common: &'c CommonArgs,
    model: Model,
    rules: RuleSet,
    privacy: Privacy,
    team: Option<TeamStore>,
    now: OffsetDateTime,
}

impl<'c> ScanRun<'c> {
    /// Checks every input before the scan starts: the window's flags are
    /// checked by the caller, the model, rules and team here, so a typo
    /// never costs a long history walk.
    async fn prepare(
        common: &'c CommonArgs,
        team: Option<&str>,
        database: &dyn Fn() -> Result<String>,
        now: OffsetDateTime,
    ) -> Result<Self> {
        let model = load_model(common.model.as_deref())?;
        let rules = load_rules(common.rules.as_deref(), &model)?;
        let (team, salt) = match team {
            None => (None, None),
            Some(given) => {
                let store = asyncmm_store::connect(&database()?).await?;
                let app = App::new(store.as_ref(), now).await?;
                let team = app.evidence_team(given).await?;
                let salt = app.pseudonym_salt(&mut OsRandom).await?;
                (Some(TeamStore { store, team }), Some(salt))
            }
        };
        let privacy = privacy(common, salt)?;
        Ok(ScanRun {
            common,
            model,
            rules,
            privacy,
            team,
            now,
        })
    }

    /// Evaluates one scan, marks the team's waived rules, saves it when
    /// asked (only a scan that succeeded and measured something) and prints
    /// it.
    async fn finish(&self, scan: Result<Scan>) -> Result<()> {
        let scan = scan?;
        if self.common.save && !scan.measured_anything() {
            bail!(
                "the {} scan of {} measured nothing, so nothing was saved",
                scan.source,
                scan.subject
            );
        }
        self.finish_all(vec![scan]).await
    }

    /// Evaluates scans together (an area's evidence combines every
    /// source), saves each one that measured something when asked, and
    /// prints one report.
    async fn finish_all(&self, scans: Vec<Scan>) -> Result<()> {
        let mut evaluation = evaluate(&self.rules, &scans, &self.model);
        if let Some(TeamStore { store, team }) = &self.team {
            let app = App::new(store.as_ref(), self.now).await?;
            evaluation = app.with_waivers(team, evaluation, &self.model).await?;
            if self.common.save {
                for scan in &scans {
                    if !scan.measured_anything() {
                        eprintln!(
                            "the {} scan of {} measured nothing, so it was not saved",
                            scan.source, scan.subject
                        );
                        continue;
                    }
                    let saved = app.save_scan(team, scan).await?;
                    eprintln!(
                        "saved the {} scan of {} as evidence #{} of team \"{}\"",
                        saved.source, saved.subject, saved.id, saved.team
                    );
                }
            }
        }
        let report = EvidenceReport::new(scans, evaluation);
        let text = match self.common.format {
            ScanFormat::Text => render::text(&report, &self.model),
            ScanFormat::Json => render::json(&report),
        };
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("could not write to standard output"),
        }
    }
}

/// Settings every source of one run shares.
struct Shared<'a> {
    /// `--since` (or the scan file's `since`); `None` keeps each source's
    /// usual span.
    since: Option<&'a str>,
    until: Option<&'a str>,
    /// The `[evidence]` settings given with --config or in the scan file;
    /// `None` lets a repository's own `.asyncmm.toml` apply.
    config: Option<EvidenceConfig>,
    bots: &'a [String],
    api_url: &'a str,
    max_wait: &'a str,
    now: OffsetDateTime,
}

impl Shared<'_> {
    fn window(&self, source: SourceKind) -> Result<Window> {
        let since = self.since.unwrap_or(default_since(source));
        Ok(parse_window(since, self.until, self.now)?)
    }

    /// The settings a non-git source reads: the given ones or the defaults,
    /// with the command line's bots added.
    fn settings(&self) -> EvidenceConfig {
        let mut config = self.config.clone().unwrap_or_default();
        config.bots.extend(self.bots.iter().cloned());
        config
    }

    /// Checks what can be checked before any source is read: the window
    /// and, for live GitHub, the token.
    fn check(&self, source: &Source) -> Result<()> {
        self.window(kind_of(source))?;
        if let Source::Github {
            from: GithubFrom::Repo(_) | GithubFrom::Org(_),
            ..
        } = source
        {
            self.api()?;
        }
        Ok(())
    }

    fn api(&self) -> Result<ApiSettings> {
        let token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
        if token.trim().is_empty() {
            bail!("reading GitHub live needs a token: set GITHUB_TOKEN (read access to the repositories is enough)");
        }
        Ok(ApiSettings {
            // An empty GITHUB_API_URL means the default, not "no address".
            base_url: match self.api_url.trim().trim_end_matches('/') {
                "" => "https://api.github.com".to_string(),
                url => url.to_string(),
            },
            token: token.trim().to_string(),
            max_wait: parse_wait(self.max_wait)?,
            retry_pause: Duration::from_secs(2),
        })
    }
}

fn kind_of(source: &Source) -> SourceKind {
    match source {
        Source::Git { .. } => SourceKind::Git,
        Source::Github { .. } => SourceKind::Github,
        Source::Slack { .. } => SourceKind::Slack,
        Source::Calendar { .. } => SourceKind::Calendar,
    }
}

/// Reads one source: the one place each scanner is called, whether from
/// its own subcommand or from `scan all`.
fn measure(source: &Source, shared: &Shared<'_>, privacy: &Privacy, progress: &dyn Progress) -> Result<Scan> {
    let window = shared.window(kind_of(source))?;
    let now = shared.now;
    Ok(match source {
        Source::Git { path, docs, decisions } => {
            let settings = GitSettings {
                window,
                config: shared.config.clone(),
                extra_docs: docs.clone(),
                extra_decisions: decisions.clone(),
                extra_bots: shared.bots.to_vec(),
                now,
                limits: RepoFileLimits::default(),
            };
            scan_git(path, &settings, privacy, progress)?
        }
        Source::Github { from, decision_labels } => {
            let mut config = shared.settings();
            config.decision_labels.extend(decision_labels.iter().cloned());
            let target = match from {
                GithubFrom::Files(dir) => return Ok(scan_files(dir, window, &config, privacy, now)?),
                GithubFrom::Repo(repo) => Target::repo(repo)?,
                GithubFrom::Org(org) => Target::Org(org.clone()),
            };
            let api = shared.api()?;
            scan_live(&target, window, &api, &config, privacy, &RealSleep, progress, now)?
        }
        Source::Slack {
            export,
            working_hours,
            max_unpacked_gib,
        } => {
            let settings = SlackSettings {
                window,
                config: shared.settings(),
                working_hours: *working_hours,
                limits: ArchiveLimits {
                    max_total_bytes: max_unpacked_gib.saturating_mul(1 << 30),
                    ..ArchiveLimits::default()
                },
                now,
            };
            scan_slack(export, &settings, privacy, progress)?
        }
        Source::Calendar {
            paths,
            working_hours,
            zone,
        } => {
            let settings = CalendarSettings {
                window,
                config: shared.settings(),
                working_hours: *working_hours,
                default_zone: *zone,
                now,
            };
            scan_calendars(paths, &settings, privacy, progress)?
        }
    })
}

/// Progress of one source among several: its stages carry its label.
struct Labelled<'a> {
    inner: &'a dyn Progress,
    label: String,
}

impl Progress for Labelled<'_> {
    fn stage(&self, name: &str, total: Option<u64>) {
        self.inner.stage(&format!("{}: {name}", self.label), total);
    }

    fn advance(&self, n: u64) {
        self.inner.advance(n);
    }

    fn message(&self, text: &str) {
        self.inner.message(&format!("{}: {text}", self.label));
    }
}

/// The source one scan subcommand names on its command line.
fn source_of(command: &ScanCommand) -> Result<Source> {
    Ok(match command {
        ScanCommand::Git(args) => Source::Git {
            path: args.path.clone(),
            docs: args.docs.clone(),
            decisions: args.decisions.clone(),
        },
        ScanCommand::Github(args) => Source::Github {
            from: match (&args.from, &args.repo, &args.org) {
                (Some(dir), _, _) => GithubFrom::Files(dir.clone()),
                (None, Some(repo), _) => GithubFrom::Repo(repo.clone()),
                (None, None, Some(org)) => GithubFrom::Org(org.clone()),
                (None, None, None) => bail!("name a source: --from DIR, --repo OWNER/NAME or --org ORG"),
            },
            decision_labels: args.decision_labels.clone(),
        },
        ScanCommand::Slack(args) => Source::Slack {
            export: args.export.clone(),
            working_hours: WorkingHours::parse(&args.working_hours)?,
            max_unpacked_gib: args.max_unpacked_gib,
        },
        ScanCommand::Calendar(args) => Source::Calendar {
            paths: args.paths.clone(),
            working_hours: WorkingHours::parse(&args.working_hours)?,
            zone: ics::zone(&args.zone)
                .ok_or_else(|| anyhow!("--zone {:?} is not a time zone name such as Europe/Berlin", args.zone))?,
        },
        ScanCommand::All(_) => bail!("scan all reads its sources from the scan file"),
    })
}

fn common_of(command: &ScanCommand) -> &CommonArgs {
    match command {
        ScanCommand::Git(args) => &args.common,
        ScanCommand::Github(args) => &args.common,
        ScanCommand::Slack(args) => &args.common,
        ScanCommand::Calendar(args) => &args.common,
        ScanCommand::All(args) => &args.common,
    }
}

pub async fn run(command: &ScanCommand, database: &dyn Fn() -> Result<String>) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    // `scan all` has no --api-url: live sources use GITHUB_API_URL as the
    // flag's default would.
    let (api_url, max_wait) = match command {
        ScanCommand::Github(args) => (args.api_url.clone(), args.max_wait.as_str()),
        _ => (
            std::env::var("GITHUB_API_URL").unwrap_or_else(|_| DEFAULT_API_URL.to_string()),
            DEFAULT_MAX_WAIT,
        ),
    };
    let common = common_of(command);
    if let ScanCommand::All(_) = command {
        return run_all(common, database, &api_url, max_wait, now).await;
    }
    // Every input is checked before a long read starts.
    let source = source_of(command)?;
    let shared = Shared {
        since: common.since.as_deref(),
        until: common.until.as_deref(),
        config: load_config(common.config.as_deref())?,
        bots: &common.bots,
        api_url: &api_url,
        max_wait,
        now,
    };
    shared.check(&source)?;
    let run = ScanRun::prepare(common, common.team.as_deref(), database, now).await?;
    let display = Display::new();
    let scan = measure(&source, &shared, &run.privacy, &display);
    display.finish();
    run.finish(scan).await
}

/// `scan all`: every source of the scan file, one after the other under
/// one progress display, evaluated together. A source that can't be read
/// is reported and the others still run; the command then fails.
async fn run_all(
    common: &CommonArgs,
    database: &dyn Fn() -> Result<String>,
    api_url: &str,
    max_wait: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let Some(file) = common.config.as_deref() else {
        bail!("scan all needs a scan file: --config scan.toml (see docs/evidence.md)");
    };
    let text = read_text(file, "scan file", MAX_SETTINGS_FILE)?;
    let origin = file.display().to_string();
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let plan = parse_sources(&text, &origin, &base).map_err(|e| anyhow!("{e}"))?;
    let config = if plan.has_evidence_table {
        Some(parse_config(&text, &origin).map_err(|e| anyhow!("{e}"))?)
    } else {
        None
    };
    let shared = Shared {
        since: common.since.as_deref().or(plan.since.as_deref()),
        until: common.until.as_deref(),
        config,
        bots: &common.bots,
        api_url,
        max_wait,
        now,
    };
    for source in &plan.sources {
        shared.check(source)?;
    }
    let team = common.team.as_deref().or(plan.team.as_deref());
    if common.save && team.is_none() {
        bail!("--save needs a team: --team T or team = \"T\" in the [scan] table of {origin}");
    }
    let run = ScanRun::prepare(common, team, database, now).await?;
    let display = Display::new();
    let mut scans = Vec::new();
    let mut failed = Vec::new();
    for source in &plan.sources {
        let label = source.label();
        let progress = Labelled {
            inner: &display,
            label: label.clone(),
        };
        match measure(source, &shared, &run.privacy, &progress) {
            Ok(scan) => scans.push(scan),
            Err(e) => {
                display.message(&format!("{label}: could not be read: {e:#}"));
                failed.push(label);
            }
        }
    }
    display.finish();
    if scans.is_empty() {
        bail!("no source of {origin} could be read ({})", failed.join("; "));
    }
    run.finish_all(scans).await?;
    if !failed.is_empty() {
        bail!(
            "{} of {} sources of {origin} could not be read ({}); the report covers the others",
            failed.len(),
            plan.sources.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_seconds_and_minutes() {
        assert_eq!(parse_wait("90").expect("ok"), Duration::from_secs(90));
        assert_eq!(parse_wait("15m").expect("ok"), Duration::from_secs(900));
        assert!(parse_wait("soon").is_err());
    }
}
