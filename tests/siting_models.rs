//! LSCP, MCLP, p-median and capacitated MCLP against brute force on small random instances,
//! plus known small cases, monotonicity, determinism and bad input.

#![allow(clippy::needless_range_loop)]

use petgraph::algo::ford_fulkerson;
use petgraph::Graph;
use proptest::prelude::*;

use carecircle::reach_table::ReachTable;
use carecircle::rng::SplitMix64;
use carecircle::siting::{solve, Method, Model, Sense, SitingOptions, SitingProblem};

/// A random instance: integer weights, costs and capacities, minutes 1..=15 on a sparse table.
fn random_problem(seed: u64) -> SitingProblem {
    let mut rng = SplitMix64::new(seed);
    let n_dem = 3 + rng.below(10);
    let n_exist = rng.below(3);
    let n_cand = 2 + rng.below(9);
    let n_sites = n_exist + n_cand;
    let density = rng.range(0.15, 0.5);
    let mut trip = Vec::new();
    for i in 0..n_dem {
        for s in 0..n_sites {
            let p = if s < n_exist { density * 0.4 } else { density };
            if rng.next_f64() < p {
                trip.push((i as u32, s as u32, (1 + rng.below(15)) as f64));
            }
        }
    }
    SitingProblem {
        weights: (0..n_dem).map(|_| rng.below(20) as f64).collect(),
        reach: ReachTable::from_triplets(n_dem, n_sites, 15.0, trip),
        n_existing: n_exist,
        costs: Some((0..n_cand).map(|_| (1 + rng.below(4)) as f64).collect()),
        capacities: Some((0..n_sites).map(|_| (5 + rng.below(30)) as f64).collect()),
        full: None,
    }
}

fn n_cand(pr: &SitingProblem) -> usize {
    pr.reach.n_sites - pr.n_existing
}

fn subsets(n: usize, max: usize) -> impl Iterator<Item = Vec<usize>> {
    (0u32..(1 << n))
        .filter(move |m| m.count_ones() as usize <= max)
        .map(move |m| (0..n).filter(|&j| m >> j & 1 == 1).collect())
}

fn open_sites(pr: &SitingProblem, set: &[usize]) -> Vec<bool> {
    let mut open = vec![false; pr.reach.n_sites];
    open[..pr.n_existing].iter_mut().for_each(|o| *o = true);
    for &j in set {
        open[pr.n_existing + j] = true;
    }
    open
}

fn covered_weight(pr: &SitingProblem, set: &[usize]) -> f64 {
    let open = open_sites(pr, set);
    (0..pr.reach.n_demand)
        .filter(|&i| pr.reach.row(i).any(|(s, _)| open[s as usize]))
        .map(|i| pr.weights[i])
        .sum()
}

fn pmedian_cost(pr: &SitingProblem, set: &[usize], penalty: f64) -> f64 {
    let open = open_sites(pr, set);
    (0..pr.reach.n_demand)
        .map(|i| {
            let m = pr
                .reach
                .row(i)
                .filter(|&(s, _)| open[s as usize])
                .map(|(_, m)| m)
                .fold(penalty, f64::min);
            pr.weights[i] * m
        })
        .sum()
}

/// Maximum served weight by an independent max-flow (petgraph's Ford–Fulkerson).
fn served_weight(pr: &SitingProblem, set: &[usize]) -> f64 {
    let open = open_sites(pr, set);
    let caps = pr.capacities.as_ref().unwrap();
    let mut g = Graph::<(), u64>::new();
    let s = g.add_node(());
    let t = g.add_node(());
    let dem: Vec<_> = (0..pr.reach.n_demand).map(|_| g.add_node(())).collect();
    let site: Vec<_> = (0..pr.reach.n_sites).map(|_| g.add_node(())).collect();
    for i in 0..pr.reach.n_demand {
        g.add_edge(s, dem[i], pr.weights[i] as u64);
        for (j, _) in pr.reach.row(i) {
            g.add_edge(dem[i], site[j as usize], pr.weights[i] as u64);
        }
    }
    for j in 0..pr.reach.n_sites {
        if open[j] {
            g.add_edge(site[j], t, caps[j] as u64);
        }
    }
    ford_fulkerson(&g, s, t).0 as f64
}

