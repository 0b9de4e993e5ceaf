//! What an export document must satisfy before anything of it is stored:
//! every value goes through the same parsers as the rest of asyncmm's input
//! (team names, models, answers, links, k, dates), and every reference
//! points at something the document holds. A document that passes leaves a
//! database every command can read; one that doesn't is refused whole.
//!
//! The checker sees the document one part at a time, in document order, and
//! keeps only ids and names (never answers), so checking a file of any size
//! takes little memory.

use std::collections::{HashMap, HashSet};

use asyncmm_core::account::Role;
use asyncmm_core::plan::{ActionStatus, Link, parse_owner, parse_title};
use asyncmm_core::{Answers, Intake, K, Mode, TeamName};
use asyncmm_model::{AreaId, Level, Model, StatementId};
use asyncmm_store::{
    ExportedAccount, ExportedAction, ExportedAssessment, ExportedEvidence, ExportedGoal, ExportedModel, ExportedRound,
    ExportedTeam, Section,
};
use time::format_description::FormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::Imported;

const DAY: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Years a stored date may have: what every part of asyncmm can write back.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// The facts about one team that later parts are checked against.
#[derive(Debug)]
struct TeamFacts {
    name: String,
    parent: Option<i64>,
}

/// The checks, fed part by part. Errors are plain sentences naming the
/// part (`round 12: response 40: …`); the reader adds the line.
#[derive(Debug)]
pub(crate) struct Checker {
    version: u32,
    models: HashMap<(String, String), Model>,
    teams: HashMap<i64, TeamFacts>,
    team_names: HashSet<String>,
    /// Every team name seen (org teams and the names assessments, goals
    /// and actions are filed under), by its lower case: commands match names
    /// case-insensitively, so two names differing only in case would be one
    /// team to them.
    names_by_case: HashMap<String, String>,
    assessments: HashSet<i64>,
    rounds: HashSet<i64>,
    responses: HashSet<i64>,
    tokens: HashSet<String>,
    goals: HashSet<(String, String)>,
    actions: HashSet<i64>,
    /// Shared link hashes (lower case): unique like the store keeps them.
    shared_links: HashSet<String>,
    /// People by id, and their names by lower case (names are unique
    /// whatever their case, as the sign-in finds them).
    people: HashSet<i64>,
    people_names: HashSet<String>,
    api_tokens: HashSet<i64>,
    /// API token and invitation hashes (lower case).
    account_hashes: HashSet<String>,
    pub(crate) counts: Imported,
}

impl Checker {
    /// A checker for a document of format `version`.
    pub(crate) fn new(version: u32) -> Checker {
        Checker {
            version,
            models: HashMap::new(),
            teams: HashMap::new(),
            team_names: HashSet::new(),
            names_by_case: HashMap::new(),
            assessments: HashSet::new(),
            rounds: HashSet::new(),
            responses: HashSet::new(),
            tokens: HashSet::new(),
            goals: HashSet::new(),
            actions: HashSet::new(),
            shared_links: HashSet::new(),
            people: HashSet::new(),
            people_names: HashSet::new(),
            api_tokens: HashSet::new(),
            account_hashes: HashSet::new(),
            counts: Imported::default(),
        }
    }

    pub(crate) fn model(&mut self, m: &ExportedModel) -> Result<(), String> {
        let what = format!("model {} {}", m.id, m.version);
        let model = asyncmm_model::parse(&m.source, &what).map_err(|e| format!("{what} is not a valid model: {e}"))?;
        if model.id.as_str() != m.id || model.version != m.version {
            return Err(format!(
                "{what}: its text declares {} {} instead",
                model.id, model.version
            ));
        }
        if self.models.insert((m.id.clone(), m.version.clone()), model).is_some() {
            return Err(format!("{what} comes twice"));
        }
        self.counts.models += 1;
        Ok(())
    }

    pub(crate) fn team(&mut self, t: &ExportedTeam) -> Result<(), String> {
        let what = format!("team {}", t.id);
        self.name(&t.name, &what)?;
        if !self.team_names.insert(t.name.clone()) {
            return Err(format!("{what}: the name {:?} is taken by another team", t.name));
        }
        if t.parent == Some(t.id) {
            return Err(format!("{what} ({}) is its own parent", t.name));
        }
        let facts = TeamFacts {
            name: t.name.clone(),
            parent: t.parent,
        };
        if self.teams.insert(t.id, facts).is_some() {
            return Err(format!("{what} comes twice"));
        }
        self.counts.teams += 1;
        Ok(())
    }

