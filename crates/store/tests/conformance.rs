//! The shared conformance suite: every backend must pass the same tests, so
//! SQLite and PostgreSQL can't drift apart.
//!
//! Each function in `suite` takes a fresh, empty store. The `conformance!`
//! macro turns each into two tests: `sqlite::NAME` (a new temporary file per
//! test, always run) and `postgres::NAME` (a new schema per test, run when
//! `ASYNCMM_TEST_POSTGRES_URL` is set, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`; otherwise it passes after
//! saying it was skipped). Tests of one backend's own behaviour (file
//! errors, URLs) follow the suite. The suite for teams, rounds and responses
//! is in `conformance/org.rs`, the one for plans in `conformance/plan.rs`,
//! export and import in `conformance/export.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use asyncmm_core::{
    Agreement, Answer, Answers, AssessmentId, DetailedAnswers, ModelRef, NewAssessment, QuickAnswers, TeamName,
};
use asyncmm_model::{AreaId, Level, StatementId};
use asyncmm_store::{Store, StoreError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const POSTGRES_URL_VAR: &str = "ASYNCMM_TEST_POSTGRES_URL";

const AREAS: [&str; 5] = [
    "documentation",
    "decision-making",
    "work-tracking",
    "meetings",
    "leadership",
];

// ---------------------------------------------------------------- helpers

fn model(version: &str) -> ModelRef {
    ModelRef {
        id: "test-model".to_string(),
        version: version.to_string(),
    }
}

const MODEL_TOML: &str = "[model]\nid = \"test-model\"\nversion = \"1.0.0\"\n";

fn team(name: &str) -> TeamName {
    TeamName::parse(name).expect("valid team name")
}

/// All 60 statement ids of a 5-area model, in order.
fn statement_ids() -> Vec<StatementId> {
    let mut ids = Vec::new();
    for area in AREAS {
        for level in Level::ALL {
            for n in 1..=3 {
                ids.push(StatementId::new(AreaId::parse(area).expect("area"), level, n).expect("statement id"));
            }
        }
    }
    ids
}

/// Answers to every statement, varied by `seed`, with some "don't know".
fn detailed_answers(seed: usize) -> Answers {
    let map: BTreeMap<StatementId, Answer> = statement_ids()
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            let answer = match (i + seed) % 5 {
                4 => Answer::DontKnow,
                v => Answer::Agree(Agreement::new(u8::try_from(v).expect("small")).expect("agreement")),
            };
            (id, answer)
        })
        .collect();
    Answers::Detailed(DetailedAnswers::from_map(map))
}

fn quick_answers(levels: [u8; 5]) -> Answers {
    let map = AREAS
        .iter()
        .zip(levels)
        .map(|(area, level)| (AreaId::parse(area).expect("area"), Level::new(level).expect("level")))
        .collect();
    Answers::Quick(QuickAnswers::from_map(map))
}

fn assessment(team_name: &str, taken_at: OffsetDateTime, answers: Answers) -> NewAssessment {
    NewAssessment {
        team: team(team_name),
        model: model("1.0.0"),
        taken_at,
        answers,
    }
}

async fn register(store: &dyn Store) {
    store
        .register_model(&model("1.0.0"), MODEL_TOML)
        .await
        .expect("register model");
}

const T0: OffsetDateTime = datetime!(2025-01-15 09:30:00 UTC);

// ---------------------------------------------------------------- the suites

/// Teams, rounds, tokens and anonymous responses.
#[path = "conformance/org.rs"]
mod org;

/// Kept results of closed rounds.
#[path = "conformance/kept.rs"]
mod kept;

/// Goals and actions.
#[path = "conformance/plan.rs"]
mod plan;

/// Web accounts, sessions, leads, and a token's own answers.
#[path = "conformance/accounts.rs"]
mod accounts;
/// Saved evidence, waivers and the pseudonym salt.
#[path = "conformance/evidence.rs"]
mod evidence;

/// Export and import of everything.
#[path = "conformance/export.rs"]
mod export;

mod suite {
    use super::*;

