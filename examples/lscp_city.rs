//! LSCP on the city-scale road network (10,000 communities, ~50,000 candidate nodes), with the
//! gap it reaches in 30 s: `cargo run --release --example lscp_city`.

use std::time::{Duration, Instant};

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::site_plan::{plan_sites, SitingRequest};
use carecircle::siting::Model;
use carecircle::synthetic::{city, CityParams};

fn main() {
    let city = city(CityParams {
        communities: 10_000,
        ..CityParams::audit_benchmark()
    });
    let study = carecircle::bench_support::study(&city);
    let result = audit(&study);
    let mut request =
        SitingRequest::new(&study, FacilityKind::DayCare, Model::Lscp).expect("request");
    request.candidate_spacing_m = 186.0;
    request.time_limit = Some(Duration::from_secs(30));
    let t = Instant::now();
    let plan = plan_sites(&study, &result, &request).expect("plan");
    let s = &plan.solution;
    println!(
        "LSCP: {} candidates, {} pairs; {} new sites, bound {:.1}, gap {:.2} %, {} uncoverable; {:.1} s",
        plan.candidates.len(),
        plan.reach.len(),
        s.chosen.len(),
        s.bound,
        100.0 * s.gap,
        s.uncoverable.len(),
        t.elapsed().as_secs_f64()
    );
}
