//! `lemsc jnml-home`: a folder holding a `jnml` program that accepts jNeuroML's command line
//! and runs lemsc, so that tools which drive models through jnml (OMV's `omv test`, with
//! `JNML_HOME` set to that folder) run them with lemsc unchanged.
//!
//! The program is a small `sh` script that calls this lemsc executable by its absolute path
//! as `lemsc jnml ARGS...`; [`translate`] turns those jnml arguments into a lemsc command line.
//! OMV runs jnml with an environment holding only `JNML_HOME` for plain runs (no PATH), so
//! the script depends on nothing but `/bin/sh` and that path.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// What a jnml command line asks for, in lemsc's terms.
#[derive(Debug, PartialEq, Eq)]
pub enum JnmlCommand {
    /// `jnml -v`: print [`version_line`].
    Version,
    /// Run lemsc with these arguments (the program name first, as `Cli::parse_from` wants).
    Lemsc(Vec<OsString>),
    /// A jnml feature lemsc does not have, or a command line jnml would not accept: the
    /// message says which, and what is supported.
    Unsupported(String),
}

/// What the `jnml` program accepts, for the messages about what it does not.
pub const SUPPORTED: &str = "supported: `jnml -v`, `jnml FILE [-nogui]` (lemsc FILE), \
    `jnml FILE -neuron [-run] [-nogui]` (lemsc FILE --target neuron [--run]), \
    `jnml FILE -brian2` (lemsc FILE --target brian2: writes FILE's _brian2.py script), \
    `jnml FILE -nest` (lemsc FILE --target nest: writes the NESTML models and _nest.py), \
    `jnml -validate FILE...` (lemsc check FILE...)";

/// The line `jnml -v` prints. OMV takes its second word as the engine's version.
pub fn version_line() -> String {
    format!(
        "lemsc v{} (jNeuroML's command line, run by lemsc)",
        env!("CARGO_PKG_VERSION")
    )
}

/// jnml options that choose a target or an export lemsc does not have.
const OTHER_TARGETS: &[&str] = &[
    "-brian",
    "-netpyne",
    "-moose",
    "-eden",
    "-pynn",
    "-xpp",
    "-dnsim",
    "-matlab",
    "-cvode",
    "-c",
    "-sbml",
    "-sbml-import",
    "-sedml",
    "-vertex",
    "-dlems",
    "-spikes",
    "-graph",
    "-lems-graph",
    "-png",
    "-svg",
    "-validatev1",
    "-norun",
    "-compile",
    "-outputdir",
];

/// Translates jnml's arguments (after the program name) into what lemsc should do.
pub fn translate(args: &[OsString]) -> JnmlCommand {
    let Some(first) = args.first() else {
        return JnmlCommand::Unsupported(format!("no model file given; {SUPPORTED}"));
    };
    match first.to_str() {
        Some("-v" | "-version" | "--version") if args.len() == 1 => return JnmlCommand::Version,
        Some("-validate") => {
            if args.len() == 1 {
                return JnmlCommand::Unsupported(format!("-validate needs files; {SUPPORTED}"));
            }
            let mut argv = vec![OsString::from("lemsc"), OsString::from("check")];
            argv.extend(args[1..].iter().cloned());
            return JnmlCommand::Lemsc(argv);
        }
        _ => {}
    }
    let mut file: Option<&OsString> = None;
    // The export asked for: jnml's option and lemsc's target.
    let mut export: Option<(&str, &str)> = None;
    let mut run = false;
    for arg in args {
        match arg.to_str() {
            Some("-nogui") => {}
            Some(option @ ("-neuron" | "-brian2" | "-nest")) => {
                let target = &option[1..];
                if let Some((other, _)) = export.filter(|(o, _)| *o != option) {
                    return JnmlCommand::Unsupported(format!(
                        "{other} and {option} together: one export at a time; {SUPPORTED}"
                    ));
                }
                export = Some((option, target));
            }
            Some("-run") => run = true,
            Some(option) if option.starts_with('-') => {
                let what = if OTHER_TARGETS.contains(&option) {
                    "is not supported by lemsc"
                } else {
                    "is not a jnml option lemsc knows"
                };
                return JnmlCommand::Unsupported(format!(
                    "jnml option {option} {what}; {SUPPORTED}"
                ));
            }
            _ if file.is_some() => {
                return JnmlCommand::Unsupported(format!(
                    "more than one model file ({} and {}); {SUPPORTED}",
                    Path::new(file.expect("checked")).display(),
                    Path::new(arg).display()
                ))
            }
            _ => file = Some(arg),
        }
    }
    let Some(file) = file else {
        return JnmlCommand::Unsupported(format!("no model file given; {SUPPORTED}"));
    };
    let neuron = export.is_some_and(|(option, _)| option == "-neuron");
    if run && !neuron {
        return JnmlCommand::Unsupported(format!("-run goes with -neuron; {SUPPORTED}"));
    }
    let mut argv = vec![OsString::from("lemsc"), file.clone()];
    if let Some((_, target)) = export {
        argv.extend(["--target", target].map(OsString::from));
    }
    if neuron {
        // The output files as jNeuroML's NEURON export writes them, which is what the test
        // files of `-neuron` runs were made from.
        argv.extend(["--neuron-output", "jneuroml"].map(OsString::from));
        if run {
            argv.push(OsString::from("--run"));
        }
    }
    // `-brian2` and `-nest` write the script only, as jnml does; OMV runs it with Python.
    JnmlCommand::Lemsc(argv)
}