    pub async fn a_self_assessment_is_corrected_in_place_and_removed(store: Arc<dyn Store>) {
        register(&*store).await;
        let first = store
            .save_assessment(&assessment("Platform", T0, detailed_answers(0)))
            .await
            .expect("save");
        let other = store
            .save_assessment(&assessment("Platform", T0 + Duration::days(1), quick_answers([1; 5])))
            .await
            .expect("save");
        store
            .replace_assessment_answers(first, &detailed_answers(3))
            .await
            .expect("correct");
        let corrected = store.assessment(first).await.expect("read");
        assert_eq!(corrected.answers, detailed_answers(3));
        assert_eq!((corrected.id, corrected.taken_at), (first, T0), "same number and time");
        let refused = store.replace_assessment_answers(first, &quick_answers([2; 5])).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
        assert_eq!(
            store.assessment(first).await.expect("read").answers,
            detailed_answers(3)
        );

        store.remove_assessment(first).await.expect("remove");
        assert!(matches!(store.assessment(first).await, Err(StoreError::NotFound(_))));
        assert!(matches!(
            store.remove_assessment(first).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.replace_assessment_answers(first, &detailed_answers(1)).await,
            Err(StoreError::NotFound(_))
        ));
        let left = store.team_assessments(&team("Platform")).await.expect("history");
        assert_eq!(left.iter().map(|a| a.id).collect::<Vec<_>>(), vec![other]);
        assert_eq!(left[0].answers, quick_answers([1; 5]), "the other one untouched");
    }

    pub async fn quick_round_trip(store: Arc<dyn Store>) {
        register(&*store).await;
        let new = assessment("Platform", T0, quick_answers([0, 1, 2, 3, 2]));
        let id = store.save_assessment(&new).await.expect("save");
        let stored = store.assessment(id).await.expect("read back");
        assert_eq!(stored.id, id);
        assert_eq!(stored.team, new.team);
        assert_eq!(stored.model, new.model);
        assert_eq!(stored.taken_at, new.taken_at);
        assert_eq!(stored.answers, new.answers);
        let Answers::Quick(quick) = &stored.answers else {
            panic!("expected quick answers, got {:?}", stored.answers);
        };
        assert_eq!(quick.len(), 5);
        assert_eq!(
            quick.get(&AreaId::parse("meetings").expect("area")),
            Some(Level::new(3).expect("level"))
        );
    }

    pub async fn detailed_round_trip_with_dont_know(store: Arc<dyn Store>) {
        register(&*store).await;
        let full = assessment("Platform", T0, detailed_answers(0));
        // A partial one too: statements left out stay left out.
        let partial_map: BTreeMap<StatementId, Answer> = statement_ids()
            .into_iter()
            .take(7)
            .map(|id| (id, Answer::DontKnow))
            .chain([(
                StatementId::parse("meetings.3.2").expect("id"),
                Answer::Agree(Agreement::new(0).expect("agreement")),
            )])
            .collect();
        let partial = assessment(
            "Platform",
            T0 + Duration::days(1),
            Answers::Detailed(DetailedAnswers::from_map(partial_map)),
        );
        let full_id = store.save_assessment(&full).await.expect("save full");
        let partial_id = store.save_assessment(&partial).await.expect("save partial");

        let stored = store.assessment(full_id).await.expect("read full");
        assert_eq!(stored.answers, full.answers);
        let Answers::Detailed(detailed) = &stored.answers else {
            panic!("expected detailed answers, got {:?}", stored.answers);
        };
        assert_eq!(detailed.len(), 60);
        assert_eq!(detailed.iter().filter(|(_, a)| *a == Answer::DontKnow).count(), 12);
        assert_eq!(
            detailed.get(&StatementId::parse("documentation.0.1").expect("id")),
            Some(Answer::Agree(Agreement::new(0).expect("agreement")))
        );
        assert_eq!(
            detailed.get(&StatementId::parse("documentation.1.2").expect("id")),
            Some(Answer::DontKnow)
        );

        let stored = store.assessment(partial_id).await.expect("read partial");
        assert_eq!(stored.answers, partial.answers);
        assert_eq!(stored.answers.len(), 8);
    }

    pub async fn timestamps_are_kept_in_utc_to_the_microsecond(store: Arc<dyn Store>) {
        register(&*store).await;
        let taken_at = datetime!(2025-03-04 10:11:12.123456789 +05:30);
        let id = store
            .save_assessment(&assessment("Platform", taken_at, quick_answers([1; 5])))
            .await
            .expect("save");
        let stored = store.assessment(id).await.expect("read");
        assert_eq!(stored.taken_at, datetime!(2025-03-04 04:41:12.123456 UTC));
        assert_eq!(stored.taken_at.offset(), time::UtcOffset::UTC);
    }

