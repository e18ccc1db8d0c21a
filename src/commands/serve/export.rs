//! Downloads: the output folder `boomtown run` writes for the command the page
//! shows, made once per command in a temporary folder the server owns, and kept
//! for the last few commands so that the report and the CSVs of one run come
//! from one folder.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use super::api::Prepared;
use crate::commands::run::{RunOptions, run};
use crate::error::Error;

/// The files a page may download, with their media types.
pub const FILES: [(&str, &str); 7] = [
    ("report.html", "text/html; charset=utf-8"),
    ("scenario.toml", "application/toml; charset=utf-8"),
    ("timeseries.csv", "text/csv; charset=utf-8"),
    ("summary.csv", "text/csv; charset=utf-8"),
    ("indicators.csv", "text/csv; charset=utf-8"),
    ("indicators_summary.csv", "text/csv; charset=utf-8"),
    ("age_pyramid.csv", "text/csv; charset=utf-8"),
];

/// Output folders kept at once.
const KEPT: usize = 4;

/// The output folders of recent downloads, newest last.
#[derive(Default)]
pub struct Cache {
    folders: Mutex<Vec<(Vec<String>, tempfile::TempDir)>>,
}

impl Cache {
    /// The bytes of `name` in the output folder of the prepared run, running it
    /// first unless a recent download made it. One folder is made at a time.
    pub fn file(&self, p: &Prepared, threads: usize, name: &str) -> Result<Vec<u8>, Error> {
        let mut folders = self
            .folders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let position = folders
            .iter()
            .position(|(command, _)| command == &p.command);
        let dir = match position {
            Some(i) => {
                let entry = folders.remove(i);
                folders.push(entry);
                out_of(&folders[folders.len() - 1].1)
            }
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("boomtown-serve-")
                    .tempdir()
                    .map_err(|e| Error::io("creating a folder for", std::env::temp_dir(), e))?;
                let opts = RunOptions {
                    seed: p.seed,
                    replicates: p.replicates,
                    threads,
                    shard: None,
                    out: out_of(&temp),
                    resume: false,
                    force: false,
                    charts: true,
                    command: p.command.clone(),
                    lesson: None,
                };
                run(&p.scenario, &opts, &AtomicBool::new(false), &|_| {})?;
                if folders.len() >= KEPT {
                    folders.remove(0);
                }
                folders.push((p.command.clone(), temp));
                out_of(&folders[folders.len() - 1].1)
            }
        };
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| Error::io("reading", path, e))
    }
}

fn out_of(temp: &tempfile::TempDir) -> PathBuf {
    temp.path().join("run")
}
