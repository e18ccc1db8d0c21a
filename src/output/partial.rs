//! The `.partial` folder of a batch in progress: each finished job is written
//! there atomically as soon as it ends, so an interrupted batch keeps every
//! finished replicate and `--resume` runs only the rest.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::folder::{Kind, Marker, OutputPath, Replace, describe, is_real_dir};
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

impl Partial {
    /// Opens the folder for a batch; the caller holds the output's [`Lock`](super::folder::Lock).
    /// With `resume`, an earlier folder must hold the same batch, and its
    /// finished jobs are kept. Otherwise an earlier folder of the same batch is
    /// started over, and one of another batch only with `--force`
    /// ([`Replace::AnyOutput`]). A folder boomtown did not make is never touched.
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
                    "--out {target}: {shown} exists and is not a boomtown batch in progress; \
                     refusing to touch it: move it away or choose another --out"
                )));
            }
            Some(Some(marker)) if &marker.identity == batch => resume,
            Some(Some(marker)) if resume => {
                return Err(Error::Usage(format!(
                    "--resume: the batch in {shown} was started with other settings ({}); \
                     rerun its command exactly, or run without --resume to start over",
                    describe(&marker.identity)
                )));
            }
            Some(Some(marker)) if replace == Replace::SameBatch => {
                return Err(Error::Usage(format!(
                    "--out {target}: {shown} holds an interrupted batch with other settings ({}); \
                     finish it with its own command and --resume, or pass --force to discard it",
                    describe(&marker.identity)
                )));
            }
            Some(Some(_)) => false,
        };
        if !keep && is_real_dir(&dir) {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io("removing", &dir, e))?;
        }
        let jobs = dir.join("jobs");
        let created = std::fs::create_dir_all(&jobs)
            .map_err(|e| Error::io("creating", &jobs, e))
            .and_then(|()| {
                if keep {
                    Ok(())
                } else {
                    Marker::write(&dir, Kind::Partial, &target.name(), batch)
                }
            });
        if let Err(e) = created {
            // A folder just made but not marked (a full disk) would be refused by
            // the next run as not boomtown's: it goes.
            if !keep {
                let _ = std::fs::remove_dir_all(&dir);
            }
            return Err(e);
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

/// Whether a `.partial` folder holds nothing but what a batch writes there: its
/// marker, and in `jobs/` the job folders (finished, or temporary ones a kill
/// left) with the files of a job.
fn only_jobs_in(dir: &Path) -> bool {
    let names = |d: &Path| -> Option<Vec<(String, bool)>> {
        std::fs::read_dir(d)
            .ok()?
            .map(|e| {
                let e = e.ok()?;
                let kind = e.file_type().ok()?;
                Some((e.file_name().into_string().ok()?, kind.is_dir()))
            })
            .collect()
    };
    let job_file = |n: &str| n == JOB_FILE || super::assemble::PART_FILES.contains(&n);
    let job_dir =
        |n: &str| n.starts_with(".tmp-") || (n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit()));
    let Some(top) = names(dir) else { return false };
    let Some(jobs) = names(&dir.join("jobs")) else {
        return false;
    };
    top.iter()
        .all(|(n, is_dir)| (n == super::folder::MARKER && !is_dir) || (n == "jobs" && *is_dir))
        && jobs.iter().all(|(n, is_dir)| {
            *is_dir
                && job_dir(n)
                && names(&dir.join("jobs").join(n))
                    .is_some_and(|files| files.iter().all(|(f, d)| !d && job_file(f)))
        })
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
