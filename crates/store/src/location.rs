//! Reading a database location (`--database` / `ASYNCMM_DATABASE_URL`) and
//! showing it safely.
//!
//! This module owns the one decision of which backend a location means, and
//! the one way a location is shown in a message: [`redact`], which hides the
//! password. Keeping both here means no other code has to remember that a
//! URL may carry a credential.

use std::path::PathBuf;

use crate::StoreError;

/// The forms [`crate::connect`] accepts, for error messages.
pub(crate) const ACCEPTED_FORMS: &str = "use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (or postgresql://…) \
     for PostgreSQL, or sqlite://PATH, sqlite:PATH or a plain file path for SQLite";

/// Which backend a location names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    SqliteFile(PathBuf),
    SqliteMemory,
    /// The URL itself is handed to the PostgreSQL driver, which parses the
    /// rest (host, port, options).
    Postgres,
}

impl Location {
    pub(crate) fn parse(url: &str) -> Result<Location, StoreError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(StoreError::Config(format!(
                "the database location is empty; {ACCEPTED_FORMS}"
            )));
        }
        if strip_prefix_ignore_case(url, "postgres://").is_some()
            || strip_prefix_ignore_case(url, "postgresql://").is_some()
        {
            return Ok(Location::Postgres);
        }
        // `sqlite://` first: `sqlite:` would also match it and leave `//` on
        // the path.
        if let Some(path) =
            strip_prefix_ignore_case(url, "sqlite://").or_else(|| strip_prefix_ignore_case(url, "sqlite:"))
        {
            return match path {
                "" => Err(StoreError::Config(format!(
                    "the SQLite URL {} names no file; {ACCEPTED_FORMS}",
                    redact(url)
                ))),
                ":memory:" => Ok(Location::SqliteMemory),
                path => Ok(Location::SqliteFile(PathBuf::from(path))),
            };
        }
        if looks_like_libpq_keywords(url) {
            return Err(StoreError::Config(
                "the database location looks like a PostgreSQL key=value connection string (host=… dbname=…), \
                 which asyncmm does not read; write it as a URL: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE \
                 (percent-encode special characters in the password, e.g. %40 for @). For an SQLite file whose \
                 name contains '=', write sqlite:PATH"
                    .to_string(),
            ));
        }
        if let Some(scheme) = url_scheme(url) {
            return Err(StoreError::Config(format!(
                "unsupported database URL {}: the scheme {scheme}:// is not supported; {ACCEPTED_FORMS}",
                redact(url)
            )));
        }
        Ok(Location::SqliteFile(PathBuf::from(url)))
    }
}

/// libpq's connection keywords: a location that starts with one of them
/// followed by `=` is a `host=db dbname=app` string, not a file name.
const LIBPQ_KEYWORDS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "sslmode",
    "service",
    "options",
    "application_name",
    "connect_timeout",
    "target_session_attrs",
];

/// `host=db dbname=app …`: the first word is a libpq keyword followed by `=`
/// (spaces allowed around it, as libpq does).
fn looks_like_libpq_keywords(s: &str) -> bool {
    let Some((key, _)) = s.split_once('=') else {
        return false;
    };
    let key = key.trim();
    LIBPQ_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// The scheme of `scheme://…`, if `s` looks like a URL rather than a path.
/// One-letter schemes are left alone: `C://x` is more likely a Windows path.
fn url_scheme(s: &str) -> Option<&str> {
    let end = s.find("://")?;
    let scheme = &s[..end];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (first_ok && rest_ok && scheme.len() > 1).then_some(scheme)
}

/// `url` with any password replaced by `***`, for messages and logs.
///
/// Hides the password of `scheme://user:password@host/…` and the value of
/// any query parameter whose name ends in `password` (PostgreSQL accepts
/// `?password=`). When it is unclear where the user part ends (an
/// unencoded `/` or `@` in the password), it hides too much rather than too
/// little. Plain paths come back unchanged.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let after_scheme = scheme_end + 3;
    let rest = &url[after_scheme..];

    let mut out = String::with_capacity(url.len());
    out.push_str(&url[..after_scheme]);
    let after_user = match split_userinfo(rest) {
        Some((userinfo, after)) => {
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str(userinfo),
            }
            out.push('@');
            after
        }
        None => rest,
    };
    let query_start = after_user.find(['?', '#']).unwrap_or(after_user.len());
    let (before_query, query) = after_user.split_at(query_start);
    out.push_str(before_query);
    out.push_str(&redact_query(query));
    out
}

/// `(user[:password], rest after the @)` of what follows `scheme://`.
///
/// The user part ends at the *last* `@`, wherever it is: a password may
/// hold an unencoded `/`, `?`, `#` or `@`, and cutting at the first of them
/// would print the rest of it. An `@` that really belongs to the query
/// makes this hide too much, never too little.
fn split_userinfo(rest: &str) -> Option<(&str, &str)> {
    let at = rest.rfind('@')?;
    Some((&rest[..at], &rest[at + 1..]))
}

