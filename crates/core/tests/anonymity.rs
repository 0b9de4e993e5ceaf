//! Anonymity through the public API: the k threshold, the subtraction rule
//! on trees of groups, roll-up rules, model versions kept apart, and
//! properties over random organisations.

use std::collections::BTreeMap;

use asyncmm_core::{
    Answers, AreaRollup, GroupInput, GroupResult, HiddenReason, K, Mode, Node, NodeRollup, QuickAnswers, Rollup,
    RollupError, RollupRule, Shown, TeamId, aggregate, gate, rollup, show_group,
};
use asyncmm_model::{AreaId, Level, Model};
use proptest::prelude::*;

fn model(version: &str) -> Model {
    let mut toml = format!(
        "[model]\nid = \"t\"\nversion = \"{version}\"\ntitle = \"T\"\n[model.source]\ntitle = \"s\"\nauthor = \"a\"\nlicense = \"CC-BY-4.0\"\nurl = \"https://example.org\"\n"
    );
    for (n, name) in ["Unaware", "Initial", "Defined", "Optimizing"].iter().enumerate() {
        toml.push_str(&format!(
            "[[levels]]\nnumber = {n}\nname = \"{name}\"\nmeaning = \"m\"\n"
        ));
    }
    toml.push_str("[scoring]\nbeta = 6.0\nprofiles = [[3, 1, 0, 0], [1, 3, 1, 0], [0, 1, 3, 1], [0, 0, 3, 3]]\n");
    for area in ["docs", "meetings"] {
        toml.push_str(&format!(
            "[[areas]]\nid = \"{area}\"\nname = \"{area}\"\nintro = \"i\"\n"
        ));
        for level in 0..4 {
            for n in 1..=3 {
                toml.push_str(&format!(
                    "[[areas.statements]]\nid = \"{area}.{level}.{n}\"\ntext = \"t\"\nsuggestion = \"s\"\n"
                ));
            }
        }
    }
    asyncmm_model::parse(&toml, "test.toml").expect("test model is valid")
}

fn k(n: i64) -> K {
    K::new(n).expect("valid k")
}

fn area(id: &str) -> AreaId {
    AreaId::parse(id).expect("area id")
}

/// A quick-mode round: respondent i picks `docs[i]` for docs and, when
/// given, `meetings[i]` for meetings.
fn round_with(m: &Model, docs: &[u8], meetings: &[Option<u8>]) -> GroupResult {
    let responses: Vec<Answers> = docs
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let mut map = BTreeMap::new();
            map.insert(area("docs"), Level::new(d).expect("level"));
            if let Some(Some(l)) = meetings.get(i) {
                map.insert(area("meetings"), Level::new(*l).expect("level"));
            }
            Answers::Quick(QuickAnswers::from_map(map))
        })
        .collect();
    aggregate(m, Mode::Quick, &responses).expect("one mode")
}

/// `n` respondents all picking `level` in both areas.
fn round(m: &Model, n: usize, level: u8) -> GroupResult {
    round_with(m, &vec![level; n], &vec![Some(level); n])
}

fn team(id: i64, parent: Option<i64>, k_: i64, result: Option<GroupResult>) -> GroupInput {
    GroupInput {
        id: TeamId(id),
        parent: parent.map(TeamId),
        k: k(k_),
        result,
    }
}

fn only(rollups: Vec<Rollup>) -> Rollup {
    assert_eq!(rollups.len(), 1, "one model version, one roll-up");
    rollups.into_iter().next().expect("one")
}

fn node(r: &Rollup, id: i64) -> &NodeRollup {
    r.groups
        .iter()
        .find(|g| g.node == Node::Group(TeamId(id)))
        .expect("node in roll-up")
}

fn area_of(shown: &NodeRollup, a: usize) -> &AreaRollup {
    shown.result.value().expect("node visible").areas[a]
        .value()
        .expect("area visible")
}

const G: i64 = 1;
const A: i64 = 10;
const B: i64 = 11;
const C: i64 = 12;

