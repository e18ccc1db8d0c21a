//! Error types. Library code returns these; only `main` prints them and picks the
//! exit code (2 for bad input, 1 for anything else).

use std::fmt;
use std::path::PathBuf;

/// Where a scenario value came from: a file (or the command line) and a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// A file path, `builtin:NAME` for a scenario built into the binary, or the
    /// `--set` argument that set the value.
    pub file: String,
    /// 1-based line number, when the value came from a file.
    pub line: Option<usize>,
}

impl Origin {
    /// An origin without a line (a whole file, or a command-line argument).
    pub fn file(file: impl Into<String>) -> Self {
        Origin {
            file: file.into(),
            line: None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {}", self.file, line),
            None => write!(f, "{}", self.file),
        }
    }
}

/// A problem with a scenario: its file, line and key, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// Where the offending value (or file) is.
    pub origin: Origin,
    /// The dotted key path, e.g. `sectors.coal.employment_share`, when known.
    pub key: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl ScenarioError {
    /// An error about a whole file or reference (no key).
    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError {
            origin: Origin::file(file),
            key: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(key) = &self.key {
            write!(f, ", key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Every failure the command line can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An observations file is invalid.
    #[error("invalid observations: {0}")]
    Observations(ScenarioError),
    /// The scenario (a file, the chain it extends, or an override) is invalid.
    #[error("invalid scenario: {0}")]
    Scenario(#[from] ScenarioError),
    /// A command-line argument is invalid (beyond what the parser catches).
    #[error("invalid argument: {0}")]
    Usage(String),
    /// Reading or writing a file failed.
    #[error("{context} {path}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The batch was stopped (Ctrl-C) before every job finished.
    #[error(
        "interrupted: {done} of {total} {what} finished and kept in {}; run the same command \
         with --resume to finish the {work}",
        partial.display()
    )]
    Interrupted {
        /// Jobs finished.
        done: usize,
        /// Jobs in the batch.
        total: usize,
        /// What the jobs are, e.g. `runs (replicates x configurations)`.
        what: &'static str,
        /// What they make up, e.g. `batch`.
        work: &'static str,
        /// Where the finished jobs are kept.
        partial: PathBuf,
    },
    /// The command was stopped (Ctrl-C) and kept nothing.
    #[error("{0}")]
    Stopped(String),
    /// A replicate's city grew without bound (the scenario drives it there).
    #[error("the scenario makes the city grow without bound: {0}")]
    Runaway(String),
    /// Writing to standard output failed (a full disk, or a reader that closed
    /// the pipe, which `main` treats as a quiet end).
    #[error("writing to standard output: {0}")]
    Stdout(std::io::Error),
    /// Drawing a chart failed.
    #[error("{0}")]
    Chart(String),
    /// Rendering the report failed.
    #[error("writing the report: {0}")]
    Report(String),
    /// Writing CSV output failed.
    #[error("writing {path}: {source}")]
    Csv {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        source: csv::Error,
    },
}

impl Error {
    /// The process exit code for this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario(_) | Error::Observations(_) | Error::Usage(_) | Error::Runaway(_) => 2,
            Error::Interrupted { .. } | Error::Stopped(_) => 130,
            Error::Io { .. }
            | Error::Stdout(_)
            | Error::Csv { .. }
            | Error::Chart(_)
            | Error::Report(_) => 1,
        }
    }

    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(context: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            context,
            path: path.into(),
            source,
        }
    }
}

/// Text safe to show on a terminal: control characters (escape sequences among
/// them), invisible characters (zero-width spaces, direction overrides) and line
/// separators are shown as `\u{..}` escapes, so that a key or a file name cannot
/// move the cursor, recolour, hide text or fake a line. Line breaks and tabs are
/// kept: messages use them (the command line refuses arguments with control
/// characters before they reach a message).
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c.is_control() && c != '\n' && c != '\t') || invisible(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`printable`] for a message that must stay on one line: line breaks and tabs
/// are escaped too, so that a value quoted from a file cannot fake a line.
pub fn printable_line(text: &str) -> String {
    printable(&text.replace('\n', "\\n").replace('\t', "\\t"))
}

/// Characters that show nothing, or change how what follows is shown: format
/// characters (zero-width spaces and joiners, direction marks and overrides,
/// soft hyphens, tags), variation selectors, fillers and line separators.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{205f}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

#[cfg(test)]
mod tests {
    use super::{printable, printable_line};

    #[test]
    fn escape_sequences_and_overrides_are_shown_not_obeyed() {
        assert_eq!(printable("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(printable("x\u{202e}y\u{7}"), "x\\u{202e}y\\u{7}");
        assert_eq!(printable("line\nnext\tcol 鹤岗"), "line\nnext\tcol 鹤岗");
        assert_eq!(printable_line("a\nb"), "a\\nb");
        for c in ['\u{61c}', '\u{ad}', '\u{fe0f}', '\u{e0041}', '\u{3164}'] {
            assert!(!printable(&format!("x{c}y")).contains(c), "{c:?}");
        }
    }
}
