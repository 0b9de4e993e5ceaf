//! Wiring for team assessments: teams, rounds, tokens, responses and
//! imports. Rules (k, states, anonymity) live in the core and store crates;
//! this module turns arguments into calls and results into lines.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use asyncmm_core::aggregate::{GroupResult, aggregate};
use asyncmm_core::anonymity::{GroupInput, RollupRule, rollup, show_group};
use asyncmm_core::{Answers, K, Mode, ModelRef, NewRound, Round, RoundId, RoundState, Team, TeamName, Token};
use asyncmm_model::Model;
use asyncmm_report::team::{self, OrgReport, RoundReport};
use asyncmm_store::{Store, StoreError, SubmitOutcome};
use time::{Date, OffsetDateTime};

use crate::args::{ListFormat, ModeArg, ReportFormat, RespondArgs, RoundCommand, RoundOpenArgs, TeamCommand};
use crate::run::{StoredModels, cancelled, load_model, print, stored_model};
use crate::{answers_file, import, prompt};

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

fn team_name(text: &str) -> Result<TeamName> {
    Ok(TeamName::parse(text)?)
}

/// Store errors keep their message; "not found" reads better with context.
fn not_found_as(what: String) -> impl FnOnce(StoreError) -> anyhow::Error {
    move |e| match e {
        StoreError::NotFound(_) => anyhow!("{what} does not exist"),
        other => other.into(),
    }
}

pub async fn team_command(store: &dyn Store, command: &TeamCommand) -> Result<()> {
    match command {
        TeamCommand::Add { name, parent } => {
            let name = team_name(name)?;
            let parent = parent.as_deref().map(team_name).transpose()?;
            store.create_team(&name, parent.as_ref()).await?;
            match parent {
                Some(p) => print(&format!("added team \"{name}\" in \"{p}\"\n")),
                None => print(&format!("added team \"{name}\"\n")),
            }
        }
        TeamCommand::List { archived, format } => {
            let teams = store.teams_in_org(*archived).await?;
            match format {
                ListFormat::Json => print(&asyncmm_report::to_json(&teams)?),
                ListFormat::Text => print(&team_tree(&teams)),
            }
        }
        TeamCommand::Rename { from, to } => {
            let (from, to) = (team_name(from)?, team_name(to)?);
            store
                .rename_team(&from, &to)
                .await
                .map_err(not_found_as(format!("team \"{from}\"")))?;
            print(&format!("renamed \"{from}\" to \"{to}\"\n"))
        }
        TeamCommand::Move {
            name,
            parent,
            no_parent: _,
        } => {
            let name = team_name(name)?;
            let parent = parent.as_deref().map(team_name).transpose()?;
            store.move_team(&name, parent.as_ref()).await?;
            match parent {
                Some(p) => print(&format!("moved \"{name}\" into \"{p}\"\n")),
                None => print(&format!("moved \"{name}\" to the top level\n")),
            }
        }
        TeamCommand::Archive { name } => {
            let name = team_name(name)?;
            store
                .archive_team(&name)
                .await
                .map_err(not_found_as(format!("team \"{name}\"")))?;
            print(&format!("archived \"{name}\"; its history is kept\n"))
        }
    }
}

/// Teams indented under their groups, groups first by name.
fn team_tree(teams: &[Team]) -> String {
    fn walk(out: &mut String, teams: &[Team], parent: Option<asyncmm_core::TeamId>, depth: usize) {
        let mut children: Vec<&Team> = teams.iter().filter(|t| t.parent == parent).collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        for team in children {
            let archived = if team.archived { " (archived)" } else { "" };
            let _ = writeln!(out, "{}{}{archived}", "  ".repeat(depth), team.name);
            walk(out, teams, Some(team.id), depth + 1);
        }
    }
    if teams.is_empty() {
        return "no teams yet: add one with `asyncmm team add NAME`\n".to_string();
    }
    let mut out = String::new();
    // A team whose parent is not listed (archived parent) is shown at the top.
    let ids: BTreeSet<_> = teams.iter().map(|t| t.id).collect();
    let orphans: Vec<Team> = teams
        .iter()
        .filter(|t| t.parent.is_some_and(|p| !ids.contains(&p)))
        .map(|t| Team {
            parent: None,
            ..t.clone()
        })
        .collect();
    let mut all: Vec<Team> = teams
        .iter()
        .filter(|t| t.parent.is_none_or(|p| ids.contains(&p)))
        .cloned()
        .collect();
    all.extend(orphans);
    walk(&mut out, &all, None, 0);
    out
}

