//! Liveness and readiness for load balancers and orchestrators: `/healthz`
//! answers while the process runs; `/readyz` also checks that the database
//! answers (opening the use cases reads it).

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

pub(crate) async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.app().await {
        Ok(_) => (StatusCode::OK, "ready\n"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer\n")
        }
    }
}
