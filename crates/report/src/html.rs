//! HTML reports: one self-contained file per report (inline CSS and inline
//! SVG charts, no scripts, no external requests), readable on a 390 px phone
//! screen and on paper. The only links are the model credit (CC-BY-4.0
//! requires it) as plain `<a href>`s; nothing is fetched when the page opens.

use std::fmt::Write as _;

use asyncmm_core::plan::{ActionStatus, Projection, day_text};

use crate::data::{AreaReport, AssessmentReport, HOLDING_BACK_SHOWN, HistoryReport, ModelInfo};
use crate::plan::PlanReport;
use crate::svg::{self, escape};
use crate::team::{AreaName, HiddenInfo, OrgCell, OrgReport, RoundReport};

const CSS: &str = "
:root{--fg:#1a1a1a;--muted:#555;--line:#ddd;--accent:#0072B2;--warn:#D55E00}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);background:#fff;
  margin:0 auto;max-width:960px;padding:16px;line-height:1.45}
h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.2rem;margin:1.4em 0 .4em;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1em 0 .3em}
.meta,.note{color:var(--muted);font-size:.9rem}
.chart svg{max-width:100%;height:auto;display:block;margin:8px auto}
.chart.scroll{overflow-x:auto}.chart.scroll svg{max-width:none;min-width:560px}
.area{border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:12px 0;break-inside:avoid}
.level{font-weight:600}
.flag{display:inline-block;border:1px solid var(--warn);color:#8a3000;border-radius:4px;padding:0 6px;
  font-size:.85rem;margin:2px 4px 2px 0}
