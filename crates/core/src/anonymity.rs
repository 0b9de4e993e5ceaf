//! Anonymity, enforced in one place (PRODUCT.md, "Anonymity").
//!
//! Every group result a person or a machine reads passes through this
//! module: a round's own result ([`show_round`]) and roll-ups of rounds into
//! groups and the organisation ([`rollup`]). Each returns a [`Shown`], which
//! is either the value or only "hidden, and why". A [`Shown::Visible`] can't
//! be built outside this crate, and the counts it is decided on are counted
//! here from the responses themselves ([`crate::aggregate::Responses`] →
//! [`GroupResult`]), never taken from a caller, so a renderer can't skip or
//! talk its way past the check:
//!
//! ```compile_fail
//! use asyncmm_core::anonymity::Shown;
//! let leaked: Shown<u8> = Shown::Visible { n: 1, value: 42 };
//! ```
//!
//! # The rules
//! 1. **Closed rounds only.** A round's result is shown only once the round
//!    is closed. While it is open, comparing the result before and after one
//!    response (or one revision) would give that person's answers away, so
//!    an open round shows its response count and nothing else, and it takes
//!    no part in roll-ups.
//! 2. **k.** A group, and each area of a group, is shown only with at least
//!    k respondents (k ≥ 3, the round's threshold). A group with no
//!    respondents is never shown as data.
//! 3. **Statements.** A statement's answer distribution is shown only when
//!    at least k respondents gave it an agreement ("don't know" doesn't
//!    count). The team's explanation (fit per level, what holds it back) is
//!    computed from the shown statements only, since a fit computed with a
//!    hidden statement's mean would let it be worked back out.
//! 4. **Subtraction (pooled roll-ups).** Pooling every respondent below a
//!    node must not reveal a hidden part by difference. Bottom-up, a node's
//!    *candidates* are the respondents below it that no visible result
//!    covers: its own round when that is hidden, and what each child left
//!    uncovered. If they number at least k (or none), they are pooled in; if
//!    they number 1 to k − 1 they are **left out** of the node's pool and
//!    passed up, and the node says what it left out ("excludes 1 team, 3
//!    responses, below k"). The node is shown when what it pools reaches k.
//!    So every shown pool is the disjoint union of shown pools below it and
//!    one block of 0 or ≥ k respondents, and any difference of shown pools is
//!    a union of such blocks: never 1 to k − 1 people. A small team never
//!    hides the rest of its group.
//! 5. **Median of team medians uses shown teams only.** A hidden team's
//!    median is a statistic of fewer than k people; fed into a median of
//!    medians it can come out verbatim (the median of three medians *is* one
//!    of them), and min, max or IQR of the medians would print it directly.
//!    So [`RollupRule::MedianOfTeamMedians`] summarises the medians of the
//!    rounds whose area is shown on its own, says how many it left out, and
//!    is shown whenever at least one is: it uses no hidden data, so hidden
//!    data can't hide it.
//! 6. **Strictest k.** A node uses the largest k of itself and every node
//!    below it: a team that asked for k = 7 is not exposed by a parent that
//!    settled for 5.
//! 7. **One questionnaire per roll-up.** Results are rolled up per model
//!    lineage (a version and its checked wording revisions) and mode; a
//!    roll-up never pools across them.
//!
//! # JSON
//! `Shown` serializes as `{"hidden": false, "n": 7, "value": …}` or
//! `{"hidden": true, "n": 4, "k": 5, "reason": "too_few_responses"}`, with
//! reason `round_open`, `no_responses`, `too_few_responses`,
//! `too_few_answers` (a statement) or `no_visible_teams` (a median of team
//! medians with no team shown).

use std::collections::{BTreeMap, BTreeSet};

use asyncmm_model::{AreaId, Level, Model};
use serde::Serialize;
use serde::ser::SerializeStruct;
use time::Date;

use crate::aggregate::{
    AreaAggregate, AreaData, GroupResult, StatementAggregate, Summary, count, explain, sort_scores,
};
use crate::answers::Mode;
use crate::assessment::ModelRef;
use crate::org::{K, Round, RoundState, TeamId};
use crate::scoring::Score;

