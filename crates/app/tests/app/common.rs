//! What every scenario needs: a fresh store per backend, a fixed clock, a
//! seeded random source, and quick ways to answer a round.

use std::future::Future;

use asyncmm_app::{App, AppError, LoadedModel, Random};
use asyncmm_core::{Answers, Mode, QuickAnswers};
use asyncmm_model::{AreaId, Level};
use asyncmm_store::Store;
use time::OffsetDateTime;
use time::macros::datetime;

pub const POSTGRES_URL_VAR: &str = "ASYNCMM_TEST_POSTGRES_URL";

/// A deterministic random source (xorshift), so token draws are reproducible.
pub struct Seeded(pub u64);

impl Random for Seeded {
    fn fill(&mut self, bytes: &mut [u8]) -> Result<(), AppError> {
        for b in bytes {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = (self.0 >> 24) as u8;
        }
        Ok(())
    }
}

/// The days the scenarios happen on.
pub const MONDAY: OffsetDateTime = datetime!(2027-03-01 09:00 UTC);
pub const FRIDAY: OffsetDateTime = datetime!(2027-03-05 16:00 UTC);

pub async fn app(store: &dyn Store, at: OffsetDateTime) -> App<'_> {
    App::new(store, at).await.expect("app")
}

pub fn model() -> LoadedModel {
    LoadedModel::embedded().expect("embedded model")
}

/// Quick answers: a level per area of the default model, in model order.
pub fn quick(levels: [u8; 5]) -> Answers {
    let ids = [
        "documentation",
        "decision-making",
        "work-tracking",
        "meetings",
        "leadership-culture",
    ];
    Answers::Quick(QuickAnswers::from_map(
        ids.iter()
            .zip(levels)
            .map(|(id, l)| (AreaId::parse(id).expect("area"), Level::new(l).expect("level")))
            .collect(),
    ))
}

/// Opens a quick round for `team` with `tokens` tokens; returns its id and
/// the tokens' text.
pub async fn open(app: &App<'_>, team: &str, mode: Mode, k: i64, tokens: u32, seed: u64) -> (i64, Vec<String>) {
    let opened = app
        .open_round(team, mode, k, None, tokens, &model(), &mut Seeded(seed))
        .await
        .expect("open round");
    (
        opened.round.id.0,
        opened.tokens.iter().map(asyncmm_core::Token::reveal).collect(),
    )
}

/// The org CSV as the command line writes it: the header, then the rows of
/// every part of `rounds_per_part` rounds handed over by `App::org_rounds`.
pub async fn org_csv(app: &App<'_>, rounds_per_part: usize) -> Result<String, AppError> {
    let mut out = format!("{}\n", asyncmm_report::team::ORG_CSV_HEADER);
    app.org_rounds(rounds_per_part, |part| {
        out.push_str(&asyncmm_report::team::render_org_csv_rows(&part));
        Ok::<(), AppError>(())
    })
    .await?;
    Ok(out)
}

/// Runs `scenario` on a fresh SQLite file, then on a fresh PostgreSQL
/// schema when a server is configured (saying so when it is not).
pub async fn on_every_backend<F, Fut>(name: &str, scenario: F)
where
    F: Fn(Box<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("asyncmm.db");
    let store = asyncmm_store::connect(&path.display().to_string())
        .await
        .expect("SQLite store");
    scenario(store).await;

    let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
        say_skipped(&format!("PostgreSQL half of {name}: set {POSTGRES_URL_VAR} to run it"));
        return;
    };
    let schema = format!(
        "asyncmm_app_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let store = asyncmm_store::connect_postgres_in_schema(&url, &schema)
        .await
        .expect("PostgreSQL store");
    // Run to completion, drop the schema, then report a failure.
    let outcome = std::panic::AssertUnwindSafe(scenario(store));
    let result = futures_catch(outcome).await;
    drop_schema(&url, &schema).await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn futures_catch<Fut: Future<Output = ()>>(
    fut: std::panic::AssertUnwindSafe<Fut>,
) -> Result<(), Box<dyn std::any::Any + Send>> {
    // A panic inside the scenario unwinds through this poll; catching it
    // per poll keeps the schema clean-up in the caller.
    let mut fut = std::pin::pin!(fut.0);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(())) => std::task::Poll::Ready(Ok(())),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(panic) => std::task::Poll::Ready(Err(panic)),
        }
    })
    .await
}

async fn drop_schema(url: &str, schema: &str) {
    use sqlx::Connection;
    let result = async {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .execute(&mut conn)
            .await?;
        conn.close().await
    }
    .await;
    if let Err(e) = result {
        eprintln!("could not drop test schema {schema}: {e}");
    }
}

/// Says a test was skipped where it can't be missed: straight to the
/// process's standard error, which the test harness doesn't capture, so the
/// line shows in the test output even when the test passes.
pub fn say_skipped(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {what}");
}
