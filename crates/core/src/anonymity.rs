//! Anonymity, enforced in one place (PRODUCT.md, "Anonymity"; issue 4).
//!
//! Every group result a person or a machine reads passes through this
//! module: a team's own result ([`show_group`]), roll-ups of teams into
//! groups and the organisation ([`rollup`]), and any other value tied to a
//! group size ([`gate`]). Each returns a [`Shown`], which is either the value
//! or only "n < k, hidden". A [`Shown::Visible`] can't be built outside this
//! crate, so a renderer can't skip the check:
//!
//! ```compile_fail
//! use asyncmm_core::anonymity::Shown;
//! let leaked: Shown<u8> = Shown::Visible { n: 1, value: 42 };
//! ```
//!
//! # The rules
//! 1. **k.** A group, and each area of a group, is shown only with at least
//!    k respondents (k ≥ 3, the round's threshold). A group with no
//!    respondents is never shown as data.
//! 2. **Subtraction.** A roll-up node is hidden when it would reveal a hidden
//!    part by difference. Its *residual* is the number of its respondents that
//!    are not inside something shown on its own: a node's own respondents
//!    (a round held for a group itself) count unless that round's result is
//!    visible, and a hidden child counts with its own residual — not its
//!    full size — because the visible nodes inside it can be subtracted too
//!    (with G ⊃ {A, H ⊃ {B, D}}, G − A − D reveals B even though H is
//!    hidden). If 0 < residual < k the node is hidden, bottom-up, so a
//!    hidden node passes its residual on to its parent. When exactly one
//!    child is hidden, the residual is that child's residual, so "parent
//!    minus visible siblings" is covered by the same rule.
//! 3. **Strictest k.** A node uses the largest k of itself and every node
//!    below it: a team that asked for k = 7 is not exposed by a parent that
//!    settled for 5.
//! 4. **One model version per roll-up.** Results are rolled up per model
//!    id, version and mode; a roll-up never pools across them.
//!
//! With a residual of 0 or ≥ k, whatever can be subtracted from a visible
//! node is either nothing or a set of at least k respondents, which is as
//! anonymous as any visible group.
//!
//! # Median of team medians uses visible teams only
//! A hidden team's median is a statistic of fewer than k people. Fed into a
//! median of medians it can come out verbatim (the median of three medians
//! *is* one of them; with one visible team the other two are pinned by the
//! middle value), and min, max or IQR of the team medians would print it
//! directly. So [`RollupRule::MedianOfTeamMedians`] takes the medians of the
//! teams whose area is visible on its own, and reports how many teams it
//! left out; their respondents still count in
//! [`RollupRule::PooledRespondents`], where the subtraction rule guarantees
//! they are blended with at least k others.
//!
//! # JSON
//! `Shown` serializes as `{"hidden": false, "n": 7, "value": …}` or
//! `{"hidden": true, "n": 4, "k": 5, "reason": "too_few_responses"}`, with
//! reason `no_responses`, `too_few_responses` or `reveals_subgroup`.

use std::collections::{BTreeMap, BTreeSet};

use asyncmm_model::{AreaId, Level};
use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::aggregate::{AreaAggregate, GroupResult, Summary, count, sort_scores};
use crate::answers::Mode;
use crate::assessment::ModelRef;
use crate::org::{K, TeamId};
use crate::scoring::Score;

/// Why a group's result is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenReason {
    /// Nobody answered.
    NoResponses,
    /// Fewer than k respondents.
    TooFewResponses,
    /// Enough respondents, but subtracting the visible groups inside it
    /// would leave between 1 and k − 1 people.
    RevealsSubgroup,
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

/// `value` if `n` respondents meet threshold `k`; hidden otherwise, and
/// always hidden for `n == 0`.
pub fn gate<T>(k: K, n: u64, value: T) -> Shown<T> {
    match hidden_reason(k, n, 0) {
        Some(reason) => Shown::Hidden { n, k, reason },
        None => Shown::visible(n, value),
    }
}

