//! The whole product in a real browser: Debian's chromium driven through
//! chromedriver (WebDriver). Set-up link → admin password → team → round →
//! five respondents, each in a browser session of their own → close → the
//! result page shows the median and the chart. Then the accessibility
//! check: axe-core (the npm package, injected through WebDriver) runs on
//! every main page of a demo organisation, on a desktop and a phone width,
//! and finds no serious or critical violation. Without chromium and
//! chromedriver, or without axe-core (`ASYNCMM_AXE_JS` names its
//! `axe.min.js`), a test says so loudly and passes; CI installs and fetches
//! all three, and there a missing axe-core fails.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use asyncmm_app::{App, OsRandom};
use asyncmm_store::Store;
use asyncmm_web::{Config, Server};
use serde_json::{Value, json};
use time::OffsetDateTime;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find(names: &[&str]) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate.display().to_string());
            }
        }
    }
    None
}

/// A browser session over the W3C WebDriver protocol (plain JSON over
/// HTTP), enough for these tests.
struct Client {
    http: reqwest::Client,
    session: String,
}

/// The CSS selector strategy of WebDriver.
struct Locator;

#[allow(non_snake_case)]
impl Locator {
    fn Css(selector: &str) -> Value {
        json!({"using": "css selector", "value": selector})
    }
}

impl Client {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{}", self.session, path);
        let mut request = self.http.request(method, &url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let ok = response.status().is_success();
        let value: Value = response.json().await.map_err(|e| e.to_string())?;
        if ok {
            Ok(value["value"].clone())
        } else {
            Err(value.to_string())
        }
    }

    async fn goto(&self, url: &str) -> Result<(), String> {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await
            .map(drop)
    }

    async fn source(&self) -> Result<String, String> {
        let v = self.call(reqwest::Method::GET, "/source", None).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    async fn find(&self, locator: Value) -> Result<Element<'_>, String> {
        let v = self.call(reqwest::Method::POST, "/element", Some(locator)).await?;
        element(self, &v)
    }

    async fn find_all(&self, locator: Value) -> Result<Vec<Element<'_>>, String> {
        let v = self.call(reqwest::Method::POST, "/elements", Some(locator)).await?;
        v.as_array()
            .map(|a| a.iter().map(|e| element(self, e)).collect())
            .unwrap_or(Ok(Vec::new()))
    }

    async fn set_window_size(&self, width: u32, height: u32) -> Result<(), String> {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await
        .map(drop)
    }

    async fn screenshot(&self) -> Result<Vec<u8>, String> {
        use base64::Engine as _;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())
    }

    /// Runs `script` in the page (a function body; `arguments` are `args`).
    async fn execute(&self, script: &str, args: Value) -> Result<Value, String> {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Runs `script`, which calls its last argument with the result.
    async fn execute_async(&self, script: &str, args: Value) -> Result<Value, String> {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    async fn set_script_timeout(&self, millis: u64) -> Result<(), String> {
        self.call(reqwest::Method::POST, "/timeouts", Some(json!({"script": millis})))
            .await
            .map(drop)
    }

    async fn close(self) -> Result<(), String> {
        self.call(reqwest::Method::DELETE, "", None).await.map(drop)
    }
}

struct Element<'c> {
    client: &'c Client,
    id: String,
}

fn element<'c>(client: &'c Client, v: &Value) -> Result<Element<'c>, String> {
    v.as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .map(|id| Element {
            client,
            id: id.to_string(),
        })
        .ok_or_else(|| format!("not an element: {v}"))
}

impl Element<'_> {
    async fn click(&self) -> Result<(), String> {
        self.client
            .call(
                reqwest::Method::POST,
                &format!("/element/{}/click", self.id),
                Some(json!({})),
            )
            .await
            .map(drop)
    }

    async fn send_keys(&self, text: &str) -> Result<(), String> {
        self.client
            .call(
                reqwest::Method::POST,
                &format!("/element/{}/value", self.id),
                Some(json!({"text": text})),
            )
            .await
            .map(drop)
    }

    async fn clear(&self) -> Result<(), String> {
        self.client
            .call(
                reqwest::Method::POST,
                &format!("/element/{}/clear", self.id),
                Some(json!({})),
            )
            .await
            .map(drop)
    }

    async fn text(&self) -> Result<String, String> {
        let v = self
            .client
            .call(reqwest::Method::GET, &format!("/element/{}/text", self.id), None)
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }
}

