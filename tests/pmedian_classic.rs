//! The classic p-median (Hakimi 1964; ReVelle & Swain 1970) exactly as the literature states
//! it: no time limit, every demand assigned to its nearest open site however far. Equal to
//! brute force on small instances; on a scenario, `[siting] limit = "none"` runs it and
//! `[siting] weight` chooses the demand weight.

mod common;

use carecircle::coverage::audit;
use carecircle::model::FacilityKind;
use carecircle::reach_table::ReachTable;
use carecircle::rng::SplitMix64;
use carecircle::site_plan::{plan_sites, DemandWeight, SitingRequest};
use carecircle::siting::{solve, Model, SitingOptions, SitingProblem};
use common::*;
use serde_json::json;

/// A complete matrix (minutes up to 60) and a reach table cut at 15 minutes.
fn random_problem(seed: u64) -> SitingProblem {
    let mut rng = SplitMix64::new(seed);
    let n_dem = 3 + rng.below(8);
    let n_exist = rng.below(2);
    let n_sites = n_exist + 2 + rng.below(7);
    let mut trip = Vec::new();
    for i in 0..n_dem {
        for s in 0..n_sites {
            trip.push((i as u32, s as u32, (1 + rng.below(60)) as f64));
        }
    }
    SitingProblem {
        weights: (0..n_dem).map(|_| (1 + rng.below(30)) as f64).collect(),
        reach: ReachTable::from_triplets(n_dem, n_sites, 15.0, trip.clone()),
        n_existing: n_exist,
        costs: None,
        capacities: None,
        full: Some(ReachTable::from_triplets(
            n_dem,
            n_sites,
            f64::INFINITY,
            trip,
        )),
    }
}

fn brute_force(pr: &SitingProblem, p: usize) -> f64 {
    let full = pr.full.as_ref().unwrap();
    let n = full.n_sites - pr.n_existing;
    (0u32..(1 << n))
        .filter(|m| m.count_ones() as usize <= p)
        .map(|m| {
            (0..full.n_demand)
                .map(|i| {
                    let best = full
                        .row(i)
                        .filter(|&(s, _)| {
                            (s as usize) < pr.n_existing
                                || m >> (s as usize - pr.n_existing) & 1 == 1
                        })
                        .map(|(_, t)| t)
                        .fold(f64::INFINITY, f64::min);
                    pr.weights[i] * best
                })
                .sum::<f64>()
        })
        // With no existing site and no new one every demand is unassigned: not a plan.
        .filter(|v: &f64| v.is_finite())
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn classic_pmedian_equals_brute_force() {
    for seed in 0..80u64 {
        let pr = random_problem(seed);
        for p in [1, 2, 3] {
            let want = brute_force(&pr, p);
            let sol = solve(&pr, &Model::PMedian { p }, &SitingOptions::default()).unwrap();
            assert_eq!(sol.objective, want, "seed {seed} p {p}");
            assert!(sol.proven_optimal, "seed {seed} p {p}");
            // Every demand is assigned, however far (nothing counts as "unreached").
            assert!(sol.assignment.iter().all(Option::is_some), "seed {seed}");
            let sum: f64 = sol
                .assignment
                .iter()
                .zip(&pr.weights)
                .map(|(a, w)| w * a.unwrap().1)
                .sum();
            assert_eq!(sum, want);
        }
    }
}

#[test]
fn scenario_pmedian_without_a_limit_and_with_a_population_weight() {
    let (dir, _) = hand_district();
    let cands = vec![
        feature(point(1500.0, 100.0), json!({"id": "K1"})),
        feature(point(2800.0, 0.0), json!({"id": "K3"})),
    ];
    write(dir.path(), "candidates.geojson", &fc(cands));
    let scenario = format!(
        "{SCENARIO}\n[layers.candidates]\npath = \"candidates.geojson\"\n\
         [siting]\nmodel = \"pmedian\"\np = 1\nlimit = \"none\"\nweight = \"population\"\n"
    );
    write(dir.path(), "scenario.toml", &scenario);
    let study = carecircle::study::Study::load(&dir.path().join("scenario.toml")).unwrap();
    let a = audit(&study);
    let model = carecircle::site_plan::scenario_model(&study).unwrap();
    let req = SitingRequest::new(&study, FacilityKind::DayCare, model).unwrap();
    assert!(req.unlimited);
    assert_eq!(req.weight, DemandWeight::Population);
    let plan = plan_sites(&study, &a, &req).unwrap();
    assert!(plan.unlimited);
    assert_eq!(plan.weights, vec![1000.0, 2000.0, 400.0, 600.0]);
    // Every community is assigned to an open site, the far ones included, and the objective
    // is the population-weighted minutes of those assignments.
    let s = &plan.solution;
    assert!(
        s.assignment.iter().all(Option::is_some),
        "{:?}",
        s.assignment
    );
    let sum: f64 = s
        .assignment
        .iter()
        .zip(&plan.weights)
        .map(|(a, w)| w * a.unwrap().1)
        .sum();
    assert!((sum - s.objective).abs() < 1e-6, "{sum} vs {}", s.objective);
    // The same with the default limit penalises the far community at 2 × 15 minutes instead.
    let limited = format!(
        "{SCENARIO}\n[layers.candidates]\npath = \"candidates.geojson\"\n\
         [siting]\nmodel = \"pmedian\"\np = 1\n"
    );
    write(dir.path(), "limited.toml", &limited);
    let study = carecircle::study::Study::load(&dir.path().join("limited.toml")).unwrap();
    let req = SitingRequest::new(&study, FacilityKind::DayCare, model).unwrap();
    assert!(!req.unlimited);
    let plan = plan_sites(&study, &audit(&study), &req).unwrap();
    assert!(!plan.unlimited);
    assert!(plan.solution.assignment.iter().any(Option::is_none));
    // A bad weight field is an input error naming the community.
    let bad = format!("{SCENARIO}\n[siting]\nweight = \"no_such_field\"\n");
    write(dir.path(), "bad.toml", &bad);
    let study = carecircle::study::Study::load(&dir.path().join("bad.toml")).unwrap();
    let req = SitingRequest::new(&study, FacilityKind::DayCare, Model::Lscp).unwrap();
    let err = plan_sites(&study, &audit(&study), &req)
        .unwrap_err()
        .to_string();
    assert!(err.contains("c1") && err.contains("no_such_field"), "{err}");
}
