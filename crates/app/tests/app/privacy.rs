//! Trying to learn one person's answers with several calls in a row, each
//! attempt a test: compare every output before and after one answer or one
//! revision while a round is open (or closed below k), reopen a round after
//! any view showed it, pad a hidden round with known imported answers, read
//! an export after the close, and look at a statement only one person
//! answered. Every output a person or a machine can read is collected by
//! [`outputs`], rendered in every format.

use asyncmm_app::results::ORG_ROUNDS_PER_PART;
use asyncmm_app::{App, AppError};
use asyncmm_core::{Agreement, Answer, Answers, DetailedAnswers, Mode};
use asyncmm_report::check::render_check_text;
use asyncmm_report::plan::{render_plan_markdown, render_plan_text};
use asyncmm_report::team::{
    render_org_markdown, render_org_text, render_round_csv, render_round_markdown, render_round_text,
};
use asyncmm_report::{Style, csv, html, markdown, summary, svg, text, to_json};
use asyncmm_store::Store;
use proptest::prelude::*;

use crate::common::*;

/// Every output about `team` and its round `round`, as text, each named;
/// an error counts as an output too (its message is what the person sees).
async fn outputs(app: &App<'_>, team: &str, round: i64) -> Vec<(String, String)> {
    let plain = Style { color: false };
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |name: &str, value: Result<String, AppError>| {
        out.push((name.to_string(), value.unwrap_or_else(|e| format!("error: {e}"))));
    };
    let report = app.round_report(round).await;
    push(
        "round text",
        report.as_ref().map(|r| render_round_text(r, plain)).map_err(clone_err),
    );
    push(
        "round md",
        report.as_ref().map(render_round_markdown).map_err(clone_err),
    );
    push("round csv", report.as_ref().map(render_round_csv).map_err(clone_err));
    push(
        "round html",
        report.as_ref().map(html::render_round_html).map_err(clone_err),
    );
    push("round json", report.map(|r| to_json(&r).expect("json")));
    let org = app.org_report().await;
    push("org text", org.as_ref().map(render_org_text).map_err(clone_err));
    push("org md", org.as_ref().map(render_org_markdown).map_err(clone_err));
    push("org html", org.as_ref().map(html::render_org_html).map_err(clone_err));
    push("heat map", org.as_ref().map(svg::org_heatmap).map_err(clone_err));
    push("org json", org.map(|r| to_json(&r).expect("json")));
    push("org csv", org_csv(app, ORG_ROUNDS_PER_PART).await);
    let summary = app.org_summary(None).await;
    push(
        "org summary md",
        summary
            .as_ref()
            .map(summary::render_summary_markdown)
            .map_err(clone_err),
    );
    push(
        "org summary html",
        summary.as_ref().map(summary::render_summary_html).map_err(clone_err),
    );
    push("org summary json", summary.map(|s| to_json(&s).expect("json")));
    let history = app.history(Some(team)).await;
    push(
        "history json",
        history.as_ref().map(|h| to_json(h).expect("json")).map_err(clone_err),
    );
    push(
        "history text",
        history
            .as_ref()
            .map(|h| text::render_history(h, plain))
            .map_err(clone_err),
    );
    push(
        "history md",
        history.as_ref().map(markdown::render_history).map_err(clone_err),
    );
    push(
        "history csv",
        history.as_ref().map(csv::render_history).map_err(clone_err),
    );
    push(
        "history html",
        history.as_ref().map(html::render_history_html).map_err(clone_err),
    );
    push("trend", history.as_ref().map(svg::history_trend).map_err(clone_err));
    push("radar", history.map(|h| svg::history_radar(&h, None)));
    push(
        "team report",
        app.team_report(Some(team)).await.map(|r| match r.current {
            asyncmm_app::record::CurrentReport::Round(r) => to_json(&r).expect("json"),
            asyncmm_app::record::CurrentReport::Assessment(a) => to_json(&a).expect("json"),
        }),
    );
    let plan = app.plan_report(team).await;
    push("plan text", plan.as_ref().map(render_plan_text).map_err(clone_err));
    push("plan md", plan.as_ref().map(render_plan_markdown).map_err(clone_err));
    push("plan json", plan.map(|p| to_json(&p).expect("json")));
    push(
        "suggestions",
        app.suggestions(team, &Default::default())
            .await
            .map(|s| to_json(&s).expect("json")),
    );
    let check = app.check(team, Some("1"), false).await;
    push("check text", check.as_ref().map(render_check_text).map_err(clone_err));
    push("check json", check.map(|v| to_json(&v).expect("json")));
    out
}