    pub async fn history_is_oldest_first_with_ties_by_id(store: Arc<dyn Store>) {
        register(&*store).await;
        let later = T0 + Duration::hours(2);
        let earlier = T0 + Duration::hours(1);
        let mut ids = Vec::new();
        for (taken_at, seed) in [(later, 1), (earlier, 2), (later, 3), (T0, 4)] {
            let id = store
                .save_assessment(&assessment("Platform", taken_at, detailed_answers(seed)))
                .await
                .expect("save");
            ids.push(id);
        }
        store
            .save_assessment(&assessment("Other team", T0 - Duration::days(1), detailed_answers(0)))
            .await
            .expect("save other team");

        let history = store.team_assessments(&team("Platform")).await.expect("history");
        let order: Vec<AssessmentId> = history.iter().map(|a| a.id).collect();
        assert_eq!(order, vec![ids[3], ids[1], ids[0], ids[2]]);
        let times: Vec<OffsetDateTime> = history.iter().map(|a| a.taken_at).collect();
        assert_eq!(times, vec![T0, earlier, later, later]);
        // Each assessment comes with its own answers.
        assert_eq!(history[0].answers, detailed_answers(4));
        assert_eq!(history[3].answers, detailed_answers(3));
        assert!(history.iter().all(|a| a.team == team("Platform")));

        assert!(
            store
                .team_assessments(&team("Nobody"))
                .await
                .expect("history")
                .is_empty()
        );
    }

    pub async fn latest_is_newest_then_last_stored(store: Arc<dyn Store>) {
        register(&*store).await;
        assert_eq!(store.latest_assessment(&team("Platform")).await.expect("latest"), None);

        let newest = T0 + Duration::days(30);
        store
            .save_assessment(&assessment("Platform", T0, quick_answers([0; 5])))
            .await
            .expect("save");
        store
            .save_assessment(&assessment("Platform", newest, quick_answers([1; 5])))
            .await
            .expect("save");
        let tie = store
            .save_assessment(&assessment("Platform", newest, quick_answers([2; 5])))
            .await
            .expect("save");
        store
            .save_assessment(&assessment("Platform", T0 + Duration::days(2), quick_answers([3; 5])))
            .await
            .expect("save older, stored last");

        let latest = store
            .latest_assessment(&team("Platform"))
            .await
            .expect("latest")
            .expect("some");
        assert_eq!(latest.id, tie);
        assert_eq!(latest.taken_at, newest);
        assert_eq!(latest.answers, quick_answers([2; 5]));
    }

    pub async fn teams_are_summarised_by_name(store: Arc<dyn Store>) {
        register(&*store).await;
        assert!(store.teams().await.expect("teams").is_empty());
        let batch = vec![
            assessment("beta", T0, quick_answers([1; 5])),
            assessment("beta", T0 + Duration::days(9), quick_answers([1; 5])),
            assessment("beta", T0 + Duration::days(3), quick_answers([1; 5])),
            assessment("Ωmega", T0, quick_answers([1; 5])),
            assessment("alpha", T0 + Duration::days(1), quick_answers([1; 5])),
            assessment("Alpha", T0 + Duration::days(2), detailed_answers(0)),
        ];
        store.save_assessments(&batch).await.expect("save");

        let teams = store.teams().await.expect("teams");
        let summary: Vec<(String, u64, OffsetDateTime)> = teams
            .iter()
            .map(|t| (t.name.to_string(), t.assessments, t.last_taken_at))
            .collect();
        // Byte order, as `TeamName` sorts: upper case before lower case,
        // non-ASCII last, whatever the database's collation says.
        assert_eq!(
            summary,
            vec![
                ("Alpha".to_string(), 1, T0 + Duration::days(2)),
                ("alpha".to_string(), 1, T0 + Duration::days(1)),
                ("beta".to_string(), 3, T0 + Duration::days(9)),
                ("Ωmega".to_string(), 1, T0),
            ]
        );
    }

