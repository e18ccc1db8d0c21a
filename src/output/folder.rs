//! Which folders boomtown may write, replace or delete, and how it does so safely.
//!
//! An output folder belongs to the user. boomtown writes one only when it is new
//! (or an empty folder), or when it can prove that it made it: every folder it
//! writes (an output, the `.partial` folder of a batch in progress, a staging
//! folder being assembled) carries a marker file, [`MARKER`], with the batch's
//! identity and, for an output, the list of every entry it wrote. A folder with
//! anything else in it is never replaced, whatever the options. boomtown never
//! writes through a symbolic link named as the output, never onto the current
//! folder or one of its parents, and holds an OS file lock on an output while it
//! writes it, so that two runs cannot mix their replicates. An output is replaced
//! by an atomic exchange, so a kill at any moment leaves the old output or the
//! new one whole.

use std::fs::File;
use std::path::{Component, Path, PathBuf};

use serde_json::{Value, json};

use crate::error::Error;

/// The marker file in every folder boomtown writes.
pub const MARKER: &str = ".boomtown";

/// Prefix of the folders an output is assembled in, beside it.
pub const STAGING_PREFIX: &str = ".boomtown-staging-";

/// What a marked folder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A finished output folder.
    Output,
    /// The `.partial` folder of a batch in progress.
    Partial,
    /// A folder being assembled (or an old output being removed after a
    /// replacement).
    Staging,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Output => "output",
            Kind::Partial => "partial",
            Kind::Staging => "staging",
        }
    }
}

/// The content of a marker.
#[derive(Clone, Debug)]
pub struct Marker {
    /// What the folder is.
    pub kind: String,
    /// The name of the output folder it is (or is for).
    pub output: String,
    /// The identity of the batch (or comparison) it holds.
    pub identity: Value,
    /// Every file and folder it holds (folders end in `/`), for an output.
    pub entries: Vec<String>,
}

impl Marker {
    /// Writes a marker into `dir`.
    pub fn write(dir: &Path, kind: Kind, output: &str, identity: &Value) -> Result<(), Error> {
        let entries = if kind == Kind::Output {
            list_entries(dir)?
        } else {
            Vec::new()
        };
        let value = json!({
            "program": "boomtown",
            "kind": kind.name(),
            "output": output,
            "identity": identity,
            "entries": entries,
        });
        let path = dir.join(MARKER);
        let text = serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
        super::write_atomic(&path, text.as_bytes())
    }

    /// Reads the marker of a folder, if it is a real folder (not a link) with a
    /// well-formed marker.
    pub fn read(dir: &Path) -> Option<Marker> {
        if !is_real_dir(dir) {
            return None;
        }
        let path = dir.join(MARKER);
        // A marker is a few kilobytes; a large file of that name is not one.
        let small_file = |m: std::fs::Metadata| m.is_file() && m.len() <= 4 << 20;
        if !std::fs::symlink_metadata(&path).is_ok_and(small_file) {
            return None;
        }
        Marker::parse(&std::fs::read_to_string(path).ok()?)
    }

