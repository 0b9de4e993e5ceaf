//! Scoring throughput: 1,000,000 detailed answers (≈ 16,700 full
//! assessments of the default model) scored in one pass.

use std::collections::BTreeMap;
use std::hint::black_box;

use asyncmm_core::{Agreement, Answer, Answers, DetailedAnswers, assess};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn assessments(count: usize) -> (asyncmm_model::Model, Vec<Answers>) {
    let model = asyncmm_model::default_model().expect("embedded model is valid");
    let ids: Vec<_> = model.statements().map(|s| s.id.clone()).collect();
    // A cheap deterministic generator: the bench must not depend on a seed source.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let out = (0..count)
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
        .collect();
    (model, out)
}

fn scoring(c: &mut Criterion) {
    let (model, all) = assessments(16_667);
    let answers: usize = all.iter().map(Answers::len).sum();
    let mut group = c.benchmark_group("scoring");
    group.sample_size(10);
    group.throughput(Throughput::Elements(answers as u64));
    group.bench_function("1M detailed answers", |b| {
        b.iter(|| {
            for a in &all {
                black_box(assess(&model, black_box(a)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);