#[test]
fn k_five_hides_four_and_shows_five() {
    let m = model("1");
    let four = show_group(k(5), &round(&m, 4, 2));
    assert_eq!(four.hidden_reason(), Some(HiddenReason::TooFewResponses));
    assert_eq!(four.n(), 4);
    assert_eq!(
        serde_json::to_value(&four).expect("serializes"),
        serde_json::json!({"hidden": true, "n": 4, "k": 5, "reason": "too_few_responses"})
    );
    let five = show_group(k(5), &round(&m, 5, 2));
    let view = five.value().expect("5 ≥ k");
    assert_eq!(view.areas[0].value().expect("docs").summary.spread.median.value(), 2.0);
    let json = serde_json::to_value(&five).expect("serializes");
    assert_eq!(json["hidden"], serde_json::json!(false));
    assert_eq!(json["n"], serde_json::json!(5));
    assert_eq!(json["value"]["areas"][0]["value"]["median"], serde_json::json!(2.0));

    assert_eq!(gate(k(5), 4, "x").value(), None);
    assert_eq!(gate(k(5), 5, "x").value(), Some(&"x"));
    assert_eq!(gate(k(3), 0, "x").hidden_reason(), Some(HiddenReason::NoResponses));
}

#[test]
fn subtraction_one_hidden_team_hides_the_group() {
    // G − A would be B: with B hidden, G must be hidden too.
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&m, 6, 2))),
        team(B, Some(G), 5, Some(round(&m, 3, 0))),
    ];
    for rule in [RollupRule::PooledRespondents, RollupRule::MedianOfTeamMedians] {
        let r = only(rollup(&inputs, rule).expect("valid tree"));
        assert!(node(&r, A).result.is_visible());
        assert_eq!(node(&r, B).result.hidden_reason(), Some(HiddenReason::TooFewResponses));
        let g = &node(&r, G).result;
        assert_eq!(g.hidden_reason(), Some(HiddenReason::RevealsSubgroup));
        assert_eq!(g.n(), 9, "9 ≥ k, hidden only by the subtraction rule");
        assert_eq!(
            r.organisation.result.hidden_reason(),
            Some(HiddenReason::RevealsSubgroup),
            "the organisation minus A reveals B just the same"
        );
    }
}

#[test]
fn subtraction_two_visible_teams_show_the_group() {
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&m, 6, 2))),
        team(B, Some(G), 5, Some(round(&m, 7, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    let g = &node(&r, G).result;
    assert!(g.is_visible());
    assert_eq!(g.n(), 13);
    assert!(r.organisation.result.is_visible());
}

#[test]
fn subtraction_two_hidden_teams_leave_a_residual_of_six() {
    // G − A = B ∪ C: six people, as anonymous as any group of ≥ 5, so G is
    // shown. What is shown of B and C is only pooled with each other and A.
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&m, 6, 3))),
        team(B, Some(G), 5, Some(round(&m, 3, 0))),
        team(C, Some(G), 5, Some(round(&m, 3, 1))),
    ];
    let pooled = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(pooled.rule, RollupRule::PooledRespondents);
    let g = node(&pooled, G);
    assert!(g.result.is_visible());
    let docs = area_of(g, 0);
    assert_eq!(docs.respondents, 12);
    assert_eq!(docs.teams_counted, 3);
    assert_eq!(docs.teams_left_out, 0);
    let s = docs.summary.as_ref().expect("pooled");
    assert_eq!(s.levels, [3, 3, 0, 6]);
    // Sorted 0 0 0 1 1 1 3 3 3 3 3 3: median at position 5.5 → (1 + 3) / 2.
    assert_eq!(s.spread.median.value(), 2.0);

    // Median of medians: B's and C's medians (0 and 1) are statistics of
    // three people each. With them the median of {3, 0, 1} would be C's
    // median verbatim, so only A counts.
    let mom = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    assert_eq!(mom.rule, RollupRule::MedianOfTeamMedians);
    let docs = area_of(node(&mom, G), 0);
    assert_eq!(docs.teams_counted, 1);
    assert_eq!(docs.teams_left_out, 2);
    assert_eq!(docs.respondents, 6);
    let s = docs.summary.as_ref().expect("A is visible");
    assert_eq!(
        [s.spread.min, s.spread.median, s.spread.max].map(|x| x.value()),
        [3.0, 3.0, 3.0]
    );
    assert_eq!(s.levels, [0, 0, 0, 1], "team levels, not respondents");
    let json = serde_json::to_value(&mom).expect("serializes");
    assert_eq!(json["rule"], serde_json::json!("median_of_team_medians"));
}

#[test]
fn median_of_medians_with_every_team_hidden_has_no_summary() {
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&m, 3, 3))),
        team(B, Some(G), 5, Some(round(&m, 3, 0))),
    ];
    let r = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    let docs = area_of(node(&r, G), 0);
    assert_eq!((docs.teams_counted, docs.teams_left_out), (0, 2));
    assert_eq!(docs.summary, None);
    let pooled = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(area_of(node(&pooled, G), 0).respondents, 6);
}