    /// Parses the text of a marker; `None` unless it is one boomtown wrote.
    pub fn parse(text: &str) -> Option<Marker> {
        let v: Value = serde_json::from_str(text).ok()?;
        if v["program"] != "boomtown" {
            return None;
        }
        let entries = v["entries"]
            .as_array()?
            .iter()
            .map(|e| e.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()?;
        Some(Marker {
            kind: v["kind"].as_str()?.to_string(),
            output: v["output"].as_str()?.to_string(),
            identity: v["identity"].clone(),
            entries,
        })
    }

    /// Whether it marks a folder of this kind.
    pub fn is(&self, kind: Kind) -> bool {
        self.kind == kind.name()
    }
}

/// Whether a path is a folder itself, not a link to one.
pub fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Every file and folder below `dir` (relative, `/`-separated, folders ending in
/// `/`), sorted, except the marker. Links are listed as files: they are never
/// followed.
fn list_entries(dir: &Path) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("reading", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("reading", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if prefix.is_empty() && name == MARKER {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| Error::io("reading", entry.path(), e))?;
        if kind.is_dir() {
            let sub = format!("{prefix}{name}/");
            out.push(sub.clone());
            walk(&entry.path(), &sub, out)?;
        } else {
            out.push(format!("{prefix}{name}"));
        }
    }
    Ok(())
}

/// An output folder as the user named it, checked: it has a name of its own (not
/// `.`, `..` or `/`), and is neither the current folder nor one of its parents.
/// A trailing `/` is dropped, so that a link named `out/` is seen as the link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputPath {
    path: PathBuf,
}

impl OutputPath {
    /// Checks a path given with `--out` (or derived from a scenario name).
    pub fn new(path: &Path) -> Result<OutputPath, Error> {
        let refuse = |why: &str| {
            Error::Usage(format!(
                "--out {}: {why}",
                crate::error::printable(&path.display().to_string())
            ))
        };
        // Rebuilding the path from its components drops a trailing `/` and inner
        // `.`, so that the last component is the folder itself.
        let clean: PathBuf = path.components().collect();
        match clean.components().next_back() {
            Some(Component::Normal(_)) => {}
            _ => return Err(refuse("names no folder of its own (`.`, `..` or a root)")),
        }
        if let (Ok(target), Ok(here)) = (
            std::fs::canonicalize(&clean),
            std::env::current_dir().and_then(std::fs::canonicalize),
        ) && here.starts_with(&target)
        {
            return Err(refuse(
                "is the current folder or one of its parents; name a new folder",
            ));
        }
        Ok(OutputPath { path: clean })
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's own name.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The folder that holds it (`.` for a bare name).
    pub fn parent(&self) -> PathBuf {
        super::parent_of(&self.path)
    }

    /// A sibling path: the output's name with a suffix.
    pub fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(suffix);
        self.parent().join(name)
    }
}

impl std::fmt::Display for OutputPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}",
            crate::error::printable(&self.path.display().to_string())
        )
    }
}

/// How an existing output folder may be treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Only an output of the same batch (or an empty folder) may be replaced.
    SameBatch,
    /// Any boomtown output may be replaced (`--force`), never anything else.
    AnyOutput,
}

/// Fails, as bad input, if `target` cannot be written: its parent cannot be
/// created or written in, or it exists and is not a folder boomtown may replace
/// (see the module documentation).
pub fn check_replaceable(
    target: &OutputPath,
    identity: &Value,
    replace: Replace,
) -> Result<(), Error> {
    let parent = target.parent();
    let unwritable = |e: std::io::Error| {
        Error::Usage(format!(
            "--out {target}: cannot write in {}: {e}",
            crate::error::printable(&parent.display().to_string())
        ))
    };
    std::fs::create_dir_all(&parent).map_err(unwritable)?;
    tempfile::tempfile_in(&parent).map_err(unwritable)?;
    let path = target.path();
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let refuse = |why: String| Error::Usage(format!("--out {target}: {why}"));
    if meta.file_type().is_symlink() {
        return Err(refuse(
            "is a symbolic link; boomtown does not write through links: name the folder itself"
                .into(),
        ));
    }
    if !meta.is_dir() {
        return Err(refuse("exists and is not a folder".into()));
    }
    let is_empty = std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none());
    if is_empty {
        return Ok(());
    }
    let Some(marker) = Marker::read(path).filter(|m| m.is(Kind::Output)) else {
        return Err(refuse(
            "exists and is not a boomtown output folder (it has no .boomtown marker; an \
             output written by an earlier version of boomtown has none either); refusing to touch it: \
             choose another --out, or delete the folder yourself if it is an old output"
                .into(),
        ));
    };
    let foreign = foreign_entries(path, &marker)?;
    if !foreign.is_empty() {
        return Err(refuse(format!(
            "holds files boomtown did not write ({}); move them away or choose another --out",
            shortlist(&foreign)
        )));
    }
    if replace == Replace::AnyOutput || &marker.identity == identity {
        return Ok(());
    }
    Err(refuse(format!(
        "holds the output of another batch ({}); pass --force to replace it, or choose another --out",
        describe(&marker.identity)
    )))
}

