//! The conformance suite for improvement plans: goals (one per team and
//! area, replaced when set again) and actions (stored with their statements
//! in order, updated field by field, listed oldest first). Run on both
//! backends by the `conformance!` macro in `conformance.rs`.

use asyncmm_core::plan::{Action, ActionId, ActionStatus, ActionUpdate, Goal, Link, NewAction};
use time::macros::date;

use super::*;

fn goal(team_name: &str, area: &str, target: u8, baseline: Option<u8>) -> Goal {
    Goal {
        team: team(team_name),
        area: AreaId::parse(area).expect("area"),
        target: Level::new(target).expect("level"),
        by: date!(2027 - 03 - 31),
        baseline: baseline.map(|b| Level::new(b).expect("level")),
        set_on: date!(2026 - 11 - 25),
    }
}

fn statement(id: &str) -> StatementId {
    StatementId::parse(id).expect("statement id")
}

fn new_action(team_name: &str, title: &str, statements: &[&str]) -> NewAction {
    NewAction {
        team: team(team_name),
        title: title.to_string(),
        owner: Some("Ana".to_string()),
        link: Some(Link::parse("https://example.com/issues/1").expect("link")),
        status: ActionStatus::Todo,
        statements: statements.iter().map(|s| statement(s)).collect(),
        created_on: date!(2026 - 11 - 25),
    }
}

pub async fn goals_are_one_per_team_and_area(store: Arc<dyn Store>) {
    assert!(store.goals(&team("Platform")).await.expect("goals").is_empty());
    store
        .set_goal(&goal("Platform", "meetings", 2, Some(1)))
        .await
        .expect("set");
    store
        .set_goal(&goal("Platform", "documentation", 3, None))
        .await
        .expect("set");
    store
        .set_goal(&goal("Mobile", "meetings", 1, Some(0)))
        .await
        .expect("set");
    // Setting the area's goal again replaces it.
    let replaced = goal("Platform", "meetings", 3, Some(2));
    store.set_goal(&replaced).await.expect("replace");
    let goals = store.goals(&team("Platform")).await.expect("goals");
    assert_eq!(goals, vec![goal("Platform", "documentation", 3, None), replaced]);
    assert_eq!(store.goals(&team("Mobile")).await.expect("goals").len(), 1);
}

pub async fn actions_keep_their_statements_in_order(store: Arc<dyn Store>) {
    let first = store
        .add_action(&new_action(
            "Platform",
            "Write a decision log",
            &["decision-making.2.1", "documentation.0.2"],
        ))
        .await
        .expect("add");
    let mut bare = new_action("Platform", "Agenda for every meeting", &["meetings.2.1"]);
    bare.owner = None;
    bare.link = None;
    let second = store.add_action(&bare).await.expect("add");
    store
        .add_action(&new_action("Mobile", "Other team", &["meetings.2.1"]))
        .await
        .expect("add");
    assert!(second.id > first.id);
    assert_eq!(
        first.statements,
        vec![statement("decision-making.2.1"), statement("documentation.0.2")]
    );
    assert_eq!(second.owner, None);
    assert_eq!(second.link, None);
    let listed = store.actions(&team("Platform")).await.expect("list");
    assert_eq!(listed, vec![first, second]);
    assert!(store.actions(&team("Nobody")).await.expect("list").is_empty());
}

