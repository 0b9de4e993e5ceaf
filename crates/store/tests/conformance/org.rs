//! The conformance suite for teams, rounds, respondent tokens and anonymous
//! responses: every operation's normal path and its refusals, the day
//! precision of stored dates, and 100 respondents answering at once. Run on
//! both backends by the `conformance!` macro in `conformance.rs`.

use std::collections::HashMap;
use std::fmt::Debug;

use asyncmm_core::{K, Mode, NewRound, Responses, Round, RoundId, Team, TeamId, Token, TokenHash};
use asyncmm_store::{Refusal, SubmitOutcome};
use time::Date;
use time::macros::date;

use super::*;

/// The day rounds open in these tests, and a day inside them.
const OPENS: Date = date!(2027 - 01 - 04);
const DAY: Date = date!(2027 - 01 - 10);

// ---------------------------------------------------------------- helpers

/// A distinct, reproducible token per `n`, as its hash (what the store sees).
fn token(n: u32) -> TokenHash {
    let mut bytes = [0x5a; Token::BYTES];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    Token::from_random_bytes(bytes).hash()
}

fn tokens(range: std::ops::Range<u32>) -> Vec<TokenHash> {
    range.map(token).collect()
}

fn new_round(team_name: &str, mode: Mode) -> NewRound {
    NewRound {
        team: team(team_name),
        model: model("1.0.0"),
        mode,
        k: K::DEFAULT,
        opens_on: OPENS,
        closes_on: None,
    }
}

async fn add_team(store: &dyn Store, name: &str, parent: Option<&str>) -> Team {
    let parent = parent.map(team);
    store
        .create_team(&team(name), parent.as_ref())
        .await
        .expect("create team")
}

/// A registered model, a team and a round of it with `issued` tokens.
async fn team_with_round(store: &dyn Store, name: &str, mode: Mode, issued: &[TokenHash]) -> Round {
    store
        .register_model(&model("1.0.0"), MODEL_TOML)
        .await
        .expect("register model");
    add_team(store, name, None).await;
    store
        .open_round(&new_round(name, mode), issued)
        .await
        .expect("open round")
}

fn k(value: i64) -> K {
    K::new(value).expect("valid k")
}

/// A conflict or a refusal by the round rules, as its message.
fn conflict<T: Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Conflict(message)) => message,
        Err(StoreError::Refused(refusal)) => refusal.to_string(),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// A refusal by the round rules.
fn refused<T: Debug>(result: Result<T, StoreError>) -> Refusal {
    match result {
        Err(StoreError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn not_found<T: Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::NotFound(what)) => what,
        other => panic!("expected not found, got {other:?}"),
    }
}

fn invalid<T: Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(message)) => message,
        other => panic!("expected invalid, got {other:?}"),
    }
}

/// Responses compare without order (their order is deliberately
/// meaningless); this turns a list of expected answers into them.
fn canonical(answers: impl Into<Responses>) -> Responses {
    answers.into()
}

// ---------------------------------------------------------------- teams

pub async fn teams_are_unique_by_name_and_listed_by_name(store: Arc<dyn Store>) {
    assert!(store.teams_in_org(true).await.expect("teams").is_empty());
    let engineering = add_team(&*store, "Engineering", None).await;
    let platform = add_team(&*store, "Platform", Some("Engineering")).await;
    let alpha = add_team(&*store, "alpha", None).await;
    assert_eq!(engineering.parent, None);
    assert_eq!(platform.parent, Some(engineering.id));
    assert!(!platform.archived);

    let message = conflict(store.create_team(&team("Platform"), None).await);
    assert_eq!(message, "team Platform already exists");
    let what = not_found(store.create_team(&team("Data"), Some(&team("Nowhere"))).await);
    assert!(what.contains("Nowhere"), "{what}");

    // Byte order, as `TeamName` sorts, on every backend.
    let listed = store.teams_in_org(false).await.expect("teams");
    assert_eq!(listed, vec![engineering.clone(), platform.clone(), alpha]);
    assert_eq!(store.team(&team("Platform")).await.expect("team"), platform);
    let what = not_found(store.team(&team("Nobody")).await);
    assert!(what.contains("Nobody"), "{what}");
}

pub async fn renaming_a_team_takes_its_history_along(store: Arc<dyn Store>) {
    register(&*store).await;
    // Self-assessments need no team row, before or after the team exists.
    store
        .save_assessments(&[
            assessment("Platform", T0, quick_answers([1; 5])),
            assessment("Platform", T0 + Duration::days(1), quick_answers([2; 5])),
            assessment("Solo", T0, quick_answers([3; 5])),
        ])
        .await
        .expect("save");
    let platform = add_team(&*store, "Platform", None).await;
    add_team(&*store, "Data", None).await;
    let round = store
        .open_round(&new_round("Platform", Mode::Quick), &[])
        .await
        .expect("open");

    let renamed = store
        .rename_team(&team("Platform"), &team("Platform Core"))
        .await
        .expect("rename");
    assert_eq!(renamed.id, platform.id);
    assert_eq!(renamed.name, team("Platform Core"));
    assert_eq!(store.round(round.id).await.expect("round").team, team("Platform Core"));
    let history = store.team_assessments(&team("Platform Core")).await.expect("history");
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|a| a.team == team("Platform Core")));
    assert!(store.team_assessments(&team("Platform")).await.expect("old").is_empty());
    assert!(not_found(store.team(&team("Platform")).await).contains("Platform"));

    // Refusals change nothing.
    let message = conflict(store.rename_team(&team("Platform Core"), &team("Data")).await);
    assert_eq!(message, "team Data already exists");
    let message = conflict(store.rename_team(&team("Platform Core"), &team("Solo")).await);
    assert!(message.contains("merge two histories"), "{message}");
    assert!(not_found(store.rename_team(&team("Ghost"), &team("Spirit")).await).contains("Ghost"));
    assert_eq!(store.team_assessments(&team("Solo")).await.expect("solo").len(), 1);
    assert_eq!(
        store
            .rename_team(&team("Platform Core"), &team("Platform Core"))
            .await
            .expect("same name"),
        renamed
    );
    let summary: Vec<(String, u64)> = store
        .teams()
        .await
        .expect("summary")
        .into_iter()
        .map(|t| (t.name.to_string(), t.assessments))
        .collect();
    assert_eq!(summary, vec![("Platform Core".to_string(), 2), ("Solo".to_string(), 1)]);
}