/// Fresh tokens from the operating system's random source.
fn new_tokens(count: u32) -> Result<Vec<Token>> {
    (0..count)
        .map(|_| {
            let mut bytes = [0u8; Token::BYTES];
            getrandom::getrandom(&mut bytes).map_err(|e| anyhow!("no secure random numbers available: {e}"))?;
            Ok(Token::from_random_bytes(bytes))
        })
        .collect()
}

/// Prints tokens, or writes them to a CSV for mail merge. The plain tokens
/// exist only here: the store keeps their hashes.
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
            write_new_file(path, &text)?;
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

/// Refuses before anything is stored when the token file can't be created
/// new, so no tokens end up issued but never shown.
fn ensure_new(path: Option<&Path>) -> Result<()> {
    if let Some(path) = path {
        if path.exists() {
            bail!(
                "{} already exists: tokens are written only to a new file",
                path.display()
            );
        }
    }
    Ok(())
}

/// Creates a file that must not exist yet, so a token list never overwrites
/// another one.
fn write_new_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("could not create {} (it must not exist yet)", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("could not write {}", path.display()))
}

fn parse_date(text: &str) -> Result<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).map_err(|_| anyhow!("{text:?} is not a date: use YYYY-MM-DD, e.g. 2027-01-15"))
}

fn round_line(round: &Round, today: Date) -> String {
    let state = match round.state(today) {
        RoundState::Open => "open".to_string(),
        RoundState::Closed => "closed".to_string(),
    };
    let closes = round
        .closes_on
        .map_or_else(String::new, |d| format!(", closes after {d}"));
    format!(
        "round {} · {} · {} mode · k = {} · {state} · opened {}{closes} · {} responses · model {}",
        round.id, round.team, round.mode, round.k, round.opens_on, round.responses, round.model
    )
}

pub async fn round_command(store: &dyn Store, command: &RoundCommand) -> Result<()> {
    let today = today();
    match command {
        RoundCommand::Open(args) => open_round(store, args, today).await,
        RoundCommand::List { team, format } => {
            let team = team.as_deref().map(team_name).transpose()?;
            let rounds = store.rounds(team.as_ref()).await?;
            match format {
                ListFormat::Json => print(&asyncmm_report::to_json(&rounds)?),
                ListFormat::Text if rounds.is_empty() => {
                    print("no rounds yet: open one with `asyncmm round open --team NAME`\n")
                }
                ListFormat::Text => print(&rounds.iter().map(|r| round_line(r, today) + "\n").collect::<String>()),
            }
        }
        RoundCommand::Status { id, format } => {
            let round = store
                .round(RoundId(*id))
                .await
                .map_err(not_found_as(format!("round {id}")))?;
            match format {
                ListFormat::Json => print(&asyncmm_report::to_json(&round)?),
                ListFormat::Text => {
                    let mut text = round_line(&round, today);
                    text.push('\n');
                    let missing = u64::from(round.k.get()).saturating_sub(round.responses);
                    if missing > 0 {
                        let _ = writeln!(text, "{missing} more responses needed before any result can be shown");
                    }
                    print(&text)
                }
            }
        }
        RoundCommand::Close { id } => {
            store
                .close_round(RoundId(*id), today)
                .await
                .map_err(not_found_as(format!("round {id}")))?;
            print(&format!(
                "closed round {id}; see the result with `asyncmm report --round {id}`\n"
            ))
        }
        RoundCommand::Reopen { id } => {
            store
                .reopen_round(RoundId(*id), today)
                .await
                .map_err(not_found_as(format!("round {id}")))?;
            print(&format!("reopened round {id}\n"))
        }
        RoundCommand::Tokens { id, count, csv } => {
            let round = store
                .round(RoundId(*id))
                .await
                .map_err(not_found_as(format!("round {id}")))?;
            if round.state(today) == RoundState::Closed {
                bail!("round {id} is closed: reopen it before issuing tokens");
            }
            ensure_new(csv.as_deref())?;
            let tokens = new_tokens(*count)?;
            let hashes: Vec<_> = tokens.iter().map(Token::hash).collect();
            store.add_tokens(round.id, &hashes).await?;
            hand_out(round.id, &tokens, csv.as_deref())
        }
        RoundCommand::SetK { id, k } => {
            let k = K::new(*k)?;
            store
                .set_round_k(RoundId(*id), k)
                .await
                .map_err(not_found_as(format!("round {id}")))?;
            print(&format!("round {id} now shows results from {k} responses\n"))
        }
        RoundCommand::Import {
            id,
            file,
            ignore_columns,
        } => {
            let round = store
                .round(RoundId(*id))
                .await
                .map_err(not_found_as(format!("round {id}")))?;
            let model = stored_model(store, &round.model).await?;
            let ignored: BTreeSet<String> = ignore_columns.iter().cloned().collect();
            let responses = import::read(file, &model, round.mode, &ignored)?;
            let stored = store.import_responses(round.id, &responses, today).await?;
            print(&format!("imported {stored} responses into round {id}\n"))
        }
    }
}