/// Entries of a marked folder that its marker does not list (or lists as the
/// other of file and folder).
fn foreign_entries(dir: &Path, marker: &Marker) -> Result<Vec<String>, Error> {
    let found = list_entries(dir)?;
    let listed: std::collections::BTreeSet<&str> =
        marker.entries.iter().map(String::as_str).collect();
    // A link anywhere is not boomtown's: outputs hold only files and folders.
    let mut foreign: Vec<String> = found
        .into_iter()
        .filter(|e| !listed.contains(e.as_str()) || is_link(&dir.join(e)))
        .collect();
    foreign.truncate(100);
    Ok(foreign)
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn shortlist(entries: &[String]) -> String {
    let shown: Vec<String> = entries
        .iter()
        .take(5)
        .map(|e| crate::error::printable(e))
        .collect();
    let more = entries.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A short description of a batch identity, for messages.
pub fn describe(identity: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(s) = identity["scenario"].as_str() {
        parts.push(format!("scenario {}", crate::error::printable(s)));
    }
    if let Some(list) = identity["compare"].as_array() {
        let names: Vec<String> = list
            .iter()
            .filter_map(Value::as_str)
            .map(crate::error::printable)
            .collect();
        parts.push(format!("comparison of {}", names.join(", ")));
    }
    for key in ["seed", "replicates"] {
        if let Some(v) = identity[key].as_u64() {
            parts.push(format!("{key} {v}"));
        }
    }
    if let Some(shard) = identity["shard"].as_str() {
        parts.push(format!("shard {shard}"));
    }
    if parts.is_empty() {
        "made by another version of boomtown".into()
    } else {
        parts.join(", ")
    }
}

/// An exclusive OS lock on an output folder while a command writes it (and its
/// `.partial` folder). The lock file sits beside the output, named after it, and
/// is removed when the lock is released; a lock file left by a killed process is
/// not locked and is taken over.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock, or fails (as bad input) if another process holds it.
    pub fn acquire(target: &OutputPath) -> Result<Lock, Error> {
        let mut name = std::ffi::OsString::from(".");
        name.push(target.path().file_name().unwrap_or_default());
        name.push(".boomtown-lock");
        let path = target.parent().join(name);
        loop {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(&path)
                .map_err(|e| Error::io("creating the lock file", &path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let pid = holder.trim();
                    let who = if pid.is_empty() {
                        "another boomtown process".to_string()
                    } else {
                        format!(
                            "another boomtown process (pid {})",
                            crate::error::printable(pid)
                        )
                    };
                    return Err(Error::Usage(format!(
                        "--out {target}: {who} is writing this output folder; wait for it to \
                         finish, or choose another --out"
                    )));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io("locking", &path, e));
                }
            }
            // The holder before us may have removed the file after we opened it:
            // then the lock we hold is on a file nobody else can find; try again.
            if same_file(&file, &path) {
                use std::io::Write;
                let mut f = &file;
                let _ = f.set_len(0);
                let _ = write!(f, "{}", std::process::id());
                return Ok(Lock { file, path });
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so the next process creates a fresh file.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// A folder being written: files go to a marked staging folder beside the target
/// until [`Staged::commit`] puts it in place.
pub struct Staged {
    dir: tempfile::TempDir,
    target: OutputPath,
    identity: Value,
    replace: Replace,
}

impl Staged {
    /// Prepares to write `target`, checking that it may be replaced.
    pub fn new(target: &OutputPath, identity: &Value, replace: Replace) -> Result<Staged, Error> {
        check_replaceable(target, identity, replace)?;
        let parent = target.parent();
        let dir = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&parent)
            .map_err(|e| Error::io("creating a staging folder in", &parent, e))?;
        Marker::write(dir.path(), Kind::Staging, &target.name(), identity)?;
        Ok(Staged {
            dir,
            target: target.clone(),
            identity: identity.clone(),
            replace,
        })
    }

    /// Path of a file inside the staging folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a whole file.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.path(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io("writing", &path, e))
    }

    /// Marks the staged folder as a finished output and puts it in place: a new
    /// folder is renamed into place; an existing output (checked again now) is
    /// exchanged with it atomically and then removed. Stale staging folders of
    /// this output, left by killed runs, are removed last.
    pub fn commit(self) -> Result<PathBuf, Error> {
        Marker::write(
            self.dir.path(),
            Kind::Output,
            &self.target.name(),
            &self.identity,
        )?;
        check_replaceable(&self.target, &self.identity, self.replace)?;
        crate::fault::point("commit");
        let staged = self.dir.keep();
        let target = self.target.path();
        let result = swap_into_place(&staged, target);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staged);
        }
        let replaced = result.map_err(|e| Error::io("moving the output into", target, e))?;
        crate::fault::point("swapped");
        if replaced {
            // The old output, now at the staging path. Should removing it fail,
            // it is left as a stale staging folder for the next run to remove.
            let _ = std::fs::remove_dir_all(&staged);
        }
        remove_stale_staging(&self.target);
        Ok(target.to_path_buf())
    }
}

