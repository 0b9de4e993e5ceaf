//! Plans through the public API: links, actions checked against the model,
//! candidate order, the pace of a goal, and the projection (a proptest
//! property: succeeding at actions on practices never lowers the result).

use std::collections::BTreeMap;

use asyncmm_core::plan::{
    Action, ActionId, ActionStatus, Focus, Goal, GoalStatus, Link, NewAction, PlanError, Projection, Standing,
    candidate_actions, focused_candidates, progress, projected, required_by_pace,
};
use asyncmm_core::scoring::score_area_with;
use asyncmm_core::{Polarity, Score, TeamName};
use asyncmm_model::{AreaId, Level, Model, StatementId};
use num_rational::Ratio;
use proptest::prelude::*;
use time::Date;
use time::macros::date;

fn model() -> Model {
    asyncmm_model::default_model().expect("default model")
}

fn area(id: &str) -> AreaId {
    AreaId::parse(id).expect("area")
}

fn sid(text: &str) -> StatementId {
    StatementId::parse(text).expect("statement id")
}

fn level(n: u8) -> Level {
    Level::new(n).expect("level")
}

fn team() -> TeamName {
    TeamName::parse("Platform").expect("team")
}

fn goal(area_id: &str, baseline: Option<u8>, target: u8, set_on: Date, by: Date) -> Goal {
    Goal {
        team: team(),
        area: area(area_id),
        target: level(target),
        by,
        baseline: baseline.map(level),
        set_on,
    }
}

fn action(id: i64, status: ActionStatus, statements: &[StatementId]) -> Action {
    Action {
        id: ActionId(id),
        team: team(),
        title: "t".to_string(),
        owner: None,
        link: None,
        status,
        statements: statements.to_vec(),
        created_on: date!(2026 - 01 - 01),
    }
}

/// A detailed standing of `area_id` from agreements per level (3 each).
fn standing(model: &Model, area_id: &str, levels: [[i64; 3]; 4]) -> Standing {
    let a = model.area(&area(area_id)).expect("area in model");
    let agreement: BTreeMap<StatementId, Ratio<i64>> = a
        .statements
        .iter()
        .map(|s| {
            let n = usize::from(s.id.n()) - 1;
            (s.id.clone(), Ratio::from_integer(levels[s.level().index()][n]))
        })
        .collect();
    let scored = score_area_with(&model.scoring, a, |id| agreement.get(id).copied())
        .scored
        .expect("answered");
    Standing {
        area: area(area_id),
        level: scored.level,
        score: scored.score,
        agreement: Some(agreement),
        split: false,
    }
}

