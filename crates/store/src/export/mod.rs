//! The export document: everything a store holds, as one versioned JSON
//! document, so a database can be backed up and moved between SQLite and
//! PostgreSQL (`asyncmm export` / `asyncmm import`).
//!
//! This module owns the document's shape ([`ExportDocument`], format
//! `asyncmm.export`, [`EXPORT_VERSION`]), reading it from JSON with errors
//! that give the line and column ([`ExportDocument::from_json`], or part by
//! part with [`read_export`]), writing it part by part ([`JsonWriter`]), and
//! the conversion of the document into the flat rows an import writes
//! ([`Tables`]), so both backends produce and accept exactly the same
//! document.
//!
//! What is kept: model sources, the organisation's teams (ids, parents,
//! archived), self-assessments with their answers and times (microseconds,
//! UTC), rounds (k, dates, state, published), their responses (answers and
//! the day of the last submission only, as in the store), the SHA-256 hashes
//! of their tokens and of their shared link, goals and actions, saved
//! evidence, and the web app's accounts: people (name, role, the teams a
//! lead leads, the argon2id hash of their password exactly as stored),
//! their API tokens (the SHA-256 of the secret with its prefix, name and
//! times, revoked ones included) and invitations (hash, role, times). Ids
//! are kept as they are, so every reference stays intact and every link and
//! token keeps working after a restore. Bookkeeping columns of the survey
//! data (`created_at`, `registered_at`) are not exported; an import sets
//! them to the time of the import.
//!
//! Sessions are not exported: they are short-lived login state, so a
//! restore signs everybody out (and a stolen export signs nobody in: it
//! holds hashes only, of passwords, tokens and links alike).
//!
//! Anonymity: for an open round, a token's hash is exported with the random
//! id of the response it last submitted, exactly the link the store itself
//! keeps (see the `org` module), so a respondent can still revise their
//! answers after a move. A closed round is sealed: its tokens carry no link
//! (only whether they were spent), and its responses all carry the closing
//! day. The accounts section holds nothing about respondents: no person is
//! linked to a respondent token, a response or a shared link (a shared link
//! belongs to its round, and anyone who opens it gets a fresh token). The
//! export therefore reveals no more than the database does. Treat
//! an export file like the database itself. Documents are written in a
//! stable order (by id, answers by item); response ids are random, so a
//! round's responses are listed in a random order that says nothing about
//! who answered when.
//!
//! Import is only into an empty database, all or nothing in one
//! transaction: merging two databases would need rules for clashing teams,
//! ids, tokens and accounts, and a restore into an empty database has none.
//! A database that holds only web accounts (people, invitations — the
//! set-up link `asyncmm serve` makes is one —, sessions or API tokens) is
//! not empty either: it is refused like any other, rather than merging two
//! sets of people silently.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::StoreError;
use crate::record::SQLITE_TIMESTAMP;

mod read;
mod write;

pub use read::{ExportHeader, ExportPart, PartSink, ReadError, Section, read_export};
pub use write::JsonWriter;

/// The `format` field of every export document.
pub const EXPORT_FORMAT: &str = "asyncmm.export";

/// The newest document version this asyncmm writes and reads.
/// Version 2 added a round's `intake` and `sealed` and a token's `spent`;
/// version 1 documents are still read (those fields then default, and the
/// intake is worked out from the round's tokens and responses). Version 3
/// added the `evidence` section at the end; older documents have none.
/// Version 4 added a round's `shared_link` and the `accounts` section at the
/// end; older documents have neither (a restore from them has no accounts,
/// and the set-up link makes the first admin again).
pub const EXPORT_VERSION: u32 = 4;

/// Everything a store holds. See the module docs for what is and isn't in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportDocument {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// The document version, [`EXPORT_VERSION`] when written by this asyncmm.
    pub version: u32,
    /// When the export was made, RFC 3339 in UTC.
    pub exported_at: String,
    pub models: Vec<ExportedModel>,
    pub teams: Vec<ExportedTeam>,
    pub assessments: Vec<ExportedAssessment>,
    pub rounds: Vec<ExportedRound>,
    pub goals: Vec<ExportedGoal>,
    pub actions: Vec<ExportedAction>,
    /// Saved evidence: the pseudonym salt, scans and waivers (version 3).
    #[serde(default)]
    pub evidence: Vec<ExportedEvidence>,
    /// The web app's people, API tokens and invitations (version 4).
    #[serde(default)]
    pub accounts: Vec<ExportedAccount>,
}

