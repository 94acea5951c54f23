//! 2SFCA on the city-scale network: 1,000 facilities, 10,000 communities on a 520 × 520 grid
//! (about 518,000 road segments). Compares the reach table the 2SFCA reads (one bounded search
//! per facility) with the two floating-catchment steps over it.
//!
//! Reproduce with `cargo bench --bench access`; the README lists the figures.

use std::time::Duration;

use carecircle::access::{two_step, Decay};
use carecircle::network::{reach_table, Direction, SourceSet};
use carecircle::synthetic::{city, CityParams};
use criterion::{criterion_group, criterion_main, Criterion};

fn city_2sfca(c: &mut Criterion) {
    let params = CityParams {
        communities: 10_000,
        facilities: 1_000,
        ..CityParams::audit_benchmark()
    };
    let city = city(params);
    let study = carecircle::bench_support::study(&city);
    let sources = SourceSet::new(study.facility_snaps.clone());
    let demand: Vec<f64> = study.demand.iter().map(|d| d.elderly).collect();
    // Capacities 10–40 places, fixed per facility.
    let supply: Vec<f64> = (0..sources.len())
        .map(|j| 10.0 + (j * 7 % 31) as f64)
        .collect();
    let reach = || {
        reach_table(
            &study.graph,
            &sources,
            &study.demand_snaps,
            15.0,
            Direction::ToSource,
            &|| {},
        )
    };
    let table = reach();
    println!(
        "reach table: {} facilities x {} communities, {} pairs within 15 min",
        table.n_sites,
        table.n_demand,
        table.len()
    );
    let mut group = c.benchmark_group("city_2sfca");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("reach_table_1000_facilities_10000_communities", |b| {
        b.iter(reach)
    });
    group.bench_function("two_step_2sfca_over_the_table", |b| {
        b.iter(|| two_step(&demand, &supply, &table, &Decay::Uniform, 15.0))
    });
    let luo_qi = Decay::luo_qi(15.0);
    group.bench_function("two_step_e2sfca_over_the_table", |b| {
        b.iter(|| two_step(&demand, &supply, &table, &luo_qi, 15.0))
    });
    group.bench_function("gaussian_2sfca_over_the_table", |b| {
        b.iter(|| two_step(&demand, &supply, &table, &Decay::Gaussian, 15.0))
    });
    group.finish();
}

criterion_group!(benches, city_2sfca);
criterion_main!(benches);