/// Why a group's result is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenReason {
    /// The round is still open: only its response count is shown.
    RoundOpen,
    /// Nobody answered.
    NoResponses,
    /// Fewer than k respondents.
    TooFewResponses,
    /// A statement fewer than k respondents gave an agreement to.
    TooFewAnswers,
    /// A median of team medians with no team shown on its own.
    NoVisibleTeams,
}

/// A value that anonymity allows to be shown, or the reason it is not.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown<T> {
    /// Only this crate can build it (see the module doc).
    #[non_exhaustive]
    Visible { n: u64, value: T },
    /// Hiding is always safe, so anyone may build this one.
    Hidden { n: u64, k: K, reason: HiddenReason },
}

impl<T> Shown<T> {
    fn visible(n: u64, value: T) -> Shown<T> {
        Shown::Visible { n, value }
    }

    /// Number of respondents behind the value, shown or not.
    pub fn n(&self) -> u64 {
        match self {
            Shown::Visible { n, .. } | Shown::Hidden { n, .. } => *n,
        }
    }

    pub fn is_visible(&self) -> bool {
        matches!(self, Shown::Visible { .. })
    }

    pub fn value(&self) -> Option<&T> {
        match self {
            Shown::Visible { value, .. } => Some(value),
            Shown::Hidden { .. } => None,
        }
    }

    pub fn into_value(self) -> Option<T> {
        match self {
            Shown::Visible { value, .. } => Some(value),
            Shown::Hidden { .. } => None,
        }
    }

    pub fn hidden_reason(&self) -> Option<HiddenReason> {
        match self {
            Shown::Visible { .. } => None,
            Shown::Hidden { reason, .. } => Some(*reason),
        }
    }
}

impl<T: Serialize> Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Visible { n, value } => {
                let mut st = s.serialize_struct("Shown", 3)?;
                st.serialize_field("hidden", &false)?;
                st.serialize_field("n", n)?;
                st.serialize_field("value", value)?;
                st.end()
            }
            Shown::Hidden { n, k, reason } => {
                let mut st = s.serialize_struct("Shown", 4)?;
                st.serialize_field("hidden", &true)?;
                st.serialize_field("n", n)?;
                st.serialize_field("k", k)?;
                st.serialize_field("reason", reason)?;
                st.end()
            }
        }
    }
}

/// The one threshold test: nobody, or fewer than k.
fn hidden_reason(k: K, n: u64) -> Option<HiddenReason> {
    if n == 0 {
        Some(HiddenReason::NoResponses)
    } else if !k.allows(n) {
        Some(HiddenReason::TooFewResponses)
    } else {
        None
    }
}

/// A round's result as it may be shown to anyone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupView {
    pub model: ModelRef,
    pub mode: Mode,
    pub k: K,
    /// Each area is gated on its own count: an area only two people were
    /// assessed in would show their scores even in a group of ten.
    pub areas: Vec<Shown<AreaAggregate>>,
}

/// The result of `round` (aggregated into `result` with `model`) as it may
/// be shown on `today`: nothing but the count while the round is open, then
/// the rules of the module doc under the round's k.
pub fn show_round(round: &Round, today: Date, model: &Model, result: &GroupResult) -> Shown<GroupView> {
    gate_round(round, today, model, result, Explanations::Yes)
}

/// [`show_round`] without the per-area statements and explanation (both
/// `None`): for views over many rounds that show summaries only (the org
/// views), where explaining every area of every round would be most of
/// their work, and which may read kept results without their statement
/// counts (`KeptSummary`). The gate is the same: every count and summary
/// is shown or hidden exactly as by [`show_round`].
pub fn show_round_brief(round: &Round, today: Date, model: &Model, result: &GroupResult) -> Shown<GroupView> {
    gate_round(round, today, model, result, Explanations::No)
}

/// Whether a visible area gets its explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Explanations {
    Yes,
    No,
}

