//! Improvement plans over a team's record: goals, actions, candidate actions
//! from what holds the team back, and progress with a projection. The rules
//! (candidates, projection, pace) live in `asyncmm_core::plan`; this module
//! decides which result is current (see [`crate::record`]) and reads and
//! writes the plan.

use asyncmm_core::TeamName;
use asyncmm_core::plan::{
    Action, ActionId, ActionStatus, ActionUpdate, CANDIDATES_PER_AREA, Candidate, Focus, Goal, Link, NewAction,
    focused_candidates, parse_owner, parse_title, progress,
};
use asyncmm_evidence::SourceKind;
use asyncmm_model::{AreaId, Level, Model, StatementId};
use asyncmm_report::plan::{GoalReport, MeetingCandidate, PlanReport, Regression, Suggestions};
use asyncmm_store::StoreError;
use time::Date;

use crate::models::LoadedModel;
use crate::record::Current;
use crate::{App, AppError};

/// The metric whose evidence rule says which area meetings that could be
/// written belong to and which statements replacing one works towards.
const WRITABLE_METRIC: &str = "calendar.writable_meeting_hours_per_person_week";

/// A goal as stored, and what the person setting it should know.
#[derive(Debug)]
pub struct GoalSet {
    pub goal: Goal,
    /// Where the baseline came from ("round 3"), if the team had a result.
    pub baseline_from: Option<String>,
    /// Warnings, not refusals: a team may hold a level it has, or record a
    /// goal after its date; it should just know.
    pub warnings: Vec<String>,
}

/// What `plan suggest` was asked for, as typed: an area by id or name, and
/// a limit per area (default [`CANDIDATES_PER_AREA`]; 0 means all).
#[derive(Debug, Clone, Default)]
pub struct SuggestRequest {
    pub area: Option<String>,
    pub limit: Option<usize>,
}

/// Reads an area given by id (`decision-making`) or name (`Decision
/// making`), case-insensitively.
pub fn parse_area(model: &Model, text: &str) -> Result<AreaId, AppError> {
    let wanted = text.trim();
    let found = model
        .areas
        .iter()
        .find(|a| a.id.as_str().eq_ignore_ascii_case(wanted) || a.name.eq_ignore_ascii_case(wanted));
    match found {
        Some(area) => Ok(area.id.clone()),
        None => {
            let known: Vec<String> = model.areas.iter().map(|a| format!("{} ({})", a.id, a.name)).collect();
            Err(AppError::invalid(
                "area",
                format!(
                    "{wanted:?} is not an area of model {}; areas: {}",
                    model.key(),
                    known.join(", ")
                ),
            ))
        }
    }
}

/// Reads a level given by number (`2`) or name (`Defined`),
/// case-insensitively.
pub fn parse_level(model: &Model, text: &str) -> Result<Level, AppError> {
    let wanted = text.trim();
    if let Ok(level) = wanted.parse::<Level>() {
        return Ok(level);
    }
    match model.levels.iter().find(|l| l.name.eq_ignore_ascii_case(wanted)) {
        Some(info) => Ok(info.level),
        None => {
            let known: Vec<String> = model
                .levels
                .iter()
                .map(|l| format!("{} {}", l.level.number(), l.name))
                .collect();
            Err(AppError::invalid(
                "level",
                format!("{wanted:?} is not a level: use 0-3 or a name ({})", known.join(", ")),
            ))
        }
    }
}

/// A change to an action as typed; `None` keeps a field as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct ActionEdit<'a> {
    pub title: Option<&'a str>,
    pub status: Option<&'a str>,
    pub link: Option<&'a str>,
    pub owner: Option<&'a str>,
}

/// Reads a day `YYYY-MM-DD`.
pub fn parse_day(what: &str, text: &str) -> Result<Date, AppError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format)
        .map_err(|_| AppError::invalid(what, format!("{text:?} is not a date: use YYYY-MM-DD, e.g. 2027-03-31")))
}

