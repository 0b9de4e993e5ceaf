//! Answers files: a questionnaire answered in a file instead of in the
//! terminal, so an assessment can be scripted, reviewed or kept in a repository.
//!
//! This module owns the file format and its error messages. The parser
//! ([`parse`]) is a pure function of the text, the file name and the model;
//! only [`read`] touches the file system. Every problem is reported as one
//! line naming the file and, for TOML, the `line:column` of the offending key
//! or value (for JSON: serde_json's position for syntax errors, the key name
//! for everything else, as serde_json keeps no positions for values).
//!
//! # Format
//!
//! TOML when the name ends in `.toml`, JSON when it ends in `.json`, otherwise
//! TOML and then JSON are tried.
//!
//! ```toml
//! team = "Platform"          # optional; --team on the command line overrides it
//! mode = "detailed"          # "quick" or "detailed"
//! [answers]                  # detailed: statement id -> 0..3 or "dont_know"
//! "documentation.0.1" = 0
//! "documentation.2.1" = 3
//! "meetings.3.2" = "dont_know"
//! ```
//!
//! In quick mode `[answers]` maps area ids to the level 0–3 that fits best
//! (`documentation = 2`). JSON has the same shape:
//! `{"team": "Platform", "mode": "quick", "answers": {"documentation": 2}}`.
//!
//! Statements (detailed mode) or areas (quick mode) missing from the file
//! count as *not answered*: they are left out of scoring exactly like
//! "don't know", so a respondent may skip what they can't judge. "Don't
//! know" has the spellings of [`super::is_dont_know`] (`"dont_know"`
//! canonically). At least one real answer is required: a file that answers
//! "don't know" to everything is no response ([`Answers::is_blank`]). Every
//! id must exist in the model the file is checked against, so a typo can't
//! silently become "not answered".

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use asyncmm_core::{Agreement, Answer, AnswerError, Answers, DetailedAnswers, Mode, QuickAnswers, TeamName};
use asyncmm_model::{AreaId, Level, Model, StatementId, line_column};

use super::document::{Format, Key, Node, SyntaxError, Value, json_document, toml_document};
use super::is_dont_know;

pub use super::DONT_KNOW;

/// A parsed answers file: answers checked against the model, and the team
/// named in the file, if any (the command line may override it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswersFile {
    pub team: Option<TeamName>,
    pub answers: Answers,
}

/// Where a problem is: the file and, when known, the 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    /// `(line, column)`, both from 1; `None` when the format keeps no
    /// position (JSON values) or the problem is something missing.
    pub line_column: Option<(usize, usize)>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_column {
            Some((line, column)) => write!(f, "{}:{line}:{column}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// Why an answers file was rejected. Each message is one line starting with
/// the [`Place`]; no variant has an error `source`, so `{:#}` in anyhow does
/// not repeat the cause.
#[derive(Debug, thiserror::Error)]
pub enum AnswersFileError {
    #[error("{cause}")]
    Read { at: Place, cause: super::ReadError },
    #[error("{at}: not valid {format}: {message}")]
    Syntax {
        at: Place,
        format: &'static str,
        message: String,
    },
    #[error("{at}: an answers file must be a table with \"mode\" and \"answers\", got {found}")]
    NotATable { at: Place, found: String },
    #[error("{at}: unknown key {key:?}: an answers file has only \"team\", \"mode\" and \"answers\"")]
    UnknownKey { at: Place, key: String },
    #[error("{at}: {key:?} is given twice")]
    DuplicateKey { at: Place, key: String },
    #[error(
        "{at}: missing \"mode\": add mode = \"quick\" (a level per area) or mode = \"detailed\" (an agreement per statement)"
    )]
    MissingMode { at: Place },
    #[error("{at}: mode must be \"quick\" or \"detailed\", got {found}")]
    BadMode { at: Place, found: String },
    #[error("{at}: team {found}: {problem}")]
    BadTeam { at: Place, found: String, problem: String },
    #[error("{at}: missing \"answers\": a {mode} file lists {}", expects(*.mode))]
    MissingAnswers { at: Place, mode: Mode },
    #[error("{at}: \"answers\" must be a table of {}, got {found}", expects(*.mode))]
    AnswersNotATable { at: Place, mode: Mode, found: String },
    #[error("{at}: \"answers\" is empty: a {mode} file needs at least one answer, as {}", expects(*.mode))]
    EmptyAnswers { at: Place, mode: Mode },
    #[error("{at}: every answer is \"don't know\", which counts as no response: give at least one agreement 0-3")]
    Blank { at: Place },
    #[error("{at}: statement {id} is not in model {model}")]
    UnknownStatement { at: Place, id: StatementId, model: String },
    #[error("{at}: area {id:?} is not in model {model}, whose areas are {known}")]
    UnknownArea {
        at: Place,
        id: String,
        model: String,
        known: String,
    },
    #[error("{at}: {key:?} is not a valid {}: a {mode} file lists {}", id_kind(*.mode), expects(*.mode))]
    MalformedId { at: Place, key: String, mode: Mode },
    #[error(
        "{at}: {key:?} is a statement id, but mode = \"quick\" expects {}; set mode = \"detailed\" to rate statements",
        expects(Mode::Quick)
    )]
    StatementInQuickFile { at: Place, key: String },
    #[error(
        "{at}: {key:?} is an area id, but mode = \"detailed\" expects {}; set mode = \"quick\" to give one level per area",
        expects(Mode::Detailed)
    )]
    AreaInDetailedFile { at: Place, key: String },
    #[error("{at}: {key:?} holds a table, as TOML reads an unquoted dotted key like {key}.2.1 as nested tables; {}", dotted_key_advice(*.mode, key))]
    DottedKey { at: Place, key: String, mode: Mode },
    #[error("{at}: answer to {id} must be 0, 1, 2, 3 or \"dont_know\", got {found}")]
    BadAgreement { at: Place, id: StatementId, found: String },
    #[error("{at}: level of area {area} must be 0, 1, 2 or 3, got {found}")]
    BadLevel { at: Place, area: AreaId, found: String },
    #[error("{at}: {problem}")]
    Invalid { at: Place, problem: AnswerError },
}

