//! Teams, rounds, respondent tokens and anonymous responses: the rules and
//! row conversions both backends share, and what the schema promises about
//! anonymity.
//!
//! A backend only moves rows; which operation is refused when (a closed
//! round, a token of another round, a changed k), how dates are written and
//! how answer rows become [`Answers`] again is decided once, here, so SQLite
//! and PostgreSQL can't disagree.
//!
//! # What is stored about a response, and what links exist
//!
//! The tables (`migrations/*/0002_org.sql`):
//!
//! - `tokens (hash, round_id, response_id)`: the SHA-256 of each respondent
//!   token, the round it was issued for, and the response it last submitted
//!   (`NULL` while unused). The token itself is never stored: it is printed
//!   (or written to a CSV for mail-merge) once, when it is issued.
//! - `responses (id, round_id, submitted_on)`: a random id, the round, and
//!   the *day* of the last submission (a `DATE` / `'YYYY-MM-DD'` text,
//!   never a time). No token hash, no person, no address, no time of day.
//! - `response_answers (round_id, response_id, item, value)`: the answers.
//!
//! Response ids are random 63-bit numbers rather than a sequence, so their
//! order says nothing about who answered first, and a revision (which
//! replaces the response with a new one) doesn't stand out as the newest.
//! Reads return responses ordered by that random id: stable, and unrelated to
//! identity or time.
//!
//! The one link from a token to a response is `tokens.response_id`. It is
//! what lets a respondent revise their answers with the same token while
//! the round is open. **When the round closes it is deleted**: the token is
//! marked `spent` (so it can't answer again if the round is reopened) and
//! loses its `response_id`, and every response's `submitted_on` becomes the
//! closing day, so nothing in the database ties a response to a token or to
//! the day someone answered any more. A round closed by hand is sealed in
//! the same transaction; a round that closes by passing its closing date is
//! sealed by [`crate::Store::seal_closed_rounds`], which the application
//! layer runs before any command reads or writes rounds — so before any
//! result of it can be shown.
//!
//! What someone can infer:
//!
//! - From the API and every output: nothing per person. Reads give answers
//!   only, as an opaque [`Responses`] that only aggregation reads, without
//!   ids or dates; results show only for closed rounds.
//! - **While a round is open**, an admin with raw database access sees
//!   responses, token hashes and which hash submitted which response, but
//!   not which person holds a token: the hashes can't be reversed (160
//!   random bits). An admin with raw access **and** the list of plaintext
//!   tokens with who received each (e.g. a kept copy of the mail-merge CSV)
//!   can hash a person's token and find their response until the round
//!   closes. The mitigation is procedural: tokens are shown once and never
//!   stored, so whoever hands them out should not keep the list. They could
//!   also see who hasn't answered yet (a `NULL` `response_id`).
//! - **Once a round is closed**, the same admin sees which tokens were spent
//!   (who answered, given the token list) but not which response is whose.
//! - An export file (`asyncmm export`, the `export` module) carries exactly
//!   these rows: for an open round the token → response link (so revision
//!   keeps working after a move), for a closed round none. Whoever holds it
//!   can infer what raw database access allows, no more.
//! - Day precision while open: `submitted_on` tells on which day a response
//!   was last submitted; someone who knows that only one person answered on
//!   a given day can single them out until the round closes.
//! - Storage internals are out of scope: PostgreSQL's `xmin`/`ctid` or
//!   SQLite's page layout and WAL can hint at insertion order to someone
//!   reading the raw files.
//! - k-anonymity assumes respondents don't collude: a lead who answers k − 1
//!   of the responses of a round themself (several tokens) learns the last
//!   one from the result. Tokens and k protect against an honest lead
//!   reading results, not against a lead who fakes respondents.

//! # Rules
//!
//! - A round is open on a day from its `opens_on` until it is closed by hand
//!   or its `closes_on` has passed ([`Round::state`]). Answers are accepted
//!   only while open, and only in the round's mode.
//! - k can change only while the round has no response.
//! - Imports (results collected in a form tool, without tokens) are accepted
//!   into open and closed rounds alike — forms are usually exported after
//!   they close — but never into a round whose result was published, whose
//!   numbers must stay what was shown.
//! - A round takes responses from tokens or from imports, never both
//!   ([`Intake`]): issuing its first token or importing into it decides.
//! - A response that says nothing ([`Answers::is_blank`]: no answer, or
//!   "don't know" to everything) is no response and is refused.
//! - Reopening clears a manual close and a closing date that has passed (the
//!   round then stays open until closed by hand); it is refused once the
//!   result was published.