pub async fn moves_that_make_a_cycle_are_refused(store: Arc<dyn Store>) {
    let a = add_team(&*store, "A", None).await;
    let b = add_team(&*store, "B", Some("A")).await;
    let c = add_team(&*store, "C", Some("B")).await;

    let message = conflict(store.move_team(&team("A"), Some(&team("C"))).await);
    assert!(message.contains("cycle"), "{message}");
    let message = conflict(store.move_team(&team("B"), Some(&team("B"))).await);
    assert!(message.contains("its own parent"), "{message}");
    assert!(not_found(store.move_team(&team("A"), Some(&team("Nowhere"))).await).contains("Nowhere"));
    assert!(not_found(store.move_team(&team("Nobody"), None).await).contains("Nobody"));
    assert_eq!(store.team(&team("A")).await.expect("a").parent, None);

    let moved = store.move_team(&team("C"), None).await.expect("to the top");
    assert_eq!(moved.parent, None);
    // Now A under C is fine: C is no longer inside A.
    let moved = store.move_team(&team("A"), Some(&team("C"))).await.expect("move");
    assert_eq!(moved.parent, Some(c.id));
    let parents: HashMap<TeamId, Option<TeamId>> = store
        .teams_in_org(false)
        .await
        .expect("teams")
        .into_iter()
        .map(|t| (t.id, t.parent))
        .collect();
    assert_eq!(parents[&a.id], Some(c.id));
    assert_eq!(parents[&b.id], Some(a.id));
    assert_eq!(parents[&c.id], None);

    add_team(&*store, "Old", None).await;
    store.archive_team(&team("Old")).await.expect("archive");
    let message = conflict(store.move_team(&team("B"), Some(&team("Old"))).await);
    assert!(message.contains("archived"), "{message}");
}

pub async fn archiving_keeps_history_and_hides_the_team(store: Arc<dyn Store>) {
    let round = team_with_round(&*store, "X", Mode::Quick, &tokens(0..1)).await;
    store.move_team(&team("X"), None).await.expect("no-op move");
    add_team(&*store, "Group", None).await;
    store.move_team(&team("X"), Some(&team("Group"))).await.expect("move");
    store
        .submit_response(round.id, &token(0), &quick_answers([1; 5]), DAY)
        .await
        .expect("answer");

    let message = conflict(store.archive_team(&team("Group")).await);
    assert!(message.contains("still has active teams (X)"), "{message}");

    let archived = store.archive_team(&team("X")).await.expect("archive");
    assert!(archived.archived);
    let message = conflict(store.archive_team(&team("X")).await);
    assert_eq!(message, "team X is already archived");
    store.archive_team(&team("Group")).await.expect("now the group");

    assert!(store.teams_in_org(false).await.expect("active").is_empty());
    let all = store.teams_in_org(true).await.expect("all");
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|t| t.archived));

    // History stays readable; the team takes no new rounds and its name
    // stays taken.
    let rounds = store.rounds(Some(&team("X"))).await.expect("rounds");
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].responses, 1);
    assert_eq!(store.round_responses(round.id).await.expect("answers").len(), 1);
    let message = conflict(store.open_round(&new_round("X", Mode::Quick), &[]).await);
    assert!(message.contains("archived"), "{message}");
    assert_eq!(
        conflict(store.create_team(&team("X"), None).await),
        "team X already exists"
    );
    let message = conflict(store.create_team(&team("Y"), Some(&team("Group"))).await);
    assert!(message.contains("archived"), "{message}");
}

// ---------------------------------------------------------------- rounds

pub async fn rounds_open_with_their_tokens_in_one_transaction(store: Arc<dyn Store>) {
    let issued = tokens(0..3);
    let round = team_with_round(&*store, "Platform", Mode::Detailed, &issued).await;
    assert_eq!(round.team, team("Platform"));
    assert_eq!(round.mode, Mode::Detailed);
    assert_eq!(round.k, K::DEFAULT);
    assert_eq!(round.opens_on, OPENS);
    assert_eq!(
        (round.closes_on, round.closed_on, round.published, round.responses),
        (None, None, false, 0)
    );
    assert_eq!(store.round(round.id).await.expect("read back"), round);
    assert!(not_found(store.round(RoundId(987_654)).await).contains("987654"));

    // With a closing date and its own k.
    let mut dated = new_round("Platform", Mode::Quick);
    dated.k = k(3);
    dated.closes_on = Some(date!(2027 - 01 - 15));
    let second = store.open_round(&dated, &tokens(10..12)).await.expect("open");
    assert_eq!((second.k, second.closes_on), (k(3), Some(date!(2027 - 01 - 15))));
    assert_eq!(store.round(second.id).await.expect("read"), second);

    // Refusals store nothing: not the round, not its tokens.
    assert!(not_found(store.open_round(&new_round("Nobody", Mode::Quick), &[]).await).contains("Nobody"));
    let mut unregistered = new_round("Platform", Mode::Quick);
    unregistered.model = model("9.9.9");
    let message = conflict(store.open_round(&unregistered, &tokens(20..22)).await);
    assert!(message.contains("test-model@9.9.9"), "{message}");
    assert!(message.contains("not registered"), "{message}");
    let mut backwards = new_round("Platform", Mode::Quick);
    backwards.closes_on = Some(date!(2027 - 01 - 01));
    assert!(invalid(store.open_round(&backwards, &[]).await).contains("before it opens"));
    // A token issued before (here: for the first round) fails the whole open.
    let reused = vec![token(30), issued[1]];
    let message = conflict(store.open_round(&new_round("Platform", Mode::Quick), &reused).await);
    assert!(message.contains("already issued"), "{message}");
    assert_eq!(store.rounds(None).await.expect("rounds").len(), 2);
    // token(20) and token(30) were rolled back with their rounds.
    let third = store
        .open_round(&new_round("Platform", Mode::Quick), &[token(20), token(30)])
        .await
        .expect("open with the rolled-back tokens");
    assert_eq!(
        store
            .submit_response(third.id, &token(30), &quick_answers([1; 5]), DAY)
            .await
            .expect("answer"),
        SubmitOutcome::Created
    );
}

