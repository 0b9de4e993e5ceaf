//! The conformance suite for export and import: a populated store exports a
//! document that an empty store of the other backend imports and exports
//! again unchanged (apart from `exported_at`), with ids, references, token
//! revision and id sequences intact; a non-empty target, a newer format
//! version and a document the schema rejects all leave the target as it was.
//! Run on both backends by the `conformance!` macro in `conformance.rs`.

use asyncmm_core::account::Role;
use asyncmm_core::plan::{ActionStatus, ActionUpdate, Goal, Link, NewAction};
use asyncmm_core::{K, Mode, NewRound, Token, TokenHash};
use asyncmm_store::{
    EXPORT_VERSION, ExportDocument, ExportParseError, ExportedAccount, ExportedEvidence, NewApiToken, NewInvite,
    SqliteStore, SubmitOutcome,
};
use time::Date;
use time::macros::date;

use super::*;

const OPENS: Date = date!(2027 - 01 - 04);
const DAY: Date = date!(2027 - 01 - 10);

fn token(n: u32) -> TokenHash {
    let mut bytes = [0x3c; Token::BYTES];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    Token::from_random_bytes(bytes).hash()
}

fn round_of(team_name: &str, mode: Mode, closes_on: Option<Date>) -> NewRound {
    NewRound {
        team: team(team_name),
        model: model("1.0.0"),
        mode,
        k: K::new(4).expect("k"),
        opens_on: OPENS,
        closes_on,
    }
}

/// Some of everything a store holds, including the awkward cases: a group
/// whose child has a smaller id, an archived team, two model versions, a
/// used and an unused token, tokenless responses, a closed and a published
/// round, "don't know" answers, goals with and without a baseline, and an
/// updated action with ordered statements.
async fn populate(store: &dyn Store) {
    register(store).await;
    store
        .register_model(&model("2.0.0"), "[model]\nid = \"test-model\"\nversion = \"2.0.0\"\n")
        .await
        .expect("register 2.0.0");
    store
        .save_assessments(&[
            assessment("Platform", T0, quick_answers([0, 1, 2, 3, 1])),
            assessment("Platform", T0 + Duration::microseconds(1_500_001), detailed_answers(2)),
            assessment("Solo", T0 + Duration::days(3), quick_answers([3; 5])),
        ])
        .await
        .expect("assessments");
    store.create_team(&team("Platform"), None).await.expect("team");
    store.create_team(&team("Old"), None).await.expect("team");
    store.create_team(&team("Engineering"), None).await.expect("group");
    store
        .move_team(&team("Platform"), Some(&team("Engineering")))
        .await
        .expect("move");
    store.archive_team(&team("Old")).await.expect("archive");

    let detailed = store
        .open_round(
            &round_of("Platform", Mode::Detailed, None),
            &[token(1), token(2), token(3)],
        )
        .await
        .expect("round");
    store
        .submit_response(detailed.id, &token(1), &detailed_answers(0), DAY)
        .await
        .expect("respond");
    store
        .submit_response(detailed.id, &token(2), &detailed_answers(1), DAY)
        .await
        .expect("respond");
    store
        .close_round(detailed.id, date!(2027 - 01 - 20))
        .await
        .expect("close");

    // A round of imported answers: no tokens.
    let quick = store
        .open_round(&round_of("Platform", Mode::Quick, Some(date!(2027 - 03 - 01))), &[])
        .await
        .expect("round");
    store
        .import_responses(quick.id, &[quick_answers([1; 5]), quick_answers([2; 5])], DAY)
        .await
        .expect("import");
    store.mark_published(quick.id).await.expect("publish");

    // A round still open: its used token still points at its response.
    let open = store
        .open_round(&round_of("Platform", Mode::Detailed, None), &[token(30), token(31)])
        .await
        .expect("round");
    store
        .submit_response(open.id, &token(30), &detailed_answers(3), DAY)
        .await
        .expect("respond");

    for (area, target, baseline) in [("meetings", 2, Some(1)), ("documentation", 3, None)] {
        store
            .set_goal(&Goal {
                team: team("Platform"),
                area: AreaId::parse(area).expect("area"),
                target: Level::new(target).expect("level"),
                by: date!(2027 - 06 - 30),
                baseline: baseline.map(|b| Level::new(b).expect("level")),
                set_on: date!(2026 - 11 - 25),
            })
            .await
            .expect("goal");
    }
    let action = store
        .add_action(&NewAction {
            team: team("Platform"),
            title: "Agenda for every meeting".to_string(),
            owner: Some("Ana".to_string()),
            link: Some(Link::parse("https://example.com/issues/7").expect("link")),
            status: ActionStatus::Todo,
            statements: ["meetings.2.1", "meetings.0.3", "meetings.2.2"]
                .iter()
                .map(|s| StatementId::parse(s).expect("statement"))
                .collect(),
            created_on: date!(2026 - 11 - 26),
        })
        .await
        .expect("action");
    store
        .update_action(
            action.id,
            &ActionUpdate {
                status: Some(ActionStatus::Doing),
                ..ActionUpdate::default()
            },
        )
        .await
        .expect("update");
    store
        .add_action(&NewAction {
            team: team("Solo"),
            title: "Write things down".to_string(),
            owner: None,
            link: None,
            status: ActionStatus::Done,
            statements: Vec::new(),
            created_on: date!(2026 - 11 - 27),
        })
        .await
        .expect("action");
    // Saved evidence: the salt, two scans, a waiver.
    store.evidence_salt(&[0xab; 32]).await.expect("salt");
    for (at, source) in [(T0, "git"), (T0 + Duration::days(1), "github")] {
        store
            .save_evidence(&asyncmm_store::NewEvidence {
                team: team("Solo"),
                scanned_at: at,
                source: source.to_string(),
                subject: "acme/api".to_string(),
                document: format!("{{\"source\":\"{source}\",\"metrics\":[{{\"value\":0.125}}]}}"),
            })
            .await
            .expect("evidence");
    }
    store
        .set_waiver(&asyncmm_store::EvidenceWaiver {
            team: team("Solo"),
            rule: "documentation.basics".to_string(),
            reason: "docs live in the handbook".to_string(),
            until: date!(2027 - 06 - 30),
            set_on: date!(2026 - 11 - 27),
        })
        .await
        .expect("waiver");

    populate_accounts(store, open.id).await;
}

