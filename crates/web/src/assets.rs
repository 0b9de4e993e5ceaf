//! Static assets, embedded in the binary so the server is one file: the
//! stylesheet. There is no script: every page works without JavaScript.

use axum::http::header;
use axum::response::IntoResponse;

const STYLE: &str = include_str!("../static/style.css");

pub(crate) async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}
