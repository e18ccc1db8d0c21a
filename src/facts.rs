//! The facts extracted from the source articles (`seeds/facts.csv`), built into the
//! binary so that `boomtown explain` can show what a scenario's sources refer to.

use std::collections::BTreeMap;

/// The facts file, as shipped.
pub const FACTS_CSV: &str = include_str!("../seeds/facts.csv");

/// One fact: a figure or date from an article, with where it comes from.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct Fact {
    /// Stable id, cited by scenarios as `fact: ID` or `(fact ID)`.
    pub id: String,
    /// The figure (a number, a year, or text).
    pub value: String,
    /// Its unit.
    pub unit: String,
    /// City (or `china`, `world`).
    pub city: String,
    /// Year the value refers to, when known.
    pub year: String,
    /// The article's file name.
    pub article: String,
    /// A short paraphrase of the context.
    pub context: String,
}

/// The source articles (`seeds/articles.csv`), built into the binary.
pub const ARTICLES_CSV: &str = include_str!("../seeds/articles.csv");

/// A source article: what a reader needs to find and weigh it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Article {
    /// File name in the seed folder.
    pub file: String,
    /// Its title (or, for an untitled text, a description in brackets).
    pub title: String,
    /// What kind of text it is (a feature, a blog post, ...), and whether it is
    /// signed and dated.
    pub kind: String,
    /// What it is about.
    pub about: String,
}

/// All articles by file name (read once).
pub fn articles() -> &'static BTreeMap<String, Article> {
    static ARTICLES: std::sync::OnceLock<BTreeMap<String, Article>> = std::sync::OnceLock::new();
    ARTICLES.get_or_init(|| {
        csv::Reader::from_reader(ARTICLES_CSV.as_bytes())
            .deserialize::<Article>()
            .filter_map(Result::ok)
            .map(|a| (a.file.clone(), a))
            .collect()
    })
}

impl Fact {
    /// The article the fact comes from, as a reader can follow it: its title
    /// and kind, then the file name.
    pub fn article_label(&self) -> String {
        match articles().get(&self.article) {
            Some(a) => format!("\u{201c}{}\u{201d}, {}; {}", a.title, a.kind, a.file),
            None => self.article.clone(),
        }
    }
}

/// All facts by id.
pub fn facts() -> BTreeMap<String, Fact> {
    csv::Reader::from_reader(FACTS_CSV.as_bytes())
        .deserialize::<Fact>()
        .filter_map(Result::ok)
        .map(|f| (f.id.clone(), f))
        .collect()
}

/// The fact ids a source text cites: words that are ids of known facts.
pub fn cited<'a>(source: &str, known: &'a BTreeMap<String, Fact>) -> Vec<&'a Fact> {
    source
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter_map(|w| known.get(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_facts_file_is_complete_and_unique() {
        let rows = csv::Reader::from_reader(FACTS_CSV.as_bytes())
            .deserialize::<Fact>()
            .count();
        let all = facts();
        assert_eq!(
            all.len(),
            rows,
            "duplicate or unreadable rows in seeds/facts.csv"
        );
        assert!(all.len() >= 60);
        for f in all.values() {
            assert!(
                !f.value.is_empty() && !f.article.is_empty() && !f.context.is_empty(),
                "{f:?}"
            );
        }
        let titled = articles();
        for f in all.values() {
            assert!(
                titled.contains_key(&f.article),
                "{}: article {} has no title in seeds/articles.csv",
                f.id,
                f.article
            );
        }
        let cited = cited(
            "fact: hegang-mining-bureau-population-share (a third)",
            &all,
        );
        assert_eq!(cited.len(), 1);
    }
}
