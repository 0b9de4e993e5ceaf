//! Export of everything: every table read in one consistent snapshot and
//! handed on part by part in document order, so a database of any size is
//! exported with one page of rows in memory. The document itself and what
//! it means for anonymity are in the crate's `export` module.
//!
//! Sessions are never read: a restore signs everybody out (the `export`
//! module says why). Web accounts (people, API tokens, invitations) are few
//! and read whole, at the end, once every team they refer to is written.
//!
//! Tables with many rows (teams, assessments, rounds, actions, saved
//! evidence) are read in pages by id; the rows that belong to a page
//! (answers, responses and their answers, tokens, shared links, action
//! statements) are
//! read for the page's id range, which their keys make a range scan. The
//! order within a part (answers by item, responses by id, tokens by hash)
//! and of the few tables sorted by text (models, goals, waivers) is made
//! here in Rust, so both backends give the same bytes whatever their
//! collation.

use std::collections::{BTreeMap, HashMap};
use std::io;

use time::{Date, OffsetDateTime};

use super::stamp::Stamp;
use super::{Conn, Database, on};
use crate::StoreError;
use crate::export::{
    EXPORT_VERSION, ExportHeader, ExportPart, ExportedAccount, ExportedAction, ExportedAssessment, ExportedEvidence,
    ExportedGoal, ExportedModel, ExportedResponse, ExportedRound, ExportedTeam, ExportedToken, PartSink, Section, day,
    hex, timestamp,
};

/// Where an export goes: the JSON writer, or a collector of the whole
/// document.
pub(crate) type Sink<'s> = dyn PartSink<Error = io::Error> + Send + 's;

/// Rounds per page: at ten respondents of sixty answers each, 150,000
/// answers, a few tens of megabytes while the page is written.
const ROUND_PAGE: i64 = 256;

/// Assessments, teams and actions per page.
const PAGE: i64 = 1_000;

/// Saved scans per page (each holds a whole scan document).
const SCAN_PAGE: i64 = 64;

/// Answers of a page's assessments or responses, by owner id, then item.
type AnswerMaps = HashMap<i64, BTreeMap<String, Option<i16>>>;

type RoundTuple = (
    i64,
    i64,
    String,
    String,
    String,
    i16,
    Date,
    Option<Date>,
    Option<Date>,
    bool,
    Option<String>,
    bool,
);

/// `(id, team, title, owner, link, status, created_on)` of an `actions` row.
type ActionTuple = (i64, String, String, Option<String>, Option<String>, String, Date);

/// A sink's refusal (the output could not be written) as a store error.
fn given(result: io::Result<()>) -> Result<(), StoreError> {
    result.map_err(StoreError::Write)
}

/// The first id of the next page after one ending at `last`; `None` after
/// the largest id there can be.
fn next_from(last: i64) -> Option<i64> {
    last.checked_add(1)
}

/// Every table, part by part, into `sink`.
async fn export_parts(mut conn: Conn<'_>, sink: &mut Sink<'_>, exported_at: OffsetDateTime) -> Result<(), StoreError> {
    given(sink.header(ExportHeader {
        version: EXPORT_VERSION,
        exported_at: timestamp(exported_at)?,
    }))?;

    let mut models: Vec<(String, String, String)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT model_id, version, source FROM models")
            .fetch_all(&mut *c)
            .await
    })?;
    models.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (id, version, source) in models {
        given(sink.part(ExportPart::Model(ExportedModel { id, version, source })))?;
    }
    given(sink.end_of(Section::Models))?;

    teams(conn.re(), sink).await?;
    given(sink.end_of(Section::Teams))?;
    assessments(conn.re(), sink).await?;
    given(sink.end_of(Section::Assessments))?;
    rounds(conn.re(), sink).await?;
    given(sink.end_of(Section::Rounds))?;
    goals(conn.re(), sink).await?;
    given(sink.end_of(Section::Goals))?;
    actions(conn.re(), sink).await?;
    given(sink.end_of(Section::Actions))?;
    evidence(conn.re(), sink).await?;
    given(sink.end_of(Section::Evidence))?;
    accounts(conn, sink).await?;
    given(sink.end_of(Section::Accounts))
}

