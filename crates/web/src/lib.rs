//! The web server of asyncmm: pages for team leads, respondents and org
//! leaders, over the same use cases as the command line (`asyncmm-app`).
//!
//! This crate holds no SQL, no scoring, aggregation or anonymity rule: each
//! handler parses the request, calls one use case of [`asyncmm_app::App`]
//! and renders what comes back through a compile-time checked, auto-escaping
//! template. Charts come from the report crate as SVG.
//!
//! | module | what it serves |
//! | --- | --- |
//! | [`server`] | binding, graceful shutdown, request ids, logging |
//! | `security` | response headers every page carries |
//! | `assets` | the stylesheet, embedded in the binary |
//! | `health` | `/healthz` (the process) and `/readyz` (the database) |
//! | `error` | one mapping from use-case errors to pages and statuses |
//! | `plans` | a team's plan: goals, suggested actions, actions |
//! | `shared` | a round's shared link: one answer link per browser, rate-limited |
//! | `org`, `trends` | the organisation: summary, grouped table, trends per quarter |
//! | `api` | the JSON API under `/api/v1` and its OpenAPI document |
//! | `account` | signing in and out, invitations, people, one's own API tokens |
#![forbid(unsafe_code)]

mod account;
mod api;
mod assets;
mod auth;
mod error;
mod form;
mod health;
mod names;
mod org;
mod pages;
mod plans;
mod respond;
mod rounds;
mod security;
pub mod server;
mod shared;
mod state;
mod teams;
mod trends;

pub use server::{Config, Server, ServerError};
