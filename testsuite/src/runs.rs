//! Running many models for the conformance tests: two at a time (the machine has two cores,
//! and while one model's build compiles another runs), with one status line each.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use lemsc::simulate::{run_file, Engine, RunOptions, RunOutcome, SimError};

/// `run` applied to every item, two at a time (one at a time on a one-core machine); the
/// results come back in the items' order.
pub fn two_at_a_time<T: Sync, R: Send>(items: &[T], run: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let result = run(item);
                done.lock().unwrap().push((i, result));
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Removes what an earlier test process left in `root`, so that no stale output is judged.
pub fn fresh_root(root: &Path) {
    let _ = std::fs::remove_dir_all(root);
}

/// Runs `file` on the native target, its outputs under `out_dir`; or says why it failed.
pub fn run_natively(file: &Path, out_dir: &Path) -> Result<RunOutcome, String> {
    let opts = RunOptions {
        out_dir: Some(out_dir.to_path_buf()),
        engine: Engine::Native,
        ..RunOptions::default()
    };
    run_file(file, &opts).map_err(|e| first_error(&e))
}

/// The first line of a failed run's message, and how many more lines it had.
pub fn first_error(err: &SimError) -> String {
    let summary = err.summary();
    let mut lines = summary.lines();
    let first = lines.next().unwrap_or("no message").to_string();
    match lines.count() {
        0 => first,
        more => format!("{first} (and {more} more lines)"),
    }
}

/// `ok`, or `FAILED: ` and why.
pub fn status<T>(result: &Result<T, String>) -> String {
    match result {
        Ok(_) => "ok".to_string(),
        Err(why) => format!("FAILED: {why}"),
    }
}
