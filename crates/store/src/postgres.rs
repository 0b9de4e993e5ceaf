//! The PostgreSQL backend: for teams that run several `asyncmm serve`
//! instances behind a load balancer, or already operate PostgreSQL.
//!
//! This module owns connecting (with errors that name the server, the
//! database and the fix, and never the password), the optional dedicated
//! schema, and turning lost connections into messages that name the server. The
//! operations are written once for both databases in `crate::sql`. Its schema
//! lives in `migrations/postgres`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};

use crate::StoreError;
use crate::location::{redact, scrub};
use crate::sql::Database;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long the first connection may take before the server counts as
/// unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an operation waits for a pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

const POOL_SIZE: u32 = 10;

/// The connection pool to a PostgreSQL database; the operations are
/// [`Database`]'s.
pub struct PostgresStore {
    pub(crate) pool: PgPool,
    /// `host:port`, for messages.
    pub(crate) place: String,
}

impl PostgresStore {
    /// Connects to the database `url` names, with the tables in `schema`
    /// (created if missing) when given, else wherever the URL's
    /// `search_path` puts them (normally `public`), and brings the schema up
    /// to date.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Database, StoreError> {
        let shown = redact(url);
        let mut options = PgConnectOptions::from_str(url).map_err(|e| {
            StoreError::Config(format!(
                "{shown} is not a valid PostgreSQL URL ({}); {}",
                scrub(&e.to_string(), url),
                crate::location::ACCEPTED_FORMS
            ))
        })?;
        if let Some(schema) = schema {
            check_schema_name(schema)?;
            options = options.options([("search_path", schema)]);
        }
        let target = Target {
            place: format!("{}:{}", options.get_host(), options.get_port()),
            host: options.get_host().to_string(),
            port: options.get_port(),
            database: options
                .get_database()
                .unwrap_or_else(|| options.get_username())
                .to_string(),
            user: options.get_username().to_string(),
            shown,
        };

        // One connection first, without the pool's retries, so that a wrong
        // host or database fails at once with its own message.
        let mut conn = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "the PostgreSQL server at {} ({}) did not answer within {} s; check that it is running and \
                     reachable from here",
                    target.place,
                    target.shown,
                    CONNECT_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| target.connect_error(e, url))?;
        if let Some(schema) = schema {
            // The name was checked to be a plain identifier, so quoting it is
            // enough.
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                .execute(&mut conn)
                .await?;
        }
        MIGRATOR.run(&mut conn).await.map_err(|e| migrate_error(e, &target))?;
        conn.close().await?;

        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Database::from(PostgresStore {
            pool,
            place: target.place,
        }))
    }

    /// Applies pending migrations (also done when connecting).
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        Ok(MIGRATOR.run(&self.pool).await?)
    }

    /// Turns lost connections into a message naming the server.
    pub(crate) fn explain(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Database(sqlx::Error::PoolTimedOut) => StoreError::Unavailable(format!(
                "no connection to the PostgreSQL server at {} within {} s; check that it is running and not \
                 out of connections",
                self.place,
                ACQUIRE_TIMEOUT.as_secs()
            )),
            StoreError::Database(sqlx::Error::Io(io)) => StoreError::Unavailable(format!(
                "lost the connection to the PostgreSQL server at {} ({io}); try again",
                self.place
            )),
            other => other,
        }
    }
}

/// Only plain identifiers: the name ends up in SQL and in a connection
/// option, where anything else would need escaping.
fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let mut chars = schema.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && schema.len() <= 63 {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "PostgreSQL schema name {schema:?} must be 1-63 lowercase letters, digits or '_', not starting with a digit"
        )))
    }
}

/// What a connection attempt was aimed at, for its error messages.
struct Target {
    /// `host:port`.
    place: String,
    host: String,
    port: u16,
    database: String,
    user: String,
    /// The URL with its password hidden.
    shown: String,
}

impl Target {
    fn connect_error(&self, e: sqlx::Error, url: &str) -> StoreError {
        let Target {
            place,
            host,
            port,
            database,
            user,
            shown,
        } = self;
        match &e {
            sqlx::Error::Database(db) => {
                let message = scrub(db.message(), url);
                match db.code().as_deref() {
                    // invalid_catalog_name
                    Some("3D000") => StoreError::Config(format!(
                        "the PostgreSQL database \"{database}\" does not exist on {place} ({shown}); create it \
                         (e.g. `createdb -h {host} -p {port} -U {user} {database}`) or pass --database with an \
                         existing one"
                    )),
                    // invalid_password, invalid_authorization_specification
                    Some("28P01" | "28000") => StoreError::Config(format!(
                        "the PostgreSQL server at {place} refused the login of user \"{user}\" ({shown}): \
                         {message}; check the user name and password in the URL"
                    )),
                    _ => StoreError::Config(format!(
                        "cannot connect to the PostgreSQL database \"{database}\" at {place} ({shown}): {message}"
                    )),
                }
            }
            sqlx::Error::Io(io) => StoreError::Unavailable(format!(
                "cannot reach the PostgreSQL server at {place} ({shown}): {}; check that it is running and that \
                 the host and port are right",
                scrub(&io.to_string(), url)
            )),
            sqlx::Error::Tls(tls) => StoreError::Config(format!(
                "TLS with the PostgreSQL server at {place} failed ({shown}): {}; check the sslmode and \
                 certificates in the URL",
                scrub(&tls.to_string(), url)
            )),
            other => StoreError::Unavailable(format!(
                "cannot connect to the PostgreSQL server at {place} ({shown}): {}",
                scrub(&other.to_string(), url)
            )),
        }
    }
}

fn migrate_error(e: MigrateError, target: &Target) -> StoreError {
    match e {
        MigrateError::VersionMissing(version) => StoreError::Config(format!(
            "the PostgreSQL database \"{}\" at {} was set up by a newer asyncmm (it has migration {version}, \
             unknown to this version); upgrade asyncmm",
            target.database, target.place
        )),
        MigrateError::Execute(e) => StoreError::Database(e),
        other => StoreError::Migrate(other),
    }
}