pub async fn rounds_are_listed_oldest_first(store: Arc<dyn Store>) {
    team_with_round(&*store, "A", Mode::Quick, &[]).await;
    add_team(&*store, "B", None).await;
    let mut later = new_round("A", Mode::Detailed);
    later.opens_on = date!(2027 - 04 - 01);
    let later = store.open_round(&later, &[]).await.expect("open");
    let mut earlier = new_round("A", Mode::Quick);
    earlier.opens_on = date!(2026 - 10 - 01);
    let earlier = store.open_round(&earlier, &[]).await.expect("open");
    let b = store.open_round(&new_round("B", Mode::Quick), &[]).await.expect("open");

    let of_a: Vec<Date> = store
        .rounds(Some(&team("A")))
        .await
        .expect("rounds")
        .iter()
        .map(|r| r.opens_on)
        .collect();
    assert_eq!(of_a, vec![date!(2026 - 10 - 01), OPENS, date!(2027 - 04 - 01)]);
    let all: Vec<RoundId> = store.rounds(None).await.expect("all").iter().map(|r| r.id).collect();
    // Same opening day: in the order they were opened.
    assert_eq!(all.len(), 4);
    assert_eq!(all[0], earlier.id);
    assert_eq!(all[3], later.id);
    assert!(all.contains(&b.id));
    assert!(
        store
            .rounds(Some(&team("B")))
            .await
            .expect("b")
            .iter()
            .all(|r| r.team == team("B"))
    );
    assert!(not_found(store.rounds(Some(&team("Nobody"))).await).contains("Nobody"));
}

pub async fn k_is_fixed_once_the_first_response_arrived(store: Arc<dyn Store>) {
    let round = team_with_round(&*store, "Platform", Mode::Quick, &tokens(0..2)).await;
    let changed = store.set_round_k(round.id, k(7)).await.expect("before any response");
    assert_eq!(changed.k, k(7));
    assert_eq!(store.round(round.id).await.expect("round").k, k(7));
    // Below 3 can't even be expressed.
    assert!(K::new(2).is_err());

    store
        .submit_response(round.id, &token(0), &quick_answers([2; 5]), DAY)
        .await
        .expect("answer");
    let message = conflict(store.set_round_k(round.id, k(3)).await);
    assert!(
        message.contains("k is fixed once the first response arrived"),
        "{message}"
    );
    assert!(message.contains("1 response"), "{message}");
    assert_eq!(store.round(round.id).await.expect("round").k, k(7));
    assert!(not_found(store.set_round_k(RoundId(987_654), k(5)).await).contains("987654"));
}

pub async fn closing_and_reopening_follow_the_round_state(store: Arc<dyn Store>) {
    let round = team_with_round(&*store, "Platform", Mode::Quick, &[]).await;
    let closed = store.close_round(round.id, DAY).await.expect("close");
    assert_eq!(closed.closed_on, Some(DAY));
    assert_eq!(store.round(round.id).await.expect("round").closed_on, Some(DAY));
    let message = conflict(store.close_round(round.id, DAY).await);
    assert!(
        message.contains(&format!("round {} is already closed", round.id)),
        "{message}"
    );

    let reopened = store.reopen_round(round.id, DAY).await.expect("reopen");
    assert_eq!(reopened.closed_on, None);
    assert_eq!(store.round(round.id).await.expect("round"), reopened);
    let message = conflict(store.reopen_round(round.id, DAY).await);
    assert!(message.contains("not closed"), "{message}");

    // Past its closing date a round is closed without a manual close.
    let mut dated = new_round("Platform", Mode::Quick);
    dated.closes_on = Some(date!(2027 - 01 - 08));
    let dated = store.open_round(&dated, &[]).await.expect("open");
    let message = conflict(store.close_round(dated.id, DAY).await);
    assert!(message.contains("closing date 2027-01-08 has passed"), "{message}");
    // Closing it before that date is fine, and reopening keeps a closing
    // date still ahead…
    store
        .close_round(dated.id, date!(2027 - 01 - 06))
        .await
        .expect("close early");
    let again = store
        .reopen_round(dated.id, date!(2027 - 01 - 07))
        .await
        .expect("reopen");
    assert_eq!((again.closed_on, again.closes_on), (None, Some(date!(2027 - 01 - 08))));
    // …and drops one that has passed, so the round really is open again.
    let again = store.reopen_round(dated.id, DAY).await.expect("reopen after the date");
    assert_eq!((again.closed_on, again.closes_on), (None, None));
    assert_eq!(store.round(dated.id).await.expect("round").closes_on, None);

    assert!(not_found(store.close_round(RoundId(987_654), DAY).await).contains("987654"));
    assert!(not_found(store.reopen_round(RoundId(987_654), DAY).await).contains("987654"));
}

pub async fn published_rounds_stay_as_shown(store: Arc<dyn Store>) {
    let round = team_with_round(&*store, "Platform", Mode::Quick, &tokens(0..1)).await;
    store.close_round(round.id, DAY).await.expect("close");
    let published = store.mark_published(round.id).await.expect("publish");
    assert!(published.published);
    assert!(store.mark_published(round.id).await.expect("again").published);
    assert!(store.round(round.id).await.expect("round").published);

    let message = conflict(store.reopen_round(round.id, DAY).await);
    assert!(message.contains("published"), "{message}");
    let message = conflict(store.import_responses(round.id, &[quick_answers([1; 5])], DAY).await);
    assert!(message.contains("published"), "{message}");
    let message = conflict(store.add_tokens(round.id, &tokens(5..6)).await);
    assert!(message.contains("published"), "{message}");
    let round = store.round(round.id).await.expect("round");
    assert_eq!((round.closed_on, round.responses), (Some(DAY), 0));
    assert!(not_found(store.mark_published(RoundId(987_654)).await).contains("987654"));
}

// ---------------------------------------------------------------- responses

