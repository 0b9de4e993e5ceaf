//! The data-loading part of the org report: `latest_round_per_team` and then
//! `responses_for_rounds` for every team's newest round, on an organisation
//! of N teams × 8 rounds × 10 respondents in detailed mode (60 statements):
//! 4.8 million stored answer rows at 1,000 teams, of which the report reads
//! the newest round's 600,000.
//!
//! The data is generated with a fixed-seed PRNG and loaded once per size
//! through the store API (`import_responses`, one batch per round), outside
//! the measured part: SQLite in a temporary file kept for the run,
//! PostgreSQL (when `ASYNCMM_TEST_POSTGRES_URL` is set) in a schema dropped
//! at the end. Loading times are printed to stderr.
//!
//! Sizes: `ASYNCMM_BENCH_TEAMS` (comma-separated, default `100,1000`; add
//! `10000` for the 10× case, which loads 48 million rows per backend).
//!
//! Run: `cargo bench -p asyncmm-store --bench org_report`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use asyncmm_core::{Agreement, Answer, Answers, DetailedAnswers, K, Mode, ModelRef, NewRound, RoundId, TeamName};
use asyncmm_model::{AreaId, Level, StatementId};
use asyncmm_store::Store;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

const ROUNDS_PER_TEAM: usize = 8;
const RESPONDENTS: usize = 10;
/// Rounds being loaded at once: PostgreSQL overlaps their round trips;
/// SQLite takes them in turn but prepares the next batch meanwhile.
const LOADERS: usize = 4;

/// SplitMix64: a tiny deterministic generator, so every run (and both
/// backends) load the same answers.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The default model's reference, text and statement ids, or a generated
/// stand-in (5 areas × 4 levels × 3 statements) if it does not parse.
fn model() -> (ModelRef, String, Vec<StatementId>) {
    match asyncmm_model::default_model() {
        Ok(model) => (
            ModelRef::of(&model),
            asyncmm_model::DEFAULT_MODEL_TOML.to_string(),
            model.statements().map(|s| s.id.clone()).collect(),
        ),
        Err(e) => {
            eprintln!("default model unusable ({e}); using generated statement ids");
            let mut ids = Vec::new();
            for area in [
                "documentation",
                "decision-making",
                "work-tracking",
                "meetings",
                "leadership",
            ] {
                for level in Level::ALL {
                    for n in 1..=3 {
                        ids.push(StatementId::new(AreaId::parse(area).expect("area"), level, n).expect("id"));
                    }
                }
            }
            let model = ModelRef {
                id: "bench".to_string(),
                version: "1".to_string(),
            };
            (model, "[model]\nid = \"bench\"\n".to_string(), ids)
        }
    }
}

/// Ten respondents' answers for one round: agreement 0-3, one in eight
/// "don't know".
fn round_answers(rng: &mut SplitMix, statements: &[StatementId]) -> Vec<Answers> {
    (0..RESPONDENTS)
        .map(|_| {
            let map: BTreeMap<StatementId, Answer> = statements
                .iter()
                .map(|id| {
                    let draw = rng.next() % 8;
                    let answer = match u8::try_from(draw).expect("small") {
                        7 => Answer::DontKnow,
                        v => Answer::Agree(Agreement::new(v % 4).expect("agreement")),
                    };
                    (id.clone(), answer)
                })
                .collect();
            Answers::Detailed(DetailedAnswers::from_map(map))
        })
        .collect()
}

