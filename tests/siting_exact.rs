//! The exact search against brute force on instances large enough (30–60 demands, up to 16
//! candidates) that the reductions and the branching do real work, plus the certificate and
//! thread-count independence.

#![allow(clippy::needless_range_loop)]

use proptest::prelude::*;

use carecircle::reach_table::ReachTable;
use carecircle::rng::SplitMix64;
use carecircle::siting::{
    certificate_json, check_dual, solve, Model, SitingOptions, SitingProblem,
};

/// Demands and candidates scattered in a 10 × 10 square; a pair is within reach when closer
/// than `radius` (minutes = distance). Existing sites first. Weights 0..=20, costs 1..=3 when
/// `costed`.
fn spatial_problem(seed: u64, costed: bool) -> SitingProblem {
    let mut rng = SplitMix64::new(seed);
    let n_dem = 30 + rng.below(31);
    let n_exist = rng.below(3);
    let n_cand = 8 + rng.below(9);
    let radius = rng.range(2.0, 4.5);
    let pts = |rng: &mut SplitMix64, n: usize| -> Vec<(f64, f64)> {
        (0..n)
            .map(|_| (rng.range(0.0, 10.0), rng.range(0.0, 10.0)))
            .collect()
    };
    let dem = pts(&mut rng, n_dem);
    let sites = pts(&mut rng, n_exist + n_cand);
    let mut trip = Vec::new();
    for (i, d) in dem.iter().enumerate() {
        for (s, p) in sites.iter().enumerate() {
            let m = ((d.0 - p.0).powi(2) + (d.1 - p.1).powi(2)).sqrt();
            if m <= radius {
                trip.push((i as u32, s as u32, (m * 100.0).round() / 100.0));
            }
        }
    }
    SitingProblem {
        weights: (0..n_dem).map(|_| rng.below(21) as f64).collect(),
        reach: ReachTable::from_triplets(n_dem, n_exist + n_cand, radius, trip),
        n_existing: n_exist,
        costs: costed.then(|| (0..n_cand).map(|_| (1 + rng.below(3)) as f64).collect()),
        capacities: None,
        full: None,
    }
}

/// A random set-cover instance with no geometry: 30–60 demands, each reached by 2–4 of 12–16
/// candidates; its LP relaxation is fractional often enough that the search must branch.
fn random_cover_problem(seed: u64) -> SitingProblem {
    let mut rng = SplitMix64::new(seed);
    let n_dem = 30 + rng.below(31);
    let n_cand = 12 + rng.below(5);
    let mut trip = Vec::new();
    for i in 0..n_dem {
        let k = 2 + rng.below(3);
        let mut picked: Vec<usize> = Vec::new();
        while picked.len() < k {
            let j = rng.below(n_cand);
            if !picked.contains(&j) {
                picked.push(j);
                trip.push((i as u32, j as u32, 1.0));
            }
        }
    }
    SitingProblem {
        weights: vec![1.0; n_dem],
        reach: ReachTable::from_triplets(n_dem, n_cand, 15.0, trip),
        n_existing: 0,
        costs: None,
        capacities: None,
        full: None,
    }
}

fn n_cand(pr: &SitingProblem) -> usize {
    pr.reach.n_sites - pr.n_existing
}

fn open_mask(pr: &SitingProblem, mask: u32) -> Vec<bool> {
    let mut open = vec![false; pr.reach.n_sites];
    open[..pr.n_existing].iter_mut().for_each(|o| *o = true);
    for j in 0..n_cand(pr) {
        if mask >> j & 1 == 1 {
            open[pr.n_existing + j] = true;
        }
    }
    open
}

fn cost_of(pr: &SitingProblem, mask: u32) -> f64 {
    (0..n_cand(pr))
        .filter(|&j| mask >> j & 1 == 1)
        .map(|j| pr.costs.as_ref().map_or(1.0, |c| c[j]))
        .sum()
}

/// Cheapest cover of every positive-weight demand some site reaches, over all subsets.
fn lscp_brute(pr: &SitingProblem) -> f64 {
    let must: Vec<usize> = (0..pr.reach.n_demand)
        .filter(|&i| pr.weights[i] > 0.0 && pr.reach.row(i).next().is_some())
        .collect();
    let mut best = f64::INFINITY;
    for mask in 0u32..(1 << n_cand(pr)) {
        let c = cost_of(pr, mask);
        if c >= best {
            continue;
        }
        let open = open_mask(pr, mask);
        if must
            .iter()
            .all(|&i| pr.reach.row(i).any(|(s, _)| open[s as usize]))
        {
            best = c;
        }
    }
    best
}

