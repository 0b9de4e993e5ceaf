//! The GitHub scanner: exported files with known answers, wrong shapes,
//! and the live path against a local server in the API's shape (pages,
//! a rate-limit pause, an expired token).

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use asyncmm_core::K;
use asyncmm_evidence::config::EvidenceConfig;
use asyncmm_evidence::github::live::{ApiSettings, LiveError, Sleeper, Target};
use asyncmm_evidence::github::{GithubError, scan_files, scan_live};
use asyncmm_evidence::privacy::Privacy;
use asyncmm_evidence::since::parse_window;
use asyncmm_evidence::{Scan, Silent, Window};
use common::github::{EXPECTED, comments, issues, pulls, reviews, write_dir};
use common::mock::{MockServer, Request, Response};
use time::macros::datetime;

fn window() -> Window {
    parse_window("2024-01-01", Some("2024-06-30"), datetime!(2024-09-01 0:00 UTC)).expect("window")
}

fn privacy() -> Privacy {
    Privacy::new(b"salt".to_vec(), K::DEFAULT, false)
}

fn check_expected(scan: &Scan) {
    for (id, want) in EXPECTED {
        let m = scan.metric(id).unwrap_or_else(|| panic!("{id} missing"));
        let got = m.value.unwrap_or_else(|| panic!("{id} has no value: {m:?}"));
        assert!((got - want).abs() < 1e-9, "{id}: got {got}, want {want}");
    }
}

#[test]
fn exported_files_give_the_known_answers() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_dir(tmp.path());
    let scan = scan_files(
        tmp.path(),
        window(),
        &EvidenceConfig::default(),
        &privacy(),
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect("scan");
    check_expected(&scan);
    for spec in asyncmm_evidence::catalog::all()
        .iter()
        .filter(|s| s.id.starts_with("github."))
    {
        assert!(scan.metric(spec.id).is_some(), "{} not produced", spec.id);
    }
    assert_eq!(scan.metric("github.pr_first_review_hours").map(|m| m.sample), Some(4));
    let json = serde_json::to_string(&scan).expect("json");
    assert!(!json.contains("database layer"), "bodies are never kept");
    assert!(!json.contains("\"ada\""), "logins are never kept");
}

#[test]
fn figures_about_people_need_k_people() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_dir(tmp.path());
    let strict = Privacy::new(b"salt".to_vec(), K::new(7).expect("k"), false);
    let scan = scan_files(
        tmp.path(),
        window(),
        &EvidenceConfig::default(),
        &strict,
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect("scan");
    for id in [
        "github.issue_first_response_hours",
        "github.pr_first_review_hours",
        "github.thread_participants_median",
    ] {
        let m = scan.metric(id).expect("metric");
        assert_eq!(m.value, None, "{id}");
        assert!(m.no_data.as_deref().unwrap_or("").contains("at least k = 7"), "{m:?}");
    }
    // Counts of things are not about people and stay.
    assert_eq!(scan.metric("github.issues").and_then(|m| m.value), Some(6.0));
}

#[test]
fn missing_optional_files_are_noted_and_their_metrics_have_no_data() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_dir(tmp.path());
    std::fs::remove_file(tmp.path().join("reviews.json")).expect("rm");
    let scan = scan_files(
        tmp.path(),
        window(),
        &EvidenceConfig::default(),
        &privacy(),
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect("scan");
    let m = scan.metric("github.pr_first_review_hours").expect("metric");
    assert_eq!(m.no_data.as_deref(), Some("no reviews (reviews.json) were provided"));
    assert!(scan.notes.iter().any(|n| n.message.contains("reviews.json is not in")));
}

