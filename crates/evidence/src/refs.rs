//! Finding references to tracked work in free text (commit messages, pull
//! request descriptions, comments): `#123`, `owner/repo#123`, `GH-123`,
//! tracker keys like `ABC-123`, issue URLs, and references to decision
//! records (`ADR-7`, `docs/adr/…`).
//!
//! Hand-written scanning over bytes rather than regular expressions: the git
//! scanner runs this on every commit message of a large history, and the
//! rules (word boundaries, ignored key prefixes like `UTF-8`) are easier to
//! state and test as code than as one pattern.

/// Which tracker keys count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefOptions {
    /// When not empty, only keys with these prefixes (`ABC` of `ABC-123`)
    /// count as tickets.
    pub tracker_keys: Vec<String>,
    /// Prefixes that look like keys but name standards and versions
    /// (`UTF-8`, `SHA-256`, `ISO-8601`).
    pub ignored_keys: Vec<String>,
}

/// Key-like prefixes that name standards, licences and versions rather than
/// tickets.
pub const DEFAULT_IGNORED_KEYS: &[&str] = &[
    "ADR", "AES", "AGPL", "BSD", "CVE", "CWE", "ECMA", "ES", "GMT", "GPL", "HTTP", "IEC", "IPV", "ISO", "LGPL", "MD",
    "MPL", "PEP", "RFC", "SHA", "SSL", "TLS", "UTC", "UTF", "WCAG",
];

impl Default for RefOptions {
    fn default() -> Self {
        RefOptions {
            tracker_keys: Vec::new(),
            ignored_keys: DEFAULT_IGNORED_KEYS.iter().map(|s| (*s).to_string()).collect(),
        }
    }
}

/// A numbered reference: `#12` (this repository) or `owner/repo#12`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NumberRef {
    Local(u64),
    Remote { repo: String, number: u64 },
}

/// What a text references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs {
    pub numbers: Vec<NumberRef>,
    pub tracker_keys: usize,
    pub issue_urls: usize,
    /// Links to pull requests by URL (`…/pull/12`), kept apart because a
    /// pull request is not an issue.
    pub pull_urls: Vec<NumberRef>,
    pub decision_refs: usize,
}