fn mclp_brute(pr: &SitingProblem, p: usize) -> f64 {
    let mut best = 0.0f64;
    for mask in 0u32..(1 << n_cand(pr)) {
        if mask.count_ones() as usize > p {
            continue;
        }
        let open = open_mask(pr, mask);
        let w: f64 = (0..pr.reach.n_demand)
            .filter(|&i| pr.reach.row(i).any(|(s, _)| open[s as usize]))
            .map(|i| pr.weights[i])
            .sum();
        best = best.max(w);
    }
    best
}

fn pmedian_brute(pr: &SitingProblem, p: usize) -> f64 {
    let penalty = 2.0 * pr.reach.limit_min;
    let mut best = f64::INFINITY;
    for mask in 0u32..(1 << n_cand(pr)) {
        if mask.count_ones() as usize > p {
            continue;
        }
        let open = open_mask(pr, mask);
        let c: f64 = (0..pr.reach.n_demand)
            .map(|i| {
                let m = pr
                    .reach
                    .row(i)
                    .filter(|&(s, _)| open[s as usize])
                    .map(|(_, m)| m)
                    .fold(penalty, f64::min);
                pr.weights[i] * m
            })
            .sum();
        best = best.min(c);
    }
    best
}

fn check_lscp(seed: u64, costed: bool) -> (usize, usize) {
    check_lscp_on(spatial_problem(seed, costed), seed)
}

fn check_lscp_on(pr: SitingProblem, seed: u64) -> (usize, usize) {
    check_lscp_with(pr, seed, &SitingOptions::default())
}

/// Options that send every component, however small, down the large-component path
/// (interior-point LP bound, neighbourhood search, Lagrangian branch-and-bound).
fn large_path() -> SitingOptions {
    SitingOptions {
        large_component_rows: 0,
        ..SitingOptions::default()
    }
}

