//! LSCP on the city-scale road network (10,000 communities, ~50,000 candidate nodes, 500
//! existing day-care centres), solved exactly with a 30 s limit, then solved again on one
//! thread to show the answer does not depend on the thread count:
//! `cargo run --release --example lscp_city` (add `--features highs` and `-- highs` to run
//! HiGHS on the same instance afterwards: alone and cold with 30 s, then after the exact
//! search in the time it leaves).

use std::time::{Duration, Instant};

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::site_plan::{plan_sites, SitingRequest};
use carecircle::siting::{solve, Model, SitingOptions, SitingProblem, SitingSolution};
use carecircle::synthetic::{city, CityParams};

fn summary(label: &str, s: &SitingSolution, secs: f64) {
    println!(
        "{label}: {} new sites, bound {:.1}, gap {:.2} %, proven optimal {}, {} nodes; {secs:.2} s [{}]",
        s.chosen.len(),
        s.bound,
        100.0 * s.gap,
        s.proven_optimal,
        s.nodes,
        s.method
    );
}

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
        "LSCP: {} candidates, {} existing, {} pairs, {} uncoverable; plan (reach table + solve) {:.1} s",
        plan.candidates.len(),
        plan.existing.len(),
        plan.reach.len(),
        s.uncoverable.len(),
        t.elapsed().as_secs_f64()
    );
    summary("exact search", s, s.elapsed.as_secs_f64());
    if let Some(c) = &s.certificate {
        if let Some(r) = &c.reductions {
            println!(
                "reductions: {} rows, {} candidates -> {} forced (covering {} rows), {} rows and \
                 {} candidates dominated, {} candidates covering nothing; {} rows and {} \
                 candidates left in {} components ({} rounds)",
                r.rows_in,
                r.candidates_in,
                r.forced,
                r.rows_covered_by_forced,
                r.rows_dominated,
                r.candidates_dominated,
                r.candidates_empty,
                r.rows_left,
                r.candidates_left,
                c.components.len(),
                r.rounds
            );
        }
        let largest = c.components.iter().max_by_key(|k| k.rows);
        if let Some(k) = largest {
            println!(
                "largest component: {} rows, {} candidates, LP {:.2}, bound {}, value {}, {} nodes",
                k.rows, k.candidates, k.root_lp, k.bound, k.value, k.nodes
            );
        }
    }
    let problem = SitingProblem {
        weights: plan.weights.clone(),
        reach: plan.reach.clone(),
        n_existing: plan.existing.len(),
        ..SitingProblem::default()
    };
    let options = SitingOptions {
        time_limit: Some(Duration::from_secs(30)),
        ..SitingOptions::default()
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let t = Instant::now();
    let single = one
        .install(|| solve(&problem, &Model::Lscp, &options))
        .expect("solve");
    summary("same, 1 thread", &single, t.elapsed().as_secs_f64());
    println!(
        "same sites with 1 thread as with the default pool: {}",
        single.chosen == s.chosen && single.bound == s.bound
    );
    #[cfg(feature = "highs")]
    if std::env::args().any(|a| a == "highs") {
        // HiGHS alone, cold, on the unreduced instance, with the same 30 s; its dual bound is
        // the printed bound (its own log when CARECIRCLE_HIGHS_LOG=1).
        let t = Instant::now();
        match carecircle::siting::solve_highs_cold(&problem, &Model::Lscp, Duration::from_secs(30))
        {
            Ok(h) => summary("HiGHS alone (cold, 30 s)", &h, t.elapsed().as_secs_f64()),
            Err(e) => println!("HiGHS: {e}"),
        }
        let t = Instant::now();
        let h = solve(
            &problem,
            &Model::Lscp,
            &SitingOptions {
                method: carecircle::siting::Method::ExactHighs,
                exact_warm_start: false,
                ..options
            },
        );
        match h {
            Ok(h) => summary(
                "exact search, then HiGHS in the time left",
                &h,
                t.elapsed().as_secs_f64(),
            ),
            Err(e) => println!("HiGHS: {e}"),
        }
    }
}
