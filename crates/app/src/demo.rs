//! A demo organisation: a fresh database filled with a realistic sample, so
//! someone new to asyncmm sees every page and report with data in it.
//!
//! The sample is made through the same use cases as everything else (teams
//! added in groups, rounds opened, answered with tokens and closed, self-
//! assessments, goals, suggestions accepted as actions), each step run by
//! an [`App`] bound to the day it happens on, so rounds open and close in
//! the past quarters and the history reads like a real one. Answers are
//! drawn from a fixed-seed generator around a level each team "really" has,
//! so every run makes the same sample; only the tokens are drawn from the
//! given random source, since the open round's tokens can really be used.
//!
//! A database that already holds a team is refused before anything is
//! written: the demo never mixes into real data.

use std::collections::BTreeMap;

use asyncmm_core::plan::ActionStatus;
use asyncmm_core::{Agreement, Answer, Answers, DetailedAnswers, Mode, QuickAnswers, Token};
use asyncmm_model::{Level, Model};
use time::{Date, Duration, Month, OffsetDateTime};

use crate::models::LoadedModel;
use crate::plans::SuggestRequest;
use crate::{App, AppError, Random};

/// k of every demo round: the default.
const K: i64 = 5;

/// The seed of the answers: the same sample every run.
const SEED: u64 = 0x6173_796e_636d_6d21;

/// One team of the sample: where it sits, how its rounds ask, the level
/// per area (model order) it starts from, and how many answer each past
/// quarter's round (oldest first; below k is on purpose).
struct SampleTeam {
    name: &'static str,
    parent: Option<&'static str>,
    mode: Mode,
    base: [u8; 5],
    responses: [u32; 3],
}

const GROUPS: [&str; 2] = ["Engineering", "Product"];

const TEAMS: [SampleTeam; 6] = [
    SampleTeam {
        name: "Platform",
        parent: Some("Engineering"),
        mode: Mode::Detailed,
        base: [1, 2, 2, 1, 1],
        responses: [7, 8, 8],
    },
    SampleTeam {
        name: "Web",
        parent: Some("Engineering"),
        mode: Mode::Quick,
        base: [1, 1, 2, 0, 1],
        responses: [6, 6, 7],
    },
    SampleTeam {
        name: "Mobile",
        parent: Some("Engineering"),
        mode: Mode::Quick,
        base: [0, 1, 1, 1, 2],
        responses: [5, 6, 5],
    },
    SampleTeam {
        name: "Design",
        parent: Some("Product"),
        mode: Mode::Quick,
        base: [2, 1, 1, 1, 2],
        responses: [6, 5, 6],
    },
    SampleTeam {
        name: "Research",
        parent: Some("Product"),
        mode: Mode::Quick,
        base: [1, 1, 0, 1, 1],
        responses: [5, 6, 3],
    },
    SampleTeam {
        name: "Support",
        parent: None,
        mode: Mode::Quick,
        base: [0, 0, 1, 1, 1],
        responses: [4, 5, 6],
    },
];

/// The team whose round of this quarter is still open, and how many of
/// its tokens answered so far.
const OPEN_TEAM: &str = "Web";
const OPEN_TOKENS: u32 = 8;
const OPEN_ANSWERED: u32 = 3;

/// The teams a lead assesses alone once a quarter.
const SELF_ASSESSED: [&str; 2] = ["Platform", "Mobile"];

/// What the demo made, to tell the person who asked.
#[derive(Debug)]
pub struct DemoSummary {
    pub groups: Vec<String>,
    pub teams: Vec<String>,
    /// Closed rounds, each with its team, closing day and responses.
    pub closed_rounds: Vec<DemoRound>,
    /// The round still open, with the tokens not used yet (each can answer it).
    pub open_round: DemoRound,
    pub unused_tokens: Vec<Token>,
    pub responses: u64,
    pub assessments: usize,
    pub goals: usize,
    pub actions: usize,
}