fn gate_round(
    round: &Round,
    today: Date,
    model: &Model,
    result: &GroupResult,
    explanations: Explanations,
) -> Shown<GroupView> {
    let k = round.k;
    let n = result.respondents();
    if round.state(today) == RoundState::Open {
        return Shown::Hidden {
            n,
            k,
            reason: HiddenReason::RoundOpen,
        };
    }
    if let Some(reason) = hidden_reason(k, n) {
        return Shown::Hidden { n, k, reason };
    }
    let areas = result
        .areas()
        .iter()
        .map(|data| match (&data.summary, hidden_reason(k, data.n)) {
            (Some(summary), None) => Shown::visible(data.n, show_area(model, k, data, summary.clone(), explanations)),
            (_, reason) => Shown::Hidden {
                n: data.n,
                k,
                reason: reason.unwrap_or(HiddenReason::NoResponses),
            },
        })
        .collect();
    Shown::visible(
        n,
        GroupView {
            model: result.model().clone(),
            mode: result.mode(),
            k,
            areas,
        },
    )
}

/// A visible area: its statements gated one by one, and the explanation
/// from the shown ones.
fn show_area(model: &Model, k: K, data: &AreaData, summary: Summary, explanations: Explanations) -> AreaAggregate {
    let all_statements = data.statements.as_ref().filter(|_| explanations == Explanations::Yes);
    let statements: Option<Vec<Shown<StatementAggregate>>> = all_statements.map(|all| {
        all.iter()
            .map(|st| match st.answered() {
                answered if k.allows(answered) => Shown::visible(answered, st.clone()),
                answered => Shown::Hidden {
                    n: answered,
                    k,
                    reason: HiddenReason::TooFewAnswers,
                },
            })
            .collect()
    });
    let (explanation, explanation_rounded) = match (&statements, model.area(&data.area)) {
        (Some(stmts), Some(area)) => {
            let shown: Vec<&StatementAggregate> = stmts.iter().filter_map(Shown::value).collect();
            let (result, rounded) = explain(model, area, &shown);
            (Some(result), rounded)
        }
        _ => (None, false),
    };
    AreaAggregate {
        area: data.area.clone(),
        n: data.n,
        summary,
        inconsistent: data.inconsistent,
        low_confidence: data.low_confidence,
        statements,
        explanation,
        explanation_rounded,
    }
}

/// How a roll-up summarises the rounds below a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RollupRule {
    /// Per area, the median (and spread) of the medians of the rounds shown
    /// on their own; `levels` counts teams per team level. Every team weighs
    /// the same, however many people answered.
    MedianOfTeamMedians,
    /// Per area, every respondent below the node pooled into one set of
    /// scores, leaving out small hidden parts that would be revealed by
    /// difference; `levels` counts respondents per level. Large teams weigh
    /// more.
    PooledRespondents,
}

/// One team or group of the organisation, with the result of its round if
/// it has one that may take part (a group may hold a round covering its
/// teams).
#[derive(Debug, Clone)]
pub struct GroupInput {
    id: TeamId,
    parent: Option<TeamId>,
    k: K,
    result: Option<GroupResult>,
}

impl GroupInput {
    /// A team with a round: an open round takes no part (rule 1), as if the
    /// team had none.
    pub fn with_round(id: TeamId, parent: Option<TeamId>, round: &Round, today: Date, result: GroupResult) -> Self {
        let closed = round.state(today) == RoundState::Closed;
        GroupInput {
            id,
            parent,
            k: round.k,
            result: closed.then_some(result),
        }
    }

    /// A team or group without a round of its own: a node its teams roll up
    /// through.
    pub fn without_round(id: TeamId, parent: Option<TeamId>) -> Self {
        GroupInput {
            id,
            parent,
            k: K::DEFAULT,
            result: None,
        }
    }

    pub fn id(&self) -> TeamId {
        self.id
    }
}

/// A node of the roll-up tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    /// Everything, above the groups without a parent.
    Organisation,
    Group(TeamId),
}

