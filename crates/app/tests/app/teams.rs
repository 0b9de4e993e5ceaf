//! Which team a name means: one rule for every command.

use asyncmm_app::AppError;
use asyncmm_core::Mode;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_resolve_case_insensitively_never_by_guessing_and_with_suggestions() {
    on_every_backend("team_names", |store| async move {
        let lead = app(&*store, MONDAY).await;
        // Nothing yet: a clear "nothing yet", not a guess.
        assert!(matches!(lead.resolve_team(None).await, Err(AppError::NothingYet(_))));
        lead.add_team("Platform", None).await.expect("team");
        // One team: it is the default.
        assert_eq!(lead.resolve_team(None).await.expect("only one").as_str(), "Platform");
        lead.assess("Solo", false, &model(), quick([1; 5]))
            .await
            .expect("assess");
        // Two teams hold data: never guess.
        match lead.resolve_team(None).await {
            Err(AppError::TeamNotGiven { teams }) => assert_eq!(teams, ["Platform", "Solo"]),
            other => panic!("expected TeamNotGiven, got {other:?}"),
        }
        assert_eq!(
            lead.resolve_team(Some("platform")).await.expect("case").as_str(),
            "Platform"
        );
        match lead.resolve_team(Some("Platfrom")).await {
            Err(AppError::NotFound { suggestions, .. }) => assert_eq!(suggestions, ["Platform"]),
            other => panic!("expected a suggestion, got {other:?}"),
        }
        // A self-assessment under a slip of an existing name is refused...
        let slip = lead.assess("Platfrom", false, &model(), quick([1; 5])).await;
        assert!(matches!(slip, Err(AppError::NotFound { .. })), "{slip:?}");
        // ...unless asked for; a new name far from any other is fine.
        let new = lead
            .assess("Data", false, &model(), quick([1; 5]))
            .await
            .expect("new team");
        assert!(new.new_team);
        let existing = lead
            .assess("PLATFORM", false, &model(), quick([2; 5]))
            .await
            .expect("existing");
        assert!(!existing.new_team);
        assert_eq!(
            existing.stored.team.as_str(),
            "Platform",
            "stored under the existing name"
        );
        // Every team that holds data is listed.
        let list = lead.list_teams(false).await.expect("list");
        let org: Vec<&str> = list.organisation.iter().map(|t| t.name.as_str()).collect();
        let only: Vec<&str> = list.self_assessed_only.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(org, ["Platform"]);
        assert_eq!(only, ["Data", "Solo"]);
        // Rounds need a team of the organisation, and say so.
        let refused = lead
            .open_round("Solo", Mode::Quick, 5, None, 0, &model(), &mut Seeded(1))
            .await
            .err()
            .map(|e| e.to_string());
        assert!(refused.is_some_and(|m| m.contains("only has self-assessments")));
    })
    .await;
}
