//! The org summary for a director: which teams need help, and where (see
//! `asyncmm_report::summary`). This module picks each team's rounds and
//! plan; every result goes through the same gate as the org view
//! ([`crate::results`]): closed rounds only, k, and publishing what is
//! shown.

use std::collections::{BTreeSet, HashMap};

use asyncmm_core::{Round, RoundId, RoundState, Team};
use asyncmm_report::plan::PlanReport;
use asyncmm_report::summary::{OrgSummary, SUMMARY_TOP, SummaryTeam};

use crate::models::StoredModels;
use crate::results::ShownRound;
use crate::{App, AppError};

/// Each team's rounds as the summary needs them.
#[derive(Default)]
struct TeamRounds<'a> {
    /// The newest closed round.
    current: Option<&'a Round>,
    /// The closed round before it of the same mode and a comparable model.
    previous: Option<&'a Round>,
    /// The newest open round.
    open: Option<&'a Round>,
}

/// Each active team's rounds as the summary needs them, and the rounds
/// whose results it shows (current and previous), by id.
pub(crate) struct SummaryPicks<'r> {
    picked: HashMap<&'r str, TeamRounds<'r>>,
    pub(crate) wanted: Vec<Round>,
}

impl App<'_> {
    /// The org summary over every active team, its lists cut to `top`
    /// entries (default [`SUMMARY_TOP`]).
    pub async fn org_summary(&self, top: Option<usize>) -> Result<OrgSummary, AppError> {
        let teams = self.store.teams_in_org(false).await?;
        let all_rounds = self.store.rounds(None).await?;
        // Comparability needs the models before anything is aggregated.
        let models = StoredModels::load(self.store, all_rounds.iter().map(|r| &r.model).collect()).await?;
        let picks = self.summary_picks(&teams, &all_rounds, &models)?;
        let shown_models = models.subset(picks.wanted.iter().map(|r| &r.model).collect())?;
        let (shown, _) = self.show_with(&models, picks.wanted.clone()).await?;
        let shown: HashMap<RoundId, &ShownRound> = shown.iter().map(|s| (s.round.id, s)).collect();
        self.summary_of(&teams, &picks, &shown_models, &shown, top).await
    }

    /// Per active team: its newest closed round, the previous comparable
    /// closed round, its newest open round.
    pub(crate) fn summary_picks<'r>(
        &self,
        teams: &[Team],
        all_rounds: &'r [Round],
        models: &StoredModels,
    ) -> Result<SummaryPicks<'r>, AppError> {
        let active: BTreeSet<&str> = teams.iter().map(|t| t.name.as_str()).collect();
        let mut by_team: HashMap<&str, Vec<&Round>> = HashMap::new();
        for round in all_rounds.iter().filter(|r| active.contains(r.team.as_str())) {
            by_team.entry(round.team.as_str()).or_default().push(round);
        }
        let mut picked: HashMap<&str, TeamRounds> = HashMap::new();
        for (team, rounds) in &by_team {
            // Rounds come oldest first (by id within a day).
            let mut rounds = rounds.clone();
            rounds.sort_by_key(|r| (r.opens_on, r.id));
            let closed: Vec<&Round> = rounds
                .iter()
                .copied()
                .filter(|r| r.state(self.today) == RoundState::Closed)
                .collect();
            let open = rounds
                .iter()
                .rev()
                .copied()
                .find(|r| r.state(self.today) == RoundState::Open);
            let current = closed.last().copied();
            let mut previous = None;
            if let Some(now) = current {
                let now_model = models.get(&now.model)?;
                for candidate in closed.iter().rev().skip(1) {
                    if candidate.mode == now.mode && models.get(&candidate.model)?.is_comparable_with(now_model) {
                        previous = Some(*candidate);
                        break;
                    }
                }
            }
            picked.insert(
                *team,
                TeamRounds {
                    current,
                    previous,
                    open,
                },
            );
        }
        let mut wanted: Vec<Round> = Vec::new();
        for rounds in picked.values() {
            wanted.extend(rounds.current.into_iter().chain(rounds.previous).cloned());
        }
        wanted.sort_by_key(|r| r.id);
        Ok(SummaryPicks { picked, wanted })
    }

    /// The summary of `picks`, whose shown rounds are in `shown` (by id)
    /// and were laid out with `shown_models`.
    pub(crate) async fn summary_of(
        &self,
        teams: &[Team],
        picks: &SummaryPicks<'_>,
        shown_models: &StoredModels,
        shown: &HashMap<RoundId, &ShownRound>,
        top: Option<usize>,
    ) -> Result<OrgSummary, AppError> {
        let picked = &picks.picked;
        let shown_of = |round: Option<&Round>| round.and_then(|r| shown.get(&r.id)).map(|s| (&s.round, &s.view));

        // Plans only for the teams that have one (one query names them),
        // so a large organisation of mostly planless teams costs no query
        // per team.
        let planning: BTreeSet<String> = self.store.teams_with_plans().await?.into_iter().collect();
        let mut plans: HashMap<&str, PlanReport> = HashMap::new();
        for team in teams.iter().filter(|t| planning.contains(t.name.as_str())) {
            plans.insert(team.name.as_str(), self.plan_of(&team.name).await?);
        }

        let none = TeamRounds::default();
        let entries: Vec<SummaryTeam> = teams
            .iter()
            .map(|team| {
                let rounds = picked.get(team.name.as_str()).unwrap_or(&none);
                SummaryTeam {
                    team,
                    current: shown_of(rounds.current),
                    previous: shown_of(rounds.previous),
                    open: rounds.open,
                    plan: plans.get(team.name.as_str()),
                }
            })
            .collect();
        Ok(OrgSummary::build(
            &shown_models.display()?,
            shown_models.all(),
            teams,
            &entries,
            self.today,
            top.unwrap_or(SUMMARY_TOP),
        ))
    }
}
