//! The GitHub scanner: how a team uses issues and pull requests, from the
//! objects the GitHub REST API returns, read either from files written by
//! `gh api --paginate` ([`files`]) or live from the API ([`live`]).
//!
//! Both paths produce the same [`GithubData`], and one pure function
//! ([`measure`]) turns it into metrics, so a test over files checks the live
//! path's arithmetic too. Only the fields the metrics need are read; bodies
//! and comments are read in memory to find references and are never kept
//! in the result.

pub mod files;
pub mod live;

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use time::OffsetDateTime;

use crate::catalog;
use crate::config::EvidenceConfig;
use crate::metric::{Metric, Note, Scan, SourceKind, Window};
use crate::privacy::Privacy;
use crate::refs::{NumberRef, find_refs};

/// Why GitHub data could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error(transparent)]
    Files(#[from] files::FilesError),
    #[error(transparent)]
    Live(#[from] live::LiveError),
    #[error(
        "no issues or pull requests by people were opened or merged between {since} and {until} in {subject}: nothing to measure; widen the window with --since"
    )]
    NothingInWindow {
        subject: String,
        since: String,
        until: String,
    },
}

/// Scans a folder of exported JSON files (see [`files`]).
pub fn scan_files(
    dir: &std::path::Path,
    window: Window,
    config: &EvidenceConfig,
    privacy: &Privacy,
    now: OffsetDateTime,
) -> Result<Scan, GithubError> {
    let data = files::read_dir(dir)?;
    require_activity(measure(&data, window, config, privacy, now))
}

/// Scans a repository or an organisation live (see [`live`]).
#[allow(clippy::too_many_arguments)]
pub fn scan_live(
    target: &live::Target,
    window: Window,
    api: &live::ApiSettings,
    config: &EvidenceConfig,
    privacy: &Privacy,
    sleeper: &dyn live::Sleeper,
    progress: &dyn crate::progress::Progress,
    now: OffsetDateTime,
) -> Result<Scan, GithubError> {
    let data = live::fetch(target, window, api, config, sleeper, progress)?;
    require_activity(measure(&data, window, config, privacy, now))
}

/// A scan with no issue or pull request in its window measured nothing.
fn require_activity(scan: Scan) -> Result<Scan, GithubError> {
    let count = |id: &str| scan.metric(id).and_then(|m| m.value).unwrap_or(0.0);
    if count("github.issues") + count("github.pull_requests") + count("github.merged_pull_requests") == 0.0 {
        return Err(GithubError::NothingInWindow {
            subject: scan.subject.clone(),
            since: scan.window.since.date().to_string(),
            until: scan.window.last_day().to_string(),
        });
    }
    Ok(scan)
}

/// A GitHub account as the API shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub name: String,
}

/// An entry of `GET /repos/{owner}/{repo}/issues` (issues and pull requests).
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    pub number: u64,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    pub user: Option<User>,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Present when the entry is a pull request.
    #[serde(default)]
    pub pull_request: Option<serde::de::IgnoredAny>,
}

/// An entry of `GET /repos/{owner}/{repo}/pulls`.
#[derive(Debug, Clone, Deserialize)]
pub struct Pull {
    pub number: u64,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    pub user: Option<User>,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub merged_at: Option<OffsetDateTime>,
}

/// An entry of `GET /repos/{owner}/{repo}/issues/comments`.
#[derive(Debug, Clone, Deserialize)]
pub struct IssueComment {
    pub issue_url: String,
    pub user: Option<User>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default)]
    pub body: Option<String>,
}

/// An entry of `GET /repos/{owner}/{repo}/pulls/{number}/reviews`.
#[derive(Debug, Clone, Deserialize)]
pub struct Review {
    pub pull_request_url: String,
    pub user: Option<User>,
    /// `null` for a pending review.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub body: Option<String>,
}

/// Everything read about one repository.
#[derive(Debug, Clone, Default)]
pub struct RepoData {
    /// `owner/name`, or the folder's name for files.
    pub name: String,
    pub issues: Vec<Issue>,
    /// `None` when not provided: the metrics that need it say so.
    pub pulls: Option<Vec<Pull>>,
    pub comments: Option<Vec<(u64, IssueComment)>>,
    pub reviews: Option<Vec<(u64, Review)>>,
}