/// The one threshold test: nobody, fewer than k, or a residual 0 < r < k.
fn hidden_reason(k: K, n: u64, residual: u64) -> Option<HiddenReason> {
    if n == 0 {
        Some(HiddenReason::NoResponses)
    } else if !k.allows(n) {
        Some(HiddenReason::TooFewResponses)
    } else if residual > 0 && !k.allows(residual) {
        Some(HiddenReason::RevealsSubgroup)
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

/// The result of one round under threshold `k` (the round's k).
pub fn show_group(k: K, result: &GroupResult) -> Shown<GroupView> {
    if let Some(reason) = hidden_reason(k, result.respondents(), 0) {
        return Shown::Hidden {
            n: result.respondents(),
            k,
            reason,
        };
    }
    let areas = result
        .areas()
        .iter()
        .map(|a| match (&a.aggregate, hidden_reason(k, a.n, 0)) {
            (Some(aggregate), None) => Shown::visible(a.n, aggregate.clone()),
            (_, reason) => Shown::Hidden {
                n: a.n,
                k,
                reason: reason.unwrap_or(HiddenReason::NoResponses),
            },
        })
        .collect();
    Shown::visible(
        result.respondents(),
        GroupView {
            model: result.model().clone(),
            mode: result.mode(),
            k,
            areas,
        },
    )
}

/// How a roll-up summarises the teams below a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RollupRule {
    /// Per area, the median (and spread) of the medians of the visible
    /// teams; `levels` counts teams per team level. Every team weighs the
    /// same, however many people answered.
    MedianOfTeamMedians,
    /// Per area, every respondent below the node pooled into one set of
    /// scores; `levels` counts respondents per level. Large teams weigh more.
    PooledRespondents,
}

/// One team or group of the organisation, with its own round's result if it
/// had one (a group may hold a round covering its teams).
#[derive(Debug, Clone)]
pub struct GroupInput {
    pub id: TeamId,
    pub parent: Option<TeamId>,
    /// The round's threshold, or the organisation's default for a group
    /// without a round of its own.
    pub k: K,
    pub result: Option<GroupResult>,
}

/// A node of the roll-up tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    /// Everything, above the groups without a parent.
    Organisation,
    Group(TeamId),
}

/// A roll-up of one model version and mode over the organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    pub model: ModelRef,
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

/// The visible content of a node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RolledUp {
    /// Rounds (teams, or groups with their own round) below the node.
    pub teams: u64,
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
    /// Teams with respondents in this area that the rule left out (median
    /// of medians leaves out teams whose own area is hidden).
    pub teams_left_out: u64,
    /// `None` when the rule had nothing to summarise (every team hidden).
    pub summary: Option<Summary>,
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

/// Respondent counts of one quantity (a whole round, or one area) per node,
/// and what anonymity decides about each.
struct Decision {
    /// Respondents at and below each node.
    n: Vec<u64>,
    hidden: Vec<Option<HiddenReason>>,
    organisation_n: u64,
    organisation_hidden: Option<HiddenReason>,
}

/// Applies the k and subtraction rules bottom-up. `own_n[i]` is node i's own
/// round's count, `own_shown[i]` whether that round's result is visible on
/// its own, and `forced[i]` hides a node whatever its counts (an area of a
/// hidden node).
fn decide(tree: &Tree, own_n: &[u64], own_shown: &[bool], forced: &[bool]) -> Decision {
    let len = tree.inputs.len();
    let mut n = vec![0u64; len];
    let mut residual = vec![0u64; len];
    let mut hidden = vec![None; len];
    // A visible child can be subtracted, so it leaves nothing behind; a
    // hidden one leaves what its own visible parts don't cover.
    let part = |c: usize, hidden: &[Option<HiddenReason>], residual: &[u64]| {
        if hidden[c].is_some() { residual[c] } else { 0 }
    };
    for &node in &tree.post_order {
        let own_residual = if own_shown[node] { 0 } else { own_n[node] };
        n[node] = own_n[node] + tree.children[node].iter().map(|&c| n[c]).sum::<u64>();
        residual[node] = own_residual
            + tree.children[node]
                .iter()
                .map(|&c| part(c, &hidden, &residual))
                .sum::<u64>();
        hidden[node] = hidden_reason(tree.k[node], n[node], residual[node]);
        // The reason is never displayed: the whole node is hidden already.
        if forced[node] && hidden[node].is_none() {
            hidden[node] = Some(HiddenReason::TooFewResponses);
        }
    }
    let organisation_n = tree.roots.iter().map(|&r| n[r]).sum();
    let organisation_residual = tree.roots.iter().map(|&r| part(r, &hidden, &residual)).sum();
    let organisation_hidden = hidden_reason(tree.organisation_k(), organisation_n, organisation_residual);
    Decision {
        n,
        hidden,
        organisation_n,
        organisation_hidden,
    }
}