use std::collections::HashMap;

use asyncmm_core::{
    Agreement, Answer, Answers, DetailedAnswers, Intake, K, Mode, ModelRef, QuickAnswers, Responses, Round, RoundId,
    RoundState, Team, TeamId, TeamName, TokenHash,
};
use asyncmm_model::{AreaId, Level, StatementId};
use time::Date;

use crate::StoreError;
use crate::record;

/// Why a round refused an operation: the round's lifecycle rules, typed so
/// callers (the application layer, the web) can tell them apart without
/// reading messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("round {round} is closed: answers can no longer be given or changed")]
    RoundClosed { round: RoundId },
    #[error("round {round} is not open yet: it opens on {opens_on}")]
    NotOpenYet { round: RoundId, opens_on: Date },
    #[error("round {round} is already closed ({why})")]
    AlreadyClosed { round: RoundId, why: String },
    #[error("round {round} is not closed, so there is nothing to reopen")]
    NotClosed { round: RoundId },
    #[error(
        "k is fixed once the first response arrived; round {round} has {} (k = {k})",
        responses_text(*.responses)
    )]
    KFixed { round: RoundId, responses: u64, k: K },
    #[error("the result of round {round} was published, so it can't be reopened; open a new round instead")]
    ReopenPublished { round: RoundId },
    #[error(
        "the result of round {round} was published; importing more responses would change it, so nothing was \
         imported (open a new round instead)"
    )]
    ImportPublished { round: RoundId },
    #[error("the result of round {round} was published; no more tokens can be issued")]
    TokensPublished { round: RoundId },
    #[error(
        "this token was used before round {round} closed; the answers it gave are final and can't be changed or \
         given again"
    )]
    TokenSpent { round: RoundId },
    #[error(
        "round {round} takes its responses from an import, so tokens can't answer it (a round takes tokens or \
         imports, never both)"
    )]
    TakesImports { round: RoundId },
    #[error(
        "round {round} hands out respondent tokens, so nothing can be imported into it (a round takes tokens or \
         imports, never both; open another round for the form's answers)"
    )]
    TakesTokens { round: RoundId },
    #[error("{which} is in {found} mode, but round {round} is answered in {expected} mode")]
    WrongMode {
        round: RoundId,
        which: String,
        found: Mode,
        expected: Mode,
    },
}

/// A date both backends can store and order the same way: the years 1–9999
/// (SQLite's text form sorts correctly only with four-digit years).
pub(crate) fn check_date(date: Date, what: &str) -> Result<Date, StoreError> {
    if (1..=9999).contains(&date.year()) {
        Ok(date)
    } else {
        Err(StoreError::Invalid(format!(
            "{what} {date} is outside the years 1-9999 that can be stored"
        )))
    }
}

/// Fresh random response ids, positive and distinct, in increasing order
/// (inserting in key order keeps B-tree writes local; sorting random numbers
/// reveals nothing).
///
/// 63 random bits: the chance that two of a million responses ever collide is
/// about 5 in 10^8, and a collision fails the insert (primary key) rather
/// than mixing two responses.
pub(crate) fn new_response_ids(count: usize) -> Result<Vec<i64>, StoreError> {
    let mut bytes = vec![0u8; count * 8];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("the system's random number generator failed: {e}")))?;
    let mut ids: Vec<i64> = bytes
        .chunks_exact(8)
        .map(|chunk| {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            // The top bit cleared keeps the id positive; 0 becomes 1.
            (i64::from_le_bytes(word) & i64::MAX).max(1)
        })
        .collect();
    ids.sort_unstable();
    // Two equal ids in one batch would fail the whole insert; redraw instead.
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return new_response_ids(count);
    }
    Ok(ids)
}

/// k as stored: a SMALLINT in PostgreSQL, so both backends refuse the same
/// (absurdly large) values.
pub(crate) fn k_value(k: K) -> Result<i16, StoreError> {
    i16::try_from(k.get())
        .map_err(|_| StoreError::Invalid(format!("k = {k} is larger than the {} that can be stored", i16::MAX)))
}

