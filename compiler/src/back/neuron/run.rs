//! `--run`: find NEURON's Python and `nrnivmodl`, compile the generated mechanisms, run the
//! runner. Both tools print straight to our stdout and stderr (their messages are the useful
//! ones, docs/neuron-target.md §1.2), and the runner's exit status becomes ours.
//!
//! Compiling mods costs seconds per file, so a successful build leaves a hash of the mod
//! texts in [`HASH_FILE`]; the next build of the same texts with the same `nrnivmodl` is
//! skipped while the library it made is still there.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// Written into the mod folder after a successful `nrnivmodl`: the hash of what it compiled.
pub const HASH_FILE: &str = ".lemsc-mods.hash";

/// The folders `nrnivmodl` builds into, named after the machine.
const BUILD_FOLDERS: &[&str] = &["x86_64", "arm64", "aarch64"];

/// What `--run` executes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tools {
    /// A Python in which `import neuron` works.
    pub python: PathBuf,
    pub nrnivmodl: PathBuf,
}

/// A step of `--run` that failed, with the exit status `lemsc` should end with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFailure {
    pub message: String,
    pub status: i32,
}

impl fmt::Display for RunFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RunFailure {}

/// Finds the tools from `$LEMSC_PYTHON` and `$PATH`.
pub fn find_tools() -> Result<Tools, String> {
    find_tools_from(std::env::var_os("LEMSC_PYTHON"), std::env::var_os("PATH"))
}

/// [`find_tools`] with the two variables given, so it can be tested without touching the
/// process environment.
///
/// - Python: `lemsc_python` when set (it must import neuron: a Python named explicitly is
///   never silently replaced), else the first of `python3` and `python` on `path` that does.
/// - `nrnivmodl`: beside that Python first (a virtual environment's `bin`, which need not be
///   on PATH, and the same NEURON as the Python), else on `path`.
pub fn find_tools_from(
    lemsc_python: Option<OsString>,
    path: Option<OsString>,
) -> Result<Tools, String> {
    let path = path.unwrap_or_default();
    let hint = "install NEURON with `pip install neuron` (into a virtual environment, then \
                set LEMSC_PYTHON to its bin/python)";
    let python = match lemsc_python.filter(|p| !p.is_empty()) {
        Some(named) => {
            let python = resolve_program(&named, &path).ok_or_else(|| {
                format!(
                    "LEMSC_PYTHON is {}, which is not a program; {hint}",
                    Path::new(&named).display()
                )
            })?;
            if !imports_neuron(&python) {
                return Err(format!(
                    "`import neuron` fails with LEMSC_PYTHON ({}); {hint}",
                    python.display()
                ));
            }
            python
        }
        None => ["python3", "python"]
            .iter()
            .filter_map(|name| resolve_program(OsStr::new(name), &path))
            .find(|python| imports_neuron(python))
            .ok_or_else(|| {
                format!(
                    "no Python that can `import neuron` was found (LEMSC_PYTHON is not set; \
                     tried python3 and python on PATH); {hint}"
                )
            })?,
    };
    let beside_python = python
        .parent()
        .map(|bin| bin.join("nrnivmodl"))
        .filter(|candidate| is_executable(candidate));
    let nrnivmodl = beside_python
        .or_else(|| resolve_program(OsStr::new("nrnivmodl"), &path))
        .ok_or_else(|| {
            format!(
                "nrnivmodl was found neither beside {} nor on PATH; {hint}",
                python.display()
            )
        })?;
    Ok(Tools { python, nrnivmodl })
}

