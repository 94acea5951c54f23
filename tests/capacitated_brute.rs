//! Capacitated LSCP and capacitated p-median (fractional assignment) against brute force on
//! small random instances: every subset of candidates, each evaluated by its own LP (the
//! transportation problem for that open set, solved with good_lp), the best kept.

#![allow(clippy::needless_range_loop)]

use good_lp::{variable, Expression, ProblemVariables, Solution, SolverModel};

use carecircle::reach_table::ReachTable;
use carecircle::rng::SplitMix64;
use carecircle::siting::{solve, Method, Model, SitingOptions, SitingProblem};

fn random_problem(seed: u64) -> SitingProblem {
    let mut rng = SplitMix64::new(seed);
    let n_dem = 3 + rng.below(6);
    let n_exist = rng.below(2);
    let n_cand = 2 + rng.below(5);
    let n_sites = n_exist + n_cand;
    let mut trip = Vec::new();
    for i in 0..n_dem {
        for s in 0..n_sites {
            if rng.next_f64() < 0.5 {
                trip.push((i as u32, s as u32, (1 + rng.below(15)) as f64));
            }
        }
    }
    SitingProblem {
        weights: (0..n_dem).map(|_| rng.below(20) as f64).collect(),
        reach: ReachTable::from_triplets(n_dem, n_sites, 15.0, trip),
        n_existing: n_exist,
        costs: None,
        capacities: Some((0..n_sites).map(|_| (5 + rng.below(25)) as f64).collect()),
        full: None,
    }
}

/// For an open set: (served weight at most, least Σ w·t·x + penalty · unserved) by LP.
fn transport(pr: &SitingProblem, open: &[bool], penalty: f64) -> (f64, f64) {
    let caps = pr.capacities.as_ref().unwrap();
    let run = |median: bool| -> f64 {
        let mut vars = ProblemVariables::new();
        let mut obj = Expression::default();
        let mut cons = Vec::new();
        let mut load: Vec<Expression> = vec![Expression::default(); pr.reach.n_sites];
        for i in 0..pr.reach.n_demand {
            let w = pr.weights[i];
            if w <= 0.0 || pr.reach.row(i).next().is_none() {
                continue;
            }
            let mut share = Expression::default();
            for (s, m) in pr.reach.row(i) {
                if !open[s as usize] {
                    continue;
                }
                let x = vars.add(variable().min(0.0).max(1.0));
                share.add_mul(1.0, x);
                load[s as usize].add_mul(w, x);
                obj.add_mul(if median { w * m } else { -w }, x);
            }
            let u = vars.add(variable().min(0.0).max(1.0));
            share.add_mul(1.0, u);
            if median {
                obj.add_mul(w * penalty, u);
            }
            cons.push(share.eq(1.0));
        }
        for (s, l) in load.into_iter().enumerate() {
            cons.push(l.leq(caps[s]));
        }
        let keep = obj.clone();
        let sol = vars
            .minimise(obj)
            .using(good_lp::microlp)
            .with_all(cons)
            .solve()
            .unwrap();
        sol.eval(&keep)
    };
    (-run(false), run(true))
}

fn subsets(n: usize) -> impl Iterator<Item = Vec<usize>> {
    (0u32..(1 << n)).map(move |m| (0..n).filter(|&j| m >> j & 1 == 1).collect())
}

fn open_of(pr: &SitingProblem, set: &[usize]) -> Vec<bool> {
    let mut open = vec![false; pr.reach.n_sites];
    open[..pr.n_existing].iter_mut().for_each(|o| *o = true);
    for &j in set {
        open[pr.n_existing + j] = true;
    }
    open
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn capacitated_lscp_and_pmedian_equal_brute_force() {
    let options = SitingOptions {
        capacitated: true,
        method: Method::Exact,
        ..SitingOptions::default()
    };
    for seed in 0..40u64 {
        let pr = random_problem(seed);
        let n_cand = pr.reach.n_sites - pr.n_existing;
        let all: Vec<usize> = (0..n_cand).collect();
        let served_all = transport(&pr, &open_of(&pr, &all), 30.0).0;
        // LSCP: fewest new sites serving as much as all candidates together.
        let fewest = subsets(n_cand)
            .filter(|s| transport(&pr, &open_of(&pr, s), 30.0).0 >= served_all - 1e-6)
            .map(|s| s.len())
            .min()
            .unwrap();
        let lscp = solve(&pr, &Model::Lscp, &options).unwrap();
        assert_eq!(lscp.model, "lscp-capacitated");
        assert_eq!(lscp.chosen.len(), fewest, "seed {seed}");
        assert_eq!(lscp.objective, fewest as f64, "seed {seed}");
        assert!(lscp.proven_optimal, "seed {seed}");
        assert!(close(lscp.covered_after, served_all), "seed {seed}");
        // The flows respect every capacity.
        let mut load = vec![0.0; pr.reach.n_sites];
        for f in &lscp.flows {
            load[f.site] += f.weight;
        }
        for (s, l) in load.iter().enumerate() {
            assert!(
                *l <= pr.capacities.as_ref().unwrap()[s] + 1e-6,
                "seed {seed}"
            );
        }
        // p-median with a penalty of 2 × 15 minutes for unserved weight.
        for p in [1, 2] {
            let want = subsets(n_cand)
                .filter(|s| s.len() <= p)
                .map(|s| transport(&pr, &open_of(&pr, &s), 30.0).1)
                .fold(f64::INFINITY, f64::min);
            let pm = solve(&pr, &Model::PMedian { p }, &options).unwrap();
            assert_eq!(pm.model, "pmedian-capacitated");
            assert!(pm.chosen.len() <= p);
            assert!(
                close(pm.objective, want),
                "seed {seed} p {p}: {} vs brute force {want}",
                pm.objective
            );
            assert!(pm.proven_optimal);
        }
    }
}

#[test]
fn capacity_forces_a_second_site() {
    // One demand of 30 elderly people, two candidates each 5 min away holding 20: the
    // uncapacitated LSCP opens one, the capacitated one both (20 + 10).
    let pr = SitingProblem {
        weights: vec![30.0],
        reach: ReachTable::from_triplets(1, 2, 15.0, vec![(0, 0, 5.0), (0, 1, 5.0)]),
        n_existing: 0,
        costs: None,
        capacities: Some(vec![20.0, 20.0]),
        full: None,
    };
    let plain = solve(&pr, &Model::Lscp, &SitingOptions::default()).unwrap();
    assert_eq!(plain.chosen.len(), 1);
    let cap = SitingOptions {
        capacitated: true,
        ..SitingOptions::default()
    };
    let s = solve(&pr, &Model::Lscp, &cap).unwrap();
    assert_eq!(s.chosen, vec![0, 1]);
    assert!(close(s.covered_after, 30.0));
    // p-median with p = 1: 20 served at 5 min, 10 unserved at 30 min = 100 + 300.
    let m = solve(&pr, &Model::PMedian { p: 1 }, &cap).unwrap();
    assert!(close(m.objective, 400.0), "{}", m.objective);
}
