//! The `.partial` folder of a batch in progress: each finished job is written
//! there atomically as soon as it ends, so an interrupted batch keeps every
//! finished replicate and `--resume` runs only the rest.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::folder::{
    Kind, Lock, Marker, OutputPath, Replace, check_replaceable, describe, differences, discard,
    holds_output_of, is_real_dir, new_marked_folder, only_jobs_in, remove_marked,
    remove_stale_staging,
};
use super::tables::Tables;
use crate::batch::JobResult;
use crate::error::Error;
use crate::scenario::Job;

/// File in a job folder that marks it complete and records its cost.
pub const JOB_FILE: &str = "job.json";

/// A batch's folder of finished jobs.
pub struct Partial {
    dir: PathBuf,
}

/// The folder where the jobs of an output folder's batch are kept while it runs.
pub fn partial_dir(target: &OutputPath) -> PathBuf {
    target.sibling(".partial")
}

/// What a command that keeps its finished work in `<out>.partial` starts
/// with: checks that `target` may be written and locks it. Returns the lock,
/// and whether `--resume` finds the work already done (its output whole in
/// place and nothing in progress: there is nothing to do, and leftover staging
/// folders are cleared).
pub fn begin_resumable(
    target: &OutputPath,
    identity: &Value,
    resume: bool,
    replace: Replace,
) -> Result<(Lock, bool), Error> {
    check_replaceable(target, identity, replace)?;
    let lock = Lock::acquire(target)?;
    let finished = resume
        && std::fs::symlink_metadata(partial_dir(target)).is_err()
        && holds_output_of(target, identity);
    if finished {
        remove_stale_staging(target);
    }
    Ok((lock, finished))
}

