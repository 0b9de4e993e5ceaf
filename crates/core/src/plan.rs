//! Improvement plans (PRODUCT.md, "Plans and progress"): goals, actions,
//! candidate actions drawn from what holds an area back, and progress with a
//! *projected* level.
//!
//! Everything here is pure: the store keeps goals and actions, the CLI
//! decides which result is "current", and this module only reasons about
//! them. The projection reuses [`scoring::score_area_with`], so a projected
//! level is computed by the same rule as every other level, never guessed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use asyncmm_model::{Area, AreaId, Level, Model, StatementId};
use asyncmm_text::{Line, TextError};
use num_rational::Ratio;
use serde::{Serialize, Serializer};
use time::Date;

use crate::answers::{Answers, TeamName};
use crate::scoring::{self, Gap, Polarity, Score};

/// Why a plan value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("link {0:?} is not a URL: it must start with http:// or https:// and name a host")]
    BadLink(String),
    #[error("status {0:?} is not one of todo, doing, done, dropped")]
    BadStatus(String),
    #[error("an action needs a title")]
    EmptyTitle,
    #[error("action {field}: {problem}")]
    BadText { field: &'static str, problem: TextError },
    #[error("statement {statement} is not in model {model}")]
    UnknownStatement { statement: StatementId, model: String },
}

/// A team's improvement goal for one area: reach `target` by `by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Goal {
    pub team: TeamName,
    pub area: AreaId,
    pub target: Level,
    #[serde(serialize_with = "serialize_day")]
    pub by: Date,
    /// The area's level when the goal was set; `None` when there was no
    /// result yet.
    pub baseline: Option<Level>,
    #[serde(serialize_with = "serialize_day")]
    pub set_on: Date,
}

/// Days are written `YYYY-MM-DD` for people and machines alike.
fn serialize_day<S: Serializer>(day: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&day_text(*day))
}

/// `YYYY-MM-DD`.
pub fn day_text(day: Date) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day())
}

/// A URL to where an action's work lives (an issue, a doc). Only http and
/// https are accepted: a plan is shared, and other schemes (file:,
/// javascript:) either don't open for the reader or are unsafe in HTML.
///
/// The text is parsed as a URL (WHATWG rules) and kept in its serialised
/// form, where quotes, angle brackets, spaces and non-ASCII characters are
/// percent-encoded (a backslash too) and the host is lowercase (punycode
/// for international names). So a link can't close the Markdown or HTML around it and turn into
/// markup, whatever was typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Link(String);

impl Link {
    pub fn parse(text: &str) -> Result<Link, PlanError> {
        let text = text.trim();
        let bad = || PlanError::BadLink(text.to_string());
        // The URL parser drops tabs and line breaks silently and reads
        // `https:///x` as host `x`; neither is what the person meant.
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let lower = text.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(bad)?;
        if rest.starts_with(['/', '\\']) {
            return Err(bad());
        }
        let url = url::Url::parse(text).map_err(|_| bad())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(bad());
        }
        // The query and fragment may keep a backslash, which Markdown reads
        // as an escape inside `<…>`; `%5C` means the same to a server.
        Ok(Link(url.as_str().replace('\\', "%5C")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Todo,
    Doing,
    Done,
    Dropped,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Todo => "todo",
            ActionStatus::Doing => "doing",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    /// Open actions are the ones a round reviews and a projection counts.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Todo | ActionStatus::Doing)
    }
}

impl FromStr for ActionStatus {
    type Err = PlanError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "todo" => Ok(ActionStatus::Todo),
            "doing" => Ok(ActionStatus::Doing),
            "done" => Ok(ActionStatus::Done),
            "dropped" => Ok(ActionStatus::Dropped),
            other => Err(PlanError::BadStatus(other.to_string())),
        }
    }
}

impl fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id of a stored action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ActionId(pub i64);

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An action before it is stored. Built with [`NewAction::new`], which
/// checks it against the model, so a stored action only names real
/// statements (it may name none: a free-form action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub team: TeamName,
    pub title: String,
    pub owner: Option<String>,
    pub link: Option<Link>,
    pub status: ActionStatus,
    pub statements: Vec<StatementId>,
    pub created_on: Date,
}

