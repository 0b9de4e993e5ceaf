//! The CI gate's verdict (`asyncmm check`) as data and as text: which areas
//! meet their bar and by how much the others fall short.

use std::fmt::Write as _;

use serde::Serialize;

/// One area's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaVerdict {
    pub area: String,
    pub required: u8,
    pub level: Option<u8>,
    pub score: Option<f64>,
    /// Levels missing to reach the bar (0 when met).
    pub short_by: u8,
    pub pass: bool,
}

/// The verdict of a check: `check --format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub schema: &'static str,
    pub team: String,
    /// Which result was checked ("round 3", "assessment #12").
    pub source: String,
    pub pass: bool,
    pub areas: Vec<AreaVerdict>,
    /// Goals whose date has not come yet: listed, not enforced.
    pub goals_not_due: Vec<String>,
}

impl Verdict {
    /// The areas below their bar, by id.
    pub fn failing(&self) -> Vec<&str> {
        self.areas.iter().filter(|a| !a.pass).map(|a| a.area.as_str()).collect()
    }
}

/// One line per area, the goals not yet due, then `passed` or `failed`.
pub fn render_check_text(verdict: &Verdict) -> String {
    let mut text = String::new();
    for a in &verdict.areas {
        let status = if a.pass { "ok  " } else { "FAIL" };
        let got = a
            .level
            .map_or_else(|| "not assessed".to_string(), |l| format!("level {l}"));
        let detail = if a.pass || a.level.is_none() {
            String::new()
        } else {
            format!(", {} level(s) short", a.short_by)
        };
        let _ = writeln!(text, "{status} {:<20} {got}, needs {}{detail}", a.area, a.required);
    }
    for goal in &verdict.goals_not_due {
        let _ = writeln!(text, "not due: {goal}");
    }
    let _ = writeln!(
        text,
        "{}: {} ({})",
        if verdict.pass { "passed" } else { "failed" },
        verdict.team,
        verdict.source
    );
    text
}