impl Partial {
    /// Opens the folder for a batch; the caller holds the output's [`Lock`](super::folder::Lock).
    /// With `resume`, an earlier folder must hold the same batch, and its
    /// finished jobs are kept. Otherwise an earlier folder of the same batch is
    /// started over, and one of another batch only with `--force`
    /// ([`Replace::AnyOutput`]). A folder boomtown did not make, or one with
    /// anything else in it, is never touched.
    pub fn open(
        target: &OutputPath,
        batch: &Value,
        resume: bool,
        replace: Replace,
    ) -> Result<Partial, Error> {
        let dir = partial_dir(target);
        let shown = crate::error::printable(&dir.display().to_string());
        let found = match std::fs::symlink_metadata(&dir) {
            Err(_) => None,
            Ok(_) => Some(Marker::read(&dir).filter(|m| {
                m.is(Kind::Partial) && m.output == target.name() && only_jobs_in(&dir)
            })),
        };
        let keep = match found {
            None => false,
            Some(None) => {
                return Err(Error::Usage(format!(
                    "--out {target}: {shown} exists and is not a boomtown batch in progress (or \
                     holds files boomtown did not write there); refusing to touch it: move it \
                     away or choose another --out"
                )));
            }
            Some(Some(marker)) if &marker.identity == batch => resume,
            Some(Some(marker)) if resume => {
                return Err(Error::Usage(format!(
                    "--resume: the batch in {shown} was started with other settings ({}; {}); \
                     rerun its command exactly, or run without --resume to start over",
                    describe(&marker.identity),
                    differences(&marker.identity, batch)
                )));
            }
            Some(Some(marker)) if replace == Replace::SameBatch => {
                return Err(Error::Usage(format!(
                    "--out {target}: {shown} holds an interrupted batch with other settings ({}; \
                     {}); finish it with its own command and --resume, or pass --force to \
                     discard it",
                    describe(&marker.identity),
                    differences(&marker.identity, batch)
                )));
            }
            Some(Some(_)) => false,
        };
        if keep {
            return Ok(Partial { dir });
        }
        if is_real_dir(&dir) {
            discard(&dir, target)?;
        }
        // Made under a staging name with its marker and renamed into place, so
        // that `<out>.partial` is never there unmarked.
        let fresh = new_marked_folder(target, Kind::Partial, batch)?;
        let made = std::fs::create_dir(fresh.join("jobs"))
            .inspect(|()| crate::fault::point("partial-made"))
            .and_then(|()| std::fs::rename(&fresh, &dir))
            .map_err(|e| Error::io("creating", &dir, e));
        if made.is_err() {
            let _ = remove_marked(&fresh);
        }
        made?;
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

    /// Writes a finished job: its rows with headers and its cost.
    pub fn write_job(&self, tables: &Tables, job: &Job, result: &JobResult) -> Result<(), Error> {
        self.commit_job(result.id.index, |dir| {
            write_csv(
                &dir.join("timeseries.csv"),
                &tables.timeseries_header(),
                &tables.timeseries_rows(job, result),
            )?;
            write_csv(
                &dir.join("age_pyramid.csv"),
                &tables.pyramid_header(),
                &tables.pyramid_rows(job, result),
            )?;
            write_csv(
                &dir.join("indicators.csv"),
                &tables.indicators_header(),
                &tables.indicator_rows(job, result),
            )?;
            write_csv(
                &dir.join("experiments.csv"),
                &tables.experiments_header(),
                &[tables.experiments_row(job, result)],
            )?;
            Ok(json!({ "person_months": result.person_months, "seconds": result.seconds }))
        })
    }

    /// Writes a finished run of an analysis: the numbers read off it, kept in
    /// its `job.json` as text so that every bit (and NaN) comes back as it was.
    pub fn write_values(
        &self,
        index: usize,
        values: &[f64],
        person_months: u64,
        seconds: f64,
    ) -> Result<(), Error> {
        self.write_record(
            index,
            json!({
                "values": exact(values),
                "person_months": person_months,
                "seconds": seconds,
            }),
        )
    }

    /// The numbers [`Partial::write_values`] kept for a finished run.
    pub fn read_values(&self, index: usize) -> Result<Vec<f64>, Error> {
        let record = self.read_record(index)?;
        read_exact(&record["values"]).ok_or_else(|| self.damaged(index))
    }

    /// Writes a finished piece of work whose whole result is a record (its
    /// folder holds only `job.json`).
    pub fn write_record(&self, index: usize, record: Value) -> Result<(), Error> {
        self.commit_job(index, |_| Ok(record))
    }

    /// The record of a finished piece of work.
    pub fn read_record(&self, index: usize) -> Result<Value, Error> {
        let path = self.job_dir(index).join(JOB_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("reading", &path, e))?;
        serde_json::from_str(&text).map_err(|_| self.damaged(index))
    }

    /// The error for a kept job whose record is not what boomtown wrote.
    pub fn damaged(&self, index: usize) -> Error {
        Error::Usage(format!(
            "{}: not what this command kept there (damaged or edited); run without --resume \
             to start over",
            crate::error::printable(&self.job_dir(index).join(JOB_FILE).display().to_string())
        ))
    }

    /// Fills a temporary job folder (`fill` returns the job's `job.json`) and
    /// renames it into place, so that a job folder is either complete or absent.
    fn commit_job(
        &self,
        index: usize,
        fill: impl FnOnce(&Path) -> Result<Value, Error>,
    ) -> Result<(), Error> {
        let jobs = self.dir.join("jobs");
        let tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempdir_in(&jobs)
            .map_err(|e| Error::io("writing into", &jobs, e))?;
        let record = fill(tmp.path())?;
        let path = tmp.path().join(JOB_FILE);
        std::fs::write(&path, record.to_string()).map_err(|e| Error::io("writing", &path, e))?;
        let target = self.job_dir(index);
        if std::fs::symlink_metadata(&target).is_ok() && !self.is_done(index) {
            // An incomplete job folder (its job.json removed by hand) is run again.
            std::fs::remove_dir_all(&target).map_err(|e| Error::io("removing", &target, e))?;
        }
        let kept = tmp.keep();
        std::fs::rename(&kept, &target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&kept);
            Error::io("writing", &target, e)
        })
    }

    /// Removes the folder once its jobs are assembled into the output (moved
    /// aside first, so that a kill leaves it whole or marked for removal). A
    /// folder someone added files to while the batch ran is left where it is.
    pub fn remove(self, target: &OutputPath) -> Result<(), Error> {
        if !only_jobs_in(&self.dir) {
            return Ok(());
        }
        discard(&self.dir, target)
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

/// Numbers as text that reads back to the same bits (JSON has no NaN or
/// infinity, and a float printed short may not read back exactly).
pub fn exact(values: &[f64]) -> Value {
    Value::from(values.iter().map(f64::to_string).collect::<Vec<_>>())
}

/// The numbers [`exact`] wrote, or `None` if the value is not such a list.
pub fn read_exact(value: &Value) -> Option<Vec<f64>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str()?.parse().ok())
        .collect()
}
