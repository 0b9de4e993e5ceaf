//! The SQLite backend: asyncmm's default, one file in the user's data
//! directory, nothing to install or run.
//!
//! This module owns opening that file safely (creating it and its directory,
//! WAL journal, a busy timeout, foreign keys on) and turning SQLite's error
//! codes into messages that name the file and the fix. The operations are
//! written once for both databases in `crate::sql`. Its schema lives in
//! `migrations/sqlite`.
//!
//! Writers: SQLite allows one writer at a time. Every write transaction starts
//! with `BEGIN IMMEDIATE`, so it takes the write lock up front and waits (up
//! to the busy timeout) for another process instead of failing half-way, and
//! writers inside this process queue on a mutex rather than spin in SQLite's
//! busy handler. Respondents' saves, the most frequent write, are written
//! in turns by one task instead, many to a transaction (`sql::group_commit`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tokio::sync::Mutex;

use crate::StoreError;
use crate::sql::{Database, Saves};

mod setup;

pub use setup::APPLICATION_ID;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another process's write to finish. SQLite's
/// busy handler is not a queue: with dozens of processes starting at once
/// on a loaded machine, a few waited more than 5 s for their turn and
/// failed, so the budget is generous (a stuck writer is still reported).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections in the pool: readers run in parallel under WAL, writers take
/// turns anyway. Each connection is a thread of its own (sqlx), and every
/// statement a hand-off to it; with more threads than a small server has
/// cores they mostly wait for each other: web submissions on 2 cores ran
/// 10–25% faster with 4 connections than with 8 (docs/performance.md).
const POOL_SIZE: u32 = 4;

