//! Turning model TOML text into a [`Model`], with every problem reported as
//! `file:line:column: what is wrong`.
//!
//! The raw structs mirror the file and keep the position of each value, so a
//! semantic error (duplicate id, id in the wrong place) can point at the exact
//! spot, not only syntax errors. All problems are collected, not just the
//! first, so one `validate` run shows everything to fix.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use asyncmm_text::{Block, Line, TextError};

use crate::ids::{AreaId, Level, StatementId};
use crate::model::{Area, Change, ChangeTarget, LevelInfo, Model, Places, Pos, Profile, Scoring, Source, Statement};
use crate::position::{LineIndex, line_column};

/// The longest one-line text of a model (names, titles, suggestions).
const MAX_LINE_CHARS: usize = 500;
/// The longest prose of a model (an intro, a statement, a note).
const MAX_PROSE_CHARS: usize = 10_000;

/// One problem in a model file, with its position (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.origin, self.line, self.column, self.message)
    }
}

/// Every problem found in a model file; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ModelError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    model: RawHeader,
    levels: Spanned<Vec<RawLevel>>,
    scoring: Spanned<RawScoring>,
    areas: Spanned<Vec<RawArea>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: Spanned<String>,
    version: Spanned<String>,
    #[serde(default)]
    revises: Option<Spanned<String>>,
    title: Spanned<String>,
    #[serde(default)]
    description: Option<Spanned<String>>,
    source: RawSource,
    #[serde(default)]
    changes: Vec<RawChange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    version: Spanned<String>,
    id: Spanned<String>,
    #[serde(default)]
    part: Option<Spanned<String>>,
    reason: Spanned<String>,
    #[serde(default)]
    left_out: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: Spanned<String>,
    author: Spanned<String>,
    license: Spanned<String>,
    #[serde(default)]
    license_url: Option<Spanned<String>>,
    url: Spanned<String>,
    #[serde(default)]
    adapted_from: Option<Spanned<String>>,
    #[serde(default)]
    adapted_from_url: Option<Spanned<String>>,
    #[serde(default)]
    changes: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    number: Spanned<i64>,
    name: Spanned<String>,
    meaning: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScoring {
    beta: Spanned<f64>,
    profiles: Spanned<Vec<Spanned<Vec<Spanned<i64>>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    id: Spanned<String>,
    name: Spanned<String>,
    intro: Spanned<String>,
    statements: Spanned<Vec<RawStatement>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    id: Spanned<String>,
    text: Spanned<String>,
    suggestion: Spanned<String>,
    #[serde(default)]
    hint: Option<Spanned<String>>,
}

/// Collects problems with positions computed from byte offsets.
struct Problems<'a> {
    origin: &'a str,
    lines: LineIndex<'a>,
    found: Vec<Problem>,
}

impl<'a> Problems<'a> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = self.lines.line_column(span.start);
        self.found.push(Problem {
            origin: self.origin.to_string(),
            line,
            column,
            message: message.into(),
        });
    }

    /// A one-line text (a name, a title, a suggestion that becomes an
    /// action's title) by the text rule of every input.
    fn non_empty(&mut self, value: &Spanned<String>, what: &str) -> String {
        self.text(value, what, |t| Line::parse(t, MAX_LINE_CHARS).map(Line::into_string))
    }

    /// Prose that may run over several lines (intros, meanings, statements,
    /// hints, notes).
    fn prose(&mut self, value: &Spanned<String>, what: &str) -> String {
        self.text(value, what, |t| {
            Block::parse(t, MAX_PROSE_CHARS).map(Block::into_string)
        })
    }

    fn text(
        &mut self,
        value: &Spanned<String>,
        what: &str,
        rule: impl Fn(&str) -> Result<String, TextError>,
    ) -> String {
        match rule(value.get_ref()) {
            Ok(text) => text,
            Err(TextError::Empty) => {
                self.at(value.span(), format!("{what} is empty"));
                String::new()
            }
            Err(problem) => {
                self.at(value.span(), format!("{what}: {problem}"));
                value.get_ref().trim().to_string()
            }
        }
    }

    /// An optional text: absent is fine, present must say something.
    fn optional(&mut self, value: Option<&Spanned<String>>, what: &str) -> Option<String> {
        value.map(|v| self.non_empty(v, what))
    }

    /// Optional prose; absent or blank is no text.
    fn optional_prose(&mut self, value: Option<&Spanned<String>>, what: &str) -> String {
        match value {
            Some(v) if !v.get_ref().trim().is_empty() => self.prose(v, what),
            _ => String::new(),
        }
    }

    fn pos(&self, span: Range<usize>) -> Pos {
        let (line, column) = self.lines.line_column(span.start);
        Pos { line, column }
    }
}

