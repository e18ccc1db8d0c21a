//! Writing outputs. A run first writes each finished job into a `.partial`
//! folder beside the destination (so an interrupted batch keeps its finished
//! replicates), then assembles the final files into a staging folder and moves it
//! into place: no output folder is ever half-written. [`folder`] decides what may
//! be written or replaced.

pub mod assemble;
pub mod folder;
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