/// Loads `teams` teams into `store`; returns how long it took.
async fn load(
    store: Arc<dyn Store>,
    teams: usize,
    model: &ModelRef,
    source: &str,
    statements: &[StatementId],
) -> Duration {
    let started = Instant::now();
    store.register_model(model, source).await.expect("register");
    let first_day = time::macros::date!(2025 - 01 - 06);
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..teams {
        if tasks.len() >= LOADERS {
            tasks.join_next().await.expect("a task").expect("join");
        }
        let store = Arc::clone(&store);
        let model = model.clone();
        let statements = statements.to_vec();
        tasks.spawn(async move {
            let name = TeamName::parse(&format!("team-{t:05}")).expect("team");
            store.create_team(&name, None).await.expect("create team");
            let mut rng = SplitMix(u64::try_from(t).expect("fits") + 1);
            for r in 0..ROUNDS_PER_TEAM {
                // Quarterly rounds: the last one is the newest.
                let opens_on = first_day + time::Duration::weeks(13 * i64::try_from(r).expect("small"));
                let round = store
                    .open_round(
                        &NewRound {
                            team: name.clone(),
                            model: model.clone(),
                            mode: Mode::Detailed,
                            k: K::DEFAULT,
                            opens_on,
                            closes_on: Some(opens_on + time::Duration::weeks(2)),
                        },
                        &[],
                    )
                    .await
                    .expect("open round");
                let answers = round_answers(&mut rng, &statements);
                store
                    .import_responses(round.id, &answers, opens_on + time::Duration::days(3))
                    .await
                    .expect("import");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("join");
    }
    started.elapsed()
}

/// What is measured: the report's reads, checked so a wrong answer can't
/// look fast.
async fn read_org(store: &dyn Store, teams: usize) {
    let latest = store.latest_round_per_team().await.expect("latest rounds");
    assert_eq!(latest.len(), teams);
    let ids: Vec<RoundId> = latest.iter().map(|r| r.id).collect();
    let responses = store.responses_for_rounds(&ids).await.expect("responses");
    assert_eq!(responses.len(), teams);
    assert!(responses.values().all(|answers| answers.len() == RESPONDENTS));
}

fn sizes() -> Vec<usize> {
    std::env::var("ASYNCMM_BENCH_TEAMS")
        .unwrap_or_else(|_| "100,1000".to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn org_report(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let (model, source, statements) = model();
    let postgres_url = std::env::var("ASYNCMM_TEST_POSTGRES_URL").ok();
    if postgres_url.is_none() {
        eprintln!("PostgreSQL skipped: set ASYNCMM_TEST_POSTGRES_URL to include it");
    }

    let mut group = c.benchmark_group("org_report_load");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));

    for teams in sizes() {
        let stored_rows = teams * ROUNDS_PER_TEAM * RESPONDENTS * statements.len();
        let read_rows = teams * RESPONDENTS * statements.len();
        group.throughput(Throughput::Elements(u64::try_from(read_rows).expect("fits")));

        // SQLite: one file per size, kept for all of that size's samples.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("org.db");
        let store: Arc<dyn Store> = runtime.block_on(async {
            Arc::from(
                asyncmm_store::connect(path.to_str().expect("utf-8"))
                    .await
                    .expect("open"),
            )
        });
        let took = runtime.block_on(load(Arc::clone(&store), teams, &model, &source, &statements));
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "sqlite: loaded {teams} teams ({stored_rows} answer rows) in {:.1} s; file {} MB",
            took.as_secs_f64(),
            size / 1_000_000
        );
        group.bench_with_input(BenchmarkId::new("sqlite", teams), &teams, |b, &teams| {
            b.iter(|| runtime.block_on(read_org(&*store, teams)));
        });
        drop(store);
        drop(dir);

        if let Some(url) = &postgres_url {
            let schema = format!("asyncmm_bench_org_{}_{teams}", std::process::id());
            let store: Arc<dyn Store> = runtime.block_on(async {
                Arc::from(
                    asyncmm_store::connect_postgres_in_schema(url, &schema)
                        .await
                        .expect("connect"),
                )
            });
            let took = runtime.block_on(load(Arc::clone(&store), teams, &model, &source, &statements));
            eprintln!(
                "postgres: loaded {teams} teams ({stored_rows} answer rows) in {:.1} s",
                took.as_secs_f64()
            );
            // Fresh statistics, as autovacuum would have them on a database
            // filled over months rather than seconds.
            runtime.block_on(run_sql(url, &format!("ANALYZE \"{schema}\".response_answers")));
            group.bench_with_input(BenchmarkId::new("postgres", teams), &teams, |b, &teams| {
                b.iter(|| runtime.block_on(read_org(&*store, teams)));
            });
            drop(store);
            runtime.block_on(run_sql(url, &format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")));
        }
    }
    group.finish();
}

async fn run_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::query(sql).execute(&mut conn).await.expect("sql");
    conn.close().await.expect("close");
}

criterion_group!(benches, org_report);
criterion_main!(benches);