impl NewAction {
    /// A `todo` action; statements are kept in the order given, without
    /// duplicates.
    pub fn new(
        model: &Model,
        team: TeamName,
        title: &str,
        owner: Option<&str>,
        link: Option<Link>,
        statements: &[StatementId],
        created_on: Date,
    ) -> Result<NewAction, PlanError> {
        let title = parse_title(title)?;
        let owner = owner.map(parse_owner).transpose()?.flatten();
        // Statements are optional: a free-form action ("run a retro on
        // meetings") is a real plan item even if it maps to no statement;
        // it just can't move a projection.
        check_statements(model, statements)?;
        let mut seen = BTreeSet::new();
        let statements = statements.iter().filter(|s| seen.insert(*s)).cloned().collect();
        Ok(NewAction {
            team,
            title,
            owner,
            link,
            status: ActionStatus::Todo,
            statements,
            created_on,
        })
    }
}

/// The longest action title, in characters (a model's suggestion becomes a
/// title when a candidate is accepted, and fits).
pub const MAX_TITLE_CHARS: usize = 500;
/// The longest owner, in characters.
pub const MAX_OWNER_CHARS: usize = 100;

/// An action's title: one line by the text rule ([`asyncmm_text`]).
pub fn parse_title(text: &str) -> Result<String, PlanError> {
    match Line::parse(text, MAX_TITLE_CHARS) {
        Ok(line) => Ok(line.into_string()),
        Err(TextError::Empty) => Err(PlanError::EmptyTitle),
        Err(problem) => Err(PlanError::BadText {
            field: "title",
            problem,
        }),
    }
}

/// An action's owner: one line by the text rule; blank means nobody.
pub fn parse_owner(text: &str) -> Result<Option<String>, PlanError> {
    match Line::parse(text, MAX_OWNER_CHARS) {
        Ok(line) => Ok(Some(line.into_string())),
        Err(TextError::Empty) => Ok(None),
        Err(problem) => Err(PlanError::BadText {
            field: "owner",
            problem,
        }),
    }
}

/// Every statement must be in the model: an action on a statement that
/// doesn't exist could never be projected nor reviewed.
pub fn check_statements(model: &Model, statements: &[StatementId]) -> Result<(), PlanError> {
    match statements.iter().find(|s| model.statement(s).is_none()) {
        Some(s) => Err(PlanError::UnknownStatement {
            statement: s.clone(),
            model: model.key(),
        }),
        None => Ok(()),
    }
}

/// A stored action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub id: ActionId,
    pub team: TeamName,
    pub title: String,
    pub owner: Option<String>,
    pub link: Option<Link>,
    pub status: ActionStatus,
    pub statements: Vec<StatementId>,
    #[serde(serialize_with = "serialize_day")]
    pub created_on: Date,
}

/// A change to an action; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionUpdate {
    /// A title already checked by [`parse_title`].
    pub title: Option<String>,
    pub status: Option<ActionStatus>,
    pub link: Option<Link>,
    pub owner: Option<String>,
}

/// Where a team stands in one area, as far as plans need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub area: AreaId,
    pub level: Level,
    pub score: Score,
    /// Agreement per statement (one person's answers, or a team's mean
    /// answers) — detailed data only. Quick data has none, so neither the
    /// statements holding the area back nor a projection can be computed
    /// from it.
    pub agreement: Option<BTreeMap<StatementId, Ratio<i64>>>,
    /// The group is split on this area (IQR ≥ 1): its level is a median
    /// between camps, not a settled place, so a goal is not met by it and
    /// suggestions put the area before settled ones. Always `false` for one
    /// person's answers.
    pub split: bool,
}

/// The agreement per statement of one respondent's detailed answers, as a
/// [`Standing`] needs it ("don't know" left out); `None` for quick answers.
pub fn agreement_of(answers: &Answers) -> Option<BTreeMap<StatementId, Ratio<i64>>> {
    match answers {
        Answers::Detailed(d) => Some(
            d.iter()
                .filter_map(|(id, a)| {
                    a.agreement()
                        .map(|g| (id.clone(), Ratio::from_integer(i64::from(g.value()))))
                })
                .collect(),
        ),
        Answers::Quick(_) => None,
    }
}

