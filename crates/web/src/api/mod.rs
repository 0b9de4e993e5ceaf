//! The JSON API under `/api/v1`: what the pages do, for programs.
//!
//! Every route is registered through `utoipa_axum::routes!` from the
//! handler's own `#[utoipa::path]`, so the OpenAPI 3.1 document served at
//! `/api/v1/openapi.json` is built from the same list as the router and
//! can't drift from it. Callers authenticate with a personal API token
//! (`Authorization: Bearer …`, see [`extract`]), except respondents, whose
//! respondent token in the path is their credential ([`respond`]); every
//! error is an RFC 9457 problem document ([`problem`]); lists are paged
//! with `page` and `per_page`, with a `Link` header. Like the pages, handlers only parse
//! requests and call the application layer's use cases.
//!
//! | module | routes |
//! | --- | --- |
//! | [`teams`] | `/teams`, `/teams/{name}`, `/teams/{name}/history`, `/teams/{name}/archive` |
//! | [`rounds`] | `/teams/{name}/rounds`, `/rounds/{id}` (k too), `/rounds/{id}/close`, `/rounds/{id}/reopen`, `/rounds/{id}/shared-link`, `/rounds/{id}/links`, `/rounds/{id}/results` |
//! | [`plans`] | `/teams/{name}/plan`, its goals, actions and suggestions |
//! | [`org`] | `/me`, `/org/summary`, `/org/report`, `/org/trends`, `/export` |
//! | [`people`] | `/people`: the accounts, for admins |
//! | [`tokens`] | `/tokens`, `/tokens/{id}`: the caller's own tokens |
//! | [`respond`] | `/respond/{token}`: a respondent's round and answers, with the respondent token as credential |

pub(crate) mod extract;
pub(crate) mod org;
pub(crate) mod people;
pub(crate) mod plans;
pub(crate) mod problem;
pub(crate) mod respond;
pub(crate) mod rounds;
pub(crate) mod teams;
pub(crate) mod tokens;

use std::sync::OnceLock;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Where the API lives.
pub(crate) const BASE: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "asyncmm API",
        description = "How asynchronous a team's communication is: teams, rounds, results, plans. \
                       Authenticate with a personal API token (made on the Account page) as \
                       `Authorization: Bearer <token>`; respondents answer with the personal \
                       respondent token of their link instead. Errors are RFC 9457 problem documents; \
                       lists are paged with `page` and `per_page` and a `Link` header.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerToken),
    security(("token" = [])),
    tags(
        (name = "teams", description = "The organisation's teams"),
        (name = "rounds", description = "Rounds of the questionnaire and their results"),
        (name = "plans", description = "A team's goals and actions"),
        (name = "org", description = "The caller, the org summary, report and trends, the export"),
        (name = "people", description = "The site's accounts (admins)"),
        (name = "tokens", description = "The caller's own API tokens"),
        (name = "respond", description = "Answering a round with a personal respondent token (no API token)"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

/// The `token` security scheme: a bearer token.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("A personal API token, e.g. `amm_…`".to_string());
        components.add_security_scheme("token", SecurityScheme::Http(scheme));
    }
}

/// This document, as JSON.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json"))
)]
async fn openapi() -> Response {
    static TEXT: OnceLock<String> = OnceLock::new();
    let text = TEXT.get_or_init(|| parts().1.to_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")));
    ([(CONTENT_TYPE, "application/json")], text.as_str()).into_response()
}

/// The API's routes and their document, built from one list.
pub(crate) fn parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(openapi))
        .routes(routes!(teams::list_teams, teams::create_team))
        .routes(routes!(teams::get_team))
        .routes(routes!(teams::archive_team))
        .routes(routes!(teams::team_history))
        .routes(routes!(rounds::list_rounds, rounds::open_round))
        .routes(routes!(rounds::get_round, rounds::change_round))
        .routes(routes!(rounds::close_round))
        .routes(routes!(rounds::reopen_round))
        .routes(routes!(rounds::share_round))
        .routes(routes!(rounds::issue_links))
        .routes(routes!(rounds::round_results))
        .routes(routes!(plans::get_plan))
        .routes(routes!(plans::add_goal))
        .routes(routes!(plans::remove_goal))
        .routes(routes!(plans::add_action))
        .routes(routes!(plans::update_action, plans::remove_action))
        .routes(routes!(plans::suggestions))
        .routes(routes!(plans::accept_suggestion))
        .routes(routes!(org::me))
        .routes(routes!(org::summary))
        .routes(routes!(org::report))
        .routes(routes!(org::trends))
        .routes(routes!(org::export))
        .routes(routes!(people::list_people))
        .routes(routes!(tokens::list_tokens))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(respond::get_respond, respond::put_respond))
        .split_for_parts()
}

/// The API's router: its routes, problem documents for every error, and
/// for unknown addresses below `/api/v1`.
pub(crate) fn router() -> Router<AppState> {
    parts()
        .0
        .route(BASE, any(problem::not_found))
        .route(&format!("{BASE}/"), any(problem::not_found))
        .route(&format!("{BASE}/{{*rest}}"), any(problem::not_found))
        .layer(axum::middleware::map_response(problem::problems_only))
}
