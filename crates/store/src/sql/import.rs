//! Import of an export document into an empty database: one transaction,
//! written batch by batch as the caller reads the document, so memory holds
//! one batch and never the whole file.
//!
//! Rows go in with multi-row `INSERT … VALUES` on SQLite (as many rows per
//! statement as its 32,766 bound values allow) and on PostgreSQL through
//! `COPY … FROM STDIN` for the big tables (answers, responses and their
//! answers) and whole columns through `UNNEST` for the rest; the few rows
//! of shared links, saved evidence and web accounts one statement each,
//! keeping their ids (the id sequences are moved past them at the commit). Team parents are set at the end, once every team
//! exists, so the teams may come in any order and any number of batches.
//! Dropping an [`Import`] without committing rolls everything back.
//!
//! On PostgreSQL the primary and foreign keys of the two answer tables are
//! set aside for the copy and added back before the commit, in the same
//! transaction ([`set_keys_aside`]): building a key once over millions of
//! rows is several times faster than updating it row by row, and adding it
//! back checks every row, so a duplicate or a dangling answer still fails
//! the import with nothing stored.

use async_trait::async_trait;
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::stamp::Stamp;
use super::{Conn, Database, Explained, Tx, bulk, on};
use crate::StoreError;
use crate::export::{self, Tables};
use crate::{
    ExportedAccount, ExportedAction, ExportedAssessment, ExportedEvidence, ExportedGoal, ExportedModel, ExportedRound,
    ExportedTeam,
};

/// Bound values per SQLite statement (its limit is 32,766).
const SQLITE_VALUES: usize = 32_000;

/// Rows per PostgreSQL `UNNEST` statement.
const POSTGRES_ROWS: usize = 100_000;

