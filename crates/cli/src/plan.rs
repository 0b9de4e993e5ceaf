//! `asyncmm plan`: goals, actions, suggestions and progress, wired to the
//! store. The rules (candidates, projection, pace) live in
//! `asyncmm_core::plan`; this module decides which result is "current" and
//! renders what the core computes.
//!
//! "Current" is the team's newest round whose result may be shown, else its
//! newest self-assessment — the same order `asyncmm check` uses, so a plan
//! and a CI gate never disagree about where a team stands.

use std::fmt::Write as _;

use anyhow::{Result, anyhow, bail};
use asyncmm_core::aggregate::aggregate;
use asyncmm_core::anonymity::show_group;
use asyncmm_core::plan::{
    Action, ActionId, ActionStatus, ActionUpdate, Candidate, Goal, Link, NewAction, Projection, Standing, agreement_of,
    candidate_actions, day_text, progress,
};
use asyncmm_core::{Answers, Round, TeamName, assess};
use asyncmm_model::{AreaId, Level, Model, StatementId};
use asyncmm_report::markdown::escape;
use asyncmm_report::plan::{GoalReport, PlanReport, Regression};
use asyncmm_report::to_json;
use asyncmm_store::{Store, StoreError};
use time::{Date, OffsetDateTime};

use crate::args::{ActionCommand, GoalCommand, ListFormat, PlanCommand, PlanFormat};
use crate::run::{load_model, print, stored_model};

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// Where a team stands now, and which result says so.
pub struct Current {
    /// e.g. "round 3" or "assessment #12".
    pub source: String,
    pub model: Model,
    pub standings: Vec<Standing>,
    /// The result before it that is comparable: the previous shown round of
    /// the same model version and mode, or the previous self-assessment of
    /// the same model version.
    previous: Option<Previous>,
}

/// The previous comparable result, as far as regressions need it.
struct Previous {
    source: String,
    levels: Vec<(AreaId, Level)>,
}

impl Current {
    fn standing(&self, area: &AreaId) -> Option<&Standing> {
        self.standings.iter().find(|s| &s.area == area)
    }

    fn previous_level(&self, area: &AreaId) -> Option<Level> {
        let previous = self.previous.as_ref()?;
        previous.levels.iter().find(|(a, _)| a == area).map(|(_, l)| *l)
    }

    /// Areas whose level dropped since the previous comparable result, in
    /// model order.
    fn regressions(&self) -> Vec<Regression> {
        self.model
            .areas
            .iter()
            .filter_map(|area| {
                let current = self.standing(&area.id)?.level;
                let previous = self.previous_level(&area.id)?;
                (current < previous).then(|| Regression {
                    area: area.id.clone(),
                    previous,
                    current,
                })
            })
            .collect()
    }
}

