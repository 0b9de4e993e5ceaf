//! A backup restores the web app, not only the survey data: after an
//! export and an import into an empty database, people sign in with their
//! old passwords, an API token still works and a revoked one stays
//! revoked, an open round's shared link still hands out tokens, and every
//! session is gone. An export of an older format still imports (without
//! accounts), and a corrupt accounts section is refused whole, naming the
//! place, with nothing stored.

use asyncmm_app::AppError;
use asyncmm_app::backup::read_document;
use asyncmm_core::Mode;
use asyncmm_core::account::Role;
use asyncmm_store::Store;

use crate::common::{MONDAY, Seeded, app, on_every_backend, open};

const ADA_PASSWORD: &str = "correct horse battery";
const LEE_PASSWORD: &str = "another long secret";

/// Secrets of what the source database holds, to try after the restore.
struct Secrets {
    session: String,
    token: String,
    revoked: String,
    link: String,
}

/// A source database with an admin, a lead of Platform, an API token of
/// each (the lead's revoked), a signed-in session, an open round with a
/// shared link and a pending invitation; returns the export's text.
async fn source_export(store: &dyn Store) -> (String, Secrets) {
    let a = app(store, MONDAY).await;
    let mut random = Seeded(7);
    let setup = a.setup_link(&mut random).await.expect("set-up").expect("a link");
    let ada = a
        .accept_invite(&setup.reveal(), "Ada", ADA_PASSWORD, ADA_PASSWORD, &mut random)
        .await
        .expect("first admin");
    let invite = a.invite(&ada.user, Role::Lead, &mut random).await.expect("invite");
    let lee = a
        .accept_invite(&invite.reveal(), "Lee", LEE_PASSWORD, LEE_PASSWORD, &mut random)
        .await
        .expect("lead");
    a.add_team_as(&lee.user, "Platform", None).await.expect("team");
    a.invite(&ada.user, Role::Viewer, &mut random)
        .await
        .expect("pending invite");
    let token = a.create_api_token(&ada.user, "ci", &mut random).await.expect("token");
    let revoked = a.create_api_token(&lee.user, "old", &mut random).await.expect("token");
    a.revoke_api_token(&lee.user, revoked.token.id).await.expect("revoke");
    let (round, _) = open(&a, "Platform", Mode::Quick, 3, 2, 11).await;
    let link = a.share_round(round, &mut random).await.expect("share");
    let mut text = Vec::new();
    a.export_to(&mut text).await.expect("export");
    (
        String::from_utf8(text).expect("UTF-8"),
        Secrets {
            session: ada.secret.reveal(),
            token: token.secret,
            revoked: revoked.secret,
            link: link.reveal(),
        },
    )
}