    pub async fn model_text_is_kept_and_changes_need_a_new_version(store: Arc<dyn Store>) {
        let v1 = model("1.0.0");
        assert_eq!(store.model_source(&v1).await.expect("source"), None);
        store.register_model(&v1, MODEL_TOML).await.expect("register");
        store
            .register_model(&v1, MODEL_TOML)
            .await
            .expect("same text again is fine");
        assert_eq!(
            store.model_source(&v1).await.expect("source").as_deref(),
            Some(MODEL_TOML)
        );

        let changed = format!("{MODEL_TOML}# edited\n");
        match store.register_model(&v1, &changed).await {
            Err(StoreError::Conflict(message)) => {
                assert!(message.contains("test-model@1.0.0"), "{message}");
                assert!(message.contains("already stored with different content"), "{message}");
                assert!(message.contains("new version"), "{message}");
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(
            store.model_source(&v1).await.expect("source").as_deref(),
            Some(MODEL_TOML)
        );

        let v2 = model("1.1.0");
        store.register_model(&v2, &changed).await.expect("new version");
        assert_eq!(store.model_source(&v2).await.expect("source"), Some(changed));
        assert_eq!(
            store.model_source(&v1).await.expect("source").as_deref(),
            Some(MODEL_TOML)
        );
    }

    pub async fn assessment_of_unregistered_model_is_rejected(store: Arc<dyn Store>) {
        register(&*store).await;
        let mut new = assessment("Platform", T0, detailed_answers(0));
        new.model = model("9.9.9");
        match store.save_assessment(&new).await {
            Err(StoreError::Conflict(message)) => {
                assert!(message.contains("test-model@9.9.9"), "{message}");
                assert!(message.contains("not registered"), "{message}");
                assert!(message.contains("Platform"), "{message}");
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert!(store.teams().await.expect("teams").is_empty());
        assert!(
            store
                .team_assessments(&team("Platform"))
                .await
                .expect("history")
                .is_empty()
        );
    }

    pub async fn batch_is_all_or_nothing(store: Arc<dyn Store>) {
        register(&*store).await;
        let mut bad = assessment("Bad", T0, quick_answers([2; 5]));
        bad.model = model("0.0.1-unregistered");
        let batch = vec![
            assessment("Good", T0, detailed_answers(1)),
            bad,
            assessment("Good", T0 + Duration::hours(1), detailed_answers(2)),
        ];
        match store.save_assessments(&batch).await {
            Err(StoreError::Conflict(message)) => {
                assert!(message.contains("assessment 2 of 3"), "{message}");
                assert!(message.contains("none of the batch was stored"), "{message}");
                assert!(message.contains("test-model@0.0.1-unregistered"), "{message}");
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert!(store.teams().await.expect("teams").is_empty());
        assert!(store.team_assessments(&team("Good")).await.expect("history").is_empty());

        // Without the bad one, all of it is stored.
        let good = vec![batch[0].clone(), batch[2].clone()];
        let ids = store.save_assessments(&good).await.expect("save");
        assert_eq!(ids.len(), 2);
        assert_eq!(store.team_assessments(&team("Good")).await.expect("history").len(), 2);
    }

    pub async fn batch_ids_follow_the_batch(store: Arc<dyn Store>) {
        register(&*store).await;
        store
            .save_assessment(&assessment("Before", T0, quick_answers([0; 5])))
            .await
            .expect("save one first");
        // 300 × 60 = 18,000 answer rows: more than one insert chunk.
        let batch: Vec<NewAssessment> = (0..300)
            .map(|i| {
                let answers = if i % 10 == 0 {
                    quick_answers([0, 1, 2, 3, 0])
                } else {
                    detailed_answers(i)
                };
                // Newest first, so history order is the reverse of the batch.
                assessment("Big", T0 - Duration::minutes(i64::try_from(i).expect("small")), answers)
            })
            .collect();
        let ids = store.save_assessments(&batch).await.expect("save batch");
        assert_eq!(ids.len(), batch.len());
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "ids increase along the batch: {ids:?}"
        );

        for (id, new) in ids.iter().zip(&batch).step_by(37) {
            let stored = store.assessment(*id).await.expect("read");
            assert_eq!(
                (&stored.team, stored.taken_at, &stored.answers),
                (&new.team, new.taken_at, &new.answers)
            );
        }
        let history = store.team_assessments(&team("Big")).await.expect("history");
        assert_eq!(history.len(), 300);
        for (stored, (id, new)) in history.iter().rev().zip(ids.iter().zip(&batch)) {
            assert_eq!(stored.id, *id);
            assert_eq!(stored.answers, new.answers);
        }
    }

    pub async fn empty_batch_stores_nothing(store: Arc<dyn Store>) {
        assert_eq!(store.save_assessments(&[]).await.expect("empty batch"), Vec::new());
        assert!(store.teams().await.expect("teams").is_empty());
    }

    pub async fn missing_assessment_is_not_found(store: Arc<dyn Store>) {
        register(&*store).await;
        store
            .save_assessment(&assessment("Platform", T0, quick_answers([1; 5])))
            .await
            .expect("save");
        match store.assessment(AssessmentId(987_654)).await {
            Err(StoreError::NotFound(what)) => assert!(what.contains("987654"), "{what}"),
            other => panic!("expected not found, got {other:?}"),
        }
    }

    pub async fn timestamp_outside_storable_years_is_rejected(store: Arc<dyn Store>) {
        register(&*store).await;
        let new = assessment("Platform", datetime!(-0001-06-01 00:00 UTC), quick_answers([1; 5]));
        match store.save_assessment(&new).await {
            Err(StoreError::Invalid(message)) => assert!(message.contains("Platform"), "{message}"),
            other => panic!("expected invalid, got {other:?}"),
        }
        assert!(store.teams().await.expect("teams").is_empty());
    }

    pub async fn concurrent_writers_all_land(store: Arc<dyn Store>) {
        // Registering the same model from many tasks at once is fine too.
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..5 {
            let store = Arc::clone(&store);
            tasks.spawn(async move { store.register_model(&model("1.0.0"), MODEL_TOML).await });
        }
        while let Some(result) = tasks.join_next().await {
            result.expect("task").expect("register");
        }

        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let store = Arc::clone(&store);
            tasks.spawn(async move {
                let taken_at = T0 + Duration::seconds(i);
                let team_name = if i % 2 == 0 { "Even" } else { "Odd" };
                if i % 5 == 0 {
                    // Some writers send small batches.
                    let batch = vec![
                        assessment(team_name, taken_at, detailed_answers(0)),
                        assessment(team_name, taken_at, quick_answers([1; 5])),
                    ];
                    store.save_assessments(&batch).await.map(|ids| ids.len())
                } else {
                    store
                        .save_assessment(&assessment(team_name, taken_at, detailed_answers(1)))
                        .await
                        .map(|_| 1)
                }
            });
        }
        let mut saved = 0;
        while let Some(result) = tasks.join_next().await {
            saved += result.expect("task").expect("save");
        }
        assert_eq!(saved, 24);

        let teams = store.teams().await.expect("teams");
        let counts: Vec<(String, u64)> = teams.iter().map(|t| (t.name.to_string(), t.assessments)).collect();
        assert_eq!(counts, vec![("Even".to_string(), 12), ("Odd".to_string(), 12)]);
        let even = store.team_assessments(&team("Even")).await.expect("history");
        assert!(even.iter().all(|a| a.answers.len() == 60 || a.answers.len() == 5));
        let mut ids: Vec<AssessmentId> = even.iter().map(|a| a.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 12);
    }

    pub async fn migrating_again_changes_nothing(store: Arc<dyn Store>) {
        register(&*store).await;
        let id = store
            .save_assessment(&assessment("Platform", T0, quick_answers([1; 5])))
            .await
            .expect("save");
        store.migrate().await.expect("migrate again");
        store.migrate().await.expect("and again");
        assert_eq!(store.assessment(id).await.expect("read").answers, quick_answers([1; 5]));
    }
}

// ---------------------------------------------------------------- fixtures

/// A store in a new file of its own temporary directory.
async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("asyncmm.db");
    let store = asyncmm_store::connect(path.to_str().expect("utf-8 path"))
        .await
        .expect("open SQLite");
    (Arc::from(store), dir)
}

/// A fresh PostgreSQL schema, dropped by [`PgSchema::drop_schema`].
struct PgSchema {
    url: String,
    name: String,
}

impl PgSchema {
    /// `None` (after saying so) when no test server is configured.
    async fn create() -> Option<(Arc<dyn Store>, PgSchema)> {
        let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
            say_skipped(&format!(
                "PostgreSQL conformance test: set {POSTGRES_URL_VAR} to run it"
            ));
            return None;
        };
        let name = unique_name("asyncmm_test");
        let store = asyncmm_store::connect_postgres_in_schema(&url, &name)
            .await
            .expect("connect to the test PostgreSQL server");
        Some((Arc::from(store), PgSchema { url, name }))
    }

    async fn drop_schema(self) {
        use sqlx::Connection;
        let result = async {
            let mut conn = sqlx::PgConnection::connect(&self.url).await?;
            // Don't hang the suite on a lock left by a panicking test.
            sqlx::query("SET lock_timeout = '10s'").execute(&mut conn).await?;
            sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name))
                .execute(&mut conn)
                .await?;
            conn.close().await
        }
        .await;
        if let Err(e) = result {
            eprintln!("could not drop test schema {}: {e}", self.name);
        }
    }
}

