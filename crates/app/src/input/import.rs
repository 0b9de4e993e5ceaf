//! Responses collected elsewhere (a form tool, a spreadsheet) brought into a
//! round: `asyncmm round import ID FILE.csv|FILE.json`.
//!
//! The whole file is checked before anything is stored, so a bad row rejects
//! the file with its row and column named and the round is left unchanged.
//!
//! # Format
//!
//! CSV: a header row, then one row per respondent. Each column is a
//! statement id (`documentation.2.1`, detailed rounds) or an area id
//! (`documentation`, quick rounds), optionally followed by a space and any
//! text (the questionnaire template's headers carry the question). Values are 0–3; an empty cell or any
//! spelling of [`super::is_dont_know`] means "don't know" (detailed) or "not
//! answered" (quick). A row with no real answer (everything "don't know")
//! is no response and rejects the file, as everywhere else.
//! Columns that are not answers (a form tool's timestamp, say) must be named
//! with `--ignore-column` so a misspelt id can't be dropped silently; their
//! content is never read or stored. Rows are numbered as a spreadsheet shows
//! them: the header is row 1.
//!
//! JSON: an array with one object per respondent, `{"documentation.2.1": 3,
//! "meetings.1.2": "dont_know", ...}`; `null` means "don't know". A key
//! given twice in one object rejects the file (JSON parsers usually keep the
//! last one silently).

use std::collections::{BTreeMap, BTreeSet};

use asyncmm_core::{Agreement, Answer, Answers, DetailedAnswers, Mode, QuickAnswers};
use asyncmm_model::{AreaId, Level, Model, StatementId};

use super::document::{Value, json_document};
use super::is_dont_know;

/// A problem in an import file, naming the file, and the row and column
/// where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {place}{message}")]
pub struct ImportError {
    pub file: String,
    pub place: String,
    pub message: String,
}

/// The one message for a blank response.
const NO_ANSWERS: &str = "has no answers (\"don't know\" to everything counts as none)";

/// The id a column header names: its first word, so a template's
/// `documentation.2.1 Decisions are written down…` reads as
/// `documentation.2.1`.
fn column_id(header: &str) -> &str {
    header.split_whitespace().next().unwrap_or(header)
}

/// The questionnaire as a form tool's columns: one header row, one column
/// per statement (detailed) or area (quick), headed with the id and the
/// question, which [`parse_csv`] reads back by the id alone.
pub fn template_csv(model: &Model, mode: Mode) -> String {
    let headers: Vec<String> = match mode {
        Mode::Detailed => model.statements().map(|s| format!("{} {}", s.id, s.text)).collect(),
        Mode::Quick => model
            .areas
            .iter()
            .map(|a| format!("{} {}: which level fits best (0-3)?", a.id, a.name))
            .collect(),
    };
    let cells: Vec<String> = headers
        .iter()
        .map(|h| {
            if h.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", h.replace('"', "\"\""))
            } else {
                h.clone()
            }
        })
        .collect();
    format!("{}\n", cells.join(","))
}

/// What a column holds, decided once from its header.
#[derive(Debug, Clone)]
enum Column {
    Statement(StatementId),
    Area(AreaId),
    Ignored,
}

struct Checker<'a> {
    file: &'a str,
    model: &'a Model,
    mode: Mode,
}