/// The demands LSCP must cover: positive weight, reachable, not covered by an existing site.
fn must_cover(pr: &SitingProblem) -> Vec<usize> {
    (0..pr.reach.n_demand)
        .filter(|&i| pr.weights[i] > 0.0)
        .filter(|&i| pr.reach.row(i).all(|(s, _)| s as usize >= pr.n_existing))
        .filter(|&i| pr.reach.row(i).next().is_some())
        .collect()
}

fn lscp_brute(pr: &SitingProblem) -> f64 {
    let rows = must_cover(pr);
    let costs = pr.costs.as_ref().unwrap();
    subsets(n_cand(pr), usize::MAX)
        .filter(|set| {
            let open = open_sites(pr, set);
            rows.iter()
                .all(|&i| pr.reach.row(i).any(|(s, _)| open[s as usize]))
        })
        .map(|set| set.iter().map(|&j| costs[j]).sum::<f64>())
        .fold(f64::INFINITY, f64::min)
}

/// Exact methods start cold, so the MILP's own answer is what gets checked.
fn options(method: Method) -> SitingOptions {
    SitingOptions {
        method,
        exact_warm_start: method == Method::Heuristic,
        ..SitingOptions::default()
    }
}

fn check_lscp(seed: u64, method: Method) {
    let pr = random_problem(seed);
    let sol = solve(&pr, &Model::Lscp, &options(method)).unwrap();
    assert_eq!(sol.objective, lscp_brute(&pr), "seed {seed} {method:?}");
    assert_eq!(sol.gap, 0.0);
    let open = open_sites(&pr, &sol.chosen);
    for i in must_cover(&pr) {
        assert!(
            pr.reach.row(i).any(|(s, _)| open[s as usize]),
            "demand {i} left uncovered"
        );
    }
    let unc: Vec<usize> = (0..pr.reach.n_demand)
        .filter(|&i| pr.reach.row(i).next().is_none())
        .collect();
    assert_eq!(sol.uncoverable, unc);
}

fn check_mclp(seed: u64, p: usize, method: Method) {
    let pr = random_problem(seed);
    let sol = solve(&pr, &Model::Mclp { p }, &options(method)).unwrap();
    let best = subsets(n_cand(&pr), p)
        .map(|s| covered_weight(&pr, &s))
        .fold(0.0, f64::max);
    assert_eq!(sol.objective, best, "seed {seed} p {p} {method:?}");
    assert_eq!(sol.covered_after, best);
    assert_eq!(sol.covered_before, covered_weight(&pr, &[]));
    assert!(sol.chosen.len() <= p);
    assert_eq!(sol.gap, 0.0);
    assert_eq!(sol.sense, Sense::Maximise);
    // The per-site lists partition the newly covered weight.
    let newly: f64 = sol.sites.iter().map(|s| s.newly_covered_weight).sum();
    assert!((newly - (sol.covered_after - sol.covered_before)).abs() < 1e-9);
}

fn check_pmedian(seed: u64, p: usize, method: Method) {
    let pr = random_problem(seed);
    let sol = solve(&pr, &Model::PMedian { p }, &options(method)).unwrap();
    let best = subsets(n_cand(&pr), p)
        .map(|s| pmedian_cost(&pr, &s, 30.0))
        .fold(f64::INFINITY, f64::min);
    assert_eq!(sol.objective, best, "seed {seed} p {p} {method:?}");
    assert_eq!(sol.objective, pmedian_cost(&pr, &sol.chosen, 30.0));
    assert_eq!(sol.gap, 0.0);
}

