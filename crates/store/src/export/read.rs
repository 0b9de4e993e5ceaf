//! Reading an export document as a stream of parts, so that importing a
//! document of any size holds only one round (or model, team …) at a time.
//!
//! The document is read field by field in the order `asyncmm export`
//! writes it — `format`, `version`, `exported_at`, `models`, `teams`,
//! `assessments`, `rounds`, `goals`, `actions`, `evidence` (version 3 on),
//! `accounts` (version 4 on) — and every element of the
//! arrays is handed to a [`PartSink`] as soon as it is read. The fixed order
//! is what makes one pass enough: the models are known before the answers
//! that refer to them, the teams before their rounds, and a file from a newer
//! asyncmm is recognised by its first two fields before anything else is
//! read. A document with its fields in another order (a hand-edited or
//! key-sorted file) is refused with a message that says so.
//!
//! Errors carry the line and column: serde_json's own for syntax and shape,
//! and for a sink's error the line where the offending element ends (the
//! reader counts lines as serde_json consumes bytes).

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufReader, Read};
use std::marker::PhantomData;
use std::rc::Rc;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer as _, MapAccess, SeqAccess, Visitor};

use super::{
    EXPORT_FORMAT, EXPORT_VERSION, ExportParseError, ExportedAccount, ExportedAction, ExportedAssessment,
    ExportedEvidence, ExportedGoal, ExportedModel, ExportedRound, ExportedTeam,
};

/// The document's fields, in the order they must come.
const FIELDS: [&str; 11] = [
    "format",
    "version",
    "exported_at",
    "models",
    "teams",
    "assessments",
    "rounds",
    "goals",
    "actions",
    "evidence",
    "accounts",
];

/// The first version whose documents have the `evidence` section; older
/// documents end after `actions`.
const EVIDENCE_SINCE: u32 = 3;

/// The first version whose documents have the `accounts` section; older
/// documents end before it.
const ACCOUNTS_SINCE: u32 = 4;

/// What comes before the data: the format version (to interpret what
/// follows) and when the export was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportHeader {
    pub version: u32,
    pub exported_at: String,
}

/// One element of one of the document's arrays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportPart {
    Model(ExportedModel),
    Team(ExportedTeam),
    Assessment(ExportedAssessment),
    Round(ExportedRound),
    Goal(ExportedGoal),
    Action(ExportedAction),
    Evidence(ExportedEvidence),
    Account(ExportedAccount),
}

/// One of the document's arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Models,
    Teams,
    Assessments,
    Rounds,
    Goals,
    Actions,
    Evidence,
    Accounts,
}

/// Receives a document as it is read: the header, then every part in
/// document order, and the end of each section. An error stops the reading.
pub trait PartSink {
    type Error;
    fn header(&mut self, header: ExportHeader) -> Result<(), Self::Error>;
    fn part(&mut self, part: ExportPart) -> Result<(), Self::Error>;
    fn end_of(&mut self, section: Section) -> Result<(), Self::Error>;
}

/// Why reading stopped.
#[derive(Debug)]
pub enum ReadError<E> {
    /// The text is not an export document this asyncmm reads.
    Parse(ExportParseError),
    /// The sink refused what was read; `line` is where the element it was
    /// given ends.
    Sink { error: E, line: u64 },
    /// The file could not be read.
    Io(io::Error),
}

impl<E: fmt::Display> fmt::Display for ReadError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Parse(e) => e.fmt(f),
            ReadError::Sink { error, line } => write!(f, "line {line}: {error}"),
            ReadError::Io(e) => write!(f, "cannot read it: {e}"),
        }
    }
}

/// Reads a whole document from `reader` (buffered here) into `sink`.
/// Trailing text after the document is an error.
pub fn read_export<R: Read, S: PartSink>(reader: R, sink: &mut S) -> Result<(), ReadError<S::Error>> {
    let line = Rc::new(Cell::new(1u64));
    let counted = LineCounter {
        inner: BufReader::with_capacity(1 << 16, reader),
        line: Rc::clone(&line),
    };
    let mut de = serde_json::Deserializer::from_reader(counted);
    let mut state = State {
        sink,
        line,
        stopped: None,
        refused: None,
    };
    let result = (&mut de)
        .deserialize_map(DocumentVisitor { state: &mut state })
        .and_then(|()| de.end());
    match result {
        Ok(()) => Ok(()),
        Err(e) => Err(state.error(e)),
    }
}

/// Counts lines as serde_json takes bytes (it reads one byte at a time from
/// a reader), so the count is where the parser is, not where the buffer is.
struct LineCounter<R> {
    inner: BufReader<R>,
    line: Rc<Cell<u64>>,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let newlines = buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        if newlines > 0 {
            self.line.set(self.line.get() + newlines);
        }
        Ok(n)
    }
}

struct State<'s, S: PartSink> {
    sink: &'s mut S,
    line: Rc<Cell<u64>>,
    /// The sink's error, when it stopped the reading.
    stopped: Option<(S::Error, u64)>,
    /// A refusal with its own message (not an export, a newer version).
    refused: Option<ExportParseError>,
}

