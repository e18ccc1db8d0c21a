//! Guided lessons (`lessons/`): each a Markdown page with its question, the exact
//! command, what to look at and questions for discussion, and a short TOML front
//! matter (between `+++` lines) naming the scenarios it runs and what they
//! differ in (`differ`, checked against the scenarios by a test). They are built into
//! the binary, so `boomtown lesson N` works from any folder.

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::error::Error;

static LESSONS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/lessons");

/// The front matter of a lesson.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    scenarios: Vec<String>,
    #[serde(default)]
    differ: Vec<String>,
}

/// A lesson.
#[derive(Clone, Debug, Serialize)]
pub struct Lesson {
    /// Its number (from the file name, `02-retraining.md` → 2).
    pub number: u32,
    /// File name.
    pub file: String,
    /// Title.
    pub title: String,
    /// The scenarios it runs: one is a run, more are a comparison.
    pub scenarios: Vec<String>,
    /// What the lesson claims its scenarios differ in: parameter paths or their
    /// prefixes (`policies.retraining` covers every key of that policy). A test
    /// holds the claim to the scenarios: every parameter that differs falls under
    /// one of them, and each of them covers at least one that differs.
    pub differ: Vec<String>,
    /// The Markdown text after the front matter.
    pub text: String,
    /// The items under "What to look at", as plain text.
    pub look_at: Vec<String>,
    /// The items under "Questions for discussion", as plain text.
    pub discuss: Vec<String>,
    /// The paragraph that states the lesson's question.
    pub question: String,
    /// Options given to `boomtown lesson` that the run passes on (`--set ...`).
    pub options: Vec<String>,
}

impl Lesson {
    /// The command the lesson runs, as a user would type it.
    pub fn command(&self) -> String {
        let verb = if self.scenarios.len() == 1 {
            "run"
        } else {
            "compare"
        };
        let mut command = format!("boomtown {verb} {}", self.scenarios.join(" "));
        for option in &self.options {
            command.push(' ');
            command.push_str(option);
        }
        if !self.options.iter().any(|o| o.starts_with("--out")) {
            command.push_str(&format!(" --out {}", self.default_out()));
        }
        command
    }

    /// Where its outputs go by default.
    pub fn default_out(&self) -> String {
        format!("output/lesson-{}", self.number)
    }
}

/// Every lesson, by number.
pub fn lessons() -> Result<Vec<Lesson>, Error> {
    let mut out: Vec<Lesson> = LESSONS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "md"))
        .map(|f| {
            let file = f.path().display().to_string();
            parse(&file, f.contents_utf8().unwrap_or_default())
        })
        .collect::<Result<_, _>>()?;
    out.sort_by_key(|l| l.number);
    Ok(out)
}

/// One lesson by number.
pub fn lesson(number: u32) -> Result<Lesson, Error> {
    let all = lessons()?;
    let numbers: Vec<String> = all.iter().map(|l| l.number.to_string()).collect();
    all.into_iter().find(|l| l.number == number).ok_or_else(|| {
        Error::Usage(format!(
            "no lesson {number}; lessons are {} (see `boomtown lesson`)",
            numbers.join(", ")
        ))
    })
}

fn parse(file: &str, text: &str) -> Result<Lesson, Error> {
    let bad = |what: String| Error::Usage(format!("lessons/{file}: {what}"));
    let number: u32 = file
        .split(['-', '.'])
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| bad("the file name must start with its number, e.g. `02-`".into()))?;
    let rest = text
        .strip_prefix("+++\n")
        .ok_or_else(|| bad("expected a front matter between `+++` lines".into()))?;
    let (front, body) = rest
        .split_once("\n+++\n")
        .ok_or_else(|| bad("the front matter is not closed by `+++`".into()))?;
    let fm: FrontMatter = toml::from_str(front).map_err(|e| bad(e.to_string()))?;
    if fm.scenarios.is_empty() {
        return Err(bad("`scenarios` is empty".into()));
    }
    Ok(Lesson {
        number,
        file: file.to_string(),
        title: fm.title,
        scenarios: fm.scenarios,
        differ: fm.differ,
        question: body
            .lines()
            .skip_while(|l| !l.starts_with("**The question.**"))
            .take_while(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .replace("**The question.**", "")
            .trim()
            .to_string(),
        options: Vec::new(),
        look_at: items(body, "## What to look at"),
        discuss: items(body, "## Questions for discussion"),
        text: body.trim().to_string(),
    })
}

/// The list items of a section, as Markdown.
fn items(body: &str, heading: &str) -> Vec<String> {
    body.lines()
        .skip_while(|l| l.trim() != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("- "))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_parses_and_shows_its_command() {
        let all = lessons().unwrap();
        assert!(all.len() >= 4);
        for l in &all {
            assert!(!l.look_at.is_empty(), "{}: nothing to look at", l.file);
            assert!(!l.discuss.is_empty(), "{}: no questions", l.file);
            assert!(!l.question.is_empty(), "{}: no question", l.file);
            assert!(
                l.text.contains(&l.command()),
                "{}: the text does not show the command `{}`",
                l.file,
                l.command()
            );
            assert!(
                l.text.contains(&format!("boomtown lesson {}", l.number)),
                "{}",
                l.file
            );
        }
    }
}