/// A token hash as stored (32 bytes).
pub(crate) fn hash_bytes(hash: &TokenHash) -> Vec<u8> {
    hash.0.to_vec()
}

// ---------------------------------------------------------------- reading rows

/// The `teams` columns, whatever the backend's types.
pub(crate) fn team(id: i64, name: String, parent: Option<i64>, archived: bool) -> Result<Team, StoreError> {
    let name = TeamName::stored(&name).map_err(|e| StoreError::Corrupt(format!("team {id}: name {name:?}: {e}")))?;
    Ok(Team {
        id: TeamId(id),
        name,
        parent: parent.map(TeamId),
        archived,
    })
}

/// Team listings come in `TeamName` byte order on every backend, whatever
/// the database collation.
pub(crate) fn sort_teams(teams: &mut [Team]) {
    teams.sort_by(|a, b| a.name.cmp(&b.name));
}

/// The `rounds` columns (with the team's current name and the number of
/// responses), dates already read by the backend.
pub(crate) struct RoundRow {
    pub id: i64,
    pub team: String,
    pub model_id: String,
    pub model_version: String,
    pub mode: String,
    pub k: i64,
    pub opens_on: Date,
    pub closes_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub published: bool,
    pub intake: Option<String>,
    pub responses: i64,
}

impl RoundRow {
    pub(crate) fn into_round(self) -> Result<Round, StoreError> {
        let id = self.id;
        let corrupt = |what: String| StoreError::Corrupt(format!("round {id}: {what}"));
        let team = TeamName::stored(&self.team).map_err(|e| corrupt(format!("team {:?}: {e}", self.team)))?;
        let mode = parse_mode(&self.mode).map_err(corrupt)?;
        let k = K::new(self.k).map_err(|e| corrupt(e.to_string()))?;
        let intake = self
            .intake
            .as_deref()
            .map(|text| Intake::parse(text).ok_or_else(|| corrupt(format!("intake {text:?} is unknown"))))
            .transpose()?;
        Ok(Round {
            id: RoundId(id),
            team,
            model: ModelRef {
                id: self.model_id,
                version: self.model_version,
            },
            mode,
            k,
            opens_on: self.opens_on,
            closes_on: self.closes_on,
            closed_on: self.closed_on,
            published: self.published,
            intake,
            responses: u64::try_from(self.responses).unwrap_or(0),
        })
    }
}

/// A stored mode; the error is the part of a `Corrupt` message after the round.
pub(crate) fn parse_mode(text: &str) -> Result<Mode, String> {
    Mode::parse(text).ok_or_else(|| format!("mode {text:?} is neither \"quick\" nor \"detailed\""))
}

/// How a response's answers come out of the database when many are read:
/// one row per response, its answers packed into one text by the query —
/// each answer is its item followed by one character for the value (`0`-`3`,
/// or `-` for "don't know"), and answers are separated by `,`. Reading
/// 600,000 answer rows one by one costs about a microsecond each in the
/// driver, more than the database needs to find them; packed, the org report
/// reads 60× fewer rows. The value is always one character (the schema
/// allows 0-3 only), and `,` can't occur in an item (area and statement ids
/// are letters, digits, `-`, `_` and `.`). Concatenating the value without a
/// separator costs the database measurably less than `item || ':' || value`.
pub(crate) const SQLITE_PACKED_ANSWERS: &str = "group_concat(item || coalesce(value, '-'), ',')";
pub(crate) const POSTGRES_PACKED_ANSWERS: &str = "string_agg(item || coalesce(value::text, '-'), ',')";

/// Collects each round's responses from packed rows (see
/// [`SQLITE_PACKED_ANSWERS`]).
pub(crate) struct ResponseGroups {
    modes: HashMap<i64, Mode>,
    out: HashMap<RoundId, Responses>,
    /// Items already parsed: every response of a round repeats the same
    /// few dozen, and a lookup is cheaper than parsing again.
    statements: HashMap<String, StatementId>,
    areas: HashMap<String, AreaId>,
}

