//! The computing half of `asyncmm report --org`: every team's latest round
//! (10 detailed respondents each) aggregated, gated, rolled up both ways,
//! built into the report and rendered as text and JSON, at 100, 1,000 and
//! 10,000 teams. Loading the rounds from the database is measured by the
//! store crate's `org_report` bench; the two add up to the command's work.

use std::collections::BTreeMap;
use std::hint::black_box;

use asyncmm_core::aggregate::{GroupResult, aggregate};
use asyncmm_core::anonymity::{GroupInput, RollupRule, rollup, show_round};
use asyncmm_core::{
    Agreement, Answer, Answers, DetailedAnswers, K, Mode, ModelRef, Responses, Round, RoundId, Team, TeamId, TeamName,
};
use asyncmm_model::Model;
use asyncmm_report::html::render_org_html;
use asyncmm_report::team::{OrgReport, OrgRow, render_org_text};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use time::macros::date;

struct Org {
    model: Model,
    teams: Vec<Team>,
    rounds: Vec<Round>,
    responses: Vec<Responses>,
}

/// `count` teams in groups of 20, each with one round of 10 respondents
/// whose answers scatter around a team-specific level.
fn org(count: usize) -> Org {
    let model = asyncmm_model::default_model().expect("embedded model");
    let ids: Vec<_> = model.statements().map(|s| s.id.clone()).collect();
    let profiles = [[3u8, 1, 0, 0], [1, 3, 1, 0], [0, 1, 3, 1], [0, 0, 3, 3]];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let groups = count.div_ceil(20);
    let mut teams: Vec<Team> = (0..groups)
        .map(|g| Team {
            id: TeamId(g as i64 + 1),
            name: TeamName::parse(&format!("group {g}")).expect("name"),
            parent: None,
            archived: false,
        })
        .collect();
    let mut rounds = Vec::new();
    let mut responses = Vec::new();
    for t in 0..count {
        let id = TeamId((groups + t) as i64 + 1);
        let name = TeamName::parse(&format!("team {t}")).expect("name");
        teams.push(Team {
            id,
            name: name.clone(),
            parent: Some(TeamId((t / 20) as i64 + 1)),
            archived: false,
        });
        let level = (next() % 4) as usize;
        let answers: Vec<Answers> = (0..10)
            .map(|_| {
                let map: BTreeMap<_, _> = ids
                    .iter()
                    .map(|id| {
                        let ideal = i16::from(profiles[level][id.level().index()]);
                        let noise = (next() % 3) as i16 - 1;
                        let v = (ideal + noise).clamp(0, 3) as u8;
                        let answer = if next() % 20 == 0 {
                            Answer::DontKnow
                        } else {
                            Answer::Agree(Agreement::new(v).expect("0..=3"))
                        };
                        (id.clone(), answer)
                    })
                    .collect();
                Answers::Detailed(DetailedAnswers::from_map(map))
            })
            .collect();
        rounds.push(Round {
            id: RoundId(t as i64 + 1),
            team: name,
            model: ModelRef::of(&model),
            mode: Mode::Detailed,
            k: K::DEFAULT,
            opens_on: date!(2026 - 10 - 01),
            closes_on: None,
            closed_on: Some(date!(2026 - 10 - 15)),
            published: true,
            intake: None,
            responses: 10,
        });
        responses.push(Responses::new(answers));
    }
    Org {
        model,
        teams,
        rounds,
        responses,
    }
}

fn org_report_data(org: &Org) -> OrgReport {
    let results: Vec<GroupResult> = org
        .rounds
        .iter()
        .zip(&org.responses)
        .map(|(round, answers)| aggregate(&org.model, round.mode, answers).expect("same mode"))
        .collect();
    let today = date!(2026 - 11 - 01);
    let views: Vec<_> = org
        .rounds
        .iter()
        .zip(&results)
        .map(|(r, g)| show_round(r, today, &org.model, g))
        .collect();
    let rows: Vec<OrgRow> = org
        .rounds
        .iter()
        .zip(&views)
        .map(|(round, shown)| OrgRow {
            round,
            shown,
            open_round: None,
        })
        .collect();
    // Team t is the (groups + t)-th entry, as built by `org`.
    let groups = org.teams.len() - org.rounds.len();
    let mut inputs: Vec<GroupInput> = org.teams[..groups]
        .iter()
        .map(|t| GroupInput::without_round(t.id, t.parent))
        .collect();
    for ((team, round), result) in org.teams[groups..].iter().zip(&org.rounds).zip(results) {
        inputs.push(GroupInput::with_round(team.id, team.parent, round, today, result));
    }
    let mut rollups = rollup(&inputs, RollupRule::MedianOfTeamMedians).expect("tree");
    rollups.extend(rollup(&inputs, RollupRule::PooledRespondents).expect("tree"));
    OrgReport::build(
        &org.model,
        std::slice::from_ref(&org.model),
        &org.teams,
        &rows,
        &rollups,
    )
}

fn build(org: &Org) -> String {
    let report = org_report_data(org);
    let mut out = render_org_text(&report);
    out.push_str(&asyncmm_report::to_json(&report).expect("json"));
    out
}

fn org_report(c: &mut Criterion) {
    let mut group = c.benchmark_group("org report (compute + render)");
    group.sample_size(10);
    for teams in [100usize, 1_000, 10_000] {
        let org = org(teams);
        group.throughput(Throughput::Elements(teams as u64));
        group.bench_with_input(BenchmarkId::from_parameter(teams), &org, |b, org| {
            b.iter(|| black_box(build(org)))
        });
    }
    group.finish();

    // The HTML org report: the whole command's computing part plus the
    // self-contained page with its heat map.
    let mut group = c.benchmark_group("org report html");
    group.sample_size(10);
    let org = org(1_000);
    let page = render_org_html(&org_report_data(&org));
    println!("org report html, 1,000 teams: {} bytes", page.len());
    // Lets a person open the page the bench measured (docs/performance.md).
    if let Some(path) = std::env::var_os("ASYNCMM_BENCH_HTML_OUT") {
        std::fs::write(path, &page).expect("write the page");
    }
    group.bench_function("1000 teams", |b| {
        b.iter(|| black_box(render_org_html(&org_report_data(&org))))
    });
    group.finish();
}

criterion_group!(benches, org_report);
criterion_main!(benches);