async fn open_round(store: &dyn Store, args: &RoundOpenArgs, today: Date) -> Result<()> {
    let team = team_name(&args.team)?;
    let k = K::new(args.k)?;
    // A new round starts by reviewing the open actions (PRODUCT.md).
    crate::plan::review_open_actions(store, &team).await?;
    let closes_on = args.closes.as_deref().map(parse_date).transpose()?;
    if let Some(date) = closes_on {
        if date < today {
            bail!("closing date {date} is in the past");
        }
    }
    if args.tokens_csv.is_some() && args.tokens == 0 {
        bail!("--tokens-csv needs --tokens N (how many tokens to issue)");
    }
    ensure_new(args.tokens_csv.as_deref())?;
    let (model, model_text) = load_model(args.model.as_deref())?;
    store.register_model(&ModelRef::of(&model), &model_text).await?;
    let tokens = new_tokens(args.tokens)?;
    let hashes: Vec<_> = tokens.iter().map(Token::hash).collect();
    let round = store
        .open_round(
            &NewRound {
                team,
                model: ModelRef::of(&model),
                mode: match args.mode {
                    ModeArg::Quick => Mode::Quick,
                    ModeArg::Detailed => Mode::Detailed,
                },
                k,
                opens_on: today,
                closes_on,
            },
            &hashes,
        )
        .await?;
    print(&format!("opened {}\n", round_line(&round, today)))?;
    hand_out(round.id, &tokens, args.tokens_csv.as_deref())
}

pub async fn respond_command(store: &dyn Store, args: &RespondArgs) -> Result<()> {
    let token = Token::parse(&args.token)?;
    let hash = token.hash();
    let round_id = store
        .round_for_token(&hash)
        .await
        .map_err(not_found_as("a round for this token".to_string()))?;
    let round = store.round(round_id).await?;
    let today = today();
    if round.state(today) == RoundState::Closed {
        bail!(
            "round {} is closed: answers can no longer be given or changed",
            round.id
        );
    }
    let model = stored_model(store, &round.model).await?;
    let answers = match &args.answers {
        Some(path) => {
            let file = answers_file::read(path, &model)?;
            if file.answers.mode() != round.mode {
                bail!(
                    "{}: this round asks for {} answers, the file has {} answers",
                    path.display(),
                    round.mode,
                    file.answers.mode()
                );
            }
            file.answers
        }
        None => ask(&model, round.mode)?,
    };
    match store.submit_response(round.id, &hash, &answers, today).await? {
        SubmitOutcome::Created => print(&format!(
            "thank you: your answers to round {} are stored, without your name; you can change them with the same token until the round closes\n",
            round.id
        )),
        SubmitOutcome::Revised => print(&format!(
            "your answers to round {} were replaced by these; the earlier ones are gone\n",
            round.id
        )),
    }
}

fn ask(model: &Model, mode: Mode) -> Result<Answers> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "standard input is not a terminal, so asyncmm can't ask questions; \
             pass --answers FILE to answer from a file (see examples/)"
        );
    }
    Ok(match mode {
        Mode::Quick => Answers::Quick(prompt::ask_quick(model).map_err(cancelled)?),
        Mode::Detailed => Answers::Detailed(prompt::ask_detailed(model).map_err(cancelled)?),
    })
}

/// `asyncmm report --round ID`: the team's result through the anonymity
/// gate, compared with the team's previous round of the same model and mode.
pub async fn round_report(store: &dyn Store, id: i64, format: ReportFormat, output: Option<&Path>) -> Result<()> {
    let report = build_round_report(store, id).await?;
    let out = match format {
        ReportFormat::Text => team::render_round_text(&report, crate::run::style()),
        ReportFormat::Md => team::render_round_markdown(&report),
        ReportFormat::Json => asyncmm_report::to_json(&report)?,
        ReportFormat::Csv => team::render_round_csv(&report),
        ReportFormat::Html => asyncmm_report::html::render_round_html(&report),
    };
    crate::output::emit(&out, output)
}

