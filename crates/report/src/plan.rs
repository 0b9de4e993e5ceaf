//! A team's improvement plan as every renderer reads it: goals with
//! progress, regressions since the previous comparable result, and actions;
//! and its text and Markdown renderers. The application layer builds it (it
//! decides which result is "current"); `plan show` renders it as text,
//! Markdown or JSON, the HTML team report as a section.

use std::fmt::Write as _;

use asyncmm_core::TeamName;
use asyncmm_core::plan::{Action, ActionStatus, Candidate, GoalStatus, Progress, Projection, day_text};
use asyncmm_model::{AreaId, Level};
use serde::Serialize;
use time::Date;

use crate::markdown::escape;

/// One goal and how it is going.
#[derive(Debug, Clone, Serialize)]
pub struct GoalReport {
    #[serde(flatten)]
    pub progress: Progress,
    #[serde(serialize_with = "serialize_day")]
    pub set_on: Date,
    /// The area's level in the previous comparable result, when known.
    pub previous: Option<Level>,
    /// The level dropped since the previous comparable result.
    pub regressed: bool,
}

/// An area whose level dropped since the previous comparable result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regression {
    pub area: AreaId,
    pub previous: Level,
    pub current: Level,
}

fn serialize_day<S: serde::Serializer>(day: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&day_text(*day))
}

/// Candidate actions for a team, numbered from 1 in this order: what
/// `plan suggest --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestions {
    pub schema: &'static str,
    pub team: TeamName,
    /// Which result they come from ("round 3").
    pub from: String,
    /// Only this area, when asked.
    pub area: Option<AreaId>,
    /// At most this many candidates per area that are not planned yet;
    /// `None`: all.
    pub per_area: Option<usize>,
    /// Areas with a goal, which come first.
    pub goal_areas: Vec<AreaId>,
    pub candidates: Vec<Candidate>,
    /// Meetings that could be written, from the team's newest saved
    /// calendar evidence; numbered after `candidates`.
    pub meetings: Vec<MeetingCandidate>,
}

impl Suggestions {
    /// How many candidates `--accept` can choose from.
    pub fn len(&self) -> usize {
        self.candidates.len() + self.meetings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A recurring meeting with many attendees and no agenda, offered as an
/// action: replace it with a written update.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeetingCandidate {
    /// The meeting's pseudonymous id in the saved scan; `asyncmm scan
    /// calendar --team T --show-names` on the same files shows its title
    /// beside the id.
    pub meeting: String,
    pub attendees: u32,
    pub person_hours_per_week: f64,
    /// The action's title if accepted.
    pub title: String,
    /// The statements the action works towards (from the evidence rule).
    pub statements: Vec<asyncmm_model::StatementId>,
    /// The day of the calendar scan it comes from.
    #[serde(serialize_with = "serialize_day")]
    pub scanned_on: Date,
    /// An action (not dropped) for this meeting already exists.
    pub planned: Option<asyncmm_core::plan::ActionId>,
}

/// A team's plan: what `plan show --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub schema: &'static str,
    pub team: TeamName,
    /// Which result "current" comes from; `None` when the team has none.
    pub current_from: Option<String>,
    /// The previous comparable result (round of the same model and mode, or
    /// self-assessment of the same model); `None` when there is none.
    pub previous_from: Option<String>,
    /// Areas whose level dropped since `previous_from`, in model order.
    pub regressions: Vec<Regression>,
    pub goals: Vec<GoalReport>,
    pub actions: Vec<Action>,
}

impl PlanReport {
    /// Nothing to show: no goal and no action.
    pub fn is_empty(&self) -> bool {
        self.goals.is_empty() && self.actions.is_empty()
    }
}

fn level_text(level: Option<Level>) -> String {
    level.map_or_else(|| "–".to_string(), |l| l.number().to_string())
}

fn change_text(change: Option<i8>) -> String {
    match change {
        Some(c) if c > 0 => format!("+{c}"),
        Some(c) if c < 0 => format!("{c} (regression)"),
        Some(_) => "±0".to_string(),
        None => "–".to_string(),
    }
}

/// "; regression since round 2 (was 2)" on a goal whose level dropped.
fn regressed_text(goal: &GoalReport, previous_from: Option<&str>) -> String {
    match (goal.regressed, goal.previous, previous_from) {
        (true, Some(was), Some(from)) => format!("; regression since {from} (was {})", was.number()),
        _ => String::new(),
    }
}

