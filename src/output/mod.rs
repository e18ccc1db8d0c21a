//! Writing outputs. A run first writes each finished job into a `.partial`
//! folder beside the destination (so an interrupted batch keeps its finished
//! replicates), then assembles the final files into a staging folder and moves it
//! into place: no output folder is ever half-written.

pub mod assemble;
pub mod partial;
pub mod summary;
pub mod tables;

use std::path::{Path, PathBuf};

use crate::error::Error;

/// A CSV file of an output folder, opened for reading, with its header.
pub struct CsvFile {
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
    /// Column names.
    pub header: Vec<String>,
}

impl CsvFile {
    /// Opens a file and reads its header.
    pub fn open(path: &Path) -> Result<CsvFile, Error> {
        let csv_err = |source| Error::Csv {
            path: path.to_path_buf(),
            source,
        };
        let mut reader = csv::Reader::from_path(path).map_err(csv_err)?;
        let header = reader
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(CsvFile {
            path: path.to_path_buf(),
            reader,
            header,
        })
    }

    /// Position of a column that may be absent.
    pub fn optional(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Position of a column, or an error naming the file and the column.
    pub fn column(&self, name: &str) -> Result<usize, Error> {
        self.optional(name)
            .ok_or_else(|| Error::Usage(format!("{}: no column `{name}`", self.path.display())))
    }

    /// The rows, each an error naming the file if it cannot be read.
    pub fn rows(&mut self) -> impl Iterator<Item = Result<csv::StringRecord, Error>> + '_ {
        let path = &self.path;
        self.reader.records().map(move |r| {
            r.map_err(|source| Error::Csv {
                path: path.clone(),
                source,
            })
        })
    }

    /// The rows of configuration 0 (all rows of a batch without sweeps, whose
    /// files have no `configuration` column).
    pub fn first_configuration_rows(
        &mut self,
    ) -> impl Iterator<Item = Result<csv::StringRecord, Error>> + '_ {
        let configuration = self.optional("configuration");
        self.rows().filter(move |r| {
            r.as_ref().map_or(true, |row| {
                configuration.is_none_or(|c| row.get(c) == Some("0"))
            })
        })
    }
}

/// A folder being written: files go to a staging folder until [`Staged::commit`].
pub struct Staged {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Staged {
    /// Prepares to write `target`. Refuses to replace an existing folder that is
    /// not a boomtown output (it has no `manifest.json`).
    pub fn new(target: &Path) -> Result<Staged, Error> {
        check_replaceable(target)?;
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent)
            .map_err(|e| Error::io("creating output folder", &parent, e))?;
        let dir = tempfile::Builder::new()
            .prefix(".boomtown-staging-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io("creating a staging folder in", &parent, e))?;
        Ok(Staged {
            dir,
            target: target.to_path_buf(),
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

    /// Moves the staged folder into place, replacing a previous output there.
    pub fn commit(self) -> Result<PathBuf, Error> {
        let staged = self.dir.keep();
        if self.target.exists() {
            std::fs::remove_dir_all(&self.target).map_err(|e| {
                let _ = std::fs::remove_dir_all(&staged);
                Error::io("replacing", &self.target, e)
            })?;
        }
        std::fs::rename(&staged, &self.target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staged);
            Error::io("moving the output into", &self.target, e)
        })?;
        Ok(self.target)
    }
}

/// Fails, as bad input, if `target` is not a folder boomtown can write: its parent
/// cannot be created or written in, or it exists and is neither empty nor a
/// boomtown output folder.
pub fn check_replaceable(target: &Path) -> Result<(), Error> {
    let parent = parent_of(target);
    let unwritable = |e: std::io::Error| {
        Error::Usage(format!(
            "--out {}: cannot write in {}: {e}",
            target.display(),
            parent.display()
        ))
    };
    std::fs::create_dir_all(&parent).map_err(unwritable)?;
    tempfile::tempfile_in(&parent).map_err(unwritable)?;
    if !target.exists() || target.join("manifest.json").is_file() {
        return Ok(());
    }
    let empty = target.is_dir()
        && std::fs::read_dir(target)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
    if empty {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "--out {}: exists and is not a boomtown output folder (no manifest.json); refusing to replace it",
        target.display()
    )))
}

/// The folder that holds `target` (`.` for a bare name).
pub fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes a file atomically: to a temporary file in the same folder, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let dir = parent_of(path);
    let mut tmp =
        tempfile::NamedTempFile::new_in(&dir).map_err(|e| Error::io("writing into", &dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("writing", path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("writing", path, e.error))?;
    Ok(())
}
