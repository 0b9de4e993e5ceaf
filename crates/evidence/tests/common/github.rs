//! GitHub data with known answers, in the shape the REST API returns
//! (extra fields included, as real answers have them). Window:
//! 2024-01-01 to 2024-06-30. The expected metrics are in `EXPECTED`.

use serde_json::{Value, json};

const API: &str = "https://api.github.com/repos/acme/app";

fn user(login: &str) -> Value {
    let kind = if login.ends_with("[bot]") { "Bot" } else { "User" };
    json!({"login": login, "id": login.len(), "type": kind, "site_admin": false,
           "html_url": format!("https://github.com/{login}")})
}

fn labels(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| json!({"id": 1, "name": n, "color": "ededed"}))
            .collect(),
    )
}

fn time(date: &str, hours: u32) -> String {
    format!("{date}T{hours:02}:00:00Z")
}

fn issue(number: u64, login: &str, date: &str, label: &[&str], body: &str, pull: bool) -> Value {
    let mut v = json!({
        "url": format!("{API}/issues/{number}"),
        "html_url": format!("https://github.com/acme/app/issues/{number}"),
        "id": number * 1000, "number": number, "title": format!("Item {number}"),
        "user": user(login), "labels": labels(label), "state": "open", "locked": false,
        "comments": 0, "created_at": time(date, 0), "updated_at": time(date, 5), "closed_at": null,
        "author_association": "MEMBER", "body": body,
    });
    if pull {
        v["pull_request"] = json!({"url": format!("{API}/pulls/{number}"), "merged_at": null});
    }
    v
}

fn pull(number: u64, login: &str, created: &str, merged: Option<&str>, body: &str) -> Value {
    json!({
        "url": format!("{API}/pulls/{number}"), "id": number * 7, "number": number, "state": "closed",
        "title": format!("Change {number}"), "user": user(login), "body": body, "labels": [],
        "created_at": time(created, 0), "updated_at": time(merged.unwrap_or(created), 12),
        "closed_at": merged.map(|m| time(m, 0)), "merged_at": merged.map(|m| time(m, 0)),
        "draft": false, "head": {"ref": "topic", "sha": "abc"}, "base": {"ref": "main", "sha": "def"},
    })
}

fn comment(number: u64, login: &str, date: &str, hours: u32, body: &str) -> Value {
    json!({
        "url": format!("{API}/issues/comments/{}", number * 100 + u64::from(hours)),
        "issue_url": format!("{API}/issues/{number}"), "id": number * 100 + u64::from(hours),
        "user": user(login), "created_at": time(date, hours), "updated_at": time(date, hours),
        "author_association": "MEMBER", "body": body,
    })
}

fn review(number: u64, login: &str, date: &str, hours: Option<u32>) -> Value {
    json!({
        "id": number * 10 + u64::from(hours.unwrap_or(0)), "user": user(login), "body": "",
        "state": if hours.is_some() { "APPROVED" } else { "PENDING" },
        "html_url": format!("https://github.com/acme/app/pull/{number}#review"),
        "pull_request_url": format!("{API}/pulls/{number}"),
        "submitted_at": hours.map(|h| time(date, h)), "commit_id": "abc",
    })
}

pub fn issues() -> Vec<Value> {
    vec![
        issue(1, "ada", "2023-12-01", &[], "Old issue", false),
        issue(
            2,
            "bob",
            "2024-01-05",
            &["decision"],
            "We should pick a database.",
            false,
        ),
        issue(3, "cy", "2024-02-01", &[], "Login fails", false),
        issue(4, "dee", "2024-03-01", &["RFC"], "Proposal; see #3", false),
        issue(5, "eve", "2024-03-10", &["adr"], "Nothing links here", false),
        issue(6, "fay", "2024-04-01", &[], "Unanswered", false),
        issue(7, "dependabot[bot]", "2024-04-02", &[], "Bot issue", false),
        issue(8, "ada", "2024-05-01", &[], "Docs typo", false),
        // Pull requests appear in the issues list too.
        issue(10, "ada", "2024-01-20", &[], "Closes #2", true),
        issue(11, "bob", "2024-02-10", &[], "", true),
    ]
}

