//! `asyncmm team`, `asyncmm round` and `asyncmm respond`: turns arguments
//! into application-layer calls and results into lines. Tokens are shown
//! here once (or written to a new CSV file) and never again.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};
use asyncmm_app::input::{MAX_IMPORT_FILE, answers_file, read_text};
use asyncmm_app::teams::TeamList;
use asyncmm_app::{App, OsRandom};
use asyncmm_core::plan::Action;
use asyncmm_core::{Answers, Mode, RoundId, Team, TeamId, Token};
use asyncmm_report::plan::action_line;
use asyncmm_report::to_json;
use asyncmm_store::SubmitOutcome;

use crate::args::{ListFormat, ModeArg, RespondArgs, RoundCommand, RoundOpenArgs, TeamCommand, TemplateFormat};
use crate::assess::load_model;
use crate::prompt;
use crate::ui::{cancelled, eprint_line, print, require_terminal};

pub async fn team_command(app: &App<'_>, command: &TeamCommand) -> Result<()> {
    match command {
        TeamCommand::Add { name, parent } => {
            let team = app.add_team(name, parent.as_deref()).await?;
            match parent {
                Some(_) => print(&format!("added team \"{}\" to its group\n", team.name)),
                None => print(&format!("added team \"{}\"\n", team.name)),
            }
        }
        TeamCommand::List { archived, format } => {
            let list = app.list_teams(*archived).await?;
            match format {
                ListFormat::Json => print(&to_json(&list)?),
                ListFormat::Text => print(&team_list_text(&list)),
            }
        }
        TeamCommand::Rename { from, to } => {
            let team = app.rename_team(from, to).await?;
            print(&format!("renamed \"{from}\" to \"{}\"\n", team.name))
        }
        TeamCommand::Move { name, parent, .. } => {
            let team = app.move_team(name, parent.as_deref()).await?;
            match parent {
                Some(p) => print(&format!("moved \"{}\" into \"{p}\"\n", team.name)),
                None => print(&format!("moved \"{}\" to the top\n", team.name)),
            }
        }
        TeamCommand::Archive { name } => {
            let team = app.archive_team(name).await?;
            print(&format!("archived \"{}\"; its history is kept\n", team.name))
        }
    }
}

/// The organisation as an indented tree, then the names that only have
/// self-assessments.
fn team_list_text(list: &TeamList) -> String {
    fn walk(out: &mut String, teams: &[Team], parent: Option<TeamId>, depth: usize) {
        let mut children: Vec<&Team> = teams.iter().filter(|t| t.parent == parent).collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        for team in children {
            let archived = if team.archived { " (archived)" } else { "" };
            let _ = writeln!(out, "{}{}{archived}", "  ".repeat(depth), team.name);
            walk(out, teams, Some(team.id), depth + 1);
        }
    }
    let mut out = String::new();
    if list.organisation.is_empty() && list.self_assessed_only.is_empty() {
        return "no teams yet: add one with `asyncmm team add NAME`\n".to_string();
    }
    // A team whose parent is not listed (an archived parent) is shown at the top.
    let ids: BTreeSet<_> = list.organisation.iter().map(|t| t.id).collect();
    let teams: Vec<Team> = list
        .organisation
        .iter()
        .map(|t| Team {
            parent: t.parent.filter(|p| ids.contains(p)),
            ..t.clone()
        })
        .collect();
    walk(&mut out, &teams, None, 0);
    if !list.self_assessed_only.is_empty() {
        let _ = writeln!(
            out,
            "\nwith self-assessments only (not in the organisation; `asyncmm team add NAME` adds one):"
        );
        for t in &list.self_assessed_only {
            let plural = if t.assessments == 1 { "" } else { "s" };
            let _ = writeln!(out, "  {} ({} assessment{plural})", t.name, t.assessments);
        }
    }
    out
}

/// Refuses before anything is stored when the token file can't be created
/// new, so no tokens end up issued but never shown.
fn ensure_new(path: Option<&Path>) -> Result<()> {
    if let Some(path) = path
        && path.exists()
    {
        bail!(
            "{} already exists: tokens are written only to a new file",
            path.display()
        );
    }
    Ok(())
}

