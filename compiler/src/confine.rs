//! Where a run may write. Model files come from untrusted sources (pull requests run in CI),
//! so every file a target writes is checked here first: it must resolve, after `..` and
//! symbolic links, inside the output folder (unless the user allowed writes outside it), must
//! not be one of the model's own input files, and must be a regular file or not exist yet.
//! Every target calls [`WriteRoot::check`] for each path before it writes anything.

use std::io;
use std::path::{Component, Path, PathBuf};

/// The output folder of one run and the files it must never replace.
#[derive(Debug)]
pub struct WriteRoot {
    /// The output folder as given, for messages.
    shown: PathBuf,
    /// The output folder resolved (it need not exist yet).
    resolved: PathBuf,
    /// The model's input files, resolved.
    inputs: Vec<FileIdentity>,
    /// `--allow-writes-outside`: paths outside the folder are accepted (the other rules hold).
    allow_outside: bool,
}

/// An existing file, by canonical path and, on Unix, by device and inode (which also catches
/// hard links to it).
#[derive(Debug, PartialEq)]
struct FileIdentity {
    path: PathBuf,
    node: Option<(u64, u64)>,
}

impl FileIdentity {
    fn of(path: &Path) -> Option<FileIdentity> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileIdentity {
            path: std::fs::canonicalize(path).ok()?,
            node: node_of(&meta),
        })
    }
}

#[cfg(unix)]
fn node_of(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn node_of(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

impl WriteRoot {
    /// `root` is the output folder; `inputs` the files the model was read from (paths that
    /// do not exist, such as built-in definitions, are ignored).
    pub fn new<'a>(
        root: &Path,
        inputs: impl IntoIterator<Item = &'a Path>,
        allow_outside: bool,
    ) -> io::Result<WriteRoot> {
        let root = if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            root
        };
        Ok(WriteRoot {
            shown: root.to_path_buf(),
            resolved: resolve(root)?,
            inputs: inputs.into_iter().filter_map(FileIdentity::of).collect(),
            allow_outside,
        })
    }

    /// The output folder as given.
    pub fn folder(&self) -> &Path {
        &self.shown
    }

    /// Checks that `path` may be created or replaced; on success returns it resolved. The
    /// error is a phrase to follow the path in a message ("resolves to ..., outside ...").
    pub fn check(&self, path: &Path) -> Result<PathBuf, String> {
        let resolved = resolve(path).map_err(|e| format!("cannot be resolved: {e}"))?;
        if !self.allow_outside && !resolved.starts_with(&self.resolved) {
            return Err(format!(
                "resolves to {}, outside the output folder {}",
                resolved.display(),
                self.shown.display()
            ));
        }
        if let Some(folder) = resolved.ancestors().skip(1).find(|a| a.exists()) {
            if !folder.is_dir() {
                return Err(format!("needs {} to be a folder", folder.display()));
            }
        }
        match std::fs::metadata(&resolved) {
            Ok(meta) if !meta.is_file() => {
                return Err(format!("is {}, not a regular file", kind_of(&meta)));
            }
            Ok(_) => {
                if let Some(identity) = FileIdentity::of(&resolved) {
                    if self.inputs.iter().any(|i| same_file(i, &identity)) {
                        return Err("is an input file of the model".to_string());
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot be inspected: {e}")),
        }
        Ok(resolved)
    }
}

fn same_file(a: &FileIdentity, b: &FileIdentity) -> bool {
    a.path == b.path || (a.node.is_some() && a.node == b.node)
}

/// What a non-regular file is, for messages.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// `path` made absolute with every existing symbolic link followed and every `.` and `..`
/// applied, as the system will when the file is created. Components that do not exist yet
/// are taken as written (they will be created as folders). A link that leads nowhere, or in
/// a loop, is an error.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut out = if path.is_absolute() {
        PathBuf::from("/")
    } else {
        std::fs::canonicalize(std::env::current_dir()?)?
    };
    for part in path.components() {
        match part {
            Component::Prefix(_) | Component::RootDir => out = PathBuf::from("/"),
            Component::CurDir => {}
            // `out` never holds a link, so `..` is its parent, as for the system.
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                let next = out.join(name);
                out = match std::fs::symlink_metadata(&next) {
                    Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(&next)
                        .map_err(|e| {
                            io::Error::new(
                                e.kind(),
                                format!("{} is a link that leads nowhere ({e})", next.display()),
                            )
                        })?,
                    _ => next,
                };
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lemsc-confine-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::canonicalize(dir).unwrap()
    }

    #[test]
    fn paths_inside_the_folder_are_accepted() {
        let dir = scratch("inside");
        let root = WriteRoot::new(&dir, [], false).unwrap();
        assert_eq!(
            root.check(&dir.join("results/v.dat")),
            Ok(dir.join("results/v.dat"))
        );
        assert_eq!(
            root.check(&dir.join("a/../b/./v.dat")),
            Ok(dir.join("b/v.dat"))
        );
    }

    #[test]
    fn parent_folders_and_absolute_paths_are_refused() {
        let dir = scratch("outside");
        let root = WriteRoot::new(&dir.join("out"), [], false).unwrap();
        for path in [dir.join("out/../v.dat"), PathBuf::from("/tmp/v.dat")] {
            let err = root.check(&path).unwrap_err();
            assert!(err.contains("outside the output folder"), "{err}");
        }
        let lenient = WriteRoot::new(&dir.join("out"), [], true).unwrap();
        assert!(lenient.check(&dir.join("out/../v.dat")).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_before_judging() {
        let dir = scratch("links");
        std::fs::create_dir_all(dir.join("out")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("out/up")).unwrap();
        std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("out/dangling")).unwrap();
        let root = WriteRoot::new(&dir.join("out"), [], false).unwrap();
        let err = root.check(&dir.join("out/up/v.dat")).unwrap_err();
        assert!(err.contains("outside"), "{err}");
        let err = root.check(&dir.join("out/dangling")).unwrap_err();
        assert!(err.contains("leads nowhere"), "{err}");
    }

    #[test]
    fn inputs_folders_and_devices_are_never_replaced() {
        let dir = scratch("special");
        let model = dir.join("model.xml");
        std::fs::write(&model, "<Lems/>").unwrap();
        std::fs::create_dir_all(dir.join("folder")).unwrap();
        let root = WriteRoot::new(&dir, [model.as_path()], true).unwrap();
        let err = root.check(&dir.join("./model.xml")).unwrap_err();
        assert!(err.contains("input file"), "{err}");
        let err = root.check(&dir.join("folder")).unwrap_err();
        assert!(err.contains("a folder"), "{err}");
        let err = root.check(&dir.join("model.xml/v.dat")).unwrap_err();
        assert!(err.contains("to be a folder"), "{err}");
        #[cfg(unix)]
        {
            let err = root.check(Path::new("/dev/null")).unwrap_err();
            assert!(err.contains("a device"), "{err}");
            std::fs::hard_link(&model, dir.join("hard.xml")).unwrap();
            let err = root.check(&dir.join("hard.xml")).unwrap_err();
            assert!(err.contains("input file"), "{err}");
        }
    }
}
