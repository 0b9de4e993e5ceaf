//! The conformance suite for kept round results: a closed round's
//! aggregated result comes back equal to what was kept, and never outlives
//! a change of the round — reopening, new responses (tokens or an import
//! into a closed round), a new k — nor is it kept for a round that is open
//! or whose responses changed since it was aggregated. Run on both backends
//! by the `conformance!` macro in `conformance.rs`.

use std::collections::HashMap;

use asyncmm_core::{GroupResult, K, Mode, NewRound, RoundId, Token, TokenHash, aggregate};
use asyncmm_model::Model;
use time::Date;
use time::macros::date;

use super::*;

const OPENS: Date = date!(2027 - 01 - 04);
const DAY: Date = date!(2027 - 01 - 10);

fn default_model() -> Model {
    asyncmm_model::default_model().expect("default model")
}

fn token(n: u32) -> TokenHash {
    let mut bytes = [0x6b; Token::BYTES];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    Token::from_random_bytes(bytes).hash()
}

/// A registered model, a team and a detailed round with `tokens` tokens
/// (none: a round that takes imports).
async fn round(store: &dyn Store, tokens: u32) -> RoundId {
    register(store).await;
    store.create_team(&team("Platform"), None).await.expect("team");
    let new = NewRound {
        team: team("Platform"),
        model: model("1.0.0"),
        mode: Mode::Detailed,
        k: K::DEFAULT,
        opens_on: OPENS,
        closes_on: None,
    };
    let issued: Vec<TokenHash> = (0..tokens).map(token).collect();
    store.open_round(&new, &issued).await.expect("open round").id
}

/// The round's result as aggregated from what is stored now.
async fn fresh(store: &dyn Store, id: RoundId) -> GroupResult {
    let responses = store.round_responses(id).await.expect("responses");
    aggregate(&default_model(), Mode::Detailed, &responses).expect("aggregate")
}

async fn kept(store: &dyn Store, id: RoundId) -> Option<GroupResult> {
    let mut all: HashMap<RoundId, GroupResult> = store.kept_results(&[id]).await.expect("kept results");
    all.remove(&id)
}

async fn keep(store: &dyn Store, id: RoundId, result: &GroupResult) -> usize {
    store.keep_results(&[(id, result)]).await.expect("keep")
}

pub async fn a_kept_result_comes_back_equal_and_only_while_it_matches(store: Arc<dyn Store>) {
    let id = round(&*store, 0).await;
    let first: Vec<Answers> = (0..4).map(detailed_answers).collect();
    store.import_responses(id, &first, DAY).await.expect("import");
    let open_result = fresh(&*store, id).await;
    // Open rounds are never kept.
    assert_eq!(keep(&*store, id, &open_result).await, 0);
    assert_eq!(kept(&*store, id).await, None);

    store.close_round(id, DAY).await.expect("close");
    let four = fresh(&*store, id).await;
    assert_eq!(four.respondents(), 4);
    assert_eq!(keep(&*store, id, &four).await, 1);
    assert_eq!(kept(&*store, id).await.as_ref(), Some(&four));
    // Keeping again replaces it with the same.
    assert_eq!(keep(&*store, id, &four).await, 1);
    assert_eq!(kept(&*store, id).await.as_ref(), Some(&four));

    // A result aggregated from another number of responses is not kept
    // and does not replace the one that matches.
    let three = aggregate(&default_model(), Mode::Detailed, &first[..3].to_vec().into()).expect("aggregate");
    assert_eq!(keep(&*store, id, &three).await, 0);
    assert_eq!(kept(&*store, id).await.as_ref(), Some(&four));

    // A closed round that is not published still takes imported
    // responses: the kept result goes at once, and the old result can't
    // come back.
    store
        .import_responses(id, &[detailed_answers(9)], DAY)
        .await
        .expect("import into the closed round");
    assert_eq!(kept(&*store, id).await, None);
    assert_eq!(keep(&*store, id, &four).await, 0);
    assert_eq!(kept(&*store, id).await, None);
    let five = fresh(&*store, id).await;
    assert_eq!(five.respondents(), 5);
    assert_ne!(five, four);
    assert_eq!(keep(&*store, id, &five).await, 1);
    assert_eq!(kept(&*store, id).await.as_ref(), Some(&five));

    // Reopening forgets it; while open nothing is kept; closing again
    // doesn't bring it back.
    store.reopen_round(id, DAY).await.expect("reopen");
    assert_eq!(kept(&*store, id).await, None);
    assert_eq!(keep(&*store, id, &five).await, 0);
    store.close_round(id, date!(2027 - 01 - 11)).await.expect("close again");
    assert_eq!(kept(&*store, id).await, None);
    assert_eq!(keep(&*store, id, &five).await, 1);
    assert_eq!(kept(&*store, id).await.as_ref(), Some(&five));

    // Unknown rounds are neither kept nor found.
    assert_eq!(keep(&*store, RoundId(987_654), &five).await, 0);
    assert_eq!(kept(&*store, RoundId(987_654)).await, None);
    assert!(store.kept_results(&[]).await.expect("none asked").is_empty());
}

