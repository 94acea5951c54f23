//! Siting solver benchmarks.
//!
//! * `siting_city`: LSCP, MCLP (p = 100, 200) and p-median (p = 100) on a synthetic city
//!   (10,000 demands, 50,000 candidates, ~900 m walking reach, ~2.5 M pairs), gap target 0.1 %,
//!   time limit 60 s. The proven gap of each run is printed before it is timed; with
//!   `--features highs` the same instance is solved by HiGHS alone (cold, the same 60 s, its
//!   dual bound) and printed alongside.
//!   `CARECIRCLE_BENCH_ONCE=1` prints the single runs without criterion's timing loop (each run
//!   can take up to the limit); `CARECIRCLE_BENCH_ONLY=lscp,mclp_p200` picks models.
//! * `siting_orlib`: OR-Library p-median instances with the heuristic (root Lagrangian bound,
//!   no branching). Set `CARECIRCLE_BENCH_ALL=1` for all 40, otherwise a sample across sizes.
//!   Skipped with a message when ../shared/data/orlib-pmed is absent.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use carecircle::siting::orlib::read_pmed;
use carecircle::siting::synth::{synthetic_city, CitySpec};
use carecircle::siting::{solve, Model, SitingOptions};

const ORLIB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/orlib-pmed");

fn city(c: &mut Criterion) {
    let problem = synthetic_city(&CitySpec::default());
    println!(
        "synthetic city: {} demands, {} candidates, {} pairs",
        problem.reach.n_demand,
        problem.reach.n_sites,
        problem.reach.len()
    );
    let opts = SitingOptions {
        gap_target: 0.001,
        time_limit: Some(Duration::from_secs(60)),
        ..SitingOptions::default()
    };
    let mut g = c.benchmark_group("siting_city");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(1));
    g.measurement_time(Duration::from_secs(1));
    for (name, model) in [
        ("lscp", Model::Lscp),
        ("mclp_p100", Model::Mclp { p: 100 }),
        ("mclp_p200", Model::Mclp { p: 200 }),
        ("pmedian_p100", Model::PMedian { p: 100 }),
    ] {
        if !wanted(name) {
            continue;
        }
        let s = solve(&problem, &model, &opts).expect("solve");
        println!(
            "{name}: objective {:.0} bound {:.0} gap {:.3}% nodes {} in {:.2}s [{}]",
            s.objective,
            s.bound,
            100.0 * s.gap,
            s.nodes,
            s.elapsed.as_secs_f64(),
            s.method
        );
        #[cfg(feature = "highs")]
        {
            // The same instance by HiGHS alone: cold, without carecircle's reductions, with
            // the same 60 s; the bound is HiGHS's dual bound. HiGHS may find no solution in
            // that time (printed, not a failed benchmark).
            match carecircle::siting::solve_highs_cold(&problem, &model, Duration::from_secs(60)) {
                Ok(h) => println!(
                    "{name} HiGHS alone: objective {:.0} bound {:.0} gap {:.3}% in {:.2}s",
                    h.objective,
                    h.bound,
                    100.0 * h.gap,
                    h.elapsed.as_secs_f64()
                ),
                Err(e) => println!("{name} HiGHS alone: {e}"),
            }
        }
        if std::env::var_os("CARECIRCLE_BENCH_ONCE").is_none() {
            g.bench_function(name, |b| b.iter(|| solve(&problem, &model, &opts)));
        }
    }
    g.finish();
}

/// `CARECIRCLE_BENCH_ONLY=a,b` limits the city benchmarks to those names.
fn wanted(name: &str) -> bool {
    std::env::var("CARECIRCLE_BENCH_ONLY").map_or(true, |v| v.split(',').any(|x| x == name))
}

fn orlib(c: &mut Criterion) {
    if std::env::var_os("CARECIRCLE_BENCH_ONLY").is_some() {
        return;
    }
    if !PathBuf::from(ORLIB).join("pmed1.txt").exists() {
        println!("SKIPPED: OR-Library p-median data not found at {ORLIB}");
        return;
    }
    let all = std::env::var_os("CARECIRCLE_BENCH_ALL").is_some();
    let which: Vec<usize> = if all {
        (1..=40).collect()
    } else {
        vec![1, 5, 10, 15, 20, 25, 30, 35, 38, 40]
    };
    let opts = SitingOptions {
        max_nodes: 1,
        ..SitingOptions::default()
    };
    let mut g = c.benchmark_group("siting_orlib");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(1));
    g.measurement_time(Duration::from_secs(1));
    for k in which {
        let inst = read_pmed(PathBuf::from(ORLIB).join(format!("pmed{k}.txt"))).expect("read");
        let problem = inst.problem();
        let model = Model::PMedian { p: inst.p };
        let s = solve(&problem, &model, &opts).expect("solve");
        println!(
            "pmed{k}: objective {} bound {} gap {:.3}%",
            s.objective,
            s.bound,
            100.0 * s.gap
        );
        g.bench_function(format!("pmed{k}"), |b| {
            b.iter(|| solve(&problem, &model, &opts))
        });
    }
    g.finish();
}

criterion_group!(benches, orlib, city);
criterion_main!(benches);