/// What the `answers` table of each mode holds, for messages.
fn expects(mode: Mode) -> &'static str {
    match mode {
        Mode::Detailed => {
            "statement ids (`area.level.n`) rated 0, 1, 2, 3 or \"dont_know\", e.g. \"documentation.2.1\" = 3"
        }
        Mode::Quick => "area ids with the level 0-3 that fits best, e.g. documentation = 2",
    }
}

fn id_kind(mode: Mode) -> &'static str {
    match mode {
        Mode::Detailed => "statement id",
        Mode::Quick => "area id",
    }
}

fn dotted_key_advice(mode: Mode, key: &str) -> String {
    match mode {
        Mode::Detailed => format!("quote statement ids: \"{key}.2.1\" = 3"),
        Mode::Quick => format!("quick mode gives one level per area: {key} = 2 (or set mode = \"detailed\")"),
    }
}

/// Reads and parses an answers file; the path (as given) names the file in
/// error messages. Files over [`super::MAX_ANSWERS_FILE`] are refused
/// unread.
pub fn read(path: &Path, model: &Model) -> Result<AnswersFile, AnswersFileError> {
    let name = path.display().to_string();
    match super::read_text(path, "answers file", super::MAX_ANSWERS_FILE) {
        Ok(text) => parse(&text, &name, model),
        Err(cause) => Err(AnswersFileError::Read {
            at: Place {
                file: name,
                line_column: None,
            },
            cause,
        }),
    }
}

/// Parses an answers file's text. `file_name` picks the format by its
/// extension and names the file in error messages.
pub fn parse(text: &str, file_name: &str, model: &Model) -> Result<AnswersFile, AnswersFileError> {
    let syntax = |e: SyntaxError| AnswersFileError::Syntax {
        at: Place {
            file: file_name.to_string(),
            line_column: Some(e.line_column),
        },
        format: e.format,
        message: e.message,
    };
    let format = Format::of(file_name);
    let doc = match format {
        Some(Format::Toml) => toml_document(text).map_err(syntax)?,
        Some(Format::Json) => json_document(text).map_err(syntax)?,
        None => match toml_document(text) {
            Ok(doc) => doc,
            Err(toml_error) => match json_document(text) {
                Ok(doc) => doc,
                // Neither parsed: report the error of the format the text
                // looks like, since a JSON document always starts with `{`
                // and a TOML document never does.
                Err(json_error) if text.trim_start().starts_with('{') => return Err(syntax(json_error)),
                Err(_) => return Err(syntax(toml_error)),
            },
        },
    };
    let checker = Checker {
        file: file_name,
        source: text,
        format: doc.format,
        model,
    };
    checker.check(doc.root)
}

/// Applies the format's rules to a parsed document, stopping at the first
/// problem (in file order) so the user gets one clear line.
struct Checker<'a> {
    file: &'a str,
    source: &'a str,
    format: Format,
    model: &'a Model,
}