    /// A team name as every command reads it, and no twin differing only
    /// in case.
    fn name(&mut self, name: &str, what: &str) -> Result<(), String> {
        let parsed = TeamName::parse(name).map_err(|e| format!("{what}: {e}"))?;
        if parsed.as_str() != name {
            return Err(format!(
                "{what}: the team name {name:?} is not written as asyncmm stores names ({:?})",
                parsed.as_str()
            ));
        }
        let seen = self
            .names_by_case
            .entry(name.to_lowercase())
            .or_insert_with(|| name.to_string());
        if seen != name {
            return Err(format!(
                "{what}: the team names {seen:?} and {name:?} differ only in case, so every command would take them \
                 for one team"
            ));
        }
        Ok(())
    }

    /// Once every team is known: parents exist and the tree has no cycle.
    fn teams_done(&self) -> Result<(), String> {
        let mut ids: Vec<&i64> = self.teams.keys().collect();
        ids.sort();
        for id in ids {
            let mut seen = HashSet::from([*id]);
            let mut at = *id;
            while let Some(parent) = self.teams.get(&at).and_then(|t| t.parent) {
                let Some(facts) = self.teams.get(&parent) else {
                    return Err(format!(
                        "team {} ({}): its parent {parent} is not in the file",
                        at, self.teams[&at].name
                    ));
                };
                if !seen.insert(parent) {
                    return Err(format!(
                        "team {id} ({}): its parents form a cycle through team {parent} ({})",
                        self.teams[id].name, facts.name
                    ));
                }
                at = parent;
            }
        }
        Ok(())
    }

    fn model_of(&self, id: &str, version: &str, what: &str) -> Result<&Model, String> {
        self.models
            .get(&(id.to_string(), version.to_string()))
            .ok_or_else(|| format!("{what}: model {id} {version} is not in the file"))
    }

    pub(crate) fn assessment(&mut self, a: &ExportedAssessment) -> Result<(), String> {
        let what = format!("assessment {}", a.id);
        self.name(&a.team, &what)?;
        let model = self.model_of(&a.model_id, &a.model_version, &what)?;
        let mode = mode(&a.mode, &what)?;
        if answers(model, mode, &a.answers, &what)?.is_blank() {
            return Err(format!("{what} answers nothing (every answer is \"don't know\")"));
        }
        let taken_at = OffsetDateTime::parse(&a.taken_at, &Rfc3339)
            .map_err(|e| format!("{what}: taken_at {:?} is not an RFC 3339 time ({e})", a.taken_at))?;
        if !YEARS.contains(&taken_at.to_offset(time::UtcOffset::UTC).year()) {
            return Err(format!("{what}: taken_at {} is outside the years 1-9999", a.taken_at));
        }
        if !self.assessments.insert(a.id) {
            return Err(format!("{what} comes twice"));
        }
        self.counts.assessments += 1;
        Ok(())
    }