pub async fn answers_given_after_a_reopen_replace_nothing_kept(store: Arc<dyn Store>) {
    let id = round(&*store, 6).await;
    for n in 0..4 {
        store
            .submit_response(id, &token(n), &detailed_answers(n as usize), DAY)
            .await
            .expect("answer");
    }
    store.close_round(id, DAY).await.expect("close");
    let before = fresh(&*store, id).await;
    assert_eq!(keep(&*store, id, &before).await, 1);

    // Reopened, a token that had not answered yet answers, and the round
    // closes again with as many responses as before plus one.
    store.reopen_round(id, DAY).await.expect("reopen");
    store
        .submit_response(id, &token(4), &detailed_answers(4), DAY)
        .await
        .expect("answer after reopening");
    store.close_round(id, date!(2027 - 01 - 11)).await.expect("close again");
    assert_eq!(kept(&*store, id).await, None);
    // A process that aggregated before the reopen can't keep its result now.
    assert_eq!(keep(&*store, id, &before).await, 0);
    assert_eq!(kept(&*store, id).await, None);
    let after = fresh(&*store, id).await;
    assert_eq!(after.respondents(), 5);
    assert_eq!(keep(&*store, id, &after).await, 1);
    assert_eq!(kept(&*store, id).await.as_ref(), Some(&after));
}

pub async fn a_new_k_forgets_the_kept_result(store: Arc<dyn Store>) {
    // k can change only before the first response: a closed round without
    // responses has a (empty) result that can be kept.
    let id = round(&*store, 0).await;
    store.close_round(id, DAY).await.expect("close");
    let empty = fresh(&*store, id).await;
    assert_eq!(empty.respondents(), 0);
    assert_eq!(keep(&*store, id, &empty).await, 1);
    assert_eq!(kept(&*store, id).await.as_ref(), Some(&empty));
    store.set_round_k(id, K::new(7).expect("k")).await.expect("new k");
    assert_eq!(kept(&*store, id).await, None);
}

pub async fn a_kept_result_that_cannot_be_read_is_left_out(store: Arc<dyn Store>, raw: Raw) {
    let id = round(&*store, 0).await;
    let answers: Vec<Answers> = (0..5).map(detailed_answers).collect();
    store.import_responses(id, &answers, DAY).await.expect("import");
    store.close_round(id, DAY).await.expect("close");
    let result = fresh(&*store, id).await;
    assert_eq!(keep(&*store, id, &result).await, 1);
    let broken = raw
        .texts(
            "UPDATE round_results SET result = '{\"f\": 999}' RETURNING CAST(round_id AS TEXT)",
            "UPDATE round_results SET result = '{\"f\": 999}' RETURNING round_id::text",
        )
        .await;
    assert_eq!(broken, vec![id.0.to_string()]);
    assert_eq!(kept(&*store, id).await, None);
    // Kept again, it replaces the unreadable row.
    assert_eq!(keep(&*store, id, &result).await, 1);
    assert_eq!(kept(&*store, id).await.as_ref(), Some(&result));
    // What is kept holds counts and scores, never a gated view or a token.
    let stored = raw
        .texts("SELECT result FROM round_results", "SELECT result FROM round_results")
        .await;
    assert_eq!(stored.len(), 1);
    assert!(stored[0].contains("\"n\":5"), "{}", stored[0]);
    assert!(!stored[0].contains("hidden"), "{}", stored[0]);
}