/// A name no other test (in this or another run) uses.
fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{nanos}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Raw access to a test store's database, for the few tests that must look
/// under the API (e.g. that a column holds a day and nothing finer).
enum Raw {
    Sqlite(std::path::PathBuf),
    Postgres { url: String, schema: String },
}

impl Raw {
    /// The first column of every row, as text: `sqlite_sql` or `postgres_sql`
    /// depending on the backend (each must return one text column).
    async fn texts(&self, sqlite_sql: &str, postgres_sql: &str) -> Vec<String> {
        use sqlx::Connection;
        match self {
            Raw::Sqlite(path) => {
                let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .expect("raw SQLite connection");
                let rows: Vec<String> = sqlx::query_scalar(sqlite_sql)
                    .fetch_all(&mut conn)
                    .await
                    .expect("raw SQLite query");
                conn.close().await.expect("close");
                rows
            }
            Raw::Postgres { url, schema } => {
                let mut conn = sqlx::PgConnection::connect(url)
                    .await
                    .expect("raw PostgreSQL connection");
                sqlx::query(&format!("SET search_path TO \"{schema}\""))
                    .execute(&mut conn)
                    .await
                    .expect("search path");
                let rows: Vec<String> = sqlx::query_scalar(postgres_sql)
                    .fetch_all(&mut conn)
                    .await
                    .expect("raw PostgreSQL query");
                conn.close().await.expect("close");
                rows
            }
        }
    }
}

