//! The application layer through its public API, without the command line:
//! a whole round driven by a test caller, and every anonymity rule that only
//! holds across several calls — results only after close, publishing by
//! every view, no mixing of tokens and imports, roll-ups that survive a
//! small team — tried the way someone trying to learn one person's answers
//! would. Each scenario runs on SQLite (a fresh file) and on PostgreSQL (a
//! fresh schema) when `ASYNCMM_TEST_POSTGRES_URL` is set; without it the
//! PostgreSQL half prints that it was skipped.

mod backup;
mod common;
mod evidence;
mod flow;
mod privacy;
mod summary;
mod teams;