impl<S: PartSink> State<'_, S> {
    fn give<E: de::Error>(&mut self, result: Result<(), S::Error>) -> Result<(), E> {
        result.map_err(|error| {
            self.stopped = Some((error, self.line.get()));
            E::custom("stopped by the importer")
        })
    }

    fn refuse<E: de::Error>(&mut self, refusal: ExportParseError) -> E {
        self.refused = Some(refusal);
        E::custom("refused")
    }

    fn error(&mut self, e: serde_json::Error) -> ReadError<S::Error> {
        if let Some((error, line)) = self.stopped.take() {
            return ReadError::Sink { error, line };
        }
        if let Some(refusal) = self.refused.take() {
            return ReadError::Parse(refusal);
        }
        match e.classify() {
            serde_json::error::Category::Io => ReadError::Io(io::Error::other(
                e.to_string().trim_end_matches(" at line 0 column 0").to_string(),
            )),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ReadError::Parse(ExportParseError::Syntax {
                    line: e.line(),
                    column: e.column(),
                    message: super::json_message(&e),
                })
            }
            serde_json::error::Category::Data => ReadError::Parse(ExportParseError::Structure {
                line: e.line(),
                column: e.column(),
                message: super::json_message(&e),
            }),
        }
    }
}

struct DocumentVisitor<'a, 's, S: PartSink> {
    state: &'a mut State<'s, S>,
}

impl<'de, S: PartSink> Visitor<'de> for DocumentVisitor<'_, '_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an asyncmm export document (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.state;
        let mut next = 0;
        let mut version = None;
        while let Some(key) = map.next_key::<String>()? {
            let index = FIELDS.iter().position(|f| *f == key);
            if next == 0 && index != Some(0) {
                if index.is_some() {
                    return Err(de::Error::custom(format!(
                        "the document starts with `{key}`, not `format`; asyncmm reads the fields in the order \
                         `asyncmm export` writes them: {}",
                        FIELDS.join(", ")
                    )));
                }
                return Err(state.refuse(ExportParseError::NotAnExport {
                    found: "missing".to_string(),
                }));
            }
            let Some(index) = index else {
                return Err(de::Error::unknown_field(&key, &FIELDS));
            };
            if index < next {
                return Err(de::Error::custom(format!(
                    "field `{key}` comes again or after `{}`; asyncmm reads the fields in the order `asyncmm \
                     export` writes them: {}",
                    FIELDS[next - 1],
                    FIELDS.join(", ")
                )));
            }
            if index > next {
                return Err(de::Error::custom(format!(
                    "field `{}` is missing before `{key}` (the fields must come in the order `asyncmm export` \
                     writes them: {})",
                    FIELDS[next],
                    FIELDS.join(", ")
                )));
            }
            match index {
                0 => {
                    let format: serde_json::Value = map.next_value()?;
                    if format.as_str() != Some(EXPORT_FORMAT) {
                        return Err(state.refuse(ExportParseError::NotAnExport {
                            found: format.to_string(),
                        }));
                    }
                }
                1 => {
                    let found: u64 = map.next_value()?;
                    if found > u64::from(EXPORT_VERSION) {
                        return Err(state.refuse(ExportParseError::NewerVersion { found }));
                    }
                    if found == 0 {
                        return Err(de::Error::custom("format version 0 is not written by any asyncmm"));
                    }
                    version = u32::try_from(found).ok();
                }
                2 => {
                    let exported_at: String = map.next_value()?;
                    let header = ExportHeader {
                        version: version.unwrap_or(EXPORT_VERSION),
                        exported_at,
                    };
                    let given = state.sink.header(header);
                    state.give(given)?;
                }
                3 => map.next_value_seed(Parts::new(state, Section::Models, ExportPart::Model))?,
                4 => map.next_value_seed(Parts::new(state, Section::Teams, ExportPart::Team))?,
                5 => map.next_value_seed(Parts::new(state, Section::Assessments, ExportPart::Assessment))?,
                6 => map.next_value_seed(Parts::new(state, Section::Rounds, ExportPart::Round))?,
                7 => map.next_value_seed(Parts::new(state, Section::Goals, ExportPart::Goal))?,
                8 => map.next_value_seed(Parts::new(state, Section::Actions, ExportPart::Action))?,
                9 => map.next_value_seed(Parts::new(state, Section::Evidence, ExportPart::Evidence))?,
                _ => map.next_value_seed(Parts::new(state, Section::Accounts, ExportPart::Account))?,
            }
            next = index + 1;
        }
        if next == 0 {
            return Err(state.refuse(ExportParseError::NotAnExport {
                found: "missing".to_string(),
            }));
        }
        match FIELDS.get(next) {
            // Documents before version 3 end with `actions`, before
            // version 4 with `evidence`.
            Some(&"evidence") if version.is_some_and(|v| v < EVIDENCE_SINCE) => Ok(()),
            Some(&"accounts") if version.is_some_and(|v| v < ACCOUNTS_SINCE) => Ok(()),
            Some(missing) => Err(de::Error::missing_field(missing)),
            None => Ok(()),
        }
    }
}

/// One array of the document, each element handed to the sink as read.
struct Parts<'a, 's, S: PartSink, T> {
    state: &'a mut State<'s, S>,
    section: Section,
    wrap: fn(T) -> ExportPart,
    element: PhantomData<T>,
}

impl<'a, 's, S: PartSink, T> Parts<'a, 's, S, T> {
    fn new(state: &'a mut State<'s, S>, section: Section, wrap: fn(T) -> ExportPart) -> Self {
        Parts {
            state,
            section,
            wrap,
            element: PhantomData,
        }
    }
}

impl<'de, S: PartSink, T: Deserialize<'de>> DeserializeSeed<'de> for Parts<'_, '_, S, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, S: PartSink, T: Deserialize<'de>> Visitor<'de> for Parts<'_, '_, S, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<T>()? {
            let given = self.state.sink.part((self.wrap)(element));
            self.state.give(given)?;
        }
        let given = self.state.sink.end_of(self.section);
        self.state.give(given)
    }
}
