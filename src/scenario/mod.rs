//! Scenario files: finding them, following `extends`, applying `--set` overrides,
//! and validating the result into model parameters.
//!
//! Everything here runs at the boundary: once a [`Scenario`] exists, its
//! parameters are valid and the model does not check them again.

pub mod attribution;
pub mod design;
pub mod source;
pub mod spec;
pub mod validate;

use sha2::{Digest, Sha256};
use toml::{Table, Value};

use crate::error::{Origin, ScenarioError};
use crate::model::params::Params;
use source::Merged;

/// A validated scenario, ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Its name (`hegang-like`, or a file's stem).
    pub name: String,
    /// What it represents.
    pub description: String,
    /// The question it asks (from `question`, else empty).
    pub question: String,
    /// Model parameters of the first configuration, with every uncertain
    /// parameter at its central value (horizon, sectors and columns are the same
    /// for every replicate).
    pub params: Params,
    /// Swept and uncertain parameters.
    pub design: design::Design,
    /// Master seed.
    pub seed: u64,
    /// Number of replicates.
    pub replicates: u32,
    /// How replicates choose their uncertain parameters.
    pub sampling: spec::Sampling,
    /// The merged table, with the origin of every value.
    pub merged: Merged,
}

impl Scenario {
    /// The resolved table of a batch: every value with defaults filled in, the
    /// scenario's name, and the batch's seed and replicates.
    fn resolved_table(&self, seed: u64, replicates: u32) -> Table {
        let mut t = self.merged.table.clone();
        t.insert("name".into(), Value::String(self.name.clone()));
        // One source per parameter, as `explain` shows it: a source of a parent
        // file does not carry over to a value a child file or `--set` changed,
        // and the resolved file keeps that distinction.
        let sources: Table = attribution::attribute(self)
            .into_iter()
            .filter_map(|a| {
                let text = a.source.filter(|t| !t.is_empty())?;
                Some((a.path, Value::String(text)))
            })
            .collect();
        if sources.is_empty() {
            t.remove("sources");
        } else {
            t.insert("sources".into(), Value::Table(sources));
        }
        design::set_paths(
            &mut t,
            &[
                ("simulation.seed".into(), Value::Integer(seed as i64)),
                (
                    "simulation.replicates".into(),
                    Value::Integer(replicates as i64),
                ),
            ],
        );
        t
    }

    /// The resolved scenario of a batch as TOML: running this file with no options
    /// reproduces the batch.
    pub fn resolved_toml(&self, seed: u64, replicates: u32) -> String {
        let chain: Vec<String> = self
            .merged
            .chain
            .iter()
            .map(|f| match std::path::Path::new(&f.label).file_name() {
                Some(name) if !f.label.starts_with("builtin:") => {
                    name.to_string_lossy().into_owned()
                }
                _ => f.label.clone(),
            })
            .collect();
        format!(
            "# Resolved scenario `{}`: defaults and the `extends` chain merged, overrides applied.\n\
             # Chain: {}\n\n{}",
            self.name,
            chain.join(" <- "),
            toml::to_string(&self.resolved_table(seed, replicates)).unwrap_or_default()
        )
    }

    /// SHA-256 of the resolved scenario of a batch, in hex: two batches with the
    /// same hash ran the same parameters, seed and replicates.
    pub fn hash(&self, seed: u64, replicates: u32) -> String {
        let text = toml::to_string(&self.resolved_table(seed, replicates)).unwrap_or_default();
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// One `--set key.path=value` override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// Dotted key path.
    pub path: String,
    /// The new value.
    pub value: Value,
    /// The argument as given, for messages.
    pub arg: String,
    /// The option it came with (`--set` or `--sweep`).
    pub flag: &'static str,
}

/// Most keys in the dotted path of a `--set` (scenario keys are at most five deep).
const MAX_KEY_DEPTH: usize = 16;

/// Longest dotted path of a `--set`, in characters.
const MAX_KEY_CHARS: usize = 256;

impl std::str::FromStr for Override {
    type Err = String;

