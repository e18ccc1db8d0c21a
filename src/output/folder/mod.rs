//! Which folders boomtown may write, replace or delete, and how it does so safely.
//!
//! An output folder belongs to the user. boomtown writes one only when it is new
//! (or an empty folder), or when it can prove that it made it: every folder it
//! writes (an output, the `.partial` folder of a batch in progress, a staging
//! folder being assembled) carries a [`Marker`] with the batch's identity and,
//! for an output, every entry it wrote with the size and time of each file. A
//! folder with anything else in it, or with a file changed, is never replaced,
//! whatever the options. boomtown never writes through a symbolic link named as
//! the output, never onto the current folder or one of its parents, nor inside
//! another output, and holds a [`Lock`] on an output while it writes it, so that
//! two runs cannot mix their replicates. An output is replaced by an atomic
//! exchange, so a kill at any moment leaves the old output or the new one whole;
//! what a kill leaves beside it is marked, and removed by the next run only when
//! it holds nothing but what boomtown writes.

mod lock;
mod marker;

use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, printable};
pub use lock::Lock;
pub use marker::{Kind, MARKER, Marker, is_real_dir, is_whole, only_jobs_in, remove_marked};
use marker::{not_ours, only_staged_in};

/// Prefix of the folders an output is assembled in (and old outputs and
/// `.partial` folders are removed from), beside it.
pub const STAGING_PREFIX: &str = ".boomtown-staging-";

/// Longest output folder name, in bytes: its lock file and `.partial` folder
/// add to it, and file systems allow 255.
const MAX_NAME_BYTES: usize = 200;

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
                printable(&path.display().to_string())
            ))
        };
        // Rebuilding the path from its components drops a trailing `/` and inner
        // `.`, so that the last component is the folder itself.
        let clean: PathBuf = path.components().collect();
        match clean.components().next_back() {
            Some(Component::Normal(_)) => {}
            _ => return Err(refuse("names no folder of its own (`.`, `..` or a root)")),
        }
        let name = clean.file_name().unwrap_or_default();
        if name.len() > MAX_NAME_BYTES {
            return Err(refuse(&format!(
                "its last part is longer than {MAX_NAME_BYTES} bytes; choose a shorter name"
            )));
        }
        let text = name.to_string_lossy();
        if text.starts_with(".boomtown")
            || text.ends_with(".partial")
            || text.ends_with(".boomtown-lock")
        {
            return Err(refuse(
                "names like `.boomtown…`, `….partial` and `….boomtown-lock` are boomtown's own \
                 (markers, locks, staging folders, batches in progress); choose another name",
            ));
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
        if let Some(outer) = enclosing_output(&clean) {
            return Err(refuse(&format!(
                "is inside {} {}, which holds only what boomtown writes there: choose a folder \
                 outside it",
                outer.1,
                printable(&outer.0.display().to_string())
            )));
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
        write!(f, "{}", printable(&self.path.display().to_string()))
    }
}

