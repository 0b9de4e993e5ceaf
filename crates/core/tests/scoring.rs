//! The scoring rule through the public API: PRODUCT.md's worked examples as
//! unit tests and its properties as proptest properties.

use std::collections::BTreeMap;

use asyncmm_core::scoring::{closest_level, distances};
use asyncmm_core::{Agreement, Answer, Answers, DetailedAnswers, Polarity, QuickAnswers, assess};
use asyncmm_model::{AreaId, Level, Model, StatementId};
use num_rational::Ratio;
use proptest::prelude::*;

/// A model with the default profiles and β, `areas` areas of 4 levels × 3
/// statements, built from text so the test also goes through the parser.
fn model(areas: &[&str]) -> Model {
    model_with(areas, 6.0, "[[3, 1, 0, 0], [1, 3, 1, 0], [0, 1, 3, 1], [0, 0, 3, 3]]")
}

/// The same model with another β and other ideal profiles.
fn model_with(areas: &[&str], beta: f64, profiles: &str) -> Model {
    let mut toml = String::from(
        "[model]\nid = \"t\"\nversion = \"1\"\ntitle = \"T\"\n[model.source]\ntitle = \"s\"\nauthor = \"a\"\nlicense = \"CC-BY-4.0\"\nurl = \"https://example.org\"\n",
    );
    for (n, name) in ["Unaware", "Initial", "Defined", "Optimizing"].iter().enumerate() {
        toml.push_str(&format!(
            "[[levels]]\nnumber = {n}\nname = \"{name}\"\nmeaning = \"m\"\n"
        ));
    }
    toml.push_str(&format!("[scoring]\nbeta = {beta:?}\nprofiles = {profiles}\n"));
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

fn sid(area: &str, level: u8, n: u16) -> StatementId {
    StatementId::new(AreaId::parse(area).expect("area"), Level::new(level).expect("level"), n).expect("id")
}

/// Answers for one area: `levels[l][n-1]` is the agreement, `None` = don't know.
fn answers(area: &str, levels: [[Option<u8>; 3]; 4]) -> DetailedAnswers {
    let mut map = BTreeMap::new();
    for (l, row) in levels.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            let answer = match v {
                Some(v) => Answer::Agree(Agreement::new(*v).expect("agreement")),
                None => Answer::DontKnow,
            };
            map.insert(sid(area, l as u8, i as u16 + 1), answer);
        }
    }
    DetailedAnswers::from_map(map)
}

fn all(v: [u8; 12]) -> [[Option<u8>; 3]; 4] {
    let mut out = [[None; 3]; 4];
    for (i, x) in v.iter().enumerate() {
        out[i / 3][i % 3] = Some(*x);
    }
    out
}

fn r(n: i64, d: i64) -> Ratio<i64> {
    Ratio::new(n, d)
}

fn score_one(levels: [[Option<u8>; 3]; 4]) -> asyncmm_core::AreaResult {
    let m = model(&["docs"]);
    let result = assess(&m, &Answers::Detailed(answers("docs", levels)));
    result.areas.into_iter().next().expect("one area")
}

#[test]
fn worked_example_perfect_level_three() {
    let area = score_one(all([0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3]));
    let s = area.scored.expect("assessed");
    assert_eq!(s.level.number(), 3);
    let d = s.fit.as_ref().expect("fit").distances;
    assert_eq!(d, [r(5, 2), r(9, 4), r(3, 4), r(0, 1)]);
    assert_eq!(format!("{}", s.score), "2.99");
    assert!(!s.inconsistent);
    assert!(!s.low_confidence);
    assert!(
        s.holding_back.is_empty(),
        "a perfect level-3 pattern has nothing holding it back"
    );
}

#[test]
fn worked_example_level_two() {
    let area = score_one(all([0, 0, 0, 1, 0, 1, 3, 3, 3, 1, 2, 1]));
    let s = area.scored.expect("assessed");
    assert_eq!(s.level.number(), 2);
    let d = s.fit.as_ref().expect("fit").distances;
    assert_eq!(d, [r(23, 12), r(5, 3), r(1, 6), r(7, 12)]);
    assert_eq!(format!("{}", s.score), "2.08");
    assert_eq!(s.target.number(), 3);
    // Towards level 3 ([0,0,3,3]): the L3 practices answered 1 are the largest gaps,
    // then the L3 practice answered 2 and the L1 deficits still agreed with.
    let ids: Vec<String> = s.holding_back.iter().map(|g| g.statement.to_string()).collect();
    assert_eq!(ids, ["docs.3.1", "docs.3.3", "docs.1.1", "docs.1.3", "docs.3.2"]);
    assert_eq!(s.holding_back[0].polarity, Polarity::Practice);
    assert_eq!(s.holding_back[2].polarity, Polarity::Deficit);
}

#[test]
fn worked_example_all_threes_is_inconsistent() {
    let area = score_one(all([3; 12]));
    let s = area.scored.expect("assessed");
    assert_eq!(s.level.number(), 3);
    assert_eq!(s.fit.as_ref().expect("fit").distance(Level::MAX), r(3, 2));
    assert!(s.inconsistent);
}

