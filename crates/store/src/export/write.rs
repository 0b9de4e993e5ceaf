//! Writing an export document as a stream of parts, so exporting a
//! database of any size holds one round (or model, team …) at a time.
//!
//! The output is byte for byte what `serde_json::to_string_pretty` makes of
//! the whole [`ExportDocument`](super::ExportDocument) (two-space indents,
//! `[]` for an empty section): the top-level object is written by hand and
//! each part is serialized by serde_json and indented to its place. That
//! works line by line because serde_json escapes every line break inside a
//! string, so each newline it writes is one of its own.

use std::io::{self, Write};

use serde::Serialize;

use super::EXPORT_FORMAT;
use super::read::{ExportHeader, ExportPart, PartSink, Section};

/// The indent of a part inside its section's array.
const PART_INDENT: &[u8] = b"    ";

/// A [`PartSink`] that writes the document as pretty-printed JSON to `out`.
/// Feed it the header, every part in document order and the end of every
/// section (the order [`read_export`](super::read_export) reads), then call
/// [`JsonWriter::finish`].
pub struct JsonWriter<W: Write> {
    out: W,
    /// One part's JSON, reused from part to part.
    buffer: Vec<u8>,
    /// Parts written in the section being written.
    in_section: usize,
    /// Whether that section's `"name": [` has been written.
    opened: bool,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(out: W) -> JsonWriter<W> {
        JsonWriter {
            out,
            buffer: Vec::with_capacity(1 << 16),
            in_section: 0,
            opened: false,
        }
    }

    /// Closes the document (without a final newline, as serde_json) and
    /// hands back the writer, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n}")?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn open(&mut self, section: Section) -> io::Result<()> {
        if !self.opened {
            write!(self.out, ",\n  \"{}\": [", name(section))?;
            self.opened = true;
            self.in_section = 0;
        }
        Ok(())
    }

    fn write_part<T: Serialize>(&mut self, section: Section, part: &T) -> io::Result<()> {
        self.open(section)?;
        self.out.write_all(if self.in_section == 0 { b"\n" } else { b",\n" })?;
        self.out.write_all(PART_INDENT)?;
        self.buffer.clear();
        serde_json::to_writer_pretty(&mut self.buffer, part)?;
        let mut lines = self.buffer.split(|b| *b == b'\n');
        if let Some(first) = lines.next() {
            self.out.write_all(first)?;
        }
        for line in lines {
            self.out.write_all(b"\n")?;
            self.out.write_all(PART_INDENT)?;
            self.out.write_all(line)?;
        }
        self.in_section += 1;
        Ok(())
    }
}

/// The document's field of each section.
fn name(section: Section) -> &'static str {
    match section {
        Section::Models => "models",
        Section::Teams => "teams",
        Section::Assessments => "assessments",
        Section::Rounds => "rounds",
        Section::Goals => "goals",
        Section::Actions => "actions",
        Section::Evidence => "evidence",
        Section::Accounts => "accounts",
    }
}

impl<W: Write> PartSink for JsonWriter<W> {
    type Error = io::Error;

    fn header(&mut self, header: ExportHeader) -> io::Result<()> {
        self.out.write_all(b"{\n  \"format\": ")?;
        serde_json::to_writer(&mut self.out, EXPORT_FORMAT)?;
        write!(self.out, ",\n  \"version\": {},\n  \"exported_at\": ", header.version)?;
        serde_json::to_writer(&mut self.out, &header.exported_at)?;
        Ok(())
    }

    fn part(&mut self, part: ExportPart) -> io::Result<()> {
        match &part {
            ExportPart::Model(m) => self.write_part(Section::Models, m),
            ExportPart::Team(t) => self.write_part(Section::Teams, t),
            ExportPart::Assessment(a) => self.write_part(Section::Assessments, a),
            ExportPart::Round(r) => self.write_part(Section::Rounds, r),
            ExportPart::Goal(g) => self.write_part(Section::Goals, g),
            ExportPart::Action(a) => self.write_part(Section::Actions, a),
            ExportPart::Evidence(e) => self.write_part(Section::Evidence, e),
            ExportPart::Account(a) => self.write_part(Section::Accounts, a),
        }
    }

    fn end_of(&mut self, section: Section) -> io::Result<()> {
        self.open(section)?;
        self.out.write_all(if self.in_section == 0 { b"]" } else { b"\n  ]" })?;
        self.opened = false;
        Ok(())
    }
}