impl ResponseGroups {
    /// Every round in `modes` gets an entry, empty if it has no responses.
    pub(crate) fn new(modes: HashMap<i64, Mode>) -> Self {
        let out = modes.keys().map(|&id| (RoundId(id), Responses::default())).collect();
        ResponseGroups {
            modes,
            out,
            statements: HashMap::new(),
            areas: HashMap::new(),
        }
    }

    /// One response of `round`, packed.
    pub(crate) fn push(&mut self, round: i64, packed: &str) -> Result<(), StoreError> {
        // The queries filter by the rounds asked for, so a round without a
        // mode can't come; skipping beats inventing a mode.
        let Some(&mode) = self.modes.get(&round) else {
            return Ok(());
        };
        // The response id stays out of messages: it is not for people.
        let corrupt = |what: String| StoreError::Corrupt(format!("a response of round {round}: {what}"));
        let answers = match mode {
            Mode::Quick => {
                let mut pairs = Vec::new();
                for piece in packed.split(',') {
                    let (item, value) = unpack(piece).map_err(corrupt)?;
                    let area = match self.areas.get(item) {
                        Some(area) => area.clone(),
                        None => {
                            let area =
                                AreaId::parse(item).map_err(|e| corrupt(format!("answer item {item:?}: {e}")))?;
                            self.areas.insert(item.to_string(), area.clone());
                            area
                        }
                    };
                    let level = value
                        .and_then(|v| Level::new(v).ok())
                        .ok_or_else(|| corrupt(format!("level {value:?} for area {item} is not 0-3")))?;
                    pairs.push((area, level));
                }
                Answers::Quick(QuickAnswers::from_map(pairs.into_iter().collect()))
            }
            Mode::Detailed => {
                let mut pairs = Vec::new();
                for piece in packed.split(',') {
                    let (item, value) = unpack(piece).map_err(corrupt)?;
                    let statement = match self.statements.get(item) {
                        Some(statement) => statement.clone(),
                        None => {
                            let statement =
                                StatementId::parse(item).map_err(|e| corrupt(format!("answer item {item:?}: {e}")))?;
                            self.statements.insert(item.to_string(), statement.clone());
                            statement
                        }
                    };
                    let answer = match value {
                        None => Answer::DontKnow,
                        Some(v) => Answer::Agree(
                            Agreement::new(v).map_err(|_| corrupt(format!("agreement {v} for {item} is not 0-3")))?,
                        ),
                    };
                    pairs.push((statement, answer));
                }
                // Collecting sorts once and builds the tree in bulk.
                Answers::Detailed(DetailedAnswers::from_map(pairs.into_iter().collect()))
            }
        };
        self.out.entry(RoundId(round)).or_default().push(answers);
        Ok(())
    }

    pub(crate) fn finish(self) -> HashMap<RoundId, Responses> {
        self.out
    }
}

/// One packed answer: the item, and the value from its last character.
fn unpack(piece: &str) -> Result<(&str, Option<u8>), String> {
    let mut chars = piece.chars();
    let last = chars.next_back();
    let item = chars.as_str();
    let value = match last {
        Some('-') => None,
        Some(c @ '0'..='9') => Some(c as u8 - b'0'),
        _ => return Err(format!("answer {piece:?} has no value")),
    };
    if item.is_empty() {
        return Err(format!("answer {piece:?} has no item"));
    }
    Ok((item, value))
}

/// A unique-key violation becomes `conflict`; anything else stays a
/// database error.
pub(crate) fn unique_or(e: sqlx::Error, conflict: impl FnOnce() -> StoreError) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => conflict(),
        _ => StoreError::Database(e),
    }
}

/// The modes of the rounds asked for, read as `(id, mode)` rows; the first
/// round asked for that doesn't exist is `NotFound`.
pub(crate) fn round_modes(wanted: &[i64], rows: Vec<(i64, String)>) -> Result<HashMap<i64, Mode>, StoreError> {
    let mut modes = HashMap::with_capacity(rows.len());
    for (id, mode) in rows {
        let mode = parse_mode(&mode).map_err(|e| StoreError::Corrupt(format!("round {id}: {e}")))?;
        modes.insert(id, mode);
    }
    match wanted.iter().find(|id| !modes.contains_key(id)) {
        Some(&missing) => Err(round_not_found(RoundId(missing))),
        None => Ok(modes),
    }
}

// ---------------------------------------------------------------- writing rows