/// Errors are rendered by message; this keeps the `Result` borrowed.
fn clone_err(e: &AppError) -> AppError {
    AppError::Conflict(e.to_string())
}

/// The outputs without the lines that carry the response count, which is
/// the one thing an open round may show and which changes with an answer.
fn differences(before: &[(String, String)], after: &[(String, String)]) -> Vec<String> {
    before
        .iter()
        .zip(after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, a)| format!("{} changed:\n--- before\n{}\n--- after\n{}", b.0, b.1, a.1))
        .collect()
}

/// A store with team "Web", a detailed round (k = 5) and `answers` given
/// with tokens on Friday; the round closed on Friday when `close`. Returns
/// the round and the unused tokens.
async fn answered_round(store: &dyn Store, answers: &[Answers], close: bool) -> (i64, Vec<String>) {
    let lead = app(store, MONDAY).await;
    lead.add_team("Web", None).await.expect("team");
    let (round, tokens) = open(&lead, "Web", Mode::Detailed, 5, 8, 11).await;
    let week = app(store, FRIDAY).await;
    for (token, a) in tokens.iter().zip(answers) {
        week.respond(token, a).await.expect("answer");
    }
    if close {
        week.close_round(round).await.expect("close");
    }
    (round, tokens[answers.len()..].to_vec())
}

fn detailed(values: &[u8]) -> Answers {
    let model = model().model;
    Answers::Detailed(DetailedAnswers::from_map(
        model
            .statements()
            .zip(values.iter().cycle())
            .map(|(s, v)| {
                let answer = if *v > 3 {
                    Answer::DontKnow
                } else {
                    Answer::Agree(Agreement::new(*v).expect("0-3"))
                };
                (s.id.clone(), answer)
            })
            .collect(),
    ))
}

fn arb_detailed() -> impl Strategy<Value = Answers> {
    // 0-3 agreement or 4 = "don't know"; at least one real answer.
    proptest::collection::vec(0u8..5, 60).prop_map(|mut v| {
        v[0] %= 4;
        detailed(&v)
    })
}