/// An argon2id PHC string (what the app layer stores; the store keeps it
/// as it is).
const PASSWORD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Kj1b0hJ9rBT6m1vqQ5b2Q9QJxV2o6Yb8J9M0kX9m1E";

/// The web app's side: an admin and a lead of Platform (each from an
/// invitation), a pending invitation, an API token of each (the lead's
/// revoked), a session, and a shared link of the open round.
async fn populate_accounts(store: &dyn Store, open: asyncmm_core::RoundId) {
    for (n, role) in [(400, Role::Admin), (401, Role::Lead), (402, Role::Viewer)] {
        store
            .create_invite(&NewInvite {
                hash: token(n),
                role,
                created_at: T0,
                expires_at: T0 + Duration::days(7),
            })
            .await
            .expect("invite");
    }
    let admin = store
        .accept_invite(&token(400), "Ada Admin", PASSWORD_HASH, T0 + Duration::hours(1))
        .await
        .expect("admin");
    let lead = store
        .accept_invite(
            &token(401),
            "Lee Lead",
            &PASSWORD_HASH.replace("3Kj", "4Kj"),
            T0 + Duration::hours(2),
        )
        .await
        .expect("lead");
    let platform = store
        .teams_in_org(true)
        .await
        .expect("teams")
        .into_iter()
        .find(|t| t.name.as_str() == "Platform")
        .expect("Platform");
    store.add_team_lead(platform.id, lead.id).await.expect("lead");
    for (n, user) in [(100, admin.id), (101, lead.id)] {
        store
            .create_api_token(&NewApiToken {
                user,
                name: format!("script {n}"),
                prefix: format!("amm_{n}"),
                hash: token(n),
                created_at: T0 + Duration::hours(3),
            })
            .await
            .expect("API token");
    }
    store
        .api_token_user(&token(100), T0 + Duration::hours(4))
        .await
        .expect("use")
        .expect("a user");
    let lead_token = store.api_tokens_of(lead.id).await.expect("tokens")[0].id;
    store
        .revoke_api_token(lead.id, lead_token, T0 + Duration::hours(5))
        .await
        .expect("revoke");
    store
        .create_session(&token(300), admin.id, "csrf", T0, T0 + Duration::days(14))
        .await
        .expect("session");
    store
        .set_shared_link(open, &token(200), DAY)
        .await
        .expect("shared link");
}