fn check_capacitated(seed: u64, p: usize, method: Method) {
    let pr = random_problem(seed);
    let opts = SitingOptions {
        capacitated: true,
        ..options(method)
    };
    let sol = solve(&pr, &Model::Mclp { p }, &opts).unwrap();
    let best = subsets(n_cand(&pr), p)
        .map(|s| served_weight(&pr, &s))
        .fold(0.0, f64::max);
    assert!(
        (sol.objective - best).abs() < 1e-6,
        "seed {seed} p {p}: {} vs {best}",
        sol.objective
    );
    assert!((served_weight(&pr, &sol.chosen) - sol.objective).abs() < 1e-6);
    assert!((sol.covered_before - served_weight(&pr, &[])).abs() < 1e-6);
    assert_eq!(sol.gap, 0.0);
    // The flows respect capacities and weights.
    let caps = pr.capacities.as_ref().unwrap();
    let mut load = vec![0.0; pr.reach.n_sites];
    let mut sent = vec![0.0; pr.reach.n_demand];
    for f in &sol.flows {
        load[f.site] += f.weight;
        sent[f.demand] += f.weight;
        assert!(pr.reach.row(f.demand).any(|(s, _)| s as usize == f.site));
    }
    for j in 0..pr.reach.n_sites {
        assert!(load[j] <= caps[j] + 1e-6);
    }
    for i in 0..pr.reach.n_demand {
        assert!(sent[i] <= pr.weights[i] + 1e-6);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn lscp_equals_brute_force(seed in any::<u64>()) {
        check_lscp(seed, Method::Heuristic);
    }

    #[test]
    fn mclp_equals_brute_force(seed in any::<u64>(), p in 0usize..5) {
        check_mclp(seed, p, Method::Heuristic);
    }

    #[test]
    fn pmedian_equals_brute_force(seed in any::<u64>(), p in 1usize..5) {
        check_pmedian(seed, p, Method::Heuristic);
    }

    #[test]
    fn capacitated_equals_brute_force(seed in any::<u64>(), p in 0usize..4) {
        check_capacitated(seed, p, Method::Heuristic);
    }

    #[test]
    fn adding_a_candidate_never_hurts_mclp(seed in any::<u64>(), p in 1usize..4) {
        let pr = random_problem(seed);
        let before = solve(&pr, &Model::Mclp { p }, &SitingOptions::default()).unwrap();
        // One more candidate (appended last) reaching a random set of demands.
        let mut rng = SplitMix64::new(seed ^ 0xABCD);
        let mut trip = Vec::new();
        for i in 0..pr.reach.n_demand {
            for (s, m) in pr.reach.row(i) {
                trip.push((i as u32, s, m));
            }
            if rng.next_f64() < 0.5 {
                trip.push((i as u32, pr.reach.n_sites as u32, 5.0));
            }
        }
        let mut more = pr.clone();
        more.reach = ReachTable::from_triplets(pr.reach.n_demand, pr.reach.n_sites + 1, 15.0, trip);
        more.costs.as_mut().unwrap().push(1.0);
        more.capacities.as_mut().unwrap().push(10.0);
        let after = solve(&more, &Model::Mclp { p }, &SitingOptions::default()).unwrap();
        prop_assert!(after.objective >= before.objective);
    }
}

#[test]
fn exact_microlp_equals_brute_force() {
    for seed in 0..12u64 {
        check_lscp(seed, Method::Exact);
        check_mclp(seed, 2, Method::Exact);
        check_pmedian(seed, 2, Method::Exact);
        check_capacitated(seed, 2, Method::Exact);
    }
}

/// The HiGHS backend (cargo feature `highs`, which .ci/run builds) reaches the brute-force
/// optimum too.
#[cfg(feature = "highs")]
#[test]
fn exact_highs_equals_brute_force() {
    for seed in 0..12u64 {
        check_lscp(seed, Method::ExactHighs);
        check_mclp(seed, 2, Method::ExactHighs);
        check_pmedian(seed, 2, Method::ExactHighs);
        check_capacitated(seed, 2, Method::ExactHighs);
    }
}

/// HiGHS alone (cold, without carecircle's reductions: the benchmarks' side-by-side figure)
/// reaches the brute-force optimum and says so: its bound, read back from HiGHS, is the
/// objective.
#[cfg(feature = "highs")]
#[test]
fn highs_alone_equals_brute_force() {
    use carecircle::siting::solve_highs_cold;
    let limit = std::time::Duration::from_secs(60);
    for seed in 0..12u64 {
        let pr = random_problem(seed);
        let lscp = solve_highs_cold(&pr, &Model::Lscp, limit).unwrap();
        assert_eq!(lscp.objective, lscp_brute(&pr), "seed {seed}");
        assert_eq!((lscp.bound, lscp.gap), (lscp.objective, 0.0), "seed {seed}");
        let p = 2;
        let mclp = solve_highs_cold(&pr, &Model::Mclp { p }, limit).unwrap();
        let best = subsets(n_cand(&pr), p)
            .map(|s| covered_weight(&pr, &s))
            .fold(0.0, f64::max);
        assert_eq!(mclp.objective, best, "seed {seed}");
        assert!(
            (mclp.bound - best).abs() < 1e-6 * best.max(1.0),
            "seed {seed}"
        );
        let pmed = solve_highs_cold(&pr, &Model::PMedian { p }, limit).unwrap();
        let best = subsets(n_cand(&pr), p)
            .map(|s| pmedian_cost(&pr, &s, 30.0))
            .fold(f64::INFINITY, f64::min);
        assert_eq!(pmed.objective, best, "seed {seed}");
        assert!(
            (pmed.bound - best).abs() < 1e-6 * best.max(1.0),
            "seed {seed}"
        );
    }
}

#[test]
fn highs_without_the_feature_is_a_clear_error() {
    let pr = random_problem(1);
    let r = solve(&pr, &Model::Lscp, &options(Method::ExactHighs));
    if cfg!(feature = "highs") {
        assert!(r.is_ok());
    } else {
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains("features highs"), "{msg}");
    }
}