    pub(crate) fn round(&mut self, r: &ExportedRound) -> Result<(), String> {
        let what = format!("round {}", r.id);
        if !self.teams.contains_key(&r.team) {
            return Err(format!("{what}: team {} is not in the file", r.team));
        }
        let model = self.model_of(&r.model_id, &r.model_version, &what)?;
        let mode = mode(&r.mode, &what)?;
        K::new(r.k).map_err(|e| format!("{what}: {e}"))?;
        let opens_on = day(&r.opens_on, &format!("{what}: opens_on"))?;
        if let Some(closes_on) = &r.closes_on
            && day(closes_on, &format!("{what}: closes_on"))? < opens_on
        {
            return Err(format!(
                "{what}: it closes ({closes_on}) before it opens ({})",
                r.opens_on
            ));
        }
        if let Some(closed_on) = &r.closed_on {
            day(closed_on, &format!("{what}: closed_on"))?;
        }
        match (r.intake.as_deref(), self.version) {
            (None, _) => {}
            (Some(text), _) => {
                let intake = Intake::parse(text)
                    .ok_or_else(|| format!("{what}: intake {text:?} is not \"tokens\" or \"import\""))?;
                if intake == Intake::Import && !r.tokens.is_empty() {
                    return Err(format!("{what} takes imported responses but has respondent tokens"));
                }
            }
        }
        if self.version >= 2 && r.intake.is_none() && !(r.responses.is_empty() && r.tokens.is_empty()) {
            return Err(format!("{what} has responses or tokens but no intake"));
        }
        let mut own = HashSet::new();
        for response in &r.responses {
            let what = format!("{what}: response {}", response.id);
            day(&response.submitted_on, &format!("{what}: submitted_on"))?;
            let given = answers(model, mode, &response.answers, &what)?;
            if given.is_blank() {
                return Err(format!("{what} answers nothing (every answer is \"don't know\")"));
            }
            if self.responses.contains(&response.id) || !own.insert(response.id) {
                return Err(format!("{what} comes twice"));
            }
        }
        let mut linked = HashSet::new();
        for token in &r.tokens {
            if token.hash.len() != 64 || !token.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("{what}: token hash {:?} is not 64 hex digits", token.hash));
            }
            if !self.tokens.insert(token.hash.to_ascii_lowercase()) {
                return Err(format!("{what}: token hash {} comes twice", token.hash));
            }
            if let Some(response) = token.response {
                if r.sealed {
                    return Err(format!(
                        "{what} is sealed but a token still names a response; a closed round keeps no such link"
                    ));
                }
                if !own.contains(&response) {
                    return Err(format!(
                        "{what}: a token names response {response}, which is not one of this round's"
                    ));
                }
                if !linked.insert(response) {
                    return Err(format!("{what}: two tokens name response {response}"));
                }
            }
        }
        if let Some(link) = &r.shared_link {
            hash(link, &format!("{what}: shared_link"))?;
            if r.intake.as_deref() == Some("import") {
                return Err(format!("{what} takes imported responses but has a shared link"));
            }
            if !self.shared_links.insert(link.to_ascii_lowercase()) {
                return Err(format!("{what}: shared_link {link} is another round's too"));
            }
        }
        if !self.rounds.insert(r.id) {
            return Err(format!("{what} comes twice"));
        }
        self.responses.extend(own);
        self.counts.rounds += 1;
        self.counts.responses += r.responses.len();
        self.counts.answers += r.responses.iter().map(|x| x.answers.len()).sum::<usize>();
        Ok(())
    }

    /// An area or statement must be one of a model in the file.
    fn area_known(&self, area: &AreaId) -> bool {
        self.models.values().any(|m| m.area(area).is_some())
    }

    fn statement_known(&self, statement: &StatementId) -> bool {
        self.models.values().any(|m| m.statement(statement).is_some())
    }

    pub(crate) fn goal(&mut self, g: &ExportedGoal) -> Result<(), String> {
        let what = format!("goal of team {:?} for {:?}", g.team, g.area);
        self.name(&g.team, &what)?;
        let area = AreaId::parse(&g.area).map_err(|e| format!("{what}: {e}"))?;
        if !self.area_known(&area) {
            return Err(format!("{what}: no model in the file has that area"));
        }
        level(g.target, &format!("{what}: target"))?;
        if let Some(baseline) = g.baseline {
            level(baseline, &format!("{what}: baseline"))?;
        }
        day(&g.by, &format!("{what}: by"))?;
        day(&g.set_on, &format!("{what}: set_on"))?;
        if !self.goals.insert((g.team.clone(), g.area.clone())) {
            return Err(format!("{what} comes twice"));
        }
        self.counts.goals += 1;
        Ok(())
    }

    pub(crate) fn action(&mut self, a: &ExportedAction) -> Result<(), String> {
        let what = format!("action {}", a.id);
        self.name(&a.team, &what)?;
        let title = parse_title(&a.title).map_err(|e| format!("{what}: {e}"))?;
        if title != a.title {
            return Err(format!(
                "{what}: the title {:?} is not written as asyncmm stores titles",
                a.title
            ));
        }
        if let Some(owner) = &a.owner {
            let parsed = parse_owner(owner).map_err(|e| format!("{what}: {e}"))?;
            if parsed.as_deref() != Some(owner.as_str()) {
                return Err(format!(
                    "{what}: the owner {owner:?} is not written as asyncmm stores owners"
                ));
            }
        }
        if let Some(link) = &a.link {
            let parsed = Link::parse(link).map_err(|e| format!("{what}: {e}"))?;
            if parsed.as_str() != link {
                return Err(format!(
                    "{what}: the link {link:?} is not written as asyncmm stores links"
                ));
            }
        }
        a.status.parse::<ActionStatus>().map_err(|e| format!("{what}: {e}"))?;
        day(&a.created_on, &format!("{what}: created_on"))?;
        let mut seen = HashSet::new();
        for statement in &a.statements {
            let id = StatementId::parse(statement).map_err(|e| format!("{what}: {e}"))?;
            if !self.statement_known(&id) {
                return Err(format!("{what}: statement {statement} is in no model of the file"));
            }
            if !seen.insert(statement) {
                return Err(format!("{what}: statement {statement} is named twice"));
            }
        }
        if !self.actions.insert(a.id) {
            return Err(format!("{what} comes twice"));
        }
        self.counts.actions += 1;
        Ok(())
    }

    /// Saved evidence: filed under a team name like everything else; the
    /// scan documents themselves are read (and checked) by the evidence
    /// engine whenever they are shown.
    pub(crate) fn evidence(&mut self, e: &ExportedEvidence) -> Result<(), String> {
        match e {
            ExportedEvidence::Salt { salt } => {
                if salt.is_empty() || salt.len() % 2 != 0 || !salt.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err("the pseudonym salt is not hex digits".to_string());
                }
            }
            ExportedEvidence::Scan {
                id,
                team,
                scanned_at,
                document,
                ..
            } => {
                let what = format!("saved evidence {id}");
                self.name(team, &what)?;
                OffsetDateTime::parse(scanned_at, &Rfc3339)
                    .map_err(|e| format!("{what}: scanned_at {scanned_at:?} is not an RFC 3339 time ({e})"))?;
                serde_json::from_str::<serde_json::Value>(document)
                    .map_err(|e| format!("{what}: its document is not JSON ({e})"))?;
            }
            ExportedEvidence::Waiver {
                team,
                rule,
                until,
                set_on,
                ..
            } => {
                let what = format!("waiver of rule {rule} for team {team:?}");
                self.name(team, &what)?;
                day(until, &format!("{what}: until"))?;
                day(set_on, &format!("{what}: set_on"))?;
            }
        }
        Ok(())
    }

    /// A web account: a person (a valid name unique whatever its case, a
    /// role, an argon2id password hash, led teams of the file), one of their
    /// API tokens (its person earlier in the file) or an invitation. Hashes
    /// of secrets are 64 hex digits and never come twice.
    pub(crate) fn account(&mut self, a: &ExportedAccount) -> Result<(), String> {
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
                let parsed = crate::accounts::parse_name(name).map_err(|e| format!("{what}: {e}"))?;
                if &parsed != name {
                    return Err(format!(
                        "{what}: the name {name:?} is not written as asyncmm stores names"
                    ));
                }
                if !self.people_names.insert(name.to_lowercase()) {
                    return Err(format!(
                        "{what}: the name {name:?} is another person's too (whatever its case)"
                    ));
                }
                account_role(role, &what)?;
                argon2id(password_hash, &what)?;
                instant(created_at, &format!("{what}: created_at"))?;
                let mut seen = HashSet::new();
                for team in leads {
                    if !self.teams.contains_key(team) {
                        return Err(format!("{what} leads team {team}, which is not in the file"));
                    }
                    if !seen.insert(team) {
                        return Err(format!("{what}: team {team} is named twice among the teams they lead"));
                    }
                }
                if !self.people.insert(*id) {
                    return Err(format!("{what} comes twice"));
                }
                self.counts.people += 1;
            }
            ExportedAccount::ApiToken {
                id,
                person,
                name,
                prefix,
                hash: token_hash,
                created_at,
                last_used_at,
                revoked_at,
            } => {
                let what = format!("API token {id}");
                if !self.people.contains(person) {
                    return Err(format!(
                        "{what}: person {person} is not in the file before it (people come before their tokens)"
                    ));
                }
                let parsed = crate::accounts::parse_name(name).map_err(|e| format!("{what}: {e}"))?;
                if &parsed != name {
                    return Err(format!(
                        "{what}: the name {name:?} is not written as asyncmm stores names"
                    ));
                }
                if prefix.is_empty() || prefix.chars().count() > 64 || prefix.chars().any(char::is_control) {
                    return Err(format!("{what}: the prefix {prefix:?} is not one asyncmm writes"));
                }
                hash(token_hash, &format!("{what}: hash"))?;
                let created = instant(created_at, &format!("{what}: created_at"))?;
                if let Some(used) = last_used_at {
                    instant(used, &format!("{what}: last_used_at"))?;
                }
                if let Some(revoked) = revoked_at
                    && instant(revoked, &format!("{what}: revoked_at"))? < created
                {
                    return Err(format!(
                        "{what} is revoked ({revoked}) before it was made ({created_at})"
                    ));
                }
                if !self.account_hashes.insert(token_hash.to_ascii_lowercase()) {
                    return Err(format!("{what}: hash {token_hash} comes twice"));
                }
                if !self.api_tokens.insert(*id) {
                    return Err(format!("{what} comes twice"));
                }
                self.counts.api_tokens += 1;
            }
            ExportedAccount::Invitation {
                hash: invite_hash,
                role,
                created_at,
                expires_at,
                used_at,
            } => {
                let what = "invitation".to_string();
                hash(invite_hash, &format!("{what}: hash"))?;
                let what = format!("invitation {invite_hash}");
                account_role(role, &what)?;
                instant(created_at, &format!("{what}: created_at"))?;
                instant(expires_at, &format!("{what}: expires_at"))?;
                if let Some(used) = used_at {
                    instant(used, &format!("{what}: used_at"))?;
                }
                if !self.account_hashes.insert(invite_hash.to_ascii_lowercase()) {
                    return Err(format!("{what}: hash {invite_hash} comes twice"));
                }
                self.counts.invitations += 1;
            }
        }
        Ok(())
    }

    /// Checks that need a whole section.
    pub(crate) fn end_of(&mut self, section: Section) -> Result<(), String> {
        match section {
            Section::Teams => self.teams_done(),
            _ => Ok(()),
        }
    }
}