/// The text of the `jnml` script for the lemsc executable at `lemsc`.
pub fn script_text(lemsc: &Path) -> String {
    format!(
        "#!/bin/sh\n\
         # jNeuroML's command line, run by lemsc. Written by `lemsc jnml-home`, which rewrites\n\
         # it when it no longer calls the lemsc that asks.\n\
         # OMV names the NEURON installation in NEURON_HOME: its Python comes first.\n\
         if [ -z \"${{LEMSC_PYTHON-}}\" ] && [ -n \"${{NEURON_HOME-}}\" ]; then\n\
         \x20   PATH=\"$NEURON_HOME/bin:${{PATH-/usr/bin:/bin}}\"\n\
         \x20   export PATH\n\
         fi\n\
         exec {} jnml \"$@\"\n",
        sh_quote(lemsc.as_os_str())
    )
}

/// `text` as one `sh` word: in single quotes, a quote inside written as `'\''`.
fn sh_quote(text: &OsStr) -> String {
    format!("'{}'", text.to_string_lossy().replace('\'', r"'\''"))
}

/// The folder for the lemsc executable at `lemsc` under the cache folder `cache`: one per
/// executable, so that two lemsc builds never rewrite each other's script.
pub fn home_for(cache: &Path, lemsc: &Path) -> PathBuf {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in lemsc.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    cache.join("lemsc").join(format!("jnml-home-{hash:016x}"))
}

/// The user's cache folder: `$XDG_CACHE_HOME`, else `$HOME/.cache`, else the temporary folder.
fn cache_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("XDG_CACHE_HOME") {
        return PathBuf::from(dir);
    }
    if let Some(home) = non_empty("HOME") {
        return PathBuf::from(home).join(".cache");
    }
    std::env::temp_dir()
}

/// Makes sure the jnml folder of this lemsc exists and holds an up-to-date `jnml` script;
/// returns the folder.
pub fn ensure_home() -> Result<PathBuf, String> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| format!("cannot tell where this lemsc executable is: {e}"))?;
    let home = home_for(&cache_dir(), &exe);
    write_script(&home, &script_text(&exe))?;
    Ok(home)
}

