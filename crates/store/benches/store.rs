//! Bulk write speed: one `save_assessments` call with 1,000,000 answer rows
//! (16,667 detailed assessments of the default model's 60 statements), on
//! SQLite (a new temporary file each iteration) and, when
//! `ASYNCMM_TEST_POSTGRES_URL` is set, on PostgreSQL (a new schema each
//! iteration). Reported as answer rows per second.
//!
//! Run: `cargo bench -p asyncmm-store -- --sample-size 10`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use asyncmm_core::{Agreement, Answer, Answers, DetailedAnswers, ModelRef, NewAssessment, TeamName};
use asyncmm_model::{AreaId, Level, StatementId};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

const ASSESSMENTS: usize = 16_667;

/// Numbers the PostgreSQL schemas, one per iteration.
static SCHEMAS: AtomicU64 = AtomicU64::new(0);

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

fn batch(model: &ModelRef, statements: &[StatementId]) -> Vec<NewAssessment> {
    let start = time::macros::datetime!(2025-01-01 00:00 UTC);
    (0..ASSESSMENTS)
        .map(|i| {
            let answers: BTreeMap<StatementId, Answer> = statements
                .iter()
                .enumerate()
                .map(|(j, id)| {
                    let answer = match (i + j) % 5 {
                        4 => Answer::DontKnow,
                        v => Answer::Agree(Agreement::new(u8::try_from(v).expect("small")).expect("agreement")),
                    };
                    (id.clone(), answer)
                })
                .collect();
            NewAssessment {
                team: TeamName::parse(&format!("team-{}", i % 50)).expect("team"),
                model: model.clone(),
                taken_at: start + time::Duration::minutes(i64::try_from(i).expect("small")),
                answers: Answers::Detailed(DetailedAnswers::from_map(answers)),
            }
        })
        .collect()
}

fn bulk_save(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let (model, source, statements) = model();
    let batch = batch(&model, &statements);
    let rows: usize = batch.iter().map(|a| a.answers.len()).sum();

    let mut group = c.benchmark_group("save_assessments");
    // Each iteration writes a million rows: ten of them, one per sample,
    // are plenty and keep the run to a couple of minutes.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(u64::try_from(rows).expect("fits")));

    group.bench_function("sqlite", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("bench.db");
                runtime.block_on(async {
                    let store = asyncmm_store::connect(path.to_str().expect("utf-8"))
                        .await
                        .expect("open");
                    store.register_model(&model, &source).await.expect("register");
                    let started = Instant::now();
                    let ids = store.save_assessments(&batch).await.expect("save");
                    total += started.elapsed();
                    assert_eq!(ids.len(), ASSESSMENTS);
                });
            }
            total
        });
    });

    if let Ok(url) = std::env::var("ASYNCMM_TEST_POSTGRES_URL") {
        group.bench_function("postgres", |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let schema = format!(
                        "asyncmm_bench_{}_{}",
                        std::process::id(),
                        SCHEMAS.fetch_add(1, Ordering::Relaxed)
                    );
                    runtime.block_on(async {
                        let store = asyncmm_store::connect_postgres_in_schema(&url, &schema)
                            .await
                            .expect("connect");
                        store.register_model(&model, &source).await.expect("register");
                        let started = Instant::now();
                        let ids = store.save_assessments(&batch).await.expect("save");
                        total += started.elapsed();
                        assert_eq!(ids.len(), ASSESSMENTS);
                        drop(store);
                        drop_schema(&url, &schema).await;
                    });
                }
                total
            });
        });
    } else {
        eprintln!("PostgreSQL skipped: set ASYNCMM_TEST_POSTGRES_URL to include it");
    }
    group.finish();
}

async fn drop_schema(url: &str, schema: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .execute(&mut conn)
        .await
        .expect("drop schema");
    conn.close().await.expect("close");
}

criterion_group!(benches, bulk_save);
criterion_main!(benches);
