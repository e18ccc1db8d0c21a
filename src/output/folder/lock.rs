//! The OS lock an output is held under while a command writes it (and its
//! `.partial` folder), so that a second command on the same output, such as a
//! job restarted by a scheduler while the first still runs, is refused instead
//! of mixing its replicates into the first one's.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::OutputPath;
use crate::error::{Error, printable};

/// What a lock file holds: this line and the holder's process id.
const LOCK_TEXT: &str = "boomtown lock, pid ";

/// An exclusive lock (`flock`) on the file `.<name>.boomtown-lock` beside an
/// output. The file is removed when the lock is released; a lock file left by a
/// killed process is not locked and is taken over. A file of that name that is
/// not a boomtown lock file (a link, a hard link to another file, a file with
/// other content) is never opened for writing, nor removed.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    /// Folders created to hold the output, removed again (when empty) if the
    /// output was not written.
    created: Vec<PathBuf>,
    target: PathBuf,
}

impl Lock {
    /// Takes the lock, creating the folders that lead to the output, or fails
    /// (as bad input) if another process holds it.
    pub fn acquire(target: &OutputPath) -> Result<Lock, Error> {
        let mut name = std::ffi::OsString::from(".");
        name.push(target.path().file_name().unwrap_or_default());
        name.push(".boomtown-lock");
        let parent = target.parent();
        let created = create_folders(&parent)?;
        let path = parent.join(name);
        let mut lock = None;
        let mut error = None;
        // The holder before us may remove the file between our opening and our
        // locking it; then try again, a few times.
        for _ in 0..16 {
            match take(&path, target) {
                Ok(Some(file)) => {
                    lock = Some(file);
                    break;
                }
                Ok(None) => continue,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let file = match (lock, error) {
            (Some(file), _) => file,
            (None, e) => {
                remove_empty(&created);
                return Err(e.unwrap_or_else(|| {
                    Error::Usage(format!(
                        "--out {target}: the lock file {} keeps changing; is another program \
                         removing it?",
                        printable(&path.display().to_string())
                    ))
                }));
            }
        };
        Ok(Lock {
            file,
            path,
            created,
            target: target.path().to_path_buf(),
        })
    }
}

/// Opens and locks the lock file; `None` if it was replaced meanwhile.
fn take(path: &Path, target: &OutputPath) -> Result<Option<File>, Error> {
    let shown = printable(&path.display().to_string());
    let not_ours = || {
        Error::Usage(format!(
            "--out {target}: {shown} is not a boomtown lock file (a link, a file with other \
             content, or a second name of another file); boomtown does not touch it: move it away"
        ))
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a link, and never blocking on a FIFO.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        // A link (ELOOP), a folder (EISDIR), a socket (ENXIO) by the lock's name.
        match e.raw_os_error() {
            Some(libc::ELOOP) | Some(libc::EISDIR) | Some(libc::ENXIO) => not_ours(),
            _ => Error::io("creating the lock file", path, e),
        }
    })?;
    let meta = file.metadata().map_err(|e| Error::io("reading", path, e))?;
    if !meta.is_file() || links(&meta) > 1 {
        return Err(not_ours());
    }
    let mut text = String::new();
    let readable = (&file).take(256).read_to_string(&mut text).is_ok();
    if !readable || !(text.is_empty() || text.starts_with(LOCK_TEXT)) {
        return Err(not_ours());
    }
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let pid = text.trim().trim_start_matches(LOCK_TEXT);
            let who = if pid.is_empty() {
                "another boomtown process".to_string()
            } else {
                format!("another boomtown process (pid {})", printable(pid))
            };
            return Err(Error::Usage(format!(
                "--out {target}: {who} is writing this output folder; wait for it to finish, \
                 or choose another --out"
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("locking", path, e)),
    }
    if !same_file(&file, path) {
        return Ok(None);
    }
    let mut f = &file;
    let _ = f.set_len(0);
    let _ = std::io::Seek::rewind(&mut f);
    let _ = write!(f, "{LOCK_TEXT}{}", std::process::id());
    Ok(Some(file))
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so the next process creates a fresh file.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
        if std::fs::symlink_metadata(&self.target).is_err() {
            remove_empty(&self.created);
        }
    }
}

/// Creates a folder and its missing parents; returns those it created, deepest
/// first.
fn create_folders(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut missing = Vec::new();
    let mut d = dir.to_path_buf();
    while !d.as_os_str().is_empty() && std::fs::symlink_metadata(&d).is_err() {
        missing.push(d.clone());
        if !d.pop() {
            break;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating output folder", dir, e))?;
    Ok(missing)
}

/// Removes folders that are still empty (deepest first); others stay.
fn remove_empty(dirs: &[PathBuf]) {
    for d in dirs {
        let _ = std::fs::remove_dir(d);
    }
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_: &std::fs::Metadata) -> u64 {
    1
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