/// A roll-up of one model lineage and mode over the organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    /// The lineage: the model id and the first version of its line.
    pub model: ModelRef,
    /// Every version of the line whose rounds are rolled up, ascending.
    pub versions: Vec<String>,
    pub mode: Mode,
    pub rule: RollupRule,
    pub organisation: NodeRollup,
    /// Every team or group with respondents under this model version and
    /// mode, by id.
    pub groups: Vec<NodeRollup>,
}

/// One node's rolled-up result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeRollup {
    pub node: Node,
    /// The strictest threshold of the node and everything below it.
    pub k: K,
    pub result: Shown<RolledUp>,
}

/// What a node's summary leaves out, and why it may say so: the teams are
/// named and their respondents counted (counts are shown for every round
/// anyway), never their results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// Rounds' teams left out, by id.
    pub teams: Vec<TeamId>,
    pub respondents: u64,
}

impl LeftOut {
    pub fn is_empty(&self) -> bool {
        self.teams.is_empty()
    }
}

/// The visible content of a node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RolledUp {
    /// Rounds (teams, or groups with their own round) summarised.
    pub teams: u64,
    /// Rounds below the node that the rule left out (pooled: small hidden
    /// parts; median of medians: rounds not shown on their own).
    pub left_out: LeftOut,
    pub areas: Vec<Shown<AreaRollup>>,
}

/// One area of a node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRollup {
    pub area: AreaId,
    /// Respondents behind `summary`.
    pub respondents: u64,
    /// Teams behind `summary`.
    pub teams_counted: u64,
    /// Teams with respondents in this area that the rule left out, and
    /// their respondents in this area.
    pub left_out: LeftOut,
    pub summary: Summary,
}

/// Problems with the organisation tree handed to [`rollup`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollupError {
    #[error("group {} is listed twice", .0.0)]
    DuplicateGroup(TeamId),
    #[error("group {} has parent {}, which is not in the organisation", .group.0, .parent.0)]
    UnknownParent { group: TeamId, parent: TeamId },
    #[error("group {} is its own ancestor", .0.0)]
    Cycle(TeamId),
}

/// The organisation as a tree, checked once.
struct Tree<'a> {
    inputs: Vec<&'a GroupInput>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    /// Children before parents.
    post_order: Vec<usize>,
    /// The strictest k per node.
    k: Vec<K>,
}