/// Two tests per suite function: one per backend. `plain` functions take the
/// store; `raw` ones also get [`Raw`] access to its database.
macro_rules! conformance {
    (
        plain: [$($module:ident :: $name:ident),* $(,)?],
        raw: [$($raw_module:ident :: $raw_name:ident),* $(,)?] $(,)?
    ) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = super::sqlite_store().await;
                    super::$module::$name(store).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $raw_name() {
                    let (store, dir) = super::sqlite_store().await;
                    let raw = super::Raw::Sqlite(dir.path().join("asyncmm.db"));
                    super::$raw_module::$raw_name(store, raw).await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some((store, schema)) = super::PgSchema::create().await else {
                        return;
                    };
                    // Run in a task so a failing assertion still lets the
                    // schema be dropped, then fail the test with it.
                    let outcome = tokio::spawn(super::$module::$name(store)).await;
                    schema.drop_schema().await;
                    if let Err(e) = outcome {
                        std::panic::resume_unwind(e.into_panic());
                    }
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $raw_name() {
                    let Some((store, schema)) = super::PgSchema::create().await else {
                        return;
                    };
                    let raw = super::Raw::Postgres {
                        url: schema.url.clone(),
                        schema: schema.name.clone(),
                    };
                    let outcome = tokio::spawn(super::$raw_module::$raw_name(store, raw)).await;
                    schema.drop_schema().await;
                    if let Err(e) = outcome {
                        std::panic::resume_unwind(e.into_panic());
                    }
                }
            )*
        }
    };
}

conformance!(
    plain: [
        suite::quick_round_trip,
        suite::a_self_assessment_is_corrected_in_place_and_removed,
        suite::detailed_round_trip_with_dont_know,
        suite::timestamps_are_kept_in_utc_to_the_microsecond,
        suite::history_is_oldest_first_with_ties_by_id,
        suite::latest_is_newest_then_last_stored,
        suite::teams_are_summarised_by_name,
        suite::model_text_is_kept_and_changes_need_a_new_version,
        suite::assessment_of_unregistered_model_is_rejected,
        suite::batch_is_all_or_nothing,
        suite::batch_ids_follow_the_batch,
        suite::empty_batch_stores_nothing,
        suite::missing_assessment_is_not_found,
        suite::timestamp_outside_storable_years_is_rejected,
        suite::concurrent_writers_all_land,
        suite::migrating_again_changes_nothing,
        org::teams_are_unique_by_name_and_listed_by_name,
        org::renaming_a_team_takes_its_history_along,
        org::moves_that_make_a_cycle_are_refused,
        org::archiving_keeps_history_and_hides_the_team,
        org::rounds_open_with_their_tokens_in_one_transaction,
        org::rounds_are_listed_oldest_first,
        org::a_teams_rounds_are_read_in_windows_newest_first,
        org::k_is_fixed_once_the_first_response_arrived,
        org::closing_and_reopening_follow_the_round_state,
        org::published_rounds_stay_as_shown,
        org::a_token_answers_once_and_revises_after,
        org::tokens_of_other_rounds_and_unknown_tokens_look_the_same,
        org::answers_are_taken_only_while_the_round_is_open,
        org::more_tokens_can_be_issued_later,
        org::a_shared_link_finds_its_round_until_replaced_and_stops_when_closed,
        org::a_round_takes_tokens_or_imports_never_both,
        org::saves_arriving_together_are_each_checked_on_their_own,
        org::many_rounds_are_published_at_once,
        org::import_is_all_or_nothing,
        org::responses_of_many_rounds_come_in_one_call,
        org::latest_round_per_team_skips_archived_teams,
        org::a_hundred_concurrent_respondents_all_land,
        plan::goals_are_one_per_team_and_area,
        plan::actions_keep_their_statements_in_order,
        plan::updates_change_only_the_given_fields,
        plan::updating_an_unknown_action_is_not_found,
        plan::plans_follow_a_renamed_team,
        evidence::the_salt_is_drawn_once_and_kept,
        evidence::scans_are_kept_per_team_oldest_first,
        evidence::waivers_are_one_per_team_and_rule,
        evidence::evidence_follows_a_renamed_team,
        plan::goals_and_actions_can_be_removed,
        plan::teams_with_plans_are_named_once_each,
        export::export_from_this_backend_imports_elsewhere_unchanged,
        export::import_into_this_backend_keeps_everything_working,
        export::import_into_a_non_empty_database_is_refused,
        export::a_newer_or_broken_document_changes_nothing,
        export::documents_are_read_with_clear_errors,
        export::a_streamed_export_is_the_document_byte_for_byte,
        accounts::an_invitation_is_used_once_and_only_before_it_expires,
        accounts::sessions_expire_and_end_one_by_one_or_all_at_once,
        accounts::leads_are_linked_to_their_teams,
        accounts::api_tokens_are_found_by_hash_until_revoked_by_their_owner,
        accounts::api_tokens_are_read_in_windows_newest_first,
        accounts::a_token_reads_its_own_answers_only_while_it_can_revise,
        accounts::a_token_reads_its_detailed_answers_with_dont_know_and_revisions,
        kept::a_kept_result_comes_back_equal_and_only_while_it_matches,
        kept::answers_given_after_a_reopen_replace_nothing_kept,
        kept::a_new_k_forgets_the_kept_result,
    ],
    raw: [
        org::responses_are_stored_by_the_day_without_identity,
        org::closing_removes_every_link_from_tokens_to_responses,
        org::rounds_closed_by_date_are_sealed_before_they_are_read,
        kept::a_kept_result_that_cannot_be_read_is_left_out,
    ],
);

