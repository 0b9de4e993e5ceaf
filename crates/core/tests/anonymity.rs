//! Anonymity through the public API: the k threshold, the subtraction rule
//! on trees of groups, roll-up rules, model versions kept apart, and
//! properties over random organisations.

use std::collections::BTreeMap;

use asyncmm_core::{
    Agreement, Answer, Answers, AreaRollup, DetailedAnswers, GroupInput, GroupResult, GroupView, HiddenReason, K, Mode,
    ModelRef, Node, NodeRollup, QuickAnswers, Responses, RolledUp, Rollup, RollupError, RollupRule, Round, RoundId,
    Shown, TeamId, TeamName, aggregate, rollup, show_round, show_round_brief,
};
use asyncmm_model::{AreaId, Level, Model, StatementId};
use proptest::prelude::*;
use time::{Date, Month};

fn model(version: &str) -> Model {
    let mut toml = format!(
        "[model]\nid = \"t\"\nversion = \"{version}\"\ntitle = \"T\"\n[model.source]\ntitle = \"s\"\nauthor = \"a\"\nlicense = \"CC-BY-4.0\"\nurl = \"https://example.org\"\n"
    );
    for (n, name) in ["Unaware", "Initial", "Defined", "Optimizing"].iter().enumerate() {
        toml.push_str(&format!(
            "[[levels]]\nnumber = {n}\nname = \"{name}\"\nmeaning = \"m\"\n"
        ));
    }
    toml.push_str("[scoring]\nbeta = 6.0\nprofiles = [[3, 1, 0, 0], [1, 3, 1, 0], [0, 1, 3, 1], [0, 0, 3, 3]]\n");
    for area in ["docs", "meetings"] {
        toml.push_str(&format!(
            "[[areas]]\nid = \"{area}\"\nname = \"{area}\"\nintro = \"i\"\n"
        ));
        for level in 0..4 {
            for n in 1..=3 {
                toml.push_str(&format!(
                    "[[areas.statements]]\nid = \"{area}.{level}.{n}\"\ntext = \"t\"\nsuggestion = \"s\"\n"
                ));
            }
        }
    }
    asyncmm_model::parse(&toml, "test.toml").expect("test model is valid")
}

fn k(n: i64) -> K {
    K::new(n).expect("valid k")
}

fn area(id: &str) -> AreaId {
    AreaId::parse(id).expect("area id")
}

fn day(d: u8) -> Date {
    Date::from_calendar_date(2027, Month::March, d).expect("date")
}

/// A round of threshold `k_`, closed on March 10th (`closed`) or still open.
fn round_meta(k_: i64, closed: bool, responses: u64) -> Round {
    Round {
        id: RoundId(1),
        team: TeamName::parse("T").expect("team"),
        model: ModelRef {
            id: "t".into(),
            version: "1".into(),
        },
        mode: Mode::Quick,
        k: k(k_),
        opens_on: day(1),
        closes_on: None,
        closed_on: closed.then(|| day(10)),
        published: false,
        intake: None,
        responses,
    }
}

/// Today, for every test: after the closing day above.
fn today() -> Date {
    day(20)
}

/// A quick-mode round: respondent i picks `docs[i]` for docs and, when
/// given, `meetings[i]` for meetings.
fn round_with(m: &Model, docs: &[u8], meetings: &[Option<u8>]) -> GroupResult {
    let responses: Vec<Answers> = docs
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let mut map = BTreeMap::new();
            map.insert(area("docs"), Level::new(d).expect("level"));
            if let Some(Some(l)) = meetings.get(i) {
                map.insert(area("meetings"), Level::new(*l).expect("level"));
            }
            Answers::Quick(QuickAnswers::from_map(map))
        })
        .collect();
    aggregate(m, Mode::Quick, &Responses::new(responses)).expect("one mode")
}

/// `n` respondents all picking `level` in both areas.
fn round(m: &Model, n: usize, level: u8) -> GroupResult {
    round_with(m, &vec![level; n], &vec![Some(level); n])
}

/// A team with a closed round of threshold `k_`, or a group without one.
fn team(id: i64, parent: Option<i64>, k_: i64, result: Option<GroupResult>) -> GroupInput {
    match result {
        Some(result) => GroupInput::with_round(
            TeamId(id),
            parent.map(TeamId),
            &round_meta(k_, true, result.respondents()),
            today(),
            result,
        ),
        None => GroupInput::without_round(TeamId(id), parent.map(TeamId)),
    }
}

/// What a closed round of threshold `k_` shows.
fn shown(m: &Model, k_: i64, result: &GroupResult) -> Shown<GroupView> {
    show_round(&round_meta(k_, true, result.respondents()), today(), m, result)
}

