//! The conformance suite for web accounts: invitations used once and only
//! before they expire, names unique whatever their case, sessions that
//! expire and end one by one or all at once, the teams a lead leads, and a
//! respondent token's own answers (only while it can revise them). Run on
//! both backends by the `conformance!` macro in `conformance.rs`.

use asyncmm_core::account::{Role, UserId};
use asyncmm_core::{Mode, NewRound, TeamId, Token, TokenHash};
use asyncmm_store::{NewApiToken, NewInvite, SubmitOutcome};
use time::macros::date;

use super::*;

fn secret(n: u32) -> TokenHash {
    let mut bytes = [0x3c; Token::BYTES];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    Token::from_random_bytes(bytes).hash()
}

fn invite(n: u32, role: Role) -> NewInvite {
    NewInvite {
        hash: secret(n),
        role,
        created_at: T0,
        expires_at: T0 + Duration::days(7),
    }
}

pub async fn an_invitation_is_used_once_and_only_before_it_expires(store: Arc<dyn Store>) {
    assert_eq!(store.user_count().await.expect("count"), 0);
    store.create_invite(&invite(1, Role::Admin)).await.expect("invite");
    store.create_invite(&invite(2, Role::Viewer)).await.expect("invite");
    assert_eq!(
        store.invite_role(&secret(1), T0).await.expect("role"),
        Some(Role::Admin)
    );
    assert_eq!(store.invite_role(&secret(9), T0).await.expect("role"), None);
    assert_eq!(
        store
            .invite_role(&secret(1), T0 + Duration::days(8))
            .await
            .expect("role"),
        None
    );

    let ada = store
        .accept_invite(&secret(1), "Ada", "hash-1", T0)
        .await
        .expect("accept");
    assert_eq!((ada.name.as_str(), ada.role), ("Ada", Role::Admin));
    assert_eq!(store.user_count().await.expect("count"), 1);
    // Used: refused, and nothing stored.
    let again = store.accept_invite(&secret(1), "Bob", "hash-2", T0).await;
    assert!(matches!(again, Err(StoreError::NotFound(_))), "{again:?}");
    // A name taken in another case is refused and leaves the invitation unused.
    let taken = store.accept_invite(&secret(2), "ADA", "hash-3", T0).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    assert_eq!(
        store.invite_role(&secret(2), T0).await.expect("role"),
        Some(Role::Viewer)
    );
    // Expired: refused.
    let late = store
        .accept_invite(&secret(2), "Vera", "hash-4", T0 + Duration::days(8))
        .await;
    assert!(matches!(late, Err(StoreError::NotFound(_))), "{late:?}");
    assert_eq!(store.user_count().await.expect("count"), 1);

    let (found, hash) = store.user_for_login("aDa").await.expect("login").expect("found");
    assert_eq!((found, hash.as_str()), (ada, "hash-1"));
    assert!(store.user_for_login("nobody").await.expect("login").is_none());
    assert_eq!(store.users().await.expect("users").len(), 1);
}

pub async fn sessions_expire_and_end_one_by_one_or_all_at_once(store: Arc<dyn Store>) {
    store.create_invite(&invite(1, Role::Lead)).await.expect("invite");
    let lead = store.accept_invite(&secret(1), "Lea", "h", T0).await.expect("accept");
    let day = Duration::days(1);
    store
        .create_session(&secret(10), lead.id, "csrf-a", T0, T0 + day)
        .await
        .expect("session");
    store
        .create_session(&secret(11), lead.id, "csrf-b", T0, T0 + day)
        .await
        .expect("session");
    let (user, csrf) = store.session(&secret(10), T0).await.expect("session").expect("valid");
    assert_eq!((user.id, csrf.as_str()), (lead.id, "csrf-a"));
    assert!(
        store.session(&secret(10), T0 + day).await.expect("session").is_none(),
        "expired"
    );
    assert!(
        store.session(&secret(12), T0).await.expect("session").is_none(),
        "unknown"
    );

    store.delete_session(&secret(10)).await.expect("sign out");
    assert!(store.session(&secret(10), T0).await.expect("session").is_none());
    assert!(store.session(&secret(11), T0).await.expect("session").is_some());
    store
        .create_session(&secret(12), lead.id, "csrf-c", T0, T0 + day)
        .await
        .expect("session");
    assert_eq!(store.delete_sessions_of(lead.id).await.expect("everywhere"), 2);
    assert!(store.session(&secret(11), T0).await.expect("session").is_none());
    assert_eq!(store.delete_sessions_of(UserId(999)).await.expect("nobody"), 0);
}

