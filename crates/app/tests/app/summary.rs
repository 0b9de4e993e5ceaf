//! The org summary's data: a team whose median dropped is listed with the
//! drop, a split area is listed, each hidden team is counted with its
//! reason and adds no value, and goals are counted per team.

use asyncmm_core::Mode;
use asyncmm_report::summary::HiddenKind;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_lists_drops_splits_plans_and_hidden_teams_with_reasons() {
    on_every_backend("org_summary", |store| async move {
        let lead = app(&*store, MONDAY).await;
        lead.add_team("Engineering", None).await.expect("group");
        for team in ["Web", "Api", "Tiny", "Ops"] {
            lead.add_team(team, Some("Engineering")).await.expect("team");
        }
        lead.add_team("Sales", None).await.expect("team");
        // Web: documentation 2 in the first round, 1 in the second.
        for (seed, documentation) in [(1u64, 2u8), (2, 1)] {
            let (id, tokens) = open(&lead, "Web", Mode::Quick, 5, 5, seed).await;
            for token in &tokens {
                lead.respond(token, &quick([documentation, 2, 1, 1, 1]))
                    .await
                    .expect("answer");
            }
            lead.close_round(id).await.expect("close");
        }
        // Api: split on documentation (0, 0, 1, 3, 3).
        let (api, tokens) = open(&lead, "Api", Mode::Quick, 5, 5, 10).await;
        for (token, level) in tokens.iter().zip([0u8, 0, 1, 3, 3]) {
            lead.respond(token, &quick([level, 2, 2, 2, 2])).await.expect("answer");
        }
        lead.close_round(api).await.expect("close");
        // Tiny: closed with 3 of k = 5; Ops: open with 2 so far.
        let (tiny, tokens) = open(&lead, "Tiny", Mode::Quick, 5, 3, 20).await;
        for token in &tokens {
            lead.respond(token, &quick([0, 0, 0, 0, 0])).await.expect("answer");
        }
        lead.close_round(tiny).await.expect("close");
        let (_, tokens) = open(&lead, "Ops", Mode::Quick, 5, 2, 30).await;
        for token in &tokens {
            lead.respond(token, &quick([3, 3, 3, 3, 3])).await.expect("answer");
        }
        lead.set_goal("Web", "documentation", "3", "2027-01-31")
            .await
            .expect("goal");
        lead.add_action("Web", "Write the onboarding doc", None, None, &[])
            .await
            .expect("action");

        let s = lead.org_summary(None).await.expect("summary");
        assert_eq!(
            s.coverage.teams, 5,
            "four teams of the group and Sales; the group itself holds no round"
        );
        assert_eq!(s.coverage.shown, 2);
        let hidden = |kind: HiddenKind| {
            let h = s
                .coverage
                .hidden
                .iter()
                .find(|h| h.reason == kind)
                .expect("reason listed");
            (h.count, h.teams.clone())
        };
        assert_eq!(hidden(HiddenKind::RoundOpen), (1, vec!["Ops".to_string()]));
        assert_eq!(hidden(HiddenKind::BelowK), (1, vec!["Tiny".to_string()]));
        assert_eq!(hidden(HiddenKind::NoRounds), (1, vec!["Sales".to_string()]));

        assert_eq!(s.drops.total, 1);
        let drop = &s.drops.items[0];
        assert_eq!((drop.team.as_str(), drop.area.as_str()), ("Web", "documentation"));
        assert_eq!((drop.before, drop.now, drop.delta), (2.0, 1.0, -1.0));
        assert!(drop.level_dropped);
        assert_eq!(drop.previous_round + 1, drop.round);

        assert_eq!(s.splits.total, 1);
        let split = &s.splits.items[0];
        assert_eq!((split.team.as_str(), split.area.as_str()), ("Api", "documentation"));
        assert!(split.iqr >= 1.0);
        assert_eq!(split.levels, [2, 1, 0, 2]);

        // Web (mean 1.2) before Api (mean 1.8); hidden teams never listed.
        let lowest: Vec<&str> = s.lowest.items.iter().map(|t| t.team.as_str()).collect();
        assert_eq!(lowest, ["Web", "Api"]);
        assert_eq!(s.lowest.items[0].drops, 1);
        let documentation = s
            .area_overview
            .iter()
            .find(|a| a.area == "documentation")
            .expect("area");
        assert_eq!(
            (documentation.teams, documentation.split, documentation.dropped),
            (2, 1, 1)
        );

        let org = &s.groups[0];
        assert_eq!((org.group.as_str(), org.teams, org.compared), ("organisation", 5, 1));
        let engineering = s.groups.iter().find(|g| g.group == "Engineering").expect("group row");
        assert_eq!((engineering.teams, engineering.compared), (4, 1));
        assert_eq!(engineering.areas[0].median_change, Some(-1.0));
        assert_eq!((engineering.areas[0].up, engineering.areas[0].down), (0, 1));

        assert_eq!(s.plans.total, 1);
        assert_eq!(s.plans.items[0].team, "Web");
        assert_eq!(s.plans.items[0].goals.missed, 1);
        assert_eq!(s.plans.items[0].actions.todo, 1);
        assert_eq!(s.goals.missed, 1);

        // The hidden teams add their names to the tally and nothing else:
        // Tiny answered 0 and Ops 3 everywhere, yet documentation counts only
        // Web and Api (both at level 1).
        assert_eq!(documentation.levels, [0, 2, 0, 0]);
        let listed = |name: &str| {
            s.lowest.items.iter().any(|t| t.team == name)
                || s.drops.items.iter().any(|d| d.team == name)
                || s.splits.items.iter().any(|d| d.team == name)
        };
        assert!(!listed("Tiny") && !listed("Ops"));

        // The web's org page reads both at once: the same as each alone.
        let (report, summary) = lead.org_overview(None).await.expect("overview");
        let alone = lead.org_report().await.expect("org report");
        assert_eq!(json(&summary), json(&lead.org_summary(None).await.expect("summary")));
        assert_eq!(json(&report), json(&alone));
        assert_eq!(json(&summary), json(&s), "nothing changed since the first summary");
        // A non-trivial comparison: both name the shown and hidden teams.
        assert!(report.teams.iter().any(|t| t.team == "Web" && t.hidden.is_none()));
        assert!(report.teams.iter().any(|t| t.team == "Tiny" && t.hidden.is_some()));
        assert_eq!(report.teams_without_rounds, vec!["Sales".to_string()]);
    })
    .await;
}

/// Serialized form for comparing whole reports.
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("serializes")
}
