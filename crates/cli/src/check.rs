//! `asyncmm check`: a CI gate. The team's latest result (its newest round
//! whose result may be shown, else its newest self-assessment) is compared
//! with minimum levels and, with `--against-goals`, the targets of goals
//! whose date has come; any area below its bar, or not assessed, fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Result, anyhow, bail};
use asyncmm_core::TeamName;
use asyncmm_model::{AreaId, Level, Model};
use asyncmm_store::Store;
use serde::Serialize;

use crate::args::{CheckArgs, ListFormat};
use crate::run::print;

/// The check failed: the gate's verdict, not a program error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BelowBar(pub String);

/// Parses `documentation=2,meetings=1`, or a bare level meaning every area.
pub fn parse_bar(text: &str, model: &Model) -> Result<BTreeMap<AreaId, Level>> {
    let text = text.trim();
    if let Ok(level) = text.parse::<Level>() {
        return Ok(model.areas.iter().map(|a| (a.id.clone(), level)).collect());
    }
    let mut bar = BTreeMap::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (area, level) = part
            .split_once('=')
            .ok_or_else(|| anyhow!("--min-level: {part:?} should look like documentation=2"))?;
        let area = AreaId::parse(area.trim()).map_err(|e| anyhow!("--min-level: {e}"))?;
        if model.area(&area).is_none() {
            let known: Vec<&str> = model.areas.iter().map(|a| a.id.as_str()).collect();
            bail!(
                "--min-level: area {area} is not in model {}; areas: {}",
                model.key(),
                known.join(", ")
            );
        }
        let level = level.parse::<Level>().map_err(|e| anyhow!("--min-level {part}: {e}"))?;
        bar.insert(area, level);
    }
    if bar.is_empty() {
        bail!("--min-level needs at least one AREA=LEVEL");
    }
    Ok(bar)
}

#[derive(Debug, Serialize)]
struct AreaVerdict {
    area: String,
    required: u8,
    level: Option<u8>,
    score: Option<f64>,
    /// Levels missing to reach the bar (0 when met).
    short_by: u8,
    pass: bool,
}

#[derive(Debug, Serialize)]
struct Verdict {
    schema: &'static str,
    team: String,
    source: String,
    pass: bool,
    areas: Vec<AreaVerdict>,
    /// Goals whose date has not come yet: listed, not enforced.
    goals_not_due: Vec<String>,
}

/// Level and score per area of the team's current result (the rule plans
/// use too: its newest round that may be shown, else its newest assessment).
async fn latest_levels(store: &dyn Store, team: &TeamName) -> Result<(String, Model, BTreeMap<AreaId, (Level, f64)>)> {
    let current = crate::plan::current(store, team)
        .await?
        .ok_or_else(|| anyhow!("team \"{team}\" has no result to check: no shown round and no assessment"))?;
    let levels = current
        .standings
        .iter()
        .map(|s| (s.area.clone(), (s.level, s.score.value())))
        .collect();
    Ok((current.source, current.model, levels))
}

pub async fn check_command(store: &dyn Store, args: &CheckArgs) -> Result<()> {
    let team = TeamName::parse(&args.team)?;
    let (source, model, levels) = latest_levels(store, &team).await?;
    let mut bar = match &args.min_level {
        Some(text) => parse_bar(text, &model)?,
        None => BTreeMap::new(),
    };
    let mut not_due = Vec::new();
    if args.against_goals {
        let today = time::OffsetDateTime::now_utc().date();
        let goals = store.goals(&team).await?;
        if goals.is_empty() && args.min_level.is_none() {
            bail!("team \"{team}\" has no goals: set one with `asyncmm plan goal set` or pass --min-level");
        }
        for goal in goals {
            if goal.by <= today {
                // The stricter of a goal and an explicit minimum applies.
                let entry = bar.entry(goal.area.clone()).or_insert(goal.target);
                *entry = (*entry).max(goal.target);
            } else {
                not_due.push(format!("{} → level {} by {}", goal.area, goal.target, goal.by));
            }
        }
    }
    let areas: Vec<AreaVerdict> = bar
        .iter()
        .map(|(area, required)| {
            let got = levels.get(area);
            let short_by = got.map_or(required.number(), |(l, _)| required.number().saturating_sub(l.number()));
            AreaVerdict {
                area: area.to_string(),
                required: required.number(),
                level: got.map(|(l, _)| l.number()),
                score: got.map(|(_, s)| (s * 100.0).round() / 100.0),
                short_by,
                pass: got.is_some() && short_by == 0,
            }
        })
        .collect();
    let verdict = Verdict {
        schema: "asyncmm.check/1",
        team: team.to_string(),
        pass: areas.iter().all(|a| a.pass),
        source,
        areas,
        goals_not_due: not_due,
    };
    let mut text = String::new();
    match args.format {
        ListFormat::Json => text = asyncmm_report::to_json(&verdict)?,
        ListFormat::Text => {
            for a in &verdict.areas {
                let status = if a.pass { "ok  " } else { "FAIL" };
                let got = a
                    .level
                    .map_or_else(|| "not assessed".to_string(), |l| format!("level {l}"));
                let detail = if a.pass || a.level.is_none() {
                    String::new()
                } else {
                    format!(", {} level(s) short", a.short_by)
                };
                let _ = writeln!(text, "{status} {:<20} {got}, needs {}{detail}", a.area, a.required);
            }
            for goal in &verdict.goals_not_due {
                let _ = writeln!(text, "not due: {goal}");
            }
            let _ = writeln!(
                text,
                "{}: {} ({})",
                if verdict.pass { "passed" } else { "failed" },
                verdict.team,
                verdict.source
            );
        }
    }
    print(&text)?;
    if verdict.pass {
        Ok(())
    } else {
        let failing: Vec<&str> = verdict
            .areas
            .iter()
            .filter(|a| !a.pass)
            .map(|a| a.area.as_str())
            .collect();
        Err(BelowBar(format!("below the bar in: {}", failing.join(", "))).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_parse() {
        let model = asyncmm_model::default_model().expect("model");
        let bar = parse_bar("documentation=2, meetings=1", &model).expect("valid");
        assert_eq!(bar.len(), 2);
        assert_eq!(parse_bar("2", &model).expect("all areas").len(), 5);
        assert!(parse_bar("docs=2", &model).is_err());
        assert!(parse_bar("documentation=4", &model).is_err());
        assert!(parse_bar("documentation", &model).is_err());
        assert!(parse_bar("", &model).is_err());
    }
}