/// One element of the `accounts` section: a person who signs in to the web
/// app, one of their API tokens, or an invitation. Written people first
/// (by id), then API tokens (by id), then invitations (by hash), so a
/// token's person comes before it. Times are RFC 3339, UTC, microseconds;
/// hashes are 64 hex digits (SHA-256 of the secret, which is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ExportedAccount {
    Person {
        id: i64,
        name: String,
        /// `admin`, `lead` or `viewer`.
        role: String,
        /// The argon2id hash of the password, a PHC string, as stored.
        password_hash: String,
        created_at: String,
        /// The ids of the teams this person leads, ascending.
        leads: Vec<i64>,
    },
    ApiToken {
        id: i64,
        /// The id of the person whose token it is.
        person: i64,
        name: String,
        /// The secret's first characters, shown so tokens can be told apart.
        prefix: String,
        hash: String,
        created_at: String,
        last_used_at: Option<String>,
        revoked_at: Option<String>,
    },
    Invitation {
        hash: String,
        role: String,
        created_at: String,
        expires_at: String,
        used_at: Option<String>,
    },
}

/// One element of the `evidence` section: the organisation's pseudonym
/// salt (hex; a secret like the database itself), a saved scan (its JSON
/// document as text, exactly as stored) or a waiver. Written salt first,
/// then scans by id, then waivers by team and rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportedEvidence {
    Salt {
        salt: String,
    },
    Scan {
        id: i64,
        team: String,
        /// RFC 3339, UTC, microseconds.
        scanned_at: String,
        source: String,
        subject: String,
        document: String,
    },
    Waiver {
        team: String,
        rule: String,
        reason: String,
        until: String,
        set_on: String,
    },
}

/// The exact text a model version was registered with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedModel {
    pub id: String,
    pub version: String,
    pub source: String,
}

/// A team or group of the organisation; `parent` is another team's `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedTeam {
    pub id: i64,
    pub name: String,
    pub parent: Option<i64>,
    pub archived: bool,
}

/// A self-assessment. `answers` maps an area id (quick mode, value = level)
/// or a statement id (detailed mode, value = agreement, `null` = don't know)
/// to its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedAssessment {
    pub id: i64,
    pub team: String,
    pub model_id: String,
    pub model_version: String,
    pub mode: String,
    /// RFC 3339, UTC, microseconds.
    pub taken_at: String,
    pub answers: BTreeMap<String, Option<i16>>,
}

/// A round of a team (`team` is the team's `id`), with its responses and
/// token hashes. Days are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedRound {
    pub id: i64,
    pub team: i64,
    pub model_id: String,
    pub model_version: String,
    pub mode: String,
    pub k: i64,
    pub opens_on: String,
    pub closes_on: Option<String>,
    pub closed_on: Option<String>,
    pub published: bool,
    /// `"tokens"`, `"import"` or `null` (neither yet).
    #[serde(default)]
    pub intake: Option<String>,
    /// The round was closed and its token links removed.
    #[serde(default)]
    pub sealed: bool,
    pub responses: Vec<ExportedResponse>,
    pub tokens: Vec<ExportedToken>,
    /// The SHA-256 of the round's shared link's secret (64 hex digits), if
    /// it has one (version 4; left out when it has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_link: Option<String>,
}

/// An anonymous response: its random id, the day it was last submitted and
/// its answers (as in [`ExportedAssessment::answers`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedResponse {
    pub id: i64,
    pub submitted_on: String,
    pub answers: BTreeMap<String, Option<i16>>,
}

/// The SHA-256 of a token (64 hex digits) and the response it last
/// submitted, if it was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedToken {
    pub hash: String,
    pub response: Option<i64>,
    /// Answered before its round closed: it can't answer again.
    #[serde(default)]
    pub spent: bool,
}

/// A team's goal for an area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedGoal {
    pub team: String,
    pub area: String,
    pub target: i16,
    pub by: String,
    pub baseline: Option<i16>,
    pub set_on: String,
}

/// An improvement action with the statements it addresses, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedAction {
    pub id: i64,
    pub team: String,
    pub title: String,
    pub owner: Option<String>,
    pub link: Option<String>,
    pub status: String,
    pub created_on: String,
    pub statements: Vec<String>,
}