/// Prints the tokens once, or writes them to a new CSV file for mail merge.
fn hand_out(round: RoundId, tokens: &[Token], csv: Option<&Path>) -> Result<()> {
    if tokens.is_empty() {
        return Ok(());
    }
    match csv {
        Some(path) => {
            let mut text = String::from("round,token,command\n");
            for t in tokens {
                let token = t.reveal();
                let _ = writeln!(text, "{round},{token},asyncmm respond {token}");
            }
            crate::output::write_new_file(path, &text)?;
            print(&format!("wrote {} tokens to {}\n", tokens.len(), path.display()))
        }
        None => {
            let mut text = format!(
                "{} one-time tokens (shown once; hand one to each respondent):\n",
                tokens.len()
            );
            for t in tokens {
                let _ = writeln!(text, "  {}", t.reveal());
            }
            let _ = writeln!(text, "respondents answer with `asyncmm respond TOKEN`");
            print(&text)
        }
    }
}

fn review_text(team: &str, open: &[Action]) -> String {
    let mut out = format!("Review these open actions of {team} before the round:\n");
    for a in open {
        let _ = writeln!(out, "  {}", action_line(a));
    }
    let _ = writeln!(
        out,
        "(mark them with `asyncmm plan action update ID --status done|dropped`)\n"
    );
    out
}

async fn open_round(app: &App<'_>, args: &RoundOpenArgs) -> Result<()> {
    if args.tokens_csv.is_some() && args.tokens == 0 {
        bail!("--tokens-csv needs --tokens N (how many tokens to issue)");
    }
    ensure_new(args.tokens_csv.as_deref())?;
    let model = load_model(args.model.as_deref())?;
    let mode = match args.mode {
        ModeArg::Quick => Mode::Quick,
        ModeArg::Detailed => Mode::Detailed,
    };
    let opened = app
        .open_round(
            &args.team,
            mode,
            args.k,
            args.closes.as_deref(),
            args.tokens,
            &model,
            &mut OsRandom,
        )
        .await?;
    if !opened.open_actions.is_empty() {
        print(&review_text(opened.round.team.as_str(), &opened.open_actions))?;
    }
    print(&format!("opened {}\n", app.round_meta(&opened.round).line()))?;
    hand_out(opened.round.id, &opened.tokens, args.tokens_csv.as_deref())
}

/// Asks "close anyway?" on a terminal; elsewhere `--yes` is needed.
pub(crate) fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    match inquire::Confirm::new(question).with_default(false).prompt() {
        Ok(answer) => Ok(answer),
        Err(inquire::InquireError::OperationCanceled | inquire::InquireError::OperationInterrupted) => Ok(false),
        Err(e) => Err(e).context("could not ask for confirmation"),
    }
}