/// The boomtown output or batch in progress (a folder with an output or a
/// partial marker) that a path would be inside, if any, and what it is: the
/// nearest existing folder above it and its parents. (Staging folders are not
/// counted: a comparison runs its scenarios inside its own.)
fn enclosing_output(path: &Path) -> Option<(PathBuf, &'static str)> {
    let mut dir = std::fs::canonicalize(nearest_existing(&super::parent_of(path))).ok()?;
    loop {
        if let Some(m) = Marker::read(&dir).filter(|m| m.is(Kind::Output) || m.is(Kind::Partial)) {
            return Some((dir, m.what()));
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// The nearest folder that exists at or above `dir` (`.` for a relative path
/// none of whose folders exist).
fn nearest_existing(dir: &Path) -> PathBuf {
    let mut d = dir.to_path_buf();
    while std::fs::symlink_metadata(&d).is_err() {
        if !d.pop() || d.as_os_str().is_empty() {
            return PathBuf::from(".");
        }
    }
    d
}

/// How an existing output folder may be treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Only an output of the same batch (or an empty folder) may be replaced.
    SameBatch,
    /// Any boomtown output may be replaced (`--force`), never anything else.
    AnyOutput,
}

impl Replace {
    /// What `--force` allows.
    pub fn forced(force: bool) -> Replace {
        if force {
            Replace::AnyOutput
        } else {
            Replace::SameBatch
        }
    }
}

/// What every command that writes one folder starts with: checks that `target`
/// may be written (before anything is locked), locks it, and stages the new
/// folder beside it. The lock is held as long as the returned [`Lock`] lives.
pub fn begin(target: &OutputPath, identity: &Value, force: bool) -> Result<(Lock, Staged), Error> {
    let replace = Replace::forced(force);
    check_replaceable(target, identity, replace)?;
    let lock = Lock::acquire(target)?;
    let staged = Staged::new(target, identity, replace)?;
    Ok((lock, staged))
}

/// Whether `dir` holds, whole and unchanged, the finished output of the work
/// `identity` describes (what `--resume` of finished work leaves as it is).
pub fn holds_output_of(dir: &OutputPath, identity: &Value) -> bool {
    Marker::read(dir.path()).is_some_and(|marker| {
        marker.is(Kind::Output) && &marker.identity == identity && is_whole(dir.path(), &marker)
    })
}

/// Fails, as bad input, if `target` cannot be written: its parent cannot be
/// created or written in, or it exists and is not a folder boomtown may replace
/// (see the module documentation).
pub fn check_replaceable(
    target: &OutputPath,
    identity: &Value,
    replace: Replace,
) -> Result<(), Error> {
    // Nothing is created here: the folders leading to the output are made when
    // its lock is taken, and removed again if no output is written.
    let parent = target.parent();
    let existing = nearest_existing(&parent);
    let unwritable = |why: String| {
        Error::Usage(format!(
            "--out {target}: cannot write in {}: {why}",
            printable(&existing.display().to_string())
        ))
    };
    if !std::fs::metadata(&existing).is_ok_and(|m| m.is_dir()) {
        return Err(unwritable("it is not a folder".into()));
    }
    tempfile::tempfile_in(&existing).map_err(|e| unwritable(e.to_string()))?;
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
    let marker = match Marker::read(path) {
        Some(m) if m.is(Kind::Output) => m,
        Some(m) => {
            return Err(refuse(format!(
                "is {}, not an output; refusing to touch it: choose another --out",
                m.what()
            )));
        }
        None => {
            let why = if std::fs::symlink_metadata(path.join(MARKER)).is_ok() {
                "its .boomtown file is not a marker boomtown wrote"
            } else {
                "it has no .boomtown marker; an output written by an earlier version of \
                 boomtown has none either"
            };
            return Err(refuse(format!(
                "exists and is not a boomtown output folder ({why}); refusing to touch it: \
                 choose another --out, or delete the folder yourself if it is an old output"
            )));
        }
    };
    let foreign = not_ours(path, &marker)?;
    if !foreign.is_empty() {
        return Err(refuse(format!(
            "holds files boomtown did not write, or changed since ({}); it is yours now: move \
             them away or choose another --out",
            shortlist(&foreign)
        )));
    }
    if replace == Replace::AnyOutput || &marker.identity == identity {
        return Ok(());
    }
    Err(refuse(format!(
        "holds the output of another batch ({}; {}); pass --force to replace it, or choose \
         another --out",
        describe(&marker.identity),
        differences(&marker.identity, identity)
    )))
}

/// What differs between the identity of an existing output and the new one.
pub fn differences(old: &Value, new: &Value) -> String {
    let keys: std::collections::BTreeSet<&String> = old
        .as_object()
        .into_iter()
        .chain(new.as_object())
        .flat_map(|m| m.keys())
        .collect();
    let mut out = Vec::new();
    for key in keys {
        let (a, b) = (&old[key.as_str()], &new[key.as_str()]);
        if a == b {
            continue;
        }
        // The scenario's hash covers the seed and replicates of its batch: it
        // says something of its own only when they agree.
        let seeds_differ = ["seed", "replicates"].iter().any(|k| old[*k] != new[*k]);
        out.push(match key.as_str() {
            "scenario_hash" | "scenario_hashes" if seeds_differ => continue,
            "scenario_hash" | "scenario_hashes" => {
                "the resolved scenario differs (another --set or --sweep, or a changed scenario file)"
                    .to_string()
            }
            "observations" => "the observations differ".to_string(),
            _ => format!(
                "its {key} is {}, this command's is {}",
                printable(&a.to_string()),
                printable(&b.to_string())
            ),
        });
    }
    if out.is_empty() {
        "made by another version of boomtown".into()
    } else {
        out.join("; ")
    }
}

fn shortlist(entries: &[String]) -> String {
    let shown: Vec<String> = entries.iter().take(5).map(|e| printable(e)).collect();
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
        parts.push(format!("scenario {}", printable(s)));
    }
    if let Some(list) = identity["compare"].as_array() {
        let names: Vec<String> = list
            .iter()
            .filter_map(Value::as_str)
            .map(printable)
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

    /// Writes `manifest.json`: the given fields, then when the work started and
    /// finished and the seconds it took.
    pub fn write_manifest(
        &self,
        mut manifest: Value,
        started: std::time::SystemTime,
    ) -> Result<(), Error> {
        let finished = std::time::SystemTime::now();
        if let Value::Object(fields) = &mut manifest {
            let stamp = |t| Value::from(humantime::format_rfc3339_seconds(t).to_string());
            fields.insert("started".into(), stamp(started));
            fields.insert("finished".into(), stamp(finished));
            let seconds = finished
                .duration_since(started)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
            fields.insert("elapsed_seconds".into(), Value::from(seconds));
        }
        let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
        self.write("manifest.json", text.as_bytes())
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
        keep_access_of_empty_folder(self.dir.path(), self.target.path());
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
            // The old output, now at the staging path, marker last. Should
            // removing it fail, it is left as a stale staging folder for the next
            // run to remove.
            let _ = remove_marked(&staged);
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

/// An empty folder the user made for the output keeps its permissions and, as
/// far as this process may, its owner and group: the output takes its place.
fn keep_access_of_empty_folder(staged: &Path, target: &Path) {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let _ = std::fs::set_permissions(staged, meta.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = std::os::unix::fs::chown(staged, Some(meta.uid()), Some(meta.gid()));
    }
}

/// How old an unmarked staging folder must be before it is taken for the
/// remains of a killed run rather than one another process is just creating.
const UNMARKED_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes what killed runs of `target` left beside it: real folders with the
/// staging prefix whose marker names this output and which hold nothing but
/// what boomtown writes there (see [`marker`]), and empty unmarked ones older
/// than ten minutes. Anything else is left alone.
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
        if !is_staging || !is_real_dir(&path) {
            continue;
        }
        let stale = match Marker::read(&path) {
            Some(m) => m.output == name && only_staged_in(&path, Some(&m)),
            None => {
                let old = std::fs::symlink_metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > UNMARKED_AGE);
                old && only_staged_in(&path, None)
            }
        };
        if stale {
            let _ = remove_marked(&path);
        }
    }
}

/// Makes a marked folder of `kind` for `target` beside it, under a staging
/// name, to be renamed into place once it holds what it must: a kill before the
/// rename leaves a marked staging folder, never an unmarked folder at the
/// final name.
pub fn new_marked_folder(
    target: &OutputPath,
    kind: Kind,
    identity: &Value,
) -> Result<PathBuf, Error> {
    let parent = target.parent();
    let dir = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(&parent)
        .map_err(|e| Error::io("creating a staging folder in", &parent, e))?;
    Marker::write(dir.path(), kind, &target.name(), identity)?;
    Ok(dir.keep())
}

/// Moves a marked folder out of the way (renamed to a staging name, atomically)
/// and then removes it, marker last: a kill at any moment leaves either the
/// folder where it was or a marked staging folder that the next run removes.
pub fn discard(dir: &Path, target: &OutputPath) -> Result<(), Error> {
    let parent = target.parent();
    let trash = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(&parent)
        .map_err(|e| Error::io("creating a staging folder in", &parent, e))?
        .keep();
    // A folder renamed onto an empty folder replaces it.
    std::fs::rename(dir, &trash).map_err(|e| {
        let _ = std::fs::remove_dir(&trash);
        Error::io("removing", dir, e)
    })?;
    crate::fault::point("discarding");
    remove_marked(&trash).map_err(|e| Error::io("removing", &trash, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
