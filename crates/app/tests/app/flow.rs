//! A whole quarter through the application layer, as the web will drive it:
//! a lead adds a team, opens a round, five people answer with their tokens
//! (one revises), the lead closes it and reads the result, and the team's
//! record holds it without any self-assessment.

use asyncmm_app::AppError;
use asyncmm_core::Mode;
use asyncmm_report::to_json;
use asyncmm_store::SubmitOutcome;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_round_through_the_app_api() {
    on_every_backend("a_full_round_through_the_app_api", |store| async move {
        let lead = app(&*store, MONDAY).await;
        lead.add_team("Payments", None).await.expect("team");
        let (round, tokens) = open(&lead, "payments", Mode::Quick, 5, 6, 7).await;
        assert_eq!(tokens.len(), 6);

        // Respondents, each with their own token, during the week.
        let week = app(&*store, FRIDAY).await;
        for (token, level) in tokens.iter().zip([2u8, 2, 3, 1, 2]) {
            let invitation = week.invitation(token).await.expect("invited");
            assert_eq!(invitation.team.as_str(), "Payments");
            assert_eq!(invitation.round.mode, Mode::Quick);
            assert!(!invitation.answered_before);
            let outcome = week.respond(token, &quick([level, 1, 1, 2, 1])).await.expect("answer");
            assert_eq!(outcome, SubmitOutcome::Created);
        }
        assert!(week.invitation(&tokens[0]).await.expect("invited").answered_before);
        let revised = week.respond(&tokens[0], &quick([3, 1, 1, 2, 1])).await.expect("revise");
        assert_eq!(revised, SubmitOutcome::Revised);

        // While open: the count, nothing else.
        let report = week.round_report(round).await.expect("report");
        assert_eq!(report.round.responses, 5);
        assert!(report.areas.is_empty());
        assert_eq!(report.hidden.as_ref().map(|h| h.n), Some(5));
        assert!(matches!(
            week.history(Some("Payments")).await,
            Err(AppError::NothingYet(_))
        ));

        // Closed: the result, and the round is the team's record.
        let close = week.close_check(round).await.expect("check");
        assert_eq!(close.warning(), None, "five responses reach k");
        week.close_round(round).await.expect("close");
        let report = week.round_report(round).await.expect("report");
        assert_eq!(report.hidden, None);
        let docs = &report.areas[0];
        // Levels 3, 2, 3, 1, 2 → median 2, n = 5.
        assert_eq!((docs.n, docs.median), (5, Some(2.0)));
        let json = to_json(&report).expect("json");
        assert!(json.contains("\"state\": \"closed\""), "{json}");

        let history = week
            .history(Some("PAYMENTS"))
            .await
            .expect("history from the round alone");
        assert_eq!(history.entries.len(), 1);
        assert_eq!(history.entries[0].source.kind, "round");
        assert_eq!(history.entries[0].source.respondents, 5);
        let plan = week.plan_report("Payments").await.expect("plan");
        assert_eq!(plan.current_from.as_deref(), Some(&*format!("round {round}")));

        // A respondent arriving after the close is turned away clearly.
        assert!(matches!(
            week.respond(&tokens[5], &quick([1; 5])).await,
            Err(AppError::RoundClosed(_))
        ));
        assert!(matches!(week.invitation("nonsense").await, Err(AppError::TokenUnknown)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_closed_rounds_make_a_history_trend_and_radar_without_assess() {
    on_every_backend("two_closed_rounds_make_a_history", |store| async move {
        let lead = app(&*store, MONDAY).await;
        lead.add_team("Mobile", None).await.expect("team");
        for (quarter, documentation) in [(1u64, 1u8), (2, 2)] {
            let (round, tokens) = open(&lead, "Mobile", Mode::Quick, 5, 5, quarter).await;
            for token in &tokens {
                lead.respond(token, &quick([documentation, 1, 1, 1, 1]))
                    .await
                    .expect("answer");
            }
            lead.close_round(round).await.expect("close");
        }
        let history = lead.history(Some("Mobile")).await.expect("history");
        assert_eq!(history.entries.len(), 2);
        let second = &history.entries[1];
        assert_eq!(second.compared_with.as_deref(), Some("round 1"));
        assert_eq!(second.areas[0].delta, Some(1.0));
        let trend = asyncmm_report::svg::history_trend(&history);
        assert!(trend.contains("team median per area, round by round"), "{trend}");
        let radar = asyncmm_report::svg::history_radar(&history, None);
        assert!(radar.contains("now: round 2 median"), "{radar}");
        assert!(radar.contains("before: round 1 median"), "{radar}");

        // A detailed round after quick ones is a change of instrument.
        let (round, tokens) = open(&lead, "Mobile", Mode::Detailed, 5, 5, 9).await;
        let model = model().model;
        for token in &tokens {
            let answers = asyncmm_core::Answers::Detailed(asyncmm_core::DetailedAnswers::from_map(
                model
                    .statements()
                    .map(|s| {
                        let v = u8::from(s.level().number() >= 2) * 3;
                        (
                            s.id.clone(),
                            asyncmm_core::Answer::Agree(asyncmm_core::Agreement::new(v).expect("0-3")),
                        )
                    })
                    .collect(),
            ));
            lead.respond(token, &answers).await.expect("answer");
        }
        lead.close_round(round).await.expect("close");
        let history = lead.history(Some("Mobile")).await.expect("history");
        let third = &history.entries[2];
        assert_eq!(third.break_, Some(asyncmm_core::history::Break::ModeChanged));
        assert!(third.areas.iter().all(|a| a.delta.is_none() && !a.regression));
        assert!(asyncmm_report::svg::history_trend(&history).contains("quick → detailed mode"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_of_a_version_and_its_wording_revision_roll_up_together() {
    on_every_backend("revision_rollup", |store| async move {
        let lead = app(&*store, MONDAY).await;
        lead.add_team("Engineering", None).await.expect("group");
        let old_text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../models/history/async-communications-1.0.0.toml"
        ))
        .expect("1.0.0");
        let old = asyncmm_app::LoadedModel::parse(&old_text, "async-communications-1.0.0.toml").expect("parses");
        for (team, model, seed) in [("Web", &old, 1u64), ("Api", &model(), 2)] {
            lead.add_team(team, Some("Engineering")).await.expect("team");
            let opened = lead
                .open_round(team, Mode::Quick, 5, None, 5, model, &mut Seeded(seed))
                .await
                .expect("open");
            for token in &opened.tokens {
                lead.respond(&token.reveal(), &quick([2, 1, 1, 1, 1]))
                    .await
                    .expect("answer");
            }
            lead.close_round(opened.round.id.0).await.expect("close");
        }
        let org = lead.org_report().await.expect("org");
        let pooled: Vec<&str> = org.rollups.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(
            pooled, ["async-communications@1.0.0 (wording revised in 1.1.0)"; 2],
            "one roll-up per rule, over both versions"
        );
        let engineering = org.rollups[1]
            .rows
            .iter()
            .find(|r| r.node == "Engineering")
            .expect("row");
        assert_eq!(engineering.respondents, 10);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_link_issues_answer_links_of_its_round_only_while_it_is_open() {
    on_every_backend("a_shared_link_issues_answer_links", |store| async move {
        let lead = app(&*store, MONDAY).await;
        lead.add_team("Forum", None).await.expect("team");
        lead.add_team("Other", None).await.expect("team");
        let (round, _) = open(&lead, "Forum", Mode::Quick, 5, 0, 11).await;
        let (_, others) = open(&lead, "Other", Mode::Quick, 5, 1, 12).await;
        let old = lead.share_round(round, &mut Seeded(13)).await.expect("share").reveal();
        let secret = lead
            .share_round(round, &mut Seeded(14))
            .await
            .expect("share again")
            .reveal();
        assert!(matches!(
            lead.shared_round(&old).await,
            Err(AppError::SharedLinkUnknown)
        ));
        assert!(matches!(
            lead.shared_round("nonsense").await,
            Err(AppError::SharedLinkUnknown)
        ));

        let week = app(&*store, FRIDAY).await;
        let shared = week.shared_round(&secret).await.expect("the link works");
        assert_eq!(shared.team.as_str(), "Forum");
        let first = week
            .issue_shared_token(&secret, &mut Seeded(15))
            .await
            .expect("token")
            .reveal();
        let second = week
            .issue_shared_token(&secret, &mut Seeded(16))
            .await
            .expect("token")
            .reveal();
        assert_ne!(first, second);
        // A browser's own token comes back; a token of another round, or
        // none, does not.
        let kept = week.kept_shared_token(&shared, Some(&first)).await.expect("kept");
        assert_eq!(kept.map(|t| t.reveal()), Some(first.clone()));
        assert!(
            week.kept_shared_token(&shared, Some(&others[0]))
                .await
                .expect("kept")
                .is_none()
        );
        assert!(
            week.kept_shared_token(&shared, Some("garbage"))
                .await
                .expect("kept")
                .is_none()
        );
        assert!(week.kept_shared_token(&shared, None).await.expect("kept").is_none());
        // Issued tokens answer like personal ones.
        week.respond(&first, &quick([2; 5])).await.expect("answer");
        week.respond(&second, &quick([1; 5])).await.expect("answer");
        assert_eq!(week.round_status(round).await.expect("status").responses, 2);

        // Closing the round stops the link: no page, no new token, no new link.
        week.close_round(round).await.expect("close");
        assert!(matches!(
            week.shared_round(&secret).await,
            Err(AppError::RoundClosed(_))
        ));
        assert!(matches!(
            week.issue_shared_token(&secret, &mut Seeded(17)).await,
            Err(AppError::RoundClosed(_))
        ));
        assert!(matches!(
            week.share_round(round, &mut Seeded(18)).await,
            Err(AppError::Conflict(_))
        ));
    })
    .await;
}

/// A respondent's use cases don't seal rounds (they never read a result),
/// yet refuse a round past its closing day all the same; the first other
/// use case seals it, so the token's link is gone before any result shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_respondent_is_refused_after_the_closing_day_and_any_reader_seals_first() {
    on_every_backend(
        "a_respondent_is_refused_after_the_closing_day_and_any_reader_seals_first",
        |store| async move {
            let lead = app(&*store, MONDAY).await;
            lead.add_team("Payments", None).await.expect("team");
            let opened = lead
                .open_round(
                    "payments",
                    Mode::Quick,
                    5,
                    Some("2027-03-04"),
                    6,
                    &model(),
                    &mut Seeded(3),
                )
                .await
                .expect("open round");
            let round = opened.round.id.0;
            let tokens: Vec<String> = opened.tokens.iter().map(asyncmm_core::Token::reveal).collect();
            let tuesday = asyncmm_app::Respondent::new(&*store, MONDAY + time::Duration::days(1));
            for (token, level) in tokens.iter().zip([2u8, 2, 3, 1, 2]) {
                tuesday
                    .respond(token, &quick([level, 1, 1, 2, 1]))
                    .await
                    .expect("answer");
            }
            let invitation = tuesday.invitation(&tokens[0]).await.expect("invited");
            assert_eq!(invitation.answers, Some(quick([2, 1, 1, 2, 1])), "its own answers");

            // Friday, past the closing day: the respondent is refused, and
            // nothing was sealed by asking.
            let friday = asyncmm_app::Respondent::new(&*store, FRIDAY);
            assert!(matches!(
                friday.invitation(&tokens[0]).await,
                Err(AppError::RoundClosed(_))
            ));
            assert!(matches!(
                friday.respond(&tokens[5], &quick([1; 5])).await,
                Err(AppError::RoundClosed(_))
            ));
            let token = asyncmm_core::Token::parse(&tokens[0]).expect("token");
            assert!(store.token_status(&token.hash()).await.expect("status").answered);

            // Any other use case seals first: the link is gone before the
            // result is read.
            let reader = app(&*store, FRIDAY).await;
            let status = store.token_status(&token.hash()).await.expect("status");
            assert_eq!((status.answered, status.spent), (false, true));
            let report = reader.round_report(round).await.expect("report");
            assert_eq!(report.hidden, None);
            assert_eq!(report.areas[0].n, 5);
        },
    )
    .await;
}
