//! Plain-text renderers for the terminal. Colour is the caller's decision
//! (a TTY and no `NO_COLOR`), passed in as [`Style`], so the same function
//! produces clean text for pipes and files.

use std::fmt::Write;

use asyncmm_core::history::Trend;
use asyncmm_model::Model;

use crate::data::{AreaReport, AssessmentReport, HOLDING_BACK_SHOWN, HistoryReport, ModelInfo};

/// Whether to emit ANSI colour codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Red, yellow, blue, green for levels 0–3.
    fn level(self, level: u8, text: &str) -> String {
        let code = match level {
            0 => "31",
            1 => "33",
            2 => "34",
            _ => "32",
        };
        self.paint(code, text)
    }
}

/// A ten-cell bar for a value in 0..=1.
pub fn bar(fraction: f64) -> String {
    let cells = (fraction.clamp(0.0, 1.0) * 10.0).round() as usize;
    format!("{}{}", "█".repeat(cells), "░".repeat(10 - cells))
}

/// Wraps `text` at `width` columns, indenting continuation lines.
pub(crate) fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            out.push_str(indent);
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out
}

fn flags(area: &AreaReport) -> String {
    let mut notes = Vec::new();
    if area.inconsistent {
        notes.push("inconsistent answers: no level's pattern fits well");
    }
    if area.low_confidence {
        notes.push("low confidence: fewer than half the statements answered");
    }
    notes.join("; ")
}

pub fn render_report(report: &AssessmentReport, style: Style) -> String {
    let mut out = String::new();
    let meta = &report.assessment;
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!("{} — assessment #{} on {}", meta.team, meta.id, meta.date()))
    );
    let _ = writeln!(
        out,
        "{}",
        style.dim(&format!("{} mode, model {}", meta.mode, report.model.key()))
    );
    for area in &report.areas {
        out.push('\n');
        render_area(&mut out, area, style);
    }
    out.push('\n');
    let overall = &report.overall;
    match (overall.mean_score, overall.weakest_text()) {
        (Some(mean), Some(weakest)) => {
            let _ = writeln!(
                out,
                "{} mean score {mean:.2} across {} of {} areas; {weakest}",
                style.bold("Overall:"),
                overall.assessed_areas,
                overall.total_areas
            );
        }
        _ => {
            let _ = writeln!(out, "{} no area was assessed", style.bold("Overall:"));
        }
    }
    out.push('\n');
    for line in wrap(&crate::credit::text(&report.model), 78, "").lines() {
        let _ = writeln!(out, "{}", style.dim(line));
    }
    out
}

fn render_area(out: &mut String, area: &AreaReport, style: Style) {
    let (Some(level), Some(score)) = (&area.level, area.score) else {
        let _ = writeln!(
            out,
            "{} {}",
            style.bold(&format!("{:<24}", area.name)),
            style.dim("not assessed")
        );
        return;
    };
    let label = format!("{} ({})", level.name, level.level);
    // Quick mode answers one question per area, so a count says nothing there.
    let answered = if area.fit.is_empty() {
        String::new()
    } else {
        style.dim(&format!("  {}/{} answered", area.answered, area.total))
    };
    let _ = writeln!(
        out,
        "{} {}  score {score:.2}{answered}",
        style.bold(&format!("{:<24}", area.name)),
        style.level(level.level, &format!("{label:<14}")),
    );
    let notes = flags(area);
    if !notes.is_empty() {
        let _ = writeln!(out, "  ! {notes}");
    }
    for fit in &area.fit {
        let _ = writeln!(out, "  fit {:<11} {} {:.2}", fit.name, bar(fit.fit), fit.fit);
    }
    let Some(target) = &area.target else { return };
    let reach = if target.level == level.level {
        format!("to stay at {}", target.name)
    } else {
        format!("to reach {}", target.name)
    };
    if !area.holding_back.is_empty() {
        let _ = writeln!(out, "  {reach}:");
        for gap in area.holding_back.iter().take(HOLDING_BACK_SHOWN) {
            let what = gap.kind.describe();
            let _ = writeln!(
                out,
                "  - [{}] {} (answered {}, {} expects {})",
                gap.statement,
                what,
                trim_number(gap.answered),
                target.name,
                gap.expected
            );
            let _ = writeln!(out, "    {}", wrap(&gap.text, 76, "    "));
            let _ = writeln!(
                out,
                "    {} {}",
                style.dim("try:"),
                wrap(&gap.suggestion, 71, "         ")
            );
        }
        let more = area.holding_back.len().saturating_sub(HOLDING_BACK_SHOWN);
        if more > 0 {
            let _ = writeln!(out, "  {}", style.dim(&format!("(+{more} more in --format json)")));
        }
    } else if !area.target_statements.is_empty() {
        let _ = writeln!(out, "  {reach}, a team would say:");
        for st in &area.target_statements {
            let _ = writeln!(out, "  - [{}] {}", st.statement, wrap(&st.text, 70, "    "));
        }
    }
}

/// `1` rather than `1.00`, `0.67` as is.
pub fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