async fn teams(mut conn: Conn<'_>, sink: &mut Sink<'_>) -> Result<(), StoreError> {
    let mut from = Some(i64::MIN);
    while let Some(first) = from {
        let page: Vec<(i64, String, Option<i64>, bool)> = on!(conn.re(), |c| {
            sqlx::query_as("SELECT id, name, parent_id, archived FROM teams WHERE id >= $1 ORDER BY id LIMIT $2")
                .bind(first)
                .bind(PAGE)
                .fetch_all(&mut *c)
                .await
        })?;
        from = page.last().and_then(|t| next_from(t.0));
        for (id, name, parent, archived) in page {
            given(sink.part(ExportPart::Team(ExportedTeam {
                id,
                name,
                parent,
                archived,
            })))?;
        }
    }
    Ok(())
}

async fn assessments(mut conn: Conn<'_>, sink: &mut Sink<'_>) -> Result<(), StoreError> {
    let mut from = Some(i64::MIN);
    while let Some(first) = from {
        let page: Vec<(i64, String, String, String, String, Stamp)> = on!(conn.re(), |c| {
            sqlx::query_as(
                "SELECT id, team, model_id, model_version, mode, taken_at FROM assessments WHERE id >= $1 \
                 ORDER BY id LIMIT $2",
            )
            .bind(first)
            .bind(PAGE)
            .fetch_all(&mut *c)
            .await
        })?;
        let Some(last) = page.last().map(|a| a.0) else {
            break;
        };
        from = next_from(last);
        let rows: Vec<(i64, String, Option<i16>)> = on!(conn.re(), |c| {
            sqlx::query_as("SELECT assessment_id, item, value FROM answers WHERE assessment_id BETWEEN $1 AND $2")
                .bind(first)
                .bind(last)
                .fetch_all(&mut *c)
                .await
        })?;
        let mut answers = AnswerMaps::new();
        for (id, item, value) in rows {
            answers.entry(id).or_default().insert(item, value);
        }
        for (id, team, model_id, model_version, mode, taken_at) in page {
            given(sink.part(ExportPart::Assessment(ExportedAssessment {
                answers: answers.remove(&id).unwrap_or_default(),
                id,
                team,
                model_id,
                model_version,
                mode,
                taken_at: timestamp(taken_at.0)?,
            })))?;
        }
    }
    Ok(())
}

async fn rounds(mut conn: Conn<'_>, sink: &mut Sink<'_>) -> Result<(), StoreError> {
    let mut from = Some(i64::MIN);
    while let Some(first) = from {
        let page: Vec<RoundTuple> = on!(conn.re(), |c| {
            sqlx::query_as(
                "SELECT id, team_id, model_id, model_version, mode, k, opens_on, closes_on, closed_on, published, \
                 intake, sealed FROM rounds WHERE id >= $1 ORDER BY id LIMIT $2",
            )
            .bind(first)
            .bind(ROUND_PAGE)
            .fetch_all(&mut *c)
            .await
        })?;
        let Some(last) = page.last().map(|r| r.0) else {
            break;
        };
        from = next_from(last);
        let (mut responses, mut tokens) = round_contents(conn.re(), first, last).await?;
        let mut links: HashMap<i64, Vec<u8>> = on!(conn.re(), |c| {
            sqlx::query_as("SELECT round_id, hash FROM round_links WHERE round_id BETWEEN $1 AND $2")
                .bind(first)
                .bind(last)
                .fetch_all(&mut *c)
                .await
        })?
        .into_iter()
        .collect();
        for (id, team, model_id, model_version, mode, k, opens_on, closes_on, closed_on, published, intake, sealed) in
            page
        {
            let mut round_responses = responses.remove(&id).unwrap_or_default();
            round_responses.sort_by_key(|r| r.id);
            let mut round_tokens = tokens.remove(&id).unwrap_or_default();
            round_tokens.sort_by(|a, b| a.hash.cmp(&b.hash));
            given(sink.part(ExportPart::Round(ExportedRound {
                id,
                team,
                model_id,
                model_version,
                mode,
                k: i64::from(k),
                opens_on: day(opens_on)?,
                closes_on: closes_on.map(day).transpose()?,
                closed_on: closed_on.map(day).transpose()?,
                published,
                intake,
                sealed,
                responses: round_responses,
                tokens: round_tokens,
                shared_link: links.remove(&id).map(|hash| hex(&hash)),
            })))?;
        }
    }
    Ok(())
}