pub fn pulls() -> Vec<Value> {
    vec![
        pull(9, "ada", "2023-11-01", Some("2024-01-03"), "Fixes #1"),
        pull(
            10,
            "ada",
            "2024-01-20",
            Some("2024-01-22"),
            "Closes #2\n\nAdds the database layer with migrations and tests.",
        ),
        pull(
            11,
            "bob",
            "2024-02-10",
            Some("2024-02-11"),
            "<!-- Describe the change -->\n## What\n- [ ] tests\n",
        ),
        pull(
            12,
            "cy",
            "2024-03-05",
            Some("2024-03-06"),
            "Follow-up to #10, tidies the query builder and its error handling.",
        ),
        pull(
            13,
            "dee",
            "2024-05-02",
            None,
            "ABC-77 fix the flaky retry path in the scheduler service.",
        ),
        pull(14, "dependabot[bot]", "2024-05-05", Some("2024-05-06"), "Bumps serde."),
    ]
}

pub fn comments() -> Vec<Value> {
    vec![
        comment(2, "bob", "2024-01-05", 0, "Context: see the benchmark."),
        comment(2, "ada", "2024-01-05", 1, "Agreed."),
        comment(3, "dee", "2024-02-01", 2, "Reproduced."),
        comment(3, "eve", "2024-02-01", 5, "Me too."),
        comment(4, "cy", "2024-03-01", 10, "Looks good."),
        comment(5, "fay", "2024-03-11", 0, "Why?"),
        comment(6, "fay", "2024-04-01", 1, "Anyone?"),
        comment(8, "bob", "2024-05-01", 4, "Fixed."),
        comment(10, "cy", "2024-01-21", 0, "Nice."),
    ]
}

pub fn reviews() -> Vec<Value> {
    vec![
        review(10, "ada", "2024-01-20", Some(1)),
        review(10, "bob", "2024-01-20", Some(3)),
        review(11, "cy", "2024-02-11", Some(6)),
        review(12, "dee", "2024-03-05", Some(2)),
        review(13, "eve", "2024-05-02", Some(6)),
        review(13, "fay", "2024-05-02", Some(8)),
        review(13, "fay", "2024-05-02", None),
    ]
}

/// The expected values over the window 2024-01-01 to 2024-06-30.
pub const EXPECTED: &[(&str, f64)] = &[
    ("github.issues", 6.0),
    ("github.pull_requests", 4.0),
    ("github.merged_pull_requests", 4.0),
    ("github.merged_prs_linked_share", 0.5),
    ("github.prs_with_description_share", 0.75),
    ("github.issue_first_response_hours", 4.0),
    ("github.issues_without_response_share", 1.0 / 6.0),
    ("github.pr_first_review_hours", 4.5),
    ("github.decision_issues", 3.0),
    ("github.decision_issues_linked_share", 2.0 / 3.0),
    ("github.thread_participants_median", 2.0),
    ("github.participants", 6.0),
];

/// Writes the export folder as `gh api --paginate` would: issues in two
/// pages one after the other.
pub fn write_dir(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("dir");
    let issues = issues();
    let (first, second) = issues.split_at(4);
    let pages = format!(
        "{}\n{}\n",
        serde_json::to_string(first).expect("json"),
        serde_json::to_string(second).expect("json")
    );
    std::fs::write(dir.join("issues.json"), pages).expect("write");
    std::fs::write(
        dir.join("pulls.json"),
        serde_json::to_string_pretty(&pulls()).expect("json"),
    )
    .expect("write");
    std::fs::write(
        dir.join("issue-comments.json"),
        serde_json::to_string(&comments()).expect("json"),
    )
    .expect("write");
    std::fs::write(
        dir.join("reviews.json"),
        serde_json::to_string(&reviews()).expect("json"),
    )
    .expect("write");
}
