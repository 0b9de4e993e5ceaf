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
