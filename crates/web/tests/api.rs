//! The JSON API over HTTP, as a program uses it: personal API tokens, the
//! role boundaries of the pages, problem documents for every error, pages
//! of lists, the gate on open rounds, and the OpenAPI document matching
//! the routes served. Each test runs on a fresh SQLite database and, when
//! `ASYNCMM_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL schema.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use asyncmm_app::{App, OsRandom};
use asyncmm_core::account::{Role, User};
use asyncmm_store::Store;
use asyncmm_web::{Config, Server};
use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::OffsetDateTime;

const POSTGRES_URL_VAR: &str = "ASYNCMM_TEST_POSTGRES_URL";
const PASSWORD: &str = "correct horse battery";

/// Where the site's data lives, to look at it directly.
enum Data {
    Sqlite(tempfile::TempDir),
    Postgres { url: String, schema: String },
}

struct Site {
    base: String,
    store: Arc<dyn Store>,
    data: Data,
}

fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000;
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn serve(store: Arc<dyn Store>) -> String {
    let config = Config {
        bind: "127.0.0.1:0".parse().expect("addr"),
        public_url: None,
    };
    let server = Server::bind(&config, Arc::clone(&store)).await.expect("bind");
    let base = server.public_url().to_string();
    tokio::spawn(server.run(std::future::pending()));
    base
}

impl Site {
    async fn sqlite() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("web.db");
        let store: Arc<dyn Store> = Arc::from(
            asyncmm_store::connect(&path.display().to_string())
                .await
                .expect("store"),
        );
        let base = serve(Arc::clone(&store)).await;
        Site {
            base,
            store,
            data: Data::Sqlite(dir),
        }
    }

    /// `None` (after saying so) when no PostgreSQL server is configured.
    async fn postgres() -> Option<Site> {
        let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
            eprintln!("PostgreSQL API test skipped: set {POSTGRES_URL_VAR} to run it");
            return None;
        };
        let schema = unique("asyncmm_api");
        let store: Arc<dyn Store> = Arc::from(
            asyncmm_store::connect_postgres_in_schema(&url, &schema)
                .await
                .expect("connect to the test PostgreSQL server"),
        );
        let base = serve(Arc::clone(&store)).await;
        Some(Site {
            base,
            store,
            data: Data::Postgres { url, schema },
        })
    }

    async fn finish(self) {
        if let Data::Postgres { url, schema } = &self.data {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .execute(&mut conn)
                .await
                .expect("drop the test schema");
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn app(&self) -> App<'_> {
        App::new(self.store.as_ref(), OffsetDateTime::now_utc())
            .await
            .expect("app")
    }

    /// A new account with `role` (the first one through the set-up link,
    /// the others invited by `by`), and an API token of theirs.
    async fn person(&self, by: Option<&User>, role: Role, name: &str) -> (User, String) {
        let app = self.app().await;
        let link = match by {
            None => app
                .setup_link(&mut OsRandom)
                .await
                .expect("link")
                .expect("first account"),
            Some(admin) => app.invite(admin, role, &mut OsRandom).await.expect("invite"),
        };
        let start = app
            .accept_invite(&link.reveal(), name, PASSWORD, PASSWORD, &mut OsRandom)
            .await
            .expect("account");
        let token = app
            .create_api_token(&start.user, "tests", &mut OsRandom)
            .await
            .expect("token");
        (start.user, token.secret)
    }

    /// Every text the database holds about API tokens, and for SQLite the
    /// raw bytes of its files (journal included).
    async fn stored_token_data(&self) -> (Vec<String>, Vec<u8>) {
        let query = "SELECT name || ' ' || prefix || ' ' || CAST(length(hash) AS TEXT) FROM api_tokens";
        match &self.data {
            Data::Sqlite(dir) => {
                use sqlx::Connection;
                let path = dir.path().join("web.db");
                let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .expect("open");
                let rows: Vec<String> = sqlx::query_scalar(query).fetch_all(&mut conn).await.expect("rows");
                let mut bytes = Vec::new();
                for entry in std::fs::read_dir(dir.path()).expect("dir") {
                    bytes.extend(std::fs::read(entry.expect("entry").path()).expect("file"));
                }
                (rows, bytes)
            }
            Data::Postgres { url, schema } => {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
                let query = query
                    .replace("length(hash)", "octet_length(hash)")
                    .replace("FROM api_tokens", &format!("FROM \"{schema}\".api_tokens"));
                let rows: Vec<String> = sqlx::query_scalar(&query).fetch_all(&mut conn).await.expect("rows");
                (rows, Vec::new())
            }
        }
    }
}

/// Runs each scenario on SQLite, and on PostgreSQL when configured.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let site = super::Site::sqlite().await;
                    super::$name(&site).await;
                    site.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(site) = super::Site::postgres().await else { return };
                    // In a task, so a failing assertion still lets the
                    // schema be dropped, then fails the test with it.
                    let site = std::sync::Arc::new(site);
                    let shared = std::sync::Arc::clone(&site);
                    let outcome = tokio::spawn(async move { super::$name(&shared).await }).await;
                    if let Some(site) = std::sync::Arc::into_inner(site) {
                        site.finish().await;
                    }
                    if let Err(e) = outcome {
                        std::panic::resume_unwind(e.into_panic());
                    }
                }
            )*
        }
    };
}

on_both_backends!(
    requests_without_a_valid_token_get_401_problems,
    tokens_are_made_and_revoked_on_the_account_page_and_stored_hashed,
    leads_reach_only_their_teams_and_viewers_change_nothing,
    an_open_round_serves_its_count_only,
    lists_come_in_pages_that_hold_every_item,
    the_export_is_streamed_with_the_bytes_the_command_line_writes,
    every_error_is_a_problem_document,
    a_plan_is_changed_through_its_team_only,
    the_openapi_document_lists_exactly_the_routes_served,
    respondents_answer_revise_and_see_only_their_own,
    wrong_answers_and_tokens_are_refused_and_store_nothing,
    rounds_are_rekeyed_reopened_shared_and_given_links_by_their_leads_only,
    history_org_views_and_people_follow_the_pages,
    plan_titles_goals_and_suggestions_follow_the_plan_page,
    rounds_and_tokens_are_paged_by_the_database_in_their_order,
);

/// An answer from the API.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 9457 problem document with `status`; returns its detail.
    fn problem(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.content_type(), "application/problem+json", "{}", self.text);
        let body = self.json();
        assert_eq!(body["type"], "about:blank", "{body}");
        assert_eq!(body["status"], status.as_u16(), "{body}");
        assert_eq!(
            body["title"],
            status.canonical_reason().expect("a known status"),
            "{body}"
        );
        let detail = body["detail"].as_str().expect("a detail").to_string();
        assert!(!detail.is_empty(), "{body}");
        detail
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

async fn call(site: &Site, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
    let mut request = client().request(method, site.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.expect("body"),
    }
}

async fn get(site: &Site, path: &str, token: &str) -> Reply {
    call(site, Method::GET, path, Some(token), None).await
}

async fn post(site: &Site, path: &str, token: &str, body: Value) -> Reply {
    call(site, Method::POST, path, Some(token), Some(body)).await
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_string())
        .collect()
}

// ------------------------------------------------------------ browser helpers

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::limited(5))
        .build()
        .expect("client")
}

fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form token in the page") + 19;
    html[at..].split('"').next().expect("value").to_string()
}

async fn form(client: &reqwest::Client, url: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let response = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).expect("form"))
        .send()
        .await
        .expect("post");
    (response.status(), response.text().await.expect("body"))
}

async fn page(client: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.expect("get");
    (response.status(), response.text().await.expect("body"))
}