impl Refs {
    /// Whether anything names an issue or ticket, given which local numbers
    /// are known to be pull requests (those don't count).
    pub fn references_issue(&self, is_pull: impl Fn(u64) -> bool) -> bool {
        self.tracker_keys > 0
            || self.issue_urls > 0
            || self.numbers.iter().any(|n| match n {
                NumberRef::Local(number) => !is_pull(*number),
                NumberRef::Remote { .. } => true,
            })
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_repo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Parses up to 12 digits starting at `i`; returns the number and the end.
fn digits(bytes: &[u8], i: usize) -> Option<(u64, usize)> {
    let mut end = i;
    while end < bytes.len() && bytes[end].is_ascii_digit() && end - i < 12 {
        end += 1;
    }
    if end == i || bytes.get(end).is_some_and(|b| is_word_byte(*b)) {
        return None;
    }
    std::str::from_utf8(&bytes[i..end]).ok()?.parse().ok().map(|n| (n, end))
}

/// The text of a commit subject without the ` (#123)` that squash merges on
/// code hosts append: that number names the pull request, not an issue.
pub fn strip_squash_suffix(message: &str) -> String {
    let (subject, rest) = message.split_once('\n').unwrap_or((message, ""));
    let trimmed = subject.trim_end();
    let stripped = trimmed
        .strip_suffix(')')
        .and_then(|s| {
            let open = s.rfind("(#")?;
            let number = &s[open + 2..];
            (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())).then(|| s[..open].trim_end())
        })
        .unwrap_or(trimmed);
    if rest.is_empty() {
        stripped.to_string()
    } else {
        format!("{stripped}\n{rest}")
    }
}

/// Finds every reference in `text`.
pub fn find_refs(text: &str, options: &RefOptions) -> Refs {
    let bytes = text.as_bytes();
    let mut refs = Refs::default();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let before = if i == 0 { None } else { Some(bytes[i - 1]) };
        // URLs first: their insides must not be read as other references.
        if (b == b'h' || b == b'H')
            && starts_with_ignore_case(&bytes[i..], b"http")
            && !before.is_some_and(is_word_byte)
        {
            let end = bytes[i..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || matches!(c, b')' | b'>' | b']' | b'"' | b'\''))
                .map_or(bytes.len(), |p| i + p);
            classify_url(&text[i..end], &mut refs);
            i = end;
            continue;
        }
        if b == b'#'
            && before != Some(b'&')
            && before != Some(b'#')
            && let Some((number, end)) = digits(bytes, i + 1)
        {
            match repo_before(bytes, i) {
                Some(repo) => refs.numbers.push(NumberRef::Remote { repo, number }),
                None if !before.is_some_and(is_word_byte) => refs.numbers.push(NumberRef::Local(number)),
                None => {}
            }
            i = end;
            continue;
        }
        if b.is_ascii_alphabetic() && !before.is_some_and(|c| is_word_byte(c) || c == b'-') {
            if let Some(end) = decision_ref(bytes, i) {
                refs.decision_refs += 1;
                i = end;
                continue;
            }
            if b.is_ascii_uppercase()
                && let Some((key, end)) = tracker_key(bytes, i)
            {
                if key == "GH" {
                    if let Some((number, _)) = digits(bytes, i + 3) {
                        refs.numbers.push(NumberRef::Local(number));
                    }
                } else if key_counts(key, options) {
                    refs.tracker_keys += 1;
                }
                i = end;
                continue;
            }
            if let Some(end) = decision_path(bytes, i) {
                refs.decision_refs += 1;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    refs
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// `owner/repo` right before a `#` at `hash`, if any.
fn repo_before(bytes: &[u8], hash: usize) -> Option<String> {
    let mut start = hash;
    let mut slashes = 0;
    while start > 0 {
        let c = bytes[start - 1];
        if c == b'/' {
            slashes += 1;
            if slashes > 1 {
                return None;
            }
        } else if !is_repo_byte(c) {
            break;
        }
        start -= 1;
    }
    let candidate = std::str::from_utf8(&bytes[start..hash]).ok()?;
    let (owner, name) = candidate.split_once('/')?;
    (!owner.is_empty() && !name.is_empty()).then(|| candidate.to_string())
}

/// A key like `ABC-123` at `i`: 2-10 uppercase letters or digits with at
/// least two letters, a dash, digits, then no word character.
fn tracker_key(bytes: &[u8], i: usize) -> Option<(&str, usize)> {
    let mut end = i;
    while end < bytes.len() && (bytes[end].is_ascii_uppercase() || bytes[end].is_ascii_digit()) && end - i <= 10 {
        end += 1;
    }
    let key = &bytes[i..end];
    if !(2..=10).contains(&key.len()) || key.iter().filter(|b| b.is_ascii_uppercase()).count() < 2 {
        return None;
    }
    if bytes.get(end) != Some(&b'-') {
        return None;
    }
    let (_, after) = digits(bytes, end + 1)?;
    // `UTF-8.1` or `ABC-1-2` are versions and ranges, not tickets.
    if matches!(bytes.get(after), Some(b'-'))
        || (bytes.get(after) == Some(&b'.') && bytes.get(after + 1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    Some((std::str::from_utf8(key).ok()?, after))
}

fn key_counts(key: &str, options: &RefOptions) -> bool {
    if options.ignored_keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
        return false;
    }
    options.tracker_keys.is_empty() || options.tracker_keys.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// `ADR-7`, `ADR 7`, `ADR7`, `adr #7` at `i`.
fn decision_ref(bytes: &[u8], i: usize) -> Option<usize> {
    if !starts_with_ignore_case(&bytes[i..], b"adr") {
        return None;
    }
    let mut j = i + 3;
    while j < bytes.len() && matches!(bytes[j], b'-' | b'_' | b' ' | b'#') && j - i < 5 {
        j += 1;
    }
    digits(bytes, j).map(|(_, end)| end)
}

/// A path into a decision folder: `adr/`, `adrs/`, `decisions/`,
/// `decision-records/` at `i` (case-insensitive).
fn decision_path(bytes: &[u8], i: usize) -> Option<usize> {
    for folder in [&b"decision-records/"[..], b"decisions/", b"adrs/", b"adr/"] {
        if starts_with_ignore_case(&bytes[i..], folder) {
            return Some(i + folder.len());
        }
    }
    None
}

fn classify_url(url: &str, refs: &mut Refs) {
    let lower = url.to_ascii_lowercase();
    let number_after = |marker: &str| -> Option<u64> {
        let at = lower.find(marker)? + marker.len();
        let rest = &url[at..];
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        rest[..end].parse().ok()
    };
    let repo = || {
        let path = lower.split_once("://").map_or(lower.as_str(), |(_, p)| p);
        let mut parts = path.split('/').skip(1);
        match (parts.next(), parts.next()) {
            (Some(owner), Some(name)) => format!("{owner}/{name}"),
            _ => String::new(),
        }
    };
    if let Some(number) = number_after("/pull/").or_else(|| number_after("/merge_requests/")) {
        refs.pull_urls.push(NumberRef::Remote { repo: repo(), number });
    } else if number_after("/issues/").is_some()
        || lower.contains("/browse/")
        || lower.contains("/issue/")
        || lower.contains("/work_items/")
        || lower.contains("/_workitems/")
    {
        refs.issue_urls += 1;
    } else if ["/adr/", "/adrs/", "/decisions/", "/decision-records/"]
        .iter()
        .any(|d| lower.contains(d))
    {
        refs.decision_refs += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn refs(text: &str) -> Refs {
        find_refs(text, &RefOptions::default())
    }

    #[test]
    fn finds_numbers_keys_and_urls() {
        let r = refs("Fix #12 and acme/web#7; see ABC-123, GH-9 and https://github.com/acme/web/issues/44.");
        assert_eq!(
            r.numbers,
            vec![
                NumberRef::Local(12),
                NumberRef::Remote {
                    repo: "acme/web".into(),
                    number: 7
                },
                NumberRef::Local(9)
            ]
        );
        assert_eq!(r.tracker_keys, 1);
        assert_eq!(r.issue_urls, 1);
        assert!(r.references_issue(|_| false));
    }

    #[test]
    fn ignores_lookalikes() {
        for text in [
            "Use UTF-8 and SHA-256 per ISO-8601",
            "colour &#123; entity",
            "issue#12 glued to a word",
            "x86-64 build, X86-64 too",
            "version 1.2 (see RFC-3339)",
            "Bump to GPL-3.0",
            "A-1 is one letter",
        ] {
            let r = refs(text);
            assert!(!r.references_issue(|_| false), "{text:?} gave {r:?}");
        }
    }

    #[test]
    fn pull_requests_are_not_issues() {
        let r = refs("Follows #40, see https://github.com/acme/web/pull/41");
        assert_eq!(r.pull_urls.len(), 1);
        assert!(!r.references_issue(|n| n == 40));
        assert!(r.references_issue(|_| false));
    }

    #[test]
    fn finds_decision_references() {
        assert_eq!(refs("Implements ADR-7").decision_refs, 1);
        assert_eq!(refs("per adr 12 and ADR0003").decision_refs, 2);
        assert_eq!(refs("see docs/adr/0004-use-postgres.md").decision_refs, 1);
        assert_eq!(refs("handbook/decisions/x.md").decision_refs, 1);
        assert_eq!(refs("Implements ADR-7").tracker_keys, 0);
        assert_eq!(refs("radr/ and padre 12").decision_refs, 0);
    }

    #[test]
    fn squash_suffixes_are_removed_from_the_subject_only() {
        assert_eq!(strip_squash_suffix("Add login (#123)"), "Add login");
        assert_eq!(
            strip_squash_suffix("Add login (#123)\n\nCloses #5"),
            "Add login\n\nCloses #5"
        );
        assert_eq!(strip_squash_suffix("Fix (#12) early"), "Fix (#12) early");
        assert_eq!(strip_squash_suffix("Tuple (#)"), "Tuple (#)");
        assert!(!refs(&strip_squash_suffix("Add login (#123)")).references_issue(|_| false));
    }

    #[test]
    fn an_allow_list_restricts_tracker_keys() {
        let options = RefOptions {
            tracker_keys: vec!["OPS".into()],
            ..RefOptions::default()
        };
        assert_eq!(find_refs("OPS-1 and WEB-2", &options).tracker_keys, 1);
    }

    proptest! {
        #[test]
        fn never_panics_and_finds_an_inserted_reference(prefix in "\\PC{0,40}", suffix in "\\PC{0,40}", n in 1u64..100_000) {
            let _ = refs(&prefix);
            let text = format!("{prefix} #{n} {suffix}");
            let found = refs(&text);
            let local = NumberRef::Local(n);
            // The inserted reference is found unless the prefix opened a URL that swallows it.
            prop_assume!(!prefix.to_ascii_lowercase().contains("http"));
            prop_assert!(found.numbers.contains(&local), "{:?} in {:?}", found, text);
        }
    }
}