impl Checker<'_> {
    fn error(&self, place: String, message: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.to_string(),
            place,
            message: message.into(),
        }
    }

    fn column(&self, header: &str, ignored: &BTreeSet<String>, place: String) -> Result<Column, ImportError> {
        let header = header.trim();
        if ignored.contains(header) {
            return Ok(Column::Ignored);
        }
        // A template's header is the id and then the question's text (see
        // [`template_csv`]); only the id counts.
        let header = column_id(header);
        match self.mode {
            Mode::Detailed => match StatementId::parse(header) {
                Ok(id) if self.model.statement(&id).is_some() => Ok(Column::Statement(id)),
                Ok(id) => Err(self.error(place, format!("statement {id} is not in model {}", self.model.key()))),
                Err(_) => Err(self.error(
                    place,
                    format!(
                        "column {header:?} is not a statement id like documentation.2.1 (this round is detailed); \
                         if it holds something else, name it as a column to ignore"
                    ),
                )),
            },
            Mode::Quick => match AreaId::parse(header) {
                Ok(id) if self.model.area(&id).is_some() => Ok(Column::Area(id)),
                _ => Err(self.error(
                    place,
                    format!(
                        "column {header:?} is not an area id of model {} (this round is quick); \
                         if it holds something else, name it as a column to ignore",
                        self.model.key()
                    ),
                )),
            },
        }
    }

    /// `None` = don't know / not answered.
    fn value(&self, raw: &str, place: &str) -> Result<Option<u8>, ImportError> {
        let raw = raw.trim();
        if raw.is_empty() || is_dont_know(raw) {
            return Ok(None);
        }
        match raw.parse::<u8>() {
            Ok(v) if v <= 3 => Ok(Some(v)),
            _ => Err(self.error(
                place.to_string(),
                format!("{raw:?} is not an answer: use 0, 1, 2 or 3, or leave it empty for \"don't know\""),
            )),
        }
    }

    fn response(&self, cells: Vec<(&Column, Option<u8>)>, row: &str) -> Result<Answers, ImportError> {
        match self.mode {
            Mode::Detailed => {
                let mut map = BTreeMap::new();
                for (column, value) in cells {
                    if let Column::Statement(id) = column {
                        let answer = match value {
                            Some(v) => Answer::Agree(
                                Agreement::new(v).map_err(|e| self.error(row.to_string(), e.to_string()))?,
                            ),
                            None => Answer::DontKnow,
                        };
                        map.insert(id.clone(), answer);
                    }
                }
                if map.values().all(|a| *a == Answer::DontKnow) {
                    return Err(self.error(row.to_string(), NO_ANSWERS));
                }
                Ok(Answers::Detailed(DetailedAnswers::from_map(map)))
            }
            Mode::Quick => {
                let mut map = BTreeMap::new();
                for (column, value) in cells {
                    if let (Column::Area(id), Some(v)) = (column, value) {
                        let level = Level::new(v).map_err(|e| self.error(row.to_string(), e.to_string()))?;
                        map.insert(id.clone(), level);
                    }
                }
                if map.is_empty() {
                    return Err(self.error(row.to_string(), NO_ANSWERS));
                }
                Ok(Answers::Quick(QuickAnswers::from_map(map)))
            }
        }
    }
}

/// Parses a CSV import. Pure: the caller reads the file.
pub fn parse_csv(
    text: &str,
    file: &str,
    model: &Model,
    mode: Mode,
    ignored: &BTreeSet<String>,
) -> Result<Vec<Answers>, ImportError> {
    let checker = Checker { file, model, mode };
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| checker.error("row 1: ".into(), format!("not a readable CSV header: {e}")))?
        .clone();
    let mut columns = Vec::with_capacity(headers.len());
    let mut seen = BTreeSet::new();
    for (i, header) in headers.iter().enumerate() {
        let place = format!("row 1, column {} ({header:?}): ", i + 1);
        let column = checker.column(header, ignored, place.clone())?;
        if !matches!(column, Column::Ignored) && !seen.insert(column_id(header.trim()).to_string()) {
            return Err(checker.error(place, "appears twice"));
        }
        columns.push(column);
    }
    if !columns.iter().any(|c| !matches!(c, Column::Ignored)) {
        return Err(checker.error("row 1: ".into(), "no answer columns"));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let row = e.position().map_or_else(String::new, |p| format!("row {}: ", p.line()));
            checker.error(row, format!("not valid CSV: {e}"))
        })?;
        let row = record.position().map_or(0, |p| p.line());
        let mut cells = Vec::with_capacity(columns.len());
        for (i, (column, raw)) in columns.iter().zip(record.iter()).enumerate() {
            if matches!(column, Column::Ignored) {
                continue;
            }
            let place = format!(
                "row {row}, column {} ({:?}): ",
                i + 1,
                headers.get(i).unwrap_or_default()
            );
            cells.push((column, checker.value(raw, &place)?));
        }
        out.push(checker.response(cells, &format!("row {row}: "))?);
    }
    if out.is_empty() {
        return Err(checker.error(String::new(), "has a header but no responses"));
    }
    Ok(out)
}