async fn browser(port: u16) -> Client {
    let http = reqwest::Client::new();
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=390,900"]
    }}}});
    let response: Value = http
        .post(format!("http://127.0.0.1:{port}/session"))
        .json(&caps)
        .send()
        .await
        .expect("chromedriver answers")
        .json()
        .await
        .expect("json");
    let id = response["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {response}"));
    Client {
        http,
        session: format!("http://127.0.0.1:{port}/session/{id}"),
    }
}

/// With `ASYNCMM_SCREENSHOTS=DIR`, saves the page as seen on a desktop
/// (1280 px) and on a phone (390 px), for people to look at.
async fn shot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("ASYNCMM_SCREENSHOTS") else {
        return;
    };
    for (width, height) in [(1280, 900), (390, 844)] {
        client.set_window_size(width, height).await.expect("resize");
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}-{width}.png")), png).expect("save");
    }
}

/// The page once it contains `text` (waiting up to five seconds for a
/// navigation to finish); fails with the page otherwise.
async fn page_with(client: &Client, text: &str) -> String {
    let mut page = String::new();
    for _ in 0..25 {
        page = client.source().await.unwrap_or_default();
        if page.contains(text) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no {text:?} in the page:\n{page}");
}

/// Clicks the element `css` selects; retried briefly, since the element
/// found may belong to the page that is just being replaced.
async fn submit(client: &Client, css: &str) {
    let mut last = String::new();
    for _ in 0..10 {
        match client.find(Locator::Css(css)).await {
            Ok(element) => match element.click().await {
                Ok(()) => return,
                Err(e) => last = e,
            },
            Err(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{css}: {last}");
}

/// Types into the element `css` selects; retried briefly, as in
/// [`submit`], since the page may still be loading or being replaced.
async fn fill(client: &Client, css: &str, text: &str) {
    let mut last = String::new();
    for _ in 0..25 {
        match client.find(Locator::Css(css)).await {
            Ok(element) => match element.send_keys(text).await {
                Ok(()) => return,
                Err(e) => last = e,
            },
            Err(e) => last = e,
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{css}: {last}");
}

/// Starts chromedriver on a free port, or says loudly why the test is
/// skipped (no chromium or chromedriver on the machine).
async fn start_driver(test: &str) -> Option<(Driver, u16)> {
    let (Some(driver), Some(_)) = (find(&["chromedriver"]), find(&["chromium", "chromium-browser"])) else {
        eprintln!(
            "\n*** SKIPPED: {test} needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver) ***\n"
        );
        return None;
    };
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.local_addr().expect("addr").port()
    };
    let driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    Some((driver, port))
}

/// A site over a fresh SQLite database in `dir`: its address and store.
async fn site(dir: &std::path::Path) -> (String, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::from(
        asyncmm_store::connect(&dir.join("b.db").display().to_string())
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
    (base, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_from_set_up_to_result_in_chromium() {
    let Some((_driver, port)) = start_driver("the browser test").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (base, store) = site(dir.path()).await;
    let app = App::new(store.as_ref(), OffsetDateTime::now_utc()).await.expect("app");
    let setup = format!(
        "{base}/invite/{}",
        app.setup_link(&mut OsRandom)
            .await
            .expect("link")
            .expect("new")
            .reveal()
    );

    let admin = browser(port).await;
    admin.goto(&setup).await.expect("open set-up link");
    shot(&admin, "setup").await;
    fill(&admin, "#name", "Ada").await;
    fill(&admin, "#password", "correct horse battery").await;
    fill(&admin, "#repeat", "correct horse battery").await;
    submit(&admin, "form.stack button[type=submit]").await;
    shot(&admin, "teams-empty").await;
    fill(&admin, "#name", "Platform").await;
    submit(&admin, "form[action='/teams'] button[type=submit]").await;
    page_with(&admin, "<h1><bdi>Platform</bdi>").await;
    // A team without rounds shows the form to open one already unfolded.
    shot(&admin, "team-new").await;
    let k = admin.find(Locator::Css("#tokens")).await.expect("count");
    k.clear().await.expect("clear");
    k.send_keys("5").await.expect("type");
    submit(&admin, "form[action$='/rounds'] button[type=submit]").await;
    // The links are read from the page the form leads to: wait for it.
    page_with(&admin, "<li class=\"token\">").await;
    let mut links = Vec::new();
    for item in admin.find_all(Locator::Css("li.token")).await.expect("links") {
        links.push(item.text().await.expect("text"));
    }
    assert_eq!(links.len(), 5);
    shot(&admin, "round-opened").await;

    for (i, link) in links.iter().enumerate() {
        let respondent = browser(port).await;
        respondent.goto(link).await.expect("open link");
        page_with(&respondent, "anonymous").await;
        if i == 0 {
            shot(&respondent, "respond-intro").await;
        }
        submit(&respondent, "a.button").await;
        for page in 0..5 {
            // Answer the page that is shown, not the one being replaced.
            page_with(&respondent, &format!("<span>Page {} of 5</span>", page + 1)).await;
            if i == 0 && page == 0 {
                shot(&respondent, "respond-page").await;
            }
            let level = if i < 3 { "2" } else { "3" };
            submit(&respondent, &format!("input[type=radio][value='{level}']")).await;
            submit(&respondent, "button[value=next]").await;
        }
        page_with(&respondent, "Thank you").await;
        if i == 0 {
            shot(&respondent, "respond-done").await;
        }
        respondent.close().await.expect("close");
    }

    submit(&admin, "a.button.secondary[href^='/rounds/']").await;
    page_with(&admin, "<strong>5</strong>").await;
    shot(&admin, "round-open").await;
    submit(&admin, "form[action$='/close'] button").await;
    let result = page_with(&admin, "Median").await;
    assert!(result.contains("Median"), "the result table");
    assert!(result.contains("2.00"), "median of 2, 2, 2, 3, 3");
    assert!(result.contains("<svg"), "the radar chart");
    shot(&admin, "round-result").await;
    admin.goto(&format!("{base}/teams/Platform")).await.expect("team");
    shot(&admin, "team").await;
    admin.goto(&format!("{base}/org")).await.expect("org");
    shot(&admin, "org").await;
    admin.goto(&format!("{base}/people")).await.expect("people");
    shot(&admin, "people").await;
    admin.close().await.expect("close");
}

/// axe-core's script, from the file `ASYNCMM_AXE_JS` names (CI fetches the
/// npm package `axe-core` and points there). `None`, said loudly, without
/// it; on CI (`CI` set) a missing file fails the test instead.
fn axe_source() -> Option<String> {
    let path = std::env::var_os("ASYNCMM_AXE_JS").filter(|p| !p.is_empty());
    match path.as_ref().map(std::fs::read_to_string) {
        Some(Ok(source)) => Some(source),
        found => {
            let why = match found {
                Some(Err(e)) => format!("ASYNCMM_AXE_JS could not be read: {e}"),
                _ => "ASYNCMM_AXE_JS is not set".to_string(),
            };
            assert!(
                std::env::var_os("CI").is_none(),
                "the accessibility check needs axe-core on CI: {why} (npm pack axe-core; point ASYNCMM_AXE_JS at \
                 package/axe.min.js)"
            );
            eprintln!(
                "\n*** SKIPPED: the accessibility check needs axe-core: {why} (npm pack axe-core, then set \
                 ASYNCMM_AXE_JS to package/axe.min.js) ***\n"
            );
            None
        }
    }
}

/// Runs axe-core on the page shown and returns its serious and critical
/// violations, one line each with the elements concerned.
async fn axe_violations(client: &Client, axe: &str, page: &str) -> Vec<String> {
    let loaded = client
        .execute(&format!("{axe}\n;return typeof window.axe;"), json!([]))
        .await
        .unwrap_or_else(|e| panic!("{page}: axe-core could not be injected: {e}"));
    assert_eq!(loaded, json!("object"), "{page}: axe-core did not load");
    let script = "const done = arguments[arguments.length - 1];
        window.axe.run(document, {resultTypes: ['violations']})
          .then(r => done(r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' +
                 v.nodes.slice(0, 6).map(n => n.target.join(' ') + ' (' +
                   (n.failureSummary || '').replace(/\\s+/g, ' ') + ')').join('; '))))
          .catch(e => done(['axe-core failed: ' + e]));";
    let found = client
        .execute_async(script, json!([]))
        .await
        .unwrap_or_else(|e| panic!("{page}: axe-core did not run: {e}"));
    found
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| format!("{page}: {}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// The main pages, filled with the demo organisation, as signed-in lead,
/// signed-out visitor and respondent: axe-core finds no serious or
/// critical accessibility violation on any of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_pages_have_no_serious_accessibility_violations() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some((_driver, port)) = start_driver("the accessibility check").await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (base, store) = site(dir.path()).await;
    let app = App::new(store.as_ref(), OffsetDateTime::now_utc()).await.expect("app");
    let demo = asyncmm_app::demo::seed(&app, &mut OsRandom)
        .await
        .expect("demo organisation");
    let result = demo
        .closed_rounds
        .iter()
        .rev()
        .find(|r| r.team == "Platform")
        .expect("a closed Platform round")
        .id;
    let hidden = demo
        .closed_rounds
        .iter()
        .find(|r| r.below_k)
        .expect("a round below k")
        .id;
    let open = demo.open_round.id;
    let token = demo.unused_tokens.first().expect("an unused answer link").reveal();
    let shared = app
        .share_round(open, &mut OsRandom)
        .await
        .expect("shared link")
        .reveal();
    let setup = app
        .setup_link(&mut OsRandom)
        .await
        .expect("link")
        .expect("new")
        .reveal();

    let client = browser(port).await;
    client.set_script_timeout(60_000).await.expect("timeout");
    client.set_window_size(1280, 900).await.expect("resize");
    let mut violations = Vec::new();

    // Signed out: the sign-in page, the set-up page, the respondent's pages.
    for (name, path, marker) in [
        ("login", "/login".to_string(), "<h1"),
        ("respondent intro", format!("/r/{token}"), "anonymous"),
        ("respondent page", format!("/r/{token}/1"), "Page 1 of 5"),
        ("shared link", format!("/s/{shared}"), "asks for your answers"),
        ("set-up", format!("/invite/{setup}"), "<h1"),
    ] {
        client.goto(&format!("{base}{path}")).await.expect("open");
        page_with(&client, marker).await;
        violations.extend(axe_violations(&client, &axe, name).await);
    }
    fill(&client, "#name", "Ada").await;
    fill(&client, "#password", "correct horse battery").await;
    fill(&client, "#repeat", "correct horse battery").await;
    submit(&client, "form.stack button[type=submit]").await;
    page_with(&client, "<h1>Teams</h1>").await;

    // Signed in, over the demo organisation.
    for (name, path, marker) in [
        ("teams", "/teams".to_string(), "<h1>Teams</h1>"),
        ("team", "/teams/Platform".to_string(), "<h1><bdi>Platform</bdi>"),
        ("open round", format!("/rounds/{open}"), "<h1"),
        ("results", format!("/rounds/{result}"), "Median"),
        ("round below k", format!("/rounds/{hidden}"), "<h1"),
        ("plan", "/teams/Platform/plan".to_string(), "<h1"),
        ("org", "/org".to_string(), "<h1"),
        ("org trends", "/org/trends".to_string(), "<h1"),
        ("people", "/people".to_string(), "<h1"),
        ("account", "/account".to_string(), "<h1"),
    ] {
        client.goto(&format!("{base}{path}")).await.expect("open");
        page_with(&client, marker).await;
        violations.extend(axe_violations(&client, &axe, name).await);
        // The same page on a phone.
        client.set_window_size(390, 844).await.expect("resize");
        violations.extend(axe_violations(&client, &axe, &format!("{name} (phone)")).await);
        client.set_window_size(1280, 900).await.expect("resize");
    }
    client.close().await.expect("close");
    assert!(
        violations.is_empty(),
        "serious or critical accessibility violations:\n{}",
        violations.join("\n")
    );
}