impl<'a> Tree<'a> {
    fn new(groups: &'a [GroupInput]) -> Result<Tree<'a>, RollupError> {
        // Sorting by id makes the output independent of input order.
        let mut inputs: Vec<&GroupInput> = groups.iter().collect();
        inputs.sort_by_key(|g| g.id);
        let mut index = BTreeMap::new();
        for (i, g) in inputs.iter().enumerate() {
            if index.insert(g.id, i).is_some() {
                return Err(RollupError::DuplicateGroup(g.id));
            }
        }
        let mut children = vec![Vec::new(); inputs.len()];
        let mut roots = Vec::new();
        for (i, g) in inputs.iter().enumerate() {
            match g.parent {
                None => roots.push(i),
                Some(parent) => {
                    let p = *index
                        .get(&parent)
                        .ok_or(RollupError::UnknownParent { group: g.id, parent })?;
                    children[p].push(i);
                }
            }
        }
        let mut post_order = Vec::with_capacity(inputs.len());
        // Iterative so a deep hierarchy can't overflow the stack.
        let mut stack: Vec<(usize, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
        while let Some((node, expanded)) = stack.pop() {
            if expanded {
                post_order.push(node);
            } else {
                stack.push((node, true));
                stack.extend(children[node].iter().rev().map(|&c| (c, false)));
            }
        }
        if post_order.len() < inputs.len() {
            // Nodes unreachable from a root sit on a cycle (or below one).
            let reached: BTreeSet<usize> = post_order.iter().copied().collect();
            let first = (0..inputs.len()).find(|i| !reached.contains(i)).unwrap_or(0);
            return Err(RollupError::Cycle(inputs[first].id));
        }
        let mut k: Vec<K> = inputs.iter().map(|g| g.k).collect();
        for &node in &post_order {
            for &c in &children[node] {
                k[node] = k[node].max(k[c]);
            }
        }
        Ok(Tree {
            inputs,
            children,
            roots,
            post_order,
            k,
        })
    }

    fn organisation_k(&self) -> K {
        self.roots.iter().map(|&r| self.k[r]).max().unwrap_or(K::DEFAULT)
    }
}

/// What the pooled rule decides for one quantity (a whole round's count, or
/// one area's) at one node.
#[derive(Debug, Clone, Default)]
struct PoolNode {
    /// The node's pool is shown.
    visible: bool,
    /// Respondents pooled (when visible) or below the node (when hidden).
    n: u64,
    /// Rounds (node indices) left out of the node's pool.
    left_out: Vec<usize>,
    left_out_n: u64,
    reason: Option<HiddenReason>,
}

/// The pooled rule's decisions for every node and the organisation.
struct PoolDecision {
    nodes: Vec<PoolNode>,
    organisation: PoolNode,
}

/// Applies rules 4 and 6 bottom-up. `unit_n[i]` is node i's own round's
/// count of this quantity, `unit_alone[i]` whether that round shows it on
/// its own, and `forced[i]` hides a node whatever its counts (an area of a
/// hidden node).
fn pool(tree: &Tree, unit_n: &[u64], unit_alone: &[bool], forced: &[bool]) -> PoolDecision {
    let len = tree.inputs.len();
    let mut nodes = vec![PoolNode::default(); len];
    // Rounds below each node that no shown pool at or below it covers.
    let mut uncovered: Vec<Vec<usize>> = vec![Vec::new(); len];
    let mut total = vec![0u64; len];
    let decide = |k: K, total: u64, candidates: Vec<usize>, forced: bool, unit_n: &[u64]| -> (PoolNode, Vec<usize>) {
        let candidates_n: u64 = candidates.iter().map(|&c| unit_n[c]).sum();
        let pooled_in = candidates_n == 0 || k.allows(candidates_n);
        let (left, left_n) = if pooled_in {
            (Vec::new(), 0)
        } else {
            (candidates.clone(), candidates_n)
        };
        let n = total - left_n;
        let reason = if forced {
            Some(HiddenReason::TooFewResponses)
        } else if total == 0 {
            Some(HiddenReason::NoResponses)
        } else if n == 0 {
            Some(HiddenReason::TooFewResponses)
        } else {
            hidden_reason(k, n)
        };
        match reason {
            None => (
                PoolNode {
                    visible: true,
                    n,
                    left_out_n: left_n,
                    left_out: left.clone(),
                    reason: None,
                },
                left,
            ),
            Some(reason) => (
                PoolNode {
                    visible: false,
                    n: total,
                    left_out: Vec::new(),
                    left_out_n: 0,
                    reason: Some(reason),
                },
                candidates,
            ),
        }
    };
    for &node in &tree.post_order {
        let mut candidates: Vec<usize> = Vec::new();
        if unit_n[node] > 0 && !unit_alone[node] {
            candidates.push(node);
        }
        total[node] = unit_n[node];
        for &c in &tree.children[node] {
            candidates.extend(uncovered[c].iter().copied());
            total[node] += total[c];
        }
        let (decision, still_uncovered) = decide(tree.k[node], total[node], candidates, forced[node], unit_n);
        nodes[node] = decision;
        uncovered[node] = still_uncovered;
    }
    let candidates: Vec<usize> = tree.roots.iter().flat_map(|&r| uncovered[r].iter().copied()).collect();
    let org_total = tree.roots.iter().map(|&r| total[r]).sum();
    let (organisation, _) = decide(tree.organisation_k(), org_total, candidates, false, unit_n);
    PoolDecision { nodes, organisation }
}

/// Rolls the organisation up under `rule`: one [`Rollup`] per model
/// lineage and mode found among the results, ordered by them.
pub fn rollup(groups: &[GroupInput], rule: RollupRule) -> Result<Vec<Rollup>, RollupError> {
    let tree = Tree::new(groups)?;
    let mut keys: Vec<(&str, Mode)> = Vec::new();
    for g in &tree.inputs {
        if let Some(r) = &g.result {
            let key = (r.lineage(), r.mode());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys.sort_by(|a, b| (a.0, a.1.as_str()).cmp(&(b.0, b.1.as_str())));
    Ok(keys
        .into_iter()
        .map(|(lineage, mode)| rollup_one(&tree, lineage, mode, rule))
        .collect())
}

/// A round of node i under the roll-up's lineage and mode.
fn unit<'a>(tree: &Tree<'a>, i: usize, lineage: &str, mode: Mode) -> Option<&'a GroupResult> {
    tree.inputs[i]
        .result
        .as_ref()
        .filter(|r| r.lineage() == lineage && r.mode() == mode)
}

/// The rounds (node indices) at and below every node.
fn rounds_below(tree: &Tree, units: &[Option<&GroupResult>]) -> Vec<Vec<usize>> {
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); tree.inputs.len()];
    for &node in &tree.post_order {
        let mut list: Vec<usize> = tree.children[node].iter().flat_map(|&c| below[c].clone()).collect();
        if units[node].is_some() {
            list.push(node);
        }
        below[node] = list;
    }
    below
}