/// One round of the sample.
#[derive(Debug, Clone)]
pub struct DemoRound {
    pub id: i64,
    pub team: String,
    pub opens_on: Date,
    pub closed_on: Option<Date>,
    pub responses: u64,
    pub below_k: bool,
}

impl DemoSummary {
    pub fn below_k(&self) -> usize {
        self.closed_rounds.iter().filter(|r| r.below_k).count()
    }
}

/// A small fixed-seed generator (SplitMix64): the same answers every run,
/// no dependency, no use for anything secret.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// -1, 0 or +1, moving away from `value` with `percent`% each way.
    fn nudge(&mut self, value: u8, percent: u64) -> u8 {
        let roll = self.below(100);
        if roll < percent {
            value.saturating_sub(1)
        } else if roll < 2 * percent {
            (value + 1).min(3)
        } else {
            value
        }
    }
}

/// The first day of the quarter `back` quarters before the one `day` is in.
fn quarter_start(day: Date, back: i32) -> Result<Date, AppError> {
    let index = day.year() * 4 + (i32::from(u8::from(day.month())) - 1) / 3 - back;
    let (year, quarter) = (index.div_euclid(4), index.rem_euclid(4));
    let month = Month::try_from(u8::try_from(quarter * 3 + 1).unwrap_or(1))
        .map_err(|e| AppError::Conflict(format!("demo dates: {e}")))?;
    Date::from_calendar_date(year, month, 1).map_err(|e| AppError::Conflict(format!("demo dates: {e}")))
}

fn at_noon(day: Date) -> OffsetDateTime {
    (day.midnight() + Duration::hours(12)).assume_utc()
}

/// The level a team holds in area `area` in past quarter `quarter` (0 is
/// the oldest): it gains a level in a different area each quarter.
fn team_level(team: usize, base: &[u8; 5], area: usize, quarter: usize) -> u8 {
    let gains = (1..=quarter).filter(|q| (q + team) % 5 == area).count();
    (base[area] as usize + gains).min(3) as u8
}

/// One respondent's answers around the team's levels: quick answers one
/// level off now and then; detailed answers the level's profile, nudged,
/// with an occasional "don't know".
fn answers(model: &Model, mode: Mode, levels: &[u8], draw: &mut Draw) -> Result<Answers, AppError> {
    let level = |n: u8| Level::new(n).map_err(|e| AppError::Conflict(format!("demo level: {e}")));
    match mode {
        Mode::Quick => {
            let mut map = BTreeMap::new();
            for (area, &held) in model.areas.iter().zip(levels) {
                map.insert(area.id.clone(), level(draw.nudge(held, 15))?);
            }
            Ok(Answers::Quick(QuickAnswers::from_map(map)))
        }
        Mode::Detailed => {
            let mut map = BTreeMap::new();
            for (area, &held) in model.areas.iter().zip(levels) {
                let seen = level(draw.nudge(held, 10))?;
                for statement in &area.statements {
                    let expected = model.scoring.profile(seen).expected(statement.level());
                    let answer = if draw.below(100) < 5 {
                        Answer::DontKnow
                    } else {
                        let value = draw.nudge(expected, 12);
                        Answer::Agree(
                            Agreement::new(value).map_err(|e| AppError::Conflict(format!("demo answer: {e}")))?,
                        )
                    };
                    map.insert(statement.id.clone(), answer);
                }
            }
            Ok(Answers::Detailed(DetailedAnswers::from_map(map)))
        }
    }
}

/// Refuses a database that already holds a team (in the organisation or
/// self-assessed): the demo only fills a fresh one.
async fn check_empty(app: &App<'_>) -> Result<(), AppError> {
    let org = app.store.teams_in_org(true).await?;
    let assessed = app.store.teams().await?;
    let mut names: Vec<String> = org.iter().map(|t| t.name.to_string()).collect();
    names.extend(assessed.iter().map(|t| t.name.to_string()));
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    Err(AppError::Conflict(format!(
        "this database already holds {} team{} ({}{}): the demo fills only a fresh database, and nothing was changed",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        shown.join(", "),
        if names.len() > shown.len() { ", …" } else { "" }
    )))
}