/// Responses ready to be inserted: ids drawn, answers flattened to rows.
pub(crate) struct NewResponses {
    pub ids: Vec<i64>,
    rows: Vec<Vec<(String, Option<i16>)>>,
}

impl NewResponses {
    /// Flattens `responses`; refuses an empty response (it would store a
    /// response with nothing in it, counted but invisible).
    pub(crate) fn prepare(responses: &[Answers]) -> Result<NewResponses, StoreError> {
        let total = responses.len();
        let mut rows = Vec::with_capacity(total);
        for (index, answers) in responses.iter().enumerate() {
            if answers.is_blank() {
                let which = if total == 1 {
                    "the response".to_string()
                } else {
                    format!("response {} of {total}", index + 1)
                };
                return Err(StoreError::Invalid(format!(
                    "{which} has no answers (\"don't know\" to everything counts as none); nothing was stored"
                )));
            }
            rows.push(record::answer_rows(answers));
        }
        Ok(NewResponses {
            ids: new_response_ids(total)?,
            rows,
        })
    }

    pub(crate) fn answer_count(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    /// Walks the answer rows in bounded chunks, each tagged with its
    /// response's id.
    pub(crate) fn chunks(&self) -> ResponseChunks<'_> {
        ResponseChunks {
            responses: self,
            response: 0,
            answer: 0,
        }
    }
}

/// A cursor over the answer rows of [`NewResponses`]. (A cursor, not an
/// iterator chain: closures borrowing the rows held across `.await` make the
/// `async_trait` futures fail the `Send` check.)
pub(crate) struct ResponseChunks<'a> {
    responses: &'a NewResponses,
    response: usize,
    answer: usize,
}

impl<'a> ResponseChunks<'a> {
    /// Up to `max` more `(response id, item, value)` rows; empty when done.
    pub(crate) fn next_chunk(&mut self, max: usize) -> Vec<(i64, &'a str, Option<i16>)> {
        let mut chunk = Vec::with_capacity(max.min(self.responses.answer_count()));
        while chunk.len() < max && self.response < self.responses.rows.len() {
            match self.responses.rows[self.response].get(self.answer) {
                Some((item, value)) => {
                    chunk.push((self.responses.ids[self.response], item.as_str(), *value));
                    self.answer += 1;
                }
                None => {
                    self.response += 1;
                    self.answer = 0;
                }
            }
        }
        chunk
    }
}

// ---------------------------------------------------------------- rules and messages

pub(crate) fn team_not_found(name: &TeamName) -> StoreError {
    StoreError::NotFound(format!("team {name}"))
}

pub(crate) fn round_not_found(id: RoundId) -> StoreError {
    StoreError::NotFound(format!("round {id}"))
}

/// The same answer for a token that exists nowhere and one issued for
/// another round: a respondent learns nothing about other rounds.
pub(crate) fn unknown_token(round: RoundId) -> StoreError {
    StoreError::NotFound(format!(
        "respondent token for round {round} (check that it was copied whole)"
    ))
}

pub(crate) fn team_exists(name: &TeamName) -> StoreError {
    StoreError::Conflict(format!("team {name} already exists"))
}

pub(crate) fn team_archived(name: &TeamName, doing: &str) -> StoreError {
    StoreError::Conflict(format!("team {name} is archived; {doing}"))
}

pub(crate) fn tokens_taken(round: RoundId) -> StoreError {
    StoreError::Conflict(format!(
        "a token for round {round} was already issued (or given twice); nothing was stored — issue new random tokens"
    ))
}

pub(crate) fn unregistered_model(model: &ModelRef, team: &TeamName) -> StoreError {
    StoreError::Conflict(format!(
        "cannot open a round for team {team}: model {model} is not registered in this database; register the model first"
    ))
}

/// Checks a new round's dates before anything is written.
pub(crate) fn check_round_dates(opens_on: Date, closes_on: Option<Date>) -> Result<(), StoreError> {
    check_date(opens_on, "the opening date")?;
    if let Some(closes_on) = closes_on {
        check_date(closes_on, "the closing date")?;
        if closes_on < opens_on {
            return Err(StoreError::Invalid(format!(
                "the round would close on {closes_on}, before it opens on {opens_on}"
            )));
        }
    }
    Ok(())
}

