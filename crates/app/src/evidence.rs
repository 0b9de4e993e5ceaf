//! Evidence over the store: saving a scan for a team (counts and
//! pseudonymous ids only), the organisation's pseudonym salt, waivers of
//! evidence rules, a team's evidence history, and perception vs evidence —
//! the survey level next to the level the artefacts suggest, per area.
//!
//! Privacy rules that hold across commands live here: a saved scan never
//! holds a name (a scan run with names shown is refused, not trimmed), a
//! scan that measured nothing is not saved, and the survey side of a
//! comparison is the team's newest shown round (closed, at least k
//! responses) as the rest of the app computes it.

use std::collections::BTreeMap;

use asyncmm_core::TeamName;
use asyncmm_evidence::{Evaluation, RuleId, RuleSet, Scan, Waiver, apply_waivers, evaluate};
use asyncmm_model::{Level, Model};
use asyncmm_report::perception::{EvidenceSource, FiredRule, LevelName, PerceptionArea, PerceptionReport, WaiverNote};
use asyncmm_store::{EvidenceWaiver, NewEvidence, StoredEvidence};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::models::LoadedModel;
use crate::record::{Detail, RecordEntry, source_label};
use crate::{App, AppError, Random};

/// Bytes of a freshly drawn pseudonym salt.
const SALT_BYTES: usize = 32;

/// A scan that was saved.
#[derive(Debug, Clone, Serialize)]
pub struct SavedScan {
    pub id: i64,
    pub team: TeamName,
    pub source: String,
    pub subject: String,
    #[serde(with = "time::serde::rfc3339")]
    pub scanned_at: OffsetDateTime,
}

/// A team's waiver as it stands today.
#[derive(Debug, Clone, Serialize)]
pub struct WaiverStatus {
    pub rule: String,
    pub reason: String,
    pub until: Date,
    pub set_on: Date,
    /// False once the day after `until` has come: the rule counts again.
    pub active: bool,
}

/// A team's waivers.
#[derive(Debug, Clone, Serialize)]
pub struct WaiverList {
    pub team: TeamName,
    pub waivers: Vec<WaiverStatus>,
}

/// One saved scan in a team's evidence history, evaluated with today's
/// rule set and waivers.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryScan {
    pub id: i64,
    pub source: String,
    pub subject: String,
    #[serde(with = "time::serde::rfc3339")]
    pub scanned_at: OffsetDateTime,
    /// Per area of the model: its evidence level from this scan, if any.
    pub areas: Vec<(String, Option<u8>)>,
}

/// A team's saved evidence, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceHistory {
    pub team: TeamName,
    /// The area names, in the model's order.
    pub areas: Vec<String>,
    pub scans: Vec<HistoryScan>,
}

fn scan_of(stored: &StoredEvidence) -> Result<Scan, AppError> {
    serde_json::from_str(&stored.document).map_err(|e| {
        AppError::Conflict(format!(
            "saved evidence {} of team \"{}\" can't be read: {e}",
            stored.id, stored.team
        ))
    })
}

fn waiver_of(w: &EvidenceWaiver) -> Result<Waiver, AppError> {
    Ok(Waiver {
        rule: RuleId::parse(&w.rule).map_err(|e| AppError::invalid("rule", e))?,
        reason: w.reason.clone(),
        until: w.until,
    })
}

/// `3 Optimizing`.
fn level_name(model: &Model, level: Level) -> LevelName {
    LevelName {
        number: level.number(),
        name: model
            .levels
            .get(level.index())
            .map_or_else(String::new, |l| l.name.clone()),
    }
}

/// The rule set to evaluate with: `rules` (text and its file name) or the
/// embedded default, checked against `model`.
pub fn load_rules(rules: Option<(&str, &str)>, model: &Model) -> Result<RuleSet, AppError> {
    match rules {
        None => asyncmm_evidence::default_rules(model).map_err(|e| AppError::invalid("rule set", e)),
        Some((text, name)) => asyncmm_evidence::parse_rules(text, name, model).map_err(|e| AppError::invalid("", e)),
    }
}

