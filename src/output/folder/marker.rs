//! The marker file, `.boomtown`, that proves a folder is boomtown's: what it is
//! (an output, the `.partial` folder of a batch in progress, a staging folder),
//! the output it belongs to, the batch identity, and for an output every entry
//! it wrote with the size and modification time of each file, so that a file
//! added or edited by the user makes the folder theirs.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::error::Error;

/// The marker file in every folder boomtown writes.
pub const MARKER: &str = ".boomtown";

/// Largest marker read, in bytes.
const MAX_MARKER_BYTES: u64 = 4 << 20;

/// What a marked folder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A finished output folder.
    Output,
    /// The `.partial` folder of a batch in progress.
    Partial,
    /// A folder being assembled, a `.partial` folder or old output being
    /// removed.
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

/// Size and modification time (nanoseconds since 1970) of a file.
pub type Stamp = [u64; 2];

/// The content of a marker.
#[derive(Clone, Debug)]
pub struct Marker {
    /// What the folder is.
    pub kind: String,
    /// The name of the output folder it is (or is for).
    pub output: String,
    /// The identity of the batch (or comparison) it holds.
    pub identity: Value,
    /// For an output: every file (with its stamp) and folder (`None`, the path
    /// ending in `/`) it holds, relative and `/`-separated.
    pub entries: BTreeMap<String, Option<Stamp>>,
}

impl Marker {
    /// Writes a marker into `dir` (atomically); an output's lists what `dir` holds now.
    pub fn write(dir: &Path, kind: Kind, output: &str, identity: &Value) -> Result<(), Error> {
        let entries = if kind == Kind::Output {
            entries(dir)?
        } else {
            BTreeMap::new()
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
        crate::output::write_atomic(&path, text.as_bytes())
    }

    /// Reads the marker of a folder, if it is a real folder (not a link) with a
    /// well-formed marker.
    pub fn read(dir: &Path) -> Option<Marker> {
        if !is_real_dir(dir) {
            return None;
        }
        let path = dir.join(MARKER);
        let small_file = |m: std::fs::Metadata| m.is_file() && m.len() <= MAX_MARKER_BYTES;
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
        let mut entries = BTreeMap::new();
        for (path, stamp) in v["entries"].as_object()? {
            let stamp = match stamp {
                Value::Null => None,
                Value::Array(a) if a.len() == 2 => Some([a[0].as_u64()?, a[1].as_u64()?]),
                _ => return None,
            };
            entries.insert(path.clone(), stamp);
        }
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

    /// What it marks, in words.
    pub fn what(&self) -> &'static str {
        match self.kind.as_str() {
            "output" => "a boomtown output",
            "partial" => "the .partial folder of a boomtown batch in progress",
            "staging" => "a boomtown staging folder",
            _ => "a folder of another boomtown version",
        }
    }
}

/// Whether a path is a folder itself, not a link to one.
pub fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Every file and folder below `dir`, except the marker, with the stamp of each
/// file. Links are listed as files, never followed.
fn entries(dir: &Path) -> Result<BTreeMap<String, Option<Stamp>>, Error> {
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Option<Stamp>>) -> Result<(), Error> {
    let read = std::fs::read_dir(dir).map_err(|e| Error::io("reading", dir, e))?;
    for entry in read {
        let entry = entry.map_err(|e| Error::io("reading", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if prefix.is_empty() && name == MARKER {
            continue;
        }
        let meta = std::fs::symlink_metadata(entry.path())
            .map_err(|e| Error::io("reading", entry.path(), e))?;
        if meta.is_dir() {
            let sub = format!("{prefix}{name}/");
            out.insert(sub.clone(), None);
            walk(&entry.path(), &sub, out)?;
        } else {
            let kind = if meta.file_type().is_symlink() {
                "@"
            } else {
                ""
            };
            out.insert(format!("{prefix}{name}{kind}"), Some(stamp(&meta)));
        }
    }
    Ok(())
}

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    let nanos = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    [meta.len(), nanos]
}

/// What in a marked output is not as boomtown wrote it: entries added (or a
/// link where a file was), and files whose size or modification time changed.
/// Empty when the folder is exactly boomtown's. At most 100 are named.
pub fn not_ours(dir: &Path, marker: &Marker) -> Result<Vec<String>, Error> {
    let found = entries(dir)?;
    let mut out: Vec<String> = Vec::new();
    for (path, stamp) in &found {
        match marker.entries.get(path) {
            None => out.push(path.trim_end_matches('@').to_string()),
            Some(listed) if listed != stamp => out.push(format!("{path} (changed)")),
            Some(_) => {}
        }
    }
    out.truncate(100);
    Ok(out)
}

/// Whether a `.partial` folder holds nothing but what a batch writes there: its
/// marker, and in `jobs/` the job folders (finished, or temporary ones a kill
/// left) with the files of a job.
pub fn only_jobs_in(dir: &Path) -> bool {
    let names = |d: &Path| -> Option<Vec<(String, bool)>> {
        std::fs::read_dir(d)
            .ok()?
            .map(|e| {
                let e = e.ok()?;
                let kind = e.file_type().ok()?;
                if kind.is_symlink() {
                    return None;
                }
                Some((e.file_name().into_string().ok()?, kind.is_dir()))
            })
            .collect()
    };
    let job_file = |n: &str| {
        n == crate::output::partial::JOB_FILE || crate::output::assemble::PART_FILES.contains(&n)
    };
    let job_dir =
        |n: &str| n.starts_with(".tmp") || (n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit()));
    let Some(top) = names(dir) else { return false };
    let jobs = dir.join("jobs");
    let jobs_ok = match names(&jobs) {
        Some(jobs) => jobs.iter().all(|(n, is_dir)| {
            *is_dir
                && job_dir(n)
                && names(&dir.join("jobs").join(n))
                    .is_some_and(|files| files.iter().all(|(f, d)| !d && job_file(f)))
        }),
        // No `jobs/` at all is fine; one that cannot be listed whole (a link, a
        // name that is not UTF-8) is not boomtown's.
        None => std::fs::symlink_metadata(&jobs).is_err(),
    };
    jobs_ok
        && top.iter().all(|(n, is_dir)| {
            (n == MARKER && !is_dir)
                || (n == "jobs" && *is_dir)
                || (n.starts_with(".tmp") && !is_dir)
        })
}

/// Files a folder being assembled may hold at its top level.
const STAGED_FILES: [&str; 14] = [
    "manifest.json",
    "scenario.toml",
    "timeseries.csv",
    "age_pyramid.csv",
    "indicators.csv",
    "experiments.csv",
    "summary.csv",
    "indicators_summary.csv",
    "report.html",
    "comparison.csv",
    "validation.csv",
    "validation.md",
    "observations.csv",
    MARKER,
];

/// Whether a stale staging folder holds only what boomtown writes while it
/// assembles an output (its own files, `charts/` with images, and subfolders
/// that are themselves marked) or, for one that holds an old output or a
/// `.partial` folder being removed, exactly what that marker lists.
pub fn only_staged_in(dir: &Path, marker: Option<&Marker>) -> bool {
    match marker {
        Some(m) if m.is(Kind::Output) => not_ours(dir, m).is_ok_and(|v| v.is_empty()),
        Some(m) if m.is(Kind::Partial) => only_jobs_in(dir),
        Some(m) if m.is(Kind::Staging) => only_staged_files(dir),
        Some(_) => false,
        // A staging folder killed before its marker was written holds at most
        // the marker's temporary file.
        None => std::fs::read_dir(dir).is_ok_and(|d| {
            d.flatten().all(|e| {
                e.file_type().is_ok_and(|t| t.is_file())
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| n.starts_with(".tmp"))
            })
        }),
    }
}

