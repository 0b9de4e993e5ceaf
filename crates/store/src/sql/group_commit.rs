//! Group commit of respondents' saves on SQLite: the web server's most
//! frequent write, many at once when a team answers together.
//!
//! SQLite has one writer at a time, and a save alone spends most of its
//! turn waiting for hand-overs to the connection's thread (begin, read,
//! write, commit), while every other save queues behind it. So saves don't
//! take the writer lock themselves: they are sent to one writer task, which
//! takes every save that is waiting when it gets its turn and writes them in
//! one transaction — one read of all their tokens and rounds, one write,
//! one commit — and answers each save with its own outcome. Under load a
//! turn carries dozens of saves; a lone save is written at once, as before.
//!
//! Each save is checked on its own, exactly as a save alone would be (the
//! round open on the save's day, the token of that round and not spent, the
//! answers in the round's mode): a refused save writes nothing and doesn't
//! affect the others. Two saves of one token in a turn are applied in
//! order: the second replaces the first, which is therefore never written.
//! If the combined write itself fails (it shouldn't: every check has
//! passed), the turn is rolled back and each save is written again in a
//! transaction of its own, so one bad save can't cost the others theirs.
//!
//! The statements have one fixed text whatever the number of saves (the
//! rows travel as JSON arrays, unpacked with SQLite's `json_each`), so
//! SQLite prepares them once per connection and no turn can exceed
//! SQLite's limit on bound parameters.
//!
//! A save whose caller has gone (a closed connection) before its turn is
//! dropped unwritten, as it would have been rolled back before; once its
//! turn started it is written like the others.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use asyncmm_core::{Answers, Round, RoundId};
use serde::Serialize;
use sqlx::{Connection, FromRow, SqliteConnection, SqlitePool};
use time::Date;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::Conn;
use super::rounds::{ROUND_COLUMNS, RoundColumns, round_by_id};
use crate::org::{self, NewResponses};
use crate::{StoreError, SubmitOutcome};

/// The most saves written in one turn: enough to empty the queue of a busy
/// server, few enough that the saves queued behind a turn aren't held up
/// long.
const MOST_PER_TURN: usize = 128;

/// One respondent's save, waiting for its turn.
pub(crate) struct Save {
    pub round: RoundId,
    /// The SHA-256 of the respondent's token.
    pub hash: Vec<u8>,
    pub answers: Answers,
    /// The answers as rows, with the new response's id.
    pub response: NewResponses,
    pub today: Date,
}

struct Waiting {
    save: Save,
    reply: oneshot::Sender<Result<SubmitOutcome, StoreError>>,
}

/// The way to the writer task, started with the first save.
#[derive(Default)]
pub(crate) struct Saves {
    inbox: OnceLock<mpsc::UnboundedSender<Waiting>>,
}