fn without_time(mut document: ExportDocument) -> ExportDocument {
    document.exported_at = String::new();
    document
}

async fn memory_store() -> Arc<dyn Store> {
    Arc::new(SqliteStore::open_in_memory().await.expect("in-memory SQLite"))
}

pub async fn export_from_this_backend_imports_elsewhere_unchanged(store: Arc<dyn Store>) {
    populate(&*store).await;
    let exported = store.export_all().await.expect("export");
    assert_eq!(exported.models.len(), 2);
    assert_eq!(exported.teams.len(), 3);
    assert_eq!(exported.assessments.len(), 3);
    assert_eq!(exported.rounds.len(), 3);
    // The closed round is sealed: two spent tokens, no link to a response.
    let closed = &exported.rounds[0];
    assert_eq!(closed.responses.len(), 2);
    assert!(closed.sealed);
    assert!(closed.tokens.iter().all(|t| t.response.is_none()));
    assert_eq!(closed.tokens.iter().filter(|t| t.spent).count(), 2);
    assert_eq!(exported.rounds[1].intake.as_deref(), Some("import"));
    // The open round keeps its one link, so its respondent can still revise.
    let open = &exported.rounds[2];
    assert!(!open.sealed);
    assert_eq!(open.tokens.iter().filter(|t| t.response.is_some()).count(), 1);
    assert_eq!(exported.goals.len(), 2);
    assert_eq!(
        exported.actions[0].statements,
        ["meetings.2.1", "meetings.0.3", "meetings.2.2"]
    );
    // Evidence last: the salt, the scans by id, the waivers.
    assert_eq!(exported.evidence.len(), 4);
    assert!(matches!(&exported.evidence[0], ExportedEvidence::Salt { salt } if salt == &"ab".repeat(32)));
    assert!(matches!(&exported.evidence[2], ExportedEvidence::Scan { source, .. } if source == "github"));
    assert!(matches!(&exported.evidence[3], ExportedEvidence::Waiver { rule, .. } if rule == "documentation.basics"));
    // The open round's shared link, as a hash; the other rounds have none.
    assert_eq!(open.shared_link, Some(token(200).to_hex()));
    assert!(exported.rounds[..2].iter().all(|r| r.shared_link.is_none()));
    // Accounts last: people by id, their API tokens, invitations by hash.
    // No session: a restore signs everybody out.
    let kinds: Vec<&str> = exported
        .accounts
        .iter()
        .map(|a| match a {
            ExportedAccount::Person { .. } => "person",
            ExportedAccount::ApiToken { .. } => "api_token",
            ExportedAccount::Invitation { .. } => "invitation",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "person",
            "person",
            "api_token",
            "api_token",
            "invitation",
            "invitation",
            "invitation"
        ]
    );
    let platform = exported
        .teams
        .iter()
        .find(|t| t.name == "Platform")
        .expect("Platform")
        .id;
    assert!(matches!(
        &exported.accounts[1],
        ExportedAccount::Person { name, role, leads, password_hash, .. }
            if name == "Lee Lead" && role == "lead" && leads == &[platform] && password_hash.starts_with("$argon2id$")
    ));
    assert!(matches!(
        &exported.accounts[2],
        ExportedAccount::ApiToken { hash, last_used_at: Some(_), revoked_at: None, .. } if hash == &token(100).to_hex()
    ));
    assert!(matches!(
        &exported.accounts[3],
        ExportedAccount::ApiToken {
            revoked_at: Some(_),
            ..
        }
    ));
    let text = exported.to_json().expect("json");
    assert!(!text.contains(&token(300).to_hex()), "a session's hash is not exported");
    assert!(!text.contains("csrf"), "nor its form token");
    // Through JSON and back, as the CLI does.
    let text = exported.to_json().expect("json");
    let read = ExportDocument::from_json(&text).expect("read back");
    assert_eq!(read, exported);

    let target = memory_store().await;
    target.import_all(&read).await.expect("import");
    let again = target.export_all().await.expect("export again");
    assert_eq!(target.team_evidence(&team("Solo")).await.expect("evidence").len(), 2);
    assert_eq!(target.evidence_salt(&[1; 16]).await.expect("salt"), vec![0xab; 32]);
    assert_eq!(without_time(again), without_time(exported.clone()));

    // A document of version 3 ends after `evidence` and its rounds have
    // no shared link: it still reads and imports, with no accounts.
    let mut v3 = exported.clone();
    v3.version = 3;
    v3.accounts.clear();
    v3.rounds.iter_mut().for_each(|r| r.shared_link = None);
    let text = v3.to_json().expect("json").replacen(",\n  \"accounts\": []", "", 1);
    assert!(
        !text.contains("\"accounts\"") && !text.contains("shared_link"),
        "{text}"
    );
    let read = ExportDocument::from_json(&text).expect("a version 3 document reads");
    let older = memory_store().await;
    older.import_all(&read).await.expect("import");
    assert_eq!(older.user_count().await.expect("people"), 0);
    assert_eq!(older.team_evidence(&team("Solo")).await.expect("evidence").len(), 2);
    // A version 4 document needs its accounts section.
    let mut current = v3.clone();
    current.version = EXPORT_VERSION;
    let text = current
        .to_json()
        .expect("json")
        .replacen(",\n  \"accounts\": []", "", 1);
    assert!(ExportDocument::from_json(&text).is_err());

    // A document of version 2 ends after `actions`: it still reads and
    // imports, with no evidence.
    let mut old = v3;
    old.version = 2;
    old.evidence.clear();
    let text = old
        .to_json()
        .expect("json")
        .replacen(",\n  \"evidence\": []", "", 1)
        .replacen(",\n  \"accounts\": []", "", 1);
    assert!(!text.contains("\"evidence\""), "{text}");
    let read = ExportDocument::from_json(&text).expect("a version 2 document reads");
    let older = memory_store().await;
    older.import_all(&read).await.expect("import");
    assert!(older.team_evidence(&team("Solo")).await.expect("evidence").is_empty());
    // A version 3 document needs its evidence section.
    let mut current = old.clone();
    current.version = EXPORT_VERSION;
    let text = current
        .to_json()
        .expect("json")
        .replacen(",\n  \"evidence\": []", "", 1);
    assert!(ExportDocument::from_json(&text).is_err());
}

