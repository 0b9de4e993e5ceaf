//! Export and import of everything stored, as one versioned JSON document
//! (its shape and anonymity notes: `asyncmm_store::ExportDocument`).
//!
//! An import goes only into an empty database, all or nothing, and reads the
//! file twice as a stream, so a file of any size needs little memory:
//!
//! 1. [`check_file`] reads the whole file and checks every part with the
//!    same parsers as the rest of asyncmm's input ([`checks`]), before any
//!    database is opened — a bad file doesn't even create one;
//! 2. [`App::import_file`] reads it again on a thread of its own, checking
//!    each part again (the file may have changed in between), and hands
//!    batches of parts over a bounded channel to the store, which writes
//!    them in one transaction while the next batch is parsed.

mod checks;
mod stream;

pub use stream::{CHUNK, ExportStream, IN_FLIGHT, export_stream};

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use asyncmm_store::{
    ExportDocument, ExportHeader, ExportPart, ExportedAccount, ExportedAction, ExportedAssessment, ExportedEvidence,
    ExportedGoal, ExportedModel, ExportedRound, ExportedTeam, ImportBatch, JsonWriter, PartSink, ReadError, Section,
    read_export,
};
use tokio::sync::mpsc;

use crate::{App, AppError};
use checks::Checker;

/// What an import brought in (or, after [`check_file`], will bring in).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub models: usize,
    pub teams: usize,
    pub assessments: usize,
    pub rounds: usize,
    pub responses: usize,
    /// Answers of the rounds' responses.
    pub answers: usize,
    pub goals: usize,
    pub actions: usize,
    /// People with a web account.
    pub people: usize,
    /// Their API tokens, revoked ones included.
    pub api_tokens: usize,
    pub invitations: usize,
}

/// An export file that passed every check, with what it holds.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    path: PathBuf,
    pub holds: Imported,
}

/// Answers per batch handed to the store: large enough that a batch fills
/// several multi-row statements, small enough that two batches in flight
/// stay a few megabytes.
const BATCH_ANSWERS: usize = 40_000;

/// Parts per batch for the sections without answers.
const BATCH_PARTS: usize = 5_000;

/// Reads and checks a whole export file; nothing is opened or stored. The
/// error names the file and the line (and column, for a syntax or shape
/// error).
pub fn check_file(path: &Path) -> Result<CheckedFile, AppError> {
    let file = open(path)?;
    let holds = check_reader(file, &path.display().to_string())?;
    Ok(CheckedFile {
        path: path.to_path_buf(),
        holds,
    })
}

/// The checks of [`check_file`] on a document read from `reader` as a
/// stream; `file` names it in errors. Nothing is opened or stored.
pub fn check_reader(reader: impl Read, file: &str) -> Result<Imported, AppError> {
    let mut sink = CheckOnly { checker: None };
    read_export(reader, &mut sink).map_err(|e| read_error(file, e))?;
    Ok(sink.checker.map(|c| c.counts).unwrap_or_default())
}

/// Reads and checks an export document's text; `file` names it in errors.
/// For documents already in memory (tests, an upload); files go through
/// [`check_file`].
pub fn read_document(text: &str, file: &str) -> Result<ExportDocument, AppError> {
    let document =
        ExportDocument::from_json(text).map_err(|e| AppError::invalid(format!("cannot import {file}"), e))?;
    check_document(&document).map_err(|e| AppError::invalid(format!("cannot import {file}"), e))?;
    Ok(document)
}

/// The checks of [`check_file`] over a document in memory.
fn check_document(d: &ExportDocument) -> Result<Imported, String> {
    let mut checker = Checker::new(d.version);
    d.models.iter().try_for_each(|m| checker.model(m))?;
    checker.end_of(Section::Models)?;
    d.teams.iter().try_for_each(|t| checker.team(t))?;
    checker.end_of(Section::Teams)?;
    d.assessments.iter().try_for_each(|a| checker.assessment(a))?;
    d.rounds.iter().try_for_each(|r| checker.round(r))?;
    d.goals.iter().try_for_each(|g| checker.goal(g))?;
    d.actions.iter().try_for_each(|a| checker.action(a))?;
    d.evidence.iter().try_for_each(|e| checker.evidence(e))?;
    d.accounts.iter().try_for_each(|a| checker.account(a))?;
    Ok(checker.counts)
}

fn open(path: &Path) -> Result<File, AppError> {
    let file = File::open(path).map_err(|e| AppError::invalid(format!("cannot read {}", path.display()), e))?;
    match file.metadata() {
        Ok(meta) if meta.is_dir() => Err(AppError::invalid(
            format!("cannot import {}", path.display()),
            "it is a directory, not an export file",
        )),
        _ => Ok(file),
    }
}

