//! `asyncmm demo`: fills a fresh database with the demo organisation of the
//! application layer and says what it made and where to look next.

use std::fmt::Write as _;

use anyhow::Result;
use asyncmm_app::demo::{self, DemoSummary};
use asyncmm_app::{App, OsRandom};

use crate::ui;

pub async fn demo_command(app: &App<'_>, database: Option<&str>) -> Result<()> {
    let summary = demo::seed(app, &mut OsRandom).await?;
    ui::print(&describe(&summary, database))
}

/// The `--database` part of the commands to run next: the same file, and
/// never a PostgreSQL URL's password.
fn database_flag(database: Option<&str>) -> String {
    match database {
        None => String::new(),
        Some(url) if url.starts_with("postgres") => " --database \"$ASYNCMM_DATABASE_URL\"".to_string(),
        Some(path) if path.contains(char::is_whitespace) => format!(" --database '{path}'"),
        Some(path) => format!(" --database {path}"),
    }
}

fn describe(summary: &DemoSummary, database: Option<&str>) -> String {
    let flag = database_flag(database);
    let closed = summary.closed_rounds.len();
    let open = &summary.open_round;
    let below_k: Vec<String> = summary
        .closed_rounds
        .iter()
        .filter(|r| r.below_k)
        .map(|r| format!("round {} of {} ({} responses)", r.id, r.team, r.responses))
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, "Demo organisation created:");
    let _ = writeln!(
        out,
        "  {} teams in {} groups: {} (groups {})",
        summary.teams.len(),
        summary.groups.len(),
        summary.teams.join(", "),
        summary.groups.join(", ")
    );
    let _ = writeln!(
        out,
        "  {} rounds: {closed} closed over the last three quarters and 1 open ({}: {} responses so far)",
        closed + 1,
        open.team,
        open.responses
    );
    let _ = writeln!(
        out,
        "  {} closed below k = 5, so they show no result: {}",
        below_k.len(),
        below_k.join(", ")
    );
    let _ = writeln!(out, "  {} responses in all", summary.responses);
    let _ = writeln!(out, "  {} self-assessments (one a quarter)", summary.assessments);
    let _ = writeln!(out, "  {} goals and {} actions", summary.goals, summary.actions);
    let _ = writeln!(out);
    let _ = writeln!(out, "Look around:");
    let _ = writeln!(out, "  asyncmm{flag} report --org");
    let _ = writeln!(out, "  asyncmm{flag} history --team Platform");
    let _ = writeln!(out, "  asyncmm{flag} plan show --team Platform");
    let _ = writeln!(out);
    let _ = writeln!(out, "Start the web app:");
    let _ = writeln!(out, "  asyncmm{flag} serve");
    let _ = writeln!(
        out,
        "then open the one-time set-up link it prints, create the first admin account, and every page has data."
    );
    if let Some(token) = summary.unused_tokens.first() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Answer the open round of {} as a respondent would ({} unused links; here is one):",
            open.team,
            summary.unused_tokens.len()
        );
        let _ = writeln!(out, "  http://127.0.0.1:7878/r/{}", token.reveal());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_is_never_repeated() {
        assert_eq!(
            database_flag(Some("postgres://u:secret@db/x")),
            " --database \"$ASYNCMM_DATABASE_URL\""
        );
        assert_eq!(database_flag(Some("demo.db")), " --database demo.db");
        assert_eq!(database_flag(None), "");
    }
}