#[test]
fn both_rules_by_hand() {
    let m = model("1");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round_with(&m, &[0, 0, 1, 1, 1, 1], &[]))),
        team(B, Some(G), 5, Some(round_with(&m, &[2, 2, 3, 3, 3, 3], &[]))),
    ];
    // Pooled: 0 0 1 1 1 1 2 2 3 3 3 3; positions 2.75, 5.5, 8.25.
    let pooled = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    let s = area_of(node(&pooled, G), 0).summary.clone().expect("pooled");
    assert_eq!(
        [s.spread.q1, s.spread.median, s.spread.q3].map(|x| x.value()),
        [1.0, 1.5, 3.0]
    );
    assert_eq!(s.level.number(), 1, "1.5 rounds down");
    assert!(s.disagreement);
    assert_eq!(s.levels, [2, 4, 2, 4]);
    // Team medians: A 1, B 3 → median 2, quartiles 1.5 and 2.5.
    let mom = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    let s = area_of(node(&mom, G), 0).summary.clone().expect("two visible teams");
    assert_eq!(
        [s.spread.q1, s.spread.median, s.spread.q3].map(|x| x.value()),
        [1.5, 2.0, 2.5]
    );
    assert_eq!(s.level.number(), 2);
    assert!(s.disagreement, "IQR of team medians = 1");
    assert_eq!(s.levels, [0, 1, 0, 1]);
    // Nobody answered meetings: hidden as "no responses", not shown empty.
    let meetings = &node(&mom, G).result.value().expect("visible").areas[1];
    assert_eq!(meetings.hidden_reason(), Some(HiddenReason::NoResponses));
}