fn read_error(file: &str, e: ReadError<String>) -> AppError {
    AppError::invalid(format!("cannot import {file}"), e)
}

impl Checker {
    fn check(&mut self, part: &ExportPart) -> Result<(), String> {
        match part {
            ExportPart::Model(m) => self.model(m),
            ExportPart::Team(t) => self.team(t),
            ExportPart::Assessment(a) => self.assessment(a),
            ExportPart::Round(r) => self.round(r),
            ExportPart::Goal(g) => self.goal(g),
            ExportPart::Action(a) => self.action(a),
            ExportPart::Evidence(e) => self.evidence(e),
            ExportPart::Account(a) => self.account(a),
        }
    }
}

/// The first pass: checks only.
struct CheckOnly {
    checker: Option<Checker>,
}

impl PartSink for CheckOnly {
    type Error = String;

    fn header(&mut self, header: ExportHeader) -> Result<(), String> {
        self.checker = Some(Checker::new(header.version));
        Ok(())
    }

    fn part(&mut self, part: ExportPart) -> Result<(), String> {
        self.checker.as_mut().map_or(Ok(()), |c| c.check(&part))
    }

    fn end_of(&mut self, section: Section) -> Result<(), String> {
        self.checker.as_mut().map_or(Ok(()), |c| c.end_of(section))
    }
}

/// Parts of one section, owned, on their way to the store.
#[derive(Debug)]
enum Batch {
    Models(Vec<ExportedModel>),
    Teams(Vec<ExportedTeam>),
    Assessments(Vec<ExportedAssessment>),
    Rounds(Vec<ExportedRound>),
    Goals(Vec<ExportedGoal>),
    Actions(Vec<ExportedAction>),
    Evidence(Vec<ExportedEvidence>),
    Accounts(Vec<ExportedAccount>),
}

impl Batch {
    fn as_import(&self, version: u32) -> ImportBatch<'_> {
        match self {
            Batch::Models(v) => ImportBatch::Models(v),
            Batch::Teams(v) => ImportBatch::Teams(v),
            Batch::Assessments(v) => ImportBatch::Assessments(v),
            Batch::Rounds(v) => ImportBatch::Rounds { rounds: v, version },
            Batch::Goals(v) => ImportBatch::Goals(v),
            Batch::Actions(v) => ImportBatch::Actions(v),
            Batch::Evidence(v) => ImportBatch::Evidence(v),
            Batch::Accounts(v) => ImportBatch::Accounts(v),
        }
    }
}

/// What the reading thread sends: the format version first, then batches.
#[derive(Debug)]
enum Message {
    Version(u32),
    Batch(Batch),
}

/// The second pass: checks again and sends batches to the writer.
struct Sender {
    checker: Option<Checker>,
    out: mpsc::Sender<Message>,
    batch: Option<Batch>,
    /// Answers (or parts) in the batch being filled.
    weight: usize,
}

/// The writer stopped taking batches (it failed; its error is the one
/// reported).
const WRITER_GONE: &str = "the database stopped taking data";

impl Sender {
    fn send(&mut self, message: Message) -> Result<(), String> {
        self.out.blocking_send(message).map_err(|_| WRITER_GONE.to_string())
    }

    fn flush(&mut self) -> Result<(), String> {
        self.weight = 0;
        match self.batch.take() {
            Some(batch) => self.send(Message::Batch(batch)),
            None => Ok(()),
        }
    }

    /// Adds a part to the batch of its section (a new section's part
    /// first sends the previous section's batch).
    fn add(&mut self, part: ExportPart) -> Result<(), String> {
        let weight = match &part {
            ExportPart::Round(r) => 1 + r.responses.iter().map(|x| x.answers.len()).sum::<usize>(),
            ExportPart::Assessment(a) => 1 + a.answers.len(),
            _ => 1,
        };
        let limit = match &part {
            ExportPart::Round(_) | ExportPart::Assessment(_) => BATCH_ANSWERS,
            _ => BATCH_PARTS,
        };
        match (&mut self.batch, part) {
            (Some(Batch::Models(v)), ExportPart::Model(m)) => v.push(m),
            (Some(Batch::Teams(v)), ExportPart::Team(t)) => v.push(t),
            (Some(Batch::Assessments(v)), ExportPart::Assessment(a)) => v.push(a),
            (Some(Batch::Rounds(v)), ExportPart::Round(r)) => v.push(r),
            (Some(Batch::Goals(v)), ExportPart::Goal(g)) => v.push(g),
            (Some(Batch::Actions(v)), ExportPart::Action(a)) => v.push(a),
            (Some(Batch::Evidence(v)), ExportPart::Evidence(e)) => v.push(e),
            (Some(Batch::Accounts(v)), ExportPart::Account(a)) => v.push(a),
            (_, part) => {
                self.flush()?;
                self.batch = Some(match part {
                    ExportPart::Model(m) => Batch::Models(vec![m]),
                    ExportPart::Team(t) => Batch::Teams(vec![t]),
                    ExportPart::Assessment(a) => Batch::Assessments(vec![a]),
                    ExportPart::Round(r) => Batch::Rounds(vec![r]),
                    ExportPart::Goal(g) => Batch::Goals(vec![g]),
                    ExportPart::Action(a) => Batch::Actions(vec![a]),
                    ExportPart::Evidence(e) => Batch::Evidence(vec![e]),
                    ExportPart::Account(a) => Batch::Accounts(vec![a]),
                });
            }
        }
        self.weight += weight;
        if self.weight >= limit {
            self.flush()?;
        }
        Ok(())
    }
}