pub fn trend_arrow(trend: Option<Trend>) -> &'static str {
    match trend {
        Some(Trend::Up) => "▲",
        Some(Trend::Down) => "▼",
        Some(Trend::Same) => "=",
        None => " ",
    }
}

pub fn render_history(report: &HistoryReport, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold(&format!("History of {}", report.team)));
    if report.entries.is_empty() {
        let _ = writeln!(out, "no results stored for this team yet");
        return out;
    }
    let _ = writeln!(
        out,
        "{}",
        style.dim(
            "rounds are the team's view (median of its respondents), self-assessments one person's; each is compared \
             with the previous one of its kind"
        )
    );
    for entry in &report.entries {
        out.push('\n');
        let mean = entry.mean_score.map_or_else(|| "-".to_string(), |m| format!("{m:.2}"));
        let _ = writeln!(
            out,
            "{}  {}",
            style.bold(&format!("{} ({} mode, {})", entry.heading(), entry.mode, entry.model)),
            format_args!("mean {mean}")
        );
        if let Some(why) = entry.break_text() {
            let _ = writeln!(out, "  {}", style.dim(why));
        } else if let Some(compared) = entry.compared_text() {
            let _ = writeln!(out, "  {}", style.dim(&compared));
        }
        for area in &entry.areas {
            let Some(level) = &area.level else {
                let _ = writeln!(out, "  {:<24} not assessed", area.name);
                continue;
            };
            let delta = area.delta.map_or_else(String::new, |d| format!("{d:+.2}"));
            let arrow = trend_arrow(area.trend);
            let arrow = match area.trend {
                Some(Trend::Up) => style.paint("32", arrow),
                Some(Trend::Down) => style.paint("31", arrow),
                _ => arrow.to_string(),
            };
            let spread = match (area.q1, area.q3) {
                (Some(q1), Some(q3)) => format!("  middle half {q1:.2}–{q3:.2}"),
                _ => String::new(),
            };
            let split = if area.disagreement {
                style.paint("33", "  ! split: the team disagrees")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {:<24} {:<14} {:.2} {arrow} {delta}{spread}{split}",
                area.name,
                format!("{} ({})", level.name, level.level),
                area.score.unwrap_or_default()
            );
            if area.regression {
                let _ = writeln!(
                    out,
                    "  {}",
                    style.paint("31", &format!("  regression: {} dropped a level", area.name))
                );
            }
        }
    }
    out
}

/// The model in readable form: its credit, levels, areas and every
/// statement with its id and hint, then the change notes.
pub fn render_model(model: &Model) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", model.title, model.key());
    let _ = writeln!(out, "{}", wrap(&crate::credit::text(&ModelInfo::of(model)), 78, ""));
    if let Some(base) = &model.revises {
        let _ = writeln!(
            out,
            "{}",
            wrap(
                &format!(
                    "Wording revision of {}@{base}: same ids, levels and scoring, so results compare with it.",
                    model.id
                ),
                78,
                ""
            )
        );
    }
    out.push('\n');
    for info in &model.levels {
        let _ = writeln!(out, "Level {} {}: {}", info.level, info.name, info.meaning);
    }
    let indent = " ".repeat(25);
    for area in &model.areas {
        let _ = writeln!(out, "\n== {} ({}) ==", area.name, area.id);
        let _ = writeln!(out, "{}", wrap(&area.intro, 78, ""));
        for info in &model.levels {
            let _ = writeln!(out, "\n  Level {} {}", info.level, info.name);
            for s in area.statements_at(info.level) {
                let _ = writeln!(out, "  {:<22} {}", s.id.to_string(), wrap(&s.text, 54, &indent));
                if let Some(hint) = &s.hint {
                    let _ = writeln!(out, "{indent}{}", wrap(&format!("Hint: {hint}"), 54, &indent));
                }
            }
        }
    }
    if !model.changes.is_empty() {
        let _ = writeln!(out, "\n== Changes ==");
        for change in &model.changes {
            let _ = writeln!(out, "\n  {} {} ({})", change.version, change.target, change.part);
            let _ = writeln!(out, "    {}", wrap(&change.reason, 74, "    "));
            if let Some(left_out) = &change.left_out {
                let _ = writeln!(out, "    {}", wrap(&format!("Left out: {left_out}"), 74, "    "));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_have_ten_cells() {
        assert_eq!(bar(0.0), "░░░░░░░░░░");
        assert_eq!(bar(1.0), "██████████");
        assert_eq!(bar(0.54), "█████░░░░░");
        assert_eq!(bar(7.0).chars().count(), 10);
    }

    #[test]
    fn wrap_breaks_long_lines() {
        let wrapped = wrap("aaa bbb ccc ddd", 7, "  ");
        assert_eq!(wrapped, "aaa bbb\n  ccc ddd");
    }

    #[test]
    fn plain_style_has_no_escape_codes() {
        assert_eq!(Style::PLAIN.bold("x"), "x");
        assert_eq!(Style { color: true }.bold("x"), "\x1b[1mx\x1b[0m");
    }
}
