//! HTML reports: one self-contained file per report (inline CSS and inline
//! SVG charts, no scripts, no external requests), readable on a 390 px phone
//! screen and on paper. The only links are the model credit (CC-BY-4.0
//! requires it) as plain `<a href>`s; nothing is fetched when the page opens.
//!
//! Every page is an askama template in `templates/` (checked when the crate
//! compiles), all sharing `base.html` (language, viewport, CSS, credit
//! footer). Templates escape every value they show, so no text is escaped by
//! hand here; the only values inserted unescaped (`|safe`) are the SVG charts
//! of [`crate::svg`], which escapes every text it embeds itself. Names people
//! type (teams, groups, action titles, owners) are wrapped in `<bdi>` so a
//! right-to-left name can't reorder the text around it.

use askama::Template;
use asyncmm_core::plan::{ActionStatus, GoalStatus, Projection, day_text};

use crate::credit::HtmlCredit;
use crate::data::{
    AreaReport, AssessmentMeta, AssessmentReport, FitReport, HOLDING_BACK_SHOWN, HistoryReport, ModelInfo,
    OverallReport,
};
use crate::plan::PlanReport;
use crate::svg;
use crate::team::{AreaName, HiddenInfo, OrgCell, OrgReport, RoundArea, RoundMeta, RoundReport};

/// Renders a template into a string. Writing into a `String` can't fail
/// and every value the templates show formats infallibly, so, as with
/// `write!` into a `String`, there is no error to report.
pub(crate) fn render(page: &impl Template) -> String {
    let mut out = String::new();
    let _ = page.render_into(&mut out);
    out
}

/// Inline SVG needs no namespace declaration in HTML; dropping it keeps the
/// page free of any `http://` string that isn't a credit link.
pub(crate) fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn credits(models: &[ModelInfo]) -> Vec<HtmlCredit<'_>> {
    models.iter().map(HtmlCredit::of).collect()
}

fn opt2(x: &Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

fn median_text(x: &Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), crate::data::score_text)
}

fn spread(q1: &Option<f64>, q3: &Option<f64>) -> String {
    match (*q1, *q3) {
        (Some(q1), Some(q3)) => format!("{q1:.2}–{q3:.2}"),
        _ => "–".to_string(),
    }
}

/// A fit bar's width in percent.
fn percent(fit: &f64) -> f64 {
    (fit.clamp(0.0, 1.0) * 100.0).round()
}

fn is_best(area: &AreaReport, fit: &FitReport) -> bool {
    area.level.as_ref().is_some_and(|l| l.level == fit.level)
}

/// The first statements of what holds an area back, as many as reports show.
fn shown<T>(items: &[T]) -> &[T] {
    &items[..items.len().min(HOLDING_BACK_SHOWN)]
}

/// Respondents per level: (level, width in percent, count).
fn level_bars(area: &RoundArea) -> Vec<(usize, f64, u64)> {
    let total: u64 = area.levels.iter().sum();
    area.levels
        .iter()
        .enumerate()
        .map(|(level, count)| {
            let pct = if total == 0 {
                0.0
            } else {
                (*count as f64 / total as f64 * 100.0).round()
            };
            (level, pct, *count)
        })
        .collect()
}

/// The plan as `plan.html` shows it.
struct PlanView<'a> {
    current_from: Option<&'a str>,
    previous_from: Option<&'a str>,
    regressions: Vec<RegressionView>,
    goals: Vec<GoalView>,
    /// Some goal's projection can't be computed.
    not_computable: bool,
    actions: Vec<ActionView<'a>>,
}

struct RegressionView {
    area: String,
    previous: u8,
    current: u8,
}

struct GoalView {
    area: String,
    by: String,
    baseline: String,
    current: String,
    split: bool,
    target: u8,
    change: String,
    regressed: bool,
    at_risk: Option<String>,
    missed: bool,
    status: String,
    projected: String,
}

struct ActionView<'a> {
    status: &'static str,
    dropped: bool,
    title: &'a str,
    link: Option<&'a str>,
    owner: Option<&'a str>,
    statements: Vec<String>,
}

fn level_cell(level: Option<asyncmm_model::Level>) -> String {
    level.map_or_else(|| "–".to_string(), |l| l.number().to_string())
}