/// A proposed action: one statement that holds an area back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub area: AreaId,
    pub statement: StatementId,
    pub polarity: Polarity,
    /// The statement's suggestion from the model.
    pub title: String,
    /// Mean agreement given; `None` when it is assumed from a quick level.
    pub answered: Option<f64>,
    /// Agreement the next level expects.
    pub expected: u8,
    /// The team is split on this area (see [`Standing::split`]).
    pub split: bool,
    /// The area has a goal of the team.
    pub goal: bool,
    /// An action (not dropped) already addresses this statement, so
    /// accepting the candidate again would duplicate it.
    pub planned: Option<ActionId>,
}

/// Candidate actions from what holds each area back (practices of the next
/// level not yet true, deficits of lower levels still agreed with), areas
/// the team is split on first, then the weakest area first; among equally weak areas, the one listed first in the model
/// (the foundations: documentation first). Within an area the largest gap
/// comes first.
///
/// For quick data the answers are unknown, so the team is taken to answer
/// exactly its level's profile: the candidates are then the practices and
/// deficits that separate that profile from the next level's.
pub fn candidate_actions(model: &Model, standings: &[Standing]) -> Vec<Candidate> {
    let mut ordered: Vec<(usize, &Standing, &Area)> = standings
        .iter()
        .filter_map(|s| {
            let (order, area) = model.areas.iter().enumerate().find(|(_, a)| a.id == s.area)?;
            Some((order, s, area))
        })
        .collect();
    // A split area is not settled: its median sits between camps, so it
    // comes before settled areas, whatever its median says.
    ordered.sort_by(|(oa, a, _), (ob, b, _)| {
        b.split
            .cmp(&a.split)
            .then(a.score.value().total_cmp(&b.score.value()))
            .then(oa.cmp(ob))
    });
    let mut out = Vec::new();
    for (_, standing, area) in ordered {
        let (gaps, assumed) = match &standing.agreement {
            Some(agreement) => (explain(model, area, agreement), false),
            None => {
                let profile = model.scoring.profile(standing.level);
                let assumed: BTreeMap<StatementId, Ratio<i64>> = area
                    .statements
                    .iter()
                    .map(|s| {
                        (
                            s.id.clone(),
                            Ratio::from_integer(i64::from(profile.expected(s.level()))),
                        )
                    })
                    .collect();
                (explain(model, area, &assumed), true)
            }
        };
        for gap in gaps {
            let Some(statement) = model.statement(&gap.statement) else {
                continue;
            };
            out.push(Candidate {
                area: area.id.clone(),
                title: statement.suggestion.clone(),
                statement: gap.statement,
                polarity: gap.polarity,
                answered: (!assumed).then_some(gap.answered),
                expected: gap.expected,
                split: standing.split,
                goal: false,
                planned: None,
            });
        }
    }
    out
}

/// What `plan suggest` focuses on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// Only this area.
    pub area: Option<AreaId>,
    /// At most this many candidates per area that are not planned yet;
    /// `None`: all of them.
    pub per_area: Option<usize>,
}

/// The default number of candidates per area: a handful a team can act on
/// in a quarter.
pub const CANDIDATES_PER_AREA: usize = 3;

/// Candidates focused on the team's plan: areas with a goal first (in the
/// order of [`candidate_actions`]), then the others; each marked with its
/// goal and with the action that already addresses its statement. Planned
/// candidates stay in the list (so the numbers `--accept` takes don't shift
/// after accepting) but don't count against `per_area`.
pub fn focused_candidates(
    model: &Model,
    standings: &[Standing],
    goals: &[Goal],
    actions: &[Action],
    focus: &Focus,
) -> Vec<Candidate> {
    let mut all = candidate_actions(model, standings);
    for c in &mut all {
        c.goal = goals.iter().any(|g| g.area == c.area);
        c.planned = actions
            .iter()
            .find(|a| a.status != ActionStatus::Dropped && a.statements.contains(&c.statement))
            .map(|a| a.id);
    }
    // Stable: the weakest-first order is kept within each part.
    all.sort_by_key(|c| !c.goal);
    let mut taken: BTreeMap<AreaId, usize> = BTreeMap::new();
    all.into_iter()
        .filter(|c| focus.area.as_ref().is_none_or(|a| a == &c.area))
        .filter(|c| {
            if c.planned.is_some() {
                return true;
            }
            let n = taken.entry(c.area.clone()).or_default();
            *n += 1;
            focus.per_area.is_none_or(|limit| *n <= limit)
        })
        .collect()
}