async fn source() -> Box<dyn Store> {
    asyncmm_store::connect("sqlite::memory:").await.expect("SQLite")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_keeps_people_tokens_and_shared_links_and_ends_sessions() {
    on_every_backend("a restore keeps accounts", |store| async move {
        let from = source().await;
        let (text, secrets) = source_export(from.as_ref()).await;
        // Hashes only: no password, token or link secret is in the file.
        for secret in [
            ADA_PASSWORD,
            &secrets.token,
            &secrets.revoked,
            &secrets.link,
            &secrets.session,
        ] {
            assert!(!text.contains(secret), "the export holds a secret");
        }
        assert!(text.contains("\"password_hash\": \"$argon2id$"), "{text}");

        let document = read_document(&text, "backup.json").expect("checks");
        let a = app(store.as_ref(), MONDAY).await;
        let imported = a.import(&document).await.expect("import");
        assert_eq!((imported.people, imported.api_tokens, imported.invitations), (2, 2, 3));

        // Signing in with the old passwords works; a wrong one doesn't.
        let mut random = Seeded(99);
        let ada = a.sign_in("ada", ADA_PASSWORD, &mut random).await.expect("Ada signs in");
        assert_eq!(ada.user.role, Role::Admin);
        let lee = a.sign_in("Lee", LEE_PASSWORD, &mut random).await.expect("Lee signs in");
        assert!(matches!(
            a.sign_in("Lee", ADA_PASSWORD, &mut random).await,
            Err(AppError::Unauthorized(_))
        ));
        // Lee still leads Platform.
        let teams = a.visible_teams(&lee.user, false).await.expect("teams");
        assert_eq!(teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Platform"]);
        // The token works, the revoked one doesn't; the session is gone.
        assert_eq!(
            a.api_user(&secrets.token).await.expect("token").map(|u| u.name),
            Some("Ada".to_string())
        );
        assert_eq!(a.api_user(&secrets.revoked).await.expect("revoked"), None);
        assert_eq!(a.signed_in(&secrets.session).await.expect("session"), None);
        // The shared link still finds its round and hands out a token.
        let shared = a.shared_round(&secrets.link).await.expect("shared link");
        assert_eq!(shared.team.as_str(), "Platform");
        a.issue_shared_token(&secrets.link, &mut random).await.expect("a token");
        // Nobody can set the site up again.
        assert!(a.setup_link(&mut random).await.expect("set-up").is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_without_accounts_still_imports() {
    on_every_backend("an old export imports", |store| async move {
        let from = source().await;
        let (text, _) = source_export(from.as_ref()).await;
        let mut old: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        old["version"] = 3.into();
        let map = old.as_object_mut().expect("an object");
        map.remove("accounts");
        for round in map["rounds"].as_array_mut().expect("rounds") {
            round.as_object_mut().expect("round").remove("shared_link");
        }
        let text = in_export_order(&old);
        let document = read_document(&text, "old.json").expect("a version 3 export reads");
        let a = app(store.as_ref(), MONDAY).await;
        let imported = a.import(&document).await.expect("import");
        assert_eq!((imported.people, imported.api_tokens, imported.rounds), (0, 0, 1));
        // No accounts: the site is set up again with a set-up link.
        assert!(a.setup_needed().await.expect("set-up"));
    })
    .await;
}

/// A document with its fields in the order `asyncmm export` writes them
/// (import reads them in that order; `serde_json::Value` sorts keys).
fn in_export_order(document: &serde_json::Value) -> String {
    let fields = [
        "format",
        "version",
        "exported_at",
        "models",
        "teams",
        "assessments",
        "rounds",
        "goals",
        "actions",
        "evidence",
        "accounts",
    ];
    let body: Vec<String> = fields
        .iter()
        .filter(|f| document.get(**f).is_some())
        .map(|f| {
            let value = serde_json::to_string_pretty(&document[*f]).expect("JSON");
            format!("  \"{f}\": {}", value.replace('\n', "\n  "))
        })
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

/// Changes the `n`th element of the accounts section.
fn corrupt(text: &str, n: usize, change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut document: serde_json::Value = serde_json::from_str(text).expect("JSON");
    change(&mut document["accounts"][n]);
    in_export_order(&document)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_accounts_section_is_refused_whole() {
    on_every_backend("corrupt accounts", |store| async move {
        let from = source().await;
        let (text, _) = source_export(from.as_ref()).await;
        let cases: Vec<(String, &str)> = vec![
            (
                corrupt(&text, 0, |p| p["password_hash"] = "correct horse battery".into()),
                "person 1: password_hash is not a PHC password hash string",
            ),
            (
                corrupt(&text, 0, |p| {
                    p["password_hash"] = "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo".into()
                }),
                "person 1: password_hash is not an argon2id hash",
            ),
            (
                corrupt(&text, 1, |p| p["name"] = "ADA".into()),
                "person 2: the name \"ADA\" is another person's too",
            ),
            (corrupt(&text, 1, |p| p["role"] = "owner".into()), "person 2:"),
            (
                corrupt(&text, 1, |p| p["leads"] = serde_json::json!([42])),
                "person 2 leads team 42",
            ),
            (
                corrupt(&text, 2, |t| t["person"] = 9.into()),
                "API token 1: person 9 is not in the file",
            ),
            (
                corrupt(&text, 2, |t| t["hash"] = "abc".into()),
                "API token 1: hash \"abc\" is not 64 hex digits",
            ),
            (
                corrupt(&text, 3, |t| t["revoked_at"] = "yesterday".into()),
                "API token 2: revoked_at",
            ),
            (
                corrupt(&text, 4, |i| i["expires_at"] = "2027-13-01T00:00:00Z".into()),
                "expires_at",
            ),
            (
                corrupt(&text, 0, |p| p["token"] = "extra".into()),
                "unknown field `token`",
            ),
        ];
        for (text, expected) in cases {
            let refused = read_document(&text, "bad.json").expect_err("refused");
            let message = refused.to_string();
            assert!(
                message.contains("bad.json") && message.contains(expected),
                "{message}\nexpected: {expected}"
            );
        }
        // The store refuses a bad row itself too, and nothing is half-written.
        let document = read_document(&text, "backup.json").expect("checks");
        let mut broken = document.clone();
        if let Some(asyncmm_store::ExportedAccount::ApiToken { person, .. }) = broken.accounts.get_mut(2) {
            *person = 9;
        }
        let a = app(store.as_ref(), MONDAY).await;
        assert!(a.import(&broken).await.is_err());
        assert!(a.setup_needed().await.expect("no people"));
        assert!(a.round_list(None).await.expect("rounds").is_empty());
        a.import(&document).await.expect("the good document still imports");
    })
    .await;
}
