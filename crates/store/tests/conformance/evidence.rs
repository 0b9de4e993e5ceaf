//! The conformance suite for saved evidence: the organisation's pseudonym
//! salt (drawn once, never replaced), scans per team (oldest first, times
//! to the microsecond, following a renamed team) and waivers (one per team
//! and rule, replaced when set again, removed by rule). Run on both
//! backends by the `conformance!` macro in `conformance.rs`.

use asyncmm_store::{EvidenceWaiver, NewEvidence};
use time::macros::date;

use super::*;

fn scan(team_name: &str, at: OffsetDateTime, source: &str) -> NewEvidence {
    NewEvidence {
        team: team(team_name),
        scanned_at: at,
        source: source.to_string(),
        subject: format!("{source}-subject"),
        document: format!("{{\"source\":\"{source}\",\"metrics\":[]}}"),
    }
}

fn waiver(team_name: &str, rule: &str, reason: &str) -> EvidenceWaiver {
    EvidenceWaiver {
        team: team(team_name),
        rule: rule.to_string(),
        reason: reason.to_string(),
        until: date!(2026 - 12 - 31),
        set_on: date!(2026 - 11 - 30),
    }
}

pub async fn the_salt_is_drawn_once_and_kept(store: Arc<dyn Store>) {
    let first = store.evidence_salt(&[7u8; 16]).await.expect("salt");
    assert_eq!(first, vec![7u8; 16]);
    let again = store.evidence_salt(&[9u8; 32]).await.expect("salt");
    assert_eq!(again, first, "a second salt would change every pseudonym");
    match store.evidence_salt(&[1u8; 4]).await {
        Err(StoreError::Invalid(message)) => assert!(message.contains("16"), "{message}"),
        other => panic!("a short salt was accepted: {other:?}"),
    }
}

pub async fn scans_are_kept_per_team_oldest_first(store: Arc<dyn Store>) {
    let precise = T0 + Duration::nanoseconds(123_456_789);
    let later = store
        .save_evidence(&scan("Platform", T0 + Duration::days(2), "github"))
        .await
        .expect("save");
    let earlier = store
        .save_evidence(&scan("Platform", precise, "git"))
        .await
        .expect("save");
    store.save_evidence(&scan("Mobile", T0, "git")).await.expect("save");
    let same_time = store
        .save_evidence(&scan("Platform", T0 + Duration::days(2), "git"))
        .await
        .expect("save");
    let saved = store.team_evidence(&team("Platform")).await.expect("evidence");
    let ids: Vec<_> = saved.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![earlier.id, later.id, same_time.id]);
    assert_eq!(saved[0].scanned_at, T0 + Duration::nanoseconds(123_456_000));
    assert_eq!(saved[0].source, "git");
    assert_eq!(saved[0].subject, "git-subject");
    assert_eq!(saved[0].document, "{\"source\":\"git\",\"metrics\":[]}");
    assert_eq!(saved[0], earlier, "what save returns is what is read back");
    assert_eq!(store.team_evidence(&team("Mobile")).await.expect("evidence").len(), 1);
    assert!(store.team_evidence(&team("Nobody")).await.expect("evidence").is_empty());
}

pub async fn waivers_are_one_per_team_and_rule(store: Arc<dyn Store>) {
    store
        .set_waiver(&waiver(
            "Platform",
            "work-tracking.commits-reference-issues",
            "tickets live in Jira",
        ))
        .await
        .expect("waive");
    store
        .set_waiver(&waiver("Platform", "documentation.docs-share", "docs are in the wiki"))
        .await
        .expect("waive");
    let mut changed = waiver("Platform", "work-tracking.commits-reference-issues", "moved to Linear");
    changed.until = date!(2027 - 01 - 31);
    store.set_waiver(&changed).await.expect("waive again");
    store
        .set_waiver(&waiver("Mobile", "documentation.docs-share", "other team"))
        .await
        .expect("waive");
    let list = store.waivers(&team("Platform")).await.expect("waivers");
    let rules: Vec<&str> = list.iter().map(|w| w.rule.as_str()).collect();
    assert_eq!(
        rules,
        vec!["documentation.docs-share", "work-tracking.commits-reference-issues"]
    );
    assert_eq!(list[1], changed);
    store
        .remove_waiver(&team("Platform"), "documentation.docs-share")
        .await
        .expect("remove");
    assert_eq!(store.waivers(&team("Platform")).await.expect("waivers"), vec![changed]);
    match store.remove_waiver(&team("Platform"), "documentation.docs-share").await {
        Err(StoreError::NotFound(what)) => assert!(what.contains("documentation.docs-share"), "{what}"),
        other => panic!("removing a missing waiver: {other:?}"),
    }
    assert_eq!(store.waivers(&team("Mobile")).await.expect("waivers").len(), 1);
}

pub async fn evidence_follows_a_renamed_team(store: Arc<dyn Store>) {
    store.create_team(&team("Platform"), None).await.expect("team");
    store.save_evidence(&scan("Platform", T0, "git")).await.expect("save");
    store
        .set_waiver(&waiver("Platform", "documentation.docs-share", "wiki"))
        .await
        .expect("waive");
    store
        .rename_team(&team("Platform"), &team("Core"))
        .await
        .expect("rename");
    assert_eq!(store.team_evidence(&team("Core")).await.expect("evidence").len(), 1);
    assert_eq!(store.waivers(&team("Core")).await.expect("waivers").len(), 1);
    assert!(
        store
            .team_evidence(&team("Platform"))
            .await
            .expect("evidence")
            .is_empty()
    );
}