impl<'a> PlanView<'a> {
    /// `None` when the plan has neither goals nor actions. `areas` are
    /// (id, name) pairs for naming the goals' areas.
    fn of(plan: Option<&'a PlanReport>, areas: &[(&str, &str)]) -> Option<Self> {
        let plan = plan.filter(|p| !p.is_empty())?;
        let area_name = |id: &asyncmm_model::AreaId| {
            areas
                .iter()
                .find(|(a, _)| *a == id.as_str())
                .map_or_else(|| id.to_string(), |(_, name)| (*name).to_string())
        };
        let goals = plan
            .goals
            .iter()
            .map(|g| {
                let p = &g.progress;
                GoalView {
                    area: area_name(&p.area),
                    by: day_text(p.by),
                    baseline: level_cell(p.baseline),
                    current: level_cell(p.current),
                    split: p.split,
                    target: p.target.number(),
                    change: match p.change {
                        Some(c) if c > 0 => format!(" ({c:+})"),
                        Some(c) if c < 0 => format!(" ({c})"),
                        _ => String::new(),
                    },
                    regressed: g.regressed,
                    at_risk: match &p.status {
                        GoalStatus::AtRisk { reason } => Some(reason.clone()),
                        _ => None,
                    },
                    missed: matches!(p.status, GoalStatus::Missed),
                    status: p.status.label().to_string(),
                    projected: match &p.projected {
                        Projection::Computed { level, score } => format!("level {} ({score})", level.number()),
                        Projection::NotComputable { .. } => "–".to_string(),
                    },
                }
            })
            .collect();
        Some(PlanView {
            current_from: plan.current_from.as_deref(),
            previous_from: plan.previous_from.as_deref(),
            regressions: plan
                .regressions
                .iter()
                .map(|r| RegressionView {
                    area: area_name(&r.area),
                    previous: r.previous.number(),
                    current: r.current.number(),
                })
                .collect(),
            goals,
            not_computable: plan
                .goals
                .iter()
                .any(|g| matches!(g.progress.projected, Projection::NotComputable { .. })),
            actions: plan
                .actions
                .iter()
                .map(|a| ActionView {
                    status: a.status.as_str(),
                    dropped: a.status == ActionStatus::Dropped,
                    title: &a.title,
                    link: a.link.as_ref().map(|l| l.as_str()),
                    owner: a.owner.as_deref(),
                    statements: a.statements.iter().map(ToString::to_string).collect(),
                })
                .collect(),
        })
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    title: String,
    credits: Vec<HtmlCredit<'a>>,
    meta: &'a AssessmentMeta,
    model_key: String,
    overall: &'a OverallReport,
    radar: String,
    areas: &'a [AreaReport],
    plan: Option<PlanView<'a>>,
    trend: Option<String>,
}

/// An assessment's explained result; with `history`, also the radar against
/// the previous assessment and the trend.
/// `targets` are the team's goal levels per area, drawn on the radar;
/// `plan`, the team's plan, is shown after the areas when it has goals or
/// actions.
pub fn render_report_html(
    report: &AssessmentReport,
    history: Option<&HistoryReport>,
    targets: Option<&[(String, f64)]>,
    plan: Option<&PlanReport>,
) -> String {
    let meta = &report.assessment;
    let names: Vec<(&str, &str)> = report.areas.iter().map(|a| (a.id.as_str(), a.name.as_str())).collect();
    render(&ReportPage {
        title: format!("{} — assessment #{} on {}", meta.team, meta.id, meta.date()),
        credits: credits(std::slice::from_ref(&report.model)),
        meta,
        model_key: report.model.key(),
        overall: &report.overall,
        radar: inline_svg(&svg::report_radar(report, history, targets)),
        areas: &report.areas,
        plan: PlanView::of(plan, &names),
        trend: history
            .filter(|h| h.entries.len() > 1)
            .map(|h| inline_svg(&svg::history_trend(h))),
    })
}

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage<'a> {
    title: String,
    credits: Vec<HtmlCredit<'a>>,
    round: &'a RoundMeta,
    model_key: String,
    hidden: Option<&'a HiddenInfo>,
    previous_round: Option<i64>,
    radar: String,
    areas: &'a [RoundArea],
    plan: Option<PlanView<'a>>,
    trend: Option<String>,
}

/// A round's team result: distribution per area, disagreement, explanation.
pub fn render_round_html(report: &RoundReport) -> String {
    render_round_page(report, None, None, None)
}