#[test]
fn a_file_of_the_wrong_shape_names_file_position_and_field() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_dir(tmp.path());
    let mut bad = pulls();
    bad[2]["created_at"] = serde_json::Value::Null;
    std::fs::write(
        tmp.path().join("pulls.json"),
        serde_json::to_string_pretty(&bad).expect("json"),
    )
    .expect("write");
    let err = scan_files(
        tmp.path(),
        window(),
        &EvidenceConfig::default(),
        &privacy(),
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect_err("bad shape");
    let text = err.to_string();
    assert!(text.contains("pulls.json:"), "{text}");
    assert!(text.contains("[2].created_at: invalid type: null, expected"), "{text}");
    let line: usize = text
        .split(':')
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("line number");
    let source = std::fs::read_to_string(tmp.path().join("pulls.json")).expect("read");
    let at = source.lines().nth(line - 1).expect("line");
    assert!(at.contains("\"created_at\": null"), "line {line} is {at:?}");

    std::fs::write(tmp.path().join("issues.json"), "{\"message\": \"Bad credentials\"}").expect("write");
    let err = scan_files(
        tmp.path(),
        window(),
        &EvidenceConfig::default(),
        &privacy(),
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect_err("object");
    assert!(err.to_string().contains("issues.json:1:1: expected an array"), "{err}");
    std::fs::remove_file(tmp.path().join("issues.json")).expect("rm");
    let err = scan_files(
        tmp.path(),
        window(),
        &EvidenceConfig::default(),
        &privacy(),
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect_err("no issues");
    assert!(err.to_string().contains("holds no issues.json"), "{err}");
}

#[test]
fn a_window_with_nothing_in_it_is_an_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_dir(tmp.path());
    let empty = parse_window("2020-01-01", Some("2020-12-31"), datetime!(2024-09-01 0:00 UTC)).expect("window");
    let err = scan_files(
        tmp.path(),
        empty,
        &EvidenceConfig::default(),
        &privacy(),
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect_err("nothing");
    assert!(matches!(err, GithubError::NothingInWindow { .. }));
    assert!(err.to_string().contains("between 2020-01-01 and 2020-12-31"), "{err}");
}

/// Records pauses instead of sleeping.
#[derive(Default)]
struct Recorded(Mutex<Vec<Duration>>);

impl Sleeper for Recorded {
    fn sleep(&self, d: Duration) {
        self.0.lock().expect("lock").push(d);
    }
}

/// The API for `acme/app`: issues in two pages, a 403 rate-limit answer on
/// the first comments request, everything else in one page.
pub fn github_api(rate_limited: &'static AtomicUsize) -> impl Fn(&Request, &str) -> Response + Send + Sync {
    move |request: &Request, base: &str| {
        if request.headers.get("authorization").map(String::as_str) != Some("Bearer good-token") {
            return Response::json(
                401,
                r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#.into(),
            );
        }
        let path = request.target.split('?').next().unwrap_or("");
        let json = |v: &Vec<serde_json::Value>| serde_json::to_string(v).expect("json");
        match path {
            "/repos/acme/app/issues" if request.target.contains("page=2") => Response::json(200, json(&issues()[4..].to_vec()))
                .header("Link", &format!("<{base}/repos/acme/app/issues?page=1>; rel=\"prev\", <{base}/repos/acme/app/issues?page=1>; rel=\"first\"")),
            "/repos/acme/app/issues" => Response::json(200, json(&issues()[..4].to_vec())).header(
                "Link",
                &format!("<{base}/repos/acme/app/issues?state=all&per_page=100&page=2>; rel=\"next\", <{base}/repos/acme/app/issues?state=all&per_page=100&page=2>; rel=\"last\""),
            ),
            "/repos/acme/app/pulls" => Response::json(200, json(&pulls())),
            "/repos/acme/app/issues/comments" => {
                if rate_limited.fetch_add(1, Ordering::SeqCst) == 0 {
                    Response::json(403, r#"{"message":"You have exceeded a secondary rate limit."}"#.into())
                        .header("Retry-After", "1")
                } else {
                    Response::json(200, json(&comments()))
                }
            }
            p if p.starts_with("/repos/acme/app/pulls/") && p.ends_with("/reviews") => {
                let number = p.trim_end_matches("/reviews").rsplit('/').next().unwrap_or("");
                let suffix = format!("/pulls/{number}");
                let mine: Vec<serde_json::Value> = reviews()
                    .into_iter()
                    .filter(|r| r["pull_request_url"].as_str().unwrap_or("").ends_with(&suffix))
                    .collect();
                Response::json(200, json(&mine))
            }
            "/orgs/acme/repos" => Response::json(
                200,
                r#"[{"full_name":"acme/app","archived":false,"fork":false},{"full_name":"acme/old","archived":true,"fork":false},{"full_name":"acme/fork","archived":false,"fork":true}]"#.into(),
            ),
            _ => Response::json(404, r#"{"message":"Not Found"}"#.into()),
        }
    }
}

fn api(url: &str, token: &str, max_wait: u64) -> ApiSettings {
    ApiSettings {
        base_url: url.to_string(),
        token: token.to_string(),
        max_wait: Duration::from_secs(max_wait),
        retry_pause: Duration::from_millis(1),
    }
}

#[test]
fn the_live_api_follows_pages_waits_out_a_rate_limit_and_gives_the_same_answers() {
    static HITS: AtomicUsize = AtomicUsize::new(0);
    let server = MockServer::start(github_api(&HITS));
    let sleeper = Recorded::default();
    let target = Target::repo("acme/app").expect("target");
    let scan = scan_live(
        &target,
        window(),
        &api(&server.url, "good-token", 60),
        &EvidenceConfig::default(),
        &privacy(),
        &sleeper,
        &Silent,
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect("scan");
    check_expected(&scan);
    assert_eq!(
        *sleeper.0.lock().expect("lock"),
        vec![Duration::from_secs(1)],
        "waited as asked, once"
    );
    let targets = server.targets();
    assert!(
        targets.iter().any(|t| t.contains("page=2")),
        "second page fetched: {targets:?}"
    );
    assert_eq!(
        targets
            .iter()
            .filter(|t| t.starts_with("/repos/acme/app/issues/comments"))
            .count(),
        2
    );
    // Reviews only for pull requests opened in the window by people: 10-13.
    let review_calls: Vec<&String> = targets.iter().filter(|t| t.contains("/reviews")).collect();
    assert_eq!(review_calls.len(), 4, "{review_calls:?}");
    assert!(
        targets
            .iter()
            .all(|t| !t.contains("/pulls/14/") && !t.contains("/pulls/9/"))
    );
    assert!(
        scan.notes
            .iter()
            .any(|n| n.message.contains("1 s waited for rate limits")),
        "{:?}",
        scan.notes
    );
}

#[test]
fn an_organisation_reads_its_active_repositories() {
    static HITS: AtomicUsize = AtomicUsize::new(1);
    let server = MockServer::start(github_api(&HITS));
    let scan = scan_live(
        &Target::Org("acme".into()),
        window(),
        &api(&server.url, "good-token", 60),
        &EvidenceConfig::default(),
        &privacy(),
        &Recorded::default(),
        &Silent,
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect("scan");
    check_expected(&scan);
    assert!(
        server
            .targets()
            .iter()
            .all(|t| !t.contains("acme/old") && !t.contains("acme/fork"))
    );
    assert!(
        scan.notes
            .iter()
            .any(|n| n.message.contains("archived repositories and forks left out"))
    );
}

#[test]
fn an_expired_token_stops_at_once_with_a_clear_error() {
    static HITS: AtomicUsize = AtomicUsize::new(0);
    let server = MockServer::start(github_api(&HITS));
    let err = scan_live(
        &Target::repo("acme/app").expect("target"),
        window(),
        &api(&server.url, "expired", 60),
        &EvidenceConfig::default(),
        &privacy(),
        &Recorded::default(),
        &Silent,
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect_err("401");
    assert!(
        matches!(err, GithubError::Live(LiveError::Unauthorized { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("401 Bad credentials"), "{err}");
    assert!(err.to_string().contains("GITHUB_TOKEN"), "{err}");
    assert_eq!(server.targets().len(), 1, "no retry with a refused token");
}

#[test]
fn a_rate_limit_beyond_the_cap_is_refused_without_waiting() {
    let server = MockServer::start(|_: &Request, _: &str| {
        Response::json(403, r#"{"message":"API rate limit exceeded"}"#.into())
            .header("X-RateLimit-Remaining", "0")
            .header("X-RateLimit-Reset", "4102444800")
    });
    let sleeper = Recorded::default();
    let err = scan_live(
        &Target::repo("acme/app").expect("target"),
        window(),
        &api(&server.url, "good-token", 120),
        &EvidenceConfig::default(),
        &privacy(),
        &sleeper,
        &Silent,
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect_err("capped");
    assert!(
        err.to_string().contains("beyond the 120 s this scan may still wait"),
        "{err}"
    );
    assert!(sleeper.0.lock().expect("lock").is_empty());
    assert_eq!(server.targets().len(), 1);
}

#[test]
fn a_page_link_to_another_host_is_not_followed() {
    let server = MockServer::start(|_: &Request, _: &str| {
        Response::json(200, "[]".into()).header("Link", "<https://elsewhere.example/steal?page=2>; rel=\"next\"")
    });
    let err = scan_live(
        &Target::repo("acme/app").expect("target"),
        window(),
        &api(&server.url, "good-token", 60),
        &EvidenceConfig::default(),
        &privacy(),
        &Recorded::default(),
        &Silent,
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect_err("foreign");
    assert!(err.to_string().contains("refusing to follow a page link"), "{err}");
}

#[test]
fn an_export_file_over_the_limit_is_refused_unread() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_dir(tmp.path());
    // A sparse file: over the limit in size, without writing half a gigabyte.
    let reviews = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(tmp.path().join("reviews.json"))
        .expect("open");
    reviews
        .set_len(asyncmm_evidence::github::files::MAX_FILE_BYTES + 1)
        .expect("grow");
    let err = scan_files(
        tmp.path(),
        window(),
        &EvidenceConfig::default(),
        &privacy(),
        datetime!(2024-09-01 0:00 UTC),
    )
    .expect_err("too large");
    let text = err.to_string();
    let name = tmp.path().join("reviews.json").display().to_string();
    assert!(
        text.starts_with(&format!("{name}: larger than the 512 MB a GitHub export file may be")),
        "{text}"
    );
}
