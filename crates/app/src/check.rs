//! The CI gate's verdict: the team's current result (its newest shown
//! round, else its newest self-assessment — the rule plans use) compared
//! with minimum levels and, when asked, the targets of goals whose date has
//! come. Any area below its bar, or not assessed, fails.

use std::collections::BTreeMap;

use asyncmm_model::{AreaId, Level, Model};
use asyncmm_report::check::{AreaVerdict, Verdict};

use crate::plans::{parse_area, parse_level};
use crate::{App, AppError};

/// Reads `documentation=2,meetings=1` (areas and levels by id or name), or
/// a bare level meaning every area. An area named twice is refused: which
/// bar was meant can't be guessed.
pub fn parse_bar(text: &str, model: &Model) -> Result<BTreeMap<AreaId, Level>, AppError> {
    let text = text.trim();
    if !text.contains('=') {
        let level = parse_level(model, text)?;
        return Ok(model.areas.iter().map(|a| (a.id.clone(), level)).collect());
    }
    let mut bar = BTreeMap::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (area, level) = part
            .split_once('=')
            .ok_or_else(|| AppError::invalid("minimum levels", format!("{part:?} should look like documentation=2")))?;
        let area = parse_area(model, area)?;
        let level = parse_level(model, level)?;
        if bar.insert(area.clone(), level).is_some() {
            return Err(AppError::invalid(
                "minimum levels",
                format!("{area} is given twice; give each area once"),
            ));
        }
    }
    if bar.is_empty() {
        return Err(AppError::invalid("minimum levels", "give at least one AREA=LEVEL"));
    }
    Ok(bar)
}

impl App<'_> {
    /// The verdict for `team`: `min_level` as [`parse_bar`] reads it, and
    /// with `against_goals` the target of every goal whose date has come
    /// (the stricter bar applies); goals not yet due are listed.
    pub async fn check(&self, team: &str, min_level: Option<&str>, against_goals: bool) -> Result<Verdict, AppError> {
        let team = self.resolve_team(Some(team)).await?;
        let current = self.current(&team).await?.ok_or_else(|| {
            AppError::NothingYet(format!(
                "team \"{team}\" has no result to check: no shown round and no self-assessment"
            ))
        })?;
        let model = &current.entry.model;
        let mut bar = match min_level {
            Some(text) => parse_bar(text, model)?,
            None => BTreeMap::new(),
        };
        let mut not_due = Vec::new();
        if against_goals {
            let goals = self.store.goals(&team).await?;
            if goals.is_empty() && min_level.is_none() {
                return Err(AppError::NothingYet(format!(
                    "team \"{team}\" has no goals to check against; set one or give minimum levels"
                )));
            }
            for goal in goals {
                if goal.by <= self.today {
                    let entry = bar.entry(goal.area.clone()).or_insert(goal.target);
                    *entry = (*entry).max(goal.target);
                } else {
                    not_due.push(format!("{} → level {} by {}", goal.area, goal.target, goal.by));
                }
            }
        }
        if bar.is_empty() {
            return Err(AppError::invalid(
                "minimum levels",
                "nothing to check: give minimum levels or check against goals",
            ));
        }
        let areas: Vec<AreaVerdict> = bar
            .iter()
            .map(|(area, required)| {
                let got = current.entry.standings.iter().find(|s| &s.area == area);
                let short_by = got.map_or(required.number(), |s| {
                    required.number().saturating_sub(s.level.number())
                });
                AreaVerdict {
                    area: area.to_string(),
                    required: required.number(),
                    level: got.map(|s| s.level.number()),
                    score: got.map(|s| (s.score.value() * 100.0).round() / 100.0),
                    short_by,
                    pass: got.is_some() && short_by == 0,
                }
            })
            .collect();
        Ok(Verdict {
            schema: "asyncmm.check/1",
            team: team.to_string(),
            pass: areas.iter().all(|a| a.pass),
            source: current.entry.label(),
            areas,
            goals_not_due: not_due,
        })
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
        assert_eq!(parse_bar("Defined", &model).expect("by name").len(), 5);
        let by_name = parse_bar("Decision making=Initial", &model).expect("names");
        assert_eq!(
            by_name
                .get(&AreaId::parse("decision-making").expect("id"))
                .map(|l| l.number()),
            Some(1)
        );
        assert!(parse_bar("docs=2", &model).is_err());
        assert!(parse_bar("documentation=4", &model).is_err());
        assert!(parse_bar("documentation", &model).is_err());
        assert!(parse_bar("", &model).is_err());
        let twice = parse_bar("documentation=2,documentation=1", &model).expect_err("twice");
        assert!(twice.to_string().contains("given twice"), "{twice}");
    }
}