pub async fn import_into_this_backend_keeps_everything_working(store: Arc<dyn Store>) {
    let source = memory_store().await;
    populate(&*source).await;
    let exported = source.export_all().await.expect("export");
    store.import_all(&exported).await.expect("import");
    assert_eq!(
        without_time(store.export_all().await.expect("export again")),
        without_time(exported.clone())
    );

    // What the API shows is the same.
    for name in ["Platform", "Solo"] {
        assert_eq!(
            store.team_assessments(&team(name)).await.expect("history"),
            source.team_assessments(&team(name)).await.expect("history")
        );
        assert_eq!(
            store.actions(&team(name)).await.expect("actions"),
            source.actions(&team(name)).await.expect("actions")
        );
    }
    assert_eq!(
        store.teams_in_org(true).await.expect("teams"),
        source.teams_in_org(true).await.expect("teams")
    );
    let rounds = store.rounds(None).await.expect("rounds");
    assert_eq!(rounds, source.rounds(None).await.expect("rounds"));
    for round in &rounds {
        let ours = store.round_responses(round.id).await.expect("responses");
        let theirs = source.round_responses(round.id).await.expect("responses");
        assert_eq!(ours, theirs, "the same responses, in whatever order");
    }

    // In the open round a used token still revises its own response.
    let open = rounds[2].id;
    assert_eq!(
        store
            .submit_response(open, &token(30), &detailed_answers(5), DAY)
            .await
            .expect("revise"),
        SubmitOutcome::Revised
    );
    assert_eq!(store.round(open).await.expect("round").responses, 1);
    // In the closed round, reopened, a spent token can't answer again and
    // an unused one can.
    let detailed = rounds[0].id;
    store.reopen_round(detailed, DAY).await.expect("reopen");
    assert!(matches!(
        store
            .submit_response(detailed, &token(1), &detailed_answers(5), DAY)
            .await,
        Err(StoreError::Refused(asyncmm_store::Refusal::TokenSpent { .. }))
    ));
    assert_eq!(
        store
            .submit_response(detailed, &token(3), &detailed_answers(6), DAY)
            .await
            .expect("answer"),
        SubmitOutcome::Created
    );
    assert_eq!(store.round(detailed).await.expect("round").responses, 3);

    // New rows get ids after the imported ones.
    let max_team = exported.teams.iter().map(|t| t.id).max().expect("teams");
    assert!(store.create_team(&team("New"), None).await.expect("team").id.0 > max_team);
    let max_assessment = exported.assessments.iter().map(|a| a.id).max().expect("assessments");
    let id = store
        .save_assessment(&assessment("New", T0, quick_answers([1; 5])))
        .await
        .expect("assessment");
    assert!(id.0 > max_assessment);
    let max_round = exported.rounds.iter().map(|r| r.id).max().expect("rounds");
    let round = store
        .open_round(&round_of("New", Mode::Quick, None), &[token(20)])
        .await
        .expect("round");
    assert!(round.id.0 > max_round);
    // People sign in with the same password hash; API tokens keep their
    // person, a revoked one stays revoked; the shared link still finds its
    // round; sessions are gone; leads still lead.
    let (ada, hash) = store.user_for_login("ada admin").await.expect("login").expect("Ada");
    assert_eq!(hash, PASSWORD_HASH);
    assert_eq!(ada.role, Role::Admin);
    let later = T0 + Duration::days(2);
    assert_eq!(
        store.api_token_user(&token(100), later).await.expect("token"),
        Some(ada.clone())
    );
    assert_eq!(store.api_token_user(&token(101), later).await.expect("token"), None);
    let (lee, _) = store.user_for_login("Lee Lead").await.expect("login").expect("Lee");
    let tokens = store.api_tokens_of(lee.id).await.expect("tokens");
    assert!(tokens.len() == 1 && tokens[0].revoked_at.is_some(), "{tokens:?}");
    assert_eq!(store.teams_led_by(lee.id).await.expect("leads").len(), 1);
    assert_eq!(store.round_for_shared_link(&token(200)).await.expect("link"), open);
    assert_eq!(store.session(&token(300), T0).await.expect("session"), None);
    assert_eq!(
        store.invite_role(&token(402), T0).await.expect("invite"),
        Some(Role::Viewer)
    );
    assert_eq!(
        store.invite_role(&token(400), T0).await.expect("invite"),
        None,
        "used stays used"
    );
    // New people and tokens get ids after the imported ones.
    let newcomer = store
        .accept_invite(&token(402), "Vi Viewer", PASSWORD_HASH, T0 + Duration::hours(6))
        .await
        .expect("a new person");
    assert!(newcomer.id.0 > lee.id.0.max(ada.id.0));
    let new_token = store
        .create_api_token(&NewApiToken {
            user: newcomer.id,
            name: "new".to_string(),
            prefix: "amm_new".to_string(),
            hash: token(102),
            created_at: later,
        })
        .await
        .expect("a new token");
    assert!(new_token.id > tokens[0].id);

    let max_action = exported.actions.iter().map(|a| a.id).max().expect("actions");
    let action = store
        .add_action(&NewAction {
            team: team("New"),
            title: "Another".to_string(),
            owner: None,
            link: None,
            status: ActionStatus::Todo,
            statements: Vec::new(),
            created_on: date!(2026 - 12 - 01),
        })
        .await
        .expect("action");
    assert!(action.id.0 > max_action);
}