#[test]
fn a_distance_of_exactly_one_is_consistent_and_above_one_is_not() {
    // Everything answered 0: d(0) = (3 + 1 + 0 + 0) / 4 = 1 exactly.
    let s = score_one(all([0; 12])).scored.expect("assessed");
    assert_eq!(s.level.number(), 0);
    assert_eq!(s.fit.as_ref().expect("fit").distance(Level::MIN), r(1, 1));
    assert!(!s.inconsistent, "d = 1 is within one agreement point");
    // L3 answered 1, 1, 0 (mean 2/3), the rest 0: the closest profile is
    // level 2 at d = (0 + 1 + 3 + 1/3) / 4 = 13/12 > 1.
    let s = score_one(all([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]))
        .scored
        .expect("assessed");
    let d = s.fit.as_ref().expect("fit").distances;
    assert_eq!(d, [r(7, 6), r(17, 12), r(13, 12), r(4, 3)]);
    assert_eq!(s.level.number(), 2);
    assert!(s.inconsistent, "d = 13/12 > 1");
}

#[test]
fn beta_and_profiles_come_from_the_model() {
    // Profiles where a team agrees only with its own level's statements.
    let pure = "[[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0], [0, 0, 0, 3]]";
    let level_two_only = all([0, 0, 0, 0, 0, 0, 3, 3, 3, 0, 0, 0]);
    let score = |beta: f64| {
        let m = model_with(&["docs"], beta, pure);
        let result = assess(&m, &Answers::Detailed(answers("docs", level_two_only)));
        result.areas[0].scored.clone().expect("assessed")
    };
    // d = (6/4, 6/4, 0, 6/4): level 2 either way; the score is the expected
    // level with weights exp(-β d): 2 + ... (0 + 1 + 3 - 3 * 2) · w / (1 + 3w).
    let soft = score(1.0);
    let w = (-1.5f64).exp();
    let expected = (w + 2.0 + 3.0 * w) / (1.0 + 3.0 * w);
    assert_eq!(soft.level.number(), 2);
    assert!(
        (soft.score.value() - expected).abs() < 1e-12,
        "{} vs {expected}",
        soft.score
    );
    assert_eq!(format!("{}", soft.score), "1.73");
    let sharp = score(6.0);
    assert_eq!(format!("{}", sharp.score), "2.00");
    // Under these profiles agreeing with everything fits every level alike:
    // a tie that goes to level 0, and a score held within half a level of it.
    let m = model_with(&["docs"], 1.0, pure);
    let tie = assess(&m, &Answers::Detailed(answers("docs", all([3; 12]))));
    let tie = tie.areas[0].scored.clone().expect("assessed");
    assert_eq!(tie.fit.as_ref().expect("fit").distances, [r(9, 4); 4]);
    assert_eq!(tie.level.number(), 0);
    assert_eq!(tie.score.value(), 0.5, "1.5 clamped to level 0 + ½");
    assert!(tie.inconsistent);
    // The same answers under the default profiles read quite differently.
    let default = score_one(all([0, 0, 0, 0, 0, 0, 3, 3, 3, 0, 0, 0]))
        .scored
        .expect("assessed");
    assert_eq!(default.level.number(), 2);
    assert_ne!(format!("{}", default.score), "1.73");
}

#[test]
fn perfect_level_two_scores_2_01() {
    let s = score_one(all([0, 0, 0, 1, 1, 1, 3, 3, 3, 1, 1, 1]))
        .scored
        .expect("assessed");
    assert_eq!(s.level.number(), 2);
    assert_eq!(format!("{}", s.score), "2.01");
}

#[test]
fn nothing_answered_is_not_assessed() {
    let area = score_one([[None; 3]; 4]);
    assert!(area.scored.is_none());
    assert_eq!(area.answered, 0);
    assert_eq!(area.total, 12);
}

#[test]
fn fewer_than_half_answered_is_low_confidence() {
    let mut levels = [[None; 3]; 4];
    levels[2] = [Some(3), Some(3), Some(3)];
    levels[3] = [Some(3), Some(3), None];
    let area = score_one(levels);
    assert_eq!(area.answered, 5);
    assert!(area.scored.expect("assessed").low_confidence);
    levels[3][2] = Some(3);
    assert!(
        !score_one(levels).scored.expect("assessed").low_confidence,
        "6 of 12 is half"
    );
}

#[test]
fn ties_go_to_the_lower_level() {
    let d = [r(1, 1), r(1, 2), r(1, 2), r(2, 1)];
    assert_eq!(closest_level(&d).number(), 1);
}

#[test]
fn distances_only_average_answered_levels() {
    let m = model(&["docs"]);
    let means = [None, None, Some(r(3, 1)), None];
    let d = distances(&m.scoring, &means).expect("answered");
    assert_eq!(d, [r(3, 1), r(2, 1), r(0, 1), r(0, 1)]);
    assert_eq!(distances(&m.scoring, &[None; 4]), None);
}

