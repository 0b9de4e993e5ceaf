//! Work that must be read and counted in order but can be parsed in any
//! order: one thread reads jobs and consumes results in their original
//! order, the others do the expensive middle step in parallel.
//!
//! Scanners read a stream of files where order matters to the counting (a
//! Slack thread's parent comes before its replies) but not to the parsing,
//! which is where the time goes. Memory stays bounded: at most `in_flight`
//! jobs are read ahead of the one being consumed, whatever the input size.

use std::collections::BTreeMap;

/// How many threads parse beside the reading one: one per core the process
/// may use, at least one, at most eight (beyond that the single reader is
/// the bottleneck).
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8)
}

/// Runs `work` over every job `next_job` yields, on `workers` threads, and
/// hands each result to `consume` in the order the jobs were read.
///
/// `next_job` and `consume` run on the calling thread. The first error
/// either returns stops reading; jobs already queued are finished and
/// dropped. With one worker everything runs on the calling thread.
pub fn in_order<J, R, E>(
    workers: usize,
    in_flight: usize,
    mut next_job: impl FnMut() -> Result<Option<J>, E>,
    work: impl Fn(J) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    J: Send,
    R: Send,
{
    if workers <= 1 {
        while let Some(job) = next_job()? {
            consume(work(job))?;
        }
        return Ok(());
    }
    let in_flight = in_flight.max(workers);
    let (job_tx, job_rx) = crossbeam_channel::bounded::<(usize, J)>(in_flight);
    let (result_tx, result_rx) = crossbeam_channel::unbounded::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let job_rx = job_rx.clone();
            let result_tx = result_tx.clone();
            let work = &work;
            scope.spawn(move || {
                for (seq, job) in job_rx {
                    if result_tx.send((seq, work(job))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(job_rx);
        drop(result_tx);
        let mut read = 0usize;
        let mut consumed = 0usize;
        let mut exhausted = false;
        let mut early: BTreeMap<usize, R> = BTreeMap::new();
        let outcome = 'run: loop {
            while !exhausted && read - consumed < in_flight {
                match next_job() {
                    Ok(Some(job)) => {
                        // The channel holds `in_flight` and fewer than that
                        // are unconsumed, so this never waits; it fails only
                        // if every worker is gone (a panic, re-raised when
                        // the scope ends).
                        if job_tx.send((read, job)).is_err() {
                            break 'run Ok(());
                        }
                        read += 1;
                    }
                    Ok(None) => exhausted = true,
                    Err(e) => break 'run Err(e),
                }
            }
            if consumed == read {
                break Ok(());
            }
            let result = match early.remove(&consumed) {
                Some(r) => r,
                None => loop {
                    match result_rx.recv() {
                        Ok((seq, r)) if seq == consumed => break r,
                        Ok((seq, r)) => {
                            early.insert(seq, r);
                        }
                        // Every worker is gone: a panic, re-raised below.
                        Err(_) => break 'run Ok(()),
                    }
                },
            };
            if let Err(e) = consume(result) {
                break Err(e);
            }
            consumed += 1;
        };
        drop(job_tx);
        outcome
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn run(workers: usize, n: usize, fail_at: Option<usize>) -> (Result<(), String>, Vec<usize>) {
        let mut next = 0usize;
        let mut seen = Vec::new();
        let outcome = in_order(
            workers,
            4,
            || {
                if Some(next) == fail_at {
                    return Err(format!("cannot read {next}"));
                }
                next += 1;
                Ok((next <= n).then_some(next - 1))
            },
            |job: usize| {
                // Later jobs finish first, so results arrive out of order.
                std::thread::sleep(Duration::from_micros(((n - job) % 7) as u64 * 200));
                job * 10
            },
            |r| {
                seen.push(r);
                Ok(())
            },
        );
        (outcome, seen)
    }

    #[test]
    fn results_come_back_in_reading_order_whatever_the_worker_count() {
        let expected: Vec<usize> = (0..200).map(|i| i * 10).collect();
        for workers in [1, 2, 3, 8] {
            let (outcome, seen) = run(workers, 200, None);
            assert_eq!(outcome, Ok(()));
            assert_eq!(seen, expected, "{workers} workers");
        }
    }

    #[test]
    fn a_read_error_stops_and_is_returned_after_what_was_read_before() {
        for workers in [1, 3] {
            let (outcome, seen) = run(workers, 200, Some(50));
            assert_eq!(outcome, Err("cannot read 50".to_string()));
            // Everything before the failure may or may not have been
            // consumed, but never anything after it and never out of order.
            assert!(seen.len() <= 50, "{workers}: {}", seen.len());
            assert_eq!(seen, (0..seen.len()).map(|i| i * 10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_consume_error_stops_the_run() {
        let mut next = 0usize;
        let mut count = 0;
        let outcome = in_order(
            2,
            4,
            || {
                next += 1;
                Ok::<_, String>((next <= 100).then_some(next))
            },
            |j| j,
            |r| {
                count += 1;
                if r == 10 { Err("stop".to_string()) } else { Ok(()) }
            },
        );
        assert_eq!(outcome, Err("stop".to_string()));
        assert_eq!(count, 10);
        // Reading stopped within the read-ahead bound.
        assert!(next <= 10 + 4 + 1, "read {next}");
    }

    #[test]
    fn nothing_to_read_is_fine() {
        let (outcome, seen) = run(2, 0, None);
        assert_eq!(outcome, Ok(()));
        assert!(seen.is_empty());
    }
}
