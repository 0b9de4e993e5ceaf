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
use asyncmm_evidence::{EvidenceReport, Progress, RuleSet, Scan, default_rules, evaluate, parse_rules, render};
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
}

/// Flags every scan takes.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Start of the window: a span back from --until (180d, 26w) or a date
    /// (2024-01-31) or an RFC 3339 time.
    #[arg(long, default_value = "180d", value_name = "SPAN|DATE")]
    pub since: String,
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
    /// Settings file ([evidence] table) instead of the repository's .asyncmm.toml.
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
        default_value = "https://api.github.com",
        value_name = "URL"
    )]
    pub api_url: String,
    /// The longest to wait in total for rate limits, in seconds (or 15m).
    #[arg(long, default_value = "15m", value_name = "DURATION")]
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
        database: &dyn Fn() -> Result<String>,
        now: OffsetDateTime,
    ) -> Result<Self> {
        let model = load_model(common.model.as_deref())?;
        let rules = load_rules(common.rules.as_deref(), &model)?;
        let (team, salt) = match &common.team {
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

    /// Evaluates the scan, marks the team's waived rules, saves it when
    /// asked (only a scan that succeeded and measured something) and prints
    /// it.
    async fn finish<E>(&self, scan: Result<Scan, E>) -> Result<()>
    where
        anyhow::Error: From<E>,
    {
        let scan = scan?;
        let mut evaluation = evaluate(&self.rules, std::slice::from_ref(&scan), &self.model);
        if let Some(TeamStore { store, team }) = &self.team {
            let app = App::new(store.as_ref(), self.now).await?;
            evaluation = app.with_waivers(team, evaluation, &self.model).await?;
            if self.common.save {
                let saved = app.save_scan(team, &scan).await?;
                eprintln!(
                    "saved the {} scan of {} as evidence #{} of team \"{}\"",
                    saved.source, saved.subject, saved.id, saved.team
                );
            }
        }
        let report = EvidenceReport::new(vec![scan], evaluation);
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

pub async fn run(command: &ScanCommand, database: &dyn Fn() -> Result<String>) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    match command {
        ScanCommand::Git(args) => {
            let common = &args.common;
            // Every input is checked before the history walk starts.
            let window = parse_window(&common.since, common.until.as_deref(), now)?;
            let config = load_config(common.config.as_deref())?;
            let run = ScanRun::prepare(common, database, now).await?;
            let settings = GitSettings {
                window,
                config,
                extra_docs: args.docs.clone(),
                extra_decisions: args.decisions.clone(),
                extra_bots: common.bots.clone(),
                now,
                limits: RepoFileLimits::default(),
            };
            let display = Display::new();
            let scan = scan_git(&args.path, &settings, &run.privacy, &display);
            display.finish();
            run.finish(scan).await
        }
        ScanCommand::Github(args) => {
            let common = &args.common;
            let window = parse_window(&common.since, common.until.as_deref(), now)?;
            let mut config = load_config(common.config.as_deref())?.unwrap_or_default();
            config.bots.extend(common.bots.iter().cloned());
            config.decision_labels.extend(args.decision_labels.iter().cloned());
            if let Some(dir) = &args.from {
                let run = ScanRun::prepare(common, database, now).await?;
                let scan = scan_files(dir, window, &config, &run.privacy, now);
                return run.finish(scan).await;
            }
            let target = match (&args.repo, &args.org) {
                (Some(repo), _) => Target::repo(repo)?,
                (None, Some(org)) => Target::Org(org.clone()),
                (None, None) => bail!("name a source: --from DIR, --repo OWNER/NAME or --org ORG"),
            };
            let token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
            if token.trim().is_empty() {
                bail!(
                    "reading GitHub live needs a token: set GITHUB_TOKEN (read access to the repositories is enough)"
                );
            }
            let api = ApiSettings {
                // An empty GITHUB_API_URL means the default, not "no address".
                base_url: match args.api_url.trim().trim_end_matches('/') {
                    "" => "https://api.github.com".to_string(),
                    url => url.to_string(),
                },
                token: token.trim().to_string(),
                max_wait: parse_wait(&args.max_wait)?,
                retry_pause: Duration::from_secs(2),
            };
            let run = ScanRun::prepare(common, database, now).await?;
            let display = Display::new();
            let scan = scan_live(&target, window, &api, &config, &run.privacy, &RealSleep, &display, now);
            display.finish();
            run.finish(scan).await
        }
        ScanCommand::Slack(args) => {
            let common = &args.common;
            let window = parse_window(&common.since, common.until.as_deref(), now)?;
            let mut config = load_config(common.config.as_deref())?.unwrap_or_default();
            config.bots.extend(common.bots.iter().cloned());
            let limits = ArchiveLimits {
                max_total_bytes: args.max_unpacked_gib.saturating_mul(1 << 30),
                ..ArchiveLimits::default()
            };
            let settings = SlackSettings {
                window,
                config,
                working_hours: WorkingHours::parse(&args.working_hours)?,
                limits,
                now,
            };
            let run = ScanRun::prepare(common, database, now).await?;
            let display = Display::new();
            let scan = scan_slack(&args.export, &settings, &run.privacy, &display);
            display.finish();
            run.finish(scan).await
        }
        ScanCommand::Calendar(args) => {
            let common = &args.common;
            let window = parse_window(&common.since, common.until.as_deref(), now)?;
            let config = load_config(common.config.as_deref())?.unwrap_or_default();
            let default_zone = ics::zone(&args.zone)
                .ok_or_else(|| anyhow!("--zone {:?} is not a time zone name such as Europe/Berlin", args.zone))?;
            let settings = CalendarSettings {
                window,
                config,
                working_hours: WorkingHours::parse(&args.working_hours)?,
                default_zone,
                now,
            };
            let run = ScanRun::prepare(common, database, now).await?;
            let display = Display::new();
            let scan = scan_calendars(&args.paths, &settings, &run.privacy, &display);
            display.finish();
            run.finish(scan).await
        }
    }
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
