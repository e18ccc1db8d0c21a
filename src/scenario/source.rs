//! Finding scenario files, reading them with the line of every key, following the
//! `extends` chain and merging the layers into one table that remembers where each
//! value came from.
//!
//! Every chain ends at the built-in `defaults` layer, so a scenario file only says
//! what differs from the defaults (and its parent).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use toml::{Table, Value};

use crate::error::{Origin, ScenarioError};

/// The scenario files shipped with boomtown, built into the binary.
static BUILTIN: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");

/// The name of the layer every chain ends at.
pub const DEFAULTS: &str = "defaults";

/// The key by which a file names its parent.
const EXTENDS: &str = "extends";

/// A scenario file's text and how to name it in messages.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// How messages name the file: a path, or `builtin:NAME`.
    pub label: String,
    /// The file's text.
    pub text: String,
    /// The folder sibling names resolve in (none for built-in files).
    dir: Option<PathBuf>,
}

impl SourceFile {
    /// A scenario given as text rather than read from a file (its parents are
    /// looked up by name among the built-in scenarios, or as paths).
    pub fn inline(label: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            label: label.into(),
            text: text.into(),
            dir: None,
        }
    }
}

/// One named scenario shipped with boomtown.
#[derive(Clone, Debug)]
pub struct Named {
    /// The name used on the command line (`hegang-like`).
    pub name: String,
    /// The file's `description`, if it has one.
    pub description: String,
}

