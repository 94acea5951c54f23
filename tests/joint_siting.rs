//! Joint siting of several kinds: never more distinct sites (nor more cost) than siting each
//! kind alone; with unit costs the fewest distinct sites equal brute force; a hand case where
//! sharing a site saves one.

use carecircle::reach_table::ReachTable;
use carecircle::rng::SplitMix64;
use carecircle::siting::joint::{solve_joint, JointKind, JointProblem};
use carecircle::siting::SitingOptions;

fn random_problem(seed: u64, cost_per_kind: f64) -> JointProblem {
    let mut rng = SplitMix64::new(seed);
    let n_cand = 2 + rng.below(8);
    let n_kinds = 2 + rng.below(2);
    let kinds = (0..n_kinds)
        .map(|_| {
            let n_dem = 2 + rng.below(8);
            let ne = rng.below(2);
            let mut trip = Vec::new();
            for i in 0..n_dem {
                for s in 0..ne + n_cand {
                    let p = if s < ne { 0.15 } else { 0.35 };
                    if rng.next_f64() < p {
                        trip.push((i as u32, s as u32, (1 + rng.below(15)) as f64));
                    }
                }
            }
            JointKind {
                weights: (0..n_dem).map(|_| rng.below(5) as f64).collect(),
                reach: ReachTable::from_triplets(n_dem, ne + n_cand, 15.0, trip),
                n_existing: ne,
                cost_per_kind,
            }
        })
        .collect();
    JointProblem {
        kinds,
        n_candidates: n_cand,
        site_costs: None,
    }
}

/// Rows (kind, demand) that need a new site: weight > 0, no existing facility, some candidate.
fn needs(pr: &JointProblem) -> Vec<Vec<usize>> {
    let mut rows = Vec::new();
    for k in &pr.kinds {
        for i in 0..k.reach.n_demand {
            let row: Vec<(u32, f64)> = k.reach.row(i).collect();
            if k.weights[i] > 0.0
                && !row.iter().any(|&(s, _)| (s as usize) < k.n_existing)
                && !row.is_empty()
            {
                rows.push(
                    row.iter()
                        .map(|&(s, _)| s as usize - k.n_existing)
                        .collect(),
                );
            }
        }
    }
    rows
}

fn covers_each_kind(pr: &JointProblem, hosted: &[Vec<usize>]) -> bool {
    pr.kinds.iter().zip(hosted).all(|(k, h)| {
        (0..k.reach.n_demand).all(|i| {
            let row: Vec<usize> = k.reach.row(i).map(|(s, _)| s as usize).collect();
            k.weights[i] == 0.0
                || row.is_empty()
                || row
                    .iter()
                    .any(|&s| s < k.n_existing || h.contains(&(s - k.n_existing)))
        })
    })
}

#[test]
fn joint_never_needs_more_sites_than_separate_and_equals_brute_force() {
    let mut strictly_fewer = 0;
    for seed in 0..150u64 {
        let pr = random_problem(seed, 0.0);
        let sol = solve_joint(&pr, &SitingOptions::default()).unwrap();
        assert!(covers_each_kind(&pr, &sol.hosted), "seed {seed}");
        assert!(covers_each_kind(&pr, &sol.separate_hosted), "seed {seed}");
        assert!(
            sol.sites.len() <= sol.separate_sites.len(),
            "seed {seed}: joint {:?} separate {:?}",
            sol.sites,
            sol.separate_sites
        );
        strictly_fewer += (sol.sites.len() < sol.separate_sites.len()) as usize;
        for (h, _) in sol.hosted.iter().zip(&pr.kinds) {
            assert!(h.iter().all(|j| sol.sites.contains(j)));
        }
        // Brute force: the fewest candidates covering every row of every kind.
        let rows = needs(&pr);
        let n = pr.n_candidates;
        let best = (0u32..(1 << n))
            .filter(|m| rows.iter().all(|r| r.iter().any(|&j| m >> j & 1 == 1)))
            .map(|m| m.count_ones() as usize)
            .min()
            .unwrap();
        assert_eq!(sol.sites.len(), best, "seed {seed}");
        assert_eq!(sol.cost, best as f64, "seed {seed}");
        assert_eq!(sol.gap, 0.0, "seed {seed}");
    }
    assert!(
        strictly_fewer > 5,
        "sharing saved a site in only {strictly_fewer} instances"
    );
}

#[test]
fn joint_with_a_cost_per_kind_never_costs_more_than_separate() {
    for seed in 0..100u64 {
        let pr = random_problem(1000 + seed, 0.4);
        let sol = solve_joint(&pr, &SitingOptions::default()).unwrap();
        assert!(covers_each_kind(&pr, &sol.hosted), "seed {seed}");
        assert!(sol.cost <= sol.separate_cost + 1e-9, "seed {seed}");
        assert!(sol.sites.len() <= sol.separate_sites.len(), "seed {seed}");
        assert!(sol.bound <= sol.cost + 1e-9, "seed {seed}");
        let hosted: usize = sol.hosted.iter().map(Vec::len).sum();
        assert!((sol.cost - (sol.sites.len() as f64 + 0.4 * hosted as f64)).abs() < 1e-9);
    }
}

#[test]
fn one_shared_site_serves_two_kinds() {
    // Day care: community 0 reaches candidates 0 and 1. Canteen: community 0 reaches 1 and 2.
    // Alone, ties go to the lower index: day care at 0, canteen at 1 (two sites). Together:
    // candidate 1 hosts both.
    let kind = |trip| JointKind {
        weights: vec![100.0],
        reach: ReachTable::from_triplets(1, 3, 15.0, trip),
        n_existing: 0,
        cost_per_kind: 0.0,
    };
    let pr = JointProblem {
        kinds: vec![
            kind(vec![(0, 0, 5.0), (0, 1, 9.0)]),
            kind(vec![(0, 1, 4.0), (0, 2, 3.0)]),
        ],
        n_candidates: 3,
        site_costs: None,
    };
    let sol = solve_joint(&pr, &SitingOptions::default()).unwrap();
    assert_eq!(sol.sites, vec![1]);
    assert_eq!(sol.hosted, vec![vec![1], vec![1]]);
    assert_eq!(sol.separate_sites.len(), 2);
    assert_eq!(sol.cost, 1.0);
}
