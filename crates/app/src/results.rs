//! Results of rounds as people may see them: one round's report and the
//! organisation's view, every value through the anonymity gate of
//! `asyncmm_core::anonymity`.
//!
//! Two rules that only hold across commands live here, so every output
//! obeys them whichever command or page produced it:
//! - a round's result is shown only once the round is closed (while open,
//!   only its response count) — see [`asyncmm_core::show_round`];
//! - any output that shows a closed round's result **publishes** it, after
//!   which the round can't be reopened, imported into or given tokens:
//!   otherwise it could be reopened, given one more response and compared.
//!   [`App::shown`] is the only way a round's result leaves this crate, and
//!   it publishes.
//!
//! A closed round's aggregated result is kept in the store once computed
//! (`Store::keep_results`), so the org views read 8 kept results per team
//! instead of scoring millions of answers on every view. What is kept is
//! the result *before* the gate: it goes through `show_round` and the
//! roll-ups on every read, with the round's k and state of that day, like a
//! fresh one. Only closed rounds are kept, only while their response count
//! is the one the result was computed from, and the store drops the kept
//! result when the round is reopened, changes k or takes responses (see
//! `asyncmm_store`'s `kept` module), so a result shown is never stale.

use std::collections::{BTreeSet, HashMap};

use asyncmm_core::anonymity::{GroupInput, RollupRule, rollup};
use asyncmm_core::{
    GroupResult, GroupView, Responses, Round, RoundId, RoundState, Shown, Team, aggregate, show_round, show_round_brief,
};
use asyncmm_model::Model;
use asyncmm_report::summary::OrgSummary;
use asyncmm_report::team::{OrgReport, OrgRow, RoundReport};

use crate::models::{StoredModels, stored_model};
use crate::{App, AppError};

/// Rounds whose answers are held in memory at once by the views over many
/// rounds (about 300,000 answers of detailed rounds of 10).
const ROUNDS_PER_LOAD: usize = 500;

/// Rounds per part of the org CSV ([`App::org_rounds`]): one load of
/// answers, and a few megabytes of results and rows.
pub const ORG_ROUNDS_PER_PART: usize = ROUNDS_PER_LOAD;

/// Aggregates `rounds` (in order) from their loaded responses, split over
/// the machine's cores: aggregation is pure computation, and the org views
/// over every round spend most of their time in it.
fn aggregate_in_parallel(
    models: &StoredModels,
    rounds: &[&Round],
    responses: &HashMap<RoundId, Responses>,
) -> Result<Vec<GroupResult>, AppError> {
    let none = Responses::default();
    let one = |round: &&Round| -> Result<GroupResult, AppError> {
        let answers = responses.get(&round.id).unwrap_or(&none);
        aggregate(models.get(&round.model)?, round.mode, answers)
            .map_err(|e| AppError::Conflict(format!("round {}: {e}", round.id)))
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if threads < 2 || rounds.len() < 32 {
        return rounds.iter().map(one).collect();
    }
    let per_thread = rounds.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = rounds
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Result<Vec<_>, AppError>>()))
            .collect();
        let mut all = Vec::with_capacity(rounds.len());
        for part in parts {
            let done = part
                .join()
                .map_err(|_| AppError::Conflict("aggregating rounds failed unexpectedly".to_string()))?;
            all.extend(done?);
        }
        Ok(all)
    })
}

/// Whether a kept result belongs to `round` as it stands (the store
/// checks the count too; this costs nothing and also guards the model).
fn matches(round: &Round, result: &GroupResult) -> bool {
    result.respondents() == round.responses && result.model() == &round.model && result.mode() == round.mode
}

/// How much of a kept result a view reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Everything: a round's own report explains its areas from the
    /// statement aggregates.
    Whole,
    /// Without statement aggregates: the views over many rounds gate with
    /// `show_round_brief` and roll up scores, and never read them.
    Summaries,
}

/// A round and its result as it may be shown today.
#[derive(Debug)]
pub struct ShownRound {
    pub round: Round,
    pub view: Shown<GroupView>,
}