/// Why a round takes no answers on `today`, if it doesn't.
pub(crate) fn check_open(round: &Round, today: Date) -> Result<(), StoreError> {
    if today < round.opens_on {
        return Err(Refusal::NotOpenYet {
            round: round.id,
            opens_on: round.opens_on,
        }
        .into());
    }
    match round.state(today) {
        RoundState::Open => Ok(()),
        RoundState::Closed => Err(Refusal::RoundClosed { round: round.id }.into()),
    }
}

/// Answers must be in the round's mode, from a token, into a round that
/// takes tokens.
pub(crate) fn check_submit(round: &Round, answers: &Answers) -> Result<(), StoreError> {
    if round.intake == Some(Intake::Import) {
        return Err(Refusal::TakesImports { round: round.id }.into());
    }
    match mode_mismatch(round, answers, "the response") {
        None => Ok(()),
        Some(refusal) => Err(refusal.into()),
    }
}

fn mode_mismatch(round: &Round, answers: &Answers, which: &str) -> Option<Refusal> {
    (answers.mode() != round.mode).then(|| Refusal::WrongMode {
        round: round.id,
        which: which.to_string(),
        found: answers.mode(),
        expected: round.mode,
    })
}

/// The checks of an import, all before anything is written.
pub(crate) fn check_import(round: &Round, responses: &[Answers]) -> Result<(), StoreError> {
    if round.published {
        return Err(Refusal::ImportPublished { round: round.id }.into());
    }
    if round.intake == Some(Intake::Tokens) {
        return Err(Refusal::TakesTokens { round: round.id }.into());
    }
    let total = responses.len();
    for (index, answers) in responses.iter().enumerate() {
        if let Some(refusal) = mode_mismatch(round, answers, &format!("response {} of {total}", index + 1)) {
            return Err(refusal.into());
        }
    }
    Ok(())
}

/// k is fixed once a response arrived: the people who answered were promised
/// that threshold.
pub(crate) fn check_k_change(round: &Round) -> Result<(), StoreError> {
    if round.responses == 0 {
        Ok(())
    } else {
        Err(Refusal::KFixed {
            round: round.id,
            responses: round.responses,
            k: round.k,
        }
        .into())
    }
}

/// Closing a round that is already closed is an error, so the person sees
/// that nothing changed.
pub(crate) fn check_close(round: &Round, on: Date) -> Result<(), StoreError> {
    check_date(on, "the closing day")?;
    if round.state(on) == RoundState::Open {
        return Ok(());
    }
    let why = match (round.closed_on, round.closes_on) {
        (Some(closed), _) => format!("closed on {closed}"),
        (None, Some(closes)) => format!("its closing date {closes} has passed"),
        (None, None) => "closed".to_string(),
    };
    Err(Refusal::AlreadyClosed { round: round.id, why }.into())
}

/// The last day a closed round was open: responses are dated to it when the
/// round is sealed.
pub(crate) fn closing_day(round: &Round, today: Date) -> Date {
    match (round.closed_on, round.closes_on) {
        (Some(closed), _) => closed,
        (None, Some(closes)) => closes,
        (None, None) => today,
    }
}

/// Reopening: only a closed round whose result was not published. Returns
/// the closing date the reopened round keeps (one that has passed is dropped).
pub(crate) fn check_reopen(round: &Round, on: Date) -> Result<Option<Date>, StoreError> {
    check_date(on, "the reopening day")?;
    if round.published {
        return Err(Refusal::ReopenPublished { round: round.id }.into());
    }
    if round.state(on) == RoundState::Open {
        return Err(Refusal::NotClosed { round: round.id }.into());
    }
    Ok(round.closes_on.filter(|closes| *closes >= on))
}

/// New tokens can be issued until the result is published, and only for a
/// round that takes tokens.
pub(crate) fn check_add_tokens(round: &Round) -> Result<(), StoreError> {
    if round.published {
        Err(Refusal::TokensPublished { round: round.id }.into())
    } else if round.intake == Some(Intake::Import) {
        Err(Refusal::TakesImports { round: round.id }.into())
    } else {
        Ok(())
    }
}

