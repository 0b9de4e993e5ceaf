//! The web server over HTTP, as a browser uses it: every route and every
//! permission boundary, on a fresh SQLite database per test (and on
//! PostgreSQL when `ASYNCMM_TEST_POSTGRES_URL` is set).

use std::sync::Arc;

use asyncmm_app::{App, OsRandom};
use asyncmm_store::Store;
use asyncmm_web::{Config, Server};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use time::OffsetDateTime;

struct Site {
    base: String,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("web.db");
    let store: Arc<dyn Store> = Arc::from(
        asyncmm_store::connect(&path.display().to_string())
            .await
            .expect("store"),
    );
    let config = Config {
        bind: "127.0.0.1:0".parse().expect("addr"),
        public_url: None,
    };
    let server = Server::bind(&config, Arc::clone(&store)).await.expect("bind");
    let base = server.public_url().to_string();
    tokio::spawn(server.run(std::future::pending()));
    Site { base, store, _dir: dir }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::limited(5))
        .build()
        .expect("client")
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// The form token in a page.
fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form token in the page") + 19;
    html[at..].split('"').next().expect("value").to_string()
}

fn encode(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("form")
}

async fn get(client: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.expect("get");
    (response.status(), response.text().await.expect("body"))
}

async fn post(client: &reqwest::Client, url: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let response = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(fields))
        .send()
        .await
        .expect("post");
    (response.status(), response.text().await.expect("body"))
}

const PASSWORD: &str = "correct horse battery";

impl Site {
    async fn setup_link(&self) -> String {
        let app = App::new(self.store.as_ref(), OffsetDateTime::now_utc())
            .await
            .expect("app");
        let token = app
            .setup_link(&mut OsRandom)
            .await
            .expect("link")
            .expect("no account yet");
        format!("{}/invite/{}", self.base, token.reveal())
    }