impl App<'_> {
    /// A team plans are kept for: in the organisation or self-assessed.
    async fn plan_team(&self, team: &str) -> Result<TeamName, AppError> {
        self.resolve_team(Some(team)).await
    }

    /// The model plans are checked against: the current result's, else the
    /// embedded default.
    fn plan_model(current: Option<&Current>) -> Result<Model, AppError> {
        match current {
            Some(c) => Ok(c.entry.model.clone()),
            None => Ok(LoadedModel::embedded()?.model),
        }
    }

    pub async fn set_goal(&self, team: &str, area: &str, level: &str, by: &str) -> Result<GoalSet, AppError> {
        let team = self.plan_team(team).await?;
        let now = self.current(&team).await?;
        let model = Self::plan_model(now.as_ref())?;
        let area = parse_area(&model, area)?;
        let target = parse_level(&model, level)?;
        let by = parse_day("target date", by)?;
        let baseline = now.as_ref().and_then(|c| c.entry.level(&area));
        let split = now
            .as_ref()
            .and_then(|c| c.entry.standings.iter().find(|s| s.area == area))
            .is_some_and(|s| s.split);
        let mut warnings = Vec::new();
        if split {
            // A split team's median is not a settled level, so a goal at
            // or below it is not "already met".
            warnings.push(format!(
                "the team is split on {area} (its answers span a level or more): level {} is not settled,                  so the goal counts as met only once the team agrees",
                baseline.map_or(0, |b| b.number())
            ));
        } else if let Some(b) = baseline
            && target <= b
        {
            warnings.push(format!(
                "{area} is already at level {} (from {}); the target {target} is not above it",
                b.number(),
                now.as_ref().map_or(String::new(), |c| c.entry.label())
            ));
        }
        if by < self.today {
            warnings.push(format!("the target date {by} is in the past"));
        }
        let goal = Goal {
            team,
            area,
            target,
            by,
            baseline,
            set_on: self.today,
        };
        self.store.set_goal(&goal).await?;
        Ok(GoalSet {
            goal,
            baseline_from: now.map(|c| c.entry.label()),
            warnings,
        })
    }

    /// The team's plan as every renderer reads it.
    pub async fn plan_report(&self, team: &str) -> Result<PlanReport, AppError> {
        let team = self.plan_team(team).await?;
        self.plan_of(&team).await
    }

    pub(crate) async fn plan_of(&self, team: &TeamName) -> Result<PlanReport, AppError> {
        let now = self.current(team).await?;
        let model = Self::plan_model(now.as_ref())?;
        let goals = self.store.goals(team).await?;
        let actions = self.store.actions(team).await?;
        let previous_level = |area: &AreaId| now.as_ref()?.previous.as_ref()?.level(area);
        let goals: Vec<GoalReport> = goals
            .iter()
            .map(|g| {
                let standing = now
                    .as_ref()
                    .and_then(|c| c.entry.standings.iter().find(|s| s.area == g.area));
                let previous = previous_level(&g.area);
                GoalReport {
                    progress: progress(&model, g, standing, &actions, self.today),
                    set_on: g.set_on,
                    previous,
                    regressed: matches!((standing, previous), (Some(s), Some(p)) if s.level < p),
                }
            })
            .collect();
        let regressions = match &now {
            Some(c) => model
                .areas
                .iter()
                .filter_map(|area| {
                    let current = c.entry.level(&area.id)?;
                    let previous = c.previous.as_ref()?.level(&area.id)?;
                    (current < previous).then(|| Regression {
                        area: area.id.clone(),
                        previous,
                        current,
                    })
                })
                .collect(),
            None => Vec::new(),
        };
        Ok(PlanReport {
            schema: "asyncmm.plan.v1",
            team: team.clone(),
            regressions,
            previous_from: now.as_ref().and_then(|c| c.previous.as_ref()).map(|p| p.label()),
            current_from: now.map(|c| c.entry.label()),
            goals,
            actions,
        })
    }

    /// Candidate actions from what holds the team back in its current
    /// result, focused on the team's goals (see
    /// [`asyncmm_core::plan::focused_candidates`]).
    pub async fn suggestions(&self, team: &str, request: &SuggestRequest) -> Result<Suggestions, AppError> {
        let team = self.plan_team(team).await?;
        let Some(now) = self.current(&team).await? else {
            return Err(AppError::NothingYet(format!(
                "team \"{team}\" has no result yet (no shown round, no self-assessment): assess it first"
            )));
        };
        let model = &now.entry.model;
        let area = request.area.as_deref().map(|a| parse_area(model, a)).transpose()?;
        let per_area = match request.limit {
            None => Some(CANDIDATES_PER_AREA),
            Some(0) => None,
            Some(n) => Some(n),
        };
        let goals = self.store.goals(&team).await?;
        let actions = self.store.actions(&team).await?;
        let focus = Focus {
            area: area.clone(),
            per_area,
        };
        let mut meetings = self.meeting_candidates(&team, model, area.as_ref(), &actions).await?;
        if let Some(n) = per_area {
            meetings.truncate(n);
        }
        Ok(Suggestions {
            schema: "asyncmm.suggestions/3",
            meetings,
            candidates: focused_candidates(model, &now.entry.standings, &goals, &actions, &focus),
            from: now.entry.label(),
            area,
            per_area,
            goal_areas: goals.into_iter().map(|g| g.area).collect(),
            team,
        })
    }

    /// Stores the chosen candidates (numbers from 1, as listed with the same
    /// request) as `todo` actions; a bad number, or a candidate an action
    /// already addresses, stores none of them.
    pub async fn accept_suggestions(
        &self,
        team: &str,
        request: &SuggestRequest,
        numbers: &[usize],
    ) -> Result<Vec<Action>, AppError> {
        let suggestions = self.suggestions(team, request).await?;
        let count = suggestions.len();
        if numbers.is_empty() {
            return Err(AppError::invalid(
                "candidates",
                "name at least one candidate number, e.g. 1,3",
            ));
        }
        let model = Self::plan_model(self.current(&suggestions.team).await?.as_ref())?;
        let mut chosen: Vec<&Candidate> = Vec::new();
        let mut meetings: Vec<&MeetingCandidate> = Vec::new();
        let statements = suggestions.candidates.len();
        for &n in numbers {
            let index = n.checked_sub(1).filter(|&i| i < count).ok_or_else(|| {
                AppError::invalid(
                    "candidates",
                    format!("there is no candidate {n} (candidates are 1 to {count})"),
                )
            })?;
            if let Some(meeting) = index.checked_sub(statements).and_then(|i| suggestions.meetings.get(i)) {
                if let Some(action) = meeting.planned {
                    return Err(AppError::invalid(
                        "candidates",
                        format!(
                            "candidate {n} (meeting {}) is already planned as action #{action}; nothing was added",
                            meeting.meeting
                        ),
                    ));
                }
                if !meetings.iter().any(|m| m.meeting == meeting.meeting) {
                    meetings.push(meeting);
                }
                continue;
            }
            let Some(candidate) = suggestions.candidates.get(index) else {
                continue;
            };
            if let Some(action) = candidate.planned {
                return Err(AppError::invalid(
                    "candidates",
                    format!(
                        "candidate {n} ({}) is already planned as action #{action}; nothing was added",
                        candidate.statement
                    ),
                ));
            }
            if !chosen.iter().any(|c| c.statement == candidate.statement) {
                chosen.push(candidate);
            }
        }
        let new: Vec<NewAction> = chosen
            .iter()
            .map(|c| (c.title.as_str(), std::slice::from_ref(&c.statement)))
            .chain(meetings.iter().map(|m| (m.title.as_str(), m.statements.as_slice())))
            .map(|(title, statements)| {
                NewAction::new(
                    &model,
                    suggestions.team.clone(),
                    title,
                    None,
                    None,
                    statements,
                    self.today,
                )
                .map_err(|e| AppError::invalid("action", e))
            })
            .collect::<Result<_, _>>()?;
        let mut stored = Vec::with_capacity(new.len());
        for action in &new {
            stored.push(self.store.add_action(action).await?);
        }
        Ok(stored)
    }

    /// Accepts one suggestion, numbered from 1 as [`App::suggestions`]
    /// lists them for the default request, only while it is still the one
    /// titled `title`: a list read before the suggestions changed (a new
    /// result, an action planned) can't add another action than the one
    /// chosen. A changed list is a [`AppError::Conflict`] and adds nothing.
    pub async fn accept_suggestion(&self, team: &str, number: usize, title: &str) -> Result<Vec<Action>, AppError> {
        let request = SuggestRequest::default();
        let offered = self.suggestions(team, &request).await?;
        let current = offered
            .candidates
            .iter()
            .map(|c| c.title.as_str())
            .chain(offered.meetings.iter().map(|m| m.title.as_str()))
            .nth(number.saturating_sub(1));
        if number == 0 || current != Some(title) {
            return Err(AppError::Conflict(format!(
                "the suggestions changed since they were listed (suggestion {number} is not \"{title}\" any \
                 more); nothing was added: list them again and choose"
            )));
        }
        self.accept_suggestions(team, &request, &[number]).await
    }

    /// Meetings that could be written, from the team's newest saved
    /// calendar scan, as candidate actions linked to the statements the
    /// evidence rule for them names (none when the rule names none). An
    /// action that names the meeting's id and isn't dropped marks it
    /// planned: ids are salted per organisation, so they stay the same
    /// from one saved scan to the next.
    async fn meeting_candidates(
        &self,
        team: &TeamName,
        model: &Model,
        area: Option<&AreaId>,
        actions: &[Action],
    ) -> Result<Vec<MeetingCandidate>, AppError> {
        let rules = crate::evidence::load_rules(None, model)?;
        let rules: Vec<_> = rules
            .rules
            .iter()
            .filter(|r| r.metric.as_str() == WRITABLE_METRIC)
            .collect();
        if area.is_some_and(|area| !rules.iter().any(|r| &r.area == area)) {
            return Ok(Vec::new());
        }
        let newest = self
            .saved_scans(team)
            .await?
            .into_iter()
            .filter(|(_, scan)| scan.source == SourceKind::Calendar)
            .max_by_key(|(stored, _)| stored.scanned_at);
        let Some((stored, scan)) = newest else {
            return Ok(Vec::new());
        };
        let statements: Vec<StatementId> =
            rules
                .iter()
                .flat_map(|r| r.statements.iter().cloned())
                .fold(Vec::new(), |mut all, s| {
                    if !all.contains(&s) {
                        all.push(s);
                    }
                    all
                });
        Ok(scan
            .writable_meetings
            .iter()
            .map(|m| {
                let marker = format!("meeting {}", m.id);
                MeetingCandidate {
                    title: format!(
                        "Replace the recurring {marker} ({} attendees, {:.1} person-hours a week) with a written update",
                        m.attendees, m.person_hours_per_week
                    ),
                    planned: actions
                        .iter()
                        .find(|a| a.status != ActionStatus::Dropped && a.title.contains(&marker))
                        .map(|a| a.id),
                    meeting: m.id.clone(),
                    attendees: m.attendees,
                    person_hours_per_week: m.person_hours_per_week,
                    statements: statements.clone(),
                    scanned_on: stored.scanned_at.date(),
                }
            })
            .collect())
    }

    /// The team's goals, by area id.
    pub async fn goals(&self, team: &str) -> Result<(TeamName, Vec<Goal>), AppError> {
        let team = self.plan_team(team).await?;
        let goals = self.store.goals(&team).await?;
        Ok((team, goals))
    }

    /// Removes the team's goal for an area (by id or name).
    pub async fn remove_goal(&self, team: &str, area: &str) -> Result<(TeamName, AreaId), AppError> {
        let team = self.plan_team(team).await?;
        let model = Self::plan_model(self.current(&team).await?.as_ref())?;
        let area = parse_area(&model, area)?;
        match self.store.remove_goal(&team, &area).await {
            Ok(()) => Ok((team, area)),
            Err(StoreError::NotFound(_)) => Err(AppError::not_found(format!("a goal of {team} for {area}"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes an action (to stop tracking it; `dropped` keeps it on record).
    pub async fn remove_action(&self, id: i64) -> Result<Action, AppError> {
        match self.store.remove_action(ActionId(id)).await {
            Ok(action) => Ok(action),
            Err(StoreError::NotFound(_)) => Err(AppError::not_found(format!("action #{id}"))),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn add_action(
        &self,
        team: &str,
        title: &str,
        owner: Option<&str>,
        link: Option<&str>,
        statements: &[String],
    ) -> Result<Action, AppError> {
        let team = self.plan_team(team).await?;
        let link = link
            .map(Link::parse)
            .transpose()
            .map_err(|e| AppError::invalid("link", e))?;
        let statements: Vec<StatementId> = statements
            .iter()
            .map(|s| StatementId::parse(s.trim()).map_err(|e| AppError::invalid("statement", e)))
            .collect::<Result<_, _>>()?;
        let model = Self::plan_model(self.current(&team).await?.as_ref())?;
        let new = NewAction::new(&model, team, title, owner, link, &statements, self.today)
            .map_err(|e| AppError::invalid("action", e))?;
        let existing = self.store.actions(&new.team).await?;
        if let Some(same) = existing.iter().find(|a| {
            a.status != ActionStatus::Dropped
                && a.title.eq_ignore_ascii_case(&new.title)
                && a.statements == new.statements
        }) {
            return Err(AppError::invalid(
                "action",
                format!(
                    "action #{} already plans \"{}\"; nothing was added",
                    same.id, same.title
                ),
            ));
        }
        Ok(self.store.add_action(&new).await?)
    }

    pub async fn update_action(
        &self,
        id: i64,
        status: Option<&str>,
        link: Option<&str>,
        owner: Option<&str>,
    ) -> Result<Action, AppError> {
        self.edit_action(
            id,
            ActionEdit {
                title: None,
                status,
                link,
                owner,
            },
        )
        .await
    }

    /// Changes what `edit` gives of an action, all or nothing.
    async fn edit_action(&self, id: i64, edit: ActionEdit<'_>) -> Result<Action, AppError> {
        let ActionEdit {
            title,
            status,
            link,
            owner,
        } = edit;
        let update = ActionUpdate {
            title: title
                .map(parse_title)
                .transpose()
                .map_err(|e| AppError::invalid("title", e))?,
            status: status
                .map(str::parse::<ActionStatus>)
                .transpose()
                .map_err(|e| AppError::invalid("status", e))?,
            link: link
                .map(Link::parse)
                .transpose()
                .map_err(|e| AppError::invalid("link", e))?,
            owner: owner
                .map(parse_owner)
                .transpose()
                .map_err(|e| AppError::invalid("owner", e))?
                .flatten(),
        };
        if update == ActionUpdate::default() {
            return Err(AppError::invalid(
                "action",
                "nothing to change: give a title, a status, a link or an owner",
            ));
        }
        match self.store.update_action(ActionId(id), &update).await {
            Ok(action) => Ok(action),
            Err(StoreError::NotFound(_)) => Err(AppError::not_found(format!("action #{id}"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks that action `id` belongs to `team`: an action of another team
    /// is "not found" for it, like one that never existed, so someone who
    /// may change one team's plan can't reach another's actions by id.
    async fn action_of_team(&self, team: &str, id: i64) -> Result<Action, AppError> {
        let (team, actions) = self.actions(team).await?;
        actions
            .into_iter()
            .find(|a| a.id.0 == id)
            .ok_or_else(|| AppError::not_found(format!("action #{id} of {team}")))
    }

    /// [`App::update_action`] for an action of `team` only.
    pub async fn update_team_action(
        &self,
        team: &str,
        id: i64,
        status: Option<&str>,
        link: Option<&str>,
        owner: Option<&str>,
    ) -> Result<Action, AppError> {
        self.action_of_team(team, id).await?;
        self.update_action(id, status, link, owner).await
    }

    /// Changes an action of `team` only, its title included: a title that
    /// another action of the team not dropped already has for the same
    /// statements is refused, as when adding one.
    pub async fn edit_team_action(&self, team: &str, id: i64, edit: ActionEdit<'_>) -> Result<Action, AppError> {
        let (_, actions) = self.actions(team).await?;
        let Some(action) = actions.iter().find(|a| a.id.0 == id) else {
            return Err(AppError::not_found(format!("action #{id} of {team}")));
        };
        if let Some(title) = edit.title {
            let title = parse_title(title).map_err(|e| AppError::invalid("title", e))?;
            if let Some(same) = actions.iter().find(|a| {
                a.id != action.id
                    && a.status != ActionStatus::Dropped
                    && a.title.eq_ignore_ascii_case(&title)
                    && a.statements == action.statements
            }) {
                return Err(AppError::invalid(
                    "title",
                    format!(
                        "action #{} already plans \"{}\"; nothing was changed",
                        same.id, same.title
                    ),
                ));
            }
        }
        self.edit_action(id, edit).await
    }

    /// [`App::remove_action`] for an action of `team` only.
    pub async fn remove_team_action(&self, team: &str, id: i64) -> Result<Action, AppError> {
        self.action_of_team(team, id).await?;
        self.remove_action(id).await
    }

    pub async fn actions(&self, team: &str) -> Result<(TeamName, Vec<Action>), AppError> {
        let team = self.plan_team(team).await?;
        let actions = self.store.actions(&team).await?;
        Ok((team, actions))
    }

    /// The team's open actions: a new round starts by reviewing them.
    pub async fn open_actions(&self, team: &TeamName) -> Result<Vec<Action>, AppError> {
        Ok(self
            .store
            .actions(team)
            .await?
            .into_iter()
            .filter(|a| a.status.is_open())
            .collect())
    }
}