    /// Parses `key.path=value`. The value is read as a TOML value (`12`, `0.3`,
    /// `true`, `[1, 2]`, `"text"`); anything else is taken as a plain string, so
    /// `simulation.start=2010-01` works unquoted.
    fn from_str(arg: &str) -> Result<Self, String> {
        let (path, raw) = arg
            .split_once('=')
            .ok_or_else(|| format!("expected key.path=value, found `{arg}` (no `=`)"))?;
        let path = path.trim();
        if path.len() > MAX_KEY_CHARS || path.split('.').count() > MAX_KEY_DEPTH {
            return Err(format!(
                "expected a dotted key path of at most {MAX_KEY_DEPTH} keys and {MAX_KEY_CHARS} \
                 characters such as `simulation.years`, found one of {} keys and {} characters",
                path.split('.').count(),
                path.len()
            ));
        }
        let valid_segment = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !path.split('.').all(valid_segment) {
            return Err(format!(
                "expected a dotted key path such as `simulation.years`, found `{path}`"
            ));
        }
        if path == "extends" {
            return Err("`extends` cannot be overridden; name the scenario to run instead".into());
        }
        Ok(Override {
            path: path.to_string(),
            value: parse_value(raw),
            arg: arg.to_string(),
            flag: "--set",
        })
    }
}

impl Override {
    /// Parses `--sweep key.path=v1,v2,...`: the values, separated by commas outside
    /// brackets and quotes, become an array (a sweep).
    pub fn parse_sweep(arg: &str) -> Result<Override, String> {
        let mut o: Override = arg.parse()?;
        let raw = arg.split_once('=').map(|(_, v)| v).unwrap_or_default();
        let parts = split_top_level(raw);
        if let Some(i) = parts.iter().position(|v| v.trim().is_empty()) {
            return Err(format!(
                "expected values separated by commas, found an empty value (value {} of {}) in `{arg}`",
                i + 1,
                parts.len()
            ));
        }
        let values: Vec<Value> = parts.into_iter().map(parse_value).collect();
        o.value = Value::Array(values);
        o.flag = "--sweep";
        Ok(o)
    }
}

/// Reads a command-line value as TOML (`12`, `0.3`, `true`, `[1, 2]`, `"text"`),
/// or as a plain string when it is not TOML (so `2010-01` works unquoted).
fn parse_value(raw: &str) -> Value {
    let raw = raw.trim();
    format!("v = {raw}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()))
}

/// Splits at commas that are not inside brackets, braces or quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut depth, mut quoted, mut start, mut out) = (0i32, false, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Loads a scenario by name or path, applies overrides and validates it.
pub fn load(reference: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    load_merged(source::resolve(reference)?, reference, overrides)
}

/// Loads a scenario named on the command line: a name or a path, or, when the
/// argument is not valid UTF-8 (a folder name in a legacy encoding), a path.
pub fn load_os(
    reference: &std::ffi::OsStr,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    match reference.to_str() {
        Some(text) => load(text, overrides),
        None => {
            let path = std::path::Path::new(reference);
            let merged = source::resolve_path(path)?;
            load_merged(merged, &path.display().to_string(), overrides)
        }
    }
}

/// Loads a scenario given as text (`label` names it in messages), applies
/// overrides and validates it.
pub fn load_text(
    label: &str,
    text: &str,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    let merged = source::resolve_file(source::SourceFile::inline(label, text))?;
    load_merged(merged, label, overrides)
}

fn load_merged(
    mut merged: Merged,
    reference: &str,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    let top = merged
        .chain
        .last()
        .expect("chain holds the scenario itself");
    let top_label = top.label.clone();
    for o in overrides {
        let mut table = Table::new();
        let mut segments: Vec<&str> = o.path.split('.').collect();
        let last = segments.pop().expect("split yields one segment at least");
        table.insert(last.to_string(), o.value.clone());
        let prefix = segments.join(".");
        check_override_target(&merged, &o.path, &format!("{} {}", o.flag, o.arg))?;
        let origin = Origin::file(format!("{} {}", o.flag, o.arg));
        merged.overlay(&table, &prefix, &|_| origin.clone());
    }
    let name = top_name(reference, &merged)?;
    check_name(&name, &merged)?;
    merged.table.remove("name");
    let design = design::Design::find(&merged)?;
    let configurations = design.configurations();
    if configurations > MAX_CONFIGURATIONS {
        let first = &design.sweeps[0].path;
        return Err(merged.error(
            first,
            format!(
                "the sweeps make {} configurations (one per combination of values); at most \
                 {MAX_CONFIGURATIONS} are allowed",
                if configurations == usize::MAX {
                    "more than 10^19".to_string()
                } else {
                    configurations.to_string()
                }
            ),
        ));
    }
    // Every configuration is checked before anything runs, with each uncertain
    // parameter at its central value.
    let central = design.central();
    let mut first = None;
    for c in 0..configurations {
        let built = build(&merged, &top_label, &design.configuration(c), &central)?;
        first.get_or_insert(built);
    }
    let (spec, params) = first.expect("there is at least one configuration");
    Ok(Scenario {
        name,
        description: spec.description.trim().to_string(),
        question: spec
            .question
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_string(),
        seed: spec.simulation.seed,
        replicates: spec.simulation.replicates,
        sampling: spec.simulation.design,
        params,
        design,
        merged,
    })
}

/// Most configurations a sweep may make.
pub const MAX_CONFIGURATIONS: usize = 100_000;

/// Deserializes and validates the merged table with some keys set to given values.
fn build(
    merged: &Merged,
    top: &str,
    swept: &[(String, Value)],
    drawn: &[(String, Value)],
) -> Result<(spec::ScenarioSpec, Params), ScenarioError> {
    let mut table = merged.table.clone();
    design::set_paths(&mut table, swept);
    design::set_paths(&mut table, drawn);
    let spec: spec::ScenarioSpec = serde_path_to_error::deserialize(Value::Table(table))
        .map_err(|e| serde_error(merged, &e, top))?;
    let params = validate::validate(&spec, merged)?;
    Ok((spec, params))
}

/// The parameters of one replicate of one configuration.
#[derive(Clone, Debug)]
pub struct Job {
    /// Configuration index (0-based).
    pub configuration: usize,
    /// Replicate index (0-based).
    pub replicate: u32,
    /// The model parameters.
    pub params: Params,
    /// The configuration's swept values.
    pub swept: Vec<(String, Value)>,
    /// The replicate's drawn values.
    pub drawn: Vec<(String, Value)>,
}

impl Scenario {
    /// Number of configurations.
    pub fn configurations(&self) -> usize {
        self.design.configurations()
    }

    /// Draws and validates the parameters of a replicate of a configuration.
    pub fn job(
        &self,
        configuration: usize,
        replicate: u32,
        seed: u64,
    ) -> Result<Job, ScenarioError> {
        let swept = self.design.configuration(configuration);
        if self.design.dists.is_empty() && configuration == 0 {
            return Ok(Job {
                configuration,
                replicate,
                params: self.params.clone(),
                swept,
                drawn: Vec::new(),
            });
        }
        let top = self.top_label();
        let drawn = self
            .design
            .sample(seed, replicate as u64)
            .map_err(|message| ScenarioError {
                origin: self.merged.origin(""),
                key: None,
                message,
            })?;
        self.job_with(configuration, replicate, drawn, &top)
    }

    /// The parameters of configuration `c`, every uncertain parameter at its
    /// central value: what charts and the report say a configuration assumes
    /// (its policies, for instance), without drawing anything.
    pub fn configuration_params(&self, c: usize) -> Result<Params, ScenarioError> {
        if c == 0 && self.design.dists.is_empty() {
            return Ok(self.params.clone());
        }
        let swept = self.design.configuration(c);
        let central = self.design.central();
        build(&self.merged, &self.top_label(), &swept, &central).map(|(_, p)| p)
    }

    /// The label of the scenario's own file (the last of its `extends` chain).
    fn top_label(&self) -> String {
        self.merged
            .chain
            .last()
            .map(|f| f.label.clone())
            .unwrap_or_default()
    }

    /// The unit-hypercube points of a batch of `replicates` under a Latin
    /// hypercube design (one row per replicate, one column per uncertain
    /// parameter), drawn from the master seed alone, so that every shard of
    /// the batch sees the same design; `None` when replicates draw
    /// independently or nothing is uncertain.
    pub fn latin_hypercube(&self, seed: u64, replicates: u32) -> Option<Vec<Vec<f64>>> {
        use rand::SeedableRng;
        if self.sampling != spec::Sampling::LatinHypercube || self.design.dists.is_empty() {
            return None;
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x1a71_4c0b_e5a3_d001);
        Some(crate::sensitivity::sampling::latin_hypercube(
            replicates as usize,
            self.design.dists.len(),
            &mut rng,
        ))
    }

    /// The parameters of a configuration with the uncertain parameters at the
    /// quantiles `u` of their distributions (one per distribution), for
    /// replicate (or design point) `replicate`.
    pub fn job_at_quantiles(
        &self,
        configuration: usize,
        replicate: u32,
        u: &[f64],
    ) -> Result<Job, ScenarioError> {
        let values = self
            .design
            .dists
            .iter()
            .zip(u)
            .map(|(d, &x)| {
                d.quantile(x)
                    .map(|v| (d.path.clone(), v))
                    .map_err(|message| ScenarioError {
                        origin: self.merged.origin(&d.path),
                        key: Some(d.path.clone()),
                        message,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.job_at(configuration, replicate, values)
    }

    /// The parameters of a configuration with the uncertain parameters set to
    /// the given values (one per distribution, as a design chose them), for a
    /// design point `point`.
    pub fn job_at(
        &self,
        configuration: usize,
        point: u32,
        values: Vec<(String, Value)>,
    ) -> Result<Job, ScenarioError> {
        let top = self.top_label();
        self.job_with(configuration, point, values, &top)
    }

    fn job_with(
        &self,
        configuration: usize,
        replicate: u32,
        drawn: Vec<(String, Value)>,
        top: &str,
    ) -> Result<Job, ScenarioError> {
        let swept = self.design.configuration(configuration);
        let (_, params) = build(&self.merged, top, &swept, &drawn).map_err(|mut e| {
            let values: Vec<String> = drawn.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let drawn_here = e
                .key
                .as_deref()
                .is_some_and(|k| drawn.iter().any(|(d, _)| d == k));
            e.message = format!(
                "{} (replicate {replicate} drew {}){}",
                e.message,
                values.join(", "),
                if drawn_here {
                    "; keep the draws inside the valid range with the distribution's `min` and \
                     `max` (they truncate it), or narrow it"
                } else {
                    ""
                }
            );
            e
        })?;
        Ok(Job {
            configuration,
            replicate,
            params,
            swept,
            drawn,
        })
    }
}

/// The name of a scenario: the `name` key of its own file, else the file's stem.
/// The scenario's name: its own file's `name` (or one given with `--set name=`),
/// else the file name without `.toml`. A parent's name is not inherited.
fn top_name(reference: &str, merged: &Merged) -> Result<String, ScenarioError> {
    if names_itself(merged) {
        return match merged.table.get("name") {
            Some(Value::String(s)) => Ok(s.clone()),
            other => Err(merged.error(
                "name",
                format!(
                    "expected the scenario's name as text (it cannot be swept), found {}",
                    other.map_or("nothing".into(), |v| v.to_string())
                ),
            )),
        };
    }
    Ok(std::path::Path::new(reference)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| reference.to_string()))
}

/// Whether `name` was set by the scenario's own file or on the command line.
fn names_itself(merged: &Merged) -> bool {
    let top = merged.chain.last().map(|f| f.label.as_str());
    merged.origins.get("name").is_some_and(|o| {
        Some(o.file.as_str()) == top
            || o.file.starts_with("--set ")
            || o.file.starts_with("--sweep ")
    })
}

/// Longest scenario name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// Longest scenario name, in bytes (a folder name's limit, less room for what
/// boomtown adds to it: `.partial`, a lock file's name, a comparison's suffix).
const MAX_NAME_BYTES: usize = 150;

/// A scenario's name becomes a folder name (`output/<name>`) and a value in every
/// CSV row, so it must be a plain name: not empty, no path separators, not `.` or
/// `..`, no control characters, and not starting with `.` (a hidden folder), `-`
/// (an option) or `=`, `+`, `@` (a spreadsheet would read it as a formula).
fn check_name(name: &str, merged: &Merged) -> Result<(), ScenarioError> {
    let problem = if name.trim().is_empty() {
        Some("is empty".to_string())
    } else if name.chars().count() > MAX_NAME_CHARS || name.len() > MAX_NAME_BYTES {
        Some(format!(
            "is longer than {MAX_NAME_CHARS} characters or {MAX_NAME_BYTES} bytes"
        ))
    } else if name.contains(['/', '\\']) {
        Some("contains a path separator (`/` or `\\`)".into())
    } else if name.chars().any(char::is_control) {
        Some("contains a control character".into())
    } else if name.starts_with(['.', '-', '=', '+', '@']) || name.trim() != name {
        Some("starts with `.`, `-`, `=`, `+`, `@` or a space, or ends with a space".into())
    } else if name.ends_with(".partial") {
        Some("ends with `.partial`, the name of a batch in progress".into())
    } else {
        None
    };
    let Some(problem) = problem else {
        return Ok(());
    };
    let message = format!(
        "expected a scenario name that can name a folder (letters, digits, `-`, `_`, `.`, spaces \
         inside), found `{name}`, which {problem}"
    );
    let top = &merged
        .chain
        .last()
        .expect("chain holds the scenario itself")
        .label;
    if names_itself(merged) {
        Err(merged.error("name", message))
    } else {
        Err(ScenarioError::in_file(
            top.clone(),
            format!("{message}; it comes from the file name: set `name = \"...\"` in the file"),
        ))
    }
}

/// An override may not turn a table into a value or reach inside a non-table.
fn check_override_target(merged: &Merged, path: &str, arg: &str) -> Result<(), ScenarioError> {
    let mut table = &merged.table;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, seg) in segments.iter().enumerate() {
        let here = segments[..=i].join(".");
        match table.get(*seg) {
            Some(Value::Table(t)) if i + 1 < segments.len() => table = t,
            Some(Value::Table(t)) if !source::is_distribution(t) => {
                return Err(ScenarioError {
                    origin: Origin::file(arg),
                    key: Some(here),
                    message: "is a table; set one of its keys instead".into(),
                });
            }
            Some(_) if i + 1 < segments.len() => {
                return Err(ScenarioError {
                    origin: Origin::file(arg),
                    key: Some(here),
                    message: "is a value, not a table; it has no keys to set".into(),
                });
            }
            _ => return Ok(()),
        }
    }
    Ok(())
}

/// Keys that older scenario files may still use, and what replaced them.
const RENAMED: &[(&str, &str)] = &[
    (
        "population.age_shares",
        "replaced by `[population.age_structure]`: `band_years` and the `male` and `female` counts or shares of a census table",
    ),
    (
        "population.female_share",
        "moved: the sex of the residents at the start comes from `population.age_structure`, and the share of women among arrivals is `migration.female_share`",
    ),
    (
        "migration.newcomer_children",
        "renamed `migration.children_per_mover`: children under 15 who come or leave with each mover aged 20-49",
    ),
];

/// Turns a serde error into one naming the file, line and key.
fn serde_error(
    merged: &Merged,
    e: &serde_path_to_error::Error<toml::de::Error>,
    top: &str,
) -> ScenarioError {
    let path = e.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let message = e.inner().message().trim().to_string();
    if let Some(field) = unknown_field(&message) {
        // The path already ends with the unknown key, except at the top level.
        let full = if path == field || path.ends_with(&format!(".{field}")) {
            path.clone()
        } else {
            source::join(&path, &field)
        };
        let expected = expected_fields(&message);
        let hint = match RENAMED.iter().find(|(old, _)| *old == full) {
            Some((_, now)) => format!(" ({now})"),
            None => closest(&field, expected.iter().map(String::as_str))
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default(),
        };
        let valid = if expected.is_empty() {
            String::new()
        } else {
            format!(" Valid keys here: {}.", expected.join(", "))
        };
        return ScenarioError {
            origin: merged.origin(&full),
            key: Some(full),
            message: format!("unknown key{hint}.{valid}"),
        };
    }
    if message.starts_with("missing field") {
        let field = message.split('`').nth(1).unwrap_or_default();
        let full = source::join(&path, field);
        return ScenarioError {
            origin: if path.is_empty() {
                Origin::file(top)
            } else {
                merged.origin(&path)
            },
            key: Some(full),
            message: "is missing: this key has no default and must be set".into(),
        };
    }
    // A negative city size fails as a type (a size is unsigned) before its
    // range is checked: say the range, as for any other size out of it.
    if path == "population.size" && message.contains("integer `-") {
        let found = message.split('`').nth(1).unwrap_or_default();
        return ScenarioError {
            origin: merged.origin(&path),
            key: Some(path),
            message: validate::population_size_range(found),
        };
    }
    ScenarioError {
        origin: merged.origin(&path),
        key: (!path.is_empty()).then_some(path),
        message: plain_types(&message),
    }
}

/// Rewrites serde's type vocabulary (`u64`, `f64`, `sequence`) in plain words.
fn plain_types(message: &str) -> String {
    let mut m = message
        .replace("invalid type: ", "wrong type: found ")
        .replace("invalid value: ", "invalid value: found ");
    for (from, to) in [
        ("expected u64", "expected a whole number of at least 0"),
        ("expected u32", "expected a whole number of at least 0"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected an array"),
        (
            "expected a tuple of size 2",
            "expected a pair [year, value]",
        ),
        (
            "expected an array of length 3",
            "expected an array of 3 numbers",
        ),
    ] {
        m = m.replace(from, to);
    }
    m
}

fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_string())
}

fn expected_fields(message: &str) -> Vec<String> {
    let Some((_, tail)) = message.split_once("expected ") else {
        return Vec::new();
    };
    tail.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