fn explain(model: &Model, area: &Area, agreement: &BTreeMap<StatementId, Ratio<i64>>) -> Vec<Gap> {
    scoring::score_area_with(&model.scoring, area, |id| agreement.get(id).copied())
        .scored
        .map(|s| s.holding_back)
        .unwrap_or_default()
}

/// A projected result, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Projection {
    Computed {
        level: Level,
        score: Score,
    },
    /// Quick data has no per-statement answers to change.
    NotComputable {
        reason: String,
    },
}

/// The area's result if every open action addressing it succeeds: each
/// addressed statement is moved to the agreement the target level's profile
/// expects — a practice is raised to it, a deficit lowered to it, never the
/// other way (succeeding at an action can't make a practice less true) —
/// and the area is scored again with the one scoring rule.
///
/// Only statements with an answer are moved: a statement nobody answered
/// stays unanswered, so the projection never invents data.
///
/// For a team the agreement is its *mean answer* per statement, so the
/// projection compares with the team's explanation (the mean pattern's
/// level), which can differ from the level nearest the median of
/// individual scores that `Standing::level` holds for rounds.
pub fn projected(model: &Model, goal: &Goal, current: &Standing, actions: &[Action]) -> Projection {
    let Some(agreement) = &current.agreement else {
        return Projection::NotComputable {
            reason: "the current result is from quick answers (one level per area), so there are no \
                     statement answers for actions to change; run a detailed round to get a projection"
                .to_string(),
        };
    };
    let Some(area) = model.area(&goal.area) else {
        return Projection::NotComputable {
            reason: format!("area {} is not in model {}", goal.area, model.key()),
        };
    };
    let addressed: BTreeSet<&StatementId> = actions
        .iter()
        .filter(|a| a.status.is_open())
        .flat_map(|a| a.statements.iter())
        .filter(|s| s.area() == &goal.area)
        .collect();
    let profile = model.scoring.profile(goal.target);
    let mut changed = agreement.clone();
    for statement in addressed {
        let Some(value) = changed.get_mut(statement) else {
            continue;
        };
        let expected = Ratio::from_integer(i64::from(profile.expected(statement.level())));
        *value = match scoring::polarity(&model.scoring, statement.level()) {
            Polarity::Practice => (*value).max(expected),
            Polarity::Deficit => (*value).min(expected),
        };
    }
    match scoring::score_area_with(&model.scoring, area, |id| changed.get(id).copied()).scored {
        Some(s) => Projection::Computed {
            level: s.level,
            score: s.score,
        },
        None => Projection::NotComputable {
            reason: format!("no statement of {} was answered", goal.area),
        },
    }
}

/// Baseline → current → target for one goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub area: AreaId,
    pub baseline: Option<Level>,
    pub current: Option<Level>,
    pub current_score: Option<Score>,
    pub target: Level,
    #[serde(serialize_with = "serialize_day")]
    pub by: Date,
    /// Current level minus baseline level, when both are known.
    pub change: Option<i8>,
    /// The team is split on the area now (IQR ≥ 1): the current level is
    /// not settled.
    pub split: bool,
    /// The one verdict on the goal.
    pub status: GoalStatus,
    pub projected: Projection,
}

/// Where a goal stands: exactly one of these, so a goal is never "on track"
/// and "missed" at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GoalStatus {
    /// The current level reaches the target and the team is not split on
    /// the area.
    Met,
    /// Not met yet; the level keeps pace with a straight line from the
    /// baseline to the target and the open actions could reach it.
    OnTrack,
    /// Not met yet, the date has not passed, and something stands in the way.
    AtRisk { reason: String },
    /// The target date has passed without the goal being met.
    Missed,
}

impl GoalStatus {
    /// `met`, `on track`, `at risk`, `missed`.
    pub fn label(&self) -> &'static str {
        match self {
            GoalStatus::Met => "met",
            GoalStatus::OnTrack => "on track",
            GoalStatus::AtRisk { .. } => "at risk",
            GoalStatus::Missed => "missed",
        }
    }
}