/// Rolls the organisation up under `rule`: one [`Rollup`] per model id,
/// version and mode found among the results, ordered by them.
pub fn rollup(groups: &[GroupInput], rule: RollupRule) -> Result<Vec<Rollup>, RollupError> {
    let tree = Tree::new(groups)?;
    let mut keys: Vec<(&ModelRef, Mode)> = Vec::new();
    for g in &tree.inputs {
        if let Some(r) = &g.result {
            let key = (r.model(), r.mode());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys.sort_by(|a, b| (&a.0.id, &a.0.version, a.1.as_str()).cmp(&(&b.0.id, &b.0.version, b.1.as_str())));
    Ok(keys
        .into_iter()
        .map(|(model, mode)| rollup_one(&tree, model, mode, rule))
        .collect())
}

/// A round of node i under the roll-up's model version and mode.
fn unit<'a>(tree: &Tree<'a>, i: usize, model: &ModelRef, mode: Mode) -> Option<&'a GroupResult> {
    tree.inputs[i]
        .result
        .as_ref()
        .filter(|r| r.model() == model && r.mode() == mode)
}

fn rollup_one(tree: &Tree, model: &ModelRef, mode: Mode, rule: RollupRule) -> Rollup {
    let len = tree.inputs.len();
    let units: Vec<Option<&GroupResult>> = (0..len).map(|i| unit(tree, i, model, mode)).collect();
    let own_n: Vec<u64> = units.iter().map(|u| u.map_or(0, GroupResult::respondents)).collect();
    // A round's own result is visible exactly when `show_group` would show it.
    let own_shown: Vec<bool> = (0..len)
        .map(|i| tree.inputs[i].k.allows(own_n[i]) && own_n[i] > 0)
        .collect();
    let whole = decide(tree, &own_n, &own_shown, &vec![false; len]);

    // Areas in model order, as listed by the first round of this version.
    let areas: Vec<AreaId> = units
        .iter()
        .flatten()
        .next()
        .map(|r| r.areas().iter().map(|a| a.area.clone()).collect())
        .unwrap_or_default();
    // An area of a hidden node is hidden, and passes its residual up like
    // any hidden part.
    let node_hidden: Vec<bool> = whole.hidden.iter().map(Option::is_some).collect();
    let per_area: Vec<(Decision, Vec<u64>, Vec<bool>)> = areas
        .iter()
        .map(|area| {
            let own_area_n: Vec<u64> = units.iter().map(|u| u.map_or(0, |r| r.area_n(area))).collect();
            let own_area_shown: Vec<bool> = (0..len)
                .map(|i| own_shown[i] && tree.inputs[i].k.allows(own_area_n[i]))
                .collect();
            let decision = decide(tree, &own_area_n, &own_area_shown, &node_hidden);
            (decision, own_area_n, own_area_shown)
        })
        .collect();

    // Rounds at and below each node.
    let mut below: Vec<Vec<usize>> = vec![Vec::new(); len];
    for &node in &tree.post_order {
        let mut list: Vec<usize> = tree.children[node].iter().flat_map(|&c| below[c].clone()).collect();
        if units[node].is_some() {
            list.push(node);
        }
        below[node] = list;
    }
    let all_units: Vec<usize> = (0..len).filter(|&i| units[i].is_some()).collect();

    let content = |members: &[usize], area_hidden: &dyn Fn(usize) -> (u64, Option<HiddenReason>), k: K| {
        let areas = areas
            .iter()
            .enumerate()
            .map(|(a, area)| {
                let (n, reason) = area_hidden(a);
                match reason {
                    Some(reason) => Shown::Hidden { n, k, reason },
                    None => {
                        let (_, own_area_n, own_area_shown) = &per_area[a];
                        let value = area_rollup(area, a, members, &units, own_area_n, own_area_shown, rule);
                        Shown::visible(n, value)
                    }
                }
            })
            .collect();
        RolledUp {
            teams: count(members.len()),
            areas,
        }
    };

    let mut groups = Vec::new();
    for (i, members) in below.iter().enumerate() {
        if whole.n[i] == 0 {
            continue;
        }
        let k = tree.k[i];
        let result = match whole.hidden[i] {
            Some(reason) => Shown::Hidden {
                n: whole.n[i],
                k,
                reason,
            },
            None => {
                let area_hidden = |a: usize| (per_area[a].0.n[i], per_area[a].0.hidden[i]);
                Shown::visible(whole.n[i], content(members, &area_hidden, k))
            }
        };
        groups.push(NodeRollup {
            node: Node::Group(tree.inputs[i].id),
            k,
            result,
        });
    }
    let org_k = tree.organisation_k();
    let organisation = NodeRollup {
        node: Node::Organisation,
        k: org_k,
        result: match whole.organisation_hidden {
            Some(reason) => Shown::Hidden {
                n: whole.organisation_n,
                k: org_k,
                reason,
            },
            None => {
                let area_hidden = |a: usize| (per_area[a].0.organisation_n, per_area[a].0.organisation_hidden);
                Shown::visible(whole.organisation_n, content(&all_units, &area_hidden, org_k))
            }
        },
    };
    Rollup {
        model: model.clone(),
        mode,
        rule,
        organisation,
        groups,
    }
}