impl App<'_> {
    /// The team evidence is kept for: an existing team (matched as
    /// everywhere) or a new name, unless the new name is a slip away from
    /// an existing one. Resolved before a scan runs, so a long scan doesn't
    /// fail at the end for a typo.
    pub async fn evidence_team(&self, given: &str) -> Result<TeamName, AppError> {
        Ok(self.team_for_new_data(given, false).await?.into_name())
    }

    /// The organisation's pseudonym salt, drawn from `random` the first
    /// time and kept in the store, so a person has one id in every scan.
    pub async fn pseudonym_salt(&self, random: &mut dyn Random) -> Result<Vec<u8>, AppError> {
        let mut fresh = [0u8; SALT_BYTES];
        random.fill(&mut fresh)?;
        Ok(self.store.evidence_salt(&fresh).await?)
    }

    /// Saves a scan for a team. Refused, with nothing stored, when the scan
    /// measured nothing or carries people's names.
    pub async fn save_scan(&self, team: &TeamName, scan: &Scan) -> Result<SavedScan, AppError> {
        if !scan.measured_anything() {
            return Err(AppError::invalid(
                "scan",
                format!(
                    "the {} scan of {} measured nothing, so nothing was saved",
                    scan.source, scan.subject
                ),
            ));
        }
        if scan.shows_names() {
            return Err(AppError::invalid(
                "scan",
                "a scan that shows people's names is never saved; run it without names to save it",
            ));
        }
        let document = serde_json::to_string(scan)
            .map_err(|e| AppError::Conflict(format!("the scan can't be written as JSON: {e}")))?;
        let stored = self
            .store
            .save_evidence(&NewEvidence {
                team: team.clone(),
                scanned_at: scan.scanned_at,
                source: scan.source.as_str().to_string(),
                subject: scan.subject.clone(),
                document,
            })
            .await?;
        Ok(SavedScan {
            id: stored.id.0,
            team: stored.team,
            source: stored.source,
            subject: stored.subject,
            scanned_at: stored.scanned_at,
        })
    }

    /// The team's waivers that hold today, ready for
    /// [`asyncmm_evidence::apply_waivers`].
    pub async fn active_waivers(&self, team: &TeamName) -> Result<Vec<Waiver>, AppError> {
        self.store
            .waivers(team)
            .await?
            .iter()
            .filter(|w| w.until >= self.today)
            .map(waiver_of)
            .collect()
    }

    /// Applies the team's waivers in force today to an evaluation: waived
    /// rules stay, marked with their reason and expiry.
    pub async fn with_waivers(
        &self,
        team: &TeamName,
        evaluation: Evaluation,
        model: &Model,
    ) -> Result<Evaluation, AppError> {
        let waivers = self.active_waivers(team).await?;
        Ok(apply_waivers(evaluation, &waivers, self.today, model))
    }

    /// Disputes a rule's finding for a team until `until` (inclusive), with
    /// a reason; replaces an earlier waiver of the same rule.
    pub async fn waive(&self, team: &str, rule: &str, reason: &str, until: &str) -> Result<WaiverStatus, AppError> {
        let team = self.evidence_team(team).await?;
        let rule = RuleId::parse(rule.trim()).map_err(|e| AppError::invalid("rule", e))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "say why the rule doesn't fit the team"));
        }
        let until = crate::plans::parse_day("until", until)?;
        if until < self.today {
            return Err(AppError::invalid(
                "until",
                format!(
                    "{until} has passed; a waiver needs a day from today ({}) on",
                    self.today
                ),
            ));
        }
        let waiver = EvidenceWaiver {
            team,
            rule: rule.as_str().to_string(),
            reason: reason.to_string(),
            until,
            set_on: self.today,
        };
        self.store.set_waiver(&waiver).await?;
        Ok(self.status(&waiver))
    }

    fn status(&self, w: &EvidenceWaiver) -> WaiverStatus {
        WaiverStatus {
            rule: w.rule.clone(),
            reason: w.reason.clone(),
            until: w.until,
            set_on: w.set_on,
            active: w.until >= self.today,
        }
    }

    /// A team's waivers, expired ones marked.
    pub async fn waivers(&self, team: &str) -> Result<WaiverList, AppError> {
        let team = self.evidence_team(team).await?;
        let waivers = self
            .store
            .waivers(&team)
            .await?
            .iter()
            .map(|w| self.status(w))
            .collect();
        Ok(WaiverList { team, waivers })
    }

    /// Removes a team's waiver of a rule.
    pub async fn unwaive(&self, team: &str, rule: &str) -> Result<(), AppError> {
        let team = self.evidence_team(team).await?;
        Ok(self.store.remove_waiver(&team, rule.trim()).await?)
    }

    pub(crate) async fn saved_scans(&self, team: &TeamName) -> Result<Vec<(StoredEvidence, Scan)>, AppError> {
        self.store
            .team_evidence(team)
            .await?
            .into_iter()
            .map(|stored| {
                let scan = scan_of(&stored)?;
                Ok((stored, scan))
            })
            .collect()
    }

    /// The team's saved scans, oldest first, each evaluated on its own with
    /// `rules` (default: the embedded rule set) and today's waivers.
    pub async fn evidence_history(&self, team: &str, rules: Option<(&str, &str)>) -> Result<EvidenceHistory, AppError> {
        let team = self.evidence_team(team).await?;
        let model = LoadedModel::embedded()?.model;
        let rule_set = load_rules(rules, &model)?;
        let waivers = self.active_waivers(&team).await?;
        let mut scans = Vec::new();
        for (stored, scan) in self.saved_scans(&team).await? {
            let evaluation = apply_waivers(
                evaluate(&rule_set, std::slice::from_ref(&scan), &model),
                &waivers,
                self.today,
                &model,
            );
            scans.push(HistoryScan {
                id: stored.id.0,
                source: stored.source,
                subject: stored.subject,
                scanned_at: stored.scanned_at,
                areas: evaluation
                    .areas
                    .iter()
                    .map(|a| (a.area.as_str().to_string(), a.level.map(Level::number)))
                    .collect(),
            });
        }
        if scans.is_empty() {
            return Err(AppError::NothingYet(format!(
                "team \"{team}\" has no saved evidence yet"
            )));
        }
        Ok(EvidenceHistory {
            team,
            areas: model.areas.iter().map(|a| a.name.clone()).collect(),
            scans,
        })
    }

    /// Perception vs evidence for a team: per area the survey level (the
    /// team's newest shown round), the evidence level from the newest saved
    /// scan of each source (evaluated with `rules`, default the embedded
    /// set, and the waivers in force today), the rules that fired with
    /// their values, and a plain sentence where the two differ by a level
    /// or more.
    pub async fn perception(&self, team: &str, rules: Option<(&str, &str)>) -> Result<PerceptionReport, AppError> {
        let team = self.evidence_team(team).await?;
        let record = self.team_record(&team).await?;
        let survey: Option<&RecordEntry> = record
            .entries
            .iter()
            .rev()
            .find(|e| matches!(e.detail, Detail::Round(_)));
        let model = match survey {
            Some(entry) => entry.model.clone(),
            None => LoadedModel::embedded()?.model,
        };
        let rule_set = load_rules(rules, &model)?;

        // The newest saved scan of each source.
        let mut newest: BTreeMap<String, (StoredEvidence, Scan)> = BTreeMap::new();
        for (stored, scan) in self.saved_scans(&team).await? {
            newest.insert(stored.source.clone(), (stored, scan));
        }
        let scans: Vec<Scan> = newest.values().map(|(_, scan)| scan.clone()).collect();
        let evaluation = evaluate(&rule_set, &scans, &model);
        let evaluation = self.with_waivers(&team, evaluation, &model).await?;

        let areas = model
            .areas
            .iter()
            .map(|area| {
                let survey_level = survey.and_then(|e| e.level(&area.id));
                let evidence = evaluation.areas.iter().find(|a| a.area == area.id);
                let evidence_level = evidence.and_then(|a| a.level);
                let fired: Vec<FiredRule> = evaluation
                    .rules
                    .iter()
                    .filter(|r| r.area == area.id && r.suggested.is_some())
                    .filter_map(|r| {
                        let suggested = r.suggested?;
                        let value = r.value?;
                        Some(FiredRule {
                            rule: r.rule.as_str().to_string(),
                            metric: r.metric.as_str().to_string(),
                            value,
                            value_text: r.unit.map_or_else(|| value.to_string(), |u| u.format(value)),
                            suggested: level_name(&model, suggested),
                            rationale: r.rationale.clone(),
                            waived: r.waived.as_ref().map(|w| WaiverNote {
                                reason: w.reason.clone(),
                                until: w.until.to_string(),
                            }),
                        })
                    })
                    .collect();
                PerceptionArea::new(
                    area.id.as_str(),
                    &area.name,
                    survey_level.map(|l| level_name(&model, l)),
                    evidence_level.map(|l| level_name(&model, l)),
                    evidence.map_or(0, |a| a.rules),
                    evidence.map_or(0, |a| a.rules_with_data),
                    fired,
                    survey.is_some(),
                )
            })
            .collect();
        Ok(PerceptionReport {
            schema: asyncmm_report::perception::SCHEMA,
            team: team.as_str().to_string(),
            survey_from: survey.map(|e| {
                format!(
                    "{} (closed {}, {} respondents)",
                    source_label(e.source),
                    e.date,
                    respondents(e)
                )
            }),
            evidence_from: newest
                .values()
                .map(|(stored, scan)| EvidenceSource {
                    id: stored.id.0,
                    source: stored.source.clone(),
                    subject: stored.subject.clone(),
                    scanned_on: stored.scanned_at.date().to_string(),
                    window: format!("{} to {}", scan.window.since.date(), scan.window.last_day()),
                })
                .collect(),
            rule_set: format!("{} v{}", evaluation.rule_set.id, evaluation.rule_set.version),
            combination: evaluation.combination.clone(),
            areas,
            model: asyncmm_report::ModelInfo::of(&model),
        })
    }
}

fn respondents(entry: &RecordEntry) -> u64 {
    match &entry.detail {
        Detail::Round(shown) => shown.view.n(),
        Detail::Assessment(_) => 1,
    }
}