/// `program` itself when it names a path (contains a `/`), else the first executable of that
/// name in the folders of `path`.
fn resolve_program(program: &OsStr, path: &OsStr) -> Option<PathBuf> {
    let as_path = Path::new(program);
    if as_path.components().count() > 1 || as_path.is_absolute() {
        return is_executable(as_path).then(|| as_path.to_path_buf());
    }
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Whether `python -c "import neuron"` succeeds (its output, such as NEURON's "no DISPLAY"
/// warning, is not shown).
fn imports_neuron(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import neuron"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Runs `nrnivmodl` in `mod_dir`, which compiles every `.mod` there, unless the same texts
/// were already compiled by the same `nrnivmodl` and the library is still there.
pub fn compile_mechanisms(tools: &Tools, mod_dir: &Path) -> Result<(), RunFailure> {
    let hash = mods_hash(tools, mod_dir).map_err(|e| RunFailure {
        message: format!("cannot read the mod files in {}: {e}", mod_dir.display()),
        status: 1,
    })?;
    let hash_path = mod_dir.join(HASH_FILE);
    let recorded = std::fs::read_to_string(&hash_path).ok();
    if recorded.as_deref().map(str::trim) == Some(hash.as_str()) && has_built_library(mod_dir) {
        return Ok(());
    }
    // Gone while building, so an interrupted or failed build is never taken for a good one.
    if recorded.is_some() {
        let _ = std::fs::remove_file(&hash_path);
    }
    let mut command = Command::new(&tools.nrnivmodl);
    command.current_dir(mod_dir).stdin(Stdio::null());
    let status = command.status().map_err(|e| RunFailure {
        message: format!(
            "cannot start {} in {}: {e}",
            tools.nrnivmodl.display(),
            mod_dir.display()
        ),
        status: start_failure_status(&e),
    })?;
    if !status.success() {
        return Err(RunFailure {
            message: format!(
                "nrnivmodl failed ({}) compiling the mechanisms in {}",
                describe(status),
                mod_dir.display()
            ),
            status: exit_code(status),
        });
    }
    // Only a cache: if it cannot be written, the next run compiles again.
    let _ = std::fs::write(&hash_path, format!("{hash}\n"));
    Ok(())
}

/// Runs `python runner` with `work_dir` as working folder (output paths in the runner are
/// relative to it); returns the runner's exit status.
pub fn run_runner(tools: &Tools, runner: &Path, work_dir: &Path) -> Result<i32, RunFailure> {
    // Relative to where we are, not to work_dir.
    let runner = std::path::absolute(runner).map_err(|e| RunFailure {
        message: format!("cannot locate the runner {}: {e}", runner.display()),
        status: 1,
    })?;
    let status = Command::new(&tools.python)
        .arg(&runner)
        .current_dir(work_dir)
        .status()
        .map_err(|e| RunFailure {
            message: format!(
                "cannot start {} {} in {}: {e}",
                tools.python.display(),
                runner.display(),
                work_dir.display()
            ),
            status: start_failure_status(&e),
        })?;
    match status.code() {
        Some(code) => Ok(code),
        None => Err(RunFailure {
            message: format!(
                "the NEURON runner {} {}",
                runner.display(),
                describe(status)
            ),
            status: exit_code(status),
        }),
    }
}

/// A hash of every `.mod` file of `mod_dir` (name and text, in name order) and of the
/// `nrnivmodl` that compiles them, as 16 hex digits.
fn mods_hash(tools: &Tools, mod_dir: &Path) -> std::io::Result<String> {
    let mut mods: Vec<PathBuf> = std::fs::read_dir(mod_dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    mods.retain(|p| p.extension().is_some_and(|x| x == "mod") && p.is_file());
    mods.sort();
    let mut hash = Fnv1a::new();
    hash.field(tools.nrnivmodl.as_os_str().as_encoded_bytes());
    for path in &mods {
        let name = path.file_name().unwrap_or_default();
        hash.field(name.as_encoded_bytes());
        hash.field(&std::fs::read(path)?);
    }
    Ok(format!("{:016x}", hash.0))
}

/// 64-bit FNV-1a: stable across Rust versions (unlike `DefaultHasher`), which a hash kept
/// on disk (or a shortened name in generated files) needs.
pub(super) struct Fnv1a(pub(super) u64);

impl Fnv1a {
    pub(super) fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    /// Hashes `bytes` preceded by their length, so field boundaries cannot shift.
    pub(super) fn field(&mut self, bytes: &[u8]) {
        for &b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn has_built_library(mod_dir: &Path) -> bool {
    BUILD_FOLDERS.iter().any(|folder| {
        ["libnrnmech.so", "libnrnmech.dylib"]
            .iter()
            .any(|lib| mod_dir.join(folder).join(lib).is_file())
    })
}

/// The shell's convention: 127 when the program does not exist, 126 when it cannot run.
fn start_failure_status(error: &std::io::Error) -> i32 {
    if error.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    }
}

/// The exit code, or 128 + the signal that killed the process (as a shell reports it).
fn exit_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    1
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => format!("was killed ({status})"),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A fresh folder for one test.
    fn scratch(test: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("lemsc-neuron-run-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// An executable shell script at `dir/name`.
    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    const IMPORTS_NEURON: &str = "exit 0";
    const LACKS_NEURON: &str = "exit 1";

    #[test]
    fn lemsc_python_is_used_with_the_nrnivmodl_beside_it() {
        let dir = scratch("beside");
        let python = script(&dir.join("venv/bin"), "python", IMPORTS_NEURON);
        let nrnivmodl = script(&dir.join("venv/bin"), "nrnivmodl", "exit 0");
        // Another nrnivmodl on PATH loses to the one of the same installation.
        script(&dir.join("elsewhere"), "nrnivmodl", "exit 0");
        let tools = find_tools_from(
            Some(python.clone().into()),
            Some(dir.join("elsewhere").into()),
        )
        .unwrap();
        assert_eq!(tools, Tools { python, nrnivmodl });
    }

    #[test]
    fn nrnivmodl_comes_from_path_when_not_beside_the_python() {
        let dir = scratch("on-path");
        let python = script(&dir.join("py"), "python3", IMPORTS_NEURON);
        let nrnivmodl = script(&dir.join("tools"), "nrnivmodl", "exit 0");
        let path = std::env::join_paths([dir.join("py"), dir.join("tools")]).unwrap();
        let tools = find_tools_from(None, Some(path)).unwrap();
        assert_eq!(tools, Tools { python, nrnivmodl });
    }

    #[test]
    fn the_first_python_that_imports_neuron_is_chosen() {
        let dir = scratch("first");
        script(&dir.join("a"), "python3", LACKS_NEURON);
        let python = script(&dir.join("b"), "python", IMPORTS_NEURON);
        script(&dir.join("b"), "nrnivmodl", "exit 0");
        let path = std::env::join_paths([dir.join("a"), dir.join("b")]).unwrap();
        assert_eq!(find_tools_from(None, Some(path)).unwrap().python, python);
        // The fake checks its arguments: only `-c "import neuron"` succeeds.
        let picky = script(
            &dir.join("c"),
            "python3",
            r#"[ "$1" = "-c" ] && [ "$2" = "import neuron" ]"#,
        );
        script(&dir.join("c"), "nrnivmodl", "exit 0");
        let tools = find_tools_from(Some(picky.clone().into()), None).unwrap();
        assert_eq!(tools.python, picky);
    }

    #[test]
    fn missing_tools_are_reported_with_what_was_looked_for() {
        let dir = scratch("missing");
        let no_neuron = script(&dir.join("bin"), "python3", LACKS_NEURON);
        let error = find_tools_from(None, Some(dir.join("bin").into())).unwrap_err();
        assert!(error.contains("python3 and python on PATH"), "{error}");
        assert!(error.contains("pip install neuron"), "{error}");

        let error = find_tools_from(Some(no_neuron.clone().into()), None).unwrap_err();
        assert!(error.contains("LEMSC_PYTHON"), "{error}");
        assert!(error.contains(&no_neuron.display().to_string()), "{error}");

        let error = find_tools_from(Some(dir.join("nothing-here").into()), None).unwrap_err();
        assert!(error.contains("not a program"), "{error}");

        let lonely = script(&dir.join("lonely"), "python3", IMPORTS_NEURON);
        let error = find_tools_from(Some(lonely.into()), Some(OsString::new())).unwrap_err();
        assert!(error.contains("nrnivmodl was found neither"), "{error}");
        assert!(error.contains("pip install neuron"), "{error}");
    }

    /// Fake tools whose nrnivmodl logs each build to `builds.log` and makes the library.
    fn fake_build_tools(dir: &Path, exit: i32) -> Tools {
        let log = dir.join("builds.log");
        let body = format!(
            "echo built >> '{}'\nmkdir -p x86_64 && touch x86_64/libnrnmech.so\nexit {exit}",
            log.display()
        );
        Tools {
            python: script(&dir.join("bin"), "python", IMPORTS_NEURON),
            nrnivmodl: script(&dir.join("bin"), "nrnivmodl", &body),
        }
    }

    fn builds(dir: &Path) -> usize {
        std::fs::read_to_string(dir.join("builds.log"))
            .map(|log| log.lines().count())
            .unwrap_or(0)
    }

    #[test]
    fn mechanisms_are_compiled_again_only_when_the_mods_change() {
        let dir = scratch("rebuild");
        let tools = fake_build_tools(&dir, 0);
        let mods = dir.join("mods");
        std::fs::create_dir_all(&mods).unwrap();
        std::fs::write(mods.join("a.mod"), "NEURON { SUFFIX a }").unwrap();
        std::fs::write(mods.join("notes.txt"), "not a mod").unwrap();

        compile_mechanisms(&tools, &mods).unwrap();
        assert_eq!(builds(&dir), 1);
        assert!(mods.join(HASH_FILE).is_file());
        compile_mechanisms(&tools, &mods).unwrap();
        assert_eq!(builds(&dir), 1, "same mods: no rebuild");

        std::fs::write(mods.join("notes.txt"), "other text").unwrap();
        compile_mechanisms(&tools, &mods).unwrap();
        assert_eq!(builds(&dir), 1, "a file nrnivmodl does not read changed");

        std::fs::write(mods.join("a.mod"), "NEURON { SUFFIX b }").unwrap();
        compile_mechanisms(&tools, &mods).unwrap();
        assert_eq!(builds(&dir), 2, "changed text");

        std::fs::write(mods.join("b.mod"), "NEURON { SUFFIX c }").unwrap();
        compile_mechanisms(&tools, &mods).unwrap();
        assert_eq!(builds(&dir), 3, "added mod");

        std::fs::rename(mods.join("b.mod"), mods.join("c.mod")).unwrap();
        compile_mechanisms(&tools, &mods).unwrap();
        assert_eq!(builds(&dir), 4, "renamed mod");

        std::fs::remove_dir_all(mods.join("x86_64")).unwrap();
        compile_mechanisms(&tools, &mods).unwrap();
        assert_eq!(builds(&dir), 5, "library deleted");

        let other = Tools {
            nrnivmodl: script(&dir.join("other"), "nrnivmodl", "mkdir -p x86_64"),
            ..tools.clone()
        };
        compile_mechanisms(&other, &mods).unwrap();
        compile_mechanisms(&tools, &mods).unwrap();
        assert_eq!(builds(&dir), 6, "another nrnivmodl built in between");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_build_names_the_folder_keeps_the_status_and_is_not_cached() {
        let dir = scratch("fails");
        let mods = dir.join("mods");
        std::fs::create_dir_all(&mods).unwrap();
        std::fs::write(mods.join("a.mod"), "NEURON { SUFFIX a }").unwrap();
        compile_mechanisms(&fake_build_tools(&dir, 0), &mods).unwrap();
        std::fs::write(mods.join("a.mod"), "broken").unwrap();

        let failing = fake_build_tools(&dir, 3);
        let failure = compile_mechanisms(&failing, &mods).unwrap_err();
        assert_eq!(failure.status, 3);
        assert!(
            failure.message.contains(&mods.display().to_string()),
            "{}",
            failure.message
        );
        assert!(!mods.join(HASH_FILE).exists(), "no hash after a failure");
        assert!(compile_mechanisms(&failing, &mods).is_err(), "tried again");
        assert_eq!(builds(&dir), 3);

        let absent = Tools {
            nrnivmodl: dir.join("no-such-nrnivmodl"),
            ..failing
        };
        assert_eq!(compile_mechanisms(&absent, &mods).unwrap_err().status, 127);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_runner_runs_in_the_work_folder_and_its_status_is_returned() {
        let dir = scratch("runner");
        let work = dir.join("work");
        std::fs::create_dir_all(&work).unwrap();
        // The fake python records its argument and working folder, then exits 5.
        let tools = Tools {
            python: script(
                &dir.join("bin"),
                "python",
                "echo \"$1\" > ran.txt; pwd >> ran.txt; exit 5",
            ),
            nrnivmodl: dir.join("unused"),
        };
        let runner = dir.join("LEMS_x_nrn.py");
        std::fs::write(&runner, "").unwrap();
        assert_eq!(run_runner(&tools, &runner, &work), Ok(5));
        let ran = std::fs::read_to_string(work.join("ran.txt")).unwrap();
        let mut lines = ran.lines();
        assert_eq!(lines.next(), Some(runner.to_str().unwrap()));
        let cwd = PathBuf::from(lines.next().unwrap());
        assert_eq!(cwd.canonicalize().unwrap(), work.canonicalize().unwrap());

        let killed = Tools {
            python: script(&dir.join("bin2"), "python", "kill -9 $$"),
            ..tools
        };
        let failure = run_runner(&killed, &runner, &work).unwrap_err();
        assert_eq!(failure.status, 128 + 9);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// With NEURON installed (`$LEMSC_PYTHON` or PATH), the real tools compile a mod and a
    /// runner that loads it reports its status; otherwise the test says so and passes.
    #[test]
    fn real_neuron_compiles_and_runs_when_installed() {
        let tools = match find_tools() {
            Ok(tools) => tools,
            Err(why) => {
                eprintln!("skipped: {why}");
                return;
            }
        };
        let dir = scratch("real");
        std::fs::write(
            dir.join("nml_leak.mod"),
            "NEURON { SUFFIX nml_leak NONSPECIFIC_CURRENT i RANGE g, e }\n\
             PARAMETER { g = 0.001 (S/cm2) e = -65 (mV) }\n\
             ASSIGNED { v (mV) i (mA/cm2) }\n\
             BREAKPOINT { i = g * (v - e) }\n",
        )
        .unwrap();
        compile_mechanisms(&tools, &dir).unwrap();
        assert!(has_built_library(&dir));
        let runner = dir.join("runner.py");
        std::fs::write(
            &runner,
            format!(
                "import sys, neuron\n\
                 neuron.load_mechanisms({:?})\n\
                 from neuron import h\n\
                 s = h.Section()\n\
                 s.insert('nml_leak')\n\
                 open('seen.txt', 'w').write(str(s(0.5).nml_leak.g))\n\
                 sys.exit(4)\n",
                dir.display().to_string()
            ),
        )
        .unwrap();
        let work = dir.join("work");
        std::fs::create_dir_all(&work).unwrap();
        assert_eq!(run_runner(&tools, &runner, &work), Ok(4));
        assert_eq!(
            std::fs::read_to_string(work.join("seen.txt")).unwrap(),
            "0.001"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