pub async fn a_token_answers_once_and_revises_after(store: Arc<dyn Store>) {
    let round = team_with_round(&*store, "Platform", Mode::Detailed, &tokens(0..2)).await;
    let first = store
        .submit_response(round.id, &token(0), &detailed_answers(1), DAY)
        .await
        .expect("answer");
    assert_eq!(first, SubmitOutcome::Created);
    let other = store
        .submit_response(round.id, &token(1), &detailed_answers(2), DAY)
        .await
        .expect("answer");
    assert_eq!(other, SubmitOutcome::Created);

    // The same token again replaces its answers: still two responses.
    let revised = store
        .submit_response(round.id, &token(0), &detailed_answers(3), DAY + Duration::days(1))
        .await
        .expect("revise");
    assert_eq!(revised, SubmitOutcome::Revised);
    assert_eq!(store.round(round.id).await.expect("round").responses, 2);
    let answers = store.round_responses(round.id).await.expect("answers");
    assert_eq!(
        canonical(answers.clone()),
        canonical(vec![detailed_answers(2), detailed_answers(3)])
    );
    // A stable order, whatever it is.
    assert_eq!(store.round_responses(round.id).await.expect("again"), answers);

    // A partial revision replaces, it doesn't merge.
    let partial_map: BTreeMap<StatementId, Answer> = statement_ids()
        .into_iter()
        .take(2)
        .zip([Answer::DontKnow, Answer::Agree(Agreement::new(2).expect("0-3"))])
        .collect();
    let partial = Answers::Detailed(DetailedAnswers::from_map(partial_map));
    store
        .submit_response(round.id, &token(0), &partial, DAY)
        .await
        .expect("revise again");
    let answers = store.round_responses(round.id).await.expect("answers");
    assert_eq!(canonical(answers), canonical(vec![detailed_answers(2), partial]));

    // Wrong mode and empty answers are refused without touching the stored one.
    let message = conflict(
        store
            .submit_response(round.id, &token(1), &quick_answers([1; 5]), DAY)
            .await,
    );
    assert!(message.contains("quick mode"), "{message}");
    assert!(message.contains("detailed mode"), "{message}");
    let empty = Answers::Detailed(DetailedAnswers::default());
    assert!(invalid(store.submit_response(round.id, &token(1), &empty, DAY).await).contains("no answers"));
    assert_eq!(store.round(round.id).await.expect("round").responses, 2);
    let partial = Answers::Detailed(DetailedAnswers::from_map(
        statement_ids()
            .into_iter()
            .take(2)
            .zip([Answer::DontKnow, Answer::Agree(Agreement::new(2).expect("0-3"))])
            .collect(),
    ));
    assert_eq!(
        store.round_responses(round.id).await.expect("answers"),
        canonical(vec![detailed_answers(2), partial])
    );
}

pub async fn tokens_of_other_rounds_and_unknown_tokens_look_the_same(store: Arc<dyn Store>) {
    let first = team_with_round(&*store, "Platform", Mode::Quick, &tokens(0..2)).await;
    let second = store
        .open_round(&new_round("Platform", Mode::Quick), &tokens(10..12))
        .await
        .expect("open");

    let unknown = not_found(
        store
            .submit_response(first.id, &token(99), &quick_answers([1; 5]), DAY)
            .await,
    );
    let foreign = not_found(
        store
            .submit_response(first.id, &token(10), &quick_answers([1; 5]), DAY)
            .await,
    );
    assert_eq!(unknown, foreign, "the messages must not tell the two apart");
    assert!(unknown.contains(&format!("round {}", first.id)), "{unknown}");
    assert!(
        not_found(
            store
                .submit_response(RoundId(987_654), &token(0), &quick_answers([1; 5]), DAY)
                .await
        )
        .contains("987654")
    );
    assert_eq!(store.round(first.id).await.expect("round").responses, 0);
    // The token still works where it belongs.
    store
        .submit_response(second.id, &token(10), &quick_answers([1; 5]), DAY)
        .await
        .expect("its own round");
    assert_eq!(store.round(second.id).await.expect("round").responses, 1);

    // Read with its round, a token gives the round it was issued for,
    // exactly as the round alone reads, and its own answers exactly as they
    // read alone; an unknown token is not found.
    let read = store.token_round(&token(10)).await.expect("token and round");
    assert_eq!(read.status, store.token_status(&token(10)).await.expect("status"));
    assert_eq!(
        (read.status.round, read.status.answered, read.status.spent),
        (second.id, true, false)
    );
    assert_eq!(read.round, store.round(second.id).await.expect("round"));
    assert_eq!(read.answers, Some(quick_answers([1; 5])));
    assert_eq!(read.answers, store.token_answers(&token(10)).await.expect("answers"));
    let read = store.token_round(&token(0)).await.expect("token and round");
    assert_eq!((read.status.round, read.status.answered), (first.id, false));
    assert_eq!(read.round, store.round(first.id).await.expect("round"));
    assert_eq!(read.answers, None);
    assert!(not_found(store.token_round(&token(99)).await).contains("token"));
}

pub async fn answers_are_taken_only_while_the_round_is_open(store: Arc<dyn Store>) {
    let mut dated = new_round("Platform", Mode::Quick);
    dated.closes_on = Some(date!(2027 - 01 - 15));
    store
        .register_model(&model("1.0.0"), MODEL_TOML)
        .await
        .expect("register");
    add_team(&*store, "Platform", None).await;
    let round = store.open_round(&dated, &tokens(0..3)).await.expect("open");

    let message = conflict(
        store
            .submit_response(round.id, &token(0), &quick_answers([1; 5]), date!(2027 - 01 - 03))
            .await,
    );
    assert!(message.contains("opens on 2027-01-04"), "{message}");
    // The closing day itself still counts.
    store
        .submit_response(round.id, &token(0), &quick_answers([1; 5]), date!(2027 - 01 - 15))
        .await
        .expect("last day");
    let refusal = refused(
        store
            .submit_response(round.id, &token(1), &quick_answers([1; 5]), date!(2027 - 01 - 16))
            .await,
    );
    assert_eq!(refusal, Refusal::RoundClosed { round: round.id });

    // Closed by hand: a used token can't revise any more, and the stored
    // answers stay.
    let by_hand = store
        .open_round(&new_round("Platform", Mode::Quick), &tokens(10..11))
        .await
        .expect("open");
    store
        .submit_response(by_hand.id, &token(10), &quick_answers([1; 5]), DAY)
        .await
        .expect("answer");
    store.close_round(by_hand.id, DAY).await.expect("close");
    let message = conflict(
        store
            .submit_response(by_hand.id, &token(10), &quick_answers([3; 5]), DAY)
            .await,
    );
    assert_eq!(
        message,
        format!(
            "round {} is closed: answers can no longer be given or changed",
            by_hand.id
        )
    );
    assert_eq!(
        store.round_responses(by_hand.id).await.expect("answers"),
        canonical(vec![quick_answers([1; 5])])
    );
}