/// Why a text is not an export document this asyncmm can read.
#[derive(Debug, thiserror::Error)]
pub enum ExportParseError {
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not an asyncmm export (its \"format\" is {found}, expected \"{EXPORT_FORMAT}\")")]
    NotAnExport { found: String },
    #[error(
        "it is an export of format version {found}, newer than version {EXPORT_VERSION} that this asyncmm reads; \
         upgrade asyncmm to import it"
    )]
    NewerVersion { found: u64 },
    #[error("not a valid asyncmm export at line {line}, column {column}: {message}")]
    Structure {
        line: usize,
        column: usize,
        message: String,
    },
}

impl ExportDocument {
    /// Reads a whole document into memory, checking its format and version
    /// before its shape, so a file from a newer asyncmm is named as such.
    /// Large documents are better read part by part with [`read_export`].
    pub fn from_json(text: &str) -> Result<ExportDocument, ExportParseError> {
        let mut collect = Collect::default();
        match read_export(text.as_bytes(), &mut collect) {
            Ok(()) => Ok(collect.document),
            Err(ReadError::Parse(e)) => Err(e),
            // Gathering never refuses a part.
            Err(ReadError::Sink { error, line }) => Err(ExportParseError::Structure {
                line: usize::try_from(line).unwrap_or(usize::MAX),
                column: 0,
                message: error.to_string(),
            }),
            Err(ReadError::Io(e)) => Err(ExportParseError::Structure {
                line: 0,
                column: 0,
                message: e.to_string(),
            }),
        }
    }

    /// The document as pretty-printed JSON.
    pub fn to_json(&self) -> Result<String, StoreError> {
        serde_json::to_string_pretty(self).map_err(|e| StoreError::Invalid(format!("cannot write the export: {e}")))
    }
}

/// Gathers a whole document (reading one, or a store exporting one).
pub(crate) struct Collect {
    pub(crate) document: ExportDocument,
}

impl Default for Collect {
    fn default() -> Self {
        Collect {
            document: ExportDocument {
                format: EXPORT_FORMAT.to_string(),
                version: EXPORT_VERSION,
                exported_at: String::new(),
                models: Vec::new(),
                teams: Vec::new(),
                assessments: Vec::new(),
                rounds: Vec::new(),
                goals: Vec::new(),
                actions: Vec::new(),
                evidence: Vec::new(),
                accounts: Vec::new(),
            },
        }
    }
}

impl PartSink for Collect {
    /// Never returned: the same error type as a writer's, so a store can
    /// export into either.
    type Error = std::io::Error;

    fn header(&mut self, header: ExportHeader) -> Result<(), Self::Error> {
        self.document.version = header.version;
        self.document.exported_at = header.exported_at;
        Ok(())
    }

    fn part(&mut self, part: ExportPart) -> Result<(), Self::Error> {
        let d = &mut self.document;
        match part {
            ExportPart::Model(m) => d.models.push(m),
            ExportPart::Team(t) => d.teams.push(t),
            ExportPart::Assessment(a) => d.assessments.push(a),
            ExportPart::Round(r) => d.rounds.push(r),
            ExportPart::Goal(g) => d.goals.push(g),
            ExportPart::Action(a) => d.actions.push(a),
            ExportPart::Evidence(e) => d.evidence.push(e),
            ExportPart::Account(a) => d.accounts.push(a),
        }
        Ok(())
    }

    fn end_of(&mut self, _section: Section) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// serde_json's message without its own " at line L column C" ending (the
/// position is given separately).
fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    message.strip_suffix(&position).unwrap_or(&message).to_string()
}

// ---------------------------------------------------------------- flat rows

/// A table row of `teams`.
pub(crate) struct TeamRow {
    pub id: i64,
    pub name: String,
    pub archived: bool,
}

/// A row of `assessments`.
pub(crate) struct AssessmentRow {
    pub id: i64,
    pub team: String,
    pub model_id: String,
    pub model_version: String,
    pub mode: String,
    pub taken_at: OffsetDateTime,
}

/// A row of `rounds`.
pub(crate) struct RoundRow {
    pub id: i64,
    pub team: i64,
    pub model_id: String,
    pub model_version: String,
    pub mode: String,
    pub k: i64,
    pub opens_on: Date,
    pub closes_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub published: bool,
    pub intake: Option<String>,
    pub sealed: bool,
}

/// A row of `goals`.
pub(crate) struct GoalRow {
    pub team: String,
    pub area: String,
    pub target: i16,
    pub by: Date,
    pub baseline: Option<i16>,
    pub set_on: Date,
}

/// A row of `actions`.
pub(crate) struct ActionRow {
    pub id: i64,
    pub team: String,
    pub title: String,
    pub owner: Option<String>,
    pub link: Option<String>,
    pub status: String,
    pub created_on: Date,
}