/// A team's current round as its team report: the round's result with the
/// radar of the team's record (median and middle half, against the previous
/// comparable result and the goals), the trend over its rounds, and its plan.
pub fn render_team_round_html(
    report: &RoundReport,
    history: &HistoryReport,
    targets: Option<&[(String, f64)]>,
    plan: Option<&PlanReport>,
) -> String {
    render_round_page(report, Some(history), targets, plan)
}

fn render_round_page(
    report: &RoundReport,
    history: Option<&HistoryReport>,
    targets: Option<&[(String, f64)]>,
    plan: Option<&PlanReport>,
) -> String {
    let r = &report.round;
    let names: Vec<(&str, &str)> = report.areas.iter().map(|a| (a.id.as_str(), a.name.as_str())).collect();
    let radar = match (&report.hidden, history) {
        (Some(_), _) => String::new(),
        (None, Some(history)) => svg::history_radar(history, targets),
        (None, None) => round_radar(report),
    };
    render(&RoundPage {
        title: format!("{} — round {}", r.team, r.id),
        credits: credits(std::slice::from_ref(&report.model)),
        round: r,
        model_key: report.model.key(),
        hidden: report.hidden.as_ref(),
        previous_round: report.previous_round,
        radar: inline_svg(&radar),
        areas: &report.areas,
        plan: PlanView::of(plan, &names),
        trend: history
            .filter(|h| h.entries.iter().filter(|e| e.is_round()).count() > 1)
            .map(|h| inline_svg(&svg::history_trend(h))),
    })
}

/// Round medians as a radar: the team's typical answer per area, against
/// the previous round's.
fn round_radar(report: &RoundReport) -> String {
    let r = &report.round;
    let areas: Vec<AreaName> = report
        .areas
        .iter()
        .map(|a| AreaName {
            id: a.id.clone(),
            name: a.name.clone(),
        })
        .collect();
    let mut series = vec![svg::Series {
        label: format!("round {} median", r.id),
        values: report
            .areas
            .iter()
            .filter_map(|a| a.median.map(|m| (a.id.clone(), m)))
            .collect(),
    }];
    if let Some(prev) = report.previous_round {
        series.push(svg::Series {
            label: format!("round {prev} median"),
            values: report
                .areas
                .iter()
                .filter_map(|a| a.previous_median.map(|m| (a.id.clone(), m)))
                .collect(),
        });
    }
    svg::radar(&format!("{} — median score per area", r.team), &areas, &series)
}

/// One table of the org page: a row per team or group, a cell per area.
struct OrgTable<'a> {
    first: &'static str,
    with_n: bool,
    rows: Vec<OrgRowView<'a>>,
}

struct OrgRowView<'a> {
    name: &'a str,
    n: Option<u64>,
    cells: Vec<OrgCellView<'a>>,
}

/// A cell: hidden (with why), a level, or none.
struct OrgCellView<'a> {
    hidden: Option<&'a HiddenInfo>,
    level: Option<u8>,
    level_name: &'a str,
    median: String,
    split: bool,
}

impl<'a> OrgCellView<'a> {
    fn of(cell: Option<&'a OrgCell>, row_hidden: Option<&'a HiddenInfo>, levels: &'a [String]) -> Self {
        let level = cell.and_then(|c| c.level);
        OrgCellView {
            hidden: row_hidden.or_else(|| cell.and_then(|c| c.hidden.as_ref())),
            level,
            level_name: level
                .and_then(|l| levels.get(usize::from(l)))
                .map_or("", String::as_str),
            median: median_text(&cell.and_then(|c| c.median)),
            split: cell.is_some_and(|c| c.disagreement),
        }
    }
}

type OrgTableRow<'a> = (&'a str, Option<u64>, Option<&'a HiddenInfo>, &'a [OrgCell]);