fn only(rollups: Vec<Rollup>) -> Rollup {
    assert_eq!(rollups.len(), 1, "one model version, one roll-up");
    rollups.into_iter().next().expect("one")
}

fn node(r: &Rollup, id: i64) -> &NodeRollup {
    r.groups
        .iter()
        .find(|g| g.node == Node::Group(TeamId(id)))
        .expect("node in roll-up")
}

fn content(shown: &NodeRollup) -> &RolledUp {
    shown.result.value().expect("node visible")
}

fn area_of(shown: &NodeRollup, a: usize) -> &AreaRollup {
    content(shown).areas[a].value().expect("area visible")
}

fn ids(list: &[i64]) -> Vec<TeamId> {
    list.iter().map(|&i| TeamId(i)).collect()
}

const G: i64 = 1;
const A: i64 = 10;
const B: i64 = 11;
const C: i64 = 12;

#[test]
fn k_five_hides_four_and_shows_five() {
    let m = model("1");
    let four = shown(&m, 5, &round(&m, 4, 2));
    assert_eq!(four.hidden_reason(), Some(HiddenReason::TooFewResponses));
    assert_eq!(four.n(), 4);
    assert_eq!(
        serde_json::to_value(&four).expect("serializes"),
        serde_json::json!({"hidden": true, "n": 4, "k": 5, "reason": "too_few_responses"})
    );
    let five = shown(&m, 5, &round(&m, 5, 2));
    let view = five.value().expect("5 ≥ k");
    assert_eq!(view.areas[0].value().expect("docs").summary.spread.median.value(), 2.0);
    let json = serde_json::to_value(&five).expect("serializes");
    assert_eq!(json["hidden"], serde_json::json!(false));
    assert_eq!(json["n"], serde_json::json!(5));
    assert_eq!(json["value"]["areas"][0]["value"]["median"], serde_json::json!(2.0));
    let none = shown(&m, 3, &round(&m, 0, 2));
    assert_eq!(none.hidden_reason(), Some(HiddenReason::NoResponses));
}

#[test]
fn an_open_round_shows_only_its_count() {
    let m = model("1");
    let result = round(&m, 12, 2);
    let open = show_round(&round_meta(5, false, 12), today(), &m, &result);
    assert_eq!(open.hidden_reason(), Some(HiddenReason::RoundOpen));
    assert_eq!(open.n(), 12, "the count is counted from the responses");
    assert_eq!(
        serde_json::to_value(&open).expect("serializes"),
        serde_json::json!({"hidden": true, "n": 12, "k": 5, "reason": "round_open"})
    );
    // A round with a closing date in the future is open too, one that
    // passed it is closed.
    let mut by_date = round_meta(5, false, 12);
    by_date.closes_on = Some(day(25));
    assert!(!show_round(&by_date, today(), &m, &result).is_visible());
    by_date.closes_on = Some(day(19));
    assert!(show_round(&by_date, today(), &m, &result).is_visible());
    // An open round takes no part in roll-ups.
    let input = GroupInput::with_round(TeamId(A), None, &round_meta(5, false, 12), today(), result);
    assert!(
        rollup(&[input], RollupRule::PooledRespondents)
            .expect("valid")
            .is_empty()
    );
}

/// Detailed answers for the "docs" area: statement id → agreement or
/// "don't know".
fn detailed(answers: &[(&str, Option<u8>)]) -> Answers {
    let map = answers
        .iter()
        .map(|(id, v)| {
            let answer = match v {
                Some(v) => Answer::Agree(Agreement::new(*v).expect("0-3")),
                None => Answer::DontKnow,
            };
            (StatementId::parse(id).expect("id"), answer)
        })
        .collect();
    Answers::Detailed(DetailedAnswers::from_map(map))
}