// ---------------------------------------------------------------- SQLite only

mod sqlite_files {
    use super::*;

    fn config_message(result: Result<Box<dyn Store>, StoreError>) -> String {
        match result {
            Err(StoreError::Config(message)) => message,
            Err(other) => panic!("expected a Config error, got {other:?}"),
            Ok(_) => panic!("expected a Config error, the store opened"),
        }
    }

    #[tokio::test]
    async fn creates_missing_directories_and_reopens_with_every_url_form() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("nested").join("deeper").join("asyncmm.db");
        let path_text = path.to_str().expect("utf-8 path");
        let id = {
            let store = asyncmm_store::connect(path_text).await.expect("create");
            register(&*store).await;
            store
                .save_assessment(&assessment("Platform", T0, quick_answers([2; 5])))
                .await
                .expect("save")
        };
        assert!(path.is_file());
        for url in [
            format!("sqlite://{path_text}"),
            format!("sqlite:{path_text}"),
            path_text.to_string(),
        ] {
            let store = asyncmm_store::connect(&url).await.expect("reopen");
            let stored = store.assessment(id).await.expect("still there");
            assert_eq!(stored.answers, quick_answers([2; 5]), "via {url}");
        }
    }

    #[tokio::test]
    async fn in_memory_database_works() {
        let store = asyncmm_store::connect("sqlite::memory:").await.expect("open");
        register(&*store).await;
        let id = store
            .save_assessment(&assessment("Platform", T0, detailed_answers(3)))
            .await
            .expect("save");
        assert_eq!(store.assessment(id).await.expect("read").answers, detailed_answers(3));
    }

    #[tokio::test]
    async fn a_file_that_is_not_sqlite_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "these are my notes, not a database\n".repeat(40)).expect("write");
        let message = config_message(asyncmm_store::connect(path.to_str().expect("utf-8")).await);
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("is not an SQLite database"), "{message}");
        assert!(!message.contains('\n'), "one line: {message}");
        // And the file is left alone.
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "these are my notes, not a database\n".repeat(40)
        );
    }

    #[tokio::test]
    async fn a_directory_that_cannot_be_created_is_named() {
        // The parent "directory" is a regular file. This takes the same path
        // as a read-only parent, and works even when the tests run as root
        // (which ignores permissions).
        let dir = tempfile::tempdir().expect("temp dir");
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "a file").expect("write");
        let path = blocker.join("sub").join("asyncmm.db");
        let message = config_message(asyncmm_store::connect(path.to_str().expect("utf-8")).await);
        assert!(
            message.contains(&blocker.join("sub").display().to_string()),
            "{message}"
        );
        assert!(message.contains("--database"), "{message}");
        assert!(message.contains("permissions"), "{message}");
    }

    #[tokio::test]
    async fn a_directory_given_as_the_database_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let message = config_message(asyncmm_store::connect(dir.path().to_str().expect("utf-8")).await);
        assert!(message.contains("is a directory"), "{message}");
        assert!(message.contains(&dir.path().display().to_string()), "{message}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_read_only_directory_is_named() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).expect("mkdir");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        // Root (e.g. in a container) may write anyway; then this case can't
        // be produced here, and `a_directory_that_cannot_be_created_is_named`
        // covers the message instead.
        if std::fs::write(locked.join("probe"), "x").is_ok() {
            eprintln!("skipped: running with privileges that ignore directory permissions");
            return;
        }
        let path = locked.join("asyncmm.db");
        let message = config_message(asyncmm_store::connect(path.to_str().expect("utf-8")).await);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
        assert!(message.contains(&locked.display().to_string()), "{message}");
        assert!(message.contains("--database"), "{message}");
    }

    #[tokio::test]
    async fn unknown_url_scheme_is_a_config_error_without_the_password() {
        let message = config_message(asyncmm_store::connect("mysql://root:hunter2@localhost/asyncmm").await);
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("mysql://root:***@localhost/asyncmm"), "{message}");
        assert!(message.contains("postgres://"), "{message}");
        assert!(message.contains("sqlite:PATH"), "{message}");
    }

    #[tokio::test]
    async fn corrupt_rows_are_reported_with_the_assessment_and_value() {
        use sqlx::Connection;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("asyncmm.db");
        let store = asyncmm_store::connect(path.to_str().expect("utf-8"))
            .await
            .expect("open");
        register(&*store).await;
        let id = store
            .save_assessment(&assessment("Platform", T0, detailed_answers(0)))
            .await
            .expect("save");

        let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("raw connection");
        sqlx::query("UPDATE answers SET item = 'Not An Id' WHERE assessment_id = ? AND item = 'meetings.2.1'")
            .bind(id.0)
            .execute(&mut raw)
            .await
            .expect("damage an answer");
        match store.assessment(id).await {
            Err(StoreError::Corrupt(message)) => {
                assert!(message.contains(&format!("assessment {id}")), "{message}");
                assert!(message.contains("Not An Id"), "{message}");
            }
            other => panic!("expected corrupt, got {other:?}"),
        }

        // The schema's CHECKs keep out a bad mode or value, but not a
        // malformed time.
        sqlx::query("UPDATE assessments SET taken_at = 'yesterday' WHERE id = ?")
            .bind(id.0)
            .execute(&mut raw)
            .await
            .expect("damage the time");
        match store.team_assessments(&team("Platform")).await {
            Err(StoreError::Corrupt(message)) => {
                assert!(message.contains(&format!("assessment {id}")), "{message}");
                assert!(message.contains("yesterday"), "{message}");
            }
            other => panic!("expected corrupt, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------- PostgreSQL only

mod postgres_connect {
    use super::*;

    #[tokio::test]
    async fn unreachable_server_is_named_without_the_password() {
        // Port 1 on the loopback interface refuses at once; no server needed.
        match asyncmm_store::connect("postgres://asyncmm:s3cretpw@127.0.0.1:1/asyncmm").await {
            Err(StoreError::Unavailable(message)) => {
                assert!(message.contains("127.0.0.1:1"), "{message}");
                assert!(!message.contains("s3cretpw"), "{message}");
                assert!(
                    message.contains("postgres://asyncmm:***@127.0.0.1:1/asyncmm"),
                    "{message}"
                );
            }
            Err(other) => panic!("expected unavailable, got {other:?}"),
            Ok(_) => panic!("expected unavailable, connected"),
        }
    }

    #[tokio::test]
    async fn bad_schema_name_is_refused() {
        match asyncmm_store::connect_postgres_in_schema("postgres://x@127.0.0.1:1/y", "Robert'); DROP").await {
            Err(StoreError::Config(message)) => assert!(message.contains("schema name"), "{message}"),
            Err(other) => panic!("expected a Config error, got {other:?}"),
            Ok(_) => panic!("expected a Config error, connected"),
        }
    }

    #[tokio::test]
    async fn missing_database_is_named() {
        let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
            say_skipped(&format!("PostgreSQL test: set {POSTGRES_URL_VAR} to run it"));
            return;
        };
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (url.as_str(), String::new()),
        };
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        let database = unique_name("asyncmm_missing");
        let missing = format!("{server}/{database}{query}");
        match asyncmm_store::connect(&missing).await {
            Err(StoreError::Config(message)) => {
                assert!(message.contains(&database), "{message}");
                assert!(message.contains("does not exist"), "{message}");
            }
            Err(other) => panic!("expected a Config error, got {other:?}"),
            Ok(_) => panic!("expected a Config error, connected"),
        }
    }
}

/// Says a test was skipped where it can't be missed: straight to the
/// process's standard error, which the test harness doesn't capture, so the
/// line shows in the test output even when the test passes.
pub fn say_skipped(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {what}");
}