impl<'a> OrgTable<'a> {
    fn of(first: &'static str, areas: &[AreaName], levels: &'a [String], rows: &[OrgTableRow<'a>]) -> Self {
        OrgTable {
            first,
            with_n: rows.iter().any(|r| r.1.is_some()),
            rows: rows
                .iter()
                .map(|(name, n, hidden, cells)| OrgRowView {
                    name,
                    n: *n,
                    cells: areas
                        .iter()
                        .map(|area| OrgCellView::of(cells.iter().find(|c| c.area == area.id), *hidden, levels))
                        .collect(),
                })
                .collect(),
        }
    }
}

struct RollupView<'a> {
    model: &'a str,
    mode: asyncmm_core::Mode,
    rule: &'static str,
    table: OrgTable<'a>,
    /// (group, what its roll-up left out).
    left_out: Vec<(&'a str, &'a str)>,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage<'a> {
    title: &'static str,
    credits: Vec<HtmlCredit<'a>>,
    report: &'a OrgReport,
    heatmap: String,
    teams: OrgTable<'a>,
    rollups: Vec<RollupView<'a>>,
}

/// The org view: heat map of teams × areas, the table, and the roll-ups.
pub fn render_org_html(report: &OrgReport) -> String {
    let rows: Vec<OrgTableRow> = report
        .teams
        .iter()
        .map(|t| {
            (
                t.team.as_str(),
                Some(t.responses),
                t.hidden.as_ref(),
                t.cells.as_slice(),
            )
        })
        .collect();
    let rollups = report
        .rollups
        .iter()
        .map(|rollup| {
            let rows: Vec<OrgTableRow> = rollup
                .rows
                .iter()
                .map(|r| (r.node.as_str(), None, r.hidden.as_ref(), r.cells.as_slice()))
                .collect();
            RollupView {
                model: &rollup.model,
                mode: rollup.mode,
                rule: match rollup.rule {
                    asyncmm_core::anonymity::RollupRule::MedianOfTeamMedians => {
                        "median of team medians (visible teams only)"
                    }
                    asyncmm_core::anonymity::RollupRule::PooledRespondents => "all respondents pooled",
                },
                table: OrgTable::of("Group", &report.areas, &report.levels, &rows),
                left_out: rollup
                    .rows
                    .iter()
                    .filter_map(|r| r.left_out.as_deref().map(|l| (r.node.as_str(), l)))
                    .collect(),
            }
        })
        .collect();
    render(&OrgPage {
        title: "Organisation — latest closed round of each team",
        credits: credits(&report.models),
        report,
        heatmap: inline_svg(&svg::org_heatmap(report)),
        teams: OrgTable::of("Team", &report.areas, &report.levels, &rows),
        rollups,
    })
}

/// The trend chart as a table (area × point in time, full area names), for
/// readers who can't use the chart: the same entries the chart draws.
struct TrendTable<'a> {
    what: &'static str,
    dates: Vec<&'a str>,
    /// (area name, score per date).
    rows: Vec<(&'a str, Vec<String>)>,
}