fn mode(text: &str, what: &str) -> Result<Mode, String> {
    Mode::parse(text).ok_or_else(|| format!("{what}: mode {text:?} is not \"quick\" or \"detailed\""))
}

/// Answers as stored rows, read by the one rule the store reads them with,
/// and checked against their model.
fn answers(
    model: &Model,
    mode: Mode,
    rows: &std::collections::BTreeMap<String, Option<i16>>,
    what: &str,
) -> Result<Answers, String> {
    let answers =
        Answers::from_rows(mode, rows.iter().map(|(k, v)| (k.as_str(), *v))).map_err(|e| format!("{what}: {e}"))?;
    answers.check_against(model).map_err(|e| format!("{what}: {e}"))?;
    Ok(answers)
}

fn day(text: &str, what: &str) -> Result<Date, String> {
    let date = Date::parse(text, DAY).map_err(|e| format!("{what} {text:?} is not a date YYYY-MM-DD ({e})"))?;
    if !YEARS.contains(&date.year()) {
        return Err(format!("{what} {text} is outside the years 1-9999"));
    }
    Ok(date)
}

/// A SHA-256 as the export writes it: 64 hex digits.
fn hash(text: &str, what: &str) -> Result<(), String> {
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{what} {text:?} is not 64 hex digits"));
    }
    Ok(())
}