pub async fn a_round_takes_tokens_or_imports_never_both(store: Arc<dyn Store>) {
    // Tokens issued: no import.
    let with_tokens = team_with_round(&*store, "Platform", Mode::Quick, &tokens(0..2)).await;
    assert_eq!(with_tokens.intake, Some(asyncmm_core::Intake::Tokens));
    let refusal = refused(
        store
            .import_responses(with_tokens.id, &[quick_answers([1; 5])], DAY)
            .await,
    );
    assert_eq!(refusal, Refusal::TakesTokens { round: with_tokens.id });
    assert_eq!(store.round(with_tokens.id).await.expect("round").responses, 0);

    // Imported into: no tokens, and none of an earlier batch answers.
    let imported = store
        .open_round(&new_round("Platform", Mode::Quick), &[])
        .await
        .expect("open");
    assert_eq!(imported.intake, None);
    store
        .import_responses(imported.id, &[quick_answers([2; 5])], DAY)
        .await
        .expect("import");
    let round = store.round(imported.id).await.expect("round");
    assert_eq!(round.intake, Some(asyncmm_core::Intake::Import));
    let refusal = refused(store.add_tokens(imported.id, &tokens(10..11)).await);
    assert_eq!(refusal, Refusal::TakesImports { round: imported.id });
    assert!(not_found(store.round_for_token(&token(10)).await).contains("token"));
    // A second import into the same round is fine.
    store
        .import_responses(imported.id, &[quick_answers([3; 5])], DAY)
        .await
        .expect("import again");
    assert_eq!(store.round(imported.id).await.expect("round").responses, 2);

    // A round with neither decides when it first issues tokens.
    let later = store
        .open_round(&new_round("Platform", Mode::Quick), &[])
        .await
        .expect("open");
    store.add_tokens(later.id, &tokens(20..21)).await.expect("tokens");
    assert_eq!(
        store.round(later.id).await.expect("round").intake,
        Some(asyncmm_core::Intake::Tokens)
    );
    let refusal = refused(store.import_responses(later.id, &[quick_answers([1; 5])], DAY).await);
    assert_eq!(refusal, Refusal::TakesTokens { round: later.id });
}

pub async fn many_rounds_are_published_at_once(store: Arc<dyn Store>) {
    let first = team_with_round(&*store, "Platform", Mode::Quick, &[]).await;
    let second = store
        .open_round(&new_round("Platform", Mode::Quick), &[])
        .await
        .expect("open");
    let third = store
        .open_round(&new_round("Platform", Mode::Quick), &[])
        .await
        .expect("open");
    store.publish_rounds(&[]).await.expect("nothing to do");
    store
        .publish_rounds(&[first.id, third.id, RoundId(987_654)])
        .await
        .expect("publish");
    let published: Vec<bool> = store
        .rounds(None)
        .await
        .expect("rounds")
        .iter()
        .map(|r| r.published)
        .collect();
    assert_eq!(published, vec![true, false, true]);
    assert!(!store.round(second.id).await.expect("round").published);
}

pub async fn more_tokens_can_be_issued_later(store: Arc<dyn Store>) {
    let round = team_with_round(&*store, "Platform", Mode::Quick, &tokens(0..1)).await;
    store.add_tokens(round.id, &tokens(1..4)).await.expect("more");
    store.add_tokens(round.id, &[]).await.expect("none is fine");
    for n in 0..4 {
        store
            .submit_response(round.id, &token(n), &quick_answers([1; 5]), DAY)
            .await
            .expect("each token answers");
    }
    assert_eq!(store.round(round.id).await.expect("round").responses, 4);
    let message = conflict(store.add_tokens(round.id, &[token(9), token(2)]).await);
    assert!(message.contains("already issued"), "{message}");
    // All or nothing: token 9 was not issued.
    assert!(
        not_found(
            store
                .submit_response(round.id, &token(9), &quick_answers([1; 5]), DAY)
                .await
        )
        .contains("token")
    );
    assert!(not_found(store.add_tokens(RoundId(987_654), &tokens(20..21)).await).contains("987654"));
}

pub async fn a_shared_link_finds_its_round_until_replaced_and_stops_when_closed(store: Arc<dyn Store>) {
    let round = team_with_round(&*store, "Platform", Mode::Quick, &[]).await;
    let (first, second) = (token(100), token(101));
    assert!(not_found(store.round_for_shared_link(&first).await).contains("shared link"));
    store.set_shared_link(round.id, &first, DAY).await.expect("share");
    assert_eq!(store.round_for_shared_link(&first).await.expect("found"), round.id);
    // A new secret replaces the old one, which no longer finds the round.
    store
        .set_shared_link(round.id, &second, DAY)
        .await
        .expect("share again");
    assert_eq!(store.round_for_shared_link(&second).await.expect("found"), round.id);
    assert!(not_found(store.round_for_shared_link(&first).await).contains("shared link"));
    // One secret belongs to one round.
    let other = store
        .open_round(&new_round("Platform", Mode::Quick), &[])
        .await
        .expect("second round");
    assert!(store.set_shared_link(other.id, &second, DAY).await.is_err());
    assert_eq!(store.round_for_shared_link(&second).await.expect("found"), round.id);
    // A closed round takes no new link; its link still names it, so the
    // caller can say the round is closed.
    store.close_round(round.id, DAY).await.expect("close");
    let refusal = refused(store.set_shared_link(round.id, &token(102), DAY).await);
    assert!(matches!(refusal, Refusal::RoundClosed { .. }), "{refusal:?}");
    assert_eq!(store.round_for_shared_link(&second).await.expect("found"), round.id);
    assert!(not_found(store.set_shared_link(RoundId(987_654), &token(103), DAY).await).contains("987654"));
}

pub async fn import_is_all_or_nothing(store: Arc<dyn Store>) {
    let round = team_with_round(&*store, "Platform", Mode::Detailed, &[]).await;
    let good: Vec<Answers> = (0..3).map(detailed_answers).collect();

    let mut mixed = good.clone();
    mixed.push(quick_answers([1; 5]));
    let message = conflict(store.import_responses(round.id, &mixed, DAY).await);
    assert!(message.contains("response 4 of 4"), "{message}");
    assert!(message.contains("quick mode"), "{message}");
    let mut with_empty = good.clone();
    with_empty.insert(1, Answers::Detailed(DetailedAnswers::default()));
    let message = invalid(store.import_responses(round.id, &with_empty, DAY).await);
    assert!(message.contains("response 2 of 4"), "{message}");
    assert_eq!(store.round(round.id).await.expect("round").responses, 0);
    assert!(store.round_responses(round.id).await.expect("answers").is_empty());

    assert_eq!(store.import_responses(round.id, &good, DAY).await.expect("import"), 3);
    assert_eq!(store.import_responses(round.id, &[], DAY).await.expect("nothing"), 0);
    // Forms are exported after they close: a closed round still takes them.
    store.close_round(round.id, DAY).await.expect("close");
    let more = vec![detailed_answers(7); 2];
    assert_eq!(store.import_responses(round.id, &more, DAY).await.expect("import"), 2);

    let round = store.round(round.id).await.expect("round");
    assert_eq!(round.responses, 5);
    let mut expected = good;
    expected.extend(more);
    assert_eq!(
        canonical(store.round_responses(round.id).await.expect("answers")),
        canonical(expected)
    );
    assert!(not_found(store.import_responses(RoundId(987_654), &[], DAY).await).contains("987654"));
}

