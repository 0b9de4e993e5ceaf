//! Binding, routing and running the server: request ids on every request
//! and in every log line of it, security headers, and a graceful shutdown
//! that lets requests in flight finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use asyncmm_store::Store;
use axum::Router;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// How the server is set up, checked once before it starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen, e.g. `127.0.0.1:7878` (port 0: any free port).
    pub bind: SocketAddr,
    /// The address people reach the site at, for links printed on the
    /// console (default: `http://` + the bound address). An `https://`
    /// address makes cookies `Secure`.
    pub public_url: Option<String>,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error(transparent)]
    App(#[from] asyncmm_app::AppError),
}

/// A server bound to its address, not yet answering.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
    public_url: String,
    store: Arc<dyn Store>,
}

/// How often the server seals rounds that closed by date. Every use case
/// but a respondent's seals before it reads anything, so this only bounds
/// how long a closed round's token links outlive its closing day when
/// nobody but respondents uses the site.
const SEAL_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Seals rounds that closed by date, every [`SEAL_EVERY`], until dropped.
async fn seal_on_a_timer(store: Arc<dyn Store>) {
    let mut every = tokio::time::interval(SEAL_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        // `App::new` seals; the app itself isn't needed.
        if let Err(e) = asyncmm_app::App::new(store.as_ref(), time::OffsetDateTime::now_utc()).await {
            tracing::warn!(error = %e, "sealing the rounds that closed by date failed; trying again in a minute");
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids: a per-process prefix and a counter, short enough to read
/// in logs, unique across restarts and instances in practice.
#[derive(Clone)]
struct Ids {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl MakeRequestId for Ids {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.prefix).parse().ok().map(RequestId::new)
    }
}

fn ids() -> Ids {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let prefix = format!("{:x}{:04x}", (nanos as u64) & 0xffff_ffff, std::process::id() & 0xffff);
    Ids {
        prefix: prefix.into(),
        next: Arc::new(AtomicU64::new(1)),
    }
}

/// The path as logs show it: the secret of a respondent, shared or
/// invitation link is replaced (the path only: a query string is never
/// logged).
fn loggable(path: &str) -> String {
    for prefix in ["/r/", "/s/", "/invite/", "/api/v1/respond/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}…{tail}");
        }
    }
    path.to_string()
}

/// Every route of the site, with its layers.
pub(crate) fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let id = request
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", id = %id, method = %request.method(), path = %loggable(request.uri().path()))
    });
    Router::new()
        .route("/healthz", get(crate::health::healthz))
        .route("/readyz", get(crate::health::readyz))
        .route("/static/style.css", get(crate::assets::style))
        .merge(crate::pages::router())
        .merge(crate::api::router())
        .merge(crate::shared::router())
        .fallback(crate::error::not_found)
        .layer(axum::middleware::from_fn(crate::security::headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, ids()))
        .with_state(state)
}

impl Server {
    /// Binds the address and prepares the site over `store`.
    pub async fn bind(config: &Config, store: Arc<dyn Store>) -> Result<Server, ServerError> {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|source| ServerError::Bind {
                addr: config.bind,
                source,
            })?;
        let local = listener.local_addr().map_err(|source| ServerError::Bind {
            addr: config.bind,
            source,
        })?;
        let public_url = config
            .public_url
            .clone()
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("http://{local}"));
        let state = AppState {
            store: store.clone(),
            secure_cookies: public_url.starts_with("https://"),
            public_url: public_url.clone().into(),
            limiter: Arc::default(),
            share_limiter: Arc::default(),
        };
        Ok(Server {
            listener,
            router: router(state),
            public_url,
            store,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// The address people reach the site at.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Answers requests until `shutdown` completes, then stops taking new
    /// connections and waits for the requests in flight.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServerError> {
        let sealer = tokio::spawn(seal_on_a_timer(self.store));
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServerError::Serve);
        sealer.abort();
        served
    }
}

/// Completes on SIGTERM or Ctrl-C: what a service manager or a person at
/// the terminal sends to stop the server.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn secrets_in_paths_never_reach_the_log() {
        assert_eq!(loggable("/r/secret/2"), "/r/…/2");
        assert_eq!(loggable("/s/secret"), "/s/…");
        assert_eq!(loggable("/api/v1/respond/secret"), "/api/v1/respond/…");
        assert_eq!(loggable("/api/v1/rounds/3"), "/api/v1/rounds/3");
    }
}