/// Three demands on a line, two candidates: a hand-checked case.
#[test]
fn small_known_case() {
    // demand 0 reaches c0 (3 min); demand 1 reaches c0 (5) and c1 (4); demand 2 reaches c1 (2).
    let reach = ReachTable::from_triplets(
        4,
        2,
        15.0,
        vec![(0, 0, 3.0), (1, 0, 5.0), (1, 1, 4.0), (2, 1, 2.0)],
    );
    let pr = SitingProblem {
        weights: vec![10.0, 20.0, 5.0, 7.0],
        reach,
        ..SitingProblem::default()
    };
    let lscp = solve(&pr, &Model::Lscp, &SitingOptions::default()).unwrap();
    assert_eq!(lscp.chosen, vec![0, 1]);
    assert_eq!(lscp.objective, 2.0);
    assert_eq!(lscp.uncoverable, vec![3]);
    let mclp = solve(&pr, &Model::Mclp { p: 1 }, &SitingOptions::default()).unwrap();
    assert_eq!(mclp.chosen, vec![0]);
    assert_eq!(mclp.objective, 30.0);
    assert_eq!(mclp.bound, 30.0);
    assert_eq!(mclp.sites[0].newly_covered, vec![0, 1]);
    assert_eq!(mclp.total_weight, 42.0);
    // p-median, penalty 30 min: {c0}: 30 + 100 + 5·30 + 7·30 = 490; {c1}: 300 + 80 + 10 + 210 = 600.
    let pm = solve(&pr, &Model::PMedian { p: 1 }, &SitingOptions::default()).unwrap();
    assert_eq!(pm.chosen, vec![0]);
    assert_eq!(pm.objective, 490.0);
    assert_eq!(pm.assignment[1], Some((0, 5.0)));
    assert_eq!(pm.assignment[3], None);
}