pub async fn responses_of_many_rounds_come_in_one_call(store: Arc<dyn Store>) {
    let quick = team_with_round(&*store, "A", Mode::Quick, &[]).await;
    add_team(&*store, "B", None).await;
    let detailed = store
        .open_round(&new_round("B", Mode::Detailed), &[])
        .await
        .expect("open");
    let empty = store.open_round(&new_round("B", Mode::Quick), &[]).await.expect("open");
    let quick_answers_given: Vec<Answers> = (0..4).map(|i| quick_answers([i, 1, 2, 3, i])).collect();
    let detailed_given: Vec<Answers> = (0..6).map(detailed_answers).collect();
    store
        .import_responses(quick.id, &quick_answers_given, DAY)
        .await
        .expect("import");
    store
        .import_responses(detailed.id, &detailed_given, DAY)
        .await
        .expect("import");

    let all = store
        .responses_for_rounds(&[detailed.id, quick.id, empty.id, quick.id])
        .await
        .expect("read");
    assert_eq!(all.len(), 3);
    assert_eq!(canonical(all[&quick.id].clone()), canonical(quick_answers_given));
    assert_eq!(canonical(all[&detailed.id].clone()), canonical(detailed_given));
    assert!(all[&empty.id].is_empty());
    // The same as asking one round at a time, in the same order.
    assert_eq!(
        all[&detailed.id],
        store.round_responses(detailed.id).await.expect("one round")
    );

    assert!(store.responses_for_rounds(&[]).await.expect("none").is_empty());
    let what = not_found(store.responses_for_rounds(&[quick.id, RoundId(987_654)]).await);
    assert!(what.contains("987654"), "{what}");
    assert!(not_found(store.round_responses(RoundId(987_654)).await).contains("987654"));
}

pub async fn latest_round_per_team_skips_archived_teams(store: Arc<dyn Store>) {
    team_with_round(&*store, "A", Mode::Quick, &[]).await;
    for name in ["B", "C", "Gone"] {
        add_team(&*store, name, None).await;
    }
    let mut newest = new_round("A", Mode::Detailed);
    newest.opens_on = date!(2027 - 06 - 01);
    let newest = store.open_round(&newest, &[]).await.expect("open");
    let mut older = new_round("A", Mode::Quick);
    older.opens_on = date!(2026 - 06 - 01);
    store.open_round(&older, &[]).await.expect("open an older one last");
    let b_first = store.open_round(&new_round("B", Mode::Quick), &[]).await.expect("open");
    // Same opening day: the one opened last is the newest.
    let b_second = store.open_round(&new_round("B", Mode::Quick), &[]).await.expect("open");
    store
        .open_round(&new_round("Gone", Mode::Quick), &[])
        .await
        .expect("open");
    store.archive_team(&team("Gone")).await.expect("archive");
    store
        .import_responses(b_second.id, &[quick_answers([2; 5])], DAY)
        .await
        .expect("import");

    let latest = store.latest_round_per_team().await.expect("latest");
    let summary: Vec<(String, RoundId, u64)> = latest.iter().map(|r| (r.team.to_string(), r.id, r.responses)).collect();
    assert_eq!(
        summary,
        vec![("A".to_string(), newest.id, 0), ("B".to_string(), b_second.id, 1)]
    );
    assert_ne!(b_first.id, b_second.id);
    assert_eq!(latest[0], store.round(newest.id).await.expect("round"));
}

pub async fn a_hundred_concurrent_respondents_all_land(store: Arc<dyn Store>) {
    let issued = tokens(0..100);
    let round = team_with_round(&*store, "Platform", Mode::Detailed, &issued).await;

    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..100u32 {
        let store = Arc::clone(&store);
        let id = round.id;
        tasks.spawn(async move {
            let seed = usize::try_from(n).expect("small");
            store.submit_response(id, &token(n), &detailed_answers(seed), DAY).await
        });
    }
    // Meanwhile, one respondent submits ten times at once: they take turns,
    // and exactly one response of theirs remains.
    for attempt in 0..10 {
        let store = Arc::clone(&store);
        let id = round.id;
        tasks.spawn(async move {
            store
                .submit_response(id, &token(0), &detailed_answers(attempt), DAY)
                .await
        });
    }
    let mut outcomes = HashMap::new();
    while let Some(result) = tasks.join_next().await {
        let outcome = result.expect("task").expect("submit");
        *outcomes.entry(format!("{outcome:?}")).or_insert(0) += 1;
    }
    // Token 0's first submission (of eleven) created, the rest revised.
    assert_eq!(outcomes.get("Created"), Some(&100), "{outcomes:?}");
    assert_eq!(outcomes.get("Revised"), Some(&10), "{outcomes:?}");

    assert_eq!(store.round(round.id).await.expect("round").responses, 100);
    let answers = store.round_responses(round.id).await.expect("answers");
    assert_eq!(answers.len(), 100);
    // Tokens 1-99 answered their own seed; token 0's last submission is one
    // of the seeds it sent (answers repeat every five seeds).
    let expected = |last: usize| {
        canonical(
            (1..100)
                .map(detailed_answers)
                .chain([detailed_answers(last)])
                .collect::<Vec<_>>(),
        )
    };
    assert!(
        (0..5).any(|last| answers == expected(last)),
        "every response whole and in place"
    );
}