/// Lists the built-in named scenarios (all but the defaults layer), sorted by name.
pub fn builtin_names() -> Vec<Named> {
    let mut out: Vec<Named> = BUILTIN
        .files()
        .filter_map(|f| {
            let name = f.path().file_stem()?.to_str()?.to_string();
            let ext_ok = f.path().extension().is_some_and(|e| e == "toml");
            if !ext_ok || name == DEFAULTS {
                return None;
            }
            let description = f
                .contents_utf8()
                .and_then(|t| t.parse::<Table>().ok())
                .and_then(|t| t.get("description")?.as_str().map(str::to_string))
                .unwrap_or_default();
            Some(Named { name, description })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Finds the file a scenario reference names.
///
/// A reference containing a path separator or ending in `.toml` is a file path,
/// taken relative to `base` (the current folder, or the folder of the file whose
/// `extends` names it). Otherwise it is a name: `NAME.toml` in `base` if such a
/// file exists there, else the built-in scenario of that name.
pub fn locate(
    reference: &str,
    base: Option<&Path>,
    from: &str,
) -> Result<SourceFile, ScenarioError> {
    let is_path =
        reference.contains('/') || reference.contains('\\') || reference.ends_with(".toml");
    if is_path {
        let path = match base {
            Some(b) => b.join(reference),
            None => PathBuf::from(reference),
        };
        return read_file(&path, from);
    }
    if let Some(b) = base {
        let candidate = b.join(format!("{reference}.toml"));
        if candidate.is_file() {
            return read_file(&candidate, from);
        }
    }
    builtin(reference).ok_or_else(|| {
        let known: Vec<String> = builtin_names().into_iter().map(|n| n.name).collect();
        let hint = crate::scenario::closest(reference, known.iter().map(String::as_str))
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        ScenarioError::in_file(
            from,
            format!(
                "no scenario named `{reference}`{hint}; named scenarios are: {}",
                known.join(", ")
            ),
        )
    })
}

/// The built-in file of a name, if there is one.
fn builtin(name: &str) -> Option<SourceFile> {
    let file = BUILTIN.get_file(format!("{name}.toml"))?;
    Some(SourceFile {
        label: format!("builtin:{name}"),
        text: file.contents_utf8()?.to_string(),
        dir: None,
    })
}

/// Largest scenario file read, in bytes: scenario files are a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

fn read_file(path: &Path, from: &str) -> Result<SourceFile, ScenarioError> {
    let label = path.display().to_string();
    let bytes = read_bounded(path).map_err(|e| match e {
        ReadError::Io(e) => {
            let what = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                _ => e.to_string(),
            };
            ScenarioError::in_file(from, format!("cannot read scenario file {label}: {what}"))
        }
        ReadError::NotAFile(what) => ScenarioError::in_file(
            label.clone(),
            format!("is {what}, expected a scenario file (.toml)"),
        ),
        ReadError::TooLarge => ScenarioError::in_file(
            label.clone(),
            format!(
                "is larger than {} KiB; a scenario file is a few kilobytes of TOML",
                MAX_FILE_BYTES / 1024
            ),
        ),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        ScenarioError::in_file(
            label.clone(),
            format!(
                "is not valid UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(SourceFile {
        label,
        text,
        dir: Some(path.parent().map(Path::to_path_buf).unwrap_or_default()),
    })
}

enum ReadError {
    Io(std::io::Error),
    NotAFile(&'static str),
    TooLarge,
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. Anything else (a folder,
/// a device such as `/dev/zero`, a FIFO) is refused before a byte is read: it is
/// opened without blocking and checked on the open handle, so that neither the
/// open nor the read can hang or run without end.
fn read_bounded(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::IsADirectory => ReadError::NotAFile("a folder"),
        _ => ReadError::Io(e),
    })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if meta.is_dir() {
        return Err(ReadError::NotAFile("a folder"));
    }
    if !meta.is_file() {
        return Err(ReadError::NotAFile(
            "not a regular file (a device, FIFO or socket)",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// A scenario file parsed into a table, with the line of every key path.
#[derive(Clone, Debug)]
pub struct Layer {
    /// The file it came from.
    pub file: SourceFile,
    /// Its content, without `extends`.
    pub table: Table,
    /// 1-based line of each dotted key path in the file.
    pub lines: BTreeMap<String, usize>,
    /// The parent it names, if any.
    pub extends: Option<String>,
}

impl Layer {
    /// Parses a file, reporting TOML syntax errors with their line.
    pub fn parse(file: SourceFile) -> Result<Layer, ScenarioError> {
        if file.text.trim().is_empty() {
            return Err(ScenarioError::in_file(
                file.label,
                "is empty; a scenario needs at least `extends` or a `description`",
            ));
        }
        let mut table: Table = file.text.parse().map_err(|e: toml::de::Error| {
            let line = e.span().map(|s| line_of(&file.text, s.start));
            ScenarioError {
                origin: Origin {
                    file: file.label.clone(),
                    line,
                },
                key: None,
                message: format!("malformed TOML: {}", e.message().trim()),
            }
        })?;
        let mut lines = BTreeMap::new();
        if let Ok(doc) = toml::de::DeTable::parse(&file.text) {
            collect_lines(doc.get_ref(), "", &file.text, &mut lines);
        }
        let extends = match table.remove(EXTENDS) {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                return Err(ScenarioError {
                    origin: Origin {
                        file: file.label.clone(),
                        line: lines.get(EXTENDS).copied(),
                    },
                    key: Some(EXTENDS.into()),
                    message: format!(
                        "expected the name or path of a parent scenario (a string), found {}",
                        other.type_str()
                    ),
                });
            }
        };
        Ok(Layer {
            file,
            table,
            lines,
            extends,
        })
    }

    /// The origin of a key path in this file.
    pub fn origin(&self, path: &str) -> Origin {
        Origin {
            file: self.file.label.clone(),
            line: self.lines.get(path).copied(),
        }
    }
}

fn collect_lines(
    table: &toml::de::DeTable<'_>,
    prefix: &str,
    text: &str,
    out: &mut BTreeMap<String, usize>,
) {
    for (key, value) in table.iter() {
        let path = join(prefix, key.get_ref());
        out.entry(path.clone())
            .or_insert_with(|| line_of(text, key.span().start));
        if let toml::de::DeValue::Table(inner) = value.get_ref() {
            collect_lines(inner, &path, text, out);
        }
    }
}

/// Joins a dotted key path and a key.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A merged scenario table, with the origin of every key path in it.
#[derive(Clone, Debug, Default)]
pub struct Merged {
    /// The merged content.
    pub table: Table,
    /// Where each dotted key path was last set.
    pub origins: BTreeMap<String, Origin>,
    /// The files of the chain, from the defaults layer to the scenario itself.
    pub chain: Vec<SourceFile>,
}

impl Merged {
    /// The origin of a key path, or of its nearest ancestor that has one.
    pub fn origin(&self, path: &str) -> Origin {
        // Array elements (`demand[0]`) are reported at their array's key.
        let mut p = path.split('[').next().unwrap_or(path);
        // A table that only exists because a key inside it was set (a misspelt
        // table in `--set populaton.size=5`) comes from where that key was set.
        let inside = format!("{p}.");
        if !self.origins.contains_key(p)
            && let Some((_, o)) = self
                .origins
                .range(inside.clone()..)
                .next()
                .filter(|(k, _)| k.starts_with(&inside))
        {
            return o.clone();
        }
        loop {
            if let Some(o) = self.origins.get(p) {
                return o.clone();
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None => {
                    let file = self
                        .chain
                        .last()
                        .map(|f| f.label.clone())
                        .unwrap_or_default();
                    return Origin::file(file);
                }
            }
        }
    }

    /// How close to the command line a key was set: its file's position in the
    /// chain (0 for the defaults layer), or past the end for a `--set` override.
    pub fn rank(&self, path: &str) -> usize {
        let file = self.origin(path).file;
        self.chain
            .iter()
            .position(|f| f.label == file)
            .unwrap_or(self.chain.len())
    }

    /// A scenario error at a key path.
    pub fn error(&self, path: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            origin: self.origin(path),
            key: Some(path.to_string()),
            message: message.into(),
        }
    }

    /// Lays `table` over the merged content: tables merge key by key, anything else
    /// (a number, a string, an array, or a distribution table with a `dist` key)
    /// replaces what was there.
    pub fn overlay(&mut self, table: &Table, prefix: &str, origin: &dyn Fn(&str) -> Origin) {
        let mut target = &mut self.table;
        if !prefix.is_empty() {
            for seg in prefix.split('.') {
                target = match target
                    .entry(seg.to_string())
                    .or_insert_with(|| Value::Table(Table::new()))
                {
                    Value::Table(t) => t,
                    _ => unreachable!("overlay prefixes always name tables"),
                };
            }
        }
        merge_into(target, table, prefix, origin, &mut self.origins);
    }
}

/// Whether a table is a distribution (`{ dist = "normal", ... }`), which
/// replaces a value whole instead of merging key by key.
pub fn is_distribution(t: &Table) -> bool {
    matches!(t.get("dist"), Some(Value::String(_)))
}

fn merge_into(
    target: &mut Table,
    source: &Table,
    prefix: &str,
    origin: &dyn Fn(&str) -> Origin,
    origins: &mut BTreeMap<String, Origin>,
) {
    for (key, value) in source {
        let path = join(prefix, key);
        origins.insert(path.clone(), origin(&path));
        match (target.get_mut(key), value) {
            (Some(Value::Table(old)), Value::Table(new))
                if !is_distribution(old) && !is_distribution(new) =>
            {
                merge_into(old, new, &path, origin, origins);
            }
            _ => {
                origins.retain(|k, _| !k.starts_with(&format!("{path}.")));
                target.insert(key.clone(), value.clone());
                if let Value::Table(new) = value {
                    record_origins(new, &path, origin, origins);
                }
            }
        }
    }
}

fn record_origins(
    table: &Table,
    prefix: &str,
    origin: &dyn Fn(&str) -> Origin,
    origins: &mut BTreeMap<String, Origin>,
) {
    for (key, value) in table {
        let path = join(prefix, key);
        origins.insert(path.clone(), origin(&path));
        if let Value::Table(t) = value {
            record_origins(t, &path, origin, origins);
        }
    }
}

/// Reads a scenario and the chain it extends, and merges them over the defaults.
pub fn resolve(reference: &str) -> Result<Merged, ScenarioError> {
    let cwd = std::env::current_dir().ok();
    resolve_file(locate(reference, cwd.as_deref(), reference)?)
}

/// Resolves a scenario given as a file path (one that is not valid UTF-8, which
/// cannot be a name).
pub fn resolve_path(path: &Path) -> Result<Merged, ScenarioError> {
    let label = path.display().to_string();
    resolve_file(read_file(path, &label)?)
}

/// Reads the chain a scenario file extends and merges it over the defaults.
pub fn resolve_file(top: SourceFile) -> Result<Merged, ScenarioError> {
    let mut layers = vec![Layer::parse(top)?];
    loop {
        let last = layers.last().expect("chain is never empty");
        let from = last.origin(EXTENDS);
        let parent = match (
            &last.extends,
            last.file.label == format!("builtin:{DEFAULTS}"),
        ) {
            (Some(p), _) => {
                locate(p, last.file.dir.as_deref(), &from.to_string()).map_err(|e| {
                    if e.origin.file == from.to_string() {
                        ScenarioError {
                            origin: from.clone(),
                            key: Some(EXTENDS.into()),
                            message: e.message,
                        }
                    } else {
                        e
                    }
                })?
            }
            (None, true) => break,
            (None, false) => builtin(DEFAULTS).expect("the defaults layer is built in"),
        };
        if let Some(pos) = layers.iter().position(|l| l.file.label == parent.label) {
            let cycle: Vec<&str> = layers[pos..]
                .iter()
                .map(|l| l.file.label.as_str())
                .chain(std::iter::once(parent.label.as_str()))
                .collect();
            return Err(ScenarioError {
                origin: from,
                key: Some(EXTENDS.into()),
                message: format!("`extends` makes a cycle: {}", cycle.join(" -> ")),
            });
        }
        layers.push(Layer::parse(parent)?);
    }
    let mut merged = Merged::default();
    for layer in layers.iter().rev() {
        merged.overlay(&layer.table, "", &|p| layer.origin(p));
        merged.chain.push(layer.file.clone());
    }
    Ok(merged)
}