/// Writes `text` as `home/jnml` (mode 755) unless it already holds exactly that; a new text
/// is written under another name and renamed, so a jnml running meanwhile is never torn.
fn write_script(home: &Path, text: &str) -> Result<(), String> {
    let script = home.join("jnml");
    if std::fs::read_to_string(&script).is_ok_and(|old| old == text) && is_executable(&script) {
        return Ok(());
    }
    let fail = |what: &str, path: &Path, e: std::io::Error| {
        format!("cannot {what} {}: {e}", path.display())
    };
    std::fs::create_dir_all(home).map_err(|e| fail("create", home, e))?;
    let temp = home.join(format!(".jnml.{}.partial", std::process::id()));
    std::fs::write(&temp, text).map_err(|e| fail("write", &temp, e))?;
    make_executable(&temp).map_err(|e| fail("make executable", &temp, e))?;
    std::fs::rename(&temp, &script).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        fail("write", &script, e)
    })
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 == 0o111)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn lemsc(list: &[&str]) -> JnmlCommand {
        let mut argv = args(&["lemsc"]);
        argv.extend(args(list));
        JnmlCommand::Lemsc(argv)
    }

    #[test]
    fn runs_translate_to_lemsc_command_lines() {
        assert_eq!(translate(&args(&["-v"])), JnmlCommand::Version);
        assert_eq!(
            translate(&args(&["Ex1.xml", "-nogui"])),
            lemsc(&["Ex1.xml"])
        );
        assert_eq!(translate(&args(&["Ex1.xml"])), lemsc(&["Ex1.xml"]));
        assert_eq!(
            translate(&args(&["/m/Ex1.xml", "-neuron", "-nogui", "-run"])),
            lemsc(&[
                "/m/Ex1.xml",
                "--target",
                "neuron",
                "--neuron-output",
                "jneuroml",
                "--run"
            ])
        );
        assert_eq!(
            translate(&args(&["Ex1.xml", "-neuron"])),
            lemsc(&[
                "Ex1.xml",
                "--target",
                "neuron",
                "--neuron-output",
                "jneuroml"
            ])
        );
        assert_eq!(
            translate(&args(&["/m/Ex1.xml", "-brian2"])),
            lemsc(&["/m/Ex1.xml", "--target", "brian2"])
        );
        assert_eq!(
            translate(&args(&["Ex1.xml", "-nest", "-nogui"])),
            lemsc(&["Ex1.xml", "--target", "nest"])
        );
        assert_eq!(
            translate(&args(&["-validate", "a.nml", "b.nml"])),
            lemsc(&["check", "a.nml", "b.nml"])
        );
    }

    #[test]
    fn what_lemsc_lacks_is_named() {
        for (line, named) in [
            (&["Ex1.xml", "-brian"][..], "-brian is not supported"),
            (&["Ex1.xml", "-graph"], "-graph is not supported"),
            (&["Ex1.xml", "-neuron", "-brian2"], "one export at a time"),
            (&["Ex1.xml", "-brian2", "-run"], "-run goes with -neuron"),
            (
                &["Ex1.xml", "-frobnicate"],
                "-frobnicate is not a jnml option",
            ),
            (&["Ex1.xml", "-run"], "-run goes with -neuron"),
            (&["a.xml", "b.xml"], "more than one model file"),
            (&["-validate"], "-validate needs files"),
            (&[], "no model file"),
        ] {
            match translate(&args(line)) {
                JnmlCommand::Unsupported(message) => {
                    assert!(message.contains(named), "{line:?}: {message}");
                    assert!(message.contains("supported:"), "{message}");
                }
                other => panic!("{line:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn the_version_line_has_the_version_second_as_omv_reads_it() {
        let line = version_line();
        let second = line.split_whitespace().nth(1).unwrap();
        assert_eq!(second, format!("v{}", env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn the_script_is_written_once_and_rewritten_when_stale() {
        let dir = std::env::temp_dir().join(format!("lemsc-jnml-home-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let home = home_for(&dir, Path::new("/opt/it's/lemsc"));
        assert_ne!(home, home_for(&dir, Path::new("/other/lemsc")));
        let text = script_text(Path::new("/opt/it's/lemsc"));
        assert!(text.contains(r"exec '/opt/it'\''s/lemsc' jnml"), "{text}");
        write_script(&home, &text).unwrap();
        let script = home.join("jnml");
        assert_eq!(std::fs::read_to_string(&script).unwrap(), text);
        assert!(is_executable(&script));
        std::fs::write(&script, "#!/bin/sh\nexec /old/lemsc jnml \"$@\"\n").unwrap();
        write_script(&home, &text).unwrap();
        assert_eq!(std::fs::read_to_string(&script).unwrap(), text);
        let leftovers: Vec<_> = std::fs::read_dir(&home).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only jnml is left: {leftovers:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