/// Parse and validate a model. `origin` names the file in error messages.
pub fn parse(source: &str, origin: &str) -> Result<Model, ModelError> {
    let raw: RawFile = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(source, s.start));
            return Err(ModelError {
                problems: vec![Problem {
                    origin: origin.to_string(),
                    line,
                    column,
                    message: e.message().trim().to_string(),
                }],
            });
        }
    };
    let mut problems = Problems {
        origin,
        lines: LineIndex::new(source),
        found: Vec::new(),
    };
    let model = build(raw, &mut problems);
    match model {
        Some(model) if problems.found.is_empty() => Ok(model),
        _ => Err(ModelError {
            problems: problems.found,
        }),
    }
}

fn build(raw: RawFile, p: &mut Problems<'_>) -> Option<Model> {
    let id = p.non_empty(&raw.model.id, "model id");
    if !id.is_empty() && AreaId::parse(&id).is_err() {
        p.at(
            raw.model.id.span(),
            format!("model id {id:?} must be a lowercase slug (letters, digits, '-', '_')"),
        );
    }
    let version = p.non_empty(&raw.model.version, "model version");
    let revises = p.optional(raw.model.revises.as_ref(), "`revises`");
    if let (Some(revises), Some(span)) = (&revises, raw.model.revises.as_ref())
        && !revises.is_empty()
        && revises == &version
    {
        p.at(
            span.span(),
            format!("`revises` names this model's own version {version}: it must name an earlier version"),
        );
    }
    let title = p.non_empty(&raw.model.title, "model title");
    let source = build_source(&raw.model.source, p);
    let mut places = Places {
        origin: p.origin.to_string(),
        model_id: p.pos(raw.model.id.span()),
        version: p.pos(raw.model.version.span()),
        revises: raw.model.revises.as_ref().map(|r| p.pos(r.span())),
        ..Places::default()
    };

    let levels = build_levels(&raw.levels, p, &mut places);
    let scoring = build_scoring(&raw.scoring, p, &mut places);
    let areas = build_areas(&raw.areas, p, &mut places);
    let changes = build_changes(&raw.model.changes, &areas, p);

    let mut statement_index = BTreeMap::new();
    for (a, area) in areas.iter().enumerate() {
        for (s, statement) in area.statements.iter().enumerate() {
            statement_index.insert(statement.id.clone(), (a, s));
        }
    }
    Some(Model {
        id,
        version,
        revises,
        title,
        description: p.optional_prose(raw.model.description.as_ref(), "model description"),
        source,
        levels: levels?,
        scoring: scoring?,
        areas,
        changes,
        statement_index,
        places,
    })
}

fn build_source(src: &RawSource, p: &mut Problems<'_>) -> Source {
    let adapted_from = p.optional(src.adapted_from.as_ref(), "source adapted_from");
    let adapted_from_url = p.optional(src.adapted_from_url.as_ref(), "source adapted_from_url");
    if let (None, Some(url)) = (&src.adapted_from, &src.adapted_from_url) {
        p.at(
            url.span(),
            "source adapted_from_url needs adapted_from, the title of the work it links to",
        );
    }
    Source {
        title: p.non_empty(&src.title, "source title"),
        author: p.non_empty(&src.author, "source author"),
        license: p.non_empty(&src.license, "source license"),
        license_url: p
            .optional(
                src.license_url.as_ref().filter(|v| !v.get_ref().trim().is_empty()),
                "source license_url",
            )
            .unwrap_or_default(),
        url: p.non_empty(&src.url, "source url"),
        adapted_from,
        adapted_from_url,
        changes: p.optional_prose(src.changes.as_ref(), "source changes"),
    }
}

