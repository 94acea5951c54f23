//! Siting on the city-scale road network, end to end: 10,000 communities and the 1,000
//! existing facilities of the audit city (518k road segments), about 50,000 candidate sites on
//! road nodes, the reach table by one bounded search per site, then MCLP and p-median
//! (p = 100) to a proven gap of at most 1 % (time limit 30 s). The gap reached is printed
//! before each run is timed.
//!
//! `cargo bench --bench siting_network`

use std::time::{Duration, Instant};

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::site_plan::{plan_sites, SitingRequest};
use carecircle::siting::Model;
use carecircle::synthetic::{city, CityParams};
use criterion::{criterion_group, criterion_main, Criterion};

fn network_siting(c: &mut Criterion) {
    let city = city(CityParams {
        communities: 10_000,
        ..CityParams::audit_benchmark()
    });
    let study = carecircle::bench_support::study(&city);
    let result = audit(&study);
    let mut g = c.benchmark_group("siting_network");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(1));
    g.measurement_time(Duration::from_secs(1));
    for (name, model) in [
        (
            "mclp_p100_50k_candidates_10k_communities",
            Model::Mclp { p: 100 },
        ),
        (
            "pmedian_p100_50k_candidates_10k_communities",
            Model::PMedian { p: 100 },
        ),
    ] {
        let mut request =
            SitingRequest::new(&study, FacilityKind::DayCare, model).expect("request");
        // 41.6 km square / 186 m spacing: about 50,000 candidate nodes.
        request.candidate_spacing_m = 186.0;
        request.gap_target = 0.01;
        request.time_limit = Some(Duration::from_secs(30));
        let t = Instant::now();
        let plan = plan_sites(&study, &result, &request).expect("plan");
        let s = &plan.solution;
        println!(
            "{name}: {} candidates, {} existing, {} pairs; objective {:.0} bound {:.0} gap {:.3}%; \
             solve {:.2} s, end to end {:.2} s",
            plan.candidates.len(),
            plan.existing.len(),
            plan.reach.len(),
            s.objective,
            s.bound,
            100.0 * s.gap,
            s.elapsed.as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
        g.bench_function(name, |b| b.iter(|| plan_sites(&study, &result, &request)));
    }
    g.finish();
}

criterion_group!(benches, network_siting);
criterion_main!(benches);
