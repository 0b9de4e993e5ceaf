//! First use of an SQLite file: recognising it as asyncmm's, marking it, and
//! bringing its schema up to date, safely when many processes start at once.
//!
//! sqlx's migrator takes no lock on SQLite, so processes that open a new file
//! together each try to create the tables and most fail with "table …
//! already exists". Here the whole set-up (the check, the mark and every
//! pending migration) runs in one `BEGIN IMMEDIATE` transaction: the first
//! process does it, the others wait on SQLite's write lock and then find
//! nothing left to do. A file that is already up to date is recognised with a
//! read only, so everyday commands don't queue for the write lock.
//!
//! asyncmm marks its files with `PRAGMA application_id`. A file that carries
//! another application's id, or has tables but no asyncmm history (a
//! browser's database, another tool's `teams` table), is refused before
//! anything is written to it.
//!
//! The bookkeeping table is sqlx's `_sqlx_migrations`, in sqlx's format, so
//! files set up by earlier versions (through sqlx's migrator) carry on.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use sqlx::Executor;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::SqliteConnection;

use crate::StoreError;

/// asyncmm's mark in the SQLite file header: "ASMM" in ASCII.
pub const APPLICATION_ID: i32 = 0x4153_4D4D;

/// What the read-only look at a file found.
enum Found {
    /// Marked and fully migrated: nothing to do.
    UpToDate,
    /// Needs the mark, migrations, or a closer look under the write lock.
    NeedsSetUp,
}

/// Makes the database behind `conn` a marked, up-to-date asyncmm database,
/// or refuses it untouched. `shown` names it in messages.
pub(crate) async fn set_up(conn: &mut SqliteConnection, migrator: &Migrator, shown: &Path) -> Result<(), StoreError> {
    if let Found::UpToDate = look(conn, migrator).await? {
        return Ok(());
    }
    // Takes the write lock now (waiting up to the busy timeout for another
    // process's set-up), so the check and the set-up see the same file.
    // (Executor calls rather than `sqlx::raw_sql`, whose future is not
    // `Send` enough for the store's `async_trait` methods.)
    conn.execute("BEGIN IMMEDIATE").await?;
    match set_up_locked(conn, migrator, shown).await {
        Ok(()) => {
            conn.execute("COMMIT").await?;
            Ok(())
        }
        Err(e) => {
            // Nothing of the set-up stays: a refused file is left as found.
            let _ = conn.execute("ROLLBACK").await;
            Err(e)
        }
    }
}

async fn look(conn: &mut SqliteConnection, migrator: &Migrator) -> Result<Found, StoreError> {
    let id: i32 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(&mut *conn)
        .await?;
    if id != APPLICATION_ID || !has_table(conn, "_sqlx_migrations").await? {
        return Ok(Found::NeedsSetUp);
    }
    let applied = applied(conn).await?;
    let all_there = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .all(|m| {
            applied
                .get(&m.version)
                .is_some_and(|(checksum, ok)| *ok && checksum[..] == m.checksum[..])
        });
    Ok(if all_there && applied.len() == pending_count(migrator) {
        Found::UpToDate
    } else {
        Found::NeedsSetUp
    })
}

fn pending_count(migrator: &Migrator) -> usize {
    migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .count()
}

async fn set_up_locked(conn: &mut SqliteConnection, migrator: &Migrator, shown: &Path) -> Result<(), StoreError> {
    let id: i32 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(&mut *conn)
        .await?;
    if id != APPLICATION_ID {
        if id != 0 {
            return Err(foreign(
                shown,
                &format!("it is marked as another application's (application_id {id})"),
            ));
        }
        let objects: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?;
        if !objects.is_empty() && !set_up_by_asyncmm(conn, migrator).await? {
            let mut listed: Vec<&str> = objects.iter().map(String::as_str).take(3).collect();
            if objects.len() > 3 {
                listed.push("…");
            }
            return Err(foreign(
                shown,
                &format!("it already holds tables of another program ({})", listed.join(", ")),
            ));
        }
        // An empty file, or one an earlier asyncmm set up before files were
        // marked.
        let mark = format!("PRAGMA application_id = {APPLICATION_ID}");
        conn.execute(mark.as_str()).await?;
    }
    migrate_locked(conn, migrator).await
}

/// An unmarked file with asyncmm's migration history: its first migration is
/// asyncmm's, byte for byte.
async fn set_up_by_asyncmm(conn: &mut SqliteConnection, migrator: &Migrator) -> Result<bool, StoreError> {
    if !has_table(conn, "_sqlx_migrations").await? {
        return Ok(false);
    }
    let Some(first) = migrator.iter().find(|m| !m.migration_type.is_down_migration()) else {
        return Ok(false);
    };
    let applied = applied(conn).await?;
    Ok(applied
        .get(&first.version)
        .is_some_and(|(checksum, _)| checksum[..] == first.checksum[..]))
}

fn foreign(shown: &Path, why: &str) -> StoreError {
    StoreError::Config(format!(
        "{} is not an asyncmm database: {why}; it was left untouched. Pass --database with the path of an \
         asyncmm database, or of a new file to create",
        shown.display()
    ))
}

async fn has_table(conn: &mut SqliteConnection, name: &str) -> Result<bool, StoreError> {
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
    Ok(count > 0)
}

/// Applied migrations: version → (checksum, succeeded).
async fn applied(conn: &mut SqliteConnection) -> Result<HashMap<i64, (Vec<u8>, bool)>, StoreError> {
    let rows: Vec<(i64, Vec<u8>, bool)> =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().map(|(v, c, ok)| (v, (c, ok))).collect())
}

/// sqlx's migration rules (a failed migration makes the file dirty, an
/// applied migration this build doesn't know means a newer asyncmm, a
/// changed one is an error), applied inside the caller's transaction.
async fn migrate_locked(conn: &mut SqliteConnection, migrator: &Migrator) -> Result<(), StoreError> {
    // The same table sqlx's migrator creates, so both can read each other's
    // bookkeeping.
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
            success BOOLEAN NOT NULL,
            checksum BLOB NOT NULL,
            execution_time BIGINT NOT NULL
        )",
    )
    .await?;
    let applied = applied(conn).await?;
    if let Some(version) = applied.iter().filter(|(_, (_, ok))| !ok).map(|(v, _)| *v).min() {
        return Err(StoreError::Migrate(MigrateError::Dirty(version)));
    }
    let known: Vec<i64> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .collect();
    if let Some(version) = applied.keys().filter(|v| !known.contains(v)).min() {
        return Err(StoreError::Migrate(MigrateError::VersionMissing(*version)));
    }
    for migration in migrator.iter().filter(|m| !m.migration_type.is_down_migration()) {
        match applied.get(&migration.version) {
            Some((checksum, _)) if checksum[..] != migration.checksum[..] => {
                return Err(StoreError::Migrate(MigrateError::VersionMismatch(migration.version)));
            }
            Some(_) => {}
            None => {
                let start = Instant::now();
                conn.execute(&*migration.sql).await?;
                let nanos = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
                sqlx::query(
                    "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                     VALUES ($1, $2, TRUE, $3, $4)",
                )
                .bind(migration.version)
                .bind(&*migration.description)
                .bind(&*migration.checksum)
                .bind(nanos)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}