impl<'a> TrendTable<'a> {
    fn of(report: &'a HistoryReport) -> Self {
        let rounds = report.entries.iter().any(|e| e.is_round());
        let entries: Vec<_> = report.entries.iter().filter(|e| e.is_round() == rounds).collect();
        let mut areas: Vec<(&str, &str)> = Vec::new();
        for entry in &entries {
            for area in &entry.areas {
                if !areas.iter().any(|(id, _)| *id == area.id) {
                    areas.push((&area.id, &area.name));
                }
            }
        }
        TrendTable {
            what: if rounds {
                "median score per closed round"
            } else {
                "score per self-assessment"
            },
            dates: entries.iter().map(|e| e.source.date.as_str()).collect(),
            rows: areas
                .iter()
                .map(|(id, name)| {
                    let scores = entries
                        .iter()
                        .map(|entry| opt2(&entry.areas.iter().find(|a| a.id == *id).and_then(|a| a.score)))
                        .collect();
                    (*name, scores)
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage<'a> {
    title: String,
    credits: Vec<HtmlCredit<'a>>,
    report: &'a HistoryReport,
    trend: String,
    table: TrendTable<'a>,
}

/// A team's assessments oldest first: trend chart and a table of changes.
pub fn render_history_html(report: &HistoryReport) -> String {
    render(&HistoryPage {
        title: format!("{} — history", report.team),
        credits: credits(&report.models),
        report,
        trend: if report.entries.is_empty() {
            String::new()
        } else {
            inline_svg(&svg::history_trend(report))
        },
        table: TrendTable::of(report),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{AssessmentMeta, AssessmentReport, HistoryReport};
    use asyncmm_core::plan::ActionStatus;
    use asyncmm_core::{Answers, AssessmentId, ModelRef, QuickAnswers, StoredAssessment, TeamName, assess};
    use time::OffsetDateTime;

    const HOSTILE: &str = "<script>alert(\"x\")</script> & 'Ops'";

    fn stored(id: i64, level: u8) -> (asyncmm_model::Model, StoredAssessment) {
        let model = asyncmm_model::default_model().expect("default model");
        let answers: Vec<(asyncmm_model::AreaId, asyncmm_model::Level)> = model
            .areas
            .iter()
            .map(|a| (a.id.clone(), asyncmm_model::Level::ALL[usize::from(level)]))
            .collect();
        let stored = StoredAssessment {
            id: AssessmentId(id),
            team: TeamName::parse(HOSTILE).expect("team name"),
            model: ModelRef::of(&model),
            taken_at: OffsetDateTime::UNIX_EPOCH,
            answers: Answers::Quick(QuickAnswers::from_map(answers.into_iter().collect())),
        };
        (model, stored)
    }

    /// The history of self-assessments, as the application layer builds it.
    fn history_of(team: &str, rows: &[(&asyncmm_core::StoredAssessment, &asyncmm_model::Model)]) -> HistoryReport {
        use asyncmm_core::history::{AreaPoint, Point, Source, history};
        let points: Vec<Point> = rows
            .iter()
            .map(|(a, model)| {
                let r = assess(model, &a.answers);
                Point {
                    source: Source::Assessment(a.id),
                    model: a.model.clone(),
                    lineage: model.key(),
                    mode: a.answers.mode(),
                    areas: r
                        .areas
                        .iter()
                        .map(|ar| AreaPoint {
                            area: ar.area.clone(),
                            value: ar.scored.as_ref().map(|s| (s.level, s.score)),
                        })
                        .collect(),
                    mean_score: r.overall.mean_score,
                }
            })
            .collect();
        let entries = history(&points);
        HistoryReport::build(
            team,
            rows.iter()
                .zip(entries)
                .map(|((a, model), entry)| crate::data::HistoryRow {
                    source: Source::Assessment(a.id),
                    label: format!("assessment #{}", a.id.0),
                    date: a.taken_at.date(),
                    respondents: 1,
                    compared_with: entry
                        .compared_with
                        .map(|s| format!("assessment #{}", if let Source::Assessment(id) = s { id.0 } else { 0 })),
                    model,
                    entry,
                    spreads: vec![None; model.areas.len()],
                }),
        )
    }

    /// Resource references other than the credit's `<a href>` links.
    fn assert_self_contained(html: &str) {
        assert!(!html.contains("<script"), "no scripts");
        let mut rest = html;
        while let Some(at) = rest.find("http") {
            let before = &rest[..at];
            assert!(
                before.ends_with("<a href=\""),
                "external reference outside a link: {}",
                &rest[at.saturating_sub(40)..(at + 40).min(rest.len())]
            );
            rest = &rest[at + 4..];
        }
    }

    /// A history spanning two model versions credits each of them, as
    /// recorded, instead of a fixed credit.
    #[test]
    fn history_html_credits_every_recorded_model() {
        let old = asyncmm_model::embedded("async-communications", "1.0.0")
            .expect("embedded")
            .parse()
            .expect("valid");
        let (new, second) = stored(2, 2);
        let (_, mut first) = stored(1, 1);
        first.model = ModelRef::of(&old);
        let history = history_of("Ops", &[(&first, &old), (&second, &new)]);
        let html = render_history_html(&history);
        assert_self_contained(&html);
        let footer = &html[html.find("<footer>").expect("footer")..];
        let old_at = footer.find("(async-communications@1.0.0)").expect("1.0.0 credited");
        let new_at = footer
            .find("(async-communications@1.1.0, a wording revision of 1.0.0)")
            .expect("1.1.0 credited");
        assert!(old_at < new_at, "{footer}");
        assert!(
            footer.contains("by Rethinking async communications contributors"),
            "{footer}"
        );
        assert!(footer.contains("by Allison Matlack"), "{footer}");
        assert!(
            footer.contains("<a href=\"https://github.com/github/how-engineering-communicates\">How GitHub Engineering Communicates</a>"),
            "{footer}"
        );
    }

    #[test]
    fn org_html_credits_the_recorded_model() {
        use crate::team::OrgReport;
        let old: asyncmm_model::Model = asyncmm_model::embedded("async-communications", "1.0.0")
            .expect("embedded")
            .parse()
            .expect("valid");
        let report = OrgReport::build(&old, std::slice::from_ref(&old), &[], &[], &[]);
        let html = render_org_html(&report);
        let footer = &html[html.find("<footer>").expect("footer")..];
        assert!(footer.contains("(async-communications@1.0.0)"), "{footer}");
        assert!(!footer.contains("1.1.0"), "{footer}");
        let new = asyncmm_model::default_model().expect("default");
        let report = OrgReport::build(&new, &[old, new.clone()], &[], &[], &[]);
        let footer_count = render_org_html(&report).matches("<p>Model: ").count();
        assert_eq!(footer_count, 2);
    }

    #[test]
    fn report_html_is_self_contained_and_escapes_the_team() {
        let (model, first) = stored(1, 1);
        let (_, second) = stored(2, 2);
        let r2 = assess(&model, &second.answers);
        let report = AssessmentReport::build(&model, AssessmentMeta::of(&second), &r2);
        let history = history_of(HOSTILE, &[(&first, &model), (&second, &model)]);
        let html = render_report_html(&report, Some(&history), None, None);
        assert_self_contained(&html);
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("CC-BY-4.0"));
        assert!(html.contains("@media print"));
        assert!(html.contains("name=\"viewport\""));
        assert!(
            html.contains("previous: assessment #1 (1970-01-01)"),
            "radar compares with the previous one"
        );
        assert!(html.contains("self-assessed score per area"), "trend shown");
        let history_html = render_history_html(&history);
        assert_self_contained(&history_html);
        assert!(history_html.contains("&lt;script&gt;"));
    }

    /// The page as XML: every element closed, attributes quoted, only XML
    /// entities, one `<html lang="en">` root.
    fn assert_well_formed(html: &str) {
        let rest = html.strip_prefix("<!DOCTYPE html>\n").expect("doctype first");
        let doc = roxmltree::Document::parse(rest).unwrap_or_else(|e| panic!("broken markup: {e}\n{html}"));
        assert_eq!(doc.root_element().tag_name().name(), "html");
        assert_eq!(doc.root_element().attribute("lang"), Some("en"));
    }

    const ESCAPED: &str = "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;Ops&#39;";
    const RTL: &str = "فريق الويب";

    #[test]
    fn only_charts_are_inserted_unescaped() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).expect("templates") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for (at, _) in text.match_indices("|safe") {
                let start = text[..at].rfind("{{").expect("inside an expression");
                let value = text[start + 2..at].trim();
                assert!(
                    ["radar", "trend", "heatmap"].contains(&value),
                    "{}: {value} inserted unescaped",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked >= 5, "the charts are inserted as markup");
    }

    #[test]
    fn report_page_escapes_the_team_once_and_isolates_it() {
        let (model, first) = stored(1, 1);
        let (_, second) = stored(2, 2);
        let report = AssessmentReport::build(&model, AssessmentMeta::of(&second), &assess(&model, &second.answers));
        let history = history_of(HOSTILE, &[(&first, &model), (&second, &model)]);
        let html = render_report_html(&report, Some(&history), None, None);
        assert!(
            html.contains(&format!("<title>{ESCAPED} — assessment #2 on 1970-01-01</title>")),
            "{html}"
        );
        assert!(
            html.contains(&format!("<h1><bdi>{ESCAPED}</bdi> — assessment #2 on 1970-01-01</h1>")),
            "{html}"
        );
        assert!(!html.contains("&amp;#") && !html.contains("&#38;#"), "escaped twice");
        assert!(html.contains("<h2>Result per area</h2>"));
        assert!(html.contains("<div class=\"chart\"><svg viewBox="), "the radar inline");
        assert_well_formed(&html);
        let history_html = render_history_html(&history);
        assert!(history_html.contains(&format!("<h1><bdi>{ESCAPED}</bdi> — history</h1>")));
        assert!(
            history_html.contains("<caption class=\"meta\">The chart as a table: score per self-assessment</caption>")
        );
        assert_well_formed(&history_html);
    }

    #[test]
    fn a_right_to_left_team_name_is_isolated() {
        let (model, mut second) = stored(2, 2);
        second.team = TeamName::parse(RTL).expect("team name");
        let report = AssessmentReport::build(&model, AssessmentMeta::of(&second), &assess(&model, &second.answers));
        let html = render_report_html(&report, None, None, None);
        assert!(
            html.contains(&format!("<h1><bdi>{RTL}</bdi> — assessment #2 on 1970-01-01</h1>")),
            "{html}"
        );
        let history = history_of(RTL, &[(&second, &model)]);
        let html = render_history_html(&history);
        assert!(html.contains(&format!("<h1><bdi>{RTL}</bdi> — history</h1>")), "{html}");
    }

    #[test]
    fn plan_escapes_and_isolates_titles_and_owners() {
        use asyncmm_core::plan::{Action, ActionId, Link};
        let (model, second) = stored(2, 2);
        let report = AssessmentReport::build(&model, AssessmentMeta::of(&second), &assess(&model, &second.answers));
        let action = |title: &str, owner: Option<&str>, link: Option<&str>, status| Action {
            id: ActionId(1),
            team: TeamName::parse("Ops").expect("team"),
            title: title.to_string(),
            owner: owner.map(str::to_string),
            link: link.map(|l| Link::parse(l).expect("link")),
            status,
            statements: vec!["meetings.2.1".parse().expect("statement id")],
            created_on: time::macros::date!(2026 - 01 - 05),
        };
        let plan = PlanReport {
            schema: "asyncmm.plan/1",
            team: TeamName::parse("Ops").expect("team"),
            current_from: Some("assessment #2".to_string()),
            previous_from: None,
            regressions: vec![],
            goals: vec![],
            actions: vec![
                action(
                    "<i>Agendas</i> & \"notes\"",
                    Some(RTL),
                    Some("https://example.com/a?b=1&c=2"),
                    ActionStatus::Doing,
                ),
                action("Old idea", None, None, ActionStatus::Dropped),
            ],
        };
        let html = render_report_html(&report, None, None, Some(&plan));
        assert!(
            html.contains(
                "<li><span class=\"status doing\">doing</span> <a href=\"https://example.com/a?b=1&#38;c=2\">\
                 <bdi>&#60;i&#62;Agendas&#60;/i&#62; &#38; &#34;notes&#34;</bdi></a> — <bdi>فريق الويب</bdi> \
                 <span class=\"note\"><code>meetings.2.1</code></span></li>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"status dropped\">dropped</span> <s><bdi>Old idea</bdi></s> <span"),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"meta\">Current levels from assessment #2.</p>"),
            "{html}"
        );
        assert!(!html.contains("<i>"), "{html}");
        assert_well_formed(&html);
    }

    #[test]
    fn org_page_isolates_names_and_escapes_hidden_cells() {
        use crate::team::{HiddenInfo, OpenRound, OrgTeamRow};
        use asyncmm_core::anonymity::HiddenReason;
        let model = asyncmm_model::default_model().expect("default");
        let mut report = OrgReport::build(&model, std::slice::from_ref(&model), &[], &[], &[]);
        report.teams.push(OrgTeamRow {
            team: HOSTILE.to_string(),
            parent: None,
            round: 3,
            opens_on: "2026-01-05".to_string(),
            model: model.key(),
            mode: asyncmm_core::Mode::Quick,
            responses: 2,
            hidden: Some(HiddenInfo {
                n: 2,
                k: 5,
                reason: HiddenReason::TooFewResponses,
            }),
            cells: vec![],
            open_round: Some(OpenRound { round: 4, responses: 1 }),
        });
        report.teams_without_rounds.push(RTL.to_string());
        let html = render_org_html(&report);
        assert!(
            html.contains(&format!(
                "<tr><th scope=\"row\"><bdi>{ESCAPED}</bdi></th><td class=\"num\">2</td>"
            )),
            "{html}"
        );
        assert_eq!(
            html.matches("<td class=\"hidden\" title=\"hidden: 2 responses &#60; k = 5\">n&#60;k</td>")
                .count(),
            model.areas.len(),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<p class=\"note\"><bdi>{ESCAPED}</bdi>: round 4 is open, 1 responses so far"
            )),
            "{html}"
        );
        assert!(
            html.contains(&format!("<p class=\"note\">No round yet: <bdi>{RTL}</bdi></p>")),
            "{html}"
        );
        assert!(!html.contains("<script"));
        assert_well_formed(&html);
    }
}