/// Change notes must point at something this model has, so a note can't
/// outlive the statement, area or level it explains.
fn build_changes(raw: &[RawChange], areas: &[Area], p: &mut Problems<'_>) -> Vec<Change> {
    // Looked up once per note: a set, so many notes stay linear.
    let statement_ids: BTreeSet<&StatementId> = areas.iter().flat_map(|a| a.statements.iter().map(|s| &s.id)).collect();
    let area_ids: BTreeSet<&AreaId> = areas.iter().map(|a| &a.id).collect();
    let mut changes = Vec::new();
    for entry in raw {
        let version = p.non_empty(&entry.version, "change version");
        let reason = p.prose(
            &entry.reason,
            &format!("reason of the change to {}", entry.id.get_ref().trim()),
        );
        let left_out = entry.left_out.as_ref().map(|v| p.prose(v, "change left_out"));
        let id_text = entry.id.get_ref().trim();
        let Some(target) = ChangeTarget::parse(id_text) else {
            p.at(
                entry.id.span(),
                format!(
                    "change id {id_text:?} must be a statement id (`documentation.2.1`), an area id (`documentation`) or a level (`level.2`)"
                ),
            );
            continue;
        };
        let known = match &target {
            ChangeTarget::Statement(id) => statement_ids.contains(id),
            ChangeTarget::Area(id) => area_ids.contains(id),
            ChangeTarget::Level(_) => true,
        };
        if !known {
            p.at(
                entry.id.span(),
                format!("change note for {target}, which this model does not have"),
            );
        }
        let allowed = target.parts();
        let part = match &entry.part {
            None => allowed[0],
            Some(raw_part) => {
                let text = raw_part.get_ref().trim();
                match allowed.iter().find(|part| part.as_str() == text) {
                    Some(part) => *part,
                    None => {
                        let names: Vec<&str> = allowed.iter().map(|part| part.as_str()).collect();
                        p.at(
                            raw_part.span(),
                            format!("change part {text:?} of {target} must be one of {}", names.join(", ")),
                        );
                        continue;
                    }
                }
            }
        };
        changes.push(Change {
            version,
            target,
            part,
            reason,
            left_out,
        });
    }
    changes
}

fn build_levels(raw: &Spanned<Vec<RawLevel>>, p: &mut Problems<'_>, places: &mut Places) -> Option<[LevelInfo; 4]> {
    let mut slots: [Option<LevelInfo>; 4] = [None, None, None, None];
    for entry in raw.get_ref() {
        let number = *entry.number.get_ref();
        let Some(level) = u8::try_from(number).ok().and_then(|n| Level::new(n).ok()) else {
            p.at(
                entry.number.span(),
                format!("level number {number} is not one of 0, 1, 2, 3"),
            );
            continue;
        };
        let info = LevelInfo {
            level,
            name: p.non_empty(&entry.name, "level name"),
            meaning: p.prose(&entry.meaning, "level meaning"),
        };
        let slot = &mut slots[level.index()];
        if slot.is_some() {
            p.at(entry.number.span(), format!("level {level} is defined twice"));
        } else {
            *slot = Some(info);
            places.level_names[level.index()] = p.pos(entry.name.span());
        }
    }
    for level in Level::ALL {
        if slots[level.index()].is_none() {
            p.at(
                raw.span(),
                format!("missing level {level}: a model defines levels 0, 1, 2 and 3"),
            );
        }
    }
    let [a, b, c, d] = slots;
    Some([a?, b?, c?, d?])
}