#[test]
fn links_must_be_http_urls() {
    assert!(Link::parse("https://github.com/org/repo/issues/1").is_ok());
    assert!(Link::parse("http://wiki.local:8080/page?x=1#y").is_ok());
    for bad in [
        "",
        "github.com/x",
        "ftp://host/x",
        "javascript:alert(1)",
        "https://",
        "https:// x",
        "https:///path",
    ] {
        assert!(
            matches!(Link::parse(bad), Err(PlanError::BadLink(_))),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn actions_name_real_statements() {
    let m = model();
    let ok = NewAction::new(
        &m,
        team(),
        " Agenda ",
        Some(""),
        None,
        &[sid("meetings.2.1"), sid("meetings.2.1")],
        date!(2026 - 01 - 01),
    )
    .expect("valid");
    assert_eq!(ok.title, "Agenda");
    assert_eq!(ok.owner, None);
    assert_eq!(ok.statements, vec![sid("meetings.2.1")]);
    assert_eq!(ok.status, ActionStatus::Todo);
    let unknown = NewAction::new(
        &m,
        team(),
        "x",
        None,
        None,
        &[sid("meetings.3.9")],
        date!(2026 - 01 - 01),
    );
    assert!(matches!(unknown, Err(PlanError::UnknownStatement { .. })));
    assert_eq!(
        NewAction::new(
            &m,
            team(),
            " ",
            None,
            None,
            &[sid("meetings.2.1")],
            date!(2026 - 01 - 01)
        ),
        Err(PlanError::EmptyTitle)
    );
    // A free-form action names no statement.
    let free = NewAction::new(&m, team(), "Retro on meetings", None, None, &[], date!(2026 - 01 - 01))
        .expect("free-form actions are allowed");
    assert!(free.statements.is_empty());
}

#[test]
fn candidates_put_the_weakest_area_first_and_foundations_on_ties() {
    let m = model();
    let pattern = [[0, 0, 0], [3, 3, 3], [1, 1, 1], [0, 0, 0]];
    let meetings = standing(&m, "meetings", pattern);
    let documentation = standing(&m, "documentation", pattern);
    let strong = standing(&m, "decision-making", [[0, 0, 0], [1, 1, 1], [3, 3, 3], [1, 1, 1]]);
    let candidates = candidate_actions(&m, &[strong, meetings, documentation]);
    let areas: Vec<&str> = candidates.iter().map(|c| c.area.as_str()).collect();
    let first_meetings = areas.iter().position(|a| *a == "meetings").expect("meetings");
    let first_decisions = areas.iter().position(|a| *a == "decision-making").expect("decisions");
    // Same score: documentation (first in the model) before meetings.
    assert_eq!(areas[0], "documentation");
    assert!(areas.iter().rposition(|a| *a == "documentation").expect("doc") < first_meetings);
    assert!(first_meetings < first_decisions);
    // Titles are the model's suggestions; practices of level 2 are in.
    let c = candidates
        .iter()
        .find(|c| c.statement == sid("documentation.2.1"))
        .expect("level 2 practice proposed");
    assert_eq!(c.polarity, Polarity::Practice);
    assert_eq!(
        Some(c.title.as_str()),
        m.statement(&c.statement).map(|s| s.suggestion.as_str())
    );
}

#[test]
fn quick_data_still_gets_candidates_but_no_projection() {
    let m = model();
    let quick = Standing {
        area: area("meetings"),
        level: level(1),
        score: Score::new(1.0),
        agreement: None,
        split: false,
    };
    let candidates = candidate_actions(&m, std::slice::from_ref(&quick));
    assert!(candidates.iter().all(|c| c.answered.is_none()));
    assert!(candidates.iter().any(|c| c.statement.level() == level(2)));
    let g = goal("meetings", Some(1), 2, date!(2026 - 01 - 01), date!(2026 - 12 - 31));
    let p = projected(&m, &g, &quick, &[action(1, ActionStatus::Todo, &[sid("meetings.2.1")])]);
    assert!(matches!(p, Projection::NotComputable { .. }));
}

#[test]
fn open_actions_on_practices_raise_the_projection_and_closed_ones_do_not() {
    let m = model();
    let now = standing(&m, "meetings", [[0, 0, 0], [3, 3, 3], [1, 1, 1], [0, 0, 0]]);
    assert_eq!(now.level, level(1));
    let practices = [sid("meetings.2.1"), sid("meetings.2.2"), sid("meetings.2.3")];
    let g = goal("meetings", Some(1), 2, date!(2026 - 01 - 01), date!(2026 - 12 - 31));
    let open = [
        action(1, ActionStatus::Doing, &practices),
        action(
            2,
            ActionStatus::Todo,
            &[sid("meetings.1.1"), sid("meetings.1.2"), sid("meetings.1.3")],
        ),
    ];
    let Projection::Computed {
        level: projected_level, ..
    } = projected(&m, &g, &now, &open)
    else {
        panic!("detailed data is projected");
    };
    assert_eq!(projected_level, level(2));
    let closed = [
        action(1, ActionStatus::Done, &practices),
        action(2, ActionStatus::Dropped, &practices),
    ];
    let Projection::Computed { level: same, score } = projected(&m, &g, &now, &closed) else {
        panic!("detailed data is projected");
    };
    assert_eq!(same, now.level);
    assert_eq!(score, now.score);
}

#[test]
fn pace_is_linear_from_baseline_to_target() {
    let g = goal("meetings", Some(0), 3, date!(2026 - 01 - 01), date!(2026 - 12 - 27));
    let b = level(0);
    assert_eq!(required_by_pace(&g, b, date!(2025 - 06 - 01)), level(0));
    assert_eq!(required_by_pace(&g, b, date!(2026 - 01 - 01)), level(0));
    assert_eq!(required_by_pace(&g, b, date!(2026 - 05 - 01)), level(1));
    assert_eq!(required_by_pace(&g, b, date!(2026 - 12 - 01)), level(2));
    assert_eq!(required_by_pace(&g, b, date!(2026 - 12 - 27)), level(3));
    assert_eq!(required_by_pace(&g, b, date!(2027 - 06 - 01)), level(3));

    let m = model();
    let now = standing(&m, "meetings", [[0, 0, 0], [3, 3, 3], [1, 1, 1], [0, 0, 0]]);
    let practices = [
        sid("meetings.2.1"),
        sid("meetings.2.2"),
        sid("meetings.2.3"),
        sid("meetings.3.1"),
        sid("meetings.3.2"),
        sid("meetings.3.3"),
    ];
    let deficits = [sid("meetings.1.1"), sid("meetings.1.2"), sid("meetings.1.3")];
    let plan = [
        action(1, ActionStatus::Todo, &practices),
        action(2, ActionStatus::Todo, &deficits),
    ];
    let p = progress(&m, &g, Some(&now), &plan, date!(2026 - 05 - 01));
    assert_eq!(
        (p.baseline, p.current, p.change, &p.status),
        (Some(level(0)), Some(level(1)), Some(1), &GoalStatus::OnTrack)
    );
    let late = progress(&m, &g, Some(&now), &plan, date!(2026 - 12 - 01));
    assert!(
        matches!(&late.status, GoalStatus::AtRisk { reason } if reason.contains("behind pace")),
        "{:?}",
        late.status
    );
    let none = progress(&m, &g, None, &[], date!(2026 - 05 - 01));
    assert_eq!(none.current, None);
    assert!(matches!(none.status, GoalStatus::AtRisk { .. }));
    assert!(matches!(none.projected, Projection::NotComputable { .. }));
}

#[test]
fn a_goal_has_one_status_met_on_track_at_risk_or_missed() {
    let m = model();
    let at_two = standing(&m, "meetings", [[0, 0, 0], [1, 1, 1], [3, 3, 3], [1, 1, 1]]);
    assert_eq!(at_two.level, level(2));
    let at_one = standing(&m, "meetings", [[0, 0, 0], [3, 3, 3], [1, 1, 1], [0, 0, 0]]);
    let g = goal("meetings", Some(1), 2, date!(2026 - 01 - 01), date!(2026 - 12 - 31));
    // Met, and still met after the date: never "on track" once reached.
    let met = progress(&m, &g, Some(&at_two), &[], date!(2026 - 03 - 01));
    assert_eq!(met.status, GoalStatus::Met);
    assert_eq!(
        progress(&m, &g, Some(&at_two), &[], date!(2027 - 03 - 01)).status,
        GoalStatus::Met
    );
    // A split team at the target level has not met it.
    let split = Standing {
        split: true,
        ..at_two.clone()
    };
    let p = progress(&m, &g, Some(&split), &[], date!(2026 - 03 - 01));
    assert!(p.split);
    assert!(
        matches!(&p.status, GoalStatus::AtRisk { reason } if reason.contains("split")),
        "{:?}",
        p.status
    );
    // Missed once the date has passed.
    assert_eq!(
        progress(&m, &g, Some(&at_one), &[], date!(2027 - 01 - 01)).status,
        GoalStatus::Missed
    );
    // No action: at risk, with the reason.
    let p = progress(&m, &g, Some(&at_one), &[], date!(2026 - 03 - 01));
    assert!(matches!(&p.status, GoalStatus::AtRisk { reason } if reason.contains("no open action")));
    // An action that can't reach the target even if it succeeds: at risk,
    // never "on track" next to a projection that misses.
    let weak = [action(1, ActionStatus::Todo, &[sid("meetings.2.1")])];
    let p = progress(&m, &g, Some(&at_one), &weak, date!(2026 - 03 - 01));
    let Projection::Computed { level: projected, .. } = p.projected else {
        panic!("detailed data is projected");
    };
    assert!(projected < level(2));
    assert!(
        matches!(&p.status, GoalStatus::AtRisk { reason } if reason.contains("projected level is 1")),
        "{:?}",
        p.status
    );
    assert_eq!(p.status.label(), "at risk");
}

#[test]
fn suggestions_focus_on_goals_then_split_then_weakest_and_mark_planned() {
    let m = model();
    let weak = [[3, 3, 3], [1, 1, 1], [0, 0, 0], [0, 0, 0]];
    let documentation = standing(&m, "documentation", weak);
    let meetings = standing(&m, "meetings", [[0, 0, 0], [3, 3, 3], [1, 1, 1], [0, 0, 0]]);
    let decisions = Standing {
        split: true,
        ..standing(&m, "decision-making", [[0, 0, 0], [1, 1, 1], [3, 3, 3], [1, 1, 1]])
    };
    let standings = [documentation, meetings, decisions];
    let all = candidate_actions(&m, &standings);
    // Split before the weakest.
    assert_eq!(all[0].area.as_str(), "decision-making");
    assert!(all[0].split);
    let goals = [goal(
        "meetings",
        Some(1),
        2,
        date!(2026 - 01 - 01),
        date!(2026 - 12 - 31),
    )];
    let focus = Focus {
        area: None,
        per_area: Some(2),
    };
    let first = focused_candidates(&m, &standings, &goals, &[], &focus);
    let areas: Vec<&str> = first.iter().map(|c| c.area.as_str()).collect();
    assert_eq!(
        areas,
        [
            "meetings",
            "meetings",
            "decision-making",
            "decision-making",
            "documentation",
            "documentation"
        ]
    );
    assert!(first[0].goal && !first[2].goal);
    // Planned candidates stay (numbers don't shift) and are marked.
    let planned = [action(7, ActionStatus::Todo, std::slice::from_ref(&first[0].statement))];
    let again = focused_candidates(&m, &standings, &goals, &planned, &focus);
    assert_eq!(again[0].statement, first[0].statement);
    assert_eq!(again[0].planned, Some(ActionId(7)));
    assert_eq!(again.iter().filter(|c| c.area.as_str() == "meetings").count(), 3);
    // One area only.
    let only = focused_candidates(
        &m,
        &standings,
        &goals,
        &[],
        &Focus {
            area: Some(area("documentation")),
            per_area: None,
        },
    );
    assert!(only.len() > 2);
    assert!(only.iter().all(|c| c.area.as_str() == "documentation"));
}

fn arb_levels() -> impl Strategy<Value = [[i64; 3]; 4]> {
    proptest::array::uniform4(proptest::array::uniform3(0_i64..=3))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Succeeding at actions that address practices (levels 2 and 3) never
    /// lowers the level or the score, whatever the answers and the target.
    #[test]
    fn projection_never_lowers_when_actions_address_practices(
        levels in arb_levels(),
        addressed in proptest::collection::vec((2_u8..=3, 1_u16..=3), 0..6),
        target in 0_u8..=3,
    ) {
        let m = model();
        let now = standing(&m, "documentation", levels);
        let statements: Vec<StatementId> = addressed
            .iter()
            .map(|(l, n)| StatementId::new(area("documentation"), level(*l), *n).expect("id"))
            .collect();
        let g = goal("documentation", Some(now.level.number()), target, date!(2026 - 01 - 01), date!(2026 - 12 - 31));
        let Projection::Computed { level: projected_level, score } =
            projected(&m, &g, &now, &[action(1, ActionStatus::Todo, &statements)])
        else {
            panic!("detailed data is projected");
        };
        prop_assert!(projected_level >= now.level);
        prop_assert!(score.value() >= now.score.value());
    }
}
