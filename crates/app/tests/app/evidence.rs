//! Evidence through the application API: saving scans (never with names,
//! never empty), waivers, and perception vs evidence, where the survey side
//! is the team's newest round that may be shown — an open round, or one
//! under k, gives no survey level at all.

use std::collections::BTreeSet;

use asyncmm_app::AppError;
use asyncmm_core::Mode;
use asyncmm_evidence::catalog::spec;
use asyncmm_evidence::{People, Person, Scan, SourceKind, Window};
use time::macros::datetime;

use crate::common::*;

fn window() -> Window {
    Window {
        since: datetime!(2027-01-01 0:00 UTC),
        until: datetime!(2027-03-01 0:00 UTC),
    }
}

/// A GitHub scan where 12% of 50 merged pull requests link an issue.
fn github_scan() -> Scan {
    let m = |id: &str, value: f64, sample: u64| spec(id).expect("known metric").measured(value, sample, window());
    Scan {
        source: SourceKind::Github,
        subject: "acme/api".into(),
        window: window(),
        scanned_at: datetime!(2027-03-01 08:00 UTC),
        metrics: vec![m("github.merged_prs_linked_share", 0.12, 50)],
        notes: vec![],
        people: Some(People {
            count: 6,
            k: 5,
            activity_of: "pull requests".into(),
            top: vec![Person {
                id: "0123456789ab".into(),
                name: None,
                activity: 20,
                share: 0.4,
            }],
        }),
        writable_meetings: vec![],
    }
}

async fn round_with(lead: &asyncmm_app::App<'_>, team: &str, k: i64, rows: usize) -> i64 {
    lead.add_team(team, None).await.expect("team");
    let (round, _) = open(lead, team, Mode::Quick, k, 0, 7).await;
    let csv = format!(
        "documentation,decision-making,work-tracking,meetings,leadership-culture\n{}",
        "1,2,2,1,1\n".repeat(rows)
    );
    lead.import_responses(round, &csv, "answers.csv", &BTreeSet::new())
        .await
        .expect("import");
    round
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survey_side_is_the_newest_shown_round_and_gaps_are_flagged() {
    on_every_backend("perception", |store| async move {
        let lead = app(&*store, MONDAY).await;
        let round = round_with(&lead, "Platform", 5, 5).await;
        let team = lead.evidence_team("Platform").await.expect("team");
        lead.save_scan(&team, &github_scan()).await.expect("save");

        // Open round: no survey level may be shown.
        let open = lead.perception("Platform", None).await.expect("report");
        assert_eq!(open.survey_from, None);
        let wt = open.areas.iter().find(|a| a.area == "work-tracking").expect("area");
        assert_eq!(wt.survey, None);
        assert_eq!(wt.evidence.as_ref().map(|l| l.number), Some(0));
        assert!(!wt.flagged);

        lead.close_round(round).await.expect("close");
        let later = app(&*store, FRIDAY).await;
        let report = later.perception("platform", None).await.expect("report");
        assert!(report.survey_from.as_deref().unwrap_or("").starts_with("round 1"));
        let wt = report.areas.iter().find(|a| a.area == "work-tracking").expect("area");
        assert_eq!(wt.survey.as_ref().map(|l| l.number), Some(2));
        assert_eq!(wt.gap, Some(-2));
        assert!(wt.flagged);
        assert_eq!(
            wt.verdict,
            "The team rates Work tracking 2 Defined; the evidence suggests 0 Unaware because \
             github.merged_prs_linked_share is 12% (rule work-tracking.prs-linked-to-issues)."
        );
        let meetings = report.areas.iter().find(|a| a.area == "meetings").expect("meetings");
        assert!(
            meetings.verdict.starts_with("No evidence for Meetings"),
            "{}",
            meetings.verdict
        );

        // Waived: still listed with its reason, out of the level.
        later
            .waive(
                "Platform",
                "work-tracking.prs-linked-to-issues",
                "PRs link Jira in a field",
                "2027-06-30",
            )
            .await
            .expect("waive");
        let waived = later.perception("Platform", None).await.expect("report");
        let wt = waived.areas.iter().find(|a| a.area == "work-tracking").expect("area");
        assert_eq!(wt.evidence, None);
        assert_eq!(wt.fired.len(), 1);
        assert_eq!(
            wt.fired[0].waived.as_ref().map(|w| w.reason.as_str()),
            Some("PRs link Jira in a field")
        );
        assert!(wt.verdict.contains("waived"), "{}", wt.verdict);
        // After the last day, the rule counts again.
        let summer = app(&*store, datetime!(2027-07-01 09:00 UTC)).await;
        let expired = summer.perception("Platform", None).await.expect("report");
        let wt = expired.areas.iter().find(|a| a.area == "work-tracking").expect("area");
        assert!(wt.fired[0].waived.is_none());
        assert!(wt.flagged);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_under_k_gives_no_survey_level() {
    on_every_backend("perception_under_k", |store| async move {
        let lead = app(&*store, MONDAY).await;
        let round = round_with(&lead, "Small", 5, 4).await;
        lead.close_round(round).await.expect("close");
        let team = lead.evidence_team("Small").await.expect("team");
        lead.save_scan(&team, &github_scan()).await.expect("save");
        let report = app(&*store, FRIDAY)
            .await
            .perception("Small", None)
            .await
            .expect("report");
        assert_eq!(report.survey_from, None);
        assert!(report.areas.iter().all(|a| a.survey.is_none() && !a.flagged));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_with_names_or_without_any_measure_are_not_saved() {
    on_every_backend("evidence_save_refusals", |store| async move {
        let lead = app(&*store, MONDAY).await;
        let team = lead.evidence_team("Platform").await.expect("team");
        let mut named = github_scan();
        if let Some(people) = named.people.as_mut() {
            people.top[0].name = Some("Ada Lovelace".into());
        }
        let refused = lead.save_scan(&team, &named).await;
        assert!(matches!(refused, Err(AppError::Invalid { .. })), "{refused:?}");
        let mut empty = github_scan();
        empty.metrics = vec![spec("github.merged_prs_linked_share").expect("known").no_data(
            "no merged pull requests",
            0,
            window(),
        )];
        let refused = lead.save_scan(&team, &empty).await;
        assert!(matches!(refused, Err(AppError::Invalid { .. })), "{refused:?}");
        assert!(matches!(
            lead.evidence_history("Platform", None).await,
            Err(AppError::NothingYet(_))
        ));
        // The salt is drawn once.
        let first = lead.pseudonym_salt(&mut Seeded(1)).await.expect("salt");
        let second = lead.pseudonym_salt(&mut Seeded(2)).await.expect("salt");
        assert_eq!(first, second);
    })
    .await;
}