fn rollup_one(tree: &Tree, lineage: &str, mode: Mode, rule: RollupRule) -> Rollup {
    let len = tree.inputs.len();
    let units: Vec<Option<&GroupResult>> = (0..len).map(|i| unit(tree, i, lineage, mode)).collect();
    let mut versions: Vec<String> = units.iter().flatten().map(|r| r.model().version.clone()).collect();
    versions.sort();
    versions.dedup();
    // `id@base`: the id is everything before the last `@`.
    let (id, base) = lineage.rsplit_once('@').unwrap_or((lineage, ""));
    let model = ModelRef {
        id: id.to_string(),
        version: base.to_string(),
    };
    let own_n: Vec<u64> = units.iter().map(|u| u.map_or(0, GroupResult::respondents)).collect();
    // A round's own result is visible exactly when `show_round` would show
    // it (only closed rounds reach a roll-up).
    let own_shown: Vec<bool> = (0..len)
        .map(|i| own_n[i] > 0 && tree.inputs[i].k.allows(own_n[i]))
        .collect();
    // Areas in model order, as listed by the first round of this version.
    let areas: Vec<AreaId> = units
        .iter()
        .flatten()
        .next()
        .map(|r| r.areas().iter().map(|a| a.area.clone()).collect())
        .unwrap_or_default();
    let area_n: Vec<Vec<u64>> = areas
        .iter()
        .map(|area| units.iter().map(|u| u.map_or(0, |r| r.area_n(area))).collect())
        .collect();
    let area_alone: Vec<Vec<bool>> = area_n
        .iter()
        .map(|ns| {
            (0..len)
                .map(|i| own_shown[i] && tree.inputs[i].k.allows(ns[i]))
                .collect()
        })
        .collect();
    let below = rounds_below(tree, &units);
    let all_units: Vec<usize> = (0..len).filter(|&i| units[i].is_some()).collect();
    let ctx = RollupContext {
        tree,
        units: &units,
        own_n: &own_n,
        own_shown: &own_shown,
        areas: &areas,
        area_n: &area_n,
        area_alone: &area_alone,
    };
    let (groups, organisation) = match rule {
        RollupRule::PooledRespondents => ctx.pooled(&below, &all_units),
        RollupRule::MedianOfTeamMedians => ctx.medians(&below, &all_units),
    };
    Rollup {
        model,
        versions,
        mode,
        rule,
        organisation,
        groups,
    }
}

/// What one model version's roll-up is computed from.
struct RollupContext<'t, 'a> {
    tree: &'t Tree<'a>,
    units: &'t [Option<&'a GroupResult>],
    own_n: &'t [u64],
    own_shown: &'t [bool],
    areas: &'t [AreaId],
    area_n: &'t [Vec<u64>],
    area_alone: &'t [Vec<bool>],
}

