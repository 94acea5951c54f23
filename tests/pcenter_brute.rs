//! p-center against brute force on small random instances, and a hand-checked line.

use carecircle::reach_table::ReachTable;
use carecircle::rng::SplitMix64;
use carecircle::siting::{solve, Model, Sense, SitingOptions, SitingProblem};

/// A random instance on a dense table (every pair present with probability 0.7) so most
/// demands have several sites; minutes 1..=30 in steps of 0.5 so radii tie now and then.
fn random_problem(seed: u64) -> SitingProblem {
    let mut rng = SplitMix64::new(seed);
    let n_dem = 3 + rng.below(9);
    let n_exist = rng.below(2);
    let n_cand = 2 + rng.below(8);
    let n_sites = n_exist + n_cand;
    let mut trip = Vec::new();
    for i in 0..n_dem {
        for s in 0..n_sites {
            if rng.next_f64() < 0.7 {
                trip.push((i as u32, s as u32, 1.0 + 0.5 * rng.below(59) as f64));
            }
        }
    }
    SitingProblem {
        // Some demands weigh 0: they ask for no site.
        weights: (0..n_dem).map(|_| rng.below(6) as f64).collect(),
        reach: ReachTable::from_triplets(n_dem, n_sites, 30.0, trip),
        n_existing: n_exist,
        costs: None,
        capacities: None,
        full: None,
    }
}

/// The worst minutes over demands of weight > 0 that have a row, with `set` opened; infinite
/// when such a demand reaches no open site.
fn worst(pr: &SitingProblem, set: &[usize]) -> f64 {
    let mut open = vec![false; pr.reach.n_sites];
    open[..pr.n_existing].iter_mut().for_each(|o| *o = true);
    for &j in set {
        open[pr.n_existing + j] = true;
    }
    let mut w = 0.0f64;
    for i in 0..pr.reach.n_demand {
        if pr.weights[i] <= 0.0 || pr.reach.row(i).next().is_none() {
            continue;
        }
        let best = pr
            .reach
            .row(i)
            .filter(|&(s, _)| open[s as usize])
            .map(|(_, m)| m)
            .fold(f64::INFINITY, f64::min);
        w = w.max(best);
    }
    w
}

fn brute_force(pr: &SitingProblem, p: usize) -> f64 {
    let n = pr.reach.n_sites - pr.n_existing;
    (0u32..(1 << n))
        .filter(|m| m.count_ones() as usize <= p)
        .map(|m| worst(pr, &(0..n).filter(|&j| m >> j & 1 == 1).collect::<Vec<_>>()))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn pcenter_equals_brute_force_on_random_instances() {
    let mut proven = 0;
    for seed in 0..120u64 {
        let pr = random_problem(seed);
        let n_cand = pr.reach.n_sites - pr.n_existing;
        for p in [1, 2, 3] {
            let want = brute_force(&pr, p);
            let sol = solve(&pr, &Model::PCenter { p }, &SitingOptions::default()).unwrap();
            assert_eq!(sol.model, "pcenter");
            assert_eq!(sol.sense, Sense::Minimise);
            assert!(sol.chosen.len() <= p.min(n_cand), "seed {seed} p {p}");
            assert_eq!(
                sol.objective, want,
                "seed {seed} p {p}: p-center {} vs brute force {want}",
                sol.objective
            );
            // The reported objective is what the chosen set does.
            assert_eq!(worst(&pr, &sol.chosen), sol.objective, "seed {seed} p {p}");
            if want.is_finite() {
                assert!(sol.proven_optimal, "seed {seed} p {p}: gap {}", sol.gap);
                proven += 1;
            }
        }
    }
    assert!(proven > 200, "only {proven} finite instances");
}

#[test]
fn pcenter_on_a_line_by_hand() {
    // Five demands on a line at 0, 10, 20, 30, 40 minutes' walk; candidate sites at the same
    // points (a complete table, minutes = distance). One site: the middle one, worst 20 min.
    // Two sites: at 10 and 30 (or 0/30, 10/40 ...), worst 10 min.
    let pos = [0.0, 10.0, 20.0, 30.0, 40.0];
    let mut trip = Vec::new();
    for (i, a) in pos.iter().enumerate() {
        for (j, b) in pos.iter().enumerate() {
            trip.push((i as u32, j as u32, f64::abs(a - b)));
        }
    }
    let pr = SitingProblem {
        weights: vec![1.0; 5],
        reach: ReachTable::from_triplets(5, 5, 100.0, trip),
        n_existing: 0,
        ..SitingProblem::default()
    };
    let one = solve(&pr, &Model::PCenter { p: 1 }, &SitingOptions::default()).unwrap();
    assert_eq!(one.chosen, vec![2]);
    assert_eq!(one.objective, 20.0);
    assert_eq!(one.bound, 20.0);
    let two = solve(&pr, &Model::PCenter { p: 2 }, &SitingOptions::default()).unwrap();
    assert_eq!(two.objective, 10.0);
    assert_eq!(two.chosen.len(), 2);
    assert!(two.proven_optimal);
    // Five sites: everyone at 0 minutes.
    let five = solve(&pr, &Model::PCenter { p: 5 }, &SitingOptions::default()).unwrap();
    assert_eq!(five.objective, 0.0);
}
