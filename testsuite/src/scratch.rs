//! Output folders of the tests under `target/tmp`. A whole suite writes gigabytes of traces
//! there; a folder is removed when the test that made it passes, so they never pile up on
//! CI's disk. A failing test keeps its folder for inspection, and `LEMSC_KEEP_TEST_OUTPUTS=1`
//! keeps every folder.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A test's output folder: emptied when made, removed when dropped unless the test failed.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// `path`, with whatever an earlier test process left there removed first, so that no
    /// stale output is judged.
    pub fn fresh(path: PathBuf) -> Scratch {
        let _ = std::fs::remove_dir_all(&path);
        Scratch { path }
    }
}

impl Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A test fails by panicking: its outputs stay, to be looked at.
        if std::thread::panicking() || keep_outputs() {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A folder that several tests of one process read (runs made once for all of them): it is
/// removed when the last of its `readers` tests ends passing, and kept once any of them fails.
pub struct SharedScratch {
    readers_left: AtomicUsize,
    failed: AtomicBool,
}

impl SharedScratch {
    pub const fn new(readers: usize) -> SharedScratch {
        SharedScratch {
            readers_left: AtomicUsize::new(readers),
            failed: AtomicBool::new(false),
        }
    }

    /// Held by a reading test while it reads `path`; its end counts as the test's end.
    pub fn reader(&self, path: PathBuf) -> ScratchReader<'_> {
        ScratchReader { shared: self, path }
    }
}

pub struct ScratchReader<'a> {
    shared: &'a SharedScratch,
    path: PathBuf,
}

impl Drop for ScratchReader<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.shared.failed.store(true, Ordering::SeqCst);
        }
        let last = self.shared.readers_left.fetch_sub(1, Ordering::SeqCst) == 1;
        if last && !self.shared.failed.load(Ordering::SeqCst) && !keep_outputs() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn keep_outputs() -> bool {
    std::env::var_os("LEMSC_KEEP_TEST_OUTPUTS").is_some_and(|v| !v.is_empty() && v != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("lemsc-scratch-{}-{name}", std::process::id()))
    }

    #[test]
    fn a_passing_test_leaves_no_folder() {
        let path = folder("pass");
        {
            let scratch = Scratch::fresh(path.clone());
            std::fs::create_dir_all(scratch.join("a")).unwrap();
            std::fs::write(scratch.join("a/x.dat"), "0 1\n").unwrap();
        }
        assert!(!path.exists());
    }

    #[test]
    fn a_failing_test_keeps_its_folder() {
        let path = folder("fail");
        let inner = path.clone();
        let outcome = std::thread::spawn(move || {
            let scratch = Scratch::fresh(inner);
            std::fs::create_dir_all(&*scratch).unwrap();
            panic!("the test failed");
        })
        .join();
        assert!(outcome.is_err());
        assert!(path.is_dir());
        std::fs::remove_dir_all(&path).unwrap();
    }

    #[test]
    fn making_one_empties_what_was_there() {
        let path = folder("stale");
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("old.dat"), "stale").unwrap();
        let scratch = Scratch::fresh(path.clone());
        assert!(!scratch.join("old.dat").exists());
    }

    #[test]
    fn a_shared_folder_goes_when_its_last_reader_passes() {
        let path = folder("shared-pass");
        std::fs::create_dir_all(&path).unwrap();
        let shared = SharedScratch::new(2);
        drop(shared.reader(path.clone()));
        assert!(path.is_dir(), "one reader is still to come");
        drop(shared.reader(path.clone()));
        assert!(!path.exists());
    }

    #[test]
    fn a_shared_folder_stays_when_a_reader_fails() {
        static SHARED: SharedScratch = SharedScratch::new(2);
        let path = folder("shared-fail");
        std::fs::create_dir_all(&path).unwrap();
        let inner = path.clone();
        let outcome = std::thread::spawn(move || {
            let _reader = SHARED.reader(inner);
            panic!("the test failed");
        })
        .join();
        assert!(outcome.is_err());
        drop(SHARED.reader(path.clone()));
        assert!(path.is_dir());
        std::fs::remove_dir_all(&path).unwrap();
    }
}
