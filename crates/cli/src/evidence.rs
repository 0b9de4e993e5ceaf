//! `asyncmm evidence`: a team's waivers of evidence rules (waive, list,
//! remove) and its saved evidence over time. Parses the flags and picks the
//! renderer; the use cases are in the application layer.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use asyncmm_app::App;
use asyncmm_report::to_json;
use clap::{Args, Subcommand, ValueEnum};

use crate::ui::print;

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Dispute a rule's finding for a team until a day, with a reason: the
    /// rule stays in every result, marked waived, and leaves its area's
    /// level until the waiver expires.
    Waive(WaiveArgs),
    /// List a team's waivers, expired ones marked.
    Waivers(TeamArgs),
    /// Remove a team's waiver of a rule: the rule counts again.
    Unwaive(UnwaiveArgs),
    /// A team's saved evidence, oldest first, with the level per area.
    History(HistoryArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct WaiveArgs {
    #[arg(long)]
    pub team: String,
    /// The rule's id, as in the rule set (e.g. work-tracking.commits-reference-issues).
    #[arg(long)]
    pub rule: String,
    /// Why the rule doesn't fit the team; shown wherever the rule is.
    #[arg(long)]
    pub reason: String,
    /// The last day the waiver holds (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: String,
}

#[derive(Debug, Args)]
pub struct TeamArgs {
    #[arg(long)]
    pub team: String,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct UnwaiveArgs {
    #[arg(long)]
    pub team: String,
    #[arg(long)]
    pub rule: String,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[arg(long)]
    pub team: String,
    /// Evidence rule set (TOML) instead of the embedded default.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A rule file's text and name, read here so the app layer does no file I/O.
pub fn read_rules(path: Option<&std::path::Path>) -> Result<Option<(String, String)>> {
    path.map(|p| {
        std::fs::read_to_string(p)
            .with_context(|| format!("could not read rule file {}", p.display()))
            .map(|text| (text, p.display().to_string()))
    })
    .transpose()
}

pub async fn evidence_command(app: &App<'_>, command: &EvidenceCommand) -> Result<()> {
    match command {
        EvidenceCommand::Waive(args) => {
            let w = app.waive(&args.team, &args.rule, &args.reason, &args.until).await?;
            print(&format!(
                "rule {} is waived for team \"{}\" until {} (inclusive): {}\n",
                w.rule,
                args.team.trim(),
                w.until,
                w.reason
            ))
        }
        EvidenceCommand::Waivers(args) => {
            let list = app.waivers(&args.team).await?;
            if args.format == Format::Json {
                return print(&to_json(&list)?);
            }
            let mut out = String::new();
            if list.waivers.is_empty() {
                let _ = writeln!(out, "team \"{}\" has no waivers", list.team);
            }
            for w in &list.waivers {
                let state = if w.active { "until" } else { "expired" };
                let _ = writeln!(
                    out,
                    "{:<44} {state} {}  {} (set {})",
                    w.rule, w.until, w.reason, w.set_on
                );
            }
            print(&out)
        }
        EvidenceCommand::Unwaive(args) => {
            app.unwaive(&args.team, &args.rule).await?;
            print(&format!(
                "the waiver of rule {} for team \"{}\" is removed; the rule counts again\n",
                args.rule.trim(),
                args.team.trim()
            ))
        }
        EvidenceCommand::History(args) => {
            let rules = read_rules(args.rules.as_deref())?;
            let history = app
                .evidence_history(&args.team, rules.as_ref().map(|(t, n)| (t.as_str(), n.as_str())))
                .await?;
            if args.format == Format::Json {
                return print(&to_json(&history)?);
            }
            let mut out = format!("Evidence of team \"{}\", oldest first\n", history.team);
            let _ = writeln!(
                out,
                "{:>4}  {:<10} {:<7} {}",
                "#",
                "saved",
                "source",
                history.areas.join(" | ")
            );
            for scan in &history.scans {
                let levels: Vec<String> = scan
                    .areas
                    .iter()
                    .map(|(_, l)| l.map_or_else(|| "–".to_string(), |l| l.to_string()))
                    .collect();
                let _ = writeln!(
                    out,
                    "{:>4}  {:<10} {:<7} {}   ({})",
                    scan.id,
                    scan.scanned_at.date(),
                    scan.source,
                    levels.join(" | "),
                    scan.subject
                );
            }
            print(&out)
        }
    }
}