async fn memory_store() -> Box<dyn Store> {
    asyncmm_store::connect("sqlite::memory:")
        .await
        .expect("in-memory store")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// While a round is open — and after it closed below k — nothing any
    /// output shows depends on what the last person answered: two rounds
    /// that differ only in one response look the same everywhere.
    #[test]
    fn no_output_depends_on_one_answer_while_open_or_below_k(
        others in proptest::collection::vec(arb_detailed(), 3..6),
        mine in arb_detailed(),
        theirs in arb_detailed(),
        close in any::<bool>(),
    ) {
        // Closed with k or more would rightly show a result: keep below k.
        let close = close && others.len() + 1 < 5;
        runtime().block_on(async {
            let mut seen = Vec::new();
            for last in [&mine, &theirs] {
                let store = memory_store().await;
                let mut answers = others.clone();
                answers.push(last.clone());
                let (round, _) = answered_round(&*store, &answers, close).await;
                let reader = app(&*store, FRIDAY).await;
                seen.push(outputs(&reader, "Web", round).await);
            }
            let changed = differences(&seen[0], &seen[1]);
            prop_assert!(changed.is_empty(), "{}", changed.join("\n\n"));
            Ok(())
        })?;
    }

    /// A revision while the round is open changes no output at all (the
    /// count stays the same).
    #[test]
    fn a_revision_while_open_changes_no_output(
        answers in proptest::collection::vec(arb_detailed(), 5..7),
        revised in arb_detailed(),
    ) {
        runtime().block_on(async {
            let store = memory_store().await;
            let lead = app(&*store, MONDAY).await;
            lead.add_team("Web", None).await.expect("team");
            let (round, tokens) = open(&lead, "Web", Mode::Detailed, 5, 8, 3).await;
            let week = app(&*store, FRIDAY).await;
            for (token, a) in tokens.iter().zip(&answers) {
                week.respond(token, a).await.expect("answer");
            }
            let before = outputs(&week, "Web", round).await;
            week.respond(&tokens[0], &revised).await.expect("revise");
            let after = outputs(&week, "Web", round).await;
            let changed = differences(&before, &after);
            prop_assert!(changed.is_empty(), "{}", changed.join("\n\n"));
            Ok(())
        })?;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_more_answer_while_open_changes_only_the_count() {
    on_every_backend("one_more_answer_while_open", |store| async move {
        let answers: Vec<Answers> = (0..5).map(|i| detailed(&[i % 4, 3, 1, 4])).collect();
        let (round, spare) = answered_round(&*store, &answers, false).await;
        let week = app(&*store, FRIDAY).await;
        let before = outputs(&week, "Web", round).await;
        week.respond(&spare[0], &detailed(&[3, 3, 3, 3])).await.expect("answer");
        let after = outputs(&week, "Web", round).await;
        // Only the count may change: with it replaced, everything is equal.
        let normalise = |outs: &[(String, String)], n: u64| -> Vec<(String, String)> {
            outs.iter()
                .map(|(name, text)| {
                    let text = text
                        .replace(&format!("{n} responses"), "N responses")
                        .replace(&format!("\"responses\": {n}"), "\"responses\": N")
                        .replace(&format!("\"n\": {n}"), "\"n\": N")
                        .replace(&format!(",{n},"), ",N,")
                        .replace(&format!("{n} so far"), "N so far")
                        .replace(&format!("<td class=\"num\">{n}</td>"), "<td class=\"num\">N</td>")
                        .replace(&format!("· {n} responses"), "· N responses")
                        // The team column is as wide as the longest name ("team").
                        .replace(&format!("{:<4} {n:>4}", "Web"), &format!("{:<4} {:>4}", "Web", "N"))
                        .replace(&format!("| Web | {n} |"), "| Web | N |");
                    (name.clone(), text)
                })
                .collect()
        };
        let changed = differences(&normalise(&before, 5), &normalise(&after, 6));
        assert!(changed.is_empty(), "{}", changed.join("\n\n"));
        // And the count did change, so the comparison saw the round at all.
        assert_ne!(before, after);
    })
    .await;
}

/// Every view that shows a closed round's result, each on its own.
async fn run_view(app: &App<'_>, view: &str, round: i64) {
    let shown = match view {
        "round report" => app.round_report(round).await.map(|r| r.hidden.is_none()),
        "org report" => app.org_report().await.map(|_| true),
        "org csv" => org_csv(app, ORG_ROUNDS_PER_PART).await.map(|_| true),
        "history" => app.history(Some("Web")).await.map(|_| true),
        "team report" => app.team_report(Some("Web")).await.map(|_| true),
        "plan" => app.plan_report("Web").await.map(|p| p.current_from.is_some()),
        "suggestions" => app.suggestions("Web", &Default::default()).await.map(|_| true),
        "check" => app.check("Web", Some("0"), false).await.map(|v| v.pass),
        "goal" => app
            .set_goal("Web", "meetings", "3", "2099-01-01")
            .await
            .map(|g| g.goal.baseline.is_some()),
        other => panic!("unknown view {other}"),
    };
    assert_eq!(shown.map_err(|e| e.to_string()), Ok(true), "{view} shows the result");
}

const VIEWS: [&str; 9] = [
    "round report",
    "org report",
    "org csv",
    "history",
    "team report",
    "plan",
    "suggestions",
    "check",
    "goal",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_that_shows_a_closed_result_publishes_it() {
    on_every_backend("every_view_publishes", |store| async move {
        let answers: Vec<Answers> = (0..5).map(|i| detailed(&[i % 4, 2])).collect();
        // One team per view, so each view is the first to show its round.
        let lead = app(&*store, MONDAY).await;
        let mut rounds = Vec::new();
        for (seed, view) in VIEWS.iter().enumerate() {
            let team = format!("Web {view}");
            lead.add_team(&team, None).await.expect("team");
            let (round, tokens) = open(&lead, &team, Mode::Detailed, 5, 5, 100 + seed as u64).await;
            for (token, a) in tokens.iter().zip(&answers) {
                lead.respond(token, a).await.expect("answer");
            }
            lead.close_round(round).await.expect("close");
            rounds.push((view, team, round));
        }
        // Before anything showed them, each could still be reopened; check
        // one, then close it again.
        let (_, _, first) = rounds[0];
        lead.reopen_round(first).await.expect("reopen before any view");
        lead.close_round(first).await.expect("close again");
        for (view, team, round) in &rounds {
            // Views read the team "Web": rename this view's team to it.
            lead.rename_team(team, "Web").await.expect("rename");
            run_view(&lead, view, *round).await;
            let status = lead.round_status(*round).await.expect("status");
            assert!(status.published, "{view} did not publish round {round}");
            assert!(
                matches!(lead.reopen_round(*round).await, Err(AppError::ReopenRefused(_))),
                "{view}: a shown round must not reopen"
            );
            lead.rename_team("Web", &format!("{team} done"))
                .await
                .expect("rename back");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_and_lists_do_not_publish_and_open_rounds_stay_reopenable() {
    on_every_backend("counts_do_not_publish", |store| async move {
        let answers: Vec<Answers> = (0..5).map(|i| detailed(&[i % 4])).collect();
        let (round, _) = answered_round(&*store, &answers, false).await;
        let week = app(&*store, FRIDAY).await;
        // Every view while open: nothing is shown, nothing published.
        let _ = outputs(&week, "Web", round).await;
        week.round_list(None).await.expect("list");
        week.close_check(round).await.expect("check");
        assert!(!week.round_status(round).await.expect("status").published);
        week.close_round(round).await.expect("close");
        week.round_status(round).await.expect("status");
        week.round_list(Some("Web")).await.expect("list");
        week.reopen_round(round)
            .await
            .expect("nothing was shown, so it reopens");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_token_round_cannot_be_padded_with_imported_answers() {
    on_every_backend("no_padding", |store| async move {
        let answers: Vec<Answers> = (0..4).map(|i| detailed(&[i % 4, 1])).collect();
        let (round, _) = answered_round(&*store, &answers, false).await;
        let week = app(&*store, FRIDAY).await;
        let fake = "documentation.0.1\n3\n";
        let refused = week
            .import_responses(round, fake, "fake.csv", &Default::default())
            .await
            .expect_err("padding refused while open");
        assert!(
            refused.to_string().contains("tokens or imports, never both"),
            "{refused}"
        );
        week.close_round(round).await.expect("close below k");
        let refused = week
            .import_responses(round, fake, "fake.csv", &Default::default())
            .await
            .expect_err("padding refused after the close");
        assert!(matches!(refused, AppError::Conflict(_)), "{refused:?}");
        assert_eq!(week.round_status(round).await.expect("status").responses, 4);
        let report = week.round_report(round).await.expect("report");
        assert_eq!(report.hidden.map(|h| h.n), Some(4));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_close_an_export_links_no_token_to_a_response() {
    on_every_backend("export_after_close", |store| async move {
        let answers: Vec<Answers> = (0..5).map(|i| detailed(&[i % 4, 2, 1])).collect();
        let (round, _) = answered_round(&*store, &answers, false).await;
        let week = app(&*store, FRIDAY).await;
        let open = week.export().await.expect("export");
        assert_eq!(open.rounds[0].tokens.iter().filter(|t| t.response.is_some()).count(), 5);
        week.close_round(round).await.expect("close");
        let closed = week.export().await.expect("export");
        let exported = &closed.rounds[0];
        assert!(exported.sealed);
        assert!(exported.tokens.iter().all(|t| t.response.is_none()));
        assert_eq!(exported.tokens.iter().filter(|t| t.spent).count(), 5);
        let days: std::collections::BTreeSet<&str> =
            exported.responses.iter().map(|r| r.submitted_on.as_str()).collect();
        assert_eq!(days.len(), 1, "every response carries the closing day: {days:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_one_person_answered_never_shows_their_answer() {
    // Five respondents; documentation.0.1 answered by one person only (the
    // others say "don't know"). Their answer moves their own score, which
    // the spread (min, max) of any group shows by design; but neither the
    // statement's distribution nor the team's explanation may depend on it.
    let mut seen = Vec::new();
    for lone in [0u8, 3] {
        let store = memory_store().await;
        let answers: Vec<Answers> = (0..5)
            .map(|i| {
                let mut a = detailed(&[2, 1, 3]);
                if let Answers::Detailed(d) = &mut a {
                    let first = asyncmm_model::StatementId::parse("documentation.0.1").expect("id");
                    let answer = if i == 0 {
                        Answer::Agree(Agreement::new(lone).expect("0-3"))
                    } else {
                        Answer::DontKnow
                    };
                    d.set(first, answer);
                }
                a
            })
            .collect();
        let (round, _) = answered_round(&*store, &answers, true).await;
        let reader = app(&*store, FRIDAY).await;
        let report = reader.round_report(round).await.expect("report");
        assert!(report.hidden.is_none(), "five responses: shown");
        let docs = &report.areas[0];
        let statement = &docs.statements[0];
        assert_eq!(statement.statement, "documentation.0.1");
        assert!(statement.hidden.is_some() && statement.agreement.is_none() && statement.mean.is_none());
        let text = render_round_text(&report, Style { color: false });
        assert!(
            !text.contains("documentation.0.1"),
            "never named with an answer: {text}"
        );
        seen.push((
            to_json(&docs.statements).expect("json"),
            to_json(&docs.holding_back).expect("json"),
            to_json(&docs.target).expect("json"),
        ));
    }
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_csv_in_parts_is_the_whole_report_with_every_round_gated() {
    on_every_backend("org_csv_in_parts", |store| async move {
        let lead = app(&*store, MONDAY).await;
        lead.add_team("Engineering", None).await.expect("group");
        for team in ["Payments", "Mobile", "Web"] {
            lead.add_team(team, Some("Engineering")).await.expect("team");
        }
        // Payments twice with 5 of k = 5 (shown), Mobile with 3 (hidden,
        // below k), Web with 5 but still open (only its count).
        let mut rounds = Vec::new();
        for (seed, (team, n, close)) in [
            ("Payments", 5u32, true),
            ("Mobile", 3, true),
            ("Payments", 5, true),
            ("Web", 5, false),
        ]
        .into_iter()
        .enumerate()
        {
            let (round, tokens) = open(&lead, team, Mode::Quick, 5, n, 60 + seed as u64).await;
            for token in &tokens {
                lead.respond(token, &quick([2, 1, 3, 2, 0])).await.expect("answer");
            }
            if close {
                lead.close_round(round).await.expect("close");
            }
            rounds.push((team, round));
        }
        let whole = org_csv(&lead, ORG_ROUNDS_PER_PART).await.expect("org csv");
        // One part per round, and parts that split the rounds unevenly:
        // the same bytes (the second time from the kept results).
        for per_part in [1, 2, 3] {
            assert_eq!(
                org_csv(&lead, per_part).await.expect("org csv"),
                whole,
                "{per_part} per part"
            );
        }
        let lines: Vec<&str> = whole.lines().collect();
        assert_eq!(lines[0], asyncmm_report::team::ORG_CSV_HEADER);
        // 4 rounds × 5 areas, in round order.
        assert_eq!(lines.len(), 1 + 4 * 5, "{whole}");
        for (i, (team, round)) in rounds.iter().enumerate() {
            for line in &lines[1 + i * 5..1 + (i + 1) * 5] {
                let f: Vec<&str> = line.split(',').collect();
                assert_eq!(f.len(), 14, "{line}");
                assert_eq!(
                    (f[0], f[1], f[2]),
                    (*team, "Engineering", round.to_string().as_str()),
                    "{line}"
                );
                let (hidden, reason, level) = (f[8], f[9], f[10]);
                match *team {
                    "Payments" => assert_eq!((f[6], hidden, reason), ("5", "false", ""), "{line}"),
                    "Mobile" => assert_eq!(
                        (f[6], hidden, reason, level),
                        ("3", "true", "too_few_responses", ""),
                        "{line}"
                    ),
                    _ => assert_eq!((f[6], hidden, reason, level), ("5", "true", "round_open", ""), "{line}"),
                }
                if *team == "Payments" {
                    assert!(["0", "1", "2", "3"].contains(&level), "{line}");
                }
            }
        }
        // Only what was shown got published.
        for (team, round) in &rounds {
            let status = lead.round_status(*round).await.expect("status");
            assert_eq!(status.published, *team == "Payments", "{team} round {round}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_team_is_left_out_of_its_group_and_every_hidden_cell_says_why() {
    on_every_backend("small_team_left_out", |store| async move {
        let lead = app(&*store, MONDAY).await;
        lead.add_team("Engineering", None).await.expect("group");
        let mut seed = 20;
        for (team, n) in [("Payments", 5usize), ("Remote Squad", 7), ("Mobile", 3)] {
            lead.add_team(team, Some("Engineering")).await.expect("team");
            seed += 1;
            let (round, tokens) = open(&lead, team, Mode::Quick, 5, n as u32, seed).await;
            for token in &tokens {
                lead.respond(token, &quick([2, 1, 1, 2, 1])).await.expect("answer");
            }
            let check = lead.close_check(round).await.expect("check");
            assert_eq!(check.warning().is_some(), n < 5, "{team}");
            if let Some(warning) = check.warning() {
                assert!(warning.contains("has 3 of the 5 responses"), "{warning}");
            }
            lead.close_round(round).await.expect("close");
        }
        let org = lead.org_report().await.expect("org");
        let mobile = org.teams.iter().find(|t| t.team == "Mobile").expect("Mobile row");
        let hidden = mobile.hidden.as_ref().expect("Mobile hidden");
        assert_eq!(hidden.text(), "hidden: 3 responses < k = 5");
        for rollup in &org.rollups {
            for node in ["Engineering", "organisation"] {
                let row = rollup.rows.iter().find(|r| r.node == node).expect("row");
                assert!(row.hidden.is_none(), "{node} shown despite Mobile");
                assert_eq!(row.respondents, 12, "{node}");
                assert!(row.cells.iter().all(|c| c.hidden.is_none() || c.level.is_none()));
                let left_out = row.left_out.as_deref().expect("says what it left out");
                assert!(left_out.contains("excludes 1 team (Mobile), 3 responses"), "{left_out}");
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_kept_while_hidden_is_never_shown_after_a_reopen() {
    on_every_backend("kept_then_reopened", |store| async move {
        // Closed below k: every view shows only the count, nothing is
        // published, and the round's result is kept for the next view.
        let answers: Vec<Answers> = (0..5).map(|i| detailed(&[i % 4, 3, 1])).collect();
        let (round, unused) = answered_round(&*store, &answers[..4], true).await;
        let week = app(&*store, FRIDAY).await;
        let hidden = outputs(&week, "Web", round).await;
        let kept = store.kept_results(&[asyncmm_core::RoundId(round)]).await.expect("kept");
        assert_eq!(kept.len(), 1, "the first view keeps the closed round's result");
        assert!(!week.round_status(round).await.expect("status").published);
        let report = week.round_report(round).await.expect("report");
        assert_eq!(report.hidden.map(|h| h.n), Some(4));

        // Reopened, a fifth person answers and it closes again at k.
        week.reopen_round(round)
            .await
            .expect("nothing was shown, so it reopens");
        assert!(
            store
                .kept_results(&[asyncmm_core::RoundId(round)])
                .await
                .expect("kept")
                .is_empty(),
            "reopening forgets the kept result"
        );
        week.respond(&unused[0], &answers[4]).await.expect("fifth answer");
        week.close_round(round).await.expect("close again");
        let shown = outputs(&week, "Web", round).await;
        assert!(
            !differences(&hidden, &shown).is_empty(),
            "the views must change once the round reaches k"
        );

        // Every output equals that of a database that never kept anything:
        // the same five answers, closed once.
        let fresh_store = memory_store().await;
        let (fresh_round, _) = answered_round(&*fresh_store, &answers, true).await;
        assert_eq!(fresh_round, round);
        let fresh_app = app(&*fresh_store, FRIDAY).await;
        let fresh = outputs(&fresh_app, "Web", fresh_round).await;
        let changed = differences(&fresh, &shown);
        assert!(changed.is_empty(), "{}", changed.join("\n\n"));
        let csv = shown.iter().find(|(name, _)| name == "org csv").expect("org csv");
        assert!(
            csv.1
                .lines()
                .skip(1)
                .all(|l| l.contains(",5,") && l.contains(",false,")),
            "{}",
            csv.1
        );
    })
    .await;
}

/// Rounds 1–3 of k = 5, detailed, of teams Web, Api and Ops (under
/// `group`): above k and closed, below k and closed, open.
async fn above_below_and_open(lead: &App<'_>, group: Option<&str>) {
    for (seed, (team, answered, close)) in [("Web", 6, true), ("Api", 3, true), ("Ops", 5, false)]
        .into_iter()
        .enumerate()
    {
        lead.add_team(team, group).await.expect("team");
        let (round, tokens) = open(lead, team, Mode::Detailed, 5, 8, 40 + seed as u64).await;
        for (i, token) in tokens.iter().take(answered).enumerate() {
            let i = u8::try_from(i).expect("small");
            lead.respond(token, &detailed(&[i % 4, (i + 1) % 5, 2]))
                .await
                .expect("answer");
        }
        if close {
            lead.close_round(round).await.expect("close");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_results_show_exactly_what_aggregating_again_shows() {
    on_every_backend("kept_equals_fresh", |store| async move {
        let lead = app(&*store, MONDAY).await;
        lead.add_team("Org", None).await.expect("group");
        above_below_and_open(&lead, Some("Org")).await;
        let week = app(&*store, FRIDAY).await;
        let first = outputs(&week, "Web", 1).await;
        let rounds: Vec<asyncmm_core::RoundId> = (1..=3).map(asyncmm_core::RoundId).collect();
        let kept = store.kept_results(&rounds).await.expect("kept");
        let mut kept_ids: Vec<i64> = kept.keys().map(|id| id.0).collect();
        kept_ids.sort_unstable();
        assert_eq!(kept_ids, vec![1, 2], "closed rounds are kept, the open one is not");
        // Read from what was kept this time: the same, byte for byte.
        let second = outputs(&week, "Web", 1).await;
        let changed = differences(&first, &second);
        assert!(changed.is_empty(), "{}", changed.join("\n\n"));
        let csv = &second.iter().find(|(name, _)| name == "org csv").expect("org csv").1;
        assert!(csv.contains("Api"), "{csv}");
        assert!(
            csv.lines()
                .any(|l| l.starts_with("Api,") && l.contains(",3,") && l.contains("true")),
            "{csv}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_trends_roll_groups_up_per_quarter_and_hide_what_k_hides() {
    on_every_backend("org_trends", |store| async move {
        let winter = app(&*store, MONDAY).await;
        winter.add_team("Engineering", None).await.expect("group");
        winter.add_team("Payments", Some("Engineering")).await.expect("team");
        winter.add_team("Mobile", Some("Engineering")).await.expect("team");
        // Q1: Payments at 1 with five answers; Mobile with three (hidden).
        for (team, n, level, seed) in [("Payments", 5u32, 1u8, 41u64), ("Mobile", 3, 3, 42)] {
            let (round, tokens) = open(&winter, team, Mode::Quick, 5, n, seed).await;
            for token in &tokens {
                winter.respond(token, &quick([level; 5])).await.expect("answer");
            }
            winter.close_round(round).await.expect("close");
        }
        // Q2: Payments again, now at 2; Mobile has no round.
        let spring = app(&*store, MONDAY + time::Duration::days(92)).await;
        let (round, tokens) = open(&spring, "Payments", Mode::Quick, 5, 5, 43).await;
        for token in &tokens {
            spring.respond(token, &quick([2; 5])).await.expect("answer");
        }
        spring.close_round(round).await.expect("close");

        let trends = spring.org_trends().await.expect("trends");
        let quarters: Vec<&str> = trends.iter().map(|p| p.quarter.as_str()).collect();
        assert_eq!(quarters, ["2027 Q1", "2027 Q2"]);
        let medians = |period: usize, node: &str| -> Vec<Option<f64>> {
            let rollup = trends[period].report.rollups.first().expect("a roll-up");
            let row = rollup.rows.iter().find(|r| r.node == node).expect("the group's row");
            row.cells.iter().map(|c| c.median).collect()
        };
        // Mobile's three answers at 3 never reach the group: only Payments counts.
        assert_eq!(medians(0, "Engineering"), vec![Some(1.0); 5]);
        assert_eq!(medians(1, "Engineering"), vec![Some(2.0); 5]);
        let mobile = trends[0]
            .report
            .teams
            .iter()
            .find(|t| t.team == "Mobile")
            .expect("Mobile");
        assert!(mobile.hidden.is_some() && mobile.cells.iter().all(|c| c.median.is_none()));
        assert!(trends[1].report.teams.iter().all(|t| t.team != "Mobile"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_closed_results_ahead_keeps_closed_rounds_only_and_publishes_nothing() {
    on_every_backend("kept_ahead", |store| async move {
        let lead = app(&*store, MONDAY).await;
        // Only the closed two are kept, and keeping shows nothing, so
        // nothing is published.
        above_below_and_open(&lead, None).await;
        let week = app(&*store, FRIDAY).await;
        assert_eq!(week.keep_closed_results().await.expect("keep"), 2);
        let rounds: Vec<asyncmm_core::RoundId> = (1..=3).map(asyncmm_core::RoundId).collect();
        let mut kept_ids: Vec<i64> = store
            .kept_results(&rounds)
            .await
            .expect("kept")
            .keys()
            .map(|id| id.0)
            .collect();
        kept_ids.sort_unstable();
        assert_eq!(kept_ids, vec![1, 2]);
        for id in &rounds {
            let round = store.round(*id).await.expect("round");
            assert!(!round.published, "round {id:?} was published by keeping its result");
        }
        // Twice is the same: what is kept is found, not kept again.
        assert_eq!(week.keep_closed_results().await.expect("keep again"), 2);
        // Reopening forgets the round's result; keeping again skips it.
        week.reopen_round(2).await.expect("reopen");
        assert_eq!(week.keep_closed_results().await.expect("keep after reopen"), 1);
    })
    .await;
}