/// Fills the store behind `app` with the demo organisation, dated up to
/// `app`'s today. `random` draws the respondent tokens.
pub async fn seed(app: &App<'_>, random: &mut dyn Random) -> Result<DemoSummary, AppError> {
    check_empty(app).await?;
    let store = app.store;
    let today = app.today;
    let model = LoadedModel::embedded()?;
    let mut draw = Draw(SEED);

    for group in GROUPS {
        app.add_team(group, None).await?;
    }
    for team in &TEAMS {
        app.add_team(team.name, team.parent).await?;
    }

    // Three past quarters: each team's round opens on the 10th day of the
    // quarter and closes two weeks later, and leads assess on the 20th.
    let mut closed_rounds = Vec::new();
    let mut responses = 0;
    let mut assessments = 0;
    for quarter in 0..3usize {
        let start = quarter_start(today, 3 - quarter as i32)?;
        let opens = start + Duration::days(9);
        let closes = opens + Duration::days(14);
        let opening = App::new(store, at_noon(opens)).await?;
        let mut opened = Vec::new();
        for (index, team) in TEAMS.iter().enumerate() {
            let count = team.responses[quarter];
            let round = opening
                .open_round(team.name, team.mode, K, None, count + 2, &model, random)
                .await?;
            let levels: Vec<u8> = (0..5).map(|a| team_level(index, &team.base, a, quarter)).collect();
            for token in round.tokens.iter().take(count as usize) {
                let given = answers(&model.model, team.mode, &levels, &mut draw)?;
                opening.respond(&token.reveal(), &given).await?;
            }
            responses += u64::from(count);
            opened.push((round.round.id.0, team.name, count));
        }
        let closing = App::new(store, at_noon(closes)).await?;
        for (id, team, count) in opened {
            closing.close_round(id).await?;
            closed_rounds.push(DemoRound {
                id,
                team: team.to_string(),
                opens_on: opens,
                closed_on: Some(closes),
                responses: u64::from(count),
                below_k: i64::from(count) < K,
            });
        }
        let assessing = App::new(store, at_noon(start + Duration::days(19))).await?;
        for name in SELF_ASSESSED {
            assessments += self_assess(&assessing, name, quarter, &model, &mut draw).await?;
        }
    }

    // This quarter: the leads' self-assessments, and one round still open.
    for name in SELF_ASSESSED {
        assessments += self_assess(app, name, 3, &model, &mut draw).await?;
    }
    let (open_index, open_team) = TEAMS
        .iter()
        .enumerate()
        .find(|(_, t)| t.name == OPEN_TEAM)
        .ok_or_else(|| AppError::not_found(format!("demo team {OPEN_TEAM}")))?;
    let open = app
        .open_round(open_team.name, open_team.mode, K, None, OPEN_TOKENS, &model, random)
        .await?;
    let levels: Vec<u8> = (0..5).map(|a| team_level(open_index, &open_team.base, a, 3)).collect();
    for token in open.tokens.iter().take(OPEN_ANSWERED as usize) {
        let given = answers(&model.model, open_team.mode, &levels, &mut draw)?;
        app.respond(&token.reveal(), &given).await?;
    }
    responses += u64::from(OPEN_ANSWERED);
    let open_round = DemoRound {
        id: open.round.id.0,
        team: open_team.name.to_string(),
        opens_on: today,
        closed_on: None,
        responses: u64::from(OPEN_ANSWERED),
        below_k: true,
    };
    let unused_tokens = open.tokens.into_iter().skip(OPEN_ANSWERED as usize).collect();

    let (goals, actions) = plans(app).await?;

    let mut teams: Vec<String> = TEAMS.iter().map(|t| t.name.to_string()).collect();
    teams.sort();
    Ok(DemoSummary {
        groups: GROUPS.iter().map(ToString::to_string).collect(),
        teams,
        closed_rounds,
        open_round,
        unused_tokens,
        responses,
        assessments,
        goals,
        actions,
    })
}