/// Saves arriving together, good ones among refused ones (which SQLite
/// writes in one transaction where it can): each is checked and answered
/// on its own, exactly as if it came alone.
pub async fn saves_arriving_together_are_each_checked_on_their_own(store: Arc<dyn Store>) {
    let quick = team_with_round(&*store, "Platform", Mode::Quick, &tokens(0..40)).await;
    let detailed = store
        .open_round(&new_round("Platform", Mode::Detailed), &tokens(100..110))
        .await
        .expect("open");
    // Tokens 200-204 answered a round that was closed and reopened: spent.
    let reopened = store
        .open_round(&new_round("Platform", Mode::Quick), &tokens(200..205))
        .await
        .expect("open");
    for n in 200..205 {
        store
            .submit_response(reopened.id, &token(n), &quick_answers([2; 5]), DAY)
            .await
            .expect("answer");
    }
    store.close_round(reopened.id, DAY).await.expect("close");
    store.reopen_round(reopened.id, DAY).await.expect("reopen");

    let mut tasks = tokio::task::JoinSet::new();
    let mut spawn = |what: &'static str, round: RoundId, n: u32, answers: Answers| {
        let store = Arc::clone(&store);
        tasks.spawn(async move { (what, n, store.submit_response(round, &token(n), &answers, DAY).await) });
    };
    for n in 0..40 {
        spawn("good quick", quick.id, n, quick_answers([(n % 4) as u8; 5]));
    }
    for n in 100..110 {
        spawn("good detailed", detailed.id, n, detailed_answers(n as usize));
    }
    for n in 100..105 {
        spawn("another round's token", quick.id, n, quick_answers([1; 5]));
    }
    for n in 105..110 {
        spawn("wrong mode", detailed.id, n, quick_answers([1; 5]));
    }
    for n in 200..205 {
        spawn("spent", reopened.id, n, quick_answers([3; 5]));
    }
    for n in 300..303 {
        spawn("never issued", quick.id, n, quick_answers([1; 5]));
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (what, n, result) = joined.expect("task");
        *seen.entry(what).or_default() += 1;
        match what {
            "good quick" | "good detailed" => {
                assert_eq!(result.expect(what), SubmitOutcome::Created, "token {n}");
            }
            "another round's token" | "never issued" => {
                assert_eq!(
                    not_found(result),
                    format!(
                        "respondent token for round {} (check that it was copied whole)",
                        quick.id
                    ),
                    "token {n}"
                );
            }
            "wrong mode" => {
                let message = conflict(result);
                assert!(message.contains("quick mode"), "{message}");
            }
            "spent" => assert_eq!(refused(result), Refusal::TokenSpent { round: reopened.id }),
            other => panic!("unexpected {other}"),
        }
    }
    let expected: HashMap<&str, usize> = [
        ("good quick", 40),
        ("good detailed", 10),
        ("another round's token", 5),
        ("wrong mode", 5),
        ("spent", 5),
        ("never issued", 3),
    ]
    .into_iter()
    .collect();
    assert_eq!(seen, expected, "every save answered once");

    let quick_expected: Vec<Answers> = (0..40).map(|n| quick_answers([(n % 4) as u8; 5])).collect();
    assert_eq!(
        store.round_responses(quick.id).await.expect("answers"),
        canonical(quick_expected)
    );
    let detailed_expected: Vec<Answers> = (100..110).map(detailed_answers).collect();
    assert_eq!(
        store.round_responses(detailed.id).await.expect("answers"),
        canonical(detailed_expected)
    );
    assert_eq!(
        store.round_responses(reopened.id).await.expect("answers"),
        canonical(vec![quick_answers([2; 5]); 5]),
        "spent tokens changed nothing"
    );
    // The refused tokens of the detailed round kept their own answers.
    assert_eq!(
        store.token_round(&token(107)).await.expect("token").answers,
        Some(detailed_answers(107))
    );
}

// ---------------------------------------------------------------- raw

pub async fn responses_are_stored_by_the_day_without_identity(store: Arc<dyn Store>, raw: Raw) {
    let round = team_with_round(&*store, "Platform", Mode::Quick, &tokens(0..3)).await;
    for n in 0..3 {
        store
            .submit_response(round.id, &token(n), &quick_answers([1; 5]), DAY)
            .await
            .expect("answer");
    }
    store
        .submit_response(round.id, &token(0), &quick_answers([2; 5]), DAY + Duration::days(2))
        .await
        .expect("revise");

    // The stored value is a day and nothing more.
    let mut days = raw
        .texts(
            "SELECT typeof(submitted_on) || ' ' || submitted_on FROM responses",
            "SELECT pg_typeof(submitted_on)::text || ' ' || submitted_on::text FROM responses",
        )
        .await;
    days.sort();
    // SQLite has no date type: 'YYYY-MM-DD' text, which its CHECK enforces.
    let date_type = match raw {
        Raw::Sqlite(_) => "text",
        Raw::Postgres { .. } => "date",
    };
    assert_eq!(
        days,
        vec![
            format!("{date_type} 2027-01-10"),
            format!("{date_type} 2027-01-10"),
            format!("{date_type} 2027-01-12"),
        ]
    );

    // A response row holds its round and its day: no token, no person, no
    // time. Only the token row points at a response.
    let columns = |table: &str| {
        (
            format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            format!(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
            ),
        )
    };
    for (table, expected) in [
        ("responses", vec!["id", "round_id", "submitted_on"]),
        ("response_answers", vec!["round_id", "response_id", "item", "value"]),
        ("tokens", vec!["hash", "round_id", "response_id", "spent"]),
    ] {
        let (sqlite_sql, postgres_sql) = columns(table);
        assert_eq!(
            raw.texts(&sqlite_sql, &postgres_sql).await,
            expected,
            "columns of {table}"
        );
    }

    // Tokens are kept as their SHA-256 only.
    let mut hashes = raw
        .texts(
            "SELECT lower(hex(hash)) FROM tokens",
            "SELECT encode(hash, 'hex') FROM tokens",
        )
        .await;
    hashes.sort();
    let mut expected: Vec<String> = (0..3).map(|n| token(n).to_hex()).collect();
    expected.sort();
    assert_eq!(hashes, expected);

    // Response ids are random, not a sequence that would tell the order in
    // which people answered.
    let ids: Vec<i64> = raw
        .texts(
            "SELECT CAST(id AS TEXT) FROM responses",
            "SELECT id::text FROM responses",
        )
        .await
        .iter()
        .map(|id| id.parse().expect("number"))
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.iter().all(|&id| id > 1 << 32), "random 63-bit ids: {ids:?}");
}

/// The links from tokens to responses, as `hash:response` (or `hash:-`).
async fn token_links(raw: &Raw) -> Vec<String> {
    let mut links = raw
        .texts(
            "SELECT lower(hex(hash)) || ':' || coalesce(CAST(response_id AS TEXT), '-') || ':' || spent FROM tokens",
            "SELECT encode(hash, 'hex') || ':' || coalesce(response_id::text, '-') || ':' || \
             (CASE WHEN spent THEN '1' ELSE '0' END) FROM tokens",
        )
        .await;
    links.sort();
    links
}