/// One visible area of a node under `rule`, from the rounds `members`.
fn area_rollup(
    area: &AreaId,
    a: usize,
    members: &[usize],
    units: &[Option<&GroupResult>],
    own_area_n: &[u64],
    own_area_shown: &[bool],
    rule: RollupRule,
) -> AreaRollup {
    let data = |m: usize| units[m].and_then(|r| r.areas().get(a)).filter(|d| &d.area == area);
    let answered: Vec<usize> = members.iter().copied().filter(|&m| own_area_n[m] > 0).collect();
    match rule {
        RollupRule::PooledRespondents => {
            let mut scores: Vec<Score> = Vec::new();
            let mut levels = [0u64; Level::COUNT];
            for &m in &answered {
                if let Some(d) = data(m) {
                    scores.extend_from_slice(d.respondent_scores());
                    if let Some(agg) = &d.aggregate {
                        for (total, x) in levels.iter_mut().zip(agg.summary.levels) {
                            *total += x;
                        }
                    }
                }
            }
            sort_scores(&mut scores);
            AreaRollup {
                area: area.clone(),
                respondents: count(scores.len()),
                teams_counted: count(answered.len()),
                teams_left_out: 0,
                summary: Summary::of_sorted(&scores, levels),
            }
        }
        RollupRule::MedianOfTeamMedians => {
            let mut medians: Vec<Score> = Vec::new();
            let mut levels = [0u64; Level::COUNT];
            let mut respondents = 0;
            for &m in answered.iter().filter(|&&m| own_area_shown[m]) {
                if let Some(summary) = data(m).and_then(|d| d.aggregate.as_ref()).map(|agg| &agg.summary) {
                    medians.push(summary.spread.median);
                    levels[summary.level.index()] += 1;
                    respondents += own_area_n[m];
                }
            }
            sort_scores(&mut medians);
            let counted = count(medians.len());
            AreaRollup {
                area: area.clone(),
                respondents,
                teams_counted: counted,
                teams_left_out: count(answered.len()).saturating_sub(counted),
                summary: Summary::of_sorted(&medians, levels),
            }
        }
    }
}