#[test]
fn nested_groups_hide_through_a_hidden_middle_group() {
    // O ⊃ {A(6), H ⊃ {B(3), D(6)}}. H is hidden (H − D = B); then O − A − D
    // = B as well, though O − A (9) alone looks safe.
    let m = model("1");
    let (o, h, d) = (1, 2, 13);
    let inputs = [
        team(o, None, 5, None),
        team(A, Some(o), 5, Some(round(&m, 6, 2))),
        team(h, Some(o), 5, None),
        team(B, Some(h), 5, Some(round(&m, 3, 0))),
        team(d, Some(h), 5, Some(round(&m, 6, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert!(node(&r, d).result.is_visible());
    assert_eq!(node(&r, h).result.hidden_reason(), Some(HiddenReason::RevealsSubgroup));
    assert_eq!(node(&r, o).result.hidden_reason(), Some(HiddenReason::RevealsSubgroup));
    assert_eq!(node(&r, o).result.n(), 15);

    // With B at 5 everything can be shown, at every level.
    let mut inputs = inputs;
    inputs[3] = team(B, Some(h), 5, Some(round(&m, 5, 0)));
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    for id in [o, A, h, B, d] {
        assert!(node(&r, id).result.is_visible(), "node {id}");
    }
    assert_eq!(r.organisation.result.n(), 17);
    assert!(r.organisation.result.is_visible());
}

#[test]
fn a_group_round_counts_as_its_own_part() {
    let m = model("1");
    // The group's own round (6) is visible on its own, so G − own = A (3).
    let inputs = [
        team(G, None, 5, Some(round(&m, 6, 2))),
        team(A, Some(G), 5, Some(round(&m, 3, 0))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(node(&r, G).result.hidden_reason(), Some(HiddenReason::RevealsSubgroup));
    // The group's own round (3) is hidden: G − A = own.
    let inputs = [
        team(G, None, 5, Some(round(&m, 3, 2))),
        team(A, Some(G), 5, Some(round(&m, 6, 0))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(node(&r, G).result.hidden_reason(), Some(HiddenReason::RevealsSubgroup));
    // Own 3 and B 3 are both hidden but only together: residual 6.
    let inputs = [
        team(G, None, 5, Some(round(&m, 3, 2))),
        team(A, Some(G), 5, Some(round(&m, 6, 0))),
        team(B, Some(G), 5, Some(round(&m, 3, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("valid tree"));
    let g = node(&r, G);
    assert!(g.result.is_visible());
    assert_eq!(g.result.value().expect("visible").teams, 3);
    assert_eq!(area_of(g, 0).teams_counted, 1, "only A is visible on its own");
}

#[test]
fn the_strictest_k_below_a_group_applies() {
    let m = model("1");
    // A asked for k = 7 and has 6: hidden. G − B would be A, and G must
    // respect A's 7, not its own 5.
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 7, Some(round(&m, 6, 2))),
        team(B, Some(G), 5, Some(round(&m, 6, 1))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(node(&r, A).result.hidden_reason(), Some(HiddenReason::TooFewResponses));
    let g = node(&r, G);
    assert_eq!(g.k, k(7));
    assert_eq!(g.result.hidden_reason(), Some(HiddenReason::RevealsSubgroup));
    assert_eq!(r.organisation.k, k(7));
    // With k = 5 for A, 6 is enough everywhere.
    let mut inputs = inputs;
    inputs[1].k = k(5);
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    assert!(node(&r, G).result.is_visible());
}

#[test]
fn areas_are_gated_and_subtracted_on_their_own_counts() {
    let m = model("1");
    // A: 6 respondents, only 4 picked a level for meetings.
    let a = round_with(&m, &[2; 6], &[Some(1), Some(1), Some(2), Some(2), None, None]);
    let a_view = show_group(k(5), &a).into_value().expect("6 ≥ 5");
    assert!(a_view.areas[0].is_visible());
    assert_eq!(a_view.areas[1].hidden_reason(), Some(HiddenReason::TooFewResponses));
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(a)),
        team(B, Some(G), 5, Some(round(&m, 6, 3))),
    ];
    let r = only(rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree"));
    let g = node(&r, G).result.value().expect("G visible overall");
    assert!(g.areas[0].is_visible());
    // G's meetings (10) − B's meetings (6) = A's meetings (4).
    assert_eq!(g.areas[1].hidden_reason(), Some(HiddenReason::RevealsSubgroup));
    assert_eq!(g.areas[1].n(), 10);
}

#[test]
fn model_versions_and_modes_are_never_pooled() {
    let v1 = model("1");
    let v2 = model("2");
    let inputs = [
        team(G, None, 5, None),
        team(A, Some(G), 5, Some(round(&v1, 6, 3))),
        team(B, Some(G), 5, Some(round(&v2, 7, 0))),
    ];
    let rollups = rollup(&inputs, RollupRule::PooledRespondents).expect("valid tree");
    assert_eq!(rollups.len(), 2);
    let versions: Vec<&str> = rollups.iter().map(|r| r.model.version.as_str()).collect();
    assert_eq!(versions, ["1", "2"]);
    for (r, n, team_id, level) in [(&rollups[0], 6, A, 3), (&rollups[1], 7, B, 0)] {
        assert_eq!(r.organisation.result.n(), n);
        assert_eq!(node(r, G).result.n(), n);
        let ids: Vec<Node> = r.groups.iter().map(|g| g.node).collect();
        assert_eq!(ids, [Node::Group(TeamId(G)), Node::Group(TeamId(team_id))]);
        let s = area_of(node(r, G), 0).summary.clone().expect("pooled");
        assert_eq!(s.levels[level], n, "only this version's respondents");
    }

    // Same version, different modes: two roll-ups too.
    let detailed = aggregate(&v1, Mode::Detailed, &[]).expect("empty round");
    let inputs = [
        team(A, None, 5, Some(round(&v1, 6, 3))),
        team(B, None, 5, Some(detailed)),
    ];
    let modes: Vec<Mode> = rollup(&inputs, RollupRule::PooledRespondents)
        .expect("valid tree")
        .iter()
        .map(|r| r.mode)
        .collect();
    assert_eq!(modes, [Mode::Detailed, Mode::Quick]);
}

#[test]
fn broken_trees_are_rejected() {
    let m = model("1");
    let dup = [team(A, None, 5, None), team(A, None, 5, Some(round(&m, 5, 1)))];
    assert_eq!(
        rollup(&dup, RollupRule::PooledRespondents).expect_err("duplicate"),
        RollupError::DuplicateGroup(TeamId(A))
    );
    let orphan = [team(A, Some(99), 5, None)];
    let err = rollup(&orphan, RollupRule::PooledRespondents).expect_err("unknown parent");
    assert_eq!(
        err,
        RollupError::UnknownParent {
            group: TeamId(A),
            parent: TeamId(99)
        }
    );
    assert!(err.to_string().contains("99"), "{err}");
    let cycle = [
        team(A, Some(B), 5, None),
        team(B, Some(A), 5, None),
        team(G, None, 5, None),
    ];
    assert!(matches!(
        rollup(&cycle, RollupRule::PooledRespondents),
        Err(RollupError::Cycle(_))
    ));
}

#[test]
fn an_empty_organisation_has_no_rollups() {
    assert_eq!(rollup(&[], RollupRule::PooledRespondents), Ok(Vec::new()));
    let m = model("1");
    let empty = aggregate(&m, Mode::Quick, &[]).expect("empty round");
    let r = only(rollup(&[team(A, None, 5, Some(empty))], RollupRule::PooledRespondents).expect("valid tree"));
    assert_eq!(r.organisation.result.hidden_reason(), Some(HiddenReason::NoResponses));
    assert!(r.groups.is_empty(), "nodes without respondents are left out");
}

// ---- properties over random organisations ----

/// One random node: parent choice, k, own respondents (0 = no round),
/// model version, and a seed for its answers.
type NodeSpec = (usize, i64, usize, usize, u64);

fn arb_org(k_range: std::ops::Range<i64>) -> impl Strategy<Value = Vec<NodeSpec>> {
    proptest::collection::vec((any::<usize>(), k_range, 0usize..10, 0usize..2, any::<u64>()), 1..12)
}

struct Org {
    inputs: Vec<GroupInput>,
    parent: Vec<Option<usize>>,
}

fn build(specs: &[NodeSpec], models: &[Model; 2]) -> Org {
    let mut inputs = Vec::new();
    let mut parent = Vec::new();
    for (i, &(p, k_, n, version, seed)) in specs.iter().enumerate() {
        // Node i hangs under an earlier node, or is a root (about a third).
        let p = (i > 0 && p % 3 != 0).then(|| p % i);
        let result = (n > 0).then(|| {
            let mut state = seed | 1;
            let mut next = || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let docs: Vec<u8> = (0..n).map(|_| (next() % 4) as u8).collect();
            // Some respondents skip meetings, so area counts differ.
            let meetings: Vec<Option<u8>> = (0..n)
                .map(|_| {
                    let x = next();
                    (x % 3 != 0).then_some((x % 4) as u8)
                })
                .collect();
            round_with(&models[version], &docs, &meetings)
        });
        parent.push(p);
        inputs.push(team(i as i64, p.map(|p| p as i64), k_, result));
    }
    Org { inputs, parent }
}

impl Org {
    /// Whether `node` is `ancestor` or lies below it.
    fn within(&self, mut node: usize, ancestor: Option<usize>) -> bool {
        let Some(ancestor) = ancestor else { return true };
        loop {
            if node == ancestor {
                return true;
            }
            match self.parent[node] {
                Some(p) => node = p,
                None => return false,
            }
        }
    }

    fn strictest_k(&self, top: Option<usize>) -> u16 {
        (0..self.inputs.len())
            .filter(|&i| self.within(i, top))
            .map(|i| self.inputs[i].k.get())
            .max()
            .unwrap_or(K::DEFAULT.get())
    }
}

/// Independent of the implementation's bottom-up pass: a respondent of
/// round `u` below a visible node `top` is covered when `u`'s own result is
/// visible or some node on the path from `u` up to (not including) `top` is
/// visible, because then an observer can subtract them. The residual is
/// everyone not covered.
fn residual(
    org: &Org,
    top: Option<usize>,
    own: &dyn Fn(usize) -> (u64, bool),
    node_visible: &dyn Fn(usize) -> bool,
) -> u64 {
    let mut total = 0;
    for u in 0..org.inputs.len() {
        if !org.within(u, top) {
            continue;
        }
        let (n, own_visible) = own(u);
        let mut covered = own_visible;
        let mut x = Some(u);
        while let Some(node) = x {
            if Some(node) == top {
                break;
            }
            covered |= node_visible(node);
            x = org.parent[node];
        }
        if !covered {
            total += n;
        }
    }
    total
}

fn check_org(org: &Org, rollups: &[Rollup]) -> Result<(), TestCaseError> {
    for r in rollups {
        let in_key = |i: usize| {
            org.inputs[i]
                .result
                .as_ref()
                .filter(|g| g.model() == &r.model && g.mode() == r.mode)
        };
        let find = |i: usize| r.groups.iter().find(|g| g.node == Node::Group(TeamId(i as i64)));
        let tops: Vec<(Option<usize>, &NodeRollup)> = std::iter::once((None, &r.organisation))
            .chain((0..org.inputs.len()).filter_map(|i| find(i).map(|g| (Some(i), g))))
            .collect();
        for (top, shown) in tops {
            let k_top = org.strictest_k(top);
            prop_assert_eq!(shown.k.get(), k_top);
            // No roll-up pools across versions: its n is this version's only.
            let n: u64 = (0..org.inputs.len())
                .filter(|&u| org.within(u, top))
                .filter_map(|u| in_key(u).map(GroupResult::respondents))
                .sum();
            prop_assert_eq!(shown.result.n(), n);
            let Some(content) = shown.result.value() else { continue };
            prop_assert!(n >= u64::from(k_top));
            let own = |u: usize| {
                let n = in_key(u).map_or(0, GroupResult::respondents);
                let visible = in_key(u).is_some_and(|g| show_group(org.inputs[u].k, g).is_visible());
                (n, visible)
            };
            let node_visible = |i: usize| find(i).is_some_and(|g| g.result.is_visible());
            let res = residual(org, top, &own, &node_visible);
            prop_assert!(res == 0 || res >= u64::from(k_top), "residual {} with k {}", res, k_top);

            for (a, area_shown) in content.areas.iter().enumerate() {
                if !area_shown.is_visible() {
                    continue;
                }
                let own_area = |u: usize| {
                    let Some(g) = in_key(u) else { return (0, false) };
                    let view = show_group(org.inputs[u].k, g);
                    let visible = view.value().is_some_and(|v| v.areas[a].is_visible());
                    (g.area_n(&[area("docs"), area("meetings")][a]), visible)
                };
                let area_visible = |i: usize| {
                    find(i)
                        .and_then(|g| g.result.value())
                        .is_some_and(|c| c.areas[a].is_visible())
                };
                let res = residual(org, top, &own_area, &area_visible);
                prop_assert!(
                    res == 0 || res >= u64::from(k_top),
                    "area {} residual {} with k {}",
                    a,
                    res,
                    k_top
                );
                prop_assert!(area_shown.n() >= u64::from(k_top));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn gate_never_shows_fewer_than_k(k_ in 3i64..50, n in 0u64..60) {
        let shown = gate(k(k_), n, ());
        prop_assert_eq!(shown.is_visible(), n >= k_ as u64);
        prop_assert_eq!(shown.n(), n);
    }

    #[test]
    fn no_visible_node_has_a_small_residual(specs in arb_org(3..8)) {
        let models = [model("1"), model("2")];
        let org = build(&specs, &models);
        for rule in [RollupRule::PooledRespondents, RollupRule::MedianOfTeamMedians] {
            let rollups = rollup(&org.inputs, rule).expect("generated trees are valid");
            prop_assert!(rollups.iter().all(|r| r.rule == rule));
            check_org(&org, &rollups)?;
        }
    }

    /// With one k everywhere, the rule as first stated also holds: a visible
    /// parent minus its visible children is 0 or at least k.
    #[test]
    fn with_one_k_parent_minus_visible_children_is_safe(specs in arb_org(5..6)) {
        let models = [model("1"), model("2")];
        let org = build(&specs, &models);
        for r in rollup(&org.inputs, RollupRule::PooledRespondents).expect("valid") {
            let find = |i: usize| r.groups.iter().find(|g| g.node == Node::Group(TeamId(i as i64)));
            for (i, g) in (0..org.inputs.len()).filter_map(|i| find(i).map(|g| (i, g))) {
                if !g.result.is_visible() { continue }
                let visible_children: u64 = (0..org.inputs.len())
                    .filter(|&c| org.parent[c] == Some(i))
                    .filter_map(find)
                    .filter(|c| c.result.is_visible())
                    .map(|c| c.result.n())
                    .sum();
                let res = g.result.n() - visible_children;
                prop_assert!(res == 0 || res >= 5, "node {} residual {}", i, res);
            }
        }
    }

    #[test]
    fn input_order_never_matters(specs in arb_org(3..8), seed in any::<u64>()) {
        let models = [model("1"), model("2")];
        let org = build(&specs, &models);
        let mut shuffled = org.inputs.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        for rule in [RollupRule::PooledRespondents, RollupRule::MedianOfTeamMedians] {
            prop_assert_eq!(rollup(&org.inputs, rule), rollup(&shuffled, rule));
        }
    }
}

#[test]
fn shown_hidden_can_be_built_and_matched_outside_the_crate() {
    // Hiding is always safe; showing goes through `gate`.
    let hidden: Shown<u8> = Shown::Hidden {
        n: 2,
        k: k(3),
        reason: HiddenReason::TooFewResponses,
    };
    assert!(!hidden.is_visible());
    match gate(k(3), 3, 7u8) {
        Shown::Visible { value, .. } => assert_eq!(value, 7),
        Shown::Hidden { .. } => panic!("3 ≥ k"),
    }
}