pub async fn updates_change_only_the_given_fields(store: Arc<dyn Store>) {
    let added = store
        .add_action(&new_action(
            "Platform",
            "Write a decision log",
            &["decision-making.2.1"],
        ))
        .await
        .expect("add");
    let done = store
        .update_action(
            added.id,
            &ActionUpdate {
                status: Some(ActionStatus::Done),
                ..ActionUpdate::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(
        done,
        Action {
            status: ActionStatus::Done,
            ..added.clone()
        }
    );
    let moved = store
        .update_action(
            added.id,
            &ActionUpdate {
                title: Some("Write the decision log".to_string()),
                status: None,
                link: Some(Link::parse("https://example.com/issues/2").expect("link")),
                owner: Some("Bo".to_string()),
            },
        )
        .await
        .expect("update");
    assert_eq!(moved.status, ActionStatus::Done);
    assert_eq!(moved.title, "Write the decision log");
    assert_eq!(moved.owner.as_deref(), Some("Bo"));
    assert_eq!(
        moved.link.as_ref().map(Link::as_str),
        Some("https://example.com/issues/2")
    );
    assert_eq!(store.actions(&team("Platform")).await.expect("list"), vec![moved]);
}

pub async fn updating_an_unknown_action_is_not_found(store: Arc<dyn Store>) {
    let outcome = store
        .update_action(
            ActionId(4242),
            &ActionUpdate {
                status: Some(ActionStatus::Done),
                ..ActionUpdate::default()
            },
        )
        .await;
    assert!(matches!(outcome, Err(StoreError::NotFound(_))), "{outcome:?}");
}

pub async fn plans_follow_a_renamed_team(store: Arc<dyn Store>) {
    store.create_team(&team("Platform"), None).await.expect("team");
    store
        .set_goal(&goal("Platform", "meetings", 2, Some(1)))
        .await
        .expect("set");
    store
        .add_action(&new_action("Platform", "Agenda", &["meetings.2.1"]))
        .await
        .expect("add");
    store
        .rename_team(&team("Platform"), &team("Core Platform"))
        .await
        .expect("rename");
    assert!(store.goals(&team("Platform")).await.expect("goals").is_empty());
    assert_eq!(store.goals(&team("Core Platform")).await.expect("goals").len(), 1);
    let actions = store.actions(&team("Core Platform")).await.expect("actions");
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].team, team("Core Platform"));
}

pub async fn goals_and_actions_can_be_removed(store: Arc<dyn Store>) {
    store
        .set_goal(&goal("Platform", "meetings", 2, Some(1)))
        .await
        .expect("set");
    store
        .set_goal(&goal("Platform", "documentation", 3, None))
        .await
        .expect("set");
    let meetings = AreaId::parse("meetings").expect("area");
    store.remove_goal(&team("Platform"), &meetings).await.expect("remove");
    assert_eq!(
        store.goals(&team("Platform")).await.expect("goals"),
        vec![goal("Platform", "documentation", 3, None)]
    );
    let again = store.remove_goal(&team("Platform"), &meetings).await;
    assert!(matches!(again, Err(StoreError::NotFound(_))), "{again:?}");

    let kept = store
        .add_action(&new_action("Platform", "Agenda", &["meetings.2.1"]))
        .await
        .expect("add");
    let gone = store
        .add_action(&new_action("Platform", "Notes", &["meetings.2.2", "meetings.1.1"]))
        .await
        .expect("add");
    let free = store
        .add_action(&new_action("Platform", "Retro on meetings", &[]))
        .await
        .expect("a free-form action has no statement");
    assert!(free.statements.is_empty());
    let removed = store.remove_action(gone.id).await.expect("remove");
    assert_eq!(removed, gone);
    assert_eq!(
        store.actions(&team("Platform")).await.expect("actions"),
        vec![kept, free]
    );
    let unknown = store.remove_action(gone.id).await;
    assert!(matches!(unknown, Err(StoreError::NotFound(_))), "{unknown:?}");
}

pub async fn teams_with_plans_are_named_once_each(store: Arc<dyn Store>) {
    assert!(store.teams_with_plans().await.expect("none yet").is_empty());
    store
        .set_goal(&goal("Platform", "meetings", 2, Some(1)))
        .await
        .expect("set");
    store
        .set_goal(&goal("Platform", "documentation", 3, None))
        .await
        .expect("set");
    store
        .add_action(&new_action("Platform", "Agenda", &["meetings.2.1"]))
        .await
        .expect("add");
    store
        .add_action(&new_action("Mobile", "Notes", &[]))
        .await
        .expect("add");
    store.set_goal(&goal("Api", "meetings", 1, None)).await.expect("set");
    // A goal, an action, both: each team once, sorted.
    assert_eq!(
        store.teams_with_plans().await.expect("teams"),
        vec!["Api".to_string(), "Mobile".to_string(), "Platform".to_string()]
    );
    let api_meetings = AreaId::parse("meetings").expect("area");
    store.remove_goal(&team("Api"), &api_meetings).await.expect("remove");
    assert_eq!(
        store.teams_with_plans().await.expect("teams"),
        vec!["Mobile".to_string(), "Platform".to_string()]
    );
}
