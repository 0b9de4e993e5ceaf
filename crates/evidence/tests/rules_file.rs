//! Rule files: every problem is reported with its file, line and column.

use asyncmm_evidence::parse_rules;
use proptest::prelude::*;

fn model() -> asyncmm_model::Model {
    asyncmm_model::default_model().expect("model")
}

const GOOD_RULE: &str = r#"
[[rules]]
id = "docs.a"
area = "documentation"
metric = "git.docs_share_of_commits"
direction = "higher_is_better"
levels = [0.1, 0.2, 0.3]
rationale = "Docs change with the work."
"#;

fn header() -> String {
    "[rule_set]\nid = \"t\"\nversion = \"1\"\nmin_sample = 5\n".to_string()
}

#[test]
fn every_problem_is_listed_with_its_position() {
    let text = format!(
        "{}{GOOD_RULE}{}",
        header(),
        r#"
[[rules]]
id = "docs.a"
area = "meetingz"
metric = "git.no_such_metric"
direction = "higher_is_better"
levels = [0.5, 0.2, 0.9]
min_sample = -1
rationale = ""
"#
    );
    let err = parse_rules(&text, "team-rules.toml", &model()).expect_err("bad");
    let lines: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
    let expect = [
        "team-rules.toml:15:6: duplicate rule id \"docs.a\"",
        "team-rules.toml:16:8: area \"meetingz\" is not in the model (its areas: documentation, decision-making, work-tracking, meetings, leadership-culture)",
        "team-rules.toml:17:10: unknown metric \"git.no_such_metric\"",
        "team-rules.toml:19:10: levels must be ascending",
        "team-rules.toml:20:14: min_sample must be 0 or more, got -1",
        "team-rules.toml:21:13: rationale is empty",
    ];
    for want in expect {
        assert!(
            lines.iter().any(|l| l.starts_with(want)),
            "missing {want:?} in {lines:#?}"
        );
    }
    assert_eq!(lines.len(), 6, "{lines:#?}");
}

#[test]
fn thresholds_must_follow_the_direction() {
    let text = format!(
        "{}{}",
        header(),
        GOOD_RULE.replace("[0.1, 0.2, 0.3]", "[0.3, 0.2, 0.1]")
    );
    let err = parse_rules(&text, "r.toml", &model()).expect_err("bad order");
    assert_eq!(err.problems.len(), 1);
    assert_eq!(
        err.problems[0].to_string(),
        "r.toml:11:10: levels must be ascending (higher_is_better: level 3 needs the most)"
    );
    let text = format!(
        "{}{}",
        header(),
        GOOD_RULE.replace("[0.1, 0.2, 0.3]", "[0.1, 0.2, 1.5]")
    );
    let err = parse_rules(&text, "r.toml", &model()).expect_err("not a share");
    assert_eq!(
        err.to_string(),
        "r.toml:11:21: 1.5 is not a share: thresholds of this metric lie between 0 and 1"
    );
    let text = format!("{}{}", header(), GOOD_RULE.replace("[0.1, 0.2, 0.3]", "[0.1, 0.2]"));
    let err = parse_rules(&text, "r.toml", &model()).expect_err("two levels");
    assert!(err.to_string().contains("levels must list 3 thresholds"), "{err}");
}

#[test]
fn syntax_errors_and_unknown_keys_have_positions() {
    let err = parse_rules("[rule_set]\nid = \"t\"\nversion = 1\n", "r.toml", &model()).expect_err("bad type");
    assert!(err.to_string().starts_with("r.toml:3:11: invalid type"), "{err}");
    let text = format!("{}{}", header(), GOOD_RULE.replace("rationale", "why"));
    let err = parse_rules(&text, "r.toml", &model()).expect_err("unknown key");
    assert!(err.to_string().contains("unknown field `why`"), "{err}");
    let text = format!("{}{}", header(), GOOD_RULE.replace("higher_is_better", "up"));
    let err = parse_rules(&text, "r.toml", &model()).expect_err("bad direction");
    assert!(
        err.to_string().starts_with("r.toml:10:13: unknown variant `up`"),
        "{err}"
    );
}

#[test]
fn a_valid_file_keeps_its_values() {
    let text = format!("{}{GOOD_RULE}", header());
    let rules = parse_rules(&text, "r.toml", &model()).expect("valid");
    assert_eq!(rules.rules[0].min_sample, 5, "the file's default applies");
    assert_eq!(rules.rules[0].levels.values(), [0.1, 0.2, 0.3]);
}

proptest! {
    #[test]
    fn any_text_is_parsed_or_refused_with_a_position(text in "\\PC{0,300}") {
        if let Err(e) = parse_rules(&text, "r.toml", &model()) {
            prop_assert!(!e.problems.is_empty());
            for p in &e.problems {
                prop_assert!(p.line >= 1 && p.column >= 1);
            }
        }
    }

    #[test]
    fn threshold_values_round_trip(a in 0.0f64..1.0, b in 0.0f64..1.0, c in 0.0f64..1.0) {
        let mut v = [a, b, c];
        v.sort_by(f64::total_cmp);
        let text = format!("{}{}", header(), GOOD_RULE.replace("[0.1, 0.2, 0.3]", &format!("[{:?}, {:?}, {:?}]", v[0], v[1], v[2])));
        let rules = parse_rules(&text, "r.toml", &model()).expect("valid");
        prop_assert_eq!(rules.rules[0].levels.values(), v);
    }
}

#[test]
fn a_rules_statements_must_be_the_models_and_of_its_area() {
    let text = format!(
        "{}{GOOD_RULE}statements = [\"documentation.2.1\", \"meetings.2.1\", \"documentation.9.1\", \"docs\"]\n",
        header()
    );
    let err = parse_rules(&text, "r.toml", &model()).expect_err("bad statements");
    let lines: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[0].starts_with("r.toml:13:36: statement \"meetings.2.1\" belongs to another area"),
        "{lines:#?}"
    );
    assert!(lines[1].starts_with("r.toml:13:52:"), "{lines:#?}");
    assert!(lines[2].starts_with("r.toml:13:73:"), "{lines:#?}");
    let good = format!("{}{GOOD_RULE}statements = [\"documentation.2.1\"]\n", header());
    let rules = parse_rules(&good, "r.toml", &model()).expect("good");
    assert_eq!(rules.rules[0].statements.len(), 1);
    assert_eq!(rules.rules[0].statements[0].to_string(), "documentation.2.1");
    // The default set links meetings that could be written to statements.
    let default = asyncmm_evidence::default_rules(&model()).expect("default rules");
    let writable = default
        .rules
        .iter()
        .find(|r| r.metric.as_str() == "calendar.writable_meeting_hours_per_person_week")
        .expect("rule");
    let ids: Vec<String> = writable.statements.iter().map(ToString::to_string).collect();
    assert_eq!(ids, ["meetings.2.1", "meetings.3.2"]);
}