/// Signs in with the browser's login form.
async fn sign_in(site: &Site, name: &str) -> reqwest::Client {
    let client = browser();
    let (_, login) = page(&client, &site.url("/login")).await;
    let (status, teams) = form(
        &client,
        &site.url("/login"),
        &[("csrf", &csrf(&login)), ("name", name), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{teams}");
    assert!(teams.contains("<h1>Teams</h1>"), "{teams}");
    client
}

/// Answers all five areas of a quick round in a fresh browser.
async fn answer_quick(link: &str, level: u8) {
    let client = browser();
    let (status, intro) = page(&client, link).await;
    assert_eq!(status, StatusCode::OK, "{intro}");
    for number in 1..=5 {
        let url = format!("{link}/{number}");
        let (status, html) = page(&client, &url).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let field = html
            .split("name=\"area.")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("an area field")
            .to_string();
        let (status, next) = form(
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
}

// ------------------------------------------------------------ scenarios

async fn requests_without_a_valid_token_get_401_problems(site: &Site) {
    let (admin, token) = site.person(None, Role::Admin, "Ada Admin").await;
    assert_eq!(get(site, "/api/v1/me", &token).await.json()["name"], "Ada Admin");

    let none = call(site, Method::GET, "/api/v1/teams", None, None).await;
    let detail = none.problem(StatusCode::UNAUTHORIZED);
    assert!(detail.contains("Authorization: Bearer"), "{detail}");
    assert_eq!(none.headers["www-authenticate"], "Bearer realm=\"asyncmm\"");
    // Writes too, before the body is even read.
    call(
        site,
        Method::POST,
        "/api/v1/teams",
        None,
        Some(json!({"name": "Sneaky"})),
    )
    .await
    .problem(StatusCode::UNAUTHORIZED);
    let basic = client()
        .get(site.url("/api/v1/teams"))
        .basic_auth("Ada Admin", Some(PASSWORD))
        .send()
        .await
        .expect("get");
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    get(site, "/api/v1/teams", "amm_not-a-token")
        .await
        .problem(StatusCode::UNAUTHORIZED);
    // Well-formed, but never issued.
    let forged = format!("amm_{}", "a".repeat(32));
    get(site, "/api/v1/teams", &forged)
        .await
        .problem(StatusCode::UNAUTHORIZED);

    // Revoked: refused from then on, and still listed as revoked.
    let app = site.app().await;
    let listed = app.api_tokens(&admin).await.expect("tokens");
    app.revoke_api_token(&admin, listed[0].id).await.expect("revoke");
    let detail = get(site, "/api/v1/me", &token).await.problem(StatusCode::UNAUTHORIZED);
    assert!(detail.contains("revoked"), "{detail}");
    assert!(app.api_tokens(&admin).await.expect("tokens")[0].revoked_at.is_some());

    // A signed-in browser's session cookie does not authenticate the API.
    let browser = sign_in(site, "Ada Admin").await;
    let response = browser.get(site.url("/api/v1/teams")).send().await.expect("get");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = browser
        .post(site.url("/api/v1/teams"))
        .json(&json!({"name": "Through a cookie"}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(app.visible_teams(&admin, true).await.expect("teams").is_empty());
}

async fn tokens_are_made_and_revoked_on_the_account_page_and_stored_hashed(site: &Site) {
    let (admin, _) = site.person(None, Role::Admin, "Ada Admin").await;
    site.person(Some(&admin), Role::Lead, "Lea Lead").await;
    let lead = sign_in(site, "Lea Lead").await;
    let (status, account) = page(&lead, &site.url("/account")).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert!(
        account.contains("<code>amm_"),
        "the token made for the tests is listed: {account}"
    );

    // A form without the session's token makes nothing.
    let (status, _) = form(&lead, &site.url("/account/tokens"), &[("name", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, made) = form(
        &lead,
        &site.url("/account/tokens"),
        &[("csrf", &csrf(&account)), ("name", "report <script>")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert!(
        made.contains("report &#60;script&#62;") || made.contains("report &lt;script&gt;"),
        "{made}"
    );
    let at = made.find("<p class=\"token\">").expect("the secret is shown") + 17;
    let secret = made[at..].split('<').next().expect("secret").to_string();
    assert!(secret.starts_with("amm_") && secret.len() == 36, "{secret}");
    let me = get(site, "/api/v1/me", &secret).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.json(), json!({"name": "Lea Lead", "role": "lead"}));
    // Shown once: the page never shows it again, only its prefix.
    let (_, again) = page(&lead, &site.url("/account")).await;
    assert!(!again.contains(&secret), "{again}");
    assert!(again.contains(&format!("<code>{}…</code>", &secret[..8])), "{again}");

    // Only a hash and the prefix are stored.
    let (rows, bytes) = site.stored_token_data().await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.contains(&format!("report <script> {} 32", &secret[..8])),
        "{rows:?}"
    );
    for text in &rows {
        assert!(!text.contains(&secret[4..]), "{text}");
    }
    let body = &secret.as_bytes()[4..];
    assert!(
        !bytes.windows(body.len()).any(|w| w == body),
        "the secret is nowhere in the database files"
    );

    // Revoking needs the form token and the owner; then the token is refused.
    let id = {
        let at = again.find("/account/tokens/").expect("a revoke form") + 16;
        again[at..].split('/').next().expect("id").to_string()
    };
    let revoke = site.url(&format!("/account/tokens/{id}/revoke"));
    let (status, _) = form(&lead, &revoke, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = sign_in(site, "Ada Admin").await;
    let (_, theirs) = page(&other, &site.url("/account")).await;
    let (status, _) = form(&other, &revoke, &[("csrf", &csrf(&theirs))]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another person's token is not theirs to revoke"
    );
    assert_eq!(get(site, "/api/v1/me", &secret).await.status, StatusCode::OK);
    let (status, after) = form(&lead, &revoke, &[("csrf", &csrf(&again))]).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert!(after.contains("revoked 20"), "{after}");
    get(site, "/api/v1/me", &secret).await.problem(StatusCode::UNAUTHORIZED);

    // Through the API: the caller's own tokens, without secrets; a token
    // revokes itself, and nobody else's.
    let (_, mine) = site.person(Some(&admin), Role::Viewer, "Vic Viewer").await;
    let listed = get(site, "/api/v1/tokens", &mine).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let listed = listed.json();
    assert_eq!(listed["total"], 1, "{listed}");
    let own = &listed["items"][0];
    assert_eq!(
        (own["name"].as_str(), own["prefix"].as_str()),
        (Some("tests"), Some(&mine[..8]))
    );
    assert!(own["revoked_at"].is_null() && own["last_used_at"].is_string(), "{own}");
    assert!(!listed.to_string().contains(&mine[8..]), "{listed}");
    call(site, Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(&mine), None)
        .await
        .problem(StatusCode::NOT_FOUND);
    let own_id = own["id"].as_i64().expect("id");
    let revoked = call(
        site,
        Method::DELETE,
        &format!("/api/v1/tokens/{own_id}"),
        Some(&mine),
        None,
    )
    .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.text);
    get(site, "/api/v1/tokens", &mine)
        .await
        .problem(StatusCode::UNAUTHORIZED);
}

async fn leads_reach_only_their_teams_and_viewers_change_nothing(site: &Site) {
    let (admin, admin_token) = site.person(None, Role::Admin, "Ada Admin").await;
    let (_, lead_a) = site.person(Some(&admin), Role::Lead, "Lead A").await;
    let (_, lead_b) = site.person(Some(&admin), Role::Lead, "Lead B").await;
    let (_, viewer) = site.person(Some(&admin), Role::Viewer, "Vera Viewer").await;
    let alpha = post(site, "/api/v1/teams", &lead_a, json!({"name": "Alpha"})).await;
    assert_eq!(alpha.status, StatusCode::CREATED, "{}", alpha.text);
    assert_eq!(
        alpha.json(),
        json!({"name": "Alpha", "parent": null, "archived": false})
    );
    let sub = post(
        site,
        "/api/v1/teams",
        &lead_a,
        json!({"name": "Alpha Web", "parent": "Alpha"}),
    )
    .await;
    assert_eq!(sub.json()["parent"], "Alpha", "{}", sub.text);
    assert_eq!(
        post(site, "/api/v1/teams", &lead_b, json!({"name": "Beta"}))
            .await
            .status,
        StatusCode::CREATED
    );
    let action = post(
        site,
        "/api/v1/teams/Beta/plan/actions",
        &lead_b,
        json!({"title": "Beta's action"}),
    )
    .await;
    assert_eq!(action.status, StatusCode::CREATED, "{}", action.text);
    let beta_action = action.json()["id"].as_i64().expect("id");

    // Lead A sees and reaches Alpha (and what is inside it) only.
    assert_eq!(
        names(&get(site, "/api/v1/teams", &lead_a).await.json()),
        ["Alpha", "Alpha Web"]
    );
    for path in [
        "/api/v1/teams/Beta",
        "/api/v1/teams/Beta/rounds",
        "/api/v1/teams/Beta/plan",
    ] {
        get(site, path, &lead_a).await.problem(StatusCode::FORBIDDEN);
    }
    let writes = [
        (Method::POST, "/api/v1/teams/Beta/rounds", json!({"links": 3})),
        (Method::POST, "/api/v1/teams/Beta/archive", json!({})),
        (
            Method::POST,
            "/api/v1/teams",
            json!({"name": "Beta Sub", "parent": "Beta"}),
        ),
        (
            Method::POST,
            "/api/v1/teams/Beta/plan/actions",
            json!({"title": "Sneaky"}),
        ),
        (
            Method::POST,
            "/api/v1/teams/Beta/plan/goals",
            json!({"area": "documentation", "level": 2, "by": "2030-01-01"}),
        ),
    ];
    for (method, path, body) in &writes {
        call(site, method.clone(), path, Some(&lead_a), Some(body.clone()))
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    // Beta's action can't be reached through Alpha either.
    let through_alpha = format!("/api/v1/teams/Alpha/plan/actions/{beta_action}");
    call(
        site,
        Method::PATCH,
        &through_alpha,
        Some(&lead_a),
        Some(json!({"status": "dropped"})),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    call(site, Method::DELETE, &through_alpha, Some(&lead_a), None)
        .await
        .problem(StatusCode::NOT_FOUND);
    get(site, "/api/v1/org/summary", &lead_a)
        .await
        .problem(StatusCode::FORBIDDEN);
    get(site, "/api/v1/export", &lead_a)
        .await
        .problem(StatusCode::FORBIDDEN);

    // The viewer reads everything and changes nothing.
    assert_eq!(
        names(&get(site, "/api/v1/teams", &viewer).await.json()),
        ["Alpha", "Alpha Web", "Beta"]
    );
    assert_eq!(
        get(site, "/api/v1/teams/Beta/plan", &viewer).await.status,
        StatusCode::OK
    );
    assert_eq!(get(site, "/api/v1/org/summary", &viewer).await.status, StatusCode::OK);
    for (method, path, body) in &writes {
        call(site, method.clone(), path, Some(&viewer), Some(body.clone()))
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    post(site, "/api/v1/teams", &viewer, json!({"name": "Gamma"}))
        .await
        .problem(StatusCode::FORBIDDEN);
    call(
        site,
        Method::PATCH,
        &format!("/api/v1/teams/Beta/plan/actions/{beta_action}"),
        Some(&viewer),
        Some(json!({"status": "dropped"})),
    )
    .await
    .problem(StatusCode::FORBIDDEN);
    get(site, "/api/v1/export", &viewer)
        .await
        .problem(StatusCode::FORBIDDEN);

    // Nothing changed; the admin exports everything.
    let plan = get(site, "/api/v1/teams/Beta/plan", &admin_token).await.json();
    assert_eq!(plan["actions"].as_array().map(Vec::len), Some(1), "{plan}");
    assert_eq!(plan["actions"][0]["status"], "todo", "{plan}");
    let export = get(site, "/api/v1/export", &admin_token).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.content_type(), "application/json");
    let text = export.text.clone();
    assert!(
        text.contains("\"Alpha Web\"") && text.contains("Beta's action"),
        "{text}"
    );
    assert!(!text.contains("Sneaky") && !text.contains("Gamma"), "{text}");
}

async fn an_open_round_serves_its_count_only(site: &Site) {
    let (admin, admin_token) = site.person(None, Role::Admin, "Ada Admin").await;
    let (_, lead) = site.person(Some(&admin), Role::Lead, "Lea Lead").await;
    let (_, viewer) = site.person(Some(&admin), Role::Viewer, "Vera Viewer").await;
    let (_, other_lead) = site.person(Some(&admin), Role::Lead, "Otto Other").await;
    post(site, "/api/v1/teams", &lead, json!({"name": "Platform"})).await;
    let opened = post(
        site,
        "/api/v1/teams/Platform/rounds",
        &lead,
        json!({"mode": "quick", "k": 5, "links": 6}),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let opened = opened.json();
    let id = opened["round"]["id"].as_i64().expect("id");
    assert_eq!(opened["round"]["state"], "open");
    assert_eq!(opened["round"]["team"], "Platform");
    let links: Vec<String> = opened["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l.as_str().expect("link").to_string())
        .collect();
    assert_eq!(links.len(), 6);
    assert!(links.iter().all(|l| l.starts_with(&format!("{}/r/", site.base))));
    for (i, link) in links.iter().take(5).enumerate() {
        answer_quick(link, if i < 3 { 2 } else { 3 }).await;
    }

    let round = get(site, &format!("/api/v1/rounds/{id}"), &viewer).await.json();
    assert_eq!(
        (round["state"].as_str(), round["responses"].as_u64()),
        (Some("open"), Some(5))
    );
    for token in [&admin_token, &lead, &viewer] {
        let refused = get(site, &format!("/api/v1/rounds/{id}/results"), token).await;
        let detail = refused.problem(StatusCode::CONFLICT);
        assert!(detail.contains("open") && detail.contains("5 responses"), "{detail}");
        assert!(!refused.text.contains("median"), "{}", refused.text);
    }
    let listed = get(site, "/api/v1/teams/Platform/rounds", &viewer).await.json();
    assert!(!listed.to_string().contains("median"), "{listed}");
    assert_eq!(listed["items"][0]["responses"], 5, "{listed}");

    // Another team's lead neither reads nor closes it; the viewer can't
    // close it; its lead can, once.
    for path in [format!("/api/v1/rounds/{id}"), format!("/api/v1/rounds/{id}/results")] {
        get(site, &path, &other_lead).await.problem(StatusCode::FORBIDDEN);
    }
    for token in [&other_lead, &viewer] {
        post(site, &format!("/api/v1/rounds/{id}/close"), token, json!({}))
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    assert_eq!(
        get(site, &format!("/api/v1/rounds/{id}"), &lead).await.json()["state"],
        "open"
    );
    let closed = post(site, &format!("/api/v1/rounds/{id}/close"), &lead, json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
    assert_eq!(closed.json()["state"], "closed");
    post(site, &format!("/api/v1/rounds/{id}/close"), &lead, json!({}))
        .await
        .problem(StatusCode::CONFLICT);
    let result = get(site, &format!("/api/v1/rounds/{id}/results"), &viewer).await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.text);
    let report = result.json();
    let areas = report["areas"].as_array().expect("areas");
    assert_eq!(areas.len(), 5, "{report}");
    // Three answered 2 and two answered 3 in every area: the median is 2.
    for area in areas {
        assert_eq!(area["median"].as_f64(), Some(2.0), "{area}");
    }
    get(site, "/api/v1/rounds/999/results", &viewer)
        .await
        .problem(StatusCode::NOT_FOUND);
}

/// `GET /api/v1/export` sends the document while it is made (chunked, no
/// length known in advance), and the bytes are those `asyncmm export
/// --output FILE` writes (the document and a final newline), apart from
/// the time of the export. Big enough to take many chunks.
async fn the_export_is_streamed_with_the_bytes_the_command_line_writes(site: &Site) {
    let (admin, admin_token) = site.person(None, Role::Admin, "Ada Admin").await;
    let app = site.app().await;
    app.add_team_as(&admin, "Streamed", None).await.expect("team");
    let model = asyncmm_app::LoadedModel::embedded().expect("model");
    for _ in 0..3 {
        app.open_round(
            "Streamed",
            asyncmm_core::Mode::Quick,
            3,
            None,
            1_500,
            &model,
            &mut OsRandom,
        )
        .await
        .expect("round");
    }

    let reply = get(site, "/api/v1/export", &admin_token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.content_type(), "application/json");
    assert_eq!(
        reply.headers.get("transfer-encoding").and_then(|v| v.to_str().ok()),
        Some("chunked"),
        "streamed, not built first: {:?}",
        reply.headers
    );
    assert!(reply.headers.get("content-length").is_none());
    assert!(
        reply.text.len() > 4 * asyncmm_app::backup::CHUNK,
        "{} bytes",
        reply.text.len()
    );

    let mut written = Vec::new();
    site.app().await.export_to(&mut written).await.expect("export");
    written.push(b'\n');
    let written = String::from_utf8(written).expect("UTF-8");
    let without_time = |text: &str| {
        let document: Value = serde_json::from_str(text).expect("JSON");
        let at = document["exported_at"].as_str().expect("a time").to_string();
        text.replacen(&at, "TIME", 1)
    };
    assert!(reply.text.ends_with("}\n"));
    assert_eq!(without_time(&reply.text), without_time(&written));
    assert!(reply.text.contains("\"accounts\": ["), "the accounts are in it");
}

async fn lists_come_in_pages_that_hold_every_item(site: &Site) {
    let (_, token) = site.person(None, Role::Admin, "Ada Admin").await;
    let made = ["Team 10", "Team 2", "Team 1", "Team 9", "alpha", "Beta", "Team 3"];
    for name in made {
        let reply = post(site, "/api/v1/teams", &token, json!({"name": name})).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    post(site, "/api/v1/teams/Beta/archive", &token, json!({})).await;
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/teams?archived=true&per_page=3".to_string());
    let mut pages = 0;
    while let Some(path) = next {
        let reply = get(site, &path, &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let body = reply.json();
        pages += 1;
        assert_eq!(
            (body["total"].as_u64(), body["pages"].as_u64()),
            (Some(7), Some(3)),
            "{body}"
        );
        assert_eq!(body["page"].as_u64(), Some(pages), "{body}");
        seen.extend(names(&body));
        let link = reply.headers["link"].to_str().expect("link").to_string();
        assert!(
            link.contains("rel=\"first\"") && link.contains("rel=\"last\""),
            "{link}"
        );
        next = link
            .split(", ")
            .find(|l| l.ends_with("rel=\"next\""))
            .map(|l| l.trim_start_matches('<').split('>').next().expect("uri").to_string());
        if let Some(next) = &next {
            assert!(next.contains("archived=true") && next.contains("per_page=3"), "{next}");
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        ["alpha", "Beta", "Team 1", "Team 2", "Team 3", "Team 9", "Team 10"],
        "every team once, in natural order, across the pages"
    );
    let active = get(site, "/api/v1/teams?per_page=100", &token).await.json();
    assert_eq!(
        names(&active),
        ["alpha", "Team 1", "Team 2", "Team 3", "Team 9", "Team 10"]
    );
    let past = get(site, "/api/v1/teams?page=9&per_page=3", &token).await.json();
    assert_eq!(
        (past["items"].as_array().map(Vec::len), past["total"].as_u64()),
        (Some(0), Some(6))
    );
    for bad in ["page=0", "per_page=0", "per_page=101", "page=first"] {
        get(site, &format!("/api/v1/teams?{bad}"), &token)
            .await
            .problem(StatusCode::BAD_REQUEST);
    }
}

async fn every_error_is_a_problem_document(site: &Site) {
    let (_, token) = site.person(None, Role::Admin, "Ada Admin").await;
    let detail = get(site, "/api/v1/nowhere", &token)
        .await
        .problem(StatusCode::NOT_FOUND);
    assert!(detail.contains("openapi.json"), "{detail}");
    for path in [
        "/api/v1/nowhere",
        "/api/v1",
        "/api/v1/",
        "/api/v1/teams/Platform/nowhere",
    ] {
        call(site, Method::GET, path, None, None)
            .await
            .problem(StatusCode::NOT_FOUND);
    }
    let wrong = call(site, Method::PUT, "/api/v1/teams", Some(&token), Some(json!({}))).await;
    wrong.problem(StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong.headers.contains_key("allow"));
    // A body that is not JSON, or not the right JSON.
    let broken = client()
        .post(site.url("/api/v1/teams"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("post");
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    assert_eq!(broken.headers()["content-type"], "application/problem+json");
    let detail = post(site, "/api/v1/teams", &token, json!({"title": "no name"}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains("name"), "{detail}");
    let plain = client()
        .post(site.url("/api/v1/teams"))
        .bearer_auth(&token)
        .body("name=Platform")
        .send()
        .await
        .expect("post");
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(plain.headers()["content-type"], "application/problem+json");
    // What the use cases refuse.
    post(site, "/api/v1/teams", &token, json!({"name": "  "}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        post(site, "/api/v1/teams", &token, json!({"name": "Platform"}))
            .await
            .status,
        StatusCode::CREATED
    );
    post(site, "/api/v1/teams", &token, json!({"name": "platform"}))
        .await
        .problem(StatusCode::CONFLICT);
    post(site, "/api/v1/teams/Platform/rounds", &token, json!({"k": 2}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    post(site, "/api/v1/teams/Platform/rounds", &token, json!({"mode": "slow"}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    get(site, "/api/v1/rounds/first", &token)
        .await
        .problem(StatusCode::NOT_FOUND);
    get(site, "/api/v1/rounds/41", &token)
        .await
        .problem(StatusCode::NOT_FOUND);
}

async fn a_plan_is_changed_through_its_team_only(site: &Site) {
    let (admin, _) = site.person(None, Role::Admin, "Ada Admin").await;
    let (_, lead) = site.person(Some(&admin), Role::Lead, "Lea Lead").await;
    post(site, "/api/v1/teams", &lead, json!({"name": "Platform"})).await;
    let plan = "/api/v1/teams/Platform/plan";
    let goal = post(
        site,
        &format!("{plan}/goals"),
        &lead,
        json!({"area": "documentation", "level": 2, "by": "2030-06-30"}),
    )
    .await;
    assert_eq!(goal.status, StatusCode::CREATED, "{}", goal.text);
    let goal = goal.json();
    assert_eq!(
        (goal["area"].as_str(), goal["target"].as_u64(), goal["by"].as_str()),
        (Some("documentation"), Some(2), Some("2030-06-30")),
        "{goal}"
    );
    post(
        site,
        &format!("{plan}/goals"),
        &lead,
        json!({"area": "nowhere", "level": 2, "by": "2030-06-30"}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    let action = post(
        site,
        &format!("{plan}/actions"),
        &lead,
        json!({"title": "Write decision records", "owner": "Lea", "link": "https://example.com/adr", "statements": ["decision-making.2.1"]}),
    )
    .await;
    assert_eq!(action.status, StatusCode::CREATED, "{}", action.text);
    let id = action.json()["id"].as_i64().expect("id");
    post(
        site,
        &format!("{plan}/actions"),
        &lead,
        json!({"title": "x", "link": "not a link"}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    let changed = call(
        site,
        Method::PATCH,
        &format!("{plan}/actions/{id}"),
        Some(&lead),
        Some(json!({"status": "doing"})),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(changed.json()["status"], "doing");
    call(
        site,
        Method::PATCH,
        &format!("{plan}/actions/{id}"),
        Some(&lead),
        Some(json!({})),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    let shown = get(site, plan, &lead).await.json();
    assert_eq!(shown["goals"].as_array().map(Vec::len), Some(1), "{shown}");
    assert_eq!(shown["actions"][0]["title"], "Write decision records", "{shown}");
    let removed = call(site, Method::DELETE, &format!("{plan}/actions/{id}"), Some(&lead), None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    call(site, Method::DELETE, &format!("{plan}/actions/{id}"), Some(&lead), None)
        .await
        .problem(StatusCode::NOT_FOUND);
    let shown = get(site, plan, &lead).await.json();
    assert_eq!(shown["actions"].as_array().map(Vec::len), Some(0), "{shown}");
}

async fn the_openapi_document_lists_exactly_the_routes_served(site: &Site) {
    let (_, token) = site.person(None, Role::Admin, "Ada Admin").await;
    let reply = call(site, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.content_type(), "application/json");
    let doc = reply.json();
    let version = doc["openapi"].as_str().expect("openapi");
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"], "bearer",
        "{doc}"
    );
    assert!(doc["components"]["schemas"]["Problem"].is_object(), "{doc}");
    for schema in ["RespondentRound", "AnswersBody", "Submitted"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}: {doc}");
    }
    let respond = &doc["paths"]["/api/v1/respond/{token}"];
    assert!(
        respond["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .is_some_and(|r| r.ends_with("/AnswersBody")),
        "{respond}"
    );
    for status in ["400", "404", "409", "422"] {
        assert!(respond["put"]["responses"][status].is_object(), "{status}: {respond}");
    }

    let paths = doc["paths"].as_object().expect("paths");
    let documented: BTreeSet<String> = paths.keys().cloned().collect();
    let expected: BTreeSet<String> = [
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/v1/teams",
        "/api/v1/teams/{name}",
        "/api/v1/teams/{name}/archive",
        "/api/v1/teams/{name}/history",
        "/api/v1/teams/{name}/rounds",
        "/api/v1/rounds/{id}",
        "/api/v1/rounds/{id}/close",
        "/api/v1/rounds/{id}/reopen",
        "/api/v1/rounds/{id}/shared-link",
        "/api/v1/rounds/{id}/links",
        "/api/v1/rounds/{id}/results",
        "/api/v1/teams/{name}/plan",
        "/api/v1/teams/{name}/plan/goals",
        "/api/v1/teams/{name}/plan/goals/{area}",
        "/api/v1/teams/{name}/plan/actions",
        "/api/v1/teams/{name}/plan/actions/{id}",
        "/api/v1/teams/{name}/plan/suggestions",
        "/api/v1/teams/{name}/plan/suggestions/accept",
        "/api/v1/org/summary",
        "/api/v1/org/report",
        "/api/v1/org/trends",
        "/api/v1/people",
        "/api/v1/export",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/respond/{token}",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(documented, expected);

    // Every documented operation is served (it asks for a token, where a
    // missing route would say 404 and a missing method 405), and every
    // other method on a documented path is not served.
    let methods = ["get", "post", "put", "patch", "delete"];
    let mut operations = 0;
    for (path, item) in paths {
        let concrete = path
            .replace("{name}", "Platform")
            .replace("{id}", "1")
            .replace("{area}", "documentation")
            .replace("{token}", "unknown");
        for method in methods {
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let reply = call(site, verb, &concrete, None, Some(json!({}))).await;
            if item.get(method).is_some() {
                operations += 1;
                if path == "/api/v1/openapi.json" {
                    assert_eq!(reply.status, StatusCode::OK);
                } else if path == "/api/v1/respond/{token}" {
                    // The respondent token is the credential: no API
                    // token asked for, and an unknown one is 404.
                    reply.problem(StatusCode::NOT_FOUND);
                    let op = &item[method];
                    assert_eq!(op["security"], json!([{}]), "{method} {path}: no API token");
                    assert!(op["responses"]["404"].is_object(), "{method} {path}: 404 documented");
                } else {
                    reply.problem(StatusCode::UNAUTHORIZED);
                    let op = &item[method];
                    assert!(op["responses"]["401"].is_object(), "{method} {path}: 401 documented");
                }
            } else {
                reply.problem(StatusCode::METHOD_NOT_ALLOWED);
            }
        }
    }
    assert_eq!(operations, 33);
    // The operations the pages have beside the first ones, with their
    // bodies and answers described.
    let schema_of = |path: &str, method: &str, part: &str| -> String {
        let op = &doc["paths"][path][method];
        let content = if part == "request" {
            &op["requestBody"]["content"]["application/json"]["schema"]
        } else {
            &op["responses"][part]["content"]["application/json"]["schema"]
        };
        content["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} {part}: {op}"))
            .rsplit('/')
            .next()
            .expect("name")
            .to_string()
    };
    for (path, method, part, schema) in [
        ("/api/v1/rounds/{id}", "patch", "request", "RoundChange"),
        ("/api/v1/rounds/{id}", "patch", "200", "RoundOut"),
        ("/api/v1/rounds/{id}/reopen", "post", "200", "RoundOut"),
        ("/api/v1/rounds/{id}/shared-link", "post", "201", "SharedOut"),
        ("/api/v1/rounds/{id}/links", "post", "request", "MoreLinks"),
        ("/api/v1/rounds/{id}/links", "post", "201", "LinksOut"),
        ("/api/v1/teams/{name}/history", "get", "200", "HistoryOut"),
        (
            "/api/v1/teams/{name}/plan/actions/{id}",
            "patch",
            "request",
            "ActionChange",
        ),
        ("/api/v1/teams/{name}/plan/suggestions", "get", "200", "SuggestionsOut"),
        (
            "/api/v1/teams/{name}/plan/suggestions/accept",
            "post",
            "request",
            "AcceptSuggestion",
        ),
        (
            "/api/v1/teams/{name}/plan/suggestions/accept",
            "post",
            "201",
            "ActionOut",
        ),
        ("/api/v1/org/report", "get", "200", "OrgReportOut"),
        ("/api/v1/org/trends", "get", "200", "TrendsOut"),
        ("/api/v1/people", "get", "200", "PersonPage"),
    ] {
        assert_eq!(schema_of(path, method, part), schema, "{method} {path} {part}");
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}: {doc}");
    }
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["ActionChange"]["properties"]["title"].is_object(),
        "{}",
        schemas["ActionChange"]
    );
    assert_eq!(
        schemas["RoundChange"]["required"],
        json!(["k"]),
        "{}",
        schemas["RoundChange"]
    );
    assert!(
        schemas["NewRound"]["properties"]["shared"].is_object(),
        "{}",
        schemas["NewRound"]
    );
    assert!(
        schemas["OpenedOut"]["properties"]["shared_link"].is_object(),
        "{}",
        schemas["OpenedOut"]
    );
    let accept = &schemas["AcceptSuggestion"]["required"];
    assert!(
        accept
            .as_array()
            .is_some_and(|r| r.contains(&json!("number")) && r.contains(&json!("title"))),
        "{accept}"
    );
    // Refusals a lead can act on are described where they happen.
    for (path, method, statuses) in [
        ("/api/v1/rounds/{id}", "patch", &["403", "404", "409", "422"][..]),
        ("/api/v1/rounds/{id}/reopen", "post", &["403", "404", "409"][..]),
        ("/api/v1/rounds/{id}/shared-link", "post", &["403", "404", "409"][..]),
        ("/api/v1/rounds/{id}/links", "post", &["403", "404", "409", "422"][..]),
        (
            "/api/v1/teams/{name}/plan/goals/{area}",
            "delete",
            &["204", "403", "404", "422"][..],
        ),
        (
            "/api/v1/teams/{name}/plan/suggestions/accept",
            "post",
            &["403", "409", "422"][..],
        ),
        ("/api/v1/org/trends", "get", &["403"][..]),
        ("/api/v1/people", "get", &["400", "403"][..]),
    ] {
        for status in statuses {
            assert!(
                doc["paths"][path][method]["responses"][*status].is_object(),
                "{method} {path} {status}"
            );
        }
    }
    // The document is the same with a token.
    assert_eq!(get(site, "/api/v1/openapi.json", &token).await.json(), doc);
}

// ------------------------------------------------------------ answering

async fn put(site: &Site, path: &str, bearer: Option<&str>, body: &str) -> Reply {
    let mut request = client()
        .put(site.url(path))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.expect("request");
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.expect("body"),
    }
}

/// What the respondent of `token` sees (no API token).
async fn respondent(site: &Site, token: &str) -> Reply {
    call(site, Method::GET, &format!("/api/v1/respond/{token}"), None, None).await
}

/// Opens a round through the API; its id and respondent tokens.
async fn open_for(site: &Site, lead: &str, team: &str, mode: &str, links: u32) -> (i64, Vec<String>) {
    post(site, "/api/v1/teams", lead, json!({"name": team})).await;
    let opened = post(
        site,
        &format!("/api/v1/teams/{team}/rounds"),
        lead,
        json!({"mode": mode, "k": 3, "links": links}),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let opened = opened.json();
    let tokens = opened["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l.as_str().expect("link").rsplit('/').next().expect("token").to_string())
        .collect();
    (opened["round"]["id"].as_i64().expect("id"), tokens)
}

async fn responses(site: &Site, bearer: &str, id: i64) -> u64 {
    let round = get(site, &format!("/api/v1/rounds/{id}"), bearer).await;
    assert_eq!(round.status, StatusCode::OK, "{}", round.text);
    round.json()["responses"].as_u64().expect("responses")
}

async fn respondents_answer_revise_and_see_only_their_own(site: &Site) {
    let (admin, admin_token) = site.person(None, Role::Admin, "Ada Admin").await;
    let (_, lead) = site.person(Some(&admin), Role::Lead, "Lea Lead").await;
    let (id, tokens) = open_for(site, &lead, "Platform", "quick", 3).await;

    // Before answering: the questionnaire with level cards, k, no answers.
    let seen = respondent(site, &tokens[0]).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    let seen = seen.json();
    assert_eq!(
        (&seen["team"], &seen["mode"], &seen["open"], &seen["k"]),
        (&json!("Platform"), &json!("quick"), &json!(true), &json!(3))
    );
    assert!(seen["k_means"].as_str().expect("k_means").contains("k = 3"), "{seen}");
    assert_eq!(seen["answers"], Value::Null, "{seen}");
    assert_eq!(seen["answered_before"], false);
    let areas: Vec<String> = seen["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| {
            assert_eq!(a["levels"].as_array().map(Vec::len), Some(4), "{a}");
            a["id"].as_str().expect("id").to_string()
        })
        .collect();
    assert_eq!(areas.len(), 5);
    assert_eq!(responses(site, &admin_token, id).await, 0);

    let all = |level: u8| {
        let answers: serde_json::Map<String, Value> = areas.iter().map(|a| (a.clone(), json!(level))).collect();
        json!({"mode": "quick", "answers": answers}).to_string()
    };
    let path = |t: &str| format!("/api/v1/respond/{t}");
    let out_of_range = json!({"mode": "quick", "answers": {areas[0].clone(): 2, areas[1].clone(): 4}}).to_string();
    let detail = put(site, &path(&tokens[0]), None, &out_of_range)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains(&areas[1]), "{detail}");
    assert_eq!(responses(site, &admin_token, id).await, 0);
    let first = put(site, &path(&tokens[0]), None, &all(2)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.json()["revised"], false);
    assert_eq!(first.json()["round"]["answers"]["answers"][&areas[4]], 2);
    assert_eq!(responses(site, &admin_token, id).await, 1);
    let second = put(site, &path(&tokens[1]), None, &all(3)).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(responses(site, &admin_token, id).await, 2);

    // A revision replaces the token's whole answers; the count stays.
    let revision = json!({"mode": "quick", "answers": {areas[0].clone(): 1}}).to_string();
    let revised = put(site, &path(&tokens[0]), None, &revision).await;
    assert_eq!(revised.status, StatusCode::OK, "{}", revised.text);
    assert_eq!(revised.json()["revised"], true);
    assert_eq!(responses(site, &admin_token, id).await, 2);
    let own = respondent(site, &tokens[0]).await.json();
    assert_eq!(own["answered_before"], true);
    assert_eq!(
        own["answers"],
        json!({"mode": "quick", "answers": {areas[0].clone(): 1}})
    );

    // Each token sees its own answers only; the third, none; nobody a result.
    let other = respondent(site, &tokens[1]).await.json();
    let threes: serde_json::Map<String, Value> = areas.iter().map(|a| (a.clone(), json!(3))).collect();
    assert_eq!(other["answers"], json!({"mode": "quick", "answers": threes}));
    let fresh = respondent(site, &tokens[2]).await;
    assert_eq!(fresh.json()["answers"], Value::Null, "{}", fresh.text);
    for reply in [&fresh, &revised, &first] {
        assert!(
            !reply.text.contains("\"median\"") && !reply.text.contains("\"responses\""),
            "{}",
            reply.text
        );
    }
    let hidden = get(site, &format!("/api/v1/rounds/{id}/results"), &admin_token).await;
    let detail = hidden.problem(StatusCode::CONFLICT);
    assert!(detail.contains("open") && detail.contains("2 responses"), "{detail}");
    assert!(!hidden.text.contains("median"), "{}", hidden.text);

    // Detailed mode: statements on the 0-3 scale with "don't know".
    let (detailed, dtokens) = open_for(site, &lead, "Core", "detailed", 2).await;
    let seen = respondent(site, &dtokens[0]).await.json();
    assert_eq!(seen["mode"], "detailed");
    assert_eq!(seen["scale"].as_array().map(Vec::len), Some(5), "{seen}");
    let statements: Vec<String> = seen["areas"][0]["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect();
    assert!(statements.len() >= 2, "{seen}");
    let body = json!({"mode": "detailed", "answers": {statements[0].clone(): 3, statements[1].clone(): "dont_know"}});
    let stored = put(site, &path(&dtokens[0]), None, &body.to_string()).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.text);
    assert_eq!(responses(site, &admin_token, detailed).await, 1);
    assert_eq!(respondent(site, &dtokens[0]).await.json()["answers"], body);
    let body = json!({"mode": "detailed", "answers": {statements[1].clone(): 0}});
    put(site, &path(&dtokens[0]), None, &body.to_string()).await;
    assert_eq!(responses(site, &admin_token, detailed).await, 1);
    assert_eq!(respondent(site, &dtokens[0]).await.json()["answers"], body);
    assert_eq!(respondent(site, &dtokens[1]).await.json()["answers"], Value::Null);
    assert_eq!(responses(site, &admin_token, id).await, 2);

    // Closing the round ends answering and revising.
    let closed = post(site, &format!("/api/v1/rounds/{id}/close"), &lead, json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text);
    respondent(site, &tokens[0]).await.problem(StatusCode::CONFLICT);
    respondent(site, &tokens[2]).await.problem(StatusCode::CONFLICT);
    put(site, &path(&tokens[2]), None, &all(1))
        .await
        .problem(StatusCode::CONFLICT);
    assert_eq!(responses(site, &admin_token, id).await, 2);
}

async fn wrong_answers_and_tokens_are_refused_and_store_nothing(site: &Site) {
    let (admin, admin_token) = site.person(None, Role::Admin, "Ada Admin").await;
    let (_, lead) = site.person(Some(&admin), Role::Lead, "Lea Lead").await;
    let (id, tokens) = open_for(site, &lead, "Platform", "detailed", 2).await;
    let seen = respondent(site, &tokens[0]).await.json();
    let statement = seen["areas"][0]["statements"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = format!("/api/v1/respond/{}", tokens[0]);

    let refusals = [
        (
            "{\"mode\": \"detailed\", \"answers\": ",
            StatusCode::BAD_REQUEST,
            "request body",
        ),
        ("[1, 2]", StatusCode::BAD_REQUEST, "request body"),
        (
            &*json!({"mode": "detailed", "answers": {statement.clone(): 2, "documentation.9.9": 1}}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "documentation.9.9",
        ),
        (
            &*json!({"mode": "detailed", "answers": {statement.clone(): 4}}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            &*statement,
        ),
        (
            &*json!({"mode": "detailed", "answers": {statement.clone(): "dont_know"}}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "don't know",
        ),
        (
            &*json!({"mode": "quick", "answers": {"documentation": 2}}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "mode",
        ),
        (
            &*json!({"mode": "detailed", "answers": {statement.clone(): 2}, "extra": 1}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "extra",
        ),
    ];
    for (body, status, named) in &refusals {
        let detail = put(site, &path, None, body).await.problem(*status);
        assert!(detail.contains(named), "{body}: {detail}");
        assert_eq!(responses(site, &admin_token, id).await, 0, "{body}");
        assert_eq!(
            respondent(site, &tokens[0]).await.json()["answers"],
            Value::Null,
            "{body}"
        );
    }

    let plain = client()
        .put(site.url(&path))
        .body(json!({"mode": "detailed", "answers": {statement.clone(): 2}}).to_string())
        .send()
        .await
        .expect("put");
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(plain.headers()["content-type"], "application/problem+json");
    assert_eq!(responses(site, &admin_token, id).await, 0);

    // A wrong revision leaves the stored answers as they were.
    let good = json!({"mode": "detailed", "answers": {statement.clone(): 1}});
    assert_eq!(put(site, &path, None, &good.to_string()).await.status, StatusCode::OK);
    let (body, status, _) = &refusals[3];
    put(site, &path, None, body).await.problem(*status);
    assert_eq!(respondent(site, &tokens[0]).await.json()["answers"], good);
    assert_eq!(responses(site, &admin_token, id).await, 1);

    // Unknown tokens are 404, whatever API token comes along: it grants
    // nothing here.
    let unknown = "x".repeat(tokens[0].len());
    for token in [unknown.as_str(), "nope"] {
        respondent(site, token).await.problem(StatusCode::NOT_FOUND);
        let reply = put(
            site,
            &format!("/api/v1/respond/{token}"),
            Some(&admin_token),
            &good.to_string(),
        )
        .await;
        reply.problem(StatusCode::NOT_FOUND);
    }
    let with_bearer = call(site, Method::GET, &path, Some(&admin_token), None).await.json();
    assert_eq!(with_bearer["answers"], good);
    assert_eq!(respondent(site, &tokens[1]).await.json()["answers"], Value::Null);
}

// ------------------------------------------------------------ page parity

/// Gives the token's whole quick answers, every area at `level`.
async fn answer_all(site: &Site, token: &str, level: u8) {
    let seen = respondent(site, token).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    let answers: serde_json::Map<String, Value> = seen.json()["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| (a["id"].as_str().expect("id").to_string(), json!(level)))
        .collect();
    let body = json!({"mode": "quick", "answers": answers}).to_string();
    let reply = put(site, &format!("/api/v1/respond/{token}"), None, &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

/// The respondent token at the end of a link.
fn token_of(link: &Value) -> String {
    link.as_str()
        .expect("link")
        .rsplit('/')
        .next()
        .expect("token")
        .to_string()
}

/// An anonymous GET of a page of the site (a shared link).
async fn status_of(url: &str) -> StatusCode {
    client().get(url).send().await.expect("get").status()
}

async fn rounds_are_rekeyed_reopened_shared_and_given_links_by_their_leads_only(site: &Site) {
    let (admin, admin_token) = site.person(None, Role::Admin, "Ada Admin").await;
    let (_, lead) = site.person(Some(&admin), Role::Lead, "Lea Lead").await;
    let (_, other) = site.person(Some(&admin), Role::Lead, "Otto Other").await;
    let (_, viewer) = site.person(Some(&admin), Role::Viewer, "Vera Viewer").await;
    post(site, "/api/v1/teams", &other, json!({"name": "Elsewhere"})).await;
    let (id, tokens) = open_for(site, &lead, "Platform", "quick", 3).await;
    let round = format!("/api/v1/rounds/{id}");
    let patch = |token: Option<&str>, body: Value| {
        let token = token.map(str::to_string);
        let round = round.clone();
        async move { call(site, Method::PATCH, &round, token.as_deref(), Some(body)).await }
    };

    // k: its lead changes it (within the rules); nobody else does.
    for token in [&other, &viewer] {
        patch(Some(token), json!({"k": 4})).await.problem(StatusCode::FORBIDDEN);
    }
    patch(None, json!({"k": 4})).await.problem(StatusCode::UNAUTHORIZED);
    call(
        site,
        Method::PATCH,
        "/api/v1/rounds/999",
        Some(&lead),
        Some(json!({"k": 4})),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    let detail = patch(Some(&lead), json!({"k": 2}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains('k'), "{detail}");
    assert_eq!(get(site, &round, &lead).await.json()["k"], 3);
    let changed = patch(Some(&lead), json!({"k": 4})).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(
        (changed.json()["id"].as_i64(), changed.json()["k"].as_u64()),
        (Some(id), Some(4))
    );
    assert_eq!(get(site, &round, &viewer).await.json()["k"], 4);

    // More personal links for the open round.
    let more = format!("{round}/links");
    for token in [&other, &viewer] {
        post(site, &more, token, json!({"count": 2}))
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    call(site, Method::POST, &more, None, Some(json!({"count": 2})))
        .await
        .problem(StatusCode::UNAUTHORIZED);
    post(site, &more, &lead, json!({"count": 0}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    post(site, &more, &lead, json!({"count": 10_001}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    let issued = post(site, &more, &lead, json!({"count": 2})).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text);
    let issued = issued.json();
    assert_eq!(issued["round"]["id"].as_i64(), Some(id), "{issued}");
    let extra: Vec<String> = issued["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(token_of)
        .collect();
    assert_eq!(extra.len(), 2, "{issued}");
    assert!(
        issued["links"]
            .as_array()
            .expect("links")
            .iter()
            .all(|l| l.as_str().is_some_and(|l| l.starts_with(&format!("{}/r/", site.base)))),
        "{issued}"
    );
    for token in tokens.iter().chain(&extra) {
        assert_eq!(respondent(site, token).await.status, StatusCode::OK);
    }
    assert!(!extra.iter().any(|t| tokens.contains(t)));

    // A shared link, then a new one that replaces it: the old one stops.
    let share = format!("{round}/shared-link");
    for token in [&other, &viewer] {
        post(site, &share, token, json!({}))
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    call(site, Method::POST, &share, None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    let first = post(site, &share, &lead, json!({})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let first = first.json()["link"].as_str().expect("link").to_string();
    assert!(first.starts_with(&format!("{}/s/", site.base)), "{first}");
    assert_eq!(status_of(&first).await, StatusCode::OK);
    let second = post(site, &share, &admin_token, json!({})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    let second = second.json();
    assert_eq!(second["round"]["id"].as_i64(), Some(id), "{second}");
    let second = second["link"].as_str().expect("link").to_string();
    assert_ne!(first, second);
    assert_eq!(status_of(&first).await, StatusCode::NOT_FOUND, "the old link stopped");
    assert_eq!(status_of(&second).await, StatusCode::OK);

    // k is fixed once a response arrived.
    answer_all(site, &tokens[0], 2).await;
    let detail = patch(Some(&lead), json!({"k": 5})).await.problem(StatusCode::CONFLICT);
    assert!(detail.contains('k'), "{detail}");
    assert_eq!(get(site, &round, &lead).await.json()["k"], 4);

    // A closed round takes neither links nor a shared link; its lead
    // reopens it (nobody else does), and then it does again.
    assert_eq!(
        post(site, &format!("{round}/close"), &lead, json!({})).await.status,
        StatusCode::OK
    );
    post(site, &share, &lead, json!({})).await.problem(StatusCode::CONFLICT);
    post(site, &more, &lead, json!({"count": 1}))
        .await
        .problem(StatusCode::CONFLICT);
    assert_eq!(status_of(&second).await, StatusCode::GONE);
    let reopen = format!("{round}/reopen");
    for token in [&other, &viewer] {
        post(site, &reopen, token, json!({}))
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    call(site, Method::POST, &reopen, None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    assert_eq!(get(site, &round, &lead).await.json()["state"], "closed");
    let reopened = post(site, &reopen, &lead, json!({})).await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.text);
    assert_eq!(
        (reopened.json()["state"].as_str(), reopened.json()["responses"].as_u64()),
        (Some("open"), Some(1))
    );
    post(site, &reopen, &lead, json!({}))
        .await
        .problem(StatusCode::CONFLICT);
    assert_eq!(status_of(&second).await, StatusCode::OK, "the link works again");

    // Once its result was shown, it can't be reopened.
    for token in [&tokens[1], &tokens[2], &extra[0]] {
        answer_all(site, token, 3).await;
    }
    assert_eq!(
        post(site, &format!("{round}/close"), &lead, json!({})).await.status,
        StatusCode::OK
    );
    let result = get(site, &format!("{round}/results"), &viewer).await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.text);
    assert_eq!(get(site, &round, &lead).await.json()["published"], true);
    post(site, &reopen, &lead, json!({}))
        .await
        .problem(StatusCode::CONFLICT);
    assert_eq!(get(site, &round, &lead).await.json()["state"], "closed");

    // A round opened with a shared link, as the team page offers.
    let opened = post(
        site,
        "/api/v1/teams/Platform/rounds",
        &lead,
        json!({"k": 3, "links": 0, "shared": true}),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let opened = opened.json();
    assert_eq!(opened["links"], json!([]), "{opened}");
    let link = opened["shared_link"].as_str().expect("a shared link").to_string();
    assert!(link.starts_with(&format!("{}/s/", site.base)), "{link}");
    assert_eq!(status_of(&link).await, StatusCode::OK);
    // Personal links only, by default.
    let (_, plain) = open_for(site, &other, "Solo", "quick", 1).await;
    assert_eq!(plain.len(), 1);
}

async fn history_org_views_and_people_follow_the_pages(site: &Site) {
    let (admin, admin_token) = site.person(None, Role::Admin, "Ada Admin").await;
    let (_, lead) = site.person(Some(&admin), Role::Lead, "Lea Lead").await;
    let (_, other) = site.person(Some(&admin), Role::Lead, "Otto Other").await;
    let (_, viewer) = site.person(Some(&admin), Role::Viewer, "Vera Viewer").await;
    post(site, "/api/v1/teams", &other, json!({"name": "Elsewhere"})).await;
    let (id, tokens) = open_for(site, &lead, "Platform", "quick", 3).await;
    let history = "/api/v1/teams/Platform/history";

    // No result yet: nothing to show, and nothing of the open round.
    let detail = get(site, history, &lead).await.problem(StatusCode::CONFLICT);
    assert!(detail.contains("no results yet"), "{detail}");
    for token in &tokens {
        answer_all(site, token, 2).await;
    }
    get(site, history, &lead).await.problem(StatusCode::CONFLICT);
    assert_eq!(
        post(site, &format!("/api/v1/rounds/{id}/close"), &lead, json!({}))
            .await
            .status,
        StatusCode::OK
    );

    let shown = get(site, history, &viewer).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    let shown = shown.json();
    assert_eq!(shown["team"], "Platform", "{shown}");
    let entries = shown["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{shown}");
    assert_eq!(entries[0]["source"]["id"].as_i64(), Some(id), "{shown}");
    assert_eq!(entries[0]["mean_score"].as_f64(), Some(2.0), "{shown}");
    assert_eq!(get(site, history, &lead).await.json(), shown);
    get(site, history, &other).await.problem(StatusCode::FORBIDDEN);
    get(site, "/api/v1/teams/Nowhere/history", &lead)
        .await
        .problem(StatusCode::FORBIDDEN);
    call(site, Method::GET, history, None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED);

    // The org report and trends: admins and viewers, as on the org pages.
    for path in ["/api/v1/org/report", "/api/v1/org/trends"] {
        for token in [&lead, &other] {
            get(site, path, token).await.problem(StatusCode::FORBIDDEN);
        }
        call(site, Method::GET, path, None, None)
            .await
            .problem(StatusCode::UNAUTHORIZED);
    }
    let report = get(site, "/api/v1/org/report", &viewer).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    let report = report.json();
    let teams: Vec<&str> = report["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .map(|t| t["team"].as_str().expect("team"))
        .collect();
    assert_eq!(teams, ["Platform"], "{report}");
    assert_eq!(report["teams"][0]["responses"], 3, "{report}");
    assert_eq!(report["teams_without_rounds"], json!(["Elsewhere"]), "{report}");
    assert_eq!(get(site, "/api/v1/org/report", &admin_token).await.json(), report);
    let trends = get(site, "/api/v1/org/trends", &viewer).await;
    assert_eq!(trends.status, StatusCode::OK, "{}", trends.text);
    let trends = trends.json();
    let periods = trends["periods"].as_array().expect("periods");
    assert_eq!(periods.len(), 1, "{trends}");
    let today = OffsetDateTime::now_utc().date();
    let quarter = format!("{} Q{}", today.year(), (u8::from(today.month()) - 1) / 3 + 1);
    assert_eq!(periods[0]["quarter"], json!(quarter), "{trends}");
    assert_eq!(periods[0]["report"]["teams"][0]["team"], "Platform", "{trends}");

    // The accounts: admins only, never a secret.
    let people = get(site, "/api/v1/people", &admin_token).await;
    assert_eq!(people.status, StatusCode::OK, "{}", people.text);
    let people = people.json();
    let listed: Vec<(&str, &str)> = people["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| (p["name"].as_str().expect("name"), p["role"].as_str().expect("role")))
        .collect();
    assert_eq!(
        listed,
        [
            ("Ada Admin", "admin"),
            ("Lea Lead", "lead"),
            ("Otto Other", "lead"),
            ("Vera Viewer", "viewer")
        ]
    );
    assert_eq!(people["total"], 4);
    assert!(!people.to_string().contains("argon2") && !people.to_string().contains("password"));
    for token in [&lead, &viewer] {
        get(site, "/api/v1/people", token).await.problem(StatusCode::FORBIDDEN);
    }
    let two = get(site, "/api/v1/people?per_page=2&page=2", &admin_token).await.json();
    assert_eq!(names(&two), ["Otto Other", "Vera Viewer"]);
}

async fn plan_titles_goals_and_suggestions_follow_the_plan_page(site: &Site) {
    let (admin, _) = site.person(None, Role::Admin, "Ada Admin").await;
    let (_, lead) = site.person(Some(&admin), Role::Lead, "Lea Lead").await;
    let (_, other) = site.person(Some(&admin), Role::Lead, "Otto Other").await;
    let (_, viewer) = site.person(Some(&admin), Role::Viewer, "Vera Viewer").await;
    post(site, "/api/v1/teams", &lead, json!({"name": "Platform"})).await;
    post(site, "/api/v1/teams", &other, json!({"name": "Elsewhere"})).await;
    let plan = "/api/v1/teams/Platform/plan";
    let add = |title: &str| {
        let title = title.to_string();
        let lead = lead.clone();
        async move {
            let reply = post(
                site,
                &format!("{plan}/actions"),
                &lead,
                json!({"title": title, "statements": ["decision-making.2.1"]}),
            )
            .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
            reply.json()["id"].as_i64().expect("id")
        }
    };
    let first = add("Write decision records").await;
    let second = add("Keep a changelog").await;
    let edit = |token: &str, path: String, body: Value| {
        let token = token.to_string();
        async move { call(site, Method::PATCH, &path, Some(&token), Some(body)).await }
    };
    let at = |id: i64| format!("{plan}/actions/{id}");
    let titles = || async {
        get(site, plan, &lead).await.json()["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .map(|a| a["title"].as_str().expect("title").to_string())
            .collect::<Vec<_>>()
    };

    // A title is renamed by the rules the plan page applies: trimmed, one
    // line, no invisible characters, not another action's title.
    let renamed = edit(&lead, at(first), json!({"title": "  Record every decision  "})).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(renamed.json()["title"], "Record every decision");
    assert_eq!(renamed.json()["status"], "todo", "only the title changed");
    for (body, named) in [
        (json!({"title": "   "}), "title"),
        (json!({"title": "x".repeat(501)}), "500"),
        (json!({"title": "two\nlines"}), "title"),
        (json!({"title": "Hidden\u{200B}space"}), "U+200B"),
        (json!({"title": "Fine", "status": "someday"}), "status"),
    ] {
        let detail = edit(&lead, at(first), body.clone())
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(detail.contains(named), "{body}: {detail}");
    }
    let detail = edit(&lead, at(second), json!({"title": "record EVERY decision"}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains(&format!("action #{first}")), "{detail}");
    assert_eq!(titles().await, ["Record every decision", "Keep a changelog"]);
    // Nobody else renames it: another team's lead, through their team or
    // this one, and the viewer.
    edit(&other, at(first), json!({"title": "Mine now"}))
        .await
        .problem(StatusCode::FORBIDDEN);
    edit(
        &other,
        format!("/api/v1/teams/Elsewhere/plan/actions/{first}"),
        json!({"title": "Mine now"}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    edit(&viewer, at(first), json!({"title": "Mine now"}))
        .await
        .problem(StatusCode::FORBIDDEN);
    call(
        site,
        Method::PATCH,
        &at(first),
        None,
        Some(json!({"title": "Mine now"})),
    )
    .await
    .problem(StatusCode::UNAUTHORIZED);
    assert_eq!(titles().await, ["Record every decision", "Keep a changelog"]);

    // A goal is removed as on the plan page.
    let goal = post(
        site,
        &format!("{plan}/goals"),
        &lead,
        json!({"area": "documentation", "level": 2, "by": "2030-06-30"}),
    )
    .await;
    assert_eq!(goal.status, StatusCode::CREATED, "{}", goal.text);
    let remove = format!("{plan}/goals/documentation");
    for token in [&other, &viewer] {
        call(site, Method::DELETE, &remove, Some(token), None)
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    call(site, Method::DELETE, &remove, None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    call(
        site,
        Method::DELETE,
        &format!("{plan}/goals/nowhere"),
        Some(&lead),
        None,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        get(site, plan, &viewer).await.json()["goals"].as_array().map(Vec::len),
        Some(1)
    );
    let removed = call(site, Method::DELETE, &remove, Some(&lead), None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    call(site, Method::DELETE, &remove, Some(&lead), None)
        .await
        .problem(StatusCode::NOT_FOUND);
    assert_eq!(get(site, plan, &viewer).await.json()["goals"], json!([]));

    // Suggestions come from a result; the one accepted must be the one read.
    let suggestions = format!("{plan}/suggestions");
    let detail = get(site, &suggestions, &lead).await.problem(StatusCode::CONFLICT);
    assert!(detail.contains("no result yet"), "{detail}");
    let (id, tokens) = open_for(site, &lead, "Platform", "quick", 3).await;
    for token in &tokens {
        answer_all(site, token, 1).await;
    }
    post(site, &format!("/api/v1/rounds/{id}/close"), &lead, json!({})).await;
    get(site, &suggestions, &other).await.problem(StatusCode::FORBIDDEN);
    let offered = get(site, &suggestions, &viewer).await;
    assert_eq!(offered.status, StatusCode::OK, "{}", offered.text);
    let offered = offered.json();
    let candidate = offered["candidates"][0].clone();
    let title = candidate["title"].as_str().expect("a candidate").to_string();
    assert!(candidate["planned"].is_null(), "{candidate}");
    let accept = format!("{suggestions}/accept");
    let count = || async { titles().await.len() };
    assert_eq!(count().await, 2);
    let detail = post(site, &accept, &lead, json!({"number": 1, "title": "Something else"}))
        .await
        .problem(StatusCode::CONFLICT);
    assert!(detail.contains("changed"), "{detail}");
    post(site, &accept, &lead, json!({"number": 0, "title": title}))
        .await
        .problem(StatusCode::CONFLICT);
    for token in [&other, &viewer] {
        post(site, &accept, token, json!({"number": 1, "title": title}))
            .await
            .problem(StatusCode::FORBIDDEN);
    }
    call(
        site,
        Method::POST,
        &accept,
        None,
        Some(json!({"number": 1, "title": title})),
    )
    .await
    .problem(StatusCode::UNAUTHORIZED);
    assert_eq!(count().await, 2, "nothing was added");
    let accepted = post(site, &accept, &lead, json!({"number": 1, "title": title})).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);
    let action = accepted.json();
    assert_eq!(
        (action["title"].as_str(), action["status"].as_str()),
        (Some(title.as_str()), Some("todo")),
        "{action}"
    );
    assert_eq!(action["statements"], json!([candidate["statement"]]), "{action}");
    let again = get(site, &suggestions, &lead).await.json();
    assert_eq!(again["candidates"][0]["planned"], action["id"], "{again}");
    post(site, &accept, &lead, json!({"number": 1, "title": title}))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count().await, 3);
}

/// Every item of a paged list, following `next` links from `first`; the
/// pages' bodies too.
async fn every_page(site: &Site, first: &str, token: &str) -> (Vec<Value>, Vec<Value>) {
    let mut items = Vec::new();
    let mut bodies = Vec::new();
    let mut next = Some(first.to_string());
    while let Some(path) = next {
        let reply = get(site, &path, token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let body = reply.json();
        items.extend(body["items"].as_array().expect("items").iter().cloned());
        bodies.push(body);
        let link = reply.headers["link"].to_str().expect("link").to_string();
        next = link
            .split(", ")
            .find(|l| l.ends_with("rel=\"next\""))
            .map(|l| l.trim_start_matches('<').split('>').next().expect("uri").to_string());
    }
    (items, bodies)
}

async fn rounds_and_tokens_are_paged_by_the_database_in_their_order(site: &Site) {
    let (admin, token) = site.person(None, Role::Admin, "Ada Admin").await;
    post(site, "/api/v1/teams", &token, json!({"name": "Platform"})).await;
    post(site, "/api/v1/teams", &token, json!({"name": "Quiet"})).await;
    let mut opened = Vec::new();
    for _ in 0..5 {
        let reply = post(site, "/api/v1/teams/Platform/rounds", &token, json!({"links": 1})).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let id = reply.json()["round"]["id"].as_i64().expect("id");
        post(site, &format!("/api/v1/rounds/{id}/close"), &token, json!({})).await;
        opened.push(id);
    }
    let (items, bodies) = every_page(site, "/api/v1/teams/Platform/rounds?per_page=2", &token).await;
    let ids: Vec<i64> = items.iter().map(|r| r["id"].as_i64().expect("id")).collect();
    let newest_first: Vec<i64> = opened.iter().rev().copied().collect();
    assert_eq!(ids, newest_first, "every round once, newest first, across the pages");
    assert_eq!(bodies.len(), 3);
    for (n, body) in bodies.iter().enumerate() {
        assert_eq!(
            (
                body["page"].as_u64(),
                body["per_page"].as_u64(),
                body["total"].as_u64(),
                body["pages"].as_u64()
            ),
            (Some(n as u64 + 1), Some(2), Some(5), Some(3)),
            "{body}"
        );
    }
    assert!(items.iter().all(|r| r["team"] == "Platform" && r["state"] == "closed"));
    // The same rounds as the whole list in one page.
    let whole = get(site, "/api/v1/teams/Platform/rounds?per_page=100", &token)
        .await
        .json();
    assert_eq!(whole["items"], json!(items));
    let past = get(site, "/api/v1/teams/Platform/rounds?page=4&per_page=2", &token).await;
    let past_body = past.json();
    assert_eq!(
        (
            past_body["items"].as_array().map(Vec::len),
            past_body["total"].as_u64(),
            past_body["pages"].as_u64()
        ),
        (Some(0), Some(5), Some(3))
    );
    let link = past.headers["link"].to_str().expect("link").to_string();
    assert!(link.contains("page=3&per_page=2>; rel=\"prev\""), "{link}");
    assert!(!link.contains("rel=\"next\""), "{link}");
    let empty = get(site, "/api/v1/teams/Quiet/rounds", &token).await.json();
    assert_eq!(
        (
            empty["items"].as_array().map(Vec::len),
            empty["total"].as_u64(),
            empty["pages"].as_u64()
        ),
        (Some(0), Some(0), Some(1))
    );
    for bad in ["page=0", "per_page=0", "per_page=101"] {
        get(site, &format!("/api/v1/teams/Platform/rounds?{bad}"), &token)
            .await
            .problem(StatusCode::BAD_REQUEST);
        get(site, &format!("/api/v1/tokens?{bad}"), &token)
            .await
            .problem(StatusCode::BAD_REQUEST);
    }

    // Tokens: the caller's own, newest first, revoked ones included.
    let app = site.app().await;
    for name in ["second", "third", "fourth", "fifth"] {
        app.create_api_token(&admin, name, &mut OsRandom).await.expect("token");
    }
    let listed = app.api_tokens(&admin).await.expect("tokens");
    app.revoke_api_token(&admin, listed[1].id).await.expect("revoke");
    let (items, bodies) = every_page(site, "/api/v1/tokens?per_page=2", &token).await;
    let listed: Vec<&str> = items.iter().map(|t| t["name"].as_str().expect("name")).collect();
    assert_eq!(listed, ["fifth", "fourth", "third", "second", "tests"]);
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| b["total"] == 5 && b["pages"] == 3), "{bodies:?}");
    assert!(
        items[1]["revoked_at"].is_string() && items[0]["revoked_at"].is_null(),
        "{items:?}"
    );
    // Another person's tokens are not in it.
    let (_, theirs) = site.person(Some(&admin), Role::Viewer, "Vera Viewer").await;
    let seen = get(site, "/api/v1/tokens", &theirs).await.json();
    assert_eq!(
        (seen["total"].as_u64(), names(&seen)),
        (Some(1), vec!["tests".to_string()])
    );
}