impl App<'_> {
    /// The one door a round's result leaves through: aggregated from the
    /// round's own responses, gated (closed rounds only, k, statements), and
    /// published when it is shown.
    pub(crate) async fn shown(&self, round: &Round, model: &Model) -> Result<ShownRound, AppError> {
        let models = StoredModels::one(model.clone());
        let result = self
            .results_of(&models, std::slice::from_ref(round), Detail::Whole)
            .await?
            .pop()
            .ok_or_else(|| AppError::Conflict(format!("round {}: no result", round.id)))?;
        let view = show_round(round, self.today, model, &result);
        let mut round = round.clone();
        self.publish(std::slice::from_mut(&mut round), std::slice::from_ref(&view))
            .await?;
        Ok(ShownRound { round, view })
    }

    /// A round's result is kept once it is closed (see the module doc).
    fn keepable(&self, round: &Round) -> bool {
        round.state(self.today) == RoundState::Closed
    }

    /// The results of `rounds` (in order), not yet gated: a closed round's
    /// kept result when the store has one that still matches, otherwise
    /// aggregated from its answers (two queries for all of them) and, for
    /// a closed round, kept for the next view.
    async fn results_of(
        &self,
        models: &StoredModels,
        rounds: &[Round],
        detail: Detail,
    ) -> Result<Vec<GroupResult>, AppError> {
        let closed: Vec<RoundId> = rounds.iter().filter(|r| self.keepable(r)).map(|r| r.id).collect();
        let mut kept = if closed.is_empty() {
            HashMap::new()
        } else {
            match detail {
                Detail::Whole => self.store.kept_results(&closed).await?,
                Detail::Summaries => self.store.kept_summaries(&closed).await?,
            }
        };
        let missing: Vec<&Round> = rounds
            .iter()
            .filter(|r| !kept.get(&r.id).is_some_and(|k| self.keepable(r) && matches(r, k)))
            .collect();
        let mut fresh: HashMap<RoundId, GroupResult> = HashMap::new();
        if !missing.is_empty() {
            let (results, _) = self.aggregate_and_keep(models, &missing).await?;
            fresh = missing.iter().map(|r| r.id).zip(results).collect();
        }
        rounds
            .iter()
            .map(|r| {
                fresh
                    .remove(&r.id)
                    .or_else(|| kept.remove(&r.id))
                    .ok_or_else(|| AppError::Conflict(format!("round {}: no result", r.id)))
            })
            .collect()
    }

    /// Aggregates `rounds` (in order) from their answers (two queries for
    /// all of them) and keeps the results of the closed ones; also returns
    /// how many the store kept.
    async fn aggregate_and_keep(
        &self,
        models: &StoredModels,
        rounds: &[&Round],
    ) -> Result<(Vec<GroupResult>, usize), AppError> {
        let ids: Vec<RoundId> = rounds.iter().map(|r| r.id).collect();
        let responses = self.store.responses_for_rounds(&ids).await?;
        let results = aggregate_in_parallel(models, rounds, &responses)?;
        drop(responses);
        let to_keep: Vec<(RoundId, &GroupResult)> = rounds
            .iter()
            .zip(&results)
            .filter(|(r, _)| self.keepable(r))
            .map(|(r, result)| (r.id, result))
            .collect();
        let kept = if to_keep.is_empty() {
            0
        } else {
            self.store.keep_results(&to_keep).await?
        };
        Ok((results, kept))
    }

    /// Marks every round whose result is about to be shown as published
    /// (once), and updates the copies the caller holds.
    async fn publish(&self, rounds: &mut [Round], views: &[Shown<GroupView>]) -> Result<(), AppError> {
        let ids: Vec<RoundId> = rounds
            .iter()
            .zip(views)
            .filter(|(r, v)| v.is_visible() && !r.published)
            .map(|(r, _)| r.id)
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        self.store.publish_rounds(&ids).await?;
        for round in rounds.iter_mut().filter(|r| ids.contains(&r.id)) {
            round.published = true;
        }
        Ok(())
    }

    /// Gates and publishes `rounds` (in order, at most [`ROUNDS_PER_LOAD`]
    /// of them), each with its own model version from `models`; also
    /// returns their aggregated results for roll-ups.
    async fn show_loaded(
        &self,
        models: &StoredModels,
        mut rounds: Vec<Round>,
    ) -> Result<(Vec<ShownRound>, Vec<GroupResult>), AppError> {
        let results = self.results_of(models, &rounds, Detail::Summaries).await?;
        let mut views = Vec::with_capacity(rounds.len());
        for (round, result) in rounds.iter().zip(&results) {
            views.push(show_round_brief(round, self.today, models.get(&round.model)?, result));
        }
        self.publish(&mut rounds, &views).await?;
        let shown = rounds
            .into_iter()
            .zip(views)
            .map(|(round, view)| ShownRound { round, view })
            .collect();
        Ok((shown, results))
    }

    /// Gates and publishes many rounds, in order; also returns their
    /// aggregated results for roll-ups. Each round is aggregated with its
    /// own model version (or read from what the store kept); answers are
    /// loaded [`ROUNDS_PER_LOAD`] rounds at a time (two queries each), and
    /// each load is aggregated on every core.
    async fn show_many(
        &self,
        rounds: Vec<Round>,
    ) -> Result<(StoredModels, Vec<ShownRound>, Vec<GroupResult>), AppError> {
        let models = StoredModels::load(self.store, rounds.iter().map(|r| &r.model).collect()).await?;
        let (shown, results) = self.show_with(&models, rounds).await?;
        Ok((models, shown, results))
    }

    /// [`App::show_many`] with the models already loaded (`models` holds
    /// every round's model, and may hold more): the door for views built
    /// outside this module too (the org summary).
    pub(crate) async fn show_with(
        &self,
        models: &StoredModels,
        rounds: Vec<Round>,
    ) -> Result<(Vec<ShownRound>, Vec<GroupResult>), AppError> {
        let mut shown = Vec::with_capacity(rounds.len());
        let mut results = Vec::with_capacity(rounds.len());
        let mut rest = rounds.into_iter();
        loop {
            let load: Vec<Round> = rest.by_ref().take(ROUNDS_PER_LOAD).collect();
            if load.is_empty() {
                return Ok((shown, results));
            }
            let (load_shown, load_results) = self.show_loaded(models, load).await?;
            shown.extend(load_shown);
            results.extend(load_results);
        }
    }

    pub(crate) async fn round(&self, id: i64) -> Result<Round, AppError> {
        match self.store.round(RoundId(id)).await {
            Ok(round) => Ok(round),
            Err(asyncmm_store::StoreError::NotFound(_)) => Err(AppError::round_not_found(RoundId(id))),
            Err(e) => Err(e.into()),
        }
    }

    /// A round's report: its result once closed (compared with the team's
    /// previous shown round of the same model and mode), or only its count
    /// while open.
    pub async fn round_report(&self, id: i64) -> Result<RoundReport, AppError> {
        let round = self.round(id).await?;
        let model = stored_model(self.store, &round.model).await?;
        let shown = self.shown(&round, &model).await?;
        let mut previous = None;
        if shown.view.is_visible() {
            let earlier: Vec<Round> = self
                .store
                .rounds(Some(&round.team))
                .await?
                .into_iter()
                .filter(|r| r.id != round.id && r.opens_on <= round.opens_on && r.id < round.id)
                .filter(|r| r.mode == round.mode)
                .filter(|r| r.state(self.today) == RoundState::Closed)
                .collect();
            let models = StoredModels::load(self.store, earlier.iter().map(|r| &r.model).collect()).await?;
            for candidate in earlier.iter().rev() {
                // Comparable: the same questionnaire line (a wording
                // revision compares with the version it revises).
                let candidate_model = models.get(&candidate.model)?;
                if !candidate_model.is_comparable_with(&model) {
                    continue;
                }
                let candidate = self.shown(candidate, candidate_model).await?;
                if candidate.view.is_visible() {
                    previous = Some(candidate);
                    break;
                }
            }
        }
        Ok(RoundReport::build(
            &model,
            &shown.round,
            self.today,
            &shown.view,
            previous.as_ref().map(|p| (&p.round, &p.view)),
        ))
    }

    /// The organisation's view: every active team's newest closed round
    /// (with a note of a newer open one), and the roll-ups by both rules.
    pub async fn org_report(&self) -> Result<OrgReport, AppError> {
        let teams = self.store.teams_in_org(false).await?;
        let all_rounds = self.store.rounds(None).await?;
        let (chosen, open) = self.org_picks(&teams, &all_rounds);
        self.org_view(&teams, chosen, &open).await
    }

    /// The org view and the org summary together, as the web's org page
    /// shows them: each round both need is read, gated and published once.
    /// Each is exactly what [`App::org_report`] and [`App::org_summary`]
    /// give on their own.
    pub async fn org_overview(&self, top: Option<usize>) -> Result<(OrgReport, OrgSummary), AppError> {
        let teams = self.store.teams_in_org(false).await?;
        let all_rounds = self.store.rounds(None).await?;
        let (chosen, open) = self.org_picks(&teams, &all_rounds);
        let all_models = StoredModels::load(self.store, all_rounds.iter().map(|r| &r.model).collect()).await?;
        let picks = self.summary_picks(&teams, &all_rounds, &all_models)?;
        let mut both: Vec<Round> = chosen.clone();
        let chosen_ids: BTreeSet<RoundId> = chosen.iter().map(|r| r.id).collect();
        both.extend(picks.wanted.iter().filter(|r| !chosen_ids.contains(&r.id)).cloned());
        let (shown, results) = self.show_with(&all_models, both).await?;
        let mut results: Vec<Option<GroupResult>> = results.into_iter().map(Some).collect();
        let at: HashMap<RoundId, usize> = shown.iter().enumerate().map(|(i, s)| (s.round.id, i)).collect();
        let position = |id: RoundId| {
            at.get(&id)
                .copied()
                .ok_or_else(|| AppError::Conflict(format!("round {id}: no result")))
        };

        let mut report_shown = Vec::with_capacity(chosen.len());
        let mut report_results = Vec::with_capacity(chosen.len());
        for round in &chosen {
            let i = position(round.id)?;
            report_shown.push(&shown[i]);
            report_results.push(
                results[i]
                    .take()
                    .ok_or_else(|| AppError::Conflict(format!("round {}: no result", round.id)))?,
            );
        }
        let report_models = all_models.subset(chosen.iter().map(|r| &r.model).collect())?;
        let report = self.org_view_of(&teams, &report_models, &report_shown, report_results, &open)?;

        let summary_models = all_models.subset(picks.wanted.iter().map(|r| &r.model).collect())?;
        let mut summary_shown: HashMap<RoundId, &ShownRound> = HashMap::with_capacity(picks.wanted.len());
        for round in &picks.wanted {
            summary_shown.insert(round.id, &shown[position(round.id)?]);
        }
        let summary = self
            .summary_of(&teams, &picks, &summary_models, &summary_shown, top)
            .await?;
        Ok((report, summary))
    }

    /// Per active team, the round of the org view (its newest closed round,
    /// else its newest open one, in team order), and its newest open round.
    fn org_picks<'r>(&self, teams: &[Team], all_rounds: &'r [Round]) -> (Vec<Round>, HashMap<&'r str, &'r Round>) {
        let active: BTreeSet<&str> = teams.iter().map(|t| t.name.as_str()).collect();
        // Per team: the newest closed round, and the newest open one.
        let mut closed: HashMap<&str, &Round> = HashMap::new();
        let mut open: HashMap<&str, &Round> = HashMap::new();
        for round in all_rounds.iter().filter(|r| active.contains(r.team.as_str())) {
            let slot = match round.state(self.today) {
                RoundState::Closed => &mut closed,
                RoundState::Open => &mut open,
            };
            // Rounds come oldest first, so the last one seen is the newest.
            slot.insert(round.team.as_str(), round);
        }
        let mut chosen: Vec<Round> = Vec::new();
        for team in teams {
            let name = team.name.as_str();
            if let Some(round) = closed.get(name).or_else(|| open.get(name)) {
                chosen.push((*round).clone());
            }
        }
        (chosen, open)
    }

    /// The org view of `chosen` (at most one round per team), each round
    /// through the gate and rolled up by both rules; `open` notes a newer
    /// open round of a team.
    async fn org_view(
        &self,
        teams: &[Team],
        chosen: Vec<Round>,
        open: &HashMap<&str, &Round>,
    ) -> Result<OrgReport, AppError> {
        let (models, shown, results) = self.show_many(chosen).await?;
        let shown: Vec<&ShownRound> = shown.iter().collect();
        self.org_view_of(teams, &models, &shown, results, open)
    }

    /// The org view of rounds already gated (`shown`, with their results
    /// in the same order), laid out with `models`.
    fn org_view_of(
        &self,
        teams: &[Team],
        models: &StoredModels,
        shown: &[&ShownRound],
        results: Vec<GroupResult>,
        open: &HashMap<&str, &Round>,
    ) -> Result<OrgReport, AppError> {
        let team_by_name: HashMap<&str, &Team> = teams.iter().map(|t| (t.name.as_str(), t)).collect();
        let mut inputs: Vec<GroupInput> = Vec::with_capacity(teams.len());
        for (entry, result) in shown.iter().zip(results) {
            if let Some(team) = team_by_name.get(entry.round.team.as_str()) {
                inputs.push(GroupInput::with_round(
                    team.id,
                    team.parent,
                    &entry.round,
                    self.today,
                    result,
                ));
            }
        }
        // Groups without a round of their own still need a node so their
        // teams roll up through them.
        let with_input: BTreeSet<_> = inputs.iter().map(GroupInput::id).collect();
        for team in teams {
            if !with_input.contains(&team.id) {
                inputs.push(GroupInput::without_round(team.id, team.parent));
            }
        }
        let mut rollups =
            rollup(&inputs, RollupRule::MedianOfTeamMedians).map_err(|e| AppError::Conflict(e.to_string()))?;
        rollups.extend(rollup(&inputs, RollupRule::PooledRespondents).map_err(|e| AppError::Conflict(e.to_string()))?);
        let rows: Vec<OrgRow> = shown
            .iter()
            .map(|s| OrgRow {
                round: &s.round,
                shown: &s.view,
                open_round: open.get(s.round.team.as_str()).copied().filter(|o| o.id != s.round.id),
            })
            .collect();
        Ok(OrgReport::build(
            &models.display()?,
            models.all(),
            teams,
            &rows,
            &rollups,
        ))
    }

    /// The organisation's view quarter by quarter, oldest first: per
    /// quarter, each active team's newest round opened in it and closed,
    /// through the same gate and roll-ups as [`App::org_report`], so a
    /// group's median per area over time is hidden wherever k is not met.
    pub async fn org_trends(&self) -> Result<Vec<OrgPeriod>, AppError> {
        let teams = self.store.teams_in_org(false).await?;
        let active: BTreeSet<&str> = teams.iter().map(|t| t.name.as_str()).collect();
        let rounds = self.store.rounds(None).await?;
        // Per quarter and team, the newest closed round (rounds come
        // oldest first, so the last one seen is the newest).
        let mut by_quarter: std::collections::BTreeMap<(i32, u8), HashMap<&str, &Round>> =
            std::collections::BTreeMap::new();
        for round in rounds
            .iter()
            .filter(|r| active.contains(r.team.as_str()) && r.state(self.today) == RoundState::Closed)
        {
            let quarter = (round.opens_on.year(), (u8::from(round.opens_on.month()) - 1) / 3 + 1);
            by_quarter
                .entry(quarter)
                .or_default()
                .insert(round.team.as_str(), round);
        }
        let none = HashMap::new();
        let mut periods = Vec::with_capacity(by_quarter.len());
        for ((year, quarter), picked) in by_quarter {
            let mut chosen: Vec<Round> = picked.into_values().cloned().collect();
            chosen.sort_by_key(|r| r.id);
            periods.push(OrgPeriod {
                quarter: format!("{year} Q{quarter}"),
                report: self.org_view(&teams, chosen, &none).await?,
            });
        }
        Ok(periods)
    }

    /// Every round of every active team, each through the gate on its own:
    /// the tidy team × round × area rows of the org CSV, handed to `part`
    /// as org reports of at most `rounds_per_part` rounds each, in order
    /// (the CLI uses [`ORG_ROUNDS_PER_PART`]). Every part is laid out by the
    /// same model, so the parts' rows written one after the other are the
    /// rows of one report of every round. Each part's results and views are
    /// dropped once `part` returns, so memory holds one part whatever the
    /// organisation's size; an error from `part` (a closed pipe) stops the
    /// rest. A round is published before its part is handed over.
    pub async fn org_rounds<E: From<AppError>>(
        &self,
        rounds_per_part: usize,
        mut part: impl FnMut(OrgReport) -> Result<(), E>,
    ) -> Result<(), E> {
        let teams = self.store.teams_in_org(false).await.map_err(AppError::from)?;
        let active: BTreeSet<&str> = teams.iter().map(|t| t.name.as_str()).collect();
        let rounds: Vec<Round> = self
            .store
            .rounds(None)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .filter(|r| active.contains(r.team.as_str()))
            .collect();
        let models = StoredModels::load(self.store, rounds.iter().map(|r| &r.model).collect()).await?;
        let layout = models.display()?;
        for load in rounds.chunks(rounds_per_part.clamp(1, ROUNDS_PER_LOAD)) {
            let (shown, _) = self.show_loaded(&models, load.to_vec()).await?;
            let rows: Vec<OrgRow> = shown
                .iter()
                .map(|s| OrgRow {
                    round: &s.round,
                    shown: &s.view,
                    open_round: None,
                })
                .collect();
            part(OrgReport::build(&layout, models.all(), &teams, &rows, &[]))?;
        }
        Ok(())
    }
}