pub async fn closing_removes_every_link_from_tokens_to_responses(store: Arc<dyn Store>, raw: Raw) {
    let round = team_with_round(&*store, "Platform", Mode::Quick, &tokens(0..4)).await;
    for n in 0..3 {
        store
            .submit_response(
                round.id,
                &token(n),
                &quick_answers([n as u8; 5]),
                DAY + Duration::days(i64::from(n)),
            )
            .await
            .expect("answer");
    }
    // While open, each used token points at its response (so it can revise).
    let open_links = token_links(&raw).await;
    assert_eq!(
        open_links.iter().filter(|l| !l.contains(":-:")).count(),
        3,
        "{open_links:?}"
    );
    let status = store.token_status(&token(0)).await.expect("status");
    assert_eq!((status.round, status.answered, status.spent), (round.id, true, false));

    let close_day = DAY + Duration::days(5);
    store.close_round(round.id, close_day).await.expect("close");
    // Closed: no token names a response any more; the three that answered
    // are spent, the unused one is not.
    let mut expected: Vec<String> = (0..4)
        .map(|n| format!("{}:-:{}", token(n).to_hex(), u8::from(n < 3)))
        .collect();
    expected.sort();
    assert_eq!(token_links(&raw).await, expected);
    // Every response carries the closing day, not the day it was given.
    let days = raw
        .texts(
            "SELECT DISTINCT submitted_on FROM responses",
            "SELECT DISTINCT submitted_on::text FROM responses",
        )
        .await;
    assert_eq!(days, vec!["2027-01-15".to_string()]);
    assert_eq!(store.round(round.id).await.expect("round").responses, 3);
    let status = store.token_status(&token(1)).await.expect("status");
    assert_eq!((status.answered, status.spent), (false, true));
    let read = store.token_round(&token(1)).await.expect("token and round");
    assert_eq!((read.status, read.answers), (status, None));

    // Reopened, a spent token can't answer again (nobody can tell whose
    // response to replace); an unused one still can.
    store.reopen_round(round.id, close_day).await.expect("reopen");
    let refusal = refused(
        store
            .submit_response(round.id, &token(1), &quick_answers([3; 5]), close_day)
            .await,
    );
    assert_eq!(refusal, Refusal::TokenSpent { round: round.id });
    store
        .submit_response(round.id, &token(3), &quick_answers([3; 5]), close_day)
        .await
        .expect("an unused token answers");
    assert_eq!(store.round(round.id).await.expect("round").responses, 4);

    // An export of the closed round carries no link either.
    store.close_round(round.id, close_day).await.expect("close again");
    let document = store.export_all().await.expect("export");
    let exported = &document.rounds[0];
    assert!(exported.sealed);
    assert!(exported.tokens.iter().all(|t| t.response.is_none()));
    assert_eq!(exported.tokens.iter().filter(|t| t.spent).count(), 4);
    assert!(exported.responses.iter().all(|r| r.submitted_on == "2027-01-15"));
}

pub async fn rounds_closed_by_date_are_sealed_before_they_are_read(store: Arc<dyn Store>, raw: Raw) {
    store
        .register_model(&model("1.0.0"), MODEL_TOML)
        .await
        .expect("register model");
    add_team(&*store, "Platform", None).await;
    let mut by_date = new_round("Platform", Mode::Quick);
    by_date.closes_on = Some(DAY);
    let round = store.open_round(&by_date, &tokens(0..2)).await.expect("open");
    store
        .submit_response(round.id, &token(0), &quick_answers([1; 5]), DAY)
        .await
        .expect("answer on the last day");
    // Nothing to seal while the round is open.
    assert!(store.seal_closed_rounds(DAY).await.expect("seal").is_empty());
    assert!(token_links(&raw).await.iter().any(|l| !l.contains(":-:")));
    // The day after its closing date it is closed, and sealing removes the link.
    let after = DAY + Duration::days(1);
    assert_eq!(store.seal_closed_rounds(after).await.expect("seal"), vec![round.id]);
    assert!(token_links(&raw).await.iter().all(|l| l.contains(":-:")));
    // Sealing again finds nothing.
    assert!(store.seal_closed_rounds(after).await.expect("seal").is_empty());
    assert_eq!(
        store.round_responses(round.id).await.expect("answers"),
        canonical(vec![quick_answers([1; 5])])
    );
}

pub async fn a_teams_rounds_are_read_in_windows_newest_first(store: Arc<dyn Store>) {
    register(&*store).await;
    add_team(&*store, "A", None).await;
    add_team(&*store, "B", None).await;
    add_team(&*store, "Empty", None).await;
    // Opening days out of order, two on the same day: newest first is by
    // day, then the later opened first.
    let mut opened = Vec::new();
    for (n, day) in [
        date!(2026 - 10 - 01),
        date!(2027 - 04 - 01),
        date!(2026 - 01 - 15),
        date!(2027 - 04 - 01),
        date!(2026 - 07 - 01),
    ]
    .into_iter()
    .enumerate()
    {
        let mut round = new_round("A", if n % 2 == 0 { Mode::Quick } else { Mode::Detailed });
        round.opens_on = day;
        opened.push(store.open_round(&round, &[]).await.expect("open"));
        store
            .open_round(&new_round("B", Mode::Quick), &[])
            .await
            .expect("open B");
    }
    let whole: Vec<RoundId> = store
        .rounds(Some(&team("A")))
        .await
        .expect("rounds")
        .iter()
        .rev()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        whole,
        [opened[3].id, opened[1].id, opened[0].id, opened[4].id, opened[2].id],
        "the reverse of the oldest-first list"
    );

    let window = |offset: u64, limit: u32| asyncmm_store::Window { offset, limit };
    let mut paged = Vec::new();
    for offset in [0, 2, 4] {
        let listed = store
            .rounds_window(&team("A"), window(offset, 2))
            .await
            .expect("window");
        assert_eq!(listed.total, 5);
        assert!(listed.items.iter().all(|r| r.team == team("A")));
        paged.extend(listed.items.iter().map(|r| r.id));
    }
    assert_eq!(paged, whole, "windows hold every round once, in order");
    let all = store.rounds_window(&team("A"), window(0, 100)).await.expect("window");
    assert_eq!(
        all.items,
        store
            .rounds(Some(&team("A")))
            .await
            .expect("rounds")
            .into_iter()
            .rev()
            .collect::<Vec<_>>(),
        "the same rounds, with their counts"
    );
    let past = store
        .rounds_window(&team("A"), window(9, 2))
        .await
        .expect("past the end");
    assert_eq!((past.items.len(), past.total), (0, 5));
    let huge = store
        .rounds_window(&team("A"), window(u64::MAX, 2))
        .await
        .expect("huge offset");
    assert_eq!((huge.items.len(), huge.total), (0, 5));
    let empty = store
        .rounds_window(&team("Empty"), window(0, 10))
        .await
        .expect("no rounds");
    assert_eq!((empty.items.len(), empty.total), (0, 0));
    assert!(not_found(store.rounds_window(&team("Nobody"), window(0, 10)).await).contains("Nobody"));
}