    /// Follows an invitation link in a new browser and creates the account.
    async fn accept(&self, link: &str, name: &str) -> reqwest::Client {
        let client = browser();
        let (status, page) = get(&client, link).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let token = csrf(&page);
        let (status, page) = post(
            &client,
            link,
            &[
                ("csrf", &token),
                ("name", name),
                ("password", PASSWORD),
                ("repeat", PASSWORD),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("<h1>Teams</h1>"), "{page}");
        client
    }

    async fn admin(&self) -> reqwest::Client {
        let link = self.setup_link().await;
        self.accept(&link, "Ada Admin").await
    }

    /// An invitation link made by the admin's browser.
    async fn invite(&self, admin: &reqwest::Client, role: &str) -> String {
        let (_, page) = get(admin, &format!("{}/people", self.base)).await;
        let (status, page) = post(
            admin,
            &format!("{}/people/invite", self.base),
            &[("csrf", &csrf(&page)), ("role", role)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let at = page.find(&format!("{}/invite/", self.base)).expect("the link is shown");
        page[at..].split('<').next().expect("link").to_string()
    }

    async fn create_team(&self, client: &reqwest::Client, name: &str, parent: &str) -> (StatusCode, String) {
        let (_, page) = get(client, &format!("{}/teams", self.base)).await;
        post(
            client,
            &format!("{}/teams", self.base),
            &[("csrf", &csrf(&page)), ("name", name), ("parent", parent)],
        )
        .await
    }

    fn team_url(&self, name: &str) -> String {
        let encoded: String = serde_urlencoded::to_string([("x", name)]).expect("enc")[2..].replace('+', "%20");
        format!("{}/teams/{encoded}", self.base)
    }

    /// Opens a quick round with `links` personal links; returns the round
    /// page's address and the links.
    async fn open_round(&self, client: &reqwest::Client, team: &str, links: u32) -> (String, Vec<String>) {
        self.open_round_in(client, team, "quick", links).await
    }

    async fn open_round_in(
        &self,
        client: &reqwest::Client,
        team: &str,
        mode: &str,
        links: u32,
    ) -> (String, Vec<String>) {
        let (status, page) = get(client, &self.team_url(team)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let (status, page) = post(
            client,
            &format!("{}/rounds", self.team_url(team)),
            &[
                ("csrf", &csrf(&page)),
                ("mode", mode),
                ("k", "5"),
                ("tokens", &links.to_string()),
                ("closes", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let links: Vec<String> = page
            .split("<li class=\"token\">")
            .skip(1)
            .map(|s| s.split('<').next().expect("link").to_string())
            .collect();
        let at = page.find("/rounds/").expect("round link");
        let id: String = page[at + 8..].chars().take_while(char::is_ascii_digit).collect();
        (format!("{}/rounds/{id}", self.base), links)
    }
}

/// Answers all five areas of a quick round (k = 5) in a fresh browser.
async fn answer_quick(link: &str, level: u8) {
    answer_quick_k(link, level, 5).await;
}

/// Answers all five areas of a quick round whose k is `k`.
async fn answer_quick_k(link: &str, level: u8, k: u16) {
    let client = browser();
    let (status, intro) = get(&client, link).await;
    assert_eq!(status, StatusCode::OK, "{intro}");
    assert!(
        intro.contains("anonymous") && intro.contains(&format!("k = {k}")),
        "{intro}"
    );
    for page in 1..=5 {
        let url = format!("{link}/{page}");
        let (status, html) = get(&client, &url).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let field = html
            .split("name=\"area.")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("an area field")
            .to_string();
        let (status, next) = post(
            &client,
            &url,
            &[
                ("csrf", &csrf(&html)),
                (&format!("area.{field}"), &level.to_string()),
                ("go", "next"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{next}");
    }
    let (_, done) = get(&client, &format!("{link}/done")).await;
    assert!(done.contains("5 of 5 answered"), "{done}");
}

#[tokio::test]
async fn health_and_readiness_answer_with_security_headers() {
    let site = site().await;
    let client = browser();
    let response = client.get(format!("{}/healthz", site.base)).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(
        headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("frame-ancestors 'none'")
    );
    assert!(
        !headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("script-src 'unsafe")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("x-request-id"));
    let (status, body) = get(&client, &format!("{}/readyz", site.base)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ready\n"));
    let (status, css) = get(&client, &format!("{}/static/style.css", site.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains("font-family"));
    let (status, page) = get(&client, &format!("{}/nowhere", site.base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Not found"));
}

#[tokio::test]
async fn a_whole_round_from_set_up_to_result() {
    let site = site().await;
    let admin = site.admin().await;
    let (status, page) = site.create_team(&admin, "Platform", "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1><bdi>Platform</bdi>"), "{page}");
    let (round, links) = site.open_round(&admin, "Platform", 6).await;
    assert_eq!(links.len(), 6);
    for (i, link) in links.iter().take(5).enumerate() {
        answer_quick(link, if i < 3 { 2 } else { 3 }).await;
    }
    let (_, open) = get(&admin, &round).await;
    assert!(open.contains("<strong>5</strong>"), "{open}");
    assert!(!open.contains("<svg"), "no result while open");
    let (status, closed) = post(&admin, &format!("{round}/close"), &[("csrf", &csrf(&open))]).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert!(closed.contains("Median") && closed.contains("<svg"), "{closed}");
    assert!(closed.contains("2.00"), "median of 2,2,2,3,3: {closed}");
    // A link of the closed round gets a clear page.
    let (status, page) = get(&browser(), &links[0]).await;
    assert_eq!(status, StatusCode::GONE, "{page}");
    let (status, page) = get(&browser(), &links[5]).await;
    assert_eq!(status, StatusCode::GONE, "{page}");
    // The organisation's view shows the team.
    let (status, org) = get(&admin, &format!("{}/org", site.base)).await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert!(org.contains("Platform") && org.contains("2.00"), "{org}");
}

#[tokio::test]
async fn pages_need_a_session_and_forms_need_their_token() {
    let site = site().await;
    let anonymous = no_redirects();
    for path in ["/teams", "/org", "/people", "/teams/x", "/rounds/1"] {
        let response = anonymous.get(format!("{}{path}", site.base)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
    let admin = site.admin().await;
    // A form without the session's token is refused, and nothing happens.
    let (status, _) = post(&admin, &format!("{}/teams", site.base), &[("name", "Forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, teams) = get(&admin, &format!("{}/teams", site.base)).await;
    assert!(!teams.contains("Forged"));
    // Once an account exists, no new set-up link is made.
    let app = App::new(site.store.as_ref(), OffsetDateTime::now_utc())
        .await
        .expect("app");
    assert!(app.setup_link(&mut OsRandom).await.expect("asked").is_none());
}

#[tokio::test]
async fn set_up_link_works_once_and_sign_in_is_rate_limited() {
    let site = site().await;
    let link = site.setup_link().await;
    let _admin = site.accept(&link, "Ada").await;
    let (status, _) = get(&browser(), &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a used link is refused");
    let client = browser();
    let (_, page) = get(&client, &format!("{}/login", site.base)).await;
    let token = csrf(&page);
    for _ in 0..5 {
        let (status, page) = post(
            &client,
            &format!("{}/login", site.base),
            &[("csrf", &token), ("name", "Ada"), ("password", "wrong password!")],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(page.contains("the name or the password is not right"));
    }
    let (status, _) = post(
        &client,
        &format!("{}/login", site.base),
        &[("csrf", &token), ("name", "Ada"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let other = browser();
    let (_, page) = get(&other, &format!("{}/login", site.base)).await;
    let (status, page) = post(
        &other,
        &format!("{}/login", site.base),
        &[("csrf", &csrf(&page)), ("name", "ada"), ("password", PASSWORD)],
    )
    .await;
    // The same name from another address is limited too.
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    let site = site().await;
    let link = site.setup_link().await;
    let first = site.accept(&link, "Ada").await;
    let second = browser();
    let (_, page) = get(&second, &format!("{}/login", site.base)).await;
    let (status, _) = post(
        &second,
        &format!("{}/login", site.base),
        &[("csrf", &csrf(&page)), ("name", "Ada"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = get(&first, &format!("{}/teams", site.base)).await;
    post(
        &first,
        &format!("{}/logout/everywhere", site.base),
        &[("csrf", &csrf(&page))],
    )
    .await;
    let (_, page) = get(&second, &format!("{}/teams", site.base)).await;
    assert!(page.contains("<h1>Sign in</h1>"), "{page}");
}

#[tokio::test]
async fn leads_see_only_their_teams_and_viewers_change_nothing() {
    let site = site().await;
    let admin = site.admin().await;
    let lead_a = site.accept(&site.invite(&admin, "lead").await, "Lead A").await;
    let lead_b = site.accept(&site.invite(&admin, "lead").await, "Lead B").await;
    let viewer = site.accept(&site.invite(&admin, "viewer").await, "Vera Viewer").await;
    assert_eq!(site.create_team(&lead_a, "Alpha", "").await.0, StatusCode::OK);
    assert_eq!(site.create_team(&lead_b, "Beta", "").await.0, StatusCode::OK);
    // A lead sees their own team, not the other lead's.
    let (_, teams) = get(&lead_a, &format!("{}/teams", site.base)).await;
    assert!(teams.contains("Alpha") && !teams.contains("Beta"), "{teams}");
    let (status, _) = get(&lead_a, &site.team_url("Beta")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&lead_a, &format!("{}/org", site.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&lead_a, &format!("{}/people", site.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nor the rounds of the other lead's team.
    let (round_b, _) = site.open_round(&lead_b, "Beta", 3).await;
    let (status, _) = get(&lead_a, &round_b).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A nested team under a team of theirs is theirs; under another's is refused.
    assert_eq!(
        site.create_team(&lead_a, "Alpha Mobile", "Alpha").await.0,
        StatusCode::OK
    );
    assert_eq!(
        site.create_team(&lead_a, "Sneaky", "Beta").await.0,
        StatusCode::FORBIDDEN
    );
    // A viewer reads everything and changes nothing.
    let (_, teams) = get(&viewer, &format!("{}/teams", site.base)).await;
    assert!(
        teams.contains("Alpha") && teams.contains("Beta") && !teams.contains("Create a team"),
        "{teams}"
    );
    assert_eq!(site.create_team(&viewer, "Gamma", "").await.0, StatusCode::FORBIDDEN);
    let (_, round_page) = get(&viewer, &round_b).await;
    assert!(!round_page.contains("/close"), "{round_page}");
    let (_, any) = get(&viewer, &format!("{}/teams", site.base)).await;
    let (status, _) = post(&viewer, &format!("{round_b}/close"), &[("csrf", &csrf(&any))]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&viewer, &format!("{}/org", site.base)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn respondents_go_back_revise_and_a_bad_link_gets_a_clear_page() {
    let site = site().await;
    let admin = site.admin().await;
    site.create_team(&admin, "Web", "").await;
    let (_, links) = site.open_round(&admin, "Web", 5).await;
    let client = browser();
    let link = &links[0];
    let (_, page) = get(&client, &format!("{link}/1")).await;
    let field = page
        .split("name=\"area.")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("field")
        .to_string();
    let (_, next) = post(
        &client,
        &format!("{link}/1"),
        &[("csrf", &csrf(&page)), (&format!("area.{field}"), "1"), ("go", "next")],
    )
    .await;
    assert!(next.contains("Page 2 of 5"), "{next}");
    // Back to page 1: the answer is kept and checked.
    let (_, back) = post(&client, &format!("{link}/2"), &[("csrf", &csrf(&next)), ("go", "back")]).await;
    assert!(back.contains("Page 1 of 5"), "{back}");
    assert!(back.contains("value=\"1\" checked"), "{back}");
    // Revise it.
    post(
        &client,
        &format!("{link}/1"),
        &[("csrf", &csrf(&back)), (&format!("area.{field}"), "3"), ("go", "next")],
    )
    .await;
    let (_, again) = get(&client, &format!("{link}/1")).await;
    assert!(
        again.contains("value=\"3\" checked") && !again.contains("value=\"1\" checked"),
        "{again}"
    );
    // A value out of range is refused.
    let (status, _) = post(
        &client,
        &format!("{link}/1"),
        &[("csrf", &csrf(&again)), (&format!("area.{field}"), "7")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A form from elsewhere (no token) is refused.
    let (status, _) = post(&browser(), &format!("{link}/1"), &[(&format!("area.{field}"), "0")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page) = get(&browser(), &format!("{}/r/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", site.base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("This link is not valid"), "{page}");
}

#[tokio::test]
async fn hostile_names_render_inert_and_intact() {
    let site = site().await;
    let admin = site.admin().await;
    // A bidi override would make a name read differently from what it is:
    // the one text rule refuses it, here as on the command line.
    let (status, page) = site.create_team(&admin, "Web \u{202e}txet", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("U+202E"), "{page}");
    let hostile = "<script>alert(1)</script> \"quoted\" 'single' עברית";
    let (status, page) = site.create_team(&admin, hostile, "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{page}");
    assert!(page.contains("עברית"));
    let (_, list) = get(&admin, &format!("{}/teams", site.base)).await;
    assert!(!list.contains("<script>") && list.contains("&#60;script&#62;"));
    let long = "x".repeat(10_000);
    let (status, page) = site.create_team(&admin, &long, "").await;
    // Either stored and shown whole, or refused with a reason: never broken.
    if status == StatusCode::OK {
        assert!(page.contains(&long));
    } else {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    }
}

/// Text of an HTML attribute or element as sent back in a form: numeric
/// character references undone.
fn unescape(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        match tail.find(';').and_then(|end| {
            let n: u32 = tail[..end].parse().ok()?;
            Some((char::from_u32(n)?, end))
        }) {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push_str("&#");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of the first `name="…" value="…"` field after `from` in a page.
fn value_after(html: &str, from: usize, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = html[from..].find(&needle).expect("the field") + from + needle.len();
    unescape(html[at..].split('"').next().expect("value"))
}

impl Site {
    /// A team with a closed quick round (k = 5) of `answers` answers at `level`.
    async fn team_with_result(&self, client: &reqwest::Client, team: &str, parent: &str, level: u8, answers: usize) {
        let (status, page) = self.create_team(client, team, parent).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let (round, links) = self.open_round(client, team, 5).await;
        for link in links.iter().take(answers) {
            answer_quick(link, level).await;
        }
        let (_, open) = get(client, &round).await;
        let (status, closed) = post(client, &format!("{round}/close"), &[("csrf", &csrf(&open))]).await;
        assert_eq!(status, StatusCode::OK, "{closed}");
    }

    fn plan_url(&self, team: &str) -> String {
        format!("{}/plan", self.team_url(team))
    }
}

#[tokio::test]
async fn a_lead_plans_goals_and_actions_from_suggestions() {
    let site = site().await;
    let admin = site.admin().await;
    site.team_with_result(&admin, "Platform", "", 1, 5).await;
    let (_, team) = get(&admin, &site.team_url("Platform")).await;
    assert!(
        team.contains("/teams/Platform/plan"),
        "the team page links its plan: {team}"
    );
    let plan = site.plan_url("Platform");
    let (status, page) = get(&admin, &plan).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Plan for <bdi>Platform</bdi></h1>"), "{page}");
    assert!(page.contains("Current levels from round"), "{page}");
    assert!(page.contains("No goals yet."), "{page}");
    assert!(page.contains("No actions yet."), "{page}");

    // A goal: an area of the model, a level, a day.
    let area_at = page.find("name=\"area\"").expect("the goal form");
    let area_id = page[area_at..]
        .split("<option value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an area")
        .to_string();
    let area_name = page[area_at..]
        .split("<option value=\"")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .expect("its name")
        .to_string();
    let (status, page) = post(
        &admin,
        &format!("{plan}/goals"),
        &[
            ("csrf", &csrf(&page)),
            ("area", &area_id),
            ("level", "2"),
            ("by", "2099-12-31"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(&format!(
            "<tr><th scope=\"row\">{area_name}</th><td class=\"num\" data-label=\"Start\">1</td>\
             <td class=\"num\" data-label=\"Now\">1</td><td class=\"num\" data-label=\"Target\">2</td>\
             <td data-label=\"By\">2099-12-31</td>"
        )),
        "goal row: start 1, now 1, target 2 by the day: {page}"
    );
    assert!(!page.contains("No goals yet."), "{page}");
    // A bad day is refused with the reason, on the page.
    let (status, bad) = post(
        &admin,
        &format!("{plan}/goals"),
        &[
            ("csrf", &csrf(&page)),
            ("area", &area_id),
            ("level", "2"),
            ("by", "next spring"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("is not a date"), "{bad}");

    // The first suggestion becomes action #1 and is then marked planned.
    assert!(
        page.contains("Suggested actions") && page.contains("Add as action"),
        "{page}"
    );
    let form_at = page.find("name=\"suggestion\"").expect("a suggestion form");
    let number = value_after(&page, form_at, "suggestion");
    let title = value_after(&page, form_at, "title");
    // A page shown before the suggestions changed can't add another one.
    let (status, stale) = post(
        &admin,
        &format!("{plan}/actions"),
        &[
            ("csrf", &csrf(&page)),
            ("suggestion", &number),
            ("title", "something else"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{stale}");
    assert!(stale.contains("The suggestions changed"), "{stale}");
    assert!(stale.contains("No actions yet."), "{stale}");
    let (status, page) = post(
        &admin,
        &format!("{plan}/actions"),
        &[("csrf", &csrf(&page)), ("suggestion", &number), ("title", &title)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Planned as action #1."), "{page}");
    assert!(page.contains("<span class=\"badge status-todo\">todo</span>"), "{page}");

    // A free-form action: hostile text renders inert, the link is the
    // parsed one (quotes and brackets percent-encoded), escaped again.
    let hostile = "<script>alert(1)</script> \"Write it down\" עברית";
    let (status, page) = post(
        &admin,
        &format!("{plan}/actions"),
        &[
            ("csrf", &csrf(&page)),
            ("title", hostile),
            ("owner", "Ana <b>"),
            ("link", "https://example.com/doc?q=\"x\"<y>"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("<script>alert") && !page.contains("<b>"), "{page}");
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{page}");
    assert!(page.contains("Owner: <bdi>Ana &#60;b&#62;"), "{page}");
    assert!(page.contains("עברית"), "{page}");
    assert!(
        page.contains("<a href=\"https://example.com/doc?q=%22x%22%3Cy%3E\" rel=\"noopener noreferrer nofollow\">"),
        "{page}"
    );
    // A link the parser refuses adds nothing.
    let (status, bad) = post(
        &admin,
        &format!("{plan}/actions"),
        &[
            ("csrf", &csrf(&page)),
            ("title", "Sneaky"),
            ("link", "javascript:alert(1)"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(
        bad.contains("javascript:alert(1)") && !bad.contains("Sneaky</"),
        "{bad}"
    );

    // Status changes, then removal.
    let (status, page) = post(
        &admin,
        &format!("{plan}/actions/2"),
        &[("csrf", &csrf(&page)), ("status", "doing")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<li class=\"action status-doing\">"), "{page}");
    let (status, bad) = post(
        &admin,
        &format!("{plan}/actions/2"),
        &[("csrf", &csrf(&page)), ("status", "finished")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (status, page) = post(&admin, &format!("{plan}/actions/2/remove"), &[("csrf", &csrf(&page))]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("#2 ") && page.contains("#1 "), "{page}");
    let (status, page) = post(
        &admin,
        &format!("{plan}/goals/remove"),
        &[("csrf", &csrf(&page)), ("area", &area_id)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("No goals yet."), "{page}");
}

#[tokio::test]
async fn plans_are_changed_only_by_their_leads_and_admins() {
    let site = site().await;
    let admin = site.admin().await;
    let lead_a = site.accept(&site.invite(&admin, "lead").await, "Lead A").await;
    let lead_b = site.accept(&site.invite(&admin, "lead").await, "Lead B").await;
    let viewer = site.accept(&site.invite(&admin, "viewer").await, "Vera Viewer").await;
    assert_eq!(site.create_team(&lead_a, "Alpha", "").await.0, StatusCode::OK);
    assert_eq!(site.create_team(&lead_b, "Beta", "").await.0, StatusCode::OK);
    // Without a result there is nothing to suggest, but actions can be planned.
    let (status, page) = get(&lead_b, &site.plan_url("Beta")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Suggestions come from the team"), "{page}");
    let (status, page) = post(
        &lead_b,
        &format!("{}/actions", site.plan_url("Beta")),
        &[
            ("csrf", &csrf(&page)),
            ("title", "Beta's action"),
            ("owner", ""),
            ("link", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("#1 <bdi>Beta&#39;s action</bdi>"), "{page}");

    // Another lead neither reads nor changes it, not even through their own team.
    let (status, _) = get(&lead_a, &site.plan_url("Beta")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, own) = get(&lead_a, &site.plan_url("Alpha")).await;
    let token = csrf(&own);
    let (status, _) = post(
        &lead_a,
        &format!("{}/actions", site.plan_url("Beta")),
        &[("csrf", &token), ("title", "Sneaky")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for path in ["actions/1", "actions/1/remove"] {
        let (status, _) = post(
            &lead_a,
            &format!("{}/{path}", site.plan_url("Alpha")),
            &[("csrf", &token), ("status", "dropped")],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: Beta's action through Alpha");
    }

    // A viewer reads the plan without forms and can't post one.
    let (status, page) = get(&viewer, &site.plan_url("Beta")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Beta&#39;s action"), "{page}");
    assert!(
        !page.contains("Set a goal") && !page.contains("Add your own action") && !page.contains("/remove"),
        "{page}"
    );
    let (status, _) = post(
        &viewer,
        &format!("{}/actions/1", site.plan_url("Beta")),
        &[("csrf", &csrf(&page)), ("status", "done")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A form without the session's token is refused, and nothing changes.
    let (status, _) = post(
        &lead_b,
        &format!("{}/actions/1", site.plan_url("Beta")),
        &[("status", "dropped")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = get(&admin, &site.plan_url("Beta")).await;
    assert!(page.contains("<li class=\"action status-todo\">"), "{page}");
    // Unsigned visitors are sent to sign in.
    let response = no_redirects().get(site.plan_url("Beta")).send().await.expect("get");
    assert_eq!(response.headers()["location"], "/login");
}

/// The part of the org page with the table grouped by the team tree.
fn tree_part(page: &str) -> &str {
    let at = page.find("<div class=\"org-tree\">").expect("the grouped table");
    let end = page.find("<h2 id=\"heatmap\">").unwrap_or(page.len());
    &page[at..end]
}

#[tokio::test]
async fn the_org_page_groups_by_the_tree_folds_filters_and_keeps_hidden_cells_hidden() {
    let site = site().await;
    let admin = site.admin().await;
    assert_eq!(site.create_team(&admin, "Group A", "").await.0, StatusCode::OK);
    assert_eq!(site.create_team(&admin, "Solo", "").await.0, StatusCode::OK);
    site.team_with_result(&admin, "Team 2", "Group A", 2, 5).await;
    site.team_with_result(&admin, "Team 10", "Group A", 1, 5).await;
    // Three answers at level 3 with k = 5: closed, and hidden everywhere.
    site.team_with_result(&admin, "Team 1", "Group A", 3, 3).await;
    let org = format!("{}/org", site.base);
    let (status, page) = get(&admin, &org).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The summary, from the same data as `report --org --summary`.
    assert!(page.contains("<h2 id=\"summary\">Summary</h2>"), "{page}");
    assert!(page.contains("<li><b>2</b> of 4 teams shown</li>"), "{page}");
    assert!(
        page.contains("Areas across the organisation") && page.contains("Teams with the lowest levels"),
        "{page}"
    );
    assert!(
        page.contains("fewer than k responses in the newest closed round"),
        "{page}"
    );
    assert!(!page.contains("3.00"), "Team 1's hidden level shows nowhere: {page}");
    // The tree: the group folds, its roll-up row first, names in natural order.
    let tree = tree_part(&page);
    assert!(
        tree.contains("<details class=\"group depth-0\" open><summary><span class=\"group-name\"><bdi>Group A</bdi></span> <span class=\"sub\">3 teams · "),
        "{tree}"
    );
    let order: Vec<usize> = ["Group A (roll-up)", ">Team 1<", ">Team 2<", ">Team 10<"]
        .iter()
        .map(|name| tree.find(name).unwrap_or_else(|| panic!("{name} in {tree}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}: {tree}");
    assert!(
        tree.contains(
            "<tr class=\"rollup\"><th scope=\"row\"><a href=\"/teams/Group%20A\"><bdi>Group A (roll-up)</bdi></a>"
        ),
        "{tree}"
    );
    assert!(tree.contains("1.50"), "the roll-up is the median of 2 and 1: {tree}");
    let team_1 = &tree[order[1]..order[2]];
    assert!(
        team_1.contains("class=\"num hidden\"") && team_1.contains("hidden: 3 responses &#60; k = 5"),
        "{team_1}"
    );
    assert!(
        page.contains("Teams without a round yet</h2><p><bdi>Solo</bdi></p>"),
        "{page}"
    );

    // Level 1: only Team 10 is left.
    let (status, page) = get(&admin, &format!("{org}?area=&level=1")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let tree = tree_part(&page);
    assert!(page.contains("1 team matches level 1"), "{page}");
    assert!(
        tree.contains(">Team 10<") && !tree.contains(">Team 2<") && !tree.contains(">Team 1<"),
        "{tree}"
    );
    assert!(
        tree.contains("Group A (roll-up)"),
        "the group of a match keeps its roll-up: {tree}"
    );
    // Level 3 is Team 1's hidden answer: the filter can't find it.
    let (_, page) = get(&admin, &format!("{org}?level=3")).await;
    assert!(
        page.contains("0 teams match level 3") && page.contains("No team matches."),
        "{page}"
    );
    assert!(!tree_part(&page).contains(">Team 1<"), "{page}");

    // One area: one column, its name in the header, chosen in the form.
    let area_at = page.find("<select id=\"f-area\" name=\"area\">").expect("the filter");
    let option = page[area_at..].split("<option value=\"").nth(2).expect("an area");
    let area_id = option.split('"').next().expect("id").to_string();
    let area_name = option
        .split('>')
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("name")
        .to_string();
    let (_, page) = get(&admin, &format!("{org}?area={area_id}")).await;
    let tree = tree_part(&page);
    let header = format!(
        "<thead><tr><th scope=\"col\">Team</th><th scope=\"col\" class=\"num\">{area_name}</th><th scope=\"col\">Note</th></tr></thead>"
    );
    assert!(tree.contains(&header), "{tree}");
    assert!(
        page.contains(&format!("<option value=\"{area_id}\" selected>")),
        "{page}"
    );
    // A filter that isn't one is refused with a reason.
    let (status, page) = get(&admin, &format!("{org}?level=9")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    let (status, _) = get(&admin, &format!("{org}?area=nowhere")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_large_organisation_starts_with_nested_groups_folded() {
    let site = site().await;
    let admin = site.admin().await;
    let app = App::new(site.store.as_ref(), OffsetDateTime::now_utc())
        .await
        .expect("app");
    app.add_team("Division", None).await.expect("team");
    for g in 1..=3 {
        let group = format!("Group {g}");
        app.add_team(&group, Some("Division")).await.expect("team");
        // Team 1.2 is added through the site below, with a round.
        for t in (1..=20).filter(|t| (g, *t) != (1, 2)) {
            app.add_team(&format!("Team {g}.{t}"), Some(&group))
                .await
                .expect("team");
        }
    }
    site.team_with_result(&admin, "Team 1.2", "Group 1", 2, 5).await;
    let (status, page) = get(&admin, &format!("{}/org", site.base)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let tree = tree_part(&page);
    assert!(
        tree.contains(
            "<details class=\"group depth-0\" open><summary><span class=\"group-name\"><bdi>Division</bdi></span>"
        ),
        "{tree}"
    );
    assert!(tree.contains("<details class=\"group depth-1\"><summary><span class=\"group-name\"><bdi>Group 1</bdi></span> <span class=\"sub\">20 teams · "), "{tree}");
    // A folded group still says its roll-up in one line.
    assert!(tree.contains("2.00"), "{tree}");
    let (_, page) = get(&admin, &format!("{}/org?open=all", site.base)).await;
    assert!(
        tree_part(&page).contains(
            "<details class=\"group depth-1\" open><summary><span class=\"group-name\"><bdi>Group 1</bdi></span>"
        ),
        "{page}"
    );
    assert!(page.contains("name=\"open\" value=\"all\" checked"), "{page}");
}

#[tokio::test]
async fn org_trends_show_each_group_per_quarter_with_hidden_cells_hidden() {
    let site = site().await;
    let admin = site.admin().await;
    assert_eq!(site.create_team(&admin, "Group A", "").await.0, StatusCode::OK);
    let (_, page) = get(&admin, &format!("{}/org/trends", site.base)).await;
    assert!(page.contains("No closed round yet."), "{page}");
    site.team_with_result(&admin, "Team 2", "Group A", 2, 5).await;
    site.team_with_result(&admin, "Team 1", "Group A", 3, 3).await;
    let (status, page) = get(&admin, &format!("{}/org/trends", site.base)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Organisation trends</h1>"), "{page}");
    assert!(
        page.contains("<summary><bdi>Organisation</bdi></summary>")
            && page.contains("<summary><bdi>Group A</bdi></summary>"),
        "{page}"
    );
    let today = OffsetDateTime::now_utc().date();
    let quarter = format!("{} Q{}", today.year(), (u8::from(today.month()) - 1) / 3 + 1);
    let group = &page[page.find("<summary><bdi>Group A</bdi></summary>").expect("group")..];
    assert!(
        group.contains(&format!(
            "<tr><th scope=\"row\">{quarter}</th><td class=\"num\" title=\"level 2\">2.00</td>"
        )),
        "Group A's quarter is Team 2's median alone: {group}"
    );
    assert!(group.contains("excludes 1 team (Team 1)"), "{group}");
    assert!(!page.contains("3.00"), "Team 1's hidden answers show nowhere: {page}");
    // Leads don't see the organisation.
    let lead = site.accept(&site.invite(&admin, "lead").await, "Lead").await;
    let (status, _) = get(&lead, &format!("{}/org/trends", site.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

impl Site {
    /// Opens a quick round with one shared link and no personal links;
    /// returns the round page's address, the shared link and the page.
    async fn open_shared_round(&self, client: &reqwest::Client, team: &str) -> (String, String, String) {
        let (_, page) = get(client, &self.team_url(team)).await;
        assert!(page.contains("One shared link"), "{page}");
        let (status, page) = post(
            client,
            &format!("{}/rounds", self.team_url(team)),
            &[
                ("csrf", &csrf(&page)),
                ("mode", "quick"),
                ("k", "5"),
                ("links", "shared"),
                ("tokens", "0"),
                ("closes", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let at = page
            .find(&format!("{}/s/", self.base))
            .expect("the shared link is shown");
        let link = page[at..].split('<').next().expect("link").to_string();
        let at = page.find("/rounds/").expect("round link");
        let id: String = page[at + 8..].chars().take_while(char::is_ascii_digit).collect();
        (format!("{}/rounds/{id}", self.base), link, page)
    }
}

/// The answer link a shared link's page hands this browser.
fn answer_token(page: &str) -> String {
    let at = page.find("href=\"/r/").expect("an answer link") + 9;
    page[at..].split('"').next().expect("token").to_string()
}

#[tokio::test]
async fn a_shared_link_gives_each_browser_its_own_answer_link_until_the_round_closes() {
    let site = site().await;
    let admin = site.admin().await;
    site.create_team(&admin, "Forum", "").await;
    let (round, link, opened) = site.open_shared_round(&admin, "Forum").await;
    assert!(opened.contains("0 personal links · one shared link"), "{opened}");
    assert!(
        opened.contains("can&#39;t stop one person answering twice")
            || opened.contains("can't stop one person answering twice"),
        "{opened}"
    );
    assert!(!opened.contains("<li class=\"token\">"), "no personal links: {opened}");

    // One browser: a link, the cookie that keeps it, the same link again.
    let first = browser();
    let response = first.get(&link).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("asyncmm_shared_"))
        .expect("a cookie keeps the answer link")
        .to_string();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/s/"] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    let page = response.text().await.expect("body");
    assert!(page.contains("<bdi>Forum</bdi> asks for your answers"), "{page}");
    assert!(
        page.contains("A shared link can") && page.contains("stop one person answering twice"),
        "{page}"
    );
    let mine = answer_token(&page);
    let (_, again) = get(&first, &link).await;
    assert_eq!(answer_token(&again), mine, "the same browser gets its own link back");
    assert!(again.contains("This browser opened the link before"), "{again}");

    // Another browser: another link; both answer like personal links.
    let second = browser();
    let (status, page) = get(&second, &link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let theirs = answer_token(&page);
    assert_ne!(mine, theirs);
    answer_quick(&format!("{}/r/{mine}", site.base), 2).await;
    answer_quick(&format!("{}/r/{theirs}", site.base), 3).await;
    let (_, open) = get(&admin, &round).await;
    assert!(open.contains("<strong>2</strong>"), "{open}");

    // Closing the round stops the link, with a page that says so.
    let (status, closed) = post(&admin, &format!("{round}/close"), &[("csrf", &csrf(&open))]).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    for client in [&first, &browser()] {
        let (status, page) = get(client, &link).await;
        assert_eq!(status, StatusCode::GONE, "{page}");
        assert!(page.contains("This round is closed"), "{page}");
    }
    let (status, page) = get(&browser(), &format!("{}/s/{}", site.base, "a".repeat(32))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    assert!(page.contains("This link is not valid"), "{page}");
}

/// The shared link a round page shows once, just made.
fn shown_shared_link(site: &Site, page: &str) -> String {
    let at = page
        .find(&format!("<p class=\"token\">{}/s/", site.base))
        .expect("the new shared link is shown")
        + 17;
    page[at..].split('<').next().expect("link").to_string()
}

#[tokio::test]
async fn a_lead_replaces_a_rounds_shared_link_on_its_page_and_the_old_one_stops_working() {
    let site = site().await;
    let admin = site.admin().await;
    let lead = site.accept(&site.invite(&admin, "lead").await, "Lea Lead").await;
    let other = site.accept(&site.invite(&admin, "lead").await, "Otto Other").await;
    let viewer = site.accept(&site.invite(&admin, "viewer").await, "Vera Viewer").await;
    assert_eq!(site.create_team(&lead, "Forum", "").await.0, StatusCode::OK);
    assert_eq!(site.create_team(&other, "Elsewhere", "").await.0, StatusCode::OK);
    let (round, old, _) = site.open_shared_round(&lead, "Forum").await;
    let early = browser();
    let (status, page) = get(&early, &old).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let handed_out = answer_token(&page);

    // The open round's page offers a new link and says what happens to
    // the old one.
    let (_, page) = get(&lead, &round).await;
    assert!(
        page.contains(&format!("action=\"{}/share\"", &round[site.base.len()..])),
        "{page}"
    );
    assert!(page.contains("the old link stops working at once"), "{page}");
    // Readers and other teams' leads neither see the form nor use it.
    let (_, seen) = get(&viewer, &round).await;
    assert!(!seen.contains("/share\""), "{seen}");
    let (_, own) = get(&other, &format!("{}/teams", site.base)).await;
    for (who, client, token) in [("viewer", &viewer, csrf(&seen)), ("another lead", &other, csrf(&own))] {
        let (status, _) = post(client, &format!("{round}/share"), &[("csrf", &token)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} replaces the link");
    }
    let (status, _) = post(&lead, &format!("{round}/share"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a form without its token");
    let (status, page) = get(&browser(), &old).await;
    assert_eq!(status, StatusCode::OK, "nothing replaced the link yet: {page}");

    let (status, replaced) = post(
        &lead,
        &format!("{round}/share"),
        &[("csrf", &csrf(&page_of(&lead, &round).await))],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert!(
        replaced.contains("Any earlier shared link of this round has stopped working"),
        "{replaced}"
    );
    let new = shown_shared_link(&site, &replaced);
    assert_ne!(new, old);
    // Shown once: the round page does not show it again.
    let (_, again) = get(&lead, &round).await;
    assert!(!again.contains(&new), "{again}");

    let (status, page) = get(&browser(), &old).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    assert!(page.contains("This link is not valid"), "{page}");
    let (status, page) = get(&browser(), &new).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<bdi>Forum</bdi> asks for your answers"), "{page}");
    // The answer link the old one handed out still works.
    answer_quick(&format!("{}/r/{handed_out}", site.base), 2).await;

    // A closed round takes no new link: the refusal is on its page.
    let (_, open) = get(&lead, &round).await;
    let (status, _) = post(&lead, &format!("{round}/close"), &[("csrf", &csrf(&open))]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, closed) = get(&lead, &round).await;
    assert!(!closed.contains("/share\""), "{closed}");
    let (status, page) = post(&lead, &format!("{round}/share"), &[("csrf", &csrf(&closed))]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("is closed"), "{page}");
    assert!(!page.contains("<p class=\"token\">"), "{page}");
}

/// A page's text, fetched by `client`.
async fn page_of(client: &reqwest::Client, url: &str) -> String {
    let (status, page) = get(client, url).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

#[tokio::test]
async fn a_shared_link_hands_out_a_limited_number_of_links_per_client() {
    let site = site().await;
    let admin = site.admin().await;
    site.create_team(&admin, "Crowd", "").await;
    let (_, link, _) = site.open_shared_round(&admin, "Crowd").await;
    let kept = browser();
    let (status, page) = get(&kept, &link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let own = answer_token(&page);
    // 30 links per client address in a quarter of an hour: this one
    // already took one, 29 fresh browsers take the rest.
    let mut tokens = std::collections::BTreeSet::from([own.clone()]);
    for _ in 1..30 {
        let (status, page) = get(&browser(), &link).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        tokens.insert(answer_token(&page));
    }
    assert_eq!(tokens.len(), 30);
    let (status, page) = get(&browser(), &link).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("Please wait"), "{page}");
    assert!(
        page.contains("Too many answer links were handed out to your network"),
        "{page}"
    );
    // A browser coming back to its own link is never turned away.
    let (status, page) = get(&kept, &link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(answer_token(&page), own);
}

/// Whether a round page shows a result (a level per area, the chart).
fn shows_result(page: &str) -> bool {
    page.contains("Result per area") || page.contains("<svg")
}

#[tokio::test]
async fn a_lead_reopens_a_closed_round_until_its_result_is_published() {
    let site = site().await;
    let admin = site.admin().await;
    let lead = site.accept(&site.invite(&admin, "lead").await, "Lead A").await;
    assert_eq!(site.create_team(&lead, "Alpha", "").await.0, StatusCode::OK);
    let (round, links) = site.open_round(&lead, "Alpha", 6).await;
    for link in links.iter().take(2) {
        answer_quick(link, 2).await;
    }
    let (_, open) = get(&lead, &round).await;
    assert!(!open.contains("/reopen"), "an open round has nothing to reopen: {open}");
    let (status, closed) = post(&lead, &format!("{round}/close"), &[("csrf", &csrf(&open))]).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert!(closed.contains("badge closed") && !shows_result(&closed), "{closed}");
    assert!(
        closed.contains("Reopen round"),
        "below k nothing was shown, so it can reopen: {closed}"
    );

    // Reopened, the page shows the count only, and the links not used work again.
    let (status, reopened) = post(&lead, &format!("{round}/reopen"), &[("csrf", &csrf(&closed))]).await;
    assert_eq!(status, StatusCode::OK, "{reopened}");
    assert!(
        reopened.contains("<span class=\"badge open\">open</span>"),
        "{reopened}"
    );
    assert!(
        reopened.contains("<dt>Responses</dt><dd><strong>2</strong></dd>"),
        "{reopened}"
    );
    assert!(!shows_result(&reopened) && !reopened.contains("Median"), "{reopened}");
    assert!(
        reopened.contains("Close round") && !reopened.contains("/reopen"),
        "{reopened}"
    );
    for link in links.iter().skip(2).take(3) {
        answer_quick(link, 3).await;
    }
    // Reopening an open round is refused with the reason, on the page.
    let (status, page) = post(&lead, &format!("{round}/reopen"), &[("csrf", &csrf(&reopened))]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("is not closed, so there is nothing to reopen"), "{page}");
    assert!(page.contains("<strong>5</strong>"), "{page}");

    // Closed with k responses, the result is shown and so published: no reopening.
    let (status, published) = post(&lead, &format!("{round}/close"), &[("csrf", &csrf(&page))]).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert!(shows_result(&published), "{published}");
    assert!(!published.contains("/reopen"), "{published}");
    let (status, refused) = post(&lead, &format!("{round}/reopen"), &[("csrf", &csrf(&published))]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused.contains("role=\"alert\"") && refused.contains("was published, so it can&#39;t be reopened"),
        "{refused}"
    );
    assert!(refused.contains("badge closed"), "nothing changed: {refused}");
    // Its links are closed again.
    let (status, _) = get(&browser(), &links[5]).await;
    assert_eq!(status, StatusCode::GONE);
}

#[tokio::test]
async fn a_lead_changes_k_until_the_first_response_and_results_follow_it() {
    let site = site().await;
    let admin = site.admin().await;
    assert_eq!(site.create_team(&admin, "Platform", "").await.0, StatusCode::OK);
    // Lowered to 3: three answers show a result.
    let (round, links) = site.open_round(&admin, "Platform", 4).await;
    let (_, page) = get(&admin, &round).await;
    assert!(
        page.contains("<dt>k</dt><dd>5</dd>") && page.contains("Change k"),
        "{page}"
    );
    let (status, bad) = post(&admin, &format!("{round}/k"), &[("csrf", &csrf(&page)), ("k", "2")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(
        bad.contains("role=\"alert\"") && bad.contains("<dt>k</dt><dd>5</dd>"),
        "{bad}"
    );
    let (status, bad) = post(&admin, &format!("{round}/k"), &[("csrf", &csrf(&page)), ("k", "many")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("is not a whole number"), "{bad}");
    let (status, page) = post(&admin, &format!("{round}/k"), &[("csrf", &csrf(&page)), ("k", "3")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<dt>k</dt><dd>3</dd>"), "{page}");
    for link in links.iter().take(3) {
        answer_quick_k(link, 2, 3).await;
    }
    // Once a response arrived, k is fixed: the form is gone and a post is refused.
    let (_, page) = get(&admin, &round).await;
    assert!(
        !page.contains("Change k") && !page.contains("class=\"warning\""),
        "{page}"
    );
    let (status, fixed) = post(&admin, &format!("{round}/k"), &[("csrf", &csrf(&page)), ("k", "5")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fixed}");
    assert!(fixed.contains("k is fixed once the first response arrived"), "{fixed}");
    assert!(fixed.contains("<dt>k</dt><dd>3</dd>"), "{fixed}");
    let (status, closed) = post(&admin, &format!("{round}/close"), &[("csrf", &csrf(&page))]).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert!(
        shows_result(&closed) && closed.contains("2.00"),
        "3 answers at level 2 meet k = 3: {closed}"
    );

    // Raised to 6: five answers stay hidden.
    let (round, links) = site.open_round(&admin, "Platform", 5).await;
    let (_, page) = get(&admin, &round).await;
    let (status, page) = post(&admin, &format!("{round}/k"), &[("csrf", &csrf(&page)), ("k", "6")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for link in &links {
        answer_quick_k(link, 3, 6).await;
    }
    let (_, page) = get(&admin, &round).await;
    assert!(
        page.contains("has 5 of the 6 responses"),
        "the close warning uses the new k: {page}"
    );
    let (status, closed) = post(&admin, &format!("{round}/close"), &[("csrf", &csrf(&page))]).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert!(!shows_result(&closed) && !closed.contains("Median"), "{closed}");
    assert!(
        closed.contains("Reopen round"),
        "nothing was shown, so it can reopen: {closed}"
    );
}

#[tokio::test]
async fn viewers_and_other_leads_neither_reopen_nor_change_k() {
    let site = site().await;
    let admin = site.admin().await;
    let lead_a = site.accept(&site.invite(&admin, "lead").await, "Lead A").await;
    let lead_b = site.accept(&site.invite(&admin, "lead").await, "Lead B").await;
    let viewer = site.accept(&site.invite(&admin, "viewer").await, "Vera Viewer").await;
    assert_eq!(site.create_team(&lead_a, "Alpha", "").await.0, StatusCode::OK);
    assert_eq!(site.create_team(&lead_b, "Beta", "").await.0, StatusCode::OK);
    let (round, links) = site.open_round(&lead_a, "Alpha", 5).await;
    answer_quick(&links[0], 2).await;
    let (_, page) = get(&lead_a, &round).await;
    let (status, closed) = post(&lead_a, &format!("{round}/close"), &[("csrf", &csrf(&page))]).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    let (fresh, _) = site.open_round(&lead_a, "Alpha", 5).await;

    let (status, page) = get(&viewer, &round).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("/reopen") && !page.contains("Change k"), "{page}");
    let (_, own_b) = get(&lead_b, &format!("{}/teams", site.base)).await;
    for (who, client, token) in [("viewer", &viewer, csrf(&page)), ("Beta's lead", &lead_b, csrf(&own_b))] {
        let (status, _) = post(client, &format!("{round}/reopen"), &[("csrf", &token)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} reopens");
        let (status, _) = post(client, &format!("{fresh}/k"), &[("csrf", &token), ("k", "3")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} changes k");
    }
    // Nothing changed.
    let (_, page) = get(&lead_a, &round).await;
    assert!(page.contains("badge closed") && page.contains("Reopen round"), "{page}");
    let (_, page) = get(&lead_a, &fresh).await;
    assert!(page.contains("<dt>k</dt><dd>5</dd>"), "{page}");
    // A form without the session's token is refused too.
    let (status, _) = post(&lead_a, &format!("{round}/reopen"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_lead_edits_an_actions_title_owner_and_link_and_hostile_links_stay_inert() {
    let site = site().await;
    let admin = site.admin().await;
    let lead = site.accept(&site.invite(&admin, "lead").await, "Lead A").await;
    assert_eq!(site.create_team(&lead, "Alpha", "").await.0, StatusCode::OK);
    let plan = site.plan_url("Alpha");
    let (_, page) = get(&lead, &plan).await;
    let (status, page) = post(
        &lead,
        &format!("{plan}/actions"),
        &[("csrf", &csrf(&page)), ("title", "Write the onboarding guide")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("Owner: "), "no owner yet: {page}");
    assert!(
        page.contains("id=\"owner-1\"") && page.contains("id=\"link-1\""),
        "{page}"
    );

    // Owner and link set from the page.
    let (status, page) = post(
        &lead,
        &format!("{plan}/actions/1"),
        &[
            ("csrf", &csrf(&page)),
            ("status", "doing"),
            ("owner", "Grace Hopper"),
            ("link", "https://issues.example.com/team/42"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Owner: <bdi>Grace Hopper</bdi>"), "{page}");
    assert!(
        page.contains(
            "<a href=\"https://issues.example.com/team/42\" rel=\"noopener noreferrer nofollow\"><bdi>Write the onboarding guide</bdi></a>"
        ),
        "{page}"
    );
    assert!(page.contains("<li class=\"action status-doing\">"), "{page}");
    assert!(
        page.contains("value=\"Grace Hopper\""),
        "the form shows the owner: {page}"
    );

    // Changed again, the title too; an owner left empty keeps the one it has.
    let (status, page) = post(
        &lead,
        &format!("{plan}/actions/1"),
        &[
            ("csrf", &csrf(&page)),
            ("title", "Onboarding guide for new joiners"),
            ("status", "doing"),
            ("owner", ""),
            ("link", "https://docs.example.com/onboarding"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Owner: <bdi>Grace Hopper</bdi>"), "{page}");
    assert!(
        page.contains(
            "#1 <a href=\"https://docs.example.com/onboarding\" rel=\"noopener noreferrer nofollow\"><bdi>Onboarding guide for new joiners</bdi></a>"
        ),
        "{page}"
    );
    assert!(
        !page.contains("issues.example.com") && !page.contains("Write the onboarding guide"),
        "{page}"
    );
    // A title another open action already has is refused.
    let (status, page) = post(
        &lead,
        &format!("{plan}/actions"),
        &[("csrf", &csrf(&page)), ("title", "Record decisions")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, bad) = post(
        &lead,
        &format!("{plan}/actions/2"),
        &[("csrf", &csrf(&page)), ("title", "onboarding guide for new joiners")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("action #1 already plans"), "{bad}");
    assert!(bad.contains("#2 <bdi>Record decisions</bdi>"), "{bad}");

    // A link that tries to close the attribute is stored parsed: percent-encoded, inert.
    let (status, page) = post(
        &lead,
        &format!("{plan}/actions/1"),
        &[
            ("csrf", &csrf(&page)),
            ("status", "doing"),
            ("owner", "Ana <img src=x onerror=alert(1)>"),
            ("link", "https://x/\"><script>alert(1)</script>"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("<script>") && !page.contains("https://x/\""), "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(
        page.contains("href=\"https://x/%22%3E%3Cscript%3Ealert(1)%3C/script%3E\""),
        "{page}"
    );
    assert!(
        page.contains("Owner: <bdi>Ana &#60;img src=x onerror=alert(1)&#62;</bdi>"),
        "{page}"
    );

    // A link the parser refuses changes nothing, and says why.
    let (status, bad) = post(
        &lead,
        &format!("{plan}/actions/1"),
        &[
            ("csrf", &csrf(&page)),
            ("status", "done"),
            ("owner", "Someone Else"),
            ("link", "javascript:alert(1)"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("role=\"alert\"") && bad.contains("is not a URL"), "{bad}");
    assert!(!bad.contains("href=\"javascript"), "{bad}");
    assert!(
        bad.contains("<li class=\"action status-doing\">") && !bad.contains("Someone Else"),
        "{bad}"
    );

    // A viewer sees the new owner and link but gets no form, and can't post one.
    let viewer = site.accept(&site.invite(&admin, "viewer").await, "Vera Viewer").await;
    let (_, page) = get(&viewer, &plan).await;
    assert!(page.contains("Owner: <bdi>Ana &#60;img"), "{page}");
    assert!(!page.contains("id=\"owner-1\""), "{page}");
    let (status, _) = post(
        &viewer,
        &format!("{plan}/actions/1"),
        &[("csrf", &csrf(&page)), ("owner", "Vera")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Answers every statement of a detailed round's link with `value`,
/// through the respondent API (the statements as it lists them).
async fn answer_detailed(link: &str, value: u8) {
    let (base, token) = link.rsplit_once("/r/").expect("a respondent link");
    let api = format!("{base}/api/v1/respond/{token}");
    let client = browser();
    let round: serde_json::Value = client.get(&api).send().await.expect("get").json().await.expect("json");
    let mut answers = serde_json::Map::new();
    for area in round["areas"].as_array().expect("areas") {
        for statement in area["statements"].as_array().expect("statements") {
            let id = statement["id"].as_str().expect("statement id");
            answers.insert(id.to_string(), serde_json::json!(value));
        }
    }
    assert!(answers.len() >= 5, "{round}");
    let response = client
        .put(&api)
        .json(&serde_json::json!({"mode": "detailed", "answers": answers}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_org_and_trends_pages_roll_up_each_mode_for_the_groups_that_use_it() {
    let site = site().await;
    let admin = site.admin().await;
    assert_eq!(site.create_team(&admin, "Quick Group", "").await.0, StatusCode::OK);
    assert_eq!(site.create_team(&admin, "Detailed Group", "").await.0, StatusCode::OK);
    site.team_with_result(&admin, "Q1", "Quick Group", 2, 5).await;
    site.team_with_result(&admin, "Q2", "Quick Group", 2, 5).await;
    for team in ["D1", "D2"] {
        assert_eq!(site.create_team(&admin, team, "Detailed Group").await.0, StatusCode::OK);
        let (round, links) = site.open_round_in(&admin, team, "detailed", 5).await;
        for link in &links {
            answer_detailed(link, 3).await;
        }
        let (_, open) = get(&admin, &round).await;
        let (status, closed) = post(&admin, &format!("{round}/close"), &[("csrf", &csrf(&open))]).await;
        assert_eq!(status, StatusCode::OK, "{closed}");
    }

    let (status, page) = get(&admin, &format!("{}/org", site.base)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let tree = tree_part(&page);
    // Each group rolls up the mode its teams answered in, named so; the
    // organisation has one roll-up per mode; quick levels and detailed
    // scores are never pooled.
    for row in [
        ">Quick Group (roll-up, quick)<",
        ">Detailed Group (roll-up, detailed)<",
        ">Organisation (roll-up, quick)<",
        ">Organisation (roll-up, detailed)<",
    ] {
        assert!(tree.contains(row), "{row} in {tree}");
    }
    assert!(!tree.contains("Quick Group (roll-up, detailed)"), "{tree}");
    assert!(!tree.contains("Detailed Group (roll-up, quick)"), "{tree}");
    let detailed = tree
        .split(">Detailed Group (roll-up, detailed)<")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .expect("the detailed group's row");
    // Both teams answered alike, so the group's median is each team's.
    let team = tree
        .split("><bdi>D1</bdi></a></th>")
        .nth(1)
        .and_then(|rest| rest.split("<td class=\"meta\">").next())
        .expect("D1's row");
    assert!(team.contains("<td class=\"num\""), "{team}");
    assert!(detailed.contains(team), "{team} in {detailed}");
    let quick = tree
        .split(">Quick Group (roll-up, quick)<")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .expect("the quick group's row");
    assert!(quick.contains(">2.00<"), "both teams at level 2: {quick}");

    let (status, trends) = get(&admin, &format!("{}/org/trends", site.base)).await;
    assert_eq!(status, StatusCode::OK, "{trends}");
    for name in [
        "Quick Group (quick)",
        "Detailed Group (detailed)",
        "Organisation (quick)",
        "Organisation (detailed)",
    ] {
        assert!(trends.contains(name), "{name} in {trends}");
    }
    assert!(!trends.contains("Quick Group (detailed)"), "{trends}");
}
