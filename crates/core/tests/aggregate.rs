//! Team aggregation through the public API: hand-computed spreads and
//! distributions, quick and detailed mode, the team explanation from mean
//! answers, and the properties that must hold for any team.

use std::collections::BTreeMap;

use asyncmm_core::scoring::score_area_with;
use asyncmm_core::{
    AggregateError, Agreement, Answer, Answers, AreaAggregate, DetailedAnswers, GroupResult, HiddenReason, K, Mode,
    QuickAnswers, Responses, Round, RoundId, Score, Shown, Spread, TeamName, aggregate, assess, show_round,
};
use asyncmm_model::{AreaId, Level, Model, StatementId};
use num_rational::Ratio;
use proptest::prelude::*;

/// A model with the default profiles and β: `areas` areas of 4 levels × 3
/// statements, built from text so the test also goes through the parser.
fn model(areas: &[&str]) -> Model {
    let mut toml = String::from(
        "[model]\nid = \"t\"\nversion = \"1\"\ntitle = \"T\"\n[model.source]\ntitle = \"s\"\nauthor = \"a\"\nlicense = \"CC-BY-4.0\"\nurl = \"https://example.org\"\n",
    );
    for (n, name) in ["Unaware", "Initial", "Defined", "Optimizing"].iter().enumerate() {
        toml.push_str(&format!(
            "[[levels]]\nnumber = {n}\nname = \"{name}\"\nmeaning = \"m\"\n"
        ));
    }
    toml.push_str("[scoring]\nbeta = 6.0\nprofiles = [[3, 1, 0, 0], [1, 3, 1, 0], [0, 1, 3, 1], [0, 0, 3, 3]]\n");
    for area in areas {
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

fn sid(area: &str, level: u8, n: u16) -> StatementId {
    StatementId::new(AreaId::parse(area).expect("area"), Level::new(level).expect("level"), n).expect("id")
}

fn quick(picks: &[(&str, u8)]) -> Answers {
    let map: BTreeMap<AreaId, Level> = picks
        .iter()
        .map(|(a, l)| (area(a), Level::new(*l).expect("level")))
        .collect();
    Answers::Quick(QuickAnswers::from_map(map))
}

/// Detailed answers for area `docs`: twelve values in statement order
/// (docs.0.1 … docs.3.3); `None` = don't know.
fn detailed(values: [Option<u8>; 12]) -> Answers {
    let mut map = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        let answer = match v {
            Some(v) => Answer::Agree(Agreement::new(*v).expect("agreement")),
            None => Answer::DontKnow,
        };
        map.insert(sid("docs", (i / 3) as u8, (i % 3) as u16 + 1), answer);
    }
    Answers::Detailed(DetailedAnswers::from_map(map))
}

fn all(v: [u8; 12]) -> [Option<u8>; 12] {
    v.map(Some)
}

/// A round closed on May 2nd with threshold `k`, for `result`, and a day
/// after it.
fn closed_round(k: K, m: &Model, result: &GroupResult) -> (Round, time::Date) {
    let day = |d| time::Date::from_calendar_date(2027, time::Month::May, d).expect("date");
    let round = Round {
        id: RoundId(1),
        team: TeamName::parse("T").expect("team"),
        model: asyncmm_core::ModelRef::of(m),
        mode: result.mode(),
        k,
        opens_on: day(1),
        closes_on: None,
        closed_on: Some(day(2)),
        published: false,
        intake: None,
        responses: result.respondents(),
    };
    (round, day(3))
}

/// What a round closed with threshold `k` shows of `result`.
fn show(k: K, m: &Model, result: &GroupResult) -> Shown<asyncmm_core::GroupView> {
    let (round, today) = closed_round(k, m, result);
    show_round(&round, today, m, result)
}

/// The brief view (the org views') of `result` under `k`.
fn show_brief(k: K, m: &Model, result: &GroupResult) -> Shown<asyncmm_core::GroupView> {
    let (round, today) = closed_round(k, m, result);
    asyncmm_core::show_round_brief(&round, today, m, result)
}

#[test]
fn a_kept_result_of_another_format_or_that_does_not_add_up_is_refused() {
    let m = model(&["docs"]);
    let responses: Vec<Answers> = (0..4u8).map(|v| detailed(all([v % 4; 12]))).collect();
    let result = aggregate(&m, Mode::Detailed, &Responses::new(responses)).expect("one mode");
    let text = serde_json::to_string(&result.keep()).expect("kept as JSON");
    let newer = text.replacen("\"f\":1", "\"f\":2", 1);
    let kept: asyncmm_core::KeptResult = serde_json::from_str(&newer).expect("read back");
    assert_eq!(kept.restore(), Err(asyncmm_core::KeptError::Format { found: 2 }));
    // Debug shows counts, never the scores it holds.
    let kept = result.keep();
    let shown = format!("{kept:?}");
    assert!(shown.contains("4 respondents") && shown.contains("hidden"), "{shown}");
    assert!(!shown.contains("scores"), "{shown}");
    let short = text.replacen("\"n\":4", "\"n\":5", 2);
    let kept: asyncmm_core::KeptResult = serde_json::from_str(&short).expect("read back");
    assert!(matches!(kept.restore(), Err(asyncmm_core::KeptError::Inconsistent(_))));
}

fn visible_areas(k: K, m: &Model, result: &GroupResult) -> Vec<AreaAggregate> {
    let view = show(k, m, result).into_value().expect("group visible");
    view.areas
        .into_iter()
        .map(|a| a.into_value().expect("area visible"))
        .collect()
}

fn score_of(model: &Model, answers: &Answers) -> Score {
    assess(model, answers).areas[0].scored.as_ref().expect("assessed").score
}

#[test]
fn five_quick_respondents_by_hand() {
    let m = model(&["docs", "meetings"]);
    // docs sorted 0 1 1 2 3; meetings sorted 2 2 2 2 3. With n = 5 the
    // quartile positions (n−1)·p are 1, 2, 3: no interpolation needed.
    let responses = [
        quick(&[("docs", 3), ("meetings", 2)]),
        quick(&[("docs", 1), ("meetings", 2)]),
        quick(&[("docs", 0), ("meetings", 3)]),
        quick(&[("docs", 2), ("meetings", 2)]),
        quick(&[("docs", 1), ("meetings", 2)]),
    ];
    let result = aggregate(&m, Mode::Quick, &Responses::new(responses.to_vec())).expect("one mode");
    assert_eq!(result.respondents(), 5);
    let areas = visible_areas(k(5), &m, &result);

    let docs = &areas[0];
    assert_eq!(docs.area.as_str(), "docs");
    assert_eq!(docs.n, 5);
    let s = &docs.summary;
    assert_eq!(
        [s.spread.min, s.spread.q1, s.spread.median, s.spread.q3, s.spread.max].map(Score::value),
        [0.0, 1.0, 1.0, 2.0, 3.0]
    );
    assert_eq!(s.spread.iqr, 1.0);
    assert!(s.disagreement, "IQR of exactly one level is disagreement");
    assert_eq!(s.levels, [1, 2, 1, 1]);
    assert_eq!(s.level.number(), 1);

    let meetings = &areas[1].summary;
    assert_eq!(
        [
            meetings.spread.min,
            meetings.spread.q1,
            meetings.spread.median,
            meetings.spread.q3,
            meetings.spread.max
        ]
        .map(Score::value),
        [2.0, 2.0, 2.0, 2.0, 3.0]
    );
    assert_eq!(meetings.spread.iqr, 0.0);
    assert!(!meetings.disagreement);
    assert_eq!(meetings.levels, [0, 0, 4, 1]);
    assert_eq!(meetings.level.number(), 2);

    // Quick mode has no statements to count and nothing to explain.
    for a in &areas {
        assert_eq!(a.statements, None);
        assert_eq!(a.explanation, None);
        assert_eq!(a.inconsistent, 0);
    }
}

#[test]
fn five_detailed_respondents_by_hand() {
    let m = model(&["docs"]);
    let level0 = detailed(all([3, 3, 3, 1, 1, 1, 0, 0, 0, 0, 0, 0]));
    let level2 = detailed(all([0, 0, 0, 1, 1, 1, 3, 3, 3, 1, 1, 1]));
    let example = detailed(all([0, 0, 0, 1, 0, 1, 3, 3, 3, 1, 2, 1]));
    let threes = detailed(all([3; 12]));
    let level3 = detailed(all([0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3]));
    // Individual scores (PRODUCT.md's worked examples): ≈0.00, 2.01, 2.08,
    // 2.50 (all threes: level 3, clamped to 3 − ½), 2.99. Sorted, the
    // quartile positions are ranks 1, 2, 3.
    let scores = [&level0, &level2, &example, &threes, &level3].map(|a| score_of(&m, a));
    assert_eq!(scores.map(|s| s.to_string()), ["0.00", "2.01", "2.08", "2.50", "2.99"]);
    assert_eq!(scores[3].value(), 2.5);

    let responses = [
        threes.clone(),
        level0.clone(),
        level3.clone(),
        example.clone(),
        level2.clone(),
    ];
    let result = aggregate(&m, Mode::Detailed, &Responses::new(responses.to_vec())).expect("one mode");
    let docs = visible_areas(k(5), &m, &result).remove(0);
    let s = &docs.summary;
    assert_eq!(docs.n, 5);
    assert_eq!(s.spread.min, scores[0]);
    assert_eq!(s.spread.q1, scores[1]);
    assert_eq!(s.spread.median, scores[2]);
    assert_eq!(s.spread.q3, scores[3]);
    assert_eq!(s.spread.max, scores[4]);
    assert_eq!(s.spread.iqr, 2.5 - scores[1].value());
    assert!(!s.disagreement, "IQR ≈ 0.49 is less than a level");
    assert_eq!(s.levels, [1, 0, 2, 2]);
    assert_eq!(s.level.number(), 2);
    assert_eq!(docs.inconsistent, 1, "the all-threes respondent");
    assert_eq!(docs.low_confidence, 0);
}

#[test]
fn median_at_half_a_level_rounds_down() {
    let m = model(&["docs"]);
    let team = |levels: &[u8]| {
        let responses: Vec<Answers> = levels.iter().map(|&l| quick(&[("docs", l)])).collect();
        let result = aggregate(&m, Mode::Quick, &Responses::new(responses.to_vec())).expect("one mode");
        visible_areas(k(3), &m, &result).remove(0).summary
    };
    // 0 1 2 3: positions 0.75, 1.5, 2.25 interpolate.
    let s = team(&[3, 0, 2, 1]);
    assert_eq!(
        [s.spread.q1, s.spread.median, s.spread.q3].map(Score::value),
        [0.75, 1.5, 2.25]
    );
    assert_eq!(s.spread.iqr, 1.5);
    assert_eq!(s.level.number(), 1, "median 1.5 → level 1");
    assert!(s.disagreement);

    let s = team(&[1, 2, 1, 2]);
    assert_eq!(s.spread.median.value(), 1.5);
    assert_eq!(s.level.number(), 1);
    assert_eq!([s.spread.q1, s.spread.q3].map(Score::value), [1.0, 2.0]);
    assert!(s.disagreement, "IQR = 1 exactly");

    let s = team(&[2, 2, 2, 3, 3, 3]);
    assert_eq!(s.spread.median.value(), 2.5);
    assert_eq!(s.level.number(), 2, "median 2.5 → level 2");
    assert_eq!(s.levels, [0, 0, 3, 3]);
}

#[test]
fn statement_distributions_and_team_explanation_use_mean_answers() {
    let m = model(&["docs"]);
    let r1 = all([0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3]);
    let r2 = all([0, 0, 0, 1, 1, 1, 3, 3, 3, 0, 0, 0]);
    let r3 = r1;
    let r4 = all([0, 0, 0, 1, 0, 0, 3, 3, 3, 1, 1, 2]);
    let result = aggregate(
        &m,
        Mode::Detailed,
        &Responses::new(vec![detailed(r1), detailed(r2), detailed(r3), detailed(r4)]),
    )
    .expect("one mode");
    let docs = visible_areas(k(3), &m, &result).remove(0);

    let statements = docs.statements.as_ref().expect("detailed mode counts statements");
    assert_eq!(statements.len(), 12);
    let get = |id: &StatementId| {
        statements
            .iter()
            .filter_map(Shown::value)
            .find(|s| &s.statement == id)
            .expect("statement shown: at least k answered it")
    };
    let s31 = get(&sid("docs", 3, 1));
    assert_eq!(s31.agreement, [1, 1, 0, 2]);
    assert_eq!(s31.dont_know, 0);
    assert_eq!(s31.mean, Some(Ratio::new(7, 4)), "answers 3, 0, 3, 1 → 7/4");
    let s11 = get(&sid("docs", 1, 1));
    assert_eq!(s11.agreement, [2, 2, 0, 0]);
    assert_eq!(s11.mean, Some(Ratio::new(1, 2)));
    let s33 = get(&sid("docs", 3, 3));
    assert_eq!(s33.agreement, [1, 0, 1, 2]);
    assert_eq!(s33.mean, Some(Ratio::new(2, 1)));

    // Team means per level: a = (0, 4/12 = 1/3, 3, 22/12 = 11/6), so
    // d = (17/8, 15/8, 3/8, 3/8): an exact tie that goes to level 2.
    let explanation = docs.explanation.as_ref().expect("detailed mode explains");
    assert!(!docs.explanation_rounded);
    let scored = explanation.scored.as_ref().expect("assessed");
    let d = scored.fit.as_ref().expect("fit").distances;
    assert_eq!(
        d,
        [Ratio::new(17, 8), Ratio::new(15, 8), Ratio::new(3, 8), Ratio::new(3, 8)]
    );
    assert_eq!(scored.level.number(), 2);
    assert_eq!(scored.target.number(), 3);
    let gaps: Vec<(String, f64)> = scored
        .holding_back
        .iter()
        .map(|g| (g.statement.to_string(), g.answered))
        .collect();
    assert_eq!(gaps[0], ("docs.3.1".to_string(), 1.75));
    assert_eq!(
        gaps.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["docs.3.1", "docs.3.2", "docs.3.3", "docs.1.1", "docs.1.2", "docs.1.3"]
    );

    // The same as calling the scoring rule on the means directly.
    let means: BTreeMap<StatementId, Ratio<i64>> = statements
        .iter()
        .filter_map(Shown::value)
        .filter_map(|s| Some((s.statement.clone(), s.mean?)))
        .collect();
    let direct = score_area_with(&m.scoring, &m.areas[0], |id| means.get(id).copied());
    assert_eq!(explanation, &direct);

    let json = serde_json::to_value(&docs).expect("serializes");
    assert_eq!(json["statements"][9]["value"]["mean"], serde_json::json!(1.75));
    assert_eq!(json["statements"][9]["value"]["dont_know"], serde_json::json!(0));
    // The team level comes from the median of the respondents' scores
    // (2.99, 2.99 and two level-2 patterns → 2.58 → 3); the explanation from
    // the mean answers (level 2). Both are shown; they need not agree.
    assert_eq!(json["level"], serde_json::json!(3));
    assert!(
        json.get("explanation_rounded").is_none(),
        "only present when rounding happened"
    );
}

#[test]
fn a_statement_fewer_than_k_answered_is_hidden_and_left_out_of_the_explanation() {
    let m = model(&["docs"]);
    let r1 = all([0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3]);
    let r2 = all([0, 0, 0, 1, 1, 1, 3, 3, 3, 0, 0, 0]);
    let mut r3 = r1;
    r3[9] = None; // docs.3.1: don't know, so only two answered it
    let result = aggregate(
        &m,
        Mode::Detailed,
        &Responses::new(vec![detailed(r1), detailed(r2), detailed(r3)]),
    )
    .expect("one mode");
    let docs = visible_areas(k(3), &m, &result).remove(0);
    let statements = docs.statements.as_ref().expect("detailed");
    assert_eq!(
        statements[9].hidden_reason(),
        Some(asyncmm_core::HiddenReason::TooFewAnswers)
    );
    assert_eq!(statements[9].n(), 2);
    assert!(statements.iter().enumerate().all(|(i, s)| s.is_visible() == (i != 9)));
    // The explanation uses the 11 shown statements only.
    let explanation = docs.explanation.as_ref().expect("explained");
    assert_eq!(explanation.answered, 11);
    let direct = score_area_with(&m.scoring, &m.areas[0], |id| {
        statements
            .iter()
            .filter_map(Shown::value)
            .find(|s| &s.statement == id)
            .and_then(|s| s.mean)
    });
    assert_eq!(explanation, &direct);
}

#[test]
fn quick_mode_aggregation_has_levels_but_no_statements() {
    let m = model(&["docs", "meetings"]);
    let responses = [
        quick(&[("docs", 1)]),
        quick(&[("docs", 1), ("meetings", 3)]),
        quick(&[("docs", 2), ("meetings", 3)]),
    ];
    let result = aggregate(&m, Mode::Quick, &Responses::new(responses.to_vec())).expect("one mode");
    assert_eq!(result.mode(), Mode::Quick);
    assert_eq!(result.area_n(&area("docs")), 3);
    assert_eq!(result.area_n(&area("meetings")), 2);
    let view = show(k(3), &m, &result).into_value().expect("3 ≥ k");
    let docs = view.areas[0].value().expect("docs visible");
    assert_eq!(docs.summary.spread.median.value(), 1.0);
    assert_eq!(docs.summary.levels, [0, 2, 1, 0]);
    assert!(docs.statements.is_none() && docs.explanation.is_none());
    // Only two people picked a level for meetings: hidden, though the group is shown.
    assert_eq!(view.areas[1].hidden_reason(), Some(HiddenReason::TooFewResponses));
    assert_eq!(view.areas[1].n(), 2);
}

#[test]
fn an_area_nobody_answered_is_hidden_not_empty() {
    let m = model(&["docs", "meetings"]);
    let responses: Vec<Answers> = (0..5).map(|_| quick(&[("docs", 2)])).collect();
    let result = aggregate(&m, Mode::Quick, &Responses::new(responses.to_vec())).expect("one mode");
    let view = show(k(5), &m, &result).into_value().expect("visible");
    assert!(view.areas[0].is_visible());
    assert_eq!(view.areas[1].hidden_reason(), Some(HiddenReason::NoResponses));
    assert_eq!(view.areas[1].n(), 0);
}

#[test]
fn mixed_modes_are_rejected() {
    let m = model(&["docs"]);
    let err = aggregate(
        &m,
        Mode::Quick,
        &Responses::new(vec![quick(&[("docs", 1)]), detailed(all([1; 12]))]),
    )
    .expect_err("mixed");
    assert_eq!(
        err,
        AggregateError::ModeMismatch {
            index: 1,
            expected: Mode::Quick,
            found: Mode::Detailed
        }
    );
    assert!(err.to_string().contains("one round has one mode"), "{err}");
}

#[test]
fn no_responses_aggregate_to_a_hidden_group() {
    let m = model(&["docs"]);
    let result = aggregate(&m, Mode::Detailed, &Responses::new([].to_vec())).expect("nothing to mix");
    assert_eq!(result.respondents(), 0);
    let shown = show(k(3), &m, &result);
    assert_eq!(shown.hidden_reason(), Some(HiddenReason::NoResponses));
}

#[test]
fn individual_scores_never_appear_in_debug_or_json() {
    let m = model(&["docs"]);
    let responses: Vec<Answers> = [0, 0, 1, 3, 3].iter().map(|&l| quick(&[("docs", l)])).collect();
    let result = aggregate(&m, Mode::Quick, &Responses::new(responses.to_vec())).expect("one mode");
    let debug = format!("{result:?}");
    assert!(debug.contains("RespondentScores(<5 hidden>)"), "{debug}");
    let json = serde_json::to_string(&show(k(5), &m, &result)).expect("serializes");
    assert!(!json.contains("scores"), "{json}");
}

#[test]
fn large_groups_with_coprime_counts_do_not_overflow() {
    let m = model(&["docs"]);
    // 120 respondents; statement i is answered "don't know" by the first i
    // and 1 by the last, 0 by everybody else: the means 1/120, 1/119, …,
    // 1/109 are as coprime as it gets, and exact 64-bit scoring of them
    // overflows (it panicked in debug builds before the guard).
    let responses: Vec<Answers> = (0..120)
        .map(|r| {
            let mut v = [None; 12];
            for (i, slot) in v.iter_mut().enumerate() {
                if r >= i {
                    *slot = Some(u8::from(r == 119));
                }
            }
            detailed(v)
        })
        .collect();
    let result = aggregate(&m, Mode::Detailed, &Responses::new(responses.to_vec())).expect("one mode");
    let docs = visible_areas(k(5), &m, &result).remove(0);
    assert!(docs.explanation_rounded);
    let explanation = docs.explanation.expect("explained");
    let s31 = docs.statements.expect("statements")[9]
        .clone()
        .into_value()
        .expect("108 answered docs.3.1");
    assert_eq!(s31.agreement.iter().sum::<u64>() + s31.dont_know, 120);
    assert_eq!(s31.mean, Some(Ratio::new(1, 111)), "the exact mean is kept");
    let gap_or_mean = s31
        .mean
        .and_then(|m| num_traits::ToPrimitive::to_f64(&m))
        .expect("mean");
    assert!(explanation.scored.is_some());
    assert!((0.0..=3.0).contains(&gap_or_mean));
}

fn arb_answer() -> impl Strategy<Value = Option<u8>> {
    prop_oneof![1 => Just(None), 5 => (0u8..=3).prop_map(Some)]
}

/// 3 to 12 respondents, each answering every statement of `docs`
/// (or "don't know").
fn arb_team() -> impl Strategy<Value = Vec<[Option<u8>; 12]>> {
    proptest::collection::vec(proptest::array::uniform12(arb_answer()), 3..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn quartiles_are_ordered_within_min_and_max(team in arb_team()) {
        let m = model(&["docs"]);
        let responses: Vec<Answers> = team.into_iter().map(detailed).collect();
        let result = aggregate(&m, Mode::Detailed, &Responses::new(responses.to_vec())).expect("one mode");
        let view = show(k(3), &m, &result).into_value().expect("≥ 3 respondents");
        for shown in &view.areas {
            let Some(a) = shown.value() else { continue };
            let s = &a.summary.spread;
            prop_assert!(s.min <= s.q1 && s.q1 <= s.median && s.median <= s.q3 && s.q3 <= s.max, "{s:?}");
            prop_assert!(s.iqr >= 0.0);
            prop_assert_eq!(a.summary.level, s.median.nearest_level());
            prop_assert_eq!(a.summary.disagreement, s.iqr >= 1.0);
            prop_assert_eq!(a.summary.levels.iter().sum::<u64>(), a.n);
            for shown in a.statements.as_ref().expect("detailed") {
                match shown.value() {
                    Some(st) => {
                        prop_assert_eq!(st.agreement.iter().sum::<u64>() + st.dont_know, responses.len() as u64);
                        prop_assert!(st.answered() >= 3);
                    }
                    None => prop_assert!(shown.n() < 3, "hidden with {} answers", shown.n()),
                }
            }
        }
    }

    /// A kept result (the store's form, through JSON) restores to exactly
    /// the result it was kept from, in both modes, and shows the same.
    #[test]
    fn a_kept_result_restores_exactly(
        team in arb_team(),
        picks in proptest::collection::vec(0u8..4, 0..9),
    ) {
        let m = model(&["docs", "ops"]);
        let detailed: Vec<Answers> = team.into_iter().map(detailed).collect();
        let quick: Vec<Answers> = picks.iter().map(|l| quick(&[("docs", *l), ("ops", 3 - *l)])).collect();
        for (mode, responses) in [(Mode::Detailed, detailed), (Mode::Quick, quick)] {
            let result = aggregate(&m, mode, &Responses::new(responses)).expect("one mode");
            let text = serde_json::to_string(&result.keep()).expect("kept as JSON");
            let kept: asyncmm_core::KeptResult = serde_json::from_str(&text).expect("read back");
            prop_assert_eq!(kept.respondents(), result.respondents());
            let restored = kept.restore().expect("restores");
            prop_assert_eq!(&restored, &result);
            prop_assert_eq!(show(k(3), &m, &restored), show(k(3), &m, &result));
            // Read without its statement counts, it gates to the same brief
            // view as the whole result.
            let summary: asyncmm_core::KeptSummary = serde_json::from_str(&text).expect("read back");
            let brief = summary.restore().expect("restores");
            prop_assert_eq!(brief.respondents(), result.respondents());
            prop_assert_eq!(show_brief(k(3), &m, &brief), show_brief(k(3), &m, &result));
        }
    }

    #[test]
    fn spread_of_any_scores_is_ordered(values in proptest::collection::vec(0.0f64..=3.0, 1..40)) {
        let scores: Vec<Score> = values.iter().map(|&v| Score::new(v)).collect();
        let s = Spread::of(&scores).expect("non-empty");
        prop_assert!(s.min <= s.q1 && s.q1 <= s.median && s.median <= s.q3 && s.q3 <= s.max, "{s:?}");
        let lowest = values.iter().copied().fold(f64::INFINITY, f64::min);
        let highest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        prop_assert_eq!(s.min.value(), lowest);
        prop_assert_eq!(s.max.value(), highest);
    }

    #[test]
    fn permuting_respondents_never_changes_the_aggregate(team in arb_team(), seed in any::<u64>()) {
        let m = model(&["docs"]);
        let forward: Vec<Answers> = team.into_iter().map(detailed).collect();
        let mut shuffled = forward.clone();
        // A deterministic Fisher–Yates driven by the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = aggregate(&m, Mode::Detailed, &Responses::new(forward.to_vec())).expect("one mode");
        let b = aggregate(&m, Mode::Detailed, &Responses::new(shuffled.to_vec())).expect("one mode");
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(show(k(3), &m, &a), show(k(3), &m, &b));
    }
}

#[test]
fn hidden_json_shape() {
    let m = model(&["docs"]);
    let responses: Vec<Answers> = (0..4).map(|_| quick(&[("docs", 1)])).collect();
    let result = aggregate(&m, Mode::Quick, &Responses::new(responses.to_vec())).expect("one mode");
    let shown = show(k(5), &m, &result);
    assert!(matches!(shown, Shown::Hidden { n: 4, .. }));
    assert_eq!(
        serde_json::to_value(&shown).expect("serializes"),
        serde_json::json!({"hidden": true, "n": 4, "k": 5, "reason": "too_few_responses"})
    );
}
