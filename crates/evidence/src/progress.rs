//! How a scanner reports progress without printing: the caller passes an
//! implementation (the CLI draws a bar on a terminal), tests and servers
//! pass [`Silent`].

/// Receives progress from a scanner. Called from the scanning thread only,
/// but `Sync` so a caller may share one display between scans.
pub trait Progress: Sync {
    /// A new stage begins; `total` when its size is known.
    fn stage(&self, name: &str, total: Option<u64>);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
    /// A message for the person waiting (a rate-limit pause, say).
    fn message(&self, text: &str);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _name: &str, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
    fn message(&self, _text: &str) {}
}