#[test]
fn a_statement_shows_only_with_k_answers_and_the_explanation_leaves_it_out() {
    let m = model("1");
    // Five respondents answer docs.2.1 and docs.3.1; only one gives docs.0.1
    // an agreement, the other four say "don't know".
    let mut responses = Vec::new();
    for i in 0..5u8 {
        let lone = if i == 0 { Some(3) } else { None };
        responses.push(detailed(&[
            ("docs.0.1", lone),
            ("docs.2.1", Some(2 + i % 2)),
            ("docs.3.1", Some(1)),
        ]));
    }
    let result = aggregate(&m, Mode::Detailed, &Responses::new(responses)).expect("one mode");
    let view = shown(&m, 5, &result).into_value().expect("5 respondents");
    let docs = view.areas[0].value().expect("docs");
    let statements = docs.statements.as_ref().expect("detailed");
    let lone = &statements[0];
    assert_eq!(lone.hidden_reason(), Some(HiddenReason::TooFewAnswers));
    assert_eq!(lone.n(), 1, "only the count of who answered");
    let json = serde_json::to_string(&view).expect("serializes");
    assert!(
        !json.contains("\"agreement\":[0,0,0,1]"),
        "the lone answer must not be shown: {json}"
    );
    let shown_2_1 = statements[6].value().expect("five answered docs.2.1");
    assert_eq!(shown_2_1.statement.to_string(), "docs.2.1");
    assert_eq!(shown_2_1.agreement, [0, 0, 3, 2]);
    // The explanation counts only the two shown statements, so the lone
    // answer can't be worked back out of the fit.
    let explanation = docs.explanation.as_ref().expect("detailed");
    assert_eq!(explanation.answered, 2);
    let scored = explanation.scored.as_ref().expect("scored");
    assert!(
        scored
            .holding_back
            .iter()
            .all(|g| g.statement.to_string() != "docs.0.1")
    );
}

#[test]
fn one_small_team_is_left_out_of_the_pool_instead_of_hiding_its_group() {
    // Engineering = Payments (5) + Remote Squad (7) + Mobile (3), k = 5:
    // pooling Mobile in would reveal it by difference, so it is left out
    // and the rest is shown, saying what was left out.
    let m = model("1");
    let (payments, squad, mobile) = (A, B, C);
    let inputs = [
        team(G, None, 5, None),
        team(payments, Some(G), 5, Some(round(&m, 5, 2))),
        team(squad, Some(G), 5, Some(round(&m, 7, 1))),
        team(mobile, Some(G), 5, Some(round(&m, 3, 0))),
    ];
    let pooled = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(
        node(&pooled, mobile).result.hidden_reason(),
        Some(HiddenReason::TooFewResponses)
    );
    for top in [node(&pooled, G), &pooled.organisation] {
        let c = content(top);
        assert_eq!(top.result.n(), 12);
        assert_eq!(c.teams, 2);
        assert_eq!(c.left_out.teams, ids(&[mobile]));
        assert_eq!(c.left_out.respondents, 3);
        let docs = area_of(top, 0);
        assert_eq!(docs.respondents, 12);
        assert_eq!(docs.summary.levels, [0, 7, 5, 0], "Mobile's level 0 is nowhere");
        assert_eq!(docs.left_out.teams, ids(&[mobile]));
    }
    // The median of the visible teams' medians uses no hidden data, so a
    // hidden team can't hide it either.
    let medians = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    for top in [node(&medians, G), &medians.organisation] {
        let docs = area_of(top, 0);
        assert_eq!(docs.teams_counted, 2);
        assert_eq!(docs.left_out.teams, ids(&[mobile]));
        assert_eq!(docs.summary.levels, [0, 1, 1, 0], "team levels, not respondents");
    }
}

#[test]
fn subtraction_two_visible_teams_show_the_group() {
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&m, 6, 2))),
        team(B, Some(G), 5, Some(round(&m, 7, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    let g = &node(&r, G).result;
    assert!(g.is_visible());
    assert_eq!(g.n(), 13);
    assert!(content(node(&r, G)).left_out.is_empty());
    assert!(r.organisation.result.is_visible());
}

#[test]
fn two_hidden_teams_together_reach_k_and_are_pooled_in() {
    // G − A = B ∪ C: six people, as anonymous as any group of ≥ 5, so they
    // are pooled in; what is shown of B and C is only pooled with each other
    // and A.
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&m, 6, 3))),
        team(B, Some(G), 5, Some(round(&m, 3, 0))),
        team(C, Some(G), 5, Some(round(&m, 3, 1))),
    ];
    let pooled = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(pooled.rule, RollupRule::PooledRespondents);
    let g = node(&pooled, G);
    assert!(content(g).left_out.is_empty());
    let docs = area_of(g, 0);
    assert_eq!(docs.respondents, 12);
    assert_eq!(docs.teams_counted, 3);
    assert!(docs.left_out.is_empty());
    assert_eq!(docs.summary.levels, [3, 3, 0, 6]);
    // Sorted 0 0 0 1 1 1 3 3 3 3 3 3: median at position 5.5 → (1 + 3) / 2.
    assert_eq!(docs.summary.spread.median.value(), 2.0);

    // Median of medians: B's and C's medians (0 and 1) are statistics of
    // three people each. With them the median of {3, 0, 1} would be C's
    // median verbatim, so only A counts.
    let mom = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    assert_eq!(mom.rule, RollupRule::MedianOfTeamMedians);
    let docs = area_of(node(&mom, G), 0);
    assert_eq!(docs.teams_counted, 1);
    assert_eq!(docs.left_out.teams, ids(&[B, C]));
    assert_eq!(docs.respondents, 6);
    let s = &docs.summary;
    assert_eq!(
        [s.spread.min, s.spread.median, s.spread.max].map(|x| x.value()),
        [3.0, 3.0, 3.0]
    );
    assert_eq!(s.levels, [0, 0, 0, 1], "team levels, not respondents");
    let json = serde_json::to_value(&mom).expect("serializes");
    assert_eq!(json["rule"], serde_json::json!("median_of_team_medians"));
}

