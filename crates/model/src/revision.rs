//! Wording revisions: a model version that rewords an earlier one while
//! keeping everything results depend on, so results of both stay comparable.
//!
//! A model file says `revises = "1.0.0"` in `[model]` to claim that it is a
//! wording revision of version 1.0.0 of the same model: same statement ids
//! (and so the same levels), same level names, same scoring profiles and β.
//! [`check_revision`] is the one place that claim is verified; a model that
//! fails it is a new, non-comparable model, not a revision. `revises` always
//! names the first version of the line (a revision of a revision names the
//! same base), so a single model knows its [`Lineage`] without needing the
//! versions in between.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::ids::{Level, StatementId};
use crate::model::{Model, Pos};
use crate::parse::{ModelError, Problem};

/// The comparable line a model version belongs to: its id and the first
/// version of the line. Results recorded with models of the same lineage
/// may be compared and rolled up together; any other pair may not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Lineage {
    pub model: String,
    /// The first version of the line: the version every revision names in
    /// `revises`, or the model's own version when it revises nothing.
    pub base: String,
}

impl fmt::Display for Lineage {
    /// `async-communications@1.0.0`: the key of the line's first version.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.model, self.base)
    }
}

impl Model {
    /// The comparable line this version belongs to.
    ///
    /// This trusts the file's `revises` claim; a claim is only as good as
    /// the [`check_revision`] run that accepted it.
    pub fn lineage(&self) -> Lineage {
        Lineage {
            model: self.id.clone(),
            base: self.revises.clone().unwrap_or_else(|| self.version.clone()),
        }
    }

    /// A problem placed at this model's `revises` key (or its version when
    /// it has none).
    pub fn revises_problem(&self, message: impl Into<String>) -> Problem {
        let at = self.places.revises.unwrap_or(self.places.version);
        self.places.problem(at, message)
    }

    /// Whether results taken with `other` compare with results taken with
    /// this model (the same version, or versions of one lineage).
    pub fn is_comparable_with(&self, other: &Model) -> bool {
        self.lineage() == other.lineage()
    }
}

/// Checks that `later` is a wording revision of `earlier`: it declares
/// `revises` = the first version of `earlier`'s line, has a new version, and
/// keeps the model id, every statement id (and so every statement's level),
/// the level names, the scoring profiles and β. Texts, suggestions, hints,
/// intros, level meanings, change notes and the order of things may change.
///
/// Every difference is reported, at its place in `later`'s file where it has
/// one, otherwise at its place in `earlier`'s.
pub fn check_revision(earlier: &Model, later: &Model) -> Result<(), ModelError> {
    let mut problems = Vec::new();
    let at_later = |pos: Pos, message: String| later.places.problem(pos, message);
    let earlier_key = earlier.key();
    let base = earlier.lineage().base;

    if later.id != earlier.id {
        problems.push(at_later(
            later.places.model_id,
            format!(
                "model id \"{}\" is not the id of {earlier_key}: a revision keeps the model id",
                later.id
            ),
        ));
    }
    if later.version == earlier.version {
        problems.push(at_later(
            later.places.version,
            format!(
                "version {} is the version of the earlier model {earlier_key}: a revision needs a new version",
                later.version
            ),
        ));
    }
    match (&later.revises, later.places.revises) {
        (None, _) => problems.push(at_later(
            later.places.version,
            format!("a revision of {earlier_key} must say so: add `revises = \"{base}\"` to [model]"),
        )),
        (Some(claimed), Some(pos)) if claimed != &base => {
            let message = if claimed == &earlier.version {
                format!(
                    "`revises = \"{claimed}\"`, but {earlier_key} is itself a revision of {base}: name the first version of the line, `revises = \"{base}\"`"
                )
            } else {
                format!(
                    "`revises = \"{claimed}\"` does not name {earlier_key} (the first version of its line is {base})"
                )
            };
            problems.push(at_later(pos, message));
        }
        _ => {}
    }

    for level in Level::ALL {
        let (before, now) = (earlier.level_name(level), later.level_name(level));
        if before != now {
            problems.push(at_later(
                later.places.level_names[level.index()],
                format!(
                    "level {level} is named \"{now}\" here but \"{before}\" in {earlier_key}: a revision keeps the level names"
                ),
            ));
        }
    }

    compare_statements(earlier, later, &mut problems);

    let (before, now) = (earlier.scoring.beta, later.scoring.beta);
    if before.to_bits() != now.to_bits() {
        problems.push(at_later(
            later.places.beta,
            format!("scoring beta is {now} here but {before} in {earlier_key}: a revision keeps the scoring"),
        ));
    }
    for team in Level::ALL {
        for statements in Level::ALL {
            let before = earlier.scoring.profile(team).expected(statements);
            let now = later.scoring.profile(team).expected(statements);
            if before != now {
                problems.push(at_later(
                    later.places.profiles[team.index()][statements.index()],
                    format!(
                        "the profile of a level-{team} team expects {now} on level-{statements} statements here but {before} in {earlier_key}: a revision keeps the scoring"
                    ),
                ));
            }
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(ModelError { problems })
    }
}

/// Areas and statement ids: missing, added, or moved to another level.
fn compare_statements(earlier: &Model, later: &Model, problems: &mut Vec<Problem>) {
    let earlier_key = earlier.key();
    for area in &earlier.areas {
        if later.area(&area.id).is_none() {
            let at = earlier.places.areas.get(&area.id).copied().unwrap_or_default();
            problems.push(earlier.places.problem(
                at,
                format!(
                    "area \"{}\" of {earlier_key} is missing from {}: a revision keeps every area",
                    area.id, later.places.origin
                ),
            ));
        }
    }
    for area in &later.areas {
        if earlier.area(&area.id).is_none() {
            let at = later.places.areas.get(&area.id).copied().unwrap_or_default();
            problems.push(later.places.problem(
                at,
                format!(
                    "area \"{}\" is not in {earlier_key}: a revision can't add areas (that makes a new model)",
                    area.id
                ),
            ));
        }
    }

    let before: BTreeSet<&StatementId> = earlier.statements().map(|s| &s.id).collect();
    let now: BTreeSet<&StatementId> = later.statements().map(|s| &s.id).collect();
    for id in now.difference(&before) {
        // A statement of an added area is covered by that area's problem.
        if earlier.area(id.area()).is_some() {
            let at = later.places.statements.get(*id).copied().unwrap_or_default();
            problems.push(later.places.problem(
                at,
                format!(
                    "statement {id} is not in {earlier_key}: a revision keeps the same statement ids (new or renamed ids make a new model)"
                ),
            ));
        }
    }
    for id in before.difference(&now) {
        if later.area(id.area()).is_some() {
            let at = later.places.areas.get(id.area()).copied().unwrap_or_default();
            problems.push(later.places.problem(
                at,
                format!(
                    "statement {id} of {earlier_key} is missing from area \"{}\": a revision keeps every statement id",
                    id.area()
                ),
            ));
        }
    }
    // Ids carry the level, so a statement moved to another level also shows
    // up above; naming the levels whose statements changed says what it
    // does to scoring.
    for area in &later.areas {
        let Some(old) = earlier.area(&area.id) else { continue };
        for level in Level::ALL {
            let (was, is) = (old.statements_at(level).count(), area.statements_at(level).count());
            if was != is {
                let at = later.places.areas.get(&area.id).copied().unwrap_or_default();
                problems.push(later.places.problem(
                    at,
                    format!(
                        "area \"{}\" has {is} statement(s) at level {level} here but {was} in {earlier_key}: a revision keeps every statement at its level",
                        area.id
                    ),
                ));
            }
        }
    }
}