/// Everything read, over one or more repositories.
#[derive(Debug, Clone, Default)]
pub struct GithubData {
    pub subject: String,
    pub repos: Vec<RepoData>,
    pub notes: Vec<Note>,
}

/// The number at the end of an API URL such as `…/issues/12`.
pub(crate) fn trailing_number(url: &str, segment: &str) -> Option<u64> {
    let (before, number) = url.trim_end_matches('/').rsplit_once('/')?;
    before.ends_with(segment).then(|| number.parse().ok()).flatten()
}

fn spec(id: &str) -> &'static catalog::MetricSpec {
    // The ids below are in the catalogue; `every_github_metric_is_produced`
    // checks it.
    catalog::spec(id).unwrap_or(&catalog::all()[0])
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

fn hours(from: OffsetDateTime, to: OffsetDateTime) -> f64 {
    let h = (to - from).as_seconds_f64() / 3600.0;
    (h.max(0.0) * 10.0).round() / 10.0
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// The author's own words in a description: without HTML comments (where
/// templates keep their instructions), headings, checklist lines and
/// whitespace.
pub fn own_words(body: &str) -> usize {
    let mut text = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("<!--") {
        text.push_str(&rest[..start]);
        rest = rest[start..].find("-->").map_or("", |end| &rest[start + end + 3..]);
    }
    text.push_str(rest);
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            let l = l.trim_start_matches(['-', '*', ' ']);
            !(l.starts_with("[ ]") || l.starts_with("[x]") || l.starts_with("[X]"))
        })
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).count())
        .sum()
}

struct Person<'a> {
    login: &'a str,
}

fn person<'a>(user: Option<&'a User>, config: &EvidenceConfig) -> Option<Person<'a>> {
    let user = user?;
    let bot = user.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case("bot")) || config.is_bot(&user.login);
    (!bot).then_some(Person { login: &user.login })
}

/// One issue or pull request, whichever list it came from.
struct Thread<'a> {
    repo: usize,
    number: u64,
    author: Option<&'a str>,
    created_at: OffsetDateTime,
    labels: &'a [Label],
    text: String,
    is_pull: bool,
}

