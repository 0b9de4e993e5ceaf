//! `asyncmm check`: the CI gate. The verdict comes from the application
//! layer; this module prints it and turns a failure into exit code 1.

use anyhow::Result;
use asyncmm_app::App;
use asyncmm_report::check::render_check_text;
use asyncmm_report::to_json;

use crate::args::{CheckArgs, ListFormat};
use crate::ui::{BelowBar, print};

pub async fn check_command(app: &App<'_>, args: &CheckArgs) -> Result<()> {
    let verdict = app
        .check(&args.team, args.min_level.as_deref(), args.against_goals)
        .await?;
    print(&match args.format {
        ListFormat::Json => to_json(&verdict)?,
        ListFormat::Text => render_check_text(&verdict),
    })?;
    if verdict.pass {
        Ok(())
    } else {
        Err(BelowBar(format!("below the bar in: {}", verdict.failing().join(", "))).into())
    }
}
