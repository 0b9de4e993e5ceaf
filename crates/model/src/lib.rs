//! The async communications maturity model as data.
//!
//! This crate owns what a model *is* (areas, levels, statements, scoring
//! parameters, change notes), how a model file is read and checked, which
//! versions are wording revisions of which, and the model versions embedded
//! in the binary. It does no I/O: callers hand it the file's text and a name
//! to use in error messages.
#![forbid(unsafe_code)]

mod cache;
mod ids;
mod model;
mod parse;
mod position;
mod revision;

pub use cache::{parse_cached, parse_shared};
pub use ids::{AreaId, IdError, Level, StatementId};
pub use model::{Area, Change, ChangePart, ChangeTarget, LevelInfo, Model, Profile, Scoring, Source, Statement};
pub use parse::{ModelError, Problem, parse};
pub use position::{LineIndex, line_column};
pub use revision::{Lineage, check_revision};

/// The text of the default model shipped inside the binary.
pub const DEFAULT_MODEL_TOML: &str = include_str!("../../../models/async-communications.toml");

/// The name used for the embedded model in messages.
pub const DEFAULT_MODEL_ORIGIN: &str = "<embedded>/async-communications.toml";

/// One model version shipped inside the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Embedded {
    pub id: &'static str,
    pub version: &'static str,
    /// The name used for it in messages.
    pub origin: &'static str,
    pub text: &'static str,
}

impl Embedded {
    pub fn parse(&self) -> Result<Model, ModelError> {
        parse(self.text, self.origin)
    }
}

/// Every model version the binary carries: the default and the earlier
/// versions it revises, kept byte for byte as they were released so a
/// revision can be checked against them. (This crate's tests check that
/// each entry's id and version are the ones its text declares.)
pub const EMBEDDED: &[Embedded] = &[
    Embedded {
        id: "async-communications",
        version: "1.0.0",
        origin: "<embedded>/history/async-communications-1.0.0.toml",
        text: include_str!("../../../models/history/async-communications-1.0.0.toml"),
    },
    Embedded {
        id: "async-communications",
        version: "1.1.0",
        origin: DEFAULT_MODEL_ORIGIN,
        text: DEFAULT_MODEL_TOML,
    },
];

/// The default model, parsed.
///
/// The embedded file is checked by this crate's tests, so the error branch is
/// only reachable if the build shipped a broken file; it is still reported,
/// not panicked on.
pub fn default_model() -> Result<Model, ModelError> {
    parse_cached(DEFAULT_MODEL_TOML, DEFAULT_MODEL_ORIGIN)
}

/// The embedded version `id@version`, if the binary carries it.
pub fn embedded(id: &str, version: &str) -> Option<&'static Embedded> {
    EMBEDDED.iter().find(|e| e.id == id && e.version == version)
}

/// The built-in model a revision names in `revises`: `Ok(None)` for a model
/// that revises nothing, an error at the `revises` key when it names a
/// version the binary doesn't carry (only the caller can supply that one).
pub fn builtin_base(later: &Model) -> Result<Option<Model>, ModelError> {
    let Some(base) = later.revises.as_deref() else {
        return Ok(None);
    };
    match embedded(&later.id, base) {
        Some(entry) => entry.parse().map(Some),
        None => Err(ModelError {
            problems: vec![later.revises_problem(format!(
                "`revises = \"{base}\"` names {}@{base}, which is not built in",
                later.id
            ))],
        }),
    }
}