/// One quarter of the organisation's trends: the org view of the rounds
/// opened in it.
#[derive(Debug, Clone)]
pub struct OrgPeriod {
    /// `2026 Q3`.
    pub quarter: String,
    pub report: OrgReport,
}

impl App<'_> {
    /// Aggregates and keeps the result of every closed round that has no
    /// kept result yet, [`ROUNDS_PER_LOAD`] rounds at a time, so the first
    /// org view after an import reads kept results like every later view
    /// instead of scoring every answer. Nothing is shown or published: this
    /// only fills the store's cache, under the same rules as a view (the
    /// store keeps a result only while its round is sealed and its count
    /// unchanged). Returns how many closed rounds have a kept result now.
    pub async fn keep_closed_results(&self) -> Result<usize, AppError> {
        let rounds: Vec<Round> = self
            .store
            .rounds(None)
            .await?
            .into_iter()
            .filter(|r| self.keepable(r))
            .collect();
        let models = StoredModels::load(self.store, rounds.iter().map(|r| &r.model).collect()).await?;
        let mut kept = 0;
        for load in rounds.chunks(ROUNDS_PER_LOAD) {
            let ids: Vec<RoundId> = load.iter().map(|r| r.id).collect();
            let already = self.store.kept_summaries(&ids).await?;
            let missing: Vec<&Round> = load
                .iter()
                .filter(|r| !already.get(&r.id).is_some_and(|k| matches(r, k)))
                .collect();
            kept += load.len() - missing.len();
            if !missing.is_empty() {
                kept += self.aggregate_and_keep(&models, &missing).await?.1;
            }
        }
        Ok(kept)
    }
}