#[test]
fn quick_mode_score_is_the_picked_level() {
    let m = model(&["docs", "meetings"]);
    let quick = QuickAnswers::for_model(
        &m,
        [(AreaId::parse("docs").expect("id"), Level::new(2).expect("level"))],
    )
    .expect("valid");
    let result = assess(&m, &Answers::Quick(quick));
    let docs = result.areas[0].scored.as_ref().expect("docs assessed");
    assert_eq!(docs.level.number(), 2);
    assert_eq!(docs.score.value(), 2.0);
    assert!(result.areas[1].scored.is_none());
    assert_eq!(result.overall.assessed_areas, 1);
    assert_eq!(result.overall.weakest.as_ref().map(AreaId::as_str), Some("docs"));
}

#[test]
fn overall_mean_and_weakest() {
    let m = model(&["docs", "meetings", "culture"]);
    let mut map = BTreeMap::new();
    for (area, pattern) in [
        ("docs", [0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3]),
        ("meetings", [3, 3, 3, 1, 1, 1, 0, 0, 0, 0, 0, 0]),
        ("culture", [0, 0, 0, 1, 1, 1, 3, 3, 3, 1, 1, 1]),
    ] {
        for (i, v) in pattern.iter().enumerate() {
            map.insert(
                sid(area, (i / 3) as u8, (i % 3) as u16 + 1),
                Answer::Agree(Agreement::new(*v).expect("a")),
            );
        }
    }
    let result = assess(&m, &Answers::Detailed(DetailedAnswers::from_map(map)));
    assert_eq!(result.overall.weakest.as_ref().map(AreaId::as_str), Some("meetings"));
    let mean = result.overall.mean_score.expect("mean").value();
    let expected: f64 = result
        .areas
        .iter()
        .map(|a| a.scored.as_ref().expect("s").score.value())
        .sum::<f64>()
        / 3.0;
    assert!((mean - expected).abs() < 1e-12);
}

#[test]
fn unknown_statement_is_rejected() {
    let m = model(&["docs"]);
    let err = DetailedAnswers::for_model(&m, [(sid("nope", 1, 1), Answer::DontKnow)]).expect_err("unknown");
    assert!(err.to_string().contains("nope.1.1"), "{err}");
}

fn arb_answer() -> impl Strategy<Value = Option<u8>> {
    prop_oneof![1 => Just(None), 4 => (0u8..=3).prop_map(Some)]
}

fn arb_levels() -> impl Strategy<Value = [[Option<u8>; 3]; 4]> {
    proptest::array::uniform4(proptest::array::uniform3(arb_answer()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn score_within_bounds_and_half_a_level(levels in arb_levels()) {
        let area = score_one(levels);
        if let Some(s) = area.scored {
            let v = s.score.value();
            prop_assert!((0.0..=3.0).contains(&v));
            prop_assert!((v - f64::from(s.level.number())).abs() <= 0.5 + 1e-12);
            let fit = s.fit.expect("detailed has fit");
            for l in Level::ALL {
                prop_assert!(fit.distance(l) >= fit.distance(s.level));
                prop_assert!((0.0..=1.0).contains(&fit.fit(l)));
            }
        }
    }

    #[test]
    fn raising_a_practice_never_lowers(levels in arb_levels(), level in 2usize..4, n in 0usize..3) {
        let Some(before_value) = levels[level][n] else { return Ok(()) };
        prop_assume!(before_value < 3);
        let mut raised = levels;
        raised[level][n] = Some(before_value + 1);
        let before = score_one(levels).scored.expect("assessed");
        let after = score_one(raised).scored.expect("assessed");
        prop_assert!(after.level >= before.level, "level {} -> {}", before.level, after.level);
        prop_assert!(after.score.value() >= before.score.value(), "score {} -> {}", before.score, after.score);
    }

    #[test]
    fn raising_a_level_zero_deficit_never_raises(levels in arb_levels(), n in 0usize..3) {
        let Some(before_value) = levels[0][n] else { return Ok(()) };
        prop_assume!(before_value < 3);
        let mut raised = levels;
        raised[0][n] = Some(before_value + 1);
        let before = score_one(levels).scored.expect("assessed");
        let after = score_one(raised).scored.expect("assessed");
        prop_assert!(after.level <= before.level, "level {} -> {}", before.level, after.level);
        prop_assert!(after.score.value() <= before.score.value(), "score {} -> {}", before.score, after.score);
    }

    #[test]
    fn answer_order_never_matters(levels in arb_levels(), seed in any::<u64>()) {
        let m = model(&["docs"]);
        let forward: Vec<(StatementId, Answer)> = answers("docs", levels).iter().map(|(k, v)| (k.clone(), v)).collect();
        let mut shuffled = forward.clone();
        // A deterministic Fisher–Yates driven by the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = assess(&m, &Answers::Detailed(DetailedAnswers::for_model(&m, forward).expect("valid")));
        let b = assess(&m, &Answers::Detailed(DetailedAnswers::for_model(&m, shuffled).expect("valid")));
        prop_assert_eq!(a, b);
    }
}
