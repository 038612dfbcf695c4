//! Helpers for unit tests that check whole files: written to a fresh folder, checked through
//! the pipeline, diagnostics read back as short lines.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::diag::{Diagnostic, SourceMap};
use crate::pipeline::{check, CheckOptions, Checked};

/// Writes `files` (name, text) into a fresh temporary folder and checks the first one.
pub fn check_files(files: &[(&str, &str)]) -> Checked {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir: PathBuf = std::env::temp_dir().join(format!("lemsc-unit-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let checked = check(&[dir.join(files[0].0)], &CheckOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    checked
}

/// The source text under a diagnostic's primary span ("" without one).
pub fn spanned_text<'a>(sources: &'a SourceMap, d: &Diagnostic) -> &'a str {
    d.primary.as_ref().map_or("", |(s, _)| sources.snippet(*s))
}

/// Each diagnostic as `severity: message @ spanned text`.
pub fn messages(c: &Checked) -> Vec<String> {
    c.diagnostics
        .list
        .iter()
        .map(|d| {
            let sev = if d.is_error() { "error" } else { "warning" };
            format!("{sev}: {} @ {}", d.message, spanned_text(&c.sources, d))
        })
        .collect()
}

/// Runs `f` and says how much CPU time this thread spent in it. Timing guards against slow
/// regressions measure this, not wall time, which a loaded test machine stretches many times
/// over. Wall time where the thread's CPU time cannot be read (outside Linux).
pub fn cpu_timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let (cpu_before, wall_before) = (thread_cpu_time(), Instant::now());
    let value = f();
    let spent = match (cpu_before, thread_cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => wall_before.elapsed(),
    };
    (value, spent)
}

/// User and system time of the calling thread, from `/proc/thread-self/stat` (fields 14 and
/// 15, in clock ticks of 1/100 s as Linux reports them there).
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
    Some(Duration::from_millis((ticks(14)? + ticks(15)?) * 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_counts_work_and_not_sleep() {
        let ((), slept) = cpu_timed(|| std::thread::sleep(Duration::from_millis(300)));
        assert!(slept < Duration::from_millis(150), "{slept:?}");
        let (sum, worked) = cpu_timed(|| {
            let started = Instant::now();
            let mut sum = 0u64;
            while started.elapsed() < Duration::from_millis(300) {
                sum = sum.wrapping_add(std::hint::black_box(1));
            }
            sum
        });
        assert!(sum > 0);
        // Busy for 300 ms of wall time: some of it on the CPU even on a loaded machine.
        assert!(worked > Duration::ZERO, "{worked:?}");
    }
}
