//! Two `asyncmm serve` processes over one database, as when an organisation
//! runs several instances behind a load balancer: a person who signs in on
//! one is signed in on the other, sees the same data there, and signing
//! out everywhere on one signs them out of both. Always on a shared SQLite
//! file; on PostgreSQL (the store for several instances) when
//! `ASYNCMM_TEST_POSTGRES_URL` is set, saying so loudly when it is not.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{Env, PgDatabase};

/// A running `asyncmm serve`, stopped with SIGTERM when dropped.
struct Instance {
    child: Child,
    base: String,
    setup_link: Option<String>,
}

impl Instance {
    /// Starts `serve` on a free port and waits until it says where it
    /// listens (and, with no account yet, prints its set-up link).
    fn start(database: &str) -> Instance {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asyncmm"))
            .env_remove("ASYNCMM_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .args(["--database", database, "serve", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut setup_link = None;
        let mut base = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("serve's output");
            let line = line.trim();
            if line.contains("/invite/") {
                setup_link = Some(line.to_string());
            }
            if let Some(url) = line.strip_prefix("asyncmm is listening on ") {
                base = Some(url.to_string());
                break;
            }
        }
        let base = base.expect("serve said where it listens before exiting");
        Instance {
            child,
            base,
            setup_link,
        }
    }

    /// Asks the process to stop as the service manager does; it must exit
    /// cleanly.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(sent.success());
        let status = self.child.wait().expect("serve exits");
        assert!(status.success(), "serve exits cleanly on SIGTERM: {status}");
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser that keeps its cookies across both instances: cookies belong
/// to the host, not the port, so a browser moving between two instances on
/// one host (or behind one load balancer) sends the same cookies to both.
struct Browser {
    agent: ureq::Agent,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new() -> Browser {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Browser {
            agent,
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &ureq::http::Response<ureq::Body>) {
        for header in response.headers().get_all("set-cookie") {
            let text = header.to_str().expect("ASCII cookie");
            let pair = text.split(';').next().unwrap_or("");
            let (name, value) = pair.split_once('=').expect("name=value");
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
    }

    /// Status, `Location` and body of a GET.
    fn get(&mut self, url: &str) -> (u16, String, String) {
        let mut response = self
            .agent
            .get(url)
            .header("cookie", self.cookie_header())
            .call()
            .expect("GET answered");
        self.finish(&mut response)
    }

    /// Status, `Location` and body of a form POST.
    fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut response = self
            .agent
            .post(url)
            .header("cookie", self.cookie_header())
            .send_form(fields.iter().copied())
            .expect("POST answered");
        self.finish(&mut response)
    }

    fn finish(&mut self, response: &mut ureq::http::Response<ureq::Body>) -> (u16, String, String) {
        self.keep_cookies(response);
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = response.body_mut().read_to_string().expect("body");
        (response.status().as_u16(), location, body)
    }
}

/// The form token in a page.
fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form token in the page") + 19;
    html[at..].split('"').next().expect("value").to_string()
}

const PASSWORD: &str = "correct horse battery";

fn a_person_moves_between_two_instances(database: &str) {
    let first = Instance::start(database);
    let second = Instance::start(database);
    assert_ne!(first.base, second.base, "two instances on two ports");
    let link = first.setup_link.clone().expect("a set-up link while no account exists");
    assert!(link.starts_with(&first.base), "{link}");

    // Set up the admin on the first instance.
    let mut browser = Browser::new();
    let (status, _, page) = browser.get(&link);
    assert_eq!(status, 200, "{page}");
    let (status, location, page) = browser.post(
        &link,
        &[
            ("csrf", &csrf(&page)),
            ("name", "Ada Admin"),
            ("password", PASSWORD),
            ("repeat", PASSWORD),
        ],
    );
    assert_eq!(status, 303, "{page}");
    assert_eq!(location, "/teams");

    // Create a team there.
    let (status, _, page) = browser.get(&format!("{}/teams", first.base));
    assert_eq!(status, 200, "signed in on the first instance: {page}");
    let (status, _, page) = browser.post(
        &format!("{}/teams", first.base),
        &[("csrf", &csrf(&page)), ("name", "Platform"), ("parent", "")],
    );
    assert_eq!(status, 303, "team created: {page}");

    // The second instance knows the session and shows the team.
    let (status, _, page) = browser.get(&format!("{}/teams", second.base));
    assert_eq!(status, 200, "the session holds on the second instance: {page}");
    assert!(page.contains("Platform"), "the second instance shows the team: {page}");
    assert!(page.contains("Ada Admin"), "{page}");

    // A team made on the second instance shows on the first.
    let (status, _, page) = browser.post(
        &format!("{}/teams", second.base),
        &[("csrf", &csrf(&page)), ("name", "Payments"), ("parent", "")],
    );
    assert_eq!(status, 303, "team created on the second instance: {page}");
    let (_, _, page) = browser.get(&format!("{}/teams", first.base));
    assert!(page.contains("Payments"), "{page}");

    // Signing out everywhere on the second ends the session on both, even
    // for a copy of the cookie kept from before.
    let (_, _, page) = browser.get(&format!("{}/teams", second.base));
    let mut stale = Browser::new();
    stale.cookies = browser.cookies.clone();
    let (status, _, _) = browser.post(&format!("{}/logout/everywhere", second.base), &[("csrf", &csrf(&page))]);
    assert_eq!(status, 303);
    for base in [&first.base, &second.base] {
        let (status, location, page) = stale.get(&format!("{base}/teams"));
        assert_eq!(status, 303, "signed out on {base}: {page}");
        assert!(location.starts_with("/login"), "{location}");
    }

    first.stop();
    second.stop();
}

#[test]
fn two_instances_on_one_sqlite_file_share_sessions_and_data() {
    let env = Env::new();
    a_person_moves_between_two_instances(&env.database);
}

#[test]
fn two_instances_on_postgresql_share_sessions_and_data() {
    let Some(db) = PgDatabase::create("serve") else {
        return;
    };
    a_person_moves_between_two_instances(&db.url);
}
