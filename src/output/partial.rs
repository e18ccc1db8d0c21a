//! The `.partial` folder of a batch in progress: each finished job is written
//! there atomically as soon as it ends, so an interrupted batch keeps every
//! finished replicate and `--resume` runs only the rest.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::tables::Tables;
use super::write_atomic;
use crate::batch::JobResult;
use crate::error::Error;
use crate::scenario::Job;

/// File in the `.partial` folder that identifies the batch.
const BATCH_FILE: &str = "batch.json";
/// File in a job folder that marks it complete and records its cost.
pub const JOB_FILE: &str = "job.json";

/// A batch's folder of finished jobs.
pub struct Partial {
    dir: PathBuf,
}

/// The folder where the jobs of an output folder's batch are kept while it runs.
pub fn partial_dir(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "output".into());
    name.push(".partial");
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(name),
        _ => PathBuf::from(name),
    }
}

impl Partial {
    /// Opens the folder for a batch. With `resume`, an earlier folder must hold
    /// the same batch, and its finished jobs are kept; otherwise any earlier folder
    /// is replaced.
    pub fn open(target: &Path, batch: &Value, resume: bool) -> Result<Partial, Error> {
        let dir = partial_dir(target);
        let file = dir.join(BATCH_FILE);
        // Resuming with no batch in progress starts one, so a job script can
        // always pass --resume.
        let resume = resume && file.is_file();
        if resume {
            let text =
                std::fs::read_to_string(&file).map_err(|e| Error::io("reading", &file, e))?;
            let found: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if &found != batch {
                return Err(Error::Usage(format!(
                    "--resume: the batch in {} was started with other settings ({found}); \
                     rerun its command exactly, or run without --resume to start over",
                    dir.display()
                )));
            }
        } else if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io("removing", &dir, e))?;
        }
        let jobs = dir.join("jobs");
        std::fs::create_dir_all(&jobs).map_err(|e| Error::io("creating", &jobs, e))?;
        if !resume {
            let text = serde_json::to_string_pretty(batch).unwrap_or_default();
            write_atomic(&file, text.as_bytes())?;
        }
        Ok(Partial { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Folder of a job.
    pub fn job_dir(&self, index: usize) -> PathBuf {
        self.dir.join("jobs").join(format!("{index:08}"))
    }

    /// Whether a job finished (its folder is complete).
    pub fn is_done(&self, index: usize) -> bool {
        self.job_dir(index).join(JOB_FILE).is_file()
    }

    /// Writes a finished job: its rows with headers and its cost, into a temporary
    /// folder renamed into place, so a job folder is either complete or absent.
    pub fn write_job(&self, tables: &Tables, job: &Job, result: &JobResult) -> Result<(), Error> {
        let jobs = self.dir.join("jobs");
        let tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempdir_in(&jobs)
            .map_err(|e| Error::io("writing into", &jobs, e))?;
        write_csv(
            &tmp.path().join("timeseries.csv"),
            &tables.timeseries_header(),
            &tables.timeseries_rows(job, result),
        )?;
        write_csv(
            &tmp.path().join("age_pyramid.csv"),
            &tables.pyramid_header(),
            &tables.pyramid_rows(job, result),
        )?;
        write_csv(
            &tmp.path().join("indicators.csv"),
            &tables.indicators_header(),
            &tables.indicator_rows(job, result),
        )?;
        write_csv(
            &tmp.path().join("experiments.csv"),
            &tables.experiments_header(),
            &[tables.experiments_row(job, result)],
        )?;
        let cost = json!({ "person_months": result.person_months, "seconds": result.seconds });
        let path = tmp.path().join(JOB_FILE);
        std::fs::write(&path, cost.to_string()).map_err(|e| Error::io("writing", &path, e))?;
        let target = self.job_dir(result.id.index);
        let kept = tmp.keep();
        std::fs::rename(&kept, &target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&kept);
            Error::io("writing", &target, e)
        })
    }

    /// Removes the folder once its jobs are assembled into the output.
    pub fn remove(self) -> Result<(), Error> {
        std::fs::remove_dir_all(&self.dir).map_err(|e| Error::io("removing", &self.dir, e))
    }
}

/// Person-months and seconds recorded for a finished job folder.
pub fn job_cost(dir: &Path) -> (u64, f64) {
    let v: Value = std::fs::read_to_string(dir.join(JOB_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (
        v["person_months"].as_u64().unwrap_or(0),
        v["seconds"].as_f64().unwrap_or(0.0),
    )
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<(), Error> {
    let csv_err = |source| Error::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(csv_err)?;
    w.write_record(header).map_err(csv_err)?;
    for row in rows {
        w.write_record(row).map_err(csv_err)?;
    }
    w.flush().map_err(|e| Error::io("writing", path, e))
}