/// Every table's rows, as a backend reads them for an export or writes them
/// for an import. Rows within each list are in insertion-safe order for an
/// import (models before what uses them, and so on); team parents are set
/// after all teams exist.
#[derive(Default)]
pub(crate) struct Tables {
    /// `(model_id, version, source)`.
    pub models: Vec<(String, String, String)>,
    pub teams: Vec<TeamRow>,
    pub assessments: Vec<AssessmentRow>,
    /// `(assessment_id, item, value)`.
    pub answers: Vec<(i64, String, Option<i16>)>,
    pub rounds: Vec<RoundRow>,
    /// `(id, round_id, submitted_on)`.
    pub responses: Vec<(i64, i64, Date)>,
    /// `(round_id, response_id, item, value)`.
    pub response_answers: Vec<(i64, i64, String, Option<i16>)>,
    /// `(hash, round_id, response_id, spent)`.
    pub tokens: Vec<(Vec<u8>, i64, Option<i64>, bool)>,
    pub goals: Vec<GoalRow>,
    pub actions: Vec<ActionRow>,
    /// `(action_id, position, statement)`.
    pub action_statements: Vec<(i64, i64, String)>,
    pub salt: Option<Vec<u8>>,
    /// `(id, team, scanned_at, source, subject, document)`.
    pub evidence: Vec<(i64, String, OffsetDateTime, String, String, String)>,
    /// `(team, rule, reason, until, set_on)`.
    pub waivers: Vec<(String, String, String, Date, Date)>,
    /// `(round_id, hash)` of `round_links`.
    pub round_links: Vec<(i64, Vec<u8>)>,
    pub people: Vec<PersonRow>,
    /// `(team_id, user_id)` of `web_team_leads`.
    pub leads: Vec<(i64, i64)>,
    pub api_tokens: Vec<ApiTokenRow>,
    pub invites: Vec<InviteRow>,
}

/// A row of `web_users`.
pub(crate) struct PersonRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: OffsetDateTime,
}

/// A row of `api_tokens`.
pub(crate) struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub hash: Vec<u8>,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A row of `web_invites`.
pub(crate) struct InviteRow {
    pub hash: Vec<u8>,
    pub role: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

const DAY: &[time::format_description::FormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub(crate) fn day(date: Date) -> Result<String, StoreError> {
    date.format(DAY)
        .map_err(|e| StoreError::Invalid(format!("cannot write the date {date}: {e}")))
}

fn parse_day(text: &str, what: &str) -> Result<Date, StoreError> {
    Date::parse(text, DAY).map_err(|e| StoreError::Invalid(format!("{what}: {text:?} is not a date YYYY-MM-DD ({e})")))
}

pub(crate) fn timestamp(t: OffsetDateTime) -> Result<String, StoreError> {
    t.to_offset(UtcOffset::UTC)
        .format(SQLITE_TIMESTAMP)
        .map_err(|e| StoreError::Invalid(format!("cannot write the time {t}: {e}")))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str, round: i64) -> Result<Vec<u8>, StoreError> {
    let bad = || StoreError::Invalid(format!("round {round}: token hash {text:?} is not 64 hex digits"));
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad());
    }
    (0..32)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad()))
        .collect()
}

/// A SHA-256 of 64 hex digits; `what` names it in the error.
fn unhex_hash(text: &str, what: &str) -> Result<Vec<u8>, StoreError> {
    match unhex_any(text) {
        Some(bytes) if bytes.len() == 32 => Ok(bytes),
        _ => Err(StoreError::Invalid(format!("{what}: {text:?} is not 64 hex digits"))),
    }
}

/// An RFC 3339 time within the years every backend stores, in UTC.
fn parse_time(text: &str, what: &str) -> Result<OffsetDateTime, StoreError> {
    let at = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| StoreError::Invalid(format!("{what}: {text:?} is not an RFC 3339 time ({e})")))?
        .to_offset(UtcOffset::UTC);
    if !(1..=9999).contains(&at.year()) {
        return Err(StoreError::Invalid(format!(
            "{what}: {text} is outside the years 1-9999"
        )));
    }
    Ok(at)
}

fn unhex_any(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
        .collect()
}