fn build_scoring(raw: &Spanned<RawScoring>, p: &mut Problems<'_>, places: &mut Places) -> Option<Scoring> {
    let scoring = raw.get_ref();
    let beta = *scoring.beta.get_ref();
    places.beta = p.pos(scoring.beta.span());
    if !(beta.is_finite() && beta > 0.0 && beta <= 100.0) {
        p.at(
            scoring.beta.span(),
            format!("scoring beta must be a number above 0 and at most 100, got {beta}"),
        );
    }
    let rows = scoring.profiles.get_ref();
    if rows.len() != Level::COUNT {
        p.at(
            scoring.profiles.span(),
            format!(
                "scoring profiles must have 4 rows (one per team level 0-3), found {}",
                rows.len()
            ),
        );
        return None;
    }
    let mut profiles = [Profile([0; 4]); 4];
    let mut ok = true;
    for (team_level, row) in rows.iter().enumerate() {
        if row.get_ref().len() != Level::COUNT {
            p.at(
                row.span(),
                format!(
                    "profile of level {team_level} must list 4 agreements (for statements of levels 0-3), found {}",
                    row.get_ref().len()
                ),
            );
            ok = false;
            continue;
        }
        for (statement_level, value) in row.get_ref().iter().enumerate() {
            places.profiles[team_level][statement_level] = p.pos(value.span());
            match u8::try_from(*value.get_ref()) {
                Ok(v) if v <= 3 => profiles[team_level].0[statement_level] = v,
                _ => {
                    p.at(
                        value.span(),
                        format!("profile agreement must be 0, 1, 2 or 3, got {}", value.get_ref()),
                    );
                    ok = false;
                }
            }
        }
    }
    ok.then_some(Scoring { beta, profiles })
}

fn build_areas(raw: &Spanned<Vec<RawArea>>, p: &mut Problems<'_>, places: &mut Places) -> Vec<Area> {
    if raw.get_ref().is_empty() {
        p.at(raw.span(), "a model needs at least one area");
    }
    let mut seen_areas = BTreeSet::new();
    let mut seen_statements = BTreeSet::new();
    let mut areas = Vec::new();
    for raw_area in raw.get_ref() {
        let id_text = raw_area.id.get_ref().trim();
        let id = match AreaId::parse(id_text) {
            Ok(id) => id,
            Err(e) => {
                p.at(raw_area.id.span(), e.to_string());
                continue;
            }
        };
        if !seen_areas.insert(id.clone()) {
            p.at(raw_area.id.span(), format!("duplicate area id \"{id}\""));
        }
        places.areas.entry(id.clone()).or_insert(p.pos(raw_area.id.span()));
        let name = p.non_empty(&raw_area.name, "area name");
        let intro = p.prose(&raw_area.intro, "area intro");
        let mut statements = Vec::new();
        for raw_statement in raw_area.statements.get_ref() {
            let text = raw_statement.id.get_ref().trim();
            let sid = match StatementId::parse(text) {
                Ok(sid) => sid,
                Err(e) => {
                    p.at(raw_statement.id.span(), e.to_string());
                    continue;
                }
            };
            if sid.area() != &id {
                p.at(
                    raw_statement.id.span(),
                    format!("statement id {sid} does not match its place: it is listed under area \"{id}\""),
                );
            }
            if !seen_statements.insert(sid.clone()) {
                p.at(raw_statement.id.span(), format!("duplicate statement id {sid}"));
            }
            places
                .statements
                .entry(sid.clone())
                .or_insert(p.pos(raw_statement.id.span()));
            statements.push(Statement {
                text: p.prose(&raw_statement.text, &format!("text of {sid}")),
                suggestion: p.non_empty(&raw_statement.suggestion, &format!("suggestion of {sid}")),
                hint: raw_statement
                    .hint
                    .as_ref()
                    .map(|h| p.prose(h, &format!("hint of {sid}"))),
                id: sid,
            });
        }
        for level in Level::ALL {
            if !statements.iter().any(|s| s.level() == level) {
                p.at(
                    raw_area.statements.span(),
                    format!(
                        "area \"{id}\" has no statement for level {level}: every area needs statements at levels 0-3"
                    ),
                );
            }
        }
        areas.push(Area {
            id,
            name,
            intro,
            statements,
        });
    }
    areas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        let src = "ab\ncdé\nf";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 3), (2, 1));
        assert_eq!(line_column(src, 8), (3, 1));
        assert_eq!(line_column(src, 5), (2, 3));
    }
}
