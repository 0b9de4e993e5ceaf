//! `asyncmm plan`: goals, actions, suggestions and progress. The rules and
//! "where the team stands now" come from the application layer; this module
//! reads the flags and picks the renderer.

use std::fmt::Write as _;

use anyhow::{Result, anyhow, bail};
use asyncmm_app::App;
use asyncmm_app::plans::SuggestRequest;
use asyncmm_report::plan::{
    action_line, render_candidates_text, render_goals_text, render_plan_markdown, render_plan_text,
};
use asyncmm_report::to_json;

use crate::args::{ActionCommand, GoalCommand, ListFormat, PlanCommand, PlanFormat};
use crate::ui::{eprint_line, print};

/// `1,3` → [1, 3]; duplicates count once.
fn parse_numbers(text: &str) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let n: usize = part
            .parse()
            .map_err(|_| anyhow!("--accept: {part:?} is not a candidate number"))?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    if out.is_empty() {
        bail!("--accept needs candidate numbers, e.g. --accept 1,3");
    }
    Ok(out)
}

pub async fn plan_command(app: &App<'_>, command: &PlanCommand) -> Result<()> {
    match command {
        PlanCommand::Goal(GoalCommand::Set { team, area, level, by }) => {
            let set = app.set_goal(team, area, level, by).await?;
            for warning in &set.warnings {
                eprint_line(&format!("warning: {warning}"));
            }
            let g = &set.goal;
            let from = match (g.baseline, &set.baseline_from) {
                (Some(b), Some(source)) => format!("level {} ({source})", b.number()),
                _ => "no result yet".to_string(),
            };
            print(&format!(
                "goal set: {} {} from {from} to level {} by {}\n",
                g.team,
                g.area,
                g.target.number(),
                g.by
            ))
        }
        PlanCommand::Show { team, format } => {
            let plan = app.plan_report(team).await?;
            print(&match format {
                PlanFormat::Json => to_json(&plan)?,
                PlanFormat::Text => render_plan_text(&plan),
                PlanFormat::Md => render_plan_markdown(&plan),
            })
        }
        PlanCommand::Suggest {
            team,
            area,
            limit,
            accept,
            format,
        } => {
            let request = SuggestRequest {
                area: area.clone(),
                limit: *limit,
            };
            match accept {
                None => {
                    let suggestions = app.suggestions(team, &request).await?;
                    print(&match format {
                        ListFormat::Json => to_json(&suggestions)?,
                        ListFormat::Text => render_candidates_text(&suggestions),
                    })
                }
                Some(numbers) => {
                    let added = app.accept_suggestions(team, &request, &parse_numbers(numbers)?).await?;
                    let mut out = String::new();
                    for action in &added {
                        let _ = writeln!(out, "added {}", action_line(action));
                    }
                    print(&out)
                }
            }
        }
        PlanCommand::Goal(GoalCommand::List { team, format }) => {
            let plan = app.plan_report(team).await?;
            print(&match format {
                ListFormat::Json => to_json(&plan.goals)?,
                ListFormat::Text => render_goals_text(&plan),
            })
        }
        PlanCommand::Goal(GoalCommand::Remove { team, area }) => {
            let (team, area) = app.remove_goal(team, area).await?;
            print(&format!("removed the goal of {team} for {area}\n"))
        }
        PlanCommand::Action(ActionCommand::Remove { id }) => {
            let action = app.remove_action(*id).await?;
            print(&format!("removed {}\n", action_line(&action)))
        }
        PlanCommand::Action(ActionCommand::Add {
            team,
            title,
            owner,
            link,
            statements,
        }) => {
            let action = app
                .add_action(team, title, owner.as_deref(), link.as_deref(), statements)
                .await?;
            print(&format!("added {}\n", action_line(&action)))
        }
        PlanCommand::Action(ActionCommand::Update {
            id,
            status,
            link,
            owner,
        }) => {
            let action = app
                .update_action(*id, status.as_deref(), link.as_deref(), owner.as_deref())
                .await?;
            print(&format!("updated {}\n", action_line(&action)))
        }
        PlanCommand::Action(ActionCommand::List { team, format }) => {
            let (team, actions) = app.actions(team).await?;
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
    }
}
