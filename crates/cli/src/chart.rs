//! `asyncmm chart`: the SVG charts on their own, for slides and wikis. Each
//! chart reads the same report data as the `report` and `history` commands,
//! so a chart can never disagree with the report it illustrates.

use anyhow::{Result, anyhow};
use asyncmm_report::svg;
use asyncmm_store::Store;

use crate::args::{ChartArgs, ChartKind};
use crate::run::{assessment_report, goal_targets, history_report, resolve_team, stored_model};

pub async fn chart_command(store: &dyn Store, args: &ChartArgs) -> Result<()> {
    let svg = match args.kind {
        ChartKind::Radar => {
            let team = resolve_team(store, args.team.as_deref()).await?;
            let stored = store
                .latest_assessment(&team)
                .await?
                .ok_or_else(|| anyhow!("team \"{team}\" has no assessments; run `asyncmm assess --team \"{team}\"`"))?;
            let model = stored_model(store, &stored.model).await?;
            let report = assessment_report(&model, &stored);
            let history = history_report(store, &team).await?;
            let targets = goal_targets(store, &team).await?;
            svg::report_radar(
                &report,
                Some(&history),
                Some(&targets).filter(|t| !t.is_empty()).map(Vec::as_slice),
            )
        }
        ChartKind::Trend => {
            let team = resolve_team(store, args.team.as_deref()).await?;
            svg::history_trend(&history_report(store, &team).await?)
        }
        ChartKind::Heatmap => {
            if args.team.is_some() {
                anyhow::bail!("the heat map shows every team; drop --team");
            }
            svg::org_heatmap(&crate::rounds::build_org_report(store).await?)
        }
    };
    crate::output::emit(&svg, args.output.as_deref())
}
