//! Aggregation and roll-up throughput at issue 4's org size: 1,000 teams ×
//! 10 respondents in detailed mode (600,000 answers), grouped 20 teams to a
//! department, rolled up under both rules.

use std::collections::BTreeMap;
use std::hint::black_box;

use asyncmm_core::{
    Agreement, Answer, Answers, DetailedAnswers, GroupInput, K, Mode, ModelRef, Responses, RollupRule, Round, RoundId,
    TeamId, TeamName, aggregate, rollup,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use time::macros::date;

const TEAMS: usize = 1_000;
const RESPONDENTS: usize = 10;
const TEAMS_PER_DEPARTMENT: usize = 20;

fn teams(model: &asyncmm_model::Model) -> Vec<Responses> {
    let ids: Vec<_> = model.statements().map(|s| s.id.clone()).collect();
    // A cheap deterministic generator: the bench must not depend on a seed source.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..TEAMS)
        .map(|_| {
            (0..RESPONDENTS)
                .map(|_| {
                    let map: BTreeMap<_, _> = ids
                        .iter()
                        .map(|id| {
                            state ^= state << 13;
                            state ^= state >> 7;
                            state ^= state << 17;
                            let v = (state % 5) as u8;
                            let answer = if v == 4 {
                                Answer::DontKnow
                            } else {
                                Answer::Agree(Agreement::new(v).expect("0..=3"))
                            };
                            (id.clone(), answer)
                        })
                        .collect();
                    Answers::Detailed(DetailedAnswers::from_map(map))
                })
                .collect::<Vec<_>>()
                .into()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let model = asyncmm_model::default_model().expect("embedded model is valid");
    let all = teams(&model);
    let answers = TEAMS * RESPONDENTS * model.statement_count();

    let mut group = c.benchmark_group("aggregate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(answers as u64));
    group.bench_function("1,000 teams × 10 detailed respondents", |b| {
        b.iter(|| {
            for team in &all {
                black_box(aggregate(&model, Mode::Detailed, black_box(team)).expect("one mode"));
            }
        })
    });
    group.finish();

    let departments = TEAMS / TEAMS_PER_DEPARTMENT;
    let mut inputs: Vec<GroupInput> = (0..departments)
        .map(|d| GroupInput::without_round(TeamId(d as i64), None))
        .collect();
    // Every team's round closed before "today", so each takes part.
    let closed = Round {
        id: RoundId(1),
        team: TeamName::parse("team").expect("name"),
        model: ModelRef::of(&model),
        mode: Mode::Detailed,
        k: K::DEFAULT,
        opens_on: date!(2026 - 10 - 01),
        closes_on: None,
        closed_on: Some(date!(2026 - 10 - 15)),
        published: true,
        intake: None,
        responses: RESPONDENTS as u64,
    };
    for (t, team) in all.iter().enumerate() {
        inputs.push(GroupInput::with_round(
            TeamId((departments + t) as i64),
            Some(TeamId((t / TEAMS_PER_DEPARTMENT) as i64)),
            &closed,
            date!(2026 - 11 - 01),
            aggregate(&model, Mode::Detailed, team).expect("one mode"),
        ));
    }
    let mut group = c.benchmark_group("rollup");
    group.sample_size(10);
    for rule in [RollupRule::PooledRespondents, RollupRule::MedianOfTeamMedians] {
        group.bench_function(format!("1,000 teams in 50 departments, {rule:?}"), |b| {
            b.iter(|| black_box(rollup(black_box(&inputs), rule).expect("valid tree")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