/// A round's result through the anonymity gate; marks a closed round's
/// result as published once it is visible (building it means showing it).
pub async fn build_round_report(store: &dyn Store, id: i64) -> Result<RoundReport> {
    let today = today();
    let round = store
        .round(RoundId(id))
        .await
        .map_err(not_found_as(format!("round {id}")))?;
    let model = stored_model(store, &round.model).await?;
    let responses = store.round_responses(round.id).await?;
    let result = aggregate(&model, round.mode, &responses)?;
    let shown = show_group(round.k, &result);
    let previous_round = store
        .rounds(Some(&round.team))
        .await?
        .into_iter()
        .rfind(|r| r.id < round.id && r.model == round.model && r.mode == round.mode);
    let previous = match previous_round {
        Some(prev) => {
            let responses = store.round_responses(prev.id).await?;
            let result = aggregate(&model, prev.mode, &responses)?;
            Some((prev.clone(), show_group(prev.k, &result)))
        }
        None => None,
    };
    let report = RoundReport::build(&model, &round, today, &shown, previous.as_ref().map(|(r, s)| (r, s)));
    // Once a closed round's result has been seen, reopening it would let
    // someone compare results before and after one more response.
    if shown.is_visible() && round.state(today) == RoundState::Closed && !round.published {
        store.mark_published(round.id).await?;
    }
    Ok(report)
}

/// `asyncmm report --org`: every team's latest round and the roll-ups.
pub async fn org_report(store: &dyn Store, format: ReportFormat, output: Option<&Path>) -> Result<()> {
    if format == ReportFormat::Csv {
        return crate::output::emit(&team::render_org_csv(&org_rounds(store).await?), output);
    }
    let report = build_org_report(store).await?;
    let out = match format {
        ReportFormat::Text => team::render_org_text(&report),
        ReportFormat::Md => team::render_org_markdown(&report),
        ReportFormat::Json => asyncmm_report::to_json(&report)?,
        ReportFormat::Csv => team::render_org_csv(&report),
        ReportFormat::Html => asyncmm_report::html::render_org_html(&report),
    };
    crate::output::emit(&out, output)
}

/// Every round of every active team, each through the anonymity gate on its
/// own: the tidy team × round × area rows of `report --org --format csv`.
async fn org_rounds(store: &dyn Store) -> Result<OrgReport> {
    let teams = store.teams_in_org(false).await?;
    let active: BTreeSet<&str> = teams.iter().map(|t| t.name.as_str()).collect();
    let rounds: Vec<Round> = store
        .rounds(None)
        .await?
        .into_iter()
        .filter(|r| active.contains(r.team.as_str()))
        .collect();
    let (models, results) = aggregate_rounds(store, &rounds).await?;
    let rows: Vec<_> = rounds
        .iter()
        .zip(&results)
        .map(|(r, g)| (r, show_group(r.k, g)))
        .collect();
    Ok(OrgReport::build(&models.display()?, models.all(), &teams, &rows, &[]))
}

/// Each round's responses aggregated with its own model version, loaded in
/// two queries for all rounds; also the models they were recorded with.
async fn aggregate_rounds(store: &dyn Store, rounds: &[Round]) -> Result<(StoredModels, Vec<GroupResult>)> {
    let ids: Vec<RoundId> = rounds.iter().map(|r| r.id).collect();
    let mut responses = store.responses_for_rounds(&ids).await?;
    let models = StoredModels::load(store, rounds.iter().map(|r| &r.model)).await?;
    let mut results = Vec::with_capacity(rounds.len());
    for round in rounds {
        let answers = responses.remove(&round.id).unwrap_or_default();
        results.push(aggregate(models.get(&round.model)?, round.mode, &answers)?);
    }
    Ok((models, results))
}

/// Every team's latest round (through the anonymity gate) and the roll-ups:
/// what `report --org` and `chart heatmap` show.
pub async fn build_org_report(store: &dyn Store) -> Result<OrgReport> {
    let teams = store.teams_in_org(false).await?;
    let latest = store.latest_round_per_team().await?;
    let (models, results) = aggregate_rounds(store, &latest).await?;
    let team_by_name: std::collections::HashMap<&str, &Team> = teams.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut rows = Vec::with_capacity(latest.len());
    let mut inputs: Vec<GroupInput> = Vec::with_capacity(teams.len());
    for (round, result) in latest.iter().zip(results) {
        rows.push((round, show_group(round.k, &result)));
        if let Some(team) = team_by_name.get(round.team.as_str()) {
            inputs.push(GroupInput {
                id: team.id,
                parent: team.parent,
                k: round.k,
                result: Some(result),
            });
        }
    }
    // Groups without a round of their own still need a node so their teams
    // roll up through them.
    let with_input: BTreeSet<_> = inputs.iter().map(|i| i.id).collect();
    for team in &teams {
        if !with_input.contains(&team.id) {
            inputs.push(GroupInput {
                id: team.id,
                parent: team.parent,
                k: K::DEFAULT,
                result: None,
            });
        }
    }
    let mut rollups = rollup(&inputs, RollupRule::MedianOfTeamMedians)?;
    rollups.extend(rollup(&inputs, RollupRule::PooledRespondents)?);
    Ok(OrgReport::build(
        &models.display()?,
        models.all(),
        &teams,
        &rows,
        &rollups,
    ))
}