impl Checker<'_> {
    fn at(&self, span: Option<&Range<usize>>) -> Place {
        Place {
            file: self.file.to_string(),
            line_column: span.map(|s| line_column(self.source, s.start)),
        }
    }

    fn check(&self, root: Node) -> Result<AnswersFile, AnswersFileError> {
        let Value::Table(entries) = root.value else {
            return Err(AnswersFileError::NotATable {
                at: self.at(None),
                found: root.value.describe(),
            });
        };
        self.no_duplicates(&entries)?;
        let mut team = None;
        let mut mode = None;
        let mut answers = None;
        for (key, node) in entries {
            match key.text.as_str() {
                "team" => team = Some(node),
                "mode" => mode = Some(node),
                "answers" => answers = Some((key, node)),
                _ => {
                    return Err(AnswersFileError::UnknownKey {
                        at: self.at(key.span.as_ref()),
                        key: key.text,
                    });
                }
            }
        }
        let mode = self.mode(mode)?;
        let team = team.map(|node| self.team(node)).transpose()?;
        let Some((answers_key, answers)) = answers else {
            return Err(AnswersFileError::MissingAnswers {
                at: self.at(None),
                mode,
            });
        };
        let Value::Table(entries) = answers.value else {
            return Err(AnswersFileError::AnswersNotATable {
                at: self.at(answers.span.as_ref()),
                mode,
                found: answers.value.describe(),
            });
        };
        if entries.is_empty() {
            // A `[answers]` header has a span; `answers = {}` in JSON has none,
            // so fall back to the key.
            let span = answers.span.as_ref().or(answers_key.span.as_ref());
            return Err(AnswersFileError::EmptyAnswers {
                at: self.at(span),
                mode,
            });
        }
        self.no_duplicates(&entries)?;
        let span = answers.span.clone().or(answers_key.span.clone());
        let answers = match mode {
            Mode::Detailed => Answers::Detailed(self.detailed(entries)?),
            Mode::Quick => Answers::Quick(self.quick(entries)?),
        };
        if answers.is_blank() {
            return Err(AnswersFileError::Blank {
                at: self.at(span.as_ref()),
            });
        }
        Ok(AnswersFile { team, answers })
    }

    /// TOML rejects duplicate keys itself; JSON parsers keep the last one,
    /// which would hide a copy-paste mistake.
    fn no_duplicates(&self, entries: &[(Key, Node)]) -> Result<(), AnswersFileError> {
        let mut seen = BTreeSet::new();
        for (key, _) in entries {
            if !seen.insert(key.text.as_str()) {
                return Err(AnswersFileError::DuplicateKey {
                    at: self.at(key.span.as_ref()),
                    key: key.text.clone(),
                });
            }
        }
        Ok(())
    }

    fn mode(&self, node: Option<Node>) -> Result<Mode, AnswersFileError> {
        let Some(node) = node else {
            return Err(AnswersFileError::MissingMode { at: self.at(None) });
        };
        match &node.value {
            Value::Str(s) => Mode::parse(s),
            _ => None,
        }
        .ok_or_else(|| AnswersFileError::BadMode {
            at: self.at(node.span.as_ref()),
            found: node.value.describe(),
        })
    }

    fn team(&self, node: Node) -> Result<TeamName, AnswersFileError> {
        let problem = match &node.value {
            Value::Str(s) => match TeamName::parse(s) {
                Ok(team) => return Ok(team),
                Err(AnswerError::BadTeamName { problem, .. }) => problem.to_string(),
                Err(other) => other.to_string(),
            },
            _ => "a team name is a string".to_string(),
        };
        Err(AnswersFileError::BadTeam {
            at: self.at(node.span.as_ref()),
            found: node.value.describe(),
            problem,
        })
    }

    fn detailed(&self, entries: Vec<(Key, Node)>) -> Result<DetailedAnswers, AnswersFileError> {
        let mut answers = Vec::with_capacity(entries.len());
        for (key, node) in entries {
            let key_at = self.at(key.span.as_ref());
            let id = match StatementId::parse(&key.text) {
                Ok(id) => id,
                Err(_) => return Err(self.misplaced_key(key, &node, Mode::Detailed)),
            };
            if self.model.statement(&id).is_none() {
                return Err(AnswersFileError::UnknownStatement {
                    at: key_at,
                    id,
                    model: self.model.key(),
                });
            }
            let answer = match &node.value {
                Value::Int(n) => Agreement::try_from(*n).ok().map(Answer::Agree),
                Value::Str(s) if is_dont_know(s) => Some(Answer::DontKnow),
                _ => None,
            };
            let Some(answer) = answer else {
                return Err(AnswersFileError::BadAgreement {
                    at: self.at(node.span.as_ref()),
                    id,
                    found: node.value.describe(),
                });
            };
            answers.push((id, answer));
        }
        DetailedAnswers::for_model(self.model, answers).map_err(|problem| AnswersFileError::Invalid {
            at: self.at(None),
            problem,
        })
    }

    fn quick(&self, entries: Vec<(Key, Node)>) -> Result<QuickAnswers, AnswersFileError> {
        let mut answers = Vec::with_capacity(entries.len());
        for (key, node) in entries {
            let key_at = self.at(key.span.as_ref());
            let area = match AreaId::parse(&key.text) {
                Ok(area) => area,
                Err(_) => return Err(self.misplaced_key(key, &node, Mode::Quick)),
            };
            if self.model.area(&area).is_none() {
                return Err(AnswersFileError::UnknownArea {
                    at: key_at,
                    id: key.text,
                    model: self.model.key(),
                    known: self.known_areas(),
                });
            }
            if self.format == Format::Toml && matches!(node.value, Value::Table(_)) {
                return Err(AnswersFileError::DottedKey {
                    at: key_at,
                    key: key.text,
                    mode: Mode::Quick,
                });
            }
            let level = match &node.value {
                Value::Int(n) => u8::try_from(*n).ok().and_then(|n| Level::new(n).ok()),
                _ => None,
            };
            let Some(level) = level else {
                return Err(AnswersFileError::BadLevel {
                    at: self.at(node.span.as_ref()),
                    area,
                    found: node.value.describe(),
                });
            };
            answers.push((area, level));
        }
        QuickAnswers::for_model(self.model, answers).map_err(|problem| AnswersFileError::Invalid {
            at: self.at(None),
            problem,
        })
    }

    /// The error for a key that is not an id of the kind `mode` expects:
    /// the other kind of id (wrong mode), a TOML dotted-key slip, or neither.
    fn misplaced_key(&self, key: Key, node: &Node, mode: Mode) -> AnswersFileError {
        let at = self.at(key.span.as_ref());
        match mode {
            Mode::Detailed if AreaId::parse(&key.text).is_ok() => {
                if self.format == Format::Toml && matches!(node.value, Value::Table(_)) {
                    AnswersFileError::DottedKey {
                        at,
                        key: key.text,
                        mode,
                    }
                } else {
                    AnswersFileError::AreaInDetailedFile { at, key: key.text }
                }
            }
            Mode::Quick if StatementId::parse(&key.text).is_ok() => {
                AnswersFileError::StatementInQuickFile { at, key: key.text }
            }
            _ => AnswersFileError::MalformedId {
                at,
                key: key.text,
                mode,
            },
        }
    }

    fn known_areas(&self) -> String {
        let ids: Vec<&str> = self.model.areas.iter().map(|a| a.id.as_str()).collect();
        ids.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn model() -> Model {
        asyncmm_model::default_model().expect("the embedded model is valid")
    }

    fn ok(text: &str, name: &str) -> AnswersFile {
        match parse(text, name, &model()) {
            Ok(file) => file,
            Err(e) => panic!("{name} should parse, got: {e}"),
        }
    }

    fn err(text: &str, name: &str) -> AnswersFileError {
        match parse(text, name, &model()) {
            Ok(file) => panic!("{name} should be rejected, got {file:?}"),
            Err(e) => e,
        }
    }

    /// The message, checked to be one line starting with the place.
    fn message(text: &str, name: &str) -> String {
        let shown = err(text, name).to_string();
        assert!(!shown.contains('\n'), "one line expected: {shown}");
        assert!(shown.starts_with(name), "should name the file: {shown}");
        shown
    }

    fn sid(s: &str) -> StatementId {
        StatementId::parse(s).expect("valid statement id")
    }

    fn agree(n: u8) -> Answer {
        Answer::Agree(Agreement::new(n).expect("valid agreement"))
    }

    const DETAILED: &str = r#"team = "Platform"
mode = "detailed"
[answers]
"documentation.0.1" = 0
"documentation.2.1" = 3
"meetings.3.2" = "dont_know"
"#;

    #[test]
    fn detailed_toml() {
        let file = ok(DETAILED, "a.toml");
        assert_eq!(file.team.as_ref().map(TeamName::as_str), Some("Platform"));
        let Answers::Detailed(answers) = file.answers else {
            panic!("detailed answers expected");
        };
        assert_eq!(answers.len(), 3);
        assert_eq!(answers.get(&sid("documentation.0.1")), Some(agree(0)));
        assert_eq!(answers.get(&sid("documentation.2.1")), Some(agree(3)));
        assert_eq!(answers.get(&sid("meetings.3.2")), Some(Answer::DontKnow));
        // Missing statements are not answered.
        assert_eq!(answers.get(&sid("meetings.3.1")), None);
    }

    #[test]
    fn quick_toml_and_json_agree() {
        let toml = ok(
            "mode = \"quick\"\n[answers]\ndocumentation = 2\nmeetings = 0\n",
            "q.toml",
        );
        let json = ok(
            r#"{"mode": "quick", "answers": {"documentation": 2, "meetings": 0}}"#,
            "q.json",
        );
        assert_eq!(toml, json);
        assert_eq!(toml.team, None);
        let Answers::Quick(answers) = toml.answers else {
            panic!("quick answers expected");
        };
        let documentation = AreaId::parse("documentation").expect("area id");
        assert_eq!(answers.get(&documentation), Level::new(2).ok());
        assert_eq!(answers.len(), 2);
    }

    #[test]
    fn other_toml_spellings_of_the_table() {
        let inline = ok("mode = \"quick\"\nanswers = { documentation = 1 }\n", "q.toml");
        let dotted = ok("mode = \"quick\"\nanswers.documentation = 1\n", "q.toml");
        assert_eq!(inline, dotted);
    }

    #[test]
    fn format_follows_the_extension_or_is_guessed() {
        let json = r#"{"mode": "quick", "answers": {"documentation": 1}}"#;
        let toml = "mode = \"quick\"\nanswers.documentation = 1\n";
        assert_eq!(ok(json, "answers"), ok(toml, "answers.txt"));
        assert_eq!(ok(toml, "ANSWERS.TOML"), ok(json, "answers.JSON"));
        // With an explicit extension there is no guessing.
        assert!(matches!(
            err(json, "a.toml"),
            AnswersFileError::Syntax { format: "TOML", .. }
        ));
        assert!(matches!(
            err(toml, "a.json"),
            AnswersFileError::Syntax { format: "JSON", .. }
        ));
        // Unknown extension: the error of the format the text looks like.
        assert!(matches!(
            err("{\"mode\": ", "answers"),
            AnswersFileError::Syntax { format: "JSON", .. }
        ));
        assert!(matches!(
            err("mode = \n", "answers"),
            AnswersFileError::Syntax { format: "TOML", .. }
        ));
    }

    #[test]
    fn toml_syntax_error_has_line_and_column() {
        let shown = message("mode = \"quick\"\n[answers]\ndocumentation = \n", "a.toml");
        assert!(shown.starts_with("a.toml:3:17: not valid TOML: "), "{shown}");
        let shown = message("mode = \"quick\"\n[answers]\na = 1\na = 2\n", "a.toml");
        assert_eq!(shown, "a.toml:4:1: not valid TOML: duplicate key");
    }

    #[test]
    fn json_syntax_error_has_line_and_column() {
        let shown = message("{\n  \"mode\": \"quick\",\n}\n", "a.json");
        assert_eq!(shown, "a.json:3:1: not valid JSON: trailing comma");
        let shown = message("", "a.json");
        assert!(shown.starts_with("a.json:1:1: not valid JSON: EOF"), "{shown}");
    }

    #[test]
    fn unknown_top_level_key() {
        let shown = message(
            "mode = \"quick\"\nteams = \"x\"\n[answers]\ndocumentation = 1\n",
            "a.toml",
        );
        assert_eq!(
            shown,
            "a.toml:2:1: unknown key \"teams\": an answers file has only \"team\", \"mode\" and \"answers\""
        );
        let shown = message(
            r#"{"mode": "quick", "extra": 1, "answers": {"documentation": 1}}"#,
            "a.json",
        );
        assert!(shown.starts_with("a.json: unknown key \"extra\""), "{shown}");
    }

    #[test]
    fn missing_or_bad_mode() {
        let shown = message("[answers]\ndocumentation = 1\n", "a.toml");
        assert!(shown.starts_with("a.toml: missing \"mode\""), "{shown}");
        let shown = message("mode = \"fast\"\n[answers]\ndocumentation = 1\n", "a.toml");
        assert_eq!(
            shown,
            "a.toml:1:8: mode must be \"quick\" or \"detailed\", got \"fast\""
        );
        let shown = message(r#"{"mode": 2, "answers": {"documentation": 1}}"#, "a.json");
        assert_eq!(shown, "a.json: mode must be \"quick\" or \"detailed\", got 2");
    }

    #[test]
    fn unknown_ids_name_the_model() {
        let shown = message("mode = \"detailed\"\n[answers]\n\"documentation.3.9\" = 1\n", "a.toml");
        assert_eq!(
            shown,
            "a.toml:3:1: statement documentation.3.9 is not in model async-communications@1.1.0"
        );
        let shown = message("mode = \"quick\"\n[answers]\ndocs = 1\n", "a.toml");
        assert!(
            shown.starts_with("a.toml:3:1: area \"docs\" is not in model async-communications@1.1.0, whose areas are documentation, decision-making,"),
            "{shown}"
        );
    }

    #[test]
    fn malformed_ids() {
        let shown = message("mode = \"detailed\"\n[answers]\n\"documentation.2.x\" = 1\n", "a.toml");
        assert!(
            shown.starts_with("a.toml:3:1: \"documentation.2.x\" is not a valid statement id: a detailed file lists"),
            "{shown}"
        );
        let shown = message(r#"{"mode": "quick", "answers": {"Documentation": 1}}"#, "a.json");
        assert!(
            shown.starts_with("a.json: \"Documentation\" is not a valid area id: a quick file lists"),
            "{shown}"
        );
    }

    #[test]
    fn ids_of_the_other_mode() {
        let shown = message("mode = \"quick\"\n[answers]\n\"documentation.2.1\" = 1\n", "a.toml");
        assert!(
            shown.starts_with(
                "a.toml:3:1: \"documentation.2.1\" is a statement id, but mode = \"quick\" expects area ids"
            ),
            "{shown}"
        );
        let shown = message("mode = \"detailed\"\n[answers]\ndocumentation = 2\n", "a.toml");
        assert!(
            shown.starts_with(
                "a.toml:3:1: \"documentation\" is an area id, but mode = \"detailed\" expects statement ids"
            ),
            "{shown}"
        );
    }

    #[test]
    fn unquoted_statement_ids_get_a_hint() {
        let shown = message("mode = \"detailed\"\n[answers]\ndocumentation.2.1 = 3\n", "a.toml");
        assert!(
            shown.starts_with("a.toml:3:1: \"documentation\" holds a table"),
            "{shown}"
        );
        assert!(
            shown.ends_with("quote statement ids: \"documentation.2.1\" = 3"),
            "{shown}"
        );
        let shown = message("mode = \"quick\"\n[answers]\ndocumentation.2.1 = 3\n", "a.toml");
        assert!(
            shown.ends_with("documentation = 2 (or set mode = \"detailed\")"),
            "{shown}"
        );
    }

    #[test]
    fn values_out_of_range() {
        for (value, shown_value) in [
            ("4", "4"),
            ("-1", "-1"),
            ("2.5", "2.5"),
            ("\"yes\"", "\"yes\""),
            ("true", "true"),
        ] {
            let text = format!("mode = \"detailed\"\n[answers]\n\"documentation.2.1\" = {value}\n");
            let shown = message(&text, "a.toml");
            assert_eq!(
                shown,
                format!(
                    "a.toml:3:23: answer to documentation.2.1 must be 0, 1, 2, 3 or \"dont_know\", got {shown_value}"
                )
            );
        }
        let shown = message(r#"{"mode": "detailed", "answers": {"meetings.1.1": 2.0}}"#, "a.json");
        assert_eq!(
            shown,
            "a.json: answer to meetings.1.1 must be 0, 1, 2, 3 or \"dont_know\", got 2.0"
        );
        let shown = message("mode = \"quick\"\n[answers]\nmeetings = \"dont_know\"\n", "a.toml");
        assert_eq!(
            shown,
            "a.toml:3:12: level of area meetings must be 0, 1, 2 or 3, got \"dont_know\""
        );
        let shown = message(
            "mode = \"quick\"\n[answers]\nmeetings = 99999999999999999999\n",
            "a.toml",
        );
        assert!(shown.ends_with("got 99999999999999999999"), "{shown}");
    }

    #[test]
    fn empty_or_missing_answers() {
        let shown = message("mode = \"detailed\"\n\n[answers]\n", "a.toml");
        assert!(
            shown.starts_with("a.toml:3:1: \"answers\" is empty: a detailed file needs at least one answer"),
            "{shown}"
        );
        let shown = message(r#"{"mode": "quick", "answers": {}}"#, "a.json");
        assert!(
            shown.starts_with("a.json: \"answers\" is empty: a quick file"),
            "{shown}"
        );
        let shown = message("mode = \"quick\"\n", "a.toml");
        assert!(
            shown.starts_with("a.toml: missing \"answers\": a quick file lists area ids"),
            "{shown}"
        );
        let shown = message("mode = \"quick\"\nanswers = [1, 2]\n", "a.toml");
        assert!(
            shown.starts_with("a.toml:2:11: \"answers\" must be a table of"),
            "{shown}"
        );
        assert!(shown.ends_with("got an array"), "{shown}");
    }

    #[test]
    fn dont_know_to_everything_is_no_response() {
        let text = "mode = \"detailed\"\n[answers]\n\"documentation.0.1\" = \"dont_know\"\n\"meetings.1.1\" = \"?\"\n";
        let shown = message(text, "blank.toml");
        assert!(
            shown.starts_with("blank.toml:2:1: every answer is \"don't know\""),
            "{shown}"
        );
        // Other spellings of "don't know" are read as such.
        let file = ok(
            "mode = \"detailed\"\n[answers]\n\"documentation.0.1\" = \"Don't know\"\n\"meetings.1.1\" = 2\n",
            "spelled.toml",
        );
        let Answers::Detailed(answers) = file.answers else {
            panic!("detailed answers expected");
        };
        assert_eq!(answers.get(&sid("documentation.0.1")), Some(Answer::DontKnow));
    }

    #[test]
    fn bad_team_names() {
        let shown = message("team = \"  \"\nmode = \"quick\"\nanswers.documentation = 1\n", "a.toml");
        assert_eq!(shown, "a.toml:1:8: team \"  \": it is empty");
        let shown = message(
            r#"{"team": 7, "mode": "quick", "answers": {"documentation": 1}}"#,
            "a.json",
        );
        assert_eq!(shown, "a.json: team 7: a team name is a string");
        let shown = message(
            "team = \"Core\\u001b[2J\"\nmode = \"quick\"\nanswers.documentation = 1\n",
            "a.toml",
        );
        assert!(
            shown.starts_with("a.toml:1:8: team \"Core\\u{1b}[2J\": character U+001B (escape) at position 5"),
            "{shown}"
        );
        let file = ok(
            "team = \" Core \"\nmode = \"quick\"\nanswers.documentation = 1\n",
            "a.toml",
        );
        assert_eq!(file.team.as_ref().map(TeamName::as_str), Some("Core"));
    }

    #[test]
    fn json_duplicates_and_non_objects_are_rejected() {
        let shown = message(
            r#"{"mode": "quick", "answers": {"documentation": 1, "documentation": 2}}"#,
            "a.json",
        );
        assert_eq!(shown, "a.json: \"documentation\" is given twice");
        let shown = message("[1, 2]", "a.json");
        assert!(shown.starts_with("a.json: an answers file must be a table"), "{shown}");
    }

    #[test]
    fn read_names_the_missing_file() {
        let e = read(Path::new("/nonexistent/answers.toml"), &model()).expect_err("no such file");
        let shown = e.to_string();
        assert!(
            shown.starts_with("/nonexistent/answers.toml: could not read the answers file: "),
            "{shown}"
        );
    }

    #[test]
    fn positions_count_characters_from_one() {
        let src = "ab\ncdé\nf";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 3), (2, 1));
        assert_eq!(line_column(src, 8), (3, 1));
        assert_eq!(line_column(src, 5), (2, 3));
        assert_eq!(line_column(src, 999), (3, 2));
    }

    #[test]
    fn example_files_parse() {
        let model = model();
        let detailed = parse(
            include_str!("../../../../examples/answers-detailed.toml"),
            "answers-detailed.toml",
            &model,
        )
        .expect("detailed example");
        let Answers::Detailed(answers) = detailed.answers else {
            panic!("detailed example must be detailed");
        };
        assert_eq!(
            answers.len(),
            model.statement_count(),
            "the example answers every statement"
        );
        assert!(answers.iter().any(|(_, a)| a == Answer::DontKnow));

        let quick_toml = parse(
            include_str!("../../../../examples/answers-quick.toml"),
            "answers-quick.toml",
            &model,
        )
        .expect("quick TOML example");
        let quick_json = parse(
            include_str!("../../../../examples/answers-quick.json"),
            "answers-quick.json",
            &model,
        )
        .expect("quick JSON example");
        assert_eq!(quick_toml, quick_json, "the two quick examples say the same");
        assert_eq!(quick_toml.answers.len(), model.areas.len());
    }

    // ---- property tests ----

    /// How a generated answer is written in a file.
    fn written(answer: Answer) -> String {
        match answer {
            Answer::Agree(a) => a.value().to_string(),
            Answer::DontKnow => format!("\"{DONT_KNOW}\""),
        }
    }

    fn toml_file(team: Option<&str>, mode: Mode, entries: &[(String, String)]) -> String {
        let mut text = String::new();
        if let Some(team) = team {
            text.push_str(&format!("team = {team:?}\n"));
        }
        text.push_str(&format!("mode = \"{mode}\"\n[answers]\n"));
        for (key, value) in entries {
            text.push_str(&format!("{key:?} = {value}\n"));
        }
        text
    }

    fn json_file(team: Option<&str>, mode: Mode, entries: &[(String, String)]) -> String {
        let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k:?}: {v}")).collect();
        let team = team.map(|t| format!("\"team\": {t:?}, ")).unwrap_or_default();
        format!("{{{team}\"mode\": \"{mode}\", \"answers\": {{{}}}}}", body.join(", "))
    }

    fn answer_strategy() -> impl Strategy<Value = Answer> {
        prop_oneof![
            (0u8..=3).prop_map(|n| Answer::Agree(Agreement::new(n).expect("in range"))),
            Just(Answer::DontKnow),
        ]
    }

    /// Detailed answers to a random subset of the model's statements, in a
    /// random order.
    fn detailed_strategy() -> impl Strategy<Value = Vec<(StatementId, Answer)>> {
        let ids: Vec<StatementId> = model().statements().map(|s| s.id.clone()).collect();
        let count = ids.len();
        proptest::sample::subsequence(ids, 1..=count)
            .prop_flat_map(|ids| {
                let n = ids.len();
                (Just(ids), proptest::collection::vec(answer_strategy(), n))
            })
            .prop_map(|(ids, answers)| ids.into_iter().zip(answers).collect::<Vec<_>>())
            .prop_filter("a blank response is refused", |answers| {
                answers.iter().any(|(_, a)| *a != Answer::DontKnow)
            })
            .prop_shuffle()
    }

    fn quick_strategy() -> impl Strategy<Value = Vec<(AreaId, Level)>> {
        let ids: Vec<AreaId> = model().areas.iter().map(|a| a.id.clone()).collect();
        let count = ids.len();
        proptest::sample::subsequence(ids, 1..=count)
            .prop_flat_map(|ids| {
                let n = ids.len();
                (Just(ids), proptest::collection::vec(0u8..=3, n))
            })
            .prop_map(|(ids, levels)| {
                ids.into_iter()
                    .zip(levels)
                    .map(|(id, n)| (id, Level::new(n).expect("in range")))
                    .collect::<Vec<_>>()
            })
            .prop_shuffle()
    }

    fn team_strategy() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("[A-Za-z0-9][A-Za-z0-9 _.'\"\\\\é-]{0,30}")
    }

    /// Any value that is not a valid agreement, as written in TOML and in JSON.
    fn bad_agreement() -> impl Strategy<Value = (String, String)> {
        prop_oneof![
            any::<i64>()
                .prop_filter("outside 0..=3", |n| !(0..=3).contains(n))
                .prop_map(|n| (n.to_string(), n.to_string())),
            (-1000i64..1000).prop_map(|n| (format!("{n}.5"), format!("{n}.5"))),
            "[a-z _']{0,12}"
                .prop_filter("not a spelling of don't know", |s| !is_dont_know(s))
                .prop_map(|s| (format!("{s:?}"), format!("{s:?}"))),
            any::<bool>().prop_map(|b| (b.to_string(), b.to_string())),
            Just(("[1]".to_string(), "[1]".to_string())),
        ]
    }

    proptest! {
        #[test]
        fn parser_never_panics(text in "\\PC{0,200}", name in prop_oneof![Just("a.toml"), Just("a.json"), Just("a")]) {
            let _ = parse(&text, name, &model());
        }

        #[test]
        fn parser_never_panics_on_near_misses(
            mode in prop_oneof![Just("quick".to_string()), Just("detailed".to_string()), "[a-z]{0,8}"],
            key in "[a-z.0-9-]{0,24}",
            value in prop_oneof![Just("\"dont_know\"".to_string()), "-?[0-9]{1,3}(\\.[0-9])?", "\"[a-z_]{0,9}\""],
            name in prop_oneof![Just("a.toml"), Just("a.json")],
        ) {
            let entries = [(key, value)];
            let text = if name == "a.toml" {
                toml_file(None, Mode::Quick, &entries).replace("\"quick\"", &format!("{mode:?}"))
            } else {
                json_file(None, Mode::Quick, &entries).replace("\"quick\"", &format!("{mode:?}"))
            };
            let _ = parse(&text, name, &model());
        }

        #[test]
        fn detailed_files_round_trip(answers in detailed_strategy(), team in team_strategy(), json in any::<bool>()) {
            let entries: Vec<(String, String)> = answers.iter().map(|(id, a)| (id.to_string(), written(*a))).collect();
            let (text, name) = if json {
                (json_file(team.as_deref(), Mode::Detailed, &entries), "a.json")
            } else {
                (toml_file(team.as_deref(), Mode::Detailed, &entries), "a.toml")
            };
            let file = parse(&text, name, &model()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            let expected = DetailedAnswers::for_model(&model(), answers).expect("generated answers are valid");
            prop_assert_eq!(file.answers, Answers::Detailed(expected));
            prop_assert_eq!(file.team, team.as_deref().map(|t| TeamName::parse(t).expect("generated name is valid")));
        }

        #[test]
        fn quick_files_round_trip(answers in quick_strategy(), team in team_strategy(), json in any::<bool>()) {
            let entries: Vec<(String, String)> = answers.iter().map(|(id, l)| (id.to_string(), l.to_string())).collect();
            let (text, name) = if json {
                (json_file(team.as_deref(), Mode::Quick, &entries), "a.json")
            } else {
                (toml_file(team.as_deref(), Mode::Quick, &entries), "a.toml")
            };
            let file = parse(&text, name, &model()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            let expected = QuickAnswers::for_model(&model(), answers).expect("generated answers are valid");
            prop_assert_eq!(file.answers, Answers::Quick(expected));
        }

        #[test]
        fn out_of_range_agreements_are_rejected(
            answers in detailed_strategy(),
            bad in bad_agreement(),
            at in any::<proptest::sample::Index>(),
            json in any::<bool>(),
        ) {
            let mut entries: Vec<(String, String)> = answers.iter().map(|(id, a)| (id.to_string(), written(*a))).collect();
            let i = at.index(entries.len());
            let (toml_value, json_value) = bad;
            let (text, name) = if json {
                entries[i].1 = json_value;
                (json_file(None, Mode::Detailed, &entries), "a.json")
            } else {
                entries[i].1 = toml_value;
                (toml_file(None, Mode::Detailed, &entries), "a.toml")
            };
            match parse(&text, name, &model()) {
                Err(AnswersFileError::BadAgreement { id, .. }) => prop_assert_eq!(id.to_string(), entries[i].0.clone()),
                other => prop_assert!(false, "expected {:?} to be rejected, got {:?}", entries[i], other),
            }
        }

        #[test]
        fn out_of_range_levels_are_rejected(
            answers in quick_strategy(),
            bad in prop_oneof![
                any::<i64>().prop_filter("outside 0..=3", |n| !(0..=3).contains(n)).prop_map(|n| n.to_string()),
                (0i64..4).prop_map(|n| format!("{n}.5")),
                Just("\"dont_know\"".to_string()),
                Just("\"2\"".to_string()),
            ],
            at in any::<proptest::sample::Index>(),
            json in any::<bool>(),
        ) {
            let mut entries: Vec<(String, String)> = answers.iter().map(|(id, l)| (id.to_string(), l.to_string())).collect();
            let i = at.index(entries.len());
            entries[i].1 = bad;
            let (text, name) = if json {
                (json_file(None, Mode::Quick, &entries), "a.json")
            } else {
                (toml_file(None, Mode::Quick, &entries), "a.toml")
            };
            let rejected = matches!(parse(&text, name, &model()), Err(AnswersFileError::BadLevel { .. }));
            prop_assert!(rejected, "{} should be rejected", text);
        }
    }
}
