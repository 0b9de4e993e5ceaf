//! What a path in a repository is: documentation, a decision record, an
//! issue or pull request template, or code; and who owns it according to
//! CODEOWNERS.
//!
//! Globs use git's wildmatch rules (`*` stays within a folder, `**` crosses
//! folders), matched case-insensitively because `docs/` and `Docs/` mean the
//! same to a team. CODEOWNERS follows the code hosts' reading of it: the
//! last matching line wins and a line without owners removes ownership.

use gix::bstr::{BStr, BString, ByteSlice};
use gix::glob::wildmatch::Mode;

use crate::config::EvidenceConfig;

/// A compiled list of globs.
#[derive(Debug, Clone, Default)]
pub struct Globs {
    patterns: Vec<BString>,
}

impl Globs {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Self {
        Globs {
            patterns: patterns
                .iter()
                .map(|p| BString::from(p.as_ref().trim().trim_start_matches('/')))
                .collect(),
        }
    }

    pub fn matches(&self, path: &BStr) -> bool {
        let mode = Mode::NO_MATCH_SLASH_LITERAL | Mode::IGNORE_CASE;
        self.patterns
            .iter()
            .any(|p| gix::glob::wildmatch(p.as_bstr(), path, mode))
    }
}

/// What a path holds, as far as evidence cares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathClass {
    /// Prose: matches the docs globs (decision records and templates too).
    pub prose: bool,
    /// In a decision folder and written as prose, and not an index or a
    /// template: a decision record by place.
    pub decision_record: bool,
    pub issue_template: bool,
    pub pr_template: bool,
}

impl PathClass {
    pub fn template(&self) -> bool {
        self.issue_template || self.pr_template
    }

    /// Documentation that should follow the code: prose that is neither a
    /// decision record (records are history, never "stale") nor a template.
    pub fn living_doc(&self) -> bool {
        self.prose && !self.decision_record && !self.template()
    }

    /// Anything that isn't prose or a template counts as code.
    pub fn code(&self) -> bool {
        !self.prose && !self.decision_record && !self.template()
    }
}

const PROSE_EXTENSIONS: &[&str] = &["md", "markdown", "mdx", "rst", "adoc", "txt", "org"];

fn is_prose_file(path: &BStr) -> bool {
    let name = path.rsplit_str("/").next().unwrap_or(path);
    name.rsplit_str(".")
        .next()
        .filter(|ext| ext.len() < name.len())
        .and_then(|ext| ext.to_str().ok())
        .is_some_and(|ext| PROSE_EXTENSIONS.iter().any(|p| p.eq_ignore_ascii_case(ext)))
}

/// Index, table-of-contents and template files in a decision folder are not
/// decisions.
fn is_index_or_template(path: &BStr) -> bool {
    let name = path.rsplit_str("/").next().unwrap_or(path).to_ascii_lowercase();
    let stem = name.split_str(".").next().unwrap_or(&name).to_str().unwrap_or("");
    matches!(stem, "readme" | "index" | "toc" | "summary" | "_index") || stem.contains("template")
}

/// Classifies paths with a team's globs.
#[derive(Debug, Clone)]
pub struct Classifier {
    docs: Globs,
    decisions: Globs,
    issue_templates: Globs,
    pr_templates: Globs,
}

impl Classifier {
    pub fn new(config: &EvidenceConfig) -> Self {
        Classifier {
            docs: Globs::new(&config.docs),
            decisions: Globs::new(&config.decisions),
            issue_templates: Globs::new(&config.issue_templates),
            pr_templates: Globs::new(&config.pr_templates),
        }
    }

    pub fn classify(&self, path: &BStr) -> PathClass {
        let issue_template = self.issue_templates.matches(path);
        let pr_template = self.pr_templates.matches(path);
        let in_decisions = self.decisions.matches(path);
        PathClass {
            prose: self.docs.matches(path) || (in_decisions && is_prose_file(path)),
            decision_record: in_decisions && is_prose_file(path) && !is_index_or_template(path),
            issue_template,
            pr_template,
        }
    }
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, Default)]
pub struct CodeOwners {
    /// Per line, in file order: its globs and whether it names owners.
    lines: Vec<(Vec<BString>, bool)>,
}

