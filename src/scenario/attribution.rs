//! Which source vouches for each parameter of a resolved scenario. A source
//! counts only if it is declared in the file that set the value or in a file
//! nearer the command line: a parent's source does not vouch for a child's
//! value. `boomtown explain` shows the result; the resolved scenario a batch
//! writes keeps it.

use toml::{Table, Value};

use super::Scenario;
use super::source::{is_distribution, join};
use crate::error::Origin;

/// One parameter of a scenario and the source that vouches for its value.
#[derive(Clone, Debug)]
pub struct Attributed<'a> {
    /// Dotted key path.
    pub path: String,
    /// Its value.
    pub value: &'a Value,
    /// Where the value was set.
    pub set_in: Origin,
    /// The source text, if one vouches for the value as set.
    pub source: Option<String>,
}

/// Keys of a scenario that are text about it, not parameters.
const NOT_PARAMETERS: [&str; 4] = ["name", "description", "question", "sources"];

/// Every parameter of a scenario, in the order of its table, with its source.
pub fn attribute(s: &Scenario) -> Vec<Attributed<'_>> {
    let sources = s
        .merged
        .table
        .get("sources")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    collect(&s.merged.table, "", &mut |path, value| {
        let rank = s.merged.rank(path);
        let source = candidate_sources(&sources, path)
            .into_iter()
            .find(|(key, _)| s.merged.rank(&format!("sources.{key}")) >= rank)
            .map(|(_, text)| text);
        out.push(Attributed {
            path: path.to_string(),
            value,
            set_in: s.merged.origin(path),
            source,
        });
    });
    out
}

/// The source entries that may vouch for a path, most specific first: the exact
/// key, then a pattern with `*` for a sector or policy name
/// (`sectors.*.wage_growth`), then the same for each enclosing table (a source on
/// `sectors.coal.transferability` covers the keys inside it).
fn candidate_sources(sources: &Table, path: &str) -> Vec<(String, String)> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    for len in (2..=parts.len()).rev() {
        let mut keys = vec![parts[..len].join(".")];
        if len >= 3 {
            keys.push(format!("{}.*.{}", parts[0], parts[2..len].join(".")));
        }
        for key in keys {
            if let Some(Value::String(text)) = sources.get(&key) {
                out.push((key, text.clone()));
            }
        }
    }
    out
}

fn collect<'a>(table: &'a Table, prefix: &str, out: &mut dyn FnMut(&str, &'a Value)) {
    for (key, value) in table {
        if (prefix.is_empty() && NOT_PARAMETERS.contains(&key.as_str())) || key == "description" {
            continue;
        }
        let path = join(prefix, key);
        match value {
            Value::Table(t) if !is_distribution(t) => collect(t, &path, out),
            _ => out(&path, value),
        }
    }
}
