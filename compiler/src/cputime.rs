//! CPU time of the calling thread. Tests that guard against slow regressions measure it
//! rather than wall time, which a loaded machine (CI runs two test processes on two cores)
//! stretches many times over.

use std::time::{Duration, Instant};

/// Runs `f` and says how much CPU time this thread spent in it (wall time where that cannot
/// be read, outside Linux).
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