/// A level as drawn in a plan: "2", or "2 (split)" when the team is split
/// on the area and the level is not settled.
fn current_text(p: &Progress) -> String {
    match (p.current, p.split) {
        (Some(l), true) => format!("{} (split)", l.number()),
        (l, _) => level_text(l),
    }
}

fn status_text(status: &GoalStatus) -> String {
    status.to_string()
}

fn projected_text(p: &Projection) -> String {
    match p {
        Projection::Computed { level, score } => format!("{} ({score})", level.number()),
        Projection::NotComputable { reason } => format!("not computed: {reason}"),
    }
}

fn owner_text(action: &Action) -> String {
    action.owner.as_deref().map_or_else(String::new, |o| format!(" — {o}"))
}

fn statements_text(action: &Action) -> String {
    action
        .statements
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One action on one line: `#3 [todo] Write the decision log — Ana <https://…> (decision-making.2.1)`.
pub fn action_line(action: &Action) -> String {
    let link = action.link.as_ref().map_or_else(String::new, |l| format!(" <{l}>"));
    format!(
        "#{} [{}] {}{}{} ({})",
        action.id,
        action.status,
        action.title,
        owner_text(action),
        link,
        statements_text(action)
    )
}

/// `plan show` as text.
pub fn render_plan_text(view: &PlanReport) -> String {
    let mut out = String::new();
    let from = view
        .current_from
        .as_deref()
        .map_or_else(|| "no result yet".to_string(), |s| format!("current from {s}"));
    let _ = writeln!(out, "Plan for {} ({from})", view.team);
    let _ = writeln!(out, "\nGoals");
    if view.goals.is_empty() {
        let _ = writeln!(out, "  none: set one with `asyncmm plan goal set`");
    }
    for g in &view.goals {
        let p = &g.progress;
        let _ = writeln!(
            out,
            "  {}: {} → {} → {} by {}; change {}; status: {}; projected if open actions succeed: {}{}",
            p.area,
            level_text(p.baseline),
            current_text(p),
            p.target.number(),
            day_text(p.by),
            change_text(p.change),
            status_text(&p.status),
            projected_text(&p.projected),
            regressed_text(g, view.previous_from.as_deref())
        );
    }
    if let (Some(previous), false) = (&view.previous_from, view.regressions.is_empty()) {
        let _ = writeln!(out, "\nRegressions since {previous}");
        for r in &view.regressions {
            let _ = writeln!(
                out,
                "  {}: level {} → {} (regression)",
                r.area,
                r.previous.number(),
                r.current.number()
            );
        }
    }
    let _ = writeln!(out, "\nActions");
    if view.actions.is_empty() {
        let _ = writeln!(out, "  none: see `asyncmm plan suggest`");
    }
    for a in &view.actions {
        let _ = writeln!(out, "  {}", action_line(a));
    }
    out
}

/// `plan show` as Markdown (GFM: a table of goals, actions as a task list).
pub fn render_plan_markdown(view: &PlanReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Plan for {}\n", escape(view.team.as_str()));
    if let Some(from) = &view.current_from {
        let _ = writeln!(out, "Current levels from {from}.\n");
    }
    if let (Some(previous), false) = (&view.previous_from, view.regressions.is_empty()) {
        let _ = writeln!(out, "**Regressions since {previous}:**\n");
        for r in &view.regressions {
            let _ = writeln!(
                out,
                "- ⚠ {}: level {} → {}",
                r.area,
                r.previous.number(),
                r.current.number()
            );
        }
        out.push('\n');
    }
    if !view.goals.is_empty() {
        let _ = writeln!(
            out,
            "| Area | Baseline | Current | Target | By | Change | Status | Projected |\n\
             |---|---|---|---|---|---|---|---|"
        );
        for g in &view.goals {
            let p = &g.progress;
            let projected = match &p.projected {
                Projection::Computed { level, score } => format!("{} ({score})", level.number()),
                Projection::NotComputable { .. } => "–".to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                p.area,
                level_text(p.baseline),
                current_text(p),
                p.target.number(),
                day_text(p.by),
                change_text(p.change),
                escape(&status_text(&p.status)),
                projected
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Actions\n");
    if view.actions.is_empty() {
        let _ = writeln!(out, "No actions yet.");
    }
    for a in &view.actions {
        let title = escape(&a.title);
        let title = match &a.link {
            // `<…>` keeps a URL with parentheses or spaces from ending the link early.
            Some(link) => format!("[{title}](<{link}>)"),
            None => title,
        };
        let line = match a.status {
            ActionStatus::Done => format!("- [x] {title}"),
            ActionStatus::Dropped => format!("- [ ] ~~{title}~~ (dropped)"),
            ActionStatus::Todo | ActionStatus::Doing => format!("- [ ] {title}"),
        };
        let owner = a
            .owner
            .as_deref()
            .map_or_else(String::new, |o| format!(" — {}", escape(o)));
        let doing = if a.status == ActionStatus::Doing {
            " (doing)"
        } else {
            ""
        };
        let _ = writeln!(out, "{line}{owner}{doing}");
    }
    out
}

/// A team's goals, one per line, each with its one status.
pub fn render_goals_text(view: &PlanReport) -> String {
    let mut out = String::new();
    if view.goals.is_empty() {
        let _ = writeln!(out, "{} has no goals: set one with `asyncmm plan goal set`", view.team);
    }
    for g in &view.goals {
        let p = &g.progress;
        let _ = writeln!(
            out,
            "{}: level {} by {} (now {}) — {}",
            p.area,
            p.target.number(),
            day_text(p.by),
            current_text(p),
            status_text(&p.status)
        );
    }
    out
}

/// Candidate actions, numbered from 1 as `--accept` takes them.
pub fn render_candidates_text(s: &Suggestions) -> String {
    let mut out = String::new();
    let (team, source, candidates) = (&s.team, &s.from, &s.candidates);
    if candidates.is_empty() {
        match &s.area {
            Some(area) => {
                let _ = writeln!(out, "Nothing holds {team} back in {area} in {source}.");
            }
            None => {
                let _ = writeln!(
                    out,
                    "Nothing holds {team} back in {source}: every area is at the top level."
                );
            }
        }
        if s.meetings.is_empty() {
            return out;
        }
    }
    let limit = s
        .per_area
        .map_or_else(|| "all candidates".to_string(), |n| format!("up to {n} new per area"));
    let _ = writeln!(
        out,
        "Candidate actions for {team} (from {source}): areas with a goal first, then areas the team is split on, \
         then the weakest; {limit} (--limit, --area):"
    );
    let mut area: Option<&AreaId> = None;
    for (i, c) in candidates.iter().enumerate() {
        if area != Some(&c.area) {
            area = Some(&c.area);
            let mut marks = Vec::new();
            if c.goal {
                marks.push("goal");
            }
            if c.split {
                marks.push("split: the team disagrees, level not settled");
            }
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join("; "))
            };
            let _ = writeln!(out, "\n  {}{marks}", c.area);
        }
        let why = match (c.polarity, c.answered) {
            (asyncmm_core::Polarity::Practice, Some(a)) => {
                format!("practice at {a:.1}, next level expects {}", c.expected)
            }
            (asyncmm_core::Polarity::Deficit, Some(a)) => {
                format!("deficit at {a:.1}, next level expects {}", c.expected)
            }
            (asyncmm_core::Polarity::Practice, None) => "practice of the next level".to_string(),
            (asyncmm_core::Polarity::Deficit, None) => "deficit to remove".to_string(),
        };
        let planned = c
            .planned
            .map_or_else(String::new, |id| format!(" — already planned as action #{id}"));
        let _ = writeln!(out, "{:>3}. [{}] {} ({why}){planned}", i + 1, c.statement, c.title);
    }
    if let Some(first) = s.meetings.first() {
        let _ = writeln!(
            out,
            "\n  Meetings that could be written (recurring, many attendees, no agenda; calendar evidence of {}):",
            day_text(first.scanned_on)
        );
        for (i, m) in s.meetings.iter().enumerate() {
            let planned = m
                .planned
                .map_or_else(String::new, |id| format!(" — already planned as action #{id}"));
            let ids: Vec<String> = m.statements.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "{:>3}. [{}] {}{planned}",
                candidates.len() + i + 1,
                ids.join(", "),
                m.title
            );
        }
        let _ = writeln!(
            out,
            "     (a meeting's title: `asyncmm scan calendar --team \"{team}\" --show-names` on the same files)"
        );
    }
    let _ = writeln!(
        out,
        "\nAccept some with `asyncmm plan suggest --team \"{team}\" --accept 1,2` (with the same --area and --limit)."
    );
    out
}