impl RollupContext<'_, '_> {
    fn team_ids(&self, rounds: &[usize]) -> Vec<TeamId> {
        let mut ids: Vec<TeamId> = rounds.iter().map(|&i| self.tree.inputs[i].id).collect();
        ids.sort();
        ids
    }

    /// Area `a`'s data of round `m`.
    fn data(&self, m: usize, a: usize) -> Option<&AreaData> {
        self.units[m]
            .and_then(|r| r.areas().get(a))
            .filter(|d| d.area == self.areas[a])
    }

    fn pooled(&self, below: &[Vec<usize>], all_units: &[usize]) -> (Vec<NodeRollup>, NodeRollup) {
        let len = self.tree.inputs.len();
        let whole = pool(self.tree, self.own_n, self.own_shown, &vec![false; len]);
        let node_hidden: Vec<bool> = whole.nodes.iter().map(|d| !d.visible).collect();
        let per_area: Vec<PoolDecision> = (0..self.areas.len())
            .map(|a| pool(self.tree, &self.area_n[a], &self.area_alone[a], &node_hidden))
            .collect();
        let mut groups = Vec::new();
        for (i, members) in below.iter().enumerate() {
            if members.iter().all(|&m| self.own_n[m] == 0) {
                continue;
            }
            let k = self.tree.k[i];
            let areas: Vec<&PoolNode> = per_area.iter().map(|d| &d.nodes[i]).collect();
            let result = self.pooled_node(&whole.nodes[i], k, members, &areas);
            groups.push(NodeRollup {
                node: Node::Group(self.tree.inputs[i].id),
                k,
                result,
            });
        }
        let org_k = self.tree.organisation_k();
        let org_areas: Vec<&PoolNode> = per_area.iter().map(|d| &d.organisation).collect();
        let organisation = NodeRollup {
            node: Node::Organisation,
            k: org_k,
            result: self.pooled_node(&whole.organisation, org_k, all_units, &org_areas),
        };
        (groups, organisation)
    }