/// A team is known when it is in the organisation or has a self-assessment;
/// plans for a name nobody uses would be lost to a typo.
async fn known_team(store: &dyn Store, text: &str) -> Result<TeamName> {
    let team = TeamName::parse(text)?;
    match store.team(&team).await {
        Ok(_) => return Ok(team),
        Err(StoreError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    if store.latest_assessment(&team).await?.is_some() {
        return Ok(team);
    }
    bail!("unknown team \"{team}\": add it with `asyncmm team add` or assess it with `asyncmm assess --team`")
}

/// The standings of a round whose result may be shown; `None` when the
/// anonymity gate hides it.
async fn round_standings(store: &dyn Store, model: &Model, round: &Round) -> Result<Option<Vec<Standing>>> {
    let responses = store.round_responses(round.id).await?;
    let result = aggregate(model, round.mode, &responses)?;
    let Some(view) = show_group(round.k, &result).into_value() else {
        return Ok(None);
    };
    Ok(Some(
        view.areas
            .iter()
            .filter_map(|a| a.value())
            .map(|a| Standing {
                area: a.area.clone(),
                level: a.summary.level,
                score: a.summary.spread.median,
                agreement: a.statements.as_ref().map(|stmts| {
                    stmts
                        .iter()
                        .filter_map(|s| Some((s.statement.clone(), s.mean?)))
                        .collect()
                }),
            })
            .collect(),
    ))
}

fn assessment_standings(model: &Model, answers: &Answers) -> Vec<Standing> {
    let agreement = agreement_of(answers);
    assess(model, answers)
        .areas
        .into_iter()
        .filter_map(|a| {
            let scored = a.scored?;
            let agreement = agreement.as_ref().map(|all| {
                all.iter()
                    .filter(|(id, _)| id.area() == &a.area)
                    .map(|(id, v)| (id.clone(), *v))
                    .collect()
            });
            Some(Standing {
                area: a.area,
                level: scored.level,
                score: scored.score,
                agreement,
            })
        })
        .collect()
}

fn levels_of(standings: &[Standing]) -> Vec<(AreaId, Level)> {
    standings.iter().map(|s| (s.area.clone(), s.level)).collect()
}

/// The team's newest shown round, else its newest self-assessment; with the
/// previous comparable result, so regressions can be flagged.
pub async fn current(store: &dyn Store, team: &TeamName) -> Result<Option<Current>> {
    let rounds = match store.rounds(Some(team)).await {
        Ok(rounds) => rounds,
        Err(StoreError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    for (at, round) in rounds.iter().enumerate().rev() {
        let model = stored_model(store, &round.model).await?;
        let Some(standings) = round_standings(store, &model, round).await? else {
            continue;
        };
        let mut previous = None;
        for earlier in rounds[..at]
            .iter()
            .rev()
            .filter(|r| r.model == round.model && r.mode == round.mode)
        {
            if let Some(before) = round_standings(store, &model, earlier).await? {
                previous = Some(Previous {
                    source: format!("round {}", earlier.id),
                    levels: levels_of(&before),
                });
                break;
            }
        }
        return Ok(Some(Current {
            source: format!("round {}", round.id),
            model,
            standings,
            previous,
        }));
    }
    let assessments = store.team_assessments(team).await?;
    let Some((latest, earlier)) = assessments.split_last() else {
        return Ok(None);
    };
    let model = stored_model(store, &latest.model).await?;
    let standings = assessment_standings(&model, &latest.answers);
    let previous = earlier
        .iter()
        .rev()
        .find(|a| a.model == latest.model)
        .map(|a| Previous {
            source: format!("assessment #{}", a.id),
            levels: levels_of(&assessment_standings(&model, &a.answers)),
        });
    Ok(Some(Current {
        source: format!("assessment #{}", latest.id),
        model,
        standings,
        previous,
    }))
}

/// The model plans are checked against: the current result's, else the
/// embedded default.
fn model_of(current: Option<&Current>) -> Result<Model> {
    match current {
        Some(c) => Ok(c.model.clone()),
        None => Ok(load_model(None)?.0),
    }
}

pub async fn plan_command(store: &dyn Store, command: &PlanCommand) -> Result<()> {
    match command {
        PlanCommand::Goal(GoalCommand::Set { team, area, level, by }) => goal_set(store, team, area, level, by).await,
        PlanCommand::Show { team, format } => show(store, team, *format).await,
        PlanCommand::Suggest { team, accept, format } => suggest(store, team, accept.as_deref(), *format).await,
        PlanCommand::Action(ActionCommand::Add {
            team,
            title,
            owner,
            link,
            statements,
        }) => action_add(store, team, title, owner.as_deref(), link.as_deref(), statements).await,
        PlanCommand::Action(ActionCommand::Update {
            id,
            status,
            link,
            owner,
        }) => action_update(store, *id, status.as_deref(), link.as_deref(), owner.as_deref()).await,
        PlanCommand::Action(ActionCommand::List { team, format }) => action_list(store, team, *format).await,
    }
}

async fn goal_set(store: &dyn Store, team: &str, area: &str, level: &str, by: &str) -> Result<()> {
    let team = known_team(store, team).await?;
    let now = current(store, &team).await?;
    let model = model_of(now.as_ref())?;
    let area = AreaId::parse(area.trim()).map_err(|e| anyhow!("--area: {e}"))?;
    if model.area(&area).is_none() {
        let known: Vec<&str> = model.areas.iter().map(|a| a.id.as_str()).collect();
        bail!(
            "--area: {area} is not in model {}; areas: {}",
            model.key(),
            known.join(", ")
        );
    }
    let target = level.parse::<Level>().map_err(|e| anyhow!("--level: {e}"))?;
    let by = Date::parse(by.trim(), time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| anyhow!("--by {by:?} is not a date like 2027-03-31 ({e})"))?;
    let today = today();
    let baseline = now.as_ref().and_then(|c| c.standing(&area)).map(|s| s.level);
    // Warnings, not refusals: a team may want to hold a level it has, or
    // record a goal after its date; it should just know.
    if let Some(b) = baseline {
        if target <= b {
            eprintln!(
                "warning: {area} is already at level {} (from {}); the target {target} is not above it",
                b.number(),
                now.as_ref().map_or("", |c| c.source.as_str())
            );
        }
    }
    if by < today {
        eprintln!("warning: the target date {} is in the past", day_text(by));
    }
    let goal = Goal {
        team: team.clone(),
        area: area.clone(),
        target,
        by,
        baseline,
        set_on: today,
    };
    store.set_goal(&goal).await?;
    let from = baseline.map_or_else(|| "no result yet".to_string(), |b| format!("level {}", b.number()));
    print(&format!(
        "goal set: {team} {area} from {from} to level {} by {}\n",
        target.number(),
        day_text(by)
    ))
}

/// The team's plan as every renderer reads it: `plan show` and the HTML
/// team report share it.
pub async fn plan_report(store: &dyn Store, team: &TeamName) -> Result<PlanReport> {
    let now = current(store, team).await?;
    let model = model_of(now.as_ref())?;
    let goals = store.goals(team).await?;
    let actions = store.actions(team).await?;
    let today = today();
    let goals: Vec<GoalReport> = goals
        .iter()
        .map(|g| {
            let standing = now.as_ref().and_then(|c| c.standing(&g.area));
            let previous = now.as_ref().and_then(|c| c.previous_level(&g.area));
            GoalReport {
                progress: progress(&model, g, standing, &actions, today),
                set_on: g.set_on,
                previous,
                regressed: matches!((standing, previous), (Some(s), Some(p)) if s.level < p),
            }
        })
        .collect();
    Ok(PlanReport {
        schema: "asyncmm.plan.v1",
        team: team.clone(),
        regressions: now.as_ref().map(Current::regressions).unwrap_or_default(),
        previous_from: now.as_ref().and_then(|c| c.previous.as_ref()).map(|p| p.source.clone()),
        current_from: now.map(|c| c.source),
        goals,
        actions,
    })
}

async fn show(store: &dyn Store, team: &str, format: PlanFormat) -> Result<()> {
    let team = known_team(store, team).await?;
    let view = plan_report(store, &team).await?;
    let text = match format {
        PlanFormat::Json => to_json(&view)?,
        PlanFormat::Text => plan_text(&view),
        PlanFormat::Md => plan_markdown(&view),
    };
    print(&text)
}

fn level_text(level: Option<Level>) -> String {
    level.map_or_else(|| "–".to_string(), |l| l.number().to_string())
}

fn change_text(change: Option<i8>) -> String {
    match change {
        Some(c) if c > 0 => format!("+{c}"),
        Some(c) if c < 0 => format!("{c} (regression)"),
        Some(_) => "±0".to_string(),
        None => "–".to_string(),
    }
}

/// "; regression since round 2 (was 2)" on a goal whose level dropped.
fn regressed_text(goal: &GoalReport, previous_from: Option<&str>) -> String {
    match (goal.regressed, goal.previous, previous_from) {
        (true, Some(was), Some(from)) => format!("; regression since {from} (was {})", was.number()),
        _ => String::new(),
    }
}

fn on_track_text(on_track: Option<bool>) -> &'static str {
    match on_track {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

fn projected_text(p: &Projection) -> String {
    match p {
        Projection::Computed { level, score } => format!("{} ({score})", level.number()),
        Projection::NotComputable { reason } => format!("not computed: {reason}"),
    }
}

fn owner_text(action: &Action) -> String {
    action.owner.as_deref().map_or_else(String::new, |o| format!(" — {o}"))
}

fn statements_text(action: &Action) -> String {
    action
        .statements
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn action_line(action: &Action) -> String {
    let link = action.link.as_ref().map_or_else(String::new, |l| format!(" <{l}>"));
    format!(
        "#{} [{}] {}{}{} ({})",
        action.id,
        action.status,
        action.title,
        owner_text(action),
        link,
        statements_text(action)
    )
}

fn plan_text(view: &PlanReport) -> String {
    let mut out = String::new();
    let from = view
        .current_from
        .as_deref()
        .map_or_else(|| "no result yet".to_string(), |s| format!("current from {s}"));
    let _ = writeln!(out, "Plan for {} ({from})", view.team);
    let _ = writeln!(out, "\nGoals");
    if view.goals.is_empty() {
        let _ = writeln!(out, "  none: set one with `asyncmm plan goal set`");
    }
    for g in &view.goals {
        let p = &g.progress;
        let _ = writeln!(
            out,
            "  {}: {} → {} → {} by {}; change {}; on track: {}; projected: {}{}",
            p.area,
            level_text(p.baseline),
            level_text(p.current),
            p.target.number(),
            day_text(p.by),
            change_text(p.change),
            on_track_text(p.on_track),
            projected_text(&p.projected),
            regressed_text(g, view.previous_from.as_deref())
        );
    }
    if let (Some(previous), false) = (&view.previous_from, view.regressions.is_empty()) {
        let _ = writeln!(out, "\nRegressions since {previous}");
        for r in &view.regressions {
            let _ = writeln!(
                out,
                "  {}: level {} → {} (regression)",
                r.area,
                r.previous.number(),
                r.current.number()
            );
        }
    }
    let _ = writeln!(out, "\nActions");
    if view.actions.is_empty() {
        let _ = writeln!(out, "  none: see `asyncmm plan suggest`");
    }
    for a in &view.actions {
        let _ = writeln!(out, "  {}", action_line(a));
    }
    out
}

fn plan_markdown(view: &PlanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Plan for {}\n", escape(view.team.as_str()));
    if let Some(from) = &view.current_from {
        let _ = writeln!(out, "Current levels from {from}.\n");
    }
    if let (Some(previous), false) = (&view.previous_from, view.regressions.is_empty()) {
        let _ = writeln!(out, "**Regressions since {previous}:**\n");
        for r in &view.regressions {
            let _ = writeln!(
                out,
                "- ⚠ {}: level {} → {}",
                r.area,
                r.previous.number(),
                r.current.number()
            );
        }
        out.push('\n');
    }
    if !view.goals.is_empty() {
        let _ = writeln!(
            out,
            "| Area | Baseline | Current | Target | By | Change | On track | Projected |\n\
             |---|---|---|---|---|---|---|---|"
        );
        for g in &view.goals {
            let p = &g.progress;
            let projected = match &p.projected {
                Projection::Computed { level, score } => format!("{} ({score})", level.number()),
                Projection::NotComputable { .. } => "–".to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                p.area,
                level_text(p.baseline),
                level_text(p.current),
                p.target.number(),
                day_text(p.by),
                change_text(p.change),
                on_track_text(p.on_track),
                projected
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Actions\n");
    if view.actions.is_empty() {
        let _ = writeln!(out, "No actions yet.");
    }
    for a in &view.actions {
        let title = escape(&a.title);
        let title = match &a.link {
            // `<…>` keeps a URL with parentheses or spaces from ending the link early.
            Some(link) => format!("[{title}](<{link}>)"),
            None => title,
        };
        let line = match a.status {
            ActionStatus::Done => format!("- [x] {title}"),
            ActionStatus::Dropped => format!("- [ ] ~~{title}~~ (dropped)"),
            ActionStatus::Todo | ActionStatus::Doing => format!("- [ ] {title}"),
        };
        let owner = a
            .owner
            .as_deref()
            .map_or_else(String::new, |o| format!(" — {}", escape(o)));
        let doing = if a.status == ActionStatus::Doing {
            " (doing)"
        } else {
            ""
        };
        let _ = writeln!(out, "{line}{owner}{doing}");
    }
    out
}

async fn suggest(store: &dyn Store, team: &str, accept: Option<&str>, format: ListFormat) -> Result<()> {
    let team = known_team(store, team).await?;
    let Some(now) = current(store, &team).await? else {
        bail!("team \"{team}\" has no result yet (no shown round, no assessment): assess it first");
    };
    let candidates = candidate_actions(&now.model, &now.standings);
    let Some(accept) = accept else {
        return print(&match format {
            ListFormat::Json => to_json(&candidates)?,
            ListFormat::Text => candidates_text(&team, &now.source, &candidates),
        });
    };
    let chosen = parse_numbers(accept, candidates.len())?;
    let today = today();
    // Build every action first, so a bad choice stores none of them.
    let new: Vec<NewAction> = chosen
        .iter()
        .filter_map(|n| candidates.get(n - 1))
        .map(|c| {
            NewAction::new(
                &now.model,
                team.clone(),
                &c.title,
                None,
                None,
                std::slice::from_ref(&c.statement),
                today,
            )
        })
        .collect::<std::result::Result<_, _>>()?;
    let mut out = String::new();
    for action in &new {
        let stored = store.add_action(action).await?;
        let _ = writeln!(out, "added {}", action_line(&stored));
    }
    print(&out)
}

fn candidates_text(team: &TeamName, source: &str, candidates: &[Candidate]) -> String {
    let mut out = String::new();
    if candidates.is_empty() {
        let _ = writeln!(
            out,
            "Nothing holds {team} back in {source}: every area is at the top level."
        );
        return out;
    }
    let _ = writeln!(out, "Candidate actions for {team} (from {source}), weakest area first:");
    for (i, c) in candidates.iter().enumerate() {
        let why = match (c.polarity, c.answered) {
            (asyncmm_core::Polarity::Practice, Some(a)) => {
                format!("practice at {a:.1}, next level expects {}", c.expected)
            }
            (asyncmm_core::Polarity::Deficit, Some(a)) => {
                format!("deficit at {a:.1}, next level expects {}", c.expected)
            }
            (asyncmm_core::Polarity::Practice, None) => "practice of the next level".to_string(),
            (asyncmm_core::Polarity::Deficit, None) => "deficit to remove".to_string(),
        };
        let _ = writeln!(out, "{:>3}. [{}] {} ({why})", i + 1, c.statement, c.title);
    }
    let _ = writeln!(
        out,
        "\nAccept some with `asyncmm plan suggest --team \"{team}\" --accept 1,2`."
    );
    out
}

/// `1,3` → [1, 3]; every number must be listed, duplicates count once.
fn parse_numbers(text: &str, count: usize) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let n: usize = part
            .parse()
            .map_err(|_| anyhow!("--accept: {part:?} is not a candidate number"))?;
        if n == 0 || n > count {
            bail!("--accept: there is no candidate {n} (candidates are 1 to {count})");
        }
        if !out.contains(&n) {
            out.push(n);
        }
    }
    if out.is_empty() {
        bail!("--accept needs candidate numbers, e.g. --accept 1,3");
    }
    Ok(out)
}

fn parse_link(text: Option<&str>) -> Result<Option<Link>> {
    text.map(Link::parse).transpose().map_err(|e| anyhow!("--link: {e}"))
}

async fn action_add(
    store: &dyn Store,
    team: &str,
    title: &str,
    owner: Option<&str>,
    link: Option<&str>,
    statements: &[String],
) -> Result<()> {
    let team = known_team(store, team).await?;
    let link = parse_link(link)?;
    let statements: Vec<StatementId> = statements
        .iter()
        .map(|s| StatementId::parse(s.trim()).map_err(|e| anyhow!("--statement: {e}")))
        .collect::<Result<_>>()?;
    let now = current(store, &team).await?;
    let model = model_of(now.as_ref())?;
    let new = NewAction::new(&model, team, title, owner, link, &statements, today())?;
    let stored = store.add_action(&new).await?;
    print(&format!("added {}\n", action_line(&stored)))
}

async fn action_update(
    store: &dyn Store,
    id: i64,
    status: Option<&str>,
    link: Option<&str>,
    owner: Option<&str>,
) -> Result<()> {
    let update = ActionUpdate {
        status: status
            .map(str::parse::<ActionStatus>)
            .transpose()
            .map_err(|e| anyhow!("--status: {e}"))?,
        link: parse_link(link)?,
        owner: owner.map(str::trim).filter(|o| !o.is_empty()).map(str::to_string),
    };
    if update == ActionUpdate::default() {
        bail!("nothing to change: give --status, --link or --owner");
    }
    let updated = store.update_action(ActionId(id), &update).await?;
    print(&format!("updated {}\n", action_line(&updated)))
}

async fn action_list(store: &dyn Store, team: &str, format: ListFormat) -> Result<()> {
    let team = known_team(store, team).await?;
    let actions = store.actions(&team).await?;
    print(&match format {
        ListFormat::Json => to_json(&actions)?,
        ListFormat::Text => {
            let mut out = String::new();
            if actions.is_empty() {
                let _ = writeln!(out, "{team} has no actions");
            }
            for a in &actions {
                let _ = writeln!(out, "{}", action_line(a));
            }
            out
        }
    })
}

/// Before a round opens: the team's open actions, so the review happens.
pub async fn review_open_actions(store: &dyn Store, team: &TeamName) -> Result<()> {
    let open: Vec<Action> = store
        .actions(team)
        .await?
        .into_iter()
        .filter(|a| a.status.is_open())
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let mut out = format!("Review these open actions of {team} before the round:\n");
    for a in &open {
        let _ = writeln!(out, "  {}", action_line(a));
    }
    let _ = writeln!(
        out,
        "(mark them with `asyncmm plan action update ID --status done|dropped`)\n"
    );
    print(&out)
}