fn check_lscp_with(pr: SitingProblem, seed: u64, options: &SitingOptions) -> (usize, usize) {
    let sol = solve(&pr, &Model::Lscp, options).unwrap();
    assert_eq!(sol.objective, lscp_brute(&pr), "seed {seed}");
    assert_eq!(sol.gap, 0.0, "seed {seed}");
    assert!(sol.proven_optimal);
    let c = sol.certificate.as_ref().expect("LSCP has a certificate");
    let red = c.reductions.as_ref().unwrap();
    // The bound adds up: forced costs plus the components' bounds.
    let forced: f64 = c
        .forced
        .iter()
        .map(|&j| pr.costs.as_ref().map_or(1.0, |k| k[j]))
        .sum();
    let comps: f64 = c.components.iter().map(|k| k.bound).sum();
    assert!((forced + comps - sol.bound).abs() < 1e-9, "seed {seed}");
    for k in &c.components {
        assert!(k.bound <= k.value + 1e-9);
        assert!(k.root_lp.is_nan() || k.root_lp <= k.bound + 1e-6);
    }
    (
        red.rows_dominated + red.candidates_dominated + red.forced,
        c.nodes,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn lscp_exact_equals_brute_force(seed in any::<u64>(), costed in any::<bool>()) {
        check_lscp(seed, costed);
        check_lscp_on(random_cover_problem(seed), seed);
        check_lscp_with(random_cover_problem(seed), seed, &large_path());
        check_lscp_with(spatial_problem(seed, costed), seed, &large_path());
    }

    #[test]
    fn mclp_equals_brute_force_30_to_60_demands(seed in any::<u64>(), p in 1usize..5) {
        let pr = spatial_problem(seed, false);
        let sol = solve(&pr, &Model::Mclp { p }, &SitingOptions::default()).unwrap();
        prop_assert_eq!(sol.objective, mclp_brute(&pr, p));
        prop_assert_eq!(sol.gap, 0.0);
    }

    #[test]
    fn pmedian_equals_brute_force_30_to_60_demands(seed in any::<u64>(), p in 1usize..5) {
        let pr = spatial_problem(seed, false);
        let sol = solve(&pr, &Model::PMedian { p }, &SitingOptions::default()).unwrap();
        let best = pmedian_brute(&pr, p);
        prop_assert!((sol.objective - best).abs() < 1e-6 * best.max(1.0), "{} vs {}", sol.objective, best);
        prop_assert_eq!(sol.gap, 0.0);
    }
}

/// Candidates `(a, b)` and a demand with people, out of every existing facility's reach, that
/// `a` reaches and `b` does not: "`a` is dominated by `b`" is then false in both models.
fn false_domination(pr: &SitingProblem) -> Option<(usize, usize)> {
    let ne = pr.n_existing;
    (0..pr.reach.n_demand).find_map(|i| {
        let row: Vec<usize> = pr.reach.row(i).map(|(s, _)| s as usize).collect();
        if pr.weights[i] == 0.0 || row.iter().any(|&s| s < ne) {
            return None;
        }
        let a = row.first()? - ne;
        let b = (0..n_cand(pr)).find(|&b| !row.contains(&(b + ne)))?;
        Some((a, b))
    })
}

/// MCLP and p-median answers carry the root's multipliers; `check_dual` recomputes their bound
/// from the problem alone. It must equal the certificate's bound, bound the brute-force
/// optimum, be no better than the solution's bound, and stay a valid bound when a multiplier is
/// changed (any multipliers give one); a false domination claim must be refused.
fn check_dual_certificate(seed: u64, p: usize) -> (usize, usize) {
    let pr = spatial_problem(seed, false);
    let options = SitingOptions::default();
    let mut dominated = 0;
    let mut positive = 0;
    for (model, best) in [
        (Model::Mclp { p }, mclp_brute(&pr, p)),
        (Model::PMedian { p }, pmedian_brute(&pr, p)),
    ] {
        let maximise = matches!(model, Model::Mclp { .. });
        let sol = solve(&pr, &model, &options).unwrap();
        let dual = sol
            .certificate
            .as_ref()
            .and_then(|c| c.dual.clone())
            .expect("MCLP and p-median carry a dual certificate");
        assert_eq!(dual.multipliers.len(), pr.reach.n_demand);
        let tol = 1e-7 * best.abs().max(1.0);
        let checked = check_dual(&pr, &model, &options, &dual).unwrap();
        assert!(
            (checked - dual.bound).abs() <= tol,
            "seed {seed} {model:?}: checked {checked} vs certificate {}",
            dual.bound
        );
        // The dual bounds the optimum, and the search's bound is at least as tight.
        if maximise {
            assert!(
                checked >= best - tol,
                "seed {seed}: {checked} < optimum {best}"
            );
            assert!(checked >= sol.bound - tol);
        } else {
            assert!(
                checked <= best + tol,
                "seed {seed}: {checked} > optimum {best}"
            );
            assert!(checked <= sol.bound + tol);
        }
        if let Some(i) = dual.multipliers.iter().position(|&l| l > 0.0) {
            positive += 1;
            for factor in [0.5, 1.7] {
                let mut other = dual.clone();
                other.multipliers[i] *= factor;
                let b = check_dual(&pr, &model, &options, &other).unwrap();
                assert!(if maximise {
                    b >= best - tol
                } else {
                    b <= best + tol
                });
            }
        }
        if !dual.dominated.is_empty() {
            dominated += 1;
        }
        // False claims are refused: a candidate "dominated" by itself, and candidate `a`
        // "dominated" by `b` where `b` misses a demand `a` reaches.
        let mut other = dual.clone();
        other.dominated = vec![(0, 0)];
        assert!(check_dual(&pr, &model, &options, &other).is_err());
        if let Some((a, b)) = false_domination(&pr) {
            other.dominated = vec![(a, b)];
            assert!(check_dual(&pr, &model, &options, &other).is_err());
        }
        let json: serde_json::Value = serde_json::from_slice(&certificate_json(&sol)).unwrap();
        assert_eq!(
            json["dual"]["multipliers"].as_array().unwrap().len(),
            pr.reach.n_demand
        );
    }
    (dominated, positive)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn dual_certificate_is_rechecked_and_bounds_the_optimum(seed in any::<u64>(), p in 1usize..5) {
        check_dual_certificate(seed, p);
    }
}

/// Over a fixed sweep the dual certificates list dominated candidates and carry positive
/// multipliers (so the checks above are not vacuous).
#[test]
fn dual_certificates_are_exercised() {
    let (mut dominated, mut positive) = (0, 0);
    for seed in 0..30 {
        let (d, q) = check_dual_certificate(seed, 1 + (seed as usize) % 4);
        dominated += d;
        positive += q;
    }
    assert!(
        dominated >= 10,
        "{dominated} certificates with dominated candidates"
    );
    assert!(
        positive >= 40,
        "{positive} certificates with a positive multiplier"
    );
}

/// Over a fixed sweep of seeds the reductions remove rows and candidates and the LP
/// branch-and-bound branches on some instances (so both are exercised, not only the root).
#[test]
fn reductions_and_branching_are_exercised() {
    let mut reduced = 0;
    for seed in 0..60u64 {
        let (r, _) = check_lscp(seed, seed % 2 == 0);
        reduced += usize::from(r > 0);
    }
    let mut branched = 0;
    for seed in 0..60u64 {
        let (_, nodes) = check_lscp_on(random_cover_problem(seed), seed);
        branched += usize::from(nodes > 1);
    }
    // The same random instances down the large-component path: its Lagrangian
    // branch-and-bound must branch on some of them too, and still prove the optimum.
    let mut large_branched = 0;
    for seed in 0..60u64 {
        let (_, nodes) = check_lscp_with(random_cover_problem(seed), seed, &large_path());
        large_branched += usize::from(nodes > 1);
    }
    println!(
        "{reduced} of 60 spatial instances reduced, {branched} of 60 random ones branched \
         ({large_branched} on the large-component path)"
    );
    assert!(reduced >= 50, "{reduced}");
    assert!(branched >= 5, "{branched}");
    assert!(large_branched >= 5, "{large_branched}");
}

/// A hand-checked instance: demands 0–3 on a line; candidate 0 reaches {0,1}, 1 reaches
/// {1,2}, 2 reaches {2,3}, 3 reaches {3}. Demand 0 has one candidate: 0 is forced and covers
/// demands 0 and 1. Then candidates 1 ({2}) and 3 ({3}) are dominated by 2 ({2,3}), and demand
/// 2 is left with candidate 2 alone: forced too. Optimum 2, proven without search.
#[test]
fn line_instance_is_solved_by_reductions_alone() {
    let trip = vec![
        (0, 0, 1.0),
        (1, 0, 1.0),
        (1, 1, 1.0),
        (2, 1, 1.0),
        (2, 2, 1.0),
        (3, 2, 1.0),
        (3, 3, 1.0),
    ];
    let pr = SitingProblem {
        weights: vec![1.0; 4],
        reach: ReachTable::from_triplets(4, 4, 15.0, trip),
        n_existing: 0,
        ..SitingProblem::default()
    };
    let sol = solve(&pr, &Model::Lscp, &SitingOptions::default()).unwrap();
    assert_eq!(sol.chosen, vec![0, 2]);
    assert_eq!((sol.objective, sol.bound), (2.0, 2.0));
    let c = sol.certificate.as_ref().unwrap();
    assert_eq!(c.forced, vec![0, 2]);
    assert!(c.components.is_empty());
    assert_eq!(c.nodes, 0);
    let json: serde_json::Value = serde_json::from_slice(&certificate_json(&sol)).unwrap();
    assert_eq!(json["proven_optimal"], true);
    assert_eq!(
        json["certificate"]["forced_candidates"],
        serde_json::json!([0, 2])
    );
    assert_eq!(json["certificate"]["reductions"]["candidates_dominated"], 2);
}

/// The same LSCP answer with 1 and 2 threads (components are solved in parallel).
#[test]
fn lscp_is_independent_of_the_thread_count() {
    let pr = carecircle::siting::synth::synthetic_city(&carecircle::siting::synth::CitySpec {
        n_demand: 400,
        n_candidates: 1500,
        side_m: 6000.0,
        ..Default::default()
    });
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let opts = SitingOptions {
            max_nodes: 200,
            ..SitingOptions::default()
        };
        pool.install(|| solve(&pr, &Model::Lscp, &opts).unwrap())
    };
    let a = run(1);
    let b = run(2);
    assert_eq!(a.chosen, b.chosen);
    assert_eq!(
        (a.objective, a.bound, a.nodes),
        (b.objective, b.bound, b.nodes)
    );
    assert_eq!(certificate_json(&a), certificate_json(&b));
}