/// A role as the accounts table keeps it (lower case).
fn account_role(text: &str, what: &str) -> Result<Role, String> {
    let role = Role::parse(text).map_err(|e| format!("{what}: {e}"))?;
    if role.as_str() != text {
        return Err(format!(
            "{what}: the role {text:?} is not written as asyncmm stores roles"
        ));
    }
    Ok(role)
}

/// A password hash as sign-in reads it: an argon2id PHC string. Anything
/// else (a plain password, another algorithm) would lock its person out.
fn argon2id(text: &str, what: &str) -> Result<(), String> {
    let parsed = argon2::password_hash::PasswordHash::new(text)
        .map_err(|e| format!("{what}: password_hash is not a PHC password hash string ({e})"))?;
    if parsed.algorithm.as_str() != "argon2id" || parsed.hash.is_none() || parsed.salt.is_none() {
        return Err(format!(
            "{what}: password_hash is not an argon2id hash with its salt (asyncmm stores passwords as argon2id only)"
        ));
    }
    Ok(())
}

/// A point in time within the years every backend stores.
fn instant(text: &str, what: &str) -> Result<OffsetDateTime, String> {
    let at =
        OffsetDateTime::parse(text, &Rfc3339).map_err(|e| format!("{what} {text:?} is not an RFC 3339 time ({e})"))?;
    if !YEARS.contains(&at.to_offset(time::UtcOffset::UTC).year()) {
        return Err(format!("{what} {text} is outside the years 1-9999"));
    }
    Ok(at)
}

fn level(value: i16, what: &str) -> Result<Level, String> {
    u8::try_from(value)
        .ok()
        .and_then(|v| Level::new(v).ok())
        .ok_or_else(|| format!("{what} {value} is not a level 0-3"))
}