#[test]
fn median_of_medians_with_every_team_hidden_shows_nothing() {
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&m, 3, 3))),
        team(B, Some(G), 5, Some(round(&m, 3, 0))),
    ];
    let r = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    assert_eq!(node(&r, G).result.hidden_reason(), Some(HiddenReason::NoVisibleTeams));
    assert_eq!(node(&r, G).result.n(), 6);
    // Pooled, the two hidden teams together reach k.
    let pooled = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(area_of(node(&pooled, G), 0).respondents, 6);
}

#[test]
fn both_rules_by_hand() {
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round_with(&m, &[0, 0, 1, 1, 1, 1], &[]))),
        team(B, Some(G), 5, Some(round_with(&m, &[2, 2, 3, 3, 3, 3], &[]))),
    ];
    // Pooled: 0 0 1 1 1 1 2 2 3 3 3 3; positions 2.75, 5.5, 8.25.
    let pooled = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    let s = &area_of(node(&pooled, G), 0).summary;
    assert_eq!(
        [s.spread.q1, s.spread.median, s.spread.q3].map(|x| x.value()),
        [1.0, 1.5, 3.0]
    );
    assert_eq!(s.level.number(), 1, "1.5 rounds down");
    assert!(s.disagreement);
    assert_eq!(s.levels, [2, 4, 2, 4]);
    // Team medians: A 1, B 3 → median 2, quartiles 1.5 and 2.5.
    let mom = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    let s = &area_of(node(&mom, G), 0).summary;
    assert_eq!(
        [s.spread.q1, s.spread.median, s.spread.q3].map(|x| x.value()),
        [1.5, 2.0, 2.5]
    );
    assert_eq!(s.level.number(), 2);
    assert!(s.disagreement, "IQR of team medians = 1");
    assert_eq!(s.levels, [0, 1, 0, 1]);
    // Nobody answered meetings: hidden as "no responses", not shown empty.
    let meetings = &content(node(&mom, G)).areas[1];
    assert_eq!(meetings.hidden_reason(), Some(HiddenReason::NoResponses));
}

