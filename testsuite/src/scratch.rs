//! Output folders of the tests under `target/tmp`. A whole suite writes gigabytes of traces
//! there; a folder is removed when the test that made it passes, so they never pile up on
//! CI's disk. A failing test keeps its folder for inspection, and `LEMSC_KEEP_TEST_OUTPUTS=1`
//! keeps every folder.

use std::ops::Deref;
use std::path::{Path, PathBuf};

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
}