#[test]
fn results_are_deterministic() {
    let pr = carecircle::siting::synth::synthetic_city(&carecircle::siting::synth::CitySpec {
        n_demand: 250,
        n_candidates: 600,
        n_existing: 10,
        side_m: 4000.0,
        ..Default::default()
    });
    let opts = SitingOptions {
        max_nodes: 50,
        ..SitingOptions::default()
    };
    for model in [Model::Lscp, Model::Mclp { p: 6 }, Model::PMedian { p: 6 }] {
        let a = solve(&pr, &model, &opts).unwrap();
        let b = solve(&pr, &model, &opts).unwrap();
        assert_eq!(a.chosen, b.chosen);
        assert_eq!(a.objective, b.objective);
        assert_eq!(a.bound, b.bound);
        assert!(a.bound.is_finite());
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let good = random_problem(7);
    let mut p = good.clone();
    p.weights.pop();
    assert!(solve(&p, &Model::Lscp, &SitingOptions::default()).is_err());
    let mut p = good.clone();
    p.weights[0] = f64::NAN;
    assert!(solve(&p, &Model::Mclp { p: 1 }, &SitingOptions::default()).is_err());
    let mut p = good.clone();
    p.n_existing = p.reach.n_sites + 1;
    assert!(solve(&p, &Model::Lscp, &SitingOptions::default()).is_err());
    let mut p = good.clone();
    p.costs = Some(vec![1.0]);
    assert!(solve(&p, &Model::Lscp, &SitingOptions::default()).is_err());
    let mut p = good.clone();
    p.reach.minutes[0] = -1.0;
    assert!(solve(&p, &Model::PMedian { p: 1 }, &SitingOptions::default()).is_err());
    let mut p = good.clone();
    p.reach.offsets[1] = 10_000;
    assert!(solve(&p, &Model::Lscp, &SitingOptions::default()).is_err());
    let mut p = good.clone();
    p.capacities = None;
    let cap = SitingOptions {
        capacitated: true,
        ..SitingOptions::default()
    };
    assert!(solve(&p, &Model::Mclp { p: 1 }, &cap).is_err());
    assert!(solve(&good, &Model::PCenter { p: 1 }, &cap).is_err());
    // Degenerate but valid: no demands, no candidates, p = 0, p larger than the candidates.
    let empty = SitingProblem {
        reach: ReachTable::from_triplets(0, 0, 15.0, vec![]),
        ..SitingProblem::default()
    };
    for m in [Model::Lscp, Model::Mclp { p: 3 }, Model::PMedian { p: 3 }] {
        let s = solve(&empty, &m, &SitingOptions::default()).unwrap();
        assert!(s.chosen.is_empty());
        assert_eq!(s.gap, 0.0);
    }
    let s = solve(&good, &Model::Mclp { p: 0 }, &SitingOptions::default()).unwrap();
    assert!(s.chosen.is_empty());
    assert_eq!(s.objective, s.covered_before);
    let s = solve(&good, &Model::Mclp { p: 1000 }, &SitingOptions::default()).unwrap();
    assert_eq!(s.gap, 0.0);
}

#[test]
fn time_limit_returns_the_best_answer() {
    let pr = carecircle::siting::synth::synthetic_city(&carecircle::siting::synth::CitySpec {
        n_demand: 2000,
        n_candidates: 6000,
        side_m: 10_000.0,
        ..Default::default()
    });
    let opts = SitingOptions {
        time_limit: Some(std::time::Duration::from_millis(1)),
        ..SitingOptions::default()
    };
    let s = solve(&pr, &Model::PMedian { p: 40 }, &opts).unwrap();
    assert!(s.objective.is_finite() && s.bound <= s.objective);
    assert!(s.chosen.len() <= 40);
}