/// The responses (with their answers) and tokens of the rounds with ids
/// `first..=last`, by round.
async fn round_contents(
    mut conn: Conn<'_>,
    first: i64,
    last: i64,
) -> Result<(HashMap<i64, Vec<ExportedResponse>>, HashMap<i64, Vec<ExportedToken>>), StoreError> {
    let rows: Vec<(i64, String, Option<i16>)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT response_id, item, value FROM response_answers WHERE round_id BETWEEN $1 AND $2")
            .bind(first)
            .bind(last)
            .fetch_all(&mut *c)
            .await
    })?;
    let mut answers = AnswerMaps::new();
    for (id, item, value) in rows {
        answers.entry(id).or_default().insert(item, value);
    }
    let rows: Vec<(i64, i64, Date)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT id, round_id, submitted_on FROM responses WHERE round_id BETWEEN $1 AND $2")
            .bind(first)
            .bind(last)
            .fetch_all(&mut *c)
            .await
    })?;
    let mut responses: HashMap<i64, Vec<ExportedResponse>> = HashMap::new();
    for (id, round, submitted_on) in rows {
        responses.entry(round).or_default().push(ExportedResponse {
            id,
            submitted_on: day(submitted_on)?,
            answers: answers.remove(&id).unwrap_or_default(),
        });
    }
    let rows: Vec<(Vec<u8>, i64, Option<i64>, bool)> = on!(conn, |c| {
        sqlx::query_as("SELECT hash, round_id, response_id, spent FROM tokens WHERE round_id BETWEEN $1 AND $2")
            .bind(first)
            .bind(last)
            .fetch_all(&mut *c)
            .await
    })?;
    let mut tokens: HashMap<i64, Vec<ExportedToken>> = HashMap::new();
    for (hash, round, response, spent) in rows {
        tokens.entry(round).or_default().push(ExportedToken {
            hash: hex(&hash),
            response,
            spent,
        });
    }
    Ok((responses, tokens))
}

async fn goals(mut conn: Conn<'_>, sink: &mut Sink<'_>) -> Result<(), StoreError> {
    // At most one per team and area: read whole and sorted here, by text.
    let mut goals: Vec<(String, String, i16, Date, Option<i16>, Date)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT team, area, target, by_date, baseline, set_on FROM goals")
            .fetch_all(&mut *c)
            .await
    })?;
    goals.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (team, area, target, by, baseline, set_on) in goals {
        given(sink.part(ExportPart::Goal(ExportedGoal {
            team,
            area,
            target,
            by: day(by)?,
            baseline,
            set_on: day(set_on)?,
        })))?;
    }
    Ok(())
}

async fn actions(mut conn: Conn<'_>, sink: &mut Sink<'_>) -> Result<(), StoreError> {
    let mut from = Some(i64::MIN);
    while let Some(first) = from {
        let page: Vec<ActionTuple> = on!(conn.re(), |c| {
            sqlx::query_as(
                "SELECT id, team, title, owner, link, status, created_on FROM actions WHERE id >= $1 ORDER BY id \
                 LIMIT $2",
            )
            .bind(first)
            .bind(PAGE)
            .fetch_all(&mut *c)
            .await
        })?;
        let Some(last) = page.last().map(|a| a.0) else {
            break;
        };
        from = next_from(last);
        let rows: Vec<(i64, i64, String)> = on!(conn.re(), |c| {
            sqlx::query_as(
                "SELECT action_id, CAST(position AS BIGINT), statement FROM action_statements \
                 WHERE action_id BETWEEN $1 AND $2",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&mut *c)
            .await
        })?;
        let mut statements: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for (id, position, statement) in rows {
            statements.entry(id).or_default().push((position, statement));
        }
        for (id, team, title, owner, link, status, created_on) in page {
            let mut list = statements.remove(&id).unwrap_or_default();
            list.sort_by_key(|(position, _)| *position);
            given(sink.part(ExportPart::Action(ExportedAction {
                id,
                team,
                title,
                owner,
                link,
                status,
                created_on: day(created_on)?,
                statements: list.into_iter().map(|(_, s)| s).collect(),
            })))?;
        }
    }
    Ok(())
}