/// Archiving a group that still has active teams would hide them under a
/// team nobody sees.
pub(crate) fn check_archive(team: &Team, active_children: &[String]) -> Result<(), StoreError> {
    if team.archived {
        return Err(StoreError::Conflict(format!("team {} is already archived", team.name)));
    }
    if active_children.is_empty() {
        return Ok(());
    }
    let mut names = active_children.to_vec();
    names.sort();
    Err(StoreError::Conflict(format!(
        "team {} still has active teams ({}); move or archive them first",
        team.name,
        names.join(", ")
    )))
}

pub(crate) fn cycle(team: &TeamName, parent: &TeamName) -> StoreError {
    if team == parent {
        StoreError::Conflict(format!("team {team} can't be its own parent"))
    } else {
        StoreError::Conflict(format!(
            "moving team {team} under {parent} would make a cycle: {parent} is inside {team}"
        ))
    }
}

/// Renaming onto a name that has self-assessments would silently merge two
/// histories.
pub(crate) fn assessments_under(from: &TeamName, to: &TeamName) -> StoreError {
    StoreError::Conflict(format!(
        "self-assessments are already stored under the team name {to}; renaming {from} to it would merge two \
         histories — pick another name"
    ))
}

fn responses_text(n: u64) -> String {
    if n == 1 {
        "1 response".to_string()
    } else {
        format!("{n} responses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn only_four_digit_years_can_be_stored() {
        assert!(check_date(date!(-0001 - 01 - 01), "d").is_err());
        assert!(check_date(date!(0000 - 12 - 31), "d").is_err());
        assert!(check_date(date!(0001 - 01 - 01), "d").is_ok());
        assert!(check_date(date!(9999 - 12 - 31), "d").is_ok());
    }

    #[test]
    fn packed_answers_unpack_by_their_last_character() {
        assert_eq!(unpack("documentation.0.12"), Ok(("documentation.0.1", Some(2))));
        assert_eq!(unpack("meetings.3.10-"), Ok(("meetings.3.10", None)));
        assert_eq!(unpack("leadership3"), Ok(("leadership", Some(3))));
        for bad in ["", "3", "documentation.0.1é", "documentation.0.1x"] {
            assert!(unpack(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn packed_responses_become_answers_or_a_corrupt_error() {
        let mut groups = ResponseGroups::new(HashMap::from([(7, Mode::Detailed), (8, Mode::Quick), (9, Mode::Quick)]));
        groups.push(7, "documentation.0.13,meetings.2.1-").expect("detailed");
        groups.push(8, "documentation2,meetings0").expect("quick");
        let out = groups.finish();
        let detailed = Answers::Detailed(DetailedAnswers::from_map(
            [
                (
                    StatementId::parse("documentation.0.1").expect("id"),
                    Answer::Agree(Agreement::new(3).expect("0-3")),
                ),
                (StatementId::parse("meetings.2.1").expect("id"), Answer::DontKnow),
            ]
            .into(),
        ));
        assert_eq!(out[&RoundId(7)], Responses::new(vec![detailed]));
        let quick = Answers::Quick(QuickAnswers::from_map(
            [
                (AreaId::parse("documentation").expect("id"), Level::new(2).expect("0-3")),
                (AreaId::parse("meetings").expect("id"), Level::new(0).expect("0-3")),
            ]
            .into(),
        ));
        assert_eq!(out[&RoundId(8)], Responses::new(vec![quick]));
        assert!(out[&RoundId(9)].is_empty());

        let mut groups = ResponseGroups::new(HashMap::from([(7, Mode::Detailed), (8, Mode::Quick)]));
        for (round, packed) in [
            (7, "Not An Id2"),
            (7, "documentation.0.17"),
            (8, "meetings-"),
            (8, "meetings"),
        ] {
            match groups.push(round, packed) {
                Err(StoreError::Corrupt(message)) => {
                    assert!(
                        message.starts_with(&format!("a response of round {round}: ")),
                        "{message}"
                    )
                }
                other => panic!("expected corrupt for {packed:?}, got {other:?}"),
            }
        }
    }

    #[test]
    fn response_ids_are_positive_distinct_and_sorted() {
        let ids = new_response_ids(10_000).expect("ids");
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|&id| id > 0));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        // Random, not a sequence: the spread covers most of the range.
        assert!(ids[ids.len() - 1] - ids[0] > i64::MAX / 2);
    }
}
