//! The export as a stream of byte chunks, for a server that sends the
//! document while it is being made (`GET /api/v1/export`), with memory
//! bounded whatever the database's size.
//!
//! The store writes an export through a synchronous sink, part by part,
//! from inside its own async reads. To hand those bytes to an async HTTP
//! body without holding the whole document, the export runs on a blocking
//! thread of the runtime ([`tokio::task::spawn_blocking`]) and its writer
//! puts chunks of [`CHUNK`] bytes into a channel of [`IN_FLIGHT`] places,
//! waiting (that thread only) while the channel is full. So at most
//! `IN_FLIGHT + 1` chunks and one page of rows are in memory, and a slow
//! reader slows the export down instead of making it pile up. A reader that
//! goes away (the connection closed) stops the export at its next chunk.
//!
//! The bytes are exactly those `asyncmm export --output FILE` writes: the
//! document of [`App::export_to`] and a final newline.

use std::future::Future;
use std::io::{self, Write};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use asyncmm_store::{Store, StoreError};
use time::OffsetDateTime;
use tokio::sync::mpsc;

use crate::{App, AppError};

/// Bytes per chunk sent.
pub const CHUNK: usize = 64 * 1024;

/// Chunks waiting for the reader before the export waits.
pub const IN_FLIGHT: usize = 4;

/// The export being made, chunk by chunk. The last item is an error if the
/// export failed part-way; after an error or the whole document, `None`.
#[derive(Debug)]
pub struct ExportStream {
    chunks: mpsc::Receiver<Result<Vec<u8>, AppError>>,
}

impl ExportStream {
    /// The next chunk, once it is made.
    pub async fn next(&mut self) -> Option<Result<Vec<u8>, AppError>> {
        self.chunks.recv().await
    }

    /// The next chunk, polled (for an HTTP body's stream).
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Vec<u8>, AppError>>> {
        self.chunks.poll_recv(cx)
    }
}

/// Starts exporting everything `store` holds at `now` (an [`App`] at that
/// moment, so closed rounds are sealed first, as for every command). Must
/// be called inside a tokio runtime.
pub fn export_stream(store: Arc<dyn Store>, now: OffsetDateTime) -> Result<ExportStream, AppError> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|e| AppError::Conflict(format!("the export needs the server's runtime: {e}")))?;
    let (sender, chunks) = mpsc::channel(IN_FLIGHT);
    let inner = runtime.clone();
    // Dropped, the join handle lets the thread run on; it ends when the
    // document is written or the reader has gone.
    drop(runtime.spawn_blocking(move || {
        let mut out = ChunkWriter {
            sender: sender.clone(),
            buffer: Vec::with_capacity(CHUNK),
        };
        let written = inner.block_on(async {
            let app = App::new(store.as_ref(), now).await?;
            app.export_to(&mut out).await
        });
        let done = written.and_then(|()| {
            out.write_all(b"\n")
                .and_then(|()| out.flush())
                .map_err(|e| AppError::Storage(StoreError::Write(e)))
        });
        match done {
            Ok(()) => {}
            // The reader went away: nobody is left to tell.
            Err(AppError::Storage(StoreError::Write(e))) if e.kind() == io::ErrorKind::BrokenPipe => {}
            Err(e) => {
                let _ = wait(sender.send(Err(e)));
            }
        }
    }));
    Ok(ExportStream { chunks })
}

/// Collects bytes into chunks and sends each full one, waiting while the
/// channel is full.
struct ChunkWriter {
    sender: mpsc::Sender<Result<Vec<u8>, AppError>>,
    buffer: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        wait(self.sender.send(Ok(chunk)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the export's reader has gone"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.buffer.len();
        let taken = bytes.len().min(room);
        self.buffer.extend_from_slice(&bytes[..taken]);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Runs `future` to its end on this thread, parking it while the future
/// waits. Used for the channel's send only, from the export's own blocking
/// thread: there the runtime's `blocking_send` refuses to run (the thread
/// is inside `block_on`), and the send must not count against the export
/// task's cooperative budget, or a spent budget would make it wait forever.
fn wait<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(tokio::task::unconstrained(future));
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}