async fn evidence(mut conn: Conn<'_>, sink: &mut Sink<'_>) -> Result<(), StoreError> {
    let salt: Option<Vec<u8>> = on!(conn.re(), |c| {
        sqlx::query_scalar("SELECT salt FROM evidence_salt WHERE id = 1")
            .fetch_optional(&mut *c)
            .await
    })?;
    if let Some(salt) = salt {
        given(sink.part(ExportPart::Evidence(ExportedEvidence::Salt { salt: hex(&salt) })))?;
    }
    let mut from = Some(i64::MIN);
    while let Some(first) = from {
        let page: Vec<(i64, String, Stamp, String, String, String)> = on!(conn.re(), |c| {
            sqlx::query_as(
                "SELECT id, team, scanned_at, source, subject, document FROM evidence WHERE id >= $1 ORDER BY id \
                 LIMIT $2",
            )
            .bind(first)
            .bind(SCAN_PAGE)
            .fetch_all(&mut *c)
            .await
        })?;
        from = page.last().and_then(|e| next_from(e.0));
        for (id, team, at, source, subject, document) in page {
            given(sink.part(ExportPart::Evidence(ExportedEvidence::Scan {
                id,
                team,
                scanned_at: timestamp(at.0)?,
                source,
                subject,
                document,
            })))?;
        }
    }
    // One per team and rule: read whole and sorted here, by text.
    let mut waivers: Vec<(String, String, String, Date, Date)> = on!(conn, |c| {
        sqlx::query_as("SELECT team, rule, reason, until_day, set_on FROM evidence_waivers")
            .fetch_all(&mut *c)
            .await
    })?;
    waivers.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (team, rule, reason, until, set_on) in waivers {
        given(sink.part(ExportPart::Evidence(ExportedEvidence::Waiver {
            team,
            rule,
            reason,
            until: day(until)?,
            set_on: day(set_on)?,
        })))?;
    }
    Ok(())
}

/// `(id, user_id, name, prefix, hash, created_at, last_used_at, revoked_at)`
/// of an `api_tokens` row.
type ApiTokenTuple = (i64, i64, String, String, Vec<u8>, Stamp, Option<Stamp>, Option<Stamp>);

/// `(hash, role, created_at, expires_at, used_at)` of a `web_invites` row.
type InviteTuple = (Vec<u8>, String, Stamp, Stamp, Option<Stamp>);

/// The web app's accounts: people with the teams they lead, their API
/// tokens, invitations. Sessions are left out on purpose (see the `export`
/// module). A few rows per person: read whole.
async fn accounts(mut conn: Conn<'_>, sink: &mut Sink<'_>) -> Result<(), StoreError> {
    let people: Vec<(i64, String, String, String, Stamp)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT id, name, role, password_hash, created_at FROM web_users ORDER BY id")
            .fetch_all(&mut *c)
            .await
    })?;
    let rows: Vec<(i64, i64)> = on!(conn.re(), |c| {
        sqlx::query_as("SELECT user_id, team_id FROM web_team_leads")
            .fetch_all(&mut *c)
            .await
    })?;
    let mut leads: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user, team) in rows {
        leads.entry(user).or_default().push(team);
    }
    for (id, name, role, password_hash, created_at) in people {
        let mut teams = leads.remove(&id).unwrap_or_default();
        teams.sort_unstable();
        given(sink.part(ExportPart::Account(ExportedAccount::Person {
            id,
            name,
            role,
            password_hash,
            created_at: timestamp(created_at.0)?,
            leads: teams,
        })))?;
    }
    let tokens: Vec<ApiTokenTuple> = on!(conn.re(), |c| {
        sqlx::query_as(
            "SELECT id, user_id, name, prefix, hash, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    for (id, person, name, prefix, hash, created_at, last_used_at, revoked_at) in tokens {
        given(sink.part(ExportPart::Account(ExportedAccount::ApiToken {
            id,
            person,
            name,
            prefix,
            hash: hex(&hash),
            created_at: timestamp(created_at.0)?,
            last_used_at: last_used_at.map(|t| timestamp(t.0)).transpose()?,
            revoked_at: revoked_at.map(|t| timestamp(t.0)).transpose()?,
        })))?;
    }
    // Sorted here by hash, so both backends give the same order.
    let mut invites: Vec<InviteTuple> = on!(conn, |c| {
        sqlx::query_as("SELECT hash, role, created_at, expires_at, used_at FROM web_invites")
            .fetch_all(&mut *c)
            .await
    })?;
    invites.sort_by(|a, b| a.0.cmp(&b.0));
    for (hash, role, created_at, expires_at, used_at) in invites {
        given(sink.part(ExportPart::Account(ExportedAccount::Invitation {
            hash: hex(&hash),
            role,
            created_at: timestamp(created_at.0)?,
            expires_at: timestamp(expires_at.0)?,
            used_at: used_at.map(|t| timestamp(t.0)).transpose()?,
        })))?;
    }
    Ok(())
}

impl Database {
    /// Everything stored, from one snapshot, into `sink`.
    pub(super) async fn export_into(&self, sink: &mut Sink<'_>) -> Result<(), StoreError> {
        let exported_at = OffsetDateTime::now_utc();
        let mut tx = self.snapshot().await?;
        export_parts(tx.conn(), sink, exported_at).await?;
        tx.commit().await
    }
}