/// Some parts of a document, in document order: models before what uses
/// them, teams before their rounds.
#[derive(Debug, Clone, Copy)]
pub enum ImportBatch<'a> {
    Models(&'a [ExportedModel]),
    Teams(&'a [ExportedTeam]),
    Assessments(&'a [ExportedAssessment]),
    /// Rounds of a document of format `version`.
    Rounds {
        rounds: &'a [ExportedRound],
        version: u32,
    },
    Goals(&'a [ExportedGoal]),
    Actions(&'a [ExportedAction]),
    Evidence(&'a [ExportedEvidence]),
    /// People, their API tokens and invitations; a token's person in this
    /// batch or an earlier one, a lead's teams imported before.
    Accounts(&'a [ExportedAccount]),
}

/// An import in progress: one write transaction on an empty database.
/// Dropped without [`Import::commit`], nothing of it is kept.
#[async_trait]
pub trait Import: Send {
    /// Writes a batch; rows the schema rejects (a duplicate id, a reference
    /// to a missing row, a value out of range) fail it.
    async fn write(&mut self, batch: ImportBatch<'_>) -> Result<(), StoreError>;

    /// Sets the team parents and commits.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

pub(crate) struct Importer<'a> {
    db: &'a Database,
    tx: Tx<'a>,
    /// `(team, parent)`, set at the end.
    parents: Vec<(i64, i64)>,
    /// Keys set aside for the copy, added back before the commit.
    set_aside: Vec<SetAside>,
}

/// Tables whose primary and foreign keys a PostgreSQL import sets aside:
/// the answers, millions of rows in a large organisation's export.
const KEYS_SET_ASIDE: [&str; 2] = ["answers", "response_answers"];

/// A key dropped for an import: its table, name and definition as the
/// server gives it (`pg_get_constraintdef`), so it comes back exactly as
/// the migrations made it.
struct SetAside {
    table: &'static str,
    name: String,
    definition: String,
}

impl Database {
    /// Begins an import: locks every table and refuses a database that
    /// holds any data.
    pub(super) async fn start_import(&self) -> Result<Importer<'_>, StoreError> {
        let mut tx = self.write().await?;
        lock_every_table(&mut tx).await?;
        let rows: i64 = on!(tx.conn(), |c| sqlx::query_scalar(export::COUNT_ALL)
            .fetch_one(&mut *c)
            .await)?;
        if rows > 0 {
            return Err(export::not_empty(&self.place()));
        }
        let set_aside = match &mut tx {
            Tx::Postgres(c) => set_keys_aside(c).await?,
            Tx::Sqlite(..) => Vec::new(),
        };
        Ok(Importer {
            db: self,
            tx,
            parents: Vec::new(),
            set_aside,
        })
    }

    /// A whole document in one go (small documents and tests; the CLI
    /// streams).
    pub(super) async fn import_document(&self, doc: &crate::ExportDocument) -> Result<(), StoreError> {
        if doc.format != crate::EXPORT_FORMAT {
            return Err(StoreError::Invalid(format!(
                "not an asyncmm export (format {:?}, expected {:?})",
                doc.format,
                crate::EXPORT_FORMAT
            )));
        }
        if doc.version == 0 {
            return Err(StoreError::Invalid(
                "the export has format version 0, which no asyncmm writes".to_string(),
            ));
        }
        if doc.version > crate::EXPORT_VERSION {
            return Err(StoreError::Invalid(format!(
                "the export is of format version {}, newer than version {} that this asyncmm reads; upgrade \
                 asyncmm to import it",
                doc.version,
                crate::EXPORT_VERSION
            )));
        }
        let mut import = Box::new(self.start_import().await?);
        import.write(ImportBatch::Models(&doc.models)).await?;
        import.write(ImportBatch::Teams(&doc.teams)).await?;
        import.write(ImportBatch::Assessments(&doc.assessments)).await?;
        import
            .write(ImportBatch::Rounds {
                rounds: &doc.rounds,
                version: doc.version,
            })
            .await?;
        import.write(ImportBatch::Goals(&doc.goals)).await?;
        import.write(ImportBatch::Actions(&doc.actions)).await?;
        import.write(ImportBatch::Evidence(&doc.evidence)).await?;
        import.write(ImportBatch::Accounts(&doc.accounts)).await?;
        import.commit().await
    }
}

#[async_trait]
impl Import for Importer<'_> {
    async fn write(&mut self, batch: ImportBatch<'_>) -> Result<(), StoreError> {
        let mut t = Tables::default();
        match batch {
            ImportBatch::Models(models) => models.iter().for_each(|m| t.add_model(m)),
            ImportBatch::Teams(teams) => {
                for team in teams {
                    t.add_team(team);
                    if let Some(parent) = team.parent {
                        self.parents.push((team.id, parent));
                    }
                }
            }
            ImportBatch::Assessments(assessments) => {
                for a in assessments {
                    t.add_assessment(a)?;
                }
            }
            ImportBatch::Rounds { rounds, version } => {
                for r in rounds {
                    t.add_round(r, version)?;
                }
            }
            ImportBatch::Goals(goals) => {
                for g in goals {
                    t.add_goal(g)?;
                }
            }
            ImportBatch::Actions(actions) => {
                for a in actions {
                    t.add_action(a)?;
                }
            }
            ImportBatch::Evidence(evidence) => {
                for e in evidence {
                    t.add_evidence(e)?;
                }
                // Few rows: one statement each, the same SQL on both backends.
                return write_evidence(self.tx.conn(), &t).await.explained(self.db);
            }
            ImportBatch::Accounts(accounts) => {
                for a in accounts {
                    t.add_account(a)?;
                }
                // Few rows: one statement each, the same SQL on both backends.
                return write_accounts(self.tx.conn(), &t).await.explained(self.db);
            }
        }
        write_rows(self.tx.conn(), &t).await.explained(self.db)?;
        write_round_links(self.tx.conn(), &t).await.explained(self.db)
    }

    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        let db = self.db;
        let parents = std::mem::take(&mut self.parents);
        set_parents(self.tx.conn(), &parents).await.explained(db)?;
        if let Tx::Postgres(c) = &mut self.tx {
            put_keys_back(c, &self.set_aside).await.explained(db)?;
            refresh_statistics(c).await.explained(db)?;
        }
        bulk::move_sequences_past_imported_ids(self.tx.conn())
            .await
            .explained(db)?;
        move_account_sequences(self.tx.conn()).await.explained(db)?;
        self.tx.commit().await.explained(db)
    }
}

/// The shared links of a batch of rounds (at most one per round).
async fn write_round_links(mut conn: Conn<'_>, t: &Tables) -> Result<(), StoreError> {
    for (round, hash) in &t.round_links {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO round_links (round_id, hash) VALUES ($1, $2)")
                .bind(*round)
                .bind(hash.as_slice())
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// The account rows of an import, keeping their ids, so API tokens keep
/// their owners and leads their teams.
async fn write_accounts(mut conn: Conn<'_>, t: &Tables) -> Result<(), StoreError> {
    for p in &t.people {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO web_users (id, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(p.id)
                .bind(&p.name)
                .bind(&p.role)
                .bind(&p.password_hash)
                .bind(Stamp(p.created_at))
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for (team, user) in &t.leads {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO web_team_leads (team_id, user_id) VALUES ($1, $2)")
                .bind(*team)
                .bind(*user)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for k in &t.api_tokens {
        on!(conn.re(), |c| {
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, name, prefix, hash, created_at, last_used_at, revoked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(k.id)
            .bind(k.user_id)
            .bind(&k.name)
            .bind(&k.prefix)
            .bind(k.hash.as_slice())
            .bind(Stamp(k.created_at))
            .bind(k.last_used_at.map(Stamp))
            .bind(k.revoked_at.map(Stamp))
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    for i in &t.invites {
        on!(conn.re(), |c| {
            sqlx::query(
                "INSERT INTO web_invites (hash, role, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(i.hash.as_slice())
            .bind(&i.role)
            .bind(Stamp(i.created_at))
            .bind(Stamp(i.expires_at))
            .bind(i.used_at.map(Stamp))
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// On PostgreSQL, moves the id sequences of the account tables past the
/// imported ids, so the next person or token gets a fresh id.
async fn move_account_sequences(conn: Conn<'_>) -> Result<(), StoreError> {
    if let Conn::Postgres(c) = conn {
        for table in ["web_users", "api_tokens"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, \
                 false)"
            ))
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())?;
        }
    }
    Ok(())
}

/// The evidence rows of an import.
async fn write_evidence(mut conn: Conn<'_>, t: &Tables) -> Result<(), StoreError> {
    if let Some(salt) = &t.salt {
        on!(conn.re(), |c| {
            sqlx::query("INSERT INTO evidence_salt (id, salt) VALUES (1, $1)")
                .bind(salt)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for (id, team, scanned_at, source, subject, document) in &t.evidence {
        on!(conn.re(), |c| {
            sqlx::query(
                "INSERT INTO evidence (id, team, scanned_on, scanned_at, source, subject, document) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(*id)
            .bind(team)
            .bind(scanned_at.date())
            .bind(Stamp(*scanned_at))
            .bind(source)
            .bind(subject)
            .bind(document)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    for (team, rule, reason, until, set_on) in &t.waivers {
        on!(conn.re(), |c| {
            sqlx::query(
                "INSERT INTO evidence_waivers (team, rule, reason, until_day, set_on) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(team)
            .bind(rule)
            .bind(reason)
            .bind(*until)
            .bind(*set_on)
            .execute(&mut *c)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// Takes every table for the import: nobody else writes (or, on
/// PostgreSQL, sees half of it) until it commits. SQLite's write
/// transaction already excludes every other writer.
async fn lock_every_table(tx: &mut Tx<'_>) -> Result<(), StoreError> {
    if let Tx::Postgres(tx) = tx {
        sqlx::query(
            "LOCK TABLE models, assessments, answers, teams, rounds, responses, response_answers, tokens, goals, \
             actions, action_statements, evidence_salt, evidence, evidence_waivers, round_links, web_users, \
             web_invites, web_sessions, web_team_leads, api_tokens IN EXCLUSIVE MODE",
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Drops the primary and foreign keys of [`KEYS_SET_ASIDE`] for the
/// import's transaction and returns them, primary keys first (the order
/// they go back in). Nothing else refers to these tables' keys, and the
/// transaction holds every table, so nobody sees them missing: a failed
/// import rolls the drop back with everything else.
async fn set_keys_aside(c: &mut sqlx::PgConnection) -> Result<Vec<SetAside>, StoreError> {
    let mut set_aside = Vec::new();
    for table in KEYS_SET_ASIDE {
        let keys: Vec<(String, String)> = sqlx::query_as(
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid = $1::text::regclass AND contype IN ('p', 'f') ORDER BY contype = 'f', conname",
        )
        .bind(table)
        .fetch_all(&mut *c)
        .await?;
        // Foreign keys first: a primary key goes once nothing leans on it.
        for (name, _) in keys.iter().rev() {
            sqlx::query(&format!("ALTER TABLE {table} DROP CONSTRAINT {}", quoted(name)))
                .execute(&mut *c)
                .await?;
        }
        set_aside.extend(keys.into_iter().map(|(name, definition)| SetAside {
            table,
            name,
            definition,
        }));
    }
    Ok(set_aside)
}

/// The tables an import fills, whose planner statistics it refreshes.
const IMPORTED_TABLES: &str = "models, teams, assessments, answers, rounds, responses, response_answers, \
     tokens, goals, actions, action_statements, evidence, round_results";

/// Refreshes PostgreSQL's planner statistics of the imported tables, in the
/// import's transaction (so a failed import changes none). Without it the
/// planner keeps the figures of the empty tables until autovacuum comes
/// round, and picks plans for a few rows: reading the kept results of 8,000
/// rounds then took 2.5 s instead of 1 s (`docs/performance.md`).
async fn refresh_statistics(c: &mut sqlx::PgConnection) -> Result<(), StoreError> {
    sqlx::query(&format!("ANALYZE {IMPORTED_TABLES}"))
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Adds the keys [`set_keys_aside`] dropped back, each checked against
/// every row: a duplicate answer fails the primary key, an answer without
/// its response or assessment the foreign key, and the import with them.
async fn put_keys_back(c: &mut sqlx::PgConnection, keys: &[SetAside]) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    // Sorting millions of keys in memory instead of in temporary files;
    // for this transaction only.
    sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
        .execute(&mut *c)
        .await?;
    for key in keys {
        sqlx::query(&format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            key.table,
            quoted(&key.name),
            key.definition
        ))
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// A PostgreSQL identifier in double quotes.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn set_parents(conn: Conn<'_>, parents: &[(i64, i64)]) -> Result<(), StoreError> {
    match conn {
        Conn::Sqlite(c) => {
            for (team, parent) in parents {
                sqlx::query("UPDATE teams SET parent_id = $1 WHERE id = $2")
                    .bind(parent)
                    .bind(team)
                    .execute(&mut *c)
                    .await?;
            }
        }
        Conn::Postgres(c) => {
            for chunk in parents.chunks(POSTGRES_ROWS) {
                let (teams, parents): (Vec<i64>, Vec<i64>) = chunk.iter().copied().unzip();
                sqlx::query(
                    "UPDATE teams SET parent_id = u.parent FROM UNNEST($1::bigint[], $2::bigint[]) AS u (id, parent) \
                     WHERE teams.id = u.id",
                )
                .bind(&teams)
                .bind(&parents)
                .execute(&mut *c)
                .await?;
            }
        }
    }
    Ok(())
}

/// Inserts `rows` into SQLite with as many rows per statement as the bound
/// values allow; `push` binds one row's `columns` values.
async fn sqlite_insert<T>(
    c: &mut SqliteConnection,
    head: &str,
    columns: usize,
    rows: &[T],
    mut push: impl for<'q> FnMut(&mut Separated<'_, 'q, Sqlite, &'static str>, &'q T),
) -> Result<(), StoreError> {
    for chunk in rows.chunks(SQLITE_VALUES / columns) {
        let mut insert = QueryBuilder::<Sqlite>::new(head);
        insert.push_values(chunk, |mut values, row| push(&mut values, row));
        insert.build().execute(&mut *c).await?;
    }
    Ok(())
}

/// Writes the rows of a batch, parents before what refers to them.
async fn write_rows(conn: Conn<'_>, t: &Tables) -> Result<(), StoreError> {
    match conn {
        Conn::Sqlite(c) => write_sqlite(c, t).await,
        Conn::Postgres(c) => write_postgres(c, t).await,
    }
}

async fn write_sqlite(c: &mut SqliteConnection, t: &Tables) -> Result<(), StoreError> {
    sqlite_insert(
        c,
        "INSERT INTO models (model_id, version, source) ",
        3,
        &t.models,
        |v, m| {
            v.push_bind(m.0.as_str())
                .push_bind(m.1.as_str())
                .push_bind(m.2.as_str());
        },
    )
    .await?;
    sqlite_insert(c, "INSERT INTO teams (id, name, archived) ", 3, &t.teams, |v, team| {
        v.push_bind(team.id)
            .push_bind(team.name.as_str())
            .push_bind(team.archived);
    })
    .await?;
    sqlite_insert(
        c,
        "INSERT INTO assessments (id, team, model_id, model_version, mode, taken_at) ",
        6,
        &t.assessments,
        |v, a| {
            v.push_bind(a.id)
                .push_bind(a.team.as_str())
                .push_bind(a.model_id.as_str())
                .push_bind(a.model_version.as_str())
                .push_bind(a.mode.as_str())
                .push_bind(Stamp(a.taken_at));
        },
    )
    .await?;
    sqlite_insert(
        c,
        "INSERT INTO answers (assessment_id, item, value) ",
        3,
        &t.answers,
        |v, a| {
            v.push_bind(a.0).push_bind(a.1.as_str()).push_bind(a.2);
        },
    )
    .await?;
    let rounds = rounds_with_k(t)?;
    sqlite_insert(
        c,
        "INSERT INTO rounds (id, team_id, model_id, model_version, mode, k, opens_on, closes_on, closed_on, \
         published, intake, sealed) ",
        12,
        &rounds,
        |v, (r, k)| {
            v.push_bind(r.id)
                .push_bind(r.team)
                .push_bind(r.model_id.as_str())
                .push_bind(r.model_version.as_str())
                .push_bind(r.mode.as_str())
                .push_bind(*k)
                .push_bind(r.opens_on)
                .push_bind(r.closes_on)
                .push_bind(r.closed_on)
                .push_bind(r.published)
                .push_bind(r.intake.as_deref())
                .push_bind(r.sealed);
        },
    )
    .await?;
    sqlite_insert(
        c,
        "INSERT INTO responses (id, round_id, submitted_on) ",
        3,
        &t.responses,
        |v, r| {
            v.push_bind(r.0).push_bind(r.1).push_bind(r.2);
        },
    )
    .await?;
    sqlite_insert(
        c,
        "INSERT INTO response_answers (round_id, response_id, item, value) ",
        4,
        &t.response_answers,
        |v, a| {
            v.push_bind(a.0).push_bind(a.1).push_bind(a.2.as_str()).push_bind(a.3);
        },
    )
    .await?;
    sqlite_insert(
        c,
        "INSERT INTO tokens (hash, round_id, response_id, spent) ",
        4,
        &t.tokens,
        |v, token| {
            v.push_bind(token.0.as_slice())
                .push_bind(token.1)
                .push_bind(token.2)
                .push_bind(token.3);
        },
    )
    .await?;
    sqlite_insert(
        c,
        "INSERT INTO goals (team, area, target, by_date, baseline, set_on) ",
        6,
        &t.goals,
        |v, g| {
            v.push_bind(g.team.as_str())
                .push_bind(g.area.as_str())
                .push_bind(g.target)
                .push_bind(g.by)
                .push_bind(g.baseline)
                .push_bind(g.set_on);
        },
    )
    .await?;
    sqlite_insert(
        c,
        "INSERT INTO actions (id, team, title, owner, link, status, created_on) ",
        7,
        &t.actions,
        |v, a| {
            v.push_bind(a.id)
                .push_bind(a.team.as_str())
                .push_bind(a.title.as_str())
                .push_bind(a.owner.as_deref())
                .push_bind(a.link.as_deref())
                .push_bind(a.status.as_str())
                .push_bind(a.created_on);
        },
    )
    .await?;
    sqlite_insert(
        c,
        "INSERT INTO action_statements (action_id, position, statement) ",
        3,
        &t.action_statements,
        |v, s| {
            v.push_bind(s.0).push_bind(s.1).push_bind(s.2.as_str());
        },
    )
    .await
}

/// Each round with its k as stored (a small integer).
fn rounds_with_k(t: &Tables) -> Result<Vec<(&export::RoundRow, i16)>, StoreError> {
    t.rounds
        .iter()
        .map(|r| {
            let k = i16::try_from(r.k)
                .map_err(|_| StoreError::Invalid(format!("round {}: k = {} is too large", r.id, r.k)))?;
            Ok((r, k))
        })
        .collect()
}

async fn write_postgres(c: &mut sqlx::PgConnection, t: &Tables) -> Result<(), StoreError> {
    for chunk in t.models.chunks(POSTGRES_ROWS) {
        let (ids, versions, sources) = split3(chunk.iter().map(|m| (m.0.as_str(), m.1.as_str(), m.2.as_str())));
        sqlx::query(
            "INSERT INTO models (model_id, version, source) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])",
        )
        .bind(&ids)
        .bind(&versions)
        .bind(&sources)
        .execute(&mut *c)
        .await?;
    }
    for chunk in t.teams.chunks(POSTGRES_ROWS) {
        let (ids, names, archived) = split3(chunk.iter().map(|t| (t.id, t.name.as_str(), t.archived)));
        sqlx::query(
            "INSERT INTO teams (id, name, archived) SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::boolean[])",
        )
        .bind(&ids)
        .bind(&names)
        .bind(&archived)
        .execute(&mut *c)
        .await?;
    }
    for chunk in t.assessments.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO assessments (id, team, model_id, model_version, mode, taken_at) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])",
        )
        .bind(chunk.iter().map(|a| a.id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.team.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.model_id.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.model_version.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.mode.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.taken_at).collect::<Vec<_>>())
        .execute(&mut *c)
        .await?;
    }
    bulk::copy_rows(c, "answers (assessment_id, item, value)", &t.answers, |row, a| {
        row.int(a.0).text(&a.1).opt_small(a.2);
    })
    .await?;
    let rounds = rounds_with_k(t)?;
    for chunk in rounds.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO rounds (id, team_id, model_id, model_version, mode, k, opens_on, closes_on, closed_on, \
             published, intake, sealed) SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], \
             $5::text[], $6::smallint[], $7::date[], $8::date[], $9::date[], $10::boolean[], $11::text[], \
             $12::boolean[])",
        )
        .bind(chunk.iter().map(|(r, _)| r.id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.team).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.model_id.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.model_version.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.mode.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, k)| *k).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.opens_on).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.closes_on).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.closed_on).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.published).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.intake.as_deref()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(r, _)| r.sealed).collect::<Vec<_>>())
        .execute(&mut *c)
        .await?;
    }
    bulk::copy_rows(c, "responses (id, round_id, submitted_on)", &t.responses, |row, r| {
        row.int(r.0).int(r.1).day(r.2);
    })
    .await?;
    bulk::copy_rows(
        c,
        "response_answers (round_id, response_id, item, value)",
        &t.response_answers,
        |row, a| {
            row.int(a.0).int(a.1).text(&a.2).opt_small(a.3);
        },
    )
    .await?;
    for chunk in t.tokens.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO tokens (hash, round_id, response_id, spent) \
             SELECT * FROM UNNEST($1::bytea[], $2::bigint[], $3::bigint[], $4::boolean[])",
        )
        .bind(chunk.iter().map(|token| token.0.as_slice()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|token| token.1).collect::<Vec<_>>())
        .bind(chunk.iter().map(|token| token.2).collect::<Vec<_>>())
        .bind(chunk.iter().map(|token| token.3).collect::<Vec<_>>())
        .execute(&mut *c)
        .await?;
    }
    for chunk in t.goals.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO goals (team, area, target, by_date, baseline, set_on) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::smallint[], $4::date[], $5::smallint[], $6::date[])",
        )
        .bind(chunk.iter().map(|g| g.team.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|g| g.area.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|g| g.target).collect::<Vec<_>>())
        .bind(chunk.iter().map(|g| g.by).collect::<Vec<_>>())
        .bind(chunk.iter().map(|g| g.baseline).collect::<Vec<_>>())
        .bind(chunk.iter().map(|g| g.set_on).collect::<Vec<_>>())
        .execute(&mut *c)
        .await?;
    }
    for chunk in t.actions.chunks(POSTGRES_ROWS) {
        sqlx::query(
            "INSERT INTO actions (id, team, title, owner, link, status, created_on) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
             $7::date[])",
        )
        .bind(chunk.iter().map(|a| a.id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.team.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.title.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.owner.as_deref()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.link.as_deref()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.status.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|a| a.created_on).collect::<Vec<_>>())
        .execute(&mut *c)
        .await?;
    }
    for chunk in t.action_statements.chunks(POSTGRES_ROWS) {
        let positions = chunk
            .iter()
            .map(|s| i32::try_from(s.1).map_err(|_| StoreError::Invalid(format!("action {}: position {}", s.0, s.1))))
            .collect::<Result<Vec<_>, _>>()?;
        sqlx::query(
            "INSERT INTO action_statements (action_id, position, statement) \
             SELECT * FROM UNNEST($1::bigint[], $2::integer[], $3::text[])",
        )
        .bind(chunk.iter().map(|s| s.0).collect::<Vec<_>>())
        .bind(&positions)
        .bind(chunk.iter().map(|s| s.2.as_str()).collect::<Vec<_>>())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Three columns from rows of three.
fn split3<A, B, C>(rows: impl Iterator<Item = (A, B, C)>) -> (Vec<A>, Vec<B>, Vec<C>) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut c = Vec::new();
    for (x, y, z) in rows {
        a.push(x);
        b.push(y);
        c.push(z);
    }
    (a, b, c)
}