.bars{max-width:560px;display:grid;grid-template-columns:minmax(7em,auto) 1fr 3.5em;gap:3px 8px;align-items:center;font-size:.9rem}
.bar{background:#eee;height:12px;border-radius:3px;overflow:hidden}
.bar>span{display:block;height:100%;background:var(--accent)}
.bar.best>span{background:#009E73}
.num{text-align:right;font-variant-numeric:tabular-nums}
ul.gaps{padding-left:1.2em}ul.gaps li{margin:.3em 0}
.try{color:var(--muted)}
ul.actions{padding-left:0;list-style:none}ul.actions li{margin:.4em 0;overflow-wrap:anywhere}
.status{display:inline-block;min-width:4.5em;text-align:center;border:1px solid var(--line);border-radius:4px;
  padding:0 4px;font-size:.8rem;background:#f6f6f6}
.status.done{border-color:#009E73;color:#00664a}.status.doing{border-color:var(--accent);color:#004d7a}
.status.dropped{color:var(--muted)}
.by{font-weight:normal;font-size:.85rem;color:var(--muted);white-space:nowrap}
code{font-size:.85em;background:#f4f4f4;padding:0 3px;border-radius:3px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem;margin:8px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f6f6}
td.hidden{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#e4e4e4 4px,#e4e4e4 8px);font-style:italic}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5em,1fr));gap:8px;margin:12px 0}
.kpi{border:1px solid var(--line);border-radius:6px;padding:8px 10px;font-size:.9rem;color:var(--muted)}
.kpi b{display:block;font-size:1.4rem;color:var(--fg)}
.sub{color:var(--muted);font-size:.8rem;font-weight:normal}
table.summary td.drop,.chg.drop{color:#8a3000;font-weight:600}
table.groups td{white-space:nowrap}table.groups th[scope=row]{position:sticky;left:0;background:#f6f6f6}
td.dist{min-width:12em}
.stack{display:flex;height:18px;border:1px solid #888;border-radius:3px;overflow:hidden}
.stack>span{display:block;height:100%;font-size:.75rem;line-height:16px;text-align:center;overflow:hidden}
ul.hidden-teams{padding-left:1.2em}ul.hidden-teams li{margin:.4em 0;overflow-wrap:anywhere}
footer{margin-top:2em;border-top:1px solid var(--line);padding-top:8px;font-size:.85rem;color:var(--muted)}
@media (max-width:600px){body{padding:10px}h1{font-size:1.25rem}.bars{grid-template-columns:6.5em 1fr 3em}
  table.cards,table.cards tbody,table.cards tr,table.cards th,table.cards td{display:block;width:100%}
  table.cards thead{display:none}table.cards tr{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:4px 0}
  table.cards th,table.cards td{border:0;padding:2px 10px;text-align:left}
  table.cards th[scope=row]{background:none;font-size:1rem}
  table.cards td[data-label]::before{content:attr(data-label) ': ';color:var(--muted);font-size:.85rem}
  table.cards td.dist::before{display:block}
  table.goals{font-size:.85rem}table.goals th,table.goals td{padding:3px 5px}}
@media print{body{max-width:none;padding:0;font-size:11pt}a{color:inherit}
  footer a::after,ul.actions a::after{content:' (' attr(href) ')';word-break:break-all}
  .area,.chart,table{break-inside:avoid}h2{break-after:avoid}
  .chart.scroll svg{max-width:100%;min-width:0}}
";

pub(crate) fn page(title: &str, body: &str, credit: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n<footer>{credit}</footer>\n</body>\n</html>\n",
        escape(title)
    )
}

/// Inline SVG needs no namespace declaration in HTML; dropping it keeps the
/// page free of any `http://` string that isn't a credit link.
fn inline(svg: &str) -> String {
    format!(
        "<div class=\"chart\">{}</div>\n",
        svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
    )
}

/// A wide chart (trend, heat map) scrolls sideways on a phone rather than
/// shrinking its labels below reading size.
fn inline_wide(svg: &str) -> String {
    inline(svg).replacen("class=\"chart\"", "class=\"chart scroll\"", 1)
}

fn credit(model: &ModelInfo) -> String {
    crate::credit::html_footer(std::slice::from_ref(model))
}

fn opt2(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

fn area_flags(area: &AreaReport) -> String {
    let mut out = String::new();
    if area.inconsistent {
        out.push_str("<span class=\"flag\">inconsistent answers: no level's pattern fits well</span>");
    }
    if area.low_confidence {
        out.push_str("<span class=\"flag\">low confidence: fewer than half the statements answered</span>");
    }
    out
}

fn report_area(out: &mut String, area: &AreaReport) {
    let _ = write!(out, "<section class=\"area\"><h3>{}</h3>", escape(&area.name));
    match (&area.level, area.score) {
        (Some(level), Some(score)) => {
            let _ = write!(
                out,
                "<p><span class=\"level\">Level {} — {}</span> · score {score:.2} · {} of {} answered</p>",
                level.level,
                escape(&level.name),
                area.answered,
                area.total
            );
        }
        _ => out.push_str("<p class=\"note\">not assessed: no statement of this area was answered</p>"),
    }
    out.push_str(&area_flags(area));
    if !area.fit.is_empty() {
        let best = area.level.as_ref().map(|l| l.level);
        out.push_str("<div class=\"bars\" role=\"list\" aria-label=\"fit per level\">");
        for fit in &area.fit {
            let pct = (fit.fit.clamp(0.0, 1.0) * 100.0).round();
            let class = if Some(fit.level) == best { "bar best" } else { "bar" };
            let _ = write!(
                out,
                "<span role=\"listitem\">{} {}</span><span class=\"{class}\"><span style=\"width:{pct}%\"></span></span>\
                 <span class=\"num\">{:.2}</span>",
                fit.level,
                escape(&fit.name),
                fit.fit
            );
        }
        out.push_str(
            "</div><p class=\"note\">Fit = how closely the answers match each level's pattern (1 = exactly).</p>",
        );
    }
    if let (Some(target), false) = (&area.target, area.holding_back.is_empty()) {
        let _ = write!(
            out,
            "<p>What holds it back from <strong>{}</strong>:</p><ul class=\"gaps\">",
            escape(&target.name)
        );
        for gap in area.holding_back.iter().take(HOLDING_BACK_SHOWN) {
            let _ = write!(
                out,
                "<li><code>{}</code> {} <em>({}: answered {:.2}, expects {})</em><br/><span class=\"try\">Try: {}</span></li>",
                escape(&gap.statement),
                escape(&gap.text),
                gap.kind.describe(),
                gap.answered,
                gap.expected,
                escape(&gap.suggestion)
            );
        }
        out.push_str("</ul>");
    }
    if let (Some(target), false) = (&area.target, area.target_statements.is_empty()) {
        let _ = write!(
            out,
            "<p>What <strong>{}</strong> looks like:</p><ul class=\"gaps\">",
            escape(&target.name)
        );
        for st in &area.target_statements {
            let _ = write!(
                out,
                "<li><code>{}</code> {}</li>",
                escape(&st.statement),
                escape(&st.text)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");
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
    let title = format!("{} — assessment #{} on {}", meta.team, meta.id, meta.date());
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header><h1>{}</h1><p class=\"meta\">{} mode · model {}</p></header>",
        escape(&title),
        meta.mode,
        escape(&report.model.key())
    );
    let o = &report.overall;
    body.push_str("<h2>Overall</h2>");
    match o.mean_score {
        Some(mean) => {
            let _ = write!(
                body,
                "<p>Mean score <strong>{mean:.2}</strong> across {} of {} areas",
                o.assessed_areas, o.total_areas
            );
            if let Some(weakest) = o.weakest_text() {
                let _ = write!(body, "; {}", escape(&weakest));
            }
            body.push_str(".</p>\n");
        }
        None => body.push_str("<p>No area was assessed.</p>\n"),
    }
    body.push_str(&inline(&svg::report_radar(report, history, targets)));
    body.push_str("<h2>Result per area</h2>\n");
    for area in &report.areas {
        report_area(&mut body, area);
    }
    if let Some(plan) = plan.filter(|p| !p.is_empty()) {
        let names: Vec<(String, String)> = report.areas.iter().map(|a| (a.id.clone(), a.name.clone())).collect();
        plan_section(&mut body, &names, plan);
    }
    if let Some(history) = history.filter(|h| h.entries.len() > 1) {
        body.push_str("<h2>Trend</h2>\n");
        body.push_str(&inline_wide(&svg::history_trend(history)));
    }
    page(&title, &body, &credit(&report.model))
}

fn level_cell(level: Option<asyncmm_model::Level>) -> String {
    level.map_or_else(|| "–".to_string(), |l| l.number().to_string())
}

/// The team's plan: regressions since the previous comparable result, goals
/// (baseline → current → target, on track, projected) and actions. Every
/// text is user input or model text, so all of it is escaped; action links
/// are http(s) only (checked when stored).
fn plan_section(out: &mut String, areas: &[(String, String)], plan: &PlanReport) {
    let area_name = |id: &asyncmm_model::AreaId| {
        areas
            .iter()
            .find(|(a, _)| a == id.as_str())
            .map_or_else(|| id.to_string(), |(_, name)| name.clone())
    };
    out.push_str("<h2>Plan</h2>\n");
    match &plan.current_from {
        Some(from) => {
            let _ = write!(out, "<p class=\"meta\">Current levels from {}", escape(from));
            if let Some(previous) = &plan.previous_from {
                let _ = write!(out, "; compared with {}", escape(previous));
            }
            out.push_str(".</p>\n");
        }
        None => out.push_str("<p class=\"meta\">No result yet to measure progress against.</p>\n"),
    }
    if let (Some(previous), false) = (&plan.previous_from, plan.regressions.is_empty()) {
        let _ = write!(out, "<p>Regressions since {}:</p><ul class=\"gaps\">", escape(previous));
        for r in &plan.regressions {
            let _ = write!(
                out,
                "<li><span class=\"flag\">regression</span> {}: level {} → {}</li>",
                escape(&area_name(&r.area)),
                r.previous.number(),
                r.current.number()
            );
        }
        out.push_str("</ul>\n");
    }
    if !plan.goals.is_empty() {
        out.push_str(
            "<h3>Goals</h3><div class=\"table-wrap\"><table class=\"goals\"><thead><tr><th>Area</th>\
             <th>Baseline → current → target</th><th>Status</th><th>Projected if open actions succeed</th></tr></thead><tbody>",
        );
        for g in &plan.goals {
            let p = &g.progress;
            let change = match p.change {
                Some(c) if c > 0 => format!(" ({c:+})"),
                Some(c) if c < 0 => format!(" ({c})"),
                _ => String::new(),
            };
            let regressed = if g.regressed {
                " <span class=\"flag\">regression</span>"
            } else {
                ""
            };
            let status = match &p.status {
                asyncmm_core::plan::GoalStatus::AtRisk { reason } => {
                    format!("<strong>at risk</strong>: {}", escape(reason))
                }
                asyncmm_core::plan::GoalStatus::Missed => "<strong>missed</strong>".to_string(),
                other => escape(other.label()),
            };
            let split = if p.split {
                " <span class=\"flag\">split</span>"
            } else {
                ""
            };
            let projected = match &p.projected {
                Projection::Computed { level, score } => format!("level {} ({score})", level.number()),
                Projection::NotComputable { .. } => "–".to_string(),
            };
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}<br/><span class=\"by\">by {}</span></th>\
                 <td>{} → {}{split} → <strong>{}</strong>{change}{regressed}</td><td>{status}</td><td>{}</td></tr>",
                escape(&area_name(&p.area)),
                day_text(p.by),
                level_cell(p.baseline),
                level_cell(p.current),
                p.target.number(),
                escape(&projected)
            );
        }
        out.push_str("</tbody></table></div>\n");
        if plan
            .goals
            .iter()
            .any(|g| matches!(g.progress.projected, Projection::NotComputable { .. }))
        {
            out.push_str(
                "<p class=\"note\">Projected: the level if every open action succeeds; \
                 – where it can't be computed (quick answers or no result).</p>\n",
            );
        } else {
            out.push_str("<p class=\"note\">Projected: the level if every open action succeeds.</p>\n");
        }
    }
    out.push_str("<h3>Actions</h3>\n");
    if plan.actions.is_empty() {
        out.push_str("<p class=\"note\">No actions yet.</p>\n");
        return;
    }
    out.push_str("<ul class=\"actions\">");
    for a in &plan.actions {
        let title = match &a.link {
            Some(link) => format!("<a href=\"{}\">{}</a>", escape(link.as_str()), escape(&a.title)),
            None => escape(&a.title),
        };
        let title = if a.status == ActionStatus::Dropped {
            format!("<s>{title}</s>")
        } else {
            title
        };
        let owner = a
            .owner
            .as_deref()
            .map_or_else(String::new, |o| format!(" — {}", escape(o)));
        let statements: Vec<String> = a
            .statements
            .iter()
            .map(|s| format!("<code>{}</code>", escape(&s.to_string())))
            .collect();
        let _ = write!(
            out,
            "<li><span class=\"status {0}\">{0}</span> {title}{owner} <span class=\"note\">{1}</span></li>",
            a.status.as_str(),
            statements.join(" ")
        );
    }
    out.push_str("</ul>\n");
}

fn hidden_text(hidden: &HiddenInfo) -> String {
    escape(&hidden.text())
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
    let title = format!("{} — round {}", r.team, r.id);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header><h1>{}</h1><p class=\"meta\">{} mode · k = {} · {} responses · opened {}{} · model {}</p></header>",
        escape(&title),
        r.mode,
        r.k,
        r.responses,
        escape(&r.opens_on),
        r.closes_on
            .as_ref()
            .map_or_else(String::new, |c| format!(" · closes after {}", escape(c))),
        escape(&report.model.key())
    );
    if let Some(hidden) = &report.hidden {
        let _ = write!(
            body,
            "<p><strong>{}</strong></p><p>Results appear once at least k people have answered; nobody's answers are shown alone.</p>",
            hidden_text(hidden)
        );
        return page(&title, &body, &credit(&report.model));
    }
    if let Some(prev) = report.previous_round {
        let _ = write!(body, "<p class=\"meta\">compared with round {prev}</p>");
    }
    // Round medians as a radar: the team's typical answer per area.
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
    match history {
        Some(history) => body.push_str(&inline(&svg::history_radar(history, targets))),
        None => body.push_str(&inline(&svg::radar(
            &format!("{} — median score per area", r.team),
            &areas,
            &series,
        ))),
    }
    body.push_str("<h2>Result per area</h2>\n");
    for area in &report.areas {
        let _ = write!(body, "<section class=\"area\"><h3>{}</h3>", escape(&area.name));
        if let Some(hidden) = &area.hidden {
            let _ = writeln!(body, "<p class=\"note\">{}</p></section>", hidden_text(hidden));
            continue;
        }
        let level = area
            .level
            .as_ref()
            .map_or_else(String::new, |l| format!("Level {} — {}", l.level, escape(&l.name)));
        let split = if area.disagreement {
            " <span class=\"flag\">! split</span>"
        } else {
            ""
        };
        let change = match area.delta {
            Some(d) if area.regression => format!(" · change {d:+.2} <span class=\"flag\">regression</span>"),
            Some(d) => format!(" · change {d:+.2}"),
            None => String::new(),
        };
        let _ = write!(
            body,
            "<p><span class=\"level\">{level}</span>{split} · median score {} · n = {}{change}</p>\
             <p class=\"note\">spread of individual scores: lowest {} · lower quartile (Q1) {} · upper quartile (Q3) {} · \
             highest {} · middle-half spread (IQR) {}</p>",
            area.median.map_or_else(|| "–".to_string(), crate::data::score_text),
            area.n,
            opt2(area.min),
            opt2(area.q1),
            opt2(area.q3),
            opt2(area.max),
            opt2(area.iqr)
        );
        if area.disagreement {
            body.push_str(
                "<p><span class=\"flag\">! disagreement</span> the middle half of the team spans a level or more — talk it through</p>",
            );
        }
        let total: u64 = area.levels.iter().sum();
        body.push_str("<div class=\"bars\" aria-label=\"respondents per level\">");
        for (level, count) in area.levels.iter().enumerate() {
            let pct = if total == 0 {
                0.0
            } else {
                (*count as f64 / total as f64 * 100.0).round()
            };
            let _ = write!(
                body,
                "<span>level {level}</span><span class=\"bar\"><span style=\"width:{pct}%\"></span></span><span class=\"num\">{count}</span>"
            );
        }
        body.push_str("</div><p class=\"note\">Respondents per level.</p>");
        if let (Some(target), false) = (&area.target, area.holding_back.is_empty()) {
            let _ = write!(
                body,
                "<p>To reach <strong>{}</strong> (from the team's mean answers):</p><ul class=\"gaps\">",
                escape(&target.name)
            );
            for gap in area.holding_back.iter().take(HOLDING_BACK_SHOWN) {
                let _ = write!(
                    body,
                    "<li><code>{}</code> {} <em>(mean {:.2}, expects {})</em><br/><span class=\"try\">Try: {}</span></li>",
                    escape(&gap.statement),
                    escape(&gap.text),
                    gap.answered,
                    gap.expected,
                    escape(&gap.suggestion)
                );
            }
            body.push_str("</ul>");
        }
        body.push_str("</section>\n");
    }
    if let Some(plan) = plan.filter(|p| !p.is_empty()) {
        let names: Vec<(String, String)> = report.areas.iter().map(|a| (a.id.clone(), a.name.clone())).collect();
        plan_section(&mut body, &names, plan);
    }
    if let Some(history) = history.filter(|h| h.entries.iter().filter(|e| e.is_round()).count() > 1) {
        body.push_str("<h2>Trend</h2>\n");
        body.push_str(&inline_wide(&svg::history_trend(history)));
    }
    page(&title, &body, &credit(&report.model))
}

/// A hidden cell: its short mark, and why in full as a tooltip.
fn hidden_cell(hidden: &HiddenInfo) -> String {
    format!(
        "<td class=\"hidden\" title=\"{}\">{}</td>",
        escape(&hidden.text()),
        escape(hidden.short())
    )
}

fn org_cell(cell: Option<&OrgCell>, row_hidden: Option<&HiddenInfo>, levels: &[String]) -> String {
    match cell {
        _ if row_hidden.is_some() => row_hidden.map(hidden_cell).unwrap_or_default(),
        Some(OrgCell { hidden: Some(h), .. }) => hidden_cell(h),
        Some(OrgCell {
            level: Some(level),
            median,
            disagreement,
            ..
        }) => format!(
            "<td>{level} {} ({}){}</td>",
            escape(levels.get(usize::from(*level)).map_or("", String::as_str)),
            median.map_or_else(|| "–".to_string(), crate::data::score_text),
            if *disagreement {
                " <span class=\"flag\">! split</span>"
            } else {
                ""
            }
        ),
        _ => "<td>–</td>".to_string(),
    }
}

type OrgTableRow<'a> = (String, Option<u64>, Option<&'a HiddenInfo>, &'a [OrgCell]);

fn org_table(out: &mut String, first: &str, areas: &[AreaName], levels: &[String], rows: &[OrgTableRow<'_>]) {
    let with_n = rows.iter().any(|r| r.1.is_some());
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table><thead><tr><th>{}</th>",
        escape(first)
    );
    if with_n {
        out.push_str("<th>n</th>");
    }
    for area in areas {
        let _ = write!(out, "<th>{}</th>", escape(&area.name));
    }
    out.push_str("</tr></thead><tbody>");
    for (name, n, hidden, cells) in rows {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(name));
        if let Some(n) = n {
            let _ = write!(out, "<td class=\"num\">{n}</td>");
        }
        for area in areas {
            out.push_str(&org_cell(cells.iter().find(|c| c.area == area.id), *hidden, levels));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>\n");
}

/// The org view: heat map of teams × areas, the table, and the roll-ups.
pub fn render_org_html(report: &OrgReport) -> String {
    let title = "Organisation — latest closed round of each team";
    let mut body = format!("<header><h1>{title}</h1></header>\n");
    body.push_str(&inline_wide(&svg::org_heatmap(report)));
    body.push_str("<h2>Teams</h2>\n");
    let rows: Vec<OrgTableRow> = report
        .teams
        .iter()
        .map(|t| (t.team.clone(), Some(t.responses), t.hidden.as_ref(), t.cells.as_slice()))
        .collect();
    org_table(&mut body, "Team", &report.areas, &report.levels, &rows);
    body.push_str(
        "<p class=\"note\">Cells: level (median score); ! split: the team disagrees — the middle half of its scores \
         spans a level or more (IQR ≥ 1), so its level is not settled; open: round still open \
         (only its count shows); n&lt;k: hidden, fewer than k answered; none: no responses.</p>\n",
    );
    for row in report.teams.iter().filter(|t| t.open_round.is_some()) {
        if let Some(open) = &row.open_round {
            let _ = writeln!(
                body,
                "<p class=\"note\">{}: round {} is open, {} responses so far (shown once it closes).</p>",
                escape(&row.team),
                open.round,
                open.responses
            );
        }
    }
    for rollup in &report.rollups {
        let rule = match rollup.rule {
            asyncmm_core::anonymity::RollupRule::MedianOfTeamMedians => "median of team medians (visible teams only)",
            asyncmm_core::anonymity::RollupRule::PooledRespondents => "all respondents pooled",
        };
        let _ = writeln!(
            body,
            "<h2>Roll-up: {}, {} mode</h2><p class=\"meta\">{rule}</p>",
            escape(&rollup.model),
            rollup.mode
        );
        let rows: Vec<OrgTableRow> = rollup
            .rows
            .iter()
            .map(|r| (r.node.clone(), None, r.hidden.as_ref(), r.cells.as_slice()))
            .collect();
        org_table(&mut body, "Group", &report.areas, &report.levels, &rows);
        for row in &rollup.rows {
            if let Some(left_out) = &row.left_out {
                let _ = writeln!(
                    body,
                    "<p class=\"note\">{}: {}</p>",
                    escape(&row.node),
                    escape(left_out)
                );
            }
        }
    }
    if !report.teams_without_rounds.is_empty() {
        let names: Vec<String> = report.teams_without_rounds.iter().map(|t| escape(t)).collect();
        let _ = writeln!(body, "<p class=\"note\">No round yet: {}</p>", names.join(", "));
    }
    page(title, &body, &crate::credit::html_footer(&report.models))
}

/// The trend chart as a table (area × point in time, full area names), for
/// readers who can't use the chart: the same entries the chart draws.
fn trend_table(out: &mut String, report: &HistoryReport) {
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
    let what = if rounds {
        "median score per closed round"
    } else {
        "score per self-assessment"
    };
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table class=\"trend-table\"><caption class=\"meta\">The chart as a table: \
         {what}</caption><thead><tr><th>Area</th>"
    );
    for entry in &entries {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(&entry.source.date));
    }
    out.push_str("</tr></thead><tbody>");
    for (id, name) in &areas {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(name));
        for entry in &entries {
            let score = entry.areas.iter().find(|a| a.id == *id).and_then(|a| a.score);
            let _ = write!(out, "<td class=\"num\">{}</td>", opt2(score));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>\n");
}

/// A team's assessments oldest first: trend chart and a table of changes.
pub fn render_history_html(report: &HistoryReport) -> String {
    let title = format!("{} — history", report.team);
    let mut body = format!("<header><h1>{}</h1></header>\n", escape(&title));
    if report.entries.is_empty() {
        body.push_str("<p>No results yet.</p>");
        return page(&title, &body, &crate::credit::html_footer(&report.models));
    }
    body.push_str(&inline_wide(&svg::history_trend(report)));
    trend_table(&mut body, report);
    for entry in &report.entries {
        let note = match (entry.break_text(), entry.compared_text()) {
            (Some(why), _) => format!(" · {why}"),
            (None, Some(compared)) => format!(" · {}", escape(&compared)),
            (None, None) => String::new(),
        };
        let _ = write!(
            body,
            "<h2>{}</h2><p class=\"meta\">{} mode · model {} · mean score {}{note}</p>",
            escape(&entry.heading()),
            entry.mode,
            escape(&entry.model),
            opt2(entry.mean_score),
        );
        body.push_str(
            "<div class=\"table-wrap\"><table><thead><tr><th>Area</th><th>Level</th><th>Score (median for a round)</th><th>Middle half of the team</th><th>Change</th></tr></thead><tbody>",
        );
        for area in &entry.areas {
            let level = area
                .level
                .as_ref()
                .map_or_else(|| "–".to_string(), |l| format!("{} {}", l.level, escape(&l.name)));
            let change = match area.delta {
                Some(d) if area.regression => format!("{d:+.2} <span class=\"flag\">regression</span>"),
                Some(d) => format!("{d:+.2}"),
                None => "–".to_string(),
            };
            let spread = match (area.q1, area.q3) {
                (Some(q1), Some(q3)) => format!("{q1:.2}–{q3:.2}"),
                _ => "–".to_string(),
            };
            let split = if area.disagreement {
                " <span class=\"flag\">split: the team disagrees</span>"
            } else {
                ""
            };
            let _ = write!(
                body,
                "<tr><th scope=\"row\">{}</th><td>{level}{split}</td><td class=\"num\">{}</td><td class=\"num\">{spread}</td><td>{change}</td></tr>",
                escape(&area.name),
                opt2(area.score)
            );
        }
        body.push_str("</tbody></table></div>\n");
    }
    page(&title, &body, &crate::credit::html_footer(&report.models))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{AssessmentMeta, AssessmentReport, HistoryReport};
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
}