impl Saves {
    /// Queues `save` for the writer task (starting it if this is the first)
    /// and waits for its outcome. The task writes to `pool`'s database,
    /// taking `lock` (the process's writer lock) for each turn; `file` is
    /// false for an in-memory database, which only the pool reaches.
    pub(crate) async fn submit(
        &self,
        pool: &SqlitePool,
        lock: &Arc<Mutex<()>>,
        file: bool,
        save: Save,
    ) -> Result<SubmitOutcome, StoreError> {
        let inbox = self.inbox.get_or_init(|| {
            let (inbox, queue) = mpsc::unbounded_channel();
            let writer = Writer {
                pool: pool.clone(),
                lock: Arc::clone(lock),
                file,
                own: None,
                since_checkpoint: 0,
                checkpoint: None,
            };
            tokio::spawn(writer.write_in_turns(queue));
            inbox
        });
        let (reply, outcome) = oneshot::channel();
        inbox.send(Waiting { save, reply }).map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

/// Only if the runtime that ran the writer task has shut down while this
/// database is still used from another one.
fn stopped() -> StoreError {
    StoreError::Unavailable("the database's writer for responses has stopped; restart asyncmm".to_string())
}

/// The writer task's state.
///
/// Checkpoints (copying the write-ahead log back into the database file,
/// with its syncs) are kept out of the turns: on its own connection the
/// writer doesn't checkpoint when a commit passes SQLite's threshold, which
/// stalled every save queued behind that commit. Instead, after every
/// [`CHECKPOINT_EVERY`] saves a checkpoint runs beside the turns on a pool
/// connection, and once it is done the writer copies the little written
/// since between two turns, so the next turn starts the log from its
/// beginning again and the log stays a few megabytes however long saves
/// keep coming. Other writers (on pool connections) checkpoint as SQLite
/// always does.
struct Writer {
    pool: SqlitePool,
    lock: Arc<Mutex<()>>,
    /// A file database (not in memory), so the writer can have its own
    /// connection.
    file: bool,
    /// The writer's own connection; `None` for an in-memory database, or
    /// until it is (re)opened.
    own: Option<SqliteConnection>,
    /// Saves written since the last checkpoint finished.
    since_checkpoint: usize,
    /// The checkpoint running beside the turns, if one is.
    checkpoint: Option<JoinHandle<()>>,
}

/// Saves between checkpoints: a few megabytes of log (a save adds some
/// 30 kB), about what SQLite's own threshold of 1,000 pages allows.
const CHECKPOINT_EVERY: usize = 256;

const CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";

impl Writer {
    /// One turn after another until the database is dropped.
    async fn write_in_turns(mut self, mut queue: mpsc::UnboundedReceiver<Waiting>) {
        while let Some(first) = queue.recv().await {
            let lock = Arc::clone(&self.lock);
            let _turn = lock.lock().await;
            // Saves that arrived while this one waited for the lock go with it.
            let mut turn = vec![first];
            while turn.len() < MOST_PER_TURN {
                match queue.try_recv() {
                    Ok(next) => turn.push(next),
                    Err(_) => break,
                }
            }
            turn.retain(|waiting| !waiting.reply.is_closed());
            if turn.is_empty() {
                continue;
            }
            let saves: Vec<&Save> = turn.iter().map(|waiting| &waiting.save).collect();
            let outcomes = match self.write(&saves).await {
                Ok(outcomes) => outcomes,
                Err(failed) if turn.len() == 1 => vec![Err(failed)],
                Err(_) => {
                    let mut outcomes = Vec::with_capacity(saves.len());
                    for save in &saves {
                        outcomes.push(match self.write(&[save]).await {
                            Ok(mut alone) => alone.pop().unwrap_or_else(|| Err(stopped())),
                            Err(failed) => Err(failed),
                        });
                    }
                    outcomes
                }
            };
            let written = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
            for (waiting, outcome) in turn.into_iter().zip(outcomes) {
                // A caller that has gone needs no answer.
                let _ = waiting.reply.send(outcome);
            }
            self.after_turn(written).await;
        }
        if let Some(running) = self.checkpoint.take() {
            let _ = running.await;
        }
    }

    /// Writes one turn on the writer's own connection (opened if needed; a
    /// connection whose turn failed is replaced), or on a pool connection.
    async fn write(&mut self, saves: &[&Save]) -> Result<Vec<Result<SubmitOutcome, StoreError>>, StoreError> {
        if self.file && self.own.is_none() {
            let options = (*self.pool.connect_options()).clone();
            // If it can't be opened, the turn goes to the pool (which
            // checkpoints as usual) and the next turn tries again.
            self.own = SqliteConnection::connect_with(&options.pragma("wal_autocheckpoint", "0"))
                .await
                .ok();
        }
        match &mut self.own {
            Some(own) => {
                let written = write_turn(own, saves).await;
                if written.is_err() {
                    self.own = None;
                }
                written
            }
            None => write_turn(&mut *self.pool.acquire().await?, saves).await,
        }
    }

    /// Starts a checkpoint beside the turns every [`CHECKPOINT_EVERY`]
    /// saves, and finishes it between two turns once it is done.
    async fn after_turn(&mut self, written: usize) {
        let Some(own) = &mut self.own else {
            return;
        };
        self.since_checkpoint += written;
        if self.since_checkpoint < CHECKPOINT_EVERY {
            return;
        }
        match &self.checkpoint {
            None => {
                let pool = self.pool.clone();
                self.checkpoint = Some(tokio::spawn(async move {
                    // A checkpoint that fails leaves the log for the next.
                    let _ = sqlx::query(CHECKPOINT).execute(&pool).await;
                }));
            }
            Some(running) if running.is_finished() => {
                let _ = sqlx::query(CHECKPOINT).execute(&mut *own).await;
                self.checkpoint = None;
                self.since_checkpoint = 0;
            }
            Some(_) => {}
        }
    }
}

/// A token of the turn as stored, with its round.
#[derive(FromRow)]
struct TokenOfTurn {
    #[sqlx(flatten)]
    round: RoundColumns,
    token_hash: Vec<u8>,
    token_response: Option<i64>,
    token_spent: bool,
}

/// A token's state as the turn goes on.
struct TokenState {
    round: Round,
    /// Its response before the turn, which the turn's write deletes if the
    /// token answers again.
    stored_response: Option<i64>,
    spent: bool,
    /// The save of this turn that last answered with it.
    latest: Option<usize>,
}

/// Writes `saves` in one transaction: each save's outcome, or the error
/// that stopped the whole turn (nothing of it is written then).
async fn write_turn(
    conn: &mut SqliteConnection,
    saves: &[&Save],
) -> Result<Vec<Result<SubmitOutcome, StoreError>>, StoreError> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let hashes: Vec<String> = saves.iter().map(|save| hex(&save.hash)).collect();
    let hashes = json(&hashes)?;
    // The rounds once each (their response count is a count of rows), then
    // the tokens with them.
    let stored: Vec<TokenOfTurn> = sqlx::query_as(&format!(
        "WITH k AS MATERIALIZED (SELECT hash, round_id, response_id, spent FROM tokens \
         WHERE hash IN (SELECT unhex(value) FROM json_each($1))), \
         rs AS MATERIALIZED (SELECT {ROUND_COLUMNS} FROM rounds r JOIN teams t ON t.id = r.team_id \
         WHERE r.id IN (SELECT round_id FROM k)) \
         SELECT rs.*, k.hash AS token_hash, k.response_id AS token_response, k.spent AS token_spent \
         FROM k JOIN rs ON rs.id = k.round_id"
    ))
    .bind(&hashes)
    .fetch_all(&mut *tx)
    .await?;
    let mut tokens = HashMap::with_capacity(stored.len());
    for token in stored {
        tokens.insert(
            token.token_hash,
            TokenState {
                round: token.round.into_round()?,
                stored_response: token.token_response,
                spent: token.token_spent,
                latest: None,
            },
        );
    }

    let mut outcomes = Vec::with_capacity(saves.len());
    for (index, save) in saves.iter().enumerate() {
        let outcome = match tokens.get_mut(&save.hash) {
            Some(token) if token.round.id == save.round => accept(token, index, save),
            _ => {
                // Only to choose the message, as a save alone does: a round
                // that doesn't exist says so, a token of another round is
                // "unknown" like a made-up one.
                match round_by_id(Conn::Sqlite(&mut tx), save.round).await {
                    Ok(_) => Err(org::unknown_token(save.round)),
                    Err(StoreError::NotFound(what)) => Err(StoreError::NotFound(what)),
                    Err(failed) => return Err(failed),
                }
            }
        };
        outcomes.push(outcome);
    }

    let rows = TurnRows::of(saves, &tokens);
    if !rows.is_empty() {
        rows.write(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// The checks a save alone makes; on success the token now answers with
/// this save.
fn accept(token: &mut TokenState, index: usize, save: &Save) -> Result<SubmitOutcome, StoreError> {
    org::check_open(&token.round, save.today)?;
    if token.spent {
        return Err(org::Refusal::TokenSpent { round: save.round }.into());
    }
    org::check_submit(&token.round, &save.answers)?;
    let answered_before = token.latest.is_some() || token.stored_response.is_some();
    token.latest = Some(index);
    Ok(if answered_before {
        SubmitOutcome::Revised
    } else {
        SubmitOutcome::Created
    })
}

/// The turn's rows, as the JSON arrays its write statement unpacks.
#[derive(Default)]
struct TurnRows<'a> {
    /// Responses the turn's tokens gave before it.
    replaced: Vec<i64>,
    /// `[id, round, day]`.
    responses: Vec<(i64, i64, String)>,
    /// `[round, response, item, value]`.
    answers: Vec<(i64, i64, &'a str, Option<i16>)>,
    /// `[token hash (hex), response]`.
    links: Vec<(String, i64)>,
    /// Rounds whose kept result the new answers change.
    rounds: BTreeSet<i64>,
}

impl<'a> TurnRows<'a> {
    fn of(saves: &[&'a Save], tokens: &HashMap<Vec<u8>, TokenState>) -> TurnRows<'a> {
        let mut rows = TurnRows::default();
        for (hash, token) in tokens {
            let Some(latest) = token.latest else { continue };
            let save = saves[latest];
            rows.replaced.extend(token.stored_response);
            let Some(&id) = save.response.ids.first() else { continue };
            rows.responses.push((id, save.round.0, day(save.today)));
            for (response, item, value) in save.response.chunks().next_chunk(save.response.answer_count()) {
                rows.answers.push((save.round.0, response, item, value));
            }
            rows.links.push((hex(hash), id));
            rows.rounds.insert(save.round.0);
        }
        // In key order, which keeps the B-tree writes together.
        rows.responses.sort_unstable_by_key(|&(id, _, _)| id);
        rows.answers.sort_by_key(|&(round, response, _, _)| (round, response));
        rows
    }

    fn is_empty(&self) -> bool {
        self.responses.is_empty()
    }

    /// One call with every statement: deletes the replaced responses (their
    /// answers go with them), inserts the new ones with their answers,
    /// links each token to its new response and forgets the kept result of
    /// every round that got answers.
    async fn write(&self, tx: &mut sqlx::SqliteConnection) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM responses WHERE id IN (SELECT value FROM json_each($1)); \
             INSERT INTO responses (id, round_id, submitted_on) \
               SELECT value->>0, value->>1, value->>2 FROM json_each($2); \
             INSERT INTO response_answers (round_id, response_id, item, value) \
               SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each($3); \
             UPDATE tokens SET response_id = \
               (SELECT j.value->>1 FROM json_each($4) AS j WHERE unhex(j.value->>0) = tokens.hash) \
               WHERE hash IN (SELECT unhex(value->>0) FROM json_each($4)); \
             DELETE FROM round_results WHERE round_id IN (SELECT value FROM json_each($5))",
        )
        .bind(json(&self.replaced)?)
        .bind(json(&self.responses)?)
        .bind(json(&self.answers)?)
        .bind(json(&self.links)?)
        .bind(json(&self.rounds)?)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

fn json<T: Serialize + ?Sized>(rows: &T) -> Result<String, StoreError> {
    serde_json::to_string(rows).map_err(|e| StoreError::Invalid(format!("cannot pass the responses to SQLite: {e}")))
}

/// A token hash as SQLite's `unhex` reads it back.
fn hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// A day as the store writes days: `YYYY-MM-DD` (the dates a store accepts
/// have four-digit years).
fn day(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

#[cfg(test)]
mod tests {
    //! One turn driven by hand, so what shares a transaction is known
    //! rather than left to timing.

    use std::collections::BTreeMap;

    use asyncmm_core::{K, Mode, ModelRef, NewRound, QuickAnswers, Responses, TeamName, Token, TokenHash};
    use asyncmm_model::{AreaId, Level};
    use time::macros::date;

    use super::*;
    use crate::sql::{Backend, Database};
    use crate::{SqliteStore, Store};

    const OPENS: Date = date!(2027 - 01 - 04);
    const DAY: Date = date!(2027 - 01 - 10);

    fn token(n: u8) -> TokenHash {
        Token::from_random_bytes([n; Token::BYTES]).hash()
    }

    fn quick(level: u8) -> Answers {
        let map: BTreeMap<AreaId, Level> = ["documentation", "meetings"]
            .into_iter()
            .map(|area| (AreaId::parse(area).expect("area"), Level::new(level).expect("level")))
            .collect();
        Answers::Quick(QuickAnswers::from_map(map))
    }

    /// A database with team `name`'s round (quick mode) and tokens `issued`.
    async fn round_with(db: &Database, name: &str, issued: &[u8]) -> RoundId {
        let model = ModelRef {
            id: "test-model".to_string(),
            version: "1.0.0".to_string(),
        };
        db.register_model(&model, "[model]\nid = \"test-model\"\nversion = \"1.0.0\"\n")
            .await
            .expect("model");
        let team = TeamName::parse(name).expect("team name");
        db.create_team(&team, None).await.expect("team");
        let hashes: Vec<TokenHash> = issued.iter().map(|&n| token(n)).collect();
        let new = NewRound {
            team,
            model,
            mode: Mode::Quick,
            k: K::DEFAULT,
            opens_on: OPENS,
            closes_on: None,
        };
        db.open_round(&new, &hashes).await.expect("round").id
    }

    fn save(round: RoundId, n: u8, answers: Answers, today: Date) -> Save {
        Save {
            round,
            hash: org::hash_bytes(&token(n)),
            response: NewResponses::prepare(std::slice::from_ref(&answers)).expect("answers"),
            answers,
            today,
        }
    }

    fn pool(db: &Database) -> (SqlitePool, Arc<Mutex<()>>) {
        match &db.backend {
            Backend::Sqlite(s) => (s.pool.clone(), Arc::clone(&s.write_lock)),
            Backend::Postgres(_) => unreachable!("an SQLite test"),
        }
    }

    fn writer(pool: SqlitePool, lock: Arc<Mutex<()>>) -> Writer {
        Writer {
            pool,
            lock,
            file: true,
            own: None,
            since_checkpoint: 0,
            checkpoint: None,
        }
    }

    async fn open() -> (Database, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = SqliteStore::open(&dir.path().join("t.db")).await.expect("open");
        (db, dir)
    }

    #[tokio::test]
    async fn one_turn_checks_each_save_alone_and_writes_the_accepted_ones() {
        let (db, _dir) = open().await;
        let first = round_with(&db, "First", &[1, 2, 3, 4]).await;
        let second = round_with(&db, "Second", &[9]).await;
        db.submit_response(first, &token(3), &quick(1), DAY)
            .await
            .expect("earlier answer");
        let (pool, _) = pool(&db);

        let saves = [
            save(first, 1, quick(2), DAY),
            // A token of the second round, sent to the first.
            save(first, 9, quick(2), DAY),
            // Never issued.
            save(first, 7, quick(2), DAY),
            // A round that doesn't exist.
            save(RoundId(first.0 + second.0 + 100), 1, quick(2), DAY),
            // Before the round opens.
            save(first, 2, quick(2), date!(2027 - 01 - 01)),
            // The same token twice: the second replaces the first.
            save(first, 4, quick(3), DAY),
            save(first, 4, quick(0), DAY),
            // A revision of an answer stored before the turn.
            save(first, 3, quick(0), DAY),
            save(second, 9, quick(1), DAY),
        ];
        let refs: Vec<&Save> = saves.iter().collect();
        let mut conn = pool.acquire().await.expect("connection");
        let outcomes = write_turn(&mut conn, &refs).await.expect("the turn is written");
        drop(conn);
        let shown: Vec<String> = outcomes
            .iter()
            .map(|outcome| match outcome {
                Ok(done) => format!("{done:?}"),
                Err(e) => e.to_string(),
            })
            .collect();
        assert_eq!(shown[0], "Created");
        assert_eq!(shown[1], org::unknown_token(first).to_string());
        assert_eq!(shown[2], org::unknown_token(first).to_string());
        assert!(
            shown[3].contains("not found") && shown[3].starts_with("round"),
            "{}",
            shown[3]
        );
        assert!(shown[4].contains("opens on 2027-01-04"), "{}", shown[4]);
        assert_eq!(&shown[5..], ["Created", "Revised", "Revised", "Created"]);

        let stored = db.round_responses(first).await.expect("answers");
        assert_eq!(stored.len(), 3, "tokens 1, 3 and 4, once each");
        assert_eq!(stored, Responses::new(vec![quick(2), quick(0), quick(0)]));
        assert_eq!(db.round_responses(second).await.expect("answers").len(), 1);
        let revised = db.token_round(&token(4)).await.expect("token 4");
        assert_eq!(revised.answers, Some(quick(0)));
        assert_eq!(db.token_round(&token(2)).await.expect("token 2").answers, None);
    }

    #[tokio::test]
    async fn a_turn_whose_write_fails_is_written_again_one_save_at_a_time() {
        let (db, _dir) = open().await;
        let good = round_with(&db, "Good", &[1, 2]).await;
        let bad = round_with(&db, "Bad", &[3]).await;
        let (pool, writer_lock) = pool(&db);
        // Something the checks can't foresee refuses every response of the
        // bad round (a full disk would refuse them all).
        sqlx::query(&format!(
            "CREATE TRIGGER refuse BEFORE INSERT ON responses WHEN NEW.round_id = {} \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
            bad.0
        ))
        .execute(&pool)
        .await
        .expect("trigger");

        // Queued before the writer starts, so the first turn takes all three.
        let (inbox, queue) = mpsc::unbounded_channel();
        let mut outcomes = Vec::new();
        for (round, n) in [(good, 1), (bad, 3), (good, 2)] {
            let (reply, outcome) = oneshot::channel();
            inbox
                .send(Waiting {
                    save: save(round, n, quick(2), DAY),
                    reply,
                })
                .expect("queued");
            outcomes.push(outcome);
        }
        drop(inbox);
        writer(pool, writer_lock).write_in_turns(queue).await;

        let mut results = Vec::new();
        for outcome in outcomes {
            results.push(outcome.await.expect("answered"));
        }
        assert!(matches!(results[0], Ok(SubmitOutcome::Created)), "{:?}", results[0]);
        let failed = results[1].as_ref().expect_err("the bad round's save fails");
        assert!(failed.to_string().contains("refused by the test"), "{failed}");
        assert!(matches!(results[2], Ok(SubmitOutcome::Created)), "{:?}", results[2]);
        assert_eq!(db.round_responses(good).await.expect("answers").len(), 2);
        assert_eq!(db.round_responses(bad).await.expect("answers").len(), 0);
        assert_eq!(db.token_round(&token(3)).await.expect("token 3").answers, None);
    }

    /// Saves one after another, many more than a checkpoint's worth: the
    /// log is copied back and started afresh as they go, not left to grow
    /// with every save (about 30 kB each) until the server stops.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_stays_small_however_many_saves_come() {
        let (db, dir) = open().await;
        let issued: Vec<u8> = (0..=255).collect();
        let round = round_with(&db, "Team", &issued).await;
        let wal = dir.path().join("t.db-wal");
        let mut largest = 0;
        let total = 3 * CHECKPOINT_EVERY * 4;
        for n in 0..total {
            let level = u8::try_from(n % 4).expect("small");
            let token = u8::try_from(n % 256).expect("small");
            db.submit_response(round, &super::tests::token(token), &quick(level), DAY)
                .await
                .expect("saved");
            largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
        // Left to grow, it reaches about 100 MB here.
        assert!(largest < 16 << 20, "the log grew to {largest} bytes over {total} saves");
        assert_eq!(db.round_responses(round).await.expect("answers").len(), 256);
    }

    #[tokio::test]
    async fn a_save_whose_caller_has_gone_is_not_written() {
        let (db, _dir) = open().await;
        let round = round_with(&db, "Team", &[1, 2]).await;
        let (pool, writer_lock) = pool(&db);
        let (inbox, queue) = mpsc::unbounded_channel();
        let (gone, outcome_gone) = oneshot::channel();
        inbox
            .send(Waiting {
                save: save(round, 1, quick(2), DAY),
                reply: gone,
            })
            .expect("queued");
        drop(outcome_gone);
        let (reply, outcome) = oneshot::channel();
        inbox
            .send(Waiting {
                save: save(round, 2, quick(3), DAY),
                reply,
            })
            .expect("queued");
        drop(inbox);
        writer(pool, writer_lock).write_in_turns(queue).await;
        assert!(matches!(outcome.await, Ok(Ok(SubmitOutcome::Created))));
        assert_eq!(db.token_round(&token(1)).await.expect("token 1").answers, None);
        assert_eq!(
            db.token_round(&token(2)).await.expect("token 2").answers,
            Some(quick(3))
        );
    }
}