pub async fn import_into_a_non_empty_database_is_refused(store: Arc<dyn Store>) {
    let source = memory_store().await;
    populate(&*source).await;
    let exported = source.export_all().await.expect("export");

    store.create_team(&team("Already here"), None).await.expect("team");
    let before = without_time(store.export_all().await.expect("export"));
    match store.import_all(&exported).await {
        Err(StoreError::Conflict(message)) => {
            assert!(message.contains("already holds data"), "{message}");
            assert!(message.contains("empty database"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(without_time(store.export_all().await.expect("export")), before);

    // A database that holds only web accounts is not empty either: here
    // only the set-up link `asyncmm serve` makes while nobody has an account.
    let setup_only = memory_store().await;
    setup_only
        .create_invite(&NewInvite {
            hash: token(499),
            role: Role::Admin,
            created_at: T0,
            expires_at: T0 + Duration::days(7),
        })
        .await
        .expect("set-up link");
    assert!(matches!(
        setup_only.import_all(&exported).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(setup_only.user_count().await.expect("people"), 0);
    assert!(setup_only.teams_in_org(true).await.expect("teams").is_empty());
}

pub async fn a_newer_or_broken_document_changes_nothing(store: Arc<dyn Store>) {
    let source = memory_store().await;
    populate(&*source).await;
    let exported = source.export_all().await.expect("export");
    let empty = without_time(store.export_all().await.expect("export"));
    assert!(empty.models.is_empty() && empty.teams.is_empty() && empty.rounds.is_empty());

    let mut newer = exported.clone();
    newer.version = EXPORT_VERSION + 1;
    match store.import_all(&newer).await {
        Err(StoreError::Invalid(message)) => {
            assert!(
                message.contains(&format!("version {}", EXPORT_VERSION + 1)),
                "{message}"
            );
            assert!(message.contains(&format!("version {EXPORT_VERSION}")), "{message}");
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(without_time(store.export_all().await.expect("export")), empty);

    // Rejected by the schema half-way (an action of an unknown status, after
    // everything else was written): nothing stays.
    let mut broken = exported.clone();
    if let Some(last) = broken.actions.last_mut() {
        last.status = "someday".to_string();
    }
    assert!(store.import_all(&broken).await.is_err());
    assert_eq!(without_time(store.export_all().await.expect("export")), empty);

    // A bad token hash is caught before anything is written.
    let mut bad_hash = exported.clone();
    bad_hash.rounds[0].tokens[0].hash = "zz".to_string();
    match store.import_all(&bad_hash).await {
        Err(StoreError::Invalid(message)) => assert!(message.contains("64 hex digits"), "{message}"),
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(without_time(store.export_all().await.expect("export")), empty);

    // A bad API token hash, and a token whose person isn't there (the
    // schema refuses it after everything else was written): nothing stays.
    let mut bad_account = exported.clone();
    if let Some(ExportedAccount::ApiToken { hash, .. }) = bad_account.accounts.get_mut(2) {
        *hash = "not hex".to_string();
    }
    match store.import_all(&bad_account).await {
        Err(StoreError::Invalid(message)) => {
            assert!(
                message.contains("API token") && message.contains("64 hex digits"),
                "{message}"
            )
        }
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(without_time(store.export_all().await.expect("export")), empty);
    let mut orphan = exported.clone();
    if let Some(ExportedAccount::ApiToken { person, .. }) = orphan.accounts.get_mut(2) {
        *person = 999;
    }
    assert!(store.import_all(&orphan).await.is_err());
    assert_eq!(without_time(store.export_all().await.expect("export")), empty);
    assert_eq!(store.user_count().await.expect("people"), 0);
    // A bad shared link hash is caught before anything is written.
    let mut bad_link = exported.clone();
    bad_link.rounds[2].shared_link = Some("abc".to_string());
    match store.import_all(&bad_link).await {
        Err(StoreError::Invalid(message)) => assert!(message.contains("shared_link"), "{message}"),
        other => panic!("expected invalid, got {other:?}"),
    }
    assert_eq!(without_time(store.export_all().await.expect("export")), empty);

    // The whole document is still importable afterwards.
    store.import_all(&exported).await.expect("import");
}

/// Reading a document: the version is checked before the shape, and syntax
/// errors give the line and column. (No store needed; run once per backend
/// like the rest, it is cheap.)
pub async fn documents_are_read_with_clear_errors(_store: Arc<dyn Store>) {
    let newer = format!(
        "{{\"format\": \"asyncmm.export\", \"version\": {}, \"something\": \"new\"}}",
        EXPORT_VERSION + 1
    );
    let e = ExportDocument::from_json(&newer).expect_err("newer");
    assert!(matches!(e, ExportParseError::NewerVersion { found } if found == u64::from(EXPORT_VERSION) + 1));
    assert!(e.to_string().contains("upgrade asyncmm"), "{e}");

    let e = ExportDocument::from_json("{\n  \"format\": \"asyncmm.export\",\n  \"version\": 1,\n  oops\n}")
        .expect_err("syntax");
    assert!(
        matches!(e, ExportParseError::Syntax { line: 4, column: 3, .. }),
        "{e:?}"
    );

    let e = ExportDocument::from_json("{\"format\": \"something else\"}").expect_err("format");
    assert!(matches!(e, ExportParseError::NotAnExport { .. }), "{e:?}");

    let e = ExportDocument::from_json("{\"format\": \"asyncmm.export\", \"version\": 1}").expect_err("shape");
    assert!(matches!(e, ExportParseError::Structure { .. }), "{e:?}");
}

/// The export written part by part ([`Store::export_to`] into a
/// [`JsonWriter`]) is byte for byte the whole document's JSON, with more
/// teams, assessments, rounds, actions and saved scans than fit in one of
/// the pages the store reads them in.
pub async fn a_streamed_export_is_the_document_byte_for_byte(store: Arc<dyn Store>) {
    let source = memory_store().await;
    populate(&*source).await;
    let mut document = source.export_all().await.expect("export");
    // Ids above the populated ones, so the document stays in export order.
    let team = document.teams[0].clone();
    for i in 0..1_001 {
        document.teams.push(asyncmm_store::ExportedTeam {
            id: 1_000 + i,
            name: format!("Team {i:04}"),
            parent: None,
            archived: i % 7 == 0,
        });
    }
    let assessment = document.assessments[0].clone();
    for i in 0..1_001 {
        let mut copy = assessment.clone();
        copy.id = 10_000 + i;
        document.assessments.push(copy);
    }
    let imported = document.rounds[1].clone();
    assert!(imported.tokens.is_empty(), "the imported round has no tokens to copy");
    for i in 0..300 {
        let mut copy = imported.clone();
        copy.id = 20_000 + i;
        copy.team = team.id;
        for (j, response) in copy.responses.iter_mut().enumerate() {
            response.id = 1_000_000 + i * 100 + j as i64;
        }
        document.rounds.push(copy);
    }
    let action = document.actions[0].clone();
    for i in 0..1_001 {
        let mut copy = action.clone();
        copy.id = 30_000 + i;
        document.actions.push(copy);
    }
    let scan = document
        .evidence
        .iter()
        .find(|e| matches!(e, ExportedEvidence::Scan { .. }))
        .cloned()
        .expect("a scan");
    let waivers_at = document
        .evidence
        .iter()
        .position(|e| matches!(e, ExportedEvidence::Waiver { .. }))
        .expect("a waiver");
    for i in 0..65 {
        let mut copy = scan.clone();
        if let ExportedEvidence::Scan { id, .. } = &mut copy {
            *id = 40_000 + i;
        }
        document.evidence.insert(waivers_at + i as usize, copy);
    }
    store.import_all(&document).await.expect("import");

    let mut streamed = asyncmm_store::JsonWriter::new(Vec::new());
    store.export_to(&mut streamed).await.expect("streamed export");
    let streamed = String::from_utf8(streamed.finish().expect("finish")).expect("UTF-8");
    let read = ExportDocument::from_json(&streamed).expect("the streamed export reads");
    assert_eq!(without_time(read.clone()), without_time(document.clone()));
    let mut whole = store.export_all().await.expect("export");
    whole.exported_at = read.exported_at;
    assert_eq!(streamed, whole.to_json().expect("json"));

    // An empty database: every section an empty array.
    let empty = memory_store().await;
    let mut streamed = asyncmm_store::JsonWriter::new(Vec::new());
    empty.export_to(&mut streamed).await.expect("streamed export");
    let streamed = String::from_utf8(streamed.finish().expect("finish")).expect("UTF-8");
    let mut whole = empty.export_all().await.expect("export");
    whole.exported_at = ExportDocument::from_json(&streamed).expect("reads").exported_at;
    assert_eq!(streamed, whole.to_json().expect("json"));
    assert!(streamed.contains("\"rounds\": [],\n"), "{streamed}");
}