impl PartSink for Sender {
    type Error = String;

    fn header(&mut self, header: ExportHeader) -> Result<(), String> {
        self.checker = Some(Checker::new(header.version));
        self.send(Message::Version(header.version))
    }

    fn part(&mut self, part: ExportPart) -> Result<(), String> {
        if let Some(checker) = self.checker.as_mut() {
            checker.check(&part)?;
        }
        self.add(part)
    }

    fn end_of(&mut self, section: Section) -> Result<(), String> {
        if let Some(checker) = self.checker.as_mut() {
            checker.end_of(section)?;
        }
        self.flush()
    }
}

impl App<'_> {
    pub async fn export(&self) -> Result<ExportDocument, AppError> {
        Ok(self.store.export_all().await?)
    }

    /// Writes everything stored to `out` as one export document, part by
    /// part as it is read from the store, so memory stays flat whatever the
    /// database's size. The bytes are those of [`ExportDocument::to_json`]
    /// of [`App::export`] (no final newline); a failed write is
    /// `StoreError::Write` inside [`AppError::Storage`].
    pub async fn export_to<W: Write + Send>(&self, out: W) -> Result<(), AppError> {
        let mut writer = JsonWriter::new(out);
        self.store.export_to(&mut writer).await?;
        writer
            .finish()
            .map_err(|e| AppError::Storage(asyncmm_store::StoreError::Write(e)))?;
        Ok(())
    }

    /// Writes a document (checked by [`read_document`]) into this empty
    /// database, all or nothing.
    pub async fn import(&self, document: &ExportDocument) -> Result<Imported, AppError> {
        let holds = check_document(document).map_err(|e| AppError::invalid("cannot import the document", e))?;
        self.store.import_all(document).await?;
        Ok(holds)
    }

    /// Imports a file that passed [`check_file`] into this empty database,
    /// all or nothing, reading it as a stream: while the store writes one
    /// batch, a thread parses and checks the next.
    pub async fn import_file(&self, checked: &CheckedFile) -> Result<Imported, AppError> {
        let path = checked.path.clone();
        let file = open(&path)?;
        let (out, mut incoming) = mpsc::channel(2);
        let reader = std::thread::Builder::new()
            .name("import-reader".to_string())
            .spawn(move || {
                let mut sink = Sender {
                    checker: None,
                    out,
                    batch: None,
                    weight: 0,
                };
                let result = read_export(file, &mut sink);
                result.map(|()| sink.checker.map(|c| c.counts).unwrap_or_default())
            })
            .map_err(|e| AppError::Conflict(format!("could not start reading {}: {e}", path.display())))?;

        let written = async {
            let mut import = self.store.begin_import().await?;
            let mut version = asyncmm_store::EXPORT_VERSION;
            while let Some(message) = incoming.recv().await {
                match message {
                    Message::Version(v) => version = v,
                    Message::Batch(batch) => import.write(batch.as_import(version)).await?,
                }
            }
            Ok::<_, AppError>(import)
        }
        .await;
        // The reader ends once the channel is drained or dropped.
        drop(incoming);
        let read = reader
            .join()
            .map_err(|_| AppError::Conflict(format!("reading {} failed unexpectedly", path.display())))?;
        let import = written?;
        let holds = read.map_err(|e| read_error(&path.display().to_string(), e))?;
        if holds != checked.holds {
            return Err(AppError::invalid(
                format!("cannot import {}", path.display()),
                "the file changed while it was being imported; nothing was stored",
            ));
        }
        import.commit().await?;
        Ok(holds)
    }
}
