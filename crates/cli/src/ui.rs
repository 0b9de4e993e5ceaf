//! What every command shares on the way to the person: colour rules,
//! writing to standard output, and the user's own cancel.

use std::io::{IsTerminal, Write};

use anyhow::{Context, Result};
use asyncmm_report::Style;
use asyncmm_text::terminal::visible;

use crate::prompt::PromptError;

/// A user-facing stop that is not a failure of the program: the user
/// cancelled, so the process exits with 130 like an interrupted shell command.
#[derive(Debug, thiserror::Error)]
#[error("cancelled: nothing was stored")]
pub struct Cancelled;

/// A gate's verdict below the bar: exit code 1, with the verdict printed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BelowBar(pub String);

/// Colour only on a terminal, and never when `NO_COLOR` is set (no-color.org).
pub fn style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Style {
        color: !no_color && std::io::stdout().is_terminal(),
    }
}

/// The style of text headed for `output`: a file given with `--output`
/// never gets colour (its escape sequences would be written as visible
/// `\u001B` escapes there), standard output follows [`style`].
pub fn style_for(output: Option<&std::path::Path>) -> Style {
    match output {
        Some(_) => Style::PLAIN,
        None => style(),
    }
}

/// Writes `text` to standard output. Whatever stored text it holds, no
/// control, invisible or bidi character reaches the terminal raw: a
/// database written by an older version or by hand may hold some, and they
/// are written as visible `\uXXXX` escapes (which JSON reads as the same
/// character). Only the colour sequences of the text renderers stay, and
/// only when colour is on.
pub fn print(text: &str) -> Result<()> {
    let text = visible(text, style().color);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`asyncmm history | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("could not write to standard output"),
    }
}

/// Standard output for text written as it is produced (an export): the
/// escapes of [`print`], applied a line at a time. Whole lines are complete
/// UTF-8, and what counts as a character to escape never depends on the
/// line before, so the result is the same as [`print`] of the whole text
/// (without colour, which such text does not have).
pub struct VisibleLines<W: Write> {
    out: W,
    /// The line begun but not ended yet.
    pending: Vec<u8>,
}

impl<W: Write> VisibleLines<W> {
    pub fn new(out: W) -> VisibleLines<W> {
        VisibleLines {
            out,
            pending: Vec::with_capacity(1 << 16),
        }
    }

    /// Writes the first `end` pending bytes.
    fn pass(&mut self, end: usize) -> std::io::Result<()> {
        // Lines from asyncmm's own writers are always UTF-8; anything else
        // is shown with replacement characters rather than passed raw.
        let text = String::from_utf8_lossy(&self.pending[..end]);
        self.out.write_all(visible(&text, false).as_bytes())?;
        self.pending.drain(..end);
        Ok(())
    }
}

impl<W: Write> Write for VisibleLines<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if buf.contains(&b'\n')
            && let Some(last) = self.pending.iter().rposition(|b| *b == b'\n')
        {
            self.pass(last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.pass(self.pending.len())?;
        self.out.flush()
    }
}

/// Writes one line to standard error with the same escapes as [`print`]:
/// errors and warnings quote team names and titles.
pub fn eprint_line(text: &str) {
    eprintln!("{}", visible(text, false));
}

/// Ctrl-C, Esc or end of input in a prompt: the caller stores nothing.
pub fn cancelled(e: PromptError) -> anyhow::Error {
    if matches!(e, PromptError::Cancelled) {
        Cancelled.into()
    } else {
        e.into()
    }
}

/// Refuses to ask questions without a terminal, naming the way out.
pub fn require_terminal() -> Result<()> {
    if std::io::stdin().is_terminal() {
        Ok(())
    } else {
        anyhow::bail!(
            "standard input is not a terminal, so asyncmm can't ask questions; pass --answers FILE to answer from a \
             file (see examples/answers-detailed.toml)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_written_in_pieces_get_the_escapes_of_the_whole_text() {
        let text = "{\n  \"name\": \"Evil\u{1b}[2J\u{7}\u{202e}é\u{200b}\",\n  \"x\": \"\u{85}\u{e0041}\"\n}\n";
        // Every split, including ones inside a multi-byte character.
        for at in 0..=text.len() {
            let mut out = VisibleLines::new(Vec::new());
            out.write_all(&text.as_bytes()[..at]).expect("write");
            out.write_all(&text.as_bytes()[at..]).expect("write");
            out.flush().expect("flush");
            assert_eq!(
                String::from_utf8(out.out).expect("UTF-8"),
                visible(text, false),
                "split at {at}"
            );
        }
    }
}