impl Tables {
    pub(crate) fn add_evidence(&mut self, e: &ExportedEvidence) -> Result<(), StoreError> {
        match e {
            ExportedEvidence::Salt { salt } => {
                let bytes = unhex_any(salt)
                    .ok_or_else(|| StoreError::Invalid(format!("the pseudonym salt {salt:?} is not hex digits")))?;
                self.salt = Some(bytes);
            }
            ExportedEvidence::Scan {
                id,
                team,
                scanned_at,
                source,
                subject,
                document,
            } => {
                let at = OffsetDateTime::parse(scanned_at, &Rfc3339)
                    .map_err(|e| {
                        StoreError::Invalid(format!(
                            "saved evidence {id}: scanned_at {scanned_at:?} is not an RFC 3339 time ({e})"
                        ))
                    })?
                    .to_offset(UtcOffset::UTC);
                self.evidence
                    .push((*id, team.clone(), at, source.clone(), subject.clone(), document.clone()));
            }
            ExportedEvidence::Waiver {
                team,
                rule,
                reason,
                until,
                set_on,
            } => {
                let what = format!("waiver of rule {rule} for team {team}");
                self.waivers.push((
                    team.clone(),
                    rule.clone(),
                    reason.clone(),
                    parse_day(until, &what)?,
                    parse_day(set_on, &what)?,
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn add_account(&mut self, a: &ExportedAccount) -> Result<(), StoreError> {
        match a {
            ExportedAccount::Person {
                id,
                name,
                role,
                password_hash,
                created_at,
                leads,
            } => {
                let what = format!("person {id}");
                self.people.push(PersonRow {
                    id: *id,
                    name: name.clone(),
                    role: role.clone(),
                    password_hash: password_hash.clone(),
                    created_at: parse_time(created_at, &format!("{what}: created_at"))?,
                });
                self.leads.extend(leads.iter().map(|team| (*team, *id)));
            }
            ExportedAccount::ApiToken {
                id,
                person,
                name,
                prefix,
                hash,
                created_at,
                last_used_at,
                revoked_at,
            } => {
                let what = format!("API token {id}");
                let optional = |t: &Option<String>, field: &str| {
                    t.as_deref()
                        .map(|t| parse_time(t, &format!("{what}: {field}")))
                        .transpose()
                };
                self.api_tokens.push(ApiTokenRow {
                    id: *id,
                    user_id: *person,
                    name: name.clone(),
                    prefix: prefix.clone(),
                    hash: unhex_hash(hash, &format!("{what}: hash"))?,
                    created_at: parse_time(created_at, &format!("{what}: created_at"))?,
                    last_used_at: optional(last_used_at, "last_used_at")?,
                    revoked_at: optional(revoked_at, "revoked_at")?,
                });
            }
            ExportedAccount::Invitation {
                hash,
                role,
                created_at,
                expires_at,
                used_at,
            } => {
                let what = format!("invitation {hash}");
                self.invites.push(InviteRow {
                    hash: unhex_hash(hash, "invitation: hash")?,
                    role: role.clone(),
                    created_at: parse_time(created_at, &format!("{what}: created_at"))?,
                    expires_at: parse_time(expires_at, &format!("{what}: expires_at"))?,
                    used_at: used_at
                        .as_deref()
                        .map(|t| parse_time(t, &format!("{what}: used_at")))
                        .transpose()?,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn add_model(&mut self, m: &ExportedModel) {
        self.models.push((m.id.clone(), m.version.clone(), m.source.clone()));
    }

    pub(crate) fn add_team(&mut self, t: &ExportedTeam) {
        self.teams.push(TeamRow {
            id: t.id,
            name: t.name.clone(),
            archived: t.archived,
        });
    }

    pub(crate) fn add_assessment(&mut self, a: &ExportedAssessment) -> Result<(), StoreError> {
        let taken_at = OffsetDateTime::parse(&a.taken_at, &Rfc3339)
            .map_err(|e| {
                StoreError::Invalid(format!(
                    "assessment {}: taken_at {:?} is not an RFC 3339 time ({e})",
                    a.id, a.taken_at
                ))
            })?
            .to_offset(UtcOffset::UTC);
        if !(1..=9999).contains(&taken_at.year()) {
            return Err(StoreError::Invalid(format!(
                "assessment {}: taken_at {} is outside the years 1-9999",
                a.id, a.taken_at
            )));
        }
        self.assessments.push(AssessmentRow {
            id: a.id,
            team: a.team.clone(),
            model_id: a.model_id.clone(),
            model_version: a.model_version.clone(),
            mode: a.mode.clone(),
            taken_at,
        });
        self.answers
            .extend(a.answers.iter().map(|(item, value)| (a.id, item.clone(), *value)));
        Ok(())
    }

    /// A round of a document of format `version` (version 1 had no
    /// `intake`: it is worked out from the tokens and responses).
    pub(crate) fn add_round(&mut self, r: &ExportedRound, version: u32) -> Result<(), StoreError> {
        let what = format!("round {}", r.id);
        let intake = match (&r.intake, version) {
            (Some(intake), _) => Some(intake.clone()),
            (None, 1) if !r.tokens.is_empty() => Some("tokens".to_string()),
            (None, 1) if !r.responses.is_empty() => Some("import".to_string()),
            (None, _) => None,
        };
        if r.sealed && r.tokens.iter().any(|token| token.response.is_some()) {
            return Err(StoreError::Invalid(format!(
                "{what} is sealed but a token still names a response; a closed round keeps no such link"
            )));
        }
        self.rounds.push(RoundRow {
            id: r.id,
            team: r.team,
            model_id: r.model_id.clone(),
            model_version: r.model_version.clone(),
            mode: r.mode.clone(),
            k: r.k,
            opens_on: parse_day(&r.opens_on, &what)?,
            closes_on: r.closes_on.as_deref().map(|d| parse_day(d, &what)).transpose()?,
            closed_on: r.closed_on.as_deref().map(|d| parse_day(d, &what)).transpose()?,
            published: r.published,
            intake,
            sealed: r.sealed,
        });
        for response in &r.responses {
            self.responses
                .push((response.id, r.id, parse_day(&response.submitted_on, &what)?));
            self.response_answers.extend(
                response
                    .answers
                    .iter()
                    .map(|(item, value)| (r.id, response.id, item.clone(), *value)),
            );
        }
        for token in &r.tokens {
            self.tokens
                .push((unhex(&token.hash, r.id)?, r.id, token.response, token.spent));
        }
        if let Some(link) = &r.shared_link {
            self.round_links
                .push((r.id, unhex_hash(link, &format!("{what}: shared_link"))?));
        }
        Ok(())
    }

    pub(crate) fn add_goal(&mut self, g: &ExportedGoal) -> Result<(), StoreError> {
        let what = format!("goal of team {} for {}", g.team, g.area);
        self.goals.push(GoalRow {
            team: g.team.clone(),
            area: g.area.clone(),
            target: g.target,
            by: parse_day(&g.by, &what)?,
            baseline: g.baseline,
            set_on: parse_day(&g.set_on, &what)?,
        });
        Ok(())
    }

    pub(crate) fn add_action(&mut self, a: &ExportedAction) -> Result<(), StoreError> {
        self.actions.push(ActionRow {
            id: a.id,
            team: a.team.clone(),
            title: a.title.clone(),
            owner: a.owner.clone(),
            link: a.link.clone(),
            status: a.status.clone(),
            created_on: parse_day(&a.created_on, &format!("action {}", a.id))?,
        });
        self.action_statements.extend(
            a.statements
                .iter()
                .enumerate()
                .map(|(position, s)| (a.id, position as i64, s.clone())),
        );
        Ok(())
    }
}

/// The message for an import into a database that already holds data.
pub(crate) fn not_empty(place: &str) -> StoreError {
    StoreError::Conflict(format!(
        "the database {place} already holds data (survey data, or web accounts and invitations: a database that \
         `asyncmm serve` has run on holds its set-up link); asyncmm imports only into an empty database (nothing \
         was changed): pass --database with a new SQLite file or an empty PostgreSQL database"
    ))
}

/// Counts every table's rows, for the emptiness check (same SQL on both
/// backends).
pub(crate) const COUNT_ALL: &str = "SELECT (SELECT COUNT(*) FROM models) + (SELECT COUNT(*) FROM assessments) \
     + (SELECT COUNT(*) FROM teams) + (SELECT COUNT(*) FROM rounds) + (SELECT COUNT(*) FROM responses) \
     + (SELECT COUNT(*) FROM tokens) + (SELECT COUNT(*) FROM goals) + (SELECT COUNT(*) FROM actions) \
     + (SELECT COUNT(*) FROM evidence) + (SELECT COUNT(*) FROM evidence_waivers) \
     + (SELECT COUNT(*) FROM round_links) + (SELECT COUNT(*) FROM web_users) + (SELECT COUNT(*) FROM web_invites) \
     + (SELECT COUNT(*) FROM web_sessions) + (SELECT COUNT(*) FROM web_team_leads) \
     + (SELECT COUNT(*) FROM api_tokens)";
