//! Reading GitHub data live from the REST API: one repository or every
//! repository of an organisation, following `Link: <…>; rel="next"` pages.
//!
//! The client is polite by construction: requests go one at a time; when
//! GitHub says the rate limit is spent (403/429 with `Retry-After`, or
//! `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`) it waits exactly as
//! long as asked, up to a cap, and says so; it never retries a refused
//! token; the token is sent only to the configured API address.
//! A blocking client (ureq, rustls) keeps a second async stack out of the
//! scanner.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use time::format_description::well_known::Rfc3339;

use super::files::parse_pages;
use super::{GithubData, Issue, IssueComment, Pull, RepoData, Review, trailing_number};
use crate::config::EvidenceConfig;
use crate::metric::{Note, Window};
use crate::progress::Progress;

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Repo { owner: String, name: String },
    Org(String),
}

impl Target {
    /// `owner/name` as a repository.
    pub fn repo(text: &str) -> Result<Target, LiveError> {
        match text.trim().split_once('/') {
            Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => Ok(Target::Repo {
                owner: owner.to_string(),
                name: name.to_string(),
            }),
            _ => Err(LiveError::BadTarget(text.to_string())),
        }
    }
}

/// How to reach the API.
#[derive(Clone)]
pub struct ApiSettings {
    /// `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise.
    pub base_url: String,
    pub token: String,
    /// The longest the client waits, in total, for rate limits to reset.
    pub max_wait: Duration,
    /// Pause between retries of a server error (5xx); tests shorten it.
    pub retry_pause: Duration,
}

impl fmt::Debug for ApiSettings {
    // The token never appears in a debug dump or a panic message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiSettings")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("max_wait", &self.max_wait)
            .finish()
    }
}

/// Why reading from the API failed.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{0:?} is not a repository: use owner/name, e.g. --repo rust-lang/rust")]
    BadTarget(String),
    #[error(
        "GitHub refused the token (401 {message}) at {url}: it is missing, expired or revoked; set GITHUB_TOKEN to a valid token"
    )]
    Unauthorized { url: String, message: String },
    #[error("GitHub refused access (403 {message}) at {url}: the token may lack read access to this repository")]
    Forbidden { url: String, message: String },
    #[error("not found (404) at {url}: check the name, and that the token can see it")]
    NotFound { url: String },
    #[error(
        "GitHub's rate limit needs a wait of {needed} s at {url}, beyond the {cap} s this scan may still wait (--max-wait); try again later or raise --max-wait"
    )]
    RateLimited { url: String, needed: u64, cap: u64 },
    #[error("GitHub answered {status} at {url} ({message})")]
    Status { url: String, status: u16, message: String },
    #[error("could not reach {url}: {reason}")]
    Network { url: String, reason: String },
    #[error("{0}")]
    Shape(super::files::ShapeError),
    #[error(
        "refusing to follow a page link to {url}: it leaves the API address {base}, and the token must not go there"
    )]
    ForeignLink { url: String, base: String },
}

/// The pauses the client takes; tests record them instead of sleeping.
pub trait Sleeper: Sync {
    fn sleep(&self, duration: Duration);
}

/// Really waits.
pub struct RealSleep;

impl Sleeper for RealSleep {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

struct Client<'a> {
    agent: ureq::Agent,
    settings: &'a ApiSettings,
    sleeper: &'a dyn Sleeper,
    progress: &'a dyn Progress,
    waited: Duration,
    /// The rate limit was spent on the last answer: wait until then first.
    not_before: Option<u64>,
    requests: u64,
}

fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The `rel="next"` URL of a Link header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
            .then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn api_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_default()
}

