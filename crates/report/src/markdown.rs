//! GitHub-flavoured Markdown, ready to paste into an issue or wiki page.

use std::fmt::Write;

use asyncmm_model::Model;

use crate::data::{AssessmentReport, HOLDING_BACK_SHOWN, HistoryReport, ModelInfo};
use crate::text::{trend_arrow, trim_number};

/// Makes text safe inside a table cell or list item: pipes and line breaks
/// would break the table, and leading markup characters would be read as
/// formatting.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

pub fn render_report(report: &AssessmentReport) -> String {
    let mut out = String::new();
    let meta = &report.assessment;
    let _ = writeln!(
        out,
        "## Async communications: {} ({})\n",
        escape(&meta.team),
        meta.date()
    );
    let _ = writeln!(
        out,
        "Assessment #{} · {} mode · model `{}`\n",
        meta.id,
        meta.mode,
        report.model.key()
    );
    let _ = writeln!(out, "| Area | Level | Score | Answered | Notes |");
    let _ = writeln!(out, "|---|---|---:|---:|---|");
    for area in &report.areas {
        let (level, score) = match (&area.level, area.score) {
            (Some(l), Some(s)) => (format!("{} {}", l.level, escape(&l.name)), format!("{s:.2}")),
            _ => ("not assessed".to_string(), "–".to_string()),
        };
        let mut notes = Vec::new();
        if area.inconsistent {
            notes.push("inconsistent");
        }
        if area.low_confidence {
            notes.push("low confidence");
        }
        let _ = writeln!(
            out,
            "| {} | {level} | {score} | {}/{} | {} |",
            escape(&area.name),
            area.answered,
            area.total,
            notes.join(", ")
        );
    }
    let overall = &report.overall;
    if let (Some(mean), Some(weakest)) = (overall.mean_score, overall.weakest_text()) {
        let _ = writeln!(
            out,
            "\n**Overall:** mean score {mean:.2} across {} of {} areas; {}.",
            overall.assessed_areas,
            overall.total_areas,
            escape(&weakest)
        );
    }
    let explained: Vec<_> = report
        .areas
        .iter()
        .filter(|a| !a.holding_back.is_empty() || !a.target_statements.is_empty())
        .collect();
    if !explained.is_empty() {
        let _ = writeln!(out, "\n### What holds us back");
        for area in explained {
            let Some(target) = &area.target else { continue };
            let _ = writeln!(out, "\n#### {} → {}\n", escape(&area.name), escape(&target.name));
            for gap in area.holding_back.iter().take(HOLDING_BACK_SHOWN) {
                let what = gap.kind.describe();
                let _ = writeln!(
                    out,
                    "- [ ] `{}` {} — *{what}: answered {}, {} expects {}*  \n  Try: {}",
                    gap.statement,
                    escape(&gap.text),
                    trim_number(gap.answered),
                    escape(&target.name),
                    gap.expected,
                    escape(&gap.suggestion)
                );
            }
            for st in &area.target_statements {
                let _ = writeln!(out, "- [ ] `{}` {}", st.statement, escape(&st.text));
            }
        }
    }
    let _ = writeln!(out, "\n<sub>{}</sub>", crate::credit::markdown(&report.model));
    out
}

pub fn render_history(report: &HistoryReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## History of {}\n", escape(&report.team));
    let Some(first) = report.entries.first() else {
        let _ = writeln!(out, "No results stored for this team yet.");
        return out;
    };
    let _ = writeln!(
        out,
        "Rounds are the team's view (median of its respondents); self-assessments are one person's. Each is \
         compared with the previous one of its kind, same questionnaire and mode.\n"
    );
    let _ = write!(out, "| Result | Date | Mode | Mean |");
    for area in &first.areas {
        let _ = write!(out, " {} |", escape(&area.name));
    }
    let _ = write!(out, "\n|---:|---|---|---:|");
    for _ in &first.areas {
        let _ = write!(out, "---|");
    }
    out.push('\n');
    for entry in &report.entries {
        let mean = entry.mean_score.map_or_else(|| "–".to_string(), |m| format!("{m:.2}"));
        let kind = if entry.is_round() {
            format!("{} (n = {})", entry.source.label, entry.source.respondents)
        } else {
            entry.source.label.clone()
        };
        let mode = match (entry.break_text(), &entry.wording_revised_in) {
            (Some(_), _) => format!("{} (not compared)", entry.mode),
            (None, Some(version)) => format!("{} (wording revised in {version})", entry.mode),
            (None, None) => entry.mode.to_string(),
        };
        let _ = write!(out, "| {} | {} | {mode} | {mean} |", escape(&kind), entry.source.date);
        for area in &entry.areas {
            match (&area.level, area.score) {
                (Some(l), Some(s)) => {
                    let delta = area
                        .delta
                        .map_or_else(String::new, |d| format!(" {} {d:+.2}", trend_arrow(area.trend)));
                    let warn = if area.regression { " ⚠" } else { "" };
                    let split = if area.disagreement { " ⚑ split" } else { "" };
                    let _ = write!(out, " {} {} ({s:.2}){delta}{warn}{split} |", l.level, escape(&l.name));
                }
                _ => {
                    let _ = write!(out, " – |");
                }
            }
        }
        out.push('\n');
    }
    out
}

/// The model as a Markdown document: levels, areas and statements by id.
pub fn render_model(model: &Model) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} (`{}`)\n", escape(&model.title), model.key());
    let _ = writeln!(out, "{}\n", crate::credit::markdown(&ModelInfo::of(model)));
    if let Some(base) = &model.revises {
        let _ = writeln!(
            out,
            "Wording revision of `{}@{base}`: same ids, levels and scoring, so results compare with it.\n",
            model.id
        );
    }
    let _ = writeln!(out, "| Level | Name | Meaning |\n|---:|---|---|");
    for info in &model.levels {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            info.level,
            escape(&info.name),
            escape(&info.meaning)
        );
    }
    for area in &model.areas {
        let _ = writeln!(
            out,
            "\n## {} (`{}`)\n\n{}\n",
            escape(&area.name),
            area.id,
            escape(&area.intro)
        );
        let _ = writeln!(out, "| Id | Statement | Hint | Suggestion |\n|---|---|---|---|");
        for s in &area.statements {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                s.id,
                escape(&s.text),
                s.hint.as_deref().map(escape).unwrap_or_default(),
                escape(&s.suggestion)
            );
        }
    }
    if !model.changes.is_empty() {
        let _ = writeln!(
            out,
            "\n## Changes\n\n| Version | Id | Part | Reason | Left out |\n|---|---|---|---|---|"
        );
        for c in &model.changes {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                escape(&c.version),
                c.target,
                c.part,
                escape(&c.reason),
                c.left_out.as_deref().map(escape).unwrap_or_default()
            );
        }
    }
    out
}
