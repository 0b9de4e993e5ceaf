//! The async communications maturity model as data.
//!
//! This crate owns what a model *is* (areas, levels, statements, scoring
//! parameters), how a model file is read and checked, and the default model
//! embedded in the binary. It does no I/O: callers hand it the file's text and
//! a name to use in error messages.
#![forbid(unsafe_code)]

mod ids;
mod model;
mod parse;

pub use ids::{AreaId, IdError, Level, StatementId};
pub use model::{Area, LevelInfo, Model, Profile, Scoring, Source, Statement};
pub use parse::{ModelError, Problem, line_column, parse};

/// The text of the default model shipped inside the binary.
pub const DEFAULT_MODEL_TOML: &str = include_str!("../../../models/async-communications.toml");

/// The name used for the embedded model in messages.
pub const DEFAULT_MODEL_ORIGIN: &str = "<embedded>/async-communications.toml";

/// The default model, parsed.
///
/// The embedded file is checked by this crate's tests, so the error branch is
/// only reachable if the build shipped a broken file; it is still reported,
/// not panicked on.
pub fn default_model() -> Result<Model, ModelError> {
    parse(DEFAULT_MODEL_TOML, DEFAULT_MODEL_ORIGIN)
}