impl Client<'_> {
    fn wait(&mut self, seconds: u64, url: &str) -> Result<(), LiveError> {
        let cap = self.settings.max_wait.saturating_sub(self.waited);
        if Duration::from_secs(seconds) > cap {
            return Err(LiveError::RateLimited {
                url: url.to_string(),
                needed: seconds,
                cap: cap.as_secs(),
            });
        }
        self.progress.message(&format!(
            "GitHub's rate limit is spent: waiting {seconds} s before going on"
        ));
        self.sleeper.sleep(Duration::from_secs(seconds));
        self.waited += Duration::from_secs(seconds);
        Ok(())
    }

    /// One GET, waiting out rate limits; returns the body and the next page.
    fn get(&mut self, url: &str) -> Result<(Vec<u8>, Option<String>), LiveError> {
        let mut server_errors = 0u32;
        loop {
            if let Some(reset) = self.not_before.take() {
                let now = now_unix();
                if reset > now {
                    self.wait(reset - now + 1, url)?;
                }
            }
            self.requests += 1;
            let result = self
                .agent
                .get(url)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("Authorization", &format!("Bearer {}", self.settings.token))
                .call();
            let mut response = result.map_err(|e| LiveError::Network {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
            let status = response.status().as_u16();
            let retry_after = header(&response, "retry-after").and_then(|v| v.trim().parse::<u64>().ok());
            let remaining = header(&response, "x-ratelimit-remaining").and_then(|v| v.trim().parse::<u64>().ok());
            let reset = header(&response, "x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok());
            let link = header(&response, "link");
            let body = response
                .body_mut()
                .with_config()
                .limit(512 * 1024 * 1024)
                .read_to_vec()
                .map_err(|e| LiveError::Network {
                    url: url.to_string(),
                    reason: e.to_string(),
                })?;
            match status {
                200..=299 => {
                    if remaining == Some(0) {
                        self.not_before = reset;
                    }
                    let next = link.as_deref().and_then(next_link);
                    if let Some(next) = &next
                        && !same_origin(next, &self.settings.base_url)
                    {
                        return Err(LiveError::ForeignLink {
                            url: next.clone(),
                            base: self.settings.base_url.clone(),
                        });
                    }
                    return Ok((body, next));
                }
                401 => {
                    return Err(LiveError::Unauthorized {
                        url: url.to_string(),
                        message: api_message(&body),
                    });
                }
                403 | 429 if retry_after.is_some() || remaining == Some(0) => {
                    let seconds = match (retry_after, reset) {
                        (Some(s), _) => s,
                        (None, Some(reset)) => reset.saturating_sub(now_unix()) + 1,
                        (None, None) => 60,
                    };
                    self.wait(seconds, url)?;
                }
                403 => {
                    return Err(LiveError::Forbidden {
                        url: url.to_string(),
                        message: api_message(&body),
                    });
                }
                404 => return Err(LiveError::NotFound { url: url.to_string() }),
                500..=599 if server_errors < 2 => {
                    server_errors += 1;
                    self.sleeper.sleep(self.settings.retry_pause * server_errors);
                }
                _ => {
                    return Err(LiveError::Status {
                        url: url.to_string(),
                        status,
                        message: api_message(&body),
                    });
                }
            }
        }
    }

    /// Every page from `url`; `stop` looks at each page and may end early.
    fn pages<T: DeserializeOwned>(&mut self, url: String, stop: impl Fn(&[T]) -> bool) -> Result<Vec<T>, LiveError> {
        let mut out = Vec::new();
        let mut next = Some(url);
        while let Some(url) = next {
            let (body, following) = self.get(&url)?;
            let page: Vec<T> = parse_pages(&body, &format!("GET {url}")).map_err(LiveError::Shape)?;
            self.progress.advance(1);
            let done = stop(&page);
            out.extend(page);
            next = if done { None } else { following };
        }
        Ok(out)
    }
}

/// Whether `url` is on the same scheme, host and port as `base`.
fn same_origin(url: &str, base: &str) -> bool {
    fn origin(u: &str) -> Option<&str> {
        let (scheme, rest) = u.split_once("://")?;
        let host_end = rest.find('/').unwrap_or(rest.len());
        Some(&u[..scheme.len() + 3 + host_end])
    }
    match (origin(url), origin(base)) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

#[derive(serde::Deserialize)]
struct RepoEntry {
    full_name: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    fork: bool,
}

/// Reads a repository or an organisation from the API.
pub fn fetch(
    target: &Target,
    window: Window,
    settings: &ApiSettings,
    config: &EvidenceConfig,
    sleeper: &dyn Sleeper,
    progress: &dyn Progress,
) -> Result<GithubData, LiveError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .user_agent("asyncmm")
        .build()
        .into();
    let mut client = Client {
        agent,
        settings,
        sleeper,
        progress,
        waited: Duration::ZERO,
        not_before: None,
        requests: 0,
    };
    let base = settings.base_url.trim_end_matches('/').to_string();
    let (subject, repos) = match target {
        Target::Repo { owner, name } => (format!("{owner}/{name}"), vec![format!("{owner}/{name}")]),
        Target::Org(org) => {
            progress.stage(&format!("listing the repositories of {org}"), None);
            let entries: Vec<RepoEntry> =
                client.pages(format!("{base}/orgs/{org}/repos?type=all&per_page=100"), |_| false)?;
            let names = entries
                .into_iter()
                .filter(|r| !r.archived && !r.fork)
                .map(|r| r.full_name)
                .collect();
            (format!("organisation {org}"), names)
        }
    };
    let since = window.since.format(&Rfc3339).unwrap_or_default();
    let mut data = GithubData {
        subject,
        repos: Vec::new(),
        notes: Vec::new(),
    };
    for (i, repo) in repos.iter().enumerate() {
        progress.stage(&format!("reading {repo} ({}/{})", i + 1, repos.len()), None);
        data.repos
            .push(fetch_repo(&mut client, &base, repo, &since, window, config)?);
    }
    if let Target::Org(_) = target {
        data.notes.push(Note::info(format!(
            "read {} repositories (archived repositories and forks left out)",
            repos.len()
        )));
    }
    data.notes.push(Note::info(format!(
        "{} requests to {}{}",
        client.requests,
        settings.base_url,
        if client.waited.is_zero() {
            String::new()
        } else {
            format!(", {} s waited for rate limits", client.waited.as_secs())
        }
    )));
    Ok(data)
}

fn fetch_repo(
    client: &mut Client<'_>,
    base: &str,
    repo: &str,
    since: &str,
    window: Window,
    config: &EvidenceConfig,
) -> Result<RepoData, LiveError> {
    let issues: Vec<Issue> = client.pages(
        format!("{base}/repos/{repo}/issues?state=all&since={since}&per_page=100"),
        |_| false,
    )?;
    // Sorted by last update, newest first: once a whole page is older than
    // the window, nothing later can have been opened or merged in it.
    let pulls: Vec<Pull> = client.pages(
        format!("{base}/repos/{repo}/pulls?state=all&sort=updated&direction=desc&per_page=100"),
        |page: &[Pull]| page.iter().all(|p| p.updated_at.unwrap_or(p.created_at) < window.since),
    )?;
    let comments: Vec<IssueComment> = client.pages(
        format!("{base}/repos/{repo}/issues/comments?since={since}&per_page=100"),
        |_| false,
    )?;
    let mut numbered_comments = Vec::with_capacity(comments.len());
    for c in comments {
        if let Some(n) = trailing_number(&c.issue_url, "/issues") {
            numbered_comments.push((n, c));
        }
    }
    let mut reviews = Vec::new();
    let bot = |p: &Pull| {
        p.user
            .as_ref()
            .is_none_or(|u| u.kind.as_deref() == Some("Bot") || config.is_bot(&u.login))
    };
    for pull in pulls.iter().filter(|p| window.contains(p.created_at) && !bot(p)) {
        let page: Vec<Review> = client.pages(
            format!("{base}/repos/{repo}/pulls/{}/reviews?per_page=100", pull.number),
            |_| false,
        )?;
        reviews.extend(page.into_iter().map(|r| (pull.number, r)));
    }
    Ok(RepoData {
        name: repo.to_string(),
        issues,
        pulls: Some(pulls),
        comments: Some(numbered_comments),
        reviews: Some(reviews),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_give_the_next_page() {
        let h = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=2")
        );
        assert_eq!(next_link(r#"<https://x/a?page=1>; rel="prev""#), None);
    }

    #[test]
    fn tokens_stay_on_the_api_host() {
        assert!(same_origin(
            "http://127.0.0.1:8080/repos/a?page=2",
            "http://127.0.0.1:8080"
        ));
        assert!(!same_origin("https://evil.example/repos", "https://api.github.com"));
        assert!(!same_origin("http://127.0.0.1:9/x", "http://127.0.0.1:8080/api/v3"));
        let s = ApiSettings {
            base_url: "https://api.github.com".into(),
            token: "ghp_secret".into(),
            max_wait: Duration::from_secs(1),
            retry_pause: Duration::from_secs(1),
        };
        assert!(!format!("{s:?}").contains("ghp_secret"));
    }

    #[test]
    fn targets_parse() {
        assert_eq!(
            Target::repo("acme/web").expect("ok"),
            Target::Repo {
                owner: "acme".into(),
                name: "web".into()
            }
        );
        assert!(Target::repo("acme").is_err());
        assert!(Target::repo("a/b/c").is_err());
    }
}