pub async fn api_tokens_are_found_by_hash_until_revoked_by_their_owner(store: Arc<dyn Store>) {
    store.create_invite(&invite(1, Role::Lead)).await.expect("invite");
    store.create_invite(&invite(2, Role::Viewer)).await.expect("invite");
    let lead = store.accept_invite(&secret(1), "Lea", "h", T0).await.expect("accept");
    let viewer = store.accept_invite(&secret(2), "Vic", "h", T0).await.expect("accept");
    let new = |n: u32, user: UserId, name: &str, at| NewApiToken {
        user,
        name: name.to_string(),
        prefix: format!("amm_{n:04}"),
        hash: secret(n),
        created_at: at,
    };
    let ci = store
        .create_api_token(&new(20, lead.id, "ci", T0))
        .await
        .expect("token");
    let laptop = store
        .create_api_token(&new(21, lead.id, "laptop", T0 + Duration::hours(1)))
        .await
        .expect("token");
    store
        .create_api_token(&new(22, viewer.id, "mine", T0))
        .await
        .expect("token");
    assert!(
        matches!(
            store.create_api_token(&new(20, viewer.id, "same secret", T0)).await,
            Err(StoreError::Conflict(_))
        ),
        "a hash is unique"
    );
    assert_eq!((ci.name.as_str(), ci.prefix.as_str()), ("ci", "amm_0020"));
    assert_eq!((ci.last_used_at, ci.revoked_at), (None, None));

    let used = T0 + Duration::minutes(5);
    let user = store
        .api_token_user(&secret(20), used)
        .await
        .expect("find")
        .expect("valid");
    assert_eq!(user, lead);
    assert!(store.api_token_user(&secret(29), used).await.expect("find").is_none());
    let listed = store.api_tokens_of(lead.id).await.expect("list");
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["laptop", "ci"], "newest first, the viewer's not among them");
    assert_eq!(listed[1].last_used_at, Some(used));

    // Only the owner revokes; a revoked token finds nobody and stays listed.
    assert!(matches!(
        store.revoke_api_token(viewer.id, ci.id, used).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.api_token_user(&secret(20), used).await.expect("find").is_some());
    let revoked = store.revoke_api_token(lead.id, ci.id, used).await.expect("revoke");
    assert_eq!(revoked.revoked_at, Some(used));
    let again = store
        .revoke_api_token(lead.id, ci.id, used + Duration::days(1))
        .await
        .expect("revoke again");
    assert_eq!(again.revoked_at, Some(used), "the first revocation stands");
    assert!(store.api_token_user(&secret(20), used).await.expect("find").is_none());
    assert!(store.api_token_user(&secret(21), used).await.expect("find").is_some());
    assert_eq!(laptop.user, lead.id);
    assert_eq!(store.api_tokens_of(lead.id).await.expect("list").len(), 2);
}

pub async fn leads_are_linked_to_their_teams(store: Arc<dyn Store>) {
    store.create_invite(&invite(1, Role::Lead)).await.expect("invite");
    let lead = store.accept_invite(&secret(1), "Lea", "h", T0).await.expect("accept");
    let alpha = store.create_team(&team("Alpha"), None).await.expect("team");
    store.create_team(&team("Beta"), None).await.expect("team");
    assert!(store.teams_led_by(lead.id).await.expect("led").is_empty());
    store.add_team_lead(alpha.id, lead.id).await.expect("lead");
    store.add_team_lead(alpha.id, lead.id).await.expect("again is fine");
    assert_eq!(store.teams_led_by(lead.id).await.expect("led"), vec![alpha.id]);
    assert!(store.add_team_lead(TeamId(999), lead.id).await.is_err(), "unknown team");
}

pub async fn a_token_reads_its_own_answers_only_while_it_can_revise(store: Arc<dyn Store>) {
    register(&*store).await;
    store.create_team(&team("Web"), None).await.expect("team");
    let day = date!(2027 - 01 - 10);
    let round = store
        .open_round(
            &NewRound {
                team: team("Web"),
                model: model("1.0.0"),
                mode: Mode::Quick,
                k: asyncmm_core::K::DEFAULT,
                opens_on: day,
                closes_on: None,
            },
            &[secret(1), secret(2)],
        )
        .await
        .expect("round");
    assert_eq!(store.token_answers(&secret(1)).await.expect("none yet"), None);
    let answers = quick_answers([1, 2, 3, 0, 2]);
    store
        .submit_response(round.id, &secret(1), &answers, day)
        .await
        .expect("answer");
    assert_eq!(store.token_answers(&secret(1)).await.expect("own"), Some(answers));
    assert_eq!(store.token_answers(&secret(2)).await.expect("other"), None);
    // Another token's answers, and a revision: each token reads its own
    // latest answers only.
    let others = quick_answers([3, 3, 3, 3, 3]);
    store
        .submit_response(round.id, &secret(2), &others, day)
        .await
        .expect("answer");
    let revised = quick_answers([0, 1, 0, 1, 0]);
    store
        .submit_response(round.id, &secret(1), &revised, day)
        .await
        .expect("revise");
    assert_eq!(
        store.token_answers(&secret(1)).await.expect("own"),
        Some(revised.clone())
    );
    assert_eq!(
        store.token_answers(&secret(2)).await.expect("other"),
        Some(others.clone())
    );
    assert_eq!(store.token_answers(&secret(3)).await.expect("unknown"), None);
    // Read with the round, in the one read every respondent page makes.
    let read = store.token_round(&secret(1)).await.expect("own");
    assert_eq!((read.answers, read.round.responses), (Some(revised), 2));
    assert_eq!(
        store.token_round(&secret(2)).await.expect("other").answers,
        Some(others)
    );
    store.close_round(round.id, day).await.expect("close");
    assert_eq!(
        store.token_answers(&secret(1)).await.expect("sealed"),
        None,
        "a closed round's link is gone"
    );
    let read = store.token_round(&secret(1)).await.expect("sealed");
    assert_eq!(
        (read.answers, read.status.spent),
        (None, true),
        "a closed round's link is gone"
    );
}

