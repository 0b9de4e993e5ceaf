//! CSV for spreadsheets: tidy rows, one per assessment × area.

use crate::data::HistoryReport;

/// Quotes a field when it holds a separator, quote or line break, and
/// defuses spreadsheet formula injection (a cell starting with `=`, `+`, `-`
/// or `@` is prefixed with `'`).
pub fn field(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| format!("{v:.2}"))
}

pub const HISTORY_HEADER: &str = "team,kind,id,date,respondents,mode,model,area,level,level_name,score,q1,q3,\
disagreement,delta,trend,regression,compared_with,break,wording_revised_in";

pub fn render_history(report: &HistoryReport) -> String {
    let mut out = String::from(HISTORY_HEADER);
    out.push('\n');
    for entry in &report.entries {
        for area in &entry.areas {
            let trend = match area.trend {
                Some(asyncmm_core::history::Trend::Up) => "up",
                Some(asyncmm_core::history::Trend::Down) => "down",
                Some(asyncmm_core::history::Trend::Same) => "same",
                None => "",
            };
            let brk = match entry.break_ {
                Some(asyncmm_core::history::Break::ModelChanged) => "model_changed",
                Some(asyncmm_core::history::Break::ModeChanged) => "mode_changed",
                None => "",
            };
            let row = [
                field(&report.team),
                entry.source.kind.to_string(),
                entry.source.id.to_string(),
                entry.source.date.clone(),
                entry.source.respondents.to_string(),
                entry.mode.to_string(),
                field(&entry.model),
                field(&area.id),
                area.level.as_ref().map_or_else(String::new, |l| l.level.to_string()),
                area.level.as_ref().map_or_else(String::new, |l| field(&l.name)),
                opt(area.score),
                opt(area.q1),
                opt(area.q3),
                area.disagreement.to_string(),
                area.delta.map_or_else(String::new, |d| format!("{d:+.2}")),
                trend.to_string(),
                area.regression.to_string(),
                entry.compared_with.as_deref().map_or_else(String::new, field),
                brk.to_string(),
                entry.wording_revised_in.as_deref().map_or_else(String::new, field),
            ];
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

pub const REPORT_HEADER: &str =
    "team,assessment,taken_at,mode,model,area,level,level_name,score,answered,total,inconsistent,low_confidence";

/// One row per area of one assessment.
pub fn render_report(report: &crate::data::AssessmentReport) -> String {
    let mut out = String::from(REPORT_HEADER);
    out.push('\n');
    let meta = &report.assessment;
    for area in &report.areas {
        let row = [
            field(&meta.team),
            meta.id.to_string(),
            meta.taken_at.clone(),
            meta.mode.to_string(),
            field(&report.model.key()),
            field(&area.id),
            area.level.as_ref().map_or_else(String::new, |l| l.level.to_string()),
            area.level.as_ref().map_or_else(String::new, |l| field(&l.name)),
            opt(area.score),
            area.answered.to_string(),
            area.total.to_string(),
            area.inconsistent.to_string(),
            area.low_confidence.to_string(),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("-1,2"), "\"'-1,2\"");
    }
}
