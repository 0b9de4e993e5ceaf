//! Who is asking: the session cookie (its secret's hash is looked up by
//! the application layer), the form token every form carries (CSRF), and
//! the rate limits of sign-in and of shared links. Cookies are `HttpOnly`, `SameSite=Lax`, and
//! `Secure` when the site is served over https.
//!
//! Forms of a signed-in person carry the session's form token; forms
//! without a session (sign in, set up, answer) carry a random token that
//! must match a cookie of the same browser (double submit), so another
//! site can't post them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use asyncmm_app::OsRandom;
use asyncmm_app::accounts::SignedIn;
use asyncmm_core::Token;
use asyncmm_core::account::{Role, User};
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::WebError;
use crate::state::AppState;

pub(crate) const SESSION_COOKIE: &str = "asyncmm_session";
pub(crate) const FORM_COOKIE: &str = "asyncmm_form";
/// The form field that carries the form token.
pub(crate) const CSRF_FIELD: &str = "csrf";

/// A cookie's value from the request, if sent.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` header value; `max_age` 0 removes the cookie.
pub(crate) fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    set_cookie_at(state, "/", name, value, max_age)
}

/// A `Set-Cookie` header value sent back only to the pages under `path`.
pub(crate) fn set_cookie_at(state: &AppState, path: &str, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

/// The signed-in person, or a redirect to the sign-in page.
pub(crate) struct Signed(pub SignedIn);

impl Signed {
    pub fn user(&self) -> &User {
        &self.0.user
    }

    /// Refuses a form whose token is not this session's.
    pub fn check(&self, fields: &[(String, String)]) -> Result<(), WebError> {
        let sent = field(fields, CSRF_FIELD).unwrap_or_default();
        if !sent.is_empty() && constant_time_eq(sent.as_bytes(), self.0.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::BadForm)
        }
    }

    /// Only admins pass.
    pub fn admin(&self) -> Result<(), WebError> {
        if self.0.user.role == Role::Admin {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// The value of a form field (the first one with that name).
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Sent when a page needs a signed-in person and there is none.
pub(crate) struct SignInFirst;

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match signed_in(&parts.headers, state).await {
            Ok(Some(signed)) => Ok(Signed(signed)),
            Ok(None) => Err(SignInFirst.into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The session the request's cookie names, if valid.
pub(crate) async fn signed_in(headers: &HeaderMap, state: &AppState) -> Result<Option<SignedIn>, WebError> {
    let Some(secret) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state.caller().signed_in(&secret).await?)
}

/// The browser's anonymous form token: the one its cookie holds, or a new
/// one with the header that sets it.
pub(crate) fn form_token(headers: &HeaderMap, state: &AppState) -> Result<(String, Option<HeaderValue>), WebError> {
    if let Some(existing) = cookie(headers, FORM_COOKIE).filter(|v| Token::parse(v).is_ok()) {
        return Ok((existing, None));
    }
    let mut bytes = [0u8; Token::BYTES];
    asyncmm_app::Random::fill(&mut OsRandom, &mut bytes)?;
    let token = Token::from_random_bytes(bytes).reveal();
    let header = set_cookie(state, FORM_COOKIE, &token, 60 * 60 * 24);
    Ok((token.clone(), Some(header)))
}

/// Refuses an anonymous form whose token does not match the browser's
/// cookie.
pub(crate) fn check_form_token(headers: &HeaderMap, fields: &[(String, String)]) -> Result<(), WebError> {
    let cookie = cookie(headers, FORM_COOKIE).unwrap_or_default();
    let sent = field(fields, CSRF_FIELD).unwrap_or_default();
    if !cookie.is_empty() && constant_time_eq(cookie.as_bytes(), sent.as_bytes()) {
        Ok(())
    } else {
        Err(WebError::BadForm)
    }
}

/// Events counted per key within a window: once a key has `max` of them
/// in the window, it is refused until the window passes. Kept per instance
/// (a restart forgets it); what the login limit and the shared links'
/// limit are made of.
pub(crate) struct Counter {
    max: u32,
    window: Duration,
    counts: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Counter {
    pub fn new(max: u32, window: Duration) -> Counter {
        Counter {
            max,
            window,
            counts: Mutex::default(),
        }
    }

    /// Whether every key may have another event now.
    pub fn allows(&self, keys: &[String]) -> bool {
        let Ok(map) = self.counts.lock() else { return false };
        keys.iter().all(|key| match map.get(key) {
            Some((n, since)) => *n < self.max || since.elapsed() > self.window,
            None => true,
        })
    }

    /// Counts one event for every key.
    pub fn count(&self, keys: &[String]) {
        let Ok(mut map) = self.counts.lock() else { return };
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() <= self.window);
        }
        for key in keys {
            let entry = map.entry(key.clone()).or_insert((0, Instant::now()));
            if entry.1.elapsed() > self.window {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    pub fn forget(&self, key: &str) {
        if let Ok(mut map) = self.counts.lock() {
            map.remove(key);
        }
    }
}

/// The key of a client address.
fn ip_key(ip: Option<IpAddr>) -> String {
    format!("ip:{}", ip.map_or_else(|| "-".to_string(), |i| i.to_string()))
}

/// Sign-in attempts that failed, per client address and per name: after
/// [`LoginLimiter::MAX_FAILURES`] within the window, further attempts are
/// refused until it passes.
pub(crate) struct LoginLimiter(Counter);

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter(Counter::new(Self::MAX_FAILURES, Self::WINDOW))
    }
}

impl LoginLimiter {
    pub const MAX_FAILURES: u32 = 5;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    fn keys(ip: Option<IpAddr>, name: &str) -> [String; 2] {
        [ip_key(ip), format!("name:{}", name.trim().to_lowercase())]
    }

    /// Whether another attempt is allowed now.
    pub fn allows(&self, ip: Option<IpAddr>, name: &str) -> bool {
        self.0.allows(&Self::keys(ip, name))
    }

    pub fn failed(&self, ip: Option<IpAddr>, name: &str) {
        self.0.count(&Self::keys(ip, name));
    }

    pub fn succeeded(&self, ip: Option<IpAddr>, name: &str) {
        self.0.forget(&Self::keys(ip, name)[1]);
    }
}

/// Answer links handed out by shared links, per client address: after
/// [`ShareLimiter::MAX_LINKS`] within the window, a browser without its
/// own link yet is asked to wait. Generous enough for a team behind one
/// office address; a browser coming back to its own link is never counted.
pub(crate) struct ShareLimiter(Counter);

impl Default for ShareLimiter {
    fn default() -> Self {
        ShareLimiter(Counter::new(Self::MAX_LINKS, Self::WINDOW))
    }
}

impl ShareLimiter {
    pub const MAX_LINKS: u32 = 30;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// Whether the client may get another link now.
    pub fn allows(&self, ip: Option<IpAddr>) -> bool {
        self.0.allows(&[ip_key(ip)])
    }

    pub fn issued(&self, ip: Option<IpAddr>) {
        self.0.count(&[ip_key(ip)]);
    }
}

/// Adds `Set-Cookie` headers to a response.
pub(crate) fn with_cookies(mut response: Response, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    for c in cookies {
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}