#[test]
fn nested_groups_leave_a_small_team_out_all_the_way_up() {
    // O ⊃ {A(6), H ⊃ {B(3), D(6)}}. H shows D and leaves B out; O leaves B
    // out as well, because O − A − D would be B.
    let m = model("1");
    let (o, h, d) = (1, 2, 13);
    let inputs = [
        team(o, None, 5, None),
        team(A, Some(o), 5, Some(round(&m, 6, 2))),
        team(h, Some(o), 5, None),
        team(B, Some(h), 5, Some(round(&m, 3, 0))),
        team(d, Some(h), 5, Some(round(&m, 6, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(node(&r, h).result.n(), 6);
    assert_eq!(content(node(&r, h)).left_out.teams, ids(&[B]));
    assert_eq!(node(&r, o).result.n(), 12);
    assert_eq!(content(node(&r, o)).left_out.teams, ids(&[B]));
    assert_eq!(r.organisation.result.n(), 12);

    // With B at 5 everything can be shown, at every level, with nothing left out.
    let inputs = [
        team(o, None, 5, None),
        team(A, Some(o), 5, Some(round(&m, 6, 2))),
        team(h, Some(o), 5, None),
        team(B, Some(h), 5, Some(round(&m, 5, 0))),
        team(d, Some(h), 5, Some(round(&m, 6, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    for id in [o, A, h, B, d] {
        assert!(node(&r, id).result.is_visible(), "node {id}");
    }
    assert_eq!(r.organisation.result.n(), 17);
    assert!(content(&r.organisation).left_out.is_empty());
}

#[test]
fn two_small_parts_in_different_groups_pool_in_higher_up() {
    // O ⊃ {H1 ⊃ {A(6), B(3)}, H2 ⊃ {C(6), D(3)}}: each middle group leaves
    // its small team out; at O the two small teams together reach k.
    let m = model("1");
    let (o, h1, h2, d) = (1, 2, 3, 13);
    let inputs = [
        team(o, None, 5, None),
        team(h1, Some(o), 5, None),
        team(h2, Some(o), 5, None),
        team(A, Some(h1), 5, Some(round(&m, 6, 2))),
        team(B, Some(h1), 5, Some(round(&m, 3, 0))),
        team(C, Some(h2), 5, Some(round(&m, 6, 1))),
        team(d, Some(h2), 5, Some(round(&m, 3, 3))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(content(node(&r, h1)).left_out.teams, ids(&[B]));
    assert_eq!(content(node(&r, h2)).left_out.teams, ids(&[d]));
    let top = content(node(&r, o));
    assert!(top.left_out.is_empty());
    assert_eq!(node(&r, o).result.n(), 18);
}

#[test]
fn a_group_round_counts_as_its_own_part() {
    let m = model("1");
    // The group's own round (6) is visible on its own; A (3) is left out.
    let inputs = [
        team(G, None, 5, Some(round(&m, 6, 2))),
        team(A, Some(G), 5, Some(round(&m, 3, 0))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(node(&r, G).result.n(), 6);
    assert_eq!(content(node(&r, G)).left_out.teams, ids(&[A]));
    // The group's own round (3) is hidden: it is the part left out.
    let inputs = [
        team(G, None, 5, Some(round(&m, 3, 2))),
        team(A, Some(G), 5, Some(round(&m, 6, 0))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(content(node(&r, G)).left_out.teams, ids(&[G]));
    // Own 3 and B 3 are both hidden but only together: 6 ≥ k, pooled in.
    let inputs = [
        team(G, None, 5, Some(round(&m, 3, 2))),
        team(A, Some(G), 5, Some(round(&m, 6, 0))),
        team(B, Some(G), 5, Some(round(&m, 3, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(node(&r, G).result.n(), 12);
    let r = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    let g = node(&r, G);
    assert_eq!(content(g).teams, 1, "only A is shown on its own");
    assert_eq!(content(g).left_out.teams, ids(&[G, B]));
    assert_eq!(area_of(g, 0).teams_counted, 1);
}

#[test]
fn the_strictest_k_below_a_group_applies() {
    let m = model("1");
    // A asked for k = 7 and has 6: hidden, and too few to pool in at G,
    // which respects A's 7, not its own 5: B's 6 alone are below 7.
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 7, Some(round(&m, 6, 2))),
        team(B, Some(G), 5, Some(round(&m, 6, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(node(&r, A).result.hidden_reason(), Some(HiddenReason::TooFewResponses));
    let g = node(&r, G);
    assert_eq!(g.k, k(7));
    assert_eq!(g.result.hidden_reason(), Some(HiddenReason::TooFewResponses));
    assert_eq!(r.organisation.k, k(7));
    // With k = 5 for A, 6 is enough everywhere.
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&m, 6, 2))),
        team(B, Some(G), 5, Some(round(&m, 6, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(node(&r, G).result.n(), 12);
}

#[test]
fn areas_are_gated_and_pooled_on_their_own_counts() {
    let m = model("1");
    // A: 6 respondents, only 4 picked a level for meetings.
    let a = round_with(&m, &[2; 6], &[Some(1), Some(1), Some(2), Some(2), None, None]);
    let a_view = shown(&m, 5, &a).into_value().expect("6 ≥ 5");
    assert!(a_view.areas[0].is_visible());
    assert_eq!(a_view.areas[1].hidden_reason(), Some(HiddenReason::TooFewResponses));
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(a)),
        team(B, Some(G), 5, Some(round(&m, 6, 3))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    let g = node(&r, G);
    assert_eq!(area_of(g, 0).respondents, 12);
    // G's meetings would be A's 4 plus B's 6; B's 6 can be subtracted, so
    // A's 4 are left out.
    let meetings = area_of(g, 1);
    assert_eq!(meetings.respondents, 6);
    assert_eq!(meetings.left_out.teams, ids(&[A]));
    assert_eq!(meetings.left_out.respondents, 4);
    assert_eq!(meetings.summary.levels, [0, 0, 0, 6]);
}

#[test]
fn model_versions_and_modes_are_never_pooled() {
    let v1 = model("1");
    let v2 = model("2");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&v1, 6, 3))),
        team(B, Some(G), 5, Some(round(&v2, 7, 0))),
    ];
    let rollups = rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree");
    assert_eq!(rollups.len(), 2);
    let versions: Vec<&str> = rollups.iter().map(|r| r.model.version.as_str()).collect();
    assert_eq!(versions, ["1", "2"]);
    for (r, n, team_id, level) in [(&rollups[0], 6, A, 3), (&rollups[1], 7, B, 0)] {
        assert_eq!(r.organisation.result.n(), n);
        assert_eq!(node(r, G).result.n(), n);
        let nodes: Vec<Node> = r.groups.iter().map(|g| g.node).collect();
        assert_eq!(nodes, [Node::Group(TeamId(G)), Node::Group(TeamId(team_id))]);
        let s = &area_of(node(r, G), 0).summary;
        assert_eq!(s.levels[level], n, "only this version's respondents");
    }

    // Same version, different modes: two roll-ups too.
    let detailed = aggregate(&v1, Mode::Detailed, &Responses::default()).expect("empty round");
    let inputs = [
        team(A, None, 5, Some(round(&v1, 6, 3))),
        team(B, None, 5, Some(detailed)),
    ];
    let modes: Vec<Mode> = rollup(&inputs, RollupRule::PooledRespondents)
        .expect("valid tree")
        .iter()
        .map(|r| r.mode)
        .collect();
    assert_eq!(modes, [Mode::Detailed, Mode::Quick]);
}

#[test]
fn broken_trees_are_rejected() {
    let m = model("1");
    let dup = [team(A, None, 5, None), team(A, None, 5, Some(round(&m, 5, 1)))];
    assert_eq!(
        rollup(&dup, RollupRule::PooledRespondents).expect_err("duplicate"),
        RollupError::DuplicateGroup(TeamId(A))
    );
    let orphan = [team(A, Some(99), 5, None)];
    let err = rollup(&orphan, RollupRule::PooledRespondents).expect_err("unknown parent");
    assert_eq!(
        err,
        RollupError::UnknownParent {
            group: TeamId(A),
            parent: TeamId(99)
        }
    );
    assert!(err.to_string().contains("99"), "{err}");
    let cycle = [
        team(A, Some(B), 5, None),
        team(B, Some(A), 5, None),
        team(G, None, 5, None),
    ];
    assert!(matches!(
        rollup(&cycle, RollupRule::PooledRespondents),
        Err(RollupError::Cycle(_))
    ));
}

#[test]
fn an_empty_organisation_has_no_rollups() {
    assert_eq!(rollup(&[], RollupRule::PooledRespondents), Ok(Vec::new()));
    let m = model("1");
    let empty = aggregate(&m, Mode::Quick, &Responses::default()).expect("empty round");
    let r = only(rollup(&[team(A, None, 5, Some(empty))], RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(r.organisation.result.hidden_reason(), Some(HiddenReason::NoResponses));
    assert!(r.groups.is_empty(), "nodes without respondents are left out");
}

// ---- properties over random organisations ----

/// One random node: parent choice, k, own respondents (0 = no round),
/// model version, and a seed for its answers.
type NodeSpec = (usize, i64, usize, usize, u64);

fn arb_org(k_range: std::ops::Range<i64>) -> impl Strategy<Value = Vec<NodeSpec>> {
    proptest::collection::vec((any::<usize>(), k_range, 0usize..10, 0usize..2, any::<u64>()), 1..12)
}

struct Org {
    inputs: Vec<GroupInput>,
    parent: Vec<Option<usize>>,
    k: Vec<i64>,
    results: Vec<Option<GroupResult>>,
}

fn build(specs: &[NodeSpec], models: &[Model; 2]) -> Org {
    let mut org = Org {
        inputs: Vec::new(),
        parent: Vec::new(),
        k: Vec::new(),
        results: Vec::new(),
    };
    for (i, &(p, k_, n, version, seed)) in specs.iter().enumerate() {
        // Node i hangs under an earlier node, or is a root (about a third).
        let p = (i > 0 && p % 3 != 0).then(|| p % i);
        let result = (n > 0).then(|| {
            let mut state = seed | 1;
            let mut next = || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let docs: Vec<u8> = (0..n).map(|_| (next() % 4) as u8).collect();
            // Some respondents skip meetings, so area counts differ.
            let meetings: Vec<Option<u8>> = (0..n)
                .map(|_| {
                    let x = next();
                    (x % 3 != 0).then_some((x % 4) as u8)
                })
                .collect();
            round_with(&models[version], &docs, &meetings)
        });
        org.parent.push(p);
        // A group without a round of its own takes the default k.
        org.k.push(if result.is_some() {
            k_
        } else {
            i64::from(K::DEFAULT.get())
        });
        org.inputs.push(team(i as i64, p.map(|p| p as i64), k_, result.clone()));
        org.results.push(result);
    }
    org
}

impl Org {
    /// Whether `node` is `ancestor` or lies below it.
    fn within(&self, mut node: usize, ancestor: Option<usize>) -> bool {
        let Some(ancestor) = ancestor else { return true };
        loop {
            if node == ancestor {
                return true;
            }
            match self.parent[node] {
                Some(p) => node = p,
                None => return false,
            }
        }
    }

    fn strictest_k(&self, top: Option<usize>) -> u16 {
        (0..self.inputs.len())
            .filter(|&i| self.within(i, top))
            .map(|i| self.k[i] as u16)
            .max()
            .unwrap_or(K::DEFAULT.get())
    }
}

/// Independent of the implementation: everything an observer sees of one
/// quantity (a whole round's respondents, or one area's) is a family of
/// respondent sets — each round shown on its own, and each shown roll-up
/// pool. Counts and level distributions add up, so the observer can work
/// out every cell of their Venn diagram: respondents who are in exactly the
/// same shown sets. No such cell may hold 1 to k − 1 people (k the
/// strictest of its rounds).
fn check_regions(
    org: &Org,
    n_of: &dyn Fn(usize) -> u64,
    own_shown: &dyn Fn(usize) -> bool,
    pools: &[Vec<usize>],
) -> Result<(), TestCaseError> {
    let units: Vec<usize> = (0..org.inputs.len()).filter(|&u| n_of(u) > 0).collect();
    let mut regions: BTreeMap<Vec<usize>, (u64, u16)> = BTreeMap::new();
    for &u in &units {
        let mut signature: Vec<usize> = pools
            .iter()
            .enumerate()
            .filter(|(_, pool)| pool.contains(&u))
            .map(|(i, _)| i)
            .collect();
        if own_shown(u) {
            signature.push(usize::MAX - u);
        }
        if signature.is_empty() {
            continue;
        }
        let entry = regions.entry(signature).or_insert((0, 0));
        entry.0 += n_of(u);
        entry.1 = entry.1.max(org.k[u] as u16);
    }
    for (signature, (n, k_)) in regions {
        prop_assert!(
            n >= u64::from(k_),
            "a region of {} people with k {} ({:?})",
            n,
            k_,
            signature
        );
    }
    Ok(())
}

fn check_org(org: &Org, rollups: &[Rollup]) -> Result<(), TestCaseError> {
    let m = model("1");
    for r in rollups {
        let in_key = |i: usize| {
            org.results[i]
                .as_ref()
                .filter(|g| g.model() == &r.model && g.mode() == r.mode)
        };
        let find = |i: usize| r.groups.iter().find(|g| g.node == Node::Group(TeamId(i as i64)));
        let tops: Vec<(Option<usize>, &NodeRollup)> = std::iter::once((None, &r.organisation))
            .chain((0..org.inputs.len()).filter_map(|i| find(i).map(|g| (Some(i), g))))
            .collect();
        let members = |top: Option<usize>| -> Vec<usize> {
            (0..org.inputs.len())
                .filter(|&u| org.within(u, top) && in_key(u).is_some())
                .collect()
        };
        let own_view = |u: usize| in_key(u).map(|g| shown(&m, org.k[u], g));
        // Whole rounds.
        let mut pools: Vec<Vec<usize>> = Vec::new();
        for (top, node) in &tops {
            prop_assert_eq!(node.k.get(), org.strictest_k(*top));
            let Some(content) = node.result.value() else { continue };
            let pool: Vec<usize> = members(*top)
                .into_iter()
                .filter(|u| !content.left_out.teams.contains(&TeamId(*u as i64)))
                .collect();
            let pooled_n: u64 = pool
                .iter()
                .filter_map(|&u| in_key(u))
                .map(GroupResult::respondents)
                .sum();
            if r.rule == RollupRule::PooledRespondents {
                prop_assert_eq!(node.result.n(), pooled_n);
                prop_assert!(pooled_n >= u64::from(node.k.get()));
            } else {
                // The median rule pools nothing: every round it uses is shown on its own.
                for &u in &pool {
                    prop_assert!(own_view(u).is_some_and(|v| v.is_visible()));
                }
            }
            pools.push(pool);
        }
        check_regions(
            org,
            &|u| in_key(u).map_or(0, GroupResult::respondents),
            &|u| own_view(u).is_some_and(|v| v.is_visible()),
            &pools,
        )?;
        // Each area on its own counts.
        for (a, id) in [area("docs"), area("meetings")].iter().enumerate() {
            let mut pools: Vec<Vec<usize>> = Vec::new();
            for (top, node) in &tops {
                let Some(cell) = node.result.value().and_then(|c| c.areas[a].value()) else {
                    continue;
                };
                let pool: Vec<usize> = members(*top)
                    .into_iter()
                    .filter(|&u| in_key(u).is_some_and(|g| g.area_n(id) > 0))
                    .filter(|u| !cell.left_out.teams.contains(&TeamId(*u as i64)))
                    .collect();
                let n: u64 = pool.iter().filter_map(|&u| in_key(u)).map(|g| g.area_n(id)).sum();
                prop_assert_eq!(cell.respondents, n);
                if r.rule == RollupRule::PooledRespondents {
                    prop_assert!(n >= u64::from(node.k.get()));
                }
                pools.push(pool);
            }
            check_regions(
                org,
                &|u| in_key(u).map_or(0, |g| g.area_n(id)),
                &|u| own_view(u).is_some_and(|v| v.value().is_some_and(|v| v.areas[a].is_visible())),
                &pools,
            )?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The brief gate of the org views hides and shows exactly what the
    /// full one does; only the statements and explanation are left out.
    #[test]
    fn the_brief_view_is_the_full_one_without_explanations(
        answers in prop::collection::vec(prop::collection::vec(prop::option::of(0u8..4), 24), 0..9),
        k_ in 3i64..7,
        closed in any::<bool>(),
    ) {
        let m = model("1");
        let ids: Vec<String> = ["docs", "meetings"]
            .iter()
            .flat_map(|a| (0..4).flat_map(move |l| (1..=3).map(move |n| format!("{a}.{l}.{n}"))))
            .collect();
        let responses: Vec<Answers> = answers
            .iter()
            .map(|row| {
                let pairs: Vec<(&str, Option<u8>)> = ids.iter().map(String::as_str).zip(row.iter().copied()).collect();
                detailed(&pairs)
            })
            .collect();
        let n = responses.len() as u64;
        let result = aggregate(&m, Mode::Detailed, &Responses::new(responses)).expect("one mode");
        let round = round_meta(k_, closed, n);
        let full = show_round(&round, today(), &m, &result);
        let brief = show_round_brief(&round, today(), &m, &result);
        let mut expected = full.clone();
        if let Shown::Visible { value, .. } = &mut expected {
            for area in &mut value.areas {
                if let Shown::Visible { value: a, .. } = area {
                    a.statements = None;
                    a.explanation = None;
                    a.explanation_rounded = false;
                }
            }
        }
        prop_assert_eq!(&brief, &expected);
        // And the full view does explain every visible area.
        if let Shown::Visible { value, .. } = &full {
            for area in value.areas.iter().filter_map(Shown::value) {
                prop_assert!(area.explanation.is_some());
            }
        }
    }

    #[test]
    fn no_region_of_shown_sets_holds_fewer_than_k(specs in arb_org(3..8)) {
        let models = [model("1"), model("2")];
        let org = build(&specs, &models);
        for rule in [RollupRule::PooledRespondents, RollupRule::MedianOfTeamMedians] {
            let rollups = rollup(&org.inputs, rule).expect("generated trees are valid");
            prop_assert!(rollups.iter().all(|r| r.rule == rule));
            check_org(&org, &rollups)?;
        }
    }

    /// A hidden team never hides the median of medians: whenever a round
    /// below a node is shown on its own, the node's median rule is shown.
    #[test]
    fn a_shown_team_keeps_its_groups_median_shown(specs in arb_org(3..8)) {
        let models = [model("1"), model("2")];
        let org = build(&specs, &models);
        for r in rollup(&org.inputs, RollupRule::MedianOfTeamMedians).expect("valid") {
            for (i, g) in r.groups.iter().filter_map(|g| match g.node {
                Node::Group(TeamId(i)) => Some((i as usize, g)),
                Node::Organisation => None,
            }) {
                let any_shown = (0..org.inputs.len())
                    .filter(|&u| org.within(u, Some(i)))
                    .filter_map(|u| org.results[u].as_ref().filter(|res| res.model() == &r.model).map(|res| (u, res)))
                    .any(|(u, res)| res.respondents() >= org.k[u] as u64);
                prop_assert_eq!(g.result.is_visible(), any_shown, "node {}", i);
            }
        }
    }

    #[test]
    fn input_order_never_matters(specs in arb_org(3..8), seed in any::<u64>()) {
        let models = [model("1"), model("2")];
        let org = build(&specs, &models);
        let mut shuffled = org.inputs.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        for rule in [RollupRule::PooledRespondents, RollupRule::MedianOfTeamMedians] {
            prop_assert_eq!(rollup(&org.inputs, rule), rollup(&shuffled, rule));
        }
    }
}

#[test]
fn hidden_values_can_be_built_and_matched_outside_the_crate() {
    // Hiding is always safe; showing goes through the gate of the crate.
    let hidden: Shown<u8> = Shown::Hidden {
        n: 2,
        k: k(3),
        reason: HiddenReason::TooFewResponses,
    };
    assert!(!hidden.is_visible());
    assert_eq!(hidden.value(), None);
}