    fn pooled_node(
        &self,
        decision: &PoolNode,
        k: K,
        members: &[usize],
        area_decisions: &[&PoolNode],
    ) -> Shown<RolledUp> {
        if !decision.visible {
            return Shown::Hidden {
                n: decision.n,
                k,
                reason: decision.reason.unwrap_or(HiddenReason::NoResponses),
            };
        }
        let areas = (0..self.areas.len())
            .map(|a| {
                let d = area_decisions[a];
                if !d.visible {
                    return Shown::Hidden {
                        n: d.n,
                        k,
                        reason: d.reason.unwrap_or(HiddenReason::NoResponses),
                    };
                }
                let pooled: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|m| self.area_n[a][*m] > 0 && !d.left_out.contains(m))
                    .collect();
                let mut scores: Vec<Score> = Vec::new();
                let mut levels = [0u64; Level::COUNT];
                for &m in &pooled {
                    if let Some(data) = self.data(m, a) {
                        scores.extend_from_slice(data.respondent_scores());
                        if let Some(summary) = &data.summary {
                            for (total, x) in levels.iter_mut().zip(summary.levels) {
                                *total += x;
                            }
                        }
                    }
                }
                sort_scores(&mut scores);
                match Summary::of_sorted(&scores, levels) {
                    Some(summary) => Shown::visible(
                        d.n,
                        AreaRollup {
                            area: self.areas[a].clone(),
                            respondents: count(scores.len()),
                            teams_counted: count(pooled.len()),
                            left_out: LeftOut {
                                teams: self.team_ids(&d.left_out),
                                respondents: d.left_out_n,
                            },
                            summary,
                        },
                    ),
                    None => Shown::Hidden {
                        n: 0,
                        k,
                        reason: HiddenReason::NoResponses,
                    },
                }
            })
            .collect();
        let counted = members.iter().filter(|m| !decision.left_out.contains(m)).count();
        Shown::visible(
            decision.n,
            RolledUp {
                teams: count(counted),
                left_out: LeftOut {
                    teams: self.team_ids(&decision.left_out),
                    respondents: decision.left_out_n,
                },
                areas,
            },
        )
    }

    fn medians(&self, below: &[Vec<usize>], all_units: &[usize]) -> (Vec<NodeRollup>, NodeRollup) {
        let node_result = |members: &[usize], k: K| -> Shown<RolledUp> {
            let respondents: u64 = members.iter().map(|&m| self.own_n[m]).sum();
            let shown: Vec<usize> = members.iter().copied().filter(|&m| self.own_shown[m]).collect();
            if shown.is_empty() {
                let reason = if respondents == 0 {
                    HiddenReason::NoResponses
                } else {
                    HiddenReason::NoVisibleTeams
                };
                return Shown::Hidden {
                    n: respondents,
                    k,
                    reason,
                };
            }
            let left_out: Vec<usize> = members.iter().copied().filter(|&m| !self.own_shown[m]).collect();
            let areas = (0..self.areas.len())
                .map(|a| {
                    let answered: Vec<usize> = members.iter().copied().filter(|&m| self.area_n[a][m] > 0).collect();
                    let mut medians: Vec<Score> = Vec::new();
                    let mut levels = [0u64; Level::COUNT];
                    let mut counted_respondents = 0;
                    let mut counted = 0usize;
                    let mut skipped: Vec<usize> = Vec::new();
                    for &m in &answered {
                        match self.data(m, a).and_then(|d| d.summary.as_ref()) {
                            Some(summary) if self.area_alone[a][m] => {
                                medians.push(summary.spread.median);
                                levels[summary.level.index()] += 1;
                                counted_respondents += self.area_n[a][m];
                                counted += 1;
                            }
                            _ => skipped.push(m),
                        }
                    }
                    sort_scores(&mut medians);
                    let area_total: u64 = answered.iter().map(|&m| self.area_n[a][m]).sum();
                    match Summary::of_sorted(&medians, levels) {
                        Some(summary) => Shown::visible(
                            counted_respondents,
                            AreaRollup {
                                area: self.areas[a].clone(),
                                respondents: counted_respondents,
                                teams_counted: count(counted),
                                left_out: LeftOut {
                                    teams: self.team_ids(&skipped),
                                    respondents: area_total - counted_respondents,
                                },
                                summary,
                            },
                        ),
                        None => Shown::Hidden {
                            n: area_total,
                            k,
                            reason: if area_total == 0 {
                                HiddenReason::NoResponses
                            } else {
                                HiddenReason::NoVisibleTeams
                            },
                        },
                    }
                })
                .collect();
            let shown_respondents = shown.iter().map(|&m| self.own_n[m]).sum();
            Shown::visible(
                shown_respondents,
                RolledUp {
                    teams: count(shown.len()),
                    left_out: LeftOut {
                        teams: self.team_ids(&left_out),
                        respondents: respondents - shown_respondents,
                    },
                    areas,
                },
            )
        };
        let mut groups = Vec::new();
        for (i, members) in below.iter().enumerate() {
            if members.iter().all(|&m| self.own_n[m] == 0) {
                continue;
            }
            let k = self.tree.k[i];
            groups.push(NodeRollup {
                node: Node::Group(self.tree.inputs[i].id),
                k,
                result: node_result(members, k),
            });
        }
        let org_k = self.tree.organisation_k();
        let organisation = NodeRollup {
            node: Node::Organisation,
            k: org_k,
            result: node_result(all_units, org_k),
        };
        (groups, organisation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_never_passes_fewer_than_k() {
        for k in 3..20 {
            let k = K::new(k).expect("k");
            for n in 0..40u64 {
                let hidden = hidden_reason(k, n);
                assert_eq!(hidden.is_none(), n >= u64::from(k.get()), "k={k} n={n}");
                if n == 0 {
                    assert_eq!(hidden, Some(HiddenReason::NoResponses));
                }
            }
        }
    }
}