pub async fn a_token_reads_its_detailed_answers_with_dont_know_and_revisions(store: Arc<dyn Store>) {
    register(&*store).await;
    store.create_team(&team("Web"), None).await.expect("team");
    let day = date!(2027 - 01 - 10);
    let round = store
        .open_round(
            &NewRound {
                team: team("Web"),
                model: model("1.0.0"),
                mode: Mode::Detailed,
                k: asyncmm_core::K::DEFAULT,
                opens_on: day,
                closes_on: None,
            },
            &[secret(1), secret(2)],
        )
        .await
        .expect("round");
    let first = crate::detailed_answers(0);
    let second = crate::detailed_answers(3);
    assert_ne!(first, second);
    store
        .submit_response(round.id, &secret(1), &first, day)
        .await
        .expect("answer");
    store
        .submit_response(round.id, &secret(2), &second, day)
        .await
        .expect("answer");
    // Every statement comes back, "don't know" included, and only the
    // token's own.
    let read = store.token_round(&secret(1)).await.expect("own");
    assert_eq!(read.answers, Some(first));
    assert_eq!(read.round.responses, 2);
    // A revision replaces them all; the other token's stay.
    let revised = crate::detailed_answers(1);
    assert_eq!(
        store
            .submit_response(round.id, &secret(1), &revised, day)
            .await
            .expect("revise"),
        SubmitOutcome::Revised
    );
    assert_eq!(store.token_round(&secret(1)).await.expect("own").answers, Some(revised));
    assert_eq!(
        store.token_round(&secret(2)).await.expect("other").answers,
        Some(second)
    );
    assert_eq!(store.round(round.id).await.expect("round").responses, 2);
}

pub async fn api_tokens_are_read_in_windows_newest_first(store: Arc<dyn Store>) {
    store.create_invite(&invite(1, Role::Lead)).await.expect("invite");
    store.create_invite(&invite(2, Role::Viewer)).await.expect("invite");
    let lead = store.accept_invite(&secret(1), "Lea", "h", T0).await.expect("accept");
    let viewer = store.accept_invite(&secret(2), "Vic", "h", T0).await.expect("accept");
    // Two made in the same microsecond: the later made comes first.
    for (n, hours) in [(10u32, 0i64), (11, 3), (12, 1), (13, 1), (14, 2)] {
        store
            .create_api_token(&NewApiToken {
                user: lead.id,
                name: format!("token {n}"),
                prefix: format!("amm_{n:04}"),
                hash: secret(n),
                created_at: T0 + Duration::hours(hours),
            })
            .await
            .expect("token");
    }
    store
        .create_api_token(&NewApiToken {
            user: viewer.id,
            name: "theirs".to_string(),
            prefix: "amm_0099".to_string(),
            hash: secret(99),
            created_at: T0 + Duration::hours(9),
        })
        .await
        .expect("token");
    let whole: Vec<String> = store
        .api_tokens_of(lead.id)
        .await
        .expect("tokens")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(whole, ["token 11", "token 14", "token 13", "token 12", "token 10"]);
    let mut paged = Vec::new();
    for offset in [0, 2, 4] {
        let listed = store
            .api_tokens_window(lead.id, asyncmm_store::Window { offset, limit: 2 })
            .await
            .expect("window");
        assert_eq!(listed.total, 5);
        paged.extend(listed.items.into_iter().map(|t| t.name));
    }
    assert_eq!(paged, whole);
    let past = store
        .api_tokens_window(lead.id, asyncmm_store::Window { offset: 5, limit: 2 })
        .await
        .expect("past the end");
    assert_eq!((past.items.len(), past.total), (0, 5));
    let theirs = store
        .api_tokens_window(viewer.id, asyncmm_store::Window { offset: 0, limit: 50 })
        .await
        .expect("theirs");
    assert_eq!(theirs.total, 1);
    assert_eq!(theirs.items[0].name, "theirs");
}
