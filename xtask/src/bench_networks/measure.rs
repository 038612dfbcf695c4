//! One run of one engine measured: wall and CPU seconds and peak memory, from `wait4`.

use super::*;

/// Runs `cmd` to its end with stdout and stderr in `log_dir/{stdout,stderr}.log`; its wall and
/// CPU seconds and peak RSS (of the child and of what it waited for), or why it failed.
pub(super) fn measure(cmd: &mut Command, log_dir: &Path) -> Result<Measured, String> {
    let log = |name: &str| {
        File::create(log_dir.join(name)).map_err(|e| format!("cannot create {name}: {e}"))
    };
    cmd.stdin(Stdio::null())
        .stdout(log("stdout.log")?)
        .stderr(log("stderr.log")?);
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let (status, usage) = rusage::wait(child.id())?;
    let wall_s = started.elapsed().as_secs_f64();
    if status != 0 {
        let stderr = read_log(log_dir, "stderr.log");
        let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = tail[tail.len().saturating_sub(3)..].join(" | ");
        return Err(format!("exit status {status:#x}: {tail}"));
    }
    Ok(Measured {
        wall_s,
        cpu_s: usage.cpu_seconds(),
        peak_rss_kib: usage.max_rss_kib(),
        sim_s: None,
        spikes: None,
        threads: None,
    })
}

/// `wait4(2)`, declared here because std's `Child::wait` does not return resource usage.
mod rusage {
    use std::os::raw::{c_int, c_long};

    #[repr(C)]
    struct TimeVal {
        sec: c_long,
        usec: c_long,
    }

    /// Linux's `struct rusage`: two times, then 14 longs (the first is `ru_maxrss`, KiB).
    #[repr(C)]
    pub struct Usage {
        user: TimeVal,
        system: TimeVal,
        rest: [c_long; 14],
    }

    impl Usage {
        pub fn cpu_seconds(&self) -> f64 {
            let secs = |t: &TimeVal| t.sec as f64 + t.usec as f64 * 1e-6;
            secs(&self.user) + secs(&self.system)
        }

        pub fn max_rss_kib(&self) -> u64 {
            self.rest[0].max(0) as u64
        }
    }

    extern "C" {
        fn wait4(pid: c_int, status: *mut c_int, options: c_int, usage: *mut Usage) -> c_int;
    }

    /// Waits for the child `pid`; its raw wait status and resource usage.
    pub fn wait(pid: u32) -> Result<(c_int, Usage), String> {
        let mut status: c_int = 0;
        let mut usage = Usage {
            user: TimeVal { sec: 0, usec: 0 },
            system: TimeVal { sec: 0, usec: 0 },
            rest: [0; 14],
        };
        loop {
            // SAFETY: both pointers are to live, writable values of the layout wait4 expects.
            let got = unsafe { wait4(pid as c_int, &mut status, 0, &mut usage) };
            if got == pid as c_int {
                return Ok((status, usage));
            }
            let error = std::io::Error::last_os_error();
            if error.kind() != std::io::ErrorKind::Interrupted {
                return Err(format!("wait4 on {pid}: {error}"));
            }
        }
    }
}