fn only_staged_files(dir: &Path) -> bool {
    let Ok(read) = std::fs::read_dir(dir) else {
        return false;
    };
    read.flatten().all(|e| {
        let Ok(kind) = e.file_type() else {
            return false;
        };
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if kind.is_file() {
            // A run's lock file, left by a kill of a comparison or validation.
            let lock = name.starts_with('.') && name.ends_with(".boomtown-lock");
            STAGED_FILES.contains(&name.as_str()) || name.starts_with(".tmp") || lock
        } else if kind.is_dir() && name == "charts" {
            std::fs::read_dir(&path).is_ok_and(|d| {
                d.flatten().all(|c| {
                    let n = c.file_name().to_string_lossy().into_owned();
                    c.file_type().is_ok_and(|t| t.is_file())
                        && (n.ends_with(".png") || n.ends_with(".svg") || n.starts_with(".tmp"))
                })
            })
        } else if kind.is_dir() {
            // A scenario's run inside a comparison or validation, finished or
            // not, or what a kill left of one.
            match Marker::read(&path) {
                Some(m) => only_staged_in(&path, Some(&m)),
                None => name.starts_with(super::STAGING_PREFIX) && only_staged_in(&path, None),
            }
        } else {
            false
        }
    })
}

/// Removes a marked folder, its marker last, so that a kill during the removal
/// never leaves unmarked remains that no later run could prove its own.
pub fn remove_marked(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    match std::fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::remove_dir(dir)
}

/// Whether a marked output is whole: every entry its marker lists is there, as
/// it was written, and nothing else.
pub fn is_whole(dir: &Path, marker: &Marker) -> bool {
    not_ours(dir, marker).is_ok_and(|v| v.is_empty())
        && entries(dir).is_ok_and(|found| found.len() == marker.entries.len())
}