pub async fn round_command(app: &App<'_>, command: &RoundCommand) -> Result<()> {
    match command {
        RoundCommand::Open(args) => open_round(app, args).await,
        RoundCommand::List { team, format } => {
            let rounds = app.round_list(team.as_deref()).await?;
            match format {
                ListFormat::Json => print(&to_json(&rounds)?),
                ListFormat::Text if rounds.is_empty() => {
                    print("no rounds yet: open one with `asyncmm round open --team NAME`\n")
                }
                ListFormat::Text => print(&rounds.iter().map(|r| r.line() + "\n").collect::<String>()),
            }
        }
        RoundCommand::Status { id, format } => {
            let round = app.round_status(*id).await?;
            match format {
                ListFormat::Json => print(&to_json(&round)?),
                ListFormat::Text => {
                    let mut text = round.line();
                    text.push('\n');
                    let missing = u64::from(round.k).saturating_sub(round.responses);
                    if missing > 0 {
                        let _ = writeln!(text, "{missing} more responses needed before any result can be shown");
                    }
                    print(&text)
                }
            }
        }
        RoundCommand::Close { id, yes } => {
            let check = app.close_check(*id).await?;
            if let Some(warning) = check.warning() {
                eprint_line(&format!("warning: {warning}"));
                if !yes && !confirm("Close it anyway?")? {
                    bail!("round {id} was not closed; pass --yes to close it anyway");
                }
            }
            app.close_round(*id).await?;
            print(&format!(
                "closed round {id}: answers can no longer be given or changed, and tokens are no longer linked to \
                 responses; see the result with `asyncmm report --round {id}`\n"
            ))
        }
        RoundCommand::Reopen { id } => {
            app.reopen_round(*id).await?;
            print(&format!(
                "reopened round {id}; people who answered before it closed can't change their answers\n"
            ))
        }
        RoundCommand::Tokens { id, count, csv } => {
            ensure_new(csv.as_deref())?;
            let (round, tokens) = app.issue_tokens(*id, *count, &mut OsRandom).await?;
            hand_out(round.id, &tokens, csv.as_deref())
        }
        RoundCommand::SetK { id, k } => {
            let round = app.set_k(*id, *k).await?;
            print(&format!("round {id} now shows results from {} responses\n", round.k))
        }
        RoundCommand::Import {
            id,
            file,
            ignore_columns,
        } => {
            let text = read_text(file, "import", MAX_IMPORT_FILE)?;
            let ignored: BTreeSet<String> = ignore_columns.iter().cloned().collect();
            let stored = app
                .import_responses(*id, &text, &file.display().to_string(), &ignored)
                .await?;
            print(&format!("imported {stored} responses into round {id}\n"))
        }
        RoundCommand::Template {
            mode,
            format: TemplateFormat::Csv,
            model,
            output,
        } => {
            let model = crate::assess::load_model(model.as_deref())?;
            let mode = match mode {
                ModeArg::Quick => Mode::Quick,
                ModeArg::Detailed => Mode::Detailed,
            };
            crate::output::emit(
                &asyncmm_app::input::import::template_csv(&model.model, mode),
                output.as_deref(),
            )
        }
    }
}

/// The longest line read as a token from standard input (a token is 32
/// characters; this leaves room for spaces and dashes a mail client adds).
const MAX_TOKEN_LINE: u64 = 1024;

/// The token from the argument, `-` (standard input) or ASYNCMM_TOKEN
/// (clap fills the argument from it).
fn respond_token(args: &RespondArgs) -> Result<String> {
    match args.token.as_deref() {
        Some("-") => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .take(MAX_TOKEN_LINE)
                .read_line(&mut line)
                .context("could not read the token from standard input")?;
            let token = line.trim();
            anyhow::ensure!(!token.is_empty(), "standard input held no token (an empty first line)");
            Ok(token.to_string())
        }
        Some(token) => Ok(token.to_string()),
        None => anyhow::bail!(
            "no token given: pass it as the argument, `-` to read it from standard input, or set ASYNCMM_TOKEN"
        ),
    }
}

pub async fn respond_command(app: &App<'_>, args: &RespondArgs) -> Result<()> {
    let token = respond_token(args)?;
    let invitation = app.invitation(&token).await?;
    let answers = match &args.answers {
        Some(path) => answers_file::read(path, &invitation.model)?.answers,
        None => {
            require_terminal()?;
            eprintln!("\n{}\n", prompt::wrap(&invitation.intro(), 76, "", ""));
            match invitation.round.mode {
                Mode::Quick => Answers::Quick(prompt::ask_quick(&invitation.model).map_err(cancelled)?),
                Mode::Detailed => Answers::Detailed(prompt::ask_detailed(&invitation.model).map_err(cancelled)?),
            }
        }
    };
    let round = invitation.round.id;
    match app.respond(&token, &answers).await? {
        SubmitOutcome::Created => print(&format!(
            "thank you: your answers to round {round} are stored, without your name; you can change them with the \
             same token until the round closes\n"
        )),
        SubmitOutcome::Revised => print(&format!(
            "your answers to round {round} were replaced by these; the earlier ones are gone\n"
        )),
    }
}