fn redact_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(pos) = rest.find(['?', '&', '#']) {
        out.push_str(&rest[..=pos]);
        rest = &rest[pos + 1..];
        let end = rest.find(['&', '#']).unwrap_or(rest.len());
        let pair = &rest[..end];
        match pair.split_once('=') {
            Some((key, _)) if key.to_ascii_lowercase().ends_with("password") => {
                out.push_str(key);
                out.push_str("=***");
            }
            _ => out.push_str(pair),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `message` with every appearance of a password from `url` hidden: driver
/// messages are not ours, and a parse error may quote what it parsed.
pub(crate) fn scrub(message: &str, url: &str) -> String {
    let mut out = message.to_string();
    for secret in secrets(url) {
        if secret.len() >= 3 {
            out = out.replace(&secret, "***");
        }
    }
    out
}

/// Passwords that `url` carries, raw and percent-decoded.
fn secrets(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let password = split_userinfo(rest)
            .and_then(|(userinfo, _)| userinfo.split_once(':'))
            .map(|(_, password)| password);
        if let Some(password) = password {
            found.push(password.to_string());
            // A driver that cut the URL at a `?`, `#` or `/` inside the
            // password may quote only a piece of it.
            found.extend(password.split(['?', '#', '/', '@']).map(str::to_string));
        }
        let after_user = split_userinfo(rest).map_or(rest, |(_, after)| after);
        if let Some(q) = after_user.find('?') {
            for pair in after_user[q + 1..].split(['&', '#']) {
                match pair.split_once('=') {
                    Some((key, value)) if key.to_ascii_lowercase().ends_with("password") => {
                        found.push(value.to_string());
                    }
                    _ => {}
                }
            }
        }
    }
    let decoded: Vec<String> = found.iter().map(|s| percent_decode(s)).collect();
    found.extend(decoded);
    found
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(value) => {
                out.push(value);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://me:s3cret@db:5432/app"),
            "postgres://me:***@db:5432/app"
        );
        assert_eq!(redact("postgres://me@db/app"), "postgres://me@db/app");
        assert_eq!(redact("postgres://db/app"), "postgres://db/app");
        assert_eq!(redact("postgres://me:pa/ss@db/app"), "postgres://me:***@db/app");
        assert_eq!(
            redact("postgres://db/app?user=me&password=s3cret&sslmode=require"),
            "postgres://db/app?user=me&password=***&sslmode=require"
        );
        assert_eq!(redact("/home/me/asyncmm.db"), "/home/me/asyncmm.db");
        assert_eq!(redact("mysql://root:hunter2@x/y"), "mysql://root:***@x/y");
        // Unencoded `?`, `#` and `@` in the password: none of it shows.
        assert_eq!(redact("postgres://me:pa?ss@db/app"), "postgres://me:***@db/app");
        assert_eq!(redact("postgres://me:pa#ss@db/app"), "postgres://me:***@db/app");
        assert_eq!(
            redact("postgres://me:a?b#c@d@db:5432/app?sslmode=require"),
            "postgres://me:***@db:5432/app?sslmode=require"
        );
    }

    #[test]
    fn scrubs_pieces_of_a_password_cut_at_a_question_mark() {
        let url = "postgres://me:first?second@db/app";
        assert_eq!(scrub("bad: first?second, first, second", url), "bad: ***, ***, ***");
    }

    #[test]
    fn refuses_libpq_keyword_strings() {
        for text in [
            "host=localhost dbname=app user=me password=s3cret",
            "dbname=app",
            "  HOST = db port=5432",
        ] {
            match Location::parse(text) {
                Err(StoreError::Config(msg)) => {
                    assert!(msg.contains("key=value connection string"), "{msg}");
                    assert!(msg.contains("postgres://USER"), "{msg}");
                    assert!(!msg.contains("s3cret"), "{msg}");
                }
                other => panic!("{text}: expected a Config error, got {other:?}"),
            }
        }
        // A file name with `=` elsewhere is still a file.
        assert_eq!(
            Location::parse("data/a=b.db").ok(),
            Some(Location::SqliteFile("data/a=b.db".into()))
        );
        assert_eq!(
            Location::parse("sqlite:host=x.db").ok(),
            Some(Location::SqliteFile("host=x.db".into()))
        );
    }

    #[test]
    fn scrubs_passwords_from_messages() {
        let url = "postgres://me:s%40cret@db/app";
        assert_eq!(scrub("bad s@cret and s%40cret", url), "bad *** and ***");
    }

    #[test]
    fn parses_locations() {
        assert_eq!(Location::parse("postgres://x/y").ok(), Some(Location::Postgres));
        assert_eq!(Location::parse("PostgreSQL://x/y").ok(), Some(Location::Postgres));
        assert_eq!(
            Location::parse("sqlite:///tmp/a.db").ok(),
            Some(Location::SqliteFile("/tmp/a.db".into()))
        );
        assert_eq!(
            Location::parse("sqlite://a.db").ok(),
            Some(Location::SqliteFile("a.db".into()))
        );
        assert_eq!(
            Location::parse("sqlite:a.db").ok(),
            Some(Location::SqliteFile("a.db".into()))
        );
        assert_eq!(Location::parse("sqlite::memory:").ok(), Some(Location::SqliteMemory));
        assert_eq!(
            Location::parse("data/a.db").ok(),
            Some(Location::SqliteFile("data/a.db".into()))
        );
        assert_eq!(
            Location::parse(r"C:\data\a.db").ok(),
            Some(Location::SqliteFile(r"C:\data\a.db".into()))
        );
        assert!(matches!(Location::parse("sqlite:"), Err(StoreError::Config(_))));
        assert!(matches!(Location::parse("  "), Err(StoreError::Config(_))));
        match Location::parse("mysql://root:hunter2@x/y") {
            Err(StoreError::Config(msg)) => {
                assert!(!msg.contains("hunter2"), "{msg}");
                assert!(msg.contains("mysql://"), "{msg}");
                assert!(msg.contains("sqlite:PATH"), "{msg}");
            }
            other => panic!("expected a Config error, got {other:?}"),
        }
    }
}