impl fmt::Display for GoalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoalStatus::AtRisk { reason } => write!(f, "at risk: {reason}"),
            other => f.write_str(other.label()),
        }
    }
}

/// Progress of `goal` given the area's current standing (`None` when the
/// team has no result in the area) and the team's actions.
pub fn progress(model: &Model, goal: &Goal, current: Option<&Standing>, actions: &[Action], today: Date) -> Progress {
    let level = current.map(|c| c.level);
    let change = match (goal.baseline, level) {
        (Some(b), Some(c)) => Some(level_i8(c) - level_i8(b)),
        _ => None,
    };
    let projected = match current {
        Some(c) => projected(model, goal, c, actions),
        None => Projection::NotComputable {
            reason: "the team has no result in this area yet".to_string(),
        },
    };
    let split = current.is_some_and(|c| c.split);
    let status = goal_status(goal, current, actions, &projected, today);
    Progress {
        area: goal.area.clone(),
        baseline: goal.baseline,
        current: level,
        current_score: current.map(|c| c.score),
        target: goal.target,
        by: goal.by,
        change,
        split,
        status,
        projected,
    }
}

/// The one status of a goal. Met first (a met goal is neither "on track"
/// nor "missed"), then missed once the date has passed; otherwise at risk
/// with the first reason that applies, else on track.
fn goal_status(
    goal: &Goal,
    current: Option<&Standing>,
    actions: &[Action],
    projection: &Projection,
    today: Date,
) -> GoalStatus {
    let at_risk = |reason: String| GoalStatus::AtRisk { reason };
    let target = goal.target.number();
    if let Some(c) = current
        && c.level >= goal.target
        && !c.split
    {
        return GoalStatus::Met;
    }
    if today > goal.by {
        return GoalStatus::Missed;
    }
    let Some(c) = current else {
        return at_risk("no result in this area yet, so progress can't be measured".to_string());
    };
    if c.split {
        return at_risk(format!(
            "the team is split on this area (its answers span a level or more), so level {} is not settled",
            c.level.number()
        ));
    }
    let addressing = actions
        .iter()
        .filter(|a| a.status.is_open() && a.statements.iter().any(|s| s.area() == &goal.area))
        .count();
    if addressing == 0 {
        return at_risk(format!(
            "no open action addresses a statement of {}, so nothing planned moves it to level {target}",
            goal.area
        ));
    }
    if let Projection::Computed { level, .. } = projection
        && *level < goal.target
    {
        return at_risk(format!(
            "even if every open action succeeds the projected level is {}, below the target {target}",
            level.number()
        ));
    }
    if let Some(baseline) = goal.baseline {
        let needed = required_by_pace(goal, baseline, today);
        if c.level < needed {
            return at_risk(format!(
                "behind pace: a steady climb from level {} to {target} by {} needs level {} by now, the team is at {}",
                baseline.number(),
                day_text(goal.by),
                needed.number(),
                c.level.number()
            ));
        }
    }
    GoalStatus::OnTrack
}

fn level_i8(level: Level) -> i8 {
    // Levels are 0..=3, so this can't wrap.
    i8::try_from(level.number()).unwrap_or(i8::MAX)
}

/// The level a linear pace from baseline to target has reached by `today`,
/// rounded down (a level is whole: half-way to the next level is not it).
/// On or after the target date it is the target itself.
pub fn required_by_pace(goal: &Goal, baseline: Level, today: Date) -> Level {
    if goal.target <= baseline || today <= goal.set_on {
        return baseline.min(goal.target);
    }
    if today >= goal.by {
        return goal.target;
    }
    let total = (goal.by - goal.set_on).whole_days();
    let elapsed = (today - goal.set_on).whole_days();
    let steps = i64::from(goal.target.number() - baseline.number());
    // total > elapsed > 0 here, so the quotient is below `steps` (≤ 3).
    let reached = steps * elapsed / total;
    let number = i64::from(baseline.number()) + reached;
    Level::new(u8::try_from(number).unwrap_or(baseline.number())).unwrap_or(baseline)
}