/// Puts `staged` at `target`. Returns whether an existing folder was replaced
/// (it is then at `staged`). On Linux an existing folder is exchanged with the
/// staged one in one atomic step; elsewhere (or on a file system that cannot) it
/// is moved aside first, which leaves a moment with neither at `target`.
fn swap_into_place(staged: &Path, target: &Path) -> std::io::Result<bool> {
    if std::fs::symlink_metadata(target).is_err() {
        std::fs::rename(staged, target)?;
        return Ok(false);
    }
    if exchange(staged, target)? {
        return Ok(true);
    }
    let aside = staged.with_extension("old");
    std::fs::rename(target, &aside)?;
    std::fs::rename(staged, target)?;
    std::fs::rename(&aside, staged)?;
    Ok(true)
}

/// Exchanges two paths atomically; `Ok(false)` where the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::ENOTSUP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Removes the staging folders beside `target` that a killed run of the same
/// output left: only real folders with the staging prefix whose marker names
/// this output.
pub fn remove_stale_staging(target: &OutputPath) {
    let name = target.name();
    let Ok(entries) = std::fs::read_dir(target.parent()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_staging = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(STAGING_PREFIX));
        if is_staging && Marker::read(&path).is_some_and(|m| m.output == name) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(dir: &Path, name: &str) -> OutputPath {
        OutputPath::new(&dir.join(name)).unwrap()
    }

    #[test]
    fn a_new_or_empty_folder_may_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let id = json!({"seed": 1});
        check_replaceable(&out(dir.path(), "new"), &id, Replace::SameBatch).unwrap();
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        check_replaceable(&out(dir.path(), "empty"), &id, Replace::SameBatch).unwrap();
    }

    #[test]
    fn a_marked_output_is_replaced_only_for_its_batch_or_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let target = out(dir.path(), "o");
        let id = json!({"scenario": "a", "seed": 1});
        let staged = Staged::new(&target, &id, Replace::SameBatch).unwrap();
        staged.write("data.csv", b"x\n").unwrap();
        std::fs::create_dir(staged.path("charts")).unwrap();
        staged.write("charts/a.png", b"png").unwrap();
        staged.commit().unwrap();
        check_replaceable(&target, &id, Replace::SameBatch).unwrap();
        let other = json!({"scenario": "a", "seed": 2});
        let e = check_replaceable(&target, &other, Replace::SameBatch).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        check_replaceable(&target, &other, Replace::AnyOutput).unwrap();
        // A file of the user's inside makes it the user's.
        std::fs::write(dir.path().join("o/charts/notes.txt"), "mine").unwrap();
        let e = check_replaceable(&target, &id, Replace::AnyOutput).unwrap_err();
        assert!(e.to_string().contains("charts/notes.txt"), "{e}");
    }

    #[test]
    fn replacing_leaves_the_new_output_and_no_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = out(dir.path(), "o");
        let id = json!({"seed": 1});
        for content in ["old", "new"] {
            let staged = Staged::new(&target, &id, Replace::SameBatch).unwrap();
            staged.write("f", content.as_bytes()).unwrap();
            staged.commit().unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("o/f")).unwrap(),
            "new"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["o"]);
    }

    #[test]
    fn paths_without_a_name_of_their_own_are_refused() {
        for bad in [".", "..", "/", "a/..", "./"] {
            assert!(OutputPath::new(Path::new(bad)).is_err(), "{bad}");
        }
        let p = OutputPath::new(Path::new("some/where/")).unwrap();
        assert_eq!(p.path(), Path::new("some/where"));
        assert_eq!(p.name(), "where");
    }

    #[test]
    fn a_second_lock_on_the_same_output_is_refused_until_the_first_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let target = out(dir.path(), "o");
        let first = Lock::acquire(&target).unwrap();
        let e = Lock::acquire(&target).unwrap_err();
        assert!(e.to_string().contains("is writing"), "{e}");
        drop(first);
        let _again = Lock::acquire(&target).unwrap();
    }
}
