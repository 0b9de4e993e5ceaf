//! Reports of asyncmm results. One data structure per report
//! ([`AssessmentReport`], [`HistoryReport`]) is built from the model and the
//! scoring engine's output; each format is a separate renderer fed that same
//! structure, so formats can't disagree on content.
#![forbid(unsafe_code)]

pub mod check;
pub mod credit;
pub mod csv;
pub mod data;
pub mod html;
pub mod markdown;
pub mod perception;
pub mod plan;
pub mod summary;
pub mod svg;
pub mod team;
pub mod text;

pub use data::{AssessmentMeta, AssessmentReport, HistoryReport, ModelInfo};
pub use plan::PlanReport;
pub use text::Style;

/// JSON with a stable, documented shape (see `docs/json.md`).
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}