/// Turns what was read into metrics.
pub fn measure(
    data: &GithubData,
    window: Window,
    config: &EvidenceConfig,
    privacy: &Privacy,
    now: OffsetDateTime,
) -> Scan {
    let w = window;
    let in_window = |t: OffsetDateTime| w.contains(t);
    let mut metrics: Vec<Metric> = Vec::new();
    let mut notes = data.notes.clone();

    // Threads: issues from the issues list, pull requests from the pulls
    // list (or the issues list when pulls weren't provided).
    let mut threads: Vec<Thread<'_>> = Vec::new();
    let mut pulls_known: HashSet<(usize, u64)> = HashSet::new();
    for (r, repo) in data.repos.iter().enumerate() {
        if let Some(pulls) = &repo.pulls {
            for p in pulls {
                pulls_known.insert((r, p.number));
                threads.push(Thread {
                    repo: r,
                    number: p.number,
                    author: person(p.user.as_ref(), config).map(|p| p.login),
                    created_at: p.created_at,
                    labels: &p.labels,
                    text: format!("{}\n{}", p.title, p.body.as_deref().unwrap_or("")),
                    is_pull: true,
                });
            }
        }
        for i in &repo.issues {
            let is_pull = i.pull_request.is_some();
            if is_pull {
                if pulls_known.contains(&(r, i.number)) {
                    continue;
                }
                pulls_known.insert((r, i.number));
            }
            threads.push(Thread {
                repo: r,
                number: i.number,
                author: person(i.user.as_ref(), config).map(|p| p.login),
                created_at: i.created_at,
                labels: &i.labels,
                text: format!("{}\n{}", i.title, i.body.as_deref().unwrap_or("")),
                is_pull,
            });
        }
    }
    let is_pull = |r: usize, n: u64| pulls_known.contains(&(r, n));

    // Comments and reviews by thread; references between threads.
    let mut comments: HashMap<(usize, u64), Vec<(&str, OffsetDateTime)>> = HashMap::new();
    let mut reviews: HashMap<(usize, u64), Vec<(&str, OffsetDateTime)>> = HashMap::new();
    let mut referenced: HashSet<(usize, u64)> = HashSet::new();
    let mut references_other: HashSet<(usize, u64)> = HashSet::new();
    let mut activity: HashMap<String, u64> = HashMap::new();
    let note_refs =
        |r: usize, from: u64, text: &str, referenced: &mut HashSet<(usize, u64)>, other: &mut HashSet<(usize, u64)>| {
            let refs = find_refs(text, &config.references);
            for n in &refs.numbers {
                match n {
                    NumberRef::Local(number) if *number != from => {
                        referenced.insert((r, *number));
                        other.insert((r, from));
                    }
                    NumberRef::Remote { .. } => {
                        other.insert((r, from));
                    }
                    NumberRef::Local(_) => {}
                }
            }
            if refs.tracker_keys > 0 || refs.issue_urls > 0 || !refs.pull_urls.is_empty() {
                other.insert((r, from));
            }
        };
    for t in &threads {
        note_refs(t.repo, t.number, &t.text, &mut referenced, &mut references_other);
        if in_window(t.created_at)
            && let Some(a) = t.author
        {
            *activity.entry(a.to_lowercase()).or_insert(0) += 1;
        }
    }
    for (r, repo) in data.repos.iter().enumerate() {
        for (number, c) in repo.comments.iter().flatten() {
            if let Some(body) = &c.body {
                note_refs(r, *number, body, &mut referenced, &mut references_other);
            }
            if let Some(p) = person(c.user.as_ref(), config) {
                comments.entry((r, *number)).or_default().push((p.login, c.created_at));
                if in_window(c.created_at) {
                    *activity.entry(p.login.to_lowercase()).or_insert(0) += 1;
                }
            }
        }
        for (number, review) in repo.reviews.iter().flatten() {
            if let Some(body) = &review.body {
                note_refs(r, *number, body, &mut referenced, &mut references_other);
            }
            if let (Some(p), Some(at)) = (person(review.user.as_ref(), config), review.submitted_at) {
                reviews.entry((r, *number)).or_default().push((p.login, at));
                if in_window(at) {
                    *activity.entry(p.login.to_lowercase()).or_insert(0) += 1;
                }
            }
        }
    }

    let have_pulls = data.repos.iter().all(|r| r.pulls.is_some());
    let have_comments = data.repos.iter().all(|r| r.comments.is_some());
    let have_reviews = data.repos.iter().all(|r| r.reviews.is_some());
    let missing = |what: &str| format!("no {what} were provided");

    let window_issues: Vec<&Thread<'_>> = threads
        .iter()
        .filter(|t| !t.is_pull && t.author.is_some() && in_window(t.created_at))
        .collect();
    let window_pulls: Vec<&Thread<'_>> = threads
        .iter()
        .filter(|t| t.is_pull && t.author.is_some() && in_window(t.created_at))
        .collect();
    metrics.push(spec("github.issues").measured(window_issues.len() as f64, window_issues.len() as u64, w));
    metrics.push(spec("github.pull_requests").measured(window_pulls.len() as f64, window_pulls.len() as u64, w));

    // Merged pull requests linked to an issue.
    if have_pulls {
        let mut merged = 0usize;
        let mut linked = 0usize;
        for (r, repo) in data.repos.iter().enumerate() {
            for p in repo.pulls.iter().flatten() {
                let Some(at) = p.merged_at else { continue };
                if !in_window(at) || person(p.user.as_ref(), config).is_none() {
                    continue;
                }
                merged += 1;
                let text = format!("{}\n{}", p.title, p.body.as_deref().unwrap_or(""));
                if find_refs(&text, &config.references).references_issue(|n| is_pull(r, n)) {
                    linked += 1;
                }
            }
        }
        metrics.push(spec("github.merged_pull_requests").measured(merged as f64, merged as u64, w));
        metrics.push(if merged == 0 {
            spec("github.merged_prs_linked_share").no_data("no pull requests by people were merged in the window", 0, w)
        } else {
            spec("github.merged_prs_linked_share").measured(share(linked, merged), merged as u64, w)
        });
        let described = window_pulls
            .iter()
            .filter(|t| {
                let body = t.text.split_once('\n').map_or("", |(_, b)| b);
                own_words(body) >= config.min_description_chars
            })
            .count();
        metrics.push(if window_pulls.is_empty() {
            spec("github.prs_with_description_share").no_data(
                "no pull requests by people were opened in the window",
                0,
                w,
            )
        } else {
            let mut m = spec("github.prs_with_description_share").measured(
                share(described, window_pulls.len()),
                window_pulls.len() as u64,
                w,
            );
            m.heuristic
                .push_str(&format!(" (at least {} characters)", config.min_description_chars));
            m
        });
    } else {
        for id in [
            "github.merged_pull_requests",
            "github.merged_prs_linked_share",
            "github.prs_with_description_share",
        ] {
            metrics.push(spec(id).no_data(missing("pull requests (pulls.json)"), 0, w));
        }
    }

    // Time to first response on issues.
    if have_comments {
        let mut waits = Vec::new();
        let mut responders: HashSet<String> = HashSet::new();
        let mut unanswered = 0usize;
        for t in &window_issues {
            let others: Vec<&(&str, OffsetDateTime)> = comments
                .get(&(t.repo, t.number))
                .into_iter()
                .flatten()
                .filter(|(who, at)| Some(*who) != t.author && *at >= t.created_at)
                .collect();
            // The group a response time describes: everyone who answered.
            responders.extend(others.iter().map(|(who, _)| who.to_lowercase()));
            match others.iter().map(|(_, at)| *at).min() {
                Some(at) => waits.push(hours(t.created_at, at)),
                None => unanswered += 1,
            }
        }
        let answered = waits.len() as u64;
        metrics.push(match median(&mut waits) {
            Some(_) if !privacy.allows(responders.len() as u64) => spec("github.issue_first_response_hours").no_data(
                format!(
                    "only {} responded; figures about people need at least k = {}",
                    crate::privacy::people_count(responders.len() as u64),
                    privacy.k
                ),
                answered,
                w,
            ),
            Some(m) => spec("github.issue_first_response_hours").measured(m, answered, w),
            None => {
                spec("github.issue_first_response_hours").no_data("no issue opened in the window got a response", 0, w)
            }
        });
        metrics.push(if window_issues.is_empty() {
            spec("github.issues_without_response_share").no_data("no issues by people were opened in the window", 0, w)
        } else {
            spec("github.issues_without_response_share").measured(
                share(unanswered, window_issues.len()),
                window_issues.len() as u64,
                w,
            )
        });
    } else {
        for id in [
            "github.issue_first_response_hours",
            "github.issues_without_response_share",
        ] {
            metrics.push(spec(id).no_data(missing("issue comments (issue-comments.json)"), 0, w));
        }
    }

    // Time to first review on pull requests.
    if have_reviews {
        let mut waits = Vec::new();
        let mut reviewers: HashSet<String> = HashSet::new();
        for t in &window_pulls {
            let others: Vec<&(&str, OffsetDateTime)> = reviews
                .get(&(t.repo, t.number))
                .into_iter()
                .flatten()
                .filter(|(who, at)| Some(*who) != t.author && *at >= t.created_at)
                .collect();
            reviewers.extend(others.iter().map(|(who, _)| who.to_lowercase()));
            if let Some(at) = others.iter().map(|(_, at)| *at).min() {
                waits.push(hours(t.created_at, at));
            }
        }
        let reviewed = waits.len() as u64;
        metrics.push(match median(&mut waits) {
            Some(_) if !privacy.allows(reviewers.len() as u64) => spec("github.pr_first_review_hours").no_data(
                format!(
                    "only {} reviewed; figures about people need at least k = {}",
                    crate::privacy::people_count(reviewers.len() as u64),
                    privacy.k
                ),
                reviewed,
                w,
            ),
            Some(m) => spec("github.pr_first_review_hours").measured(m, reviewed, w),
            None => {
                spec("github.pr_first_review_hours").no_data("no pull request opened in the window got a review", 0, w)
            }
        });
    } else {
        metrics.push(spec("github.pr_first_review_hours").no_data(missing("reviews (reviews.json)"), 0, w));
    }

    // Decisions.
    let labels: Vec<String> = config.decision_labels.iter().map(|l| l.to_lowercase()).collect();
    let decisions: Vec<&Thread<'_>> = threads
        .iter()
        .filter(|t| t.author.is_some() && in_window(t.created_at))
        .filter(|t| t.labels.iter().any(|l| labels.contains(&l.name.to_lowercase())))
        .collect();
    metrics.push({
        let mut m = spec("github.decision_issues").measured(decisions.len() as f64, decisions.len() as u64, w);
        m.heuristic
            .push_str(&format!(" (labels: {})", config.decision_labels.join(", ")));
        m
    });
    let linked = decisions
        .iter()
        .filter(|t| referenced.contains(&(t.repo, t.number)) || references_other.contains(&(t.repo, t.number)))
        .count();
    metrics.push(if decisions.is_empty() {
        spec("github.decision_issues_linked_share").no_data(
            "no decision-labelled issues were opened in the window",
            0,
            w,
        )
    } else {
        spec("github.decision_issues_linked_share").measured(share(linked, decisions.len()), decisions.len() as u64, w)
    });

    // Participation.
    let mut per_thread = Vec::new();
    let mut everyone: HashSet<String> = HashSet::new();
    for t in threads.iter().filter(|t| in_window(t.created_at)) {
        let key = (t.repo, t.number);
        let mut people: HashSet<String> = HashSet::new();
        for (who, _) in comments
            .get(&key)
            .into_iter()
            .flatten()
            .chain(reviews.get(&key).into_iter().flatten())
        {
            people.insert(who.to_lowercase());
        }
        if people.is_empty() {
            continue;
        }
        if let Some(a) = t.author {
            people.insert(a.to_lowercase());
        }
        per_thread.push(people.len() as f64);
        everyone.extend(people);
    }
    let threads_discussed = per_thread.len() as u64;
    metrics.push(match median(&mut per_thread) {
        Some(_) if !privacy.allows(everyone.len() as u64) => spec("github.thread_participants_median").no_data(
            format!(
                "only {} took part; figures about people need at least k = {}",
                crate::privacy::people_count(everyone.len() as u64),
                privacy.k
            ),
            threads_discussed,
            w,
        ),
        Some(m) => spec("github.thread_participants_median").measured(m, threads_discussed, w),
        None if !have_comments => spec("github.thread_participants_median").no_data(missing("issue comments"), 0, w),
        None => spec("github.thread_participants_median").no_data(
            "no discussion in the window's issues and pull requests",
            0,
            w,
        ),
    });
    metrics.push(spec("github.participants").measured(activity.len() as f64, activity.len() as u64, w));

    if !have_reviews {
        notes.push(Note::info("no reviews were read: time to first review is not measured"));
    }
    let names: HashMap<String, String> = HashMap::new();
    let people = privacy.people(&activity, &names, "issues, pull requests, comments and reviews");
    Scan {
        source: SourceKind::Github,
        subject: data.subject.clone(),
        window,
        scanned_at: now,
        metrics,
        notes,
        people: Some(people),
        writable_meetings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_words_leave_templates_out() {
        let template = "<!-- Describe your change -->\n## What\n\n- [ ] tests\n- [x] docs\n";
        assert_eq!(own_words(template), 0);
        assert_eq!(own_words("## Why\nBecause logins failed.\n"), 20);
        assert_eq!(own_words("<!-- unterminated"), 0);
    }

    #[test]
    fn numbers_come_from_api_urls() {
        assert_eq!(
            trailing_number("https://api.github.com/repos/a/b/issues/12", "/issues"),
            Some(12)
        );
        assert_eq!(
            trailing_number("https://api.github.com/repos/a/b/pulls/7", "/pulls"),
            Some(7)
        );
        assert_eq!(
            trailing_number("https://api.github.com/repos/a/b/pulls/7", "/issues"),
            None
        );
        assert_eq!(trailing_number("nonsense", "/issues"), None);
    }
}