/// The connection to an SQLite file (or memory); the operations are
/// [`Database`]'s.
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// Writers of this process take turns here; see the module docs.
    pub(crate) write_lock: Arc<Mutex<()>>,
    /// Respondents' saves, written in turns by one task that holds
    /// `write_lock` for each turn (group commit).
    pub(crate) saves: Saves,
    /// The file, for messages (`:memory:` for an in-memory database).
    pub(crate) path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path`, with its
    /// directory, and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Database, StoreError> {
        prepare_directory(path)?;
        if path.is_dir() {
            return Err(StoreError::Config(format!(
                "{} is a directory, not an SQLite database file; pass --database with the path of a file",
                path.display()
            )));
        }
        create_private(path)?;
        // The first connection changes nothing in the file (no journal mode
        // yet), so a file that turns out not to be asyncmm's is refused
        // byte for byte as it was.
        let first = common_options().filename(path);
        let options = first
            .clone()
            // WAL lets readers (e.g. a report) run while an assessment is
            // being written; with WAL, NORMAL sync can't corrupt the file,
            // at worst the last commit is lost on power failure.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);

        // One connection first, so a bad file fails here with a clear
        // message instead of later inside the pool. SQLite answers "busy"
        // at once, without its busy handler, when processes set up or
        // switch the journal of a new file together; those attempts are
        // retried until the busy timeout.
        let started = std::time::Instant::now();
        loop {
            match first_use(&first, path).await {
                Err(StoreError::Unavailable(_)) if started.elapsed() < BUSY_TIMEOUT => {
                    tokio::time::sleep(Duration::from_millis(
                        20 + u64::from(started.elapsed().subsec_nanos() % 50),
                    ))
                    .await;
                }
                other => break other?,
            }
        }

        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            // No ping before handing out a connection: a connection to a
            // local file doesn't go stale the way a network connection
            // does, and the ping is a round trip to the connection's
            // thread on every read, a noticeable share of a web request.
            .test_before_acquire(false)
            .connect_lazy_with(options);
        Ok(Database::from(SqliteStore {
            pool,
            write_lock: Arc::new(Mutex::new(())),
            saves: Saves::default(),
            path: path.to_path_buf(),
        }))
    }

    /// A throwaway database that lives as long as this store, for trying
    /// things out and for tests.
    pub async fn open_in_memory() -> Result<Database, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        let options = common_options_on(options);
        // One connection that never closes: the database exists only as long
        // as a connection to it does, and several connections to a shared
        // in-memory database hit table locks that the busy timeout does not
        // cover.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        let mut conn = pool.acquire().await?;
        setup::set_up(&mut conn, &MIGRATOR, Path::new(":memory:")).await?;
        drop(conn);
        Ok(Database::from(SqliteStore {
            pool,
            write_lock: Arc::new(Mutex::new(())),
            saves: Saves::default(),
            path: PathBuf::from(":memory:"),
        }))
    }

    /// Whether this is a file, not an in-memory database.
    pub(crate) fn is_file(&self) -> bool {
        self.path != Path::new(":memory:")
    }

    /// Applies pending migrations (also done when opening).
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut conn = self.pool.acquire().await?;
        setup::set_up(&mut conn, &MIGRATOR, &self.path)
            .await
            .map_err(|e| unwrap_migrate(e, &self.path))
    }
}

/// Opens the first connection, sets the file up and switches it to WAL
/// (once, here, so the pool's connections find it already switched).
async fn first_use(options: &SqliteConnectOptions, path: &Path) -> Result<(), StoreError> {
    let mut conn = SqliteConnection::connect_with(options)
        .await
        .map_err(|e| explain(StoreError::Database(e), path))?;
    setup::set_up(&mut conn, &MIGRATOR, path)
        .await
        .map_err(|e| explain(unwrap_migrate(e, path), path))?;
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&mut conn)
        .await
        .map_err(|e| explain(StoreError::Database(e), path))?;
    conn.close().await.map_err(|e| explain(StoreError::Database(e), path))
}

/// Settings every connection gets, file or memory.
fn common_options() -> SqliteConnectOptions {
    common_options_on(SqliteConnectOptions::new())
}

fn common_options_on(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        // 16 MiB of page cache (negative = KiB) instead of 2 MiB: large
        // batches touch many index pages.
        .pragma("cache_size", "-16384")
        // Statement journals (which a write of several rows in a
        // transaction keeps, to undo just that statement), sorts that
        // outgrow the cache and temporary indexes stay in memory rather
        // than in temporary files: a respondent's save no longer writes
        // and re-reads a journal file for every statement. (The large
        // reads, a round's or an organisation's answers, walk their keys in
        // order and sort nothing.)
        .pragma("temp_store", "MEMORY")
}

/// Creates a missing database file readable by its owner only: it holds
/// answers and token hashes. (SQLite gives its -wal and -shm files the
/// same permissions.) An existing file is left as it is.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Also when another process created it a moment ago.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Config(format!(
            "cannot create the SQLite database {}: {e}; pass --database with a location you can write to",
            path.display()
        ))),
    }
}

/// Creates the database's directory if it is missing, with an error that
/// names it. (Blocking file-system calls, once at start-up.)
fn prepare_directory(path: &Path) -> Result<(), StoreError> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        StoreError::Config(format!(
            "cannot create the directory {} for the database {}: {e}; pass --database with a location you can \
             write to, or fix the directory's permissions",
            dir.display(),
            path.display()
        ))
    })
}

/// [`migrate_error`] for the migration errors inside a store error.
fn unwrap_migrate(e: StoreError, path: &Path) -> StoreError {
    match e {
        StoreError::Migrate(e) => migrate_error(e, path),
        other => other,
    }
}

/// Unwraps the SQL error inside a migration error so [`explain`] can name it
/// (a file that is not a database often only fails here), and phrases the
/// version mismatches.
fn migrate_error(e: MigrateError, path: &Path) -> StoreError {
    match e {
        MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => StoreError::Database(e),
        MigrateError::VersionMissing(version) => StoreError::Config(format!(
            "the database {} was set up by a newer asyncmm (it has migration {version}, unknown to this \
             version); upgrade asyncmm or pass --database with another file",
            path.display()
        )),
        other => StoreError::Migrate(other),
    }
}

/// Names the file and the fix for SQLite errors that a person can act on.
pub(crate) fn explain(e: StoreError, path: &Path) -> StoreError {
    let StoreError::Database(sqlx_error) = e else {
        return e;
    };
    let shown = path.display();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.display().to_string(),
        _ => ".".to_string(),
    };
    match &sqlx_error {
        sqlx::Error::Database(db) => {
            let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0);
            let message = db.message();
            // Primary result codes (the low byte of extended codes), see
            // https://www.sqlite.org/rescode.html.
            match code & 0xff {
                26 => StoreError::Config(format!(
                    "{shown} is not an SQLite database; pass --database with the path of an asyncmm database \
                     (or of a file to create), or move this file away"
                )),
                11 => StoreError::Corrupt(format!(
                    "the SQLite database {shown} is damaged ({message}); restore it from a backup"
                )),
                14 => StoreError::Config(format!(
                    "cannot open or create the SQLite database {shown} ({message}); make sure the directory {dir} \
                     exists and is writable, or pass --database with another location"
                )),
                8 => StoreError::Config(format!(
                    "cannot write to the SQLite database {shown} ({message}); fix the permissions of the file and \
                     of its directory {dir} (SQLite writes -wal and -shm files beside it), or pass --database \
                     with another location"
                )),
                5 | 6 => StoreError::Unavailable(format!(
                    "the SQLite database {shown} stayed locked by another writer for more than {} s; try again \
                     when the other asyncmm command has finished",
                    BUSY_TIMEOUT.as_secs()
                )),
                13 => StoreError::Unavailable(format!(
                    "the disk holding the SQLite database {shown} is full ({message}); free some space"
                )),
                _ => StoreError::Database(sqlx_error),
            }
        }
        sqlx::Error::Io(io) => StoreError::Config(format!("cannot use the SQLite database {shown}: {io}")),
        _ => StoreError::Database(sqlx_error),
    }
}