impl CodeOwners {
    pub fn parse(text: &str) -> Self {
        let mut lines = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut words = line.split_whitespace();
            let Some(pattern) = words.next() else { continue };
            // GitLab section headers (`[Docs]`, `^[Docs]`) are not patterns.
            if pattern.starts_with('[') || pattern.starts_with("^[") {
                continue;
            }
            let has_owners = words.next().is_some();
            lines.push((Self::globs(pattern), has_owners));
        }
        CodeOwners { lines }
    }

    /// The wildmatch globs equivalent to one gitignore-style pattern.
    fn globs(pattern: &str) -> Vec<BString> {
        let dir_only = pattern.ends_with('/');
        let trimmed = pattern.trim_end_matches('/');
        let anchored = trimmed.starts_with('/') || trimmed.contains('/');
        let body = trimmed.trim_start_matches('/');
        if body.is_empty() {
            return vec![BString::from("**")];
        }
        let base = if anchored || body.starts_with("**/") {
            body.to_string()
        } else {
            format!("**/{body}")
        };
        let mut globs = Vec::new();
        if !dir_only {
            globs.push(BString::from(base.as_str()));
        }
        // A pattern naming a folder owns everything below it; `docs/*`
        // owns only the folder's own files, as code hosts read it.
        if !base.ends_with("/*") {
            globs.push(BString::from(format!("{base}/**")));
        }
        globs
    }

    /// Whether the last matching line gives `path` an owner.
    pub fn owns(&self, path: &BStr) -> bool {
        let mode = Mode::NO_MATCH_SLASH_LITERAL;
        self.lines
            .iter()
            .rev()
            .find(|(globs, _)| globs.iter().any(|g| gix::glob::wildmatch(g.as_bstr(), path, mode)))
            .is_some_and(|(_, has_owners)| *has_owners)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(path: &str) -> PathClass {
        Classifier::new(&EvidenceConfig::default()).classify(path.into())
    }

    #[test]
    fn default_globs_find_the_usual_places() {
        assert!(classify("README.md").living_doc());
        assert!(classify("crates/x/README.md").living_doc());
        assert!(classify("docs/guide/setup.txt").living_doc());
        assert!(classify("Docs/Guide.MD").living_doc());
        assert!(classify("src/main.rs").code());
        assert!(classify("docs/adr/0001-use-rust.md").decision_record);
        assert!(classify("handbook/decisions/2024-01-choose-db.md").decision_record);
        assert!(!classify("docs/adr/README.md").decision_record);
        assert!(!classify("docs/adr/template.md").decision_record);
        assert!(!classify("src/decisions/mod.rs").decision_record);
        assert!(classify(".github/ISSUE_TEMPLATE/bug.yml").issue_template);
        assert!(classify(".github/pull_request_template.md").pr_template);
        assert!(!classify(".github/pull_request_template.md").living_doc());
    }

    #[test]
    fn a_team_can_name_its_own_places() {
        let mut config = EvidenceConfig::default();
        config.decisions.push("handbook/choices/**".into());
        let c = Classifier::new(&config);
        assert!(c.classify("handbook/choices/pick-a-db.md".into()).decision_record);
    }

    #[test]
    fn codeowners_last_match_wins_and_bare_patterns_unown() {
        let owners = CodeOwners::parse(
            "# comment\n*.md @writers\n/docs/ @docs-team\ndocs/drafts/ \napps/ @apps # inline\n/build/*.txt @b\n",
        );
        assert!(owners.owns("README.md".into()));
        assert!(owners.owns("src/deep/notes.md".into()));
        assert!(owners.owns("docs/guide/x.png".into()));
        assert!(!owners.owns("docs/drafts/x.md".into()));
        assert!(owners.owns("web/apps/readme.txt".into()));
        assert!(owners.owns("build/a.txt".into()));
        assert!(!owners.owns("build/sub/a.txt".into()));
        assert!(!owners.owns("src/main.rs".into()));
        assert!(CodeOwners::parse("* @all\n").owns("any/thing.rs".into()));
    }
}