/// Parses a JSON import: an array of objects, one per respondent.
pub fn parse_json(text: &str, file: &str, model: &Model, mode: Mode) -> Result<Vec<Answers>, ImportError> {
    let checker = Checker { file, model, mode };
    let document = json_document(text).map_err(|e| {
        checker.error(
            format!("line {}, column {}: ", e.line_column.0, e.line_column.1),
            format!("not valid JSON: {}", e.message),
        )
    })?;
    let Value::List(items) = document.root.value else {
        return Err(checker.error(String::new(), "must be a JSON array with one object per respondent"));
    };
    if items.is_empty() {
        return Err(checker.error(String::new(), "has no responses"));
    }
    let none = BTreeSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let row = format!("response {}: ", i + 1);
        let Value::Table(fields) = item.value else {
            return Err(checker.error(row, "must be an object of id → answer"));
        };
        let mut seen = BTreeSet::new();
        let mut parsed = Vec::with_capacity(fields.len());
        for (key, node) in &fields {
            let place = format!("response {}, {:?}: ", i + 1, key.text);
            if !seen.insert(key.text.as_str()) {
                return Err(checker.error(place, "is given twice"));
            }
            let column = checker.column(&key.text, &none, place.clone())?;
            let value = match &node.value {
                Value::Null => None,
                Value::Int(n) => checker.value(&n.to_string(), &place)?,
                Value::Str(s) => checker.value(s, &place)?,
                other => {
                    return Err(checker.error(
                        place,
                        format!("{} is not an answer: use 0, 1, 2, 3 or null", other.describe()),
                    ));
                }
            };
            parsed.push((column, value));
        }
        let cells = parsed.iter().map(|(c, v)| (c, *v)).collect();
        out.push(checker.response(cells, &row)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn model() -> Model {
        asyncmm_model::default_model().expect("embedded model")
    }

    fn no_ignore() -> BTreeSet<String> {
        BTreeSet::new()
    }

    #[test]
    fn detailed_csv_is_read_with_dont_know() {
        let csv = "documentation.0.1,documentation.2.1,meetings.3.2\n0,3,\n1,?,2\n";
        let out = parse_csv(csv, "r.csv", &model(), Mode::Detailed, &no_ignore()).expect("valid");
        assert_eq!(out.len(), 2);
        let Answers::Detailed(first) = &out[0] else {
            panic!("detailed")
        };
        let id = StatementId::parse("meetings.3.2").expect("id");
        assert_eq!(first.get(&id), Some(Answer::DontKnow));
        let id = StatementId::parse("documentation.2.1").expect("id");
        assert_eq!(first.get(&id), Some(Answer::Agree(Agreement::new(3).expect("a"))));
    }

    #[test]
    fn bad_cell_names_row_and_column() {
        let csv = "documentation.0.1,documentation.2.1\n0,3\n1,5\n";
        let err = parse_csv(csv, "r.csv", &model(), Mode::Detailed, &no_ignore()).expect_err("bad");
        assert_eq!(
            err.to_string(),
            "r.csv: row 3, column 2 (\"documentation.2.1\"): \"5\" is not an answer: use 0, 1, 2 or 3, or leave it empty for \"don't know\""
        );
    }

    #[test]
    fn missing_or_unknown_column_is_refused() {
        let err =
            parse_csv("documentaton.0.1\n1\n", "r.csv", &model(), Mode::Detailed, &no_ignore()).expect_err("typo");
        assert!(err.to_string().contains("row 1, column 1"), "{err}");
        let err = parse_csv(
            "Timestamp,documentation\n2026-01-01,2\n",
            "q.csv",
            &model(),
            Mode::Quick,
            &no_ignore(),
        )
        .expect_err("unknown");
        assert!(err.to_string().contains("name it as a column to ignore"), "{err}");
        let ignore: BTreeSet<String> = ["Timestamp".to_string()].into();
        let ok = parse_csv(
            "Timestamp,documentation\n2026-01-01,2\n",
            "q.csv",
            &model(),
            Mode::Quick,
            &ignore,
        )
        .expect("ignored column");
        assert_eq!(ok.len(), 1);
    }

    #[test]
    fn short_row_is_refused() {
        let err = parse_csv(
            "documentation,meetings\n1,2\n3\n",
            "q.csv",
            &model(),
            Mode::Quick,
            &no_ignore(),
        )
        .expect_err("short row");
        assert!(err.to_string().starts_with("q.csv: row 3: not valid CSV"), "{err}");
    }

    #[test]
    fn quick_mode_refuses_statement_columns_and_empty_rows() {
        let err = parse_csv("documentation.2.1\n3\n", "q.csv", &model(), Mode::Quick, &no_ignore()).expect_err("x");
        assert!(err.to_string().contains("not an area id"), "{err}");
        let err = parse_csv(
            "documentation,meetings\n,\n",
            "q.csv",
            &model(),
            Mode::Quick,
            &no_ignore(),
        )
        .expect_err("empty row");
        assert_eq!(
            err.to_string(),
            "q.csv: row 2: has no answers (\"don't know\" to everything counts as none)"
        );
    }

    #[test]
    fn json_duplicate_keys_and_blank_rows_are_refused() {
        let err = parse_json(
            r#"[{"documentation": 2, "documentation": 1}]"#,
            "r.json",
            &model(),
            Mode::Quick,
        )
        .expect_err("duplicate");
        assert_eq!(err.to_string(), "r.json: response 1, \"documentation\": is given twice");
        let err = parse_json(
            r#"[{"documentation.0.1": null, "meetings.1.1": "dont_know"}]"#,
            "r.json",
            &model(),
            Mode::Detailed,
        )
        .expect_err("blank");
        assert!(err.to_string().contains("has no answers"), "{err}");
        // The same spellings of "don't know" as answers files.
        let ok = parse_csv(
            "documentation.0.1,documentation.2.1\nDon't know,3\n",
            "r.csv",
            &model(),
            Mode::Detailed,
            &no_ignore(),
        )
        .expect("spelled");
        assert_eq!(ok.len(), 1);
    }

    #[test]
    fn json_import() {
        let text = r#"[{"documentation": 2, "meetings": 1}, {"documentation": 3, "meetings": null}]"#;
        let out = parse_json(text, "r.json", &model(), Mode::Quick).expect("valid");
        assert_eq!(out.len(), 2);
        let err = parse_json(r#"[{"documentation": 7}]"#, "r.json", &model(), Mode::Quick).expect_err("range");
        assert!(
            err.to_string().starts_with("r.json: response 1, \"documentation\": "),
            "{err}"
        );
        let err = parse_json("[{", "r.json", &model(), Mode::Quick).expect_err("syntax");
        assert!(
            err.to_string().starts_with("r.json: line 1, column 2: not valid JSON"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn csv_parser_never_panics(text in ".{0,200}") {
            let _ = parse_csv(&text, "x.csv", &model(), Mode::Detailed, &BTreeSet::new());
            let _ = parse_json(&text, "x.json", &model(), Mode::Quick);
        }

        #[test]
        fn valid_quick_rows_round_trip(rows in proptest::collection::vec(proptest::array::uniform5(0u8..4), 1..20)) {
            let m = model();
            let areas: Vec<String> = m.areas.iter().map(|a| a.id.to_string()).collect();
            let mut csv = areas.join(",");
            csv.push('\n');
            for row in &rows {
                csv.push_str(&row.iter().map(u8::to_string).collect::<Vec<_>>().join(","));
                csv.push('\n');
            }
            let out = parse_csv(&csv, "x.csv", &m, Mode::Quick, &BTreeSet::new()).expect("valid");
            prop_assert_eq!(out.len(), rows.len());
            for (answers, row) in out.iter().zip(&rows) {
                let Answers::Quick(q) = answers else { panic!("quick") };
                for (area, v) in m.areas.iter().zip(row) {
                    prop_assert_eq!(q.get(&area.id).map(Level::number), Some(*v));
                }
            }
        }

        #[test]
        fn any_out_of_range_value_rejects_the_file(v in 4u32..1000, at in 0usize..5) {
            let m = model();
            let areas: Vec<String> = m.areas.iter().map(|a| a.id.to_string()).collect();
            let mut values = vec!["1".to_string(); 5];
            values[at] = v.to_string();
            let csv = format!("{}\n1,1,1,1,1\n{}\n", areas.join(","), values.join(","));
            let err = parse_csv(&csv, "x.csv", &m, Mode::Quick, &BTreeSet::new()).expect_err("out of range");
            let expected = format!("row 3, column {}", at + 1);
            prop_assert!(err.to_string().contains(&expected), "{}", err);
        }
    }
}