/// One lead's self-assessment of `team` in `quarter` (3 is this one),
/// always in quick mode. Returns how many were stored (one).
async fn self_assess(
    app: &App<'_>,
    team: &str,
    quarter: usize,
    model: &LoadedModel,
    draw: &mut Draw,
) -> Result<usize, AppError> {
    let (index, sample) = TEAMS
        .iter()
        .enumerate()
        .find(|(_, t)| t.name == team)
        .ok_or_else(|| AppError::not_found(format!("demo team {team}")))?;
    let levels: Vec<u8> = (0..5).map(|a| team_level(index, &sample.base, a, quarter)).collect();
    let given = answers(&model.model, Mode::Quick, &levels, draw)?;
    app.assess(team, false, model, given).await?;
    Ok(1)
}

/// Goals and actions: two teams plan, from the suggestions the plan page
/// offers and one action of their own; some actions are under way or done.
/// Returns the number of goals and actions.
async fn plans(app: &App<'_>) -> Result<(usize, usize), AppError> {
    let today = app.today;
    let by = |days: i64| (today + Duration::days(days)).to_string();
    let mut goals = 0;
    let mut actions = Vec::new();

    app.set_goal("Platform", "documentation", "3", &by(120)).await?;
    app.set_goal("Platform", "meetings", "3", &by(90)).await?;
    goals += 2;
    let request = SuggestRequest {
        area: Some("documentation".to_string()),
        limit: None,
    };
    actions.extend(app.accept_suggestions("Platform", &request, &[1, 2]).await?);
    actions.push(
        app.add_action(
            "Platform",
            "Move the on-call runbook from the wiki into the repository",
            Some("Sam"),
            Some("https://example.org/issues/41"),
            &[],
        )
        .await?,
    );

    app.set_goal("Design", "decision-making", "3", &by(150)).await?;
    goals += 1;
    let request = SuggestRequest {
        area: Some("decision-making".to_string()),
        limit: None,
    };
    actions.extend(app.accept_suggestions("Design", &request, &[1]).await?);
    actions.push(
        app.add_action(
            "Design",
            "Write a decision record for every design review",
            Some("Ana"),
            None,
            &[],
        )
        .await?,
    );

    // Progress: the first action of each team under way, one done.
    if let Some(first) = actions.first() {
        app.update_action(first.id.0, Some(ActionStatus::Done.as_str()), None, Some("Sam"))
            .await?;
    }
    if let Some(second) = actions.get(1) {
        app.update_action(second.id.0, Some(ActionStatus::Doing.as_str()), None, None)
            .await?;
    }
    if let Some(design) = actions.iter().find(|a| a.team.as_str() == "Design") {
        app.update_action(design.id.0, Some(ActionStatus::Doing.as_str()), None, Some("Ana"))
            .await?;
    }
    Ok((goals, actions.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_step_back_across_years() {
        let day = Date::from_calendar_date(2026, Month::February, 14).expect("date");
        assert_eq!(quarter_start(day, 0).expect("q").to_string(), "2026-01-01");
        assert_eq!(quarter_start(day, 1).expect("q").to_string(), "2025-10-01");
        assert_eq!(quarter_start(day, 3).expect("q").to_string(), "2025-04-01");
        let day = Date::from_calendar_date(2026, Month::December, 1).expect("date");
        assert_eq!(quarter_start(day, 3).expect("q").to_string(), "2026-01-01");
    }

    #[test]
    fn the_generator_is_fixed() {
        let mut a = Draw(SEED);
        let mut b = Draw(SEED);
        let first: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(first, second);
        assert!((0..1000).all(|_| a.nudge(3, 20) <= 3 && a.nudge(0, 20) <= 3));
    }
}
